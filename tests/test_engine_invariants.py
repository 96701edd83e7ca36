"""Invariants of the simulation on random small networks (Hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_networks import assembly, serial_chain, single_site
from jitrisk.engine import kernel, simulate
from jitrisk.model.distributions import Constant, Geometric, Normal, Poisson, Uniform
from jitrisk.model.records import Disruption

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

demands = st.sampled_from([Constant(30.0), Normal(30.0, 8.0), Poisson(25.0), Uniform(10.0, 40.0)])


@st.composite
def chains(draw):
    n = draw(st.integers(1, 4))
    buffers = draw(st.lists(st.floats(0, 5), min_size=n, max_size=n))
    leads = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    dis = []
    for i in range(n):
        if draw(st.booleans()):
            site = "RAW" if i == 0 else f"S{i}"
            dis.append(
                Disruption(
                    f"D{i}",
                    site,
                    "outage",
                    draw(st.floats(0.0, 0.1)),
                    Geometric(draw(st.floats(1.0, 8.0))),
                )
            )
    cap = draw(st.one_of(st.none(), st.floats(25.0, 60.0)))
    return serial_chain(
        n,
        draw(demands),
        buffers,
        leads,
        disruptions=tuple(dis),
        processing=draw(st.integers(0, 3)),
        capacity=cap,
        trials=12,
        days=60,
        seed=draw(st.integers(0, 2**32)),
    )


def _all_estimates(res):
    for sid in res.site_ids:
        s = res.site_stats(sid)
        for key in ("stockout_day_probability", "stockout_probability", "fill_rate"):
            yield s[key]
    for key in (
        "any_customer_stockout_probability",
        "fill_rate",
        "any_customer_stockout_day_probability",
    ):
        e = res.network_stats()[key]
        yield type("E", (), {"mean": e["mean"], "lo": e["ci95"][0], "hi": e["ci95"][1]})


@FAST
@given(chains())
def test_probabilities_are_probabilities(net):
    """Every probability and fill rate, and its CI, lies in [0, 1] with lo <= mean <= hi."""
    res = simulate(net)
    for e in _all_estimates(res):
        assert 0.0 <= e.lo <= e.mean + 1e-12
        assert e.mean <= e.hi + 1e-12 and e.hi <= 1.0
        assert np.isfinite([e.lo, e.mean, e.hi]).all()


@FAST
@given(chains())
def test_units_are_conserved(net):
    """For every stock point: initial + arrived = shipped/consumed + final."""
    res = simulate(net, keep_accounting=True)
    a = res.acct
    lhs = a[..., kernel.A_INITIAL] + a[..., kernel.A_IN]
    rhs = a[..., kernel.A_OUT] + a[..., kernel.A_FINAL]
    scale = np.maximum(1.0, lhs)
    assert np.all(np.abs(lhs - rhs) <= 1e-7 * scale)


def test_units_are_conserved_in_an_assembly_network():
    """Conservation through a BOM (two units of frame per unit), dual sourcing and outages."""
    dis = (
        Disruption("D", "A1", "outage", 0.02, Geometric(6)),
        Disruption("E", "region:EU", "capacity", 0.01, Constant(4), severity=0.5),
    )
    res = simulate(assembly(trials=40, disruptions=dis), keep_accounting=True)
    a = res.acct
    lhs = a[..., kernel.A_INITIAL] + a[..., kernel.A_IN]
    rhs = a[..., kernel.A_OUT] + a[..., kernel.A_FINAL]
    assert np.all(np.abs(lhs - rhs) <= 1e-7 * np.maximum(1.0, lhs))
    # the plant's consumption of frames is twice its consumption of chips
    labels = res.compiled.buffer_labels()
    chip, frame = labels.index("P/chip"), labels.index("P/frame")
    assert a[:, res.compiled.n_sites + frame, kernel.A_OUT] == pytest.approx(
        2 * a[:, res.compiled.n_sites + chip, kernel.A_OUT]
    )


@FAST
@given(chains(), st.data())
def test_more_safety_stock_never_raises_stockouts_serial(net, data):
    """Serial chain, backorders, deterministic lead times, common random numbers: raising
    one stage's buffer never raises any site's stockout days, trial by trial."""
    target = data.draw(st.sampled_from([s.site_id for s in net.sites if s.type != "customer"]))
    extra = data.draw(st.floats(0.5, 5.0))
    site = net.site_by_id[target]
    more = net.with_buffer_days({target: site.safety_stock_days + extra})
    base, up = simulate(net), simulate(more)
    for sid in base.site_ids:
        assert np.all(up.stockout_days(sid) <= base.stockout_days(sid)), sid


@FAST
@given(
    demands,
    st.floats(0, 4),
    st.floats(0.5, 4),
    st.integers(0, 2**32),
    st.sampled_from(["backorder", "lost"]),
)
def test_more_safety_stock_never_raises_stockouts_single_site(demand, b, extra, seed, unmet):
    """Single site with a random lead time (order crossing allowed) and an outage-prone
    supplier: more base stock never raises its stockout days, trial by trial."""
    dis = (Disruption("D", "SUP", "outage", 0.03, Geometric(4)),)
    lt = Uniform(0, 4)
    s0 = 30 * (3 + b)
    kw = dict(disruptions=dis, trials=12, days=60, warmup=10, seed=seed, unmet=unmet)
    base = simulate(single_site(demand, s0, lt, **kw))
    up = simulate(single_site(demand, s0 + 30 * extra, lt, **kw))
    assert np.all(up.stockout_days("X") <= base.stockout_days("X"))
    assert np.all(up.stockout_days("C") <= base.stockout_days("C"))


def test_zero_probability_disruptions_change_nothing_bit_for_bit():
    """Adding disruptions that never happen reproduces the run exactly."""
    net = assembly(trials=30)
    never = (
        Disruption("N1", "A1", "outage", 0.0, Geometric(5)),
        Disruption("N2", "region:EU", "capacity", 0.0, Constant(3), severity=0.4),
        Disruption("N3", "lane:P->DC", "delay", 0.0, Constant(3), severity=5),
        Disruption("N4", "C1", "demand", 0.0, Constant(3), severity=2.0),
    )
    a = simulate(net)
    b = simulate(replace(net, disruptions=never))
    assert np.array_equal(a.site_out, b.site_out)
    assert np.array_equal(a.site_int, b.site_int)
    assert np.array_equal(a.buf_out, b.buf_out)
