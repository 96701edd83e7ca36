"""The interval estimators cover what they claim (checked by repetition on known laws).

Each coverage check repeats an experiment R = 400 times; a 95% interval should cover
the truth in 95% of them, and the observed share has standard error
sqrt(0.95 * 0.05 / 400) = 0.011, so the band [0.917, 0.983] is +-3 standard errors.
"""

from __future__ import annotations

import numpy as np

from jitrisk.engine.results import (
    cvar_ci,
    mean_estimate,
    quantile_ci,
    ratio_estimate,
    tail_risk,
    wilson_estimate,
)

R = 400
BAND = (0.917, 0.983)


def _coverage(hits: list[bool]) -> float:
    return float(np.mean(hits))


def test_mean_interval_covers_the_mean():
    rng = np.random.default_rng(1)
    hits = []
    for _ in range(R):
        e = mean_estimate(rng.exponential(2.0, 200))
        hits.append(e.lo <= 2.0 <= e.hi)
    assert BAND[0] <= _coverage(hits) <= BAND[1]


def test_wilson_interval_covers_a_small_probability():
    rng = np.random.default_rng(2)
    hits = []
    for _ in range(R):
        e = wilson_estimate(rng.random(300) < 0.03)
        hits.append(e.lo <= 0.03 <= e.hi)
    assert BAND[0] <= _coverage(hits) <= BAND[1]


def test_ratio_interval_covers_the_ratio_of_means():
    """Fill rate = E[filled]/E[demand], with filled and demand correlated per trial."""
    rng = np.random.default_rng(3)
    hits = []
    for _ in range(R):
        demand = rng.gamma(20.0, 5.0, 250)
        filled = demand * rng.beta(18.0, 2.0, 250)  # E[filled]/E[demand] = 0.9
        e = ratio_estimate(filled, demand)
        hits.append(e.lo <= 0.9 <= e.hi)
    assert BAND[0] <= _coverage(hits) <= BAND[1]


def test_quantile_interval_covers_the_95_percent_quantile():
    rng = np.random.default_rng(4)
    true = -np.log(0.05)  # exponential(1)
    hits = []
    for _ in range(R):
        lo, hi = quantile_ci(rng.exponential(1.0, 500), 0.95)
        hits.append(lo <= true <= hi)
    assert BAND[0] <= _coverage(hits) <= BAND[1]


def test_var_and_cvar_of_a_known_law():
    """Exponential(1): VaR95 = ln 20 = 3.00, CVaR95 = VaR + 1 = 4.00. With 400,000 samples
    the standard error of the quantile is sqrt(q(1-q)/n)/f(VaR) = 0.007 (and about 0.01
    for the tail mean), so 0.03 is 3-4 standard errors."""
    x = np.random.default_rng(5).exponential(1.0, 400_000)
    var, cvar = tail_risk(x)
    assert abs(var - np.log(20)) < 0.03
    assert abs(cvar - (np.log(20) + 1)) < 0.03


def test_cvar_interval_covers_the_expected_shortfall():
    """Exponential(1): CVaR95 = ln 20 + 1. The asymptotic interval's coverage over
    R replications must be 95% within the band of 3 binomial standard errors."""
    rng = np.random.default_rng(6)
    true = np.log(20) + 1
    hits = []
    for _ in range(R):
        lo, hi = cvar_ci(rng.exponential(1.0, 2000), 0.95)
        hits.append(lo <= true <= hi)
    assert BAND[0] <= _coverage(hits) <= BAND[1]


def test_cvar_interval_holds_its_estimate_and_stays_non_negative():
    x = np.random.default_rng(7).exponential(1.0, 100)
    lo, hi = cvar_ci(x)
    assert 0.0 <= lo <= tail_risk(x)[1] <= hi
    assert cvar_ci(np.zeros(50)) == (0.0, 0.0)
