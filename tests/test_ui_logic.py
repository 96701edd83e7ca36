"""The Qt-free logic of the desktop application: formats, KPIs, state rules, tasks, charts.

No window or event loop is involved (the tasks are exactly what the workers run);
the module still imports PySide6 through ``ui.dialogs.guide`` and ``ui.views.summary``.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from builders import set_cell, valid_rows, write_workbook
from jitrisk.engine.results import quantile_ci
from jitrisk.engine.sizing import MAX_LANES, numba_threads_limit
from jitrisk.errors import SimulationCancelled
from ui.dialogs.guide import guide_html
from ui.figures import results as charts
from ui.logic.formatting import (
    MISSING,
    format_compact,
    format_days,
    format_eta,
    format_money_ci,
    format_percent_ci,
)
from ui.logic.kpis import network_kpis
from ui.logic.messages import ALL_MESSAGES, Errors, plural
from ui.logic.state import Activity, SessionState
from ui.logic.tasks import (
    MAX_CHUNK_TRIALS,
    MIN_CHUNK_TRIALS,
    RunRequest,
    is_workbook_path,
    load_workbook,
    progress_chunk_trials,
    run_chunk_trials,
    run_simulation,
)
from ui.views.summary import region_rows, tier_rows

pytestmark = pytest.mark.gui

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# --------------------------------------------------------------------------- formats
def test_percent_with_ci_reads_like_the_planner_expects() -> None:
    """A probability and its CI: percent, two decimals, CI in percentage points."""
    assert format_percent_ci(0.0231, 0.0210, 0.0252) == "2.31% [2.10, 2.52]"


def test_money_ci_uses_short_forms_so_separators_are_unambiguous() -> None:
    """Thousands separators inside a bracketed CI would read as list separators."""
    assert format_money_ci(523_184.05, 510_494.5, 535_873.6) == "523.2k [510.5k, 535.9k]"
    assert format_compact(3.4e9) == "3.4bn"
    assert format_compact(0) == "0"


def test_days_are_singular_for_one_day() -> None:
    assert [format_days(x) for x in (0, 1, 1.5, 2, 14)] == [
        "0 days", "1 day", "1.5 days", "2 days", "14 days"]  # fmt: skip


def test_missing_values_show_a_dash() -> None:
    assert format_percent_ci(math.nan, 0.1, 0.2) == MISSING


def test_eta_before_the_first_chunk_says_it_is_estimating() -> None:
    assert format_eta(math.inf) == "estimating time left…"
    assert format_eta(12.4) == "about 12 s left"
    assert format_eta(75) == "about 1 min 15 s left"


# --------------------------------------------------------------------------- KPIs
def test_quantile_ci_covers_the_true_quantile_about_95_percent_of_the_time() -> None:
    """Order-statistic CI of the 95% quantile of Exp(1): coverage within 92–98%."""
    rng = np.random.default_rng(1)
    true_q = -math.log(0.05)
    hits = 0
    for _ in range(400):
        lo, hi = quantile_ci(rng.exponential(size=400), 0.95)
        hits += lo <= true_q <= hi
    assert 0.92 <= hits / 400 <= 0.98


def test_network_kpis_give_four_cards_with_cis() -> None:
    stats = {
        "any_customer_stockout_probability": {"mean": 0.25, "ci95": [0.2, 0.3]},
        "fill_rate": {"mean": 0.97, "ci95": [0.96, 0.98]},
        "lost_revenue": {
            "mean": 1000.0,
            "ci95": [900.0, 1100.0],
            "var95": 3800.0,
            "cvar95": 3900.0,
            "var95_ci95": [3700.0, 3880.0],
            "cvar95_ci95": [3850.0, 3960.0],
        },
    }
    kpis = network_kpis(stats, "EUR")
    assert [k.key for k in kpis] == ["any_customer_stockout", "fill_rate", "lost_revenue", "var95"]
    assert kpis[0].value == "25.0%"
    assert kpis[0].ci == "95% CI [20.00%, 30.00%]"
    assert kpis[2].value == "EUR 1.0k"
    assert kpis[3].value == "EUR 3.8k"
    assert kpis[3].lo <= 3800.0 <= kpis[3].hi
    assert "CVaR95" in kpis[3].caption
    assert kpis[3].ci == "95% CI [3.7k, 3.9k]"
    assert "[3.9k, 4.0k]" in kpis[3].caption  # CVaR95's interval, from the core


# --------------------------------------------------------------------------- state and messages
def test_runs_need_a_valid_workbook_and_an_idle_window() -> None:
    idle = SessionState(has_workbook=True, workbook_ok=True)
    assert idle.can_run and not idle.can_cancel
    running = idle.with_(activity=Activity.RUNNING)
    assert not running.can_run and running.can_cancel and not running.can_open
    assert not SessionState(has_workbook=True, workbook_ok=False).can_run
    assert not idle.with_(activity=Activity.CANCELLING).can_cancel


def test_every_message_has_a_unique_key_and_fills_its_placeholders() -> None:
    keys = [m.key for m in ALL_MESSAGES]
    assert len(keys) == len(set(keys))
    shown = Errors.workbook_invalid.format(name="a.xlsx", errors=plural(2, "error"))
    assert "a.xlsx has 2 errors" in shown.text
    assert shown.level == "error"


# --------------------------------------------------------------------------- tasks
def test_progress_chunks_give_about_fifty_updates_within_bounds() -> None:
    assert progress_chunk_trials(10) == MIN_CHUNK_TRIALS
    assert progress_chunk_trials(2000) == 40
    assert progress_chunk_trials(10**6) == MAX_CHUNK_TRIALS


def test_runs_use_whole_groups_of_trials_for_every_engine_thread() -> None:
    step = MAX_LANES * numba_threads_limit()
    for trials in (10, 64, 2000, 10**6):
        size = run_chunk_trials(trials)
        assert size % step == 0
        assert progress_chunk_trials(trials) <= size < progress_chunk_trials(trials) + step


def test_only_excel_workbooks_are_opened() -> None:
    assert is_workbook_path("a/b.XLSX") and is_workbook_path("c.xlsm")
    assert not is_workbook_path("notes.csv")


def test_load_valid_workbook_gathers_the_summary(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "valid.xlsx", valid_rows())
    doc = load_workbook(path)
    assert doc.ok and doc.network is not None and doc.info is not None
    assert doc.info["counts_by_type"] == {"supplier": 3, "plant": 1, "dc": 1, "customer": 2}
    assert doc.outline.sheet("Sites") is not None
    assert doc.outline.sheet("Sites").records == 7  # type: ignore[union-attr]


def test_load_invalid_workbook_still_reports_what_was_read(tmp_path: Path) -> None:
    rows = valid_rows()
    set_cell(rows, "Lanes", 2, "lead_time_days", "normal(5")
    set_cell(rows, "Sites", 3, "type", "warehouse")
    doc = load_workbook(write_workbook(tmp_path / "bad.xlsx", rows))
    assert not doc.ok and doc.network is None and doc.info is None
    assert len(doc.report.errors) >= 2
    assert doc.outline.sheet("Lanes").records == 6  # type: ignore[union-attr]
    lane_problem = next(p for p in doc.report.errors if p.sheet == "Lanes")
    assert doc.outline.header_of(lane_problem) == "lead_time_days"


def test_load_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_text("a,b\n1,2\n")
    doc = load_workbook(path)
    assert not doc.ok
    assert doc.outline.sheets == () and doc.outline.error


def test_run_simulation_reports_progress_and_summarises(tmp_path: Path) -> None:
    net = load_workbook(write_workbook(tmp_path / "v.xlsx", valid_rows())).network
    assert net is not None
    seen: list[float] = []
    out = run_simulation(
        net,
        RunRequest("baseline", trials=64, days=30, seed=3),
        progress=lambda p: seen.append(p.fraction),
    )
    assert seen[-1] == 1.0 and len(seen) == math.ceil(64 / run_chunk_trials(64))
    assert out.result.trials == 64
    assert len(out.sites) == len(net.sites)
    assert len(out.losses) == 64
    assert out.kpis[0].key == "any_customer_stockout"
    assert out.currency == "EUR"


def test_run_simulation_stops_when_cancelled_between_chunks(tmp_path: Path) -> None:
    net = load_workbook(write_workbook(tmp_path / "v.xlsx", valid_rows())).network
    assert net is not None
    done: list[int] = []
    with pytest.raises(SimulationCancelled):
        run_simulation(
            net,
            RunRequest("baseline", trials=400, days=30, seed=3),
            progress=lambda p: done.append(p.done),
            cancelled=lambda: bool(done),
        )
    assert done == [run_chunk_trials(400)]  # stopped after the first chunk


# --------------------------------------------------------------------------- views' data
def test_tiers_are_listed_upstream_first() -> None:
    rows = tier_rows(
        {"customer": 2, "plant": 1, "supplier tier 1": 3, "supplier tier 2": 4, "dc": 1}
    )
    assert [r[0] for r in rows] == [
        "Supplier tier 2",
        "Supplier tier 1",
        "Plants",
        "DCs",
        "Customers",
    ]


def test_many_regions_are_folded_into_other() -> None:
    rows = region_rows({f"R{i}": i for i in range(1, 12)}, limit=4)
    assert [r[0] for r in rows] == ["R11", "R10", "R9", "8 other regions"]
    assert rows[-1][1] == sum(range(1, 9))


def test_guide_lists_every_sheet_and_setting() -> None:
    html = guide_html()
    for name in (
        "Sites",
        "Lanes",
        "Demand",
        "Disruptions",
        "Scenarios",
        "Settings",
        "safety_stock_days",
        "unmet_demand",
        "geometric",
    ):
        assert name in html


# --------------------------------------------------------------------------- charts
def _frame() -> object:
    import pandas as pd

    return pd.DataFrame(
        {
            "type": ["plant", "dc", "customer", "supplier"],
            "name": ["Assembly", "Hub", "Retail", "Chips"],
            "stockout_day_probability": [0.3, 0.1, 0.2, 0.0],
            "stockout_day_probability_lo": [0.25, 0.08, 0.15, 0.0],
            "stockout_day_probability_hi": [0.35, 0.12, 0.25, 0.01],
        },
        index=pd.Index(["P", "D", "C", "S"], name="site_id"),
    )


def test_top_risk_chart_puts_the_worst_site_on_top_with_whiskers() -> None:
    fig = charts.top_risk_sites_figure(_frame(), n=3)  # type: ignore[arg-type]
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith("P") and len(labels) == 3  # barh: last label is on top
    assert fig.axes[0].get_legend() is None and len(fig.legends) == 1  # below, not on bars
    fig.draw_without_rendering()  # laid out without warnings (filterwarnings = error)
    legend_box = fig.legends[0].get_window_extent()
    assert legend_box.y1 <= ax.get_window_extent().y0  # under the axes: covers no bar


def test_top_risk_chart_shows_only_the_bars_its_height_can_label() -> None:
    frame = pd.concat([_frame()] * 5)
    frame.index = pd.Index([f"S{i}" for i in range(len(frame))], name="site_id")
    tall = charts.top_risk_sites_figure(frame, n=15, figsize=(6.4, 6.0))  # type: ignore[arg-type]
    short = charts.top_risk_sites_figure(frame, n=15, figsize=(6.4, 2.6))  # type: ignore[arg-type]
    assert len(tall.axes[0].get_yticks()) == 15
    fit = charts.rows_that_fit(2.6)
    assert 3 <= fit < 15 and len(short.axes[0].get_yticks()) == fit
    short.draw_without_rendering()
    boxes = [t.get_window_extent() for t in short.axes[0].get_yticklabels()]
    assert all(b.y1 <= a.y0 + 1 for a, b in zip(boxes[1:], boxes[:-1], strict=True))  # no overlap


def test_top_risk_chart_ticks_never_run_into_each_other_on_a_narrow_chart() -> None:
    """At 1024 x 640 the chart is about 3.4 in wide and long site names take most of it:
    six percent labels ran into each other."""
    frame = _frame()
    frame["name"] = ["Vehicle assembly plant Leipzig", "Hub", "Retail", "Chips"]
    frame.index = pd.Index(["OEM-LEIPZIG", "DC-MUNICH", "MKT-DE", "T1-SEATS"], name="site_id")
    for width in (3.4, 6.4):
        fig = charts.top_risk_sites_figure(frame, n=4, figsize=(width, 2.6))  # type: ignore[arg-type]
        fig.draw_without_rendering()  # laid out as drawn (a bare canvas's draw() is a no-op)
        boxes = [t.get_window_extent() for t in fig.axes[0].get_xticklabels() if t.get_visible()]
        boxes = [b for b in boxes if b.width > 0]
        assert len(boxes) >= 2
        assert all(a.x1 < b.x0 for a, b in itertools.pairwise(boxes)), width


def test_lost_revenue_chart_marks_var_and_cvar() -> None:
    losses = np.random.default_rng(0).gamma(2.0, 1000.0, size=500)
    fig = charts.lost_revenue_figure(losses, 5000.0, 6500.0, "EUR")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("VaR95") for t in texts) and any("CVaR95" in t for t in texts)
    fig.draw_without_rendering()
    # with backorders the revenue is delivered late: at risk, not lost
    at_risk = charts.lost_revenue_figure(losses, 5000.0, 6500.0, "EUR", what="Revenue at risk")
    assert at_risk.axes[0].get_xlabel() == "Revenue at risk over the horizon (EUR)"
    assert any("Revenue at risk across trials" in t.get_text() for t in at_risk.texts)


def test_lost_revenue_chart_without_losses_says_so() -> None:
    fig = charts.lost_revenue_figure(np.zeros(10), 0.0, 0.0)
    assert "No revenue was lost" in fig.texts[0].get_text()


def test_site_labels_are_shortened() -> None:
    assert charts.site_label("S1", "S1") == "S1"
    assert len(charts.site_label("SITE", "x" * 80)) == charts.LABEL_CHARS


@pytest.mark.skipif(not (EXAMPLES / "automotive.xlsx").exists(), reason="example missing")
def test_realistic_example_loads_as_valid() -> None:
    doc = load_workbook(EXAMPLES / "automotive.xlsx")
    assert doc.ok and doc.info is not None
    assert sum(doc.info["counts_by_type"].values()) >= 60


def test_every_abbreviation_the_views_print_is_in_the_glossary() -> None:
    from ui.logic.glossary import ABBREVIATIONS, GLOSSARY, glossary_html, meaning

    for word in ABBREVIATIONS:
        assert meaning(word), word
    assert meaning("rei") == meaning("REI") and "largest impact" in meaning("REI")
    assert meaning("no such word") == ""
    html = glossary_html()
    assert all(t.term.replace("&", "&amp;") in html for t in GLOSSARY)
    assert len({t.term.casefold() for t in GLOSSARY}) == len(GLOSSARY)  # no term twice
