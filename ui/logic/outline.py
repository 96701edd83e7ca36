"""What a workbook holds, read without judging it: sheets, header rows, record counts.

The core's :func:`jitrisk.validate_workbook` returns no network when there is
an error, yet the planner should still see what was read ("Sites: 64 rows,
Lanes: 88 rows") next to the problems, and a problem's column should show its
header ("column E, share"). This module reads just that. Qt-free.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jitrisk.errors import Problem
from jitrisk.workbook.format import SHEETS

#: Header rows and record counts are read up to this many rows per sheet.
MAX_OUTLINE_ROWS = 100_000


@dataclass(frozen=True)
class SheetOutline:
    """One sheet as found: its name, its row-1 headers and how many records follow."""

    name: str
    headers: tuple[str, ...]
    records: int
    expected: bool

    def header(self, column: int | None) -> str:
        """Header text of 1-based ``column``, or ``""``."""
        if column is None or not 1 <= column <= len(self.headers):
            return ""
        return self.headers[column - 1]


@dataclass(frozen=True)
class WorkbookOutline:
    """The sheets of a workbook in file order, or why they could not be read."""

    sheets: tuple[SheetOutline, ...] = ()
    error: str = ""
    missing: tuple[str, ...] = field(default=())

    def sheet(self, name: str) -> SheetOutline | None:
        for sheet in self.sheets:
            if sheet.name == name or sheet.name.strip().lower() == name.lower():
                return sheet
        return None

    def header_of(self, problem: Problem) -> str:
        """The header above a problem's cell, when the sheet and column are known."""
        sheet = self.sheet(problem.sheet) if problem.sheet else None
        return sheet.header(problem.column) if sheet else ""


def read_outline(path: str | os.PathLike[str], problems: Iterable[Problem] = ()) -> WorkbookOutline:
    """Sheets, headers and record counts of ``path``; never raises.

    Skips reading when ``problems`` hold a file-level error (damaged, not a
    workbook, too large): the core already refused the bytes.
    """
    if any(p.severity == "error" and not p.sheet for p in problems):
        return WorkbookOutline(error="the file could not be read as a workbook")
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on damaged files
        return WorkbookOutline(error=f"{type(exc).__name__}: {exc}")
    try:
        known = {s.name.lower() for s in SHEETS}
        sheets = tuple(
            _outline_sheet(book[name], name.strip().lower() in known) for name in book.sheetnames
        )
    except Exception as exc:
        return WorkbookOutline(error=f"{type(exc).__name__}: {exc}")
    finally:
        book.close()
    found = {s.name.strip().lower() for s in sheets}
    missing = tuple(s.name for s in SHEETS if s.required and s.name.lower() not in found)
    return WorkbookOutline(sheets, missing=missing)


def _outline_sheet(ws: Any, expected: bool) -> SheetOutline:
    headers: tuple[str, ...] = ()
    records = 0
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i == 0:
            headers = tuple("" if v is None else str(v).strip() for v in row)
            while headers and not headers[-1]:
                headers = headers[:-1]
            continue
        if i > MAX_OUTLINE_ROWS:
            break
        if any(v is not None and str(v).strip() for v in row):
            records += 1
    return SheetOutline(ws.title, headers, records, expected)
