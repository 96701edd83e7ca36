"""jitrisk: supply-chain disruption risk for lean, just-in-time networks.

The numerical core: workbook I/O, network model, Monte Carlo engine, analytics.
It never imports Qt; the desktop application in ``ui/`` adapts it.
"""

from __future__ import annotations

from ._version import __version__
from .errors import JitriskError, Problem, ScenarioError, SimulationCancelled, WorkbookError
from .model.graph import build_graph, network_info
from .model.records import Demand, Disruption, Lane, Network, Override, Settings, Site
from .workbook.overrides import check_and_apply as apply_scenario
from .workbook.reader import ValidationReport, load_network, validate_workbook

__all__ = [
    "Demand",
    "Disruption",
    "JitriskError",
    "Lane",
    "Network",
    "Override",
    "Problem",
    "ScenarioError",
    "Settings",
    "SimulationCancelled",
    "Site",
    "ValidationReport",
    "WorkbookError",
    "__version__",
    "apply_scenario",
    "build_graph",
    "load_network",
    "network_info",
    "validate_workbook",
]
