"""Native Excel charts (openpyxl) over the report's own tables, so planners can restyle them.

Every chart reads its numbers from cells of the sheet it sits on; nothing is
pasted as a picture. Colours are Okabe–Ito and dashed lines mark confidence
bounds, as in the figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from . import style

#: Chart size in centimetres.
WIDTH_CM, HEIGHT_CM = 24, 11
#: Rows a chart of the default height covers (default row height 15 pt).
CHART_ROWS = 23
#: Marker symbol and colour of each named point of a buffer curve (the figure's colours).
MARKERS = {
    "Knee": ("diamond", style.TEXT.lstrip("#").upper()),
    "Today": ("triangle", style.OKABE_ITO["bluish_green"].lstrip("#")),
}
#: Axis format of probabilities and shares.
PCT_AXIS = "0%"


def money_axis_format(values: Iterable[object]) -> str:
    """Number format of a money axis over ``values``: thousands as "k", millions as "M",
    billions as "bn" (as :func:`jitrisk.report.style.compact` writes them).

    Parameters
    ----------
    values : iterable
        The plotted values; the format is chosen from the largest absolute
        one, with one decimal while it is under ten units, so that ticks of
        0.5M do not all read "1M". Non-numbers are ignored.

    Returns
    -------
    str
        An Excel number format such as ``'#,##0.0,,"M"'``.
    """
    top = max(
        (abs(float(v)) for v in values if isinstance(v, int | float) and math.isfinite(v)),
        default=0.0,
    )
    for limit, commas, suffix in ((1e9, ",,,", "bn"), (1e6, ",,", "M"), (1e3, ",", "k")):
        if top >= limit:
            digits = "#,##0.0" if top < 10 * limit else "#,##0"
            return f'{digits}{commas}"{suffix}"'
    return "#,##0"


def column_values(ws: Worksheet, cols: Iterable[int], first: int, last: int) -> list[object]:
    """The values of ``cols`` over rows ``first..last`` (what a chart of them plots)."""
    return [ws.cell(row=r, column=c).value for c in cols for r in range(first, last + 1)]


def _hex(name: str) -> str:
    return style.OKABE_ITO[name].lstrip("#")


def _axes(chart: ScatterChart | BarChart, x_title: str, y_title: str) -> None:
    # openpyxl >= 3.1 hides axes unless told not to
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.y_axis.majorGridlines = ChartLines()
    chart.legend = Legend()
    chart.legend.position = "b"
    chart.width = WIDTH_CM
    chart.height = HEIGHT_CM


def _title_ref(ws: Worksheet, row: int, col: int) -> SeriesLabel:
    """A series name that refers to a header cell (so renaming the header renames it)."""
    ref = f"{quote_sheetname(ws.title)}!${get_column_letter(col)}${row}"
    return SeriesLabel(strRef=StrRef(ref))


def _line(s: Any, colour: str, *, dash: str | None = None, width: int = 28575) -> None:
    s.graphicalProperties.line.solidFill = colour
    s.graphicalProperties.line.width = width
    if dash:
        s.graphicalProperties.line.dashStyle = dash
    s.smooth = False


def buffer_curve_chart(
    ws: Worksheet,
    *,
    header_row: int,
    first: int,
    last: int,
    x_col: int,
    so_cols: tuple[int, int, int],
    fr_cols: tuple[int, int, int],
    title: str,
    x_max: float | None = None,
    markers: Sequence[tuple[int, int, int, int]] = (),
) -> ScatterChart:
    """Stockout-day probability and fill rate (with CI bounds, dashed) against buffer days.

    Parameters
    ----------
    markers : sequence of (row, name_col, x_col, y_col)
        Points to mark, each a series of its own named by the cell at
        ``name_col`` ("Knee", "Today") and drawn as a marker without a line
        (:data:`MARKERS`).
    """
    ch = ScatterChart()
    ch.title = title
    ch.style = 2
    ch.scatterStyle = "lineMarker"
    _axes(ch, "Safety stock (days of cover)", "Probability / fill rate")
    x = Reference(ws, min_col=x_col, min_row=first, max_row=last)
    spec = (
        (so_cols[0], _hex("vermillion"), None, "circle"),
        (so_cols[1], _hex("vermillion"), "dash", "none"),
        (so_cols[2], _hex("vermillion"), "dash", "none"),
        (fr_cols[0], _hex("blue"), None, "square"),
        (fr_cols[1], _hex("blue"), "dash", "none"),
        (fr_cols[2], _hex("blue"), "dash", "none"),
    )
    for col, colour, dash, marker in spec:
        y = Reference(ws, min_col=col, min_row=first, max_row=last)
        s = Series(y, x)
        s.tx = _title_ref(ws, header_row, col)
        _line(s, colour, dash=dash, width=28575 if dash is None else 12700)
        s.marker.symbol = marker
        if marker != "none":
            s.marker.size = 6
            s.marker.graphicalProperties.solidFill = colour
            s.marker.graphicalProperties.line.solidFill = colour
        ch.series.append(s)
    for row, name_col, x_at, y_at in markers:
        symbol, colour = MARKERS.get(str(ws.cell(row=row, column=name_col).value), MARKERS["Knee"])
        s = Series(
            Reference(ws, min_col=y_at, min_row=row), Reference(ws, min_col=x_at, min_row=row)
        )
        s.tx = _title_ref(ws, row, name_col)
        s.graphicalProperties.line.noFill = True  # a point, not a line
        s.marker.symbol = symbol
        s.marker.size = 11
        s.marker.graphicalProperties.solidFill = colour
        s.marker.graphicalProperties.line.solidFill = colour
        ch.series.append(s)
    ch.y_axis.number_format = PCT_AXIS
    ch.y_axis.scaling.min = 0
    ch.y_axis.scaling.max = 1
    ch.x_axis.scaling.min = 0
    if x_max is not None:
        ch.x_axis.scaling.max = x_max
    return ch


def bar_chart(
    ws: Worksheet,
    *,
    header_row: int,
    first: int,
    last: int,
    cat_col: int,
    value_cols: Sequence[int],
    title: str,
    x_title: str,
    y_title: str,
    horizontal: bool = False,
    number_format: str | None = None,
    colours: Sequence[str] | None = None,
) -> BarChart:
    """Clustered bars of ``value_cols`` over rows ``first..last`` per category; each series
    is named by its header cell in ``header_row``."""
    ch = BarChart()
    ch.type = "bar" if horizontal else "col"
    ch.grouping = "clustered"
    ch.title = title
    ch.style = 2
    _axes(ch, x_title, y_title)
    cats = Reference(ws, min_col=cat_col, min_row=first, max_row=last)
    palette = list(colours or [c.lstrip("#") for c in style.SERIES])
    for i, col in enumerate(value_cols):
        s = Series(Reference(ws, min_col=col, min_row=first, max_row=last))
        s.tx = _title_ref(ws, header_row, col)
        ch.series.append(s)
        s.graphicalProperties.solidFill = palette[i % len(palette)]
        s.graphicalProperties.line.solidFill = palette[i % len(palette)]
    ch.set_categories(cats)
    if number_format:
        ch.y_axis.number_format = number_format  # the value axis, also of horizontal bars
    if horizontal:
        ch.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
        ch.y_axis.crosses = "max"  # and the value axis still at the bottom
        ch.height = max(HEIGHT_CM, round(0.55 * (last - first + 1) + 3))
    ch.gapWidth = 60
    return ch


def rows_for_height(height_cm: float) -> int:
    """Sheet rows (15 pt high) a chart of ``height_cm`` covers, plus one."""
    return int(height_cm / 2.54 * 72 / 15) + 2
