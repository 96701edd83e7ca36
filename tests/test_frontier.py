"""The safety-stock frontier and its recommended plan (jitrisk.analysis.frontier).

The known answer: a single DC fed by one supplier whose one outage of D days
(scripted, every trial) starts on day 30, constant demand d and price p. With b
days of cover the DC's customers go unserved on D - b days (tests/test_story.py
shows the exact days), so each day of cover up to D removes d * p of revenue at
risk over the horizon, 365/T * d * p a year, far more than it costs to hold
(d * v * h a year), and a day beyond D removes nothing. The recommendation is
therefore exactly D days at the DC, whatever the random numbers.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from jitrisk import load_network
from jitrisk.analysis.frontier import RULE, recommend
from jitrisk.model.distributions import Constant
from jitrisk.model.records import Demand, Disruption, Lane, Network, Settings, Site

D = 5
TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"


def _known() -> Network:
    return Network(
        sites=(
            Site("SUP", "supplier", base_stock_units=1e9, unit_value=1.0),
            Site("DC", "dc", safety_stock_days=0.0, unit_value=10.0, holding_cost_rate=0.25),
            Site("C", "customer"),
        ),
        lanes=(Lane("SUP", "DC", Constant(2.0)), Lane("DC", "C", Constant(0.0), component="C")),
        demand=(Demand("C", Constant(100.0), unit_price=50.0),),
        disruptions=(Disruption("o", "SUP", "outage", 0.0, Constant(float(D)), start_day=30),),
        settings=Settings(days=120, trials=20, warmup_days=10, seed=3),
    )


def test_the_recommendation_is_the_cover_that_outlasts_the_outage() -> None:
    rec = recommend(_known(), trials=8, confirm_trials=8)
    assert rec.sites["DC"]["recommended_days"] == D
    assert rec.sites["DC"]["current_days"] == 0.0
    # each day of cover up to D removed one day of demand's revenue, per year
    per_day = 100.0 * 50.0 * 365 / 120
    dc_steps = [s for s in rec.steps if s.site_id == "DC"]
    assert sum(s.days_added for s in dc_steps) == D
    for s in dc_steps:
        assert s.step_benefit_per_year == pytest.approx(per_day * s.days_added)
    assert rec.recommended.revenue_at_risk.mean == pytest.approx(0.0, abs=1e-6)
    assert rec.current.revenue_at_risk.mean == pytest.approx(D * per_day)
    assert rec.sites["DC"]["extra_holding_cost_per_year"] == pytest.approx(D * 100 * 10 * 0.25)
    # the DC's days remove the whole revenue at risk: D days of demand, per year
    assert rec.sites["DC"]["removes_per_year"] == pytest.approx(D * per_day)
    assert rec.sites["SUP"]["removes_per_year"] == 0.0


def test_the_frontier_never_rises_and_the_rule_holds() -> None:
    net = load_network(TEACHING)
    rec = recommend(net, trials=40, confirm_trials=80, days=120, max_steps=25)
    risks = [s.revenue_at_risk for s in rec.steps]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(risks))  # CRN: monotone
    values = [s.extra_value for s in rec.steps]
    assert values == sorted(values)
    k = rec.recommended_index
    assert all(s.step_benefit_per_year >= s.step_holding_per_year for s in rec.steps[:k])
    if k < len(rec.steps):
        assert rec.steps[k].step_benefit_per_year < rec.steps[k].step_holding_per_year
    doc = rec.to_dict()
    assert doc["rule"] == RULE
    assert set(doc["recommended"]) >= {"inventory_value", "holding_cost_per_year",
                                       "revenue_at_risk", "sites"}  # fmt: skip
    site = next(iter(doc["recommended"]["sites"].values()))
    assert set(site) >= {"current_days", "recommended_days", "gsm_days", "extra_value",
                         "extra_holding_cost_per_year", "removes_per_year"}  # fmt: skip
    # the sites' shares add up to what the recommended steps removed on the search numbers
    shares = sum(v["removes_per_year"] for v in doc["recommended"]["sites"].values())
    assert shares == pytest.approx(sum(s.step_benefit_per_year for s in rec.steps[:k]))
    assert doc["frontier"][0]["steps"] == 0 and "current" in doc["points"]
    assert set(doc["frontier"][0]["revenue_at_risk"]) >= {"mean", "ci95"}
    # the recommended plan is one of the confirmed frontier points, numbers and all
    picked = [p for p in doc["frontier"] if p["steps"] == k]
    assert picked and picked[0]["revenue_at_risk"] == doc["recommended"]["revenue_at_risk"]


def test_recommend_cli_prints_and_writes_the_contract(tmp_path: Path, capsys) -> None:
    import json

    from jitrisk.cli import main as cli_main

    out = tmp_path / "rec.json"
    args = ["recommend", str(TEACHING), "--trials", "20", "--confirm-trials", "40", "--days", "90"]
    code = cli_main([*args, "--max-steps", "6", "--json", str(out), "--quiet"])
    assert code == 0
    doc = json.loads(out.read_text())
    assert {"rule", "recommended", "frontier", "points"} <= set(doc)
    text = capsys.readouterr().out
    assert "Recommended:" in text and "revenue at risk" in text
    assert "gsm" in doc["points"]


def test_the_workbooks_scenarios_are_points_with_their_yearly_cost() -> None:
    from dataclasses import replace

    from jitrisk.model.records import Override
    from jitrisk.workbook.overrides import resolve_overrides

    base = _known()
    priced = replace(
        base,
        overrides=(
            Override("buffered", "DC", "safety_stock_days", 5),
            Override("buffered", "scenario", "cost_per_year", 1234.0),
        ),
    )
    rec = recommend(resolve_overrides(priced), trials=8, confirm_trials=8)
    doc = rec.to_dict()
    point = doc["points"]["scenarios"]["buffered"]
    now = doc["points"]["current"]
    assert point["cost_per_year"] == 1234.0
    # 5 days at the DC: nothing at risk, 5 x 100 x 10 more held at 25 % a year, plus its cost
    assert point["revenue_at_risk"]["mean"] == pytest.approx(0.0, abs=1e-6)
    extra = point["holding_cost_per_year"] - now["holding_cost_per_year"]
    assert extra == pytest.approx(5 * 100 * 10 * 0.25)
    assert point["total_cost_per_year"] == pytest.approx(point["holding_cost_per_year"] + 1234.0)


def test_recommend_leads_with_the_takeaway(tmp_path: Path, capsys) -> None:
    import json

    from jitrisk.cli import main as cli_main

    out = tmp_path / "rec.json"
    args = ["recommend", str(TEACHING), "--trials", "20", "--confirm-trials", "40", "--days", "90"]
    assert cli_main([*args, "--max-steps", "6", "--json", str(out), "--quiet"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    doc = json.loads(out.read_text())
    assert doc["takeaway"] and first == doc["takeaway"][0]
    assert first.startswith(("The weakest point is", "No extra safety stock"))
