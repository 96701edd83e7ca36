"""Running trials: random streams, chunks, workers, progress and cancellation.

A chunk of trials is a pure function of (network, settings, seed, trial range):
:func:`run_chunk`. Trial ``i`` draws its demand from
``Generator(PCG64(SeedSequence(seed, spawn_key=(i, 0))))`` and its kernel key
from ``SeedSequence(seed, spawn_key=(i, 1))``, so results are bit-identical
however trials are split into chunks, threads or machines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import JitriskError, SimulationCancelled
from ..model.distributions import Distribution
from ..model.records import Network
from ..model.scenarios import apply_scenario
from . import kernel as K
from .compiled import CompiledNetwork, compile_network
from .draws import (
    DrawsAhead,
    chunk_draws,
    customer_demand,
)
from .results import SimulationResult
from .run_data import ChunkResult as ChunkResult
from .run_data import Fanout
from .run_data import Progress as Progress
from .run_data import RunConfig as RunConfig
from .sizing import (
    check_size,
    chunk_bounds,
    cluster_chunk_trials,
    default_chunk_trials,
    kernel_threads,
    lanes_for,
    set_kernel_threads,
)


@dataclass(frozen=True)
class Subnetwork:
    """The sites a change of some sites' base stock can affect, and their inputs.

    With base-stock ordering and backorders every order is passed straight
    upstream (after ordering, inventory position is back at ``S``), so order
    streams do not depend on any ``S``. Changing the base stock of some sites
    therefore changes only what those sites and the sites downstream of them
    ship; everything else, including what it delivers into them, is the same
    pathwise under common random numbers. :func:`subnetwork` finds those
    sites: the changed ones, everything downstream, and, for a customer among
    them, all its sources and everything downstream of those (a customer's
    service mixes all its sources), to a fixed point.

    Attributes
    ----------
    active : bool array, one per site
    ext_recv : int array
        Receivers (sites, or ``n + b`` for line-side buffer ``b``) of active
        sites fed by an inactive site; their arrivals are recorded and replayed.
    ext_slot : int array, one per edge
        Index into ``ext_recv`` of an edge from an inactive site into an
        active one, else -1.
    """

    active: NDArray[np.bool_]
    ext_recv: NDArray[np.int64]
    ext_slot: NDArray[np.int64]

    @property
    def n_active(self) -> int:
        return int(self.active.sum())


def subnetwork(compiled: CompiledNetwork, changed: list[int]) -> Subnetwork:
    """The :class:`Subnetwork` of sites whose base stock changes (site indices)."""
    c = compiled
    n = c.n_sites
    recv_site = [int(r) if r < n else int(c.buf_site[r - n]) for r in c.edge_recv]
    out: list[list[int]] = [[] for _ in range(n)]
    into: list[list[int]] = [[] for _ in range(n)]
    for e in range(c.n_edges):
        out[int(c.edge_src[e])].append(int(recv_site[e]))
        into[int(recv_site[e])].append(int(c.edge_src[e]))
    active = np.zeros(n, dtype=np.bool_)
    stack = list(changed)
    while stack:
        s = stack.pop()
        if active[s]:
            continue
        active[s] = True
        stack.extend(out[s])
        if c.site_kind[s] == 0:  # a customer: every source of it, and downstream of those
            stack.extend(into[s])
    ext_slot = np.full(c.n_edges, -1, dtype=np.int64)
    recv: dict[int, int] = {}
    for e in range(c.n_edges):
        if active[recv_site[e]] and not active[c.edge_src[e]]:
            r = int(c.edge_recv[e])
            ext_slot[e] = recv.setdefault(r, len(recv))
    ext_recv = np.array(sorted(recv, key=recv.__getitem__), dtype=np.int64)
    return Subnetwork(active, ext_recv, ext_slot)


def run_chunk(
    compiled: CompiledNetwork,
    dists: list[Distribution],
    cfg: RunConfig,
    start: int,
    stop: int,
    keep_accounting: bool = False,
    *,
    draws: tuple[NDArray[np.uint64], NDArray[np.float64]] | None = None,
    sub: Subnetwork | None = None,
    record: ChunkResult | None = None,
    before_kernel: Callable[[], None] | None = None,
    trace_sites: NDArray[np.int64] | None = None,
) -> ChunkResult:
    """Simulate trials ``start .. stop-1`` (pure: same inputs, same outputs).

    With ``sub`` and no ``record``, also record what flows into ``sub``'s
    active sites from the rest; with ``sub`` and the ``record`` of the same
    trials, simulate only the active sites (replay) and take the inactive
    sites' figures from ``record``. ``draws`` are :func:`chunk_draws` of the
    same trials, to save drawing them again. ``before_kernel`` is called once
    the arguments are ready, right before the kernel runs (see :class:`DrawsAhead`).
    With ``trace_sites`` (site indices), the result's ``trace`` holds their
    day-by-day story (see :func:`~jitrisk.engine.kernel.simulate_chunk`).
    """
    c = compiled
    keys, demand = draws if draws is not None else chunk_draws(dists, cfg, start, stop)
    # the kernel runs trials in groups of `lanes`: a chunk is padded with copies of
    # its last trial, whose results are dropped
    lanes = lanes_for(c)
    m = -(-(stop - start) // lanes) * lanes
    if m > stop - start:
        pad = m - (stop - start)
        keys = np.concatenate([keys, np.repeat(keys[-1:], pad, axis=0)])
        demand = np.concatenate([demand, np.repeat(demand[-1:], pad, axis=0)])
    n, nb = c.n_sites, c.n_buffers
    site_out = np.zeros((m, n, K.N_SITE_METRICS))
    site_int = np.zeros((m, n, K.N_SITE_INT), dtype=np.int64)
    buf_out = np.zeros((m, nb, K.N_BUF_METRICS))
    net_out = np.zeros((m, K.N_NET_METRICS))
    acct = np.zeros((m, n + nb, 4))
    mode, active, ext_recv = 0, np.ones(n, dtype=np.bool_), np.zeros(0, dtype=np.int64)
    ext_slot = np.full(c.n_edges, -1, dtype=np.int64)
    ext_arr = np.zeros((0, 0, 0))
    ext_short = np.zeros((0, 0), dtype=np.uint8)
    if sub is not None:
        active, ext_recv = sub.active, sub.ext_recv
        if record is None:
            mode, ext_slot = 1, sub.ext_slot
            ext_arr = np.zeros((m, cfg.total_days, len(ext_recv)))
            ext_short = np.zeros((m, cfg.total_days), dtype=np.uint8)
        else:
            if record.ext_arr is None or record.ext_short is None:
                raise ValueError("replay needs a chunk run in record mode")
            mode, ext_arr, ext_short = 2, record.ext_arr, record.ext_short
    traced = np.zeros(0, dtype=np.int64) if trace_sites is None else trace_sites
    trace = np.zeros((m, cfg.days, len(traced) + 1, 3) if trace_sites is not None else (0, 0, 0, 3))
    u = c.unsigned  # index arrays go in unsigned: no negative-index wrap-around
    ring_len, wip_ring = c.arrival_rings
    recv_off = np.concatenate([[0], np.cumsum(ring_len * lanes)]).astype(np.uint64)
    recv_mask = (ring_len - 1).astype(np.uint64)
    args = (
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
        u["site_buf_ptr"],
        c.edge_src,
        u["edge_recv"],
        c.edge_share,
        c.edge_to_customer,
        c.edge_lt_const,
        u["edge_lt_off"],
        c.edge_lt_len,
        c.lt_cdf,
        c.lt_guide,
        c.lt_thr,
        u["out_ptr"],
        u["out_edges"],
        u["in_ptr"],
        u["in_edges"],
        c.customer_sites,
        c.dis_kind,
        c.dis_prob,
        c.dis_start,
        c.dis_severity,
        u["dis_dur_off"],
        c.dis_dur_len,
        c.dur_cdf,
        c.dur_guide,
        c.dur_thr,
        c.dis_tgt_ptr,
        c.dis_tgt,
        c.horizon_ring,
        recv_off,
        recv_mask,
        wip_ring,
        (0,) * lanes,  # the group size, as a tuple's length: a compile-time constant
        site_out,
        site_int,
        buf_out,
        net_out,
        acct,
        keep_accounting,
        4 * kernel_threads(),
        mode,
        active,
        ext_recv,
        ext_slot,
        ext_arr,
        ext_short,
        np.ascontiguousarray(traced, dtype=np.int64),
        trace,
    )
    if before_kernel is not None:
        before_kernel()
    import numba

    # Blocks of trials go to whichever thread is free (dynamic scheduling). The
    # draw-ahead helper shares the cores; with a fixed split, the kernel thread it
    # delays holds up the chunk's end while the other idles (100-site benchmark:
    # 0.79 s with a fixed split, 0.75 s dynamic, 0.70 s with no helper running).
    with numba.parallel_chunksize(1):
        K.simulate_chunk(*args)
    k = stop - start
    if mode == 2 and record is not None:
        idle = ~active
        site_out[:k, idle] = record.site_out[:, idle]
        site_int[:k, idle] = record.site_int[:, idle]
        idle_buf = idle[c.buf_site]
        buf_out[:k, idle_buf] = record.buf_out[:, idle_buf]
    out = ChunkResult(
        start,
        stop,
        site_out[:k],
        site_int[:k],
        buf_out[:k],
        net_out[:k],
        acct[:k] if keep_accounting else None,
    )
    if trace_sites is not None:
        out.trace = trace[:k]
    if mode == 1:
        out.ext_arr, out.ext_short = ext_arr, ext_short  # padded, for the replay of this chunk
    return out


def iter_chunks(
    net: Network,
    cfg: RunConfig,
    keep_accounting: bool = False,
    executor: Executor | None = None,
    compiled: CompiledNetwork | None = None,
    cluster: Fanout | None = None,
) -> Generator[ChunkResult, None, None]:
    """Yield chunk results, in trial order (on a ``cluster``: as they finish); the
    caller owns the loop (and can stop it, which cancels what has not run)."""
    compiled = compiled or compile_network(net)
    dists = customer_demand(net, compiled)
    if cfg.chunk_trials:
        size = cfg.chunk_trials
    elif cluster is not None:
        # tasks shared out evenly among the worker threads; results do not depend on it
        size = cluster_chunk_trials(compiled, cfg, cluster.threads())
    else:
        size = default_chunk_trials(compiled, cfg)
    bounds = chunk_bounds(cfg.trials, size)
    if cluster is not None:
        # the network goes to each worker once; chunks stream back as they finish
        shared = cluster.share((compiled, dists))
        try:
            items = [(shared, cfg, a, b, keep_accounting) for a, b in bounds]
            for _, chunk in cluster.map_unordered(_chunk_task, items):
                yield chunk
        finally:
            cluster.release(shared)
        return
    if executor is None:
        set_kernel_threads(cfg.workers)
        ahead = DrawsAhead(dists, cfg, bounds)
        try:
            for (a, b), draws in zip(bounds, ahead, strict=True):
                yield run_chunk(
                    compiled,
                    dists,
                    cfg,
                    a,
                    b,
                    keep_accounting,
                    draws=draws,
                    before_kernel=ahead.prefetch,
                )
        finally:
            ahead.close()
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


def _chunk_task(
    shared: tuple[CompiledNetwork, list[Distribution]],
    cfg: RunConfig,
    start: int,
    stop: int,
    keep_accounting: bool,
) -> ChunkResult:
    """One chunk on a cluster worker, from the network shared with it once."""
    compiled, dists = shared
    return run_chunk(compiled, dists, cfg, start, stop, keep_accounting)


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
    cluster: Fanout | None = None,
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
        Run chunks on it (e.g. a process pool) instead of here.
    cluster : Fanout, optional
        Run chunks on a Dask cluster (:mod:`jitrisk.engine.cluster`): the same
        numbers as here, bit for bit.

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
    gen = iter_chunks(net, cfg, keep_accounting, executor, compiled, cluster)
    try:
        for ch in gen:
            chunks.append(ch)
            done += ch.stop - ch.start
            if progress is not None:
                progress(Progress(done, cfg.trials, time.perf_counter() - t0))
            if cancelled is not None and cancelled() and done < cfg.trials:
                raise SimulationCancelled(f"cancelled after {done:,} of {cfg.trials:,} trials")
    finally:
        gen.close()
    return SimulationResult.from_chunks(
        net, compiled, cfg, chunks, elapsed=time.perf_counter() - t0
    )
