r"""Branch and bound on service times, with the Lagrangian bound at every node.

The Lagrangian dual (:mod:`.lagrangian`) leaves a gap where a stage's copies
disagree: a source's customers would each like it to quote a different service
time. A node splits the range of that stage's service time in two
(:math:`S_i \le m` or :math:`S_i \ge m + 1`; for a sink its :math:`SI_i`), which
the tree DP and the copies honour as bounds, so both children's bounds rise.
Children start from their parent's multipliers and stop their ascent as soon
as they can be pruned. Best-first: the node with the lowest bound goes next,
and that bound is the proven lower bound of the whole problem.
:func:`_solve_lagrangian` runs the whole method: root ascent, local search,
then the branch and bound.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass

import numpy as np

from .dp import _Sub
from .lagrangian import _ascent, _Decomposition, _Dual, _Incumbent
from .problem import F, I, _gap, _Problem

PRICE_EVERY = 2
"""Every this many splits, the stage the multipliers price highest (else the
largest cost-weighted disagreement); see :func:`_split`."""
NODE_STEP = 0.5
"""First step of a node's ascent (the root's is 1)."""
NODE_PATIENCE = 3
NODE_FLOOR = 0.05
"""A node's ascent halves its step after this many steps without progress and
stops below this step: short ascents and more nodes beat long ascents here (on
Willems' chains 25 and 27, 4.4 s and 5.5 s against 7.8 s and 6.6 s with 5 and 0.01)."""


@dataclass
class _Node:
    bound: float
    sub: _Sub
    lam: F
    nu: F
    dual: _Dual


def _split(
    p: _Problem, a: F, dec: _Decomposition, node: _Node, by_price: bool
) -> tuple[int, int, int] | None:
    r"""The stage to branch on, the kind of value to split (0: its :math:`S`, 1:
    its :math:`SI`) and the split point (the middle of the values its copies and
    it took); None when every copy agrees with its owner.

    Two rules, which the caller alternates: the largest disagreement weighted
    by the stage's cost coefficient, :math:`a_i (\max - \min)` (where the
    square root's curvature is at stake), and ``by_price`` the disagreement the
    multipliers price highest, :math:`\sum_c |\nu_c| |x_c - x_i|`. Either alone
    leaves one of Willems' chains open within 50 s (19 or 26); every second
    split (:data:`PRICE_EVERY`) beat every third (67 s against 94 s on the five
    hardest solves).
    """
    c, d = dec.copies, node.dual
    own = np.where(c.kind == 0, d.S[c.owner], d.SI[c.owner])
    lo = np.minimum(d.x, own)
    hi = np.maximum(d.x, own)
    lo_o = np.full(p.n, np.iinfo(np.int64).max)
    hi_o = np.full(p.n, -1)
    np.minimum.at(lo_o, c.owner, lo)
    np.maximum.at(hi_o, c.owner, hi)
    spread = np.where(hi_o > lo_o, hi_o - lo_o, 0)
    if not spread.any():
        return None
    score: F = (a * spread).astype(np.float64)
    if by_price:
        weight = np.abs(c.nu) * np.abs(d.x - own)
        priced: F = np.where(spread > 0, np.bincount(c.owner, weight, p.n), 0.0)
        score = priced if priced.any() else score
    i = int(np.argmax(score + 1e-12 * spread))
    kind = int(c.kind[np.flatnonzero(c.owner == i)[0]])
    return i, kind, int((lo_o[i] + hi_o[i]) // 2)


def _child(sub: _Sub, i: int, kind: int, lo: int | None, hi: int | None) -> _Sub:
    s_lo, s_hi, si_lo, si_hi = sub.s_lo.copy(), sub.s_hi.copy(), sub.si_lo.copy(), sub.si_hi.copy()
    if kind == 0:
        if lo is not None:
            s_lo[i] = lo
        if hi is not None:
            s_hi[i] = hi
    else:
        if lo is not None:
            si_lo[i] = lo
        if hi is not None:
            si_hi[i] = hi
    return _Sub(s_lo, s_hi, si_lo, si_hi, sub.copies)


def branch_and_bound(
    p: _Problem,
    a: F,
    dec: _Decomposition,
    sub: _Sub,
    root: _Dual,
    best: _Incumbent,
    deadline: float,
    gap_tolerance: float,
) -> tuple[float, int, int]:
    """Close the gap left at the root. Returns the proven lower bound, the nodes
    explored and the subgradient iterations spent."""
    c = dec.copies
    tie = itertools.count()
    heap: list[tuple[float, int, _Node]] = []
    heapq.heappush(
        heap, (root.bound, next(tie), _Node(root.bound, sub, c.lam.copy(), c.nu.copy(), root))
    )
    dropped = np.inf  # the lowest bound of a node pruned against the tolerance
    nodes = iterations = splits = 0
    while heap and time.perf_counter() < deadline:
        bound = heap[0][0]
        if best.cost <= 0 or (best.cost - min(bound, dropped)) / best.cost <= gap_tolerance:
            break
        _, _, node = heapq.heappop(heap)
        if node.bound >= best.cost * (1 - gap_tolerance):
            dropped = min(dropped, node.bound)
            continue
        split = _split(p, a, dec, node, by_price=splits % PRICE_EVERY == PRICE_EVERY - 1)
        splits += 1
        if split is None:
            continue  # its subproblem solution is feasible: the node is solved
        i, kind, m = split
        for lo, hi in ((None, m), (m + 1, None)):
            child = _child(node.sub, i, kind, lo, hi)
            c.lam, c.nu = node.lam.copy(), node.nu.copy()
            dual = _ascent(
                p,
                a,
                dec,
                child,
                best,
                deadline,
                step=NODE_STEP,
                patience=NODE_PATIENCE,
                floor=NODE_FLOOR,
                gap_tolerance=gap_tolerance,
            )
            nodes += 1
            iterations += dual.iterations
            b = max(dual.bound, node.bound)
            if not np.isfinite(b):
                continue
            if b >= best.cost * (1 - gap_tolerance):
                dropped = min(dropped, b)
                continue
            heapq.heappush(heap, (b, next(tie), _Node(b, child, c.lam.copy(), c.nu.copy(), dual)))
    lb = min([h[0] for h in heap] + [dropped, best.cost])
    return lb, nodes, iterations


def _solve_lagrangian(
    p: _Problem, a: F, time_limit: float, gap_tolerance: float, seed: int = 0
) -> tuple[I, float, float, int, list[str]]:
    r"""Lagrangian decomposition over a spanning forest (:class:`_Decomposition`),
    with the tree DP as subproblem, large-neighbourhood search for policies and,
    while the gap is open, branch and bound (:func:`branch_and_bound`).

    Every copy's equality with its owner's value is relaxed with a free
    multiplier :math:`\nu_c`; with the star weights :math:`\lambda`,

    .. math:: \mathcal L(\lambda, \nu) = \min_{\text{forest, copies}}
              \sum_j a'_j\sqrt{\tau_j} + \sum_c \big(\lambda_c f_{i(c)}(x_c)
              + \nu_c (x_c - x_{i(c)})\big) \le \text{optimum},

    maximised by :func:`_ascent`. Relaxing copies rather than the edges
    themselves is stronger (a copy caps what its holder may gain).

    Returns ``S``, upper and lower bounds, iterations and notes.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    rng = np.random.default_rng(seed)
    dec = _Decomposition.of(p, a)
    best = _Incumbent.start(p, a)
    sub = dec.root(p)
    root = _ascent(p, a, dec, sub, best, deadline, gap_tolerance=gap_tolerance, lns=(rng, 10))
    lb = min(root.bound, best.cost)
    it = root.iterations
    notes: list[str] = []
    if _gap(best.cost, lb) > gap_tolerance:
        best.improve(p, a, rng, deadline, 10_000, 30)
    if _gap(best.cost, lb) > gap_tolerance:
        lb, nodes, more = branch_and_bound(p, a, dec, sub, root, best, deadline, gap_tolerance)
        it += more
        if nodes:
            notes.append(f"branch and bound: {nodes} nodes")
    if time.perf_counter() >= deadline:
        notes.append(f"time limit of {time_limit:g} s reached")
    return best.S, best.cost, min(lb, best.cost), it, notes
