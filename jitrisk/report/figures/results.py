"""Figures of a run: the sites most at risk, lost revenue, scenarios compared."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, Unpack

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike

from ...engine.results import tail_risk
from .. import style
from .common import (
    Doc,
    Frame,
    _done,
    _est,
    _fs,
    _label,
    _legend,
    _outside_legend,
    _pct_axis,
    _style_axes,
    _title,
    ci_whiskers,
    empty_figure,
    frame_canvas,
    rank_sites,
    ranked_bars,
    site_label,
)

RISK_METRICS = {
    "stockout_day_probability": "Stockout-day probability",
    "stockout_probability": "Probability of a stockout in the horizon",
    "fill_rate": "Fill rate",
}


def top_risk_figure(
    sites: Mapping[str, Doc],
    n: int = 15,
    *,
    metric: str = "stockout_day_probability",
    names: Mapping[str, str] | None = None,
    **frame: Unpack[Frame],
) -> Figure:
    """Horizontal bars of the ``n`` sites most at risk, with 95% CI whiskers.

    Parameters
    ----------
    sites : mapping
        ``SimulationResult.to_dict()["sites"]``: site id -> metrics (each
        ``{"mean", "ci95"}``) and ``type``.
    n : int
        Sites shown (worst at the top).
    metric : str
        A key of :data:`RISK_METRICS`.
    names : mapping, optional
        Site id -> descriptive name, shown after the id.
    """
    fig = frame_canvas(frame)
    ranked = [s for s in rank_sites(sites, metric) if metric in sites[s]][:n]
    if not ranked:
        return empty_figure("No sites to show", figure=fig)
    types = [str(sites[s].get("type", "")) for s in ranked]
    label_chars = 34 if len(ranked) <= 10 else 30
    ax, width = ranked_bars(
        fig,
        [site_label(s, (names or {}).get(s, ""), label_chars) for s in ranked],
        [_est(sites[s][metric]) for s in ranked],
        [style.TYPE_COLOURS.get(t, style.MUTED) for t in types],
        style.pct,
        1e-3,
    )
    _pct_axis(ax.xaxis, width)
    ax.set_xlim(0, width * 1.16)
    label = RISK_METRICS.get(metric, metric)
    _label(ax, fig, x=f"{label} (whiskers: 95% CI)")
    _title(ax, fig, frame.get("title") or f"The {len(ranked)} sites most at risk")
    present = [t for t in style.SITE_TYPES if t in set(types)]
    _legend(
        ax,
        fig,
        handles=[Patch(color=style.TYPE_COLOURS[t], label=style.TYPE_LABELS[t]) for t in present],
        loc="lower right",
    )
    return _done(fig)


def lost_revenue_figure(
    losses: ArrayLike,
    *,
    var95: float | None = None,
    cvar95: float | None = None,
    currency: str = "",
    what: str = "Lost revenue",
    **frame: Unpack[Frame],
) -> Figure:
    """Histogram of network lost revenue per trial, with mean, VaR95 and CVaR95 marked.

    ``what`` names the amount ("Revenue at risk" when backorders deliver it late).

    Parameters
    ----------
    losses : array_like
        Lost revenue of each trial (``SimulationResult.network_lost_revenue()``).
    var95, cvar95 : float, optional
        The values to mark; computed from ``losses`` when omitted (the same
        definitions as the simulation's: the 95% quantile and the
        Rockafellar–Uryasev tail mean).
    currency : str
        Shown in the axis label and legend.
    """
    x = np.asarray(losses, dtype=float)
    fig = frame_canvas(frame)
    if x.size == 0 or not np.any(x > 0):
        return empty_figure("No revenue was lost in any trial.", figure=fig)
    if var95 is None or cvar95 is None:
        v, c = tail_risk(x)
        var95 = v if var95 is None else var95
        cvar95 = c if cvar95 is None else cvar95
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    bins = min(60, max(10, int(np.sqrt(x.size))))
    ax.hist(x, bins=bins, histtype="stepfilled", color=style.OKABE_ITO["sky_blue"], zorder=2)
    marks: tuple[tuple[str, float, str, Literal["-", "--", ":"]], ...] = (
        ("Mean", float(np.mean(x)), style.OKABE_ITO["blue"], "-"),
        ("VaR95", float(var95), style.OKABE_ITO["orange"], "--"),
        ("CVaR95", float(cvar95), style.OKABE_ITO["vermillion"], ":"),
    )
    handles = []
    for name, value, colour, ls in marks:
        ax.axvline(value, color=colour, linestyle=ls, linewidth=2.5, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linestyle=ls,
                linewidth=2.5,
                label=f"{name}: {style.money(value, style.plain(currency))}",
            )
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: style.compact(v)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_xlim(left=0)
    ax.grid(axis="y", color=style.GRID, zorder=0)
    unit = f" ({style.plain(currency)})" if currency else ""
    _label(ax, fig, x=f"{what} over the horizon{unit}", y="Trials")
    _title(ax, fig, frame.get("title") or f"{what} across trials")
    _legend(ax, fig, handles=handles, loc="upper right")
    return _done(fig)


_PROB_KPIS = (
    ("any_customer_stockout_probability", "P(any customer\nstockout in horizon)"),
    ("any_customer_stockout_day_probability", "Share of days with\na customer short"),
    ("fill_rate", "Customer\nfill rate"),
)


_MONEY_KPIS = (("mean", "Expected"), ("var95", "VaR95"), ("cvar95", "CVaR95"))


def scenario_comparison_figure(
    networks: Mapping[str, Doc],
    *,
    currency: str = "",
    **frame: Unpack[Frame],
) -> Figure:
    """Grouped bars of the network KPIs of each scenario, with 95% CI whiskers.

    Parameters
    ----------
    networks : mapping
        Scenario name -> ``SimulationResult.to_dict()["network"]``.
    currency : str
        Label of the lost-revenue panel.
    """
    fig = frame_canvas(frame)
    names = list(networks)
    if not names:
        return empty_figure("No scenarios to compare.", figure=fig)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    k = len(names)
    width = 0.8 / k
    colours = [style.SERIES[i % len(style.SERIES)] for i in range(k)]
    hatches = ["", "//", "..", "xx", "\\\\", "--", "oo", "++"]
    for panel, (ax, kpis) in enumerate(zip(axes, (_PROB_KPIS, _MONEY_KPIS), strict=True)):
        _style_axes(ax, fig)
        for i, name in enumerate(names):
            doc = networks[name]
            vals: list[tuple[float, float, float]] = []
            for key, _lab in kpis:
                if panel == 0:
                    vals.append(_est(doc.get(key)))
                elif key == "mean":
                    vals.append(_est(doc.get("lost_revenue")))
                else:
                    v = float((doc.get("lost_revenue") or {}).get(key, math.nan))
                    vals.append((v, v, v))
            a = np.array(vals)
            pos = np.arange(len(kpis)) + (i - (k - 1) / 2) * width
            ax.bar(
                pos,
                a[:, 0],
                width * 0.92,
                color=colours[i],
                hatch=hatches[i % len(hatches)],
                edgecolor="white",
                label=style.plain(name, 30),
                zorder=2,
            )
            ci_whiskers(ax, pos, a[:, 0], a[:, 1], a[:, 2])
        ax.set_xticks(np.arange(len(kpis)), [lab for _k, lab in kpis], fontsize=_fs(fig, -2))
        ax.grid(axis="y", color=style.GRID, zorder=0)
        ax.set_axisbelow(True)
        if panel == 0:
            ax.set_ylim(0, 1.0)
            _pct_axis(ax.yaxis, 1.0)
            _title(ax, fig, frame.get("title") or "Key results by scenario")
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: style.compact(v)))
            unit = f" ({style.plain(currency)})" if currency else ""
            _label(ax, fig, y=f"Lost revenue{unit}")
            _title(ax, fig, "Lost revenue")
            ax.set_xlabel(
                "whiskers: 95% CI of the expected value", fontsize=_fs(fig, -3), color=style.MUTED
            )
    handles, texts = axes[0].get_legend_handles_labels()
    _outside_legend(fig, handles, texts)
    return _done(fig)
