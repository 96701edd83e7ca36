"""Presentation mode (F11 in, keys to move, Esc out), remembered settings, shortcuts."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtTest import QTest

from builders import valid_rows, write_workbook
from ui.app import apply_look
from ui.logic.messages import Infos
from ui.logic.tasks import RunRequest
from ui.main_window import MainWindow
from ui.session.presentation import presentation_style_sheet
from ui.session.settings_store import MAX_WORKBOOKS, SettingsStore
from ui.widgets.common import MessageArea

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 60_000
RUN_TIMEOUT = 180_000


def make_window(qtbot: Any, settings_path: Path) -> MainWindow:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    win.ask_before_discarding = False
    qtbot.addWidget(win)
    return win


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "plan.xlsx", valid_rows())


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    apply_look(qapp)
    win = make_window(qtbot, tmp_path / "settings.ini")
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.close()


def open_and_run(
    qtbot: Any, window: MainWindow, book: Path, request: RunRequest, start: Any
) -> None:
    """Open ``book`` and run ``request`` with ``start`` (one run, or every scenario)."""
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(book)
    window.run_panel.set_request(request)
    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        start()


def key(widget: Any, k: Qt.Key) -> None:
    QTest.keyClick(widget, k)


# --------------------------------------------------------------------------- presentation
def test_f11_presents_keys_move_through_views_and_scenarios_esc_restores(
    qtbot: Any, window: MainWindow, book: Path
) -> None:
    open_and_run(qtbot, window, book, RunRequest("baseline", 24, 40, 1), window.run_all_scenarios)
    assert list(window.runs) == ["baseline", "strike"] and window.current_run == "strike"
    window.show_view(window.summary_view)
    qtbot.wait(50)
    geometry = window.geometry()
    chart = window.results_view.risk_canvas

    window.activateWindow()  # shortcuts go to the active window, as on a desktop
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    key(window, Qt.Key.Key_F11)
    assert window.presentation.active and window.action("presentation").isChecked()
    qtbot.waitUntil(window.isFullScreen, timeout=5_000)
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert not window.run_dock.isVisible() and not window.whatif_dock.isVisible()
    assert not window.tabs.tabBar().isVisible()
    assert window.styleSheet() == presentation_style_sheet()
    assert chart.scale > 1.4  # charts are drawn with larger type
    caption = window.presentation.caption.text()
    assert caption.startswith("plan.xlsx — Summary — scenario strike (2 of 2)")

    focus = window.focusWidget() or window
    key(focus, Qt.Key.Key_Right)
    assert window.tabs.currentWidget() is window.map_view
    key(window.focusWidget() or window, Qt.Key.Key_Right)
    assert window.tabs.currentWidget() is window.results_view
    key(window.focusWidget() or window, Qt.Key.Key_PageDown)  # next scenario, wrapping
    assert window.current_run == "baseline"
    assert window.results_view.outcome is window.runs["baseline"]
    assert "scenario baseline (1 of 2)" in window.presentation.caption.text()
    key(window.focusWidget() or window, Qt.Key.Key_PageUp)
    assert window.current_run == "strike"
    key(window.focusWidget() or window, Qt.Key.Key_Left)
    assert window.tabs.currentWidget() is window.map_view

    key(window.focusWidget() or window, Qt.Key.Key_Escape)  # Esc is also Cancel: it leaves
    assert not window.presentation.active and not window.action("presentation").isChecked()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5_000)
    qtbot.waitUntil(lambda: window.geometry() == geometry, timeout=5_000)
    assert window.menuBar().isVisible() and window.statusBar().isVisible()
    assert window.run_dock.isVisible() and window.tabs.tabBar().isVisible()
    assert window.styleSheet() == "" and chart.scale == 1.0
    assert window.state.activity.value == "idle"  # Esc did not reach Cancel


def test_presentation_shows_no_message_bar_and_gives_them_back(
    qtbot: Any, window: MainWindow
) -> None:
    """Messages are for the desk, not the projector: kept, hidden, then shown again."""
    window.messages.show_message(Infos.report_needs_run)
    bars = window.findChildren(MessageArea)
    assert window.messages.isVisible()
    window.presentation.fullscreen = False
    window.toggle_presentation()
    assert window.presentation.active
    assert not any(area.isVisible() for area in bars)
    window.messages.show_message(Infos.report_cancelled.format(name="brief.pdf"))  # meanwhile
    assert not window.messages.isVisible()
    # only the view: no dock and no inputs bar of the analysis views
    from PySide6.QtWidgets import QDockWidget

    assert not any(dock.isVisible() for dock in window.findChildren(QDockWidget))
    assert all(view.inputs_bar.isHidden() for view in window.analysis_views)
    window.toggle_presentation()
    assert window.messages.isVisible()
    assert window.messages.shown_keys() == ["report_needs_run", "report_cancelled"]
    assert not any(view.inputs_bar.isHidden() for view in window.analysis_views)


def test_presentation_without_results_still_moves_through_the_views(
    qtbot: Any, window: MainWindow
) -> None:
    window.toggle_presentation()
    assert window.presentation.active
    assert window.presentation.step_scenario(1) is None  # nothing to step through
    assert window.presentation.step_view(-1) == window.tabs.count() - 1  # wraps around
    window.toggle_presentation()
    assert not window.presentation.active


# --------------------------------------------------------------------------- settings
def test_settings_survive_a_new_window(qtbot: Any, qapp: Any, tmp_path: Path, book: Path) -> None:
    apply_look(qapp)
    settings_path = tmp_path / "remembered.ini"
    first = make_window(qtbot, settings_path)
    first.resize(1300, 820)
    first.show()
    qtbot.waitExposed(first)
    with qtbot.waitSignal(first.became_idle, timeout=LOAD_TIMEOUT):
        first.open_workbook(book)
    first.run_panel.set_request(RunRequest("strike", 123, 45, 7))
    first.map_view.set_metric("fill_rate")
    first.map_view.set_size_mode("flow")
    first.whatif_dock.hide()
    geometry = first.saveGeometry()
    first.close()

    second = make_window(qtbot, settings_path)
    second.show()
    qtbot.waitExposed(second)
    try:
        # the test screen is 800 x 800, so Qt fits the restored window to it: check the
        # stored geometry, and that the new window was given it
        stored = QSettings(str(settings_path), QSettings.Format.IniFormat)
        assert stored.value("window/geometry") == geometry
        assert second.size() != QSize(1440, 900)  # not the default size of a first start
        assert not second.whatif_dock.isVisible() and second.run_dock.isVisible()
        assert second.map_view.colour_metric() == "fill_rate"
        assert second.map_view.size_mode() == "flow"
        assert second.recent.paths() == [str(book.resolve())]
        with qtbot.waitSignal(second.became_idle, timeout=LOAD_TIMEOUT):
            second.open_workbook(book)
        assert second.run_panel.request() == RunRequest("strike", 123, 45, 7)
    finally:
        second.close()


def test_run_settings_are_kept_per_workbook(tmp_path: Path) -> None:
    store = SettingsStore(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert store.run_settings(tmp_path / "a.xlsx") is None
    store.save_run_settings(tmp_path / "a.xlsx", RunRequest("baseline", 10, 20, 3))
    store.save_run_settings(tmp_path / "b.xlsx", RunRequest("x", 11, 21, 4))
    assert store.run_settings(tmp_path / "sub" / ".." / "a.xlsx") == RunRequest(
        "baseline", 10, 20, 3
    )
    for i in range(MAX_WORKBOOKS):
        store.save_run_settings(tmp_path / f"n{i}.xlsx", RunRequest("baseline", 1, 1, i))
    assert store.run_settings(tmp_path / "a.xlsx") is None  # the oldest is forgotten
    store.settings.setValue("run_settings/by_workbook", "{not json")
    assert store.run_settings(tmp_path / "n1.xlsx") is None  # a damaged entry is ignored


def test_shortcuts_are_listed_in_help(window: MainWindow) -> None:
    dialog = window.show_shortcuts()
    text = dialog.browser.toPlainText()
    for entry in ("F11", "Presentation mode", "Ctrl+R", "Ctrl+Shift+S", "Ctrl+0", "Shift+drag"):
        assert entry in text
    assert window.action("presentation").shortcut().toString() == "F11"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Run", "Help"]
    dialog.close()
    help_menu = window.menuBar().actions()[-1].menu()
    assert "Glossary" in [a.text().replace("&", "") for a in help_menu.actions()]
    glossary = window.show_glossary()
    words = glossary.browser.toPlainText()
    assert all(w in words for w in ("REI", "TTS LP", "GSM", "VaR95", "Extra budget"))
    glossary.close()


def test_the_caption_names_what_an_analysis_view_shows(
    qtbot: Any, window: MainWindow, book: Path
) -> None:
    open_and_run(qtbot, window, book, RunRequest("strike", 24, 40, 1), window.start_run)
    view = window.buffers_view
    view.trials_spin.setValue(20)
    view.levels_input.set_levels(0, 4, 2)
    window.show_view(view)
    window.presentation.fullscreen = False
    window.toggle_presentation()
    # nothing computed in this view yet: no scenario named (the Results run is another's)
    assert window.presentation.caption.text() == "plan.xlsx — Buffers"
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT):
        assert view.run()
    caption = window.presentation.caption.text()
    # the curve's own scenario, trials and seed: not the Results run's (strike, 24 trials)
    settings = view.run_info.text().split(" · computed in ")[0]
    assert settings in caption and "scenario baseline" in caption
    assert "scenario strike" not in caption and "computed in" not in caption
    # the caption names it, so the view's own settings line is not shown twice
    assert not view.run_info.isVisible()
    window.toggle_presentation()
    assert view.run_info.isVisible()
