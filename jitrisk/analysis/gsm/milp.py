"""Mixed-integer programme with a piecewise-linear square root, refined until exact.

The concave cost :math:`\\sqrt{\\tau}` is replaced by its chords between breakpoints
(an under-estimate); the optimum's net lead times are added as breakpoints and
the MILP solved again (SciPy's HiGHS) until the bound meets the cost.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .problem import (
    _INF,
    F,
    I,
    _cost,
    _gap,
    _Problem,
    _tight,
)


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


def _base(p: _Problem, a: F) -> float:
    """:math:`\\sum_j a_j \\sqrt{c_j}`: the cost at :math:`\\tau = 0`, left out of the
    MILP's objective (its chords start there)."""
    return float(np.sum(a * np.sqrt(p.shift)))


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
        slope = np.diff(np.sqrt(b + p.shift[j]))
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
        limit = cutoff * (1 + 1e-9) + 1e-9 - _base(p, a)
        row([(int(k), float(c[k])) for k in nz], -_INF, limit)
    A = sparse.csr_array((vals, (rows, cols)), shape=(len(lb), nv))
    lo = np.concatenate([np.zeros(n), p.si.astype(np.float64), np.zeros(n_delta + n_w)])
    hi = np.concatenate(
        [p.s_hi.astype(np.float64), p.si_hi.astype(np.float64), np.ones(n_delta + n_w)]
    )
    integrality = np.zeros(nv, dtype=np.int8)
    integrality[2 * n + n_delta :] = 1
    return c, LinearConstraint(A, np.array(lb), np.array(ub)), Bounds(lo, hi), integrality


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
        lb = max(lb, float(dual) + _base(p, a))
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
