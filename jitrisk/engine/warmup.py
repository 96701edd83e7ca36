"""Compile the simulation kernel ahead of use: ``python -m jitrisk.engine.warmup``.

numba compiles the kernel the first time it runs and keeps the machine code in
its on-disk cache (``cache=True``), one copy per group size (``sizing.lanes_for``).
The first compile takes about a minute; ``make run`` and ``make test`` do it once
while setting up, so a planner's first simulation in the app starts at once.
"""

from __future__ import annotations

import sys
import time

from ..model.generate import generate_network
from .runner import simulate


def warm_up() -> float:
    """Run a tiny simulation, compiling (or loading) the kernel; returns the seconds taken.

    The generated network is small, so its group size is the usual one (8 trials
    side by side); networks big enough for a smaller group compile theirs on first use.
    """
    t0 = time.perf_counter()
    simulate(generate_network(20, seed=0), trials=8, days=5, warmup_days=0)
    return time.perf_counter() - t0


def main() -> int:
    print("Preparing the simulation engine (the first time takes about a minute)...", flush=True)
    print(f"Ready in {warm_up():.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
