"""Batched trial seeding against NumPy's own ``SeedSequence``, bit for bit.

The engine's reproducibility contract says trial ``i`` draws from
``SeedSequence(seed, spawn_key=(i, 0))`` (demand) and ``(i, 1)`` (kernel key);
:mod:`jitrisk.engine.seeding` makes those for many trials at once and must give
exactly NumPy's words and streams.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jitrisk.engine import draws, seeding

SEEDS = [0, 1, 42, 2**32 - 1, 2**32, 2**64 + 5, 2**130 + 3]


def _numpy_pool(seed: int, i: int, tag: int) -> np.ndarray:
    return np.random.SeedSequence(seed, spawn_key=(i, tag)).pool


@pytest.mark.parametrize("seed", SEEDS)
def test_pools_and_states_are_numpys(seed: int) -> None:
    trials = np.array([0, 1, 2, 7, 999, 65_535, 2**31, 2**32 - 1], dtype=np.int64)
    for tag in (0, 1, 2**33):
        got = seeding.pools(seed, trials, tag)
        want = np.array([_numpy_pool(seed, int(i), tag) for i in trials])
        np.testing.assert_array_equal(got, want)
        for n_words in (1, 4, 5):
            np.testing.assert_array_equal(
                seeding.generate_state(got, n_words),
                np.array(
                    [
                        np.random.SeedSequence(seed, spawn_key=(int(i), tag)).generate_state(
                            n_words, np.uint64
                        )
                        for i in trials
                    ]
                ),
            )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**96), start=st.integers(0, 2**32 - 20), n=st.integers(1, 12))
def test_trial_streams_are_the_contracts_seed_sequences(seed: int, start: int, n: int) -> None:
    keys, gens = draws.trial_streams(seed, start, start + n)
    for j, i in enumerate(range(start, start + n)):
        key = np.random.SeedSequence(seed, spawn_key=(i, 1)).generate_state(1, np.uint64)[0]
        assert keys[j] == key
        ref = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i, 0))))
        np.testing.assert_array_equal(gens[j].normal(10.0, 3.0, 50), ref.normal(10.0, 3.0, 50))
        np.testing.assert_array_equal(gens[j].poisson(40.0, 50), ref.poisson(40.0, 50))


def test_trial_numbers_past_the_batch_limit_take_numpys_path() -> None:
    start = seeding.BATCH_LIMIT - 2
    keys, gens = draws.trial_streams(7, start, start + 4)
    for j, i in enumerate(range(start, start + 4)):
        key = np.random.SeedSequence(7, spawn_key=(i, 1)).generate_state(1, np.uint64)[0]
        assert keys[j] == key
        ref = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(i, 0))))
        assert gens[j].random() == ref.random()
    with pytest.raises(ValueError, match="trial numbers"):
        seeding.pools(7, np.array([seeding.BATCH_LIMIT]), 0)


def test_a_fixed_seed_sequence_hands_out_only_its_own_words() -> None:
    words = seeding.generate_state(seeding.pools(3, np.array([5]), 0), 4)[0]
    fixed = seeding.FixedSeedSequence(words)
    np.testing.assert_array_equal(fixed.generate_state(4, np.uint64), words)
    with pytest.raises(ValueError, match="uint64 words"):
        fixed.generate_state(2, np.uint32)
