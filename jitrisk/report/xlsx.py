"""Cell-level helpers of the Excel report: safe values, formats, tables, widths.

Everything read from the planner's workbook (site ids, names, regions,
notes) is *text* in the report, whatever it starts with: openpyxl would turn
a string beginning with ``=`` into a formula, so :func:`put` sets the cell's
data type to ``"s"`` explicitly; ``+x``, ``-x`` and ``@x`` are stored as
strings too, never as formulas.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import style
from .tables import Column, Kind

#: Number formats by kind of value.
NUMBER_FORMATS: dict[str, str] = {
    "pct": "0.00%",
    "money": "#,##0",
    "units": "#,##0.0",
    "days": "0.0",
    "int": "0",
    "index": "0.00",
}
#: Excel's limit on the characters of one cell.
MAX_CELL_CHARS = 32_767

#: Every cell names its font: a workbook opened where the theme's body font is
#: something else (LibreOffice, another Office theme) keeps the report's look.
FONT_NAME = "Calibri"
BODY_SIZE = 11
BODY_FONT = Font(name=FONT_NAME, size=BODY_SIZE)
HEADER_FONT = Font(name=FONT_NAME, size=BODY_SIZE, bold=True, color="1F2328")
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
HEADER_BORDER = Border(bottom=Side(style="thin", color="9AA4B0"))
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color="1F2328")
SUBTITLE_FONT = Font(name=FONT_NAME, size=12, bold=True, color="0072B2")
NOTE_FONT = Font(name=FONT_NAME, size=BODY_SIZE, italic=True, color="5B6470")
WRAP = Alignment(wrap_text=True, vertical="top")
#: Points per line of wrapped text at :data:`BODY_SIZE` (Excel's default row height).
LINE_PT = 15.0
#: Excel's width of a column whose width was never set (characters).
DEFAULT_WIDTH = 8.43

RISK_HEX = style.OKABE_ITO["vermillion"].lstrip("#")
SAFE_HEX = style.OKABE_ITO["blue"].lstrip("#")


def cell_value(value: object) -> object:
    """``value`` as openpyxl should store it: finite numbers, text, dates or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value
    text = style.clean_text(value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def put(ws: Worksheet, row: int, col: int, value: object, kind: Kind | None = None) -> Cell:
    """Write one cell: text always as text (never a formula), numbers with their format."""
    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    assert isinstance(cell, Cell)
    cell.value = v  # type: ignore[assignment]
    cell.font = BODY_FONT  # callers that style a cell replace it with another named font
    if isinstance(v, str):
        cell.data_type = "s"  # a name such as "=1+1" stays the text typed
    elif kind is not None and kind in NUMBER_FORMATS and isinstance(v, int | float):
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def title(ws: Worksheet, row: int, text: str, *, sub: bool = False) -> None:
    put(ws, row, 1, text).font = SUBTITLE_FONT if sub else TITLE_FONT


def note(ws: Worksheet, row: int, text: str, col: int = 1) -> None:
    put(ws, row, col, text).font = NOTE_FONT


def header(ws: Worksheet, row: int, headers: Sequence[str], col: int = 1) -> None:
    for j, h in enumerate(headers):
        c = put(ws, row, col + j, h)
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        c.border = HEADER_BORDER
        c.alignment = Alignment(wrap_text=True, vertical="bottom")


def table(
    ws: Worksheet,
    row: int,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    col: int = 1,
) -> tuple[int, int]:
    """Header at ``row`` and one line per row dict; returns (first data row, last data row)."""
    header(ws, row, [c.header for c in columns], col)
    for i, r in enumerate(rows, start=row + 1):
        for j, c in enumerate(columns):
            put(ws, i, col + j, r.get(c.key), c.kind)
    return row + 1, row + len(rows)


def wrap(ws: Worksheet, col: int, first: int, last: int) -> None:
    """Wrap long text in a column instead of letting it run over the next cells."""
    for r in range(first, last + 1):
        ws.cell(row=r, column=col).alignment = WRAP


def letter(col: int) -> str:
    return get_column_letter(col)


def colour_scale(
    ws: Worksheet,
    col: int,
    first: int,
    last: int,
    *,
    high_is_bad: bool = True,
    last_col: int | None = None,
) -> None:
    """A white-to-vermillion colour scale on a column, or on the block of columns
    ``col..last_col`` as one (reversed where low is bad)."""
    if last < first:
        return
    ref = f"{letter(col)}{first}:{letter(last_col or col)}{last}"
    if high_is_bad:
        rule = ColorScaleRule(
            start_type="min", start_color="FFFFFF", end_type="max", end_color=RISK_HEX
        )
    else:
        rule = ColorScaleRule(
            start_type="min", start_color=RISK_HEX, end_type="max", end_color="FFFFFF"
        )
    ws.conditional_formatting.add(ref, rule)


def diverging_scale(ws: Worksheet, col: int, first: int, last: int) -> None:
    """Blue (better) - white (no change) - vermillion (worse) on a column of changes.

    The ends sit at -m and +m, m the largest absolute change in the column, so
    the scale is symmetric: no change is white and equal changes either way are
    equally dark. With ``min``/``max`` ends a column of small rises would paint
    its zeros dark blue.
    """
    if last < first:
        return
    values = [ws.cell(row=r, column=col).value for r in range(first, last + 1)]
    numbers = [abs(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    m = max(numbers, default=0.0) or 1.0  # all zero: any span keeps them white
    ref = f"{letter(col)}{first}:{letter(col)}{last}"
    ws.conditional_formatting.add(
        ref,
        ColorScaleRule(
            start_type="num",
            start_value=-m,
            start_color=SAFE_HEX,
            mid_type="num",
            mid_value=0,
            mid_color="FFFFFF",
            end_type="num",
            end_value=m,
            end_color=RISK_HEX,
        ),
    )


def fit_columns(ws: Worksheet, *, min_width: float = 8, max_width: float = 48) -> None:
    """Column widths from the longest value (headers wrap, so they count up to 18 chars)."""
    widths: dict[int, float] = {}
    blocks = {(rng.min_row, rng.min_col) for rng in ws.merged_cells.ranges}
    n: float
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or (c.row, c.column) in blocks:
                continue  # a text block wraps across the columns it spans
            n = len(f"{c.value:,.2f}") if isinstance(c.value, float) else len(str(c.value))
            if isinstance(c.value, str) and c.font is not None:
                if c.font.italic:
                    continue  # notes run across empty cells
                if c.font.bold:  # headers wrap; titles run across empty cells
                    n = min(n, 18) if c.fill is not None and c.fill.fill_type else 0
            widths[c.column] = max(widths.get(c.column, 0), n)
    for col, n in widths.items():
        ws.column_dimensions[letter(col)].width = max(min_width, min(max_width, n * 1.1 + 2))


def text_block(ws: Worksheet, row: int, text: str, last_col: int, font: Font | None = None) -> Cell:
    """A sentence or paragraph in columns ``1..last_col`` of ``row``, merged and wrapped.

    Parameters
    ----------
    text : str
        Written as text (:func:`put`).
    last_col : int
        Last column the block spans; its height is set by :func:`fit_row_heights`
        once the column widths are final.
    font : Font, optional
        Instead of :data:`BODY_FONT` (e.g. :data:`NOTE_FONT`).

    Returns
    -------
    Cell
        The block's cell (column 1).
    """
    cell = put(ws, row, 1, text)
    if font is not None:
        cell.font = font
    cell.alignment = WRAP
    if last_col > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    return cell


def column_width(ws: Worksheet, col: int) -> float:
    """Width of a column in characters (Excel's default when it was never set)."""
    dim = ws.column_dimensions.get(letter(col))
    return float(dim.width) if dim is not None and dim.width else DEFAULT_WIDTH


def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped in ``width`` units of column width (``bold``:
    in a bold font); each line break starts a line.

    A column's width counts the digit '0' (7 pixels of Calibri 11); average
    text is about 6 pixels a character, bold text 6.5. Counting close to one
    character per unit errs towards a line too many, never too few: a row a
    little tall is better than a cut sentence.
    """
    per_line = max(1, int(width * (0.95 if bold else 1.05)))
    return sum(
        max(1, len(textwrap.wrap(part, per_line, break_on_hyphens=False)))
        for part in str(text).split("\n")
    )


def fit_row_heights(ws: Worksheet) -> None:
    """Row heights for wrapped text (openpyxl, unlike Excel, does not size rows).

    Each row with a wrapped text cell gets the height of its longest cell's
    lines (a merged cell counts the width of every column it spans); a height
    already set is only raised.
    """
    spans = {
        (rng.min_row, rng.min_col): rng.max_col
        for rng in ws.merged_cells.ranges
        if rng.min_row == rng.max_row
    }
    needed: dict[int, float] = {}
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c.value, str) or not c.alignment or not c.alignment.wrap_text:
                continue
            assert isinstance(c.column, int) and isinstance(c.row, int)
            last = spans.get((c.row, c.column), c.column)
            width = sum(column_width(ws, j) for j in range(c.column, last + 1))
            size = float(c.font.sz or BODY_SIZE) if c.font else BODY_SIZE
            lines = text_lines(c.value, width, bold=bool(c.font and c.font.bold))
            if lines > 1:  # one line fits the default height
                needed[c.row] = max(needed.get(c.row, 0.0), lines * LINE_PT * size / BODY_SIZE)
    for r, height in needed.items():
        current = ws.row_dimensions[r].height or LINE_PT
        if height > current:
            ws.row_dimensions[r].height = round(height, 1)


_ONE_DAYS = re.compile(r"(?<![\d.])1(\.0+)? days\b")


def day_words(text: str) -> str:
    """``'add about 1 days of cover'`` → ``'add about 1 day of cover'``: the analyses
    write "{n:g} days" whatever n is."""
    return _ONE_DAYS.sub("1 day", text)


def non_negative(row: dict[str, Any], key: str) -> bool:
    """Hold an estimate of a quantity that cannot be negative at 0 or more.

    As :func:`jitrisk.engine.results.mean_estimate` clips a CI to a range; a
    mean below 0 of such a quantity is sampling noise about 0.

    Parameters
    ----------
    row : dict
        A table row; ``row[key]``, ``row[key_lo]`` and ``row[key_hi]`` (the
        estimate and its CI ends) are raised to 0 where below.
    key : str
        The estimate's column key.

    Returns
    -------
    bool
        True when something was raised.
    """
    raised = False
    for k in (key, f"{key}_lo", f"{key}_hi"):
        v = row.get(k)
        if isinstance(v, int | float) and v < 0:
            row[k] = 0.0
            raised = True
    return raised
