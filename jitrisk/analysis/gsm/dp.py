"""Exact dynamic programme over a tree or forest (Graves & Willems 2000, section 4).

Stages are eliminated leaf by leaf; each node's cost is a function of its
service times, tabulated and minimised with prefix and suffix minima.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .problem import (
    _INF,
    F,
    I,
    _prefix_min,
    _Problem,
    _suffix_min,
)


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
            m[ok] = self.a[k] * np.sqrt(nlt[ok] + p.shift[k])
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
