"""The Buffers, Risk and Safety stock views, and the Qt-free work behind them.

The work functions (:func:`compute_buffer_curve`, :func:`compute_risk`,
:func:`compute_plans`) and the worker are checked on the test thread first;
then each view runs on its own thread pool as in the application: results
populate, Cancel returns to idle, errors reach the planner as messages. The
small teaching example keeps every run to a second or two.
"""

from __future__ import annotations

import itertools
import math
import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from jitrisk import load_network
from jitrisk.engine import Progress
from jitrisk.engine import kernel as K
from jitrisk.errors import JitriskError, SimulationCancelled
from jitrisk.model.records import Network
from ui.figures import analysis as analysis_charts
from ui.logic.buffers import (
    BufferOutcome,
    BufferRequest,
    buffer_targets,
    compute_buffer_curve,
    headline,
)
from ui.logic.buffers import run_info as curve_info
from ui.logic.messages import ALL_MESSAGES
from ui.logic.risk import RiskRequest, compute_risk
from ui.logic.risk import run_info as risk_info
from ui.logic.safety import PlanSummary, SafetyRequest, compute_plans, nice_amount
from ui.logic.safety import run_info as safety_info
from ui.views.analysis_base import AnalysisErrors, AnalysisInfos
from ui.views.buffers import ANALYSIS_MESSAGES, BuffersView, buffer_task
from ui.views.risk import RiskView
from ui.views.safety import SafetyView
from ui.workers.worker import Worker

pytestmark = pytest.mark.gui

TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"
TRIALS = 24
RUN_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(TEACHING)


@pytest.fixture(scope="module")
def curve(net: Network) -> BufferOutcome:
    request = BufferRequest("SUP-MOTOR", (0.0, 1.0, 2.0, 3.0, 5.0, 8.0), TRIALS, "baseline")
    return compute_buffer_curve(net, request)


def stocking(net: Network) -> list[str]:
    return [s.site_id for s in net.sites if s.is_stocking]


# --------------------------------------------------------------------------- work, no threads
def test_messages_have_their_own_keys() -> None:
    keys = [m.key for m in ANALYSIS_MESSAGES]
    assert len(keys) == len(set(keys))
    assert not set(keys) & {m.key for m in ALL_MESSAGES}
    for m in ANALYSIS_MESSAGES:
        assert m.text.strip().endswith(".") or m.text.strip().endswith("}")


def test_targets_offer_network_tiers_and_every_stocking_site(net: Network) -> None:
    targets = buffer_targets(net)
    keys = [t.key for t in targets]
    assert keys[0] == "network"
    assert "tier:1" in keys and "type:plant" in keys and "region:DE" in keys
    assert keys[-len(stocking(net)) :] == stocking(net)
    motor = next(t for t in targets if t.key == "SUP-MOTOR")
    assert "Motor supplier" in motor.label and "tier 1" in motor.label


def test_buffer_curve_rows_mark_knee_current_and_paired_changes(curve: BufferOutcome) -> None:
    rows = curve.rows
    assert [r.buffer_days for r in rows] == [0, 1, 2, 3, 5, 8]
    assert rows[0].change is None and all(r.change is not None for r in rows[1:])
    for r in rows:
        m, lo, hi = r.stockout
        assert 0 <= lo <= m <= hi <= 1
    assert curve.current == 3.0  # SUP-MOTOR holds 3 days in the workbook
    assert [r.buffer_days for r in rows if r.is_current] == [3.0]
    assert curve.knee is not None
    assert [r.buffer_days for r in rows if r.is_knee] == [curve.knee]
    # more buffer never raises the risk under common random numbers
    means = [r.stockout[0] for r in rows]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(means))
    text = headline(curve)
    assert "Knee at" in text and "Current buffer" in text
    info = curve_info(curve)
    assert f"{len(rows)} levels × {curve.result.trials:,} trials" in info
    assert f"seed {curve.result.seed}" in info and "scenario baseline" in info


def test_buffer_curve_reports_progress_and_stops_when_cancelled(net: Network) -> None:
    request = BufferRequest("network", (0.0, 5.0, 10.0), TRIALS, "baseline")
    seen: list[Progress] = []
    compute_buffer_curve(net, request, progress=seen.append)
    assert seen and seen[-1].fraction == pytest.approx(1.0)
    assert all(0 <= p.fraction <= 1 for p in seen)
    with pytest.raises(SimulationCancelled):
        compute_buffer_curve(net, request, cancelled=lambda: True)


def test_worker_runs_the_buffer_task_without_threads(qapp: Any, net: Network) -> None:
    request = BufferRequest("tier:1", (0.0, 4.0), TRIALS, "baseline")
    worker = Worker(buffer_task(net, request))
    events: list[str] = []
    results: list[Any] = []
    worker.signals.result.connect(results.append)
    worker.signals.progress.connect(lambda _p: events.append("progress"))
    worker.signals.finished.connect(lambda: events.append("finished"))
    worker.run()
    assert events[-1] == "finished" and "progress" in events
    assert isinstance(results[0], BufferOutcome)
    assert results[0].members == ("SUP-FRAME", "SUP-MOTOR")
    assert results[0].current is None  # a group: the current buffers differ


def test_risk_ranking_by_exposure_index_with_advice(net: Network) -> None:
    stages: list[object] = []
    outcome = compute_risk(net, RiskRequest(TRIALS, 120, 14.0, True, "baseline"), stages.append)
    assert isinstance(stages[0], str)  # the undisrupted run first, then sites
    assert isinstance(stages[-1], Progress) and stages[-1].fraction == 1.0
    assert {r.target for r in outcome.sites} == set(stocking(net))
    assert {r.target for r in outcome.regions} == {"PL", "CN", "DE"}
    reis = [r.rei for r in outcome.sites]
    assert reis == sorted(reis, reverse=True) and reis[0] == pytest.approx(1.0)
    for r in outcome.sites:
        assert r.exposed == (r.tts[0] < r.ttr)
        assert bool(r.advice) == r.exposed
    motor = next(r for r in outcome.sites if r.target == "SUP-MOTOR")
    assert motor.ttr_source == "disruption profile" and motor.ttr == pytest.approx(7.0)
    info = risk_info(outcome)
    assert f"{TRIALS:,} trials per site · 120 days" in info and "default TTR 14 days" in info


def test_gsm_plan_alone_then_both_plans(net: Network) -> None:
    request = SafetyRequest(0.95, None, "lost_revenue", TRIALS, "baseline")
    alone = compute_plans(net, request)
    assert alone.placement is None
    assert [p.name for p in alone.plans] == ["Current plan", "Guaranteed service (GSM)"]
    assert all(math.isnan(p.lost_revenue[0]) for p in alone.plans)
    assert {r.site_id for r in alone.rows} == set(stocking(net))
    assert all(math.isnan(r.extra_days) for r in alone.rows)
    assert alone.current_value == pytest.approx(alone.plans[0].inventory_value)

    both = compute_plans(
        net, SafetyRequest(0.95, 500_000.0, "lost_revenue", TRIALS, "baseline"), alone.gsm
    )
    assert both.gsm is alone.gsm  # same settings: not solved again
    p = both.placement
    assert p is not None and p.spent <= 500_000.0 + 1e-6
    assert len(both.plans) == 3
    for plan in both.plans:
        m, lo, hi = plan.lost_revenue
        assert lo <= m <= hi
        assert 0 <= plan.stockout[1] <= plan.stockout[0] <= plan.stockout[2] <= 1
    assert both.plans[1].inventory_value == pytest.approx(both.gsm_value)
    for r in both.rows:
        assert r.extra_days == p.extra_days.get(r.site_id, 0.0)
        assert r.aware_days == pytest.approx(r.current_days + r.extra_days)
    info = safety_info(both)
    assert "GSM service level 95.0%, daily review" in info and f"seeds {p.seed}" in info


def test_nice_amounts() -> None:
    assert nice_amount(1_547_907) == 1_000_000
    assert nice_amount(2_600) == 2_000
    assert nice_amount(73) == 50
    assert nice_amount(0) == 0


def test_charts_mark_the_knee_and_compare_plans(curve: BufferOutcome) -> None:
    fig = analysis_charts.buffer_curve_figure(curve.doc, figsize=(8, 4.5))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("Knee:") for t in texts)
    assert any(t.startswith("Current: 3 days") for t in texts)
    full_top = fig.axes[0].get_ylim()[1]
    zoomed = analysis_charts.buffer_curve_figure(curve.doc, zoom=True, figsize=(8, 4.5))
    assert zoomed.axes[0].get_ylim()[1] < full_top
    assert any("off the chart: 0 days" in t.get_text() for t in zoomed.axes[0].texts)
    nan3 = (math.nan, math.nan, math.nan)
    plans = [
        PlanSummary("Current plan", 1e6, (5e4, 4e4, 6e4), (0.3, 0.2, 0.4)),
        PlanSummary("GSM", 8e5, nan3, nan3),
    ]
    fig = analysis_charts.plan_comparison_figure(plans, currency="EUR", figsize=(9, 3))
    assert len(fig.axes) == 3
    assert "not simulated" in [t.get_text() for t in fig.axes[1].texts]
    fig = analysis_charts.plan_comparison_figure(plans[1:], figsize=(9, 3))
    assert any("Not simulated yet" in t.get_text() for t in fig.axes[2].texts)


AUTOMOTIVE = TEACHING.parent / "automotive.xlsx"


def _line_pixels(fig: Any) -> np.ndarray:
    """Points at most a pixel apart along every drawn line of the chart."""
    pts = [np.zeros((0, 2))]
    for ax in fig.axes:
        for line in ax.get_lines():
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            xy = xy[np.isfinite(xy).all(axis=1)]
            for a, b in itertools.pairwise(xy):
                k = int(np.hypot(*(b - a))) + 2
                pts.append(a + np.linspace(0.0, 1.0, k)[:, None] * (b - a))
    return np.concatenate(pts)


@pytest.mark.parametrize("figsize", [(6.4, 2.0), (6.4, 2.6), (8.0, 4.5)])
def test_the_zoom_note_sits_clear_of_the_curves_and_labels(figsize: tuple[float, float]) -> None:
    """On a zoomed chart the fill rate runs along the top (a note in the top-left corner
    hid it); the note goes where no curve and no label is, inside the axes."""
    from matplotlib.text import Text

    levels = tuple(float(d) for d in range(31))
    doc = compute_buffer_curve(
        load_network(AUTOMOTIVE), BufferRequest("OEM-LEIPZIG", levels, 40, "baseline")
    ).doc
    fig = analysis_charts.buffer_curve_figure(doc, zoom=True, figsize=figsize)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    (note,) = [t for t in ax.texts if "Zoomed past the knee" in t.get_text()]
    assert "off the chart: 0 days" in note.get_text().replace("\n", " ")
    box = note.get_window_extent()
    frame = ax.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
    assert box.y1 <= frame.y1
    pts = _line_pixels(fig)
    through = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1)
    through &= (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
    assert not through.any(), f"{int(through.sum())} points of a curve under the note"
    for label in ax.texts:
        if label is not note and label.get_text():
            assert not box.overlaps(Text.get_window_extent(label)), label.get_text()


# --------------------------------------------------------------------------- views, threads
def wait_idle(qtbot: Any, view: Any) -> None:
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        pass


def run_and_wait(qtbot: Any, view: Any, start: Any = None) -> None:
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        assert (start or view.run)()


def test_buffers_view_idle_states_and_run(qtbot: Any, net: Network) -> None:
    view = BuffersView()
    qtbot.addWidget(view)
    assert not view.run_button.isEnabled()
    assert "Open a valid workbook" in view.idle_label.text()
    view.set_network(net)
    assert "Press Run to compute the buffer curve" in view.idle_label.text()
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()
    assert view.select_target("SUP-MOTOR")
    view.levels_input.set_levels(0, 6, 1)
    view.trials_spin.setValue(TRIALS)
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        assert view.run()
        assert view.is_running() and view.cancel_button.isEnabled()
        assert not view.run_button.isEnabled() and not view.levels_input.isEnabled()
    assert view.has_results() and view.stack.currentIndex() == 1
    assert view.model.rowCount() == 7
    labels = [view.model.cell_text(i, "Buffer\ndays") for i in range(7)]
    assert any("knee" in t for t in labels)
    assert "3  (current)" in labels or "3  (knee, current)" in labels
    assert "Knee at" in view.headline.text()
    qtbot.waitUntil(view.chart_drawn, timeout=5000)
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()


def test_buffers_view_searches_sites_and_refuses_bad_input(qtbot: Any, net: Network) -> None:
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.target_combo.setEditText("sup-frame")  # a typed id counts, in any case
    assert view.target_key() == "SUP-FRAME"
    view.target_combo.setEditText("no such site")
    assert not view.run()
    assert view.messages.shown_keys() == ["bad_input"]
    view.select_target("network")
    assert view.levels_input.text() == "0:30:1"  # from 0 to 30 every day, as the CLI writes it
    view.levels_input.set_levels(30, 0, 1)
    assert not view.run()
    shown = view.messages.messages()[0]
    assert (
        shown.title
        == AnalysisErrors.bad_input.format(what="Buffer levels", reason="", hint="").title
    )
    assert not view.is_running()


def test_buffers_view_cancel_returns_to_idle(qtbot: Any, net: Network) -> None:
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.select_target("network")
    view.trials_spin.setValue(2000)
    view.levels_input.set_levels(0, 60, 1)
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        assert view.run()
        assert view.cancel()
        assert not view.cancel_button.isEnabled()
    assert not view.is_running() and not view.has_results()
    assert view.messages.shown_keys() == ["analysis_cancelled"]
    assert view.stack.currentIndex() == 0
    assert "Press Run" in view.idle_label.text()
    assert view.run_button.isEnabled()


def test_errors_reach_the_planner_as_messages(
    qtbot: Any, net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise JitriskError("no stocking site matches 'tier:9'")

    monkeypatch.setattr("ui.logic.buffers.sweep", refuse)
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    run_and_wait(qtbot, view)
    assert view.messages.shown_keys() == ["analysis_failed"]
    text = view.messages.messages()[0].text
    assert text.startswith("No stocking site matches 'tier:9'.")
    assert view.stack.currentIndex() == 0 and view.run_button.isEnabled()


def test_unexpected_errors_open_the_error_dialog(
    qtbot: Any, net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object, **_kw: object) -> None:
        raise ZeroDivisionError("bug")

    shown: list[BaseException] = []
    monkeypatch.setattr("ui.logic.buffers.sweep", crash)
    monkeypatch.setattr(
        "ui.views.analysis_base.show_error_dialog", lambda exc, _p: shown.append(exc)
    )
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    run_and_wait(qtbot, view)
    assert isinstance(shown[0], ZeroDivisionError)
    assert "ZeroDivisionError" in view.messages.messages()[0].text


def test_reload_keeps_results_marked_stale_and_a_new_network_clears(
    qtbot: Any, net: Network, tmp_path: Path
) -> None:
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.select_target("SUP-FRAME")
    view.levels_input.set_levels(0, 4, 4)
    view.trials_spin.setValue(TRIALS)
    run_and_wait(qtbot, view)
    view.set_network(load_network(TEACHING))  # the same workbook read again
    assert view.has_results() and view.messages.shown_keys() == ["analysis_stale"]
    assert view.target_key() == "SUP-FRAME"
    view.set_network(None)
    assert not view.has_results() and not view.run_button.isEnabled()
    assert view.messages.shown_keys() == []


def test_risk_view_sites_and_regions(qtbot: Any, net: Network) -> None:
    view = RiskView()
    qtbot.addWidget(view)
    view.set_network(net)
    assert "Press Run" in view.idle_label.text()
    view.trials_spin.setValue(TRIALS)
    view.days_spin.setValue(120)
    run_and_wait(qtbot, view)
    assert view.model.rowCount() == len(stocking(net))
    assert view.model.cell_text(0, "REI") == "1.00"
    exposed = [view.model.cell_text(i, "Exposed") for i in range(view.model.rowCount())]
    assert all(t.startswith(("No, ", "Yes, ")) for t in exposed)
    spare = [t for t in exposed if t.startswith("No")]
    assert spare and all(t.endswith(("d to spare", "outlasts the horizon")) for t in spare)
    assert "sites" in view.headline.text()
    qtbot.waitUntil(lambda: view.chart_drawn() == "sites", timeout=5000)
    view.kind_tabs.setCurrentIndex(1)
    assert view.showing_regions() and view.model.rowCount() == 3
    qtbot.waitUntil(lambda: view.chart_drawn() == "regions", timeout=5000)
    # sorting is numeric: REI ascending puts the smallest first
    proxy = view.table.model()
    col = [c.header for c in view.model.columns].index("REI")
    proxy.sort(col, Qt.SortOrder.AscendingOrder)
    values = [float(proxy.index(r, col).data()) for r in range(proxy.rowCount())]
    assert values == sorted(values)


def test_risk_view_cancel(qtbot: Any, net: Network) -> None:
    view = RiskView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.trials_spin.setValue(3000)
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        view.run()
        view.cancel()
    assert not view.has_results()
    assert view.messages.shown_keys() == ["analysis_cancelled"]


def test_safety_view_gsm_then_both_plans(qtbot: Any, net: Network) -> None:
    view = SafetyView()
    qtbot.addWidget(view)
    view.show()
    view.set_network(net)
    qtbot.waitUntil(lambda: view.budget_spin.value() > 0, timeout=5000)
    assert view.service_spin.value() == pytest.approx(95.0)
    caption = view.budget_caption.text()
    assert caption.startswith("Extra budget (safety stock now: EUR ") and "days" not in caption
    assert view.service_spin.text() == "95 %"  # no trailing zeros, yet 99.9999 % is enterable
    view.service_spin.setValue(99.99995)
    assert view.service_spin.text() == "99.9999 %"
    view.service_spin.setValue(95.0)
    assert "Plan GSM" in view.idle_label.text()
    run_and_wait(qtbot, view, view.run_gsm)
    assert view.model.rowCount() == len(stocking(net))
    assert "EUR " in view.cards[1].value_label.text()
    assert "not simulated" in view.cards[0].lost_label.text()
    assert view.cards[2].value_label.text() == "–"
    view.budget_spin.setValue(400_000)
    view.trials_spin.setValue(TRIALS)
    run_and_wait(qtbot, view)
    outcome = view.outcome
    assert outcome.placement is not None and len(outcome.plans) == 3
    for card in view.cards:
        assert "Expected revenue at risk (delivered late)" in card.lost_label.text()
        assert "[" in card.stockout_label.text()
    assert "disruption-aware plan" in view.headline.text()
    assert "expected revenue at risk (delivered late) by" in view.headline.text()
    qtbot.waitUntil(view.chart_drawn, timeout=5000)


def test_safety_view_refuses_a_zero_budget(qtbot: Any, net: Network) -> None:
    view = SafetyView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.budget_spin.setValue(0)
    view._budget_for = net  # keep the zero (the default is set when first shown)
    assert not view.run()
    assert view.messages.shown_keys() == ["bad_input"]
    assert AnalysisInfos.analysis_cancelled.key not in view.messages.shown_keys()


def test_closing_the_window_stops_the_analysis(qtbot: Any, net: Network) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    view = BuffersView()
    window.setCentralWidget(view)
    window.show()
    view.set_network(net)
    view.select_target("network")
    view.trials_spin.setValue(2000)
    view.levels_input.set_levels(0, 60, 1)
    with qtbot.waitSignal(view.became_idle, timeout=RUN_TIMEOUT_MS):
        assert view.run()
        window.close()
    assert view.messages.shown_keys() == ["analysis_cancelled"]


def test_worker_signals_reach_the_view_on_the_gui_thread(qtbot: Any, net: Network) -> None:
    view = BuffersView()
    qtbot.addWidget(view)
    view.set_network(net)
    view.select_target("SUP-FRAME")
    view.levels_input.set_levels(0, 4, 2)
    view.trials_spin.setValue(TRIALS)
    on_gui_thread: list[bool] = []
    report = view._on_progress

    def spy(worker: Worker, progress: object) -> None:
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        report(worker, progress)

    view._on_progress = spy  # type: ignore[method-assign]
    run_and_wait(qtbot, view)
    assert on_gui_thread and all(on_gui_thread)
    assert view.has_results()


def test_the_current_plan_is_the_results_run_when_they_share_settings(net: Network) -> None:
    from ui.logic.tasks import RunRequest, run_simulation

    run = run_simulation(net, RunRequest("baseline", TRIALS, 120, 9))
    request = SafetyRequest(0.95, 500_000.0, "lost_revenue", TRIALS, "baseline", (9, TRIALS, 120))
    both = compute_plans(net, request)
    current = both.plans[0]
    assert current.name == "Current plan"
    # the same numbers, not merely close: the confirmation of the current plan is the run
    assert current.lost_revenue[0] == float(np.mean(run.losses))
    first = run.result.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT]
    assert current.stockout[0] == float(np.mean(first >= 0))
    assert both.placement is not None and both.placement.fresh_seed == 9
    assert both.placement.seed != 9  # the search ran on other numbers
    assert "confirmed on the Results run's" in safety_info(both)


def test_a_network_curve_says_where_the_sites_stand_today(net: Network) -> None:
    from jitrisk.analysis.placement import current_days, mean_flows

    request = BufferRequest("network", (0.0, 1.0, 2.0, 3.0, 5.0, 8.0), TRIALS, "baseline")
    outcome = compute_buffer_curve(net, request)
    today = current_days(net, mean_flows(net))
    assert outcome.members and outcome.member_days == tuple(today[s] for s in outcome.members)
    text = headline(outcome)
    n = len(outcome.members)
    assert f"The curve sets all {n} sites to each level together" in text
    lo, hi = min(outcome.member_days), max(outcome.member_days)
    assert f"Today they hold {lo:g} day" in text and f"to {hi:g} day" in text
    knee = outcome.knee
    assert knee is not None
    below = sum(1 for d in outcome.member_days if d < knee)
    if below:
        assert f"{below} of {n} are below the knee" in text
    else:
        assert "every one is at or above the knee" in text
