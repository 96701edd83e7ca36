"""What a run is asked (:class:`RunConfig`), tells (:class:`Progress`) and a chunk returns.

Plain data shared by the runner, which fills it, and the results, which
reduce it; kept apart so that neither needs the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from ..model.records import Network


@dataclass(frozen=True)
class RunConfig:
    """What to simulate: horizon, trials, seed and how to split the work.

    Parameters
    ----------
    trials, days, warmup_days, seed : int
    unmet_demand : {"backorder", "lost"}
    chunk_trials : int or None
        Trials per chunk (progress and cancellation granularity); None picks
        one from the network size.
    workers : int or None
        Threads for the kernel; None = all cores.
    """

    trials: int
    days: int
    warmup_days: int
    seed: int
    unmet_demand: str = "backorder"
    chunk_trials: int | None = None
    workers: int | None = None

    @classmethod
    def from_network(cls, net: Network, **overrides: object) -> RunConfig:
        s = net.settings
        base = cls(
            trials=s.trials,
            days=s.days,
            warmup_days=s.warmup_days,
            seed=s.seed,
            unmet_demand=s.unmet_demand,
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **given)  # type: ignore[arg-type]

    @property
    def total_days(self) -> int:
        return self.warmup_days + self.days


class Fanout(Protocol):
    """Where independent tasks of a run go side by side: a Dask cluster
    (:class:`jitrisk.engine.cluster.Cluster`). The runner needs only this much of it,
    so it does not depend on how the cluster is reached."""

    def threads(self) -> int:
        """Worker threads there are now (what a run's tasks are sized for)."""
        ...

    def share(self, obj: Any) -> Any:
        """Send ``obj`` to every worker once; tasks get the returned handle."""
        ...

    def map_unordered(
        self,
        fn: Callable[..., Any],
        items: Iterable[tuple[Any, ...]],
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """``(i, fn(*items[i]))`` as tasks finish; what is left is cancelled on exit."""
        ...

    def release(self, *handles: Any) -> None:
        """Drop shared inputs once a run is over."""
        ...


@dataclass(frozen=True)
class Progress:
    """Progress report passed to callbacks."""

    done: int
    total: int
    elapsed: float
    #: what is being done, when not the trials themselves (e.g. "warming up the workers")
    phase: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def eta(self) -> float:
        """Seconds left, extrapolated from the rate so far (inf before the first chunk)."""
        if self.done == 0:
            return math.inf
        return self.elapsed * (self.total - self.done) / self.done


@dataclass
class ChunkResult:
    """Per-trial outputs of trials ``start .. stop-1``."""

    start: int
    stop: int
    site_out: NDArray[np.float64]
    site_int: NDArray[np.int64]
    buf_out: NDArray[np.float64]
    net_out: NDArray[np.float64]
    acct: NDArray[np.float64] | None = field(default=None)
    #: record mode: arrivals from inactive sites and inactive customers' short days
    ext_arr: NDArray[np.float64] | None = field(default=None, repr=False)
    ext_short: NDArray[np.uint8] | None = field(default=None, repr=False)
    #: day-by-day story of chosen sites (``run_chunk(trace_sites=...)``)
    trace: NDArray[np.float64] | None = field(default=None, repr=False)
