"""Each kind of disruption does exactly what DOMAIN.md says, checked on scripted events
with deterministic demand where the answer can be counted by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine_networks import single_site
from jitrisk.engine import kernel, simulate
from jitrisk.model.distributions import Constant
from jitrisk.model.records import Demand, Disruption, Lane, Network, Settings, Site

D = 10.0


@pytest.mark.parametrize("k", [1, 3, 7, 21, 25])
def test_scripted_supplier_outage_counts(k):
    """Supplier down days 30..50 (21 days); DC with k days of cover and zero lead time is
    short on days 30+k .. 51: max(0, 22 - k) days, first on day 30 + k."""
    down = Disruption("S", "SUP", "outage", 0.0, Constant(21), start_day=30)
    res = simulate(
        single_site(Constant(D), k * D, Constant(0), disruptions=(down,), trials=3, days=100)
    )
    days = res.stockout_days("C")
    assert (days == max(0, 22 - k)).all()
    first = res.site_int[:, res.index("C"), kernel.I_FIRST_STOCKOUT]
    assert (first == (30 + k if k <= 21 else -1)).all()


@pytest.mark.parametrize("late", [5, 40])
def test_lane_delay_holds_one_shipment_back(late):
    """A ``late``-day delay on the shipment leaving day 10, with one day of cover (k = 1),
    leaves the customer short on days 11 .. 10 + late; with two days of cover, never.

    40 days is far longer than the lane's lead time (0): the receiver's arrival ring
    must still hold the shipment that long, or it would arrive early.
    """
    delay = Disruption("L", "lane:SUP->X", "delay", 0.0, Constant(1), severity=late, start_day=10)
    thin = simulate(
        single_site(Constant(D), D, Constant(0), disruptions=(delay,), trials=2, days=100)
    )
    assert (thin.stockout_days("C") == late).all()
    assert (thin.site_int[:, thin.index("C"), kernel.I_FIRST_STOCKOUT] == 11).all()
    ok = simulate(
        single_site(Constant(D), 2 * D, Constant(0), disruptions=(delay,), trials=2, days=100)
    )
    assert (ok.stockout_days("C") == 0).all()


def test_every_arrival_ring_holds_its_longest_shipment():
    """Each receiver's ring is longer than ``1 +`` the longest lead time ``+`` delay of
    every lane into it (and its initial pipeline), so nothing in transit wraps around."""
    from jitrisk.engine.compiled import compile_network
    from jitrisk.model.generate import generate_network

    net = generate_network(60, seed=4)
    c = compile_network(net)
    length, wip = c.arrival_rings
    assert (length & (length - 1) == 0).all() and wip & (wip - 1) == 0
    assert wip > c.processing_days.max()
    delay = np.zeros(c.n_edges)
    for k in np.flatnonzero(c.dis_kind == 2):
        for e in c.dis_tgt[c.dis_tgt_ptr[k] : c.dis_tgt_ptr[k + 1]]:
            delay[e] = max(delay[e], np.ceil(c.dis_severity[k]))
    assert delay.max() > 0  # the generated network has lane delays
    for e in range(c.n_edges):
        if c.edge_to_customer[e]:
            continue
        longest = c.edge_lt_const[e] if c.edge_lt_const[e] >= 0 else c.edge_lt_len[e] - 1
        assert 1 + longest + delay[e] < length[c.edge_recv[e]]
    lead = np.concatenate([c.mean_lead, c.buf_mean_lead])
    stocked = np.concatenate([c.site_kind == 1, np.ones(c.n_buffers, dtype=bool)])
    assert (np.floor(lead[stocked]) + 1 < length[stocked]).all()


def test_demand_shock_multiplies_demand_for_its_duration():
    shock = Disruption("M", "C", "demand", 0.0, Constant(5), severity=3.0, start_day=4)
    res = simulate(
        single_site(Constant(D), 100 * D, Constant(0), disruptions=(shock,), trials=2, days=20)
    )
    demand = res.site_out[:, res.index("C"), kernel.M_DEMAND]
    assert demand == pytest.approx(20 * D + 5 * 2 * D)


def _two_sources(scope: str) -> Network:
    """DC fed 50/50 by two suppliers in region EU; one day of cover."""
    return Network(
        sites=(
            Site("A", "supplier", base_stock_units=1e9, region="EU"),
            Site("B", "supplier", base_stock_units=1e9, region="EU"),
            Site("X", "dc", base_stock_units=D),
            Site("C", "customer"),
        ),
        lanes=(
            Lane("A", "X", Constant(0), share=0.5, component="X"),
            Lane("B", "X", Constant(0), share=0.5, component="X"),
            Lane("X", "C", Constant(0), component="C"),
        ),
        demand=(Demand("C", Constant(D), 1.0),),
        disruptions=(Disruption("R", scope, "outage", 0.0, Constant(3), start_day=5),),
        settings=Settings(days=30, trials=2, warmup_days=5),
    )


def test_regional_event_hits_every_site_of_the_region_at_once():
    """Both sources down on days 5..7 (region) vs only A down.

    Region: nothing arrives on days 6..8, all 3 x 10 units of demand go short.
    Only A: B's half (5) arrives each day but fills the *oldest* backorders first, so the
    customer is short 5 (day 6) + 10 (day 7) + 10 (day 8) = 25 units, on the same 3 days;
    on day 8's evening A ships its whole backlog and day 9 is clean."""
    region = simulate(_two_sources("region:EU"))
    one = simulate(_two_sources("A"))
    short_region = region.site_out[:, region.index("C"), kernel.M_SHORT]
    short_one = one.site_out[:, one.index("C"), kernel.M_SHORT]
    assert (region.stockout_days("C") == 3).all()
    assert short_region == pytest.approx(3 * D)
    assert short_one == pytest.approx(2.5 * D)
    assert (one.stockout_days("C") == 3).all()


def test_capacity_loss_limits_production():
    """Plant capacity 100/day at demand 80; losing 50% for 10 days makes 50/day: 30 short
    a day, then capacity 100 clears the backlog at 20 a day."""
    net = Network(
        sites=(
            Site("P", "supplier", base_stock_units=80, capacity_per_day=100),
            Site("C", "customer"),
        ),
        lanes=(Lane("P", "C", Constant(0), component="C"),),
        demand=(Demand("C", Constant(80.0), 2.0),),
        disruptions=(
            Disruption("K", "P", "capacity", 0.0, Constant(10), severity=0.5, start_day=3),
        ),
        settings=Settings(days=60, trials=1, warmup_days=0),
    )
    res = simulate(net)
    short = res.site_out[0, res.index("C"), kernel.M_SHORT]
    # end-of-day backlog: 30 (t - 2) on days 3..12, then 300 - 20 (t - 12): zero on day 27,
    # so the customer is short on days 3..26
    assert res.stockout_days("C")[0] == 24
    assert res.site_int[0, res.index("C"), kernel.I_FIRST_STOCKOUT] == 3
    assert res.site_out[0, res.index("C"), kernel.M_BACKORDER_SUM] == pytest.approx(
        sum(30 * (t - 2) for t in range(3, 13)) + sum(300 - 20 * (t - 12) for t in range(13, 27))
    )
    assert res.site_out[0, res.index("C"), kernel.M_LOST_REVENUE] == pytest.approx(2.0 * short)


def test_random_outage_frequency_matches_its_rate():
    """Share of outage days at a supplier with onset p and geometric(m) duration is
    p/(p + 1/m): checked through the days the supplier cannot ship at all."""
    p, m = 0.02, 5.0
    dis = (Disruption("D", "SUP", "outage", p, Constant(1)),)
    net = replace(
        single_site(Constant(D), D, Constant(0), disruptions=dis, trials=1000, days=365),
        disruptions=dis,
    )
    res = simulate(net)
    # one-day outages: the DC is short exactly on the day after each outage day
    share = res.stockout_days("X") / 365
    expected = p / (p + 1.0)  # duration 1: beta = 1
    se = share.std(ddof=1) / np.sqrt(len(share))
    assert abs(share.mean() - expected) <= 4 * se
    assert m > 0
