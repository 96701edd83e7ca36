"""Seeds of many trials at once, exactly as :class:`numpy.random.SeedSequence` makes them.

Trial ``i`` of a run with ``seed`` takes its random streams from
``SeedSequence(seed, spawn_key=(i, tag))``. Building one ``SeedSequence`` object
per trial costs about 16 microseconds of Python work, a third of all the drawing
for the 100-site benchmark, and it runs beside the kernel on the same cores.
NumPy has no batched form, so this module applies the same hash to a whole array
of trial numbers with NumPy's ``uint32`` arithmetic (which wraps modulo 2**32,
as the C code does).

The algorithm is NumPy's ``SeedSequence`` (``numpy/random/bit_generator.pyx``),
after M. E. O'Neill's ``seed_seq_fe`` (2015): the entropy words (the seed's
32-bit words, padded with zeros to the pool size of 4 because a spawn key follows,
then the words of ``i`` and of ``tag``) are hashed into a pool of four words,
and ``generate_state`` hashes the pool into output words. NumPy documents this
stream as stable (NEP 19); ``tests/test_engine_seeding.py`` checks equality
against NumPy itself, so a change there would fail the tests rather than change
results silently.
"""

from __future__ import annotations

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from numpy.typing import DTypeLike, NDArray

_POOL = 4
_INIT_A, _MULT_A = np.uint32(0x43B0D7E5), np.uint32(0x931E8875)
_INIT_B, _MULT_B = np.uint32(0x8B51F9DD), np.uint32(0x58F38DED)
_MIX_L, _MIX_R = np.uint32(0xCA01F9DD), np.uint32(0x4973F715)
_SHIFT = np.uint32(16)
#: trial numbers from here on take two 32-bit words: left to NumPy (never reached in practice)
BATCH_LIMIT = 2**32


def _words(x: int) -> list[int]:
    """NumPy's ``_int_to_uint32_array``: the 32-bit words of ``x``, least significant first."""
    if x < 0:
        raise ValueError("seeds must be non-negative")
    out = [x & 0xFFFFFFFF]
    x >>= 32
    while x:
        out.append(x & 0xFFFFFFFF)
        x >>= 32
    return out


def pools(seed: int, trials: NDArray[np.integer], tag: int) -> NDArray[np.uint32]:
    """``SeedSequence(seed, spawn_key=(i, tag)).pool`` for every ``i`` in ``trials``.

    Returns
    -------
    ndarray of uint32, shape (len(trials), 4)
    """
    trials = np.asarray(trials)
    if trials.size and (trials.min() < 0 or trials.max() >= BATCH_LIMIT):
        raise ValueError(f"trial numbers must be in [0, {BATCH_LIMIT})")
    n = trials.shape[0]
    run = _words(seed)
    run += [0] * max(0, _POOL - len(run))
    cols = [np.full(n, w, dtype=np.uint32) for w in run]
    cols.append(trials.astype(np.uint32))
    cols += [np.full(n, w, dtype=np.uint32) for w in _words(tag)]
    h = _INIT_A

    def hashmix(v: NDArray[np.uint32]) -> NDArray[np.uint32]:
        nonlocal h
        v = v ^ h
        h = np.uint32(h * _MULT_A)
        v = v * h
        return v ^ (v >> _SHIFT)

    def mix(x: NDArray[np.uint32], y: NDArray[np.uint32]) -> NDArray[np.uint32]:
        r = _MIX_L * x - _MIX_R * y
        return r ^ (r >> _SHIFT)

    with np.errstate(over="ignore"):
        # the pool is at least as long as the entropy's first part (padded above)
        mixer = [hashmix(cols[i]) for i in range(_POOL)]
        for src in range(_POOL):
            for dst in range(_POOL):
                if src != dst:
                    mixer[dst] = mix(mixer[dst], hashmix(mixer[src]))
        for src in range(_POOL, len(cols)):
            for dst in range(_POOL):
                mixer[dst] = mix(mixer[dst], hashmix(cols[src]))
    return np.stack(mixer, axis=1)


def generate_state(pool: NDArray[np.uint32], n_words: int) -> NDArray[np.uint64]:
    """``generate_state(n_words, np.uint64)`` of each row of ``pool``: shape (rows, n_words)."""
    h = _INIT_B
    out = np.empty((pool.shape[0], 2 * n_words), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for i in range(2 * n_words):
            v = pool[:, i % _POOL] ^ h
            h = np.uint32(h * _MULT_B)
            v = v * h
            out[:, i] = v ^ (v >> _SHIFT)
    # pairs of 32-bit words, low word first (NumPy does the same, whatever the platform)
    return out.astype("<u4").view("<u8").astype(np.uint64)


class FixedSeedSequence(ISeedSequence):
    """A seed sequence whose ``generate_state(4, np.uint64)`` is known: hands a
    bit generator (``PCG64``) the words :func:`generate_state` made for it."""

    def __init__(self, words: NDArray[np.uint64]) -> None:
        self._words = np.array(words, dtype=np.uint64)

    def generate_state(self, n_words: int, dtype: DTypeLike = np.uint32) -> NDArray[np.uint64]:
        if n_words != len(self._words) or np.dtype(dtype) != np.dtype(np.uint64):
            raise ValueError(f"holds {len(self._words)} uint64 words only")
        return self._words.copy()


def trial_keys_and_generators(
    seed: int, start: int, stop: int
) -> tuple[NDArray[np.uint64], list[np.random.Generator]]:
    """Kernel keys (``SeedSequence(seed, spawn_key=(i, 1)).generate_state(1, np.uint64)``)
    and demand generators (``Generator(PCG64(SeedSequence(seed, spawn_key=(i, 0))))``) of
    trials ``start .. stop-1``, bit for bit, in one pass over the trials."""
    trials = np.arange(start, stop, dtype=np.int64)
    keys = generate_state(pools(seed, trials, 1), 1)[:, 0].copy()
    words = generate_state(pools(seed, trials, 0), 4)
    # (NumPy takes any ISeedSequence; its stubs list only SeedSequence)
    gens = [
        np.random.Generator(np.random.PCG64(FixedSeedSequence(w)))  # type: ignore[arg-type]
        for w in words
    ]
    return keys, gens
