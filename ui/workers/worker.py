"""Run a task off the GUI thread and report back through Qt signals.

The threading rule of this application
--------------------------------------
**A worker thread never owns, holds or frees a Qt object of the GUI.** A task
is a plain function of plain data (networks, requests, NumPy arrays, bytes)
that returns plain data; it never captures a widget, a model or a signal
holder. Everything Qt about a run lives on the GUI thread:

* :class:`Worker` is the GUI-side handle. Its :class:`WorkerSignals` is a
  QObject created on, and only ever freed on, the GUI thread.
* The pool thread runs a closure that knows the worker only by its ticket
  number; it emits on one long-lived :class:`_Relay` (owned by the
  QApplication), which is queued to the GUI thread and re-emitted there on
  the worker's own signals. The relay keeps each started worker alive until
  its ``finished`` has been delivered, so the last reference to a worker is
  always dropped on the GUI thread.
* Python's cyclic garbage collector runs only on the GUI thread
  (:class:`ui.workers.gc_collector.GuiThreadCollector`, started by the main window):
  otherwise a collection triggered by an allocation on a pool thread may free
  a cycle of GUI objects there.

Whoever adds a view or a worker keeps to this: build the task from plain
values *before* starting it, connect to ``worker.signals`` on the GUI thread,
and turn results into Qt objects (images, models) in the slot, not in the task.

Shaped after superqt's workers: the task is a plain function taking a
:class:`TaskContext` (Orange3's task adapter): it reports progress with
``context.report(...)`` and polls ``context.is_cancel_requested()``.
:meth:`Worker.quit` only sets that flag; the task stops at its next check
(for a simulation: the end of the current chunk).

Every exception becomes the ``errored`` signal (a
:class:`~jitrisk.errors.SimulationCancelled`, ``cancelled``) and ``finished``
is always emitted last, so the window can return to idle whatever happened.
Calling :meth:`Worker.run` runs the task on the calling thread, which is how
tests check this logic without threads.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QThreadPool, Signal

from jitrisk.engine.cluster import Cluster
from jitrisk.errors import SimulationCancelled
from jitrisk.model.records import Network

from ..logic.compute import session as compute_session
from ..logic.tasks import LoadedWorkbook, RunOutcome, RunRequest, load_workbook, run_simulation


class TaskContext:
    """What a running task may do: report progress and ask whether to stop. Qt-free."""

    def __init__(self, report: Callable[[Any], None] | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()

    def report(self, progress: Any) -> None:
        """Forward a progress object (for a simulation: :class:`jitrisk.engine.Progress`)."""
        if self._report is not None:
            self._report(progress)

    def cancel(self) -> None:
        """Ask the task to stop at its next check; safe from any thread."""
        self._cancel.set()

    def is_cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def cluster(self) -> Cluster | None:
        """Where the task's simulations run (the Compute setting): None for this
        computer's threads, else the session's Dask cluster, connected on first use
        (its start and warm-up reported as progress)."""
        return compute_session().cluster(self.report)


class WorkerSignals(QObject):
    """Signals of a :class:`Worker`, always emitted on the GUI thread.

    ``started`` and ``finished`` bracket every run; between them exactly one
    of ``result`` (the task's return value), ``errored`` (the exception) or
    ``cancelled`` (the :class:`SimulationCancelled` exception) is emitted.
    """

    started = Signal()
    progress = Signal(object)
    result = Signal(object)
    errored = Signal(object)
    cancelled = Signal(object)
    finished = Signal()


Task = Callable[[TaskContext], Any]

_STARTED, _PROGRESS, _RESULT, _ERRORED, _CANCELLED, _FINISHED = range(6)


class _Relay(QObject):
    """The one QObject pool threads emit on; lives as long as the application.

    ``event(ticket, kind, payload)`` is queued to the GUI thread, where
    :meth:`_dispatch` re-emits it on the ticket's worker and, after
    ``finished``, lets the worker go.
    """

    event = Signal(int, int, object)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.live: dict[int, Worker] = {}
        self.tickets = itertools.count(1)
        self.event.connect(self._dispatch)

    def _dispatch(self, ticket: int, kind: int, payload: object) -> None:
        worker = self.live.get(ticket)
        if worker is None:  # pragma: no cover - every ticket is live until FINISHED
            return
        worker._deliver(kind, payload)
        if kind == _FINISHED:
            del self.live[ticket]


_relay: _Relay | None = None


def _gui_relay() -> _Relay:
    """The relay, made on first use on the GUI thread and parented to the application."""
    global _relay
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("workers need a QApplication")
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("workers are started from the GUI thread only")
    if _relay is None or not shiboken6.isValid(_relay) or _relay.parent() is not app:
        _relay = _Relay(app)
    return _relay


def live_workers() -> int:
    """How many started workers have not yet delivered ``finished`` (tests, shutdown)."""
    return 0 if _relay is None or not shiboken6.isValid(_relay) else len(_relay.live)


def _execute(task: Task, context: TaskContext, emit: Callable[[int, object], None]) -> None:
    """Run ``task`` and emit its outcome; the same order on any thread, never raises."""
    emit(_STARTED, None)
    try:
        value = task(context)
    except SimulationCancelled as exc:
        emit(_CANCELLED, exc)
    except Exception as exc:
        emit(_ERRORED, exc)
    else:
        emit(_RESULT, value)
    finally:
        emit(_FINISHED, None)


class Worker:
    """Runs ``task(context)`` once, on a :class:`QThreadPool` or directly via :meth:`run`.

    A plain Python object held by the GUI; see the module docstring for the
    threading rule it keeps.

    Parameters
    ----------
    task : callable
        Called with the worker's :class:`TaskContext`; its return value is
        emitted as ``result``. It must not capture Qt objects.
    name : str
        For messages and debugging (``"load"``, ``"simulate"``).
    """

    def __init__(self, task: Task, name: str = "task") -> None:
        self.name = name
        self.signals = WorkerSignals()
        self._task = task
        self._done = threading.Event()
        self._ticket = 0
        self.context = TaskContext(self._report_direct)

    # ------------------------------------------------------------------ GUI side
    def _deliver(self, kind: int, payload: object) -> None:
        s = self.signals
        if kind == _STARTED:
            s.started.emit()
        elif kind == _PROGRESS:
            s.progress.emit(payload)
        elif kind == _RESULT:
            s.result.emit(payload)
        elif kind == _ERRORED:
            s.errored.emit(payload)
        elif kind == _CANCELLED:
            s.cancelled.emit(payload)
        else:
            s.finished.emit()

    def _report_direct(self, progress: Any) -> None:
        self.signals.progress.emit(progress)

    def run(self) -> None:
        """Run the task on the calling thread, emitting the signals directly; never raises."""

        def emit(kind: int, payload: object) -> None:
            if kind == _FINISHED:
                self._done.set()
            self._deliver(kind, payload)

        _execute(self._task, self.context, emit)

    def start(self, pool: QThreadPool | None = None) -> Worker:
        """Queue the task on ``pool`` (the global pool by default) and return self.

        Call on the GUI thread. The pool thread sees only the task, the
        context and a ticket number, never this object or its signals.
        """
        relay = _gui_relay()
        ticket = next(relay.tickets)
        self._ticket = ticket
        relay.live[ticket] = self
        relay_event = relay.event
        task, done = self._task, self._done

        def emit(kind: int, payload: object) -> None:
            if kind == _FINISHED:
                done.set()
            relay_event.emit(ticket, kind, payload)

        # progress goes through the relay too, from the task's own thread
        self.context._report = lambda progress: relay_event.emit(ticket, _PROGRESS, progress)
        context = self.context

        def job() -> None:
            _execute(task, context, emit)

        (pool or QThreadPool.globalInstance()).start(job)
        return self

    def quit(self) -> None:
        """Request cancellation; the task stops at its next check."""
        self.context.cancel()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the task returned (True) or ``timeout`` seconds passed (False)."""
        return self._done.wait(timeout)


def simulation_task(network: Network, request: RunRequest, workbook: str = "") -> Task:
    """The task that runs :func:`ui.logic.tasks.run_simulation` with the context's hooks."""

    def task(context: TaskContext) -> RunOutcome:
        return run_simulation(
            network,
            request,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            workbook=workbook,
            cluster=context.cluster(),
        )

    return task


def load_task(path: str | os.PathLike[str]) -> Task:
    """The task that runs :func:`ui.logic.tasks.load_workbook` (it cannot be cancelled)."""

    def task(context: TaskContext) -> LoadedWorkbook:
        return load_workbook(path)

    return task
