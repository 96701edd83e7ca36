"""The deck's ranked bars (native charts): the sites most at risk, and the largest
exposures in money (the revenue an outage for the site's time to recover puts at risk)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pptx.enum.chart import XL_CHART_TYPE

from . import style
from .figures.common import _est, rank_sites
from .figures.exposure import exposure_ranking
from .figures.results import RISK_METRICS
from .pptx_charts import (
    Box,
    CategoryData,
    Doc,
    _axis,
    _fill,
    _frame,
    _short,
    _top_down,
    _unit,
    error_bars,
    money_format,
    nice_step,
    pct_format,
)

EXPOSED, SURVIVES = "runs dry before it recovers", "survives its recovery"


def exposure_chart(
    slide: Any,
    box: Box,
    risk: Mapping[str, Any],
    n: int = 12,
    *,
    currency: str = "",
    names: Mapping[str, str] | None = None,
) -> Any | None:
    """The bars of :func:`~jitrisk.report.figures.exposure_figure`: the ``n`` largest
    performance impacts (revenue at risk if the site is down for its time to recover),
    largest at the top, vermillion where the site runs customers dry before it is
    back, with 95% CI whiskers; None without a risk analysis."""
    ranked = exposure_ranking(risk, n)
    if not ranked:
        return None
    sites = risk["sites"]
    # an impact below 0 is noise about no effect: drawn at 0
    est = [(max(m, 0.0), max(lo, 0.0), hi)
           for m, lo, hi in (_est(sites[s]["performance_impact"]) for s in ranked)]  # fmt: skip
    return ranked_bar_chart(
        slide, box, f"The {len(ranked)} largest exposures, in money",
        _site_labels(ranked, names), est, [bool(sites[s].get("exposed")) for s in ranked],
        {True: (EXPOSED, style.OKABE_ITO["vermillion"]),
         False: (SURVIVES, style.OKABE_ITO["blue"])},
        number_format="#,##0",
        axis_title=f"At risk if down for its recovery time{_unit(currency)}",
        axis_format=money_format, floor=1.0, ticks=5,
    )  # fmt: skip


def top_risk_chart(slide: Any, box: Box, sites: Mapping[str, Doc], n: int = 12, *,
                   metric: str = "stockout_day_probability",
                   names: Mapping[str, str] | None = None) -> Any | None:  # fmt: skip
    """The bars of :func:`~jitrisk.report.figures.top_risk_figure`: the ``n`` sites most
    at risk, worst at the top, a series per site type (in its colour, values only at
    its own sites, so the legend names the types), 95% CI whiskers."""
    ranked = [s for s in rank_sites(sites, metric) if metric in sites[s]][:n]
    if not ranked:
        return None
    types = [str(sites[s].get("type", "")) for s in ranked]
    types = [t if t in style.SITE_TYPES else "other" for t in types]
    kinds = {
        t: (style.TYPE_LABELS.get(t, "Other sites"), style.TYPE_COLOURS.get(t, style.MUTED))
        for t in (*style.SITE_TYPES, "other")
    }
    return ranked_bar_chart(
        slide, box, f"The {len(ranked)} sites most at risk", _site_labels(ranked, names),
        [_est(sites[s][metric]) for s in ranked], types, kinds,
        number_format="0.0%", axis_title=f"{RISK_METRICS.get(metric, metric)} "
        "(%; whiskers: 95% CI)", axis_format=pct_format, floor=1e-3, ticks=6,
    )  # fmt: skip


def _site_labels(ranked: Sequence[str], names: Mapping[str, str] | None) -> list[str]:
    """``id · name`` of each site, shortened as the figures do."""
    chars = 34 if len(ranked) <= 10 else 30
    return [
        _short(s if not (nm := (names or {}).get(s, "")) or nm == s else f"{s} · {nm}", chars)
        for s in ranked
    ]


def ranked_bar_chart(
    slide: Any,
    box: Box,
    title: str,
    labels: Sequence[str],
    est: Sequence[tuple[float, float, float]],
    kinds: Sequence[Any],
    legend: Mapping[Any, tuple[str, str]],
    *,
    number_format: str,
    axis_title: str,
    axis_format: Callable[[float], str],
    floor: float,
    ticks: int,
) -> Any:
    """Horizontal bars of a ranking, the first at the top, with 95% CI whiskers: a
    series per kind of row (``legend``: kind -> series name and colour, in legend
    order), each holding only its own rows' values, so the legend names the kinds."""
    data = CategoryData(number_format=number_format)
    data.categories = list(labels)
    groups = [k for k in legend if k in kinds]
    for g in groups:
        values = [e[0] if k == g else None for e, k in zip(est, kinds, strict=True)]
        data.add_series(legend[g][0], values)
    frame = _frame(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, box, title, legend=len(groups) > 1)
    chart = frame.chart
    plot = chart.plots[0]
    plot.overlap, plot.gap_width = 100, 45
    for series, g in zip(plot.series, groups, strict=True):
        _fill(series, legend[g][1])
        own = [(e if k == g else (0.0, 0.0, 0.0)) for e, k in zip(est, kinds, strict=True)]
        error_bars(series, [e[0] - e[1] for e in own], [e[2] - e[0] for e in own])
    width = max(max((e[2] for e in est if math.isfinite(e[2])), default=0.0), floor)
    step = nice_step(width * 1.1, ticks)
    _top_down(chart)
    _axis(chart.category_axis, "", grid=False)
    _axis(chart.value_axis, axis_title, axis_format(width), 0.0,
          math.ceil(width * 1.1 / step - 1e-9) * step, step)  # fmt: skip
    return frame
