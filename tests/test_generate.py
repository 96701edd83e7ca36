"""The random tiered network generator: valid, realistic, deterministic, fast."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jitrisk.engine import simulate
from jitrisk.model.distributions import Constant, Geometric, Normal, Poisson
from jitrisk.model.generate import MIN_BOM, generate_network
from jitrisk.model.graph import build_graph, network_info
from jitrisk.model.records import Lane, Network
from jitrisk.workbook.reader import validate_workbook
from jitrisk.workbook.validation import check_network
from jitrisk.workbook.writer import write_network


@pytest.fixture(scope="module")
def net500() -> Network:
    return generate_network(500, seed=5)


def _groups(net: Network) -> dict[tuple[str, str], list[Lane]]:
    groups: dict[tuple[str, str], list[Lane]] = defaultdict(list)
    for lane in net.lanes:
        groups[(lane.target, lane.component)].append(lane)
    return groups


@pytest.mark.parametrize("n", [20, 100, 500])
def test_generated_network_round_trips_without_problems(n: int, tmp_path: Path) -> None:
    """generate -> write -> load: no error, no warning, and the same network."""
    net = generate_network(n, seed=n)
    assert len(net.sites) == n
    report = validate_workbook(write_network(net, tmp_path / f"gen{n}.xlsx"))
    assert [str(p) for p in report.problems] == []
    assert report.network == net


@given(n=st.integers(20, 400), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_any_size_and_seed_passes_the_network_checks(n: int, seed: int) -> None:
    net = generate_network(n, seed=seed)
    assert len(net.sites) == n
    assert check_network(net) == []


def test_deterministic_given_seed_and_independent_of_global_state() -> None:
    a = generate_network(150, seed=11)
    np.random.seed(0)  # noqa: NPY002 - global state must not matter
    b = generate_network(150, seed=11)
    assert a == b
    assert generate_network(150, seed=12) != a


def test_tiers_plants_and_boms(net500: Network) -> None:
    """Suppliers over 4 tiers, tier-1 suppliers with BOMs, plants with 10+ components."""
    g = build_graph(net500)
    tiers = {g.nodes[s.site_id]["tier"] for s in net500.sites_of_type("supplier")}
    assert tiers == {1, 2, 3, 4}
    tier1 = [s.site_id for s in net500.sites_of_type("supplier") if g.nodes[s.site_id]["tier"] == 1]
    assert all(net500.lanes_into(s) for s in tier1)
    raw_tiers = {
        g.nodes[n]["tier"] for n in g if g.nodes[n]["type"] == "supplier" and not g.in_degree(n)
    }
    assert raw_tiers >= {3, 4}
    assert raw_tiers <= {3, 4}
    plants = net500.sites_of_type("plant")
    assert len(plants) >= 1
    for p in plants:
        comps = {lane.component for lane in net500.lanes_into(p.site_id)}
        assert len(comps) >= MIN_BOM
    info = network_info(net500)
    assert info.counts_by_type["dc"] >= 2
    assert info.counts_by_type["customer"] == 30
    assert len(info.regions) >= 5


def test_dual_sourcing(net500: Network) -> None:
    """Some components have two sources with shares summing to 1 and one label."""
    dual = [lanes for (t, _c), lanes in _groups(net500).items() if len(lanes) > 1]
    assert len(dual) >= 10
    for lanes in _groups(net500).values():
        assert sum(lane.share for lane in lanes) == pytest.approx(1.0, abs=1e-9)
        assert len({lane.quantity_per_unit for lane in lanes}) == 1
        assert len({lane.line_buffer_days for lane in lanes}) == 1
    plant_ids = {p.site_id for p in net500.sites_of_type("plant")}
    assert any(lanes[0].target in plant_ids for lanes in dual)


def _cover(lanes: list[Lane]) -> float:
    """One standard deviation of the worst inbound transit time, up to half days."""
    return math.ceil(2 * max(x.lead_time.std for x in lanes)) / 2 if lanes else 0.0


def test_thin_buffers_sized_for_transit_uncertainty(net500: Network) -> None:
    """0.5-3 days of JIT cover on top of one σ of the lanes that restock the buffer."""
    stocking = [s for s in net500.sites if s.is_stocking]
    jit = [
        s.safety_stock_days - (_cover(list(net500.lanes_into(s.site_id))) if s.type == "dc" else 0)
        for s in stocking
    ]
    assert all(0.5 <= d <= 3 for d in jit)
    assert len(set(jit)) > 3
    plants_and_makers = {s.site_id for s in stocking if s.is_producing}
    for (target, _c), lanes in _groups(net500).items():
        if target not in plants_and_makers:
            assert lanes[0].line_buffer_days is None
            continue
        days = lanes[0].line_buffer_days
        assert days is not None
        assert 0.5 <= days - _cover(lanes) <= 2
    assert any(_cover(lanes) >= 5 for lanes in _groups(net500).values())


def test_lead_times_and_demand(net500: Network) -> None:
    kinds = {type(lane.lead_time) for lane in net500.lanes}
    assert Constant in kinds
    assert len(kinds - {Constant}) >= 3
    assert {type(d.daily_demand) for d in net500.demand} == {Normal, Poisson}
    assert all(d.unit_price > 0 for d in net500.demand)


def test_unit_values_increase_downstream(net500: Network) -> None:
    """Each producing site is worth more than its bill of materials; DCs and prices more still."""
    value = {s.site_id: s.unit_value for s in net500.sites}
    for (target, _c), lanes in _groups(net500).items():
        site = net500.site_by_id[target]
        if site.type == "dc":
            assert value[target] > min(value[x.source] for x in lanes)
    for site in net500.sites:
        if not site.is_producing or not net500.lanes_into(site.site_id):
            continue
        groups = [g for (t, _c), g in _groups(net500).items() if t == site.site_id]
        material = sum(
            g[0].quantity_per_unit * sum(value[x.source] * x.share for x in g) for g in groups
        )
        assert value[site.site_id] > material
    for d in net500.demand:
        sources = [x.source for x in net500.lanes_into(d.site_id)]
        assert d.unit_price > min(value[s] for s in sources)


def test_disruption_profile(net500: Network) -> None:
    dis = net500.disruptions
    outages = [d for d in dis if d.kind == "outage" and d.scope_kind == "site"]
    assert len(outages) >= 10
    assert all(isinstance(d.duration, Geometric) for d in outages)
    assert all(net500.site_by_id[d.scope].type == "supplier" for d in outages)
    assert 1 <= sum(d.scope_kind == "region" for d in dis) <= 2
    assert [d.kind for d in dis if d.scope_kind == "lane"] == ["delay"]
    demand = [d for d in dis if d.kind == "demand"]
    assert len(demand) == 1
    assert demand[0].severity > 1
    assert all(0 < d.probability_per_day < 1 and not d.scripted for d in dis)
    assert len({d.disruption_id for d in dis}) == len(dis)


def test_disruption_rate_scales_the_profile() -> None:
    base = generate_network(60, seed=1)
    double = generate_network(60, seed=1, disruption_rate=2.0)
    assert [d.scope for d in double.disruptions] == [d.scope for d in base.disruptions]
    for a, b in zip(base.disruptions, double.disruptions, strict=True):
        assert b.probability_per_day == pytest.approx(2 * a.probability_per_day)
    assert generate_network(60, seed=1, disruption_rate=0).disruptions == ()


def test_n_customers() -> None:
    net = generate_network(80, seed=2, n_customers=9)
    assert len(net.sites_of_type("customer")) == 9
    assert len(net.demand) == 9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_sites": 19}, "n_sites must be between 20 and 5000"),
        ({"n_sites": 5001}, "n_sites must be between 20 and 5000"),
        ({"n_sites": 20, "n_customers": 10}, "n_customers=10"),
        ({"n_sites": 50, "disruption_rate": -1.0}, "disruption_rate must be >= 0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_network(**kwargs)  # type: ignore[arg-type]


def test_2000_sites() -> None:
    """Benchmarks build 2000-site networks (generation time: benchmarks/bench_engine.py)."""
    net = generate_network(2000, seed=0)
    assert len(net.sites) == 2000
    assert len(net.lanes) > 2000
    assert check_network(net) == []


def _customer_fill(net: Network) -> list[float]:
    res = simulate(net, trials=200, days=365, seed=7)
    frame = res.sites_frame()
    return [float(frame.loc[c.site_id, "fill_rate"]) for c in net.sites_of_type("customer")]


@pytest.mark.parametrize("seed", [1, 2])
def test_healthy_without_disruptions(seed: int) -> None:
    """A lean but planned network: with no disruptions customers are served near fully.

    A generator that put 0.5-day buffers behind 40 ± 10-day lanes made every
    customer short most days; that is a network in crisis, not a JIT one.
    """
    fill = _customer_fill(generate_network(100, seed=seed, disruption_rate=0))
    assert min(fill) >= 0.97


@pytest.mark.parametrize("seed", [1, 2])
def test_disruption_profile_hurts_like_the_automotive_example(seed: int) -> None:
    """With the default profile customers lose a few to twenty per cent of their demand
    (the bundled automotive example: 0.88), neither untouched nor in permanent crisis."""
    fill = _customer_fill(generate_network(100, seed=seed))
    assert 0.8 <= float(np.mean(fill)) <= 0.99
    assert min(fill) < 0.99
