"""What the three analysis views (Buffers, Risk, Safety stock) share.

Their messages (:class:`AnalysisErrors`, :class:`AnalysisInfos`) and the base
:class:`AnalysisView`: inputs, Run/Cancel with progress, idle and result pages,
and a worker of its own.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from jitrisk.engine import Progress
from jitrisk.errors import JitriskError, SimulationCancelled
from jitrisk.model.records import Network

from .. import theme
from ..dialogs.error import show_error_dialog
from ..logic.formatting import (
    format_duration,
    format_eta,
)
from ..logic.messages import Msg, ShownMessage
from ..widgets.chart_image import ChartImage
from ..widgets.common import MessageArea, column_layout, empty_state, styled_label
from ..widgets.flow import FlowLayout
from ..widgets.inputs import fill_scenarios
from ..widgets.page import FillPage, ResultPage
from ..workers.worker import TaskContext, Worker


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


class InputProblem(ValueError):
    """An input of a view cannot be used; carries the message to show."""

    def __init__(self, message: ShownMessage) -> None:
        super().__init__(message.text)
        self.message = message


def chart_image(
    draw: Callable[..., Figure], message: str, minimum: tuple[int, int] = (320, 240)
) -> ChartImage:
    """The analysis views' chart: rendered off the GUI thread like every chart of the app.

    Shows ``draw(message, figure=...)`` (a placeholder such as "Press Run")
    until the view sets a figure of results. Its size hint is modest, so
    splitters share the space as the views ask.
    """
    image = ChartImage(size_hint=QSize(*minimum))
    image.setMinimumSize(*minimum)
    image.set_figure(lambda figure: draw(message, figure=figure))
    return image


def fit_panes(splitter: QSplitter) -> None:
    """Give each pane of ``splitter`` at least its minimum size, taking the room from
    panes above theirs (larger type on a small screen would otherwise cut text)."""
    vertical = splitter.orientation() == Qt.Orientation.Vertical
    sizes = splitter.sizes()
    need = []
    for i in range(splitter.count()):
        hint = splitter.widget(i).minimumSizeHint()
        need.append(hint.height() if vertical else hint.width())
    short = sum(max(0, n - s) for n, s in zip(need, sizes, strict=True))
    if short == 0:
        return
    out = [max(s, n) for s, n in zip(sizes, need, strict=True)]
    for i in range(len(out)):
        spare = out[i] - need[i] if sizes[i] > need[i] else 0
        take = min(spare, short)
        out[i] -= take
        short -= take
    splitter.setSizes(out)


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
        self._splitters: list[QSplitter] = []
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
        self.title_label = styled_label(self.TITLE, "PageTitle")
        self.subtitle_label = styled_label(self.SUBTITLE, "Muted", wrap=True)
        head.addWidget(self.title_label)
        head.addSpacing(12)
        head.addWidget(self.subtitle_label, 1)
        layout.addLayout(head)

        bar = QFrame()
        bar_layout = column_layout(bar, "Card", (12, 8, 12, 8), 6)
        # the fields wrap onto a second row on a narrow window instead of scrolling sideways
        controls_box = QWidget()
        self.controls = FlowLayout(controls_box, spacing=12)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("Primary")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current batch of trials")
        self.cancel_button.clicked.connect(self.cancel)
        bar_layout.addWidget(controls_box)
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
        self.status_label = styled_label("", "Muted", wrap=True)  # wraps on a narrow window
        self.status_label.setMinimumHeight(20)
        feedback_row.addWidget(self.status_label, 1)
        self.feedback_row = feedback_row  # a view may add a button after the status
        bar_layout.addLayout(feedback_row)
        layout.addWidget(bar)
        self.inputs_bar = bar

        self.stack = QStackedWidget()
        self.idle_label = empty_state()
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
        self.run_info = styled_label("", "Muted", wrap=True)
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
        self._splitters.append(splitter)

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

    def presentation_caption(self) -> str:
        """What the view shows, for the presentation caption: the settings of its own
        computation (scenario, trials, seed), not the last Results run's; "" before one."""
        if self.stack.currentWidget() is not self.result_page:
            return ""
        return re.sub(r" · computed in [^·]*$", "", self.run_info.text())

    def set_presentation(self, on: bool) -> None:
        """On the projector only the result shows: the inputs bar, the run's settings line
        and the subtitle go (the caption names what was run; the room goes to the result)."""
        self.inputs_bar.setVisible(not on)
        self.run_info.setVisible(not on)
        self.subtitle_label.setVisible(not on)
        for splitter in self._splitters:  # once the larger type has been laid out
            QTimer.singleShot(0, splitter, lambda s=splitter: fit_panes(s))
        QTimer.singleShot(0, self, self.refit_tables)

    def refit_tables(self) -> None:
        """Fit the view's table columns to their text again (the type size changed)."""

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
        if progress.phase:  # starting or warming up a cluster
            self.progress_bar.setRange(0, 0)
            self.status_label.setText(f"{progress.phase[:1].upper()}{progress.phase[1:]}…")
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
