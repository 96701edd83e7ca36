"""The main window: menus, the views (Summary, Map, Results, Compare) and the docks.

The window composes the views and routes work: opening a workbook, running a
simulation and saving scenarios all happen on a :class:`~ui.workers.worker.Worker` in
the window's thread pool, so the event loop never waits for the core. What may
be done when is decided by :class:`~ui.logic.state.SessionState`; what the planner
is told comes from :mod:`ui.logic.messages`.

The session: the workbook as loaded, plus the what-if scenarios made in the
window (:attr:`MainWindow.session_network`), and every finished run, the
latest per scenario (:attr:`MainWindow.runs`), which the map, the Results,
the Compare view and presentation mode show. Sites selected on the map and in
the Results table are one selection, which the What-if panel acts on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QImageReader,
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
from jitrisk.model.records import Network
from jitrisk.workbook.fileio import refuse_overwrite_input
from jitrisk.workbook.template import write_template

from .dialogs.about import about_html
from .dialogs.error import show_error_dialog
from .dialogs.guide import GuideDialog
from .dialogs.shortcuts import ShortcutsDialog
from .logic.messages import Errors, Infos, Warnings, plural
from .logic.scenario_edits import (
    WhatIf,
    add_what_if,
    default_copy_path,
    remove_scenario,
    save_scenarios_copy,
    with_what_ifs,
)
from .logic.state import Activity, SessionState
from .logic.tasks import LoadedWorkbook, RunOutcome, RunRequest, is_workbook_path
from .panels.problems import ProblemsDock
from .panels.run import RunDock
from .panels.site import SiteDock
from .panels.whatif import WhatIfDock
from .session.autosave import (
    Autosave,
    AutosaveError,
    ScenarioAutosave,
    default_folder,
    file_digest,
    saved_at_text,
)
from .session.file_watcher import WorkbookWatcher
from .session.presentation import PresentationMode
from .session.recent_files import RecentFiles
from .session.settings_store import SettingsStore
from .views.buffers import BuffersView
from .views.compare import CompareView
from .views.network_map import NetworkMapWidget
from .views.results import ResultsView
from .views.risk import RiskView
from .views.safety import SafetyView
from .views.summary import SummaryView
from .widgets.common import MessageArea
from .widgets.icons import app_icon
from .widgets.sites_model import SiteIdRole
from .workers.gc_collector import GuiThreadCollector
from .workers.worker import TaskContext, Worker, load_task, simulation_task

APP_TITLE = "jitrisk"
FILE_FILTER = "Excel workbooks (*.xlsx *.xlsm);;All files (*)"
#: Seconds to wait for a running chunk when the window closes.
CLOSE_WAIT_MS = 15_000
#: After a run the map and the Compare view follow the Results view's two charts, each
#: in its own event-loop turn: polled every POLL_MS, for at most RESULTS_WAIT_MS.
POLL_MS = 25
RESULTS_WAIT_MS = 3_000
PNG_FILTER = "PNG image (*.png)"
REPORT_FILTER = "Excel report (*.xlsx);;PDF brief (*.pdf);;PowerPoint deck (*.pptx)"

log = logging.getLogger(__name__)


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class MainWindow(QMainWindow):
    """The application window.

    Parameters
    ----------
    settings : QSettings, optional
        Where recent files and the window layout are kept (tests pass a
        throw-away file); defaults to the application's settings.
    autosave_dir : path, optional
        Where the what-if scenarios are autosaved (see :mod:`ui.session.autosave`);
        by default ``$JITRISK_AUTOSAVE_DIR``, next to an INI settings file, or
        the application's data folder.
    """

    workbook_loaded = Signal(object)
    run_finished = Signal(object)
    run_cancelled = Signal(object)
    run_failed = Signal(object)
    became_idle = Signal()
    whatif_created = Signal(str)
    scenarios_saved = Signal(object)  # Path of the copy
    save_failed = Signal(object)
    whatifs_restored = Signal(list)  # names of the what-if scenarios restored

    def __init__(
        self,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
        autosave_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or QSettings()
        self.autosave = ScenarioAutosave(autosave_dir or default_folder(self.settings))
        #: SHA-256 of the open workbook as read, which its autosave records.
        self._digest = ""
        #: An autosave offered for restoring, until the planner restores or discards it.
        self._pending_restore: Autosave | None = None
        self.recent = RecentFiles(self.settings)
        # cyclic garbage is collected here, on the GUI thread, never on a pool thread
        self.collector = GuiThreadCollector(self)
        self.collector.start()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.state = SessionState()
        self.document: LoadedWorkbook | None = None
        self._loading_path: Path | None = None
        self._reloading = False
        self._load_worker: Worker | None = None
        self._run_worker: Worker | None = None
        self._guide: GuideDialog | None = None
        self.store = SettingsStore(self.settings)
        #: The workbook's network plus the what-if scenarios made here.
        self.session_network: Network | None = None
        #: What-if scenarios made in this session, by name.
        self.whatifs: dict[str, WhatIf] = {}
        #: Finished runs, the latest per scenario, in the order first run.
        self.runs: dict[str, RunOutcome] = {}
        #: The scenario whose results the views show.
        self.current_run: str | None = None
        self.selected_sites: list[str] = []
        #: Ask before closing (or opening another workbook) with unsaved what-ifs.
        self.ask_before_discarding = True
        self._unsaved = False
        self._selection_sync = False
        self._batch: list[RunRequest] = []
        self._batch_total = 0
        self._last_run_ok = False
        self._after_run_view: QWidget | None = None
        self._save_worker: Worker | None = None
        self._report_worker: Worker | None = None
        self._report_name = ""
        self._shortcuts: ShortcutsDialog | None = None

        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self.presentation = PresentationMode(
            self,
            self.tabs,
            scenarios=lambda: list(self.runs),
            current=lambda: self.current_run,
            show_scenario=self.show_run,
            title=lambda: self.document.name if self.document else APP_TITLE,
        )
        self.presentation.changed.connect(self._on_presentation_changed)
        self.watcher = WorkbookWatcher(self)
        self.watcher.changed.connect(self._on_file_changed)
        self.watcher.removed.connect(self._on_file_removed)
        self.resize(1440, 900)
        self._restore_layout()
        self._restore_view_settings()
        self._apply_state()
        self._offer_latest_autosave()

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
        self.map_view = NetworkMapWidget()
        self.results_view = ResultsView()
        self.compare_view = CompareView(self.pool)
        self.tabs.addTab(self.summary_view, "Summary")
        self.tabs.addTab(self.map_view, "Map")
        self.tabs.addTab(self.results_view, "Results")
        self.tabs.addTab(self.compare_view, "Compare")
        self.buffers_view = BuffersView()
        self.risk_view = RiskView()
        self.safety_view = SafetyView()
        self.analysis_views = (self.buffers_view, self.risk_view, self.safety_view)
        for view, title in (
            (self.buffers_view, "Buffers"),
            (self.risk_view, "Risk"),
            (self.safety_view, "Safety stock"),
        ):
            self.tabs.addTab(view, title)
            # the session's network: the workbook's, plus the what-ifs kept over a reload
            self.workbook_loaded.connect(lambda _doc, v=view: v.set_network(self.session_network))
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.map_view.selection_changed.connect(lambda ids: self._set_selection(ids, "map"))
        self.map_view.site_clicked.connect(self.show_site_details)
        self.map_view.export_requested.connect(self.export_map_dialog)
        self.map_view.run_chosen.connect(self.show_run)
        table = self.results_view.table
        table.selectionModel().selectionChanged.connect(self._on_table_selection)
        table.doubleClicked.connect(self._on_table_activated)
        self.compare_view.run_all_requested.connect(self.run_all_scenarios)

        self.problems_dock = ProblemsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.panel.problem_activated.connect(self._on_problem_activated)
        self.run_dock = RunDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.run_dock)
        self.run_panel = self.run_dock.panel
        self.run_panel.run_requested.connect(self.start_run)
        self.run_panel.cancel_requested.connect(self.cancel_run)
        self.whatif_dock = WhatIfDock(self)
        self.splitDockWidget(self.run_dock, self.whatif_dock, Qt.Orientation.Vertical)
        self.site_dock = SiteDock(self)
        self.tabifyDockWidget(self.whatif_dock, self.site_dock)
        self.whatif_dock.raise_()
        self.whatif_panel = self.whatif_dock.panel
        self.whatif_panel.run_requested.connect(self.run_what_if)
        self.whatif_panel.save_requested.connect(self.save_scenarios_dialog)
        self.whatif_panel.remove_requested.connect(self.remove_what_if)
        self.whatif_panel.clear_selection_requested.connect(lambda: self.select_sites([]))
        self.site_panel = self.site_dock.panel
        self.site_panel.closed.connect(self._close_site_details)
        self.site_panel.whatif_requested.connect(self._what_if_for_site)
        self.resizeDocks([self.run_dock], [330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.run_dock, self.whatif_dock], [330, 520], Qt.Orientation.Vertical)
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
        """The window's action ``key``: new, open, reload, save_scenarios, export_map,
        open_external, quit, run, run_whatif, run_all, cancel, show_summary, show_map,
        show_results, show_compare, show_buffers, show_risk, show_safety, fit_map,
        zoom_in, zoom_out, presentation, guide, shortcuts, about, clear_recent."""
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
            "save_scenarios",
            "&Save scenarios to a copy…",
            self.save_scenarios_dialog,
            "Ctrl+Shift+S",
            "Write the workbook with the what-if scenarios to a new file",
        )
        self._action(
            "export_report",
            "Export &report…",
            self.export_report_dialog,
            "Ctrl+Shift+E",
            "Excel report, PDF brief or PowerPoint deck of the run on screen",
        )
        self._action(
            "export_map",
            "&Export map as PNG…",
            self.export_map_dialog,
            "Ctrl+E",
            "Save the network map with its legend as an image",
        )
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
        self._action(
            "run_whatif",
            "Run &what-if",
            self.run_what_if,
            "Ctrl+Shift+R",
            "Add the What-if panel's change as a scenario and run it",
        )
        self._action(
            "run_all",
            "Run &all scenarios",
            self.run_all_scenarios,
            "Ctrl+Alt+R",
            "Run every scenario with the same settings, to compare them (paired)",
        )
        self._action("cancel", "&Cancel run", self.cancel_run, "Esc", "Stop the running simulation")
        self._action(
            "show_summary", "&Summary", lambda: self.show_view(self.summary_view), "Ctrl+1"
        )
        self._action("show_map", "&Map", lambda: self.show_view(self.map_view), "Ctrl+2")
        self._action(
            "show_results", "R&esults", lambda: self.show_view(self.results_view), "Ctrl+3"
        )
        self._action(
            "show_compare", "&Compare", lambda: self.show_view(self.compare_view), "Ctrl+4"
        )
        self._action(
            "show_buffers", "&Buffers", lambda: self.show_view(self.buffers_view), "Ctrl+5"
        )
        self._action("show_risk", "&Risk", lambda: self.show_view(self.risk_view), "Ctrl+6")
        self._action(
            "show_safety", "Safety s&tock", lambda: self.show_view(self.safety_view), "Ctrl+7"
        )
        self._action("fit_map", "&Fit map", self._fit_map, "Ctrl+0", "Show the whole network")
        self._action("zoom_in", "Zoom &in", lambda: self._zoom_map(1.25), std.ZoomIn)
        self._action("zoom_out", "Zoom &out", lambda: self._zoom_map(1 / 1.25), std.ZoomOut)
        presentation = self._action(
            "presentation",
            "&Presentation mode",
            self.toggle_presentation,
            "F11",
            "Full screen, large type, keyboard navigation (Esc leaves)",
        )
        presentation.setCheckable(True)
        self._action(
            "guide",
            "Workbook &guide",
            self.show_guide,
            std.HelpContents,
            "How to fill in a workbook",
        )
        self._action(
            "shortcuts",
            "&Keyboard shortcuts",
            self.show_shortcuts,
            "Ctrl+/",
            "Every shortcut, the map's mouse and the presentation keys",
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
        file_menu.addAction(self._actions["save_scenarios"])
        file_menu.addAction(self._actions["export_map"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["open_external"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["quit"])
        view_menu = bar.addMenu("&View")
        for key in ("show_summary", "show_map", "show_results", "show_compare"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        for key in ("show_buffers", "show_risk", "show_safety"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        for key in ("fit_map", "zoom_in", "zoom_out"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        view_menu.addAction(self._actions["presentation"])
        view_menu.addSeparator()
        for dock in (self.problems_dock, self.run_dock, self.whatif_dock, self.site_dock):
            view_menu.addAction(dock.toggleViewAction())
        self.view_menu = view_menu
        run_menu = bar.addMenu("&Run")
        run_menu.addAction(self._actions["run"])
        run_menu.addAction(self._actions["run_whatif"])
        run_menu.addAction(self._actions["run_all"])
        run_menu.addSeparator()
        run_menu.addAction(self._actions["cancel"])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._actions["guide"])
        help_menu.addAction(self._actions["shortcuts"])
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
        self._actions["run_whatif"].setEnabled(s.can_run)
        self._actions["run_all"].setEnabled(s.can_run)
        self._actions["cancel"].setEnabled(s.can_cancel)
        self._actions["save_scenarios"].setEnabled(
            bool(self.whatifs) and self._save_worker is None and s.has_workbook
        )
        self._actions["export_map"].setEnabled(self.session_network is not None)
        self.whatif_panel.set_busy(s.busy or self._save_worker is not None)
        self.compare_view.run_all_button.setEnabled(s.can_run)
        self.compare_view.empty_run_all.setEnabled(s.can_run)
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
        another = self.document is None or self.document.path != p
        if another and not self._confirm_discard(f"open {p.name}"):
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
        if not self._reloading:  # another workbook: nothing of the previous one applies
            self.runs, self.current_run, self.whatifs = {}, None, {}
            self._set_unsaved(False)
            self.site_panel.clear()
        self.document = doc
        self._digest = file_digest(doc.path)
        self.state = self.state.with_(has_workbook=True, workbook_ok=doc.ok)
        self.setWindowTitle(f"{doc.name}[*] — {APP_TITLE}")
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
            "whatif_failed",
            "whatifs_dropped",
            "save_refused",
            "save_failed",
            "export_failed",
            "autosave_elsewhere",
            "autosave_found",
            "autosave_partly",
            "autosave_unreadable",
        ):
            self.messages.clear(key)
        if not self._reloading:
            self._pending_restore = None
        network = doc.network
        if network is not None and self.whatifs:  # a reload keeps the what-ifs that still apply
            network, dropped = with_what_ifs(network, self.whatifs.values())
            if dropped:
                for line in dropped:
                    self.whatifs.pop(line.split(":", 1)[0], None)
                self.messages.show_message(
                    Warnings.whatifs_dropped.format(details="; ".join(dropped))
                )
            self._autosave_now()  # the workbook's new digest, without the dropped ones
        self.session_network = network
        self.summary_view.set_workbook(doc)
        self.problems_dock.set_problems(doc.report.problems, doc.outline)
        self.run_panel.set_network(network)
        self._restore_run_settings(doc)
        self.map_view.set_network(network, doc.name)
        self.whatif_panel.set_network(network)
        self.whatif_panel.set_what_ifs(list(self.whatifs.values()))
        self.selected_sites = []
        self.whatif_panel.set_selection([])
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
        shown = self.runs.get(self.current_run or "")
        self.map_view.set_outcome(shown)
        self.map_view.set_runs(list(self.runs), self.current_run)
        self.site_panel.set_context(network, shown)
        self.compare_view.set_runs(self.runs)
        self.statusBar().showMessage(f"Opened {doc.name}", 5000)
        if not self._reloading and network is not None:
            self._offer_restore(doc)
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
        self._load_worker = None
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
        network = self.session_network
        if not self.state.can_run or self.document is None or network is None:
            return False
        worker = Worker(simulation_task(network, request, self.document.name), "simulate")
        worker.signals.progress.connect(self._on_run_progress)
        worker.signals.result.connect(self._on_run_result)
        worker.signals.errored.connect(self._on_run_error)
        worker.signals.cancelled.connect(self._on_run_cancelled)
        worker.signals.finished.connect(self._on_run_finished)
        self._run_worker = worker
        self._last_run_ok = False
        self.store.save_run_settings(self.document.path, request)
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
        name = outcome.request.scenario
        self.runs[name] = outcome
        self.current_run = name
        self._last_run_ok = True
        self.results_view.set_outcome(outcome)
        self.state = self.state.with_(has_results=True)
        if not self._batch:  # a batch (Run all scenarios) opens the Compare view at its end
            self._open_view_after_run()
        self.run_panel.show_elapsed(outcome.result.trials, outcome.elapsed)
        self.statusBar().showMessage(f"Finished {outcome.request.describe()}", 8000)
        # the map and Compare follow once the Results view has drawn its charts, each in
        # its own event-loop turn, so no turn holds the window for long
        self._after_results_drawn(lambda: self._show_outcome_in_map(outcome))
        self.run_finished.emit(outcome)

    def _after_results_drawn(self, then: Callable[[], object], waited_ms: int = 0) -> None:
        if not self.results_view.charts_drawn() and waited_ms < RESULTS_WAIT_MS:
            QTimer.singleShot(
                POLL_MS, self, lambda: self._after_results_drawn(then, waited_ms + POLL_MS)
            )
        else:
            QTimer.singleShot(0, self, then)

    def _open_view_after_run(self) -> None:
        """Results, unless the planner watches the map or the comparison (or a what-if ran)."""
        target = self._after_run_view
        self._after_run_view = None
        if target is None and self.tabs.currentWidget() not in (self.map_view, self.compare_view):
            target = self.results_view
        if target is self.compare_view and len(self.runs) < 2:
            target = self.results_view
        if target is not None and not self.presentation.active:
            self.tabs.setCurrentWidget(target)

    def _show_outcome_in_map(self, outcome: RunOutcome) -> None:
        """After a run: the map and the site panel, then (next turn) the Compare view."""
        current = self.current_run == outcome.request.scenario
        if current and self.runs.get(outcome.request.scenario) is outcome:
            self.map_view.set_outcome(outcome)
            self.map_view.set_runs(list(self.runs), self.current_run)
            self.site_panel.set_context(self.session_network, outcome)
            self.presentation.update_caption()
        QTimer.singleShot(0, self, lambda: self.compare_view.set_runs(self.runs))

    def show_run(self, name: str) -> bool:
        """Show the kept results of scenario ``name`` in every view; False if it has none."""
        outcome = self.runs.get(name)
        if outcome is None:
            return False
        self.current_run = name
        self.results_view.set_outcome(outcome)
        self.map_view.set_outcome(outcome)
        self.map_view.set_runs(list(self.runs), name)
        self.site_panel.set_context(self.session_network, outcome)
        self.presentation.update_caption()
        return True

    def run_all_scenarios(self) -> bool:
        """Run every scenario, one after the other, with the Run panel's settings.

        The same seed, horizon and trials make the differences in the Compare
        view paired (common random numbers). The Compare view opens at the end.
        """
        network = self.session_network
        if not self.state.can_run or network is None:
            return False
        base = self.run_panel.request()
        requests = [replace(base, scenario=name) for name in network.scenario_names]
        self._batch = requests[1:]
        self._batch_total = len(requests)
        self.run_panel.set_batch(1, self._batch_total, requests[0].scenario)
        if not self.start_run(requests[0]):
            self._batch, self._batch_total = [], 0
            self.run_panel.set_batch(0, 0, "")
            return False
        return True

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
        self._run_worker = None
        if self.run_panel.is_running():
            self.run_panel.show_finished("")
        self._set_activity(Activity.IDLE)
        if self._batch and self._last_run_ok:
            request = self._batch.pop(0)
            position = self._batch_total - len(self._batch)
            self.run_panel.set_batch(position, self._batch_total, request.scenario)
            if self.start_run(request):
                return
        if self._batch_total > 1:
            if self._last_run_ok and len(self.runs) > 1 and not self.presentation.active:
                self.tabs.setCurrentWidget(self.compare_view)
            self.run_panel.set_batch(0, 0, "")
        self._batch, self._batch_total = [], 0
        self.became_idle.emit()

    # ------------------------------------------------------------------ views
    def show_view(self, view: QWidget) -> None:
        self.tabs.setCurrentWidget(view)

    def _fit_map(self) -> None:
        self.tabs.setCurrentWidget(self.map_view)
        self.map_view.fit()

    def _zoom_map(self, factor: float) -> None:
        self.tabs.setCurrentWidget(self.map_view)
        self.map_view.view.zoom_by(factor)

    # ------------------------------------------------------------------ selection
    def select_sites(self, site_ids: Sequence[str]) -> None:
        """Select ``site_ids`` on the map and in the Results table (the What-if panel follows)."""
        self._set_selection(list(site_ids), "api")

    def _set_selection(self, site_ids: list[str], source: str) -> None:
        if self._selection_sync:
            return
        self.selected_sites = list(site_ids)
        self.whatif_panel.set_selection(self.selected_sites)
        self._selection_sync = True
        try:
            if source != "map":
                self.map_view.select_sites(self.selected_sites)
            if source != "table":
                self._select_table_rows(self.selected_sites)
        finally:
            self._selection_sync = False

    def _select_table_rows(self, site_ids: list[str]) -> None:
        table = self.results_view.table
        proxy = table.model()
        wanted = set(site_ids)
        selection = QItemSelection()
        last = proxy.columnCount() - 1
        for row in range(proxy.rowCount()):
            index = proxy.index(row, 0)
            if proxy.data(index, SiteIdRole) in wanted:
                selection.select(index, proxy.index(row, last))
        table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _on_table_selection(self, *_args: object) -> None:
        if self._selection_sync:
            return
        table = self.results_view.table
        proxy = table.model()
        rows = sorted({i.row() for i in table.selectionModel().selectedRows()})
        ids = [str(proxy.data(proxy.index(r, 0), SiteIdRole)) for r in rows]
        self._set_selection(ids, "table")

    def _on_table_activated(self, index: QModelIndex) -> None:
        site_id = index.data(SiteIdRole)
        if site_id:
            self.show_site_details(str(site_id))

    def show_site_details(self, site_id: str) -> bool:
        """Open the Site panel on ``site_id``."""
        if not self.site_panel.show_site(site_id):
            return False
        self.site_dock.show()
        self.site_dock.raise_()
        return True

    def _close_site_details(self) -> None:
        self.site_panel.clear()
        self.whatif_dock.raise_()

    def _what_if_for_site(self, site_id: str) -> None:
        self.select_sites([site_id])
        self.whatif_dock.show()
        self.whatif_dock.raise_()
        self.whatif_panel.name_edit.setFocus()

    # ------------------------------------------------------------------ what-if
    def run_what_if(self, whatif: WhatIf | None = None) -> bool:
        """Add ``whatif`` (default: the What-if panel's) as a scenario and run it."""
        if not isinstance(whatif, WhatIf):
            whatif = self.whatif_panel.what_if()
        if not self.state.can_run or self.session_network is None or self.document is None:
            return False
        try:
            network = add_what_if(self.session_network, whatif)
        except JitriskError as exc:
            self.messages.show_message(Errors.whatif_failed.format(reason=_sentence(exc)))
            return False
        self.messages.clear("whatif_failed")
        name = whatif.name.strip()
        self.whatifs[name] = replace(whatif, name=name)
        self._set_session_network(network)
        self._set_unsaved(True)
        self._autosave_now()
        self.whatif_created.emit(name)
        request = replace(self.run_panel.request(), scenario=name)
        self.run_panel.set_request(request)
        self._after_run_view = self.compare_view if self.runs else None
        return self.start_run(request)

    def remove_what_if(self, name: str) -> bool:
        """Remove the what-if scenario ``name`` and its results."""
        if name not in self.whatifs or self.session_network is None or self.state.busy:
            return False
        self.whatifs.pop(name)
        self._set_session_network(remove_scenario(self.session_network, name))
        self.runs.pop(name, None)
        if self.current_run == name:
            self.current_run = None
            remaining = list(self.runs)
            if remaining:
                self.show_run(remaining[-1])
            else:
                self.results_view.show_empty()
                self.map_view.set_outcome(None)
                self.site_panel.set_context(self.session_network, None)
                self.state = self.state.with_(has_results=False)
        self.map_view.set_runs(list(self.runs), self.current_run)
        self.compare_view.set_runs(self.runs)
        self._set_unsaved(bool(self.whatifs))
        self._autosave_now()
        return True

    def _set_session_network(self, network: Network) -> None:
        self.session_network = network
        self.run_panel.set_scenarios(list(network.scenario_names), network)
        for view in self.analysis_views:
            view.set_scenarios(network)  # what-ifs can be analysed like workbook scenarios
        self.whatif_panel.set_network(network)
        self.whatif_panel.set_what_ifs(list(self.whatifs.values()))
        self._apply_state()

    def _set_unsaved(self, unsaved: bool) -> None:
        self._unsaved = unsaved
        self.setWindowModified(unsaved)
        self._apply_state()

    def _confirm_discard(self, doing: str) -> bool:
        """True when unsaved what-ifs may be dropped (the planner is asked if there are some)."""
        if not (self.whatifs and self._unsaved and self.ask_before_discarding):
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved what-if scenarios")
        box.setText(
            f"{plural(len(self.whatifs), 'what-if scenario')} made here "
            "are not saved in a workbook."
        )
        box.setInformativeText(
            f"Save them to a copy of the workbook before you {doing}? The workbook you opened "
            "is never changed."
        )
        save = box.addButton("Save to a copy…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        if clicked is cancel:
            return False
        if clicked is save:
            return self._save_now()
        self.discard_autosave()
        return True

    def _save_now(self) -> bool:
        """Save the scenarios on the spot (before closing): a file dialog, then write."""
        if self.document is None or self.session_network is None:
            return True
        path = self._ask_copy_path()
        if not path:
            return False
        try:
            save_scenarios_copy(self.session_network, path, self.document.path)
        except JitriskError as exc:
            self.messages.show_message(Errors.save_failed.format(reason=_sentence(exc)))
            return False
        self._set_unsaved(False)
        self.autosave.clear(self.document.path)
        return True

    def _ask_copy_path(self) -> str:
        assert self.document is not None
        default = default_copy_path(self.document.path)
        path, _ = QFileDialog.getSaveFileName(
            self, "Save scenarios to a copy", str(default), "Excel workbook (*.xlsx)"
        )
        return path

    def save_scenarios_dialog(self) -> None:
        """File > Save scenarios to a copy: asks where (default ``<name>-scenarios.xlsx``)."""
        if self.document is not None and self.session_network is not None:
            path = self._ask_copy_path()
            if path:
                self.save_scenarios(path)

    def save_scenarios(self, path: str | os.PathLike[str]) -> bool:
        """Write the workbook with the session's scenarios to ``path``, off the GUI thread.

        Refused (with a message) when ``path`` is the workbook that was opened;
        otherwise :attr:`scenarios_saved` or :attr:`save_failed` follows.
        """
        doc, network = self.document, self.session_network
        if doc is None or network is None or self._save_worker is not None:
            return False
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        try:
            refuse_overwrite_input(target, doc.path)
        except JitriskError:
            self.messages.show_message(
                Errors.save_refused.format(
                    name=doc.name, suggestion=default_copy_path(doc.path).name
                )
            )
            return False
        for key in ("save_refused", "save_failed"):
            self.messages.clear(key)
        count = len(self.whatifs)
        worker = Worker(lambda _ctx: save_scenarios_copy(network, target, doc.path), "save")
        worker.signals.result.connect(lambda written: self._on_saved(written, doc, count))
        worker.signals.errored.connect(self._on_save_error)
        worker.signals.finished.connect(self._on_save_finished)
        self._save_worker = worker
        self._apply_state()
        self.statusBar().showMessage(f"Saving {target.name}…")
        worker.start(self.pool)
        return True

    def _on_saved(self, path: Path, doc: LoadedWorkbook, count: int) -> None:
        self._set_unsaved(False)
        self.autosave.clear(doc.path)
        self.messages.show_message(
            Infos.scenarios_saved.format(
                name=path.name,
                scenarios=plural(count, "what-if scenario"),
                source=doc.name,
            ),
            actions=[("Open the copy", lambda: self.open_workbook(path))],
        )
        self.statusBar().showMessage(f"Saved {path}", 8000)
        self.scenarios_saved.emit(path)

    def _on_save_error(self, exc: BaseException) -> None:
        self.messages.show_message(Errors.save_failed.format(reason=_sentence(exc)))
        if not isinstance(exc, OSError | JitriskError):
            show_error_dialog(exc, self)
        self.save_failed.emit(exc)

    def _on_save_finished(self) -> None:
        self._save_worker = None
        self._apply_state()

    # ------------------------------------------------------------------ autosave
    def _autosave_now(self) -> None:
        """Write the session's what-ifs (and any still offered for restoring) to the
        workbook's autosave, atomically; a failure is a warning, never a stop."""
        if self.document is None:
            return
        items = dict(self.whatifs)
        if self._pending_restore is not None:
            offered = {w.name: w for w in self._pending_restore.whatifs if w.name not in items}
            items = {**offered, **items}
        try:
            self.autosave.write(self.document.path, self._digest, items.values())
        except (JitriskError, OSError) as exc:
            log.warning("autosave of the what-if scenarios failed: %s", exc)
            self.messages.show_message(Warnings.autosave_failed.format(reason=_sentence(exc)))
        else:
            self.messages.clear("autosave_failed")

    def _offer_restore(self, doc: LoadedWorkbook) -> None:
        """When ``doc`` has an autosave, offer to restore it (a message bar, not a dialog)."""
        try:
            saved = self.autosave.read(doc.path)
        except AutosaveError as exc:
            log.warning("ignoring the autosave of %s: %s", doc.path, exc)
            self.autosave.set_aside(doc.path)
            self.messages.show_message(
                Warnings.autosave_unreadable.format(name=doc.name, reason=str(exc))
            )
            return
        if saved is None or not saved.whatifs:
            return
        self._pending_restore = saved
        changed = (
            "; the workbook changed since, so those that no longer apply will be left out"
            if saved.sha256 and self._digest and saved.sha256 != self._digest
            else ""
        )
        when = saved_at_text(saved.saved_at)
        self.messages.show_message(
            Infos.autosave_found.format(
                scenarios=plural(len(saved.whatifs), "what-if scenario"),
                name=doc.name,
                saved_at=when or "autosaved",
                changed=changed,
            ),
            actions=[("Restore", self.restore_autosave), ("Discard", self.discard_autosave)],
        )

    def _offer_latest_autosave(self) -> None:
        """At start: point at the most recent autosave whose workbook still exists."""
        try:
            saved = self.autosave.latest()
        except OSError:
            return
        if saved is None:
            return
        path = Path(saved.workbook)
        self.messages.show_message(
            Infos.autosave_elsewhere.format(
                scenarios=plural(len(saved.whatifs), "what-if scenario"), name=path.name
            ),
            actions=[
                (f"Open {path.name}", lambda: self.open_workbook(path)),
                ("Discard", lambda: self._discard_autosave_of(path)),
            ],
        )

    def _discard_autosave_of(self, path: Path) -> None:
        self.autosave.clear(path)
        self.messages.clear("autosave_elsewhere")

    def restore_autosave(self) -> list[str]:
        """Add the autosaved what-ifs offered for the open workbook; the names restored."""
        saved, self._pending_restore = self._pending_restore, None
        self.messages.clear("autosave_found")
        network = self.session_network
        if saved is None or network is None or self.state.activity is Activity.LOADING:
            return []
        todo = [w for w in saved.whatifs if w.name not in self.whatifs]
        network, dropped = with_what_ifs(network, todo)
        failed = {line.split(":", 1)[0] for line in dropped}
        restored = [w.name for w in todo if w.name not in failed]
        for whatif in todo:
            if whatif.name not in failed:
                self.whatifs[whatif.name] = whatif
        self._set_session_network(network)
        self._set_unsaved(bool(self.whatifs))
        self._autosave_now()
        if dropped:
            self.messages.show_message(Warnings.autosave_partly.format(details="; ".join(dropped)))
        if restored:
            self.statusBar().showMessage(
                f"Restored {plural(len(restored), 'what-if scenario')}", 8000
            )
        self.whatifs_restored.emit(restored)
        return restored

    def discard_autosave(self) -> None:
        """Drop the open workbook's autosave (and the offer to restore it)."""
        self._pending_restore = None
        self.messages.clear("autosave_found")
        if self.document is not None:
            self.autosave.clear(self.document.path)

    # ------------------------------------------------------------------ map export
    def export_map_dialog(self) -> None:
        """File > Export map as PNG."""
        if self.session_network is None or self.document is None:
            return
        folder = self.store.text("export_dir") or str(self.document.path.parent)
        start = Path(folder) / f"{self.document.path.stem}-map.png"
        path, _ = QFileDialog.getSaveFileName(self, "Export map as PNG", str(start), PNG_FILTER)
        if path:
            self.export_map(path)

    def export_map(self, path: str | os.PathLike[str]) -> Path | None:
        """Write the map with its legend to ``path`` (PNG); None (and a message) on failure."""
        try:
            written = self.map_view.export_png(path)
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.export_failed.format(reason=_sentence(exc)))
            return None
        size = QImageReader(str(written)).size()
        self.messages.show_message(
            Infos.map_exported.format(name=written.name, width=size.width(), height=size.height())
        )
        self.store.set_text("export_dir", str(written.parent))
        return written

    # ------------------------------------------------------------------ report export
    def export_report_dialog(self) -> None:
        """File > Export report: the run on screen as .xlsx, .pdf or .pptx."""
        outcome = self.runs.get(self.current_run or "")
        if outcome is None or self.document is None:
            self.messages.show_message(Infos.report_needs_run)
            return
        folder = self.store.text("export_dir") or str(self.document.path.parent)
        start = Path(folder) / f"{self.document.path.stem}-{outcome.request.scenario}-report.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "Export report", str(start), REPORT_FILTER)
        if path:
            self.export_report(path)

    def export_report(self, path: str | os.PathLike[str]) -> Worker | None:
        """Write the report of the run on screen to ``path`` off the GUI thread."""
        from jitrisk.cli.report import check_report_target
        from jitrisk.report import write_report
        from jitrisk.report.build import collect_from_result

        outcome = self.runs.get(self.current_run or "")
        network = self.session_network
        if outcome is None or self.document is None or network is None:
            self.messages.show_message(Infos.report_needs_run)
            return None
        if self._report_worker is not None:  # one at a time: each holds a core for a while
            self.messages.show_message(Infos.report_busy.format(name=self._report_name))
            return None
        self._report_name = Path(path).name
        source = self.document.path
        try:
            check_report_target(str(path), str(source))
        except (JitriskError, OSError) as exc:
            self.messages.show_message(Errors.report_failed.format(reason=_sentence(exc)))
            return None
        result = outcome.result

        def task(context: TaskContext) -> Path:
            data = collect_from_result(network, result, context.report, context.is_cancel_requested)
            return write_report(data, path, source)

        worker = Worker(task, "report")
        name = Path(path).name
        worker.signals.progress.connect(
            lambda p: self.statusBar().showMessage(f"Writing the report… {p.fraction:.0%}")
        )
        worker.signals.result.connect(
            lambda written: self._on_report_written(written, outcome.request.scenario)
        )
        worker.signals.errored.connect(
            lambda exc: self.messages.show_message(
                Errors.report_failed.format(reason=_sentence(exc))
            )
        )
        worker.signals.cancelled.connect(
            lambda _exc: self.messages.show_message(Infos.report_cancelled.format(name=name))
        )
        worker.signals.finished.connect(self._on_report_finished)
        self._report_worker = worker
        self.statusBar().showMessage("Writing the report…")
        worker.start(self.pool)
        return worker

    def _on_report_finished(self) -> None:
        self._report_worker = None
        self.statusBar().clearMessage()

    def _on_report_written(self, written: Path, scenario: str) -> None:
        self.messages.show_message(
            Infos.report_written.format(name=written.name, scenario=scenario)
        )
        self.statusBar().showMessage(f"Report written: {written}")
        self.store.set_text("export_dir", str(written.parent))

    # ------------------------------------------------------------------ presentation
    def toggle_presentation(self) -> None:
        """F11: in and out of presentation mode."""
        self.presentation.toggle()

    def _on_presentation_changed(self, active: bool) -> None:
        self._actions["presentation"].setChecked(active)
        self.map_view.set_presentation(active)
        QTimer.singleShot(0, self, self._refit_tables)  # once the new type size is in place

    def _refit_tables(self) -> None:
        if self.results_view.has_results():
            self.results_view.table.resizeColumnsToContents()
        self.compare_view.refit()

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

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts."""
        if self._shortcuts is None:
            self._shortcuts = ShortcutsDialog(self._actions.values(), self)
        self._shortcuts.show()
        self._shortcuts.raise_()
        return self._shortcuts

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

    def _restore_view_settings(self) -> None:
        self.map_view.set_metric(self.store.text("map/metric", "stockout_day_probability"))
        self.map_view.set_size_mode(self.store.text("map/size", "value_flow"))

    def _restore_run_settings(self, doc: LoadedWorkbook) -> None:
        """The run settings this workbook was last run (or closed) with, if any."""
        network = self.session_network
        remembered = self.store.run_settings(doc.path)
        if network is None or remembered is None:
            return
        if remembered.scenario not in network.scenario_names:
            remembered = replace(remembered, scenario=self.run_panel.request().scenario)
        self.run_panel.set_request(remembered)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_discard("close jitrisk"):
            event.ignore()
            return
        if self.presentation.active:
            self.presentation.leave()
        self.stop_all()  # every worker is asked to stop first, then each is waited for
        stopped = self.pool.waitForDone(CLOSE_WAIT_MS)
        # charts render on the global pool
        stopped = QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS) and stopped
        for view in self.analysis_views:
            view.shutdown(CLOSE_WAIT_MS)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.store.set_text("map/metric", self.map_view.colour_metric())
        self.store.set_text("map/size", self.map_view.size_mode())
        if self.document is not None and self.session_network is not None:
            self.store.save_run_settings(self.document.path, self.run_panel.request())
        self.settings.sync()
        self.watcher.stop()
        if stopped:  # a pool thread still running must not collect GUI garbage
            self.collector.stop()
        super().closeEvent(event)

    def stop_all(self) -> None:
        """Ask every task of the window to stop: the run, the batch, analyses and export."""
        if self._run_worker is not None:
            self._run_worker.quit()
        self._batch = []
        for view in self.analysis_views:
            view.stop()
        if self._report_worker is not None:
            self._report_worker.quit()
