"""The kernel's inverse-CDF draw of whole days against ``numpy.searchsorted``.

``draw_days`` must return the smallest ``k`` with ``u < cdf[k]`` (capped at the
last day) for every ``u``, including ``u`` exactly on a step of the CDF, whatever
shortcuts the guide table and its side-by-side thresholds take.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jitrisk.engine.compiled import _guides
from jitrisk.engine.kernel import draw_days
from jitrisk.model.distributions import LogNormal, Normal, cdf_table


def _reference(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)


def _check(tables: list[np.ndarray], u: np.ndarray) -> None:
    guide, thr = _guides(tables)
    off = 0
    for cdf in tables:
        n = len(cdf)
        cdf_all = np.concatenate(tables)
        got = np.array([draw_days(cdf_all, guide, thr, np.uint64(off), n, x) for x in u])
        np.testing.assert_array_equal(got, _reference(cdf, u))
        off += n


def _probe_points(tables: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    steps = np.concatenate([c[:-1] for c in tables] + [np.zeros(0)])
    near = np.concatenate([steps, np.nextafter(steps, 0.0), np.nextafter(steps, 1.0)])
    near = near[(near >= 0.0) & (near < 1.0)]
    return np.concatenate([near, rng.random(2000), [0.0, np.nextafter(1.0, 0.0)]])


def test_lead_time_tables_of_realistic_distributions() -> None:
    tables = [
        cdf_table(d.whole_day_pmf(0))
        for d in (LogNormal(12, 6), LogNormal(3, 3), Normal(20, 4), Normal(2, 0.3))
    ]
    _check(tables, _probe_points(tables, np.random.default_rng(1)))


def test_one_and_two_entry_tables() -> None:
    tables = [np.array([1.0]), np.array([0.3, 1.0]), np.array([0.0, 1.0])]
    _check(tables, _probe_points(tables, np.random.default_rng(2)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 2**32 - 1),
)
def test_arbitrary_tables(weights: list[list[float]], seed: int) -> None:
    # tables with zero-probability days, one heavy day and long thin tails
    tables = []
    for w in weights:
        p = np.asarray(w) ** 4 + 1e-15
        tables.append(cdf_table(p / p.sum()))
    _check(tables, _probe_points(tables, np.random.default_rng(seed)))


@pytest.mark.parametrize("n", [1, 5, 64])
def test_thresholds_sit_beside_the_guide_entries(n: int) -> None:
    cdf = cdf_table(np.full(n, 1.0 / n))
    guide, thr = _guides([cdf])
    assert thr.shape == (2 * n,)
    for i, k in enumerate(guide):
        assert thr[2 * i] == (cdf[k] if k < n - 1 else 2.0)
        assert thr[2 * i + 1] == (cdf[k + 1] if k + 1 < n - 1 else 2.0)
