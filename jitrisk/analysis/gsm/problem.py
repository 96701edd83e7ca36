"""The GSM problem as arrays: stages, edges, demand propagation, bounds and costs.

Shared by the three methods (:mod:`.dp`, :mod:`.milp`, :mod:`.lagrangian`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .dp_kernel import tight

F = NDArray[np.float64]


I = NDArray[np.int64]  # noqa: E741


_INF = math.inf


@dataclass(frozen=True)
class GSMStage:
    r"""One stage of the guaranteed-service model.

    Parameters
    ----------
    stage_id : str
        Unique id.
    processing_time : int
        Days from all inputs available to output ready. [:math:`T_j`]
    holding_cost : float
        Holding cost per unit of safety stock (any time unit). [:math:`h_j`]
    demand_mean, demand_std : float
        External (customer) demand per day at this stage. [:math:`\mu_j, \sigma_j`]
    max_service_time : int or None
        Longest outbound service time the stage may quote: the customer's
        promised service time at a demand stage; None = unbounded. [:math:`s_j`]
    inbound_service_time : int
        Service time of an external supplier (a lower bound on the inbound
        service time). [:math:`si_j`]
    net_demand_mean, net_demand_std : float or None
        Demand through the stage, overriding the propagation of external
        demands (used by :func:`place_gsm`, which propagates customer demand).
    unit_value : float or None
        Value of one unit, for the value of the safety stock.
    time_std : float
        Standard deviation of the stage's replenishment time (its inputs'
        transit or its own stage time), in days. [:math:`\sigma_{T_j}`] With
        it the stock covers demand over a random net lead time:
        :math:`z_j \sqrt{\sigma_j^2 \tau_j + \mu_j^2 \sigma_{T_j}^2}`.
    service_level : float or None
        This stage's own service level :math:`\alpha_j` (safety factor
        :math:`z_j = \Phi^{-1}(\alpha_j)`); None = the solve's
        ``z``/``service_level``.
    """

    stage_id: str
    processing_time: int = 0
    holding_cost: float = 0.0
    demand_mean: float = 0.0
    demand_std: float = 0.0
    max_service_time: int | None = None
    inbound_service_time: int = 0
    net_demand_mean: float | None = None
    net_demand_std: float | None = None
    unit_value: float | None = None
    service_level: float | None = None
    time_std: float = 0.0


@dataclass(frozen=True)
class GSMEdge:
    r"""Stage ``upstream`` supplies stage ``downstream``.

    Parameters
    ----------
    upstream, downstream : str
        Stage ids. [:math:`i, j`]
    units : float
        Units of ``upstream`` per unit of ``downstream`` (bill of materials,
        times the sourcing share). [:math:`\phi_{ij}`]
    transit : int
        Days between ``upstream`` shipping and ``downstream`` receiving. [:math:`L_{ij}`]
    """

    upstream: str
    downstream: str
    units: float = 1.0
    transit: int = 0


EdgeLike = GSMEdge | tuple[str, str] | tuple[str, str, float] | tuple[str, str, float, int]


@dataclass(frozen=True)
class StageResult:
    """The optimal policy of one stage.

    ``safety_stock_units`` = :math:`z_j \\sigma_j \\sqrt{\\tau_j}`; ``cost`` =
    :math:`h_j` times it; ``safety_stock_days`` = units / mean daily flow
    (None when the flow is 0 but the stock is not); ``safety_stock_value`` =
    units × ``unit_value`` (None without a unit value).
    """

    stage_id: str
    committed_service_time: int
    inbound_service_time: int
    processing_time: int
    net_lead_time: int
    demand_mean: float
    demand_std: float
    safety_stock_units: float
    cost: float
    safety_stock_days: float | None
    safety_stock_value: float | None
    z: float = math.nan


@dataclass(frozen=True)
class GSMSolution:
    """Result of :func:`solve_gsm` or :func:`place_gsm`.

    Attributes
    ----------
    stages : dict of str to StageResult
    total_cost : float
        :math:`\\sum_j h_j z \\sigma_j \\sqrt{\\tau_j}` of the reported policy (upper bound).
    lower_bound : float
        Proven lower bound on the optimum.
    gap : float
        ``(total_cost - lower_bound) / total_cost`` (0 when both are 0).
    optimal : bool
        The gap is within the requested tolerance (always True for ``"dp"``).
    method : {"dp", "lagrangian", "milp"}
        Algorithm used.
    z : float
        Safety factor :math:`z = \\Phi^{-1}(\\alpha)` of stages without a
        service level of their own (each stage's is in its result).
    service_level : float
        :math:`\\alpha = \\Phi(z)`.
    review_days : int or None
        Days added to every stage time for the periodic review (``place_gsm``;
        None for a plain :func:`solve_gsm`).
    solve_seconds : float
    iterations : int
        Subgradient iterations plus MILP solves (1 for the DP).
    notes : tuple of str
        Why a bounded method stopped early (time limit, solver status).
    """

    stages: dict[str, StageResult]
    total_cost: float
    lower_bound: float
    gap: float
    optimal: bool
    method: str
    z: float
    service_level: float
    solve_seconds: float
    iterations: int = 1
    notes: tuple[str, ...] = field(default=())
    review_days: int | None = None

    @property
    def service_times(self) -> dict[str, int]:
        """Committed outbound service time :math:`S_j` of every stage."""
        return {k: r.committed_service_time for k, r in self.stages.items()}

    def to_dict(self) -> dict[str, Any]:
        """The ``place`` JSON contract (issue 4), with a few extra keys."""
        return {
            "method": "gsm",
            "service_level": self.service_level,
            "total_cost": self.total_cost,
            "optimal": self.optimal,
            "gap": self.gap,
            "lower_bound": self.lower_bound,
            "solver": self.method,
            "z": self.z,
            "review_days": self.review_days,
            "solve_seconds": self.solve_seconds,
            "iterations": self.iterations,
            "notes": list(self.notes),
            "sites": {
                k: {
                    "committed_service_time": r.committed_service_time,
                    "net_lead_time": r.net_lead_time,
                    "safety_stock_units": r.safety_stock_units,
                    "safety_stock_days": r.safety_stock_days,
                    "safety_stock_value": r.safety_stock_value,
                    "inbound_service_time": r.inbound_service_time,
                    "processing_time": r.processing_time,
                    "demand_std": r.demand_std,
                    "holding_cost": r.cost,
                    "z": r.z,
                }
                for k, r in self.stages.items()
            },
        }


@dataclass
class _Problem:
    """Stages and edges as index arrays, in a topological order (sources first)."""

    ids: list[str]
    T: I
    h: F
    mu: F
    sigma: F
    smax: I  # max outbound service time (large when unbounded)
    si: I
    up: I  # edge upstream index
    down: I  # edge downstream index
    L: I  # edge transit
    order: I  # topological order
    s_hi: I = field(default_factory=lambda: np.zeros(0, np.int64))  # upper bound on S
    si_hi: I = field(default_factory=lambda: np.zeros(0, np.int64))  # upper bound on SI
    # c_j of the cost a_j sqrt(tau_j + c_j) under a random stage time (0 without)
    shift: F = field(default_factory=lambda: np.zeros(0))
    time_std: F = field(default_factory=lambda: np.zeros(0))
    # edges into each stage: in_edge[in_ptr[j]:in_ptr[j + 1]]
    in_ptr: I = field(default_factory=lambda: np.zeros(1, np.int64))
    in_edge: I = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n(self) -> int:
        return len(self.ids)

    def preds(self) -> list[list[int]]:
        """Edge indices into each stage."""
        into: list[list[int]] = [[] for _ in range(self.n)]
        for e, v in enumerate(self.down):
            into[int(v)].append(e)
        return into


def _as_edge(e: EdgeLike) -> GSMEdge:
    if isinstance(e, GSMEdge):
        return e
    return GSMEdge(*e)


def _check_int(name: str, value: object, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or int(value) < 0:
        raise ValueError(f"{owner}: {name} must be an integer >= 0, got {value!r}")
    return int(value)


def _check_nonneg(name: str, value: float, owner: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be finite and >= 0, got {value!r}")
    return float(value)


def _topological(n: int, up: I, down: I, ids: Sequence[str]) -> I:
    indeg = np.bincount(down, minlength=n)
    succ: list[list[int]] = [[] for _ in range(n)]
    for u, v in zip(up.tolist(), down.tolist(), strict=True):
        succ[u].append(v)
    ready = [i for i in range(n) if indeg[i] == 0]
    order: list[int] = []
    while ready:
        u = ready.pop()
        order.append(u)
        for v in succ[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                ready.append(v)
    if len(order) < n:
        stuck = sorted(ids[i] for i in range(n) if indeg[i] > 0)[:10]
        raise ValueError(f"the stage graph has a directed cycle (through {', '.join(stuck)})")
    return np.array(order, dtype=np.int64)


def propagate_demand(n: int, up: I, down: I, units: F, order: I, mean: F, std: F) -> tuple[F, F]:
    r"""Mean and standard deviation of the demand through every stage.

    :math:`m_{jc}` (units of :math:`j` per unit of demand at :math:`c`) is summed
    over all paths in reverse topological order; then
    :math:`\mu_j = \sum_c m_{jc}\mu_c` and
    :math:`\sigma_j = \sqrt{\sum_c (m_{jc}\sigma_c)^2}` (independent demands).
    """
    src = np.flatnonzero((mean != 0) | (std != 0))
    col = {int(c): k for k, c in enumerate(src)}
    m = np.zeros((n, len(src)))
    for c in src:
        m[c, col[int(c)]] = 1.0
    out: list[list[int]] = [[] for _ in range(n)]
    for e, u in enumerate(up.tolist()):
        out[u].append(e)
    for j in order[::-1].tolist():
        for e in out[j]:
            m[j] += units[e] * m[down[e]]
    mu = m @ mean[src] if len(src) else np.zeros(n)
    sigma = np.sqrt((m * std[src]) ** 2 @ np.ones(len(src))) if len(src) else np.zeros(n)
    return np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)


def _build(stages: Sequence[GSMStage], edges: Iterable[EdgeLike]) -> _Problem:
    ids = [s.stage_id for s in stages]
    index = {sid: k for k, sid in enumerate(ids)}
    if len(index) != len(ids):
        dup = sorted({x for x in ids if ids.count(x) > 1})
        raise ValueError(f"duplicate stage ids: {', '.join(dup[:10])}")
    n = len(ids)
    T = np.array(
        [_check_int("processing_time", s.processing_time, s.stage_id) for s in stages],
        dtype=np.int64,
    )
    si = np.array(
        [_check_int("inbound_service_time", s.inbound_service_time, s.stage_id) for s in stages],
        dtype=np.int64,
    )
    big = np.iinfo(np.int64).max // 4
    smax = np.array(
        [
            big
            if s.max_service_time is None
            else _check_int("max_service_time", s.max_service_time, s.stage_id)
            for s in stages
        ],
        dtype=np.int64,
    )
    h = np.array([_check_nonneg("holding_cost", s.holding_cost, s.stage_id) for s in stages])
    dmean = np.array([float(s.demand_mean) for s in stages])
    dstd = np.array([_check_nonneg("demand_std", s.demand_std, s.stage_id) for s in stages])
    ups: list[int] = []
    downs: list[int] = []
    units: list[float] = []
    trans: list[int] = []
    seen: set[tuple[int, int]] = set()
    for raw in edges:
        e = _as_edge(raw)
        label = f"edge {e.upstream}->{e.downstream}"
        for end in (e.upstream, e.downstream):
            if end not in index:
                raise ValueError(f"{label}: unknown stage {end!r}")
        key = (index[e.upstream], index[e.downstream])
        if key[0] == key[1] or key in seen:
            raise ValueError(f"{label}: self-loop or duplicate edge")
        seen.add(key)
        ups.append(key[0])
        downs.append(key[1])
        units.append(_check_nonneg("units", e.units, label))
        trans.append(_check_int("transit", e.transit, label))
    up = np.array(ups, dtype=np.int64)
    down = np.array(downs, dtype=np.int64)
    order = _topological(n, up, down, ids)
    mu, sigma = propagate_demand(n, up, down, np.array(units, dtype=np.float64), order, dmean, dstd)
    for k, s in enumerate(stages):
        if s.net_demand_mean is not None:
            mu[k] = float(s.net_demand_mean)
        if s.net_demand_std is not None:
            sigma[k] = _check_nonneg("net_demand_std", s.net_demand_std, s.stage_id)
    prob = _Problem(
        ids, T, h, mu, sigma, smax, si, up, down, np.array(trans, dtype=np.int64), order
    )
    prob.time_std = np.array([_check_nonneg("time_std", s.time_std, s.stage_id) for s in stages])
    # sigma^2 tau + mu^2 sigma_T^2 = sigma^2 (tau + c) with c = (mu sigma_T / sigma)^2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = (np.abs(mu) * prob.time_std / sigma) ** 2
    prob.shift = np.where(sigma > 0, shift, 0.0)
    prob.in_edge = np.argsort(down, kind="stable").astype(np.int64)
    prob.in_ptr = np.concatenate([[0], np.cumsum(np.bincount(down, minlength=n))]).astype(np.int64)
    _set_bounds(prob)
    return prob


def _set_bounds(p: _Problem) -> None:
    r"""Largest useful service times, along longest paths.

    :math:`\overline{SI}_j = \max(si_j, \max_i \overline S_i + L_{ij})` and
    :math:`\overline S_j = \min(s_j, \overline{SI}_j + T_j)`: an optimal
    :math:`SI_j` is :math:`\max(si_j, \max_i S_i + L_{ij})`, never more.
    """
    into = p.preds()
    s_hi = np.zeros(p.n, dtype=np.int64)
    si_hi = np.zeros(p.n, dtype=np.int64)
    for j in p.order.tolist():
        best = int(p.si[j])
        for e in into[j]:
            best = max(best, int(s_hi[p.up[e]] + p.L[e]))
        si_hi[j] = best
        s_hi[j] = min(int(p.smax[j]), best + int(p.T[j]))
    p.s_hi, p.si_hi = s_hi, si_hi


def _tight(p: _Problem, S: NDArray[Any]) -> tuple[I, I]:
    """Feasible integer service times near ``S``: round, then in topological order
    set :math:`SI_j = \\max(si_j, \\max_i S_i + L_{ij})` and clip :math:`S_j` to
    :math:`[0, \\min(s_j, SI_j + T_j)]`."""
    want = np.rint(np.asarray(S, dtype=np.float64)).astype(np.int64)
    S_out, SI_out = tight(p.order, p.in_ptr, p.in_edge, p.up, p.L, p.si, p.smax, p.T, want)
    return S_out, SI_out


def _coef(p: _Problem, z: float | F) -> F:
    r""":math:`a_j = h_j z_j \sigma_j`: cost of one unit of :math:`\sqrt{\tau_j}`."""
    return p.h * z * p.sigma


def _prefix_min(f: F) -> tuple[F, I]:
    """``m[y] = min f[:y+1]`` and the first index attaining it."""
    m = np.minimum.accumulate(f)
    new = np.ones(len(f), dtype=bool)
    new[1:] = f[1:] < m[:-1]
    arg = np.maximum.accumulate(np.where(new, np.arange(len(f)), 0))
    return m, arg.astype(np.int64)


def _suffix_min(g: F) -> tuple[F, I]:
    """``m[y] = min g[y:]`` and the first (smallest) index attaining it."""
    r = g[::-1]
    mr = np.minimum.accumulate(r)
    new = np.ones(len(r), dtype=bool)
    new[1:] = r[1:] <= mr[:-1]
    argr = np.maximum.accumulate(np.where(new, np.arange(len(r)), 0))
    return mr[::-1].copy(), (len(g) - 1 - argr[::-1]).astype(np.int64)


def _cost(p: _Problem, a: F, S: I, SI: I) -> float:
    """:math:`\\sum_j a_j \\sqrt{\\tau_j + c_j}`: the cost that depends on the policy."""
    return float(np.sum(a * np.sqrt(SI + p.T - S + p.shift)))


def _fixed_cost(p: _Problem, z: F) -> float:
    """Holding cost of stock no policy can change: :math:`h_j z_j \\mu_j \\sigma_{T_j}`
    at stages whose demand does not vary (:math:`\\sigma_j = 0`) but whose time does."""
    still = p.sigma <= 0
    return float(np.sum((p.h * z * np.abs(p.mu) * p.time_std)[still]))


def _gap(ub: float, lb: float) -> float:
    if ub <= 0:
        return 0.0
    return max(0.0, (ub - lb) / ub)
