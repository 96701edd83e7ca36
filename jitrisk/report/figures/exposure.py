"""Exposure ranked by money: what each site's outage, for its time to recover, costs."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Unpack

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import style
from .common import (
    Frame,
    _done,
    _est,
    _label,
    _legend,
    _title,
    empty_figure,
    frame_canvas,
    ranked_bars,
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
    est = [_est(sites[s]["performance_impact"]) for s in ranked]
    est = [(m, max(lo, 0.0), hi) for m, lo, hi in est]
    exposed = [bool(sites[s].get("exposed")) for s in ranked]
    colours = [style.OKABE_ITO["vermillion"] if e else style.OKABE_ITO["blue"] for e in exposed]
    ax, width = ranked_bars(
        fig,
        [site_label(s, (names or {}).get(s, ""), 30) for s in ranked],
        est,
        colours,
        style.compact,
        1.0,
    )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: style.compact(v)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.set_xlim(0, width * 1.18)
    unit = f" ({currency})" if currency else ""
    _label(ax, fig, x=f"At risk if down for its recovery time{unit}")
    _title(ax, fig, frame.get("title") or f"The {len(ranked)} largest exposures, in money")
    handles = [
        Patch(color=style.OKABE_ITO["vermillion"], label="runs dry before it recovers"),
        Patch(color=style.OKABE_ITO["blue"], label="survives its recovery"),
    ]
    _legend(ax, fig, handles=[h for h, e in zip(handles, (True, False), strict=True)
                              if e in exposed], loc="lower right")  # fmt: skip
    return _done(fig)
