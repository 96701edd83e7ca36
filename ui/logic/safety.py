"""What the Safety stock view computes and says, free of Qt: plans, their values, the headline.

:func:`compute_plans` sets the guaranteed-service plan and the disruption-aware
plan for a budget beside the current one, each with its simulated risk and
inventory value; :func:`headline` is the sentence the view leads with.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.analysis.gsm import GSMSolution, place_gsm
from jitrisk.analysis.gsm.stages import review_words
from jitrisk.analysis.placement import (
    PlacementResult,
    PlanEvaluation,
    current_days,
    mean_flows,
    place_by_simulation,
)
from jitrisk.engine.cluster import Cluster
from jitrisk.errors import SimulationCancelled
from jitrisk.model.records import Network
from jitrisk.report.tables import revenue_words

from ..logic.formatting import (
    MISSING,
    format_compact,
    format_duration,
    format_money,
    format_money_ci,
    format_percent,
)
from .buffers import scenario_network

DEFAULT_PLACE_TRIALS = 100


#: The default budget: this share of the current safety stock's value, rounded.
DEFAULT_BUDGET_SHARE = 0.01


OBJECTIVES = {
    "lost_revenue": "Expected revenue at risk",
    "stockout": "P(any customer stockout)",
}


PLAN_NAMES = ("Current plan", "Guaranteed service (GSM)", "Disruption-aware")


#: The same plans on the cards (narrower: the stock value shares the line).
CARD_TITLES = ("Current plan", "Guaranteed service", "Disruption-aware")


def nice_amount(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten (at least 1)."""
    if not (value > 0 and math.isfinite(value)):
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if value >= step * power:
            return float(step * power)
    return float(power)


@dataclass(frozen=True)
class SafetyRequest:
    """What the Safety stock view asks for (``budget`` None: the GSM plan only)."""

    service_level: float
    budget: float | None
    objective: str
    trials: int
    scenario: str
    #: ``(seed, trials, days)`` of the Results run of the same scenario: the current
    #: plan is then confirmed on its numbers, so both views show the same baseline
    baseline_run: tuple[int, int, int] | None = None

    def describe(self) -> str:
        if self.budget is None:
            return f"Guaranteed-service plan at {self.service_level:.1%}"
        return (
            f"Both plans: GSM at {self.service_level:.1%}, disruption-aware with a budget of "
            f"{format_compact(self.budget)} ({self.trials:,} trials)"
        )


@dataclass(frozen=True)
class GsmPlan:
    """A solved guaranteed-service plan and the days of cover it sets."""

    service_level: float
    scenario: str
    solution: GSMSolution
    doc: dict[str, Any]
    days: dict[str, float]  # sites with a defined safety-stock days


@dataclass(frozen=True)
class SiteRow:
    """One row of the per-site table."""

    site_id: str
    name: str
    type: str
    current_days: float
    gsm_days: float
    gsm_units: float
    gsm_value: float
    gsm_service_time: float
    extra_days: float  # NaN without a disruption-aware plan
    aware_days: float
    extra_value: float


@dataclass(frozen=True)
class SafetyOutcome:
    """Both plans (or the GSM plan alone), ready to show."""

    request: SafetyRequest
    gsm: GsmPlan
    placement: PlacementResult | None
    rows: list[SiteRow]
    plans: list[PlanSummary]
    current_value: float
    gsm_value: float
    elapsed: float
    currency: str = ""
    #: the workbook's mode: revenue of unmet demand delivered late, or lost
    unmet_demand: str = "backorder"


def solve_gsm(net: Network, service_level: float, scenario: str) -> GsmPlan:
    """The guaranteed-service plan of ``scenario`` at ``service_level``. Qt-free."""
    solution = place_gsm(scenario_network(net, scenario), service_level)
    doc = solution.to_dict()
    days = {
        sid: float(v["safety_stock_days"])
        for sid, v in doc["sites"].items()
        if v.get("safety_stock_days") is not None and math.isfinite(v["safety_stock_days"])
    }
    return GsmPlan(service_level, scenario, solution, doc, days)


def _value(net: Network, days: dict[str, float], flows: dict[str, float]) -> float:
    """Inventory value of a plan, as :func:`jitrisk.analysis.placement.evaluate_plan` counts it."""
    return sum(d * flows[s] * net.site_by_id[s].unit_value for s, d in days.items())


def _summary(name: str, value: float, ev: PlanEvaluation | None) -> PlanSummary:
    if ev is None:
        nan3 = (math.nan, math.nan, math.nan)
        return PlanSummary(name, value, nan3, nan3)
    lr, so = ev.lost_revenue, ev.any_customer_stockout
    return PlanSummary(name, ev.inventory_value, (lr.mean, lr.lo, lr.hi), (so.mean, so.lo, so.hi))


def compute_plans(
    net: Network,
    request: SafetyRequest,
    gsm: GsmPlan | None = None,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> SafetyOutcome:
    """Solve the GSM plan (unless ``gsm`` is given for the same settings), then, with a
    budget, the disruption-aware plan compared with it on fresh random numbers. Qt-free.

    ``progress`` gets a stage (a string) while GSM solves, then the
    placement's :class:`~jitrisk.engine.Progress` (simulations done).

    Raises
    ------
    jitrisk.errors.SimulationCancelled
        ``cancelled()`` returned True.
    """
    t0 = time.perf_counter()
    base = scenario_network(net, request.scenario)
    if (
        gsm is None
        or gsm.service_level != request.service_level
        or (gsm.scenario != request.scenario)
    ):
        if progress is not None:
            progress("Solving the guaranteed-service plan…")
        gsm = solve_gsm(net, request.service_level, request.scenario)
    if cancelled is not None and cancelled():
        raise SimulationCancelled("cancelled after the guaranteed-service plan")
    flows = mean_flows(base)
    start = current_days(base, flows)
    gsm_days = {s: d for s, d in gsm.days.items() if s in start}
    gsm_full = dict(start)
    gsm_full.update(gsm_days)
    current_value = _value(base, start, flows)
    gsm_value = _value(base, gsm_full, flows)
    placement = None
    if request.budget is not None:
        if progress is not None:
            progress("Searching the disruption-aware plan…")
        same_numbers: dict[str, Any] = {}
        if request.baseline_run is not None:
            seed, trials, days = request.baseline_run
            # search on other numbers; confirm on the Results run's: its current plan is
            # then that very run
            same_numbers = {"seed": seed + 1, "fresh_seed": seed, "confirm_trials": trials}
            same_numbers["days"] = days
        placement = place_by_simulation(
            net,
            request.budget,
            objective=request.objective,
            scenario=request.scenario,
            trials=request.trials,
            compare={"gsm": gsm_days},
            progress=progress,
            cancelled=cancelled,
            cluster=cluster,
            **same_numbers,
        )
    rows = []
    gsm_sites = gsm.doc["sites"]
    for sid, days in start.items():
        site = base.site_by_id[sid]
        g = gsm_sites.get(sid, {})
        extra = placement.extra_days.get(sid, 0.0) if placement is not None else math.nan
        rows.append(
            SiteRow(
                sid,
                site.name if site.name != sid else "",
                site.type,
                days,
                gsm.days.get(sid, math.nan),
                float(g.get("safety_stock_units") or 0.0) if g else math.nan,
                float(g["safety_stock_value"])
                if g.get("safety_stock_value") is not None
                else math.nan,
                float(g.get("committed_service_time", math.nan)) if g else math.nan,
                extra,
                days + extra if math.isfinite(extra) else math.nan,
                extra * flows[sid] * site.unit_value if math.isfinite(extra) else math.nan,
            )
        )
    rows.sort(
        key=lambda r: (
            -(r.extra_value if math.isfinite(r.extra_value) else 0.0),
            -(r.gsm_value if math.isfinite(r.gsm_value) else 0.0),
        )
    )
    if placement is not None:
        plans = [
            _summary(PLAN_NAMES[0], current_value, placement.current),
            _summary(PLAN_NAMES[1], gsm_value, placement.compared.get("gsm")),
            _summary(PLAN_NAMES[2], placement.chosen.inventory_value, placement.chosen),
        ]
    else:
        plans = [
            _summary(PLAN_NAMES[0], current_value, None),
            _summary(PLAN_NAMES[1], gsm_value, None),
        ]
    return SafetyOutcome(
        request,
        gsm,
        placement,
        rows,
        plans,
        current_value,
        gsm_value,
        time.perf_counter() - t0,
        net.settings.currency,
        base.settings.unmet_demand,
    )


def _num(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}" if math.isfinite(value) else MISSING


def _sort(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


def headline(outcome: SafetyOutcome) -> str:
    """What the plans say, in two sentences (rich text)."""
    cur = outcome.currency
    gsm_text = (
        f"The <b>guaranteed-service plan</b> ({outcome.gsm.solution.service_level:.1%}) holds "
        f"{format_money(outcome.gsm_value, cur)} of safety stock, against "
        f"{format_money(outcome.current_value, cur)} now."
    )
    p = outcome.placement
    if p is None:
        return gsm_text + " Set a budget and press Run to add the disruption-aware plan."
    n = len(p.extra_days)
    if not n:
        return (
            f"{gsm_text} The <b>disruption-aware plan</b> found no day of cover worth "
            f"{format_money(p.budget, cur)} or less that lowers the risk."
        )
    imp = p.improvement
    if p.objective == "lost_revenue":
        change = (
            f"{'cuts' if imp.mean >= 0 else 'raises'} expected "
            f"{revenue_words(outcome.unmet_demand)} by "
            f"<b>{format_money(abs(imp.mean), cur)}</b> "
            f"[{format_compact(imp.lo)}, {format_compact(imp.hi)}]"
        )
    else:
        change = (
            f"{'cuts' if imp.mean >= 0 else 'raises'} P(any customer stockout) by "
            f"<b>{abs(imp.mean) * 100:.1f} points</b> [{imp.lo * 100:.1f}, {imp.hi * 100:.1f}]"
        )
    return (
        f"{gsm_text} The <b>disruption-aware plan</b> places {format_money(p.spent, cur)} of "
        f"the {format_money(p.budget, cur)} budget at {n} site{'s' if n != 1 else ''} and "
        f"{change} against the current plan, on fresh random numbers."
    )


def plan_text(plan: PlanSummary) -> str:
    """A plan in one line (tests, tooltips)."""
    return (
        f"{plan.name}: value {format_compact(plan.inventory_value)}, lost revenue "
        f"{format_money_ci(*plan.lost_revenue)}, P(any stockout) {format_percent(plan.stockout[0])}"
    )


@dataclass(frozen=True)
class PlanSummary:
    """One safety-stock plan as the comparison chart shows it.

    ``lost_revenue`` and ``stockout`` are (mean, lo, hi); NaN when the plan
    was not simulated.
    """

    name: str
    inventory_value: float
    lost_revenue: tuple[float, float, float]
    stockout: tuple[float, float, float]


def run_info(outcome: SafetyOutcome) -> str:
    """The settings the plans were computed with, on one line."""
    req, gsm = outcome.request, outcome.gsm.solution
    info = [
        f"Scenario {req.scenario}",
        f"GSM service level {req.service_level:.1%}, {review_words(gsm.review_days)}",
    ]
    if outcome.placement is not None:
        p = outcome.placement
        if req.baseline_run is not None:
            confirm = f"confirmed on the Results run's {req.baseline_run[1]:,} trials"
        else:
            confirm = f"confirmed on {2 * p.trials:,} fresh ones"
        info.append(f"searched on {p.trials:,} trials, {confirm} (seeds {p.seed}, {p.fresh_seed})")
    info.append(f"computed in {format_duration(outcome.elapsed)}")
    return " · ".join(info)
