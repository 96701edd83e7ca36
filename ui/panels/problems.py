"""The Problems dock: every validation problem with its icon, cell and message.

Activating a row (double-click, Enter, or selecting it) shows the sheet, row,
column and header of the cell in a detail pane and emits
:attr:`ProblemsPanel.problem_activated`, which the window echoes in its status
bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter
from PySide6.QtCore import (
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.errors import Problem

from ..logic.messages import plural
from ..logic.outline import WorkbookOutline
from ..widgets.common import PanelDock, split, style_read_only, styled_label
from ..widgets.icons import severity_icon
from ..widgets.records_table import RowsTableModel
from ..widgets.roles import ModelIndex, ProblemRole, SeverityRole


def describe_location(problem: Problem, header: str = "") -> str:
    """Where a problem is, in words: ``"sheet Lanes, row 7, column E (share)"``."""
    if not problem.sheet:
        return "the file as a whole"
    parts = [f"sheet {problem.sheet}"]
    if problem.row is not None:
        parts.append(f"row {problem.row}")
    if problem.column is not None:
        col = f"column {get_column_letter(problem.column)}"
        parts.append(f"{col} ({header})" if header else col)
    elif problem.row is not None:
        parts.append("the whole row")
    return ", ".join(parts)


class ProblemsModel(RowsTableModel):
    """Table model over a list of :class:`jitrisk.errors.Problem`: severity, location, message."""

    headers = (("Severity", ""), ("Location", ""), ("Message", ""))
    _rows: list[Problem]

    def set_problems(self, problems: Sequence[Problem]) -> None:
        self.beginResetModel()
        self._rows = list(problems)
        self.endResetModel()

    def problems(self) -> list[Problem]:
        return list(self._rows)

    def problem(self, row: int) -> Problem:
        return self._rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                "Error" if p.severity == "error" else "Warning",
                p.location or "(file)",
                p.message,
            )[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return severity_icon(p.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(p)
        if role == ProblemRole:
            return p
        if role == SeverityRole:
            return p.severity
        if role == Qt.ItemDataRole.UserRole:  # sort key: keep the core's order within a column
            return (0 if p.severity == "error" else 1, index.row()) if col == 0 else None
        return None


class SeverityFilter(QSortFilterProxyModel):
    """Shows errors, warnings or both."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._shown = {"error", "warning"}

    def set_shown(self, severity: str, shown: bool) -> None:
        self.beginFilterChange()
        if shown:
            self._shown.add(severity)
        else:
            self._shown.discard(severity)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        return self.sourceModel().data(index, SeverityRole) in self._shown


class ProblemsPanel(QWidget):
    """Counts, severity filters, the problem table and a detail pane."""

    problem_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outline = WorkbookOutline()
        self.model = ProblemsModel(self)
        self.proxy = SeverityFilter(self)
        self.proxy.setSourceModel(self.model)

        self.count_label = styled_label("No workbook open", "Muted")
        self.error_button = self._filter_button("error")
        self.warning_button = self._filter_button("warning")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.error_button)
        bar.addWidget(self.warning_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        style_read_only(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.detail = QWidget()
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(12, 8, 12, 8)
        self.detail_icon = QLabel()
        self.detail_location = styled_label("", "DetailLocation")
        self.detail_location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_where = styled_label("", "Muted", wrap=True)
        self.detail_message = QLabel("")
        self.detail_message.setWordWrap(True)
        self.detail_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.addWidget(self.detail_icon)
        head.addWidget(self.detail_location, 1)
        detail_layout.addLayout(head)
        detail_layout.addWidget(self.detail_where)
        detail_layout.addWidget(self.detail_message)
        detail_layout.addStretch(1)

        self.detail.setMinimumWidth(280)
        splitter = split(self.table, self.detail, vertical=False, stretch=(3, 1))
        splitter.setSizes([700, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def _filter_button(self, severity: str) -> QToolButton:
        button = QToolButton()
        button.setCheckable(True)
        button.setChecked(True)
        button.setIcon(severity_icon(severity))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        button.setToolTip(f"Show {severity}s")
        button.toggled.connect(lambda on: self.proxy.set_shown(severity, on))
        return button

    # ------------------------------------------------------------------ content
    def set_problems(
        self, problems: Sequence[Problem], outline: WorkbookOutline | None = None
    ) -> None:
        """Show ``problems`` (the core's order: errors first, by sheet, row, column)."""
        self._outline = outline or WorkbookOutline()
        self.model.set_problems(problems)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        self.error_button.setText(plural(errors, "error"))
        self.warning_button.setText(plural(warnings, "warning"))
        if not problems:
            self.count_label.setText("No problems found: the workbook is valid.")
        elif errors:
            self.count_label.setText(f"{plural(errors, 'error')} must be fixed before a run.")
        else:
            self.count_label.setText("Warnings only: the workbook can be simulated.")
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        if problems:
            self.select_row(0)
        else:
            self._show_detail(None)

    def clear(self) -> None:
        self.set_problems([])
        self.count_label.setText("No workbook open")

    def problem_count(self) -> int:
        return self.model.rowCount()

    def select_row(self, row: int) -> None:
        """Select (and show the detail of) the ``row``-th visible problem."""
        index = self.proxy.index(row, 0)
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def activate_row(self, row: int) -> Problem | None:
        """Select the ``row``-th visible problem and announce it (as a double-click does)."""
        self.select_row(row)
        index = self.proxy.index(row, 0)
        if not index.isValid():
            return None
        self._on_activated(index)
        return self.proxy.data(index, ProblemRole)

    # ------------------------------------------------------------------ reactions
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(self.proxy.data(current, ProblemRole) if current.isValid() else None)

    def _on_activated(self, index: QModelIndex) -> None:
        problem = self.proxy.data(index, ProblemRole)
        if problem is not None:
            self._show_detail(problem)
            self.problem_activated.emit(problem)

    def _show_detail(self, problem: Problem | None) -> None:
        if problem is None:
            self.detail_icon.clear()
            self.detail_location.setText("")
            self.detail_where.setText(
                "Select a problem to see where it is." if self.model.rowCount() else ""
            )
            self.detail_message.setText("")
            return
        self.detail_icon.setPixmap(severity_icon(problem.severity).pixmap(22, 22))
        self.detail_location.setText(problem.location or "Whole file")
        header = self._outline.header_of(problem)
        where = describe_location(problem, header)
        self.detail_where.setText(where[:1].upper() + where[1:])
        self.detail_message.setText(problem.message)


class ProblemsDock(PanelDock):
    """Dock holding a :class:`ProblemsPanel`; its title carries the counts."""

    panel: ProblemsPanel

    def __init__(self, parent: QWidget | None = None) -> None:
        self.panel = ProblemsPanel()
        super().__init__("Problems", "ProblemsDock", self.panel, parent, sides=False)

    def set_problems(
        self, problems: Sequence[Problem], outline: WorkbookOutline | None = None
    ) -> None:
        self.panel.set_problems(problems, outline)
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        self.setWindowTitle(
            f"Problems ({plural(errors, 'error')}, {plural(warnings, 'warning')})"
            if problems
            else "Problems"
        )
