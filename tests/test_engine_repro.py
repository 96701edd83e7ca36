"""Same seed, same answer, however the work is split; different seed, different answer."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from engine_networks import assembly
from jitrisk.engine import runner, simulate, sizing
from jitrisk.engine.compiled import compile_network
from jitrisk.errors import SimulationCancelled
from jitrisk.model.distributions import Geometric
from jitrisk.model.generate import generate_network
from jitrisk.model.records import Disruption

DIS = (Disruption("D", "A2", "outage", 0.03, Geometric(5)),)


def _same(a, b) -> bool:
    return (
        np.array_equal(a.site_out, b.site_out)
        and np.array_equal(a.site_int, b.site_int)
        and np.array_equal(a.buf_out, b.buf_out)
        and np.array_equal(a.net_out, b.net_out)
    )


@pytest.fixture(scope="module")
def reference():
    return simulate(assembly(trials=37, disruptions=DIS), chunk_trials=37, workers=1)


@pytest.mark.parametrize(("chunk", "workers"), [(1, 1), (7, 2), (16, 1), (100, 2)])
def test_bit_identical_whatever_the_chunking_and_threads(reference, chunk, workers):
    res = simulate(assembly(trials=37, disruptions=DIS), chunk_trials=chunk, workers=workers)
    assert _same(res, reference)


@pytest.mark.parametrize("lanes", [2, 4])
def test_bit_identical_whatever_the_trials_run_side_by_side(reference, monkeypatch, lanes):
    """The kernel runs trials in groups (8 on small networks); a trial's numbers do not
    depend on the group size or on the padding of a chunk to whole groups."""
    monkeypatch.setattr(runner, "lanes_for", lambda compiled: lanes)
    res = simulate(assembly(trials=37, disruptions=DIS), chunk_trials=7, workers=2)
    assert _same(res, reference)


def test_trials_side_by_side_as_many_as_stay_in_cache(monkeypatch):
    """8 trials side by side, or the most of 4 and 2 whose state fits the budget."""
    c = compile_network(assembly(trials=8))
    p = sizing.trial_state_bytes(c)
    assert p >= 8 * int(c.arrival_rings[0].sum())
    for budget, lanes in ((8 * p, 8), (8 * p - 1, 4), (4 * p, 4), (4 * p - 1, 2), (1, 2)):
        monkeypatch.setattr(sizing, "LANE_STATE_BYTES", budget)
        assert sizing.lanes_for(c) == lanes
    big = compile_network(generate_network(60, seed=2))
    assert sizing.trial_state_bytes(big) > p


def test_bit_identical_on_a_process_pool(reference):
    """Chunks shipped to other processes (as on a cluster) give the same numbers."""
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        res = simulate(assembly(trials=37, disruptions=DIS), chunk_trials=10, executor=pool)
    assert _same(res, reference)


def test_first_trials_do_not_depend_on_how_many_follow(reference):
    """Trial i's random streams depend on (seed, i) only."""
    res = simulate(assembly(trials=12, disruptions=DIS))
    assert np.array_equal(res.site_out, reference.site_out[:12])


def test_another_seed_gives_other_numbers(reference):
    res = simulate(assembly(trials=37, disruptions=DIS), seed=12345)
    assert not np.array_equal(res.site_out, reference.site_out)


def test_progress_is_reported_and_cancel_stops_within_a_chunk():
    seen = []

    def progress(p):
        seen.append(p.done)

    with pytest.raises(SimulationCancelled):
        simulate(
            assembly(trials=100),
            chunk_trials=10,
            progress=progress,
            cancelled=lambda: len(seen) >= 3,
        )
    assert seen == [10, 20, 30]

    seen.clear()
    simulate(assembly(trials=25), chunk_trials=10, progress=progress)
    assert seen == [10, 20, 25]


def test_draws_ahead_give_each_chunk_its_own_draws_and_stops_when_closed():
    import threading

    from jitrisk.engine.compiled import compile_network
    from jitrisk.engine.runner import DrawsAhead, RunConfig, chunk_draws, customer_demand

    net = assembly(trials=20)
    cfg = RunConfig.from_network(net)
    dists = customer_demand(net, compile_network(net))
    bounds = [(0, 5), (5, 6), (6, 20)]
    for prefetch in (False, True):
        ahead = DrawsAhead(dists, cfg, bounds)
        for (a, b), (keys, demand) in zip(bounds, ahead, strict=True):
            want_keys, want_demand = chunk_draws(dists, cfg, a, b)
            np.testing.assert_array_equal(keys, want_keys)
            np.testing.assert_array_equal(demand, want_demand)
            if prefetch:  # as run_chunk does right before the kernel: twice is harmless
                ahead.prefetch()
                ahead.prefetch()
    before = {t.name for t in threading.enumerate()}
    ahead = DrawsAhead(dists, cfg, bounds)
    next(ahead)
    ahead.prefetch()  # the second chunk is now being drawn on the helper thread
    ahead.close()
    with pytest.raises(StopIteration):
        next(ahead)
    left = {t.name for t in threading.enumerate()} - before
    assert not any(name.startswith("jitrisk-draws") for name in left)


def test_warm_up_compiles_the_kernel_for_the_usual_group_size() -> None:
    from jitrisk.engine import kernel, warmup

    assert warmup.warm_up() > 0.0
    group_types = [sig[47] for sig in kernel.simulate_chunk.signatures]
    # the group size is the length of a tuple argument (a compile-time constant)
    assert any(getattr(t, "count", None) == sizing.MAX_LANES for t in group_types)
