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
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jitrisk.errors import Problem
from jitrisk.model.records import Network

from .dialogs.text import TextDialog
from .logic.scenario_edits import (
    WhatIf,
)
from .logic.state import Activity, SessionState
from .logic.tasks import LoadedWorkbook, RunOutcome, RunRequest
from .panels.problems import ProblemsDock
from .panels.run import RunDock
from .panels.site import SiteDock
from .panels.whatif import WhatIfDock
from .session.autosave import (
    Autosave,
    ScenarioAutosave,
    default_folder,
)
from .session.file_watcher import WorkbookWatcher
from .session.presentation import PresentationMode
from .session.recent_files import RecentFiles
from .session.settings_store import SettingsStore
from .views.buffers import BuffersView
from .views.compare import CompareView
from .views.frontier import FrontierView
from .views.network_map import NetworkMapWidget
from .views.results import ResultsView
from .views.risk import RiskView
from .views.safety import SafetyView
from .views.story import StoryView
from .views.summary import SummaryView
from .widgets.common import MessageArea
from .widgets.icons import app_icon
from .window.common import (
    APP_TITLE,
    CLOSE_WAIT_MS,
)
from .window.compute import ComputeMixin
from .window.documents import DocumentsMixin
from .window.exports import ExportsMixin
from .window.help import HelpMixin
from .window.runs import RunsMixin
from .window.selection import SelectionMixin
from .window.whatifs import WhatIfsMixin
from .workers.gc_collector import GuiThreadCollector
from .workers.worker import Worker

log = logging.getLogger(__name__)


#: The View menu's tab actions, in the order of the tabs: key, menu text.
VIEW_ACTIONS = (
    ("summary", "&Summary"),
    ("map", "&Map"),
    ("results", "R&esults"),
    ("compare", "&Compare"),
    ("buffers", "&Buffers"),
    ("risk", "&Risk"),
    ("safety", "Safety s&tock"),
    ("story", "&Day by day"),
    ("frontier", "&Frontier"),
)


class MainWindow(
    DocumentsMixin,
    RunsMixin,
    SelectionMixin,
    WhatIfsMixin,
    ExportsMixin,
    ComputeMixin,
    HelpMixin,
    QMainWindow,
):
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
        self._help_windows: dict[str, TextDialog] = {}
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
        self._restore_compute()
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
        self.story_view = StoryView()
        self.frontier_view = FrontierView()
        self.analysis_views = (
            self.buffers_view,
            self.risk_view,
            self.safety_view,
            self.story_view,
            self.frontier_view,
        )
        for view, title in (
            (self.buffers_view, "Buffers"),
            (self.risk_view, "Risk"),
            (self.safety_view, "Safety stock"),
            (self.story_view, "Day by day"),
            (self.frontier_view, "Frontier"),
        ):
            self.tabs.addTab(view, title)
            # the session's network: the workbook's, plus the what-ifs kept over a reload
            self.workbook_loaded.connect(lambda _doc, v=view: v.set_network(self.session_network))
            view.became_idle.connect(lambda: self.presentation.update_caption())
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
        self.risk_view.story_requested.connect(self.show_story)

        self.problems_dock = ProblemsDock(self)
        # the right docks run the window's full height, so the Problems dock under the
        # views does not stack under them too (a 640-pixel window holds both)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.panel.problem_activated.connect(self._on_problem_activated)
        self.run_dock = RunDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.run_dock)
        self.run_panel = self.run_dock.panel
        self.run_panel.run_requested.connect(self.start_run)
        self.run_panel.cancel_requested.connect(self.cancel_run)
        self.run_panel.compute_requested.connect(self.open_compute_dialog)
        self.frontier_view.apply_requested.connect(self.run_what_if)
        self.safety_view.frontier_requested.connect(self.show_frontier)
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
        self._action("compute", "Co&mpute…", self.open_compute_dialog, None, "Where runs go")
        # one action per tab, in the tab order, Ctrl+1 to Ctrl+9
        for i, (key, text) in enumerate(VIEW_ACTIONS):
            view = self.tabs.widget(i)
            self._action(
                f"show_{key}", text, lambda *_a, v=view: self.show_view(v), f"Ctrl+{i + 1}"
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
            "fit_history",
            "Fit from delivery &history…",
            self.fit_history_dialog,
            None,
            "Learn lead times and outages from an ERP delivery history",
        )
        self._action(
            "snapshot",
            "&Snapshot of the view",
            self.snapshot_view,
            "F12",
            "Save the view on show as a PNG and as a one-slide PowerPoint deck",
        )
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
        self._action("glossary", "G&lossary", self.show_glossary, None, "What REI, TTS, GSM… mean")
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
        file_menu.addAction(self._actions["export_report"])
        file_menu.addAction(self._actions["export_map"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["fit_history"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["open_external"])
        file_menu.addSeparator()
        file_menu.addAction(self._actions["quit"])
        view_menu = bar.addMenu("&View")
        for key in ("show_summary", "show_map", "show_results", "show_compare"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        for key in ("show_buffers", "show_risk", "show_safety", "show_story", "show_frontier"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        for key in ("fit_map", "zoom_in", "zoom_out"):
            view_menu.addAction(self._actions[key])
        view_menu.addSeparator()
        view_menu.addAction(self._actions["presentation"])
        view_menu.addAction(self._actions["snapshot"])
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
        run_menu.addAction(self._actions["compute"])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._actions["guide"])
        help_menu.addAction(self._actions["shortcuts"])
        help_menu.addAction(self._actions["glossary"])
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

    # ------------------------------------------------------------------ presentation
    def toggle_presentation(self) -> None:
        """F11: in and out of presentation mode."""
        self.presentation.toggle()

    def _on_presentation_changed(self, active: bool) -> None:
        self._actions["presentation"].setChecked(active)
        self.map_view.set_presentation(active)
        for view in self.analysis_views:
            view.set_presentation(active)
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
        self._close_compute()
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
