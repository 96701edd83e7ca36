"""The main flows through the window, offscreen: open, problems, run, cancel, reload, errors."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QPushButton

import jitrisk
from builders import set_cell, valid_rows, write_workbook
from jitrisk import validate_workbook
from jitrisk.errors import JitriskError
from ui.app import apply_look
from ui.dialogs.about import about_html
from ui.dialogs.error import ErrorDialog, ExceptionHook
from ui.dialogs.shortcuts import shortcuts_html
from ui.logic.messages import Errors
from ui.logic.state import Activity
from ui.logic.tasks import RunRequest
from ui.main_window import MainWindow
from ui.workers import worker as workers

pytestmark = pytest.mark.gui

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LOAD_TIMEOUT = 60_000
#: The first simulation in a fresh checkout compiles the numba kernel.
RUN_TIMEOUT = 180_000


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    apply_look(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.close()


@pytest.fixture
def valid_path(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "valid.xlsx", valid_rows())


@pytest.fixture
def broken_path(tmp_path: Path) -> Path:
    """Two cell errors and a warning (a DC that feeds nothing)."""
    rows = valid_rows()
    set_cell(rows, "Sites", 3, "type", "warehouse")
    set_cell(rows, "Lanes", 4, "lead_time_days", "normll(2, 1)")
    rows["Sites"].append(["DC-SPARE", "dc", "Spare DC", "EU", 1, None, None, 10])
    rows["Lanes"].append(["PLANT", "DC-SPARE", 1, None, None, None])
    return write_workbook(tmp_path / "broken.xlsx", rows)


def open_and_wait(qtbot: Any, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        assert window.open_workbook(path)


def run_and_wait(qtbot: Any, window: MainWindow, request: RunRequest) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        assert window.start_run(request)


# --------------------------------------------------------------------------- opening
def test_open_a_valid_workbook(qtbot: Any, window: MainWindow, valid_path: Path) -> None:
    with qtbot.waitSignal(window.workbook_loaded, timeout=LOAD_TIMEOUT) as blocker:
        window.open_workbook(valid_path)
    doc = blocker.args[0]
    assert doc.ok
    qtbot.waitUntil(lambda: window.state.activity is Activity.IDLE)
    assert window.windowTitle().startswith("valid.xlsx")
    assert window.summary_view.tiles["supplier"].value_label.text() == "3"
    assert window.problems_dock.panel.problem_count() == 0
    assert window.action("run").isEnabled()
    assert window.run_panel.run_button.isEnabled()
    assert window.recent.paths() == [str(valid_path.resolve())]
    assert window.messages.shown_keys() == []


def test_open_a_broken_workbook_lists_every_problem(
    qtbot: Any, window: MainWindow, broken_path: Path
) -> None:
    open_and_wait(qtbot, window, broken_path)
    report = validate_workbook(broken_path)
    assert len(report.errors) == 2 and len(report.warnings) >= 1
    panel = window.problems_dock.panel
    assert panel.problem_count() == len(report.problems)
    assert panel.error_button.text() == "2 errors"
    assert window.problems_dock.isVisible()
    shown = {m.key: m for m in window.messages.messages()}
    assert (
        shown["workbook_invalid"].text
        == Errors.workbook_invalid.format(name="broken.xlsx", errors="2 errors").text
    )
    assert not window.action("run").isEnabled()
    assert not window.run_panel.run_button.isEnabled()
    assert "what_was_read" in window.summary_view.cards  # still shows what it could read
    assert window.summary_view.tiles["sites"].value_label.text() == "8"


def test_activating_a_problem_points_at_its_cell(
    qtbot: Any, window: MainWindow, broken_path: Path
) -> None:
    open_and_wait(qtbot, window, broken_path)
    panel = window.problems_dock.panel
    problem = panel.activate_row(1)
    assert problem is not None and problem.location == "Lanes!C4"
    assert "Lanes!C4" in window.statusBar().currentMessage()
    assert panel.detail_location.text() == "Lanes!C4"
    assert panel.detail_where.text() == "Sheet Lanes, row 4, column C (lead_time_days)"


@pytest.mark.skipif(not (EXAMPLES / "broken.xlsx").exists(), reason="example missing")
def test_broken_example_problem_count(qtbot: Any, window: MainWindow) -> None:
    open_and_wait(qtbot, window, EXAMPLES / "broken.xlsx")
    expected = validate_workbook(EXAMPLES / "broken.xlsx").problems
    assert window.problems_dock.panel.problem_count() == len(expected) > 0


def test_refuses_files_that_are_not_workbooks(window: MainWindow, tmp_path: Path) -> None:
    assert not window.open_workbook(tmp_path / "notes.csv")
    assert "not_a_workbook" in window.messages.shown_keys()
    assert not window.open_workbook(tmp_path / "gone.xlsx")
    assert "file_missing" in window.messages.shown_keys()
    assert window.state.activity is Activity.IDLE


def test_dropping_a_workbook_opens_it(qtbot: Any, window: MainWindow, valid_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(valid_path))])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.workbook_loaded, timeout=LOAD_TIMEOUT):
        window.dropEvent(event)
    assert window.document is not None and window.document.path == valid_path


def test_new_from_template_writes_and_opens_it(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.workbook_loaded, timeout=LOAD_TIMEOUT):
        window.create_from_template(tmp_path / "fresh")
    assert (tmp_path / "fresh.xlsx").exists()
    assert window.document is not None and window.document.name == "fresh.xlsx"
    assert "template_written" in window.messages.shown_keys()


# --------------------------------------------------------------------------- running
def test_run_fills_the_results(qtbot: Any, window: MainWindow, valid_path: Path) -> None:
    open_and_wait(qtbot, window, valid_path)
    request = RunRequest("baseline", trials=120, days=60, seed=3)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as blocker:
        window.start_run(request)
    outcome = blocker.args[0]
    qtbot.waitUntil(lambda: window.state.activity is Activity.IDLE)
    view = window.results_view
    assert window.tabs.currentWidget() is view
    assert view.model.rowCount() == len(outcome.sites) == 7
    card = view.kpi_cards["any_customer_stockout"]
    assert card.value_label.text() == outcome.kpis[0].value
    assert card.ci_label.text().startswith("95% CI [")
    assert view.kpi_cards["var95"].value_label.text().startswith("EUR ")
    qtbot.waitUntil(view.charts_drawn, timeout=20_000)
    image = view.risk_canvas.image()
    assert image is not None and image.width() >= 300  # rendered off the GUI thread
    assert "120 trials" in view.run_label.text()
    assert window.run_panel.status_label.text().startswith("Finished 120 trials")
    assert window.action("run").isEnabled() and not window.action("cancel").isEnabled()


def test_run_action_uses_the_panel_settings(
    qtbot: Any, window: MainWindow, valid_path: Path
) -> None:
    open_and_wait(qtbot, window, valid_path)
    window.run_panel.trials_spin.setValue(40)
    window.run_panel.days_spin.setValue(30)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT) as blocker:
        window.action("run").trigger()
    assert blocker.args[0].request == RunRequest("baseline", 40, 30, 7)


def test_cancel_stops_the_run_and_returns_to_idle(
    qtbot: Any, window: MainWindow, valid_path: Path
) -> None:
    open_and_wait(qtbot, window, valid_path)
    total = 400_000
    with qtbot.waitSignal(window.run_panel.progress_bar.valueChanged, timeout=RUN_TIMEOUT):
        window.start_run(RunRequest("baseline", trials=total, days=365, seed=1))
    assert window.state.activity is Activity.RUNNING
    assert window.run_panel.eta_label.text().startswith("about")
    assert not window.open_workbook(valid_path)  # refused while running, and said why
    busy = next(m for m in window.messages.messages() if m.key == "busy")
    assert busy.text.startswith("A simulation is running")
    with qtbot.waitSignals(
        [window.run_cancelled, window.became_idle], order="strict", timeout=30_000
    ):
        window.action("cancel").trigger()  # the Esc shortcut
    assert window.state.activity is Activity.IDLE
    assert not window.run_panel.is_running()
    assert window.run_panel.run_button.isEnabled()
    assert not window.results_view.has_results()
    assert "run_cancelled" in window.messages.shown_keys()
    assert "of 400,000 trials" in window.messages.messages()[-1].text


def test_a_refused_run_is_explained(
    qtbot: Any, window: MainWindow, valid_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise JitriskError("need at least one trial")

    monkeypatch.setattr(workers, "run_simulation", refuse)
    open_and_wait(qtbot, window, valid_path)
    with qtbot.waitSignal(window.run_failed, timeout=RUN_TIMEOUT):
        window.start_run(RunRequest("baseline", 1, 1, 1))
    qtbot.waitUntil(lambda: window.state.activity is Activity.IDLE)
    failed = next(m for m in window.messages.messages() if m.key == "run_failed")
    assert failed.text.startswith("Need at least one trial.")
    assert not window.findChildren(ErrorDialog)


def test_an_unexpected_error_shows_details_and_the_app_stays_usable(
    qtbot: Any, window: MainWindow, valid_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = workers.run_simulation

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(workers, "run_simulation", crash)
    open_and_wait(qtbot, window, valid_path)
    with qtbot.waitSignal(window.run_failed, timeout=RUN_TIMEOUT):
        window.start_run(RunRequest("baseline", 8, 5, 1))
    dialogs = [d for d in window.findChildren(ErrorDialog) if d.isVisible()]
    assert dialogs and "RuntimeError: kernel exploded" in dialogs[0].details.toPlainText()
    dialogs[0].close()
    monkeypatch.setattr(workers, "run_simulation", real)
    qtbot.waitUntil(lambda: window.state.activity is Activity.IDLE)
    with qtbot.waitSignal(window.run_finished, timeout=RUN_TIMEOUT):
        assert window.start_run(RunRequest("baseline", 16, 10, 1))


def test_excepthook_shows_a_dialog_with_copyable_details(qtbot: Any, window: MainWindow) -> None:
    printed: list[Any] = []
    hook = ExceptionHook(lambda: window, previous=lambda *exc: printed.append(exc))
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        hook(*sys.exc_info())  # type: ignore[arg-type]
    assert printed and printed[0][0] is ZeroDivisionError  # still printed as before
    dialog = hook.dialogs[-1]
    assert dialog.isVisible() and not dialog.isModal()
    details = dialog.details.toPlainText()
    assert "ZeroDivisionError" in details and f"jitrisk: {jitrisk.__version__}" in details
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == details
    dialog.close()


# --------------------------------------------------------------------------- the file on disk
def test_a_changed_file_offers_a_reload(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "live.xlsx", valid_rows())
    open_and_wait(qtbot, window, path)
    rows = valid_rows()
    rows["Sites"].append(["SUP-D", "supplier", "Spare", "EU", 1, 0, None, 3])
    rows["Lanes"].append(["SUP-D", "PLANT", 2, 1, None, "gear"])
    with qtbot.waitSignal(window.watcher.changed, timeout=10_000):
        write_workbook(tmp_path / "live.xlsx.tmp", rows)
        shutil.move(tmp_path / "live.xlsx.tmp", path)  # saved as Excel does: replace
    assert "file_changed" in window.messages.shown_keys()
    bar = window.messages._bars["file_changed"]
    reload_button = next(b for b in bar.findChildren(QPushButton) if b.text() == "Reload")
    with qtbot.waitSignal(window.workbook_loaded, timeout=LOAD_TIMEOUT) as blocker:
        qtbot.mouseClick(reload_button, Qt.MouseButton.LeftButton)
    assert len(blocker.args[0].network.sites) == 8
    assert "file_changed" not in window.messages.shown_keys()


def test_reload_keeps_results_but_marks_them_stale(
    qtbot: Any, window: MainWindow, valid_path: Path
) -> None:
    open_and_wait(qtbot, window, valid_path)
    run_and_wait(qtbot, window, RunRequest("baseline", 16, 10, 1))
    open_and_wait(qtbot, window, valid_path)  # same file again = reload
    assert window.results_view.has_results()
    assert window.results_view.stale_label.isVisibleTo(window.results_view)


# --------------------------------------------------------------------------- menus and help
def test_shortcuts_and_menus(window: MainWindow) -> None:
    assert window.action("open").shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert window.action("reload").shortcut() == QKeySequence("F5")
    assert window.action("run").shortcut() == QKeySequence("Ctrl+R")
    assert window.action("cancel").shortcut() == QKeySequence("Esc")
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Run", "Help"]
    # every export the README names is in the File menu, not only behind a shortcut
    file_menu = window.menuBar().actions()[0].menu().actions()
    assert window.action("export_report") in file_menu
    assert window.action("export_report").shortcut() == QKeySequence("Ctrl+Shift+E")
    assert window.action("export_map") in file_menu
    # every tab has its Ctrl+number, in the order of the tabs, and is in the View menu
    tabs = [window.tabs.widget(i) for i in range(window.tabs.count())]
    keys = ["summary", "map", "results", "compare", "buffers", "risk", "safety", "story"]
    keys += ["frontier"]
    view_menu = window.view_menu.actions()
    for i, (key, tab) in enumerate(zip(keys, tabs, strict=True)):
        action = window.action(f"show_{key}")
        assert action.shortcut() == QKeySequence(f"Ctrl+{i + 1}") and action in view_menu
        action.trigger()
        assert window.tabs.currentWidget() is tab
    assert "Ctrl+9" in shortcuts_html(window.actions())
    assert not window.action("run").isEnabled() and not window.action("reload").isEnabled()


def test_guide_and_about(window: MainWindow) -> None:
    guide = window.show_guide()
    assert guide.isVisible() and "safety_stock_days" in guide.browser.toPlainText()
    guide.close()
    text = about_html()
    for name in ("jitrisk", "Python", "Qt", "NumPy"):
        assert name in text
    assert jitrisk.__version__ in text


def test_open_recent_menu_lists_opened_files(
    qtbot: Any, window: MainWindow, valid_path: Path
) -> None:
    open_and_wait(qtbot, window, valid_path)
    window._fill_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert "valid.xlsx" in texts


def test_messages_about_one_workbook_go_when_another_is_opened(
    qtbot: Any, window: MainWindow, valid_path: Path, broken_path: Path
) -> None:
    open_and_wait(qtbot, window, broken_path)
    assert "workbook_invalid" in window.messages.shown_keys()
    window.export_report_dialog()  # no run yet: says so
    assert "report_needs_run" in window.messages.shown_keys()
    open_and_wait(qtbot, window, valid_path)
    assert window.messages.shown_keys() == []
