"""Networks that differ only in some sites' buffers, simulated on common random numbers.

The first variant runs in full and records what flows into the
:class:`~jitrisk.engine.runner.Subnetwork` of the changed sites; the others
re-simulate only that subnetwork and replay the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..errors import JitriskError, SimulationCancelled
from ..model.distributions import Distribution
from ..model.records import Network
from ..model.scenarios import apply_scenario
from .compiled import CompiledNetwork, compile_network
from .draws import DrawsAhead, customer_demand
from .results import SimulationResult
from .run_data import ChunkResult, Fanout, Progress, RunConfig
from .runner import Subnetwork, run_chunk, subnetwork
from .sizing import (
    check_size,
    chunk_bounds,
    cluster_chunk_trials,
    default_chunk_trials,
    set_kernel_threads,
)


def simulate_variants(
    variants: list[Network],
    changed: list[str],
    *,
    trials: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    replay: bool = True,
    cluster: Fanout | None = None,
) -> list[SimulationResult]:
    """Simulate networks that differ only in the buffers of ``changed`` sites, with
    common random numbers: the result for each equals ``simulate(variant, ...)``.

    The first variant is simulated in full, recording what flows into the
    :class:`Subnetwork` of ``changed``; the others re-simulate only that
    subnetwork and replay the rest (exact by the pass-through argument of
    :class:`Subnetwork`; equal to a full run up to floating-point rounding).
    Lost-sales runs break pass-through, so they, and ``replay=False``, run
    every variant in full.

    Parameters
    ----------
    variants : list of Network
        Scenario already applied; same sites, lanes and settings; only
        buffers of ``changed`` differ.
    changed : list of str
        Site ids whose safety stock differs between variants.
    trials, days, seed, workers, progress, cancelled, cluster
        As for :func:`simulate`; progress counts trials over all variants. On a
        cluster each task is one chunk of trials through every variant (the
        replay needs the first variant's record of the same trials).
    """
    if not variants:
        return []
    variants = [apply_scenario(v, v.scenario) for v in variants]  # idempotent
    first = variants[0]
    cfg = RunConfig.from_network(first, trials=trials, days=days, seed=seed, workers=workers)
    if cfg.trials < 1 or cfg.days < 1:
        raise JitriskError(
            f"need at least one trial and one day, got trials={cfg.trials}, days={cfg.days}"
        )
    compiled = [compile_network(v) for v in variants]
    _check_variants(compiled, changed)
    check_size(compiled[0], cfg)
    dists = customer_demand(first, compiled[0])
    index = {sid: i for i, sid in enumerate(compiled[0].site_ids)}
    whole = subnetwork(compiled[0], [index[s] for s in changed])
    full = not replay or cfg.unmet_demand == "lost" or whole.n_active == compiled[0].n_sites
    sub = None if full else whole
    if cluster is not None:
        # one task runs its trials through every variant
        size = cluster_chunk_trials(compiled[0], cfg, cluster.threads(), len(variants))
    else:
        size = default_chunk_trials(compiled[0], cfg)
    chunks: list[list[ChunkResult]] = [[] for _ in variants]
    total = cfg.trials * len(variants)
    t0 = time.perf_counter()
    done = 0
    bounds = chunk_bounds(cfg.trials, size)

    def finished(trial_runs: int) -> None:
        """Count ``trial_runs`` more, report, and stop here if asked to."""
        nonlocal done
        done += trial_runs
        if progress is not None:
            progress(Progress(done, total, time.perf_counter() - t0))
        if cancelled is not None and cancelled() and done < total:
            raise SimulationCancelled(
                f"cancelled after {done:,} of {total:,} trial runs ({len(variants)} variants)"
            )

    if cluster is not None:
        shared = cluster.share((compiled, dists, sub))
        try:
            items = [(shared, cfg, a, b) for a, b in bounds]
            for _, per_variant in cluster.map_unordered(_variants_task, items):
                for i, ch in enumerate(per_variant):
                    chunks[i].append(ch)
                finished((per_variant[0].stop - per_variant[0].start) * len(variants))
        finally:
            cluster.release(shared)
    else:
        set_kernel_threads(cfg.workers)
        ahead = DrawsAhead(dists, cfg, bounds)
        try:
            for (a, b), draws in zip(bounds, ahead, strict=True):
                rec: ChunkResult | None = None
                for i, comp in enumerate(compiled):
                    ch = run_chunk(
                        comp, dists, cfg, a, b, draws=draws, sub=sub, record=rec,
                        before_kernel=ahead.prefetch,
                    )  # fmt: skip
                    chunks[i].append(ch)
                    if sub is not None and rec is None:
                        rec = ch
                    finished(b - a)
                if rec is not None:
                    rec.ext_arr = rec.ext_short = None  # replayed; free the memory
        finally:
            ahead.close()  # an error or a cancel: stop drawing ahead
    elapsed = time.perf_counter() - t0
    return [
        SimulationResult.from_chunks(v, comp, cfg, ch, elapsed=elapsed)
        for v, comp, ch in zip(variants, compiled, chunks, strict=True)
    ]


def _variants_task(
    shared: tuple[list[CompiledNetwork], list[Distribution], Subnetwork | None],
    cfg: RunConfig,
    start: int,
    stop: int,
) -> list[ChunkResult]:
    """Trials ``start .. stop-1`` through every variant, on a cluster worker: the
    same calls, in the same order, as :func:`simulate_variants` makes here."""
    compiled, dists, sub = shared
    out: list[ChunkResult] = []
    rec: ChunkResult | None = None
    for comp in compiled:
        ch = run_chunk(comp, dists, cfg, start, stop, sub=sub, record=rec)
        out.append(ch)
        if sub is not None and rec is None:
            rec = ch
    if rec is not None:
        rec.ext_arr = rec.ext_short = None  # replayed; not worth sending back
    return out


def _check_variants(compiled: list[CompiledNetwork], changed: list[str]) -> None:
    """Variants must share everything but the base stock of the changed sites."""
    first = compiled[0]
    changed_set = set(changed)
    keep = np.array([sid not in changed_set for sid in first.site_ids])
    for c in compiled[1:]:
        same = (
            c.site_ids == first.site_ids
            and np.array_equal(c.edge_src, first.edge_src)
            and np.array_equal(c.edge_recv, first.edge_recv)
            and np.array_equal(c.base_stock[keep], first.base_stock[keep])
            and np.array_equal(c.buf_base_stock, first.buf_base_stock)
            and np.array_equal(c.capacity, first.capacity)
            and np.array_equal(c.dis_prob, first.dis_prob)
        )
        if not same:
            raise ValueError("variants differ in more than the buffers of the changed sites")
