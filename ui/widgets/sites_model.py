"""Qt item model over the per-site results table, with formatted CIs and numeric sorting.

Cells show text such as ``"2.31% [2.10, 2.52]"``; :data:`SortRole` returns the
raw mean so sorting is numeric. :class:`SitesFilter` narrows by text and type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from .. import theme
from ..logic.formatting import (
    MISSING,
    format_money_ci,
    format_number_ci,
    format_percent_ci,
)
from .icons import type_icon
from .records_table import RowsTableModel
from .roles import ModelIndex, SiteIdRole, SortRole


@dataclass(frozen=True)
class SiteColumn:
    """One column of the table: the frame column, header, cell format and explanation."""

    key: str
    header: str
    kind: str  # text | percent_ci | money_ci | number_ci | number
    tooltip: str

    def text(self, row: pd.Series) -> str:
        if self.kind == "text":
            value = row.get(self.key, "")
            return (
                "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            )
        mean = float(row[self.key])
        if self.kind == "number":
            return f"{mean:,.1f}"
        lo, hi = float(row[f"{self.key}_lo"]), float(row[f"{self.key}_hi"])
        formatter: Callable[[float, float, float], str] = {
            "percent_ci": format_percent_ci,
            "money_ci": format_money_ci,
            "number_ci": format_number_ci,
        }[self.kind]
        return formatter(mean, lo, hi)

    def sort_value(self, row: pd.Series) -> Any:
        value = row.get(self.key)
        if self.kind == "text":
            return "" if value is None else str(value).lower()
        return float(value) if value is not None else float("nan")


SITE_COLUMNS: tuple[SiteColumn, ...] = (
    SiteColumn("site_id", "Site", "text", "Site id from the Sites sheet."),
    SiteColumn("name", "Name", "text", "Readable site name."),
    SiteColumn("type", "Type", "text", "supplier, plant, dc or customer."),
    SiteColumn("region", "Region", "text", "Region from the Sites sheet."),
    SiteColumn(
        "stockout_day_probability",
        "Stockout days",
        "percent_ci",
        "Share of days ending with unfilled demand, with its 95% CI.",
    ),
    SiteColumn(
        "stockout_probability",
        "Stockout in horizon",
        "percent_ci",
        "Chance of at least one stockout day over the horizon, with its 95% CI.",
    ),
    SiteColumn(
        "fill_rate",
        "Fill rate",
        "percent_ci",
        "Share of demand shipped on the day it was asked for, with its 95% CI.",
    ),
    SiteColumn(
        "expected_backorders",
        "Backorders/day",
        "number_ci",
        "Mean units on backorder at the end of a day, with its 95% CI.",
    ),
    SiteColumn(
        "lost_revenue",
        "Lost revenue",
        "money_ci",
        "Revenue lost to shortages over the horizon (customers), with its 95% CI.",
    ),
    SiteColumn(
        "days_out_of_stock", "Days out", "number", "Mean number of stockout days over the horizon."
    ),
    SiteColumn(
        "days_out_of_stock_p90",
        "Days out p90",
        "number",
        "Stockout days exceeded in only 1 trial in 10.",
    ),
)
RISK_COLUMN = "stockout_day_probability"


class SitesTableModel(RowsTableModel):
    """Read-only model over :meth:`SimulationResult.sites_frame` (index: site id)."""

    headers = tuple((c.header, c.tooltip) for c in SITE_COLUMNS)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._texts: list[list[str]] = []
        self._risk_max = 0.0

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        self.beginResetModel()
        if frame is None or frame.empty:
            self._rows, self._texts, self._risk_max = [], [], 0.0
        else:
            flat = frame.reset_index()
            self._rows = [row for _, row in flat.iterrows()]
            self._texts = [[c.text(row) for c in SITE_COLUMNS] for row in self._rows]
            self._risk_max = float(flat[RISK_COLUMN].max()) if RISK_COLUMN in flat else 0.0
        self.endResetModel()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        column = SITE_COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][col] or (MISSING if column.kind != "text" else "")
        if role == SortRole:
            return column.sort_value(self._rows[row])
        if role == SiteIdRole:
            return str(self._rows[row]["site_id"])
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind != "text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column.key == "type":
            return type_icon(str(self._rows[row]["type"]))
        if role == Qt.ItemDataRole.BackgroundRole and column.key == RISK_COLUMN:
            return self._risk_tint(float(self._rows[row][RISK_COLUMN]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{column.header}: {self._texts[row][col]}\n{column.tooltip}"
        return None

    def _risk_tint(self, value: float) -> QColor | None:
        if self._risk_max <= 0 or value <= 0:
            return None
        colour = QColor(theme.ERROR)
        colour.setAlpha(int(25 + 110 * value / self._risk_max))
        return colour

    def site_id(self, row: int) -> str:
        return str(self._rows[row]["site_id"])

    def cell_text(self, row: int, key: str) -> str:
        """Displayed text of ``key``'s column in ``row`` (for tests and copying)."""
        col = [c.key for c in SITE_COLUMNS].index(key)
        return self._texts[row][col]


class SitesFilter(QSortFilterProxyModel):
    """Numeric sorting plus a text filter (site, name, region) and a type filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self._text = ""
        self._type = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_type(self, site_type: str) -> None:
        self.beginFilterChange()
        self._type = site_type
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()

        def text(col: int) -> str:
            return str(model.data(model.index(source_row, col, source_parent)) or "").lower()

        if self._type and text(2) != self._type:
            return False
        if self._text:
            return any(self._text in text(col) for col in (0, 1, 3))
        return True
