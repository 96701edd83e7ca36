"""Numerical guards: degenerate but valid workbooks give finite, sensible, stated answers.

Each case starts from :func:`builders.valid_rows` (two chip suppliers, a frame
supplier, a plant, a DC, two customers), changes what the case is about, loads the
workbook (the warnings it gives are part of the answer) and simulates it. Every result
must hold no NaN or infinity anywhere in ``to_dict()`` (``json.dumps(...,
allow_nan=False)`` succeeds), every probability and fill rate in [0, 1] and inside
its own confidence interval, and no negative quantity; then the case's own answer is
checked.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from builders import Rows, add_column, set_cell, valid_rows, write_workbook
from jitrisk.engine import simulate
from jitrisk.engine.results import SimulationResult
from jitrisk.workbook.reader import ValidationReport, validate_workbook

CUSTOMERS = ("CUST-1", "CUST-2")
STOCKING = ("SUP-A", "SUP-B", "SUP-C", "PLANT", "DC")


def load(tmp_path: Path, rows: Rows) -> ValidationReport:
    report = validate_workbook(write_workbook(tmp_path / "book.xlsx", rows))
    assert report.network is not None, [str(p) for p in report.errors]
    return report


def run(report: ValidationReport, **kw: Any) -> tuple[SimulationResult, dict[str, Any]]:
    assert report.network is not None
    options: dict[str, Any] = {"trials": 200, "days": 60, "seed": 3, **kw}
    result = simulate(report.network, **options)
    doc = result.to_dict()
    check_finite_and_bounded(result, doc)
    return result, doc


def check_finite_and_bounded(result: SimulationResult, doc: dict[str, Any]) -> None:
    json.dumps(doc, allow_nan=False)  # ValueError on NaN or infinity
    for name in ("site_out", "site_int", "buf_out", "net_out"):
        assert np.isfinite(getattr(result, name)).all(), name
    assert (result.site_out >= 0).all() and (result.buf_out >= 0).all()

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if {"mean", "ci95"} <= node.keys():
                lo, hi = node["ci95"]
                assert lo <= node["mean"] <= hi, (path, node)
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif isinstance(node, int | float) and not isinstance(node, bool):
            assert math.isfinite(node) and node >= 0, (path, node)
            if "probability" in path or "fill_rate" in path:
                assert node <= 1, (path, node)

    walk(doc, "")


def warnings_of(report: ValidationReport) -> list[str]:
    return [str(p) for p in report.warnings]


def est(doc: dict[str, Any], site: str, metric: str) -> dict[str, Any]:
    value: dict[str, Any] = doc["sites"][site][metric]
    return value


def exactly(estimate: dict[str, Any], value: float) -> None:
    """The estimate is ``value`` with a zero-width interval (no randomness left)."""
    assert estimate["mean"] == value and estimate["ci95"] == [value, value], estimate


def without_disruptions(rows: Rows) -> Rows:
    rows["Disruptions"] = rows["Disruptions"][:1]
    return rows


# --------------------------------------------------------------------------- the cases


def test_zero_demand_everywhere(tmp_path: Path) -> None:
    """Nothing is asked: fill rate 1 (defined as 1 when nothing was asked), no stockout,
    no loss, base stocks 0; validation warns about each zero demand."""
    rows = valid_rows()
    for r in (2, 3):
        set_cell(rows, "Demand", r, "daily_demand", 0)
    report = load(tmp_path, rows)
    assert warnings_of(report) == [
        "Demand!B2: warning: demand of 'CUST-1' is 0",
        "Demand!B3: warning: demand of 'CUST-2' is 0",
    ]
    _, doc = run(report)
    for site in (*STOCKING, *CUSTOMERS):
        exactly(est(doc, site, "fill_rate"), 1.0)
        exactly(est(doc, site, "stockout_day_probability"), 0.0)
        assert est(doc, site, "stockout_probability")["mean"] == 0.0
        assert doc["sites"][site]["base_stock"] == 0.0
    for buffer in doc["buffers"].values():
        exactly(buffer["fill_rate"], 1.0)
    exactly(doc["network"]["fill_rate"], 1.0)
    assert doc["network"]["lost_revenue"]["mean"] == 0.0
    assert doc["network"]["lost_revenue"]["var95"] == doc["network"]["lost_revenue"]["cvar95"] == 0


def test_zero_variance_is_deterministic(tmp_path: Path) -> None:
    """Constant demand and lead times, no disruptions, buffers >= 0: never short, and
    every trial identical (standard errors 0, intervals of zero width)."""
    rows = without_disruptions(valid_rows())
    set_cell(rows, "Demand", 2, "daily_demand", 100)
    set_cell(rows, "Demand", 3, "daily_demand", 40)
    for r, days in ((2, 5), (4, 2), (7, 2)):  # normal(5, 1), uniform(1, 3), poisson(2)
        set_cell(rows, "Lanes", r, "lead_time_days", days)
    result, doc = run(load(tmp_path, rows))
    exactly(doc["network"]["fill_rate"], 1.0)
    for site in (*STOCKING, *CUSTOMERS):
        exactly(est(doc, site, "stockout_day_probability"), 0.0)
        exactly(est(doc, site, "fill_rate"), 1.0)
    assert np.ptp(result.site_out, axis=0).max() == 0  # every trial the same


def test_all_buffers_zero(tmp_path: Path) -> None:
    """Pure JIT (no safety stock anywhere) with random demand: stockouts on about half of
    the days or more, fill rates well below 1, all finite."""
    rows = valid_rows()
    for r in range(2, 7):
        set_cell(rows, "Sites", r, "safety_stock_days", 0)
    add_column(rows, "Lanes", "line_buffer_days", {2: 0, 3: 0, 4: 0})
    _, doc = run(load(tmp_path, rows))
    _, base = run(load(tmp_path, valid_rows()))
    assert doc["network"]["fill_rate"]["mean"] < base["network"]["fill_rate"]["mean"]
    for site in CUSTOMERS:
        assert est(doc, site, "stockout_day_probability")["mean"] > 0.3
        assert est(doc, site, "stockout_probability")["mean"] == 1.0


def test_every_site_disrupted_all_the_time(tmp_path: Path) -> None:
    """probability_per_day 1 and outages longer than the run at every supplier, plant and
    DC: nothing ever ships. Customers: fill rate 0, a stockout every day, all revenue
    lost. Line-side buffers of a plant that is down see no requests: fill rate 1."""
    rows = valid_rows()
    rows["Disruptions"] = rows["Disruptions"][:1] + [
        [s, "outage", 1, None, 3650, None, None, None, f"DOWN-{s}"] for s in STOCKING
    ]
    _, doc = run(load(tmp_path, rows))
    for site in (*STOCKING, *CUSTOMERS):
        exactly(est(doc, site, "fill_rate"), 0.0)
        exactly(est(doc, site, "stockout_day_probability"), 1.0)
    exactly(doc["network"]["fill_rate"], 0.0)
    exactly(doc["network"]["any_customer_stockout_day_probability"], 1.0)
    for buffer in doc["buffers"].values():
        exactly(buffer["fill_rate"], 1.0)
    # backorder mode: every unit asked is revenue at risk, 100 x 50 + 40 x 60 a day
    lost = doc["network"]["lost_revenue"]["mean"]
    assert lost == pytest.approx(60 * (100 * 50 + 40 * 60), rel=0.05)


def test_outages_of_one_day_with_certain_onset_alternate(tmp_path: Path) -> None:
    """probability 1 with one-day outages: an event starts only on a day after one
    without it, so every site is down every other day."""
    rows = valid_rows()
    rows["Disruptions"] = rows["Disruptions"][:1] + [
        [s, "outage", 1, None, 1, None, None, None, f"DOWN-{s}"] for s in STOCKING
    ]
    _, doc = run(load(tmp_path, rows))
    for site in CUSTOMERS:
        exactly(est(doc, site, "stockout_day_probability"), 0.5)
        assert est(doc, site, "fill_rate")["mean"] == pytest.approx(0.5, abs=0.01)


def test_capacity_tiny(tmp_path: Path) -> None:
    """1e-9 units a day at every producer: warned as unable to keep up; customers are
    short every day and the fill rate is practically 0."""
    rows = valid_rows()
    for r in range(2, 6):
        set_cell(rows, "Sites", r, "capacity_per_day", 1e-9)
    report = load(tmp_path, rows)
    assert len(report.warnings) == 4
    assert all("it can never keep up" in w for w in warnings_of(report))
    _, doc = run(report)
    assert doc["network"]["fill_rate"]["mean"] < 1e-9
    for site in CUSTOMERS:
        exactly(est(doc, site, "stockout_day_probability"), 1.0)


def test_customer_without_a_demand_row(tmp_path: Path) -> None:
    """Its demand is taken as 0 (a warning): fill rate 1, never short; the other
    customer is simulated as usual."""
    rows = valid_rows()
    del rows["Demand"][2]  # CUST-2
    report = load(tmp_path, rows)
    assert warnings_of(report) == [
        "Sites!A8: warning: customer 'CUST-2' has no row in Demand; its demand is taken as 0"
    ]
    _, doc = run(report)
    exactly(est(doc, "CUST-2", "fill_rate"), 1.0)
    exactly(est(doc, "CUST-2", "stockout_day_probability"), 0.0)
    assert est(doc, "CUST-1", "fill_rate")["mean"] > 0.5


def test_only_customer_without_a_demand_row(tmp_path: Path) -> None:
    """A network whose single customer has no demand: everything is zero, fill rate 1."""
    rows = valid_rows()
    del rows["Sites"][7]  # CUST-2
    del rows["Lanes"][6]  # DC -> CUST-2
    rows["Demand"] = rows["Demand"][:1]
    report = load(tmp_path, rows)
    _, doc = run(report)
    exactly(doc["network"]["fill_rate"], 1.0)
    # a horizon probability keeps its Wilson interval: 0 of 200 trials is not certainty
    assert doc["network"]["any_customer_stockout_probability"]["mean"] == 0.0
    assert all(s["base_stock"] == 0 for s in doc["sites"].values())


def test_lead_times_all_zero(tmp_path: Path) -> None:
    """Zero transit and processing times: the network still works (finite, buffers
    only cover the one-day review period), and with constant demand never runs short."""
    rows = without_disruptions(valid_rows())
    for r in range(2, 8):
        set_cell(rows, "Lanes", r, "lead_time_days", 0)
    for r in range(2, 6):
        set_cell(rows, "Sites", r, "processing_days", 0)
    _, doc = run(load(tmp_path, rows))
    assert 0 < doc["network"]["fill_rate"]["mean"] <= 1
    set_cell(rows, "Demand", 2, "daily_demand", 100)
    set_cell(rows, "Demand", 3, "daily_demand", 40)
    _, doc = run(load(tmp_path, rows))
    exactly(doc["network"]["fill_rate"], 1.0)


def test_one_trial(tmp_path: Path) -> None:
    """One trial: standard errors 0; horizon probabilities are 0 or 1 with the Wilson
    interval, which is wide but inside [0, 1]."""
    result, doc = run(load(tmp_path, valid_rows()), trials=1)
    assert result.trials == 1 and doc["trials"] == 1
    for site in doc["sites"].values():
        assert site["stockout_day_probability"]["se"] == 0
        assert site["stockout_probability"]["mean"] in (0.0, 1.0)
    lost = doc["network"]["lost_revenue"]
    assert lost["var95"] == lost["cvar95"] == lost["mean"]


def test_one_day(tmp_path: Path) -> None:
    """One reported day: the probability of a stockout in the horizon equals that of a
    stockout day, site by site; without a warm-up the run starts in steady state and
    nothing is short on day 1."""
    _, doc = run(load(tmp_path, valid_rows()), days=1)
    for site in doc["sites"].values():
        assert site["stockout_probability"]["mean"] == pytest.approx(
            site["stockout_day_probability"]["mean"], abs=1e-12
        )
    _, doc = run(load(tmp_path, valid_rows()), days=1, warmup_days=0)
    exactly(doc["network"]["fill_rate"], 1.0)


def test_one_trial_one_day_no_warmup_zero_demand(tmp_path: Path) -> None:
    rows = valid_rows()
    for r in (2, 3):
        set_cell(rows, "Demand", r, "daily_demand", 0)
    _, doc = run(load(tmp_path, rows), trials=1, days=1, warmup_days=0)
    exactly(doc["network"]["fill_rate"], 1.0)


def test_huge_demand(tmp_path: Path) -> None:
    """1e9 units a day (the limit) against capacities of a few hundred: warned; every
    stocking site but the uncapacitated frame supplier is short every day; fill rate 0;
    lost revenue is huge but finite, at the price of 1e12 (the limit) too."""
    rows = valid_rows()
    set_cell(rows, "Demand", 2, "daily_demand", 1e9)
    set_cell(rows, "Demand", 3, "daily_demand", "normal(1e9, 1e8)")
    set_cell(rows, "Demand", 2, "unit_price", 1e12)
    report = load(tmp_path, rows)
    assert sum("it can never keep up" in w for w in warnings_of(report)) == 3
    _, doc = run(report)
    assert doc["network"]["fill_rate"]["mean"] < 1e-6
    exactly(est(doc, "CUST-1", "stockout_day_probability"), 1.0)
    assert 1e20 < doc["network"]["lost_revenue"]["mean"] < 1e25


@pytest.mark.parametrize(
    ("sheet", "row", "column", "message"),
    [
        ("Demand", 2, "unit_price", "Demand!C2: unit_price 1e+308 is over the limit of 1e+12"),
        ("Sites", 6, "unit_value", "Sites!H6: unit_value 1e+308 is over the limit of 1e+12"),
        (
            "Lanes",
            4,
            "quantity_per_unit",
            "Lanes!D4: quantity_per_unit 1e+308 is over the limit of 1e+06",
        ),
    ],
)
def test_values_that_would_overflow_are_refused(
    tmp_path: Path, sheet: str, row: int, column: str, message: str
) -> None:
    """A unit price of 1e308 used to load, and its lost revenue came out as inf and NaN
    in the results (json.dumps(allow_nan=False) failed)."""
    rows = valid_rows()
    set_cell(rows, sheet, row, column, 1e308)
    report = validate_workbook(write_workbook(tmp_path / "book.xlsx", rows))
    assert [str(p) for p in report.errors] == [message]


@pytest.mark.parametrize("column", ["base_stock_units", "line_buffer_units", "line_buffer_days"])
def test_buffer_sizes_that_would_overflow_are_refused(tmp_path: Path, column: str) -> None:
    rows = valid_rows()
    if column == "base_stock_units":
        add_column(rows, "Sites", column, {6: 1e308})
    else:
        add_column(rows, "Lanes", column, {4: 1e308})
    report = validate_workbook(write_workbook(tmp_path / "book.xlsx", rows))
    assert [p.message for p in report.errors] == [
        f"{column} 1e+308 is over the limit of {3650 if column.endswith('days') else 1e12:g}"
    ]


def test_every_limit_at_once_stays_finite(tmp_path: Path) -> None:
    """Demand, prices, values, buffers, BOM quantity and horizon all at their limits."""
    rows = valid_rows()
    set_cell(rows, "Demand", 2, "daily_demand", 1e9)
    for r in (2, 3):
        set_cell(rows, "Demand", r, "unit_price", 1e12)
    for r in range(2, 7):
        set_cell(rows, "Sites", r, "unit_value", 1e12)
        set_cell(rows, "Sites", r, "safety_stock_days", 3650)
    set_cell(rows, "Lanes", 4, "quantity_per_unit", 1e6)
    add_column(rows, "Lanes", "line_buffer_days", {4: 3650})
    report = load(tmp_path, rows)
    run(report, trials=3, days=3650, warmup_days=3650)


def test_bills_of_material_that_multiply_past_the_flow_limit_are_refused(tmp_path):
    """A chain of 60 plants each needing 1e6 units of the next overflows any sum: the
    workbook is refused at the site where the mean flow passes 1e18 a day."""
    from builders import write_workbook
    from jitrisk.workbook.reader import validate_workbook

    sites = [["site_id", "type"], ["C", "customer"]]
    sites += [[f"P{k}", "plant"] for k in range(59)] + [["P59", "supplier"]]
    lanes = [["from", "to", "lead_time_days", "quantity_per_unit"], ["P0", "C", 0, 1]]
    lanes += [[f"P{k}", f"P{k - 1}", 0, 1e6] for k in range(1, 60)]
    rows = {"Sites": sites, "Lanes": lanes, "Demand": [["site_id", "daily_demand"], ["C", 1e9]]}
    report = validate_workbook(write_workbook(tmp_path / "chain.xlsx", rows))
    assert not report.ok
    assert any("over the limit of 1e+18" in p.message for p in report.errors)


def test_result_documents_never_hold_non_finite_numbers():
    import math

    from jitrisk.engine.results import json_safe as _finite

    doc = _finite({"a": math.inf, "b": [1.0, math.nan], "c": {"d": 2.0}})
    assert doc == {"a": None, "b": [1.0, None], "c": {"d": 2.0}}


def test_runs_whose_results_would_not_fit_in_memory_are_refused(monkeypatch):
    from engine_networks import assembly
    from jitrisk.engine import runner, sizing
    from jitrisk.errors import JitriskError

    monkeypatch.setattr(sizing, "memory_budget", lambda: 10_000)
    with pytest.raises(JitriskError, match="use at most"):
        runner.simulate(assembly(trials=100))
