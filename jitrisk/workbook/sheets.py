"""Sheets and cells as read: each sheet's header, rows and cells into records.

Every problem is collected with its sheet, row and column
(:class:`_Collector`); formulas, blank runs and unknown columns are reported,
never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..errors import suggest as suggest
from .cells import (
    CellError,
    as_text,
    is_blank,
    parse_cell,
)
from .format import (
    MAX_ROWS,
    Column,
    Sheet,
)


@dataclass
class Record:
    """One non-empty data row: parsed values by column name, and their columns.

    ``bad`` names the columns whose cell could not be parsed (already reported).
    """

    row: int
    values: dict[str, Any]
    columns: dict[str, int]
    bad: set[str] = field(default_factory=set)

    def col(self, name: str) -> int | None:
        return self.columns.get(name)


@dataclass
class _SheetData:
    """What one sheet gave: its records, its header map, and whether it was read whole."""

    records: list[Record]
    columns: dict[str, int]
    complete: bool


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, sheet: str, row: int | None, col: int | None, msg: str) -> None:
        self.problems.append(Problem(sheet, row, col, msg, "error"))

    def warn(self, sheet: str, row: int | None, col: int | None, msg: str) -> None:
        self.problems.append(Problem(sheet, row, col, msg, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _find_sheet(wb: Any, sheet: Sheet, out: _Collector) -> Any | None:
    names = wb.sheetnames
    if sheet.name in names:
        return wb[sheet.name]
    for n in names:
        if n.strip().lower() == sheet.name.lower():
            out.warn(n, None, None, f"sheet '{n}' read as '{sheet.name}'; rename it to match")
            return wb[n]
    if sheet.required:
        import difflib

        close = difflib.get_close_matches(sheet.name, names, n=1)
        hint = f" (is '{close[0]}' meant to be it?)" if close else ""
        out.error(sheet.name, None, None, f"required sheet '{sheet.name}' is missing{hint}")
    return None


#: Excel's last row: a row number beyond it only comes from a damaged or forged file.
EXCEL_MAX_ROWS = 1_048_576


#: Runs of up to this many empty rows get one warning per row; longer runs one warning.
_BLANK_RUN_ROWS = 10


def _rows(
    ws: Any, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    rows = ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True)
    for i, row in enumerate(rows, start=min_row):
        yield i, tuple(row)


def _warn_blank_rows(out: _Collector, sheet: str, first: int, count: int) -> None:
    if count > _BLANK_RUN_ROWS:
        out.warn(
            sheet,
            first,
            None,
            f"{count:,} empty rows ignored (rows {first} to {first + count - 1})",
        )
        return
    for b in range(first, first + count):
        out.warn(sheet, b, None, "empty row ignored")


def _read_sheet(ws: Any, ws_formulas: Any | None, sheet: Sheet, out: _Collector) -> _SheetData:
    """Header check and per-cell parsing of one sheet."""
    # the size a sheet declares (<dimension>) is often wrong: too small in files from some
    # tools (rows or columns would be lost), absurdly large in forged ones (every row
    # padded to 16,384 cells); read what is really there instead
    for w in (ws, ws_formulas):
        if w is not None:
            w.reset_dimensions()
    header: tuple[Any, ...] | None = None
    for _i, values in _rows(ws, 1, 1):
        header = values
        break
    if header is None or all(is_blank(v) for v in header):
        if sheet.required:
            out.error(
                sheet.name,
                1,
                None,
                "the sheet is empty: row 1 must hold the column "
                f"headers ({', '.join(c.name for c in sheet.columns if c.required)})",
            )
        return _SheetData([], {}, not sheet.required)
    colmap: dict[str, int] = {}
    known = {c.name.lower(): c.name for c in sheet.columns}
    for hj, h in enumerate(header, start=1):
        if is_blank(h):
            continue
        try:
            text = as_text(h).strip()
        except CellError:  # too long to be a column name
            text = str(h)[:40]
        key = text.lower()
        if key in known:
            name = known[key]
            if name in colmap:
                out.error(
                    sheet.name,
                    1,
                    hj,
                    f"column '{name}' appears twice (also in column {_letter(colmap[name])})",
                )
                continue
            colmap[name] = hj
        else:
            import difflib

            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean '{known[close[0]]}'?)" if close else ""
            out.warn(sheet.name, 1, hj, f"unknown column '{text[:40]}' is ignored{hint}")
    missing = [c.name for c in sheet.columns if c.required and c.name not in colmap]
    for name in missing:
        out.error(sheet.name, 1, None, f"required column '{name}' is missing")
    if missing:
        return _SheetData([], colmap, False)

    # cells right of the last header are never read: do not let openpyxl pad rows to them
    width = max(j for j, h in enumerate(header, start=1) if not is_blank(h))
    rows = _rows(ws, 2, None, width)
    formula_rows = _rows(ws_formulas, 2, None, width) if ws_formulas is not None else None
    limit = MAX_ROWS.get(sheet.name, 10_000)
    records: list[Record] = []
    blank_first = blank_count = 0
    complete = True
    for i, values in rows:
        if i > EXCEL_MAX_ROWS:
            out.error(
                sheet.name,
                None,
                None,
                f"a row number beyond Excel's last row ({EXCEL_MAX_ROWS:,}): the sheet is "
                "damaged; re-save it from Excel",
            )
            complete = False
            break
        fvalues = next(formula_rows, (i, ()))[1] if formula_rows is not None else ()
        if all(is_blank(v) for v in values) and not any(_is_formula(f) for f in fvalues):
            if blank_count == 0:
                blank_first = i
            blank_count += 1
            continue
        if len(records) >= limit:
            out.error(
                sheet.name,
                i,
                None,
                f"more than {limit:,} rows; the limit for {sheet.name} is {limit:,}",
            )
            complete = False
            break
        _warn_blank_rows(out, sheet.name, blank_first, blank_count)
        blank_count = 0
        rec = Record(i, {}, colmap)
        for col in sheet.columns:
            j = colmap.get(col.name)
            if j is None:
                continue
            raw = values[j - 1] if j - 1 < len(values) else None
            fraw = fvalues[j - 1] if j - 1 < len(fvalues) else None
            if is_blank(raw):
                if _is_formula(fraw):
                    out.error(
                        sheet.name,
                        i,
                        j,
                        "formula has no saved value; open the file in "
                        "Excel and save it (or type the value)",
                    )
                    rec.bad.add(col.name)
                elif col.required:
                    out.error(sheet.name, i, j, f"{col.name} is required")
                    rec.bad.add(col.name)
                continue
            if (
                isinstance(raw, str)
                and raw.strip().startswith("#")
                and raw.strip().endswith(("!", "?", "A"))
            ):
                out.error(sheet.name, i, j, f"the cell shows an Excel error {raw.strip()!r}")
                rec.bad.add(col.name)
                continue
            try:
                rec.values[col.name] = _parse(col, raw)
            except CellError as exc:
                out.error(sheet.name, i, j, f"{col.name}: {exc}")
                rec.bad.add(col.name)
        records.append(rec)
    return _SheetData(records, colmap, complete)


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _parse(col: Column, raw: Any) -> Any:
    import datetime as _dt

    if isinstance(raw, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        raise CellError(f"expected {col.kind}, got a date/time {raw}")
    return parse_cell(col, raw)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j)
