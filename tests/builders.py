"""Build small workbooks cell by cell, so each test states exactly the cells it needs.

``valid_rows()`` is a small valid network that tests copy and mutate::

    SUP-A (Asia) --chip 60%--\\
    SUP-B (EU)   --chip 40%--> PLANT --> DC --> CUST-1
    SUP-C (EU)   --frame x2--/                \\-> CUST-2

Rows are lists; the first row of each sheet is the header, so ``rows["Lanes"][i]``
is Excel row ``i + 1``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

Rows = dict[str, list[list[Any]]]
#: The ``make_workbook`` fixture: ``make_workbook(sheets, name=None) -> Path``.
MakeWorkbook = Callable[..., Path]

_VALID: Rows = {
    "Sites": [
        [
            "site_id",
            "type",
            "name",
            "region",
            "safety_stock_days",
            "processing_days",
            "capacity_per_day",
            "unit_value",
        ],
        ["SUP-A", "supplier", "Chip supplier A", "Asia", 2, 1, 500, 4],
        ["SUP-B", "supplier", "Chip supplier B", "EU", 2, 1, 500, 5],
        ["SUP-C", "supplier", "Frame supplier", "EU", 1, 0, None, 10],
        ["PLANT", "plant", "Assembly plant", "EU", 1, 1, 300, 40],
        ["DC", "dc", "Distribution centre", "EU", 3, None, None, 45],
        ["CUST-1", "customer", "Retail", "EU", None, None, None, None],
        ["CUST-2", "customer", "Online", "US", None, None, None, None],
    ],
    "Lanes": [
        ["from", "to", "lead_time_days", "quantity_per_unit", "share", "component"],
        ["SUP-A", "PLANT", "normal(5, 1)", 1, 0.6, "chip"],
        ["SUP-B", "PLANT", 3, 1, 0.4, "chip"],
        ["SUP-C", "PLANT", "uniform(1, 3)", 2, None, "frame"],
        ["PLANT", "DC", 1, None, None, None],
        ["DC", "CUST-1", 0, None, None, None],
        ["DC", "CUST-2", "poisson(2)", None, None, None],
    ],
    "Demand": [
        ["site_id", "daily_demand", "unit_price", "service_time_days"],
        ["CUST-1", "normal(100, 10)", 50, 0],
        ["CUST-2", "poisson(40)", 60, 1],
    ],
    "Disruptions": [
        [
            "scope",
            "kind",
            "probability_per_day",
            "events_per_year",
            "duration_days",
            "severity",
            "start_day",
            "scenario",
            "disruption_id",
        ],
        ["SUP-A", "outage", None, 2, "geometric(10)", None, None, None, "D-SUPA"],
        ["region:EU", "capacity", 0.001, None, 5, 0.5, None, None, "D-EU"],
        ["lane:PLANT->DC", "delay", None, None, 14, 7, 30, "strike", "D-STRIKE"],
    ],
    "Scenarios": [
        ["scenario", "target", "field", "value"],
        ["strike", "DC", "safety_stock_days", 10],
        ["strike", "settings", "days", 90],
    ],
    "Settings": [
        ["key", "value"],
        ["days", 180],
        ["trials", 100],
        ["seed", 7],
        ["unmet_demand", "backorder"],
        ["currency", "EUR"],
    ],
}


def valid_rows() -> Rows:
    """A fresh deep copy of the small valid network (safe to mutate)."""
    return copy.deepcopy(_VALID)


def write_workbook(
    path: str | os.PathLike[str], sheets: Mapping[str, Sequence[Sequence[Any]]]
) -> Path:
    """Write ``sheets`` (name -> rows, first row = headers) to ``path`` as .xlsx.

    Cells are written as given: ``None`` leaves a cell empty, text starting with
    ``=`` becomes a formula *without* a cached value (as openpyxl writes it), and
    an empty row (``[]``) leaves a blank row in the sheet.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=i, column=j, value=value)
    out = Path(path)
    wb.save(out)
    return out


def set_cell(rows: Rows, sheet: str, row: int, column: str, value: Any) -> None:
    """Set the cell of Excel ``row`` (1-based, header = 1) under header ``column``."""
    header = rows[sheet][0]
    j = header.index(column)
    line = rows[sheet][row - 1]
    while len(line) <= j:
        line.append(None)
    line[j] = value


def add_column(
    rows: Rows, sheet: str, column: str, values: Mapping[int, Any] | None = None
) -> None:
    """Append a column header to ``sheet`` and fill some rows (Excel row -> value)."""
    width = max(len(r) for r in rows[sheet])
    for line in rows[sheet]:
        line.extend([None] * (width - len(line)))
    rows[sheet][0].append(column)
    for line in rows[sheet][1:]:
        line.append(None)
    for row, value in (values or {}).items():
        set_cell(rows, sheet, row, column, value)
