"""Lagrangian decomposition for general networks: stars and a spanning forest solved by DP.

Stages on cycles that can be taken out whole (sources and sinks with several
edges on cycles) become stars whose cost their copies share; the other edges
outside a spanning forest get copies too, and the copies' equalities are
relaxed with multipliers (subgradient steps). Each dual value is a lower bound;
a large-neighbourhood search repairs forest solutions into feasible plans for
the upper bound, and :mod:`.branch` closes what gap is left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from .dp import (
    _Copies,
    _Forest,
    _solve_tree,
    _Sub,
)
from .dp_kernel import copy_choices, project_simplices
from .problem import (
    F,
    I,
    _cost,
    _gap,
    _Problem,
    _tight,
)


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
    a: F,
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
        S2, _si, _v = _solve_tree(p, a, tree, sub)
        S2, SI2 = _tight(p, S2)
        c2 = _cost(p, a, S2, SI2)
        idle = 0 if c2 < cost * (1 - 1e-12) else idle + 1
        if c2 <= cost:
            S, SI, cost = S2, SI2, c2
    return S, SI, cost


def _on_cycles(p: _Problem) -> NDArray[np.bool_]:
    """Edges on an undirected cycle (not bridges): only there does the forest
    need copies; a tree stays exact."""
    g = nx.Graph()
    g.add_nodes_from(range(p.n))
    g.add_edges_from(zip(p.up.tolist(), p.down.tolist(), strict=True))
    bridges = {frozenset(e) for e in nx.bridges(g)}
    return np.array(
        [
            frozenset((u, v)) not in bridges
            for u, v in zip(p.up.tolist(), p.down.tolist(), strict=True)
        ],
        dtype=bool,
    )


@dataclass
class _Decomposition:
    r"""A forest, the stages taken out of it, and the copies that stand for the rest.

    A source with several customers (no inbound edges, so :math:`SI_i = si_i`)
    and a sink with several suppliers are taken out: a source's cost
    :math:`f_i(S_i)` falls as :math:`S_i` grows, so at an optimum
    :math:`S_i = \min_k (SI_k - L_{ik})` and its cost is
    :math:`\max_k f_i(SI_k - L_{ik})`; a sink's (:math:`S_k` as large as its
    maximum service time allows) is :math:`\max_j f_k(S_j + L_{jk})`. Each of
    its edges gets a copy of the stage's service time inside the neighbour,
    charged :math:`\lambda_c f_i`, with :math:`\lambda` on the simplex:
    :math:`\max_c f_i(x_c) \ge \sum_c \lambda_c f_i(x_c)`, which keeps the
    square root's curvature (a linear multiplier alone convexifies it). The
    other edges outside a maximum-weight spanning forest of what is left get
    plain copies (:math:`\lambda = 0`).
    """

    forest: _Forest
    copies: _Copies
    own_a: F  # a_j, 0 for stages taken out
    stars: I  # CSR over copies: the copies of each taken-out stage
    taken: I  # the stages taken out, in the order of ``stars``
    si_lo: I  # SI_k >= L_e where stage k holds a copy of an upstream S (S >= 0)

    @classmethod
    def of(cls, p: _Problem, a: F) -> _Decomposition:
        n = p.n
        indeg = np.bincount(p.down, minlength=n)
        outdeg = np.bincount(p.up, minlength=n)
        cyclic = _on_cycles(p)
        src = (indeg == 0) & (np.bincount(p.up, cyclic, n) >= 2)
        snk = (outdeg == 0) & (np.bincount(p.down, cyclic, n) >= 2)
        snk &= np.bincount(p.down, src[p.up], n) == 0  # an edge joins at most one star
        out_arc = src[p.up] | snk[p.down]
        # keep the edges into costly stages in the tree (ties: costly upstream stages)
        weight = np.where(out_arc, -np.inf, a[p.down] + 1e-3 * a[p.up])
        tree, rest = _spanning_forest(p, weight)
        tree = [e for e in tree if not out_arc[e]]
        rest = rest[~out_arc[rest]]
        kinds, owners, nbs, Ls, lams, bounds = [], [], [], [], [], [0]
        taken = []
        for i in np.flatnonzero(src | snk).tolist():
            arcs = np.flatnonzero(p.up == i) if src[i] else np.flatnonzero(p.down == i)
            kinds.append(np.full(len(arcs), 0 if src[i] else 1))
            owners.append(np.full(len(arcs), i))
            nbs.append(p.down[arcs] if src[i] else p.up[arcs])
            Ls.append(p.L[arcs])
            lams.append(np.full(len(arcs), 1.0 / len(arcs)))
            bounds.append(bounds[-1] + len(arcs))
            taken.append(i)
        kinds.append(np.zeros(len(rest)))
        owners.append(p.up[rest])
        nbs.append(p.down[rest])
        Ls.append(p.L[rest])
        lams.append(np.zeros(len(rest)))

        def cat(parts: list[Any], dtype: type) -> Any:
            return np.concatenate(parts).astype(dtype)

        copies = _Copies(
            cat(kinds, np.int64),
            cat(owners, np.int64),
            cat(nbs, np.int64),
            cat(Ls, np.int64),
            cat(lams, np.float64),
            np.zeros(int(sum(len(x) for x in kinds))),
            a,
        )
        si_lo = p.si.copy()
        first = copies.kind == 0
        np.maximum.at(si_lo, copies.nb[first], copies.L[first])
        return cls(
            _Forest.of(p, tree),
            copies,
            np.where(src | snk, 0.0, a),
            np.array(bounds, dtype=np.int64),
            np.array(taken, dtype=np.int64),
            si_lo,
        )

    def root(self, p: _Problem) -> _Sub:
        """The whole problem's bounds, with the copies."""
        sub = _Sub.plain(p)
        sub.si_lo = self.si_lo.copy()
        sub.copies = self.copies
        return sub

    def policy(self, p: _Problem, S: I, SI: I) -> I:
        """Service times to repair into a policy: a taken-out source quotes what all
        its customers wait for, a taken-out sink its longest."""
        want = S.copy()
        if not len(self.taken):
            return want
        c, lo = self.copies, self.stars[:-1]
        room = np.minimum.reduceat(SI[c.nb[: self.stars[-1]]] - c.L[: self.stars[-1]], lo)
        want[self.taken] = np.where(
            c.kind[lo] == 0, np.minimum(p.s_hi[self.taken], room), p.s_hi[self.taken]
        )
        return want


@dataclass
class _Incumbent:
    """The best policy found so far and its cost (the upper bound)."""

    S: I
    SI: I
    cost: float

    @classmethod
    def start(cls, p: _Problem, a: F) -> _Incumbent:
        S, SI = _tight(p, np.zeros(p.n))
        return cls(S, SI, _cost(p, a, S, SI))

    def offer(self, p: _Problem, a: F, S: I, SI: I) -> None:
        cost = _cost(p, a, S, SI)
        if cost < self.cost:
            self.S, self.SI, self.cost = S, SI, cost

    def improve(
        self,
        p: _Problem,
        a: F,
        rng: np.random.Generator,
        deadline: float,
        rounds: int,
        patience: int | None = None,
    ) -> None:
        self.S, self.SI, self.cost = _lns(p, a, self.S, self.SI, rng, deadline, rounds, patience)


@dataclass
class _Dual:
    """What one run of :func:`_ascent` leaves: its best bound, the subproblem
    solution there (for branching) and the copies' values in it."""

    bound: float
    S: I
    SI: I
    x: I
    iterations: int


def _ascent(
    p: _Problem,
    a: F,
    dec: _Decomposition,
    sub: _Sub,
    best: _Incumbent,
    deadline: float,
    *,
    step: float = 1.0,
    patience: int = 30,
    floor: float = 1e-5,
    gap_tolerance: float = 0.0,
    lns: tuple[np.random.Generator, int] | None = None,
) -> _Dual:
    r"""Maximise :math:`\mathcal L(\lambda, \nu)` over the subproblem ``sub`` by
    projected subgradient steps from the copies' present multipliers (updated in
    place): one Polyak step per block (:math:`\nu` in days, :math:`\lambda` in
    cost) towards the incumbent's cost, the step halved after ``patience`` steps
    without progress, stopping below ``floor``, when the bound is within
    ``gap_tolerance`` of the incumbent's cost or at ``deadline``. Every
    subproblem solution, repaired, is offered to the incumbent; with
    ``lns = (rng, k)`` every ``k``-th also gets three rounds of :func:`_lns`.
    """
    c = dec.copies
    star_of = np.repeat(np.arange(len(dec.taken)), np.diff(dec.stars))
    in_star = np.arange(len(c.kind)) < dec.stars[-1]
    lb, stall, it = -np.inf, 0, 0
    keep = _Dual(-np.inf, sub.s_lo, sub.si_lo, np.zeros(len(c.kind), np.int64), 0)
    while time.perf_counter() < deadline:
        it += 1
        S, SI, val = _solve_tree(p, dec.own_a, dec.forest, sub)
        if not np.isfinite(val):
            return _Dual(np.inf, S, SI, keep.x, it)  # the subproblem is infeasible
        x, f = copy_choices(S, SI, *c.kernel_args(p, sub))
        if val > lb + 1e-9 * abs(val):
            lb, stall = val, 0
            keep = _Dual(val, S, SI, x, it)
        else:
            stall += 1
        best.offer(p, a, *_tight(p, dec.policy(p, S, SI)))
        if lns is not None and it % lns[1] == 1:
            best.improve(p, a, lns[0], deadline, 3)
        if _gap(best.cost, lb) <= gap_tolerance:
            break
        g_nu = (x - np.where(c.kind == 0, S[c.owner], SI[c.owner])).astype(np.float64)
        g_lam = np.zeros(len(f))
        if len(star_of):
            mean = np.bincount(star_of, f[in_star]) / np.diff(dec.stars)
            g_lam[in_star] = f[in_star] - mean[star_of]
        n_nu, n_lam = float(g_nu @ g_nu), float(g_lam @ g_lam)
        if n_nu == 0.0 and n_lam == 0.0:
            break  # copies agree: the subproblem solution is feasible and optimal
        if stall >= patience:
            step, stall = step / 2, 0
        if step < floor:
            break
        share = max(best.cost - val, 1e-9 * abs(val)) * step / ((n_nu > 0) + (n_lam > 0))
        if n_nu > 0:
            c.nu = c.nu + share / n_nu * g_nu
        if n_lam > 0:
            c.lam = project_simplices(c.lam + share / n_lam * g_lam, dec.stars)
    keep.iterations = it
    return keep
