"""Lead times and disruptions learnt from a delivery history (jitrisk fit, issue 19).

Tolerances come from the standard errors of the estimates, at 4 standard
errors: for ``n`` lead times with spread ``sigma``, the mean's is
``sigma / sqrt(n)`` and the standard deviation's about
``sigma * sqrt((kurtosis - 1) / (4 n))`` (3 for normal data, ``3 + 6/k`` for a
gamma of shape ``k``). A correct fit fails such a check about once in 16,000.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats

from jitrisk.history.episodes import FALSE_ALARM_RATE, find_episodes
from jitrisk.history.fitting import fit_lead_times

N = 3000
K_SE = 4.0


def _days(x: np.ndarray) -> np.ndarray:
    """The engine's whole days: rounded, at least 0."""
    return np.maximum(np.floor(x + 0.5), 0).astype(np.int64)


@pytest.mark.parametrize(
    ("family", "draw", "mean", "sd", "kurtosis"),
    [
        ("gamma", lambda r: r.gamma(16.0, 0.75, N), 12.0, 3.0, 3 + 6 / 16),
        ("normal", lambda r: r.normal(20.0, 4.0, N), 20.0, 4.0, 3.0),
        ("lognormal", lambda r: r.lognormal(math.log(10.0), 0.4, N), 10 * math.exp(0.08),
         10 * math.exp(0.08) * math.sqrt(math.expm1(0.16)), None),
        ("poisson", lambda r: r.poisson(7.0, N).astype(float), 7.0, math.sqrt(7.0), 3 + 1 / 7),
        ("uniform", lambda r: r.uniform(3.0, 15.0, N), 9.0, 12 / math.sqrt(12), 1.8),
    ],
)  # fmt: skip
def test_a_large_sample_picks_its_family_and_recovers_its_moments(
    family, draw, mean, sd, kurtosis
) -> None:
    rng = np.random.default_rng(sum(map(ord, family)))
    fit = fit_lead_times(_days(draw(rng)))
    assert fit.family == family, fit.candidates
    # the fitted whole-day distribution's mean against the true one: rounding adds
    # nothing to the mean of a symmetric-enough distribution and 1/12 to its variance
    true_sd = math.sqrt(sd**2 + 1 / 12)
    assert abs(fit.fitted_mean - mean) <= K_SE * true_sd / math.sqrt(N) + 0.01
    if kurtosis is not None:
        se_sd = true_sd * math.sqrt((kurtosis - 1) / (4 * N))
        assert abs(fit.fitted_sd - true_sd) <= K_SE * se_sd + 0.02
    assert fit.gof_pvalue is not None and fit.gof_pvalue > 1e-4
    assert fit.cell.startswith(family + "(")


def test_a_wrong_family_fails_the_goodness_of_fit() -> None:
    from jitrisk.history.fitting import chi_square, fit_families

    rng = np.random.default_rng(5)
    days = _days(rng.gamma(2.0, 5.0, N))  # strongly skewed
    fits = fit_families(days)
    k, n = np.unique(days, return_counts=True)
    _stat, p_normal = chi_square(fits["normal"], k, n.astype(float))
    _stat, p_gamma = chi_square(fits["gamma"], k, n.astype(float))
    assert p_normal is not None and p_normal < 1e-6
    assert p_gamma is not None and p_gamma > 1e-4


PLANTED = [(200, 12), (600, 25), (900, 15)]


def _supplier(seed: int, outages=PLANTED, n_days: int = 1095):
    rng = np.random.default_rng(seed)
    start = dt.date(2021, 1, 1)
    lead = _days(rng.normal(10.0, 2.0, n_days))
    ordered, lead_out = [], []
    for t, lt in enumerate(lead):
        arrive = t + int(lt)
        for s, d in outages:
            if s <= t < s + d:
                arrive = max(arrive, s + d + int(lt))
        ordered.append(start + dt.timedelta(days=t))
        lead_out.append(arrive - t)
    return start, ordered, lead_out


@pytest.mark.parametrize("seed", range(5))
def test_planted_outages_are_found_with_their_start_and_length(seed: int) -> None:
    """Tolerance: the start is the first order held (exact, or a day late when that
    order's own lead time was short); the length is a median of D + noise (sd 2 d)
    over at least 12 orders: 4 standard errors of that median is 4 x 1.25 x 2 /
    sqrt(12) = 2.9 days."""
    start, ordered, lead = _supplier(seed)
    ep = find_episodes(ordered, lead)
    found = {(e.start - start).days: e.duration_days for e in ep.episodes}
    for s, d in PLANTED:
        near = [f for f in found if abs(f - s) <= 1]
        assert near, (s, found)
        assert abs(found[near[0]] - d) <= 3, (s, d, found)
    assert len(found) - len(PLANTED) <= 1  # at most one false alarm in 3 years
    assert ep.cell is not None and ep.cell.startswith("geometric(")


def test_the_false_alarm_rate_is_what_the_docs_state() -> None:
    """Undisrupted normal lead times: the share of deliveries flagged is about
    1 - Phi(3.5) = 2.3e-4 (whole days shift it a little either way). Over 200
    suppliers x 1,095 deliveries the count is Poisson; the bound is its mean at
    three times the stated rate plus 4 standard errors."""
    flagged = total = 0
    for seed in range(200):
        _start, ordered, lead = _supplier(1000 + seed, outages=())
        ep = find_episodes(ordered, lead)
        flagged += int(ep.abnormal.sum())
        total += len(lead)
    expected = 3 * FALSE_ALARM_RATE * total
    assert flagged <= expected + K_SE * math.sqrt(expected)
    assert pytest.approx(stats.norm.sf(3.5)) == FALSE_ALARM_RATE


def test_deliveries_still_missing_at_the_end_of_the_history_are_an_episode() -> None:
    """An outage from day 1,000 still running when the history ends on day 1,094: its
    orders were never delivered. The waits of those beyond the threshold are the
    evidence; the lead-time statistics stay those of the delivered lines."""
    start, ordered, lead = _supplier(11, outages=())
    keep = [i for i, o in enumerate(ordered) if (o - start).days < 1000]
    missing = [o for o in ordered if (o - start).days >= 1000]
    as_of = start + dt.timedelta(days=1094)
    ep = find_episodes(
        [ordered[i] for i in keep], [lead[i] for i in keep], missing=missing, as_of=as_of
    )
    assert len(ep.abnormal) == len(keep)
    last = ep.episodes[-1]
    assert abs((last.start - start).days - 1000) <= 1
    # without the missing orders, nothing is found at the end
    plain = find_episodes([ordered[i] for i in keep], [lead[i] for i in keep])
    assert all((e.start - start).days < 990 for e in plain.episodes)
