"""Running on a Dask cluster: the same numbers, bit for bit, as this computer.

A ``LocalCluster`` of two single-thread worker processes on the loopback
interface stands in for a real cluster. Every analysis that fans out over it
(simulate, sweep, risk, simulation placement, recommend) is compared with the
local run on the same seed, metric for metric; then progress, cancel, a worker
killed mid-run, an unreachable scheduler and a version mismatch.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from jitrisk.engine import cluster as cluster_mod
from jitrisk.engine import simulate, where
from jitrisk.engine.cluster import Cluster
from jitrisk.engine.where import ClusterSpec, default_cluster, parse_cluster
from jitrisk.errors import JitriskError, SimulationCancelled
from jitrisk.model.generate import generate_network

pytest.importorskip("distributed")

SEED = 11


def _same(a, b) -> None:
    for field in ("site_out", "site_int", "buf_out", "net_out"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


def _doc(obj) -> dict:
    """A result's document without the wall-clock time it took."""
    doc = obj.to_dict()
    for key in ("elapsed_s", "elapsed_seconds", "created"):
        doc.pop(key, None)
    return doc


@pytest.fixture(scope="module")
def net():
    return generate_network(30, seed=4)


@pytest.fixture(scope="module")
def cluster():
    with Cluster.connect(ClusterSpec(workers=2)) as c:
        yield c


def _busy(c: Cluster) -> int:
    return sum(len(keys) for keys in c.client.processing().values())


# -- where to run -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("", None),
        ("this", None),
        ("local:3", ClusterSpec(workers=3)),
        ("tcp://10.0.0.5:8786", ClusterSpec(address="tcp://10.0.0.5:8786")),
        ("tls://sched.example:8786", ClusterSpec(address="tls://sched.example:8786")),
    ],
)
def test_cluster_text_is_understood(text, spec):
    assert parse_cluster(text) == spec


@pytest.mark.parametrize("text", ["bogus", "local:0", "local:x", "tcp://host", "http://h:1"])
def test_bad_cluster_text_is_refused_with_what_is_accepted(text):
    with pytest.raises(JitriskError, match=r"cluster '.*'.*(local|HOST:PORT)"):
        parse_cluster(text)


def test_environment_names_the_default(monkeypatch):
    monkeypatch.setenv(where.CLUSTER_ENV, "local:2")
    assert default_cluster() == ClusterSpec(workers=2)
    monkeypatch.delenv(where.CLUSTER_ENV)
    assert default_cluster() is None


def test_without_dask_the_message_says_how_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(JitriskError, match=r"pip install 'jitrisk\[cluster\]'"):
        Cluster.connect(ClusterSpec(workers=1))


def test_unreachable_scheduler_fails_fast_with_a_clear_message():
    t0 = time.monotonic()
    with pytest.raises(
        JitriskError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        Cluster.connect(parse_cluster("tcp://127.0.0.1:9"), timeout=2)
    assert time.monotonic() - t0 < 10


def test_a_task_on_a_worker_with_another_jitrisk_is_refused():
    with pytest.raises(JitriskError, match="install the same version"):
        cluster_mod._checked("0.0.0-other", sum, [1, 2])


# -- the same numbers -----------------------------------------------------------


def test_simulate_is_identical_and_progress_reaches_the_end(net, cluster):
    local = simulate(net, trials=300, days=60, seed=SEED, chunk_trials=40)
    seen = []
    remote = simulate(
        net, trials=300, days=60, seed=SEED, chunk_trials=40, cluster=cluster, progress=seen.append
    )
    _same(local, remote)
    assert seen[-1].done == seen[-1].total == 300
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert _busy(cluster) == 0


def test_simulate_keeps_accounting_identically(net, cluster):
    local = simulate(net, trials=50, days=30, seed=SEED, keep_accounting=True, chunk_trials=16)
    remote = simulate(
        net, trials=50, days=30, seed=SEED, keep_accounting=True, chunk_trials=16, cluster=cluster
    )
    assert np.array_equal(local.acct, remote.acct)


def test_sweep_is_identical(net, cluster):
    from jitrisk.analysis.sweep import sweep

    site = next(s.site_id for s in net.sites if s.is_stocking)
    kw = {"trials": 120, "days": 60, "seed": SEED}
    assert _doc(sweep(net, site, [0, 2, 5], **kw)) == _doc(
        sweep(net, site, [0, 2, 5], cluster=cluster, **kw)
    )


def test_risk_is_identical(net, cluster):
    from jitrisk.analysis.risk import risk_report

    sites = [s.site_id for s in net.sites if s.is_stocking][:4]
    kw = {"trials": 40, "days": 60, "seed": SEED, "sites": sites}
    seen = []
    remote = risk_report(net, cluster=cluster, progress=seen.append, **kw)
    assert _doc(risk_report(net, **kw)) == _doc(remote)
    assert seen[-1].done == seen[-1].total


def test_simulation_placement_is_identical(net, cluster):
    from jitrisk.analysis.placement import place_by_simulation

    kw = {"trials": 40, "days": 60, "seed": SEED, "max_steps": 4}
    budget = 2e5
    assert _doc(place_by_simulation(net, budget, **kw)) == _doc(
        place_by_simulation(net, budget, cluster=cluster, **kw)
    )


def test_recommend_is_identical(net, cluster):
    from jitrisk.analysis.frontier import recommend

    kw = {"trials": 30, "confirm_trials": 40, "days": 60, "seed": SEED, "max_steps": 3}
    assert _doc(recommend(net, **kw)) == _doc(recommend(net, cluster=cluster, **kw))


def test_cli_cluster_option_gives_the_local_json(tmp_path, capsys):
    import json

    from jitrisk.cli.commands import main
    from jitrisk.workbook.writer import write_network

    book = write_network(generate_network(20, seed=2), tmp_path / "net.xlsx")
    docs = []
    for extra in ([], ["--cluster", "local:1"]):
        out = tmp_path / f"run{len(docs)}.json"
        args = ["simulate", str(book), "--trials", "64", "--days", "30", "--quiet"]
        assert main([*args, "--json", str(out), *extra]) == 0
        doc = json.loads(out.read_text())
        doc.pop("created", None)
        doc.pop("elapsed_seconds", None)
        docs.append(doc)
    assert docs[0] == docs[1]
    capsys.readouterr()


# -- failure ----------------------------------------------------------------------


def test_cancel_stops_the_run_and_leaves_no_task(net, cluster):
    t0 = time.monotonic()
    with pytest.raises(SimulationCancelled):
        simulate(
            net, trials=4000, days=200, seed=SEED, chunk_trials=16, cluster=cluster,
            cancelled=lambda: True,
        )  # fmt: skip
    deadline = time.monotonic() + 5
    while _busy(cluster) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _busy(cluster) == 0
    assert time.monotonic() - t0 < 10


def test_version_mismatch_is_refused(cluster, monkeypatch):
    # this computer claims another jitrisk; the workers report their real one
    real = cluster_mod.library_versions()
    monkeypatch.setattr(cluster_mod, "library_versions", lambda: {**real, "jitrisk": "0.0.0-other"})
    with pytest.raises(JitriskError, match=r"runs jitrisk 0\.1.*this computer jitrisk 0\.0\.0"):
        cluster.check_versions()


def _worker_malloc() -> tuple[bool, bool]:
    return "MALLOC_TRIM_THRESHOLD_" in os.environ, cluster_mod._reuse_freed_memory()


def test_workers_reuse_freed_memory_despite_the_nannys_trim_setting(cluster):
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which made the kernel's workspaces
    fresh pages every group of trials (about 10 % slower on 2,000 sites); a worker
    that has run a task has glibc's thresholds set back."""
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's mallopt only")
    cluster.submit(int, 1).result()  # a task, as every run's are
    found = cluster.client.run(_worker_malloc)
    assert found and all(v == (True, True) for v in found.values()), found


def _ticks(server) -> dict[str, object]:
    """The event-loop tick and system monitor intervals of a live worker or scheduler."""
    return {
        "tick_s": server._tick_interval,
        "monitor_ms": server.periodic_callbacks["monitor"].callback_time,
    }


def _worker_housekeeping(dask_worker) -> dict[str, object]:
    import dask

    return {
        **_ticks(dask_worker),
        "profiling": bool(dask.config.get("distributed.worker.profile.enabled")),
        "memory_monitor_s": dask_worker.memory_manager.memory_monitor_interval,
    }


def _scheduler_housekeeping(dask_scheduler) -> dict[str, object]:
    return {**_ticks(dask_scheduler), "amm_running": dask_scheduler.extensions["amm"].running}


def test_local_workers_and_scheduler_keep_their_housekeeping_off_the_kernels_cores(cluster):
    """No profiler or memory manager, and 1 s ticks, 5 s system monitors, 1 s memory
    checks (Dask's defaults: 20 ms, 500 ms, 100 ms) on the processes jitrisk starts."""
    workers = cluster.client.run(_worker_housekeeping)
    assert len(workers) == 2
    for found in workers.values():
        assert found == {
            "tick_s": 1.0,
            "monitor_ms": 5000.0,
            "profiling": False,
            "memory_monitor_s": 1.0,
        }, found
    assert cluster.client.run_on_scheduler(_scheduler_housekeeping) == {
        "tick_s": 1.0,
        "monitor_ms": 5000.0,
        "amm_running": False,
    }


def test_a_plain_process_keeps_its_malloc_settings(monkeypatch):
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.setattr(cluster_mod, "_malloc_tuned", None)
    assert cluster_mod._reuse_freed_memory() is False


def test_a_worker_killed_mid_run_changes_nothing(net):
    local = simulate(net, trials=400, days=120, seed=SEED, chunk_trials=16)
    with Cluster.connect(ClusterSpec(workers=2)) as c:
        killed = []

        def kill_one(p):
            if not killed and p.done > 0:
                victim = sorted(c.client.scheduler_info()["workers"])[0]
                pid = c.client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)  # a crash, not a shutdown
                killed.append(victim)

        remote = simulate(
            net, trials=400, days=120, seed=SEED, chunk_trials=16, cluster=c, progress=kill_one
        )
    assert killed
    _same(local, remote)


def test_report_numbers_are_identical(cluster, tmp_path):
    from builders import valid_rows, write_workbook
    from jitrisk import load_network
    from jitrisk.report import collect

    net = load_network(write_workbook(tmp_path / "small.xlsx", valid_rows()))
    kw = {"trials": 40, "days": 30, "seed": SEED, "risk_trials": 8, "curve_trials": 40}
    here, there = collect(net, **kw), collect(net, cluster=cluster, **kw)

    def numbers(data) -> list:
        out = []
        for s in data.scenarios:
            sim = {k: v for k, v in s.simulation.items() if k not in ("created", "elapsed_seconds")}
            rec = dict(s.recommendation or {})
            rec.pop("elapsed_s", None)
            out.append((sim, s.curve, s.risk, rec, s.takeaway))
        return out

    assert numbers(here) == numbers(there)
    for a, b in zip(here.scenarios, there.scenarios, strict=True):
        assert np.array_equal(a.lost_revenue, b.lost_revenue)
