"""The day-by-day story of a disruption (jitrisk.analysis.story) against exact paths.

The engine's semantics (DOMAIN.md; docs/MODEL.md): a site reviews daily and
orders at the end of the day; its supplier, processed after it on the same
day, ships at once, and the shipment arrives ``1 + L`` days later. So with
constant demand ``d``, lead time ``L`` and base stock ``S = (L + 1 + k) d``,
the site ends every calm day with ``k d`` on hand. An outage of its supplier
on days ``s .. s+D-1`` ships nothing, so the arrivals of days ``s+1+L ..
s+D+L`` are missing; the backlog ships on day ``s+D`` and arrives on day
``s+D+1+L``. The stock is empty at the end of day ``s+L+k`` and, when
``D > k``, customers first go short on day ``s+L+k+1`` and are owed until the
backlog arrives on day ``s+D+1+L``. With random demand, before the event the
inventory level is ``IL_t = S - (D_{t-L} + ... + D_t)`` exactly (DOMAIN.md
"Check"), so on hand is ``max(IL, 0)`` and backorders ``max(-IL, 0)``, trial
by trial and day by day.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine_networks import single_site
from jitrisk.analysis.story import MAX_TRIALS, default_watch, disruption_story, period_fill
from jitrisk.engine import kernel as K
from jitrisk.engine.compiled import compile_network
from jitrisk.engine.draws import chunk_draws, customer_demand
from jitrisk.engine.runner import RunConfig, run_chunk
from jitrisk.errors import JitriskError
from jitrisk.model.distributions import Constant, Normal
from jitrisk.workbook import load_network

D, L, K_DAYS, START = 50.0, 2, 3, 10


def _deterministic(duration: int):
    net = single_site(Constant(D), (L + 1 + K_DAYS) * D, Constant(L), trials=16, days=60, warmup=5)
    return disruption_story(net, "SUP", duration_days=duration, start_day=START, trials=16, days=60)


def test_a_long_supplier_outage_runs_the_site_dry_on_the_day_the_cover_ends():
    st = _deterministic(6)
    (x,) = [s for s in st.sites if s.site_id == "X"]
    assert x.cover_days.median[START - 1] == pytest.approx(K_DAYS)
    assert x.dry_day == START + L + K_DAYS
    assert st.short_share == 1.0
    assert st.first_short_day == START + L + K_DAYS + 1
    assert st.worst_day == START + L + K_DAYS + 1 and st.worst_fill == 0.0
    # owed until the backlog arrives on day s + D + 1 + L
    owed = st.customer_backorders.median
    assert owed[START + 6 + L] == pytest.approx(D * (6 - K_DAYS))
    assert owed[START + 6 + L + 1] == 0.0
    assert st.recovered_day == START + 6 + L + 1
    # no randomness: the band has no width
    assert np.array_equal(st.fill.low, st.fill.high)


def test_an_outage_within_the_cover_never_reaches_customers():
    st = _deterministic(K_DAYS)
    assert st.short_share == 0.0
    assert st.first_short_day is None
    assert st.worst_fill == 1.0
    assert st.recovered_day == START


def test_before_the_event_the_trace_is_the_textbook_inventory_level_path():
    mu, sd, lead = 100.0, 20.0, 3
    s = (lead + 1) * mu + 1.0 * sd * np.sqrt(lead + 1)
    net = single_site(Normal(mu, sd), s, Constant(lead), trials=64, days=80, warmup=0, seed=3)
    cfg = RunConfig.from_network(net)
    c = compile_network(net)
    dists = customer_demand(net, c)
    draws = chunk_draws(dists, cfg, 0, cfg.trials)
    ch = run_chunk(c, dists, cfg, 0, cfg.trials, draws=draws, trace_sites=np.array([1]))
    assert c.site_ids[1] == "X" and ch.trace is not None
    demand = draws[1][:, :, 0]
    # the steady start stands for demand of mu on the days before day 0
    padded = np.concatenate([np.full((cfg.trials, lead), mu), demand], axis=1)
    window = np.lib.stride_tricks.sliding_window_view(padded, lead + 1, axis=1)
    il = s - window.sum(axis=2)
    np.testing.assert_allclose(ch.trace[:, :, 0, 0], np.maximum(il, 0), atol=1e-6)
    np.testing.assert_allclose(ch.trace[:, :, 0, 1], np.maximum(-il, 0), atol=1e-6)
    assert (np.maximum(-il, 0) > 0).any()  # the check covers shortages too
    # the customers' row: today's demand, and what they are owed equals X's backorders
    np.testing.assert_allclose(ch.trace[:, :, 1, 0], demand, rtol=1e-12)
    np.testing.assert_allclose(ch.trace[:, :, 1, 2], ch.trace[:, :, 0, 1], atol=1e-6)


def test_the_trace_adds_up_to_the_runs_own_per_trial_metrics():
    net = load_network("examples/automotive.xlsx")
    cfg = RunConfig.from_network(net, trials=24, days=90)
    c = compile_network(net)
    dists = customer_demand(net, c)
    watched = np.arange(c.n_sites, dtype=np.int64)
    ch = run_chunk(c, dists, cfg, 0, cfg.trials, trace_sites=watched)
    assert ch.trace is not None
    stocking = c.site_kind != 0
    np.testing.assert_allclose(
        ch.trace[:, :, :-1, 0].sum(axis=1)[:, stocking],
        ch.site_out[:, stocking, K.M_ONHAND_SUM],
        rtol=1e-9,
    )
    customers = c.customer_sites
    np.testing.assert_allclose(
        ch.trace[:, :, -1, 0].sum(axis=1), ch.site_out[:, customers, K.M_DEMAND].sum(axis=1)
    )
    np.testing.assert_allclose(
        ch.trace[:, :, -1, 1].sum(axis=1), ch.site_out[:, customers, K.M_SHORT].sum(axis=1)
    )
    # and tracing changes nothing else
    plain = run_chunk(c, dists, cfg, 0, cfg.trials)
    np.testing.assert_array_equal(plain.site_out, ch.site_out)
    np.testing.assert_array_equal(plain.net_out, ch.net_out)


def test_story_on_the_example_is_reproducible_and_ordered():
    net = load_network("examples/automotive.xlsx")
    a = disruption_story(net, "T3-FOUNDRY-TW", trials=40, seed=9)
    b = disruption_story(net, "T3-FOUNDRY-TW", trials=40, seed=9)
    assert a.to_dict() | {"elapsed_s": 0} == b.to_dict() | {"elapsed_s": 0}
    assert a.duration_days == 21 and a.duration_source == "disruption profile"
    assert [s.site_id for s in a.sites] == default_watch(net, "T3-FOUNDRY-TW")
    for fan in [a.fill, a.customer_backorders] + [s.cover_days for s in a.sites]:
        assert np.all(fan.low <= fan.median + 1e-12) and np.all(fan.median <= fan.high + 1e-12)


def test_period_fill_is_one_without_demand_and_clipped():
    np.testing.assert_array_equal(
        period_fill(np.array([0.0, 10.0, 10.0]), np.array([0.0, 5.0, 10.0])), [1.0, 0.5, 0.0]
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"target": "NOPE"}, "no site 'NOPE'"),
        ({"target": "region:Atlantis"}, "no stocking site in region"),
        ({"target": "T3-FOUNDRY-TW", "trials": MAX_TRIALS + 1}, "1 to 1,000 trials"),
        ({"target": "T3-FOUNDRY-TW", "watch": ["GHOST"]}, "no site 'GHOST' to watch"),
        ({"target": "T3-FOUNDRY-TW", "duration_days": 0}, "at least 1 day"),
    ],
)
def test_bad_requests_say_what_is_wrong(kwargs, words):
    net = load_network("examples/automotive.xlsx")
    target = kwargs.pop("target")
    with pytest.raises(JitriskError, match=words):
        disruption_story(net, target, **kwargs)


def test_the_fan_chart_keeps_its_ticks_apart_on_a_small_canvas() -> None:
    from jitrisk.report.figures.story import story_figure

    doc = _deterministic(6).to_dict()
    small = story_figure(doc, figsize=(7.0, 3.2))
    small.draw_without_rendering()  # a bare canvas's draw() lays nothing out
    cover, _fill, owed = small.axes
    for ax in (cover, owed):
        shown = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert len(shown) <= 3
    big = story_figure(doc)
    big.draw_without_rendering()
    shown = [t for t in big.axes[0].get_yticks() if 0 <= t <= big.axes[0].get_ylim()[1]]
    assert len(shown) >= 4
