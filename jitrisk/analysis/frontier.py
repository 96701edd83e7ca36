r"""The safety-stock frontier and the recommended plan: what buffer is worth buying.

The frontier is built by the disruption-aware placement's marginal analysis
(:mod:`jitrisk.analysis.placement`), run without a budget cap and recorded step
by step, so the whole curve costs about what one large placement costs:

1. From the current plan, every stocking site gets ``step_days`` more cover in
   its own simulation, all on the same random numbers (common random numbers,
   CRN); its *marginal benefit* is the revenue at risk it removes per year,
   :math:`\Delta R_s = 365/T \cdot \overline{(L_{\text{now}} - L_{+s})}`.
2. Greedily, the step with the largest benefit per unit of inventory value
   (:math:`\Delta R_s / (\text{step}\cdot\mu_s v_s)`) is taken (up to ``batch``
   days at once while the benefit is at least :data:`BATCH_RATIO` times their
   holding cost and each of them removes about as much as the first, else one
   day); the plan is
   simulated again on the same numbers, and the benefits of the site taken and
   of the ``refresh`` next best are re-estimated at the new plan (buffers in
   series protect the same customers). A step that does not lower the revenue
   at risk on the common numbers is undone and its site set aside, so the
   frontier never rises with the budget.
3. Each step records the inventory value added, its yearly holding cost
   :math:`h_s \cdot \text{step}\cdot\mu_s v_s` (the site's ``holding_cost_rate``),
   and the revenue at risk of the plan so far.

**The recommendation rule.** Buy a step while the revenue at risk it removes
per year is at least what it costs to hold per year (
:math:`\Delta R \ge h \cdot \Delta V`): the recommended plan is the frontier
point after the last step of the unbroken run of such steps from the start.
The holding rate is the planner's own (each site's ``holding_cost_rate``, or
``holding_rate`` for all). Beyond it the curve is drawn on until a step's
benefit falls below :data:`DRAW_ON` times its holding cost, to show the
flattening.

**Confirmation.** The current plan, the recommended plan, the guaranteed-service
plan and up to ``confirm_points`` frontier points are simulated again on
*fresh* random numbers (``seed + 1,000,003``) with ``confirm_trials`` trials;
their revenue at risk per year is reported with a 95 % interval (and the
recommended plan's improvement over the current one as a paired difference).

Revenue at risk is the expected revenue of customer demand not shipped on the
day it was asked for, per year (DOMAIN.md): revenue delivered late in backorder
mode, lost in lost-sales mode.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..engine.cluster import Cluster
from ..engine.results import Estimate, mean_estimate
from ..engine.runner import Progress
from ..errors import JitriskError
from ..model.records import Network
from ..model.scenarios import apply_scenario
from .placement import (
    FRESH_SEED_OFFSET,
    SimulationCount,
    _simulate_plan,
    current_days,
    evaluate_plan,
    mean_flows,
    plan_objectives,
    step_cost,
)

#: The curve is drawn on past the recommendation until a step removes less than
#: this share of its own holding cost.
DRAW_ON = 0.25
#: Several days go to a site at once while its benefit is at least this many times
#: their holding cost ...
BATCH_RATIO = 4.0
#: ... and are kept only if they removed at least this share of ``days x`` the
#: one-day benefit (the linear regime); otherwise one day is taken instead.
LINEAR = 0.9
RULE = (
    "Recommended: the plan after the last of the steps, taken best first, that each "
    "remove at least as much revenue at risk per year as their extra safety stock costs to "
    "hold per year (holding_cost_rate x inventory value)."
)


@dataclass(frozen=True)
class FrontierStep:
    """One greedy step: where, what it added, and the plan's revenue at risk after it."""

    site_id: str
    days_added: float  # days of cover this step added at the site
    extra_value: float  # cumulative inventory value added
    holding_cost_per_year: float  # cumulative
    step_benefit_per_year: float  # revenue at risk this step removed, per year (search)
    step_holding_per_year: float
    revenue_at_risk: float  # per year, search numbers
    plan: dict[str, float]


@dataclass
class PlanPoint:
    """A plan confirmed on fresh numbers."""

    name: str
    days: dict[str, float]
    inventory_value: float
    holding_cost_per_year: float
    revenue_at_risk: Estimate  # per year

    def as_dict(self) -> dict[str, Any]:
        return {
            "inventory_value": self.inventory_value,
            "holding_cost_per_year": self.holding_cost_per_year,
            "revenue_at_risk": self.revenue_at_risk.as_dict(),
        }


@dataclass
class Recommendation:
    """The ``jitrisk recommend`` result (see the module docstring)."""

    scenario: str
    trials: int
    confirm_trials: int
    days: int
    seed: int
    fresh_seed: int
    unmet_demand: str
    current: PlanPoint
    recommended: PlanPoint
    recommended_index: int
    steps: list[FrontierStep]
    confirmed: list[tuple[int, PlanPoint]]  # (steps taken, point)
    improvement: Estimate  # revenue at risk removed per year, paired, fresh numbers
    gsm: PlanPoint | None = None
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the workbook's other scenarios, each as it is (its cover, its disruptions), with
    #: what it costs a year besides its inventory (``cost_per_year``)
    scenarios: dict[str, tuple[PlanPoint, float]] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The ``jitrisk recommend --json`` document (issue 21's contract, more keys)."""
        rec = self.recommended.as_dict() | {"sites": self.sites, "steps": self.recommended_index}
        frontier = [
            p.as_dict() | {"steps": k, "sites": {s: d for s, d in p.days.items()}}
            for k, p in self.confirmed
        ]
        search = [
            {
                "site_id": s.site_id,
                "days_added": s.days_added,
                "extra_value": s.extra_value,
                "holding_cost_per_year": s.holding_cost_per_year,
                "step_benefit_per_year": s.step_benefit_per_year,
                "step_holding_per_year": s.step_holding_per_year,
                "revenue_at_risk": s.revenue_at_risk,
            }
            for s in self.steps
        ]
        points: dict[str, Any] = {
            "current": self.current.as_dict(),
            "scenarios": {
                name: p.as_dict()
                | {
                    "cost_per_year": cost,
                    "total_cost_per_year": p.holding_cost_per_year + cost,
                }
                for name, (p, cost) in self.scenarios.items()
            },
        }
        if self.gsm is not None:
            points["gsm"] = self.gsm.as_dict()
        wording = "delivered late" if self.unmet_demand == "backorder" else "lost"
        return {
            "rule": RULE,
            "revenue_at_risk_means": f"revenue of demand not shipped on the day asked ({wording})",
            "scenario": self.scenario,
            "trials": self.trials,
            "confirm_trials": self.confirm_trials,
            "days": self.days,
            "seed": self.seed,
            "fresh_seed": self.fresh_seed,
            "recommended": rec,
            "improvement_per_year": self.improvement.as_dict(),
            "frontier": frontier,
            "search": search,
            "points": points,
            "elapsed_s": self.elapsed_s,
        }


def _holding(
    net: Network, flows: dict[str, float], days: dict[str, float], rate: float | None
) -> float:
    return float(
        sum(
            d * flows[s] * net.site_by_id[s].unit_value
            * (net.site_by_id[s].holding_cost_rate if rate is None else rate)
            for s, d in days.items()
        )
    )  # fmt: skip


def recommend(
    net: Network,
    *,
    scenario: str | None = None,
    trials: int = 200,
    confirm_trials: int = 2000,
    days: int | None = None,
    seed: int | None = None,
    step_days: float = 1.0,
    holding_rate: float | None = None,
    max_steps: int = 80,
    refresh: int = 1,
    batch: int = 4,
    confirm_points: int = 6,
    gsm_days: dict[str, float] | None = None,
    scenarios: bool = True,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> Recommendation:
    """Build the frontier, pick the recommended plan and confirm it (module docstring).

    ``gsm_days`` (site -> days), when given, is confirmed beside the others as the
    guaranteed-service plan; with ``scenarios``, every other scenario of the
    workbook is confirmed as it is, as a point with its ``cost_per_year``. On a
    ``cluster`` the first round of marginal values runs one site a task and every
    other simulation spreads its trials over the workers; the numbers are the same.
    Raises :class:`JitriskError` for invalid settings.
    """
    if trials < 2 or confirm_trials < 2:
        raise JitriskError("the search and the confirmation need at least 2 trials each")
    if not (step_days > 0 and math.isfinite(step_days)):
        raise JitriskError(f"step_days must be a positive number of days, got {step_days!r}")
    if holding_rate is not None and not (holding_rate >= 0 and math.isfinite(holding_rate)):
        raise JitriskError(f"holding_rate must be >= 0, got {holding_rate!r}")
    t0 = time.perf_counter()
    base = apply_scenario(net, scenario or net.scenario)
    seed = base.settings.seed if seed is None else seed
    horizon = days or base.settings.days
    per_year = 365.0 / horizon
    flows = mean_flows(base)
    start = current_days(base, flows)
    cands = [s for s in start if step_cost(base, flows, s, step_days) > 0]
    guess = len(cands) + max_steps * (refresh + 1) + confirm_points + 3
    tick = SimulationCount(guess, progress, cancelled, "recommendation")

    def run(plan: dict[str, float]) -> NDArray[np.float64]:
        res = _simulate_plan(base, plan, trials, horizon, seed, workers, cancelled, False, cluster)
        tick()
        return res.network_lost_revenue().astype(np.float64)

    def rate_of(sid: str) -> float:
        return base.site_by_id[sid].holding_cost_rate if holding_rate is None else holding_rate

    def benefit(sid: str, ref: NDArray[np.float64], at: dict[str, float]) -> float:
        trial = dict(at)
        trial[sid] = at[sid] + step_days
        return float(np.mean(ref - run(trial))) * per_year

    plan = dict(start)
    ref = run(plan)
    first = plan_objectives(
        base, [{**plan, sid: plan[sid] + step_days} for sid in cands], trials=trials,
        horizon=horizon, seed=seed, workers=workers, cancelled=cancelled, cluster=cluster,
        each=tick,
    )  # fmt: skip
    gains = {
        sid: float(np.mean(ref - lost)) * per_year for sid, lost in zip(cands, first, strict=True)
    }
    steps: list[FrontierStep] = []
    added = held = 0.0
    for _ in range(max_steps):
        live = {s: g for s, g in gains.items() if g > 0}
        if not live:
            break
        best = max(live, key=lambda s: live[s] / step_cost(base, flows, s, step_days))
        cost = step_cost(base, flows, best, step_days)
        hold = cost * rate_of(best)
        last = steps[-1] if steps else None
        if (
            gains[best] < DRAW_ON * hold
            and last is not None
            and last.step_benefit_per_year < last.step_holding_per_year
        ):
            break  # well past the recommendation: the curve is flat enough
        # far from worth-its-cost, several days at once; kept only while each day still
        # removes about as much as the first (else undone, and one day taken)
        n = max(1, min(batch, int(gains[best] / max(hold, 1e-12) // BATCH_RATIO)))
        taken = None
        for size in dict.fromkeys((n, 1)):
            trial = dict(plan)
            trial[best] += size * step_days
            after = run(trial)
            removed = float(np.mean(ref - after)) * per_year
            if size == 1 or removed >= LINEAR * size * gains[best]:
                taken = (size, trial, after, removed)
                break
        assert taken is not None
        size, trial, after, removed = taken
        if removed <= 0:  # not better on the common numbers: undo, set the site aside
            gains[best] = 0.0
            continue
        plan, ref = trial, after
        added += size * cost
        held += size * hold
        steps.append(
            FrontierStep(
                best,
                size * step_days,
                added,
                held,
                removed,
                size * hold,
                float(np.mean(ref)) * per_year,
                plan,
            )
        )
        top = sorted(gains, key=lambda s: -gains[s])[:refresh]
        for sid in dict.fromkeys([best, *top]):
            if gains[sid] > 0 or sid == best:
                gains[sid] = benefit(sid, ref, plan)
    # the unbroken run of steps worth their holding cost
    chosen = 0
    for i, st in enumerate(steps, start=1):
        if st.step_benefit_per_year < st.step_holding_per_year:
            break
        chosen = i
    fresh = seed + FRESH_SEED_OFFSET

    def confirm(
        name: str, days_: dict[str, float], as_is: bool = False
    ) -> tuple[PlanPoint, NDArray[np.float64]]:
        ev, res = evaluate_plan(
            base, days_, flows, trials=confirm_trials, horizon=horizon, seed=fresh,
            workers=workers, cancelled=cancelled, as_is=as_is, cluster=cluster,
        )  # fmt: skip
        tick()
        lost = res.network_lost_revenue().astype(np.float64)
        point = PlanPoint(
            name,
            dict(days_),
            ev.inventory_value,
            _holding(base, flows, days_, holding_rate),
            mean_estimate(lost * per_year, (0.0, math.inf)),
        )
        return point, lost

    current, cur_lost = confirm("current", start, as_is=True)
    rec_plan = steps[chosen - 1].plan if chosen else start
    recommended, rec_lost = confirm("recommended", rec_plan, as_is=chosen == 0)
    picks = _spread(len(steps), confirm_points, chosen)
    confirmed: list[tuple[int, PlanPoint]] = [(0, current)]
    for k in picks:
        confirmed.append(
            (k, recommended if k == chosen else confirm(f"step {k}", steps[k - 1].plan)[0])
        )
    gsm = None
    if gsm_days:
        full = dict(start)
        full.update({s: d for s, d in gsm_days.items() if s in full})
        gsm = confirm("gsm", full)[0]
    sites = _site_table(base, flows, start, rec_plan, gsm_days or {}, rate_of, steps[:chosen])
    others: dict[str, tuple[PlanPoint, float]] = {}
    for name in (n for n in net.scenario_names if n != base.scenario) if scenarios else ():
        scen = apply_scenario(net, name)
        scen_flows = mean_flows(scen)
        scen_days = current_days(scen, scen_flows)
        ev, res = evaluate_plan(
            scen, scen_days, scen_flows, trials=confirm_trials, horizon=horizon, seed=fresh,
            workers=workers, cancelled=cancelled, as_is=True, cluster=cluster,
        )  # fmt: skip
        tick()
        lost = res.network_lost_revenue().astype(np.float64) * per_year
        point = PlanPoint(
            name,
            scen_days,
            ev.inventory_value,
            _holding(scen, scen_flows, scen_days, holding_rate),
            mean_estimate(lost, (0.0, math.inf)),
        )
        others[name] = (point, scen.cost_per_year)
    return Recommendation(
        scenario=base.scenario,
        trials=trials,
        confirm_trials=confirm_trials,
        days=horizon,
        seed=seed,
        fresh_seed=fresh,
        unmet_demand=base.settings.unmet_demand,
        current=current,
        recommended=recommended,
        recommended_index=chosen,
        steps=steps,
        confirmed=sorted(confirmed, key=lambda kp: kp[0]),
        improvement=mean_estimate((cur_lost - rec_lost) * per_year),
        gsm=gsm,
        sites=sites,
        scenarios=others,
        elapsed_s=time.perf_counter() - t0,
    )


def _spread(n: int, k: int, must: int) -> list[int]:
    """About ``k`` step counts from 1 to ``n``, evenly spread, ``must`` (if > 0) included."""
    if n == 0:
        return []
    picks = {round(float(x)) for x in np.linspace(1, n, min(k, n))}
    if must:
        picks.add(must)
    return sorted(p for p in picks if 1 <= p <= n)


def _site_table(
    net: Network,
    flows: dict[str, float],
    start: dict[str, float],
    plan: dict[str, float],
    gsm: dict[str, float],
    rate_of: Callable[[str], float],
    taken: Sequence[FrontierStep] = (),
) -> dict[str, dict[str, Any]]:
    """Per site: current, recommended and guaranteed-service days, what the extra costs,
    and the revenue at risk a year its steps removed on the search's numbers.

    The removal is attributed in the order the steps were taken (each step's marginal
    benefit given the steps before it), so the sites' shares add up to the plan's
    whole reduction on the search numbers; another order would share it otherwise.
    """
    removed: dict[str, float] = {}
    for st in taken:
        removed[st.site_id] = removed.get(st.site_id, 0.0) + st.step_benefit_per_year
    out: dict[str, dict[str, Any]] = {}
    for sid, now in start.items():
        extra_days = plan[sid] - now
        value = extra_days * flows[sid] * net.site_by_id[sid].unit_value
        out[sid] = {
            "current_days": now,
            "recommended_days": plan[sid],
            "gsm_days": gsm.get(sid),
            "extra_value": value,
            "extra_holding_cost_per_year": value * rate_of(sid),
            "removes_per_year": removed.get(sid, 0.0),
        }
    return out
