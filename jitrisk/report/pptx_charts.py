"""Native PowerPoint charts (python-pptx) of the deck, so planners can restyle them.

Each function draws one chart into a box of a slide (inches) from the same
documents the report figures (:mod:`jitrisk.report.figures`) draw, and returns
its graphic frame, or None when there is nothing to draw (the caller says so
in words). The numbers are embedded in the chart's own workbook (PowerPoint's
*Edit Data*), where text from the input workbook stays text (a site named
``=1+1`` is no formula); only the 95% confidence whiskers, which python-pptx
cannot write, are stored as numbers in the chart itself.

Colours and markers are the figures' (Okabe–Ito, :mod:`.style`); type is at
least 12 points; every axis says its unit; money axes are in thousands or
millions (``#,##0,"k"``, ``#,##0.0,,"M"``), probabilities in percent.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pptx.chart.axis import ValueAxis
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.chart.xlsx import CategoryWorkbookWriter, XyWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.chart import XL_MARKER_STYLE as MK
from pptx.enum.dml import MSO_LINE_DASH_STYLE as DASH
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Inches, Pt
from xlsxwriter import Workbook

from . import style
from .figures.analysis import _PLANS, _RiskPoint, risk_points
from .figures.common import _days_text, _est
from .figures.results import _MONEY_KPIS, _PROB_KPIS

#: Inches of a chart on the slide: left, top, width, height.
Box = tuple[float, float, float, float]
Doc = Mapping[str, Any]
#: Type sizes (points): tick, legend and point labels; axis titles; the chart's title.
TICK_PT, AXIS_TITLE_PT, TITLE_PT = 12, 13, 15
#: Line widths (points): a data line, a reference line, a confidence bound, a whisker.
LINE_PT, MARK_PT, BOUND_PT, WHISKER_PT = 2.5, 2.0, 1.25, 1.0


# ----------------------------------------------------------------------------- chart data


class _TextStaysText:
    """XlsxWriter takes text starting with ``=`` for a formula and text like a URL for a
    link; the chart's embedded workbook keeps workbook text as it is."""

    @contextmanager
    def _open_worksheet(self, xlsx_file: Any) -> Iterator[tuple[Any, Any]]:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        yield workbook, workbook.add_worksheet()
        workbook.close()


class _CategoryWriter(_TextStaysText, CategoryWorkbookWriter): ...


class _XyWriter(_TextStaysText, XyWorkbookWriter): ...


class CategoryData(CategoryChartData):
    """:class:`~pptx.chart.data.CategoryChartData` whose workbook keeps text as text."""

    _workbook_writer = property(_CategoryWriter)


class XyData(XyChartData):
    """:class:`~pptx.chart.data.XyChartData` whose workbook keeps text as text."""

    _workbook_writer = property(_XyWriter)


def _xy(data: XyData, name: str, xs: Iterable[float], ys: Iterable[float]) -> None:
    s = data.add_series(name)
    for a, b in zip(xs, ys, strict=True):
        s.add_data_point(float(a), float(b))


# ----------------------------------------------------------------------------- formats


def pct_format(vmax: float) -> str:
    """Percent ticks with no needless decimals (as the figures' percent axes)."""
    return "0%" if vmax >= 0.05 else "0.0%"


def money_format(vmax: float) -> str:
    """An Excel number format that writes amounts up to ``vmax`` in k, M or bn."""
    v = abs(vmax) if math.isfinite(vmax) else 0.0
    for limit, fmt in ((1e9, '#,##0.0,,,"bn"'), (1e7, '#,##0,,"M"'), (1e6, '#,##0.0,,"M"'),
                       (1e4, '#,##0,"k"'), (1e3, '#,##0.0,"k"')):  # fmt: skip
        if v >= limit:
            return fmt
    return "#,##0"


def nice_step(span: float, ticks: int = 6) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving at most ``ticks`` steps."""
    raw = (span if span > 0 and math.isfinite(span) else 1.0) / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if raw <= m * power * (1 + 1e-9))


def _unit(currency: str) -> str:
    return f" ({style.clean_text(currency)})" if currency else ""


def _short(text: object, max_chars: int) -> str:
    """Workbook text safe for the chart, shortened to ``max_chars`` as the figures do."""
    s = style.clean_text(text)
    return s if len(s) <= max_chars else s[: max_chars - 1] + "…"


# ----------------------------------------------------------------------------- styling


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _font(font: Any, size: float, colour: str = style.TEXT, bold: bool = False) -> None:
    font.size, font.bold = Pt(size), bold
    font.color.rgb = _rgb(colour)


def _frame(slide: Any, kind: Any, data: Any, box: Box, title: str, *, legend: bool) -> Any:
    """A chart of ``kind`` over ``data`` in ``box``: its title, 12-point type and, with
    more than one series, a legend under the plot."""
    left, top, width, height = (Inches(v) for v in box)
    frame = slide.shapes.add_chart(kind, left, top, width, height, data)
    chart = frame.chart
    _font(chart.font, TICK_PT)
    chart.has_title = True
    tf = chart.chart_title.text_frame
    tf.text = style.clean_text(title)
    _font(tf.paragraphs[0].font, TITLE_PT, bold=True)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        _font(chart.legend.font, TICK_PT)
    return frame


def _axis(axis: Any, title: str, fmt: str | None = None, lo: float | None = None,
          hi: float | None = None, step: float | None = None, grid: bool = True,
          ) -> None:  # fmt: skip
    """Title (with its unit; none for category names), tick labels, scale and grid."""
    axis.visible = True
    axis.has_title = bool(title)
    if title:
        axis.axis_title.text_frame.text = style.clean_text(title)
        _font(axis.axis_title.text_frame.paragraphs[0].font, AXIS_TITLE_PT)
    _font(axis.tick_labels.font, TICK_PT)
    if fmt is not None:
        axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = fmt, False
    for name, value in (("minimum_scale", lo), ("maximum_scale", hi), ("major_unit", step)):
        if value is not None:
            setattr(axis, name, value)
    axis.format.line.color.rgb = _rgb(style.BORDER)
    axis.has_major_gridlines = grid
    if grid:
        axis.major_gridlines.format.line.color.rgb = _rgb(style.GRID)
        axis.major_gridlines.format.line.width = Pt(0.75)


def _line(series: Any, colour: str | None, width: float = LINE_PT, dash: Any = None) -> None:
    """A series' line (none when ``colour`` is None), never smoothed."""
    line = series.format.line
    if colour is None:
        line.fill.background()
    else:
        line.fill.solid()
        line.fill.fore_color.rgb = _rgb(colour)
        line.width = Pt(width)
        if dash is not None:
            line.dash_style = dash
    series.smooth = False


def _marker(series: Any, symbol: Any, colour: str, size: int = 7, hollow: bool = False) -> None:
    marker = series.marker
    marker.style = symbol
    if symbol == MK.NONE:
        return
    marker.size = size
    if hollow:
        marker.format.fill.background()
    else:
        marker.format.fill.solid()
        marker.format.fill.fore_color.rgb = _rgb(colour)
    marker.format.line.color.rgb = _rgb(colour)
    marker.format.line.width = Pt(1.5)


def _fill(series: Any, colour: str) -> None:
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = _rgb(colour)
    series.format.line.fill.background()
    series.invert_if_negative = False


def _num_lit(values: Sequence[float]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{v!r}</c:v></c:pt>' for i, v in enumerate(values))
    head = f'<c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>'
    return f"<c:numLit>{head}{pts}</c:numLit>"


def error_bars(series: Any, minus: Sequence[float], plus: Sequence[float], *,
               direction: str | None = None, colour: str = style.TEXT) -> None:  # fmt: skip
    """95% CI whiskers on ``series``: ``minus`` below and ``plus`` above each point.

    ``direction`` ``"y"`` for scatter series (bars take their value direction).
    python-pptx has no API for error bars: they are custom values (``c:numLit``)
    in the series. A whisker of an interval not holding its mean is drawn as zero.
    """

    def lit(v: Sequence[float]) -> str:
        return _num_lit([max(float(x), 0.0) if math.isfinite(float(x)) else 0.0 for x in v])

    xml = (
        f"<c:errBars {nsdecls('c', 'a')}>"
        + (f'<c:errDir val="{direction}"/>' if direction else "")
        + '<c:errBarType val="both"/><c:errValType val="cust"/><c:noEndCap val="0"/>'
        f"<c:plus>{lit(plus)}</c:plus><c:minus>{lit(minus)}</c:minus>"
        f'<c:spPr><a:ln w="{int(Pt(WHISKER_PT))}"><a:solidFill>'
        f'<a:srgbClr val="{colour.lstrip("#").upper()}"/></a:solidFill></a:ln></c:spPr>'
        "</c:errBars>"
    )
    series._element.insert_element_before(
        parse_xml(xml), "c:cat", "c:val", "c:xVal", "c:yVal", "c:shape", "c:smooth", "c:extLst"
    )


def hide_legend_entries(chart: Any, indices: Sequence[int]) -> None:
    """Leave the series at ``indices`` out of the legend (the second bound of a band)."""
    legend = chart.legend._element
    anchor = legend.find(qn("c:legendPos"))
    for i in sorted(indices, reverse=True):  # in order of their index, after legendPos
        xml = f'<c:legendEntry {nsdecls("c")}><c:idx val="{i}"/><c:delete val="1"/></c:legendEntry>'
        anchor.addnext(parse_xml(xml))


def secondary_axis(chart: Any, names: Sequence[str]) -> ValueAxis:
    """Move the series named ``names`` of a scatter chart to a second value axis on the
    right (python-pptx has no API for it); that axis, to be styled like any other."""
    plot_area = chart._chartSpace.plotArea
    first = plot_area.find(qn("c:scatterChart"))
    second = copy.deepcopy(first)
    for group, keep in ((first, False), (second, True)):
        for ser in group.findall(qn("c:ser")):
            if ("".join(v.text or "" for v in ser.xpath("./c:tx//c:v")) in names) != keep:
                group.remove(ser)
    x_ax, y_ax = plot_area.findall(qn("c:valAx"))[:2]
    top_id = max(int(a.find(qn("c:axId")).get("val")) for a in (x_ax, y_ax))
    ids = (top_id + 1, top_id + 2)
    for ax_id, new in zip(second.findall(qn("c:axId")), ids, strict=True):
        ax_id.set("val", str(new))
    first.addnext(second)
    x2, y2 = copy.deepcopy(x_ax), copy.deepcopy(y_ax)
    for ax, own, other in ((x2, *ids), (y2, *ids[::-1])):
        ax.find(qn("c:axId")).set("val", str(own))
        ax.find(qn("c:crossAx")).set("val", str(other))
        for el in [*ax.findall(qn("c:majorGridlines")), *ax.findall(qn("c:title"))]:
            ax.remove(el)
    x2.find(qn("c:delete")).set("val", "1")
    y2.find(qn("c:axPos")).set("val", "r")
    y2.find(qn("c:crosses")).set("val", "max")
    y_ax.addnext(x2)
    x2.addnext(y2)
    return ValueAxis(y2)


def _top_down(chart: Any) -> None:
    """First category at the top of a horizontal bar chart, the value axis still below."""
    chart.category_axis.reverse_order = True
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")


def _series(chart: Any) -> list[Any]:
    return [s for plot in chart.plots for s in plot.series]


def _label_point(series: Any, i: int, text: str) -> None:
    label = series.points[i].data_label
    label.text_frame.text, label.position = text, XL_LABEL_POSITION.RIGHT
    _font(label.text_frame.paragraphs[0].font, TICK_PT)


# ----------------------------------------------------------------------------- buffer curve


def buffer_curve_chart(slide: Any, box: Box, curve: Doc) -> Any | None:
    """The JIT buffer curve of :func:`~jitrisk.report.figures.buffer_curve_figure`:
    stockout-day probability (left axis, solid, circles) and fill rate (right axis,
    dashed, squares) against days of cover, each with its 95% CI bounds as thin dashed
    lines; the knee (dotted) and today's buffer (dash-dot) as vertical lines."""
    levels = list(curve.get("levels") or [])
    if not levels:
        return None
    x = [float(lv["buffer_days"]) for lv in levels]
    so = np.array([_est(lv["stockout_day_probability"]) for lv in levels])
    fr = np.array([_est(lv["fill_rate"]) for lv in levels])
    ymax = max(float(np.max(so[:, 2])) * 1.12, 0.01)  # the figure's scales, on round ticks
    y_step = nice_step(ymax, 6)
    y_top = math.ceil(ymax / y_step - 1e-9) * y_step
    lo_fr = float(np.min(fr[:, 1]))
    fr_lo = max(0.0, lo_fr - (1.0 - lo_fr) * 0.12 - 0.005)
    fr_step = nice_step(1.0 - fr_lo, 5)
    fr_bottom = max(0.0, math.floor(fr_lo / fr_step + 1e-9) * fr_step)
    risk, safe = style.RISK, style.SAFE
    spec: list[tuple[str, Any, Any, str, Any, float, Any]] = [
        ("Stockout-day probability", x, so[:, 0], risk, None, LINE_PT, MK.CIRCLE),
        ("95% CI of stockout", x, so[:, 1], risk, DASH.DASH, BOUND_PT, MK.NONE),
        ("95% CI of stockout (upper)", x, so[:, 2], risk, DASH.DASH, BOUND_PT, MK.NONE),
    ]
    for value, label, colour, dash in (
        (curve.get("knee_buffer_days"), "Knee", style.TEXT, DASH.ROUND_DOT),
        (curve.get("current_buffer_days"), "Current", style.OKABE_ITO["bluish_green"],
         DASH.DASH_DOT),
    ):  # fmt: skip
        if isinstance(value, int | float) and style.finite(value):
            v = float(value)
            spec.append((f"{label}: {_days_text(v)}", [v, v], [0.0, y_top], colour, dash,
                         MARK_PT, MK.NONE))  # fmt: skip
    fill_rate = [
        ("Fill rate", x, fr[:, 0], safe, DASH.DASH, LINE_PT, MK.SQUARE),
        ("95% CI of fill rate", x, fr[:, 1], safe, DASH.SQUARE_DOT, BOUND_PT, MK.NONE),
        ("95% CI of fill rate (upper)", x, fr[:, 2], safe, DASH.SQUARE_DOT, BOUND_PT, MK.NONE),
    ]
    spec += fill_rate
    data = XyData()
    for name, xs, ys, *_rest in spec:
        _xy(data, name, xs, ys)
    target = str(curve.get("site", ""))
    who = "every stocking site" if target == "network" else style.clean_text(target)
    title = f"JIT buffer curve: {who}"
    frame = _frame(slide, XL_CHART_TYPE.XY_SCATTER_LINES, data, box, title, legend=True)
    chart = frame.chart
    for series, (_n, _x, _y, colour, dash, width, marker) in zip(_series(chart), spec, strict=True):
        _line(series, colour, width, dash)
        _marker(series, marker, colour, 7 if marker == MK.CIRCLE else 6)
    right = secondary_axis(chart, [f[0] for f in fill_rate])
    _axis(chart.category_axis, "Safety stock (days of cover)", None, min(x),
          max(max(x), min(x) + 1.0), nice_step(max(x) - min(x), 10))  # fmt: skip
    _axis(chart.value_axis, "Stockout-day probability (% of days)", pct_format(y_top), 0.0,
          y_top, y_step)  # fmt: skip
    _axis(right, "Fill rate (% of demand)", pct_format(1.0 - fr_bottom), fr_bottom, 1.0,
          fr_step, grid=False)  # fmt: skip
    hide_legend_entries(chart, [i for i, f in enumerate(spec) if f[0].endswith("(upper)")])
    return frame


# ----------------------------------------------------------------------------- lost revenue


def lost_revenue_chart(slide: Any, box: Box, losses: ArrayLike, *, var95: float,
                       cvar95: float, currency: str = "",
                       what: str = "Lost revenue") -> Any | None:  # fmt: skip
    """The histogram of :func:`~jitrisk.report.figures.lost_revenue_figure` as its outline
    (the same bins: ``min(60, max(10, sqrt(trials)))`` over the range of the trials),
    the mean, VaR95 and CVaR95 as vertical lines."""
    x = np.asarray(losses, dtype=float)
    if x.size == 0 or not np.any(x > 0):
        return None
    counts, edges = np.histogram(x, bins=min(60, max(10, int(np.sqrt(x.size)))))
    top = float(counts.max()) * 1.08
    data = XyData()
    steps = [float(c) for c in counts for _ in (0, 1)]
    _xy(data, "Trials", [edges[0], *np.repeat(edges, 2)[1:-1], edges[-1]], [0.0, *steps, 0.0])
    marks = (
        ("Mean", float(np.mean(x)), style.OKABE_ITO["blue"], DASH.SOLID),
        ("VaR95", float(var95), style.OKABE_ITO["orange"], DASH.DASH),
        ("CVaR95", float(cvar95), style.OKABE_ITO["vermillion"], DASH.ROUND_DOT),
    )
    for name, value, _c, _d in marks:
        _xy(data, f"{name}: {style.money(value, style.clean_text(currency))}", [value] * 2,
            [0.0, top])  # fmt: skip
    title = f"{what} across trials"
    frame = _frame(slide, XL_CHART_TYPE.XY_SCATTER_LINES, data, box, title, legend=True)
    chart = frame.chart
    looks = [("", 0.0, style.OKABE_ITO["sky_blue"], DASH.SOLID), *marks]
    for s, (_n, _v, colour, dash) in zip(_series(chart), looks, strict=True):
        _line(s, colour, LINE_PT, dash)
        _marker(s, MK.NONE, colour)
    xmax = max(float(edges[-1]), float(cvar95) if math.isfinite(cvar95) else 0.0)
    _axis(chart.category_axis, f"{what} over the horizon{_unit(currency)}",
          money_format(xmax), 0.0, grid=False)  # fmt: skip
    _axis(chart.value_axis, "Trials (count)", "#,##0", 0.0, top)
    return frame


# ----------------------------------------------------------------------------- TTS vs TTR


def _risk_label(p: _RiskPoint) -> str:
    name = _short(p[1], 22)
    return f"region {name}" if p[0] == "regions" else name


def tts_ttr_chart(slide: Any, box: Box, risk: Doc, *, labels: int = 8) -> Any | None:
    """Time to survive against time to recover
    (:func:`~jitrisk.report.figures.tts_ttr_figure`): a point per site and region,
    exposed ones (TTS < TTR) vermillion crosses, the others blue circles, regions
    diamonds, TTS's 95% CI as whiskers, TTS = TTR dashed; the ``labels`` points most
    exposed are named (points in one place share one label). A TTS beyond three times
    the longest TTR (at least 10 days) is drawn at the top edge with its value, as in
    the figure."""
    pts = risk_points(risk)
    if not pts:
        return None
    top_ttr = max(max(p[2] for p in pts), 1.0)
    xmax = top_ttr * 1.45  # room for the labels on the right
    ymax = max(max(p[5] for p in pts), top_ttr, 1.0) * 1.06
    cut = max(3.0 * top_ttr, 10.0)
    clipped = ymax > cut * 1.06  # a few very safe sites would squash the part near TTS = TTR
    ymax = cut * 1.06 if clipped else ymax
    off = [p for p in pts if clipped and p[3] > cut]
    chosen = {p[:2] for p in sorted(pts, key=lambda p: (not p[7], -p[6], p[3]))[:labels]}
    groups = [
        (("Site exposed (TTS < TTR)", style.RISK, MK.X, 9, False), "sites", True),
        (("Site survives the outage", style.SAFE, MK.CIRCLE, 8, False), "sites", False),
        (("Region exposed", style.RISK, MK.DIAMOND, 9, True), "regions", True),
        (("Region survives the outage", style.SAFE, MK.DIAMOND, 9, True), "regions", False),
    ]
    drawn = [(look, [p for p in pts if p[0] == kind and p[7] == exposed and p not in off])
             for look, kind, exposed in groups]  # fmt: skip
    drawn = [d for d in drawn if d[1]]
    if off:
        name = f"TTS above {cut:.0f} days (drawn at the top)"
        drawn.append(((name, style.MUTED, MK.TRIANGLE, 8, False), off))
    data = XyData()
    for look, members in drawn:  # a TTS off the chart at its top edge
        _xy(data, look[0], [p[2] for p in members], [min(p[3], cut) for p in members])
    diagonal = max(xmax, ymax)
    _xy(data, "TTS = TTR (below it: exposed)", [0.0, diagonal], [0.0, diagonal])
    n_exp = sum(1 for p in pts if p[7] and p[0] == "sites")
    n_sites = sum(1 for p in pts if p[0] == "sites")
    title = f"Time to survive vs time to recover: {n_exp} of {n_sites} sites exposed"
    frame = _frame(slide, XL_CHART_TYPE.XY_SCATTER_LINES, data, box, title, legend=True)
    chart = frame.chart
    series = _series(chart)
    places: list[tuple[int, int, float, float, str]] = []
    for k, ((_name, colour, symbol, size, hollow), members) in enumerate(drawn):
        _line(series[k], None)
        _marker(series[k], symbol, colour, size, hollow)
        if members[0] not in off:
            error_bars(series[k], [p[3] - p[4] for p in members],
                       [p[5] - p[3] for p in members], direction="y", colour=colour)  # fmt: skip
        for i, p in enumerate(members):
            if p in off:
                places.append((k, i, p[2], cut, f"{_risk_label(p)}: {p[3]:,.0f} d"))
            elif p[:2] in chosen:
                places.append((k, i, p[2], p[3], _risk_label(p)))
    for k, i, text in _shared_labels(places, xmax * 0.03, ymax * 0.05):
        _label_point(series[k], i, text)
    _line(series[-1], style.MUTED, 1.5, DASH.DASH)
    _marker(series[-1], MK.NONE, style.MUTED)
    _axis(chart.category_axis, "Time to recover, TTR (days)", "#,##0", 0.0, xmax,
          nice_step(xmax, 8))  # fmt: skip
    _axis(chart.value_axis, "Time to survive, TTS (days)", "#,##0", 0.0, ymax,
          nice_step(ymax, 6))  # fmt: skip
    return frame


def _shared_labels(
    places: Sequence[tuple[int, int, float, float, str]], dx: float, dy: float
) -> list[tuple[int, int, str]]:
    """Point labels (series, point, text); points within ``dx`` and ``dy`` of a labelled
    one add their names to its label instead of printing over it."""
    out: list[tuple[int, int, float, float, list[str]]] = []
    for k, i, x, y, text in sorted(places, key=lambda t: (t[3], t[2])):
        near = next((o for o in out if abs(o[2] - x) <= dx and abs(o[3] - y) <= dy), None)
        if near is None:
            out.append((k, i, x, y, [text]))
        else:
            near[4].append(text)
    return [(k, i, ", ".join(texts)) for k, i, _x, _y, texts in out]


# ----------------------------------------------------------------------------- buffer plans


def buffer_plans_chart(slide: Any, box: Box, rows: Sequence[Mapping[str, Any]]) -> Any | None:
    """Days of cover of each site now and under each plan
    (:func:`~jitrisk.report.figures.buffer_plans_figure`), grouped bars, the first row at
    the top; a plan no site has is left out, a site without one has no bar."""
    plans = [p for p in _PLANS if any(style.finite(r.get(p[0])) for r in rows)]
    if not rows or not plans:
        return None
    data = CategoryData(number_format="0.0")
    data.categories = [style.clean_text(r["site_id"]) for r in rows]
    for key, label, _colour, _hatch in plans:
        values = [float(r[key]) if style.finite(r.get(key)) else None for r in rows]
        data.add_series(label, values)
    title = "Safety stock now and as planned"
    frame = _frame(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, box, title, legend=len(plans) > 1)
    chart = frame.chart
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, -5
    for series, (_k, _l, colour, _h) in zip(plot.series, plans, strict=True):
        _fill(series, colour)
    top = max(float(r[k]) for r in rows for k, *_ in plans if style.finite(r.get(k)))
    _top_down(chart)
    _axis(chart.category_axis, "", grid=False)
    _axis(chart.value_axis, "Safety stock (days of cover)", "#,##0", 0.0, None,
          nice_step(max(top, 1.0), 6))  # fmt: skip
    return frame


# ----------------------------------------------------------------------------- frontier


def frontier_chart(slide: Any, box: Box, doc: Doc | None, *, currency: str = "") -> Any | None:
    """What more safety stock buys (the Frontier tab's chart): revenue at risk a year
    against the inventory value held: the search path (common random numbers), the
    confirmed points with their 95% CIs, and today's, the recommended and the
    guaranteed-service plans and any scenarios, each a series of its own."""
    if not doc or not doc.get("frontier"):
        return None
    search = doc.get("search") or []
    cur = doc["points"]["current"]
    base = float(cur["inventory_value"])
    xs = [base] + [base + float(s["extra_value"]) for s in search]
    first = float(cur["revenue_at_risk"]["mean"])
    if search:
        first = float(search[0]["revenue_at_risk"]) + float(search[0]["step_benefit_per_year"])
    ys = [first] + [float(s["revenue_at_risk"]) for s in search]
    confirmed = list(doc["frontier"])
    marks: list[tuple[Doc, str, str, Any, int]] = [
        (cur, "Now", style.OKABE_ITO["black"], MK.SQUARE, 9),
        (doc["recommended"], "Recommended", style.RISK, MK.TRIANGLE, 11),
    ]
    if gsm := doc["points"].get("gsm"):
        marks.append((gsm, "Guaranteed-service plan", style.OKABE_ITO["bluish_green"],
                      MK.DIAMOND, 10))  # fmt: skip
    for name, p in (doc["points"].get("scenarios") or {}).items():
        marks.append((p, f"Scenario {style.clean_text(name)}", style.OKABE_ITO["reddish_purple"],
                      MK.PLUS, 10))  # fmt: skip
    value = [float(p["inventory_value"]) for p in confirmed]
    mean = np.array([p["revenue_at_risk"]["mean"] for p in confirmed], dtype=float)
    ci = np.array([p["revenue_at_risk"]["ci95"] for p in confirmed], dtype=float)
    data = XyData()
    _xy(data, "Search path", xs, ys)
    _xy(data, "Confirmed, 95% CI", value, mean)
    for p, label, *_ in marks:
        _xy(data, label, [p["inventory_value"]], [p["revenue_at_risk"]["mean"]])
    title = "What more safety stock buys"
    frame = _frame(slide, XL_CHART_TYPE.XY_SCATTER_LINES, data, box, title, legend=True)
    chart = frame.chart
    series = _series(chart)
    _line(series[0], style.MUTED, 1.5)
    _marker(series[0], MK.NONE, style.MUTED)
    _line(series[1], None)
    _marker(series[1], MK.CIRCLE, style.SAFE, 7)
    error_bars(series[1], mean - ci[:, 0], ci[:, 1] - mean, direction="y", colour=style.SAFE)
    for s, (_p, _label, colour, symbol, size) in zip(series[2:], marks, strict=True):
        _line(s, None)
        _marker(s, symbol, colour, size)
    all_x = [*xs, *value, *(float(m[0]["inventory_value"]) for m in marks)]
    all_y = [*ys, *ci[:, 1], *(float(m[0]["revenue_at_risk"]["mean"]) for m in marks)]
    _axis(chart.category_axis, f"Safety stock held, inventory value{_unit(currency)}",
          money_format(max(all_x)), 0.0)  # fmt: skip
    step = nice_step(max(all_y), 6)  # the whiskers inside the plot
    _axis(chart.value_axis, f"Revenue at risk a year{_unit(currency)}",
          money_format(max(all_y)), 0.0, math.ceil(max(all_y) / step) * step, step)  # fmt: skip
    return frame


# ----------------------------------------------------------------------------- scenarios


def scenario_comparison_charts(
    slide: Any, box: Box, networks: Mapping[str, Doc], *, currency: str = ""
) -> list[Any]:
    """The two panels of :func:`~jitrisk.report.figures.scenario_comparison_figure` side
    by side (3 : 2): the probability KPIs and the lost revenue of each scenario, grouped
    bars (a series per scenario) with 95% CI whiskers where the estimate has one."""
    names = list(networks)
    if not names:
        return []
    left, top, width, height = box
    split = width * 3 / 5
    frames = []
    for panel, kpis in enumerate((_PROB_KPIS, _MONEY_KPIS)):
        data = CategoryData(number_format="0.0%" if panel == 0 else "#,##0")
        data.categories = [label.replace("\n", " ") for _k, label in kpis]
        ests: list[list[tuple[float, float, float]]] = []
        for name in names:
            doc = networks[name]
            lost = doc.get("lost_revenue") or {}
            vals = [
                _est(doc.get(key)) if panel == 0 else _est(lost) if key == "mean"
                else (float(lost.get(key, math.nan)),) * 3
                for key, _lab in kpis
            ]  # fmt: skip
            ests.append(vals)
            shown = [v[0] if math.isfinite(v[0]) else None for v in vals]
            data.add_series(style.clean_text(name), shown)
        x0, w = (left, split) if panel == 0 else (left + split, width - split)
        title = "Key results by scenario" if panel == 0 else "Lost revenue"
        kind = XL_CHART_TYPE.COLUMN_CLUSTERED
        frame = _frame(slide, kind, data, (x0, top, w, height), title, legend=len(names) > 1)
        chart = frame.chart
        plot = chart.plots[0]
        plot.gap_width, plot.overlap = 60, -5
        for i, (series, vals) in enumerate(zip(plot.series, ests, strict=True)):
            _fill(series, style.SERIES[i % len(style.SERIES)])
            error_bars(series, [v[0] - v[1] for v in vals], [v[2] - v[0] for v in vals])
        _axis(chart.category_axis, "", grid=False)
        if panel == 0:
            _axis(chart.value_axis, "Probability or share (%)", "0%", 0.0, 1.0, 0.2)
        else:
            vmax = max((v[2] for vals in ests for v in vals if math.isfinite(v[2])), default=0.0)
            _axis(chart.value_axis, f"Lost revenue{_unit(currency)}", money_format(vmax), 0.0)
        frames.append(frame)
    return frames
