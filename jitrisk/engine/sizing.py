"""How a run is cut up and bounded: chunks, side-by-side trials, threads, memory.

Nothing here changes a result (each trial has its own random streams); these
choices only decide how fast a run goes, how often it reports progress and how
soon it can be cancelled, and refuse runs too big for the machine.
"""

from __future__ import annotations

import os

from ..errors import JitriskError
from . import kernel as K
from .compiled import CompiledNetwork
from .draws import CHUNK_DEMAND_BYTES
from .run_data import RunConfig

#: Fewest trials a default chunk holds (below the time and memory bounds): a short run
#: (200 trials of the 80-site example, 0.1 s) in chunks of 16 took 15 % longer than in
#: chunks of 64, from the per-chunk cost of starting the kernel's threads.
MIN_CHUNK = 64
#: Tasks per worker thread a cluster run aims at (at least; more where a task would
#: exceed :data:`TASK_SECONDS`).
TASKS_PER_THREAD = 4
#: Most work (seconds, estimated by :func:`trial_seconds`) in one cluster task: a
#: cancel waits for at most one.
TASK_SECONDS = 1.0
#: Least work (seconds, estimated) in one cluster task, so that the per-task cost
#: (about 4 ms, benchmarks/bench_cluster.py) stays a few per cent.
TASK_MIN_SECONDS = 0.1
#: One kernel thread's speed on a trial whose state stays in cache, in work units
#: (days x (sites + lanes + buffers)) a second, and the state size up to which that
#: holds; beyond it the speed falls as (size / CACHE_STATE_BYTES) ** -CACHE_EXPONENT.
#: Measured on the generated networks, 1 thread, 365 days: 100 sites (0.15 MB of state
#: a trial) 1.27e8 a second, 500 sites (0.82 MB) 5.0e7, 1,000 (1.6 MB) 4.2e7, 2,000
#: (3.2 MB) 3.1e7; the power law puts them at 1.27e8, 5.9e7, 4.4e7, 3.2e7.
KERNEL_RATE = 1.27e8
CACHE_STATE_BYTES = 0.15e6
CACHE_EXPONENT = 0.45
#: Largest trials x days x stock points accepted in one run (about 1 h on 2 cores).
MAX_WORK = 2.0e11


def chunk_bounds(trials: int, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of at most ``size`` trials, in trial order."""
    return [(a, min(a + size, trials)) for a in range(0, trials, size)]


def default_chunk_trials(compiled: CompiledNetwork, cfg: RunConfig) -> int:
    """Trials per chunk on this computer: at most about 0.2 s of work and, for runs of
    more than 25 x :data:`MIN_CHUNK` trials, at least 25 progress reports (so a run can
    be cancelled promptly), capped by the demand memory budget.

    Rounded up to whole groups of :func:`lanes_for` trials for every thread, so no thread
    waits for another at the end of a chunk and no trials are padded.
    """
    by_time = max(16, int(1e8 * 0.2 // max(trial_work(compiled, cfg), 1)))
    by_reports = max(MIN_CHUNK, -(-cfg.trials // 25))
    size = max(1, min(cfg.trials, _by_memory(compiled, cfg), by_time, by_reports, 5000))
    return whole_groups(size, cfg.workers, lanes_for(compiled))


def _by_memory(compiled: CompiledNetwork, cfg: RunConfig) -> int:
    """Most trials whose customer demand fits :data:`CHUNK_DEMAND_BYTES`."""
    per_trial_bytes = 8 * cfg.total_days * max(len(compiled.customer_sites), 1)
    return max(1, CHUNK_DEMAND_BYTES // per_trial_bytes)


def trial_work(compiled: CompiledNetwork, cfg: RunConfig) -> int:
    """Work units of one trial: days x (sites + lanes + buffers)."""
    return cfg.total_days * (compiled.n_sites + compiled.n_edges + compiled.n_buffers)


def trial_seconds(compiled: CompiledNetwork, cfg: RunConfig) -> float:
    """Estimated seconds one kernel thread takes for one trial (see :data:`KERNEL_RATE`).

    A model for sizing tasks, not a promise: other machines run faster or slower, and
    only the ratio of task sizes matters for balance.
    """
    spill = max(1.0, trial_state_bytes(compiled) / CACHE_STATE_BYTES) ** CACHE_EXPONENT
    return trial_work(compiled, cfg) * spill / KERNEL_RATE


def cluster_chunk_trials(
    compiled: CompiledNetwork, cfg: RunConfig, threads: int, runs_per_trial: int = 1
) -> int:
    """Trials per task of a cluster run with ``threads`` worker threads in all.

    At least :data:`TASKS_PER_THREAD` tasks a thread, each at most about
    :data:`TASK_SECONDS` and at least :data:`TASK_MIN_SECONDS` of work (a trial costs
    ``runs_per_trial`` kernel runs, e.g. one per variant of a sweep), in whole groups of
    :func:`lanes_for` trials, within the demand memory budget.

    The number of tasks is then rounded up to a multiple of ``threads`` and the trials
    shared out evenly: a run ends when its busiest thread does, and tasks of unequal
    count per thread leave the others idle at the end (2,000-site network, 192 trials,
    2 workers: 7 tasks of 28 trials ran at 0.72 of local threads' speed, since one
    worker ran 4 tasks while the other ran 3). Results do not depend on the sizes.
    """
    threads = max(1, threads)
    lanes = lanes_for(compiled)
    per_trial = trial_seconds(compiled, cfg) * max(1, runs_per_trial)
    by_memory = _by_memory(compiled, cfg)
    by_time = max(1, int(TASK_SECONDS / per_trial))
    by_spread = -(-cfg.trials // (TASKS_PER_THREAD * threads))
    by_overhead = -(-TASK_MIN_SECONDS // per_trial)
    size = max(1, min(cfg.trials, by_memory, by_time, max(by_spread, int(by_overhead))))
    tasks = -(-cfg.trials // size)
    tasks = -(-tasks // threads) * threads
    size = -(-cfg.trials // tasks)
    return int(-(-size // lanes) * lanes)


def kernel_threads() -> int:
    import numba

    return int(numba.get_num_threads())


LANE_STATE_BYTES = 8 * 2**20
#: the most trials the kernel runs side by side (see :func:`lanes_for`)
MAX_LANES = 8


def trial_state_bytes(compiled: CompiledNetwork) -> int:
    """Bytes of one trial's state the kernel touches every day (see :func:`lanes_for`)."""
    ring_len, wip_ring = compiled.arrival_rings
    n, ne, nb = compiled.n_sites, compiled.n_edges, compiled.n_buffers
    return 8 * (int(ring_len.sum()) + (wip_ring + 16) * n + 6 * ne + 4 * nb)


def lanes_for(compiled: CompiledNetwork) -> int:
    """Trials the kernel runs side by side: 8, or fewer where 8 trials' state would not
    stay in cache (the most of 8, 4, 2 whose state fits :data:`LANE_STATE_BYTES`).

    A trial's state (:func:`trial_state_bytes`) is its arrival rings plus about 16
    numbers a site, 6 a lane and 4 a buffer (8 bytes each). Measured with
    ``benchmarks/bench_engine.py``: on the 100-site network (0.15 MB a trial) 8 side
    by side beat 4 and 16 (1,000 trials: 0.76, 0.78 and 0.78 s at best); on the
    2,000-site network (3 MB a trial) 2 beat 4 (200 trials: 6.6 s and 7.8 s; 8 took
    longer still). The kernel is compiled once per group size. Results do not depend
    on the choice.
    """
    per_trial = trial_state_bytes(compiled)
    for lanes in (MAX_LANES, 4):
        if lanes * per_trial <= LANE_STATE_BYTES:
            return lanes
    return 2


def whole_groups(size: int, workers: int | None = None, lanes: int = MAX_LANES) -> int:
    """``size`` trials rounded up to whole groups of ``lanes`` trials for every kernel
    thread: no trials are padded and no thread waits at a chunk's end. The default,
    :data:`MAX_LANES`, suits any network (every group size divides it), for callers
    that pick their own chunk size without the compiled network."""
    limit = numba_threads_limit()
    step = lanes * max(1, min(workers or limit, limit))
    return int(-(-max(size, 1) // step) * step)


def numba_threads_limit() -> int:
    """The most threads the kernel can use (numba's pool size)."""
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]


def set_kernel_threads(workers: int | None) -> None:
    import numba

    limit = numba_threads_limit()
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


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
