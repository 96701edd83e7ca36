"""Guaranteed-service model: published answers, brute force, DP = MILP, scale, adapter.

Published instances and answers are those of Snyder & Shen, *Fundamentals of
Supply Chain Theory* (2nd ed., Wiley 2019), chapter 6, as encoded with their
optimal costs and committed service times (CSTs) in the tests of the authors'
package stockpyl (github.com/LarrySnyder/stockpyl): ``tests/instances_gsm_tree.py``
(instance data), ``tests/test_gsm_tree.py`` (class
``TestOptimizeCommittedServiceTimes``), ``tests/test_gsm_serial.py``,
``docs/tutorial/tutorial_meio.rst`` (Example 6.3) and
``src/stockpyl/datasets/stockpyl_instances.json`` (Problem 6.8). Only the data
and the answers are taken, not code.
"""

from __future__ import annotations

import json
import math

import pytest
from gsm_cases import brute_force, gsm_instances
from hypothesis import HealthCheck, given, settings
from scipy.stats import norm

from jitrisk.analysis.gsm import (
    GSMEdge,
    GSMSolution,
    GSMStage,
    network_stages,
    place_gsm,
    solve_gsm,
)
from jitrisk.engine import compile_network
from jitrisk.model.distributions import Constant, Normal, Poisson
from jitrisk.model.generate import generate_network
from jitrisk.model.records import Demand, Lane, Network, Settings, Site

SQ = math.sqrt
EXACT_METHODS = ("dp", "milp", "lagrangian")


# --------------------------------------------------------------------------- published instances


def example_6_3() -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Serial 3 -> 2 -> 1; h = 2, 4, 7; T = 1, 0, 1; z = 1, sigma = 1; si_3 = 1, s_1 = 1."""
    return [
        GSMStage("3", 1, 2, inbound_service_time=1),
        GSMStage("2", 0, 4),
        GSMStage("1", 1, 7, demand_std=1, max_service_time=1),
    ], [("3", "2"), ("2", "1")]


def example_6_5() -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Tree 1 -> 3 -> {2, 4}; z = 1."""
    return [
        GSMStage("1", 2, 1, inbound_service_time=1),
        GSMStage("2", 1, 3, demand_std=1, max_service_time=0),
        GSMStage("3", 1, 2),
        GSMStage("4", 1, 3, demand_std=1, max_service_time=1),
    ], [("1", "3"), ("3", "2"), ("3", "4")]


FIG_6_14 = (
    ("Raw_Material", 2, 0.01), ("Process_Wafers", 3, 0.03), ("Package_Test_Wafers", 2, 0.04),
    ("Imager_Base", 4, 0.06), ("Imager_Assembly", 2, 0.12), ("Ship_to_Final_Assembly", 3, 0.13),
    ("Camera", 6, 0.20), ("Circuit_Board", 4, 0.08), ("Other_Parts", 3, 0.04),
)  # fmt: skip
FIG_6_14_EDGES = (
    ("Raw_Material", "Process_Wafers"), ("Process_Wafers", "Package_Test_Wafers"),
    ("Package_Test_Wafers", "Imager_Assembly"), ("Imager_Base", "Imager_Assembly"),
    ("Imager_Assembly", "Ship_to_Final_Assembly"), ("Camera", "Build_Test_Pack"),
    ("Ship_to_Final_Assembly", "Build_Test_Pack"), ("Circuit_Board", "Build_Test_Pack"),
    ("Other_Parts", "Build_Test_Pack"),
)  # fmt: skip


def figure_6_14(s_out: int) -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Digital-camera tree of Figure 6.14 (Graves & Willems 2000); z = Phi^-1(0.95)."""
    stages = [GSMStage(name, t, h) for name, t, h in FIG_6_14]
    stages.append(GSMStage("Build_Test_Pack", 2, 0.50, demand_std=10, max_service_time=s_out))
    return stages, list(FIG_6_14_EDGES)


def problem_6_7() -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Serial forming (3) -> firing (2) -> glazing (1); z = 4, sigma = 10."""
    return [
        GSMStage("3", 1, 2, inbound_service_time=1),
        GSMStage("2", 1, 3),
        GSMStage("1", 2, 4, demand_mean=45, demand_std=10, max_service_time=0),
    ], [("3", "2"), ("2", "1")]


P68_H = (5.73, 4.56, 3.04, 2.93, 2.47, 2.37, 1.15, 1.1, 0.98, 0.87)
P68_T = (5, 10, 2, 15, 8, 5, 9, 5, 1, 5)


def problem_6_8() -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Serial 10 -> 9 -> ... -> 1; sigma_1 = 15.8, s_1 = 3, si_10 = 7; z = Phi^-1(0.98)."""
    stages = [
        GSMStage(
            str(k),
            P68_T[k - 1],
            P68_H[k - 1],
            demand_std=15.8 if k == 1 else 0.0,
            max_service_time=3 if k == 1 else None,
            inbound_service_time=7 if k == 10 else 0,
        )
        for k in range(10, 0, -1)
    ]
    return stages, [(str(k + 1), str(k)) for k in range(1, 10)]


def problem_6_9(s1: int, s2: int) -> tuple[list[GSMStage], list[tuple[str, str]]]:
    """Tree {6 -> 5, 4} -> 3 -> {1, 2}; holding costs value x 0.2 / 365; z = 4."""
    return [
        GSMStage("1", 7, 220 * 0.2 / 365, 22.0, 4.1, max_service_time=s1),
        GSMStage("2", 7, 140 * 0.2 / 365, 15.3, 6.2, max_service_time=s2),
        GSMStage("3", 21, 90 * 0.2 / 365),
        GSMStage("4", 3, 5 * 0.2 / 365),
        GSMStage("5", 8, 20 * 0.2 / 365),
        GSMStage("6", 2, 7.5 * 0.2 / 365),
    ], [("6", "5"), ("4", "3"), ("5", "3"), ("3", "1"), ("3", "2")]


FIG_CST_2 = {"Raw_Material": 0, "Process_Wafers": 3, "Package_Test_Wafers": 5, "Imager_Base": 4,
             "Imager_Assembly": 7, "Camera": 0, "Ship_to_Final_Assembly": 0, "Circuit_Board": 0,
             "Other_Parts": 0, "Build_Test_Pack": 2}  # fmt: skip
FIG_CST_5 = {"Raw_Material": 0, "Process_Wafers": 3, "Package_Test_Wafers": 5, "Imager_Base": 4,
             "Imager_Assembly": 0, "Camera": 3, "Ship_to_Final_Assembly": 3, "Circuit_Board": 3,
             "Other_Parts": 3, "Build_Test_Pack": 5}  # fmt: skip
FIG_CST_8 = {"Raw_Material": 0, "Process_Wafers": 3, "Package_Test_Wafers": 1, "Imager_Base": 1,
             "Imager_Assembly": 3, "Camera": 6, "Ship_to_Final_Assembly": 6, "Circuit_Board": 4,
             "Other_Parts": 3, "Build_Test_Pack": 8}  # fmt: skip
FIG_CST_12 = {"Raw_Material": 0, "Process_Wafers": 3, "Package_Test_Wafers": 5, "Imager_Base": 4,
              "Imager_Assembly": 7, "Camera": 6, "Ship_to_Final_Assembly": 10, "Circuit_Board": 4,
              "Other_Parts": 3, "Build_Test_Pack": 12}  # fmt: skip

# (name, instance, z, published optimal cost, places of the published figure, published CSTs)
PUBLISHED = [
    ("example 6.3", example_6_3(), 1.0, 2 * SQ(2), None, {"3": 0, "2": 0, "1": 1}),
    ("example 6.5", example_6_5(), 1.0, 2 * SQ(2) + SQ(6) + 3.0, None,
     {"1": 0, "2": 0, "3": 0, "4": 1}),
    ("figure 6.14, s=2", figure_6_14(2), norm.ppf(0.95), 18.8240044725922, None, FIG_CST_2),
    ("figure 6.14, s=5", figure_6_14(5), norm.ppf(0.95), 12.4686888061037, None, FIG_CST_5),
    ("figure 6.14, s=8", figure_6_14(8), norm.ppf(0.95), 3.25788236403285, None, FIG_CST_8),
    ("figure 6.14, s=12", figure_6_14(12), norm.ppf(0.95), 0.232617430735335, None, FIG_CST_12),
    ("problem 6.7", problem_6_7(), 4.0, 160 * SQ(5), None, {"1": 0, "2": 3, "3": 2}),
    ("problem 6.8", problem_6_8(), norm.ppf(0.98), 1378.31, 1,
     {"1": 3, "2": 10, "3": 0, "4": 28, "5": 13, "6": 5, "7": 0, "8": 18, "9": 13, "10": 12}),
    ("problem 6.9", problem_6_9(3, 3), 4.0, 15.649530249501, None,
     {"1": 3, "2": 3, "3": 0, "4": 0, "5": 0, "6": 2}),
    ("problem 6.9, s1=0 s2=7", problem_6_9(0, 7), 4.0, 13.121240238718, None,
     {"1": 0, "2": 7, "3": 0, "4": 0, "5": 0, "6": 2}),
    ("problem 6.9, s1=21 s2=5", problem_6_9(21, 5), 4.0, 10.5811190103555, None,
     {"1": 7, "2": 5, "3": 0, "4": 0, "5": 0, "6": 2}),
    ("single stage", ([GSMStage("1", 1, 1, demand_std=1, max_service_time=0)], []), 2.0, 2.0,
     None, {"1": 0}),
]  # fmt: skip


@pytest.mark.parametrize("method", EXACT_METHODS)
@pytest.mark.parametrize(
    ("instance", "z", "cost", "places", "cst"),
    [pytest.param(*row[1:], id=row[0]) for row in PUBLISHED],
)
def test_published_optimum_is_reproduced(method, instance, z, cost, places, cst):
    stages, edges = instance
    sol = solve_gsm(stages, edges, z=z, method=method)
    if places is None:  # published to full precision
        assert sol.total_cost == pytest.approx(cost, rel=1e-12)
    else:  # published rounded to `places` decimals
        assert round(sol.total_cost, places) == pytest.approx(cost, abs=10.0**-places)
    assert sol.service_times == cst
    assert sol.optimal and sol.gap == pytest.approx(0.0, abs=1e-9)
    assert sol.lower_bound == pytest.approx(sol.total_cost, rel=1e-9)


def test_problem_6_8_cost_is_the_closed_form_of_the_published_policy():
    # the published policy holds stock at stages 7, 3 and 1 only (NLT 27, 30, 12)
    sol = solve_gsm(*problem_6_8(), z=norm.ppf(0.98))
    closed = norm.ppf(0.98) * 15.8 * (1.15 * SQ(27) + 3.04 * SQ(30) + 5.73 * SQ(12))
    assert sol.total_cost == pytest.approx(closed, rel=1e-12)
    assert {k: r.net_lead_time for k, r in sol.stages.items() if r.net_lead_time} == {
        "7": 27, "3": 30, "1": 12}  # fmt: skip


def test_net_demand_of_problem_6_9_pools_independent_demands():
    # stockpyl tests/test_gsm_tree.py TestNetDemand.test_problem_6_9
    sol = solve_gsm(*problem_6_9(3, 3), z=4.0)
    for k in ("3", "4", "5", "6"):
        assert sol.stages[k].demand_std == pytest.approx(SQ(4.1**2 + 6.2**2), rel=1e-12)
        assert sol.stages[k].demand_mean == pytest.approx(22.0 + 15.3, rel=1e-12)
    assert sol.stages["1"].demand_std == pytest.approx(4.1)


def test_solution_quantities_follow_the_formulas():
    stages, edges = example_6_5()
    sol = solve_gsm(stages, edges, z=1.0)
    for st_ in stages:
        r = sol.stages[st_.stage_id]
        assert (
            r.net_lead_time == r.inbound_service_time + r.processing_time - r.committed_service_time
        )
        assert r.safety_stock_units == pytest.approx(1.0 * r.demand_std * SQ(r.net_lead_time))
        assert r.cost == pytest.approx(st_.holding_cost * r.safety_stock_units)
    assert sol.total_cost == pytest.approx(sum(r.cost for r in sol.stages.values()))
    assert sol.stages["3"].inbound_service_time == sol.stages["1"].committed_service_time


FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@FAST
@given(gsm_instances(tree=True))
def test_tree_dp_equals_brute_force_and_milp(instance):
    stages, edges = instance
    best = brute_force(stages, edges, 1.5)
    dp = solve_gsm(stages, edges, z=1.5, method="dp")
    mip = solve_gsm(stages, edges, z=1.5, method="milp")
    assert dp.total_cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert mip.total_cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert dp.optimal and mip.optimal


@FAST
@given(gsm_instances(tree=False))
def test_general_dag_milp_equals_brute_force_and_bounds_hold(instance):
    stages, edges = instance
    best = brute_force(stages, edges, 1.5)
    mip = solve_gsm(stages, edges, z=1.5, method="milp")
    assert mip.total_cost == pytest.approx(best, rel=1e-6, abs=1e-9)
    assert mip.lower_bound <= best * (1 + 1e-6) + 1e-9
    lag = solve_gsm(stages, edges, z=1.5, method="lagrangian", time_limit=5)
    assert lag.lower_bound <= best * (1 + 1e-9) + 1e-9 <= lag.total_cost * (1 + 2e-9) + 2e-9
    auto = solve_gsm(stages, edges, z=1.5)
    assert auto.total_cost == pytest.approx(best, rel=1e-6, abs=1e-9)


def _assert_feasible(sol: GSMSolution, stages: list[GSMStage], edges: list[GSMEdge]) -> None:
    by = sol.stages
    for s in stages:
        r = by[s.stage_id]
        assert r.net_lead_time >= 0 and r.committed_service_time >= 0
        assert r.inbound_service_time >= s.inbound_service_time
        if s.max_service_time is not None:
            assert r.committed_service_time <= s.max_service_time
    for e in edges:
        assert by[e.downstream].inbound_service_time >= (
            by[e.upstream].committed_service_time + e.transit
        )


# --------------------------------------------------------------------------- scale


def test_two_thousand_stage_general_network_is_bounded_within_the_time_limit():
    net = generate_network(2000, seed=11)
    stages, edges = network_stages(net)
    assert len(stages) >= 1800
    sol = solve_gsm(stages, edges, service_level=0.95, time_limit=5.0)
    assert sol.method != "dp"  # the network has undirected cycles
    assert sol.solve_seconds < 12.0
    assert 0.0 < sol.lower_bound <= sol.total_cost
    assert sol.gap == pytest.approx((sol.total_cost - sol.lower_bound) / sol.total_cost)
    assert sol.gap < 0.10
    _assert_feasible(sol, stages, edges)


def test_dp_rejects_a_network_with_an_undirected_cycle():
    stages = [GSMStage(k, 1, 1.0, demand_std=1.0 if k == "d" else 0.0) for k in "abcd"]
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    with pytest.raises(ValueError, match="undirected cycle"):
        solve_gsm(stages, edges, method="dp")
    assert solve_gsm(stages, edges).method == "lagrangian"


@pytest.mark.parametrize(
    ("stages", "edges", "message"),
    [
        ([GSMStage("a"), GSMStage("b")], [("a", "b"), ("b", "a")], "directed cycle"),
        ([GSMStage("a")], [("a", "x")], "unknown stage"),
        ([GSMStage("a"), GSMStage("a")], [], "duplicate stage"),
        ([GSMStage("a", processing_time=-1)], [], "processing_time"),
        ([GSMStage("a", holding_cost=math.nan)], [], "holding_cost"),
        ([GSMStage("a"), GSMStage("b")], [("a", "b"), ("a", "b")], "duplicate edge"),
    ],
)
def test_invalid_input_is_reported(stages, edges, message):
    with pytest.raises(ValueError, match=message):
        solve_gsm(stages, edges)


def test_service_level_and_z():
    stages, edges = example_6_5()
    assert solve_gsm(stages, edges).z == pytest.approx(norm.ppf(0.95))
    sol = solve_gsm(stages, edges, z=2.0)
    assert sol.service_level == pytest.approx(norm.cdf(2.0))
    with pytest.raises(ValueError):
        solve_gsm(stages, edges, z=2.0, service_level=0.9)
    with pytest.raises(ValueError):
        solve_gsm(stages, edges, service_level=1.0)


# --------------------------------------------------------------------------- network adapter


def small_network(service_level: float = 0.9) -> Network:
    """Raw supplier -> plant (2 per unit) -> two DCs -> three customers; C2 served by both DCs."""
    sites = (
        Site("SUP", "supplier", processing_days=2, unit_value=10.0, holding_cost_rate=0.2),
        Site("PLANT", "plant", processing_days=3, unit_value=100.0, holding_cost_rate=0.25),
        Site("DC1", "dc", unit_value=120.0, holding_cost_rate=0.25),
        Site("DC2", "dc", unit_value=120.0, holding_cost_rate=0.25),
        Site("C1", "customer"), Site("C2", "customer"), Site("C3", "customer"),
    )  # fmt: skip
    lanes = (
        Lane("SUP", "PLANT", Normal(4.4, 1.0), quantity_per_unit=2.0),
        Lane("PLANT", "DC1", Constant(3.0)),
        Lane("PLANT", "DC2", Constant(5.0)),
        Lane("DC1", "C1", Constant(1.0)),
        Lane("DC1", "C2", Constant(1.0), share=0.5),
        Lane("DC2", "C2", Constant(2.0), share=0.5),
        Lane("DC2", "C3", Constant(1.0)),
    )
    demand = (
        Demand("C1", Normal(100.0, 20.0), service_time_days=1),
        Demand("C2", Poisson(64.0), service_time_days=2),
        Demand("C3", Normal(50.0, 10.0)),
    )
    return Network(sites, lanes, demand, settings=Settings(service_level=service_level))


def test_network_stages_follow_the_stated_modelling_choices():
    net = small_network()
    stages, edges = network_stages(net)
    by = {s.stage_id: s for s in stages}
    assert set(by) == {"SUP", "PLANT", "DC1", "DC2"}
    assert by["SUP"].processing_time == 2 + 1 and by["PLANT"].processing_time == 3 + 1
    assert by["DC1"].processing_time == 0 + 1
    assert by["PLANT"].holding_cost == pytest.approx(25.0)
    assert by["DC1"].max_service_time == 1  # min(C1: 1, C2: 2)
    assert by["DC2"].max_service_time == 0  # C3 promised 0
    assert by["SUP"].max_service_time is None
    e = {(x.upstream, x.downstream): x for x in edges}
    assert e[("SUP", "PLANT")].transit == 5  # ceil of the whole-day mean 4.4
    assert e[("SUP", "PLANT")].units == 2.0
    assert e[("PLANT", "DC2")].transit == 5
    # sigma: C2 (sd 8) splits 50/50 over both DCs, so it is pooled, not double counted
    assert by["DC1"].net_demand_std == pytest.approx(SQ(20.0**2 + (0.5 * 8.0) ** 2))
    assert by["PLANT"].net_demand_std == pytest.approx(SQ(20.0**2 + 8.0**2 + 10.0**2))
    assert by["SUP"].net_demand_std == pytest.approx(2 * SQ(20.0**2 + 8.0**2 + 10.0**2))
    # means equal the engine's mean flows
    comp = compile_network(net)
    for sid, mu in zip(comp.site_ids, comp.mean_flow, strict=True):
        if sid in by:
            assert by[sid].net_demand_mean == pytest.approx(mu)


def test_place_gsm_json_contract():
    net = small_network(service_level=0.9)
    sol = place_gsm(net)
    assert sol.z == pytest.approx(norm.ppf(0.9))
    d = json.loads(json.dumps(sol.to_dict()))
    assert d["method"] == "gsm" and d["service_level"] == pytest.approx(0.9)
    assert d["optimal"] is True and d["gap"] == 0.0  # a tree: exact DP
    assert set(d["sites"]) == {"SUP", "PLANT", "DC1", "DC2"}
    total = 0.0
    for sid, row in d["sites"].items():
        assert set(row) >= {
            "committed_service_time",
            "net_lead_time",
            "safety_stock_units",
            "safety_stock_days",
            "safety_stock_value",
        }
        site = net.site_by_id[sid]
        r = sol.stages[sid]
        assert row["safety_stock_value"] == pytest.approx(
            row["safety_stock_units"] * site.unit_value
        )
        assert row["safety_stock_days"] == pytest.approx(row["safety_stock_units"] / r.demand_mean)
        total += row["safety_stock_units"] * site.unit_value * site.holding_cost_rate
    assert d["total_cost"] == pytest.approx(total)
    assert place_gsm(net, 0.99).total_cost > sol.total_cost


def test_place_gsm_on_a_network_with_an_undirected_cycle_uses_a_bounded_method():
    # a second plant shares the supplier and co-supplies DC2: SUP-PLANT-DC2-PLANT2-SUP
    net = small_network()
    lanes = [la for la in net.lanes if la.target != "DC2"]
    lanes += [
        Lane("SUP", "PLANT2", Constant(2.0)),
        Lane("PLANT", "DC2", Constant(5.0), share=0.5, component="car"),
        Lane("PLANT2", "DC2", Constant(1.0), share=0.5, component="car"),
    ]
    plant2 = Site("PLANT2", "plant", processing_days=2, unit_value=90.0)
    net = Network((*net.sites, plant2), tuple(lanes), net.demand, settings=net.settings)
    stages, edges = network_stages(net)
    by = {s.stage_id: s for s in stages}
    dc2 = SQ((0.5 * 8.0) ** 2 + 10.0**2)
    assert by["DC2"].net_demand_std == pytest.approx(dc2)
    assert by["PLANT2"].net_demand_std == pytest.approx(0.5 * dc2)
    sol = place_gsm(net)
    assert sol.method == "lagrangian" and sol.optimal
    _assert_feasible(sol, stages, edges)
    mip = place_gsm(net, method="milp")
    assert mip.optimal and mip.total_cost == pytest.approx(sol.total_cost, rel=1e-6)
