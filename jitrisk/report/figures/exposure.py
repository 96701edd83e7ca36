"""Exposure ranked by money: what each site's outage, for its time to recover, costs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import style
from .common import (
    Frame,
    _done,
    _est,
    _fs,
    _label,
    _legend,
    _style_axes,
    _title,
    ci_whiskers,
    empty_figure,
    frame_canvas,
    site_label,
)


def exposure_ranking(risk: Mapping[str, Any], n: int = 12) -> list[str]:
    """Site ids of ``risk["sites"]``, the largest performance impact first (then id).

    The performance impact (Simchi-Levi et al. 2015) is the revenue put at risk
    when the site is down for its time to recover: the ranking by money the
    risk exposure index normalises.
    """
    sites = risk.get("sites", {}) if risk else {}

    def key(sid: str) -> tuple[float, str]:
        m = _est(sites[sid].get("performance_impact"))[0]
        return (-(m if math.isfinite(m) else 0.0), sid)

    return sorted(sites, key=key)[:n]


def exposure_figure(
    risk: Mapping[str, Any],
    n: int = 12,
    *,
    currency: str = "",
    names: Mapping[str, str] | None = None,
    **frame: Unpack[Frame],
) -> Figure:
    """Horizontal bars of the ``n`` largest performance impacts, with 95% CI whiskers.

    Bars of sites whose time to survive is shorter than their time to recover
    (exposed: customers run short before the site is back) are vermillion,
    the others blue; the figure says which is which.

    Parameters
    ----------
    risk : mapping
        ``RiskReport.to_dict()`` (``jitrisk risk --json``).
    currency : str
        Named on the axis.
    names : mapping, optional
        Site id -> descriptive name, shown after the id.
    """
    fig = frame_canvas(frame)
    ranked = exposure_ranking(risk, n)
    if not ranked:
        return empty_figure("No risk analysis in this report", figure=fig)
    sites = risk["sites"]
    top = ranked[::-1]  # barh draws bottom-up: the largest at the top
    est = np.array([_est(sites[s]["performance_impact"]) for s in top])
    mean, lo, hi = est[:, 0], np.maximum(est[:, 1], 0.0), est[:, 2]
    exposed = [bool(sites[s].get("exposed")) for s in top]
    colours = [style.OKABE_ITO["vermillion"] if e else style.OKABE_ITO["blue"] for e in exposed]
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    y = np.arange(len(top))
    ax.barh(y, np.maximum(mean, 0.0), color=colours, height=0.68)
    ci_whiskers(ax, y, mean, lo, hi, horizontal=True)
    width = max(float(np.nanmax(hi)) if np.isfinite(hi).any() else 0.0, 1.0)
    for yi, m, h in zip(y, mean, hi, strict=True):
        ax.text(
            float(h) + width * 0.015,
            float(yi),
            style.compact(m),
            va="center",
            ha="left",
            fontsize=_fs(fig, -3),
            color=style.TEXT,
        )
    ax.set_yticks(
        y,
        [site_label(s, (names or {}).get(s, ""), 30) for s in top],
        fontsize=_fs(fig, -2),
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: style.compact(v)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_xlim(0, width * 1.18)
    ax.set_ylim(-0.6, len(top) - 0.4)
    ax.grid(axis="x", color=style.GRID, zorder=0)
    ax.set_axisbelow(True)
    unit = f" ({currency})" if currency else ""
    _label(ax, fig, x=f"At risk if down for its recovery time{unit}")
    _title(ax, fig, frame.get("title") or f"The {len(top)} largest exposures, in money")
    handles = [
        Patch(color=style.OKABE_ITO["vermillion"], label="runs dry before it recovers"),
        Patch(color=style.OKABE_ITO["blue"], label="survives its recovery"),
    ]
    _legend(ax, fig, handles=[h for h, e in zip(handles, (True, False), strict=True)
                              if e in exposed], loc="lower right")  # fmt: skip
    return _done(fig)
