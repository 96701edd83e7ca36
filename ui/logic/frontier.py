"""What the Frontier view computes and says, without Qt.

:func:`compute_frontier` runs :func:`jitrisk.analysis.frontier.recommend` (with
the guaranteed-service plan beside it); :func:`headline` is the takeaway in
two or three sentences, generated from the numbers; :func:`site_rows` the
reconciled per-site table: current, recommended and guaranteed-service days,
and what the extra costs.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jitrisk.analysis.frontier import Recommendation, recommend
from jitrisk.analysis.gsm import place_gsm
from jitrisk.analysis.placement import mean_flows, step_cost
from jitrisk.engine.cluster import Cluster
from jitrisk.model.records import Network
from jitrisk.model.scenarios import apply_scenario
from jitrisk.report.takeaway import takeaway

from .formatting import format_duration

DEFAULT_TRIALS = 200
DEFAULT_CONFIRM = 2000


@dataclass(frozen=True)
class FrontierRequest:
    """What the view asks for; ``holding_rate`` None: each site's own rate."""

    trials: int
    confirm_trials: int
    holding_rate: float | None
    scenario: str

    def describe(self) -> str:
        return f"Frontier: {self.trials:,} search trials, confirmed on {self.confirm_trials:,}"


@dataclass(frozen=True)
class FrontierOutcome:
    request: FrontierRequest
    rec: Recommendation
    doc: dict[str, Any]
    names: dict[str, str]
    currency: str
    elapsed: float
    #: per stocking site: inventory value of a day of cover, and its holding cost a year
    per_day: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontierRow:
    """One site of the reconciled table."""

    site_id: str
    name: str
    current_days: float
    recommended_days: float
    gsm_days: float | None
    extra_value: float
    extra_holding: float
    #: revenue at risk a year its days removed (search numbers, in the order taken)
    removes: float = 0.0


def compute_frontier(
    net: Network,
    request: FrontierRequest,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> FrontierOutcome:
    t0 = time.perf_counter()
    scen = apply_scenario(net, request.scenario)
    gsm = place_gsm(scen)
    gsm_days = {
        sid: float(r.safety_stock_days)
        for sid, r in gsm.stages.items()
        if r.safety_stock_days is not None
    }
    rec = recommend(
        net,
        scenario=request.scenario,
        trials=request.trials,
        confirm_trials=request.confirm_trials,
        holding_rate=request.holding_rate,
        gsm_days=gsm_days,
        progress=progress,
        cancelled=cancelled,
        cluster=cluster,
    )
    names = {s.site_id: s.name for s in net.sites if s.name and s.name != s.site_id}
    flows = mean_flows(scen)
    per_day = {}
    for sid in rec.sites:
        site = scen.site_by_id[sid]
        value = step_cost(scen, flows, sid, 1.0)  # a day of cover is a day's flow
        rate = site.holding_cost_rate if request.holding_rate is None else request.holding_rate
        per_day[sid] = (value, value * rate)
    return FrontierOutcome(
        request, rec, rec.to_dict(), names, net.settings.currency, time.perf_counter() - t0,
        per_day,
    )  # fmt: skip


@dataclass(frozen=True)
class FrontierPlan:
    """A plan of the chart a click can pick: a confirmed point of the frontier, today's
    plan or the guaranteed-service plan, with its days of cover per site."""

    key: str
    label: str
    inventory_value: float
    revenue_at_risk: float
    days: dict[str, float]


def frontier_plans(outcome: FrontierOutcome) -> dict[str, FrontierPlan]:
    """The pickable plans by key: ``current``, ``step:K`` (``recommended`` for the
    recommended one) and ``gsm``; their chart position is (value held, revenue at risk)."""
    rec = outcome.rec

    def plan(key: str, label: str, p: Any) -> FrontierPlan:
        return FrontierPlan(key, label, p.inventory_value, p.revenue_at_risk.mean, dict(p.days))

    out = {"current": plan("current", "Today's plan", rec.current)}
    for k, p in rec.confirmed:
        if k == 0:
            continue
        if k == rec.recommended_index:
            out["recommended"] = plan(
                "recommended", f"Recommended ({k} step{'s' if k != 1 else ''})", p
            )
        else:
            out[f"step:{k}"] = plan(
                f"step:{k}", f"Frontier after {k} step{'s' if k != 1 else ''}", p
            )
    if rec.gsm is not None:
        out["gsm"] = plan("gsm", "Guaranteed-service plan", rec.gsm)
    return out


def site_rows(outcome: FrontierOutcome, plan: FrontierPlan | None = None) -> list[FrontierRow]:
    """Sites whose cover in ``plan`` (default: the recommended one) differs from today's,
    the largest extra value first; for another plan, what its days cost and hold."""
    if plan is None or plan.key == "recommended":
        rows = [
            FrontierRow(
                sid,
                outcome.names.get(sid, ""),
                v["current_days"],
                v["recommended_days"],
                v["gsm_days"],
                v["extra_value"],
                v["extra_holding_cost_per_year"],
                v.get("removes_per_year", 0.0),
            )
            for sid, v in outcome.rec.sites.items()
            if v["recommended_days"] != v["current_days"]
        ]
        return sorted(rows, key=lambda r: -r.extra_value)
    rows = []
    for sid, v in outcome.rec.sites.items():
        days = plan.days.get(sid, v["current_days"])
        if days == v["current_days"]:
            continue
        value, hold = outcome.per_day.get(sid, (math.nan, math.nan))
        extra = days - v["current_days"]
        row = FrontierRow(
            sid, outcome.names.get(sid, ""), v["current_days"], days, v["gsm_days"],
            extra * value, extra * hold, math.nan,
        )  # fmt: skip
        rows.append(row)
    return sorted(rows, key=lambda r: -r.extra_value)


def what_if_name(outcome: FrontierOutcome, plan: FrontierPlan) -> str:
    """A scenario name for ``plan`` applied as a what-if."""
    stem = "recommended" if plan.key == "recommended" else plan.key.replace("step:", "frontier-")
    return stem if plan.key != "current" else "today"


def headline(outcome: FrontierOutcome) -> str:
    """The takeaway (:func:`jitrisk.report.takeaway.takeaway`) as rich text, the
    action in bold."""
    sentences = [html.escape(t) for t in takeaway(outcome.rec, outcome.currency, outcome.names)]
    for i, t in enumerate(sentences):
        if t.startswith(("Hold ", "No extra")):
            head, sep, tail = t.partition(" at ") if t.startswith("Hold ") else t.partition(":")
            sentences[i] = f"<b>{head}</b>{sep}{tail}"
    return " ".join(sentences)


def run_info(outcome: FrontierOutcome) -> str:
    rec = outcome.rec
    rate = (
        "each site's holding rate"
        if outcome.request.holding_rate is None
        else f"holding rate {outcome.request.holding_rate:.0%}"
    )
    return (
        f"Scenario {rec.scenario} · {len(rec.steps)} steps searched on {rec.trials:,} trials "
        f"(seed {rec.seed}) · confirmed on {rec.confirm_trials:,} fresh trials "
        f"(seed {rec.fresh_seed}) · {rate} · computed in {format_duration(outcome.elapsed)}"
    )
