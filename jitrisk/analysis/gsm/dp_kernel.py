"""The tree DP's arithmetic, compiled (numba): one pass up a forest, one down.

:func:`tree_dp` is Graves & Willems' (2000) dynamic programme over the integer
grids of every stage (see :mod:`.dp` for the recursion). The grids are small
(tens to a few hundred days a side) and there are hundreds to thousands of
stages, so the work is per-stage overhead in Python; compiled, a 500-stage
forest takes well under a millisecond, which the Lagrangian bound and the
branch and bound (:mod:`.lagrangian`, :mod:`.branch`) need thousands of times.

Layout: stage ``k``'s :math:`S` grid is ``s_lo[k]..s_hi[k]`` and its
:math:`SI` grid ``si_lo[k]..si_hi[k]``; per-stage vectors over these grids
are stored back to back in flat arrays, starting at ``row_off[k]`` (over
:math:`S`) and ``col_off[k]`` (over :math:`SI`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.inf


@njit(cache=True)
def tree_dp(
    order,
    parent,
    pedge,
    up,
    L,
    T,
    a,
    shift,
    s_lo,
    s_hi,
    si_lo,
    si_hi,
    row,
    row_off,
    col,
    col_off,
):
    r"""Minimise :math:`\sum_k c_k(S_k, SI_k)` over a forest given by its leaf
    elimination ``order`` (``parent[k]`` = -1 at a root, ``pedge[k]`` the edge to
    the parent), with :math:`c_k = a_k\sqrt{SI + T_k - S + c_k}` + ``row`` (terms
    in :math:`S`) + ``col`` (terms in :math:`SI`) and :math:`SI_j \ge S_i + L_e`
    on the forest's edges.

    ``row`` and ``col`` are overwritten (children's minima are added into their
    parent's). Returns ``S``, ``SI`` and the minimum (infinite when infeasible).
    """
    n = len(order)
    best_row = np.empty(len(row))  # a stage whose parent is downstream: min over SI per S
    arg_row = np.zeros(len(row), dtype=np.int64)  # its argmin SI (grid index)
    carg_row = np.zeros(len(row), dtype=np.int64)  # prefix argmin S (grid index)
    best_col = np.empty(len(col))  # parent upstream: min over S per SI
    arg_col = np.zeros(len(col), dtype=np.int64)
    carg_col = np.zeros(len(col), dtype=np.int64)
    root_s = np.zeros(n, dtype=np.int64)
    root_si = np.zeros(n, dtype=np.int64)
    top = 0
    for k in range(n):
        top = max(top, si_hi[k] + T[k] - s_lo[k] + 1)
    own = np.empty(max(top, 1))  # a_k sqrt(tau + c_k) by net lead time tau: one sqrt each
    grid = 1
    for k in range(n):
        grid = max(grid, s_hi[k] - s_lo[k] + 1, si_hi[k] - si_lo[k] + 1)
    # own cost rises with tau, so a scan can stop once own + the best of the rest
    # (suffix minima of col going up in SI, prefix minima of row going down in S)
    # cannot beat what it has
    tail = np.empty(grid)
    total = 0.0
    for k in order:
        ns = s_hi[k] - s_lo[k] + 1
        ni = si_hi[k] - si_lo[k] + 1
        r0, c0 = row_off[k], col_off[k]
        pk = parent[k]
        # tau = base + y - x over the grids; infinite below 0
        base = si_lo[k] + T[k] - s_lo[k]
        for t in range(max(base + ni, 0)):
            own[t] = a[k] * np.sqrt(t + shift[k])
        e = pedge[k]
        upstream_of_parent = pk >= 0 and up[e] == k
        if pk < 0 or upstream_of_parent:
            m = _INF
            for y in range(ni - 1, -1, -1):
                m = min(m, col[c0 + y])
                tail[y] = m
        else:
            m = _INF
            for x in range(ns):
                m = min(m, row[r0 + x])
                tail[x] = m
        if pk < 0:
            bv, bs, bi = _INF, 0, 0
            for x in range(ns):
                rv = row[r0 + x]
                for y in range(max(x - base, 0), ni):
                    if own[base + y - x] + tail[y] + rv >= bv:
                        break
                    v = own[base + y - x] + rv + col[c0 + y]
                    if v < bv:
                        bv, bs, bi = v, x, y
            root_s[k], root_si[k] = bs, bi
            total += bv
            continue
        if upstream_of_parent:  # parent downstream: f_k(S) = min over SI, then prefix minima
            for x in range(ns):
                bv, bi = _INF, 0
                for y in range(max(x - base, 0), ni):
                    if own[base + y - x] + tail[y] >= bv:
                        break
                    v = own[base + y - x] + col[c0 + y]
                    if v < bv:
                        bv, bi = v, y
                best_row[r0 + x] = bv + row[r0 + x]
                arg_row[r0 + x] = bi
            m, am = _INF, 0
            for x in range(ns):
                if best_row[r0 + x] < m:
                    m, am = best_row[r0 + x], x
                best_row[r0 + x] = m
                carg_row[r0 + x] = am
            # parent's SI >= S_k + L: the best f_k over S_k <= SI - L
            pc = col_off[pk]
            for y in range(si_hi[pk] - si_lo[pk] + 1):
                x = si_lo[pk] + y - L[e]
                if x < s_lo[k]:
                    col[pc + y] = _INF
                else:
                    col[pc + y] += best_row[r0 + min(x, s_hi[k]) - s_lo[k]]
        else:  # parent upstream: g_k(SI) = min over S, then a suffix minimum
            for y in range(ni):
                bv, bs = _INF, 0
                for x in range(min(ns, base + y + 1) - 1, -1, -1):
                    if own[base + y - x] + tail[x] > bv:
                        break
                    v = own[base + y - x] + row[r0 + x]
                    if v <= bv:
                        bv, bs = v, x
                best_col[c0 + y] = bv + col[c0 + y]
                arg_col[c0 + y] = bs
            m, am = _INF, ni - 1
            for y in range(ni - 1, -1, -1):
                if best_col[c0 + y] <= m:
                    m, am = best_col[c0 + y], y
                best_col[c0 + y] = m
                carg_col[c0 + y] = am
            # SI_k >= S_parent + L: the best g_k over SI_k >= S + L
            pr = row_off[pk]
            for x in range(s_hi[pk] - s_lo[pk] + 1):
                y = s_lo[pk] + x + L[e]
                if y > si_hi[k]:
                    row[pr + x] = _INF
                else:
                    row[pr + x] += best_col[c0 + max(y, si_lo[k]) - si_lo[k]]
    S = np.zeros(n, dtype=np.int64)
    SI = np.zeros(n, dtype=np.int64)
    if not np.isfinite(total):
        return S, SI, total
    for idx in range(n - 1, -1, -1):
        k = order[idx]
        pk = parent[k]
        if pk < 0:
            S[k] = s_lo[k] + root_s[k]
            SI[k] = si_lo[k] + root_si[k]
            continue
        e = pedge[k]
        if up[e] == k:
            x = min(SI[pk] - L[e], s_hi[k]) - s_lo[k]
            xs = carg_row[row_off[k] + x]
            S[k] = s_lo[k] + xs
            SI[k] = si_lo[k] + arg_row[row_off[k] + xs]
        else:
            y = max(S[pk] + L[e], si_lo[k]) - si_lo[k]
            ys = carg_col[col_off[k] + y]
            SI[k] = si_lo[k] + ys
            S[k] = s_lo[k] + arg_col[col_off[k] + ys]
    return S, SI, total


@njit(cache=True)
def owner_costs(kind, owner, a, T, shift, smax, s_lo, s_hi, si_lo, si_hi):
    r""":math:`f_i` over each copy's grid, back to back (offsets returned too):
    a source's cost at :math:`S_i = x` (its :math:`SI_i` at its lower bound), a
    sink's at :math:`SI_i = y` (it quotes as late as its maximum service time
    allows). Only the copies' bounds and the problem enter, so this is computed
    once per subproblem bounds."""
    off = np.zeros(len(kind) + 1, dtype=np.int64)
    for c in range(len(kind)):
        i = owner[c]
        m = s_hi[i] - s_lo[i] + 1 if kind[c] == 0 else si_hi[i] - si_lo[i] + 1
        off[c + 1] = off[c] + max(m, 0)
    f = np.empty(off[-1])
    for c in range(len(kind)):
        i = owner[c]
        for t in range(off[c + 1] - off[c]):
            if kind[c] == 0:
                tau = max(si_lo[i] + T[i] - (s_lo[i] + t), 0)
            else:
                tau = max(si_lo[i] + t + T[i] - smax[i], 0)
            f[off[c] + t] = a[i] * np.sqrt(tau + shift[i])
    return f, off


@njit(cache=True)
def add_copy_terms(
    row, row_off, col, col_off, s_lo, s_hi, si_lo, si_hi, kind, owner, nb, L, lam, nu, f, f_off
):
    r"""Add every copy's best cost over its neighbour's grid.

    A copy ``c`` of kind 0 holds :math:`x \in [\underline S_i, \bar S_i]`, a copy of
    the service time of its owner :math:`i`, inside the downstream stage
    :math:`k` = ``nb[c]`` with :math:`SI_k \ge x + L_c`: added over :math:`k`'s
    :math:`SI` grid is :math:`\min_{x \le SI - L_c} \lambda_c f_i(x) + \nu_c x`
    (infinite where no :math:`x` fits). A copy of kind 1 holds
    :math:`y \in [\underline{SI}_i, \overline{SI}_i]`, a copy of the inbound service
    time of its owner :math:`i`, inside the upstream stage :math:`k` with
    :math:`y \ge S_k + L_c`: added over :math:`k`'s :math:`S` grid is
    :math:`\min_{y \ge S + L_c} \lambda_c f_i(y) + \nu_c y`. ``f``, ``f_off``:
    :func:`owner_costs`.
    """
    scratch = np.empty(max(int(np.max(np.diff(f_off))) if len(kind) else 0, 1))
    for c in range(len(kind)):
        i, k = owner[c], nb[c]
        m = f_off[c + 1] - f_off[c]
        f0 = f_off[c]
        if kind[c] == 0:
            best = _INF
            for x in range(m):
                v = lam[c] * f[f0 + x] + nu[c] * (s_lo[i] + x)
                best = v if v < best else best
                scratch[x] = best
            c0 = col_off[k]
            for y in range(si_hi[k] - si_lo[k] + 1):
                top = min(s_hi[i], si_lo[k] + y - L[c])
                col[c0 + y] = _INF if top < s_lo[i] else col[c0 + y] + scratch[top - s_lo[i]]
        else:
            best = _INF
            for y in range(m - 1, -1, -1):
                v = lam[c] * f[f0 + y] + nu[c] * (si_lo[i] + y)
                best = v if v < best else best
                scratch[y] = best
            r0 = row_off[k]
            for x in range(s_hi[k] - s_lo[k] + 1):
                low = max(si_lo[i], s_lo[k] + x + L[c])
                row[r0 + x] = _INF if low > si_hi[i] else row[r0 + x] + scratch[low - si_lo[i]]


@njit(cache=True)
def copy_choices(S, SI, s_lo, s_hi, si_lo, si_hi, kind, owner, nb, L, lam, nu, f, f_off):
    """Each copy's value at the DP's solution (the argmin of :func:`add_copy_terms`,
    smallest on ties), and its owner's cost :math:`f_i` there."""
    out = np.zeros(len(kind), dtype=np.int64)
    fx = np.zeros(len(kind))
    for c in range(len(kind)):
        i, k = owner[c], nb[c]
        f0 = f_off[c]
        best, arg = _INF, 0
        if kind[c] == 0:
            for x in range(0, min(s_hi[i], SI[k] - L[c]) - s_lo[i] + 1):
                v = lam[c] * f[f0 + x] + nu[c] * (s_lo[i] + x)
                if v < best:
                    best, arg = v, x
            out[c] = s_lo[i] + arg
        else:
            for y in range(max(si_lo[i], S[k] + L[c]) - si_lo[i], si_hi[i] - si_lo[i] + 1):
                v = lam[c] * f[f0 + y] + nu[c] * (si_lo[i] + y)
                if v < best:
                    best, arg = v, y
            out[c] = si_lo[i] + arg
        fx[c] = f[f0 + arg]
    return out, fx


@njit(cache=True)
def tight(order, in_ptr, in_edge, up, L, si, smax, T, want):
    r""":func:`.problem._tight`'s loop: in topological ``order``,
    :math:`SI_j = \max(si_j, \max_i S_i + L_{ij})` and
    :math:`S_j = \max(0, \min(want_j, s_j, SI_j + T_j))`."""
    n = len(order)
    S = np.zeros(n, dtype=np.int64)
    SI = np.zeros(n, dtype=np.int64)
    for j in order:
        v = si[j]
        for q in range(in_ptr[j], in_ptr[j + 1]):
            e = in_edge[q]
            v = max(v, S[up[e]] + L[e])
        SI[j] = v
        S[j] = max(0, min(want[j], smax[j], v + T[j]))
    return S, SI


@njit(cache=True)
def project_simplices(v, bounds):
    """Euclidean projection of each group ``v[bounds[g]:bounds[g+1]]`` onto the unit
    simplex (Held, Wolfe & Crowder 1974; sort-based, as in Duchi et al. 2008);
    entries past the last group are copied."""
    out = v.copy()
    for g in range(len(bounds) - 1):
        lo, hi = bounds[g], bounds[g + 1]
        u = np.sort(v[lo:hi])[::-1]
        css = 0.0
        theta = 0.0
        for r in range(hi - lo):
            css += u[r]
            t = (css - 1.0) / (r + 1)
            if u[r] - t > 0:
                theta = t
        for r in range(lo, hi):
            out[r] = max(v[r] - theta, 0.0)
    return out
