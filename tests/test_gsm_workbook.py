"""Guaranteed-service placement through a workbook and the command line.

The published instances of ``test_gsm`` (Snyder & Shen 2019, chapter 6) are
written as jitrisk workbooks and solved with ``jitrisk place --method gsm
--review-days 0`` (the continuous-review convention of the textbook). A stage is
a supplier (no inputs) or a plant; its stage time is ``processing_days`` (an
external supplier's service time :math:`si_j` added to a source's, which is the
same constraint), its holding cost ``unit_value`` x ``holding_cost_rate``; a
demand stage ships to a customer whose Demand row carries the demand's standard
deviation and the maximum service time as ``service_time_days``.

Also: the per-site ``max_service_time_days`` column and the per-customer
``service_level`` against brute force and hand computation, the review-days
setting and option, and the limits of the new cells.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from scipy.stats import norm
from test_gsm import PUBLISHED, brute_force

from jitrisk.analysis.gsm import GSMEdge, GSMStage, place_gsm
from jitrisk.cli import main
from jitrisk.model.distributions import Constant, Normal
from jitrisk.model.records import Demand, Lane, Network, Settings, Site
from jitrisk.workbook.reader import load_network, validate_workbook
from jitrisk.workbook.writer import write_network


def as_network(stages: list[GSMStage], edges: list, service_level: float) -> Network:
    """The GSM instance as a jitrisk network (see the module docstring)."""
    pairs = [(e.upstream, e.downstream) if isinstance(e, GSMEdge) else e[:2] for e in edges]
    has_input = {d for _u, d in pairs}
    sites, lanes, demand = [], [], []
    for st in stages:
        source = st.stage_id not in has_input
        sites.append(
            Site(
                st.stage_id,
                "supplier" if source else "plant",
                processing_days=st.processing_time + (st.inbound_service_time if source else 0),
                unit_value=st.holding_cost * 1000.0,
                holding_cost_rate=0.001,
            )
        )
        if st.demand_std > 0 or st.max_service_time is not None:
            customer = f"C-{st.stage_id}"
            sites.append(Site(customer, "customer"))
            lanes.append(Lane(st.stage_id, customer, Constant(0.0)))
            mean = max(st.demand_mean, 10 * st.demand_std, 1.0)
            demand.append(
                Demand(customer, Normal(mean, st.demand_std), 1.0, st.max_service_time or 0)
            )
    lanes += [Lane(u, d, Constant(0.0)) for u, d in pairs]
    settings = Settings(service_level=service_level)
    return Network(tuple(sites), tuple(lanes), tuple(demand), settings=settings)


def solve_through_cli(net: Network, tmp_path: Path, *extra: str) -> dict:
    book = tmp_path / "gsm.xlsx"
    write_network(net, book)
    report = validate_workbook(book)
    assert not report.errors, [str(p) for p in report.errors]
    out = tmp_path / "gsm.json"
    assert main(["place", str(book), "--method", "gsm", "--json", str(out), *extra]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize(
    ("instance", "z", "cost", "places", "cst"),
    [pytest.param(*row[1:], id=row[0]) for row in PUBLISHED],
)
def test_published_optimum_through_a_workbook_and_the_cli(
    tmp_path: Path, instance, z, cost, places, cst
) -> None:
    stages, edges = instance
    alpha = float(norm.cdf(z))
    assert 0.5 <= alpha <= 0.999999  # z = 4 (problems 6.7, 6.9) is enterable now
    doc = solve_through_cli(as_network(stages, edges, alpha), tmp_path, "--review-days", "0")
    assert doc["review_days"] == 0 and doc["z"] == pytest.approx(z, rel=1e-9)
    if places is None:
        assert doc["total_cost"] == pytest.approx(cost, abs=1e-6)
    else:  # published rounded to `places` decimals
        assert round(doc["total_cost"], places) == pytest.approx(cost, abs=10.0**-places)
    assert {k: v["committed_service_time"] for k, v in doc["sites"].items()} == cst
    assert doc["optimal"]


def test_a_zero_stage_time_is_written_and_solved(tmp_path: Path) -> None:
    # example 6.3: stage 2 has T = 0; with the daily review it would become 1
    stages, edges = PUBLISHED[0][1]
    net = as_network(stages, edges, float(norm.cdf(1.0)))
    assert {s.site_id: s.processing_days for s in net.sites}["2"] == 0
    book = tmp_path / "zero.xlsx"
    write_network(net, book)
    assert {s.site_id: s.processing_days for s in load_network(book).sites}["2"] == 0
    daily = solve_through_cli(net, tmp_path)
    textbook = solve_through_cli(net, tmp_path, "--review-days", "0")
    assert daily["review_days"] == 1 and textbook["review_days"] == 0
    assert textbook["sites"]["2"]["processing_time"] == 0
    assert daily["sites"]["2"]["processing_time"] == 1
    assert textbook["total_cost"] == pytest.approx(2 * math.sqrt(2), abs=1e-9)
    assert daily["total_cost"] > textbook["total_cost"]


def test_review_days_come_from_settings_unless_the_option_says(tmp_path: Path) -> None:
    stages, edges = PUBLISHED[0][1]
    net = as_network(stages, edges, float(norm.cdf(1.0)))
    net = net.with_settings(gsm_review_days=0)
    assert solve_through_cli(net, tmp_path)["review_days"] == 0
    assert solve_through_cli(net, tmp_path, "--review-days", "2")["review_days"] == 2


SERIAL = (
    [
        GSMStage("3", 2, 1.0),
        GSMStage("2", 1, 3.0),
        GSMStage("1", 1, 5.0, demand_mean=100, demand_std=10, max_service_time=2),
    ],
    [GSMEdge("3", "2"), GSMEdge("2", "1")],
)


@pytest.mark.parametrize("cap", [0, 1, 2])
def test_max_service_time_of_an_internal_site_is_honoured(tmp_path: Path, cap: int) -> None:
    stages, edges = SERIAL
    z = float(norm.ppf(0.95))
    net = as_network(stages, edges, 0.95)
    net = net.with_sites(
        Site(s.site_id, s.type, processing_days=s.processing_days, unit_value=s.unit_value,
             holding_cost_rate=s.holding_cost_rate, max_service_time_days=cap)
        if s.site_id == "2" else s
        for s in net.sites
    )  # fmt: skip
    doc = solve_through_cli(net, tmp_path, "--review-days", "0")
    assert doc["sites"]["2"]["committed_service_time"] <= cap
    bounded = [
        GSMStage(s.stage_id, s.processing_time, s.holding_cost, s.demand_mean, s.demand_std,
                 cap if s.stage_id == "2" else s.max_service_time)
        for s in stages
    ]  # fmt: skip
    assert doc["total_cost"] == pytest.approx(brute_force(bounded, edges, z), rel=1e-9)
    for method in ("dp", "milp", "lagrangian"):
        sol = place_gsm(load_network_of(net, tmp_path), method=method, review_days=0)
        assert sol.total_cost == pytest.approx(doc["total_cost"], rel=1e-9)
        assert sol.service_times["2"] <= cap


def load_network_of(net: Network, tmp_path: Path) -> Network:
    book = tmp_path / "again.xlsx"
    write_network(net, book)
    return load_network(book)


def test_each_site_holds_to_the_strictest_service_level_it_serves(tmp_path: Path) -> None:
    # one supplier S (T=2, h=1) ships to two DCs-as-plants A and B (T=1, h=2), each
    # with a customer; customer B asks for 0.99, A takes the Settings 0.90
    sites = (
        Site("S", "supplier", processing_days=2, unit_value=1.0, holding_cost_rate=1.0),
        Site("A", "plant", processing_days=1, unit_value=2.0, holding_cost_rate=1.0),
        Site("B", "plant", processing_days=1, unit_value=2.0, holding_cost_rate=1.0),
        Site("CA", "customer"),
        Site("CB", "customer"),
    )
    lanes = tuple(
        Lane(u, d, Constant(0.0)) for u, d in (("S", "A"), ("S", "B"), ("A", "CA"), ("B", "CB"))
    )
    demand = (
        Demand("CA", Normal(100, 3.0), 1.0, 0),
        Demand("CB", Normal(100, 4.0), 1.0, 0, service_level=0.99),
    )
    net = Network(sites, lanes, demand, settings=Settings(service_level=0.90))
    doc = solve_through_cli(net, tmp_path, "--review-days", "0")
    za, zb = norm.ppf(0.90), norm.ppf(0.99)
    assert doc["sites"]["A"]["z"] == pytest.approx(za)
    assert doc["sites"]["B"]["z"] == pytest.approx(zb)
    assert doc["sites"]["S"]["z"] == pytest.approx(zb)  # serves B's customer too
    # hand computation: S's sigma pools both customers (5 = sqrt(3^2 + 4^2)); enumerate
    # S's service time (A and B quote 0 to their customers)
    best = min(
        zb * 5.0 * math.sqrt(2 - s)
        + 2 * za * 3.0 * math.sqrt(s + 1)
        + 2 * zb * 4.0 * math.sqrt(s + 1)
        for s in range(3)
    )
    assert doc["total_cost"] == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize(
    ("sheet", "column", "value", "message"),
    [
        ("Demand", "service_level", 0.9999999, "service_level"),
        ("Demand", "service_level", 0.3, "service_level"),
        ("Sites", "max_service_time_days", -1, "max_service_time_days"),
    ],
)
def test_new_cells_out_of_range_are_reported_with_their_cell(
    tmp_path: Path, sheet: str, column: str, value: float, message: str
) -> None:
    stages, edges = SERIAL
    net = as_network(stages, edges, 0.95)
    book = tmp_path / "bad.xlsx"
    write_network(net, book)
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index(column) + 1, value)
    wb.save(book)
    report = validate_workbook(book)
    assert report.network is None
    found = [p for p in report.errors if p.sheet == sheet and message in p.message]
    assert found and found[0].row == 2 and found[0].column == headers.index(column) + 1


def test_service_levels_up_to_the_stated_limit_are_accepted(tmp_path: Path) -> None:
    stages, edges = SERIAL
    doc = solve_through_cli(as_network(stages, edges, 0.999999), tmp_path)
    assert doc["z"] == pytest.approx(norm.ppf(0.999999))
    with pytest.raises(SystemExit):
        main(["place", str(tmp_path / "gsm.xlsx"), "--method", "gsm", "--service-level", "1.0"])


def test_a_random_lead_time_is_covered_by_the_gsm_stock(tmp_path: Path) -> None:
    # supplier S (T = 2) -> plant P (T = 1) -> customer; the lane S -> P takes
    # uniform(1, 3) days, whole days 1, 2, 3 with probabilities 1/4, 1/2, 1/4:
    # mean 2 (the transit), variance 1/2
    from jitrisk.model.distributions import Uniform

    sites = (
        Site("S", "supplier", processing_days=2, unit_value=1.0, holding_cost_rate=1.0),
        Site("P", "plant", processing_days=1, unit_value=3.0, holding_cost_rate=1.0),
        Site("C", "customer"),
    )
    lanes = (Lane("S", "P", Uniform(1, 3)), Lane("P", "C", Constant(0.0)))
    demand = (Demand("C", Normal(100, 10), 1.0, 0),)
    net = Network(sites, lanes, demand, settings=Settings(service_level=0.95))
    doc = solve_through_cli(net, tmp_path, "--review-days", "0")
    z = norm.ppf(0.95)
    assert (
        doc["sites"]["P"]["inbound_service_time"] >= doc["sites"]["S"]["committed_service_time"] + 2
    )
    # by hand over S's service time x: S holds z sqrt(100 (2 - x)), P holds
    # z sqrt(100 (x + 2 + 1) + 100^2 / 2)
    costs = [
        1.0 * z * math.sqrt(100 * (2 - x)) + 3.0 * z * math.sqrt(100 * (x + 3) + 100**2 * 0.5)
        for x in range(3)
    ]
    assert doc["total_cost"] == pytest.approx(min(costs), rel=1e-9)
    units = z * math.sqrt(100 * doc["sites"]["P"]["net_lead_time"] + 100**2 * 0.5)
    assert doc["sites"]["P"]["safety_stock_units"] == pytest.approx(units, rel=1e-9)
    # the same network with a fixed 2-day lane needs less
    fixed = replace(net, lanes=(replace(lanes[0], lead_time=Constant(2.0)), lanes[1]))
    assert solve_through_cli(fixed, tmp_path, "--review-days", "0")["total_cost"] < min(costs)
