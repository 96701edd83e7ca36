"""jitrisk: supply-chain disruption risk for lean, just-in-time networks.

The numerical core: workbook I/O, network model, Monte Carlo engine, analytics.
It never imports Qt; the desktop application in ``ui/`` adapts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import JitriskError, Problem, ScenarioError, SimulationCancelled, WorkbookError
from .model.graph import build_graph, network_info
from .model.records import Demand, Disruption, Lane, Network, Override, Settings, Site

if TYPE_CHECKING:
    from .workbook.overrides import check_and_apply as apply_scenario
    from .workbook.reader import ValidationReport, load_network, validate_workbook

#: Loaded on first use (PEP 562), so that ``import jitrisk.engine`` in a worker
#: process does not load the workbook reader: the engine never needs it.
_FROM_READER = ("ValidationReport", "load_network", "validate_workbook")


def __getattr__(name: str) -> Any:
    if name == "apply_scenario":
        from .workbook.overrides import check_and_apply

        value: Any = check_and_apply
    elif name in _FROM_READER:
        from .workbook import reader

        value = getattr(reader, name)
    else:
        raise AttributeError(f"module 'jitrisk' has no attribute {name!r}")
    globals()[name] = value
    return value


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
