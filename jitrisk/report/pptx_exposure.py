"""The deck's exposure chart: sites ranked by the money an outage puts at risk (native)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pptx.enum.chart import XL_CHART_TYPE

from . import style
from .figures.common import _est
from .figures.exposure import exposure_ranking
from .pptx_charts import (
    Box,
    CategoryData,
    _axis,
    _fill,
    _frame,
    _short,
    _top_down,
    _unit,
    error_bars,
    money_format,
    nice_step,
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
    data = CategoryData(number_format="#,##0")
    data.categories = [
        _short(s if not (nm := (names or {}).get(s, "")) or nm == s else f"{s} · {nm}", 30)
        for s in ranked
    ]
    est = [_est(sites[s]["performance_impact"]) for s in ranked]
    exposed = [bool(sites[s].get("exposed")) for s in ranked]
    groups = [g for g in (True, False) if g in exposed]
    for g in groups:
        data.add_series(
            EXPOSED if g else SURVIVES,
            [max(e[0], 0.0) if x == g else None for e, x in zip(est, exposed, strict=True)],
        )
    frame = _frame(
        slide, XL_CHART_TYPE.BAR_CLUSTERED, data, box,
        f"The {len(ranked)} largest exposures, in money", legend=len(groups) > 1,
    )  # fmt: skip
    chart = frame.chart
    plot = chart.plots[0]
    plot.overlap, plot.gap_width = 100, 45
    for series, g in zip(plot.series, groups, strict=True):
        _fill(series, style.OKABE_ITO["vermillion" if g else "blue"])
        own = [(e if x == g else (0.0, 0.0, 0.0)) for e, x in zip(est, exposed, strict=True)]
        error_bars(
            series, [max(e[0], 0.0) - max(e[1], 0.0) for e in own], [e[2] - e[0] for e in own]
        )
    width = max(max((e[2] for e in est if math.isfinite(e[2])), default=0.0), 1.0)
    step = nice_step(width * 1.1, 5)
    _top_down(chart)
    _axis(chart.category_axis, "", grid=False)
    _axis(chart.value_axis, f"At risk if down for its recovery time{_unit(currency)}",
          money_format(width), 0.0, math.ceil(width * 1.1 / step - 1e-9) * step, step)  # fmt: skip
    return frame
