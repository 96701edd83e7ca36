"""From a raw history table to usable delivery lines, every unusable cell reported.

A line is used when its supplier is a site of the workbook, it has an order
date and a delivery date, it was not cancelled, it is not a duplicate of an
earlier line, and its lead time (delivered - ordered, whole days) is between 0
and :data:`MAX_LEAD_DAYS`. Blank delivery dates are open orders (counted, not
problems). A duplicate is a row identical to an earlier one in every column (an
export run twice); lines of different items that share supplier, dates and
quantity are not duplicates. Everything else left out is a
:class:`~.reading.HistoryProblem` naming the file row and the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model.records import Network
from .columns import DATE_KEYS, NUMBER_KEYS
from .dates import parse_dates
from .reading import HistoryProblem, RawTable

#: Longest believable lead time; longer ones are data errors (a year typed wrong).
MAX_LEAD_DAYS = 365


@dataclass(frozen=True)
class Line:
    """One usable delivery line."""

    row: int
    supplier: str  # site_id
    to: str | None  # site_id, or None: every lane of the supplier
    ordered: dt.date
    delivered: dt.date
    promised: dt.date | None = None
    quantity_ordered: float | None = None
    quantity_delivered: float | None = None

    @property
    def lead_days(self) -> int:
        return (self.delivered - self.ordered).days

    @property
    def late_days(self) -> int | None:
        """Days after the promised date (negative: early); None without a promise."""
        return None if self.promised is None else (self.delivered - self.promised).days

    @property
    def in_full(self) -> bool | None:
        if self.quantity_ordered is None or self.quantity_delivered is None:
            return None
        return self.quantity_delivered >= self.quantity_ordered * (1 - 1e-9)


@dataclass
class Lines:
    """The usable lines and an account of the rest."""

    lines: list[Line]
    problems: list[HistoryProblem]
    rows_read: int
    open_lines: int = 0
    cancelled: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: (supplier site_id, order date) of lines not delivered (yet)
    missing: list[tuple[str, dt.date]] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date | None:
        """The last day the history covers: its latest date."""
        days = [d for ln in self.lines for d in (ln.ordered, ln.delivered)]
        days += [o for _s, o in self.missing]
        return max(days) if days else None


def site_matcher(net: Network) -> dict[str, str]:
    """Normalised site id or name -> site_id (ids win over names)."""
    out: dict[str, str] = {}
    for s in net.sites:
        if s.name:
            out.setdefault(_key(s.name), s.site_id)
    for s in net.sites:
        out[_key(s.site_id)] = s.site_id
    return out


def _key(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip()).casefold()


def _number(value: object) -> tuple[float | None, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, f"not a number: {value!r}"
    if isinstance(value, int | float):
        return float(value), ""
    text = str(value).strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        return float(text), ""
    except ValueError:
        return None, f"not a number: {str(value).strip()[:40]!r}"


def usable_lines(table: RawTable, mapping: Mapping[str, str], net: Network) -> Lines:
    """The usable lines of ``table`` (columns by ``mapping``, key -> header)."""
    sites = site_matcher(net)
    cols = {k: table.column(h) for k, h in mapping.items()}
    dates = {k: parse_dates(cols[k]) for k in DATE_KEYS if k in cols}
    out = Lines([], [], len(table.rows), notes=list(table.notes))
    for k, d in dates.items():
        if d.note:
            out.notes.append(f"{mapping[k]}: {d.note}")
    unmatched: Counter[str] = Counter()
    seen: dict[tuple[object, ...], int] = {}
    for i, row in enumerate(table.row_numbers):

        def problem(key: str, message: str, row: int = row) -> None:
            out.problems.append(HistoryProblem(row, mapping.get(key, ""), message))

        status = str(cols["status"][i] or "") if "status" in cols else ""
        if "cancel" in status.lower():
            out.cancelled += 1
            continue
        name = cols["supplier"][i]
        supplier = sites.get(_key(name))
        if supplier is None:
            if _key(name):
                unmatched[str(name).strip()] += 1
            else:
                problem("supplier", "no supplier")
            continue
        to = None
        if "to" in cols and _key(cols["to"][i]):
            to = sites.get(_key(cols["to"][i]))
            if to is None:
                problem("to", f"no site {str(cols['to'][i]).strip()!r} in the workbook")
                continue
        bad = False
        for k in ("ordered", "delivered", "promised"):
            if k in dates and i in dates[k].problems:
                problem(k, dates[k].problems[i])
                bad |= k != "promised"
        ordered = dates["ordered"].values[i]
        delivered = dates["delivered"].values[i]
        if bad:
            continue
        if ordered is None:
            problem("ordered", "no order date")
            continue
        if delivered is None:
            out.open_lines += 1
            out.missing.append((supplier, ordered))
            continue
        lead = (delivered - ordered).days
        if lead < 0:
            problem("delivered", f"delivered {-lead} days before it was ordered")
            continue
        if lead > MAX_LEAD_DAYS:
            problem(
                "delivered", f"a lead time of {lead:,} days, over a year: taken for a date error"
            )
            continue
        qty: dict[str, float | None] = {}
        for k in NUMBER_KEYS:
            if k in cols:
                value, why = _number(cols[k][i])
                if why:
                    problem(k, why)
                qty[k] = value
        promised = dates["promised"].values[i] if "promised" in dates else None
        # a duplicate repeats the whole row: two lines of different items may share
        # supplier, dates and quantity
        key = tuple(str(v) for v in table.rows[i])
        if key in seen:
            problem("supplier", f"duplicate of row {seen[key]}: left out")
            continue
        seen[key] = row
        out.lines.append(Line(row, supplier, to, ordered, delivered, promised, **qty))
    out.unmatched = dict(unmatched.most_common())
    return out
