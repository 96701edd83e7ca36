"""Dates as ERPs write them, read column by column.

Accepted: real dates (Excel), ISO ``2024-03-05`` (a time part is ignored),
``05-Mar-24`` / ``05 Mar 2024``, Excel serial numbers (20,000 to 80,000, days
since 1899-12-30), and numeric ``a/b/yyyy`` (also with ``.`` or ``-``). The
order of day and month in numeric dates is inferred from the *whole column*: a
first field above 12 somewhere makes the column day-first, a second field
above 12 month-first; when every value fits both, a ``.`` separator is read as
day-first (European) and ``/`` as month-first (US), and the note says so.
Blanks are missing values; placeholders (``Date Not Captured``, ``N/A``,
``Pending``, …) and anything else are missing values with a problem.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20_000, 80_000)  # 1954 to 2119
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:\s.*)?$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-/]([A-Za-z]{3,9})[\s\-/,]+(\d{2}|\d{4})$")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
PLACEHOLDERS = re.compile(
    r"^(n/?a\b.*|na|none|null|nil|-+|tbd|tba|pending|unknown|not captured|"
    r"date not captured|see .*|\?+|#n/?a|pre-pq process)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateColumn:
    """Parsed dates (None where missing), the problem of each unusable cell (by
    position), and how numeric dates were read."""

    values: list[dt.date | None]
    problems: dict[int, str]
    note: str


def _year(y: str) -> int:
    n = int(y)
    return n + (2000 if n < 70 else 1900) if len(y) == 2 else n


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def day_first(cells: Sequence[object]) -> tuple[bool, str]:
    """Whether numeric ``a/b/y`` dates of a column are day-first, and why."""
    first_big = second_big = False
    seps: set[str] = set()
    for c in cells:
        m = _NUMERIC.match(str(c).strip()) if isinstance(c, str) else None
        if m:
            seps.add(m.group(2))
            first_big |= int(m.group(1)) > 12
            second_big |= int(m.group(3)) > 12
    if first_big and not second_big:
        return True, "numeric dates read day/month/year (a first field above 12 was found)"
    if second_big and not first_big:
        return False, "numeric dates read month/day/year (a second field above 12 was found)"
    if not seps:
        return False, ""
    dot = seps == {"."}
    how = "day/month/year" if dot else "month/day/year"
    why = "both orders fit every value; " + ("'.' is European" if dot else "'/' is US")
    return dot, f"numeric dates read {how} ({why})"


def parse_dates(cells: Sequence[object]) -> DateColumn:
    """Read one column of dates (see the module docstring)."""
    dfirst, note = day_first(cells)
    out: list[dt.date | None] = []
    problems: dict[int, str] = {}
    for i, c in enumerate(cells):
        value, problem = _one(c, dfirst)
        out.append(value)
        if problem:
            problems[i] = problem
    return DateColumn(out, problems, note)


def _one(c: object, dfirst: bool) -> tuple[dt.date | None, str]:
    if c is None:
        return None, ""
    if isinstance(c, dt.datetime):
        return c.date(), ""
    if isinstance(c, dt.date):
        return c, ""
    if isinstance(c, bool):
        return None, f"not a date: {c!r}"
    if isinstance(c, int | float):
        return _serial(float(c))
    text = str(c).strip()
    if not text:
        return None, ""
    if PLACEHOLDERS.match(text):
        return None, f"no date ({text!r})"
    try:
        return _serial(float(text))
    except ValueError:
        pass
    m = _ISO.match(text)
    if m:
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (d, "") if d else (None, f"not a real date: {text!r}")
    m = _NAMED.match(text)
    if m and m.group(2)[:3].lower() in _MONTHS:
        d = _date(_year(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        return (d, "") if d else (None, f"not a real date: {text!r}")
    m = _NUMERIC.match(text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        d = _date(y, b, a) if dfirst else _date(y, a, b)
        return (d, "") if d else (None, f"not a real date: {text!r}")
    return None, f"not a date: {text[:40]!r}"


def _serial(x: float) -> tuple[dt.date | None, str]:
    if SERIAL_RANGE[0] <= x <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(x)), ""
    return None, f"not a date: the number {x:g}"
