"""The work behind the window, as plain functions that know nothing of Qt.

Each task is a function the worker (:mod:`ui.workers.worker`) runs off the GUI
thread, and that tests call directly: :func:`load_workbook` validates a file
and gathers what the Summary and Problems views show; :func:`run_simulation`
runs the engine with a progress callback and a cancellation check and
returns everything the Results view shows, already computed, so the GUI
thread only formats.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jitrisk import ValidationReport, validate_workbook
from jitrisk.engine import Progress, SimulationResult, simulate
from jitrisk.engine.cluster import Cluster
from jitrisk.engine.sizing import whole_groups
from jitrisk.model.graph import network_info
from jitrisk.model.records import Network

from .kpis import Kpi, network_kpis
from .outline import WorkbookOutline, read_outline

#: File suffixes the application opens.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook_path(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names an Excel workbook the loader reads."""
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


@dataclass(frozen=True)
class LoadedWorkbook:
    """A validated workbook and what the views show about it.

    Attributes
    ----------
    path : Path
    report : ValidationReport
        The core's verdict: ``report.network`` is None when there are errors.
    info : dict or None
        :func:`jitrisk.model.graph.network_info` as a dict, for a valid network.
    outline : WorkbookOutline
        Sheets and record counts as read, valid or not.
    """

    path: Path
    report: ValidationReport
    info: dict[str, Any] | None
    outline: WorkbookOutline

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def network(self) -> Network | None:
        return self.report.network

    @property
    def ok(self) -> bool:
        return self.report.ok and self.report.network is not None


def load_workbook(path: str | os.PathLike[str]) -> LoadedWorkbook:
    """Validate ``path`` and gather the summary; never raises for bad input."""
    p = Path(path)
    report = validate_workbook(p)
    outline = read_outline(p, report.problems)
    info = network_info(report.network).as_dict() if report.network is not None else None
    return LoadedWorkbook(p, report, info, outline)


@dataclass(frozen=True)
class RunRequest:
    """What the Run panel asks for: a scenario and the Monte Carlo settings."""

    scenario: str
    trials: int
    days: int
    seed: int

    def describe(self) -> str:
        return (
            f"scenario {self.scenario} · {self.trials:,} trials · {self.days:,} days · "
            f"seed {self.seed}"
        )


@dataclass(frozen=True)
class RunOutcome:
    """A finished run with the statistics the Results view shows.

    Attributes
    ----------
    request : RunRequest
    result : SimulationResult
    sites : pandas.DataFrame
        :meth:`SimulationResult.sites_frame`, worst first.
    stats : dict
        :meth:`SimulationResult.network_stats`.
    losses : numpy.ndarray
        Per-trial network lost revenue.
    kpis : list of Kpi
        The network cards, in display order.
    currency : str
    workbook : str
        File name of the workbook that was run.
    """

    request: RunRequest
    result: SimulationResult
    sites: pd.DataFrame
    stats: dict[str, Any]
    losses: np.ndarray
    kpis: list[Kpi] = field(default_factory=list)
    currency: str = ""
    workbook: str = ""

    @property
    def elapsed(self) -> float:
        return self.result.elapsed


#: Aim for about this many progress updates per run (and cancellation points).
PROGRESS_STEPS = 50
#: Bounds of the trials per chunk the application asks for.
MIN_CHUNK_TRIALS, MAX_CHUNK_TRIALS = 8, 400


def progress_chunk_trials(trials: int) -> int:
    """Trials per chunk for a responsive run: about :data:`PROGRESS_STEPS` chunks.

    Results do not depend on the chunk size (each trial has its own random
    stream); smaller chunks give smoother progress and a quicker Cancel at a
    small cost in parallel efficiency.
    """
    wanted = math.ceil(trials / PROGRESS_STEPS)
    return max(MIN_CHUNK_TRIALS, min(MAX_CHUNK_TRIALS, wanted))


def run_chunk_trials(trials: int) -> int:
    """The chunk size a run uses: :func:`progress_chunk_trials` rounded up to whole
    groups of trials for every engine thread (``sizing.whole_groups``), so no thread
    idles at a chunk's end (2,000 trials on 2 cores: chunks of 48, not 40)."""
    return whole_groups(progress_chunk_trials(trials))


def run_simulation(
    network: Network,
    request: RunRequest,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    workbook: str = "",
    cluster: Cluster | None = None,
) -> RunOutcome:
    """Simulate ``request`` on ``network`` and summarise the result.

    Raises
    ------
    jitrisk.errors.SimulationCancelled
        ``cancelled()`` returned True between chunks.
    jitrisk.errors.JitriskError
        The scenario or the settings cannot be simulated.
    """
    result = simulate(
        network,
        request.scenario,
        trials=request.trials,
        days=request.days,
        seed=request.seed,
        chunk_trials=run_chunk_trials(request.trials),
        progress=progress,
        cancelled=cancelled,
        cluster=cluster,
    )
    stats = result.network_stats()
    losses = result.network_lost_revenue()
    currency = result.network.settings.currency
    return RunOutcome(
        request=request,
        result=result,
        sites=result.sites_frame(),
        stats=stats,
        losses=losses,
        kpis=network_kpis(stats, currency, result.network.settings.unmet_demand),
        currency=currency,
        workbook=workbook,
    )
