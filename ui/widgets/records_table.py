"""A sortable, read-only table over plain row objects: columns, model, view and helpers.

:class:`RecordsModel` shows any sequence of rows through :class:`Column`
definitions (header, text, sort key, tooltip); the analysis views use it for
their result tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QHeaderView,
    QTableView,
    QWidget,
)

from .common import style_read_only
from .roles import ModelIndex, RowRole, SortRole


@dataclass(frozen=True)
class Column:
    """One column of a :class:`RecordsModel`.

    ``text`` formats a row, ``sort`` gives the value sorting uses (numbers sort
    as numbers), ``numeric`` right-aligns, ``tint`` colours the background.
    """

    header: str
    tooltip: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any]
    numeric: bool = True
    tint: Callable[[Any], QColor | None] | None = None
    bold: Callable[[Any], bool] | None = None
    tip: Callable[[Any], str] | None = None


def _nan_last(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


class RowsTableModel(QAbstractTableModel):
    """A read-only table model over a list of rows: a row each, a column per header.

    Subclasses fill ``_rows`` and ``headers`` (text, tooltip) and answer ``data``.
    """

    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.headers[section][1] or None
        return None


class RecordsModel(RowsTableModel):
    """Read-only table over a list of rows (any objects) described by :class:`Column` s."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.headers = tuple((c.header, c.tooltip) for c in self.columns)
        self._texts: list[list[str]] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [[c.text(r) for c in self.columns] for r in self._rows]
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        text = self._texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SortRole:
            return column.sort(row)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and column.tint is not None:
            return column.tint(row)
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            extra = column.tip(row) if column.tip is not None else ""
            head = f"{column.header}: {text}" if text else column.header
            return "\n".join(t for t in (head, extra, column.tooltip) if t)
        return None

    def cell_text(self, row: int, header: str) -> str:
        """Displayed text of column ``header`` in source row ``row`` (tests, copying)."""
        col = [c.header for c in self.columns].index(header)
        return self._texts[row][col]


def records_table(model: RecordsModel, parent: QWidget | None = None) -> QTableView:
    """A sortable, read-only table over ``model`` (sorted numerically via :data:`SortRole`)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSortRole(SortRole)
    proxy.setSourceModel(model)
    table = QTableView(parent)
    table.setModel(proxy)
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    style_read_only(table)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    table.setMinimumHeight(120)
    return table


def fit_columns(table: QTableView, max_width: int = 260) -> None:
    """Columns as wide as their contents, none wider than ``max_width`` pixels; the last
    one fills the rest of the width, but is never squeezed below its contents."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    table.resizeColumnsToContents()
    total = 0
    for col in range(table.model().columnCount()):
        if table.columnWidth(col) > max_width:
            table.setColumnWidth(col, max_width)
        total += table.columnWidth(col)
    header.setStretchLastSection(total < table.viewport().width())


def scaled(widget: QWidget, pixels: int, base_points: float = 10.0) -> int:
    """``pixels`` at the app's usual type, scaled to ``widget``'s type size (presentation)."""
    size = widget.font().pointSizeF()
    return round(pixels * max(1.0, size / base_points)) if size > 0 else pixels


def tint(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c
