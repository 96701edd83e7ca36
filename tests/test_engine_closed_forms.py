"""The engine reproduces the closed forms of DOMAIN.md within its Monte Carlo error.

Tolerances are 4 reported standard errors (plus, for the normal-demand case, the
analytic effect of truncating negative demand, which the parameter sets keep
below 1e-6). A correct engine fails one of these checks with probability about
6e-5 per comparison; a wrong one by a few percent fails them all.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from engine_networks import single_site
from jitrisk.engine import kernel, simulate
from jitrisk.model.distributions import Constant, Geometric, Normal
from jitrisk.model.records import Disruption

K_SE = 4.0


def normal_loss(z: float) -> float:
    """Standard normal loss function L(z) = phi(z) - z (1 - Phi(z))."""
    return float(stats.norm.pdf(z) - z * stats.norm.sf(z))


NORMAL_CASES = [
    # mean, sd, lead time L, safety factor z
    (100.0, 20.0, 3, 0.8),
    (50.0, 10.0, 0, 1.5),
    (200.0, 40.0, 7, 0.0),
    (80.0, 12.0, 2, 2.0),
]


@pytest.mark.parametrize(("mu", "sd", "lead", "z"), NORMAL_CASES)
def test_single_site_normal_demand_matches_closed_form(mu, sd, lead, z):
    """IL = S - D[t-L..t]: P(IL<0) = 1-Phi(z), E[B] = sd sqrt(L+1) L(z), fill rate (Axsater)."""
    assert stats.norm.cdf(-mu / sd) < 1e-6  # negative-demand truncation is negligible
    s = (lead + 1) * mu + z * sd * math.sqrt(lead + 1)
    net = single_site(Normal(mu, sd), s, Constant(lead), trials=2000, seed=11 + lead)
    st = simulate(net).site_stats("X")

    p = st["stockout_day_probability"]
    assert abs(p.mean - stats.norm.sf(z)) <= K_SE * p.se

    eb = st["expected_backorders"]
    assert abs(eb.mean - sd * math.sqrt(lead + 1) * normal_loss(z)) <= K_SE * eb.se

    # expected units short per day: n(S, L+1) - n(S, L) with n the normal loss in units
    short = sd * math.sqrt(lead + 1) * normal_loss(z)
    if lead > 0:
        z_l = (s - lead * mu) / (sd * math.sqrt(lead))
        short -= sd * math.sqrt(lead) * normal_loss(z_l)
    fr = st["fill_rate"]
    assert abs(fr.mean - (1 - short / mu)) <= K_SE * fr.se


MARKOV_CASES = [
    # daily onset alpha, mean outage days m, cover k (S = k d)
    (0.01, 5.0, 3),
    (0.02, 10.0, 5),
    (0.05, 4.0, 1),
    (0.005, 20.0, 10),
]


@pytest.mark.parametrize(("alpha", "mean_days", "k"), MARKOV_CASES)
def test_markov_outage_supplier_matches_closed_form(alpha, mean_days, k):
    """Zero lead time, demand d, S = k d: P(stockout day) = alpha/(alpha+beta) (1-beta)^(k-1)."""
    d = 50.0
    beta = 1 / mean_days
    outage = Disruption("D", "SUP", "outage", alpha, Geometric(mean_days))
    net = single_site(
        Constant(d), k * d, Constant(0), disruptions=(outage,), trials=3000, warmup=100, seed=5 + k
    )
    st = simulate(net).site_stats("X")["stockout_day_probability"]
    expected = alpha / (alpha + beta) * (1 - beta) ** (k - 1)
    assert st.se > 0
    assert abs(st.mean - expected) <= K_SE * st.se


def test_markov_outage_unavailability_is_stationary_share():
    """With k = 1 every day after a down day is short: the share equals alpha/(alpha+beta)
    and the customer sees exactly the same days as the DC."""
    alpha, m = 0.03, 6.0
    outage = Disruption("D", "SUP", "outage", alpha, Geometric(m))
    net = single_site(
        Constant(10.0), 10.0, Constant(0), disruptions=(outage,), trials=2000, warmup=100, seed=99
    )
    res = simulate(net)
    x, _c = res.site_stats("X"), res.site_stats("C")
    expected = alpha / (alpha + 1 / m)
    p = x["stockout_day_probability"]
    assert abs(p.mean - expected) <= K_SE * p.se
    assert (res.stockout_days("X") == res.stockout_days("C")).all()


def test_lost_sales_lose_whole_days_of_demand():
    """Lost sales with deterministic demand d and S = k d behind a Markov supplier: every
    stockout day loses exactly d units, so E[lost units] = days * P(stockout day) * d."""
    d, k = 20.0, 2
    outage = Disruption("D", "SUP", "outage", 0.02, Geometric(5.0))
    net = single_site(
        Constant(d), k * d, Constant(0), disruptions=(outage,), trials=1000, unmet="lost", seed=4
    )
    res = simulate(net)
    st = res.site_stats("X")
    lost_per_trial = res.site_out[:, res.index("C"), kernel.M_LOST]
    so_days = res.stockout_days("C")
    # pathwise: lost units = d * (stockout days) when a short day loses the whole day's demand
    assert lost_per_trial == pytest.approx(d * so_days, abs=1e-6)
    assert st["lost_units"].mean > 0
