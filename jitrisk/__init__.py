"""jitrisk: supply-chain disruption risk for lean, just-in-time networks.

The numerical core: workbook I/O, network model, Monte Carlo engine, analytics.
It never imports Qt; the desktop application in ``ui/`` adapts it.
"""

from __future__ import annotations

import importlib
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
_FROM_WORKBOOK = {
    "apply_scenario": ("jitrisk.workbook.overrides", "check_and_apply"),
    "ValidationReport": ("jitrisk.workbook.reader", "ValidationReport"),
    "load_network": ("jitrisk.workbook.reader", "load_network"),
    "validate_workbook": ("jitrisk.workbook.reader", "validate_workbook"),
}


def __getattr__(name: str) -> Any:
    if name in _FROM_WORKBOOK:
        module, attribute = _FROM_WORKBOOK[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jitrisk' has no attribute {name!r}")


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
