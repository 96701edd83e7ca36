"""The day-by-day simulation kernel (numba), one trial per loop iteration.

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
    b = off + np.uint64(u * n)  # unsigned (``off`` too): no wrap-around code
    k = guide[b]
    t1 = thr[b + b + np.uint64(1)]
    # (conditional expressions, not int(bool): numba calls a helper for that)
    k += (1 if u >= thr[b + b] else 0) + (1 if u >= t1 else 0)
    if u >= t1:
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
):
    """Simulate ``len(keys)`` trials; write per-trial totals into the output arrays.

    ``demand[trial, day, j]`` is the (non-negative) demand of customer
    ``customer_sites[j]``. Metrics are accumulated over days ``>= warmup``.

    ``mode`` 0 simulates every site. Mode 1 (record) does the same and also
    writes, for each receiver ``ext_recv[j]`` of an active site, what arrives
    there each day over the edges marked in ``ext_slot`` (from inactive sites)
    into ``ext_arr[trial, day, j]``, and whether an inactive customer was short
    into ``ext_short[trial, day]``.
    Mode 2 (replay) simulates only the active sites, feeding them those
    recorded arrivals; metrics of inactive sites are left at zero.
    """
    n_trials = keys.shape[0]
    n_days = demand.shape[1]
    n = site_kind.shape[0]
    nb = buf_site.shape[0]
    ne = edge_src.shape[0]
    nd = dis_kind.shape[0]
    nc = customer_sites.shape[0]
    mask = ring - 1
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
    n_blocks = max(1, min(n_trials, n_blocks))
    # lanes whose lead time is drawn each day: random, not into a customer, and
    # (replay) leaving a simulated site
    n_rand = 0
    rand_edges = np.empty(ne, dtype=np.uint64)
    for e in range(ne):
        if lt_const[e] < 0 and not edge_to_customer[e] and (mode != 2 or site_active[edge_src[e]]):
            rand_edges[n_rand] = e
            n_rand += 1
    for blk in prange(n_blocks):
        # state is allocated once per block of trials and reset per trial: much cheaper
        # than fresh (page-faulting) allocations for every trial
        oh = np.zeros(n)
        on_order = np.zeros(n)
        arr = np.zeros((ring, n + nb))
        wip = np.zeros((ring, n))
        wip_total = np.zeros(n)
        backlog = np.zeros(n)
        # bo[d, e]: backorder of lane e from day d. A row is written only on days its
        # site fell short, and bo_days[s, q_head[s]:q_tail[s]] lists those days, oldest
        # first, so the usual day neither writes nor scans backorder rows.
        bo = np.empty((n_days, ne))
        bo_edge = np.zeros(ne)
        bo_site = np.zeros(n)
        bo_days = np.empty((n, n_days), dtype=np.int64)
        q_head = np.zeros(n, dtype=np.int64)
        q_tail = np.zeros(n, dtype=np.int64)
        order_e = np.zeros(ne)
        boh = np.zeros(nb)
        b_on_order = np.zeros(nb)
        loss = np.zeros(n)
        dmult = np.ones(n)
        edelay = np.zeros(ne, dtype=np.int64)
        lead_off = np.zeros(ne, dtype=np.int64)
        active = np.zeros(nd, dtype=np.bool_)
        was_active = np.zeros(nd, dtype=np.bool_)
        remaining = np.zeros(nd, dtype=np.int64)
        cust_short = np.zeros(n, dtype=np.bool_)
        site_lost_today = np.zeros(n)
        site_short_today = np.zeros(n)
        site_dem_today = np.zeros(n)
        site_fill_today = np.zeros(n)
        site_rev_today = np.zeros(n)
        n_ext = ext_recv.shape[0]
        ext_ring = np.zeros((ring, max(n_ext, 1)))
        replay = mode == 2
        lo_tr = blk * n_trials // n_blocks
        hi_tr = (blk + 1) * n_trials // n_blocks
        for tr in range(lo_tr, hi_tr):
            key = keys[tr]
            tru = np.uint64(tr)
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
                lead_off[e] = 1 + max(lt_const[e], 0)
            site_lost_today[:] = 0
            site_short_today[:] = 0
            site_dem_today[:] = 0
            site_fill_today[:] = 0
            site_rev_today[:] = 0
            dmult[:] = 1.0
            active[:] = False
            was_active[:] = False
            cust_short[:] = False
            ext_ring[:] = 0

            # ---- steady-state start: IP = S, pipelines full at mean flow
            for s in range(n):
                if site_kind[s] == 0:
                    continue
                mu = mean_flow[s]
                if site_kind[s] == 2:
                    p = proc_days[s]
                    oh[s] = max(base_stock[s] - mu * max(p, 1), 0.0)
                    backlog[s] = mu
                    for d in range(1, p):
                        wip[d & mask, s] += mu
                        wip_total[s] += mu
                else:
                    el = mean_lead[s]
                    oh[s] = max(base_stock[s] - mu * el, 0.0)
                    whole = int(el)
                    for d in range(1, whole + 1):
                        arr[d & mask, s] += mu
                    arr[(whole + 1) & mask, s] += mu * (el - whole)
                    on_order[s] = mu * el
                acct[tru, s, A_INITIAL] = oh[s]
            for b in range(nb):
                mu = buf_mean_flow[b]
                el = buf_mean_lead[b]
                boh[b] = max(buf_base_stock[b] - mu * el, 0.0)
                whole = int(el)
                for d in range(1, whole + 1):
                    arr[d & mask, n + b] += mu
                arr[(whole + 1) & mask, n + b] += mu * (el - whole)
                b_on_order[b] = mu * el
                acct[tru, n + b, A_INITIAL] = boh[b]
            for s in range(n):
                site_int[tru, s, I_FIRST_STOCKOUT] = -1
            net_out[tru, N_FIRST_CUSTOMER_STOCKOUT] = -1.0

            for t in range(n_days):
                rec = t >= warmup
                slot = t & mask
                # ---- 1. disruptions
                changed = False
                for k in range(nd):
                    was = active[k]
                    if active[k]:
                        remaining[k] -= 1
                        if remaining[k] <= 0:
                            active[k] = False
                    if dis_start[k] >= 0:
                        if t == dis_start[k]:
                            active[k] = True
                            u = uniform(key, STREAM_DURATION, k, t)
                            remaining[k] = draw_days(
                                dur_cdf, dur_guide, dur_thr, dur_off[k], dur_len[k], u
                            )
                    elif not active[k] and not was_active[k] and dis_prob[k] > 0.0:  # noqa: SIM102
                        # onset only from a day the event was not running (Markov chain)
                        if uniform(key, STREAM_ONSET, k, t) < dis_prob[k]:
                            active[k] = True
                            u = uniform(key, STREAM_DURATION, k, t)
                            remaining[k] = draw_days(
                                dur_cdf, dur_guide, dur_thr, dur_off[k], dur_len[k], u
                            )
                    if active[k] != was:
                        changed = True
                    was_active[k] = active[k]
                if changed:
                    loss[:] = 0.0
                    dmult[:] = 1.0
                    edelay[:] = 0
                    for k in range(nd):
                        if not active[k]:
                            continue
                        kd = dis_kind[k]
                        for j in range(dis_tgt_ptr[k], dis_tgt_ptr[k + 1]):
                            x = dis_tgt[j]
                            if kd == 0:
                                loss[x] = 1.0
                            elif kd == 1:
                                loss[x] = max(loss[x], dis_sev[k])
                            elif kd == 2:
                                edelay[x] = max(edelay[x], int(np.ceil(dis_sev[k] - 1e-9)))
                            else:
                                dmult[x] *= dis_sev[k]
                    for e in range(ne):
                        if lt_const[e] >= 0:
                            lead_off[e] = 1 + lt_const[e] + edelay[e]

                # the day's lead times, one per lane (a lane that ships twice today,
                # backorders and today's orders, uses the same draw): drawn in one
                # tight loop, independent of the flows, so the draws overlap
                for i in range(n_rand):
                    e = rand_edges[i]
                    u = uniform(key, STREAM_LEAD, e, t)
                    lead_off[e] = (
                        1 + draw_days(lt_cdf, lt_guide, lt_thr, lt_off[e], lt_len[e], u) + edelay[e]
                    )

                # ---- 2. arrivals and completed production
                if mode == 1:
                    for j in range(n_ext):
                        ext_arr[tru, t, j] = ext_ring[slot, j]
                        ext_ring[slot, j] = 0.0
                elif replay:
                    for j in range(n_ext):
                        arr[slot, ext_recv[j]] += ext_arr[tru, t, j]
                # without branches (adding 0 changes nothing): a day's row is contiguous
                for r in range(n):
                    a = arr[slot, r]
                    arr[slot, r] = 0.0
                    oh[r] += a
                    on_order[r] -= a
                    if keep_acct:
                        acct[tru, r, A_IN] += a
                for b in range(nb):
                    a = arr[slot, nu + b]
                    arr[slot, nu + b] = 0.0
                    boh[b] += a
                    b_on_order[b] -= a
                    if keep_acct:
                        acct[tru, nu + b, A_IN] += a
                for s in range(n):
                    w = wip[slot, s]
                    wip[slot, s] = 0.0
                    oh[s] += w
                    wip_total[s] -= w
                    if keep_acct:
                        acct[tru, s, A_IN] += w

                # ---- 3. production
                for s in range(n):
                    if site_kind[s] != 2 or (replay and not site_active[s]):
                        continue
                    want = backlog[s]
                    if want <= EPS:
                        continue
                    q = _fmin(want, capacity[s] * (1.0 - loss[s]))
                    if loss[s] >= 1.0:
                        q = 0.0
                    plan = q
                    for b in range(site_buf_ptr[s], site_buf_ptr[s + 1]):
                        q = _fmin(q, boh[b] / buf_qpu[b])
                    if q < 0.0:
                        q = 0.0
                    for b in range(site_buf_ptr[s], site_buf_ptr[s + 1]):
                        use = q * buf_qpu[b]
                        if rec:
                            buf_out[tru, b, B_REQUESTED] += plan * buf_qpu[b]
                            buf_out[tru, b, B_CONSUMED] += use
                            if boh[b] < (plan - EPS) * buf_qpu[b]:
                                # this component alone could not cover today's plan
                                buf_out[tru, b, B_STOCKOUT_DAYS] += 1.0
                        boh[b] = _fmax(boh[b] - use, 0.0)
                        if keep_acct:
                            acct[tru, nu + b, A_OUT] += use
                    backlog[s] -= q
                    if proc_days[s] == 0:
                        oh[s] += q
                        if keep_acct:
                            acct[tru, s, A_IN] += q
                    else:
                        wip[np.uint64((t + proc_days[s]) & mask), s] += q
                        wip_total[s] += q

                # ---- 4. external demand, ordered from the customers' sources
                for j in range(nc):
                    c = customer_sites[j]
                    if replay and not site_active[c]:
                        continue
                    dem = demand[tru, t, j] * dmult[c]
                    site_dem_today[c] = dem
                    for k in range(in_ptr[c], in_ptr[c + 1]):
                        e = in_edges[k]
                        order_e[e] = dem * edge_share[e]
                    cust_short[c] = False
                    site_fill_today[c] = 0.0
                    site_short_today[c] = 0.0
                    site_lost_today[c] = 0.0
                    site_rev_today[c] = 0.0

                # ---- 5-7. sites downstream first: fill, order, ship
                for i_s in range(n):
                    # downstream first; unsigned (see above), which mypy cannot follow
                    s = np.uint64(n - 1 - i_s)  # type: ignore[assignment]
                    kind = site_kind[s]
                    if kind == 0 or (replay and not site_active[s]):
                        continue
                    tol = tol_site[s]
                    avail = oh[s]
                    if loss[s] >= 1.0:
                        avail = 0.0
                    elif kind == 1 and capacity[s] < np.inf:
                        avail = _fmin(avail, capacity[s] * (1.0 - loss[s]))
                    start_avail = avail
                    e0 = out_ptr[s]
                    e1 = out_ptr[s + ONE]
                    # backorders, oldest day first
                    while q_head[s] < q_tail[s] and bo_site[s] > tol:
                        d = bo_days[s, q_head[s]]
                        tot = 0.0
                        for k in range(e0, e1):
                            tot += bo[d, out_edges[k]]
                        if tot <= tol:
                            q_head[s] += 1
                            continue
                        if avail <= tol:
                            break
                        # the whole day's backorders, or a share f of each (x * 1.0 == x,
                        # and bo - x is then exactly 0)
                        full = avail >= tot - tol
                        f = 1.0 if full else avail / tot
                        for k in range(e0, e1):
                            e = out_edges[k]
                            x = bo[d, e] * f
                            if x > 0.0:
                                bo[d, e] -= x
                                bo_edge[e] -= x
                                _ship(
                                    e,
                                    x,
                                    t,
                                    edge_recv,
                                    lead_off,
                                    edge_to_customer,
                                    arr,
                                    mask,
                                    ext_slot,
                                    ext_ring,
                                )
                        if not full:
                            bo_site[s] -= avail
                            avail = 0.0
                            break
                        avail -= tot
                        bo_site[s] -= tot
                        q_head[s] += 1
                    if bo_site[s] <= tol or q_head[s] >= q_tail[s]:
                        # nothing owed, or only rounding residue left after every
                        # past day's backorders were filled: not a stockout
                        bo_site[s] = 0.0
                        q_head[s] = 0
                        q_tail[s] = 0
                    # today's orders
                    tot = 0.0
                    for k in range(e0, e1):
                        tot += order_e[out_edges[k]]
                    f = 1.0 if avail >= tot - tol else (avail / tot if tot > 0.0 else 1.0)
                    filled_total = 0.0
                    short_total = 0.0
                    lost_total = 0.0
                    rev_total = 0.0
                    owes_today = False
                    if f >= 1.0:
                        # enough for everybody (the usual day): ship every order in full
                        for k in range(e0, e1):
                            e = out_edges[k]
                            x = order_e[e]
                            order_e[e] = 0.0
                            if x > 0.0:
                                _ship(
                                    e,
                                    x,
                                    t,
                                    edge_recv,
                                    lead_off,
                                    edge_to_customer,
                                    arr,
                                    mask,
                                    ext_slot,
                                    ext_ring,
                                )
                                filled_total += x
                                if edge_to_customer[e]:
                                    site_fill_today[edge_recv[e]] += x
                    else:
                        for k in range(e0, e1):
                            e = out_edges[k]
                            x = order_e[e]
                            order_e[e] = 0.0
                            fill = x * f  # f < 1 here
                            unf = x - fill
                            if unf <= tol:
                                unf = 0.0
                                fill = x
                            if fill > 0.0:
                                _ship(
                                    e,
                                    fill,
                                    t,
                                    edge_recv,
                                    lead_off,
                                    edge_to_customer,
                                    arr,
                                    mask,
                                    ext_slot,
                                    ext_ring,
                                )
                            filled_total += fill
                            short_total += unf
                            if edge_to_customer[e]:
                                c = edge_recv[e]
                                site_fill_today[c] += fill
                                if unf > 0.0:
                                    cust_short[c] = True
                                    site_short_today[c] += unf
                                    rev_total += unf * price[c]
                                    site_rev_today[c] += unf * price[c]
                                    if lost_mode:
                                        lost_total += unf
                                        site_lost_today[c] += unf
                            if unf > 0.0 and not (lost_mode and edge_to_customer[e]):
                                bo[t, e] = unf
                                bo_edge[e] += unf
                                bo_site[s] += unf
                                owes_today = True
                            else:
                                bo[t, e] = 0.0
                        if owes_today:
                            bo_days[s, q_tail[s]] = t
                            q_tail[s] += 1
                    shipped = start_avail - avail + filled_total
                    oh[s] -= shipped
                    if oh[s] < tol:
                        oh[s] = _fmax(oh[s], 0.0)
                    if keep_acct:
                        acct[tru, s, A_OUT] += shipped
                    if rec:
                        site_out[tru, s, M_DEMAND] += tot
                        site_out[tru, s, M_FILLED] += filled_total
                        site_out[tru, s, M_BACKORDER_SUM] += bo_site[s]
                        site_out[tru, s, M_SHORT] += short_total
                        site_out[tru, s, M_LOST] += lost_total
                        site_out[tru, s, M_LOST_REVENUE] += rev_total
                        site_out[tru, s, M_ONHAND_SUM] += oh[s]
                        if bo_site[s] > tol or lost_total > tol:
                            site_int[tru, s, I_STOCKOUT_DAYS] += 1
                            if site_int[tru, s, I_FIRST_STOCKOUT] < 0:
                                site_int[tru, s, I_FIRST_STOCKOUT] = t - warmup

                    # ---- 6. replenishment orders
                    if kind == 1:
                        ip = oh[s] + on_order[s] - bo_site[s]
                        q = base_stock[s] - ip
                        if q > EPS:
                            on_order[s] += q
                            for k in range(in_ptr[s], in_ptr[s + ONE]):
                                e = in_edges[k]
                                order_e[e] += q * edge_share[e]
                    else:
                        # production planned but not made yet is a requirement on every
                        # component buffer (MRP logic): ordering only what was consumed
                        # would never catch up after a shortage
                        unmade = backlog[s]
                        ip = oh[s] + wip_total[s] + backlog[s] - bo_site[s]
                        q = base_stock[s] - ip
                        if q > EPS:
                            backlog[s] += q
                        for b in range(site_buf_ptr[s], site_buf_ptr[s + ONE]):
                            qb = buf_base_stock[b] - (boh[b] + b_on_order[b] - unmade * buf_qpu[b])
                            if qb > EPS:
                                b_on_order[b] += qb
                                rb = nu + b
                                for k in range(in_ptr[rb], in_ptr[rb + ONE]):
                                    e = in_edges[k]
                                    order_e[e] += qb * edge_share[e]
                            if rec:
                                buf_out[tru, b, B_ONHAND_SUM] += boh[b]

                # ---- customers' end of day
                if rec:
                    any_short = False
                    ext_any = False
                    if replay:
                        any_short = ext_short[tru, t] != 0
                    for j in range(nc):
                        c = customer_sites[j]
                        if replay and not site_active[c]:
                            continue
                        owed = 0.0
                        for k in range(in_ptr[c], in_ptr[c + 1]):
                            owed += bo_edge[in_edges[k]]
                        tol = tol_site[c]
                        if owed < tol:
                            owed = 0.0
                        site_out[tru, c, M_DEMAND] += site_dem_today[c]
                        site_out[tru, c, M_FILLED] += site_fill_today[c]
                        site_out[tru, c, M_BACKORDER_SUM] += owed
                        site_out[tru, c, M_SHORT] += site_short_today[c]
                        site_out[tru, c, M_LOST] += site_lost_today[c]
                        site_out[tru, c, M_LOST_REVENUE] += site_rev_today[c]
                        if cust_short[c] or owed > tol:
                            any_short = True
                            if mode == 1 and not site_active[c]:
                                ext_any = True
                            site_int[tru, c, I_STOCKOUT_DAYS] += 1
                            if site_int[tru, c, I_FIRST_STOCKOUT] < 0:
                                site_int[tru, c, I_FIRST_STOCKOUT] = t - warmup
                    if mode == 1:
                        ext_short[tru, t] = ext_any
                    if any_short:
                        net_out[tru, N_ANY_CUSTOMER_DAYS] += 1.0
                        if net_out[tru, N_FIRST_CUSTOMER_STOCKOUT] < 0:
                            net_out[tru, N_FIRST_CUSTOMER_STOCKOUT] = t - warmup

            for s in range(n):
                acct[tru, s, A_FINAL] = oh[s]
            for b in range(nb):
                acct[tru, n + b, A_FINAL] = boh[b]


@njit(inline="always", cache=True)
def _ship(e, x, t, edge_recv, lead_off, edge_to_customer, arr, mask, ext_slot, ext_ring):
    """Send ``x`` units over edge ``e`` at the end of day ``t``; they arrive on day
    ``t + lead_off[e]`` (``1 +`` lead time ``+`` any lane delay, set for the day).

    ``ext_slot[e] = j >= 0`` (record mode only) marks an edge from an inactive
    site into receiver ``ext_recv[j]`` of an active one: what it carries is also
    noted in ``ext_ring[:, j]``.
    """
    if edge_to_customer[e]:
        return
    day = np.uint64((t + lead_off[e]) & mask)
    arr[day, edge_recv[e]] += x
    j = ext_slot[e]
    if j >= 0:
        ext_ring[day, j] += x
