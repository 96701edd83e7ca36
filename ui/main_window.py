"""The main window: menus, the Summary and Results views, the Problems and Run docks.

The window composes the views and routes work: opening a workbook and running
a simulation both happen on a :class:`~ui.workers.Worker` in the window's
thread pool, so the event loop never waits for the core. What may be done when
is decided by :class:`~ui.state.SessionState`; what the planner is told comes
from :mod:`ui.messages`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QThreadPool, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jitrisk.engine import Progress
from jitrisk.errors import JitriskError, Problem, SimulationCancelled
from jitrisk.template import write_template

from .about import about_html
from .error_dialog import show_error_dialog
from .file_watcher import WorkbookWatcher
from .guide import GuideDialog
from .icons import app_icon
from .messages import Errors, Infos, Warnings, plural
from .problems_dock import ProblemsDock
from .recent_files import RecentFiles
from .results_view import ResultsView
from .run_panel import RunDock
from .state import Activity, SessionState
from .summary_view import SummaryView
from .tasks import LoadedWorkbook, RunOutcome, RunRequest, is_workbook_path
from .widgets import MessageArea
from .workers import Worker, load_task, simulation_task

APP_TITLE = "jitrisk"
FILE_FILTER = "Excel workbooks (*.xlsx *.xlsm);;All files (*)"
#: Seconds to wait for a running chunk when the window closes.
CLOSE_WAIT_MS = 15_000


class MainWindow(QMainWindow):
    """The application window.

    Parameters
    ----------
    settings : QSettings, optional
        Where recent files and the window layout are kept (tests pass a
        throw-away file); defaults to the application's settings.
    """

    workbook_loaded = Signal(object)
    run_finished = Signal(object)
    run_cancelled = Signal(object)
    run_failed = Signal(object)
    became_idle = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or QSettings()
        self.recent = RecentFiles(self.settings)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.state = SessionState()
        self.document: LoadedWorkbook | None = None
        self._loading_path: Path | None = None
        self._reloading = False
        self._load_worker: Worker | None = None
        self._run_worker: Worker | None = None
        # the last finished worker, kept until the next one finishes: its pool thread may
        # still be returning from run() when the finished signal arrives here
        self._retired: Worker | None = None
        self._guide: GuideDialog | None = None

        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self.watcher = WorkbookWatcher(self)
        self.watcher.changed.connect(self._on_file_changed)
        self.watcher.removed.connect(self._on_file_removed)
        self.resize(1440, 900)
        self._restore_layout()
        self._apply_state()

    # ------------------------------------------------------------------ construction
    def _build_views(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.messages = MessageArea()
        layout.addWidget(self.messages)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.summary_view = SummaryView()
        self.results_view = ResultsView()
        self.tabs.addTab(self.summary_view, "Summary")
        self.tabs.addTab(self.results_view, "Results")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.problems_dock = ProblemsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.panel.problem_activated.connect(self._on_problem_activated)
        self.run_dock = RunDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.run_dock)
        self.run_panel = self.run_dock.panel
        self.run_panel.run_requested.connect(self.start_run)
        self.run_panel.cancel_requested.connect(self.cancel_run)
        self.resizeDocks([self.run_dock], [300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [200], Qt.Orientation.Vertical)

    def _action(
        self,
        key: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self._actions[key] = action
        self.addAction(action)  # shortcuts work whichever widget has focus
        return action

    def action(self, key: str) -> QAction:
        """The window's action ``key``: new, open, reload, open_external, quit, run, cancel,
        show_summary, show_results, guide, about, clear_recent."""
        return self._actions[key]

    def _build_actions(self) -> None:
        self._actions: dict[str, QAction] = {}
        std = QKeySequence.StandardKey
        self._action(
            "new",
            "&New from template…",
            self.new_from_template_dialog,
            std.New,
            "Create an empty workbook from the template",
        )
        self._action("open", "&Open…", self.open_dialog, std.Open, "Open a workbook")
        self._action("reload", "&Reload", self.reload, "F5", "Read the workbook again from disk")
        self._action(
            "open_external",
            "Open in &spreadsheet application",
            self.open_external,
            tip="Open the workbook in Excel or the default spreadsheet application",
        )
        self._action("quit", "&Quit", self.close, std.Quit)
        self._action(
            "run",
            "&Run simulation",
            self.start_run,
            "Ctrl+R",
            "Run the scenario with the Run panel's settings",
        )
        self._action("cancel", "&Cancel run", self.cancel_run, "Esc", "Stop the running simulation")
        self._action("show_summary", "&Summary", lambda: self.tabs.setCurrentIndex(0), "Ctrl+1")
        self._action("show_results", "R&esults", lambda: self.tabs.setCurrentIndex(1), "Ctrl+2")
        self._action(
            "guide",
            "Workbook &guide",
            self.show_guide,
            std.HelpContents,
            "How to fill in a workbook",
        )
        self._action("about", "&About jitrisk", self.show_about)
        self._action("clear_recent", "Clear list", self._clear_recent)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._actions["new"])
        file_menu.addAction(self._actions["open"])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self._actions["reload"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["open_external"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["quit"])
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self._actions["show_summary"])
        view_menu.addAction(self._actions["show_results"])
        view_menu.addSeparator()
        view_menu.addAction(self.problems_dock.toggleViewAction())
        view_menu.addAction(self.run_dock.toggleViewAction())
        run_menu = bar.addMenu("&Run")
        run_menu.addAction(self._actions["run"])
        run_menu.addAction(self._actions["cancel"])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._actions["guide"])
        help_menu.addSeparator()
        help_menu.addAction(self._actions["about"])
        self._fill_recent_menu()

    def _build_status_bar(self) -> None:
        self.workbook_status = QLabel("No workbook")
        self.activity_status = QLabel("")
        self.statusBar().addPermanentWidget(self.activity_status)
        self.statusBar().addPermanentWidget(self.workbook_status)

    # ------------------------------------------------------------------ state
    def _set_activity(self, activity: Activity) -> None:
        self.state = self.state.with_(activity=activity)
        self._apply_state()

    def _apply_state(self) -> None:
        s = self.state
        self._actions["new"].setEnabled(s.can_open)
        self._actions["open"].setEnabled(s.can_open)
        self.recent_menu.setEnabled(s.can_open)
        self._actions["reload"].setEnabled(s.can_reload)
        self._actions["open_external"].setEnabled(s.has_workbook)
        self._actions["run"].setEnabled(s.can_run)
        self._actions["cancel"].setEnabled(s.can_cancel)
        self.activity_status.setText(
            {
                Activity.IDLE: "",
                Activity.LOADING: "Reading the workbook…",
                Activity.RUNNING: "Simulating…",
                Activity.CANCELLING: "Cancelling…",
            }[s.activity]
        )

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        start = str(self.settings.value("last_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Open workbook", start, FILE_FILTER)
        if path:
            self.open_workbook(path)

    def open_workbook(self, path: str | os.PathLike[str]) -> bool:
        """Start reading ``path`` off the GUI thread; False when refused at once.

        :attr:`workbook_loaded` is emitted with the :class:`LoadedWorkbook`
        when reading finishes, valid or not.
        """
        p = Path(path)
        if not self.state.can_open:
            doing = (
                "A workbook is being read"
                if self.state.activity is Activity.LOADING
                else "A simulation is running"
            )
            self.messages.show_message(Warnings.busy.format(doing=doing, action=f"open {p.name}"))
            return False
        if not is_workbook_path(p):
            self.messages.show_message(Errors.not_a_workbook.format(name=p.name))
            return False
        if not p.exists():
            self.messages.show_message(Errors.file_missing.format(name=p.name))
            self.recent.remove(p)
            return False
        self._reloading = self.document is not None and self.document.path == p
        self._loading_path = p
        self.settings.setValue("last_dir", str(p.parent))
        worker = Worker(load_task(p), "load")
        worker.signals.result.connect(self._on_loaded)
        worker.signals.errored.connect(self._on_load_error)
        worker.signals.finished.connect(self._on_load_finished)
        self._load_worker = worker
        self._set_activity(Activity.LOADING)
        self.statusBar().showMessage(f"Reading {p.name}…")
        worker.start(self.pool)
        return True

    def reload(self) -> bool:
        """Read the open workbook again (F5)."""
        if self.document is None:
            return False
        self.watcher.acknowledge()
        return self.open_workbook(self.document.path)

    def _on_loaded(self, doc: LoadedWorkbook) -> None:
        stale = self._reloading and self.results_view.has_results()
        self.document = doc
        self.state = self.state.with_(has_workbook=True, workbook_ok=doc.ok)
        self.setWindowTitle(f"{doc.name} — {APP_TITLE}")
        self.setWindowFilePath(str(doc.path))
        self.recent.add(doc.path)
        self.watcher.watch(doc.path)
        for key in (
            "workbook_invalid",
            "workbook_warnings",
            "file_changed",
            "file_missing",
            "open_failed",
            "not_a_workbook",
            "run_failed",
            "run_cancelled",
            "template_failed",
        ):
            self.messages.clear(key)
        self.summary_view.set_workbook(doc)
        self.problems_dock.set_problems(doc.report.problems, doc.outline)
        self.run_panel.set_network(doc.network)
        errors, warnings = len(doc.report.errors), len(doc.report.warnings)
        self.problems_dock.setVisible(bool(doc.report.problems))
        # after the dock is laid out again: a larger share when there is something to fix
        share = 0.42 if errors else 0.24
        QTimer.singleShot(0, lambda: self._resize_problems_dock(share))
        if errors:
            self.messages.show_message(
                Errors.workbook_invalid.format(name=doc.name, errors=plural(errors, "error"))
            )
            self.problems_dock.show()
            self.problems_dock.raise_()
            self.workbook_status.setText(f"{doc.name}: {plural(errors, 'error')}")
        else:
            if warnings:
                self.messages.show_message(
                    Warnings.workbook_warnings.format(
                        name=doc.name, warnings=plural(warnings, "warning")
                    )
                )
            sites = len(doc.network.sites) if doc.network is not None else 0
            self.workbook_status.setText(f"{doc.name}: {plural(sites, 'site')}, valid")
        if stale:
            self.results_view.set_stale(True)
        elif not self._reloading:
            self.results_view.show_empty()
            self.state = self.state.with_(has_results=False)
            self.tabs.setCurrentWidget(self.summary_view)
        self.statusBar().showMessage(f"Opened {doc.name}", 5000)
        self.workbook_loaded.emit(doc)

    def _resize_problems_dock(self, share: float) -> None:
        if self.problems_dock.isVisible():
            height = int(self.height() * share)
            self.resizeDocks([self.problems_dock], [height], Qt.Orientation.Vertical)

    def _on_load_error(self, exc: BaseException) -> None:
        name = self._loading_path.name if self._loading_path else "The workbook"
        self.messages.show_message(Errors.open_failed.format(name=name, reason=str(exc)))
        if not isinstance(exc, OSError | JitriskError):
            show_error_dialog(exc, self)

    def _on_load_finished(self) -> None:
        self._retired, self._load_worker = self._load_worker, None
        self._set_activity(Activity.IDLE)
        self.became_idle.emit()

    # ------------------------------------------------------------------ template
    def new_from_template_dialog(self) -> None:
        start = Path(str(self.settings.value("last_dir", str(Path.home())))) / "network.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, "New workbook from template", str(start), "Excel workbook (*.xlsx)"
        )
        if path:
            self.create_from_template(path)

    def create_from_template(self, path: str | os.PathLike[str]) -> bool:
        """Write the empty template to ``path`` and open it."""
        p = Path(path)
        if p.suffix.lower() != ".xlsx":
            p = p.with_name(p.name + ".xlsx")
        try:
            write_template(p)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.template_failed.format(reason=str(exc)))
            return False
        opened = self.open_workbook(p)
        self.messages.show_message(Infos.template_written.format(name=p.name))
        return opened

    def open_external(self) -> None:
        if self.document is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.document.path)))

    # ------------------------------------------------------------------ recent files
    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_workbook(p))
        if not paths:
            empty = self.recent_menu.addAction("No recent workbooks")
            empty.setEnabled(False)
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self._actions["clear_recent"])
        self._actions["clear_recent"].setEnabled(bool(paths))

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._fill_recent_menu()

    # ------------------------------------------------------------------ running
    def start_run(self, request: RunRequest | None = None) -> bool:
        """Run ``request`` (default: the Run panel's) off the GUI thread; False if refused."""
        if not isinstance(request, RunRequest):
            request = self.run_panel.request()
        if not self.state.can_run or self.document is None or self.document.network is None:
            return False
        worker = Worker(
            simulation_task(self.document.network, request, self.document.name), "simulate"
        )
        worker.signals.progress.connect(self._on_run_progress)
        worker.signals.result.connect(self._on_run_result)
        worker.signals.errored.connect(self._on_run_error)
        worker.signals.cancelled.connect(self._on_run_cancelled)
        worker.signals.finished.connect(self._on_run_finished)
        self._run_worker = worker
        for key in ("run_failed", "run_cancelled"):
            self.messages.clear(key)
        self._set_activity(Activity.RUNNING)
        self.run_panel.set_running(True)
        self.statusBar().showMessage(f"Running {request.describe()}…")
        worker.start(self.pool)
        return True

    def cancel_run(self) -> bool:
        """Ask the running simulation to stop after its current chunk (Esc)."""
        if self._run_worker is None or not self.state.can_cancel:
            return False
        self._run_worker.quit()
        self._set_activity(Activity.CANCELLING)
        self.run_panel.show_cancelling()
        return True

    def _on_run_progress(self, progress: Progress) -> None:
        if self._run_worker is not None and self.state.activity is Activity.RUNNING:
            self.run_panel.show_progress(progress)

    def _on_run_result(self, outcome: RunOutcome) -> None:
        self.results_view.set_outcome(outcome)
        self.state = self.state.with_(has_results=True)
        self.tabs.setCurrentWidget(self.results_view)
        self.run_panel.show_elapsed(outcome.result.trials, outcome.elapsed)
        self.statusBar().showMessage(f"Finished {outcome.request.describe()}", 8000)
        self.run_finished.emit(outcome)

    def _on_run_error(self, exc: BaseException) -> None:
        if isinstance(exc, JitriskError):
            reason = str(exc).rstrip(".") + "."
        else:
            reason = f"An unexpected error stopped it ({type(exc).__name__})."
            show_error_dialog(exc, self)
        self.messages.show_message(Errors.run_failed.format(reason=reason[0].upper() + reason[1:]))
        self.run_panel.show_finished("The last run failed; see the message above.", False)
        self.run_failed.emit(exc)

    def _on_run_cancelled(self, exc: SimulationCancelled) -> None:
        detail = str(exc) or "cancelled"
        detail = detail[0].upper() + detail[1:]
        self.messages.show_message(Infos.run_cancelled.format(detail=detail))
        self.run_panel.show_finished(f"{detail}.", False)
        self.statusBar().showMessage(detail, 8000)
        self.run_cancelled.emit(exc)

    def _on_run_finished(self) -> None:
        self._retired, self._run_worker = self._run_worker, None
        if self.run_panel.is_running():
            self.run_panel.show_finished("")
        self._set_activity(Activity.IDLE)
        self.became_idle.emit()

    # ------------------------------------------------------------------ reactions
    def _on_problem_activated(self, problem: Problem) -> None:
        kind = "Error" if problem.severity == "error" else "Warning"
        where = problem.location or "file"
        self.statusBar().showMessage(f"{kind} at {where}: {problem.message}")

    def _on_file_changed(self, path: str) -> None:
        if self.document is None or Path(path) != self.document.path:
            return
        self.messages.show_message(
            Infos.file_changed.format(name=self.document.name),
            actions=[("Reload", self._reload_now), ("Ignore", self._ignore_file_change)],
        )

    def _reload_now(self) -> None:
        self.reload()

    def _ignore_file_change(self) -> None:
        self.watcher.acknowledge()
        self.messages.clear("file_changed")

    def _on_file_removed(self, path: str) -> None:
        self.messages.show_message(Errors.file_missing.format(name=Path(path).name))

    # ------------------------------------------------------------------ help
    def show_guide(self) -> GuideDialog:
        if self._guide is None:
            self._guide = GuideDialog(self)
        self._guide.show()
        self._guide.raise_()
        return self._guide

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_TITLE}", about_html())

    # ------------------------------------------------------------------ drag and drop
    @staticmethod
    def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(is_workbook_path(p) for p in self._dropped_paths(event)):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event)
        books = [p for p in paths if is_workbook_path(p)]
        if books:
            event.acceptProposedAction()
            self.open_workbook(books[0])
        elif paths:
            self.messages.show_message(Warnings.dropped_files.format(name=paths[0].name))

    # ------------------------------------------------------------------ layout and closing
    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        layout = self.settings.value("window/state")
        if isinstance(layout, QByteArray | bytes):
            self.restoreState(QByteArray(layout))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._run_worker is not None:
            self._run_worker.quit()
        self.pool.waitForDone(CLOSE_WAIT_MS)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.watcher.stop()
        super().closeEvent(event)
