"""The Buffers view: the JIT curve of a site, a tier or the whole network.

Also home of what the three analysis views (Buffers, :mod:`ui.views.risk`,
:mod:`ui.views.safety`) share: their messages (:class:`AnalysisErrors`,
:class:`AnalysisInfos`), the base :class:`AnalysisView` (inputs, Run/Cancel
with progress, idle and result pages, a worker of its own), and
:class:`RecordsModel`, a sortable table over plain rows.

The work is a plain function, :func:`compute_buffer_curve`, with a progress
callback and a cancellation check; :class:`BuffersView` runs it on a
:class:`~ui.workers.worker.Worker` and only formats the :class:`BufferOutcome`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jitrisk.analysis.sweep import SweepResult, parse_levels, sweep
from jitrisk.engine import Progress
from jitrisk.errors import JitriskError, SimulationCancelled
from jitrisk.model.graph import build_graph
from jitrisk.model.records import Network

from .. import theme
from ..dialogs.error import show_error_dialog
from ..figures import analysis as analysis_charts
from ..logic.formatting import (
    format_compact,
    format_duration,
    format_eta,
    format_money_ci,
    format_percent,
    format_percent_ci,
)
from ..logic.messages import Msg, ShownMessage
from ..widgets.common import MessageArea
from ..workers.worker import TaskContext, Worker
from .results import FillPage

# =============================================================================== messages


class AnalysisErrors:
    """An analysis could not be run or stopped with an error."""

    analysis_failed = Msg(
        "analysis_failed",
        "error",
        "The {analysis} stopped",
        "{reason} Check the settings above and the workbook, then run again.",
    )
    bad_input = Msg(
        "bad_input",
        "error",
        "{what} not understood",
        "{reason} {hint}",
    )


class AnalysisInfos:
    """Status of an analysis worth a line above it."""

    analysis_cancelled = Msg(
        "analysis_cancelled",
        "info",
        "{analysis} cancelled",
        "{detail}. The results shown are from the previous run, if any.",
    )
    analysis_stale = Msg(
        "analysis_stale",
        "info",
        "Results are from an earlier version of the workbook",
        "The workbook was reloaded after this {analysis} was computed; press Run to update it.",
    )


ANALYSIS_MESSAGES: tuple[Msg, ...] = tuple(
    value
    for group in (AnalysisErrors, AnalysisInfos)
    for value in vars(group).values()
    if isinstance(value, Msg)
)


class InputProblem(ValueError):
    """An input of a view cannot be used; carries the message to show."""

    def __init__(self, message: ShownMessage) -> None:
        super().__init__(message.text)
        self.message = message


def scenario_network(net: Network, scenario: str) -> Network:
    """``net`` with ``scenario`` applied (the analyses take the scenario themselves;
    this is for what the view computes on its own, such as flows and defaults)."""
    from jitrisk.model.scenarios import apply_scenario

    return apply_scenario(net, scenario) if scenario and scenario != net.scenario else net


# =============================================================================== table model

ModelIndex = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 20
RowRole = Qt.ItemDataRole.UserRole + 21


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


class RecordsModel(QAbstractTableModel):
    """Read-only table over a list of rows (any objects) described by :class:`Column` s."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[Any] = []
        self._texts: list[list[str]] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [[c.text(r) for c in self.columns] for r in self._rows]
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].tooltip
        return None

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
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
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


def tint(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


# =============================================================================== base view


class ChartCanvas(FigureCanvasQTAgg):
    """A matplotlib canvas the views redraw with the functions of :mod:`ui.figures.analysis`.

    Its size hint is modest (a canvas would ask for its figure's full size),
    so splitters share the space as the views ask.
    """

    def __init__(self, figure: Figure, minimum: tuple[int, int] = (320, 240)) -> None:
        super().__init__(figure)
        self.setMinimumSize(*minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return self.minimumSize()


class ResultPage(QWidget):
    """The page of results under the controls (no height-for-width, like ``FillPage``)."""

    def hasHeightForWidth(self) -> bool:
        return False


def spin_box(minimum: int, maximum: int, value: int, step: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setSingleStep(step)
    box.setGroupSeparatorShown(True)
    box.setAccelerated(True)
    box.setToolTip(tip)
    box.setMinimumWidth(90)
    return box


def labelled(text: str, widget: QWidget, tip: str = "") -> QWidget:
    """A small caption over an input, the way the controls bar lays out its fields."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    label = QLabel(text)
    label.setObjectName("Muted")
    label.setBuddy(widget)
    if tip:
        label.setToolTip(tip)
        widget.setToolTip(widget.toolTip() or tip)
    layout.addWidget(label)
    layout.addWidget(widget)
    return box


class AnalysisView(QWidget):
    """Inputs, Run/Cancel with progress, and an idle or a result page for one analysis.

    Subclasses put their inputs into :attr:`controls` (a horizontal layout),
    their results into :attr:`result_layout`, and implement :meth:`make_task`
    (from the inputs: the Qt-free work to run), :meth:`show_outcome` (format
    the result) and optionally :meth:`describe_progress`. The view owns a
    one-thread pool, so its work never waits for, or blocks, the window's.

    Signals
    -------
    outcome_shown(object)
        A finished result is on show.
    became_idle()
        The worker finished, whatever happened.
    """

    outcome_shown = Signal(object)
    became_idle = Signal()

    #: Words for messages: "The buffer curve stopped", "Buffer curve cancelled".
    ANALYSIS = "analysis"
    TITLE = "Analysis"
    SUBTITLE = ""
    IDLE_TEXT = "Press Run to compute."
    NO_NETWORK_TEXT = "Open a valid workbook to use this view."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.outcome: Any = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._worker: Worker | None = None
        self._started = 0.0
        self._best_fraction = 0.0
        self._watched: QWidget | None = None
        self._shares: list[tuple[QSplitter, tuple[int, ...]]] = []
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

        # a small window scrolls the page instead of growing the main window to fit it
        page = FillPage()
        page.setObjectName("PageBody")
        scroller = QScrollArea()
        scroller.setObjectName("Page")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroller)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(8)
        self.messages = MessageArea()
        messages_layout = self.messages.layout()
        if messages_layout is not None:
            messages_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.messages)

        head = QHBoxLayout()
        self.title_label = QLabel(self.TITLE)
        self.title_label.setObjectName("PageTitle")
        self.subtitle_label = QLabel(self.SUBTITLE)
        self.subtitle_label.setObjectName("Muted")
        self.subtitle_label.setWordWrap(True)
        head.addWidget(self.title_label)
        head.addSpacing(12)
        head.addWidget(self.subtitle_label, 1)
        layout.addLayout(head)

        bar = QFrame()
        bar.setObjectName("Card")
        bar_layout = QVBoxLayout(bar)
        bar_layout.setContentsMargins(12, 8, 12, 8)
        bar_layout.setSpacing(6)
        inputs_row = QHBoxLayout()
        inputs_row.setSpacing(12)
        self.controls = QHBoxLayout()
        self.controls.setSpacing(12)
        inputs_row.addLayout(self.controls)
        inputs_row.addStretch(1)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("Primary")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current batch of trials")
        self.cancel_button.clicked.connect(self.cancel)
        bar_layout.addLayout(inputs_row)
        feedback_row = QHBoxLayout()
        feedback_row.setSpacing(10)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")
        self.progress_bar.setFixedWidth(240)
        self.progress_bar.setVisible(False)
        feedback_row.addWidget(self.run_button)
        feedback_row.addWidget(self.cancel_button)
        feedback_row.addSpacing(6)
        feedback_row.addWidget(self.progress_bar)
        self.status_label = QLabel("")
        self.status_label.setObjectName("Muted")
        self.status_label.setMinimumHeight(20)
        feedback_row.addWidget(self.status_label, 1)
        bar_layout.addLayout(feedback_row)
        layout.addWidget(bar)

        self.stack = QStackedWidget()
        self.idle_label = QLabel()
        self.idle_label.setObjectName("EmptyState")
        self.idle_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_label.setWordWrap(True)
        self.stack.addWidget(self.idle_label)
        self.result_page = ResultPage()
        self.result_layout = QVBoxLayout(self.result_page)
        self.result_layout.setContentsMargins(0, 0, 0, 0)
        self.result_layout.setSpacing(8)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setStyleSheet(f"color: {theme.TEXT}; font-size: 11pt;")
        self.run_info = QLabel("")
        self.run_info.setObjectName("Muted")
        self.run_info.setWordWrap(True)
        self.result_layout.addWidget(self.headline)
        self.info_row = QHBoxLayout()  # the run's settings, then a view's display options
        self.info_row.addWidget(self.run_info, 1)
        self.result_layout.addLayout(self.info_row)
        self.stack.addWidget(self.result_page)
        layout.addWidget(self.stack, 1)
        scroller.setWidget(page)

    # ------------------------------------------------------------------ to override
    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        """The work the inputs describe and a one-line description; raise
        :class:`InputProblem` for an input that cannot be used."""
        raise NotImplementedError

    def show_outcome(self, outcome: Any) -> None:
        """Format a finished result into the result page."""
        raise NotImplementedError

    def describe_progress(self, progress: Progress) -> str:
        return f"{progress.done:,} of {progress.total:,}"

    def share_space(self, splitter: QSplitter, *shares: int) -> None:
        """Give ``splitter``'s panes these shares of its height when results first show
        (later the planner's own dragging is kept)."""
        self._shares.append((splitter, shares))

    def _apply_shares(self) -> None:
        waiting = []
        for splitter, shares in self._shares:
            vertical = splitter.orientation() == Qt.Orientation.Vertical
            total = splitter.height() if vertical else splitter.width()
            if total > 0:
                splitter.setSizes([round(total * s / sum(shares)) for s in shares])
            else:
                waiting.append((splitter, shares))
        self._shares = waiting

    def network_changed(self, network: Network | None) -> None:
        """Fill the inputs from a new network (None: no valid workbook)."""

    def input_widgets(self) -> list[QWidget]:
        """Inputs disabled while the work runs or without a network."""
        return []

    # ------------------------------------------------------------------ network
    def set_network(self, network: Network | None) -> None:
        """Show ``network``'s inputs; results of the same sites stay, marked as stale."""
        if self._worker is not None:
            self._worker.quit()
            self._worker = None  # its result, if any, is for the previous network
            self._show_idle_controls()
        same = (
            network is not None
            and self.network is not None
            and self.outcome is not None
            and [s.site_id for s in network.sites] == [s.site_id for s in self.network.sites]
        )
        self.network = network
        self.network_changed(network)
        if network is not None:
            self.status_label.setText("Ready: set the inputs and press Run.")
        for key in ("analysis_failed", "analysis_cancelled", "bad_input", "analysis_stale"):
            self.messages.clear(key)
        if same:
            self.messages.show_message(AnalysisInfos.analysis_stale.format(analysis=self.ANALYSIS))
        else:
            self.outcome = None
            self.show_idle()
        self._update_enabled()

    def set_scenarios(self, network: Network | None) -> None:
        """The session's scenarios changed (a what-if made or removed in the window):
        offer them, keeping the inputs, the results and any analysis under way, since
        the sites and their data are the same."""
        if network is None or self.network is None:
            return
        self.network = network
        combo = getattr(self, "scenario_combo", None)
        if isinstance(combo, QComboBox):
            fill_scenarios(combo, network)

    def set_scenario(self, name: str) -> None:
        """Select scenario ``name`` when the view offers it (subclasses with a scenario box)."""
        combo = getattr(self, "scenario_combo", None)
        if isinstance(combo, QComboBox) and combo.findText(name) >= 0:
            combo.setCurrentText(name)

    def show_idle(self) -> None:
        self.idle_label.setText(
            f"<p style='font-size:14pt'><b>{self.TITLE}</b></p><p>{self.IDLE_TEXT}</p>"
            if self.network is not None
            else f"<p style='font-size:14pt'><b>{self.TITLE}</b></p><p>{self.NO_NETWORK_TEXT}</p>"
        )
        self.stack.setCurrentIndex(0)

    def has_results(self) -> bool:
        return self.outcome is not None

    # ------------------------------------------------------------------ running
    def is_running(self) -> bool:
        return self._worker is not None

    def run(self) -> bool:
        """Start the work the inputs describe; False when refused (no network, busy, bad input)."""
        if self.network is None or self._worker is not None:
            return False
        for key in ("analysis_failed", "analysis_cancelled", "bad_input"):
            self.messages.clear(key)
        try:
            task, description = self.make_task()
        except InputProblem as problem:
            self.messages.show_message(problem.message)
            return False
        self.start_task(task, description)
        return True

    def start_task(self, task: Callable[[TaskContext], Any], description: str) -> Worker:
        worker = Worker(task, self.ANALYSIS)
        worker.signals.progress.connect(lambda p, w=worker: self._on_progress(w, p))
        worker.signals.result.connect(lambda v, w=worker: self._on_result(w, v))
        worker.signals.errored.connect(lambda e, w=worker: self._on_error(w, e))
        worker.signals.cancelled.connect(lambda e, w=worker: self._on_cancelled(w, e))
        worker.signals.finished.connect(lambda w=worker: self._on_finished(w))
        self._worker = worker
        self._started = time.monotonic()
        self._best_fraction = 0.0
        self.progress_bar.setVisible(True)
        self.progress_bar.setRange(0, 0)  # busy until the first report
        self.progress_bar.setFormat("")
        self.status_label.setText(f"{description}…")
        if self.outcome is None:
            self.idle_label.setText(
                f"<p style='font-size:14pt'><b>{self.TITLE}</b></p><p>{description}…</p>"
                "<p>The results appear here when it finishes; Cancel stops it.</p>"
            )
        self._update_enabled()
        worker.start(self.pool)
        return worker

    def cancel(self) -> bool:
        """Ask the running work to stop after its current batch of trials."""
        if self._worker is None:
            return False
        self._worker.quit()
        self.cancel_button.setEnabled(False)
        self.status_label.setText("Cancelling after the current batch of trials…")
        return True

    def shutdown(self, wait_ms: int = 15_000) -> None:
        """Cancel and wait for the worker."""
        self.stop()
        self.pool.waitForDone(wait_ms)

    def _on_progress(self, worker: Worker, progress: object) -> None:
        if worker is not self._worker or self._worker.context.is_cancel_requested():
            return
        if isinstance(progress, str):  # a stage of the work without a measure
            self.progress_bar.setRange(0, 0)
            self.status_label.setText(progress)
            return
        if not isinstance(progress, Progress):
            return
        fraction = min(max(progress.fraction, self._best_fraction), 1.0)
        self._best_fraction = fraction
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(round(1000 * fraction))
        self.progress_bar.setFormat(f"{fraction:.0%}")
        elapsed = time.monotonic() - self._started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else math.inf
        self.status_label.setText(f"{self.describe_progress(progress)} · {format_eta(eta)}")

    def _on_result(self, worker: Worker, outcome: Any) -> None:
        if worker is not self._worker:
            return
        self.outcome = outcome
        self.messages.clear("analysis_stale")
        self.show_outcome(outcome)
        self.stack.setCurrentIndex(1)
        if self._shares:
            QTimer.singleShot(0, self, self._apply_shares)
        elapsed = time.monotonic() - self._started
        self.status_label.setText(f"Finished in {format_duration(elapsed)}.")
        self.outcome_shown.emit(outcome)

    def _on_error(self, worker: Worker, exc: BaseException) -> None:
        if worker is not self._worker:
            return
        if isinstance(exc, JitriskError):
            reason = str(exc).rstrip(".") + "."
        else:
            reason = f"An unexpected error stopped it ({type(exc).__name__})."
            show_error_dialog(exc, self)
        reason = reason[0].upper() + reason[1:]
        self.messages.show_message(
            AnalysisErrors.analysis_failed.format(analysis=self.ANALYSIS, reason=reason)
        )
        self.status_label.setText("The last run failed; see the message above.")
        if self.outcome is None:
            self.show_idle()

    def _on_cancelled(self, worker: Worker, exc: SimulationCancelled) -> None:
        if worker is not self._worker:
            return
        detail = str(exc) or "cancelled"
        self.messages.show_message(
            AnalysisInfos.analysis_cancelled.format(
                analysis=self.ANALYSIS[0].upper() + self.ANALYSIS[1:],
                detail=detail[0].upper() + detail[1:],
            )
        )
        self.status_label.setText(f"{detail[0].upper() + detail[1:]}.")
        if self.outcome is None:
            self.show_idle()

    def _on_finished(self, worker: Worker) -> None:
        if worker is self._worker:
            self._worker = None
            self._show_idle_controls()
        self.became_idle.emit()

    def _show_idle_controls(self) -> None:
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setVisible(False)
        self._update_enabled()

    def _update_enabled(self) -> None:
        can_edit = self.network is not None and self._worker is None
        for w in self.input_widgets():
            w.setEnabled(can_edit)
        self.run_button.setEnabled(can_edit)
        self.cancel_button.setEnabled(self._worker is not None)
        if self.network is None:
            self.status_label.setText("Open a valid workbook first.")

    # ------------------------------------------------------------------ closing
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Close:
            # the window may still refuse to close (unsaved scenarios): look once it decided
            QTimer.singleShot(0, self, self._stop_if_closed)
        return super().eventFilter(watched, event)

    def _stop_if_closed(self) -> None:
        if self._watched is not None and not self._watched.isVisible():
            self.stop()

    def stop(self) -> None:
        """Ask the worker to stop (the window closed or the application quits); the pool
        waits for it when the view is destroyed."""
        if self._worker is not None:
            self._worker.quit()


def scenario_box() -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(
        "baseline is the workbook as it is; other scenarios apply the Scenarios sheet's changes."
    )
    combo.setMinimumWidth(130)
    return combo


def fill_scenarios(combo: QComboBox, network: Network | None) -> None:
    current = combo.currentText()
    combo.clear()
    if network is not None:
        combo.addItems(list(network.scenario_names))
        if current in network.scenario_names:
            combo.setCurrentText(current)


# =============================================================================== buffers: work

DEFAULT_LEVELS = "0:30:1"
DEFAULT_BUFFER_TRIALS = 200


@dataclass(frozen=True)
class Target:
    """A choice of the target box: what to sweep and how to name it."""

    key: str  # site id, tier:<n>, type:<t>, region:<r> or network
    label: str  # as offered in the box
    title: str  # as the chart and headline name it
    members: int


def buffer_targets(net: Network) -> list[Target]:
    """What the Buffers view offers: the network, each supplier tier, each stocking type,
    each region, then every stocking site (id, name, type, tier, region)."""
    g = build_graph(net)
    stocking = [s for s in net.sites if s.is_stocking]
    out = [
        Target(
            "network",
            f"Whole network · every stocking site ({len(stocking)})",
            "the whole network",
            len(stocking),
        )
    ]
    tiers: dict[int, int] = {}
    for s in stocking:
        if s.type == "supplier":
            t = int(g.nodes[s.site_id].get("tier") or 1)
            tiers[t] = tiers.get(t, 0) + 1
    for t in sorted(tiers):
        out.append(
            Target(f"tier:{t}", f"Tier {t} suppliers ({tiers[t]})", f"tier {t} suppliers", tiers[t])
        )
    for kind, label in (("plant", "Plants"), ("dc", "Distribution centres")):
        n = sum(1 for s in stocking if s.type == kind)
        if n:
            out.append(Target(f"type:{kind}", f"All {label.lower()} ({n})", label.lower(), n))
    regions: dict[str, int] = {}
    for s in stocking:
        if s.region:
            regions[s.region] = regions.get(s.region, 0) + 1
    for r in sorted(regions):
        out.append(
            Target(
                f"region:{r}",
                f"Region {r} · stocking sites ({regions[r]})",
                f"region {r}",
                regions[r],
            )
        )
    for s in stocking:
        detail = s.type if s.type != "supplier" else f"tier {g.nodes[s.site_id].get('tier', 1)}"
        where = f", {s.region}" if s.region else ""
        name = f" · {s.name}" if s.name and s.name != s.site_id else ""
        out.append(Target(s.site_id, f"{s.site_id}{name} ({detail}{where})", s.site_id + name, 1))
    return out


@dataclass(frozen=True)
class BufferRequest:
    """What the Buffers view asks for."""

    target: str
    levels: tuple[float, ...]
    trials: int
    scenario: str
    title: str = ""

    def describe(self) -> str:
        return (
            f"Buffer curve of {self.title or self.target}: {len(self.levels)} levels × "
            f"{self.trials:,} trials"
        )


@dataclass(frozen=True)
class LevelRow:
    """One row of the levels table."""

    buffer_days: float
    stockout: tuple[float, float, float]
    change: tuple[float, float, float] | None
    fill_rate: tuple[float, float, float]
    lost_revenue: tuple[float, float, float]
    lost_change: tuple[float, float, float] | None
    is_knee: bool = False
    is_current: bool = False


@dataclass(frozen=True)
class BufferOutcome:
    """A finished buffer curve, ready to show."""

    request: BufferRequest
    result: SweepResult
    doc: dict[str, Any]
    rows: list[LevelRow]
    elapsed: float
    currency: str = ""
    members: tuple[str, ...] = field(default=())

    @property
    def knee(self) -> float | None:
        return self.doc.get("knee_buffer_days")

    @property
    def current(self) -> float | None:
        return self.doc.get("current_buffer_days")


def _triple(d: dict[str, Any] | None) -> tuple[float, float, float] | None:
    if not d:
        return None
    lo, hi = d.get("ci95") or (math.nan, math.nan)
    return float(d["mean"]), float(lo), float(hi)


def level_rows(doc: dict[str, Any]) -> list[LevelRow]:
    """The table rows of a ``SweepResult.to_dict()``."""
    knee, current = doc.get("knee_buffer_days"), doc.get("current_buffer_days")
    out = []
    for lv in doc["levels"]:
        diff = lv.get("difference_from_previous") or {}
        days = float(lv["buffer_days"])
        out.append(
            LevelRow(
                days,
                _triple(lv["stockout_day_probability"]),  # type: ignore[arg-type]
                _triple(diff.get("stockout_day_probability")),
                _triple(lv["fill_rate"]),  # type: ignore[arg-type]
                _triple(lv["lost_revenue"]),  # type: ignore[arg-type]
                _triple(diff.get("lost_revenue")),
                is_knee=knee is not None and math.isclose(days, knee),
                is_current=current is not None and math.isclose(days, current),
            )
        )
    return out


def compute_buffer_curve(
    net: Network,
    request: BufferRequest,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BufferOutcome:
    """Run :func:`jitrisk.analysis.sweep.sweep` for ``request`` and prepare the table. Qt-free.

    Raises
    ------
    jitrisk.errors.SimulationCancelled
        ``cancelled()`` returned True.
    jitrisk.errors.JitriskError
        The target or the settings cannot be swept.
    """
    t0 = time.perf_counter()
    result = sweep(
        net,
        request.target,
        list(request.levels),
        scenario=request.scenario,
        trials=request.trials,
        progress=progress,
        cancelled=cancelled,
    )
    doc = result.to_dict()
    return BufferOutcome(
        request,
        result,
        doc,
        level_rows(doc),
        time.perf_counter() - t0,
        net.settings.currency,
        result.sites,
    )


def buffer_task(net: Network, request: BufferRequest) -> Callable[[TaskContext], BufferOutcome]:
    """The worker task running :func:`compute_buffer_curve` with the context's hooks."""

    def task(context: TaskContext) -> BufferOutcome:
        return compute_buffer_curve(
            net, request, progress=context.report, cancelled=context.is_cancel_requested
        )

    return task


def _pp(t: tuple[float, float, float] | None) -> str:
    """A change of a probability in percentage points with its CI: ``'−1.23 pp [−1.40, −1.05]'``."""
    if t is None or not math.isfinite(t[0]):
        return ""
    m, lo, hi = (v * 100 for v in t)
    return f"{m:+.2f} pp [{lo:+.2f}, {hi:+.2f}]".replace("-", "−")


def _money_change(t: tuple[float, float, float] | None) -> str:
    if t is None or not math.isfinite(t[0]):
        return ""

    def signed(v: float) -> str:
        return ("+" if v > 0 else "−" if v < 0 else "") + format_compact(abs(v))

    return f"{signed(t[0])} [{signed(t[1])}, {signed(t[2])}]"


def _row_tint(row: LevelRow) -> QColor | None:
    if row.is_knee:
        return tint(theme.TEXT, 28)
    if row.is_current:
        return tint(theme.OK, 45)
    return None


def _level_label(row: LevelRow) -> str:
    marks = [m for m, on in (("knee", row.is_knee), ("current", row.is_current)) if on]
    return f"{row.buffer_days:g}" + (f"  ({', '.join(marks)})" if marks else "")


LEVEL_COLUMNS = (
    Column(
        "Buffer\ndays",
        "Safety stock in days of cover set at the chosen site(s). The knee and the current "
        "buffer are marked.",
        _level_label,
        lambda r: r.buffer_days,
        tint=_row_tint,
        bold=lambda r: r.is_knee or r.is_current,
    ),
    Column(
        "Stockout-day\nprobability",
        "Share of days ending with unfilled demand at the chosen site(s) (for a group: the mean "
        "over its sites), with its 95% CI.",
        lambda r: format_percent_ci(*r.stockout),
        lambda r: r.stockout[0],
        tint=_row_tint,
    ),
    Column(
        "Change vs\nprevious level",
        "Change in stockout-day probability from the level above, in percentage points, with "
        "the 95% CI of the paired difference (same random numbers at every level).",
        lambda r: _pp(r.change),
        lambda r: _nan_last(r.change[0]) if r.change else -math.inf,
        tint=_row_tint,
    ),
    Column(
        "Fill rate",
        "Share of demand at the chosen site(s) shipped on the day it was asked for, with its "
        "95% CI.",
        lambda r: format_percent_ci(*r.fill_rate),
        lambda r: r.fill_rate[0],
        tint=_row_tint,
    ),
    Column(
        "Network\nlost revenue",
        "Revenue lost to shortages across all customers over the horizon, with its 95% CI.",
        lambda r: format_money_ci(*r.lost_revenue),
        lambda r: r.lost_revenue[0],
        tint=_row_tint,
    ),
    Column(
        "Change in\nlost revenue",
        "Change in network lost revenue from the level above, with the 95% CI of the paired "
        "difference.",
        lambda r: _money_change(r.lost_change),
        lambda r: _nan_last(r.lost_change[0]) if r.lost_change else -math.inf,
        tint=_row_tint,
    ),
)


def headline(outcome: BufferOutcome) -> str:
    """What the curve says, in a sentence or two (rich text)."""
    rows = outcome.rows
    title = outcome.request.title or outcome.request.target
    parts = []
    knee = outcome.knee
    if knee is not None:
        first, last = rows[0], rows[-1]
        knee_row = next(r for r in rows if r.is_knee)
        steep = _slope(first, knee_row)
        flat = _slope(knee_row, last)
        share = format_percent(knee_row.stockout[0])
        text = f"<b>Knee at {days_text(knee)}</b> ({share} stockout days)"
        if math.isfinite(steep) and math.isfinite(flat):
            text += (
                f": below it each day of buffer removed adds about "
                f"<b>{steep * 100:.2f} percentage points</b> of stockout days; above it, about "
                f"{flat * 100:.2f}."
            )
        else:
            text += "."
        parts.append(text)
    else:
        parts.append("<b>No knee</b>: the curve has no clear bend over these levels.")
    current = outcome.current
    if current is not None:
        row = next((r for r in rows if r.is_current), None)
        if row is not None:
            where = (
                "below the knee: on the JIT cliff"
                if knee is not None and current < knee
                else "at or above the knee"
            )
            parts.append(
                f"Current buffer of {title}: <b>{days_text(current)}</b>, "
                f"{format_percent_ci(*row.stockout)} stockout days, {where}."
            )
        else:
            parts.append(f"Current buffer of {title}: {days_text(current)} (not among the levels).")
    elif len(outcome.members) > 1:
        parts.append(
            f"{len(outcome.members)} sites set to each level together; their current buffers "
            "differ, so none is marked."
        )
    return " ".join(parts)


def days_text(value: float) -> str:
    """``1`` → ``'1 day'``, ``2.5`` → ``'2.5 days'``."""
    return f"{value:g} day" if value == 1 else f"{value:g} days"


def _slope(a: LevelRow, b: LevelRow) -> float:
    """Stockout-day probability lost per extra day of buffer from ``a`` to ``b``."""
    span = b.buffer_days - a.buffer_days
    return (a.stockout[0] - b.stockout[0]) / span if span > 0 else math.nan


# =============================================================================== buffers: view


class BuffersView(AnalysisView):
    """Buffer curve of a site, a tier or the network: chart and levels table."""

    ANALYSIS = "buffer curve"
    TITLE = "Buffers"
    SUBTITLE = (
        "How stockout risk climbs as a buffer thins: each level simulated on the same "
        "random numbers, the knee marks the edge of the JIT cliff."
    )
    IDLE_TEXT = (
        "Choose a site, a tier or the whole network above. Press Run to compute the buffer curve."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._targets: list[Target] = []
        self._request: BufferRequest | None = None
        self.target_combo = QComboBox()
        self.target_combo.setEditable(True)
        self.target_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target_combo.setMinimumWidth(320)
        self.target_combo.setMaxVisibleItems(20)
        edit = self.target_combo.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("Type to search sites…")
        completer = QCompleter(self.target_combo.model(), self.target_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.target_combo.setCompleter(completer)
        self.levels_edit = QLineEdit(DEFAULT_LEVELS)
        self.levels_edit.setMaximumWidth(120)
        self.levels_edit.setToolTip(
            "Buffer levels in days of cover: start:stop:step (0:30:1) or a list (0,2,5,10)."
        )
        self.trials_spin = spin_box(
            10, 100_000, DEFAULT_BUFFER_TRIALS, 50, "Trials at each level (common random numbers)."
        )
        self.scenario_combo = scenario_box()
        self.controls.addWidget(labelled("Buffer of (site, tier or network)", self.target_combo), 1)
        self.controls.addWidget(labelled("Levels (days)", self.levels_edit))
        self.controls.addWidget(labelled("Trials per level", self.trials_spin))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.run_button.setToolTip("Compute the buffer curve")

        self.zoom_check = QCheckBox("Zoom past the knee")
        self.zoom_check.setChecked(True)
        self.zoom_check.setToolTip(
            "Scale the chart to the levels from the knee on, where buffers are usually set; "
            "the cliff below the knee leaves the chart and a note gives its values."
        )
        self.zoom_check.toggled.connect(self._redraw)
        self.info_row.addWidget(self.zoom_check)
        self.canvas = ChartCanvas(analysis_charts.empty_figure("Press Run"))
        self.model = RecordsModel(LEVEL_COLUMNS, self)
        self.table = records_table(self.model, self)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.canvas)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.share_space(splitter, 11, 9)
        self.splitter = splitter
        self.result_layout.addWidget(splitter, 1)
        self._drawn = False
        self.set_network(None)

    def input_widgets(self) -> list[QWidget]:
        return [self.target_combo, self.levels_edit, self.trials_spin, self.scenario_combo]

    def network_changed(self, network: Network | None) -> None:
        current = self.target_key()
        self.target_combo.clear()
        fill_scenarios(self.scenario_combo, network)
        self._targets = buffer_targets(network) if network is not None else []
        groups = 0
        for i, t in enumerate(self._targets):
            kind = t.key.split(":")[0] if ":" in t.key or t.key == "network" else "site"
            if i > 0 and kind != groups:
                self.target_combo.insertSeparator(self.target_combo.count())
            groups = kind  # type: ignore[assignment]
            self.target_combo.addItem(t.label, t.key)
        if current is not None:
            self.select_target(current)

    def select_target(self, key: str) -> bool:
        """Choose the target with ``key`` (site id, tier:<n>, type:<t>, region:<r>, network)."""
        i = self.target_combo.findData(key)
        if i < 0:
            return False
        self.target_combo.setCurrentIndex(i)
        return True

    def target_key(self) -> str | None:
        """The chosen target's key; a typed site id or label counts too."""
        text = self.target_combo.currentText().strip()
        if not text:
            return None
        i = self.target_combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if i >= 0:
            return str(self.target_combo.itemData(i))
        for t in self._targets:
            if t.key.lower() == text.lower():
                return t.key
        return None

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        key = self.target_key()
        if key is None:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Site",
                    reason=f"No site, tier or region matches “{self.target_combo.currentText()}”.",
                    hint="Pick one from the list; typing filters it.",
                )
            )
        try:
            levels = parse_levels(self.levels_edit.text().strip() or DEFAULT_LEVELS)
        except JitriskError as exc:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Buffer levels",
                    reason=str(exc)[0].upper() + str(exc)[1:] + ".",
                    hint="For example 0:30:1 (every day from 0 to 30) or 0,1,2,5,10,20.",
                )
            ) from None
        if len(levels) < 2:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Buffer levels",
                    reason="A curve needs at least two levels.",
                    hint="For example 0:30:1.",
                )
            )
        title = next((t.title for t in self._targets if t.key == key), key)
        request = BufferRequest(
            key,
            tuple(levels),
            self.trials_spin.value(),
            self.scenario_combo.currentText() or "baseline",
            title,
        )
        self._request = request
        return buffer_task(self.network, request), request.describe()

    def describe_progress(self, progress: Progress) -> str:
        n = len(self._request.levels) if self._request is not None else 0
        if not n:
            return super().describe_progress(progress)
        per = max(progress.total // n, 1)
        return f"Level {min(progress.done // per + 1, n)} of {n}"

    def show_outcome(self, outcome: BufferOutcome) -> None:
        req = outcome.request
        self.headline.setText(headline(outcome))
        self.run_info.setText(
            f"{req.title or req.target} · scenario {outcome.result.scenario} · "
            f"{len(req.levels)} levels × {outcome.result.trials:,} trials · seed "
            f"{outcome.result.seed} · computed in {format_duration(outcome.elapsed)}"
        )
        self.model.set_rows(outcome.rows)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.model().sort(-1)
        fit_columns(self.table)
        knee_row = next((i for i, r in enumerate(outcome.rows) if r.is_knee), None)
        if knee_row is not None:
            self.table.scrollTo(self.table.model().index(knee_row, 0))
        self._drawn = False
        # the chart after this event-loop turn: the table shows at once
        QTimer.singleShot(0, self, lambda: self._draw(outcome))

    def _draw(self, outcome: BufferOutcome) -> None:
        if outcome is not self.outcome:
            return
        req = outcome.request
        analysis_charts.buffer_curve_figure(
            outcome.doc,
            title=f"JIT buffer curve: {req.title or req.target}",
            zoom=self.zoom_check.isChecked(),
            figure=self.canvas.figure,
        )
        self.canvas.draw()
        self._drawn = True

    def _redraw(self) -> None:
        if isinstance(self.outcome, BufferOutcome):
            self._drawn = False
            self._draw(self.outcome)

    def chart_drawn(self) -> bool:
        return self._drawn
