"""What the Day by day view computes and says, without Qt.

The day-by-day story of one scripted outage (:mod:`jitrisk.analysis.story`):
:func:`compute_story` is the work (a progress callback and a cancellation
check), :func:`targets` the sites and regions a planner can take down, and
:func:`headline` / :func:`run_info` the sentences above the fan chart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.analysis.story import DEFAULT_TRIALS, DisruptionStory, disruption_story
from jitrisk.model.records import Network

from .formatting import format_days, format_duration
from .messages import plural

__all__ = ["DEFAULT_TRIALS", "StoryOutcome", "StoryRequest", "compute_story", "targets"]


@dataclass(frozen=True)
class StoryRequest:
    """What the view asks for; ``duration`` 0 = the target's time to recover,
    ``days`` 0 = long enough to see the recovery."""

    target: str
    duration: int
    start: int
    trials: int
    days: int
    scenario: str

    def describe(self) -> str:
        what = self.target.removeprefix("region:")
        return f"Day by day: {what} down, {self.trials:,} trials"


@dataclass(frozen=True)
class StoryOutcome:
    """A finished story, ready to show."""

    request: StoryRequest
    story: DisruptionStory
    doc: dict[str, Any]
    elapsed: float


def targets(net: Network) -> list[tuple[str, str]]:
    """``(label, target)`` of every stocking site, then every region with stocking sites."""
    out = []
    for s in net.sites:
        if s.is_stocking:
            label = s.site_id if not s.name or s.name == s.site_id else f"{s.site_id} · {s.name}"
            out.append((label, s.site_id))
    regions = sorted({s.region for s in net.sites if s.region and s.is_stocking})
    for r in regions:
        n = sum(1 for s in net.sites if s.region == r and s.is_stocking)
        out.append((f"Region {r} ({plural(n, 'site')})", f"region:{r}"))
    return out


def compute_story(
    net: Network,
    request: StoryRequest,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> StoryOutcome:
    """Run :func:`jitrisk.analysis.story.disruption_story` for ``request``. Qt-free."""
    t0 = time.perf_counter()
    story = disruption_story(
        net,
        request.target,
        duration_days=request.duration or None,
        start_day=request.start,
        scenario=request.scenario,
        trials=request.trials,
        days=request.days or None,
        progress=progress,
        cancelled=cancelled,
    )
    return StoryOutcome(request, story, story.to_dict(), time.perf_counter() - t0)


def headline(outcome: StoryOutcome) -> str:
    """When the network runs dry and when it recovers, in two or three sentences (rich text)."""
    st = outcome.story
    what = st.target.removeprefix("region:")
    what = f"Region {what}" if st.target.startswith("region:") else what
    down = (
        f"{what} is down from day {st.start_day} to day {st.end_day - 1} "
        f"({format_days(st.duration_days)}, {_source(st.duration_source)})."
    )
    if st.first_short_day is None:
        if st.short_share == 0:
            return f"{down} <b>Customers are served throughout</b>: the buffers cover it."
        return (
            f"{down} <b>Customers are served in most trials</b>; in {st.short_share:.0%} of "
            "trials some go short."
        )
    first = st.first_short_day
    after = first - st.start_day
    parts = [
        down,
        f"<b>Customers go short from day {first:g}</b> (median; {st.short_share:.0%} of trials "
        f"go short), {format_days(after)} after it goes down.",
        f"Same-day fill falls to {st.worst_fill:.0%} on day {st.worst_day}.",
    ]
    if st.recovered_day is None:
        parts.append("<b>Not back to normal within the chart</b>: lengthen the horizon to see it.")
    else:
        parts.append(
            f"Back to normal on <b>day {st.recovered_day}</b>, "
            f"{format_days(st.recovered_day - st.end_day)} after it is back up."
        )
    dry = sorted((s.dry_day, s.site_id) for s in st.sites if s.dry_day is not None)
    if dry:
        parts.append(f"First to run dry: {dry[0][1]} on day {dry[0][0]}.")
    return " ".join(parts)


def _source(source: str) -> str:
    return {
        "given": "as chosen",
        "ttr_days": "its ttr_days",
        "disruption profile": "its outage profile",
        "default": "the default recovery time",
    }.get(source, source)


def run_info(outcome: StoryOutcome) -> str:
    """The settings the story was computed with, on one line."""
    st = outcome.story
    mode = "backordered" if st.unmet_demand == "backorder" else "lost"
    return (
        f"Scenario {st.scenario} · its own random disruptions off · {st.trials:,} trials · "
        f"{st.days} days · seed {st.seed} · unmet demand {mode} · "
        f"computed in {format_duration(outcome.elapsed)}"
    )
