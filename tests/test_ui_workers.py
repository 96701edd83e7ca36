"""The worker: every outcome becomes a signal, ``finished`` always comes last.

Most tests call ``Worker.run()`` on the test thread (no threads involved, the
signals are delivered directly); the last ones run on a thread pool as the
window does.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from builders import valid_rows, write_workbook
from jitrisk import load_network
from jitrisk.errors import SimulationCancelled
from ui.logic.tasks import RunOutcome, RunRequest, run_chunk_trials
from ui.workers.worker import TaskContext, Worker, simulation_task

pytestmark = pytest.mark.gui

SIGNALS = ("started", "progress", "result", "errored", "cancelled", "finished")


def record(worker: Worker) -> list[tuple[str, Any]]:
    """Connect every signal of ``worker`` to a list of (name, argument)."""
    events: list[tuple[str, Any]] = []
    for name in SIGNALS:
        signal = getattr(worker.signals, name)
        if name in ("started", "finished"):
            signal.connect(lambda name=name: events.append((name, None)))
        else:
            signal.connect(lambda value, name=name: events.append((name, value)))
    return events


def test_result_is_emitted_between_started_and_finished(qapp: Any) -> None:
    worker = Worker(lambda ctx: 42)
    events = record(worker)
    worker.run()
    assert events == [("started", None), ("result", 42), ("finished", None)]
    assert worker.is_done


def test_progress_is_forwarded(qapp: Any) -> None:
    def task(ctx: TaskContext) -> str:
        for i in range(3):
            ctx.report(i)
        return "done"

    worker = Worker(task)
    events = record(worker)
    worker.run()
    assert [v for name, v in events if name == "progress"] == [0, 1, 2]
    assert events[-2:] == [("result", "done"), ("finished", None)]


def test_an_exception_becomes_the_errored_signal_and_finished_still_follows(qapp: Any) -> None:
    def task(ctx: TaskContext) -> None:
        raise ValueError("bad input 7")

    worker = Worker(task)
    events = record(worker)
    worker.run()  # must not raise
    names = [name for name, _ in events]
    assert names == ["started", "errored", "finished"]
    error = events[1][1]
    assert isinstance(error, ValueError) and str(error) == "bad input 7"
    assert error.__traceback__ is not None  # kept for the error dialog


def test_quit_sets_the_flag_the_task_polls_and_cancellation_is_its_own_signal(
    qapp: Any,
) -> None:
    def task(ctx: TaskContext) -> None:
        if ctx.is_cancel_requested():
            raise SimulationCancelled("cancelled after 0 of 10 trials")

    worker = Worker(task)
    events = record(worker)
    worker.quit()
    worker.run()
    assert [name for name, _ in events] == ["started", "cancelled", "finished"]


def test_simulation_task_without_threads(qapp: Any, tmp_path: Path) -> None:
    """The simulation task on the test thread: progress per chunk, then a RunOutcome."""
    net = load_network(write_workbook(tmp_path / "v.xlsx", valid_rows()))
    worker = Worker(simulation_task(net, RunRequest("baseline", 48, 20, 1), "v.xlsx"))
    events = record(worker)
    worker.run()
    names = [name for name, _ in events]
    assert names[0] == "started" and names[-2:] == ["result", "finished"]
    assert names.count("progress") == math.ceil(48 / run_chunk_trials(48))  # one per chunk
    outcome = events[-2][1]
    assert isinstance(outcome, RunOutcome) and outcome.workbook == "v.xlsx"


def test_worker_on_a_thread_pool_emits_in_strict_order(qtbot: Any) -> None:
    worker = Worker(lambda ctx: "ok")
    pool = QThreadPool()
    with qtbot.waitSignals(
        [worker.signals.started, worker.signals.result, worker.signals.finished],
        order="strict",
        timeout=10_000,
    ):
        worker.start(pool)
    assert pool.waitForDone(5_000)


def test_cancelling_a_threaded_simulation_stops_it_within_a_chunk(
    qtbot: Any, tmp_path: Path
) -> None:
    net = load_network(write_workbook(tmp_path / "v.xlsx", valid_rows()))
    request = RunRequest("baseline", trials=400_000, days=365, seed=5)
    worker = Worker(simulation_task(net, request))
    pool = QThreadPool()
    progress: list[Any] = []
    cancelled: list[Any] = []
    worker.signals.progress.connect(progress.append)
    worker.signals.cancelled.connect(cancelled.append)
    with qtbot.waitSignal(worker.signals.progress, timeout=120_000):
        worker.start(pool)
    with qtbot.waitSignals(
        [worker.signals.cancelled, worker.signals.finished], order="strict", timeout=30_000
    ):
        worker.quit()
    assert isinstance(cancelled[0], SimulationCancelled)
    assert progress[-1].done < request.trials
    assert pool.waitForDone(5_000)
