"""A network flattened into the arrays the simulation kernel works on.

Indexing (all 0-based):

* sites in topological order (raw sources first, customers last);
* line-side buffers ``b`` = (producing site, component), in site order;
* edges ``e`` = lanes, grouped by source site (CSR ``out_ptr``) and by
  receiver (CSR ``in_ptr`` over *receivers*: stocking sites and customers use
  their site index, buffers use ``n_sites + b``).

Base-stock levels follow DOMAIN.md: ``S = mu * (E[L] + 1) + b * mu`` with
``mu`` the mean daily demand through the stock point (customer demand
propagated upstream by shares and bills of material) and ``E[L]`` the mean of
the whole-day lead time actually sampled (share-weighted over sources) or the
processing time of a producing site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..model.distributions import cdf_table
from ..model.graph import build_graph
from ..model.records import Network

F = NDArray[np.float64]
I = NDArray[np.int64]  # noqa: E741

KIND_CUSTOMER, KIND_DC, KIND_PRODUCING = 0, 1, 2
DIS_OUTAGE, DIS_CAPACITY, DIS_DELAY, DIS_DEMAND = 0, 1, 2, 3
_DIS_CODE = {
    "outage": DIS_OUTAGE,
    "capacity": DIS_CAPACITY,
    "delay": DIS_DELAY,
    "demand": DIS_DEMAND,
}
UNLIMITED = np.inf


@dataclass(frozen=True)
class CompiledNetwork:
    """Array form of one scenario of a network (see module docstring)."""

    site_ids: tuple[str, ...]
    site_kind: I
    site_type: tuple[str, ...]
    capacity: F
    processing_days: I
    base_stock: F
    mean_flow: F
    mean_lead: F
    unit_value: F
    price: F  # customers: unit price; others 0
    # line-side buffers
    buf_site: I
    buf_component: tuple[str, ...]
    buf_qpu: F
    buf_base_stock: F
    buf_mean_flow: F
    buf_mean_lead: F
    site_buf_ptr: I
    # edges
    edge_src: I
    edge_recv: I  # receiver index: site index, or n_sites + buffer index
    edge_share: F
    edge_to_customer: NDArray[np.bool_]
    edge_lt_const: I  # >= 0 deterministic days, -1 random (use table)
    edge_lt_off: I
    edge_lt_len: I
    lt_cdf: F
    lt_guide: I
    lt_thr: F  # per guide entry, the two CDF values it is compared with
    out_ptr: I
    out_edges: I
    in_ptr: I
    in_edges: I
    # customers' demand
    customer_sites: I
    # disruptions
    dis_kind: I
    dis_prob: F
    dis_start: I  # absolute day index incl. warm-up; -1 random
    dis_severity: F
    dis_dur_off: I
    dis_dur_len: I
    dur_cdf: F
    dur_guide: I
    dur_thr: F
    dis_tgt_ptr: I
    dis_tgt: I  # site indices (outage, capacity, demand) or edge indices (delay)
    horizon_ring: int
    disruption_ids: tuple[str, ...] = field(default=())

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_buffers(self) -> int:
        return len(self.buf_site)

    @property
    def n_edges(self) -> int:
        return len(self.edge_src)

    @property
    def stocking(self) -> NDArray[np.bool_]:
        return self.site_kind != KIND_CUSTOMER

    @cached_property
    def unsigned(self) -> dict[str, NDArray[np.uint64]]:
        """The index arrays the kernel gathers with, as ``uint64`` (made once, not per
        chunk): numba then emits no negative-index wrap-around for them."""
        names = (
            "site_buf_ptr",
            "edge_recv",
            "edge_lt_off",
            "out_ptr",
            "out_edges",
            "in_ptr",
            "in_edges",
            "dis_dur_off",
        )
        return {k: getattr(self, k).astype(np.uint64) for k in names}

    @cached_property
    def arrival_rings(self) -> tuple[I, int]:
        """Length of each receiver's arrival ring (sites, then line-side buffers) and of
        the ring of production in progress, each a power of two.

        A shipment over lane ``e`` sent on day ``t`` arrives at most
        ``1 + max lead + max delay`` days later, so a receiver's ring needs no more
        than that over its lanes (plus the initial pipeline of ``mean_lead`` days);
        one ring as long as the network's longest lane for every receiver would be
        several times larger than the core's cache.
        """
        delay = np.zeros(self.n_edges, dtype=np.int64)
        for k in np.flatnonzero(self.dis_kind == DIS_DELAY):
            days = int(np.ceil(self.dis_severity[k]))
            for x in self.dis_tgt[self.dis_tgt_ptr[k] : self.dis_tgt_ptr[k + 1]]:
                delay[x] = max(delay[x], days)
        longest = np.where(self.edge_lt_const >= 0, self.edge_lt_const, self.edge_lt_len) + delay
        lead = np.concatenate([self.mean_lead, self.buf_mean_lead])
        need = np.floor(np.nan_to_num(lead, posinf=0.0)).astype(np.int64)
        np.maximum.at(need, self.edge_recv, longest)
        length = 1 << np.ceil(np.log2(need + 3)).astype(np.int64)
        wip = 1 << int(np.ceil(np.log2(int(self.processing_days.max(initial=0)) + 2)))
        return length, wip

    def buffer_labels(self) -> list[str]:
        return [
            f"{self.site_ids[s]}/{c}"
            for s, c in zip(self.buf_site, self.buf_component, strict=True)
        ]


def _pmf_mean(pmf: F) -> float:
    return float(np.dot(np.arange(len(pmf)), pmf))


def compile_network(net: Network) -> CompiledNetwork:
    """Flatten a validated (scenario-applied) network for the kernel."""
    import networkx as nx

    g = build_graph(net)
    order = list(nx.topological_sort(g))
    idx = {sid: i for i, sid in enumerate(order)}
    n = len(order)
    sites = [net.site_by_id[s] for s in order]
    kind = np.array(
        [
            KIND_CUSTOMER if s.type == "customer" else KIND_DC if s.type == "dc" else KIND_PRODUCING
            for s in sites
        ],
        dtype=np.int64,
    )

    # line-side buffers: one per (producing site, component)
    buf_key: dict[tuple[int, str], int] = {}
    buf_site: list[int] = []
    buf_comp: list[str] = []
    lanes = sorted(net.lanes, key=lambda la: (idx[la.source], idx[la.target], la.component))
    for lane in sorted(lanes, key=lambda la: (idx[la.target], la.component)):
        t = idx[lane.target]
        if kind[t] == KIND_PRODUCING and (t, lane.component) not in buf_key:
            buf_key[(t, lane.component)] = len(buf_site)
            buf_site.append(t)
            buf_comp.append(lane.component)
    nb = len(buf_site)
    site_buf_ptr = np.zeros(n + 1, dtype=np.int64)
    for s in buf_site:
        site_buf_ptr[s + 1] += 1
    site_buf_ptr = np.cumsum(site_buf_ptr)

    # edges
    ne = len(lanes)
    edge_src = np.array([idx[la.source] for la in lanes], dtype=np.int64)
    edge_recv = np.empty(ne, dtype=np.int64)
    for e, la in enumerate(lanes):
        t = idx[la.target]
        edge_recv[e] = n + buf_key[(t, la.component)] if kind[t] == KIND_PRODUCING else t
    edge_share = np.array([la.share for la in lanes], dtype=np.float64)
    edge_to_customer = np.array(
        [kind[idx[la.target]] == KIND_CUSTOMER for la in lanes], dtype=np.bool_
    )
    lt_const = np.full(ne, -1, dtype=np.int64)
    lt_off = np.zeros(ne, dtype=np.int64)
    lt_len = np.zeros(ne, dtype=np.int64)
    tables: list[F] = []
    offset = 0
    lt_mean = np.zeros(ne)
    for e, la in enumerate(lanes):
        pmf = la.lead_time.whole_day_pmf(0)
        lt_mean[e] = _pmf_mean(pmf)
        nz = np.nonzero(pmf)[0]
        if len(nz) == 1:
            lt_const[e] = int(nz[0])
        else:
            cdf = cdf_table(pmf)
            tables.append(cdf)
            lt_off[e], lt_len[e] = offset, len(cdf)
            offset += len(cdf)
    lt_cdf = np.concatenate(tables) if tables else np.zeros(1)
    lt_guide, lt_thr = _guides(tables)

    out_ptr, out_edges = _csr(edge_src, n)
    in_ptr, in_edges = _csr(edge_recv, n + nb)

    # mean flows, propagated from customers upstream
    mean_flow = np.zeros(n)
    buf_flow = np.zeros(nb)
    for d in net.demand:
        mean_flow[idx[d.site_id]] = max(d.daily_demand.mean, 0.0)
    qpu = np.zeros(nb)
    for la in lanes:
        t = idx[la.target]
        if kind[t] == KIND_PRODUCING:
            qpu[buf_key[(t, la.component)]] = la.quantity_per_unit
    for s in reversed(range(n)):
        if kind[s] != KIND_CUSTOMER:
            total = 0.0
            for k in range(out_ptr[s], out_ptr[s + 1]):
                e = out_edges[k]
                r = edge_recv[e]
                total += edge_share[e] * (mean_flow[r] if r < n else buf_flow[r - n])
            mean_flow[s] = total
        for b in range(site_buf_ptr[s], site_buf_ptr[s + 1]):
            buf_flow[b] = mean_flow[s] * qpu[b]

    # mean lead times and base stocks
    mean_lead = np.zeros(n)
    base_stock = np.zeros(n)
    for s, site in enumerate(sites):
        if kind[s] == KIND_PRODUCING:
            mean_lead[s] = float(site.processing_days)
        elif kind[s] == KIND_DC:
            es = in_edges[in_ptr[s] : in_ptr[s + 1]]
            mean_lead[s] = float(np.dot(edge_share[es], lt_mean[es]))
        if kind[s] != KIND_CUSTOMER:
            if site.base_stock_units is not None:
                base_stock[s] = site.base_stock_units
            else:
                mu = mean_flow[s]
                base_stock[s] = mu * (mean_lead[s] + 1.0) + site.safety_stock_days * mu
    buf_lead = np.zeros(nb)
    buf_bs = np.zeros(nb)
    buf_spec: dict[int, tuple[float | None, float | None]] = {}
    for la in lanes:
        t = idx[la.target]
        if kind[t] == KIND_PRODUCING:
            b = buf_key[(t, la.component)]
            if la.line_buffer_days is not None or la.line_buffer_units is not None:
                buf_spec[b] = (la.line_buffer_days, la.line_buffer_units)
    for b in range(nb):
        es = in_edges[in_ptr[n + b] : in_ptr[n + b + 1]]
        buf_lead[b] = float(np.dot(edge_share[es], lt_mean[es]))
        days, units = buf_spec.get(b, (None, None))
        if units is not None:
            buf_bs[b] = units
        else:
            buf_bs[b] = buf_flow[b] * (buf_lead[b] + 1.0 + (days or 0.0))

    capacity = np.array(
        [UNLIMITED if s.capacity_per_day is None else s.capacity_per_day for s in sites],
        dtype=np.float64,
    )
    price = np.zeros(n)
    for d in net.demand:
        price[idx[d.site_id]] = d.unit_price
    customers = np.array([i for i in range(n) if kind[i] == KIND_CUSTOMER], dtype=np.int64)

    # disruptions
    warm = net.settings.warmup_days
    lane_index = {(la.source, la.target): e for e, la in enumerate(lanes)}
    dis = list(net.disruptions)
    dis_kind = np.array([_DIS_CODE[d.kind] for d in dis], dtype=np.int64)
    dis_prob = np.array([d.probability_per_day for d in dis], dtype=np.float64)
    dis_start = np.array(
        [-1 if d.start_day is None else d.start_day + warm for d in dis], dtype=np.int64
    )
    dis_sev = np.array([d.severity for d in dis], dtype=np.float64)
    dur_tables: list[F] = []
    dur_off = np.zeros(len(dis), dtype=np.int64)
    dur_len = np.zeros(len(dis), dtype=np.int64)
    offset = 0
    tgt_ptr = [0]
    tgt: list[int] = []
    for k, dz in enumerate(dis):
        cdf = cdf_table(dz.duration.whole_day_pmf(1))
        dur_tables.append(cdf)
        dur_off[k], dur_len[k] = offset, len(cdf)
        offset += len(cdf)
        tgt.extend(_targets(dz.kind, dz.scope, sites, idx, lanes, lane_index, out_ptr, out_edges))
        tgt_ptr.append(len(tgt))
    dur_cdf = np.concatenate(dur_tables) if dur_tables else np.zeros(1)
    dur_guide, dur_thr = _guides(dur_tables)

    max_lead = int(max([*(lt_const.tolist() or [0]), *(lt_len.tolist() or [0])]))
    max_delay = (
        int(np.ceil(dis_sev[dis_kind == DIS_DELAY].max())) if np.any(dis_kind == DIS_DELAY) else 0
    )
    max_proc = int(max((s.processing_days for s in sites), default=0))
    need = max(max_lead + max_delay, max_proc) + 3
    ring = 1 << int(np.ceil(np.log2(need)))

    return CompiledNetwork(
        site_ids=tuple(order),
        site_kind=kind,
        site_type=tuple(s.type for s in sites),
        capacity=capacity,
        processing_days=np.array([s.processing_days for s in sites], dtype=np.int64),
        base_stock=base_stock,
        mean_flow=mean_flow,
        mean_lead=mean_lead,
        unit_value=np.array([s.unit_value for s in sites], dtype=np.float64),
        price=price,
        buf_site=np.array(buf_site, dtype=np.int64),
        buf_component=tuple(buf_comp),
        buf_qpu=qpu,
        buf_base_stock=buf_bs,
        buf_mean_flow=buf_flow,
        buf_mean_lead=buf_lead,
        site_buf_ptr=site_buf_ptr,
        edge_src=edge_src,
        edge_recv=edge_recv,
        edge_share=edge_share,
        edge_to_customer=edge_to_customer,
        edge_lt_const=lt_const,
        edge_lt_off=lt_off,
        edge_lt_len=lt_len,
        lt_cdf=lt_cdf,
        lt_guide=lt_guide,
        lt_thr=lt_thr,
        out_ptr=out_ptr,
        out_edges=out_edges,
        in_ptr=in_ptr,
        in_edges=in_edges,
        customer_sites=customers,
        dis_kind=dis_kind,
        dis_prob=dis_prob,
        dis_start=dis_start,
        dis_severity=dis_sev,
        dis_dur_off=dur_off,
        dis_dur_len=dur_len,
        dur_cdf=dur_cdf,
        dur_guide=dur_guide,
        dur_thr=dur_thr,
        dis_tgt_ptr=np.array(tgt_ptr, dtype=np.int64),
        dis_tgt=np.array(tgt, dtype=np.int64),
        horizon_ring=ring,
        disruption_ids=tuple(d.disruption_id for d in dis),
    )


def _guides(tables: list[F]) -> tuple[I, F]:
    """Guide tables for inverse-CDF sampling (Chen 1974; Devroye 1986, sec. III.2.4).

    Entry ``i`` of a table of length ``m`` is the first index ``k`` with
    ``cdf[k] > i/m``; tables are concatenated like the CDFs. Beside each entry
    ``k`` the two thresholds the draw compares with next, ``cdf[k]`` and
    ``cdf[k+1]`` (2.0, "never", past the last step), sit side by side in the
    second array, so a draw usually costs one memory access and no branch.
    """
    guides: list[I] = []
    thrs: list[F] = []
    for c in tables:
        m = len(c)
        g = np.minimum(np.searchsorted(c, np.arange(m) / m, side="right"), m - 1)
        step = np.concatenate([c[:-1], [2.0, 2.0]])  # a draw moves past k only if k < m-1
        guides.append(g.astype(np.int64))
        thrs.append(np.stack([step[g], step[g + 1]], axis=1).ravel())
    if not guides:
        return np.zeros(1, dtype=np.int64), np.full(2, 2.0)
    return np.concatenate(guides), np.concatenate(thrs)


def _csr(keys: I, n: int) -> tuple[I, I]:
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(ptr, keys + 1, 1)
    return np.cumsum(ptr), order


def _targets(kind, scope, sites, idx, lanes, lane_index, out_ptr, out_edges) -> list[int]:  # type: ignore[no-untyped-def]
    """Site indices (outage, capacity, demand) or edge indices (delay) a disruption hits."""
    if scope.startswith("lane:"):
        a, _, b = (x.strip() for x in scope[len("lane:") :].partition("->"))
        return [lane_index[(a, b)]]
    if scope.startswith("region:"):
        region = scope[len("region:") :].strip()
        members = [i for i, s in enumerate(sites) if s.region == region]
    else:
        members = [idx[scope]]
    if kind == "delay":
        return [int(e) for s in members for e in out_edges[out_ptr[s] : out_ptr[s + 1]]]
    if kind == "demand":
        return [s for s in members if sites[s].type == "customer"]
    return [s for s in members if sites[s].type != "customer"]
