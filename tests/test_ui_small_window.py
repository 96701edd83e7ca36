"""A 1024 x 640 window: the window keeps that size and no headline number is cut.

A headline number (a KPI card's value, a Summary tile) is drawn smaller rather
than clipped when its card is narrow (:class:`ui.widgets.common.FitLabel`). The
check compares the width the text needs at the size it is drawn with the width
it gets, in the window and in presentation mode.
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QFontMetrics
from ui_window import main_window

from ui.logic.tasks import RunRequest
from ui.main_window import MainWindow
from ui.widgets.common import FitLabel, fitted_point_size

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "automotive.xlsx"
SMALL = (1024, 640)


def test_fitted_point_size_scales_in_proportion_with_a_floor() -> None:
    assert fitted_point_size(100, 200, 20) == 20
    assert fitted_point_size(200, 100, 20) == pytest.approx(10)
    assert fitted_point_size(1000, 100, 20) == pytest.approx(9)  # floor: 0.45 x 20


def _cut(label: FitLabel) -> int:
    """Pixels of ``label``'s text beyond its width, at the size it is drawn (0: it fits)."""
    font = label.font()
    font.setPointSizeF(label.shown_point_size())
    need = QFontMetrics(font).horizontalAdvance(label.text())
    return max(0, need - label.contentsRect().width())


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    with main_window(qtbot, qapp, tmp_path, SMALL) as win:
        yield win


def _open_example(qtbot: Any, window: MainWindow) -> None:
    # idle, not only loaded: a run asked for between the two is refused (seen under load)
    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(EXAMPLE)


@pytest.mark.gui
def test_at_1024_by_640_the_window_keeps_its_size_and_no_number_is_cut(
    qtbot: Any, window: MainWindow
) -> None:
    _open_example(qtbot, window)
    with qtbot.waitSignal(window.run_finished, timeout=120_000):
        assert window.start_run(RunRequest("baseline", trials=64, days=120, seed=1))
    window.resize(*SMALL)
    for view in (window.summary_view, window.map_view, window.results_view, window.story_view):
        window.show_view(view)
        qtbot.wait(50)
        assert window.size().toTuple() == SMALL, window.tabs.tabText(window.tabs.currentIndex())
    window.show_view(window.results_view)
    qtbot.wait(100)
    values = [v for v in window.results_view.findChildren(FitLabel) if v.isVisible()]
    assert len(values) >= 4
    assert {v.text(): _cut(v) for v in values} == {v.text(): 0 for v in values}
    window.show_view(window.summary_view)
    qtbot.wait(100)
    tiles = [v for v in window.summary_view.findChildren(FitLabel) if v.isVisible()]
    assert {v.text(): _cut(v) for v in tiles} == {v.text(): 0 for v in tiles}
    window.show_view(window.results_view)
    window.toggle_presentation()
    qtbot.wait(200)
    big = [v for v in window.results_view.findChildren(FitLabel) if v.isVisible()]
    assert {v.text(): _cut(v) for v in big} == {v.text(): 0 for v in big}
    window.toggle_presentation()


def _clipped(widget: Any) -> list[str]:
    """Visible labels inside ``widget`` drawn shorter than their text needs."""
    from PySide6.QtWidgets import QLabel

    out = []
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        need = (
            label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        )
        bottom = label.mapTo(widget, label.rect().bottomLeft()).y()
        if label.height() < need - 1 or bottom > widget.height():
            out.append(label.text()[:40])
    return out


@pytest.mark.gui
@pytest.mark.parametrize("size", [SMALL, (1440, 900)], ids=["1024x640", "1440x900"])
def test_the_safety_stock_plan_cards_show_every_line(
    qtbot: Any, window: MainWindow, size: tuple[int, int]
) -> None:
    """At 1024 x 640 the cards were drawn into each other; at 1440 x 900, beside
    their chart, a note that wrapped (the GSM plan's proven gap) lost its second
    line."""
    _open_example(qtbot, window)
    window.resize(*size)
    view = window.safety_view
    window.show_view(view)
    view.trials_spin.setValue(20)
    with qtbot.waitSignal(view.became_idle, timeout=300_000):
        view.run()
    qtbot.wait(300)
    cards = [c for c in view.cards if c.isVisible()]
    top = view.splitter.widget(0)
    # the page scrolls rather than squeeze the cards' pane below its minimum
    assert top.height() >= top.minimumSizeHint().height()
    assert cards[-1].geometry().bottom() < top.height()
    assert len(cards) == 3
    for card in cards:
        assert card.height() >= card.minimumHeight(), card.title_label.text()
        assert _clipped(card) == [], card.title_label.text()
    for upper, lower in itertools.pairwise(cards):
        assert upper.geometry().bottom() < lower.geometry().top()


@pytest.mark.gui
def test_at_1024_by_640_the_analysis_inputs_wrap_instead_of_scrolling_sideways(
    qtbot: Any, window: MainWindow
) -> None:
    """The Safety stock inputs (service level, budget, objective, trials, scenario) were
    one row wider than the view, which scrolled sideways to reach the last of them."""
    from PySide6.QtWidgets import QScrollArea

    _open_example(qtbot, window)
    window.resize(*SMALL)
    for view in (window.safety_view, window.frontier_view, window.buffers_view):
        window.show_view(view)
        qtbot.wait(100)
        scroller = view.findChild(QScrollArea)
        assert scroller.horizontalScrollBar().maximum() == 0, view.TITLE
        right = scroller.viewport().width()
        for widget in view.input_widgets():
            if widget.isVisible():
                edge = widget.mapTo(scroller.viewport(), widget.rect().topRight()).x()
                assert edge <= right, (view.TITLE, widget.objectName() or type(widget).__name__)


@pytest.mark.gui
def test_a_plan_card_keeps_room_for_a_note_that_wraps(qtbot: Any) -> None:
    """A card's minimum height counts its note at the card's width: a note of
    three lines is drawn whole, however narrow the card."""
    from ui.views.safety import PlanCard

    card = PlanCard("Guaranteed service", "#1f77b4")
    qtbot.addWidget(card)
    card.set_plan(
        None, "EUR", note="Holding cost EUR 86.6M a year (within 0.0054 % of optimal). " * 3
    )
    card.show()
    card.resize(260, 40)
    qtbot.wait(50)
    card.resize(card.width(), card.minimumHeight())
    qtbot.wait(50)
    assert card.note_label.heightForWidth(card.note_label.width()) > 2 * card.fontMetrics().height()
    assert _clipped(card) == []
