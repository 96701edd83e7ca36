"""What the Frontier view computes and says, without Qt.

:func:`compute_frontier` runs :func:`jitrisk.analysis.frontier.recommend` (with
the guaranteed-service plan beside it); :func:`headline` is the takeaway in
two or three sentences, generated from the numbers; :func:`site_rows` the
reconciled per-site table: current, recommended and guaranteed-service days,
and what the extra costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.analysis.frontier import Recommendation, recommend
from jitrisk.analysis.gsm import place_gsm
from jitrisk.model.records import Network
from jitrisk.model.scenarios import apply_scenario

from .formatting import format_duration, format_money

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


def compute_frontier(
    net: Network,
    request: FrontierRequest,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
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
    )
    names = {s.site_id: s.name for s in net.sites if s.name and s.name != s.site_id}
    return FrontierOutcome(
        request, rec, rec.to_dict(), names, net.settings.currency, time.perf_counter() - t0
    )


def site_rows(outcome: FrontierOutcome) -> list[FrontierRow]:
    """Sites whose recommended cover differs from today's, the largest extra value first."""
    rows = [
        FrontierRow(
            sid,
            outcome.names.get(sid, ""),
            v["current_days"],
            v["recommended_days"],
            v["gsm_days"],
            v["extra_value"],
            v["extra_holding_cost_per_year"],
        )
        for sid, v in outcome.rec.sites.items()
        if v["recommended_days"] != v["current_days"]
    ]
    return sorted(rows, key=lambda r: -r.extra_value)


def _ci(e: Any, cur: str) -> str:
    return f"{format_money(e.mean, cur)} [{format_money(e.lo, cur)}, {format_money(e.hi, cur)}]"


def headline(outcome: FrontierOutcome) -> str:
    """The takeaway: the recommended action, what it costs and what it buys (rich text)."""
    rec, cur = outcome.rec, outcome.currency
    late = "delivered late" if rec.unmet_demand == "backorder" else "lost"
    rows = site_rows(outcome)
    if not rows:
        return (
            "<b>No extra safety stock is worth its holding cost</b>: no day of cover removes "
            f"as much revenue at risk ({late}) a year as it costs to hold. Revenue at risk "
            f"today: {_ci(rec.current.revenue_at_risk, cur)} a year."
        )
    where = ", ".join(r.site_id for r in rows[:3]) + (" and others" if len(rows) > 3 else "")
    extra_value = sum(r.extra_value for r in rows)
    extra_hold = sum(r.extra_holding for r in rows)
    text = (
        f"<b>Hold {format_money(extra_value, cur)} more safety stock</b> at {len(rows)} "
        f"site{'s' if len(rows) != 1 else ''} (most at {where}), costing "
        f"{format_money(extra_hold, cur)} a year to hold: it cuts the revenue at risk "
        f"({late}) from {_ci(rec.current.revenue_at_risk, cur)} to "
        f"{_ci(rec.recommended.revenue_at_risk, cur)} a year, "
        f"<b>{format_money(rec.improvement.mean, cur)}</b> "
        f"[{format_money(rec.improvement.lo, cur)}, {format_money(rec.improvement.hi, cur)}] "
        "less. Beyond it, a day of cover costs more to hold than it protects."
    )
    if rec.gsm is not None:
        text += (
            f" The guaranteed-service plan holds {format_money(rec.gsm.inventory_value, cur)} "
            f"and leaves {_ci(rec.gsm.revenue_at_risk, cur)} a year at risk: it covers "
            "demand swings, not disruptions."
        )
    return text


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
