"""What the Buffers view computes and says, free of Qt: targets, the curve, its headline.

:func:`compute_buffer_curve` is a plain function with a progress callback and
a cancellation check; :func:`headline` turns a :class:`BufferOutcome` into the
sentence the view leads with. Tests call both without a display.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jitrisk.analysis.placement import current_days, mean_flows
from jitrisk.analysis.sweep import SweepResult, sweep
from jitrisk.engine import Progress
from jitrisk.engine.cluster import Cluster
from jitrisk.model.graph import build_graph
from jitrisk.model.records import Network
from jitrisk.model.scenarios import apply_scenario

from ..logic.formatting import (
    format_compact,
    format_days,
    format_duration,
    format_percent,
    format_percent_ci,
)


def scenario_network(net: Network, scenario: str) -> Network:
    """``net`` with ``scenario`` applied (the analyses take the scenario themselves;
    this is for what the view computes on its own, such as flows and defaults)."""
    from jitrisk.model.scenarios import apply_scenario

    return apply_scenario(net, scenario) if scenario and scenario != net.scenario else net


#: Buffer levels the view starts with: from 0 to 30 days of cover, every day.
DEFAULT_LEVEL_RANGE = (0.0, 30.0, 1.0)


DEFAULT_BUFFER_TRIALS = 200


@dataclass(frozen=True)
class Target:
    """A choice of the target box: what to sweep and how to name it."""

    key: str  # site id, tier:<n>, type:<t>, region:<r> or network
    label: str  # as offered in the box
    title: str  # as the chart and headline name it
    members: int


def buffer_targets(net: Network) -> list[Target]:
    """What the Buffers view offers: the network, each supplier tier, each stocking type,
    each region, then every stocking site (id, name, type, tier, region)."""
    g = build_graph(net)
    stocking = [s for s in net.sites if s.is_stocking]
    out = [
        Target(
            "network",
            f"Whole network · every stocking site ({len(stocking)})",
            "the whole network",
            len(stocking),
        )
    ]
    tiers: dict[int, int] = {}
    for s in stocking:
        if s.type == "supplier":
            t = int(g.nodes[s.site_id].get("tier") or 1)
            tiers[t] = tiers.get(t, 0) + 1
    for t in sorted(tiers):
        out.append(
            Target(f"tier:{t}", f"Tier {t} suppliers ({tiers[t]})", f"tier {t} suppliers", tiers[t])
        )
    for kind, label in (("plant", "Plants"), ("dc", "Distribution centres")):
        n = sum(1 for s in stocking if s.type == kind)
        if n:
            out.append(Target(f"type:{kind}", f"All {label.lower()} ({n})", label.lower(), n))
    regions: dict[str, int] = {}
    for s in stocking:
        if s.region:
            regions[s.region] = regions.get(s.region, 0) + 1
    for r in sorted(regions):
        out.append(
            Target(
                f"region:{r}",
                f"Region {r} · stocking sites ({regions[r]})",
                f"region {r}",
                regions[r],
            )
        )
    for s in stocking:
        detail = s.type if s.type != "supplier" else f"tier {g.nodes[s.site_id].get('tier', 1)}"
        where = f", {s.region}" if s.region else ""
        name = f" · {s.name}" if s.name and s.name != s.site_id else ""
        out.append(Target(s.site_id, f"{s.site_id}{name} ({detail}{where})", s.site_id + name, 1))
    return out


@dataclass(frozen=True)
class BufferRequest:
    """What the Buffers view asks for."""

    target: str
    levels: tuple[float, ...]
    trials: int
    scenario: str
    title: str = ""

    def describe(self) -> str:
        return (
            f"Buffer curve of {self.title or self.target}: {len(self.levels)} levels × "
            f"{self.trials:,} trials"
        )


@dataclass(frozen=True)
class LevelRow:
    """One row of the levels table."""

    buffer_days: float
    stockout: tuple[float, float, float]
    change: tuple[float, float, float] | None
    fill_rate: tuple[float, float, float]
    lost_revenue: tuple[float, float, float]
    lost_change: tuple[float, float, float] | None
    is_knee: bool = False
    is_current: bool = False


@dataclass(frozen=True)
class BufferOutcome:
    """A finished buffer curve, ready to show."""

    request: BufferRequest
    result: SweepResult
    doc: dict[str, Any]
    rows: list[LevelRow]
    elapsed: float
    currency: str = ""
    members: tuple[str, ...] = field(default=())
    #: Each member's safety stock today, in days of cover (same order as ``members``).
    member_days: tuple[float, ...] = field(default=())

    @property
    def knee(self) -> float | None:
        return self.doc.get("knee_buffer_days")

    @property
    def current(self) -> float | None:
        return self.doc.get("current_buffer_days")


def _triple(d: dict[str, Any] | None) -> tuple[float, float, float] | None:
    if not d:
        return None
    lo, hi = d.get("ci95") or (math.nan, math.nan)
    return float(d["mean"]), float(lo), float(hi)


def level_rows(doc: dict[str, Any]) -> list[LevelRow]:
    """The table rows of a ``SweepResult.to_dict()``."""
    knee, current = doc.get("knee_buffer_days"), doc.get("current_buffer_days")
    out = []
    for lv in doc["levels"]:
        diff = lv.get("difference_from_previous") or {}
        days = float(lv["buffer_days"])
        out.append(
            LevelRow(
                days,
                _triple(lv["stockout_day_probability"]),  # type: ignore[arg-type]
                _triple(diff.get("stockout_day_probability")),
                _triple(lv["fill_rate"]),  # type: ignore[arg-type]
                _triple(lv["lost_revenue"]),  # type: ignore[arg-type]
                _triple(diff.get("lost_revenue")),
                is_knee=knee is not None and math.isclose(days, knee),
                is_current=current is not None and math.isclose(days, current),
            )
        )
    return out


def compute_buffer_curve(
    net: Network,
    request: BufferRequest,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> BufferOutcome:
    """Run :func:`jitrisk.analysis.sweep.sweep` for ``request`` and prepare the table. Qt-free.

    Raises
    ------
    jitrisk.errors.SimulationCancelled
        ``cancelled()`` returned True.
    jitrisk.errors.JitriskError
        The target or the settings cannot be swept.
    """
    t0 = time.perf_counter()
    result = sweep(
        net,
        request.target,
        list(request.levels),
        scenario=request.scenario,
        trials=request.trials,
        progress=progress,
        cancelled=cancelled,
        cluster=cluster,
    )
    doc = result.to_dict()
    scen = apply_scenario(net, request.scenario)
    today = current_days(scen, mean_flows(scen))
    return BufferOutcome(
        request,
        result,
        doc,
        level_rows(doc),
        time.perf_counter() - t0,
        net.settings.currency,
        result.sites,
        tuple(float(today.get(s, math.nan)) for s in result.sites),
    )


def _pp(t: tuple[float, float, float] | None) -> str:
    """A change of a probability in percentage points with its CI: ``'−1.23 pp [−1.40, −1.05]'``."""
    if t is None or not math.isfinite(t[0]):
        return ""
    m, lo, hi = (v * 100 for v in t)
    return f"{m:+.2f} pp [{lo:+.2f}, {hi:+.2f}]".replace("-", "−")


def _money_change(t: tuple[float, float, float] | None) -> str:
    if t is None or not math.isfinite(t[0]):
        return ""

    def signed(v: float) -> str:
        return ("+" if v > 0 else "−" if v < 0 else "") + format_compact(abs(v))

    return f"{signed(t[0])} [{signed(t[1])}, {signed(t[2])}]"


def _level_label(row: LevelRow) -> str:
    marks = [m for m, on in (("knee", row.is_knee), ("current", row.is_current)) if on]
    return f"{row.buffer_days:g}" + (f"  ({', '.join(marks)})" if marks else "")


def headline(outcome: BufferOutcome) -> str:
    """What the curve says, in a sentence or two (rich text)."""
    rows = outcome.rows
    title = outcome.request.title or outcome.request.target
    parts = []
    knee = outcome.knee
    if knee is not None:
        first, last = rows[0], rows[-1]
        knee_row = next(r for r in rows if r.is_knee)
        steep = _slope(first, knee_row)
        flat = _slope(knee_row, last)
        share = format_percent(knee_row.stockout[0])
        text = f"<b>Knee at {format_days(knee)}</b> ({share} stockout days)"
        if math.isfinite(steep) and math.isfinite(flat):
            text += (
                f": below it each day of buffer removed adds about "
                f"<b>{steep * 100:.2f} percentage points</b> of stockout days; above it, about "
                f"{flat * 100:.2f}."
            )
        else:
            text += "."
        parts.append(text)
    else:
        parts.append("<b>No knee</b>: the curve has no clear bend over these levels.")
    current = outcome.current
    if current is not None:
        row = next((r for r in rows if r.is_current), None)
        if row is not None:
            where = (
                "below the knee: on the JIT cliff"
                if knee is not None and current < knee
                else "at or above the knee"
            )
            parts.append(
                f"Current buffer of {title}: <b>{format_days(current)}</b>, "
                f"{format_percent_ci(*row.stockout)} stockout days, {where}."
            )
        else:
            parts.append(
                f"Current buffer of {title}: {format_days(current)} (not among the levels)."
            )
    elif len(outcome.members) > 1:
        parts.append(_members_today(outcome))
    return " ".join(parts)


def _members_today(outcome: BufferOutcome) -> str:
    """For a tier or the network: what setting every member to one level means, and
    where the members stand today against the knee."""
    n = len(outcome.members)
    text = f"The curve sets all {n} sites to each level together."
    days = [d for d in outcome.member_days if math.isfinite(d)]
    if not days:
        return text + " Their current buffers differ, so none is marked."
    lo, mid, hi = min(days), statistics.median(days), max(days)
    text += (
        f" Today they hold {format_days(round(lo, 1))} to {format_days(round(hi, 1))} of cover "
        f"(median {format_days(round(mid, 1))})"
    )
    knee = outcome.knee
    if knee is None:
        return text + "."
    below = sum(1 for d in days if d < knee - 1e-9)
    if below == 0:
        return text + f"; every one is at or above the knee of {format_days(knee)}."
    return (
        text + f"; <b>{below} of {n} are below the knee</b> of {format_days(knee)}, "
        "on the JIT cliff."
    )


def _slope(a: LevelRow, b: LevelRow) -> float:
    """Stockout-day probability lost per extra day of buffer from ``a`` to ``b``."""
    span = b.buffer_days - a.buffer_days
    return (a.stockout[0] - b.stockout[0]) / span if span > 0 else math.nan


def run_info(outcome: BufferOutcome) -> str:
    """The settings the curve was computed with, on one line."""
    req, res = outcome.request, outcome.result
    return (
        f"{req.title or req.target} · scenario {res.scenario} · {len(req.levels)} levels × "
        f"{res.trials:,} trials · seed {res.seed} · computed in {format_duration(outcome.elapsed)}"
    )
