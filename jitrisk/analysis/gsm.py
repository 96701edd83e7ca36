r"""Guaranteed-service safety-stock placement (Graves & Willems 2000).

The guaranteed-service model (GSM)
----------------------------------
Every stage :math:`j` of an acyclic supply network quotes a *committed outbound
service time* :math:`S_j` (whole days) to its downstream stages and waits an
*inbound service time* :math:`SI_j` for its inputs. With processing time
:math:`T_j`, the stage must cover the demand of its *net lead time*

.. math:: \tau_j = SI_j + T_j - S_j \ge 0

from stock. Demand over :math:`\tau` days is bounded by
:math:`\mu_j \tau + z \sigma_j \sqrt{\tau}`, so the safety stock is
:math:`z \sigma_j \sqrt{\tau_j}` and the problem (Graves & Willems 2000;
Snyder & Shen 2019, chapter 6) is

.. math::

    \min \sum_j h_j z \sigma_j \sqrt{SI_j + T_j - S_j}
    \quad\text{s.t.}\quad
    SI_j \ge S_i + L_{ij} \;\; \forall (i, j), \qquad
    SI_j \ge si_j, \qquad 0 \le S_j \le s_j, \qquad S_j \le SI_j + T_j,

with :math:`h_j` the holding cost per unit, :math:`si_j` the service time of an
external supplier (sources), :math:`s_j` the maximum service time a customer
accepts (demand stages) and :math:`L_{ij}` an optional transit time on the edge
(:math:`L_{ij} = 0` in the textbook model; a positive transit is the same as
adding a zero-cost transport stage).

Demand of internal stages
-------------------------
External demands at different stages are independent normals. A unit of demand
at stage :math:`c` needs :math:`m_{jc} = \sum_{\text{paths } j \to c}
\prod \phi_{ik}` units of stage :math:`j` (:math:`\phi_{ik}` = units of
:math:`i` per unit of :math:`k`), so

.. math:: \mu_j = \sum_c m_{jc} \mu_c, \qquad
          \sigma_j = \sqrt{\textstyle\sum_c (m_{jc} \sigma_c)^2}.

On a tree this is :math:`\sigma_j = \sqrt{\sum_k (\phi_{jk}\sigma_k)^2}` over the
downstream stages :math:`k` (the :math:`p = 2` case of Graves & Willems' internal
demand bounds), the convention of Snyder & Shen's stockpyl
(``gsm_tree.net_demand``: :math:`\sqrt{4.1^2 + 6.2^2}` above the two demand
stages of their Problem 6.9). On a network with several paths from :math:`j` to
a customer the paths carry the *same* customer's demand, and summing over
customers (not over downstream stages) keeps that correlation.

Algorithms
----------
* ``"dp"``: the exact dynamic programme of Graves & Willems (2000) for
  spanning trees (and forests), as in Snyder & Shen (2019, chapter 6): stages are
  labelled so that each has one neighbour of higher label; stage :math:`k`
  computes :math:`f_k(S)` (its parent is downstream) or :math:`g_k(SI)` (its
  parent is upstream) over the integer grid, from

  .. math::

      c_k(S, SI) = h_k z \sigma_k \sqrt{SI + T_k - S}
        + \sum_{i \to k} \min_{x \le SI - L_{ik}} f_i(x)
        + \sum_{k \to d} \min_{y \ge S + L_{kd}} g_d(y).

* ``"lagrangian"``: general acyclic networks, bounded. For every edge
  :math:`(i, j)` outside a spanning tree, stage :math:`j` gets a private copy
  :math:`S'_{ij} \in [0, \bar S_i]` of :math:`S_i` with
  :math:`SI_j \ge S'_{ij} + L_{ij}`, and the copies' equalities
  :math:`S'_{ij} = S_i` are relaxed with multipliers (Lagrangian
  decomposition, which dominates relaxing the edges themselves). The tree DP,
  with the multipliers as linear costs, gives a lower bound for every
  multiplier vector, maximised by subgradient steps (Polyak step).
  Policies come from the relaxed solutions made feasible
  (:math:`SI_j = \max_i S_i + L_{ij}`, :math:`S_j \le SI_j + T_j`) and a
  large-neighbourhood search that re-solves the DP exactly on a random
  spanning tree with every other edge fixed through a threshold
  :math:`S_i + L_e \le \theta_e \le SI_j`; its cost never increases.
  The reported ``gap`` is proven: (policy cost − Lagrangian bound) / policy cost.
  On generated 100- to 2,000-stage networks it is 2-4 %; nearly all of it is
  the bound (on a 94-stage case the MILP, given minutes, brackets the optimum
  within 0.65 % of the policy's cost).
* ``"milp"``: general acyclic networks, exact given time. The constraints are difference
  constraints (a totally unimodular matrix), so every vertex of the feasible
  polyhedron is integral, and a concave objective attains its minimum at a
  vertex: the integer GSM equals the continuous one. Each
  :math:`\sqrt{\tau_j}` is replaced by its piecewise-linear interpolant at a
  few integer breakpoints (incremental formulation, one binary per extra
  segment), which is :math:`\le \sqrt{\cdot}` everywhere and exact at the
  breakpoints. The MILP (SciPy's HiGHS) gives a lower bound (its dual bound);
  its solution, evaluated with the true :math:`\sqrt{\cdot}`, an upper bound;
  the net lead times of the solution are added as breakpoints and the MILP is
  solved again until the bounds meet or time runs out (the iterative
  refinement of Magnanti, Shen, Shu, Simchi-Levi & Teo 2006). The reported
  ``gap`` is the proven relative gap :math:`(UB - LB)/UB`. Exact and fast on
  small networks; on large ones the convex envelope (a chord) of each
  :math:`\sqrt{\cdot}` makes the relaxations weak and the branch and bound slow.
* ``"auto"``: ``"dp"`` on trees and forests, otherwise ``"lagrangian"``, then,
  for at most :data:`AUTO_MILP_MAX_STAGES` stages and while the gap is open,
  the MILP started from the best policy (its net lead times as breakpoints, its
  cost as a cutoff) with the time left (reported as ``"lagrangian+milp"``).

References
----------
S. C. Graves, S. P. Willems. Optimizing strategic safety stock placement in
supply chains. *Manufacturing & Service Operations Management* 2(1):68-83, 2000.

L. V. Snyder, Z.-J. M. Shen. *Fundamentals of Supply Chain Theory*, 2nd ed.,
Wiley, 2019, chapter 6.

T. L. Magnanti, Z.-J. M. Shen, J. Shu, D. Simchi-Levi, C.-P. Teo. Inventory
placement in acyclic supply chain networks. *Operations Research Letters*
34(2):228-238, 2006.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.stats import norm

from ..model.records import Network

F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741

METHODS = ("auto", "dp", "milp", "lagrangian")
AUTO_MILP_MAX_STAGES = 60
"""``method="auto"`` follows the Lagrangian bound with the MILP only up to this size."""
DEFAULT_SERVICE_LEVEL = 0.95
_INF = math.inf


# --------------------------------------------------------------------------- data


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

    ``safety_stock_units`` = :math:`z \\sigma_j \\sqrt{\\tau_j}`; ``cost`` =
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
    method : {"dp", "lagrangian", "lagrangian+milp", "milp"}
        Algorithm used.
    z : float
        Safety factor :math:`z = \\Phi^{-1}(\\alpha)`.
    service_level : float
        :math:`\\alpha = \\Phi(z)`.
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
                }
                for k, r in self.stages.items()
            },
        }


# --------------------------------------------------------------------------- problem


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
    into = p.preds()
    s_out = np.zeros(p.n, dtype=np.int64)
    si_out = np.zeros(p.n, dtype=np.int64)
    want = np.rint(np.asarray(S, dtype=np.float64)).astype(np.int64)
    for j in p.order.tolist():
        sij = int(p.si[j])
        for e in into[j]:
            sij = max(sij, int(s_out[p.up[e]] + p.L[e]))
        si_out[j] = sij
        s_out[j] = max(0, min(int(want[j]), int(p.smax[j]), sij + int(p.T[j])))
    return s_out, si_out


def _coef(p: _Problem, z: float) -> F:
    r""":math:`a_j = h_j z \sigma_j`: cost of one unit of :math:`\sqrt{\tau_j}`."""
    return p.h * z * p.sigma


# --------------------------------------------------------------------------- tree DP


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


@dataclass
class _Node:
    """DP tables of one stage: ``kind`` "f" (parent downstream), "g" (parent
    upstream) or "root"; ``best`` the minimum over the other variable, ``arg``
    its argmin; ``cmin``/``carg`` the prefix (f) or suffix (g) minimum."""

    kind: str
    children: list[tuple[int, int, bool]]  # (child, edge, child_is_upstream)
    best: F | None = None
    arg: I | None = None
    cmin: F | None = None
    carg: I | None = None
    root_choice: tuple[int, int] = (0, 0)


def _elimination(p: _Problem, edge_ids: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """Leaf-elimination order of a forest: each stage's parent is its one
    neighbour still present when it is removed (-1 for a component's root).

    Returns ``order``, ``parent`` and ``parent_edge``.
    """
    adj: list[dict[int, int]] = [{} for _ in range(p.n)]
    for e in edge_ids:
        u, v = int(p.up[e]), int(p.down[e])
        adj[u][v] = e
        adj[v][u] = e
    deg = [len(a) for a in adj]
    removed = [False] * p.n
    parent = [-1] * p.n
    pedge = [-1] * p.n
    order: list[int] = []
    stack = [k for k in range(p.n) if deg[k] <= 1]
    while stack:
        k = stack.pop()
        if removed[k]:
            continue
        removed[k] = True
        order.append(k)
        for nb, e in adj[k].items():
            if not removed[nb]:
                parent[k], pedge[k] = nb, e
                deg[nb] -= 1
                if deg[nb] == 1:
                    stack.append(nb)
    if len(order) < p.n:
        raise ValueError("the stage graph is not a tree or forest (it has an undirected cycle)")
    return order, parent, pedge


@dataclass
class _Sub:
    r"""A tree subproblem: tighter bounds :math:`S_j \le \bar S_j`,
    :math:`SI_j \ge \underline{SI}_j` and linear costs :math:`\alpha_j S_j + \beta_j SI_j`
    added to stage costs (Lagrangian terms of relaxed edges)."""

    s_hi: I
    si_lo: I
    lin_s: F
    lin_si: F
    copies: _Copies | None = None

    @classmethod
    def plain(cls, p: _Problem) -> _Sub:
        return cls(p.s_hi.copy(), p.si.copy(), np.zeros(p.n), np.zeros(p.n))


@dataclass
class _Copies:
    r"""Copies :math:`S'_e \in [0, \bar S_i]` of the service time of the upstream end
    :math:`i` of relaxed edges :math:`e = (i, k)`, kept in stage :math:`k`'s problem
    with :math:`SI_k \ge S'_e + L_e` and cost :math:`\mu_e S'_e`; grouped by :math:`k`
    (CSR ``ptr``)."""

    ptr: I
    L: I
    cap: I
    mu: F

    def cost(self, k: int, SI: I) -> F | None:
        r""":math:`\sum_e \min_{0 \le x \le \min(SI - L_e, \bar S_i)} \mu_e x` over the
        :math:`SI` grid of stage ``k`` (infinite where :math:`SI < L_e`)."""
        lo, hi = int(self.ptr[k]), int(self.ptr[k + 1])
        if lo == hi:
            return None
        room = SI[None, :] - self.L[lo:hi, None]
        mu = np.minimum(self.mu[lo:hi], 0.0)[:, None]
        val = np.where(room >= 0, mu * np.minimum(np.maximum(room, 0), self.cap[lo:hi, None]), _INF)
        return np.asarray(val.sum(axis=0), dtype=np.float64)


class _Own:
    r"""Stage costs :math:`a_k\sqrt{SI + T_k - S}` (:math:`\infty` where the net lead
    time is negative) on each stage's full grid, computed once per stage; tighter
    bounds of a subproblem are slices. Kept only up to :data:`_OWN_CACHE_CELLS` cells."""

    def __init__(self, p: _Problem, a: F) -> None:
        self.p, self.a = p, a
        cells = int(np.sum((p.s_hi + 1) * (p.si_hi - p.si + 1)))
        self.keep = cells <= _OWN_CACHE_CELLS
        self.mats: dict[int, F] = {}

    def __call__(self, k: int, s_hi: int, si_lo: int) -> F:
        p = self.p
        m = self.mats.get(k)
        if m is None:
            S = np.arange(int(p.s_hi[k]) + 1)
            SI = np.arange(int(p.si[k]), int(p.si_hi[k]) + 1)
            nlt = (SI[None, :] + int(p.T[k]) - S[:, None]).astype(np.float64)
            m = np.full(nlt.shape, _INF)
            ok = nlt >= 0
            m[ok] = self.a[k] * np.sqrt(nlt[ok])
            if self.keep:
                self.mats[k] = m
        return m[: s_hi + 1, si_lo - int(p.si[k]) :]


_OWN_CACHE_CELLS = 40_000_000


def _node_cost(
    p: _Problem, own: _Own, sub: _Sub, k: int, node: _Node, nodes: list[_Node]
) -> tuple[I, I, F]:
    """Grids of :math:`S` and :math:`SI` of stage ``k`` and :math:`c_k(S, SI)`: the
    stage's own cost plus terms in :math:`S` only and in :math:`SI` only."""
    S = np.arange(int(sub.s_hi[k]) + 1)
    SI = np.arange(int(sub.si_lo[k]), int(p.si_hi[k]) + 1)
    row = sub.lin_s[k] * S.astype(np.float64)  # terms in S
    col = sub.lin_si[k] * SI.astype(np.float64)  # terms in SI
    extra = None if sub.copies is None else sub.copies.cost(k, SI)
    if extra is not None:
        col += extra
    for child, e, child_up in node.children:
        ch = nodes[child]
        assert ch.cmin is not None
        if child_up:  # SI_k >= S_i + L: best f_i over x <= SI - L
            y = SI - int(p.L[e])
            col += np.where(y >= 0, ch.cmin[np.clip(y, 0, len(ch.cmin) - 1)], _INF)
        else:  # SI_d >= S_k + L: best g_d over y >= S + L (grid of g_d starts at si_lo_d)
            y = np.maximum(S + int(p.L[e]) - int(sub.si_lo[child]), 0)
            row += ch.cmin[np.minimum(y, len(ch.cmin) - 1)]
    c = own(k, len(S) - 1, int(SI[0])) + col[None, :]
    c += row[:, None]
    return S, SI, c


def _solve_tree(
    p: _Problem, a: F | _Own, edge_ids: Sequence[int], sub: _Sub | None = None
) -> tuple[I, I, float]:
    """Graves & Willems' DP on the forest ``edge_ids`` (other edges ignored).

    Returns the service times :math:`S`, :math:`SI` and the optimal value of
    that forest problem, linear terms included.
    """
    sub = _Sub.plain(p) if sub is None else sub
    own = a if isinstance(a, _Own) else _Own(p, a)
    order, parent, pedge = _elimination(p, edge_ids)
    nodes = [_Node("root", []) for _ in range(p.n)]
    for k in order:
        if parent[k] >= 0:
            nodes[parent[k]].children.append((k, pedge[k], int(p.up[pedge[k]]) == k))
    total = 0.0
    roots: list[int] = []
    for k in order:
        node = nodes[k]
        S, SI, c = _node_cost(p, own, sub, k, node, nodes)
        if parent[k] < 0:
            node.kind = "root"
            flat = int(np.argmin(c))
            i, j = divmod(flat, c.shape[1])
            node.root_choice = (int(S[i]), int(SI[j]))
            total += float(c[i, j])
            roots.append(k)
        elif int(p.down[pedge[k]]) == parent[k]:  # parent downstream: f_k(S)
            node.kind = "f"
            j = np.argmin(c, axis=1)
            node.best = c[np.arange(len(j)), j]
            node.arg = (j + int(sub.si_lo[k])).astype(np.int64)
            node.cmin, node.carg = _prefix_min(node.best)
        else:  # parent upstream: g_k(SI)
            node.kind = "g"
            i = np.argmin(c, axis=0)
            node.best = c[i, np.arange(len(i))]
            node.arg = i.astype(np.int64)
            node.cmin, node.carg = _suffix_min(node.best)
    S_out = np.zeros(p.n, dtype=np.int64)
    SI_out = np.zeros(p.n, dtype=np.int64)
    stack: list[int] = []
    for r in roots:
        S_out[r], SI_out[r] = nodes[r].root_choice
        stack.append(r)
    while stack:
        k = stack.pop()
        for child, e, child_up in nodes[k].children:
            ch = nodes[child]
            assert ch.carg is not None and ch.arg is not None
            lo = int(sub.si_lo[child])
            if child_up:
                y = min(int(SI_out[k]) - int(p.L[e]), len(ch.carg) - 1)
                S_out[child] = int(ch.carg[y])
                SI_out[child] = int(ch.arg[S_out[child]])
            else:
                y = min(max(int(S_out[k]) + int(p.L[e]) - lo, 0), len(ch.carg) - 1)
                SI_out[child] = int(ch.carg[y]) + lo
                S_out[child] = int(ch.arg[SI_out[child] - lo])
            stack.append(child)
    return S_out, SI_out, total


def is_forest(n: int, edges: Sequence[tuple[int, int]]) -> bool:
    """True when the undirected graph on ``n`` nodes has no cycle."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        ru, rv = find(u), find(v)
        if ru == rv:
            return False
        parent[ru] = rv
    return True


# --------------------------------------------------------------------------- MILP


@dataclass
class _Pwl:
    """Breakpoints of the piecewise-linear :math:`\\sqrt{\\tau_j}` of each costly stage."""

    stages: I
    points: list[list[int]]


def _initial_breakpoints(p: _Problem, a: F) -> _Pwl:
    """Breakpoints 0, 1 and the largest net lead time :math:`\\overline{SI}_j + T_j`."""
    costly = np.flatnonzero(a > 0)
    pts = []
    for j in costly.tolist():
        top = int(p.si_hi[j] + p.T[j])
        pts.append(sorted({0, min(1, top), top}))
    return _Pwl(costly, pts)


def _milp_model(
    p: _Problem, a: F, pwl: _Pwl, cutoff: float = _INF
) -> tuple[F, LinearConstraint, Bounds, NDArray[np.int8]]:
    r"""Objective, constraints, bounds and integrality of the PWL MILP.

    Variables ``[S (n), SI (n), delta (segments), w (binaries)]``; for a costly
    stage with breakpoints :math:`b_0 = 0 < \dots < b_m`,
    :math:`SI_j + T_j - S_j = \sum_k (b_k - b_{k-1}) \delta_{jk}`,
    :math:`\delta_{j,k+1} \le w_{jk} \le \delta_{jk}` and cost
    :math:`a_j \sum_k (\sqrt{b_k} - \sqrt{b_{k-1}}) \delta_{jk}`. A finite
    ``cutoff`` (the cost of a known policy) adds the row objective :math:`\le` cutoff,
    which keeps every optimum (the interpolant is below :math:`\sqrt{\cdot}`).
    """
    n = p.n
    seg = [len(pt) - 1 for pt in pwl.points]
    n_delta = int(sum(seg))
    n_w = int(sum(max(m - 1, 0) for m in seg))
    nv = 2 * n + n_delta + n_w
    c = np.zeros(nv)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []

    def row(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lb)
        for col, val in entries:
            rows.append(r)
            cols.append(col)
            vals.append(val)
        lb.append(lo)
        ub.append(hi)

    for e in range(len(p.up)):  # SI_j - S_i >= L_ij
        row([(n + int(p.down[e]), 1.0), (int(p.up[e]), -1.0)], float(p.L[e]), _INF)
    costly = set(pwl.stages.tolist())
    for j in range(n):
        if j not in costly:  # SI_j + T_j - S_j >= 0
            row([(n + j, 1.0), (j, -1.0)], -float(p.T[j]), _INF)
    d0 = 2 * n
    w0 = 2 * n + n_delta
    for j, pts in zip(pwl.stages.tolist(), pwl.points, strict=True):
        b = np.array(pts, dtype=np.float64)
        width = np.diff(b)
        slope = np.diff(np.sqrt(b))
        m = len(width)
        entries = [(n + j, 1.0), (j, -1.0)]
        entries += [(d0 + k, -float(width[k])) for k in range(m)]
        row(entries, -float(p.T[j]), -float(p.T[j]))
        c[d0 : d0 + m] = a[j] * slope
        for k in range(m - 1):
            row([(w0 + k, 1.0), (d0 + k, -1.0)], -_INF, 0.0)
            row([(d0 + k + 1, 1.0), (w0 + k, -1.0)], -_INF, 0.0)
        d0 += m
        w0 += max(m - 1, 0)
    if math.isfinite(cutoff):
        nz = np.flatnonzero(c)
        row([(int(k), float(c[k])) for k in nz], -_INF, cutoff * (1 + 1e-9) + 1e-9)
    A = sparse.csr_array((vals, (rows, cols)), shape=(len(lb), nv))
    lo = np.concatenate([np.zeros(n), p.si.astype(np.float64), np.zeros(n_delta + n_w)])
    hi = np.concatenate(
        [p.s_hi.astype(np.float64), p.si_hi.astype(np.float64), np.ones(n_delta + n_w)]
    )
    integrality = np.zeros(nv, dtype=np.int8)
    integrality[2 * n + n_delta :] = 1
    return c, LinearConstraint(A, np.array(lb), np.array(ub)), Bounds(lo, hi), integrality


def _cost(p: _Problem, a: F, S: I, SI: I) -> float:
    return float(np.sum(a * np.sqrt(SI + p.T - S)))


def _refine(p: _Problem, pwl: _Pwl, S: I, SI: I) -> int:
    """Add each costly stage's net lead time as a breakpoint; count the additions."""
    added = 0
    nlt = SI + p.T - S
    for j, pts in zip(pwl.stages.tolist(), pwl.points, strict=True):
        x = int(nlt[j])
        if x not in pts:
            pts.append(x)
            pts.sort()
            added += 1
    return added


def _solve_milp(
    p: _Problem,
    a: F,
    time_limit: float,
    gap_tolerance: float,
    start: I | None = None,
    lower_bound: float = 0.0,
) -> tuple[I, float, float, int, list[str]]:
    """Iterative PWL refinement from the policy ``start`` (default: all :math:`S_j = 0`,
    always feasible), whose net lead times become breakpoints and whose cost a cutoff.
    Returns ``S``, upper and lower bounds, MILP solves, notes."""
    t0 = time.perf_counter()
    notes: list[str] = []
    best_S, best_SI = _tight(p, np.zeros(p.n) if start is None else start)
    ub = _cost(p, a, best_S, best_SI)
    lb = lower_bound
    pwl = _initial_breakpoints(p, a)
    _refine(p, pwl, best_S, best_SI)
    iterations = 0
    while True:
        remaining = time_limit - (time.perf_counter() - t0)
        if remaining <= 0:
            notes.append(f"time limit of {time_limit:g} s reached")
            break
        c, cons, bounds, integ = _milp_model(p, a, pwl, ub)
        res = milp(
            c,
            constraints=cons,
            bounds=bounds,
            integrality=integ,
            options={"time_limit": remaining, "mip_rel_gap": gap_tolerance / 4, "disp": False},
        )
        iterations += 1
        if res.x is None:
            notes.append(f"MILP returned no solution: {res.message}")
            break
        dual = getattr(res, "mip_dual_bound", None)
        if dual is None or not math.isfinite(dual):
            dual = float(res.fun) if res.status == 0 else 0.0
        lb = max(lb, float(dual))
        S, SI = _tight(p, res.x[: p.n])
        cost = _cost(p, a, S, SI)
        if cost < ub:
            ub, best_S, best_SI = cost, S, SI
        if _gap(ub, lb) <= gap_tolerance:
            break
        if res.status != 0:
            notes.append(f"MILP stopped early: {res.message}")
            break
        if _refine(p, pwl, S, SI) == 0:
            break  # the PWL is exact at the MILP optimum: only the MILP's own gap is left
    lb = min(lb, ub)
    return best_S, ub, lb, iterations, notes


def _gap(ub: float, lb: float) -> float:
    if ub <= 0:
        return 0.0
    return max(0.0, (ub - lb) / ub)


# --------------------------------------------------------------------------- Lagrangian


def _spanning_forest(p: _Problem, weight: F) -> tuple[list[int], I]:
    """Kruskal: a maximum-weight spanning forest (edge indices) and the other edges."""
    parent = list(range(p.n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree: list[int] = []
    rest: list[int] = []
    for e in np.argsort(-weight, kind="stable").tolist():
        ru, rv = find(int(p.up[e])), find(int(p.down[e]))
        if ru == rv:
            rest.append(e)
        else:
            parent[ru] = rv
            tree.append(e)
    return tree, np.array(sorted(rest), dtype=np.int64)


def _lns(
    p: _Problem,
    own: _Own,
    S: I,
    SI: I,
    rng: np.random.Generator,
    deadline: float,
    rounds: int,
    patience: int | None = None,
) -> tuple[I, I, float]:
    r"""Large-neighbourhood search: for a random spanning tree, fix a threshold
    :math:`\theta_e \in [S_i + L_e, SI_j]` on every other edge
    (:math:`S_i \le \theta_e - L_e`, :math:`SI_j \ge \theta_e`: the current
    policy stays feasible) and solve the tree DP exactly over everything else.
    The cost never increases. Stops after ``rounds`` rounds, at ``deadline`` or
    after ``patience`` rounds in a row without improvement."""
    a = own.a
    cost = _cost(p, a, S, SI)
    idle = 0
    for _ in range(rounds):
        if time.perf_counter() >= deadline or (patience is not None and idle >= patience):
            break
        tree, rest = _spanning_forest(p, rng.random(len(p.up)))
        sub = _Sub.plain(p)
        if len(rest):
            i, j, L = p.up[rest], p.down[rest], p.L[rest]
            lo = S[i] + L
            theta = lo + np.floor(rng.random(len(rest)) * (SI[j] - lo + 1)).astype(np.int64)
            np.minimum.at(sub.s_hi, i, theta - L)
            np.maximum.at(sub.si_lo, j, theta)
        S2, _si, _v = _solve_tree(p, own, tree, sub)
        S2, SI2 = _tight(p, S2)
        c2 = _cost(p, a, S2, SI2)
        idle = 0 if c2 < cost * (1 - 1e-12) else idle + 1
        if c2 <= cost:
            S, SI, cost = S2, SI2, c2
    return S, SI, cost


def _solve_lagrangian(
    p: _Problem, a: F, time_limit: float, gap_tolerance: float, seed: int = 0
) -> tuple[I, float, float, int, list[str]]:
    r"""Lagrangian decomposition over a spanning tree, with the tree DP as
    subproblem, and large-neighbourhood search for policies.

    Every edge :math:`e = (i, j)` outside the tree keeps its constraint
    :math:`SI_j \ge S'_e + L_e` in stage :math:`j`'s problem, with a copy
    :math:`S'_e \in [0, \bar S_i]` of :math:`S_i`; the copies' equalities
    :math:`S'_e = S_i` are relaxed with free multipliers :math:`\mu_e`:

    .. math:: \mathcal L(\mu) = \min_{\text{tree, copies}} \sum_j a_j\sqrt{\tau_j}
              + \sum_e \mu_e (S'_e - S_i) \le \text{optimum}.

    This dominates relaxing the edges themselves (the copy caps what stage
    :math:`j` may gain from a late :math:`SI_j`). :math:`\mathcal L` is
    maximised by subgradient steps with Polyak's step length, halved after 5
    steps without progress. Every subproblem solution, made feasible by
    :func:`_tight`, is a candidate policy; :func:`_lns` improves the best one.

    Returns ``S``, upper and lower bounds, iterations and notes.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    rng = np.random.default_rng(seed)
    own = _Own(p, a)
    # keep the edges into costly stages in the tree (ties: costly upstream stages)
    tree, rest = _spanning_forest(p, a[p.down] + 1e-3 * a[p.up])
    rest = rest[np.argsort(p.down[rest], kind="stable")]
    du, dd, dL = p.up[rest], p.down[rest], p.L[rest]
    ptr = np.zeros(p.n + 1, dtype=np.int64)
    np.add.at(ptr, dd + 1, 1)
    copies = _Copies(np.cumsum(ptr), dL, p.s_hi[du], np.zeros(len(rest)))
    best_S, best_SI = _tight(p, np.zeros(p.n))
    ub = _cost(p, a, best_S, best_SI)
    lb = 0.0
    step_scale, stall, it = 2.0, 0, 0
    notes: list[str] = []
    while time.perf_counter() < deadline:
        it += 1
        sub = _Sub.plain(p)
        sub.lin_s = -np.bincount(du, copies.mu, p.n).astype(np.float64)
        sub.copies = copies
        S, SI, val = _solve_tree(p, own, tree, sub)
        if val > lb + 1e-9 * abs(lb):
            lb, stall = val, 0
        else:
            stall += 1
        St, SIt = _tight(p, S)
        c = _cost(p, a, St, SIt)
        if c < ub:
            best_S, best_SI, ub = St, SIt, c
        if it % 10 == 1:
            best_S, best_SI, ub = _lns(p, own, best_S, best_SI, rng, deadline, 3)
        if _gap(ub, lb) <= gap_tolerance:
            break
        x = np.where(copies.mu < 0, np.minimum(SI[dd] - dL, copies.cap), 0)
        g = (x - S[du]).astype(np.float64)
        norm2 = float(g @ g)
        if norm2 == 0.0:
            break  # copies agree: the subproblem solution is feasible and optimal
        if stall >= 5:
            step_scale, stall = step_scale / 2, 0
        if step_scale < 1e-3:
            break
        copies.mu = copies.mu + step_scale * (ub - val) / norm2 * g
    if _gap(ub, lb) > gap_tolerance:
        best_S, best_SI, ub = _lns(p, own, best_S, best_SI, rng, deadline, 10_000, 30)
    if time.perf_counter() >= deadline:
        notes.append(f"time limit of {time_limit:g} s reached")
    return best_S, ub, min(lb, ub), it, notes


# --------------------------------------------------------------------------- API


def _safety_factor(z: float | None, service_level: float | None) -> tuple[float, float]:
    if z is not None and service_level is not None:
        raise ValueError("give z or service_level, not both")
    if z is None:
        alpha = DEFAULT_SERVICE_LEVEL if service_level is None else float(service_level)
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"service_level must be in (0, 1), got {alpha!r}")
        return float(norm.ppf(alpha)), alpha
    if not math.isfinite(z) or z < 0:
        raise ValueError(f"z must be finite and >= 0, got {z!r}")
    return float(z), float(norm.cdf(z))


def solve_gsm(
    stages: Sequence[GSMStage],
    edges: Iterable[EdgeLike],
    *,
    z: float | None = None,
    service_level: float | None = None,
    method: str = "auto",
    time_limit: float = 50.0,
    gap_tolerance: float = 1e-6,
) -> GSMSolution:
    r"""Optimal committed service times of the guaranteed-service model.

    Parameters
    ----------
    stages : sequence of GSMStage
    edges : iterable of GSMEdge or tuples ``(upstream, downstream[, units[, transit]])``
        Must form a directed acyclic graph.
    z : float, optional
        Safety factor. [:math:`z`]
    service_level : float, optional
        :math:`\alpha`, giving :math:`z = \Phi^{-1}(\alpha)`; default 0.95 when
        neither is given.
    method : {"auto", "dp", "lagrangian", "milp"}
        See the module docstring; ``"dp"`` needs a tree or forest (undirected).
    time_limit : float
        Seconds for the Lagrangian and MILP methods together (checked between
        iterations, so it can be exceeded by one iteration).
    gap_tolerance : float
        Relative gap at which the MILP stops and the result counts as optimal.

    Returns
    -------
    GSMSolution

    Raises
    ------
    ValueError
        Invalid data, a directed cycle, or ``"dp"`` on a graph with an
        undirected cycle.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    t0 = time.perf_counter()
    zz, alpha = _safety_factor(z, service_level)
    p = _build(stages, edges)
    a = _coef(p, zz)
    pairs = list(zip(p.up.tolist(), p.down.tolist(), strict=True))
    use = method
    if method == "auto":
        use = "dp" if is_forest(p.n, pairs) else "lagrangian"
    notes: list[str] = []
    if use == "dp":
        S, _si, _value = _solve_tree(p, a, range(len(pairs)))
        S, SI = _tight(p, S)
        ub = lb = _cost(p, a, S, SI)
        iterations = 1
    elif use == "milp":
        S, ub, lb, iterations, notes = _solve_milp(p, a, time_limit, gap_tolerance)
    else:
        S, ub, lb, iterations, notes = _solve_lagrangian(p, a, time_limit, gap_tolerance)
        left = time_limit - (time.perf_counter() - t0)
        small = p.n <= AUTO_MILP_MAX_STAGES
        if method == "auto" and small and _gap(ub, lb) > gap_tolerance and left > 0:
            S, ub, lb, more, notes2 = _solve_milp(p, a, left, gap_tolerance, S, lb)
            iterations += more
            notes += notes2
            use = "lagrangian+milp"
    S, SI = _tight(p, S)
    gap = 0.0 if use == "dp" else _gap(ub, lb)
    return GSMSolution(
        stages=_results(p, stages, zz, S, SI),
        total_cost=_cost(p, a, S, SI),
        lower_bound=lb,
        gap=gap,
        optimal=gap <= gap_tolerance,
        method=use,
        z=zz,
        service_level=alpha,
        solve_seconds=time.perf_counter() - t0,
        iterations=iterations,
        notes=tuple(notes),
    )


def _results(
    p: _Problem, stages: Sequence[GSMStage], z: float, S: I, SI: I
) -> dict[str, StageResult]:
    out: dict[str, StageResult] = {}
    for j, st in enumerate(stages):
        nlt = int(SI[j] + p.T[j] - S[j])
        units = float(z * p.sigma[j] * math.sqrt(nlt))
        mu = float(p.mu[j])
        days = units / mu if mu > 0 else (0.0 if units == 0 else None)
        out[st.stage_id] = StageResult(
            stage_id=st.stage_id,
            committed_service_time=int(S[j]),
            inbound_service_time=int(SI[j]),
            processing_time=int(p.T[j]),
            net_lead_time=nlt,
            demand_mean=mu,
            demand_std=float(p.sigma[j]),
            safety_stock_units=units,
            cost=float(p.h[j]) * units,
            safety_stock_days=days,
            safety_stock_value=None if st.unit_value is None else units * st.unit_value,
        )
    return out


# --------------------------------------------------------------------------- network adapter


def _lane_days(lane: Any) -> int:
    """Whole transit days of a lane: the mean of the whole-day lead time that the
    engine samples (docs/MODEL.md), rounded up."""
    pmf = lane.lead_time.whole_day_pmf(0)
    mean = float(np.dot(np.arange(len(pmf)), pmf))
    return max(0, math.ceil(mean - 1e-9))


def network_stages(
    network: Network, *, review_days: int = 1
) -> tuple[list[GSMStage], list[GSMEdge]]:
    r"""Stages and edges of the GSM for a network.

    * Stages: stocking sites (suppliers, plants, DCs). :math:`T_j` =
      ``processing_days`` (0 for a DC) + ``review_days`` (the engine reviews
      daily and a shipment ordered on day :math:`t` arrives on
      :math:`t + 1 + L`, so its protection period is :math:`E[L] + 1`,
      docs/MODEL.md); :math:`h_j` = ``unit_value × holding_cost_rate`` (per
      year); raw sources get :math:`si_j = 0` (ample supply).
    * Edges: lanes between stocking sites, with transit :math:`L_{ij}` =
      :math:`\lceil E[L] \rceil` of the whole-day lead time and
      :math:`\phi_{ij}` = share (× quantity per unit into a producing site).
      Every source of a component must deliver its share, so
      :math:`SI_j \ge S_i + L_{ij}` for each of them.
    * Demand: customers' daily demand propagated upstream by shares and bills
      of material, exactly as the engine's mean flows, with independent
      customers (:func:`propagate_demand`). A site that ships to customers
      gets :math:`s_j` = the smallest ``service_time_days`` among them.

    Notes
    -----
    The promised service time bounds the site's committed service time; the
    transit to the customer is not deducted from it. Lead-time variability,
    capacities, disruptions and line-side buffers are outside the GSM (it
    covers demand variability only: see the disruption-aware placement).
    """
    sites = {s.site_id: s for s in network.sites}
    order_ids = [s.site_id for s in network.sites]
    idx = {sid: k for k, sid in enumerate(order_ids)}
    n = len(order_ids)
    ups = np.array([idx[la.source] for la in network.lanes], dtype=np.int64)
    downs = np.array([idx[la.target] for la in network.lanes], dtype=np.int64)
    units = np.array(
        [
            la.share * (la.quantity_per_unit if sites[la.target].is_producing else 1.0)
            for la in network.lanes
        ],
        dtype=np.float64,
    )
    order = _topological(n, ups, downs, order_ids)
    dmean = np.zeros(n)
    dstd = np.zeros(n)
    for d in network.demand:
        dmean[idx[d.site_id]] = max(d.daily_demand.mean, 0.0)
        dstd[idx[d.site_id]] = d.daily_demand.std
    mu, sigma = propagate_demand(n, ups, downs, units, order, dmean, dstd)
    smax: dict[str, int] = {}
    for la in network.lanes:
        if sites[la.target].type == "customer" and sites[la.source].is_stocking:
            dem = network.demand_by_id.get(la.target)
            st = dem.service_time_days if dem is not None else 0
            smax[la.source] = min(smax.get(la.source, st), st)
    stages = [
        GSMStage(
            stage_id=s.site_id,
            processing_time=(s.processing_days if s.is_producing else 0) + review_days,
            holding_cost=s.unit_value * s.holding_cost_rate,
            max_service_time=smax.get(s.site_id),
            net_demand_mean=float(mu[idx[s.site_id]]),
            net_demand_std=float(sigma[idx[s.site_id]]),
            unit_value=s.unit_value,
        )
        for s in network.sites
        if s.is_stocking
    ]
    edges = [
        GSMEdge(la.source, la.target, float(units[k]), _lane_days(la))
        for k, la in enumerate(network.lanes)
        if sites[la.source].is_stocking and sites[la.target].is_stocking
    ]
    return stages, edges


def place_gsm(
    network: Network,
    service_level: float | None = None,
    *,
    method: str = "auto",
    review_days: int = 1,
    time_limit: float = 50.0,
    gap_tolerance: float = 1e-6,
) -> GSMSolution:
    r"""Guaranteed-service safety stock for every stocking site of ``network``.

    Stages and edges as in :func:`network_stages`; :math:`z = \Phi^{-1}(\alpha)`
    with :math:`\alpha` = ``service_level`` or ``network.settings.service_level``.
    Costs are annual (holding cost rates are per year); safety-stock days are
    units over the mean daily flow through the site.
    """
    alpha = network.settings.service_level if service_level is None else service_level
    stages, edges = network_stages(network, review_days=review_days)
    return solve_gsm(
        stages,
        edges,
        service_level=alpha,
        method=method,
        time_limit=time_limit,
        gap_tolerance=gap_tolerance,
    )
