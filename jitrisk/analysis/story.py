r"""The day-by-day story of a disruption: when the network runs dry and when it recovers.

A scripted event, one site (or every stocking site of a region) down for
``duration_days`` from reported day ``start_day``, is run on the network
*without* its own random disruptions, as the risk analysis does
(:mod:`jitrisk.analysis.risk`): the event is the story, and other outages
would blur it. Demand and lead times stay random. For every trial and every
reported day the engine keeps (see :func:`jitrisk.engine.kernel.simulate_chunk`):

* the end-of-day on-hand stock and the backorders owed downstream of each
  watched site;
* the customers' demand of the day, the part not filled that day, and what
  customers are owed at the end of the day.

Per day the story gives the median and the 5 % and 95 % quantiles across
trials (a fan chart) of

* each watched site's on-hand stock, in days of its mean daily flow
  (:math:`\text{on hand} / \bar d_s`, so sites of any size share an axis), and
  its backorders in units;
* the customers' **period fill rate**, the share of the day's demand filled
  that day, :math:`1 - \text{short}_t / \text{demand}_t` (1 on a day without
  demand), and their open backorders in units.

Plain facts for the sentence above the chart, each over trials:

* ``short_share``: the share of trials in which customers go short on some day
  from the start of the event;
* ``first_short_day``: the median first such day (over the trials that go
  short; None when fewer than half do);
* ``worst_day`` and ``worst_fill``: the day of the lowest median fill, and that fill;
* ``recovered_day``: the first day after the event starts from which the
  median customer backorders stay at or below their pre-event 95th percentile
  for the rest of the horizon (None: not within the horizon);
* per watched site ``dry_day``: the first day its median on-hand stock is 0.

Memory is bounded: at most :data:`MAX_TRIALS` trials (a sample: the first
trials of the seed's streams, the same as any run with that seed) and
:data:`MAX_SITES` watched sites, kept as 32-bit floats, so at most
1,000 × 730 × 9 × 3 × 4 bytes = 79 MB for a two-year horizon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..engine.compiled import compile_network
from ..engine.draws import chunk_draws, customer_demand
from ..engine.runner import Progress, RunConfig, run_chunk
from ..engine.sizing import chunk_bounds, default_chunk_trials
from ..errors import JitriskError, SimulationCancelled
from ..model.distributions import Constant
from ..model.records import Disruption, Network
from ..model.scenarios import apply_scenario
from .risk import DEFAULT_TTR, ttr_of

MAX_TRIALS = 1_000
"""Most trials a story keeps (a bounded sample; quantiles need every trial's path)."""
MAX_SITES = 8
"""Most watched sites."""
DEFAULT_TRIALS = 300
QUANTILES = (0.05, 0.5, 0.95)
LEAD_IN_DAYS = 14
"""Default reported days before the event starts, so the chart shows the calm first."""


@dataclass(frozen=True)
class Fan:
    """Per-day 5 %, 50 % and 95 % quantiles across trials (arrays of the horizon's length)."""

    low: NDArray[np.float64]
    median: NDArray[np.float64]
    high: NDArray[np.float64]

    @classmethod
    def of(cls, paths: NDArray[Any]) -> Fan:
        """Quantiles over axis 0 of ``paths[trial, day]``."""
        q = np.quantile(np.asarray(paths, dtype=np.float64), QUANTILES, axis=0)
        return cls(q[0], q[1], q[2])

    def as_dict(self) -> dict[str, list[float]]:
        return {
            "p05": self.low.tolist(),
            "median": self.median.tolist(),
            "p95": self.high.tolist(),
        }


@dataclass(frozen=True)
class WatchedSite:
    """One watched site's fans and when its median stock first reaches 0."""

    site_id: str
    mean_daily_flow: float
    cover_days: Fan
    backorders: Fan
    dry_day: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean_daily_flow": self.mean_daily_flow,
            "dry_day": self.dry_day,
            "on_hand_days": self.cover_days.as_dict(),
            "backorder_units": self.backorders.as_dict(),
        }


@dataclass(frozen=True)
class DisruptionStory:
    """The result of :func:`disruption_story` (see the module docstring)."""

    target: str
    start_day: int
    duration_days: int
    duration_source: str
    scenario: str
    trials: int
    days: int
    seed: int
    sites: tuple[WatchedSite, ...]
    fill: Fan
    customer_backorders: Fan
    short_share: float
    first_short_day: float | None
    worst_day: int
    worst_fill: float
    recovered_day: int | None
    unmet_demand: str = "backorder"
    elapsed_s: float = field(default=0.0, compare=False)

    @property
    def end_day(self) -> int:
        """First day the target is back up."""
        return self.start_day + self.duration_days

    def to_dict(self) -> dict[str, Any]:
        """The ``jitrisk story --json`` document."""
        return {
            "target": self.target,
            "scenario": self.scenario,
            "start_day": self.start_day,
            "duration_days": self.duration_days,
            "duration_source": self.duration_source,
            "trials": self.trials,
            "days": self.days,
            "seed": self.seed,
            "unmet_demand": self.unmet_demand,
            "quantiles": list(QUANTILES),
            "short_share": self.short_share,
            "first_short_day": self.first_short_day,
            "worst_day": self.worst_day,
            "worst_fill": self.worst_fill,
            "recovered_day": self.recovered_day,
            "customer_fill": self.fill.as_dict(),
            "customer_backorder_units": self.customer_backorders.as_dict(),
            "sites": {s.site_id: s.as_dict() for s in self.sites},
            "elapsed_s": self.elapsed_s,
        }


def default_watch(net: Network, target: str, most: int = 4) -> list[str]:
    """The target's stocking sites and the stocking sites they deliver to, up to ``most``."""
    members = _members(net, target)
    out = list(members[:most])
    for m in members:
        for lane in net.lanes_from(m):
            site = net.site_by_id.get(lane.target)
            if site is not None and site.is_stocking and lane.target not in out:
                out.append(lane.target)
    return out[:most]


def _members(net: Network, target: str) -> list[str]:
    if target.startswith("region:"):
        region = target.removeprefix("region:")
        found = [s.site_id for s in net.sites if s.region == region and s.is_stocking]
        if not found:
            raise JitriskError(f"no stocking site in region {region!r}")
        return found
    site = net.site_by_id.get(target)
    if site is None:
        raise JitriskError(f"no site {target!r} in the network")
    return [target]


def disruption_story(
    net: Network,
    target: str,
    *,
    duration_days: int | None = None,
    start_day: int = LEAD_IN_DAYS,
    watch: Sequence[str] | None = None,
    scenario: str | None = None,
    trials: int = DEFAULT_TRIALS,
    days: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DisruptionStory:
    """Day by day across trials: ``target`` (a site id or ``region:NAME``) down for
    ``duration_days`` (default its time to recover, as in the risk analysis) from
    reported day ``start_day``.

    ``days`` defaults to the event's end plus five times its length (at least
    90 days), within the workbook's horizon: recovery from a backlog takes longer
    than the outage itself. Raises :class:`JitriskError` for an
    unknown target or watched site, or for more than :data:`MAX_TRIALS` trials
    or :data:`MAX_SITES` watched sites.
    """
    import time

    t0 = time.perf_counter()
    base = apply_scenario(net, scenario or net.scenario)
    members = _members(base, target)
    if duration_days is None:
        ttr, source = ttr_of(base, members[0], DEFAULT_TTR)
        duration = max(1, round(ttr))
    else:
        duration, source = int(duration_days), "given"
    if duration < 1 or start_day < 0:
        raise JitriskError("the outage must last at least 1 day and start on day 0 or later")
    if not 1 <= trials <= MAX_TRIALS:
        raise JitriskError(f"a story keeps 1 to {MAX_TRIALS:,} trials, got {trials:,}")
    horizon = days or min(base.settings.days, max(90, start_day + 6 * duration))
    if start_day >= horizon:
        raise JitriskError(f"the outage starts on day {start_day}, after the {horizon}-day horizon")
    watched = list(watch) if watch else default_watch(base, target)
    if len(watched) > MAX_SITES:
        raise JitriskError(f"watch at most {MAX_SITES} sites, got {len(watched)}")
    for sid in watched:
        if sid not in base.site_by_id:
            raise JitriskError(f"no site {sid!r} to watch")
    event = Disruption(
        "story-outage", target, "outage", 0.0, Constant(float(duration)), start_day=start_day
    )
    scripted = replace(base, disruptions=(event,))
    cfg = RunConfig.from_network(scripted, trials=trials, days=horizon, seed=seed, workers=workers)
    compiled = compile_network(scripted)
    index = {sid: k for k, sid in enumerate(compiled.site_ids)}
    traced = np.array([index[s] for s in watched], dtype=np.int64)
    dists = customer_demand(scripted, compiled)
    parts: list[NDArray[np.float32]] = []
    bounds = chunk_bounds(cfg.trials, default_chunk_trials(compiled, cfg))
    for a, b in bounds:
        ch = run_chunk(
            compiled, dists, cfg, a, b, draws=chunk_draws(dists, cfg, a, b), trace_sites=traced
        )
        assert ch.trace is not None
        parts.append(ch.trace.astype(np.float32))
        if progress is not None:
            progress(Progress(b, cfg.trials, time.perf_counter() - t0))
        if cancelled is not None and cancelled() and b < cfg.trials:
            raise SimulationCancelled(f"cancelled after {b:,} of {cfg.trials:,} trials")
    trace = np.concatenate(parts)
    return _summarise(
        trace,
        compiled.mean_flow[traced],
        watched,
        target,
        start_day,
        duration,
        source,
        base,
        cfg,
        time.perf_counter() - t0,
    )


def period_fill(demand: NDArray[Any], short: NDArray[Any]) -> NDArray[np.float64]:
    """:math:`1 - \\text{short}/\\text{demand}`, 1 where there is no demand."""
    d = np.asarray(demand, dtype=np.float64)
    s = np.asarray(short, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(d > 0, 1.0 - s / d, 1.0)
    return np.clip(f, 0.0, 1.0)


def _summarise(
    trace: NDArray[np.float32],
    flow: NDArray[np.float64],
    watched: list[str],
    target: str,
    start: int,
    duration: int,
    source: str,
    net: Network,
    cfg: RunConfig,
    elapsed: float,
) -> DisruptionStory:
    q = len(watched)
    fill_paths = period_fill(trace[:, :, q, 0], trace[:, :, q, 1])
    owed = trace[:, :, q, 2].astype(np.float64)
    short = trace[:, start:, q, 1] > 0
    went_short = short.any(axis=1)
    first = np.argmax(short, axis=1) + start
    fill = Fan.of(fill_paths)
    backorders = Fan.of(owed)
    worst = start + int(np.argmin(fill.median[start:]))
    calm = float(np.quantile(owed[:, :start], 0.95)) if start > 0 else 0.0
    sites = []
    for k, sid in enumerate(watched):
        cover = trace[:, :, k, 0] / flow[k] if flow[k] > 0 else np.zeros(trace.shape[:2])
        fan = Fan.of(cover)
        dry = np.flatnonzero(fan.median <= 0)
        sites.append(
            WatchedSite(
                sid,
                float(flow[k]),
                fan,
                Fan.of(trace[:, :, k, 1]),
                int(dry[0]) if len(dry) else None,
            )
        )
    return DisruptionStory(
        target=target,
        start_day=start,
        duration_days=duration,
        duration_source=source,
        scenario=net.scenario,
        trials=cfg.trials,
        days=cfg.days,
        seed=cfg.seed,
        sites=tuple(sites),
        fill=fill,
        customer_backorders=backorders,
        short_share=float(went_short.mean()),
        first_short_day=float(np.median(first[went_short])) if went_short.mean() >= 0.5 else None,
        worst_day=worst,
        worst_fill=float(fill.median[worst]),
        recovered_day=_recovered(backorders.median, start, calm),
        unmet_demand=cfg.unmet_demand,
        elapsed_s=elapsed,
    )


def _recovered(median_owed: NDArray[np.float64], start: int, calm: float) -> int | None:
    """First day after ``start`` from which ``median_owed`` stays <= ``calm`` to the end."""
    above = np.flatnonzero(median_owed[start:] > calm + 1e-9)
    if len(above) == 0:
        return start
    last = start + int(above[-1])
    return last + 1 if last + 1 < len(median_owed) else None
