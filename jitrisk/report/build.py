"""Everything a report shows, computed once: :func:`collect` → :class:`ReportData`.

The Excel, PDF and PowerPoint writers only lay out what is here, so the three
formats always show the same numbers, and a report can be rebuilt from the
provenance it prints (workbook SHA-256, scenario, trials, days, seed, version).

Per scenario, :func:`collect` runs

* the **simulation** (``trials`` x ``days``, ``seed``): every metric with its
  95% CI, kept as the ``simulate --json`` document, plus the per-trial network
  lost revenue (for the histogram and paired scenario differences);
* a **JIT buffer curve** at the *most at-risk stock point of the planner's
  own*: the plant or DC with the highest stockout-day probability (ties: lost
  revenue). That buffer is the knob a planner turns first, and a single site
  has a current buffer to mark on the curve. A supplier is taken only when no
  plant or DC ran out (a supplier that runs out because it is down itself
  gains nothing from its own buffer: a site that is down ships nothing). When
  no stocking site ran out at all the curve is taken for ``network`` (every
  stocking site set to each level). Levels run from 0 to at least 20 days
  and twice the current buffer, dense near zero, with the current buffer
  itself among them; the curve uses at most
  :data:`CURVE_MAX_TRIALS` trials, the same seed (common random numbers make
  the curve smooth with fewer trials);
* a **risk report** (TTS/TTR/PI/REI, regions included) with cheap settings:
  :data:`RISK_TRIALS` trials over at most :data:`RISK_MAX_DAYS` days;
* the **guaranteed-service plan** (:func:`jitrisk.analysis.gsm.place_gsm`);
* with a ``budget`` only, the **disruption-aware plan**
  (:func:`jitrisk.analysis.placement.place_by_simulation`, at most
  :data:`PLACEMENT_MAX_TRIALS` search trials), compared with the GSM plan on
  the same fresh random numbers. It is the slow part, hence optional.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._version import __version__
from ..engine import kernel as K
from ..engine.results import SimulationResult
from ..engine.runner import Progress, simulate
from ..errors import JitriskError, SimulationCancelled
from ..model.records import Network
from ..model.scenarios import apply_scenario
from .curve_choice import NICE_LEVELS as NICE_LEVELS
from .curve_choice import curve_levels as curve_levels
from .curve_choice import curve_target as curve_target

#: Trials per site of the TTS/PI analysis in a report.
RISK_TRIALS = 100
#: Longest horizon of the TTS/PI analysis (days).
RISK_MAX_DAYS = 180
#: Most trials per level of the buffer curve.
CURVE_MAX_TRIALS = 500
#: Analyses a report can carry besides the simulation: the buffer curve, the
#: time-to-survive risk report and the safety-stock plans.
SECTIONS = frozenset({"curve", "risk", "plans", "recommend"})
#: Search trials of a report's recommendation (its confirmation takes at most
#: :data:`RECOMMEND_CONFIRM_TRIALS` of the run's own).
RECOMMEND_TRIALS = 100
RECOMMEND_CONFIRM_TRIALS = 1000
#: Most search trials of the disruption-aware placement.
PLACEMENT_MAX_TRIALS = 200

ProgressFn = Callable[[Progress], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class Provenance:
    """What produced a report, printed on its first page."""

    workbook: str
    workbook_path: str
    workbook_sha256: str
    scenarios: tuple[str, ...]
    trials: int
    days: int
    warmup_days: int
    seed: int
    unmet_demand: str
    currency: str
    jitrisk_version: str
    created: str
    risk_trials: int
    risk_days: int
    curve_trials: int
    budget: float | None = None

    def rows(self) -> list[tuple[str, object]]:
        """(label, value) pairs in reading order, for every format's provenance table."""
        return [
            ("Workbook", self.workbook),
            ("Workbook SHA-256", self.workbook_sha256 or "–"),
            ("Scenarios", ", ".join(self.scenarios)),
            ("Trials", self.trials),
            ("Days simulated (after warm-up)", self.days),
            ("Warm-up days", self.warmup_days),
            ("Seed", self.seed),
            ("Unmet customer demand", self.unmet_demand),
            ("Currency", self.currency),
            ("Buffer curve: trials per level", self.curve_trials),
            ("Risk (TTS/TTR): trials per site", self.risk_trials),
            ("Risk (TTS/TTR): days", self.risk_days),
            ("Placement budget", self.budget if self.budget is not None else "–"),
            ("jitrisk version", self.jitrisk_version),
            ("Created (UTC)", self.created),
        ]


@dataclass(frozen=True)
class ScenarioReport:
    """The results of one scenario.

    Attributes
    ----------
    name : str
    network : Network
        The network with the scenario applied.
    simulation : dict
        ``SimulationResult.to_dict()``.
    lost_revenue : ndarray
        Network lost revenue of each trial.
    any_stockout : ndarray of bool
        Per trial: some customer had a stockout day.
    curve : dict or None
        ``SweepResult.to_dict()`` of the buffer curve (``current_buffer_days``
        filled in with the days equivalent of a units override).
    curve_reason : str
        Why the curve's target was chosen.
    risk : dict or None
        ``RiskReport.to_dict()``.
    gsm : dict or None
        ``GSMSolution.to_dict()``; None when it could not be computed (see ``notes``).
    placement : dict or None
        ``PlacementResult.to_dict()``; only with a budget.
    current_buffer_days : dict
        Safety stock of each stocking site in days of cover now.
    notes : tuple of str
        What could not be computed, and why.
    """

    name: str
    network: Network
    simulation: dict[str, Any]
    lost_revenue: NDArray[np.float64]
    any_stockout: NDArray[np.bool_]
    curve: dict[str, Any] | None
    curve_reason: str
    risk: dict[str, Any] | None
    gsm: dict[str, Any] | None
    placement: dict[str, Any] | None
    current_buffer_days: dict[str, float]
    notes: tuple[str, ...] = ()
    #: ``jitrisk recommend``'s document for this scenario, and its takeaway sentences
    recommendation: dict[str, Any] | None = None
    takeaway: tuple[str, ...] = ()

    @property
    def currency(self) -> str:
        return str(self.simulation.get("currency", ""))

    @property
    def names(self) -> dict[str, str]:
        """Site id -> descriptive name (empty when the workbook gives none)."""
        return {s.site_id: s.name for s in self.network.sites}


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, for one or more scenarios."""

    provenance: Provenance
    scenarios: tuple[ScenarioReport, ...]
    network: Network
    notes: tuple[str, ...] = field(default=())

    @property
    def currency(self) -> str:
        return self.provenance.currency

    def scenario(self, name: str) -> ScenarioReport:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(name)


# ----------------------------------------------------------------------------- collect


def resolve_scenarios(net: Network, scenarios: Sequence[str] | str | None) -> tuple[str, ...]:
    """``None`` → the network's own scenario; ``"all"`` → every scenario; names checked."""
    if scenarios is None:
        names: tuple[str, ...] = (net.scenario,)
    elif isinstance(scenarios, str):
        names = net.scenario_names if scenarios == "all" else (scenarios,)
    else:
        names = tuple(dict.fromkeys(scenarios))
    known = set(net.scenario_names)
    for n in names:
        if n not in known:
            raise JitriskError(
                f"unknown scenario '{n}'; the workbook has: {', '.join(net.scenario_names)} "
                "(or use all)"
            )
    if not names:
        raise JitriskError("no scenario to report")
    return names


def collect(
    net: Network,
    scenarios: Sequence[str] | str | None = None,
    trials: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    budget: float | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    *,
    workers: int | None = None,
    risk_trials: int = RISK_TRIALS,
    curve_trials: int | None = None,
    cluster: Any = None,
) -> ReportData:
    """Run every analysis a report shows.

    Parameters
    ----------
    net : Network
        As loaded (:func:`jitrisk.load_network`).
    scenarios : str or sequence of str, optional
        A scenario name, several, or ``"all"``; default the network's own
        (baseline).
    trials, seed, days : int, optional
        Override the workbook's Settings for the simulation (and the curve).
    budget : float, optional
        Inventory value to place by simulation (disruption-aware plan); none
        without it.
    progress : callable, optional
        Called with a :class:`~jitrisk.engine.Progress` over the whole job.
    cancelled : callable, optional
        Polled between steps (and by the simulations); True raises
        :class:`~jitrisk.errors.SimulationCancelled`.
    workers : int, optional
        Kernel threads.
    risk_trials : int
        Trials per site of the TTS/PI analysis.
    curve_trials : int, optional
        Trials per level of the buffer curve (default ``min(trials, 500)``).
    cluster : jitrisk.engine.cluster.Cluster, optional
        Run every simulation and analysis on a Dask cluster (the same numbers).

    Returns
    -------
    ReportData
    """
    names = resolve_scenarios(net, scenarios)
    if budget is not None and not (math.isfinite(budget) and budget >= 0):
        raise JitriskError(f"budget must be a non-negative amount, got {budget!r}")
    if risk_trials < 1:
        raise JitriskError(f"risk trials must be >= 1, got {risk_trials}")
    s = net.settings
    n_trials = trials or s.trials
    n_days = days or s.days
    c_trials = curve_trials or min(n_trials, CURVE_MAX_TRIALS)
    r_days = min(n_days, RISK_MAX_DAYS)
    tracker = _Tracker(progress, cancelled)
    per = _step_weights(
        net,
        n_trials,
        n_days,
        c_trials,
        risk_trials,
        r_days,
        simulate=True,
        place=budget is not None,
    )
    tracker.total = sum(per.values()) * len(names)
    how = _Settings(
        n_trials, days, seed, budget, workers, risk_trials, r_days, c_trials, cluster=cluster
    )
    out = [_scenario(net, name, tracker, per, how) for name in names]
    tracker.finish()
    return _assemble(net, names, out, risk_trials, r_days, c_trials, budget)


def collect_from_result(
    net: Network,
    result: SimulationResult,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    *,
    workers: int | None = None,
    risk_trials: int = RISK_TRIALS,
    cluster: Any = None,
) -> ReportData:
    """A report around a simulation already run (``jitrisk simulate ... --report``).

    The result is used as it is (its scenario, trials, days and seed); the
    buffer curve, risk report and guaranteed-service plan are added with the
    same settings, as :func:`collect` makes them.
    """
    return collect_from_results(
        net, [result], progress, cancelled, workers=workers, risk_trials=risk_trials,
        cluster=cluster,
    )  # fmt: skip


def collect_from_results(
    net: Network,
    results: Sequence[SimulationResult],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    *,
    workers: int | None = None,
    risk_trials: int = RISK_TRIALS,
    sections: frozenset[str] = SECTIONS,
    reuse_risk: Mapping[str, Mapping[str, Any]] | None = None,
    cluster: Any = None,
) -> ReportData:
    """A report around simulations already run, one per scenario (the app's kept runs).

    Every result is used as it is; they must share trials, days and seed, so
    the scenarios compare on the same random numbers. ``sections`` (a subset
    of :data:`SECTIONS`) chooses the analyses added to each: the buffer curve,
    the time-to-survive risk report, the guaranteed-service plan.
    ``reuse_risk`` maps a scenario to a risk report already computed
    (``RiskReport.to_dict()``, e.g. the one on screen); it is used instead of
    computing one when it was made with the report's own risk settings
    (``risk_trials``, the risk horizon, the run's seed, regions included),
    so the report states how every number was made.

    Raises
    ------
    JitriskError
        No result, two for one scenario, different settings, or an unknown section.
    """
    if not results:
        raise JitriskError("a report needs at least one simulation")
    names = tuple(r.network.scenario for r in results)
    if len(set(names)) != len(names):
        raise JitriskError(f"one simulation per scenario, got {', '.join(names)}")
    settings = {(r.trials, r.days, r.config.seed) for r in results}
    if len(settings) > 1:
        raise JitriskError(
            "the scenarios of one report must share trials, days and seed (paired numbers)"
        )
    unknown = set(sections) - SECTIONS
    if unknown:
        raise JitriskError(f"unknown report sections: {', '.join(sorted(unknown))}")
    first = results[0]
    n_trials, n_days = first.trials, first.days
    c_trials = min(n_trials, CURVE_MAX_TRIALS)
    r_days = min(n_days, RISK_MAX_DAYS)
    tracker = _Tracker(progress, cancelled)
    per = _step_weights(
        net, n_trials, n_days, c_trials, risk_trials, r_days, simulate=False, place=False
    )
    for key, section in (
        ("curve", "curve"),
        ("risk", "risk"),
        ("gsm", "plans"),
        ("recommend", "recommend"),
    ):
        if section not in sections:
            per[key] = 0.0
    tracker.total = sum(per.values()) * len(results)
    how = _Settings(
        n_trials, n_days, first.config.seed, None, workers, risk_trials, r_days, c_trials,
        frozenset(sections), cluster,
    )  # fmt: skip
    reusable = {
        name: dict(doc)
        for name, doc in (reuse_risk or {}).items()
        if reusable_risk(doc, name, risk_trials, r_days, first.config.seed)
    }
    tracker.total -= per["risk"] * sum(1 for n in names if n in reusable)
    out = [
        _scenario(net, r.network.scenario, tracker, per, how, r, reusable.get(r.network.scenario))
        for r in results
    ]
    tracker.finish()
    return _assemble(net, names, out, risk_trials, r_days, c_trials, None)


def reusable_risk(doc: Mapping[str, Any], scenario: str, trials: int, days: int, seed: int) -> bool:
    """Whether a risk report document was made the way a report would make it."""
    return (
        doc.get("scenario") == scenario
        and doc.get("trials") == trials
        and doc.get("days") == days
        and doc.get("seed") == seed
        and bool(doc.get("sites"))
        and "regions" in doc
    )


def _step_weights(
    net: Network,
    n_trials: int,
    n_days: int,
    c_trials: int,
    risk_trials: int,
    r_days: int,
    *,
    simulate: bool,
    place: bool,
) -> dict[str, float]:
    """Work of each step of a scenario, in units of its simulation (trials x days).

    The curve is 14 levels of ``c_trials``; the risk analysis two runs per
    stocking site and region plus one of ``risk_trials`` over ``r_days``; the
    placement about one run per stocking site and a dozen more.
    """
    n_stock = sum(1 for x in net.sites if x.is_stocking)
    n_regions = len({x.region for x in net.sites if x.region and x.is_stocking})
    placement = (n_stock + 12) * min(n_trials, PLACEMENT_MAX_TRIALS) / n_trials
    return {
        "simulation": 1.0 if simulate else 0.0,
        "curve": 14.0 * c_trials / n_trials,
        "risk": (2 * (n_stock + n_regions) + 1) * risk_trials / n_trials * r_days / n_days,
        "gsm": 0.5,
        "placement": placement if place else 0.0,
        # the frontier: a run per stocking site, about two per step, eight confirmations
        "recommend": (n_stock + 100) * min(n_trials, RECOMMEND_TRIALS) / n_trials
        + 8 * min(n_trials, RECOMMEND_CONFIRM_TRIALS) / n_trials,
    }


def _assemble(
    net: Network,
    names: tuple[str, ...],
    out: list[ScenarioReport],
    risk_trials: int,
    r_days: int,
    c_trials: int,
    budget: float | None,
) -> ReportData:
    first = out[0].simulation
    source = net.source_path
    prov = Provenance(
        workbook=Path(source).name if source else "(built in code)",
        workbook_path=str(source or ""),
        workbook_sha256=net.source_sha256,
        scenarios=names,
        trials=int(first["trials"]),
        days=int(first["days"]),
        warmup_days=int(first["warmup_days"]),
        seed=int(first["seed"]),
        unmet_demand=str(first["unmet_demand"]),
        currency=str(first.get("currency", net.settings.currency)),
        jitrisk_version=__version__,
        created=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        risk_trials=risk_trials,
        risk_days=r_days,
        curve_trials=c_trials,
        budget=budget,
    )
    return ReportData(prov, tuple(out), net)


class _Tracker:
    """One progress bar over the steps of all scenarios (weights ~ simulation cost)."""

    def __init__(self, progress: ProgressFn | None, cancelled: CancelFn | None):
        self.progress = progress
        self.cancelled = cancelled
        self.total = 1.0
        self.done = 0.0
        self.t0 = time.perf_counter()
        self._last = -1

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise SimulationCancelled("report cancelled")

    def emit(self, done: float) -> None:
        if self.progress is None:
            return
        frac = min(max(done / self.total, 0.0), 1.0) if self.total > 0 else 1.0
        units = round(frac * 10_000)
        if units > self._last:  # never backwards (a step's own estimate of its work may grow)
            self._last = units
            self.progress(Progress(units, 10_000, time.perf_counter() - self.t0))

    def step(self, weight: float) -> ProgressFn:
        """A progress callback for one step of ``weight``; call :meth:`advance` after it."""
        base = self.done

        def cb(p: Progress) -> None:
            self.emit(base + weight * p.fraction)

        return cb

    def hooks(self, weight: float) -> dict[str, Any]:
        """``progress`` and ``cancelled`` keywords for a step of ``weight``."""
        return {"progress": self.step(weight), "cancelled": self.cancelled}

    def advance(self, weight: float) -> None:
        self.done += weight
        self.emit(self.done)
        self.check()

    def finish(self) -> None:
        self.done = self.total
        self.emit(self.done)


@dataclass(frozen=True)
class _Settings:
    """How every scenario of one report is analysed (the same for all of them)."""

    trials: int
    days: int | None
    seed: int | None
    budget: float | None
    workers: int | None
    risk_trials: int
    risk_days: int
    curve_trials: int
    sections: frozenset[str] = SECTIONS
    #: a Dask cluster (jitrisk.engine.cluster.Cluster) every simulation runs on
    cluster: Any = None


def _scenario(
    net: Network,
    name: str,
    tracker: _Tracker,
    per: dict[str, float],
    how: _Settings,
    result: SimulationResult | None = None,
    risk_done: dict[str, Any] | None = None,
) -> ScenarioReport:
    from ..analysis.placement import current_days, mean_flows

    trials, days, seed, budget, workers = how.trials, how.days, how.seed, how.budget, how.workers
    sections = how.sections

    tracker.check()
    scen = apply_scenario(net, name)
    notes: list[str] = []
    res = result or simulate(
        scen,
        trials=trials,
        days=days,
        seed=seed,
        workers=workers,
        progress=tracker.step(per["simulation"]),
        cancelled=tracker.cancelled,
        cluster=how.cluster,
    )
    doc = res.to_dict()
    lost = res.network_lost_revenue().astype(np.float64)
    any_out = res.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT] >= 0
    used_seed = int(doc["seed"])
    # on the run's numbers (and the same computers)
    same: dict[str, Any] = {"seed": used_seed, "workers": workers, "cluster": how.cluster}
    tracker.advance(per["simulation"])

    current = {k: float(v) for k, v in current_days(scen, mean_flows(scen)).items()}
    target, reason = curve_target(doc)
    curve = None
    if "curve" in sections:
        curve = _curve(
            scen,
            target,
            current,
            tracker,
            per["curve"],
            trials=how.curve_trials,
            days=days,
            seed=used_seed,
            workers=workers,
            cluster=how.cluster,
        )
    else:
        reason = "The buffer curve was left out of this report."
    tracker.advance(per["curve"])

    from ..analysis.risk import risk_report

    risk = risk_done
    if "risk" in sections and risk_done is not None:
        notes.append("Risk ranking: the one computed in the app with the same settings.")
    elif "risk" in sections:
        risk = risk_report(
            scen, trials=how.risk_trials, days=how.risk_days, regions=True, **same,
            **tracker.hooks(per["risk"]),
        ).to_dict()  # fmt: skip
        tracker.advance(per["risk"])

    gsm = _gsm(scen, notes) if "plans" in sections else None
    tracker.advance(per["gsm"])

    recommendation: dict[str, Any] | None = None
    takeaway: tuple[str, ...] = ()
    if "recommend" in sections:
        from .takeaway import report_recommendation

        recommendation, takeaway = report_recommendation(
            scen, gsm, min(trials, RECOMMEND_TRIALS), min(trials, RECOMMEND_CONFIRM_TRIALS),
            days, used_seed, workers, {**tracker.hooks(per["recommend"]), "cluster": how.cluster},
        )  # fmt: skip
        tracker.advance(per["recommend"])

    placement = None
    if budget is not None:
        from ..analysis.placement import place_by_simulation

        compare = {}
        if gsm is not None:
            compare["gsm"] = {
                sid: float(v["safety_stock_days"])
                for sid, v in gsm["sites"].items()
                if v.get("safety_stock_days") is not None
            }
        placement = place_by_simulation(
            scen, budget, trials=min(trials, PLACEMENT_MAX_TRIALS), days=days, compare=compare,
            **same, **tracker.hooks(per["placement"]),
        ).to_dict()  # fmt: skip
        tracker.advance(per["placement"])
    return ScenarioReport(
        name=name,
        network=scen,
        simulation=doc,
        lost_revenue=lost,
        any_stockout=np.asarray(any_out, dtype=bool),
        curve=curve,
        curve_reason=reason,
        risk=risk,
        gsm=gsm,
        placement=placement,
        current_buffer_days=current,
        notes=tuple(notes),
        recommendation=recommendation,
        takeaway=takeaway,
    )


def _curve(
    scen: Network,
    target: str,
    current: dict[str, float],
    tracker: _Tracker,
    weight: float,
    *,
    trials: int,
    days: int | None,
    seed: int,
    workers: int | None,
    cluster: Any = None,
) -> dict[str, Any]:
    from ..analysis.sweep import sweep

    cur = current.get(target)
    res = sweep(
        scen,
        target,
        curve_levels(cur),
        trials=trials,
        days=days,
        seed=seed,
        workers=workers,
        progress=tracker.step(weight),
        cancelled=tracker.cancelled,
        cluster=cluster,
    )
    doc = res.to_dict()
    if doc.get("current_buffer_days") is None and cur is not None:
        doc["current_buffer_days"] = cur
    return doc


def _gsm(scen: Network, notes: list[str]) -> dict[str, Any] | None:
    """The guaranteed-service plan, or None with a note when it cannot be computed."""
    from ..analysis.gsm import place_gsm

    try:
        return place_gsm(scen).to_dict()
    except (JitriskError, ValueError, ArithmeticError, RuntimeError) as exc:
        notes.append(f"guaranteed-service plan not available: {exc}")
        return None
