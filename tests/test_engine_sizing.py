"""How a cluster run is cut into tasks (engine.sizing.cluster_chunk_trials).

Sizes never change a result (each trial has its own streams; see
test_cluster.py for identity); here: every worker thread gets the same share of
the trials, and a task holds about a second of work at most, in whole groups of
trials the kernel runs side by side.
"""

from __future__ import annotations

import heapq

import pytest

from jitrisk.engine import compile_network
from jitrisk.engine.run_data import RunConfig
from jitrisk.engine.sizing import (
    TASK_SECONDS,
    TASKS_PER_THREAD,
    chunk_bounds,
    cluster_chunk_trials,
    lanes_for,
    trial_seconds,
)
from jitrisk.model.generate import generate_network


@pytest.fixture(scope="module", params=[30, 2000], ids=["30 sites", "2000 sites"])
def compiled(request):
    net = generate_network(request.param, seed=1)
    return net, compile_network(net)


def _makespan(sizes: list[int], threads: int) -> int:
    """Trials the busiest thread runs when each takes the next task as it frees up
    (what Dask's scheduler does with equal tasks)."""
    free = [0] * threads
    for size in sizes:
        heapq.heappush(free, heapq.heappop(free) + size)
    return max(free)


@pytest.mark.parametrize("threads", [1, 2, 3, 4, 16])
@pytest.mark.parametrize("trials", [192, 1000, 4000])
def test_every_worker_thread_gets_the_same_share(compiled, trials, threads):
    net, c = compiled
    cfg = RunConfig.from_network(net, trials=trials, days=365)
    size = cluster_chunk_trials(c, cfg, threads)
    sizes = [b - a for a, b in chunk_bounds(trials, size)]
    # the run ends when its busiest thread does: compare with a perfect split
    idle = 1 - trials / (threads * _makespan(sizes, threads))
    if len(sizes) >= threads:
        # at most half a task of TASKS_PER_THREAD idles at the end (the old sizing,
        # 7 tasks of 28 trials on 2 threads for 192 trials of 2,000 sites, idled 14 %)
        assert idle <= 1 / (2 * TASKS_PER_THREAD), (sizes, idle)
    else:
        assert len(sizes) * size < trials + size  # too few trials for every thread


def test_the_motivating_case_splits_evenly():
    net = generate_network(2000, seed=1)
    c = compile_network(net)
    cfg = RunConfig.from_network(net, trials=192, days=365)
    sizes = [b - a for a, b in chunk_bounds(192, cluster_chunk_trials(c, cfg, 2))]
    assert len(sizes) % 2 == 0 and len(set(sizes)) == 1


@pytest.mark.parametrize("threads", [1, 2, 16])
def test_a_task_is_whole_groups_of_about_a_second_at_most(compiled, threads):
    net, c = compiled
    for trials in (7, 192, 5000):
        cfg = RunConfig.from_network(net, trials=trials, days=365)
        size = cluster_chunk_trials(c, cfg, threads)
        lanes = lanes_for(c)
        assert size % lanes == 0
        # rounding up to whole groups may add at most one group past the time bound
        assert (size - lanes) * trial_seconds(c, cfg) <= TASK_SECONDS
        assert size >= 1


def test_a_sweep_task_counts_every_variant_it_runs(compiled):
    net, c = compiled
    cfg = RunConfig.from_network(net, trials=5000, days=365)
    one = cluster_chunk_trials(c, cfg, 2)
    ten = cluster_chunk_trials(c, cfg, 2, runs_per_trial=10)
    assert ten < one or one == lanes_for(c)
    assert (ten - lanes_for(c)) * 10 * trial_seconds(c, cfg) <= TASK_SECONDS


def test_larger_networks_are_estimated_slower_per_unit_of_work():
    """The cache model: a trial whose state outgrows the cache runs more slowly per
    node-day (measured 1.27e8 node-days a second at 100 sites, 3.1e7 at 2,000)."""
    rates = []
    for sites in (100, 2000):
        net = generate_network(sites, seed=1)
        c = compile_network(net)
        cfg = RunConfig.from_network(net, trials=1, days=365)
        work = cfg.total_days * (c.n_sites + c.n_edges + c.n_buffers)
        rates.append(work / trial_seconds(c, cfg))
    assert rates[1] < rates[0] / 3
