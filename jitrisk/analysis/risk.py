"""Time to survive, time to recover and the risk exposure index (Simchi-Levi et al.).

For every stocking site (and every region, all its sites down at once):

* **TTR**, time to recover: the site's ``ttr_days`` when given, otherwise the
  longest mean duration of the outages in the disruption profile that hit it,
  otherwise ``default_ttr`` days.
* **TTS**, time to survive, two ways:

  - *simulation*: from steady state, the site goes down on the first reported
    day and stays down; over many trials (demand and lead times random, other
    disruptions switched off), the number of days until the first customer
    stockout (censored at the horizon);
  - *linear programme* (Simchi-Levi, Wang & Wei 2015; Simchi-Levi et al. 2014):
    the largest ``t`` for which the network without the site can still meet
    every customer's mean demand for ``t`` days from the stock it holds
    (base-stock levels, i.e. on hand plus pipeline), production capacity and
    bills of material, with no randomness. Solved with HiGHS (``scipy.optimize.linprog``).

  The LP is an optimistic bound: it reroutes freely within the network's lanes
  (any share), pools all stock perfectly and ignores lead times and day-to-day
  variability, so TTS(LP) >= TTS(simulation) as a rule; the simulation follows
  the actual policy (fixed shares, base-stock ordering, transit times).
* **PI**, performance impact: lost revenue when the site is down for its TTR.
  Simulation: the paired difference (common random numbers) between the run
  with a TTR-day outage and the run without it. LP: minimum lost revenue over
  ``TTR`` days without the site.
* **REI**, risk exposure index: PI divided by the largest PI (1 = worst site).
* A site is **exposed** when TTS < TTR: the network runs dry before the site is
  back. The gap ``ceil(TTR - TTS)`` days of cover of the site's item, held at
  the sites it supplies, would close it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import linprog

from ..engine import kernel as K
from ..engine.cluster import Cluster
from ..engine.results import Estimate, mean_estimate
from ..engine.runner import Progress, simulate
from ..errors import SimulationCancelled
from ..model.distributions import Constant
from ..model.records import Disruption, Network
from ..model.scenarios import apply_scenario

DEFAULT_TTR = 14.0


@dataclass
class SiteRisk:
    """TTS, TTR and impact of one site or region."""

    target: str
    kind: str  # "site" or "region"
    ttr_days: float
    ttr_source: str
    tts: Estimate
    tts_censored_share: float
    tts_lp_days: float
    performance_impact: Estimate
    performance_impact_lp: float
    downstream: tuple[str, ...] = ()
    risk_exposure_index: float = 0.0

    @property
    def exposed(self) -> bool:
        return self.tts.mean < self.ttr_days

    @property
    def gap_days(self) -> float:
        return max(0.0, math.ceil(self.ttr_days - self.tts.mean)) if self.exposed else 0.0

    def advice(self) -> str:
        if not self.exposed:
            return ""
        where = ", ".join(self.downstream) or "downstream"
        unit = "day" if self.gap_days == 1 else "days"
        return f"add about {self.gap_days:g} {unit} of cover of {self.target}'s supply at {where}"

    def as_dict(self) -> dict[str, Any]:
        lp = self.tts_lp_days
        return {
            "kind": self.kind,
            "ttr_days": self.ttr_days,
            "ttr_source": self.ttr_source,
            "tts_days": self.tts.as_dict() | {"censored_share": self.tts_censored_share},
            "tts_lp_days": lp if math.isfinite(lp) else None,
            "performance_impact": self.performance_impact.as_dict(),
            "performance_impact_lp": self.performance_impact_lp,
            "risk_exposure_index": self.risk_exposure_index,
            "exposed": self.exposed,
            "gap_days": self.gap_days,
            "advice": self.advice(),
        }


@dataclass
class RiskReport:
    """Ranked risk of every site and region."""

    sites: list[SiteRisk]
    regions: list[SiteRisk]
    trials: int
    days: int
    seed: int
    scenario: str

    def to_dict(self) -> dict[str, Any]:
        """The ``jitrisk risk --json`` document."""
        return {
            "scenario": self.scenario,
            "trials": self.trials,
            "days": self.days,
            "seed": self.seed,
            "sites": {r.target: r.as_dict() for r in self.sites},
            "regions": {r.target: r.as_dict() for r in self.regions},
        }


def ttr_of(net: Network, site_id: str, default: float = DEFAULT_TTR) -> tuple[float, str]:
    """TTR of a site and where it came from."""
    site = net.site_by_id[site_id]
    if site.ttr_days is not None:
        return float(site.ttr_days), "ttr_days"
    durations = [
        d.duration.mean
        for d in net.disruptions
        if d.kind == "outage"
        and (d.scope == site_id or (site.region and d.scope == f"region:{site.region}"))
    ]
    if durations:
        return float(max(durations)), "disruption profile"
    return float(default), "default"


def _region_ttr(net: Network, region: str, default: float) -> tuple[float, str]:
    durations = [
        d.duration.mean
        for d in net.disruptions
        if d.kind == "outage" and d.scope == f"region:{region}"
    ]
    if durations:
        return float(max(durations)), "disruption profile"
    return float(default), "default"


def _calm(net: Network) -> Network:
    """The network without its own disruptions (the risk runs script their own)."""
    return replace(net, disruptions=())


def _outage_run(
    net: Network,
    scope: str,
    duration: int,
    trials: int,
    days: int,
    seed: int,
    workers: int | None,
    cancelled: Callable[[], bool] | None,
) -> Any:
    down = Disruption("risk-outage", scope, "outage", 0.0, Constant(float(duration)), start_day=0)
    return simulate(
        replace(net, disruptions=(down,)),
        trials=trials,
        days=days,
        seed=seed,
        workers=workers,
        cancelled=cancelled,
    )


def analyse_target(
    net: Network,
    scope: str,
    kind: str,
    ttr: tuple[float, str],
    baseline_lost: np.ndarray,
    trials: int,
    days: int,
    seed: int,
    workers: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SiteRisk:
    """TTS and PI of one site or region (``net`` already without its own disruptions)."""
    ttr_days, source = ttr
    long = _outage_run(net, scope, days + 1, trials, days, seed, workers, cancelled)
    first = long.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT]
    censored = first < 0
    tts_samples = np.where(censored, float(days), first)
    short = _outage_run(net, scope, max(1, round(ttr_days)), trials, days, seed, workers, cancelled)
    # an outage's impact is a loss, >= 0 in expectation: its interval is held at 0 or
    # above (a mean below 0 is sampling noise about no effect, and is shown as it is)
    pi = mean_estimate(short.network_lost_revenue() - baseline_lost, (0.0, math.inf))
    members = _members(net, scope)
    return SiteRisk(
        target=scope.removeprefix("region:"),
        kind=kind,
        ttr_days=ttr_days,
        ttr_source=source,
        tts=mean_estimate(tts_samples, (0.0, float(days))),
        tts_censored_share=float(np.mean(censored)),
        tts_lp_days=tts_lp(net, members),
        performance_impact=pi,
        performance_impact_lp=pi_lp(net, members, ttr_days),
        downstream=tuple(
            sorted(
                {la.target for m in members for la in net.lanes_from(m) if la.target not in members}
            )
        ),
    )


def _members(net: Network, scope: str) -> list[str]:
    if scope.startswith("region:"):
        region = scope[len("region:") :]
        return [s.site_id for s in net.sites if s.region == region and s.is_stocking]
    return [scope]


def risk_report(
    net: Network,
    *,
    scenario: str | None = None,
    trials: int = 200,
    days: int | None = None,
    seed: int | None = None,
    default_ttr: float = DEFAULT_TTR,
    sites: Sequence[str] | None = None,
    regions: bool = True,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> RiskReport:
    """TTS/TTR/PI/REI for every stocking site (or ``sites``) and every region.

    On a ``cluster`` every site's and region's scripted outages run as one task
    (the calm network is sent to the workers once); the numbers are the same.
    """
    base = apply_scenario(net, scenario or net.scenario)
    days = days or min(base.settings.days, 180)
    seed = base.settings.seed if seed is None else seed
    calm = _calm(base)
    baseline = simulate(calm, trials=trials, days=days, seed=seed, workers=workers, cluster=cluster)
    baseline_lost = baseline.network_lost_revenue()
    site_ids = list(sites) if sites else [s.site_id for s in base.sites if s.is_stocking]
    region_names = (
        sorted({s.region for s in base.sites if s.region and s.is_stocking}) if regions else []
    )
    total = len(site_ids) + len(region_names)
    out_sites: list[SiteRisk] = []
    out_regions: list[SiteRisk] = []
    import time

    t0 = time.perf_counter()
    # sites first, then regions: (target, kind, time to recover)
    targets = [(sid, "site", ttr_of(base, sid, default_ttr)) for sid in site_ids] + [
        (f"region:{r}", "region", _region_ttr(base, r, default_ttr)) for r in region_names
    ]
    outcomes: list[SiteRisk | None] = [None] * total
    if cluster is None:
        for i, (target, kind, ttr) in enumerate(targets):
            outcomes[i] = analyse_target(
                calm, target, kind, ttr, baseline_lost, trials, days, seed, workers, cancelled
            )
            _tick(progress, i + 1, total, t0, cancelled)
    else:
        shared = cluster.share((calm, baseline_lost))
        try:
            items = [(shared, *t, trials, days, seed) for t in targets]
            finished = cluster.map_unordered(_target_task, items)
            for done, (i, outcome) in enumerate(finished, start=1):
                outcomes[i] = outcome
                _tick(progress, done, total, t0, cancelled)
        finally:
            cluster.release(shared)
    for outcome in outcomes:
        assert outcome is not None
        (out_sites if outcome.kind == "site" else out_regions).append(outcome)
    for group in (out_sites, out_regions):
        top = max((r.performance_impact.mean for r in group), default=0.0)
        for r in group:
            r.risk_exposure_index = max(r.performance_impact.mean, 0.0) / top if top > 0 else 0.0
        group.sort(key=lambda r: (-r.risk_exposure_index, r.tts.mean))
    return RiskReport(out_sites, out_regions, trials, days, seed, base.scenario)


def _target_task(
    shared: tuple[Network, np.ndarray],
    target: str,
    kind: str,
    ttr: tuple[float, str],
    trials: int,
    days: int,
    seed: int,
) -> SiteRisk:
    """One site's or region's outages on a cluster worker (all its threads)."""
    calm, baseline_lost = shared
    return analyse_target(calm, target, kind, ttr, baseline_lost, trials, days, seed)


def _tick(
    progress: Callable[[Progress], None] | None,
    done: int,
    total: int,
    t0: float,
    cancelled: Callable[[], bool] | None,
) -> None:
    import time

    if progress is not None:
        progress(Progress(done, total, time.perf_counter() - t0))
    if cancelled is not None and cancelled() and done < total:
        raise SimulationCancelled(f"cancelled after {done} of {total} sites")


# ----------------------------------------------------------------------------- the LPs


class _FlowModel:
    """Aggregate flow LP over a window of ``t`` days (Simchi-Levi et al. 2015).

    Variables: a flow per lane, production per producing site, lost units per
    customer and (for TTS) ``t``. Stock available at a site is its base-stock
    level ``S`` (on hand plus pipeline in steady state); line-side buffers
    likewise. Disrupted sites produce and ship nothing.
    """

    def __init__(self, net: Network, down: Sequence[str]):
        from ..engine.compiled import compile_network

        c = compile_network(net)
        self.c = c
        self.down = {c.site_ids.index(s) for s in down}
        self.n_e = c.n_edges
        self.prod_sites = [s for s in range(c.n_sites) if c.site_kind[s] == 2]
        self.cust = list(c.customer_sites)
        self.demand = {int(s): float(c.mean_flow[s]) for s in self.cust}

    def _rows(
        self,
        t_coef_col: int | None,
        window: float,
        n_var: int,
        prod_col: dict[int, int],
        lost_col: dict[int, int],
    ) -> tuple[list, list]:
        c = self.c
        a_ub: list[np.ndarray] = []
        b_ub: list[float] = []

        def row() -> np.ndarray:
            return np.zeros(n_var)

        for s in range(c.n_sites):
            kind = c.site_kind[s]
            outs = c.out_edges[c.out_ptr[s] : c.out_ptr[s + 1]]
            if kind == 1:  # DC: shipped <= stock + received
                r = row()
                r[outs] = 1.0
                ins = c.in_edges[c.in_ptr[s] : c.in_ptr[s + 1]]
                r[ins] -= 1.0
                a_ub.append(r)
                b_ub.append(0.0 if s in self.down else float(c.base_stock[s]))
                if s in self.down:
                    for e in outs:
                        z = row()
                        z[e] = 1.0
                        a_ub.append(z)
                        b_ub.append(0.0)
            elif kind == 2:  # producing: shipped <= stock + produced
                r = row()
                r[outs] = 1.0
                r[prod_col[s]] -= 1.0
                a_ub.append(r)
                b_ub.append(0.0 if s in self.down else float(c.base_stock[s]))
                cap = c.capacity[s]
                if s in self.down:
                    z = row()
                    z[prod_col[s]] = 1.0
                    a_ub.append(z)
                    b_ub.append(0.0)
                    for e in outs:
                        z = row()
                        z[e] = 1.0
                        a_ub.append(z)
                        b_ub.append(0.0)
                elif math.isfinite(cap):  # produced <= capacity * window
                    z = row()
                    z[prod_col[s]] = 1.0
                    if t_coef_col is not None:
                        z[t_coef_col] = -cap
                        b_ub.append(0.0)
                    else:
                        b_ub.append(cap * window)
                    a_ub.append(z)
                for b in range(c.site_buf_ptr[s], c.site_buf_ptr[s + 1]):
                    # components: qpu * produced <= line stock + received
                    z = row()
                    z[prod_col[s]] = c.buf_qpu[b]
                    ins = c.in_edges[c.in_ptr[c.n_sites + b] : c.in_ptr[c.n_sites + b + 1]]
                    z[ins] -= 1.0
                    a_ub.append(z)
                    b_ub.append(float(c.buf_base_stock[b]))
        for s in self.cust:
            # received (+ lost) >= demand * window
            r = row()
            ins = c.in_edges[c.in_ptr[s] : c.in_ptr[s + 1]]
            r[ins] = -1.0
            if t_coef_col is not None:
                r[t_coef_col] = self.demand[int(s)]
                b_ub.append(0.0)
            else:
                r[lost_col[int(s)]] = -1.0
                b_ub.append(-self.demand[int(s)] * window)
            a_ub.append(r)
        return a_ub, b_ub

    def tts(self, horizon: float = 3650.0) -> float:
        n_var = self.n_e + len(self.prod_sites) + 1
        prod_col = {s: self.n_e + i for i, s in enumerate(self.prod_sites)}
        t_col = n_var - 1
        a_ub, b_ub = self._rows(t_col, 0.0, n_var, prod_col, {})
        cost = np.zeros(n_var)
        cost[t_col] = -1.0
        bounds = [(0, None)] * (n_var - 1) + [(0, horizon)]
        res = linprog(cost, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=bounds, method="highs")
        if res.status != 0:
            return math.nan
        t = float(res.x[t_col])
        return math.inf if t >= horizon - 1e-6 else t

    def min_lost_revenue(self, window: float) -> float:
        n_var = self.n_e + len(self.prod_sites) + len(self.cust)
        prod_col = {s: self.n_e + i for i, s in enumerate(self.prod_sites)}
        lost_col = {int(s): self.n_e + len(self.prod_sites) + i for i, s in enumerate(self.cust)}
        a_ub, b_ub = self._rows(None, window, n_var, prod_col, lost_col)
        cost = np.zeros(n_var)
        for s, col in lost_col.items():
            cost[col] = self.c.price[s]
        res = linprog(
            cost,
            A_ub=np.array(a_ub),
            b_ub=np.array(b_ub),
            bounds=[(0, None)] * n_var,
            method="highs",
        )
        if res.status != 0:
            return math.nan
        baseline = _FlowModel.__new__(_FlowModel)
        baseline.__dict__.update(self.__dict__, down=set())
        a0, b0 = baseline._rows(None, window, n_var, prod_col, lost_col)
        res0 = linprog(
            cost, A_ub=np.array(a0), b_ub=np.array(b0), bounds=[(0, None)] * n_var, method="highs"
        )
        floor = float(res0.fun) if res0.status == 0 else 0.0
        return max(0.0, float(res.fun) - floor)


def tts_lp(net: Network, down: Sequence[str], horizon: float = 3650.0) -> float:
    """Largest number of days every customer's mean demand can be met with ``down`` out
    (inf when the network does not need them)."""
    return _FlowModel(net, down).tts(horizon)


def pi_lp(net: Network, down: Sequence[str], ttr_days: float) -> float:
    """Least lost revenue over ``ttr_days`` with ``down`` out, beyond what the intact
    network would lose in the same window."""
    return _FlowModel(net, down).min_lost_revenue(ttr_days)
