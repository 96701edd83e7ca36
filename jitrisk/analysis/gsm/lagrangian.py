"""Lagrangian decomposition for general networks: a spanning forest solved by DP.

The arcs outside a spanning forest are relaxed with multipliers (subgradient
steps); each dual value is a lower bound, and a large-neighbourhood search
repairs forest solutions into feasible plans for the upper bound.
"""

from __future__ import annotations

import time

import numpy as np

from .dp import (
    _Copies,
    _Own,
    _solve_tree,
    _Sub,
)
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
