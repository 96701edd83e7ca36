"""Work off the GUI thread, and the rules that keep it safe (see :mod:`.worker`)."""

from .worker import TaskContext, Worker, WorkerSignals, live_workers, load_task, simulation_task

__all__ = ["TaskContext", "Worker", "WorkerSignals", "live_workers", "load_task", "simulation_task"]
