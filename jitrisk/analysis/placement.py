"""Disruption-aware safety-stock placement: where the next day of buffer pays most.

Given an inventory-value budget, choose extra days of cover per stocking site
to minimise expected lost revenue (or the probability that some customer runs
out) under the workbook's disruption profile.

Method (marginal analysis with common random numbers):

1. **Marginal values.** From the current plan, each candidate site gets ``step``
   more days of cover, one simulation each, all on the same random numbers as
   the current plan; the reduction of the objective per currency unit of extra
   inventory (``step · μ_s · unit_value_s``) is its marginal value, with a CI
   from the paired per-trial differences.
2. **Greedy allocation.** Repeatedly give one step to the site with the
   best marginal value that still fits the budget; after each step the
   marginal values of the ``refresh`` best sites are re-estimated at the new
   plan, because buffers interact (two buffers in series protect the same
   customers).
3. **Confirmation.** The chosen plan and the current plan are simulated again
   on *fresh* random numbers (another seed), and the improvement is reported
   with its confidence interval, so the choice is not an artefact of the
   random numbers it was tuned on.

Greedy marginal allocation is the classic heuristic for separable, convex
resource allocation (Fox 1966); with interacting buffers it is a heuristic,
which is why step 3 checks the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..engine import kernel as K
from ..engine.cluster import Cluster
from ..engine.results import Estimate, SimulationResult, mean_estimate, wilson_estimate
from ..engine.runner import Progress, simulate
from ..errors import JitriskError, SimulationCancelled
from ..model.records import Network
from ..model.scenarios import apply_scenario

OBJECTIVES = ("lost_revenue", "stockout")
FRESH_SEED_OFFSET = 1_000_003


def _objective(res: SimulationResult, objective: str) -> NDArray[np.float64]:
    """Per-trial objective: lost revenue, or 1 when some customer ran out in the horizon."""
    if objective == "lost_revenue":
        return res.network_lost_revenue()
    return (res.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT] >= 0).astype(np.float64)


@dataclass
class Marginal:
    """Effect of one more step of cover at a site."""

    site_id: str
    step_days: float
    step_cost: float
    reduction: Estimate  # of the objective

    @property
    def value_per_cost(self) -> float:
        return self.reduction.mean / self.step_cost if self.step_cost > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "step_days": self.step_days,
            "step_cost": self.step_cost,
            "reduction": self.reduction.as_dict(),
            "reduction_per_currency": self.value_per_cost,
        }


@dataclass
class PlanEvaluation:
    """A buffer plan simulated on fresh random numbers."""

    buffer_days: dict[str, float]
    inventory_value: float
    lost_revenue: Estimate
    any_customer_stockout: Estimate

    def as_dict(self) -> dict[str, Any]:
        return {
            "inventory_value": self.inventory_value,
            "lost_revenue": self.lost_revenue.as_dict(),
            "any_customer_stockout_probability": self.any_customer_stockout.as_dict(),
        }


@dataclass
class PlacementResult:
    """The disruption-aware plan, the current plan and what separates them."""

    objective: str
    budget: float
    spent: float
    extra_days: dict[str, float]
    marginals: list[Marginal]
    current: PlanEvaluation
    chosen: PlanEvaluation
    improvement: Estimate  # objective(current) - objective(chosen), fresh numbers
    trials: int
    seed: int
    fresh_seed: int
    scenario: str
    compared: dict[str, PlanEvaluation] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``place --method simulation`` document (the ``place`` contract plus details)."""
        sites = {}
        for sid, days in self.chosen.buffer_days.items():
            extra = self.extra_days.get(sid, 0.0)
            sites[sid] = {"safety_stock_days": days, "extra_days": extra}
        return {
            "method": "simulation",
            "objective": self.objective,
            "budget": self.budget,
            "total_cost": self.spent,
            "optimal": False,
            "gap": None,
            "scenario": self.scenario,
            "trials": self.trials,
            "seed": self.seed,
            "fresh_seed": self.fresh_seed,
            "sites": sites,
            "current_plan": self.current.as_dict(),
            "chosen_plan": self.chosen.as_dict(),
            "improvement": self.improvement.as_dict(),
            "marginal_values": {m.site_id: m.as_dict() for m in self.marginals},
            "compared_plans": {k: v.as_dict() for k, v in self.compared.items()},
        }


def step_cost(net: Network, flows: dict[str, float], site_id: str, days: float) -> float:
    """Inventory value of ``days`` more cover at a site: ``days · μ · unit_value``."""
    return days * flows[site_id] * net.site_by_id[site_id].unit_value


def mean_flows(net: Network) -> dict[str, float]:
    from ..engine.compiled import compile_network

    c = compile_network(net)
    return {sid: float(c.mean_flow[i]) for i, sid in enumerate(c.site_ids)}


def current_days(net: Network, flows: dict[str, float]) -> dict[str, float]:
    """Each stocking site's safety stock in days; a units override becomes
    ``S / mu - E[L] - 1`` days (the inverse of DOMAIN.md's formula)."""
    from ..engine.compiled import compile_network

    c = compile_network(net)
    out = {}
    for i, sid in enumerate(c.site_ids):
        s = net.site_by_id[sid]
        if not s.is_stocking:
            continue
        mu = flows[sid]
        if s.base_stock_units is None:
            out[sid] = s.safety_stock_days
        elif mu > 0:
            out[sid] = max(float(c.base_stock[i]) / mu - float(c.mean_lead[i]) - 1.0, 0.0)
        else:
            out[sid] = 0.0
    return out


def _simulate_plan(
    net: Network,
    days: dict[str, float],
    trials: int,
    horizon: int | None,
    seed: int,
    workers: int | None,
    cancelled: Callable[[], bool] | None,
    as_is: bool = False,
    cluster: Cluster | None = None,
) -> SimulationResult:
    """``net`` with ``days`` of safety stock at the named sites (``as_is``: the
    network unchanged, its days being these), simulated."""
    return simulate(
        net if as_is else net.with_buffer_days(days),
        trials=trials,
        days=horizon,
        seed=seed,
        workers=workers,
        cancelled=cancelled,
        cluster=cluster,
    )


class SimulationCount:
    """Counts a search's simulations against the number expected (which may grow),
    reports them as progress and stops the search when it is cancelled."""

    def __init__(
        self,
        expected: int,
        progress: Callable[[Progress], None] | None,
        cancelled: Callable[[], bool] | None,
        what: str,
    ) -> None:
        self.expected, self.done = expected, 0
        self.progress, self.cancelled, self.what = progress, cancelled, what
        self.t0 = time.perf_counter()

    def __call__(self) -> None:
        """One more simulation finished."""
        self.done += 1
        if self.progress is not None:
            elapsed = time.perf_counter() - self.t0
            self.progress(Progress(min(self.done, self.expected), self.expected, elapsed))
        if self.cancelled is not None and self.cancelled():
            raise SimulationCancelled(f"{self.what} cancelled")


def plan_objectives(
    net: Network,
    plans: Sequence[dict[str, float]],
    *,
    trials: int,
    horizon: int | None,
    seed: int,
    objective: str = "lost_revenue",
    workers: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
    each: Callable[[], None] | None = None,
) -> list[NDArray[np.float64]]:
    """Per-trial objective of each plan, all on the same numbers (``seed``).

    Here one plan after another; on a ``cluster`` every plan is a task (the
    network is sent to the workers once), so a round of marginal analyses runs
    side by side. ``each`` is called as each plan finishes (it may raise to stop).
    """
    out: list[NDArray[np.float64] | None] = [None] * len(plans)
    if cluster is None:
        for i, days in enumerate(plans):
            res = _simulate_plan(net, days, trials, horizon, seed, workers, cancelled)
            out[i] = _objective(res, objective)
            if each is not None:
                each()
    else:
        shared = cluster.share(net)
        try:
            items = [(shared, dict(p), trials, horizon, seed, objective) for p in plans]
            for i, value in cluster.map_unordered(_plan_task, items):
                out[i] = value
                if each is not None:
                    each()
        finally:
            cluster.release(shared)
    return [v for v in out if v is not None]


def _plan_task(
    net: Network,
    days: dict[str, float],
    trials: int,
    horizon: int | None,
    seed: int,
    objective: str,
) -> NDArray[np.float64]:
    """One plan's per-trial objective, on a cluster worker."""
    return _objective(_simulate_plan(net, days, trials, horizon, seed, None, None), objective)


def evaluate_plan(
    net: Network,
    days: dict[str, float],
    flows: dict[str, float],
    *,
    trials: int,
    horizon: int | None,
    seed: int,
    workers: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    as_is: bool = False,
    cluster: Cluster | None = None,
) -> tuple[PlanEvaluation, SimulationResult]:
    """Simulate a plan (safety stock days per site); ``as_is``: ``days`` are the
    network's own, so it is simulated unchanged."""
    res = _simulate_plan(net, days, trials, horizon, seed, workers, cancelled, as_is, cluster)
    value = sum(d * flows[s] * net.site_by_id[s].unit_value for s, d in days.items())
    first = res.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT]
    ev = PlanEvaluation(
        dict(days),
        value,
        mean_estimate(res.network_lost_revenue(), (0.0, math.inf)),
        wilson_estimate(first >= 0),
    )
    return ev, res


def place_by_simulation(
    net: Network,
    budget: float,
    *,
    objective: str = "lost_revenue",
    scenario: str | None = None,
    step_days: float = 1.0,
    candidates: Sequence[str] | None = None,
    trials: int = 200,
    confirm_trials: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    fresh_seed: int | None = None,
    refresh: int = 3,
    batch: int = 4,
    max_steps: int = 200,
    workers: int | None = None,
    compare: dict[str, dict[str, float]] | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> PlacementResult:
    """Spend an inventory-value ``budget`` on buffer days where they cut risk most.

    Parameters
    ----------
    budget : float
        Extra inventory value (currency) to place.
    objective : {"lost_revenue", "stockout"}
        Expected lost revenue, or the probability that some customer runs out.
    step_days : float
        Granularity of the allocation (days of cover).
    candidates : sequence of str, optional
        Sites that may receive buffer (default: every stocking site).
    trials, seed
        Trials and seed of the search (common random numbers throughout).
    confirm_trials : int, optional
        Trials of the confirmation on fresh numbers (default ``2 * trials``).
    fresh_seed : int, optional
        Seed of the confirmation (default ``seed + 1,000,003``; it must differ from
        ``seed``). With the seed, trials and days of a run already made, the current
        plan's confirmation *is* that run, number for number: the network is
        simulated as it is, not rebuilt from days of cover.
    refresh, batch : int
        Marginal values re-estimated after each allocation, and most steps given
        to one site before re-estimating.
    compare : dict, optional
        Other plans (name -> safety stock days per site) to evaluate side by
        side on the same fresh numbers, e.g. the guaranteed-service plan.
    cluster : Cluster, optional
        Each round of marginal analyses runs side by side on a Dask cluster, one
        candidate a task; the plan chosen and every number are the same.
    """
    if objective not in OBJECTIVES:
        raise JitriskError(f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if not (budget >= 0 and math.isfinite(budget)):
        raise JitriskError(f"budget must be a non-negative amount, got {budget!r}")
    base = apply_scenario(net, scenario or net.scenario)
    seed = base.settings.seed if seed is None else seed
    flows = mean_flows(base)
    plan = current_days(base, flows)
    cands = list(candidates) if candidates else list(plan)
    for sid in cands:
        if sid not in plan:
            raise JitriskError(f"'{sid}' is not a stocking site")
    cands = [s for s in cands if step_cost(base, flows, s, step_days) > 0]
    tick = SimulationCount(len(cands) + 2 * refresh + 3, progress, cancelled, "placement")

    def runs(plans: list[dict[str, float]]) -> list[NDArray[np.float64]]:
        return plan_objectives(
            base, plans, trials=trials, horizon=days, seed=seed, objective=objective,
            workers=workers, cancelled=cancelled, cluster=cluster, each=tick,
        )  # fmt: skip

    def marginals(
        sids: list[str], ref: NDArray[np.float64], at: dict[str, float]
    ) -> dict[str, Marginal]:
        plans = [{**at, sid: at[sid] + step_days} for sid in sids]
        return {
            sid: Marginal(
                sid, step_days, step_cost(base, flows, sid, step_days), mean_estimate(ref - obj)
            )
            for sid, obj in zip(sids, runs(plans), strict=True)
        }

    (ref,) = runs([plan])
    marg = marginals(cands, ref, plan)
    table = sorted(marg.values(), key=lambda m: -m.value_per_cost)
    extra: dict[str, float] = {}
    spent = 0.0
    for _ in range(max_steps):
        fits = [
            m
            for m in marg.values()
            if m.reduction.mean > 0 and spent + m.step_cost <= budget + 1e-9
        ]
        if not fits:
            break
        best = max(fits, key=lambda m: m.value_per_cost)
        # a large budget is spent in batches (at most a fifth of what is left, at most
        # `batch` steps) before the marginal values are re-estimated
        left = budget - spent
        n = int(max(1, min(batch, 0.2 * left // best.step_cost, left // best.step_cost)))
        plan[best.site_id] += n * step_days
        extra[best.site_id] = extra.get(best.site_id, 0.0) + n * step_days
        spent += n * best.step_cost
        (ref,) = runs([plan])
        top = sorted(marg.values(), key=lambda m: -m.value_per_cost)[:refresh]
        marg.update(
            marginals(list(dict.fromkeys([best.site_id, *(m.site_id for m in top)])), ref, plan)
        )
        tick.expected = max(tick.expected, tick.done + refresh + 3)

    fresh = seed + FRESH_SEED_OFFSET if fresh_seed is None else fresh_seed
    if fresh == seed:
        raise JitriskError("the confirmation needs other random numbers than the search")
    confirm = confirm_trials or 2 * trials
    start = current_days(base, flows)

    def confirmed(
        days_: dict[str, float], as_is: bool = False
    ) -> tuple[PlanEvaluation, SimulationResult]:
        # every plan on the same fresh numbers: the comparisons are paired
        return evaluate_plan(
            base,
            days_,
            flows,
            trials=confirm,
            horizon=days,
            seed=fresh,
            workers=workers,
            cancelled=cancelled,
            as_is=as_is,
            cluster=cluster,
        )

    cur, cur_res = confirmed(start, as_is=True)
    cho, cho_res = confirmed(plan)
    improvement = mean_estimate(_objective(cur_res, objective) - _objective(cho_res, objective))
    compared = {}
    for name, other in (compare or {}).items():
        full = dict(start)
        full.update(other)
        compared[name], _ = confirmed(full)
    return PlacementResult(
        objective,
        budget,
        spent,
        extra,
        table,
        cur,
        cho,
        improvement,
        trials,
        seed,
        fresh,
        base.scenario,
        compared,
    )
