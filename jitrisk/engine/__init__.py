"""Monte Carlo engine: compile a network to arrays, simulate trials, summarise."""

from __future__ import annotations

from .compiled import CompiledNetwork, compile_network
from .results import Estimate, SimulationResult
from .runner import Progress, RunConfig, iter_chunks, run_chunk, simulate

__all__ = [
    "CompiledNetwork",
    "Estimate",
    "Progress",
    "RunConfig",
    "SimulationResult",
    "compile_network",
    "iter_chunks",
    "run_chunk",
    "simulate",
]
