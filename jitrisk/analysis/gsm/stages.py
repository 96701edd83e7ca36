"""From a jitrisk network to GSM stages and back to per-site safety stock (``place_gsm``)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from ...model.records import Network
from .problem import (
    GSMEdge,
    GSMSolution,
    GSMStage,
    _topological,
    propagate_demand,
)
from .solver import DEFAULT_GAP, solve_gsm


def _lane_time(lane: Any) -> tuple[int, float]:
    """Whole transit days of a lane (the mean of the whole-day lead time the engine
    samples, docs/MODEL.md, rounded up) and that lead time's standard deviation."""
    pmf = lane.lead_time.whole_day_pmf(0)
    k = np.arange(len(pmf))
    mean = float(np.dot(k, pmf))
    std = math.sqrt(max(float(np.dot((k - mean) ** 2, pmf)), 0.0))
    return max(0, math.ceil(mean - 1e-9)), std


def network_stages(
    network: Network, *, review_days: int | None = None, service_level: float | None = None
) -> tuple[list[GSMStage], list[GSMEdge]]:
    r"""Stages and edges of the GSM for a network.

    * Stages: stocking sites (suppliers, plants, DCs). :math:`T_j` =
      ``processing_days`` (0 for a DC) + ``review_days`` (default the
      Settings ``gsm_review_days``, 1: the engine reviews daily and a
      shipment ordered on day :math:`t` arrives on :math:`t + 1 + L`, so its
      protection period is :math:`E[L] + 1`, docs/MODEL.md; 0 is the
      continuous-review convention of the textbook examples); :math:`h_j` =
      ``unit_value × holding_cost_rate`` (per year); raw sources get
      :math:`si_j = 0` (ample supply; an external supplier's service time is
      the same as that many more days of the source's stage time).
    * Edges: lanes between stocking sites, with transit :math:`L_{ij}` =
      :math:`\lceil E[L] \rceil` of the whole-day lead time and
      :math:`\phi_{ij}` = share (× quantity per unit into a producing site).
      Every source of a component must deliver its share, so
      :math:`SI_j \ge S_i + L_{ij}` for each of them.
    * Uncertain stage times: a lane's lead time is a distribution, so the
      replenishment time of the stage it delivers to varies. With
      :math:`\sigma_{T_j}` the largest standard deviation of the whole-day
      lead time among the stage's inbound lanes (an assembly waits for its
      slowest input; the largest is the simple, slightly optimistic choice),
      the stock covers demand over a random net lead time,
      :math:`z_j \sqrt{\sigma_j^2 \tau_j + \mu_j^2 \sigma_{T_j}^2}`: the
      variance of demand over a random time, :math:`E[\tau]\sigma_D^2 +
      \mu_D^2 \mathrm{Var}[\tau]` (Silver, Pyke & Peterson 1998, sec. 7.11;
      the form Humair, Ruark & Willems 2013 bring into the GSM), with
      :math:`\tau_j` as above (transit at its rounded-up mean).
    * Demand: customers' daily demand propagated upstream by shares and bills
      of material, exactly as the engine's mean flows, with independent
      customers (:func:`propagate_demand`). A site that ships to customers
      gets :math:`s_j` = the smallest ``service_time_days`` among them; a
      site's own ``max_service_time_days`` bounds :math:`s_j` as well.
    * Service level: every stage guarantees its service time to every
      customer it serves, directly or through the stages downstream, so it
      holds to the strictest of their levels: :math:`z_j = \Phi^{-1}(\max_c
      \alpha_c)` over those customers, :math:`\alpha_c` = the Demand row's
      ``service_level``, else ``service_level`` (default the Settings value).

    Notes
    -----
    The promised service time bounds the site's committed service time; the
    transit to the customer is not deducted from it. Lead-time variability,
    capacities, disruptions and line-side buffers are outside the GSM (it
    covers demand variability only: see the disruption-aware placement).
    """
    sites = {s.site_id: s for s in network.sites}
    order_ids = [s.site_id for s in network.sites]
    idx = {sid: k for k, sid in enumerate(order_ids)}
    n = len(order_ids)
    ups = np.array([idx[la.source] for la in network.lanes], dtype=np.int64)
    downs = np.array([idx[la.target] for la in network.lanes], dtype=np.int64)
    units = np.array(
        [
            la.share * (la.quantity_per_unit if sites[la.target].is_producing else 1.0)
            for la in network.lanes
        ],
        dtype=np.float64,
    )
    order = _topological(n, ups, downs, order_ids)
    dmean = np.zeros(n)
    dstd = np.zeros(n)
    for d in network.demand:
        dmean[idx[d.site_id]] = max(d.daily_demand.mean, 0.0)
        dstd[idx[d.site_id]] = d.daily_demand.std
    mu, sigma = propagate_demand(n, ups, downs, units, order, dmean, dstd)
    review = network.settings.gsm_review_days if review_days is None else review_days
    smax: dict[str, int] = {}
    for la in network.lanes:
        if sites[la.target].type == "customer" and sites[la.source].is_stocking:
            dem = network.demand_by_id.get(la.target)
            st = dem.service_time_days if dem is not None else 0
            smax[la.source] = min(smax.get(la.source, st), st)
    for s in network.sites:
        if s.is_stocking and s.max_service_time_days is not None:
            smax[s.site_id] = min(
                smax.get(s.site_id, s.max_service_time_days), s.max_service_time_days
            )
    alpha = network.settings.service_level if service_level is None else service_level
    levels = _customer_levels(network, order_ids, order, alpha)
    inner = {  # lanes between stocking sites: the GSM's edges
        k: _lane_time(la)
        for k, la in enumerate(network.lanes)
        if sites[la.source].is_stocking and sites[la.target].is_stocking
    }
    time_std: dict[str, float] = {}
    for k, (_days, std) in inner.items():
        target = network.lanes[k].target
        time_std[target] = max(time_std.get(target, 0.0), std)
    stages = [
        GSMStage(
            stage_id=s.site_id,
            processing_time=(s.processing_days if s.is_producing else 0) + review,
            holding_cost=s.unit_value * s.holding_cost_rate,
            max_service_time=smax.get(s.site_id),
            net_demand_mean=float(mu[idx[s.site_id]]),
            net_demand_std=float(sigma[idx[s.site_id]]),
            unit_value=s.unit_value,
            service_level=levels.get(s.site_id),
            time_std=time_std.get(s.site_id, 0.0),
        )
        for s in network.sites
        if s.is_stocking
    ]
    lanes = network.lanes
    edges = [
        GSMEdge(lanes[k].source, lanes[k].target, float(units[k]), days)
        for k, (days, _std) in inner.items()
    ]
    return stages, edges


def _customer_levels(
    network: Network, ids: list[str], order: Any, alpha: float
) -> dict[str, float]:
    """Per site, the strictest service level among the customers it serves, directly
    or downstream (a customer's own ``service_level``, else ``alpha``)."""
    served: dict[str, float] = {}
    for d in network.demand:
        served[d.site_id] = alpha if d.service_level is None else d.service_level
    downstream: dict[str, list[str]] = {sid: [] for sid in ids}
    for la in network.lanes:
        downstream[la.source].append(la.target)
    for k in reversed(list(order)):  # customers first, raw suppliers last
        sid = ids[int(k)]
        levels = [served[t] for t in downstream[sid] if t in served]
        if levels:
            served[sid] = max([*levels, served.get(sid, 0.0)])
    return served


def place_gsm(
    network: Network,
    service_level: float | None = None,
    *,
    method: str = "auto",
    review_days: int | None = None,
    time_limit: float = 50.0,
    gap_tolerance: float = DEFAULT_GAP,
) -> GSMSolution:
    r"""Guaranteed-service safety stock for every stocking site of ``network``.

    Stages and edges as in :func:`network_stages`; :math:`z = \Phi^{-1}(\alpha)`
    with :math:`\alpha` = ``service_level`` or ``network.settings.service_level``
    (a customer's own level where the Demand sheet gives one), and ``review_days``
    or ``network.settings.gsm_review_days`` added to every stage time.
    Costs are annual (holding cost rates are per year); safety-stock days are
    units over the mean daily flow through the site.
    """
    alpha = network.settings.service_level if service_level is None else service_level
    review = network.settings.gsm_review_days if review_days is None else review_days
    stages, edges = network_stages(network, review_days=review, service_level=alpha)
    sol = solve_gsm(
        stages,
        edges,
        service_level=alpha,
        method=method,
        time_limit=time_limit,
        gap_tolerance=gap_tolerance,
    )
    return replace(sol, review_days=review)


def review_words(days: int | None) -> str:
    """The review convention of a plan in words: ``"daily review"``, ``"continuous
    review"`` (0 days, the textbook's), ``"review every 7 days"``."""
    if days is None:
        return "review period not stated"
    if days == 0:
        return "continuous review"
    return "daily review" if days == 1 else f"review every {days} days"


def optimality_words(gap: float | None) -> str:
    """How near the optimum a plan is proven to be, in words: ``"optimal"`` (no
    gap), ``"within 0.0095 % of optimal"`` (the proven gap rounded up to two
    significant digits, so the words never claim more than the bound proves)."""
    if gap is None or not math.isfinite(gap):
        return "gap unknown"
    if gap <= 1e-9:
        return "optimal"
    pct = gap * 100
    exp = math.floor(math.log10(pct)) - 1
    up = math.ceil(round(pct / 10.0**exp, 9)) * 10.0**exp
    return f"within {up:.{max(-exp, 0)}f} % of optimal"
