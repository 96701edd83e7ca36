"""Random numbers of a chunk: per-trial streams, demand samples, drawn ahead on a helper thread.

Trial ``i`` draws its demand from ``Generator(PCG64(SeedSequence(seed,
spawn_key=(i, 0))))`` (seeds made for a whole chunk at once by
:mod:`.seeding`), so a chunk's draws do not depend on how trials are split.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from ..model.distributions import Constant, Distribution
from ..model.records import Network
from . import seeding
from .compiled import CompiledNetwork
from .run_data import ChunkResult as ChunkResult
from .run_data import Progress as Progress
from .run_data import RunConfig as RunConfig

#: Demand samples held per chunk, in bytes; bounds memory on large networks.
CHUNK_DEMAND_BYTES = 64 * 2**20


def customer_demand(net: Network, compiled: CompiledNetwork) -> list[Distribution]:
    """Demand distribution of each customer, in kernel order (0 when no Demand row)."""
    by_id = net.demand_by_id
    out: list[Distribution] = []
    for c in compiled.customer_sites:
        d = by_id.get(compiled.site_ids[c])
        out.append(d.daily_demand if d is not None else Constant(0.0))
    return out


def trial_streams(
    seed: int, start: int, stop: int
) -> tuple[NDArray[np.uint64], list[np.random.Generator]]:
    """Kernel keys and demand generators of trials ``start .. stop-1``.

    Made in one pass over the trials (:mod:`.seeding`, the same bits as the
    ``SeedSequence`` objects below, about 15x faster); trial numbers from 2**32 on
    take NumPy's own path.
    """
    if stop <= seeding.BATCH_LIMIT:
        return seeding.trial_keys_and_generators(seed, start, stop)
    keys = np.empty(stop - start, dtype=np.uint64)
    gens: list[np.random.Generator] = []
    for j, i in enumerate(range(start, stop)):
        keys[j] = np.random.SeedSequence(seed, spawn_key=(i, 1)).generate_state(1, np.uint64)[0]
        gens.append(
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i, 0))))
        )
    return keys, gens


def sample_demand(
    dists: list[Distribution], gens: list[np.random.Generator], total_days: int
) -> NDArray[np.float64]:
    """``demand[trial, day, customer]``, negative samples set to 0."""
    out = np.empty((len(gens), total_days, len(dists)))
    for j, dist in enumerate(dists):
        if dist.is_constant:
            out[:, :, j] = max(dist.mean, 0.0)
    random_cols = [j for j, d in enumerate(dists) if not d.is_constant]
    for t, g in enumerate(gens):
        for j in random_cols:
            out[t, :, j] = dists[j].sample(g, total_days)
    np.maximum(out, 0.0, out=out)
    return out


def chunk_draws(
    dists: list[Distribution], cfg: RunConfig, start: int, stop: int
) -> tuple[NDArray[np.uint64], NDArray[np.float64]]:
    """Kernel keys and demand of trials ``start .. stop-1`` (shared by every level of a sweep)."""
    keys, gens = trial_streams(cfg.seed, start, stop)
    return keys, sample_demand(dists, gens, cfg.total_days)


class DrawsAhead:
    """:func:`chunk_draws` of each ``(start, stop)`` in turn, the next chunk's drawn on a
    helper thread while the caller simulates this one.

    The kernel releases the GIL and so does NumPy's sampling, so the (serial)
    seeding and demand sampling need not leave the other cores idle between
    chunks. Draws depend only on the trial numbers, so results are unchanged.

    The caller calls :meth:`prefetch` once its own Python work for a chunk is
    done, right before the kernel runs. Sampling is many short NumPy calls; run
    at the same time as the caller's Python code, the two threads hand the GIL
    back and forth and the caller waits up to CPython's switch interval each time
    (measured on the 100-site benchmark: 2-3 ms a chunk, about 6 % of the run).
    Without :meth:`prefetch` the next chunk is drawn when it is asked for. At
    most two chunks' draws are held at once; :meth:`close` waits for at most the
    one being drawn.
    """

    def __init__(
        self, dists: list[Distribution], cfg: RunConfig, bounds: list[tuple[int, int]]
    ) -> None:
        self._dists, self._cfg, self._bounds = dists, cfg, bounds
        self._i = 0  # index of the next chunk to hand out
        self._next: Future[tuple[NDArray[np.uint64], NDArray[np.float64]]] | None = None
        self._pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(1, thread_name_prefix="jitrisk-draws") if bounds else None
        )

    def __iter__(self) -> DrawsAhead:
        return self

    def __next__(self) -> tuple[NDArray[np.uint64], NDArray[np.float64]]:
        if self._i >= len(self._bounds) or self._pool is None:
            self.close()
            raise StopIteration
        self.prefetch()
        assert self._next is not None
        fut, self._next = self._next, None
        self._i += 1
        return fut.result()

    def prefetch(self) -> None:
        """Start drawing the next chunk on the helper thread (no-op if started or done)."""
        if self._next is None and self._pool is not None and self._i < len(self._bounds):
            a, b = self._bounds[self._i]
            self._next = self._pool.submit(chunk_draws, self._dists, self._cfg, a, b)

    def close(self) -> None:
        """Stop drawing ahead (after an error or a cancel); waits for a draw under way."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._next = None
