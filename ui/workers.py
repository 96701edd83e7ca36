"""Run a task off the GUI thread and report back through Qt signals.

Shaped after superqt's workers: :class:`Worker` is a :class:`QRunnable` whose
signals live on a separate :class:`QObject` (:class:`WorkerSignals`), because a
runnable is not a QObject. The task is a plain function taking a
:class:`TaskContext` (Orange3's task adapter): it reports progress with
``context.report(...)`` and polls ``context.is_cancel_requested()``.
:meth:`Worker.quit` only sets that flag; the task stops at its next check
(for a simulation: the end of the current chunk).

:meth:`Worker.run` turns every exception into the ``errored`` signal (a
:class:`~jitrisk.errors.SimulationCancelled` into ``cancelled``) and always
emits ``finished`` last, so the window can return to idle whatever happened.
Calling ``run()`` directly runs the task on the calling thread, which is how
tests check this logic without threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from jitrisk.errors import SimulationCancelled
from jitrisk.model import Network

from .tasks import LoadedWorkbook, RunOutcome, RunRequest, load_workbook, run_simulation


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


class WorkerSignals(QObject):
    """Signals of a :class:`Worker`, emitted from the pool thread and queued to receivers.

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


class Worker(QRunnable):
    """Runs ``task(context)`` once, on a :class:`QThreadPool` or directly via :meth:`run`.

    Parameters
    ----------
    task : callable
        Called with the worker's :class:`TaskContext`; its return value is
        emitted as ``result``.
    name : str
        For messages and debugging (``"load"``, ``"simulate"``).
    """

    def __init__(self, task: Task, name: str = "task") -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps the reference; Qt must not delete it
        self.name = name
        self.signals = WorkerSignals()
        self.context = TaskContext(self.signals.progress.emit)
        self._task = task
        self._done = threading.Event()

    def run(self) -> None:
        """Run the task, translating its outcome into signals; never raises."""
        self.signals.started.emit()
        try:
            value = self._task(self.context)
        except SimulationCancelled as exc:
            self.signals.cancelled.emit(exc)
        except Exception as exc:
            self.signals.errored.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self._done.set()
            self.signals.finished.emit()

    def quit(self) -> None:
        """Request cancellation; the task stops at its next check."""
        self.context.cancel()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run finished (True) or ``timeout`` seconds passed (False)."""
        return self._done.wait(timeout)

    def start(self, pool: QThreadPool | None = None) -> Worker:
        """Queue the worker on ``pool`` (the global pool by default) and return it."""
        (pool or QThreadPool.globalInstance()).start(self)
        return self


def simulation_task(network: Network, request: RunRequest, workbook: str = "") -> Task:
    """The task that runs :func:`ui.tasks.run_simulation` with the context's hooks."""

    def task(context: TaskContext) -> RunOutcome:
        return run_simulation(
            network,
            request,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            workbook=workbook,
        )

    return task


def load_task(path: str | os.PathLike[str]) -> Task:
    """The task that runs :func:`ui.tasks.load_workbook` (it cannot be cancelled)."""

    def task(context: TaskContext) -> LoadedWorkbook:
        return load_workbook(path)

    return task
