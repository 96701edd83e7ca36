"""Variants that differ only in some buffers: replaying the unaffected part of the
network gives what simulating each variant in full gives (the pass-through of
base-stock orders), and the subnetwork holds exactly the sites that can change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_networks import assembly, serial_chain
from jitrisk.engine import compile_network, simulate
from jitrisk.engine.runner import subnetwork
from jitrisk.engine.variants import simulate_variants
from jitrisk.model.distributions import Geometric, Normal
from jitrisk.model.generate import generate_network
from jitrisk.model.records import Disruption, Network
from jitrisk.workbook.reader import load_network

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _assert_same(replayed, full) -> None:
    """Equal up to floating-point rounding: counts exactly, sums to 1e-9 relative."""
    assert np.array_equal(replayed.site_int, full.site_int)
    assert np.array_equal(replayed.net_out, full.net_out)
    for a, b in ((replayed.site_out, full.site_out), (replayed.buf_out, full.buf_out)):
        assert np.all(np.abs(a - b) <= 1e-9 * (1.0 + np.abs(b)))


def _check(net: Network, changed: list[str], levels: list[float], trials: int, seed: int) -> None:
    variants = [net.with_buffer_days(dict.fromkeys(changed, x)) for x in levels]
    replayed = simulate_variants(variants, changed, trials=trials, days=200, seed=seed)
    for v, r in zip(variants, replayed, strict=True):
        _assert_same(r, simulate(v, trials=trials, days=200, seed=seed))


@pytest.fixture(scope="module")
def automotive() -> Network:
    return load_network(EXAMPLES / "automotive.xlsx")


@pytest.mark.parametrize("site", ["T1-CELLS-CN", "T2-MCU-MY", "DC-LYON", "OEM-LEIPZIG"])
def test_replay_equals_full_runs_on_the_automotive_example(automotive: Network, site: str) -> None:
    _check(automotive, [site], [0.0, 2.5, 12.0], trials=60, seed=3)


def test_replay_equals_full_runs_for_a_group(automotive: Network) -> None:
    _check(automotive, ["T2-MCU-MY", "T2-MCU-US", "T1-BMS-DE"], [0.0, 4.0], trials=40, seed=8)


def test_replay_equals_full_runs_with_customers_served_by_several_sources() -> None:
    """A DC's customers also buy from another DC: that DC is simulated too."""
    net = generate_network(100, seed=1)
    dcs = [s.site_id for s in net.sites_of_type("dc")]
    shared = [
        c.site_id
        for c in net.sites_of_type("customer")
        if len({x.source for x in net.lanes_into(c.site_id)}) > 1
    ]
    assert shared, "the test needs a customer with two sources"
    _check(net, [dcs[0]], [0.0, 5.0], trials=40, seed=2)


def test_subnetwork_is_the_changed_sites_and_downstream() -> None:
    net = serial_chain(3, Normal(30.0, 8.0), [1.0, 1.0, 1.0], [2, 2])
    c = compile_network(net)
    mid = c.site_ids.index(net.sites[1].site_id)
    sub = subnetwork(c, [mid])
    active = {c.site_ids[i] for i in np.flatnonzero(sub.active)}
    downstream = {net.sites[i].site_id for i in range(1, len(net.sites))}
    assert active == downstream | {c.site_ids[mid]}
    # exactly one receiver is fed from outside: the changed site itself
    assert [c.site_ids[r] for r in sub.ext_recv] == [c.site_ids[mid]]


def test_lost_sales_runs_every_variant_in_full() -> None:
    """Pass-through fails when unmet customer demand is lost: full runs, bit for bit."""
    net = serial_chain(2, Normal(30.0, 10.0), [1.0, 0.5], [3])
    net = net.with_settings(unmet_demand="lost")
    changed = [net.sites[0].site_id]
    variants = [net.with_buffer_days({changed[0]: x}) for x in (0.0, 3.0)]
    for v, r in zip(variants, simulate_variants(variants, changed, trials=50, seed=4), strict=True):
        full = simulate(v, trials=50, seed=4)
        assert np.array_equal(r.site_out, full.site_out)
        assert np.array_equal(r.site_int, full.site_int)


def test_variants_must_differ_only_in_the_changed_buffers(automotive: Network) -> None:
    a = automotive.with_buffer_days({"DC-LYON": 1.0})
    b = automotive.with_buffer_days({"DC-LYON": 2.0, "DC-MUNICH": 9.0})
    with pytest.raises(ValueError, match="differ in more than"):
        simulate_variants([a, b], ["DC-LYON"], trials=2)


@given(
    st.lists(st.floats(0.0, 4.0), min_size=3, max_size=3),
    st.integers(0, 2),
    st.lists(st.floats(0.0, 6.0), min_size=2, max_size=3),
    st.floats(0.0, 0.05),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_replay_equals_full_runs_on_random_chains_with_outages(
    buffers: list[float], which: int, levels: list[float], p_out: float, seed: int
) -> None:
    outage = Disruption("OUT", "RAW", "outage", p_out, Geometric(5.0), 1.0)
    net = serial_chain(3, Normal(30.0, 9.0), buffers, [1, 3], capacity=45.0, disruptions=(outage,))
    _check(net, [net.sites[which].site_id], levels, trials=20, seed=seed)


def test_replay_equals_full_runs_in_an_assembly() -> None:
    net = assembly()
    supplier = next(s.site_id for s in net.sites if s.type == "supplier")
    _check(net, [supplier], [0.0, 1.5, 6.0], trials=40, seed=11)


def test_stockout_days_do_not_depend_on_the_unit_of_measure() -> None:
    """Counting a day as short when backorders exceed an absolute 1e-9 units made
    rounding residue a stockout at sites shipping millions a day; the test scales
    every quantity by 10**7 and expects the same stockout days."""
    outage = Disruption("OUT", "RAW", "outage", 0.03, Geometric(6.0), 1.0)

    def chain(scale: float) -> Network:
        return serial_chain(
            3,
            Normal(30.0 * scale, 9.0 * scale),
            [0.5, 1.0, 1.0],
            [2, 3],
            capacity=40.0 * scale,
            disruptions=(outage,),
            trials=100,
            days=365,
        )

    small, big = simulate(chain(1.0)), simulate(chain(1e7))
    same = np.mean(small.site_int[:, :, 0] == big.site_int[:, :, 0])
    assert same >= 0.99
    assert np.all(np.abs(small.site_int[:, :, 0] - big.site_int[:, :, 0]) <= 1)
