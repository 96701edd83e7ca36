"""Comparing scenarios: paired differences (common random numbers), the view, Run all."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from PySide6.QtCore import QSettings, Qt

from builders import valid_rows, write_workbook
from jitrisk import load_network
from jitrisk.model.records import Network
from ui.app import apply_look
from ui.logic.comparison import (
    KPI_BY_KEY,
    Interval,
    KpiRow,
    compare,
    comparison_figure,
    format_delta,
    is_paired,
    kpi_deltas,
)
from ui.logic.scenario_edits import WhatIf, add_what_if
from ui.logic.tasks import RunOutcome, RunRequest, run_simulation
from ui.main_window import MainWindow
from ui.views.compare import HEADER_PADDING, CompareView
from ui.widgets.chart_image import ChartImage, render_figure

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 60_000
RUN_TIMEOUT = 180_000


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    path = write_workbook(tmp_path_factory.mktemp("cmp") / "plan.xlsx", valid_rows())
    return add_what_if(load_network(path), WhatIf("dc-10", ("DC", "PLANT"), buffer_days=10))


@pytest.fixture(scope="module")
def runs(network: Network) -> dict[str, RunOutcome]:
    return {
        name: run_simulation(network, RunRequest(name, 200, 60, 4))
        for name in ("baseline", "dc-10", "strike")
    }


# --------------------------------------------------------------------------- statistics
def test_a_scenario_against_itself_differs_by_exactly_nothing(
    runs: dict[str, RunOutcome],
) -> None:
    """Common random numbers: the same run twice gives per-trial differences of zero."""
    deltas, paired = kpi_deltas(runs["baseline"], runs["baseline"])
    assert paired
    for key in ("any_customer_stockout", "fill_rate", "lost_revenue", "var95"):
        assert deltas[key] == Interval(0.0, 0.0, 0.0)


def test_paired_differences_are_the_per_trial_means_and_narrower_than_independent_ones(
    network: Network, runs: dict[str, RunOutcome]
) -> None:
    base, more = runs["baseline"], runs["dc-10"]
    deltas, paired = kpi_deltas(base, more)
    assert paired
    per_trial = more.losses - base.losses
    assert deltas["lost_revenue"].mean == pytest.approx(float(np.mean(per_trial)))
    half = 1.959963984540054 * np.std(per_trial, ddof=1) / np.sqrt(len(per_trial))
    assert deltas["lost_revenue"].hi - deltas["lost_revenue"].mean == pytest.approx(half)
    fill = more.stats["fill_rate"]["mean"] - base.stats["fill_rate"]["mean"]
    assert deltas["fill_rate"].mean == pytest.approx(fill)
    # the same two runs taken as independent samples would give a wider interval
    z = 1.959963984540054

    def se(outcome: RunOutcome) -> float:
        lo, hi = outcome.stats["lost_revenue"]["ci95"]
        return (hi - lo) / (2 * z)

    independent = 2 * z * float(np.hypot(se(base), se(more)))
    assert deltas["lost_revenue"].hi - deltas["lost_revenue"].lo < independent
    # another seed: no common random numbers, so the runs are compared as independent
    other = run_simulation(network, RunRequest("dc-10", 200, 60, 5))
    assert not is_paired(base, other)
    loose, paired = kpi_deltas(base, other)
    assert not paired
    width = 2 * z * float(np.hypot(se(base), se(other)))
    assert loose["lost_revenue"].hi - loose["lost_revenue"].lo == pytest.approx(width)


def test_comparison_rows_verdicts_and_words(runs: dict[str, RunOutcome]) -> None:
    result = compare(runs, "baseline")
    assert result.scenarios == ["baseline", "dc-10", "strike"] and result.all_paired
    assert result.rows["baseline"]["fill_rate"].delta is None
    strike = result.rows["strike"]["lost_revenue"]
    per_trial = runs["strike"].losses - runs["baseline"].losses
    assert strike.delta is not None and strike.delta.mean == pytest.approx(np.mean(per_trial))
    # "strike" delays the plant's lane but also raises the DC's buffer to 10 days
    assert strike.delta.hi < 0 and strike.verdict() == "better"
    assert set(result.sites) == {"dc-10", "strike"}
    assert list(result.sites["strike"].columns) == [
        "name",
        "type",
        "reference",
        "value",
        "delta",
        "lo",
        "hi",
    ]
    spec = KPI_BY_KEY["fill_rate"]
    assert KpiRow(spec, Interval(0.9, 0.89, 0.91), Interval(0.02, 0.01, 0.03)).verdict() == "better"
    assert KpiRow(spec, Interval(0.9, 0.89, 0.91), Interval(0.02, -0.01, 0.05)).verdict() == (
        "no clear change"
    )
    assert format_delta(spec, Interval(-0.031, -0.042, -0.02)) == "−3.1 pp [−4.2, −2.0]"
    money = KPI_BY_KEY["lost_revenue"]
    assert format_delta(money, Interval(-57.1e6, -72.7e6, 0.1)) == "−57.1M [−72.7M, 0]"
    figure = comparison_figure(result)
    assert isinstance(figure, Figure) and len(figure.axes) == 3


# --------------------------------------------------------------------------- the view
def shown_view(qtbot: Any, qapp: Any, width: int, height: int) -> CompareView:
    apply_look(qapp)
    view = CompareView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    return view


def test_compare_view_shows_values_and_changes_with_cis(
    qtbot: Any, qapp: Any, runs: dict[str, RunOutcome]
) -> None:
    view = shown_view(qtbot, qapp, 1200, 800)
    view.set_runs({"baseline": runs["baseline"]})
    assert view.stack.currentIndex() == 0  # one scenario: nothing to compare yet
    with qtbot.waitSignal(view.updated, timeout=30_000) as done:
        view.set_runs(runs)
    comparison = done.args[0]
    text = view.kpi_text("strike", "lost_revenue")
    delta = comparison.rows["strike"]["lost_revenue"].delta
    assert format_delta(KPI_BY_KEY["lost_revenue"], delta) in text and "paired" in text
    assert "reference" not in view.kpi_text("dc-10", "fill_rate")
    assert view.sites_table.rowCount() > 0
    qtbot.waitUntil(view.chart_drawn, timeout=20_000)  # rendered off the GUI thread
    image = view.canvas.image()
    assert image is not None and image.width() >= view.canvas.width()
    with qtbot.waitSignal(view.updated, timeout=30_000) as again:
        view.set_checked("strike", False)
    assert again.args[0].scenarios == ["baseline", "dc-10"]
    with qtbot.waitSignal(view.updated, timeout=30_000) as swapped:
        view.set_reference("dc-10")
    assert swapped.args[0].reference == "dc-10"
    assert swapped.args[0].rows["dc-10"]["var95"].delta is None


def test_chart_image_renders_off_the_gui_thread_and_again_on_resize_and_scale(
    qtbot: Any, qapp: Any
) -> None:
    threads: list[Any] = []

    def draw(figure: Figure) -> None:
        threads.append(threading.current_thread())
        figure.add_subplot(1, 1, 1).plot([0, 1], [1, 0])

    image = render_figure(draw, 300, 200, 100)
    assert (image.width(), image.height()) == (300, 200)
    chart = ChartImage()
    qtbot.addWidget(chart)
    chart.resize(400, 250)
    chart.show()
    with qtbot.waitSignal(chart.rendered, timeout=20_000):
        chart.set_figure(draw)
    assert chart.is_current() and threads[-1] is not threading.main_thread()
    with qtbot.waitSignal(chart.rendered, timeout=20_000):
        chart.resize(500, 300)
    shown = chart.image()
    assert shown is not None and shown.width() == round(500 * chart.devicePixelRatioF())
    with qtbot.waitSignal(chart.rendered, timeout=20_000):
        chart.set_scale(1.5)
    assert chart.is_current()


# --------------------------------------------------------------------------- in the window
@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    apply_look(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    win.ask_before_discarding = False
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    yield win
    win.close()


def test_run_all_scenarios_runs_each_with_the_same_settings_and_opens_compare(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "plan.xlsx", valid_rows())
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(path)
    window.run_panel.set_request(RunRequest("baseline", 24, 40, 2))
    finished: list[str] = []
    window.run_finished.connect(lambda o: finished.append(o.request.scenario))
    idle: list[bool] = []
    window.became_idle.connect(lambda: idle.append(True))
    with (
        qtbot.waitSignal(window.compare_view.updated, timeout=RUN_TIMEOUT),
        qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT),
    ):
        assert window.run_all_scenarios()
    assert finished == ["baseline", "strike"] and idle == [True]  # idle once, at the end
    assert {o.request.seed for o in window.runs.values()} == {2}
    assert window.tabs.currentWidget() is window.compare_view
    comparison = window.compare_view.comparison
    assert comparison is not None and comparison.all_paired
    assert window.compare_view.kpi_text("strike", "fill_rate").count("[") == 2
    assert window.show_run("baseline") and window.results_view.outcome is window.runs["baseline"]
    assert window.map_view.runs_combo.currentText() == "baseline"


SIX_NAMES = (
    "baseline",
    "dc-10",
    "strike",
    "taiwan-foundry-down-60",
    "dual-source-the-battery",
    "buffer-up-tier1-plus-ten-days",
)


def _six(runs: dict[str, RunOutcome]) -> dict[str, RunOutcome]:
    """Six scenarios with long names, as planners write them (three runs, reused)."""
    return {name: runs[("baseline", "dc-10", "strike")[k % 3]] for k, name in enumerate(SIX_NAMES)}


def _cells_fit(view: CompareView) -> None:
    """Every header word and value fits its column, and its wrapped text its row."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QFont, QFontMetrics

    table = view.kpi_table
    header = table.horizontalHeader()
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)  # as the style sheet draws the section titles
    fm = QFontMetrics(font)
    flags = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)
    for col in range(table.columnCount()):
        width = table.columnWidth(col)
        text = table.horizontalHeaderItem(col).text()
        # every word (a hyphen is a break) fits the column, and the wrapped text its height
        assert max(fm.horizontalAdvance(w) for w in text.replace("-", "- ").split()) <= width
        wrapped = fm.boundingRect(QRect(0, 0, width - 2 * HEADER_PADDING, 10_000), flags, text)
        assert wrapped.height() <= header.height() - 8, text  # the style's 4 px above and below
        for row in range(table.rowCount()):
            cell = table.cellWidget(row, col)
            if cell is None:
                continue
            assert cell.minimumSizeHint().width() <= width, (row, col, cell.text())
            assert cell.heightForWidth(width) <= table.rowHeight(row), (row, col)


def test_six_scenarios_at_1024_by_640_scroll_the_table_not_the_page(
    qtbot: Any, qapp: Any, runs: dict[str, RunOutcome]
) -> None:
    """The view's share of a 1024 x 640 window beside the docks. The page scrolled
    sideways to reach the Reference list, the buttons and the last scenarios' boxes;
    now those rows wrap, and only the key-figure table scrolls sideways, every value
    whole and every row in sight."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    view = shown_view(qtbot, qapp, 660, 560)
    with qtbot.waitSignal(view.updated, timeout=30_000):
        view.set_runs(_six(runs))
    qtbot.wait(100)
    scroller = next(s for s in view.findChildren(QScrollArea) if s.objectName() == "Page")
    assert scroller.horizontalScrollBar().maximum() == 0
    right = scroller.viewport().width()
    controls = [view.reference_combo, view.copy_button, view.run_all_button]
    for widget in controls + [view._checks[name] for name in SIX_NAMES]:
        edge = widget.mapTo(scroller.viewport(), QPoint(widget.width(), 0)).x()
        assert widget.isVisible() and edge <= right, (
            widget.text() if hasattr(widget, "text") else widget
        )
    table = view.kpi_table
    assert table.horizontalHeader().length() > table.viewport().width()  # it scrolls itself
    _cells_fit(view)
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert table.viewport().height() >= rows  # its scroll bar takes no row's room
    # wider again: the columns share the width and the table stops scrolling; at every
    # width the titles and values fit (a title is bold: it can need two lines where the
    # header's plain font fits it on one)
    for width in range(940, 1100, 6):
        view.resize(width, 820)
        qtbot.wait(30)
        assert table.horizontalHeader().length() <= table.viewport().width()
        _cells_fit(view)


def test_six_scenarios_fit_the_compare_tables_at_1440_by_900(
    qtbot: Any, qapp: Any, runs: dict[str, RunOutcome]
) -> None:
    # the view's share of a 1440 x 900 window beside the docks; long names, as planners write
    view = shown_view(qtbot, qapp, 1040, 820)
    with qtbot.waitSignal(view.updated, timeout=30_000):
        view.set_runs(_six(runs))
    table = view.kpi_table
    assert table.columnCount() == 7
    qtbot.wait(50)
    view.refit()
    _cells_fit(view)
    # the tall table makes the page scroll; the chart never slides under the sites' title
    from PySide6.QtCore import QPoint

    chart_bottom = view.canvas.mapTo(view, QPoint(0, view.canvas.height())).y()
    assert chart_bottom <= view.sites_title.mapTo(view, QPoint(0, 0)).y()
    text = view.copy_table()
    lines = text.splitlines()
    assert len(lines) == 1 + table.rowCount()
    assert lines[0].split("\t")[1] == "baseline (reference)"
    assert all(len(line.split("\t")) == 1 + 2 * 6 for line in lines)
    assert qapp.clipboard().text() == text
