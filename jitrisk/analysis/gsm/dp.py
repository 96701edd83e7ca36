"""Exact dynamic programme over a tree or forest (Graves & Willems 2000, section 4).

Stages are eliminated leaf by leaf; each node's cost is a function of its
service times, tabulated and minimised with prefix and suffix minima.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dp_kernel import add_copy_terms, owner_costs, tree_dp
from .problem import (
    F,
    I,
    _Problem,
)


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
    r"""A tree subproblem: tighter bounds :math:`\underline S_j \le S_j \le \bar S_j`,
    :math:`\underline{SI}_j \le SI_j \le \overline{SI}_j`, and the copies of
    relaxed edges (their multipliers put linear costs on their owners)."""

    s_lo: I
    s_hi: I
    si_lo: I
    si_hi: I
    copies: _Copies | None = None
    _grids: tuple[I, I, I, I] | None = field(default=None, repr=False)
    _costs: tuple[F, I] | None = field(default=None, repr=False)

    @classmethod
    def plain(cls, p: _Problem) -> _Sub:
        return cls(
            np.zeros(p.n, dtype=np.int64),
            p.s_hi.copy(),
            p.si.copy(),
            p.si_hi.copy(),
        )

    def grids(self) -> tuple[I, I, I, I]:
        """Offsets of each stage's :math:`S` and :math:`SI` grids in flat arrays,
        and the grid values; computed on the first solve, after which the
        bounds stay as they are (a new bound makes a new subproblem)."""
        if self._grids is None:
            self._grids = self._layout()
        return self._grids

    def copy_costs(self, p: _Problem) -> tuple[F, I]:
        """The copies' owners' costs over the copies' grids under these bounds
        (:func:`.dp_kernel.owner_costs`), computed once like :meth:`grids`."""
        c = self.copies
        assert c is not None
        if self._costs is None:
            self._costs = owner_costs(
                c.kind, c.owner, c.a, p.T, p.shift, p.smax,
                self.s_lo, self.s_hi, self.si_lo, self.si_hi,
            )  # fmt: skip
        return self._costs

    def _layout(self) -> tuple[I, I, I, I]:
        ns = self.s_hi - self.s_lo + 1
        ni = self.si_hi - self.si_lo + 1
        row_off = np.concatenate([[0], np.cumsum(ns)]).astype(np.int64)
        col_off = np.concatenate([[0], np.cumsum(ni)]).astype(np.int64)
        s_val = np.arange(row_off[-1]) - np.repeat(row_off[:-1] - self.s_lo, ns)
        si_val = np.arange(col_off[-1]) - np.repeat(col_off[:-1] - self.si_lo, ni)
        return row_off, col_off, s_val, si_val


@dataclass
class _Copies:
    r"""Copies of service times that relax the edges a forest leaves out.

    Copy ``c`` of kind 0 is a copy :math:`x_c` of :math:`S_i`
    (:math:`i` = ``owner[c]``) held by a downstream stage :math:`k` = ``nb[c]``
    with :math:`SI_k \ge x_c + L_c`; kind 1 is a copy :math:`y_c` of :math:`SI_i`
    held by an upstream stage :math:`k` with :math:`y_c \ge S_k + L_c`. A copy
    costs :math:`\lambda_c f_i + \nu_c x_c`, where :math:`f_i` is the owner's
    cost as a function of the copy (for a source's :math:`S_i`, or a sink's
    :math:`SI_i`; ``lam`` is 0 for other owners) and :math:`\nu_c` the
    multiplier of the relaxed equality with the owner's own value, which the
    owner pays as :math:`-\nu_c S_i` (or :math:`-\nu_c SI_i`). ``a`` is the
    owners' cost coefficient :math:`a_i`. See :mod:`.lagrangian`.
    """

    kind: I
    owner: I
    nb: I
    L: I
    lam: F
    nu: F
    a: F

    def kernel_args(self, p: _Problem, sub: _Sub) -> tuple[Any, ...]:
        """What :func:`.dp_kernel.add_copy_terms` and :func:`.dp_kernel.copy_choices`
        take after their own arrays: the bounds, the copies and the owners' costs."""
        return (
            sub.s_lo, sub.s_hi, sub.si_lo, sub.si_hi,
            self.kind, self.owner, self.nb, self.L, self.lam, self.nu,
            *sub.copy_costs(p),
        )  # fmt: skip

    def owner_terms(self, n: int) -> tuple[F, F]:
        r""":math:`-\sum_c \nu_c` per owner, on :math:`S` (kind 0) and on :math:`SI` (kind 1)."""
        on_s = -np.bincount(self.owner, np.where(self.kind == 0, self.nu, 0.0), n)
        on_si = -np.bincount(self.owner, np.where(self.kind == 1, self.nu, 0.0), n)
        return on_s.astype(np.float64), on_si.astype(np.float64)


@dataclass(frozen=True)
class _Forest:
    """A forest's leaf-elimination order, each stage's parent and edge to it."""

    order: I
    parent: I
    pedge: I

    @classmethod
    def of(cls, p: _Problem, edge_ids: Sequence[int]) -> _Forest:
        order, parent, pedge = _elimination(p, edge_ids)
        as_int = np.int64
        return cls(
            np.array(order, dtype=as_int),
            np.array(parent, dtype=as_int),
            np.array(pedge, dtype=as_int),
        )


def _solve_tree(
    p: _Problem, a: F, edge_ids: Sequence[int] | _Forest, sub: _Sub | None = None
) -> tuple[I, I, float]:
    """Graves & Willems' DP on the forest ``edge_ids`` (other edges ignored),
    computed by :func:`.dp_kernel.tree_dp`.

    Returns the service times :math:`S`, :math:`SI` and the optimal value of
    that forest problem, linear terms included (infinite when infeasible).
    """
    sub = _Sub.plain(p) if sub is None else sub
    forest = edge_ids if isinstance(edge_ids, _Forest) else _Forest.of(p, edge_ids)
    row_off, col_off, s_val, si_val = sub.grids()
    c = sub.copies
    if c is None:
        row, col = np.zeros(len(s_val)), np.zeros(len(si_val))
    else:  # the owners' side of the copies' multipliers, linear in S and SI
        on_s, on_si = c.owner_terms(p.n)
        row = np.repeat(on_s, np.diff(row_off)) * s_val
        col = np.repeat(on_si, np.diff(col_off)) * si_val
    if c is not None and len(c.L):
        add_copy_terms(row, row_off, col, col_off, *c.kernel_args(p, sub))
    S, SI, total = tree_dp(
        forest.order,
        forest.parent,
        forest.pedge,
        p.up,
        p.L,
        p.T,
        np.asarray(a, dtype=np.float64),
        p.shift,
        sub.s_lo,
        sub.s_hi,
        sub.si_lo,
        sub.si_hi,
        row,
        row_off,
        col,
        col_off,
    )
    return S, SI, float(total)


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
