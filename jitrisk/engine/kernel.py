"""The day-by-day simulation kernel (numba), a few trials side by side per loop
iteration.

Event order within day ``t`` follows DOMAIN.md exactly:

1. disruption states for day ``t`` (onsets only from the "up" state, so a
   geometric duration gives a two-state Markov chain);
2. shipments and production due on day ``t`` arrive;
3. producing sites make ``min(backlog, capacity * (1 - loss), min_c stock_c / q_c)``;
4. customer demand arrives and is ordered from the customer's sources by share;
5. sites, downstream first, fill backorders oldest day first, then today's
   orders, rationing proportionally to what each downstream asked for;
6. each site orders up to its base stock: ``q = max(0, S - IP)`` with
   ``IP = on hand + on order (+ WIP + production backlog) - backorders``; a
   line-side buffer counts production that is planned but not yet made as its
   backorders (``IP_c = on hand + on order - unmade * q_c``);
7. shipments leave and arrive on day ``t + 1 + L`` (``L`` sampled per shipment).

Randomness inside the kernel comes from a counter-based generator: uniform
number ``u(key, stream, i, t)`` is SplitMix64's output function applied to
``key + counter * golden``. Each trial has its own 64-bit key (from
:class:`numpy.random.SeedSequence`), and a draw depends only on *what* it is
for (lane ``i`` on day ``t``), never on the order of draws. That gives common
random numbers across scenarios and buffer levels for free, and results that
do not depend on how trials are split across chunks or threads.

Trials run in groups of ``W`` (``sizing.lanes_for``: 8 unless the state of 8
trials would not stay in cache): every per-trial state array has the group's
trials side by side on its last axis, and each step of the day is done for the
group's trials in turn. The index loads and loop control of a step are shared by
the group, and its trials' independent chains of work overlap in the core. ``W``
is a compile-time constant (the length of the tuple ``group``; numba compiles the
kernel once per group size), so the steps over the group unroll, and the steps
written without branches run as vector instructions. On the usual day no trial of
the group owes backorders or falls short at a site, and the site's orders ship in
a short path; otherwise the site runs the full logic trial by trial. Each trial's
arithmetic is the same as if it ran alone (a step written without branches adds
zeros where a trial has nothing to do, which changes nothing), so results do not
depend on the grouping (the runner pads a chunk to whole groups with copies of its
last trial and drops their results). A group's metrics are summed in local arrays
and written out after its last day.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

EPS = 1e-9

# site metrics (float)
M_DEMAND, M_FILLED, M_BACKORDER_SUM, M_SHORT, M_LOST, M_LOST_REVENUE, M_ONHAND_SUM = range(7)
N_SITE_METRICS = 7
# site metrics (int)
I_STOCKOUT_DAYS, I_FIRST_STOCKOUT = 0, 1
N_SITE_INT = 2
# buffer metrics
B_REQUESTED, B_CONSUMED, B_STOCKOUT_DAYS, B_ONHAND_SUM = range(4)
N_BUF_METRICS = 4
# network metrics
N_ANY_CUSTOMER_DAYS, N_FIRST_CUSTOMER_STOCKOUT = 0, 1
N_NET_METRICS = 2
# unit accounting per stock point over the whole run (incl. warm-up)
A_INITIAL, A_IN, A_OUT, A_FINAL = range(4)

STREAM_LEAD, STREAM_ONSET, STREAM_DURATION = 1, 2, 3


_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


@njit(inline="always", cache=True, error_model="numpy")
def _fmin(a, b):
    """``min`` of two floats without NaN handling (none arise here): inlines to one instruction."""
    return a if a < b else b


@njit(inline="always", cache=True, error_model="numpy")
def _fmax(a, b):
    return a if a > b else b


@njit(inline="always", cache=True)
def uniform(key, stream, i, t):
    """Uniform on [0, 1) for draw (stream, i, t) of a trial with ``key`` (SplitMix64)."""
    ctr = (uint64(stream) << uint64(56)) ^ (uint64(i) << uint64(24)) ^ uint64(t)
    z = key + (ctr + uint64(1)) * uint64(_GOLDEN)
    z = (z ^ (z >> uint64(30))) * uint64(_M1)
    z = (z ^ (z >> uint64(27))) * uint64(_M2)
    z = z ^ (z >> uint64(31))
    return np.float64(z >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(inline="always", cache=True)
def draw_days(cdf, guide, thr, off, n, u):
    """Inverse-CDF draw of whole days from ``cdf[off:off+n]``: the smallest ``k``
    with ``u < cdf[k]`` (``k <= n - 1``).

    A guide table (Chen 1974; Devroye 1986, sec. III.2.4) gives the first
    candidate ``k0``; the next two comparisons (``cdf[k0]``, ``cdf[k0+1]``,
    stored beside it in ``thr``) are done without branching, which settles
    about 99 % of draws; the rest walk on along the table.
    """
    k, more = guide_start(guide, thr, off, n, u)
    if more:
        k = walk_on(cdf, off, n, u, k)
    return k


@njit(inline="always", cache=True)
def guide_start(guide, thr, off, n, u):
    """The branch-free first step of :func:`draw_days`: ``(k, more)``, where ``k`` is the
    draw unless ``more`` (then :func:`walk_on` from ``k``)."""
    b = off + np.uint64(u * n)  # unsigned (``off`` too): no wrap-around code
    t1 = thr[b + b + np.uint64(1)]
    # (conditional expressions, not int(bool): numba calls a helper for that)
    k = guide[b] + (1 if u >= thr[b + b] else 0) + (1 if u >= t1 else 0)
    return k, u >= t1


@njit(inline="always", cache=True)
def walk_on(cdf, off, n, u, k):
    """The rest of :func:`draw_days`: on from ``k`` to the smallest ``k`` with ``u < cdf[k]``."""
    while k < n - 1 and cdf[off + np.uint64(k)] <= u:
        k += 1
    return k


@njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def simulate_chunk(
    keys,
    demand,
    warmup,
    lost_mode,
    site_kind,
    capacity,
    proc_days,
    base_stock,
    mean_flow,
    mean_lead,
    price,
    buf_site,
    buf_qpu,
    buf_base_stock,
    buf_mean_flow,
    buf_mean_lead,
    site_buf_ptr,
    edge_src,
    edge_recv,
    edge_share,
    edge_to_customer,
    lt_const,
    lt_off,
    lt_len,
    lt_cdf,
    lt_guide,
    lt_thr,
    out_ptr,
    out_edges,
    in_ptr,
    in_edges,
    customer_sites,
    dis_kind,
    dis_prob,
    dis_start,
    dis_sev,
    dur_off,
    dur_len,
    dur_cdf,
    dur_guide,
    dur_thr,
    dis_tgt_ptr,
    dis_tgt,
    ring,
    recv_off,
    recv_mask,
    wip_ring,
    group,
    site_out,
    site_int,
    buf_out,
    net_out,
    acct,
    keep_acct,
    n_blocks,
    mode,
    site_active,
    ext_recv,
    ext_slot,
    ext_arr,
    ext_short,
    trace_sites,
    trace,
):
    """Simulate ``len(keys)`` trials; write per-trial totals into the output arrays.

    ``demand[trial, day, j]`` is the (non-negative) demand of customer
    ``customer_sites[j]``. Metrics are accumulated over days ``>= warmup``.
    ``group`` is a tuple whose length ``W`` is the number of trials run side by
    side (a tuple, so that ``W`` is known when the kernel is compiled);
    ``len(keys)`` is a multiple of ``W``. What arrives at receiver ``r`` on day
    ``d`` in trial ``w`` of a group sits at ``recv_off[r] + (d & recv_mask[r]) * W + w``
    (:attr:`CompiledNetwork.arrival_rings`).

    ``mode`` 0 simulates every site. Mode 1 (record) does the same and also
    writes, for each receiver ``ext_recv[j]`` of an active site, what arrives
    there each day over the edges marked in ``ext_slot`` (from inactive sites)
    into ``ext_arr[trial, day, j]``, and whether an inactive customer was short
    into ``ext_short[trial, day]``.
    Mode 2 (replay) simulates only the active sites, feeding them those
    recorded arrivals; metrics of inactive sites are left at zero.

    ``trace`` (empty unless asked for, see :mod:`jitrisk.analysis.story`) takes
    the day-by-day story of the sites ``trace_sites``: on reported day ``d``
    of trial ``i``, ``trace[i, d, q, 0]`` is the end-of-day on-hand stock of
    ``trace_sites[q]`` and ``trace[i, d, q, 1]`` what it owes downstream; row
    ``q = len(trace_sites)`` holds the customers' demand of the day, the part of
    it not filled that day and what customers are owed at its end.
    """
    n_trials = keys.shape[0]
    n_days = demand.shape[1]
    n = site_kind.shape[0]
    nb = buf_site.shape[0]
    ne = edge_src.shape[0]
    nd = dis_kind.shape[0]
    nc = customer_sites.shape[0]
    n_groups = n_trials // len(group)
    n_trace = trace_sites.shape[0] if trace.shape[0] > 0 else 0
    mask = ring - 1
    wmask = np.uint64(wip_ring - 1)
    # Index arrays arrive unsigned (see runner): NumPy-style negative-index
    # wrap-around costs a few instructions per gathered index, and gathered
    # indices are most of what this kernel does. Unsigned arithmetic below
    # keeps them unsigned (numba types uint64 + int64 as int64, which brings the
    # wrap-around back).
    nu = np.uint64(n)
    ONE = np.uint64(1)
    # "nothing" is relative to the flow: an absolute 1e-9 units is below the
    # rounding error of a site shipping millions of units a day
    tol_site = EPS * np.maximum(mean_flow, 1.0)
    n_blocks = max(1, min(n_groups, n_blocks))
    # lanes whose lead time is drawn each day: random, not into a customer, and
    # (replay) leaving a simulated site
    n_rand = 0
    rand_edges = np.empty(ne, dtype=np.uint64)
    for e in range(ne):
        if lt_const[e] < 0 and not edge_to_customer[e] and (mode != 2 or site_active[edge_src[e]]):
            rand_edges[n_rand] = e
            n_rand += 1
    for blk in prange(n_blocks):
        # the group size is the length of the `group` tuple: a compile-time constant
        W = len(group)
        Wu = np.uint64(W)
        # State is allocated once per block and reset per group of W trials. Every
        # per-trial array has the W trials of a group side by side (last axis): each
        # step of the day is done for the W trials in turn, so the index loads and
        # loop control are shared and the W independent trials overlap in the core.
        oh = np.zeros((n, W))
        on_order = np.zeros((n, W))
        # arr[recv_off[r] + (day & recv_mask[r]) * W + w]: what arrives at receiver r on
        # day (trial w), in a ring per receiver just long enough for its longest lane
        # (one ring for all is several times larger than the core's L2 cache)
        arr = np.zeros(recv_off[-1])
        wip = np.zeros((wip_ring, n, W))
        wip_total = np.zeros((n, W))
        backlog = np.zeros((n, W))
        # bo[d, e, w]: backorder of lane e from day d. A row is written only on days
        # its site takes the full logic (a trial of its group owes or falls short), and
        # bo_days[s, q_head[s, w]:q_tail[s, w], w] lists the days trial w fell short,
        # oldest first, so the usual day neither writes nor scans backorder rows.
        bo = np.empty((n_days, ne, W))
        bo_edge = np.zeros((ne, W))
        bo_site = np.zeros((n, W))
        bo_days = np.empty((n, n_days, W), dtype=np.int64)
        q_head = np.zeros((n, W), dtype=np.int64)
        q_tail = np.zeros((n, W), dtype=np.int64)
        order_e = np.zeros((ne, W))
        boh = np.zeros((nb, W))
        b_on_order = np.zeros((nb, W))
        loss = np.zeros((n, W))
        dmult = np.ones((n, W))
        edelay = np.zeros((ne, W), dtype=np.int64)
        lead_off = np.zeros((ne, W), dtype=np.int64)
        active = np.zeros((nd, W), dtype=np.bool_)
        remaining = np.zeros((nd, W), dtype=np.int64)
        cust_short = np.zeros((n, W), dtype=np.bool_)
        site_lost_today = np.zeros((n, W))
        site_short_today = np.zeros((n, W))
        site_dem_today = np.zeros((n, W))
        site_fill_today = np.zeros((n, W))
        site_rev_today = np.zeros((n, W))
        n_ext = ext_recv.shape[0]
        ext_ring = np.zeros((ring, max(n_ext, 1), W))
        kw = np.zeros(W, dtype=np.uint64)
        u_w = np.zeros(W)
        k_w = np.zeros(W, dtype=np.int64)
        more_w = np.zeros(W, dtype=np.bool_)
        was_w = np.zeros(W, dtype=np.bool_)
        start_w = np.zeros(W, dtype=np.bool_)
        changed_w = np.zeros(W, dtype=np.bool_)
        s_acc = np.zeros((n, N_SITE_METRICS, W))
        i_acc = np.zeros((n, N_SITE_INT, W), dtype=np.int64)
        b_acc = np.zeros((nb, N_BUF_METRICS, W))
        n_acc = np.zeros((N_NET_METRICS, W))
        avail_w = np.zeros(W)
        tot_w = np.zeros(W)
        q_w = np.zeros(W)
        unmade_w = np.zeros(W)
        plan_w = np.zeros(W)
        replay = mode == 2
        lo_g = blk * n_groups // n_blocks
        hi_g = (blk + 1) * n_groups // n_blocks
        for g in range(lo_g, hi_g):
            tr0 = g * W
            for w in range(W):
                kw[w] = keys[tr0 + w]
            oh[:] = 0
            on_order[:] = 0
            arr[:] = 0
            wip[:] = 0
            wip_total[:] = 0
            backlog[:] = 0
            bo_edge[:] = 0
            bo_site[:] = 0
            q_head[:] = 0
            q_tail[:] = 0
            order_e[:] = 0
            boh[:] = 0
            b_on_order[:] = 0
            loss[:] = 0
            edelay[:] = 0
            remaining[:] = 0
            for e in range(ne):
                for w in range(W):
                    lead_off[e, w] = 1 + max(lt_const[e], 0)
            site_lost_today[:] = 0
            site_short_today[:] = 0
            site_dem_today[:] = 0
            site_fill_today[:] = 0
            site_rev_today[:] = 0
            dmult[:] = 1.0
            active[:] = False
            cust_short[:] = False
            ext_ring[:] = 0

            # ---- steady-state start: IP = S, pipelines full at mean flow (the same
            # for every trial of the group)
            for s in range(n):
                if site_kind[s] == 0:
                    continue
                mu = mean_flow[s]
                if site_kind[s] == 2:
                    p = proc_days[s]
                    for w in range(W):
                        oh[s, w] = max(base_stock[s] - mu * max(p, 1), 0.0)
                        backlog[s, w] = mu
                    for d in range(1, p):
                        for w in range(W):
                            wip[np.uint64(d) & wmask, s, w] += mu
                            wip_total[s, w] += mu
                else:
                    el = mean_lead[s]
                    whole = int(el)
                    ro, rm = recv_off[s], recv_mask[s]
                    for w in range(W):
                        oh[s, w] = max(base_stock[s] - mu * el, 0.0)
                        for d in range(1, whole + 1):
                            arr[ro + (np.uint64(d) & rm) * Wu + np.uint64(w)] += mu
                        arr[ro + (np.uint64(whole + 1) & rm) * Wu + np.uint64(w)] += mu * (
                            el - whole
                        )
                        on_order[s, w] = mu * el
                for w in range(W):
                    acct[np.uint64(tr0 + w), s, A_INITIAL] = oh[s, w]
            for b in range(nb):
                mu = buf_mean_flow[b]
                el = buf_mean_lead[b]
                whole = int(el)
                ro, rm = recv_off[nu + b], recv_mask[nu + b]
                for w in range(W):
                    boh[b, w] = max(buf_base_stock[b] - mu * el, 0.0)
                    for d in range(1, whole + 1):
                        arr[ro + (np.uint64(d) & rm) * Wu + np.uint64(w)] += mu
                    arr[ro + (np.uint64(whole + 1) & rm) * Wu + np.uint64(w)] += mu * (el - whole)
                    b_on_order[b, w] = mu * el
                    acct[np.uint64(tr0 + w), n + b, A_INITIAL] = boh[b, w]
            # the group's metrics are summed here (trials on the last axis, so a step's
            # adds for the group are contiguous) and written out after its last day
            s_acc[:] = 0.0
            i_acc[:] = 0
            i_acc[:, I_FIRST_STOCKOUT, :] = -1
            b_acc[:] = 0.0
            n_acc[:] = 0.0
            n_acc[N_FIRST_CUSTOMER_STOCKOUT, :] = -1.0

            for t in range(n_days):
                rec = t >= warmup
                slot = t & mask
                tu = np.uint64(t)
                wslot = tu & wmask
                # ---- 1. disruptions, event by event; each step over the group without
                # branches (the day's countdown, the onset draws), the rare starts apart
                for w in range(W):
                    changed_w[w] = False
                for k in range(nd):
                    st = dis_start[k]
                    p = dis_prob[k]
                    for w in range(W):
                        was = active[k, w]
                        was_w[w] = was
                        rem = remaining[k, w] - (1 if was else 0)
                        remaining[k, w] = rem
                        active[k, w] = was & (rem > 0)
                    starts = False
                    if st < 0 and p > 0.0:
                        # onset only from a day the event was not running (Markov chain)
                        for w in range(W):
                            on = (not was_w[w]) & (uniform(kw[w], STREAM_ONSET, k, t) < p)
                            start_w[w] = on
                            starts |= on
                    elif st == t:
                        for w in range(W):
                            start_w[w] = True
                        starts = True
                    if starts:
                        for w in range(W):
                            if start_w[w]:
                                active[k, w] = True
                                u = uniform(kw[w], STREAM_DURATION, k, t)
                                remaining[k, w] = draw_days(
                                    dur_cdf, dur_guide, dur_thr, dur_off[k], dur_len[k], u
                                )
                    for w in range(W):
                        changed_w[w] |= active[k, w] != was_w[w]
                for w in range(W):
                    if changed_w[w]:
                        for xi in range(n):
                            loss[xi, w] = 0.0
                            dmult[xi, w] = 1.0
                        for xi in range(ne):
                            edelay[xi, w] = 0
                        for k in range(nd):
                            if not active[k, w]:
                                continue
                            kd = dis_kind[k]
                            for j in range(dis_tgt_ptr[k], dis_tgt_ptr[k + 1]):
                                x = dis_tgt[j]
                                if kd == 0:
                                    loss[x, w] = 1.0
                                elif kd == 1:
                                    loss[x, w] = max(loss[x, w], dis_sev[k])
                                elif kd == 2:
                                    edelay[x, w] = max(
                                        edelay[x, w], int(np.ceil(dis_sev[k] - 1e-9))
                                    )
                                else:
                                    dmult[x, w] *= dis_sev[k]
                        for e in range(ne):
                            if lt_const[e] >= 0:
                                lead_off[e, w] = 1 + lt_const[e] + edelay[e, w]

                # the day's lead times, one per lane (a lane that ships twice today,
                # backorders and today's orders, uses the same draw): drawn in one
                # tight loop, independent of the flows, so the draws overlap
                # (in steps over the group, each without branches, so each can run as
                # one vector operation; the rare walk past the guide's two thresholds
                # is done apart)
                for i in range(n_rand):
                    e = rand_edges[i]
                    off = lt_off[e]
                    ln = lt_len[e]
                    for w in range(W):
                        u_w[w] = uniform(kw[w], STREAM_LEAD, e, t)
                    walk = False
                    for w in range(W):
                        k, more = guide_start(lt_guide, lt_thr, off, ln, u_w[w])
                        k_w[w] = k
                        more_w[w] = more
                        walk |= more
                    if walk:
                        for w in range(W):
                            if more_w[w]:
                                k_w[w] = walk_on(lt_cdf, off, ln, u_w[w], k_w[w])
                    for w in range(W):
                        lead_off[e, w] = 1 + k_w[w] + edelay[e, w]

                # ---- 2. arrivals and completed production
                if mode == 1:
                    for j in range(n_ext):
                        for w in range(W):
                            ext_arr[np.uint64(tr0 + w), t, j] = ext_ring[slot, j, w]
                            ext_ring[slot, j, w] = 0.0
                elif replay:
                    for j in range(n_ext):
                        r = ext_recv[j]
                        at = recv_off[r] + (tu & recv_mask[r]) * Wu
                        for w in range(W):
                            arr[at + np.uint64(w)] += ext_arr[np.uint64(tr0 + w), t, j]
                # without branches (adding 0 changes nothing): a day's row is contiguous
                for r in range(n):
                    at = recv_off[r] + (tu & recv_mask[r]) * Wu
                    for w in range(W):
                        a = arr[at + np.uint64(w)]
                        arr[at + np.uint64(w)] = 0.0
                        oh[r, w] += a
                        on_order[r, w] -= a
                        if keep_acct:
                            acct[np.uint64(tr0 + w), r, A_IN] += a
                for b in range(nb):
                    at = recv_off[nu + b] + (tu & recv_mask[nu + b]) * Wu
                    for w in range(W):
                        a = arr[at + np.uint64(w)]
                        arr[at + np.uint64(w)] = 0.0
                        boh[b, w] += a
                        b_on_order[b, w] -= a
                        if keep_acct:
                            acct[np.uint64(tr0 + w), nu + b, A_IN] += a
                for s in range(n):
                    for w in range(W):
                        x = wip[wslot, s, w]
                        wip[wslot, s, w] = 0.0
                        oh[s, w] += x
                        wip_total[s, w] -= x
                        if keep_acct:
                            acct[np.uint64(tr0 + w), s, A_IN] += x

                # ---- 3. production
                for s in range(n):
                    if site_kind[s] != 2 or (replay and not site_active[s]):
                        continue
                    p0 = site_buf_ptr[s]
                    p1 = site_buf_ptr[s + 1]
                    pslot = np.uint64(t + proc_days[s]) & wmask
                    # each step for the group's trials in turn, without branches: a trial
                    # with nothing to make has q_w = 0, and its steps add zeros, which
                    # change nothing (stock and flows are never -0.0)
                    busy = False
                    cap = capacity[s]
                    for w in range(W):
                        want = backlog[s, w]
                        lw = loss[s, w]
                        act = want > EPS
                        busy |= act
                        q = _fmin(want, cap * (1.0 - lw))
                        q = q if act & (lw < 1.0) else 0.0
                        plan_w[w] = q
                        q_w[w] = q
                    if not busy:
                        continue
                    for b in range(p0, p1):
                        qpu = buf_qpu[b]
                        for w in range(W):
                            q_w[w] = _fmin(q_w[w], boh[b, w] / qpu)
                    for w in range(W):
                        q_w[w] = 0.0 if q_w[w] < 0.0 else q_w[w]
                    for b in range(p0, p1):
                        qpu = buf_qpu[b]
                        for w in range(W):
                            use = q_w[w] * qpu
                            if rec:
                                plan = plan_w[w]
                                b_acc[b, B_REQUESTED, w] += plan * qpu
                                b_acc[b, B_CONSUMED, w] += use
                                # this component alone could not cover today's plan
                                b_acc[b, B_STOCKOUT_DAYS, w] += (
                                    1.0 if boh[b, w] < (plan - EPS) * qpu else 0.0
                                )
                            boh[b, w] = _fmax(boh[b, w] - use, 0.0)
                            if keep_acct:
                                acct[np.uint64(tr0 + w), nu + b, A_OUT] += use
                    for w in range(W):
                        q = q_w[w]
                        backlog[s, w] -= q
                        if proc_days[s] == 0:
                            oh[s, w] += q
                            if keep_acct:
                                acct[np.uint64(tr0 + w), s, A_IN] += q
                        else:
                            wip[pslot, s, w] += q
                            wip_total[s, w] += q

                # ---- 4. external demand, ordered from the customers' sources
                for j in range(nc):
                    c = customer_sites[j]
                    if replay and not site_active[c]:
                        continue
                    for w in range(W):
                        dem = demand[np.uint64(tr0 + w), t, j] * dmult[c, w]
                        site_dem_today[c, w] = dem
                        for k in range(in_ptr[c], in_ptr[c + 1]):
                            e = in_edges[k]
                            order_e[e, w] = dem * edge_share[e]
                        cust_short[c, w] = False
                        site_fill_today[c, w] = 0.0
                        site_short_today[c, w] = 0.0
                        site_lost_today[c, w] = 0.0
                        site_rev_today[c, w] = 0.0

                # ---- 5-7. sites downstream first: fill, order, ship
                for i_s in range(n):
                    # downstream first; unsigned (see above), which mypy cannot follow
                    s = np.uint64(n - 1 - i_s)  # type: ignore[assignment]
                    kind = site_kind[s]
                    if kind == 0 or (replay and not site_active[s]):
                        continue
                    tol = tol_site[s]
                    e0 = out_ptr[s]
                    e1 = out_ptr[s + ONE]
                    # the usual day: no trial of the group owes backorders and each can fill
                    # all of today's orders; then every order ships in full, trial by trial
                    # the same arithmetic as the full logic below (shipped = 0.0 + filled)
                    # (branch-free tests, so the loops over the group compile to straight code)
                    owing = False
                    for w in range(W):
                        owing |= q_head[s, w] < q_tail[s, w]
                    fast = not owing
                    if fast:
                        capped = kind == 1 and capacity[s] < np.inf
                        cap = capacity[s]
                        for w in range(W):
                            lw = loss[s, w]
                            avail = oh[s, w]
                            if capped:
                                avail = _fmin(avail, cap * (1.0 - lw))
                            avail_w[w] = 0.0 if lw >= 1.0 else avail
                            tot_w[w] = 0.0
                        for k in range(e0, e1):
                            e = out_edges[k]
                            for w in range(W):
                                tot_w[w] += order_e[e, w]
                        maybe_short = False
                        for w in range(W):
                            maybe_short |= (avail_w[w] < tot_w[w] - tol) & (tot_w[w] > 0.0)
                        if maybe_short:
                            for w in range(W):
                                # the full logic's share f, worked out where it can be < 1
                                if avail_w[w] < tot_w[w] - tol and tot_w[w] > 0.0:  # noqa: SIM102
                                    if avail_w[w] / tot_w[w] < 1.0:
                                        fast = False
                    if fast:
                        for k in range(e0, e1):
                            e = out_edges[k]
                            rcv = edge_recv[e]
                            ro, rm = recv_off[rcv], recv_mask[rcv]
                            # (orders are never negative: every order ships in full, and
                            # what ships adds up to tot_w exactly, adding the same numbers
                            # in the same order; zeros add nothing)
                            if edge_to_customer[e]:
                                for w in range(W):
                                    site_fill_today[rcv, w] += order_e[e, w]
                                    order_e[e, w] = 0.0
                            else:
                                j = ext_slot[e]
                                for w in range(W):
                                    x = order_e[e, w]
                                    order_e[e, w] = 0.0
                                    if x > 0.0:
                                        day = tu + np.uint64(lead_off[e, w])
                                        arr[ro + (day & rm) * Wu + np.uint64(w)] += x
                                        if j >= 0:
                                            ext_ring[day & np.uint64(mask), j, w] += x
                        # (no trial owes anything: bo_site, q_head and q_tail are all 0)
                        for w in range(W):
                            tw = np.uint64(tr0 + w)
                            o = oh[s, w] - tot_w[w]
                            oh[s, w] = _fmax(o, 0.0) if o < tol else o
                            if keep_acct:
                                acct[tw, s, A_OUT] += tot_w[w]
                            if rec:
                                # (the shortage metrics would add 0.0: nothing to add)
                                s_acc[s, M_DEMAND, w] += tot_w[w]
                                s_acc[s, M_FILLED, w] += tot_w[w]
                                s_acc[s, M_ONHAND_SUM, w] += oh[s, w]
                    else:
                        # a trial of the group owes backorders or falls short today: the
                        # full logic, trial by trial
                        for w in range(W):
                            tw = np.uint64(tr0 + w)
                            avail = oh[s, w]
                            if loss[s, w] >= 1.0:
                                avail = 0.0
                            elif kind == 1 and capacity[s] < np.inf:
                                avail = _fmin(avail, capacity[s] * (1.0 - loss[s, w]))
                            start_avail = avail
                            # backorders, oldest day first
                            while q_head[s, w] < q_tail[s, w] and bo_site[s, w] > tol:
                                d = bo_days[s, q_head[s, w], w]
                                tot = 0.0
                                for k in range(e0, e1):
                                    tot += bo[d, out_edges[k], w]
                                if tot <= tol:
                                    q_head[s, w] += 1
                                    continue
                                if avail <= tol:
                                    break
                                # the whole day's backorders, or a share f of each (x * 1.0 == x,
                                # and bo - x is then exactly 0)
                                full = avail >= tot - tol
                                f = 1.0 if full else avail / tot
                                for k in range(e0, e1):
                                    e = out_edges[k]
                                    x = bo[d, e, w] * f
                                    if x > 0.0:
                                        bo[d, e, w] -= x
                                        bo_edge[e, w] -= x
                                        _ship(
                                            e,
                                            w,
                                            x,
                                            t,
                                            edge_recv,
                                            lead_off,
                                            edge_to_customer,
                                            arr,
                                            mask,
                                            recv_off,
                                            recv_mask,
                                            Wu,
                                            ext_slot,
                                            ext_ring,
                                        )
                                if not full:
                                    bo_site[s, w] -= avail
                                    avail = 0.0
                                    break
                                avail -= tot
                                bo_site[s, w] -= tot
                                q_head[s, w] += 1
                            if bo_site[s, w] <= tol or q_head[s, w] >= q_tail[s, w]:
                                # nothing owed, or only rounding residue left after every
                                # past day's backorders were filled: not a stockout
                                bo_site[s, w] = 0.0
                                q_head[s, w] = 0
                                q_tail[s, w] = 0
                            # today's orders
                            tot = 0.0
                            for k in range(e0, e1):
                                tot += order_e[out_edges[k], w]
                            f = 1.0 if avail >= tot - tol else (avail / tot if tot > 0.0 else 1.0)
                            filled_total = 0.0
                            short_total = 0.0
                            lost_total = 0.0
                            rev_total = 0.0
                            owes_today = False
                            for k in range(e0, e1):
                                e = out_edges[k]
                                x = order_e[e, w]
                                order_e[e, w] = 0.0
                                fill = x * f  # (f = 1: x * 1.0 == x, every order in full)
                                unf = x - fill
                                if unf <= tol:
                                    unf = 0.0
                                    fill = x
                                if fill > 0.0:
                                    _ship(
                                        e,
                                        w,
                                        fill,
                                        t,
                                        edge_recv,
                                        lead_off,
                                        edge_to_customer,
                                        arr,
                                        mask,
                                        recv_off,
                                        recv_mask,
                                        Wu,
                                        ext_slot,
                                        ext_ring,
                                    )
                                filled_total += fill
                                short_total += unf
                                if edge_to_customer[e]:
                                    c = edge_recv[e]
                                    site_fill_today[c, w] += fill
                                    if unf > 0.0:
                                        cust_short[c, w] = True
                                        site_short_today[c, w] += unf
                                        rev_total += unf * price[c]
                                        site_rev_today[c, w] += unf * price[c]
                                        if lost_mode:
                                            lost_total += unf
                                            site_lost_today[c, w] += unf
                                if unf > 0.0 and not (lost_mode and edge_to_customer[e]):
                                    bo[t, e, w] = unf
                                    bo_edge[e, w] += unf
                                    bo_site[s, w] += unf
                                    owes_today = True
                                else:
                                    bo[t, e, w] = 0.0
                            if owes_today:
                                bo_days[s, q_tail[s, w], w] = t
                                q_tail[s, w] += 1
                            shipped = start_avail - avail + filled_total
                            oh[s, w] -= shipped
                            if oh[s, w] < tol:
                                oh[s, w] = _fmax(oh[s, w], 0.0)
                            if keep_acct:
                                acct[tw, s, A_OUT] += shipped
                            if rec:
                                s_acc[s, M_DEMAND, w] += tot
                                s_acc[s, M_FILLED, w] += filled_total
                                s_acc[s, M_BACKORDER_SUM, w] += bo_site[s, w]
                                s_acc[s, M_SHORT, w] += short_total
                                s_acc[s, M_LOST, w] += lost_total
                                s_acc[s, M_LOST_REVENUE, w] += rev_total
                                s_acc[s, M_ONHAND_SUM, w] += oh[s, w]
                                if bo_site[s, w] > tol or lost_total > tol:
                                    i_acc[s, I_STOCKOUT_DAYS, w] += 1
                                    if i_acc[s, I_FIRST_STOCKOUT, w] < 0:
                                        i_acc[s, I_FIRST_STOCKOUT, w] = t - warmup

                    # ---- 6. replenishment orders
                    if kind == 1:
                        # (without branches: an order of 0 adds zeros, which change nothing)
                        for w in range(W):
                            ip = oh[s, w] + on_order[s, w] - bo_site[s, w]
                            q = base_stock[s] - ip
                            q = q if q > EPS else 0.0
                            q_w[w] = q
                            on_order[s, w] += q
                        for k in range(in_ptr[s], in_ptr[s + ONE]):
                            e = in_edges[k]
                            sh = edge_share[e]
                            for w in range(W):
                                order_e[e, w] += q_w[w] * sh
                    else:
                        # production planned but not made yet is a requirement on every
                        # component buffer (MRP logic): ordering only what was consumed
                        # would never catch up after a shortage
                        for w in range(W):
                            unmade_w[w] = backlog[s, w]
                            ip = oh[s, w] + wip_total[s, w] + backlog[s, w] - bo_site[s, w]
                            q = base_stock[s] - ip
                            backlog[s, w] += q if q > EPS else 0.0
                        for b in range(site_buf_ptr[s], site_buf_ptr[s + ONE]):
                            qpu = buf_qpu[b]
                            for w in range(W):
                                qb = buf_base_stock[b] - (
                                    boh[b, w] + b_on_order[b, w] - unmade_w[w] * qpu
                                )
                                qb = qb if qb > EPS else 0.0
                                q_w[w] = qb
                                b_on_order[b, w] += qb
                            rb = nu + b
                            for k in range(in_ptr[rb], in_ptr[rb + ONE]):
                                e = in_edges[k]
                                sh = edge_share[e]
                                for w in range(W):
                                    order_e[e, w] += q_w[w] * sh
                            if rec:
                                for w in range(W):
                                    b_acc[b, B_ONHAND_SUM, w] += boh[b, w]

                # ---- customers' end of day
                if rec:
                    for w in range(W):
                        tw = np.uint64(tr0 + w)
                        any_short = False
                        ext_any = False
                        if replay:
                            any_short = ext_short[tw, t] != 0
                        for j in range(nc):
                            c = customer_sites[j]
                            if replay and not site_active[c]:
                                continue
                            owed = 0.0
                            for k in range(in_ptr[c], in_ptr[c + 1]):
                                owed += bo_edge[in_edges[k], w]
                            tol = tol_site[c]
                            if owed < tol:
                                owed = 0.0
                            s_acc[c, M_DEMAND, w] += site_dem_today[c, w]
                            s_acc[c, M_FILLED, w] += site_fill_today[c, w]
                            s_acc[c, M_BACKORDER_SUM, w] += owed
                            s_acc[c, M_SHORT, w] += site_short_today[c, w]
                            s_acc[c, M_LOST, w] += site_lost_today[c, w]
                            s_acc[c, M_LOST_REVENUE, w] += site_rev_today[c, w]
                            if cust_short[c, w] or owed > tol:
                                any_short = True
                                if mode == 1 and not site_active[c]:
                                    ext_any = True
                                i_acc[c, I_STOCKOUT_DAYS, w] += 1
                                if i_acc[c, I_FIRST_STOCKOUT, w] < 0:
                                    i_acc[c, I_FIRST_STOCKOUT, w] = t - warmup
                        if mode == 1:
                            ext_short[tw, t] = ext_any
                        if any_short:
                            n_acc[N_ANY_CUSTOMER_DAYS, w] += 1.0
                            if n_acc[N_FIRST_CUSTOMER_STOCKOUT, w] < 0:
                                n_acc[N_FIRST_CUSTOMER_STOCKOUT, w] = t - warmup

                # ---- the day-by-day trace of chosen sites (empty unless asked for)
                if rec and n_trace > 0:
                    td = t - warmup
                    for w in range(W):
                        tw = np.uint64(tr0 + w)
                        for q in range(n_trace):
                            st = trace_sites[q]
                            trace[tw, td, q, 0] = oh[st, w]
                            trace[tw, td, q, 1] = bo_site[st, w]
                        dem_t = 0.0
                        short_t = 0.0
                        owed_t = 0.0
                        for j in range(nc):
                            c = customer_sites[j]
                            dem_t += site_dem_today[c, w]
                            short_t += site_short_today[c, w]
                            for k in range(in_ptr[c], in_ptr[c + 1]):
                                owed_t += bo_edge[in_edges[k], w]
                        trace[tw, td, n_trace, 0] = dem_t
                        trace[tw, td, n_trace, 1] = short_t
                        trace[tw, td, n_trace, 2] = owed_t

            for w in range(W):
                tw = np.uint64(tr0 + w)
                for s in range(n):
                    for m in range(N_SITE_METRICS):
                        site_out[tw, s, m] += s_acc[s, m, w]
                    for m in range(N_SITE_INT):
                        site_int[tw, s, m] = i_acc[s, m, w]
                for b in range(nb):
                    for m in range(N_BUF_METRICS):
                        buf_out[tw, b, m] += b_acc[b, m, w]
                for m in range(N_NET_METRICS):
                    net_out[tw, m] = n_acc[m, w]
                for s in range(n):
                    acct[tw, s, A_FINAL] = oh[s, w]
                for b in range(nb):
                    acct[tw, n + b, A_FINAL] = boh[b, w]


@njit(inline="always", cache=True)
def _ship(
    e,
    w,
    x,
    t,
    edge_recv,
    lead_off,
    edge_to_customer,
    arr,
    mask,
    recv_off,
    recv_mask,
    wu,
    ext_slot,
    ext_ring,
):
    """Send ``x`` units over edge ``e`` at the end of day ``t`` in trial ``w`` of the
    group; they arrive on day ``t + lead_off[e, w]`` (``1 +`` lead time ``+`` any lane
    delay, set for the day).

    ``ext_slot[e] = j >= 0`` (record mode only) marks an edge from an inactive
    site into receiver ``ext_recv[j]`` of an active one: what it carries is also
    noted in ``ext_ring[:, j, w]``.
    """
    if edge_to_customer[e]:
        return
    day = np.uint64(t + lead_off[e, w])
    r = edge_recv[e]
    arr[recv_off[r] + (day & recv_mask[r]) * wu + np.uint64(w)] += x
    j = ext_slot[e]
    if j >= 0:
        ext_ring[day & np.uint64(mask), j, w] += x
