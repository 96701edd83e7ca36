"""Random but realistic tiered just-in-time networks, for benchmarks and tests.

:func:`generate_network` builds a layered network, upstream to downstream::

    tier-k ... tier-3 suppliers (raw, or with a small bill of materials)
      -> tier-2 suppliers (a bill of materials of their own)
      -> tier-1 suppliers (a bill of materials of their own)
      -> plants (bills of materials of 10 or more components)
      -> distribution centres -> customers (markets with normal or Poisson demand)

Some components are dual-sourced (two lanes with the same ``component`` label
and shares summing to 1); every site leads to a customer; lead times mix
constants and distributions according to the distance between the regions of
the two sites; unit values grow downstream (a BOM's material value times a
markup); capacities sit 15-50 % above the mean flow through the site.

Buffers are thin, as in a JIT network, but sized the way a planner would: 0.5-3
days of cover (0.5-2 days line-side at plants and suppliers), plus one standard
deviation of the transit time of the lanes that restock them, so a buffer fed
over a 40 ± 10-day ocean lane holds about 10 more days. Without disruptions
such a network serves its customers at a fill rate near 1 (tested).

The disruption profile holds supplier outages (15 % of suppliers, each 0.1-0.5
times a year, geometric durations of 3-14 days on average), one or two
regional events, a lane delay, a plant capacity loss and a demand shock; with
it, customer fill rates sit near 0.9, like the bundled automotive example.

The result depends only on the arguments: all randomness comes from one
:func:`numpy.random.default_rng` seeded with ``seed``. Every number is rounded
to a few digits, so writing the network with :func:`jitrisk.workbook.writer.write_network`
and loading it back gives an equal network.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .distributions import (
    Constant,
    Distribution,
    Gamma,
    Geometric,
    LogNormal,
    Normal,
    Poisson,
    Triangular,
)
from .records import Demand, Disruption, Lane, Network, Settings, Site
from .vocabulary import MAX_ROWS

MIN_SITES = 20
MAX_SITES = MAX_ROWS["Sites"]
MIN_BOM = 10
"""Fewest components in a plant's bill of materials."""

CONTINENT = {
    "DE": "EU", "CZ": "EU", "PL": "EU", "HU": "EU", "FR": "EU", "UK": "EU",
    "CN": "AS", "IN": "AS", "JP": "AS", "KR": "AS",
    "MX": "AM", "US": "AM",
}  # fmt: skip
_REGIONS_BY_ROLE: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "customer": (("DE", "FR", "UK", "US", "CN"), (0.3, 0.2, 0.15, 0.25, 0.1)),
    "dc": (("DE", "PL", "FR", "US", "MX"), (0.3, 0.2, 0.15, 0.2, 0.15)),
    "plant": (("DE", "CZ", "PL", "MX", "US", "CN"), (0.3, 0.2, 0.15, 0.15, 0.1, 0.1)),
    "tier1": (("DE", "CZ", "PL", "HU", "MX", "CN"), (0.25, 0.2, 0.2, 0.1, 0.1, 0.15)),
    "upstream": (
        ("CN", "DE", "PL", "IN", "JP", "KR", "US", "MX"),
        (0.3, 0.15, 0.1, 0.12, 0.1, 0.08, 0.08, 0.07),
    ),
}
PLANT_PARTS = (
    "body-panels", "seats", "wiring-harness", "cockpit", "wheels", "tyres", "glass",
    "headlamps", "ecu", "brakes", "hvac", "bumpers", "steering", "axle", "exhaust",
    "battery", "e-drive", "doors", "mirrors", "sensors", "display", "fuel-tank",
    "airbags", "carpet", "radiator", "pedals", "roof", "seals", "fasteners", "paint",
)  # fmt: skip
SUPPLIER_PARTS = (
    "steel", "aluminium", "copper", "resin", "rubber", "glass-raw", "chips", "pcb",
    "foam", "fabric", "magnets", "castings", "forgings", "bearings", "connectors",
    "wire", "film", "paint-raw", "springs", "cells",
)  # fmt: skip
SAFETY_DAYS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
LINE_BUFFER_DAYS = (0.5, 1.0, 1.5, 2.0)


@dataclass
class _Component:
    """One component of one consumer: its label and its alternative sources."""

    label: str
    sources: list[str]
    shares: list[float] = field(default_factory=list)


@dataclass
class _Layout:
    """Site ids by role, upstream tiers first in ``tiers[0]`` = tier 1."""

    plants: list[str]
    dcs: list[str]
    customers: list[str]
    tiers: list[list[str]]
    raw: set[str] = field(default_factory=set)


def generate_network(
    n_sites: int,
    seed: int = 0,
    *,
    n_customers: int | None = None,
    disruption_rate: float = 1.0,
) -> Network:
    """A random tiered JIT network with ``n_sites`` sites.

    Parameters
    ----------
    n_sites : int
        Total number of sites, 20 to 5000.
    seed : int
        Seed of the :class:`numpy.random.Generator`; same arguments, same network.
    n_customers : int, optional
        Number of customers; default about 6 % of the sites (at least 2).
    disruption_rate : float
        Mean outages per year of a disrupted supplier; all event frequencies
        of the profile scale with it. 0 gives a network without disruptions.

    Returns
    -------
    Network
        A network that validates without errors or warnings, with default settings.

    Raises
    ------
    ValueError
        ``n_sites`` or ``n_customers`` out of range, or a negative rate.
    """
    if not MIN_SITES <= n_sites <= MAX_SITES:
        raise ValueError(f"n_sites must be between {MIN_SITES} and {MAX_SITES}, got {n_sites}")
    if not math.isfinite(disruption_rate) or disruption_rate < 0:
        raise ValueError(f"disruption_rate must be >= 0, got {disruption_rate}")
    rng = np.random.default_rng(seed)
    layout = _layout(rng, n_sites, n_customers)
    regions = _regions(rng, layout)
    boms = _wire_all(rng, layout)
    lanes = _lanes(rng, layout, boms, regions)
    demand = _demand(rng, layout.customers)
    flow = _mean_flow(lanes, demand, layout)
    sites, prices = _sites(rng, layout, regions, lanes, flow)
    demand = [Demand(d.site_id, d.daily_demand, prices[d.site_id]) for d in demand]
    disruptions = _disruptions(rng, layout, regions, lanes, disruption_rate)
    return Network(
        sites=tuple(sites),
        lanes=tuple(lanes),
        demand=tuple(demand),
        disruptions=tuple(disruptions),
        settings=Settings(),
    )


# --------------------------------------------------------------------------- structure


def _layout(rng: np.random.Generator, n: int, n_customers: int | None) -> _Layout:
    n_cust = n_customers if n_customers is not None else max(2, round(0.06 * n))
    n_dc = max(1, round(0.025 * n))
    n_plant = max(1, round(n / 100))
    n_sup = n - n_cust - n_dc - n_plant
    k = 3 if n < 100 else 4 if n < 1000 else 5
    if n_cust < 1 or n_sup < MIN_BOM + k - 1:
        raise ValueError(
            f"n_customers={n_cust} leaves {n_sup} suppliers for {n} sites; "
            f"use between 1 and {n - n_dc - n_plant - MIN_BOM - k + 1} customers"
        )
    sizes = _tier_sizes(n_sup, k)
    tiers = [
        [f"T{t}-{i:0{_width(size)}d}" for i in range(1, size + 1)]
        for t, size in enumerate(sizes, start=1)
    ]
    layout = _Layout(
        plants=[f"PLANT-{i:0{_width(n_plant)}d}" for i in range(1, n_plant + 1)],
        dcs=[f"DC-{i:0{_width(n_dc)}d}" for i in range(1, n_dc + 1)],
        customers=[f"CUST-{i:0{_width(n_cust)}d}" for i in range(1, n_cust + 1)],
        tiers=tiers,
    )
    layout.raw = _raw_suppliers(rng, tiers)
    return layout


def _width(count: int) -> int:
    return max(2, len(str(count)))


def _tier_sizes(n_sup: int, k: int) -> list[int]:
    """Suppliers per tier: about 40 % in tier 1 (at least :data:`MIN_BOM`), fewer upstream."""
    tier1 = min(max(MIN_BOM, round(0.4 * n_sup)), n_sup - (k - 1))
    rest = n_sup - tier1
    weights = np.array([0.7**t for t in range(k - 1)])
    sizes = np.maximum(1, np.floor(rest * weights / weights.sum())).astype(int)
    sizes[0] += rest - sizes.sum()
    return [tier1, *(int(s) for s in sizes)]


def _raw_suppliers(rng: np.random.Generator, tiers: list[list[str]]) -> set[str]:
    """Suppliers without inbound lanes: the last tier, and about half of tiers 3..k-1.

    Each tier keeps at least one supplier with a bill of materials while a tier
    lies above it, so every upstream supplier has somewhere to ship.
    """
    raw = set(tiers[-1])
    for t in range(2, len(tiers) - 1):  # tiers 3 .. k-1
        members = tiers[t]
        flags = rng.random(len(members)) < 0.5
        flags[int(rng.integers(len(members)))] = False
        raw.update(m for m, f in zip(members, flags, strict=True) if f)
    return raw


def _regions(rng: np.random.Generator, layout: _Layout) -> dict[str, str]:
    roles = [
        ("plant", layout.plants),
        ("dc", layout.dcs),
        ("customer", layout.customers),
        ("tier1", layout.tiers[0]),
    ]
    roles += [("upstream", tier) for tier in layout.tiers[1:]]
    out: dict[str, str] = {}
    for role, ids in roles:
        names, weights = _REGIONS_BY_ROLE[role]
        picks = rng.choice(len(names), size=len(ids), p=np.asarray(weights) / sum(weights))
        out.update((sid, names[int(p)]) for sid, p in zip(ids, picks, strict=True))
    return out


def _wire_all(rng: np.random.Generator, layout: _Layout) -> dict[str, list[_Component]]:
    """Components (with sources) of every site that receives material."""
    boms: dict[str, list[_Component]] = {}
    tiers = layout.tiers
    for t in range(len(tiers) - 1):
        consumers = [s for s in tiers[t] if s not in layout.raw]
        boms.update(_wire(rng, consumers, tiers[t + 1], (1, 3), 0.15, SUPPLIER_PARTS))
    hi = max(MIN_BOM, min(25, len(tiers[0])))
    boms.update(_wire(rng, layout.plants, tiers[0], (MIN_BOM, hi), 0.25, PLANT_PARTS))
    boms.update(_alternatives(rng, layout.dcs, layout.plants, 0.3))
    boms.update(_alternatives(rng, layout.customers, layout.dcs, 0.25))
    return boms


def _wire(
    rng: np.random.Generator,
    consumers: Sequence[str],
    providers: Sequence[str],
    n_components: tuple[int, int],
    dual_prob: float,
    part_names: Sequence[str],
) -> dict[str, list[_Component]]:
    """Bills of materials: each consumer gets components, each provider ships somewhere.

    Providers are dealt out from a shuffled pool first, so every provider is
    used; any left when every consumer has its components become extra
    components of random consumers. A component is dual-sourced with
    probability ``dual_prob`` when a second distinct provider is available.
    """
    pool = [str(p) for p in rng.permutation(np.asarray(providers))]
    used: dict[str, set[str]] = {c: set() for c in consumers}
    boms: dict[str, list[_Component]] = {c: [] for c in consumers}
    lo, hi = n_components
    for c in consumers:
        k = min(int(rng.integers(lo, hi + 1)), len(providers))
        for j in range(k):
            p = _next_provider(rng, pool, providers, used[c])
            if p is None:
                break
            comp = _Component("", [p])
            used[c].add(p)
            spare = len(providers) - len(used[c]) - (k - j - 1)  # keep enough for k components
            if spare > 0 and rng.random() < dual_prob:
                q = _next_provider(rng, pool, providers, used[c])
                if q is not None:
                    comp.sources.append(q)
                    used[c].add(q)
            boms[c].append(comp)
    for p in pool:  # providers nobody has taken yet
        free = [c for c in consumers if p not in used[c]]
        c = free[int(rng.integers(len(free)))]
        boms[c].append(_Component("", [p]))
        used[c].add(p)
    for c in consumers:
        _label(rng, boms[c], part_names)
    return boms


def _next_provider(
    rng: np.random.Generator, pool: list[str], providers: Sequence[str], taken: set[str]
) -> str | None:
    """An untaken provider: from the unused pool first, else any (None if all taken)."""
    for i in range(len(pool) - 1, -1, -1):
        if pool[i] not in taken:
            return pool.pop(i)
    if len(taken) >= len(providers):
        return None
    while True:
        p = providers[int(rng.integers(len(providers)))]
        if p not in taken:
            return p


def _label(rng: np.random.Generator, comps: list[_Component], names: Sequence[str]) -> None:
    """Component labels (distinct within one consumer) and shares of the sources."""
    order = rng.permutation(len(names))
    for j, comp in enumerate(comps):
        base = names[int(order[j % len(names)])]
        comp.label = base if j < len(names) else f"{base}-{j // len(names) + 1}"
        comp.shares = _split(rng, len(comp.sources))


def _split(rng: np.random.Generator, m: int) -> list[float]:
    """``m`` shares in hundredths summing to 1 (a main source for two)."""
    if m == 1:
        return [1.0]
    if m == 2:
        main = float(rng.choice([0.5, 0.6, 0.7, 0.8]))
        return [main, round(1.0 - main, 2)]
    each = math.floor(100 / m) / 100
    return [each] * (m - 1) + [round(1.0 - each * (m - 1), 2)]


def _alternatives(
    rng: np.random.Generator, consumers: Sequence[str], providers: Sequence[str], dual_prob: float
) -> dict[str, list[_Component]]:
    """DCs and customers: one item, from one or more alternative sources."""
    boms = _wire(rng, consumers, providers, (1, 1), dual_prob, ("item",))
    out: dict[str, list[_Component]] = {}
    for c, comps in boms.items():
        sources = [s for comp in comps for s in comp.sources]
        out[c] = [_Component(c, sources, _split(rng, len(sources)))]
    return out


# --------------------------------------------------------------------------- lanes


def _lanes(
    rng: np.random.Generator,
    layout: _Layout,
    boms: dict[str, list[_Component]],
    regions: dict[str, str],
) -> list[Lane]:
    plants = set(layout.plants)
    downstream = set(layout.dcs) | set(layout.customers)
    lanes: list[Lane] = []
    for target, comps in boms.items():
        for comp in comps:
            if target in downstream:
                qpu, buffer = 1.0, None
            elif target in plants:
                qpu = float(rng.choice([1, 1, 1, 1, 2, 4, 5]))
                buffer = float(rng.choice(LINE_BUFFER_DAYS))
            else:
                qpu = float(rng.choice([0.5, 1, 1, 2, 3]))
                buffer = float(rng.choice(LINE_BUFFER_DAYS))
            leads = [_lead_time(rng, regions[src], regions[target]) for src in comp.sources]
            if buffer is not None:
                buffer += _lead_time_cover(leads)
            for src, share, lead in zip(comp.sources, comp.shares, leads, strict=True):
                lanes.append(Lane(src, target, lead, qpu, share, comp.label, buffer))
    return lanes


def _lead_time_cover(leads: Sequence[Distribution]) -> float:
    """Extra days of cover a planner keeps for uncertain transit: one σ of the worst lane.

    Rounded up to half days. Without it a 0.5-day buffer fed over a 40 ± 10-day
    ocean lane is out of stock most days, which is a network in crisis, not a
    lean one.
    """
    sd = max(lead.std for lead in leads)
    return math.ceil(2 * sd) / 2


def _lead_time(rng: np.random.Generator, a: str, b: str) -> Distribution:
    """Transit days by distance: same region, same continent, or overseas."""
    u = rng.random()
    if a == b:
        if u < 0.7:
            return Constant(float(rng.integers(0, 3)))
        return Triangular(0.0, 1.0, float(rng.integers(2, 5)))
    if CONTINENT.get(a) == CONTINENT.get(b):
        m = float(rng.integers(1, 6))
        if u < 0.5:
            return Constant(m)
        if u < 0.8:
            return Normal(m, round(0.25 * m, 2))
        return Poisson(m)
    m = float(rng.integers(18, 45))
    sd = round(m * float(rng.uniform(0.1, 0.25)), 1)
    if u < 0.2:
        return Constant(m)
    if u < 0.5:
        return Gamma(m, sd)
    if u < 0.8:
        return LogNormal(m, sd)
    return Normal(m, sd)


def _demand(rng: np.random.Generator, customers: Sequence[str]) -> list[Demand]:
    out: list[Demand] = []
    for c in customers:
        mean = float(rng.integers(2, 41) * 5)
        if rng.random() < 0.3:
            dist: Distribution = Poisson(mean)
        else:
            dist = Normal(mean, round(mean * float(rng.uniform(0.1, 0.3)), 1))
        out.append(Demand(c, dist))
    return out


def _mean_flow(
    lanes: Sequence[Lane], demand: Sequence[Demand], layout: _Layout
) -> dict[str, float]:
    """Mean daily units through each site: customer demand pushed up the lanes."""
    flow: dict[str, float] = defaultdict(float)
    for d in demand:
        flow[d.site_id] = d.daily_demand.mean
    into: dict[str, list[Lane]] = defaultdict(list)
    for lane in lanes:
        into[lane.target].append(lane)
    order = [*layout.customers, *layout.dcs, *layout.plants]
    order += [s for tier in layout.tiers for s in tier]
    for target in order:
        for lane in into[target]:
            flow[lane.source] += flow[target] * lane.share * lane.quantity_per_unit
    return flow


# --------------------------------------------------------------------------- sites


def _sites(
    rng: np.random.Generator,
    layout: _Layout,
    regions: dict[str, str],
    lanes: Sequence[Lane],
    flow: dict[str, float],
) -> tuple[list[Site], dict[str, float]]:
    """Sites with buffers, capacities and values; and customer prices."""
    value = _unit_values(rng, layout, lanes)
    into: dict[str, list[Distribution]] = defaultdict(list)
    for lane in lanes:
        into[lane.target].append(lane.lead_time)
    sites: list[Site] = []
    tier_of = {s: t for t, tier in enumerate(layout.tiers, start=1) for s in tier}
    for sid in [*layout.plants, *layout.dcs, *layout.customers, *tier_of]:
        region = regions[sid]
        if sid in tier_of:
            t = tier_of[sid]
            kind = "raw supplier" if sid in layout.raw else "supplier"
            name = f"Tier-{t} {kind} {sid.split('-')[1]} ({region})"
            stype = "supplier"
            processing = int(rng.integers(1, 6)) if sid in layout.raw else int(rng.integers(1, 4))
            capacity = _capacity(rng, flow[sid]) if rng.random() < 0.5 else None
        elif sid.startswith("PLANT"):
            name, stype = f"Plant {sid.split('-')[1]} ({region})", "plant"
            processing, capacity = int(rng.integers(1, 3)), _capacity(rng, flow[sid])
        elif sid.startswith("DC"):
            name, stype, processing, capacity = f"DC {sid.split('-')[1]} ({region})", "dc", 0, None
        else:
            sites.append(Site(sid, "customer", f"Market {sid.split('-')[1]} ({region})", region))
            continue
        safety = float(rng.choice(SAFETY_DAYS))
        if stype == "dc":  # a DC restocks over lanes; producers buffer their components
            safety += _lead_time_cover(into[sid])
        sites.append(
            Site(
                sid,
                stype,
                name,
                region,
                safety_stock_days=safety,
                processing_days=processing,
                capacity_per_day=capacity,
                unit_value=value[sid],
            )
        )
    prices = {c: round(value[c], 2) for c in layout.customers}
    return sites, prices


def _capacity(rng: np.random.Generator, mean_flow: float) -> float:
    return float(max(1, math.ceil(mean_flow * float(rng.uniform(1.15, 1.5)))))


def _unit_values(
    rng: np.random.Generator, layout: _Layout, lanes: Sequence[Lane]
) -> dict[str, float]:
    """Raw material values, then BOM value times a markup downstream; customer = price."""
    into: dict[str, list[Lane]] = defaultdict(list)
    for lane in lanes:
        into[lane.target].append(lane)
    value: dict[str, float] = {}
    order = [s for tier in reversed(layout.tiers) for s in tier]
    order += [*layout.plants, *layout.dcs, *layout.customers]
    for sid in order:
        inbound = into[sid]
        if not inbound:
            value[sid] = round(float(rng.uniform(1, 20)), 2)
            continue
        by_comp: dict[str, list[Lane]] = defaultdict(list)
        for lane in inbound:
            by_comp[lane.component].append(lane)
        material = sum(
            grp[0].quantity_per_unit * sum(value[x.source] * x.share for x in grp)
            for grp in by_comp.values()
        )
        if sid in layout.dcs:
            markup = 1.05
        elif sid in layout.customers:
            markup = 1.25
        else:
            markup = float(rng.uniform(1.1, 1.5))
        value[sid] = round(material * markup, 2)
    return value


# --------------------------------------------------------------------------- disruptions


def _disruptions(
    rng: np.random.Generator,
    layout: _Layout,
    regions: dict[str, str],
    lanes: Sequence[Lane],
    rate: float,
) -> list[Disruption]:
    if rate == 0:
        return []
    suppliers = [s for tier in layout.tiers for s in tier]
    out: list[Disruption] = []
    n_out = max(2, round(0.15 * len(suppliers)))
    for sid in sorted(rng.choice(suppliers, size=n_out, replace=False).tolist()):
        per_year = rate * float(rng.choice([0.1, 0.2, 0.25, 0.5]))
        out.append(_event(f"OUT-{sid}", sid, "outage", per_year, int(rng.integers(3, 15))))
    for plant in layout.plants[: max(1, len(layout.plants) // 4)]:
        out.append(_event(f"CAP-{plant}", plant, "capacity", rate * 2, 3, severity=0.3))
    out += _regional(rng, regions, suppliers, rate)
    longest = max(lanes, key=lambda lane: (lane.lead_time.mean, lane.source, lane.target))
    out.append(
        _event(
            "LANE-DELAY",
            f"lane:{longest.label}",
            "delay",
            rate * 0.5,
            20,
            severity=float(rng.integers(7, 15)),
        )
    )
    cust = layout.customers[int(rng.integers(len(layout.customers)))]
    out.append(_event(f"DEMAND-{cust}", cust, "demand", rate * 0.5, 10, severity=1.5))
    return out


def _regional(
    rng: np.random.Generator, regions: dict[str, str], suppliers: Sequence[str], rate: float
) -> list[Disruption]:
    """A region-wide outage in the busiest supplier region; a port delay in the next."""
    counts: dict[str, int] = defaultdict(int)
    for s in suppliers:
        counts[regions[s]] += 1
    busiest = sorted(counts, key=lambda r: (-counts[r], r))
    out = [_event(f"REGION-{busiest[0]}", f"region:{busiest[0]}", "outage", rate * 0.1, 10)]
    if len(suppliers) >= 150 and len(busiest) > 1:
        region = busiest[1]
        out.append(
            _event(
                f"PORT-{region}",
                f"region:{region}",
                "delay",
                rate * 0.25,
                14,
                severity=float(rng.integers(5, 11)),
            )
        )
    return out


def _event(
    did: str, scope: str, kind: str, per_year: float, mean_days: int, severity: float = 1.0
) -> Disruption:
    """A random event with geometric duration; ``per_year`` rounded to 4 decimals."""
    p = round(per_year, 4) / 365.0
    return Disruption(did, scope, kind, min(p, 1.0), Geometric(float(mean_days)), severity)
