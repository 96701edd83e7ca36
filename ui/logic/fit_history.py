"""What the Fit from delivery history dialog computes and shows, without Qt.

The dialog reads the history (:func:`jitrisk.history.read_table`), lets the
planner map its columns (guessed first), fits (:func:`compute_fit`), lists
lanes and suppliers (:func:`lane_rows`, :func:`supplier_rows`) and writes
the fitted copy of the workbook.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jitrisk.history import HistoryFit, RawTable, fit_history, read_table
from jitrisk.history.columns import KEYS, REQUIRED, guess_columns
from jitrisk.model.records import Network

from .formatting import MISSING

#: Rows of the history shown in the preview.
PREVIEW_ROWS = 8
#: What each column key means, for the mapping form.
KEY_LABELS = {
    "supplier": "Supplier (site id or name)",
    "to": "Receiving site",
    "ordered": "Order date",
    "promised": "Promised date",
    "delivered": "Delivery date",
    "quantity_ordered": "Quantity ordered",
    "quantity_delivered": "Quantity delivered",
    "status": "Status (cancelled lines are left out)",
}


@dataclass(frozen=True)
class FitOutcome:
    """A finished fit, ready to show."""

    fit: HistoryFit
    elapsed: float


def load_history(path: str | os.PathLike[str]) -> tuple[RawTable, dict[str, str]]:
    """The history as read and the guessed key -> header mapping."""
    table = read_table(path)
    return table, guess_columns(table.headers)


def preview(table: RawTable, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    """The first ``rows`` rows as text, one cell per header."""
    out = []
    for r in table.rows[:rows]:
        cells = [("" if v is None else str(v)) for v in r]
        out.append((cells + [""] * len(table.headers))[: len(table.headers)])
    return out


def missing_keys(mapping: dict[str, str]) -> list[str]:
    """Required keys without a column."""
    return [k for k in REQUIRED if not mapping.get(k)]


def compute_fit(net: Network, table: RawTable, mapping: dict[str, str]) -> FitOutcome:
    t0 = time.perf_counter()
    fit = fit_history(net, table, {k: v for k, v in mapping.items() if v and k in KEYS})
    return FitOutcome(fit, time.perf_counter() - t0)


def _share(x: float | None) -> str:
    return MISSING if x is None else f"{x:.0%}"


def lane_rows(fit: HistoryFit) -> list[dict[str, Any]]:
    """One row per lane: lane, deliveries, what is written, family, p-value, verdict."""
    rows = []
    for key, r in fit.lanes.items():
        f = r.fit
        rows.append(
            {
                "key": key,
                "n": len(r.days),
                "cell": f.cell if f else r.planner_cell,
                "family": f.family if f else MISSING,
                "pvalue": MISSING if f is None or f.gof_pvalue is None else f"{f.gof_pvalue:.3f}",
                "on_time": _share(r.on_time_share),
                "verdict": "fitted" if f else f"kept: {r.reason}",
            }
        )
    return rows


def supplier_rows(fit: HistoryFit) -> list[dict[str, Any]]:
    rows = []
    for sid, s in fit.suppliers.items():
        ep = s.episodes
        rows.append(
            {
                "site_id": sid,
                "n": s.n,
                "episodes": len(ep.episodes),
                "per_year": f"{ep.events_per_year:.2f}",
                "duration": ep.cell or MISSING,
                "verdict": "fitted" if not s.kept_planner_value else f"kept: {s.reason}",
            }
        )
    return rows


def summary(outcome: FitOutcome) -> str:
    """What was read and used, in a sentence or two (rich text)."""
    fit = outcome.fit
    lines = fit.lines
    fitted = sum(1 for r in fit.lanes.values() if r.fit is not None)
    text = (
        f"<b>{fit.rows_used:,} of {lines.rows_read:,} rows used</b>; "
        f"{fitted} of {len(fit.lanes)} lanes fitted, "
        f"{sum(1 for s in fit.suppliers.values() if not s.kept_planner_value)} suppliers' "
        f"disruptions. {len(fit.problems):,} problems"
    )
    if lines.unmatched:
        text += f"; {len(lines.unmatched)} suppliers are not sites of the workbook"
    return text + "."


def default_output(workbook: Path) -> Path:
    return workbook.with_name(f"{workbook.stem}-fitted.xlsx")
