"""The Frontier view: the takeaway from the numbers, the reconciled table, the chart."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_frontier import D, _known
from ui_window import main_window

from ui.figures.frontier import frontier_figure
from ui.logic.frontier import FrontierRequest, compute_frontier, headline, site_rows
from ui.main_window import MainWindow

TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"


def test_the_takeaway_says_what_to_buy_what_it_costs_and_what_it_removes() -> None:
    out = compute_frontier(_known(), FrontierRequest(8, 8, None, "baseline"))
    rows = site_rows(out)
    assert [(r.site_id, r.current_days, r.recommended_days) for r in rows] == [("DC", 0.0, D)]
    text = headline(out)
    # 5 days x 100 units x 10 = 5,000 held, 1,250 a year to hold; 76.0k a year removed
    assert "Hold EUR 5.0k more safety stock</b> at 1 site (most at DC)" in text
    assert "costing EUR 1.2k a year to hold" in text  # 1,250
    assert "(delivered late) from EUR 76.0k" in text
    assert "a year, EUR 76.0k [EUR 76.0k, EUR 76.0k] less" in text  # the paired improvement
    # the weakest point: the first day at the DC removes one day of revenue, 15.2k a year
    assert text.startswith("The weakest point is DC: each of its first days")
    assert "removes EUR 15.2k of revenue at risk a year" in text
    fig = frontier_figure(out.doc, "EUR")
    labels = [t.get_text().strip() for t in fig.axes[0].texts]
    assert {"Now", "Recommended", "Guaranteed service"} <= set(labels)


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    with main_window(qtbot, qapp, tmp_path) as win:
        yield win


@pytest.mark.gui
def test_the_frontier_view_runs_and_shows_the_plan(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.workbook_loaded, timeout=60_000):
        window.open_workbook(TEACHING)
    view = window.frontier_view
    view.trials_spin.setValue(20)
    view.confirm_spin.setValue(40)
    window.action("show_frontier").trigger()
    assert window.tabs.currentWidget() is view
    with qtbot.waitSignal(view.outcome_shown, timeout=120_000):
        assert view.run()
    assert view.model.rowCount() == len(site_rows(view.outcome))
    assert "safety stock" in view.headline.text()
    qtbot.waitUntil(view.canvas.is_current, timeout=20_000)


def test_a_far_worse_scenario_sits_on_the_top_edge_named_with_its_value() -> None:
    out = compute_frontier(_known(), FrontierRequest(8, 8, None, "baseline"))
    doc = dict(out.doc)
    huge = 100 * out.rec.current.revenue_at_risk.mean
    doc["points"] = dict(doc["points"]) | {
        "scenarios": {"strait": {"inventory_value": 1.0, "revenue_at_risk": {"mean": huge}}}
    }
    fig = frontier_figure(doc, "EUR")
    ax = fig.axes[0]
    assert ax.get_ylim()[1] < huge
    assert any("strait" in t.get_text() and "off the chart" in t.get_text() for t in ax.texts)
