"""Running trials: random streams, chunks, workers, progress and cancellation.

A chunk of trials is a pure function of (network, settings, seed, trial range):
:func:`run_chunk`. Trial ``i`` draws its demand from
``Generator(PCG64(SeedSequence(seed, spawn_key=(i, 0))))`` and its kernel key
from ``SeedSequence(seed, spawn_key=(i, 1))``, so results are bit-identical
however trials are split into chunks, threads or machines.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Generator
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ..distributions import Constant, Distribution
from ..errors import JitriskError, SimulationCancelled
from ..model import Network
from ..scenarios import apply_scenario
from . import kernel as K
from .compiled import CompiledNetwork, compile_network
from .results import SimulationResult

#: Demand samples held per chunk, in bytes; bounds memory on large networks.
CHUNK_DEMAND_BYTES = 64 * 2**20
#: Largest trials x days x stock points accepted in one run (about 1 h on 2 cores).
MAX_WORK = 2.0e11


@dataclass(frozen=True)
class RunConfig:
    """What to simulate: horizon, trials, seed and how to split the work.

    Parameters
    ----------
    trials, days, warmup_days, seed : int
    unmet_demand : {"backorder", "lost"}
    chunk_trials : int or None
        Trials per chunk (progress and cancellation granularity); None picks
        one from the network size.
    workers : int or None
        Threads for the kernel; None = all cores.
    """

    trials: int
    days: int
    warmup_days: int
    seed: int
    unmet_demand: str = "backorder"
    chunk_trials: int | None = None
    workers: int | None = None

    @classmethod
    def from_network(cls, net: Network, **overrides: object) -> RunConfig:
        s = net.settings
        base = cls(
            trials=s.trials,
            days=s.days,
            warmup_days=s.warmup_days,
            seed=s.seed,
            unmet_demand=s.unmet_demand,
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]

    @property
    def total_days(self) -> int:
        return self.warmup_days + self.days


@dataclass(frozen=True)
class Progress:
    """Progress report passed to callbacks."""

    done: int
    total: int
    elapsed: float

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def eta(self) -> float:
        """Seconds left, extrapolated from the rate so far (inf before the first chunk)."""
        if self.done == 0:
            return math.inf
        return self.elapsed * (self.total - self.done) / self.done


@dataclass
class ChunkResult:
    """Per-trial outputs of trials ``start .. stop-1``."""

    start: int
    stop: int
    site_out: NDArray[np.float64]
    site_int: NDArray[np.int64]
    buf_out: NDArray[np.float64]
    net_out: NDArray[np.float64]
    acct: NDArray[np.float64] | None = field(default=None)


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
    """Kernel keys and demand generators of trials ``start .. stop-1``."""
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


def run_chunk(
    compiled: CompiledNetwork,
    dists: list[Distribution],
    cfg: RunConfig,
    start: int,
    stop: int,
    keep_accounting: bool = False,
) -> ChunkResult:
    """Simulate trials ``start .. stop-1`` (pure: same inputs, same outputs)."""
    c = compiled
    m = stop - start
    keys, gens = trial_streams(cfg.seed, start, stop)
    demand = sample_demand(dists, gens, cfg.total_days)
    n, nb = c.n_sites, c.n_buffers
    site_out = np.zeros((m, n, K.N_SITE_METRICS))
    site_int = np.zeros((m, n, K.N_SITE_INT), dtype=np.int64)
    buf_out = np.zeros((m, nb, K.N_BUF_METRICS))
    net_out = np.zeros((m, K.N_NET_METRICS))
    acct = np.zeros((m, n + nb, 4))
    K.simulate_chunk(
        keys,
        demand,
        cfg.warmup_days,
        cfg.unmet_demand == "lost",
        c.site_kind,
        c.capacity,
        c.processing_days,
        c.base_stock,
        c.mean_flow,
        c.mean_lead,
        c.price,
        c.buf_site,
        c.buf_qpu,
        c.buf_base_stock,
        c.buf_mean_flow,
        c.buf_mean_lead,
        c.site_buf_ptr,
        c.edge_src,
        c.edge_recv,
        c.edge_share,
        c.edge_to_customer,
        c.edge_lt_const,
        c.edge_lt_off,
        c.edge_lt_len,
        c.lt_cdf,
        c.lt_guide,
        c.out_ptr,
        c.out_edges,
        c.in_ptr,
        c.in_edges,
        c.customer_sites,
        c.dis_kind,
        c.dis_prob,
        c.dis_start,
        c.dis_severity,
        c.dis_dur_off,
        c.dis_dur_len,
        c.dur_cdf,
        c.dur_guide,
        c.dis_tgt_ptr,
        c.dis_tgt,
        c.horizon_ring,
        site_out,
        site_int,
        buf_out,
        net_out,
        acct,
        keep_accounting,
        4 * _threads(),
    )
    return ChunkResult(
        start, stop, site_out, site_int, buf_out, net_out, acct if keep_accounting else None
    )


def default_chunk_trials(compiled: CompiledNetwork, cfg: RunConfig) -> int:
    """Trials per chunk: at most ~0.2 s of work and at least ~25 progress reports per run
    (so a run can be cancelled promptly), capped by the demand memory budget."""
    per_trial_bytes = 8 * cfg.total_days * max(len(compiled.customer_sites), 1)
    by_memory = max(1, CHUNK_DEMAND_BYTES // per_trial_bytes)
    work = cfg.total_days * (compiled.n_sites + compiled.n_edges + compiled.n_buffers)
    by_time = max(16, int(2e7 // max(work, 1)))
    by_reports = max(16, -(-cfg.trials // 25))
    return int(max(1, min(cfg.trials, by_memory, by_time, by_reports, 5000)))


def iter_chunks(
    net: Network,
    cfg: RunConfig,
    keep_accounting: bool = False,
    executor: Executor | None = None,
    compiled: CompiledNetwork | None = None,
) -> Generator[ChunkResult, None, None]:
    """Yield chunk results in trial order; the caller owns the loop (and can stop it)."""
    compiled = compiled or compile_network(net)
    dists = customer_demand(net, compiled)
    size = cfg.chunk_trials or default_chunk_trials(compiled, cfg)
    bounds = [(a, min(a + size, cfg.trials)) for a in range(0, cfg.trials, size)]
    if executor is None:
        _set_threads(cfg.workers)
        for a, b in bounds:
            yield run_chunk(compiled, dists, cfg, a, b, keep_accounting)
        return
    futures = [
        executor.submit(run_chunk, compiled, dists, cfg, a, b, keep_accounting) for a, b in bounds
    ]
    try:
        for fut in futures:
            yield fut.result()
    finally:
        for fut in futures:
            fut.cancel()


def _threads() -> int:
    import numba

    return int(numba.get_num_threads())


def _set_threads(workers: int | None) -> None:
    import numba

    limit = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    numba.set_num_threads(max(1, min(workers or limit, limit)))


def result_bytes_per_trial(compiled: CompiledNetwork, keep_accounting: bool = False) -> int:
    """Bytes of per-trial results a run keeps (held twice at its end: chunks + result)."""
    n, nb = compiled.n_sites, compiled.n_buffers
    per = 8 * (n * (K.N_SITE_METRICS + K.N_SITE_INT) + nb * K.N_BUF_METRICS + K.N_NET_METRICS)
    if keep_accounting:
        per += 8 * 4 * (n + nb)
    return 2 * per


def memory_budget() -> int:
    """Half the machine's physical memory (bytes), the most a run's results may take."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def check_size(compiled: CompiledNetwork, cfg: RunConfig, keep_accounting: bool = False) -> None:
    """Refuse runs over the work limit or whose results would not fit in memory."""
    points = compiled.n_sites + compiled.n_buffers
    work = cfg.trials * cfg.total_days * points
    if work > MAX_WORK:
        raise JitriskError(
            f"{cfg.trials:,} trials x {cfg.total_days:,} days x {points:,} stock points is "
            f"{work:,.0f} node-days, over the limit of {MAX_WORK:,.0f}; use fewer trials or days"
        )
    need = cfg.trials * result_bytes_per_trial(compiled, keep_accounting)
    budget = memory_budget()
    if need > budget:
        most = max(1, budget // result_bytes_per_trial(compiled, keep_accounting))
        raise JitriskError(
            f"{cfg.trials:,} trials of a network of {points:,} stock points need about "
            f"{need / 2**30:,.1f} GiB for their results, over the {budget / 2**30:,.1f} GiB this "
            f"machine allows; use at most {most:,} trials"
        )


def simulate(
    net: Network,
    scenario: str | None = None,
    *,
    trials: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    warmup_days: int | None = None,
    workers: int | None = None,
    chunk_trials: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    keep_accounting: bool = False,
    executor: Executor | None = None,
) -> SimulationResult:
    """Monte Carlo simulation of a network (scenario applied first).

    Parameters
    ----------
    net : Network
        As loaded; ``scenario`` (default: the network's own) is applied to it.
    trials, days, seed, warmup_days : int, optional
        Override the workbook's Settings.
    workers : int, optional
        Kernel threads (default all cores).
    chunk_trials : int, optional
        Trials per chunk; results do not depend on it.
    progress : callable, optional
        Called with a :class:`Progress` after each chunk.
    cancelled : callable, optional
        Polled between chunks; returning True raises :class:`SimulationCancelled`.
    keep_accounting : bool
        Keep per-trial unit accounting (initial, in, out, final per stock point).
    executor : concurrent.futures.Executor, optional
        Run chunks on it (processes, a dask cluster's executor) instead of here.

    Returns
    -------
    SimulationResult
    """
    # scenario overrides applied and other scenarios' disruptions dropped (idempotent)
    net = apply_scenario(net, scenario or net.scenario)
    cfg = RunConfig.from_network(
        net,
        trials=trials,
        days=days,
        seed=seed,
        warmup_days=warmup_days,
        workers=workers,
        chunk_trials=chunk_trials,
    )
    if warmup_days is not None and warmup_days != net.settings.warmup_days:
        net = net.with_settings(warmup_days=warmup_days)
    if cfg.trials < 1 or cfg.days < 1:
        raise JitriskError(
            f"need at least one trial and one day, got trials={cfg.trials}, days={cfg.days}"
        )
    compiled = compile_network(net)
    check_size(compiled, cfg, keep_accounting)
    t0 = time.perf_counter()
    chunks: list[ChunkResult] = []
    done = 0
    gen = iter_chunks(net, cfg, keep_accounting, executor, compiled)
    try:
        for ch in gen:
            chunks.append(ch)
            done = ch.stop
            if progress is not None:
                progress(Progress(done, cfg.trials, time.perf_counter() - t0))
            if cancelled is not None and cancelled() and done < cfg.trials:
                raise SimulationCancelled(f"cancelled after {done:,} of {cfg.trials:,} trials")
    finally:
        gen.close()
    return SimulationResult.from_chunks(
        net, compiled, cfg, chunks, elapsed=time.perf_counter() - t0
    )


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
