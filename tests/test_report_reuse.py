"""A report reuses a risk ranking already computed (the app's Risk view) only when it
was made with the report's own settings, and then computes nothing for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jitrisk import load_network
from jitrisk.analysis.risk import risk_report
from jitrisk.engine import simulate
from jitrisk.report.build import RISK_TRIALS, collect_from_results, reusable_risk

TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"


@pytest.fixture(scope="module")
def run():
    net = load_network(TEACHING)
    return net, simulate(net, trials=40, days=60, seed=3)


def test_a_ranking_made_the_reports_way_is_reused_as_is(run) -> None:
    net, result = run
    doc = risk_report(net, trials=RISK_TRIALS, days=60, seed=3).to_dict()
    assert reusable_risk(doc, "baseline", RISK_TRIALS, 60, 3)
    marked = doc | {"marker": "from the app"}
    steps: list[float] = []
    data = collect_from_results(
        net,
        [result],
        lambda p: steps.append(p.fraction),
        sections=frozenset({"risk"}),
        reuse_risk={"baseline": marked},
    )
    (scen,) = data.scenarios
    assert scen.risk is not None and scen.risk["marker"] == "from the app"
    assert any("computed in the app" in n for n in scen.notes)
    assert steps and steps[-1] == 1.0


@pytest.mark.parametrize(
    ("change", "why"),
    [({"trials": 20}, "other trials"), ({"seed": 4}, "another seed"), ({"days": 30}, "horizon")],
)
def test_a_ranking_made_otherwise_is_computed_again(run, change, why) -> None:
    net, result = run
    doc = risk_report(net, trials=RISK_TRIALS, days=60, seed=3).to_dict() | change
    assert not reusable_risk(doc, "baseline", RISK_TRIALS, 60, 3), why
    data = collect_from_results(
        net,
        [result],
        sections=frozenset({"risk"}),
        reuse_risk={"baseline": doc | {"marker": "stale"}},
    )
    risk = data.scenarios[0].risk
    assert risk is not None and "marker" not in risk
    assert risk["trials"] == RISK_TRIALS and risk["seed"] == 3 and risk["days"] == 60
