"""The Frontier view: the takeaway from the numbers, the reconciled table, the chart."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from test_frontier import D, _known
from ui_window import main_window

from ui.figures.frontier import frontier_figure, name_box
from ui.logic.frontier import (
    FrontierRequest,
    compute_frontier,
    frontier_plans,
    headline,
    site_rows,
)
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
    # a click on today's point shows today's plan: nothing differs, nothing to run
    spots = view.canvas.spots()
    assert {"current", "recommended"} <= set(spots)
    x, y = spots["current"]
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert view.model.rowCount() == 0 and not view.apply_button.isEnabled()
    assert view.plan_label.text().startswith("<b>Today's plan</b>")
    x, y = spots["recommended"]
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    plan = frontier_plans(view.outcome)["recommended"]
    shown = {r.site_id: r.recommended_days for r in view.model.rows()}
    assert shown and all(plan.days[sid] == d for sid, d in shown.items())
    # one click runs it as a what-if scenario that holds exactly those days
    with qtbot.waitSignal(window.became_idle, timeout=120_000):
        assert view.apply_button.isEnabled()
        view.apply_button.click()
    name = next(n for n in window.runs if n.startswith("recommended"))
    from jitrisk import apply_scenario

    net = apply_scenario(window.session_network, name)
    for sid, days in shown.items():
        assert net.site_by_id[sid].safety_stock_days == pytest.approx(days)


def test_another_point_of_the_frontier_prices_its_own_days() -> None:
    out = compute_frontier(_known(), FrontierRequest(8, 8, None, "baseline"))
    plans = frontier_plans(out)
    assert set(plans) >= {"current", "recommended", "gsm"}
    for plan in plans.values():
        rows = site_rows(out, plan)
        # a day at the DC holds 100 units worth 10: 1,000, and 250 a year at 25 %; a day
        # at the supplier 100 units worth 1
        per_day = {
            "DC": (1000.0, 250.0),
            "SUP": (100.0, 100.0 * _known().sites[0].holding_cost_rate),
        }
        for r in rows:
            extra = plan.days[r.site_id] - r.current_days
            value, hold = per_day[r.site_id]
            assert r.extra_value == pytest.approx(value * extra)
            assert r.extra_holding == pytest.approx(hold * extra)
    assert site_rows(out, plans["current"]) == []


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


@pytest.mark.gui
def test_the_safety_stock_tab_leads_to_the_frontier_of_its_scenario(
    qtbot: Any, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(TEACHING)
    safety = window.safety_view
    other = [safety.scenario_combo.itemText(i) for i in range(safety.scenario_combo.count())][-1]
    safety.scenario_combo.setCurrentText(other)
    window.show_view(safety)
    safety.frontier_button.click()
    assert window.tabs.currentWidget() is window.frontier_view
    assert other != "baseline"
    assert window.frontier_view.scenario_combo.currentText() == other


def test_names_of_points_close_together_never_overprint() -> None:
    """Six scenarios around today's point on a small chart (as at 1024 x 640): every
    name is drawn apart from every other, off-the-chart names included."""
    out = compute_frontier(_known(), FrontierRequest(8, 8, None, "baseline"))
    doc = dict(out.doc)
    cur = doc["points"]["current"]
    x0, y0 = cur["inventory_value"], cur["revenue_at_risk"]["mean"]
    near = {
        f"scenario-{i}": {
            "inventory_value": x0 * (1 + 0.01 * i),
            "revenue_at_risk": {"mean": y0 * (1 + 0.02 * i)},
        }
        for i in range(4)
    }
    far = {
        f"far-{i}": {"inventory_value": x0, "revenue_at_risk": {"mean": 100 * y0 * (i + 1)}}
        for i in range(2)
    }
    doc["points"] = dict(doc["points"]) | {"scenarios": near | far}
    fig = frontier_figure(doc, "EUR", figsize=(6.4, 3.6))  # the chart at 1024 x 640
    fig.draw_without_rendering()
    boxes = [(t.get_text(), name_box(t)) for t in fig.axes[0].texts]
    assert len(boxes) == 3 + 6
    crossing = [
        (a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1 :] if p.overlaps(q)
    ]
    assert crossing == []
    # every name whole inside the figure (the rightmost point's went over the edge)
    assert all(box.x0 >= 0 and box.x1 <= fig.bbox.x1 for _, box in boxes)
    # the title too (wrapped for the axes' width, not the figure's)
    assert fig.axes[0].title.get_window_extent().x1 <= fig.bbox.x1
    # and over no other named point
    ax = fig.axes[0]
    spots = [(t.get_text(), ax.transData.transform(t.xy)) for t in ax.texts]
    covered = [
        (name, other)
        for name, box in boxes
        for other, (px, py) in spots
        if other != name and box.contains(px, py)
    ]
    assert covered == []
