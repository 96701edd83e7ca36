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

HEADER_FONT = Font(bold=True, color="1F2328")
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
HEADER_BORDER = Border(bottom=Side(style="thin", color="9AA4B0"))
TITLE_FONT = Font(bold=True, size=14, color="1F2328")
SUBTITLE_FONT = Font(bold=True, size=12, color="0072B2")
NOTE_FONT = Font(italic=True, color="5B6470")
WRAP = Alignment(wrap_text=True, vertical="top")

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
    """Blue (better) - white (no change) - vermillion (worse) on a column of changes."""
    if last < first:
        return
    ref = f"{letter(col)}{first}:{letter(col)}{last}"
    ws.conditional_formatting.add(
        ref,
        ColorScaleRule(
            start_type="min",
            start_color=SAFE_HEX,
            mid_type="num",
            mid_value=0,
            mid_color="FFFFFF",
            end_type="max",
            end_color=RISK_HEX,
        ),
    )


def fit_columns(ws: Worksheet, *, min_width: float = 8, max_width: float = 48) -> None:
    """Column widths from the longest value (headers wrap, so they count up to 18 chars)."""
    widths: dict[int, float] = {}
    n: float
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            n = len(f"{c.value:,.2f}") if isinstance(c.value, float) else len(str(c.value))
            if isinstance(c.value, str) and c.font is not None:
                if c.font.italic:
                    continue  # notes run across empty cells
                if c.font.bold:  # headers wrap; titles run across empty cells
                    n = min(n, 18) if c.fill is not None and c.fill.fill_type else 0
            widths[c.column] = max(widths.get(c.column, 0), n)
    for col, n in widths.items():
        ws.column_dimensions[letter(col)].width = max(min_width, min(max_width, n * 1.1 + 2))
