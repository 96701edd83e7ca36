"""File > Fit from delivery history…: map the columns, fit, look, save a fitted copy.

The history is read when the dialog opens; each column key gets a combo box
with the guessed header, and the first rows are shown so the planner can see
what each column holds. *Fit* runs :func:`ui.logic.fit_history.compute_fit`
on a worker thread; the lanes and suppliers found are listed, and the lane
selected is drawn (histogram with the fitted probabilities, QQ plot). *Save
fitted workbook…* writes a new workbook (never the open one), and *Open it*
opens the copy in the window.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jitrisk.errors import JitriskError
from jitrisk.history import write_fitted_workbook
from jitrisk.history.columns import KEYS, REQUIRED
from jitrisk.model.records import Network

from ..figures.fit import lane_fit_figure
from ..logic.fit_history import (
    KEY_LABELS,
    FitOutcome,
    compute_fit,
    default_output,
    lane_rows,
    load_history,
    missing_keys,
    preview,
    summary,
    supplier_rows,
)
from ..widgets.chart_image import ChartImage
from ..widgets.common import style_read_only, styled_label
from ..workers.worker import TaskContext, Worker

NONE = "(none)"
#: Problems listed in the dialog (all of them are in the JSON of ``jitrisk fit``).
MAX_PROBLEMS = 500
HISTORY_FILTER = "Delivery history (*.csv *.txt *.xlsx *.xlsm);;All files (*)"


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            t.setItem(i, j, QTableWidgetItem(text))
    style_read_only(t)
    t.resizeColumnsToContents()
    return t


def preview_order(headers: list[str], mapping: dict[str, str]) -> list[int]:
    """Column indices with the mapped columns first (in key order), then the rest."""
    first = [headers.index(mapping[k]) for k in KEYS if mapping.get(k) in headers]
    return first + [j for j in range(len(headers)) if j not in first]


def _text(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


class FitHistoryDialog(QDialog):
    """Map, fit, inspect and save (see the module docstring).

    Signals
    -------
    open_requested(str)
        The planner asked to open the fitted workbook just written.
    """

    open_requested = Signal(str)

    def __init__(
        self,
        network: Network,
        workbook: Path,
        history: str | os.PathLike[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.network, self.workbook = network, workbook
        self.setWindowTitle("Fit from delivery history")
        self.resize(1100, 760)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.outcome: FitOutcome | None = None
        self.written: Path | None = None
        self._worker: Worker | None = None
        self.table, guessed = load_history(history)
        layout = QVBoxLayout(self)
        layout.addWidget(styled_label(f"<b>{self.table.source}</b>", "CardTitle"))
        layout.addWidget(
            styled_label(
                f"{len(self.table.rows):,} rows · " + " · ".join(self.table.notes), "Muted"
            )
        )

        mapping_box = QGroupBox("Which column is which (guessed from the headers)")
        form = QFormLayout(mapping_box)
        self.combos: dict[str, QComboBox] = {}
        for key in KEYS:
            combo = QComboBox()
            combo.addItems([NONE, *self.table.headers])
            combo.setCurrentText(guessed.get(key, NONE))
            combo.currentIndexChanged.connect(self._update_buttons)
            label = KEY_LABELS[key] + (" *" if key in REQUIRED else "")
            form.addRow(label, combo)
            self.combos[key] = combo
        order = preview_order(self.table.headers, guessed)
        rows = preview(self.table)
        self.preview = _table(
            [self.table.headers[j] for j in order], [[r[j] for j in order] for r in rows]
        )
        self.preview.setMaximumHeight(220)
        top = QHBoxLayout()
        top.addWidget(mapping_box)
        first_rows = QVBoxLayout()
        first_rows.addWidget(styled_label("First rows of the file", "Muted"))
        first_rows.addWidget(self.preview)
        top.addLayout(first_rows, 1)
        layout.addLayout(top)

        buttons = QHBoxLayout()
        self.fit_button = QPushButton("Fit")
        self.fit_button.setObjectName("Primary")
        self.fit_button.clicked.connect(self.fit)
        self.status = styled_label("", "Muted", wrap=True)
        buttons.addWidget(self.fit_button)
        buttons.addWidget(self.status, 1)
        layout.addLayout(buttons)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.lanes = _table(["Lane", "Deliveries", "Family", "χ² p", "On time", "", "Written"], [])
        self.lanes.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lanes.itemSelectionChanged.connect(self._draw_lane)
        self.suppliers = _table(
            ["Supplier", "Deliveries", "Episodes", "Per year", "Duration", ""], []
        )
        self.problems = _table(["Row", "Column", "Problem"], [])
        self.details = QTabWidget()
        self.details.addTab(self.suppliers, "Suppliers")
        self.details.addTab(self.problems, "Problems")
        self.chart = ChartImage(size_hint=QSize(520, 240))
        self.chart.setMinimumSize(360, 200)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.chart)
        right.addWidget(self.details)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.lanes)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        bottom = QHBoxLayout()
        self.save_button = QPushButton("Save fitted workbook…")
        self.save_button.clicked.connect(self.save_dialog)
        self.open_button = QPushButton("Open it")
        self.open_button.clicked.connect(self._open)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addStretch(1)
        for b in (self.save_button, self.open_button, close):
            bottom.addWidget(b)
        layout.addLayout(bottom)
        self._update_buttons()

    # ------------------------------------------------------------------ mapping
    def mapping(self) -> dict[str, str]:
        return {k: c.currentText() for k, c in self.combos.items() if c.currentText() != NONE}

    def _update_buttons(self) -> None:
        missing = missing_keys(self.mapping())
        busy = self._worker is not None
        self.fit_button.setEnabled(not missing and not busy)
        if missing:
            self.status.setText("Choose a column for " + ", ".join(KEY_LABELS[k] for k in missing))
        self.save_button.setEnabled(self.outcome is not None and not busy)
        self.open_button.setEnabled(self.written is not None)

    # ------------------------------------------------------------------ fitting
    def fit(self) -> bool:
        if self._worker is not None or missing_keys(self.mapping()):
            return False
        net, table, mapping = self.network, self.table, self.mapping()

        def task(_context: TaskContext) -> FitOutcome:
            return compute_fit(net, table, mapping)

        worker = Worker(task, "fit")
        worker.signals.result.connect(self._show)
        worker.signals.errored.connect(lambda exc: self.status.setText(f"Could not fit: {exc}"))
        worker.signals.finished.connect(self._finished)
        self._worker = worker
        self.status.setText("Fitting…")
        self._update_buttons()
        worker.start(self.pool)
        return True

    def _finished(self) -> None:
        self._worker = None
        self._update_buttons()

    def _show(self, outcome: FitOutcome) -> None:
        self.outcome = outcome
        self.summary.setText(summary(outcome))
        self.status.setText(f"Fitted in {outcome.elapsed:.1f} s.")
        rows = lane_rows(outcome.fit)
        lane_keys = ("key", "n", "family", "pvalue", "on_time", "verdict", "cell")
        self._fill(self.lanes, [[_text(r[k]) for k in lane_keys] for r in rows])
        supplier_keys = ("site_id", "n", "episodes", "per_year", "duration", "verdict")
        srows = supplier_rows(outcome.fit)
        self._fill(self.suppliers, [[_text(r[k]) for k in supplier_keys] for r in srows])
        shown = outcome.fit.problems[:MAX_PROBLEMS]
        self._fill(self.problems, [[str(p.row), p.column, p.message] for p in shown])
        more = len(outcome.fit.problems) - len(shown)
        self.details.setTabText(
            1,
            f"Problems ({len(outcome.fit.problems):,}"
            + (f", {len(shown)} shown)" if more else ")"),
        )
        if rows:
            self.lanes.selectRow(0)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.setItem(i, j, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        for col in range(table.columnCount()):
            table.setColumnWidth(col, min(table.columnWidth(col), 320))

    def _draw_lane(self) -> None:
        if self.outcome is None:
            return
        items = self.lanes.selectedItems()
        if not items:
            return
        key = self.lanes.item(items[0].row(), 0).text()
        lane = self.outcome.fit.lanes.get(key)
        if lane is not None:
            self.chart.set_figure(lambda figure: lane_fit_figure(lane, figure=figure))

    # ------------------------------------------------------------------ saving
    def save_dialog(self) -> Path | None:
        start = str(default_output(self.workbook))
        path, _ = QFileDialog.getSaveFileName(
            self, "Save fitted workbook", start, "Excel workbook (*.xlsx)"
        )
        return self.save(path) if path else None

    def save(self, path: str | os.PathLike[str]) -> Path | None:
        """Write the fitted copy to ``path``; None (and the reason shown) on failure."""
        if self.outcome is None:
            return None
        try:
            counts = write_fitted_workbook(self.workbook, path, self.outcome.fit)
        except (JitriskError, OSError) as exc:
            self.status.setText(f"Not saved: {exc}")
            return None
        self.written = Path(path)
        self.status.setText(
            f"Saved {self.written.name}: {counts['lanes']} lead times and "
            f"{counts['suppliers']} disruption profiles changed, "
            f"{counts['lanes_kept'] + counts['suppliers_kept']} kept (marked)."
        )
        self._update_buttons()
        return self.written

    def _open(self) -> None:
        if self.written is not None:
            self.open_requested.emit(str(self.written))
            self.accept()

    def closeEvent(self, event: object) -> None:  # type: ignore[override]
        if self._worker is not None:
            self._worker.quit()
        self.pool.waitForDone(30_000)
        super().closeEvent(event)  # type: ignore[arg-type]
