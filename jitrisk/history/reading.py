"""Reading a delivery history as it comes out of an ERP: CSV or Excel, any encoding.

CSV files are decoded as UTF-8 (with or without a byte-order mark), else as
Windows-1252 / Latin-1; the separator (``,``, ``;`` or tab) is sniffed from
the first lines. Excel files are read from their first sheet. Every cell is
kept as it was written (text, number or date); :mod:`.dates` and
:mod:`.history` interpret them and report what they cannot use, with the
file's row number and the column's header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import JitriskError

#: Most data rows read (a year of a large ERP is well below it).
MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class HistoryProblem:
    """Something in the history that could not be used: file row, column header, why."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RawTable:
    """Headers and rows as read; ``rows[i]`` is file row ``first_row + i`` (blank rows
    are dropped, so the row numbers are kept alongside in ``row_numbers``)."""

    headers: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    source: str
    notes: list[str] = field(default_factory=list)

    def column(self, header: str) -> list[object]:
        k = self.headers.index(header)
        return [r[k] if k < len(r) else None for r in self.rows]


def read_table(path: str | os.PathLike[str]) -> RawTable:
    """Read ``path`` (``.csv``/``.txt`` or ``.xlsx``/``.xlsm``); raises
    :class:`JitriskError` for a missing, empty or unreadable file."""
    p = Path(path)
    if not p.is_file():
        raise JitriskError(f"no file {p}")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(p)
    return _read_csv(p)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with a byte-order mark"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252 (Latin-1), not UTF-8"


def _read_csv(p: Path) -> RawTable:
    data = p.read_bytes()
    if not data.strip():
        raise JitriskError(f"{p.name} is empty")
    text, encoding = _decode(data)
    sample = "\n".join(text.splitlines()[:50])
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        sep = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    headers: list[str] | None = None
    rows: list[list[object]] = []
    numbers: list[int] = []
    for i, row in enumerate(reader, start=1):
        if not any(c.strip() for c in row):
            continue
        if headers is None:
            headers = [c.strip() for c in row]
            continue
        if len(rows) >= MAX_ROWS:
            raise JitriskError(f"{p.name} has more than {MAX_ROWS:,} rows")
        rows.append(list(row))
        numbers.append(i)
    if headers is None:
        raise JitriskError(f"{p.name} has no header row")
    name = {",": "comma", ";": "semicolon", "\t": "tab"}.get(sep, repr(sep))
    return RawTable(headers, rows, numbers, p.name, [f"read as {encoding}, {name}-separated"])


def _read_excel(p: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise JitriskError(f"cannot read {p.name} as an Excel workbook: {exc}") from None
    try:
        ws = wb.worksheets[0]
        headers: list[str] | None = None
        rows: list[list[object]] = []
        numbers: list[int] = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if not any(c is not None and str(c).strip() for c in row):
                continue
            if headers is None:
                headers = [str(c).strip() if c is not None else "" for c in row]
                continue
            if len(rows) >= MAX_ROWS:
                raise JitriskError(f"{p.name} has more than {MAX_ROWS:,} rows")
            rows.append([_cell(c) for c in row])
            numbers.append(i)
        title = ws.title
    finally:
        wb.close()
    if headers is None:
        raise JitriskError(f"{p.name} has no header row")
    return RawTable(headers, rows, numbers, p.name, [f"read from sheet {title!r}"])


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return value
