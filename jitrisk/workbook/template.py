"""The empty workbook template (format v1) and its ``Guide`` sheet.

Everything here is generated from :mod:`jitrisk.workbook.format`, so the template, the
loader and the guide cannot drift apart. :func:`new_workbook` builds the
formatted workbook in memory (headers with notes, drop-downs, the Settings
rows and the Guide); :func:`write_template` saves it, and
:func:`jitrisk.workbook.writer.write_network` fills the same layout with a network.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..model.distributions import DISTRIBUTION_NAMES
from .fileio import atomic_write
from .format import (
    FORMAT_VERSION,
    MAX_ROWS,
    SETTING_SPECS,
    SETTINGS,
    SHEETS,
    Column,
    SettingSpec,
    Sheet,
)

GUIDE_SHEET = "Guide"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
NOTE_AUTHOR = "jitrisk"

_KIND_WIDTH = {"text": 28, "id": 18, "distribution": 22, "choice": 14, "any": 18}
_MIN_WIDTH = 12
_MAX_WIDTH = 60

#: One example and meaning per distribution name, for the guide.
DISTRIBUTION_GUIDE: tuple[tuple[str, str, str], ...] = (
    ("(a number)", "3", "A constant: always this value."),
    ("normal", "normal(100, 15)", "Normal with mean 100 and standard deviation 15."),
    (
        "lognormal",
        "lognormal(5, 2)",
        "Log-normal with mean 5 and standard deviation 2 (of the value itself, not its log).",
    ),
    ("gamma", "gamma(5, 2)", "Gamma with mean 5 and standard deviation 2."),
    ("triangular", "triangular(2, 3, 7)", "Triangular: minimum 2, most likely 3, maximum 7."),
    ("uniform", "uniform(1, 4)", "Any value between 1 and 4, equally likely."),
    ("poisson", "poisson(40)", "Poisson count with mean 40 (demand of many small orders)."),
    (
        "geometric",
        "geometric(10)",
        "Whole days >= 1 with mean 10; as an outage duration: recovers with chance 1/10 a day.",
    ),
    ("empirical", "empirical(2, 3, 3, 9)", "Each listed value equally likely (observed history)."),
)


# --------------------------------------------------------------------------- building


def new_workbook(settings: Mapping[str, object] | None = None) -> Workbook:
    """A formatted, empty v1 workbook: every sheet of the schema plus the Guide.

    Parameters
    ----------
    settings : mapping, optional
        Values for the Settings sheet by key; keys missing here get their
        schema default. Every key of :data:`jitrisk.model.vocabulary.SETTING_SPECS` is
        written, in schema order.

    Returns
    -------
    openpyxl.Workbook
        Data sheets with formatted headers only (Settings pre-filled).
    """
    wb = Workbook()
    for default_sheet in list(wb.worksheets):
        wb.remove(default_sheet)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        format_header(ws, sheet)
        add_choice_validations(ws, sheet)
    fill_settings(wb[SETTINGS.name], settings or {})
    write_guide(wb.create_sheet(GUIDE_SHEET))
    wb.active = 0
    return wb


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the empty v1 template workbook to ``path`` (atomically).

    Parameters
    ----------
    path : str or os.PathLike
        Target ``.xlsx`` file; replaced if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    jitrisk.errors.JitriskError
        The folder does not exist or the file cannot be written.
    """
    wb = new_workbook()
    return atomic_write(path, wb.save)


# --------------------------------------------------------------------------- headers


def column_note(column: Column) -> str:
    """The note on a header cell: meaning, unit, default, allowed values."""
    lines = [column.help, ""]
    lines.append("Required column." if column.required else "Optional column.")
    if column.unit:
        lines.append(f"Unit: {column.unit}")
    lines.append(f"Blank means: {column.default}")
    if column.choices:
        lines.append(f"One of: {', '.join(column.choices)}")
    return "\n".join(lines)


def column_width(column: Column) -> float:
    """A readable width (in characters) for ``column``."""
    width = max(_KIND_WIDTH.get(column.kind, _MIN_WIDTH), len(column.name) + 4)
    return float(min(max(width, _MIN_WIDTH), _MAX_WIDTH))


def format_header(ws: Worksheet, sheet: Sheet) -> None:
    """Write ``sheet``'s header row to ``ws``: bold, filled, frozen, with notes and widths."""
    for j, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=j, value=column.name)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = Comment(column_note(column), NOTE_AUTHOR)
        note.width = 320
        note.height = 40 + 16 * (1 + len(column.help) // 45 + 4)
        cell.comment = note
        ws.column_dimensions[get_column_letter(j)].width = column_width(column)
    ws.freeze_panes = "A2"


def add_choice_validations(ws: Worksheet, sheet: Sheet) -> None:
    """Drop-down lists on the data rows of every ``choice`` column of ``sheet``."""
    last = MAX_ROWS.get(sheet.name, 10_000) + 1
    for j, column in enumerate(sheet.columns, start=1):
        if column.kind != "choice":
            continue
        letter = get_column_letter(j)
        dv = choice_validation(column.name, column.choices)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def choice_validation(name: str, choices: Iterable[str]) -> DataValidation:
    """An Excel list validation (drop-down) accepting only ``choices``."""
    options = list(choices)
    return DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showDropDown=False,  # False means: show the in-cell arrow (Excel's naming)
        showErrorMessage=True,
        errorTitle=f"Invalid {name}",
        error=f"{name} must be one of: {', '.join(options)}",
        promptTitle=name,
        prompt=f"Choose one of: {', '.join(options)}",
        showInputMessage=True,
    )


# --------------------------------------------------------------------------- settings


def fill_settings(ws: Worksheet, values: Mapping[str, object]) -> None:
    """One row per setting of the schema, in order, with ``values`` or the defaults.

    The ``unmet_demand`` value cell (and any other ``choice`` setting) gets a
    drop-down; every key cell gets a note with the setting's meaning and range.
    """
    for i, spec in enumerate(SETTING_SPECS, start=2):
        key = ws.cell(row=i, column=1, value=spec.key)
        key.data_type = "s"
        key.comment = Comment(setting_note(spec), NOTE_AUTHOR)
        put_value(ws.cell(row=i, column=2), values.get(spec.key, spec.default))
        if spec.choices:
            dv = choice_validation(spec.key, spec.choices)
            dv.add(f"B{i}")
            ws.add_data_validation(dv)


def setting_note(spec: SettingSpec) -> str:
    """Meaning, type, default and range of one setting."""
    lines = [spec.help, "", f"Type: {spec.kind}", f"Default: {spec.default}"]
    rng = setting_range(spec)
    if rng:
        lines.append(f"Allowed: {rng}")
    return "\n".join(lines)


def setting_range(spec: SettingSpec) -> str:
    """Allowed values of a setting in words (``""`` when any value goes)."""
    if spec.choices:
        return ", ".join(spec.choices)
    if spec.minimum is not None and spec.maximum is not None:
        return f"{spec.minimum:g} to {spec.maximum:g}"
    if spec.minimum is not None:
        return f">= {spec.minimum:g}"
    return ""


def put_value(cell: Any, value: object) -> None:
    """Store ``value`` in ``cell``; text always stays text (never a formula).

    openpyxl turns a string starting with ``=`` into a formula; forcing the
    data type to ``s`` keeps ``=cost`` or ``-5 days`` as the literal text typed.
    """
    if value is None:
        cell.value = None
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        return
    if isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, int | float):
        cell.value = value
        return
    # numpy scalars and other number-likes
    if hasattr(value, "item"):
        put_value(cell, value.item())
        return
    cell.value = str(value)
    cell.data_type = "s"


# --------------------------------------------------------------------------- guide


def write_guide(ws: Worksheet) -> None:
    """Fill the Guide sheet: every sheet and column, the settings, the distribution syntax."""
    widths = (22, 12, 14, 18, 26, 90)
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    row = _guide_intro(ws)
    for sheet in SHEETS:
        row = _guide_sheet(ws, row, sheet)
    row = _guide_settings(ws, row)
    _guide_distributions(ws, row)


def _text(ws: Worksheet, row: int, col: int, value: object, font: Font | None = None) -> None:
    cell = ws.cell(row=row, column=col)
    put_value(cell, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font is not None:
        cell.font = font


def _table_header(ws: Worksheet, row: int, names: Iterable[str]) -> None:
    for j, name in enumerate(names, start=1):
        _text(ws, row, j, name, HEADER_FONT)
        ws.cell(row=row, column=j).fill = HEADER_FILL


def _guide_intro(ws: Worksheet) -> int:
    _text(ws, 1, 1, f"jitrisk workbook, format v{FORMAT_VERSION}", TITLE_FONT)
    lines = (
        "Fill in one sheet per kind of information. Row 1 of each sheet holds the column "
        "headers (keep them as they are); every following row is one record. Hover over a "
        "header to see its unit and what a blank cell means.",
        "Required sheets: "
        + ", ".join(s.name for s in SHEETS if s.required)
        + ". Optional sheets (may be empty or absent): "
        + ", ".join(s.name for s in SHEETS if not s.required)
        + ". This Guide sheet is ignored when the workbook is read.",
        "Type values, not formulas: a formula cell is read by its value saved by Excel.",
    )
    for i, line in enumerate(lines, start=2):
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=6)
        _text(ws, i, 1, line)
        ws.row_dimensions[i].height = 32
    return 2 + len(lines) + 1


def _guide_sheet(ws: Worksheet, row: int, sheet: Sheet) -> int:
    req = "required sheet" if sheet.required else "optional sheet"
    _text(ws, row, 1, f"Sheet {sheet.name} ({req})", SECTION_FONT)
    _text(ws, row + 1, 1, sheet.purpose)
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=6)
    _table_header(ws, row + 2, ("column", "required", "kind", "unit", "blank means", "meaning"))
    r = row + 3
    for column in sheet.columns:
        meaning = column.help
        if column.choices:
            meaning += f" Allowed: {', '.join(column.choices)}."
        values = (
            column.name,
            "yes" if column.required else "no",
            column.kind,
            column.unit,
            column.default,
            meaning,
        )
        for j, value in enumerate(values, start=1):
            _text(ws, r, j, value)
        r += 1
    return r + 1


def _guide_settings(ws: Worksheet, row: int) -> int:
    _text(ws, row, 1, "Settings keys (sheet Settings, one key per row)", SECTION_FONT)
    _table_header(ws, row + 1, ("key", "type", "default", "allowed", "", "meaning"))
    r = row + 2
    for spec in SETTING_SPECS:
        values = (spec.key, spec.kind, spec.default, setting_range(spec), "", spec.help)
        for j, value in enumerate(values, start=1):
            _text(ws, r, j, value)
        r += 1
    return r + 1


def _guide_distributions(ws: Worksheet, row: int) -> int:
    _text(ws, row, 1, "Distributions (lead_time_days, daily_demand, duration_days)", SECTION_FONT)
    _text(
        ws,
        row + 1,
        1,
        "A cell holds a number or one distribution written as name(numbers): "
        "no formulas, decimals with a point. Known names: " + ", ".join(DISTRIBUTION_NAMES) + ".",
    )
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=6)
    _table_header(ws, row + 2, ("name", "", "", "example", "", "meaning"))
    r = row + 3
    for name, example, meaning in DISTRIBUTION_GUIDE:
        _text(ws, r, 1, name)
        _text(ws, r, 4, example)
        _text(ws, r, 6, meaning)
        r += 1
    return r + 1
