"""What the network map draws, as plain data: columns, order, flows, colours. Qt-free.

:func:`layout_network` puts every supplier in the column of its tier (the
deepest tier on the left, tier 1 next to the plants: the tiers the Summary
counts, :func:`jitrisk.model.graph.build_graph`), then plants, DCs and
customers by echelon, every customer in the last column so the markets line
up on the right; each column gets a heading. Within
a column, sites are ordered by the barycentre heuristic of Sugiyama, Tagawa &
Toda (1981): sweeps left to right and back, each placing a site at the mean
rank of its neighbours in the column just placed; the order with the fewest
lane crossings is kept.

:func:`mean_flows` propagates mean customer demand upstream through shares
and bills of material (the engine's ``mean_flow``, without compiling the
network), which sizes the nodes. :class:`ColourScale` maps a risk metric onto
a colour-blind-safe sequential colour map (the report's ``YlOrRd``: light is
low risk, dark red is high; monotone in lightness, so it also reads in grey).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from jitrisk.model.graph import build_graph
from jitrisk.model.records import Network

from .. import theme
from .formatting import format_compact, format_money, format_percent

#: Barycentre sweeps (each one left to right or right to left).
SWEEPS = 8
#: Sequential colour map of risk, shared with the exported report.
RISK_CMAP = "YlOrRd"
#: Fill of a site without a value (no run yet, or not simulated).
NO_VALUE = "#d9dde3"
#: Outline colours of the largest regions; they stay apart from the YlOrRd fills.
REGION_OUTLINES = (
    theme.OKABE_ITO["blue"],
    theme.OKABE_ITO["bluish_green"],
    theme.OKABE_ITO["reddish_purple"],
    theme.OKABE_ITO["black"],
    theme.OKABE_ITO["sky_blue"],
)
#: Outline of the remaining regions.
OTHER_OUTLINE = "#8c959f"

#: Column headings of a site type.
TYPE_HEADINGS = {"supplier": "Suppliers", "plant": "Plants", "dc": "DCs", "customer": "Customers"}
#: How a site type is named on screen.
TYPE_NAMES = {"supplier": "Supplier", "plant": "Plant", "dc": "DC", "customer": "Customer"}


@dataclass(frozen=True)
class MapNode:
    """One site on the map.

    Attributes
    ----------
    site_id, name, type, region : str
    column : int
        Left-to-right column (depth; customers in the last column).
    rank : int
        Position within the column, top first.
    tier : int
        Supplier tier (0 for other sites).
    flow : float
        Mean units per day through the site.
    value_flow : float
        ``flow`` times the unit value (for customers: the unit price).
    """

    site_id: str
    name: str
    type: str
    region: str
    column: int
    rank: int
    tier: int = 0
    flow: float = 0.0
    value_flow: float = 0.0


@dataclass(frozen=True)
class MapLayout:
    """Nodes by id, the lanes as (source, target) pairs, and the column sizes."""

    nodes: dict[str, MapNode]
    edges: tuple[tuple[str, str], ...]
    column_sizes: tuple[int, ...] = field(default_factory=tuple)
    #: A heading per column: "Tier 3 suppliers", "Plants", "DCs", "Customers"…
    headings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> int:
        return len(self.column_sizes)

    def column(self, index: int) -> list[MapNode]:
        """The nodes of column ``index``, top first."""
        return sorted((n for n in self.nodes.values() if n.column == index), key=lambda n: n.rank)

    def crossings(self) -> int:
        """Number of pairwise lane crossings between adjacent columns (long lanes included)."""
        return count_crossings(
            {k: (n.column, n.rank) for k, n in self.nodes.items()}, self.edges, self.column_sizes
        )


# --------------------------------------------------------------------------- layout
def _columns(g: nx.DiGraph) -> dict[str, int]:
    """Column of every site: suppliers by tier (the deepest tier left, tier 1 next to
    the plants, as the Summary counts them), then plants, DCs and customers by
    echelon (longest path to a customer), customers last. Falls back to depth
    (longest path from a raw source) when a lane would run right to left or within
    a column (a plant shipping to a supplier), and to one column per type on a cycle."""
    if g.number_of_nodes() == 0:
        return {}
    if not all("depth" in g.nodes[n] for n in g):  # a cycle (the workbook is invalid anyway)
        order = {t: i for i, t in enumerate(theme.SITE_TYPES)}
        return {n: order.get(g.nodes[n]["type"], 0) for n in g}
    suppliers = [n for n in g if g.nodes[n]["type"] == "supplier"]
    others = [n for n in g if g.nodes[n]["type"] != "supplier"]
    top_tier = max((int(g.nodes[n]["tier"]) for n in suppliers), default=0)
    top_echelon = max((int(g.nodes[n]["echelon"]) for n in others), default=0)
    cols = {n: top_tier - int(g.nodes[n]["tier"]) for n in suppliers}
    for n in others:
        echelon = 0 if g.nodes[n]["type"] == "customer" else int(g.nodes[n]["echelon"])
        cols[n] = top_tier + top_echelon - echelon
    if all(cols[a] < cols[b] for a, b in g.edges):
        return cols
    depth = {n: int(g.nodes[n]["depth"]) for n in g}
    last = max(depth.values())
    return {n: last if g.nodes[n]["type"] == "customer" else d for n, d in depth.items()}


def column_headings(g: nx.DiGraph, cols: Mapping[str, int]) -> tuple[str, ...]:
    """A heading per column from the sites in it: "Tier 2 suppliers" when every one is
    a supplier of that tier, else the types present ("Plants", "Plants & DCs")."""
    if not cols:
        return ()
    out = []
    for c in range(max(cols.values()) + 1):
        members = [n for n, k in cols.items() if k == c]
        types = [t for t in theme.SITE_TYPES if any(g.nodes[n]["type"] == t for n in members)]
        tiers = {g.nodes[n].get("tier") for n in members}
        if types == ["supplier"] and len(tiers) == 1 and next(iter(tiers)):
            out.append(f"Tier {next(iter(tiers))} suppliers")
        else:
            out.append(" & ".join(TYPE_HEADINGS[t] for t in types))
    return tuple(out)


def _normalised_ranks(order: Mapping[int, Sequence[str]]) -> dict[str, float]:
    """Rank of each site as a fraction of its column's height (0 top, 1 bottom)."""
    out: dict[str, float] = {}
    for nodes in order.values():
        k = len(nodes)
        for i, n in enumerate(nodes):
            out[n] = (i + 0.5) / k
    return out


def count_crossings(
    positions: Mapping[str, tuple[int, int]],
    edges: Sequence[tuple[str, str]],
    column_sizes: Sequence[int],
) -> int:
    """Crossings of straight lanes: two lanes cross when their ends swap order.

    Lanes are compared on every column boundary they both span, with ranks
    scaled to the column heights (columns are centred vertically).
    """
    segs: list[tuple[int, int, float, float]] = []
    for a, b in edges:
        (ca, ra), (cb, rb) = positions[a], positions[b]
        if ca == cb:
            continue
        if ca > cb:
            (ca, ra), (cb, rb) = (cb, rb), (ca, ra)
        ya = ra - (column_sizes[ca] - 1) / 2
        yb = rb - (column_sizes[cb] - 1) / 2
        segs.append((ca, cb, ya, yb))
    total = 0
    for i in range(len(segs)):
        c1, d1, y1a, y1b = segs[i]
        for j in range(i + 1, len(segs)):
            c2, d2, y2a, y2b = segs[j]
            lo, hi = max(c1, c2), min(d1, d2)
            if lo >= hi:
                continue

            def at(c: float, ca: int, cb: int, ya: float, yb: float) -> float:
                return ya + (yb - ya) * (c - ca) / (cb - ca)

            s_lo = at(lo, c1, d1, y1a, y1b) - at(lo, c2, d2, y2a, y2b)
            s_hi = at(hi, c1, d1, y1a, y1b) - at(hi, c2, d2, y2a, y2b)
            if s_lo * s_hi < 0:
                total += 1
    return total


def _barycentre_sort(
    nodes: list[str], neighbours: Mapping[str, Sequence[str]], rank: Mapping[str, float]
) -> list[str]:
    keyed = []
    for i, n in enumerate(nodes):
        near = [rank[m] for m in neighbours.get(n, ()) if m in rank]
        here = rank.get(n, (i + 0.5) / max(len(nodes), 1))
        keyed.append((sum(near) / len(near) if near else here, here, i, n))
    keyed.sort()
    return [t[3] for t in keyed]


def order_columns(g: nx.DiGraph, columns: Mapping[str, int]) -> dict[int, list[str]]:
    """Sites of each column, ordered to reduce lane crossings (barycentre sweeps)."""
    order: dict[int, list[str]] = defaultdict(list)
    for n in g:
        order[columns[n]].append(n)
    for nodes in order.values():  # first order: regions together, then by id
        nodes.sort(key=lambda n: (str(g.nodes[n].get("region") or ""), str(n)))
    keys = sorted(order)
    preds = {n: [p for p in g.predecessors(n)] for n in g}
    succs = {n: [s for s in g.successors(n)] for n in g}
    edges = list(g.edges)
    sizes = [len(order.get(c, [])) for c in range(max(keys) + 1)] if keys else []

    def crossings(o: Mapping[int, list[str]]) -> int:
        pos = {n: (c, i) for c, ns in o.items() for i, n in enumerate(ns)}
        return count_crossings(pos, edges, sizes)

    best = {c: list(ns) for c, ns in order.items()}
    best_count = crossings(best)
    rank = _normalised_ranks(order)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        seq = keys[1:] if forward else keys[-2::-1]
        for c in seq:
            order[c] = _barycentre_sort(order[c], preds if forward else succs, rank)
            k = len(order[c])
            rank.update({n: (i + 0.5) / k for i, n in enumerate(order[c])})
        count = crossings(order)
        if count < best_count:
            best, best_count = {c: list(ns) for c, ns in order.items()}, count
    return best


def mean_flows(network: Network) -> dict[str, float]:
    """Mean units per day through each site: customer demand propagated upstream.

    A DC or customer orders its item from its sources by ``share``; a plant
    or supplier orders each component by ``share`` times ``quantity_per_unit``.
    Sites in a cycle (an invalid network) get 0.
    """
    flow: dict[str, float] = {s.site_id: 0.0 for s in network.sites}
    for d in network.demand:
        if d.site_id in flow:
            flow[d.site_id] = max(float(d.daily_demand.mean), 0.0)
    g = build_graph(network)
    if not nx.is_directed_acyclic_graph(g):
        return flow
    for n in reversed(list(nx.topological_sort(g))):
        site = network.site_by_id[n]
        for lane in network.lanes_into(n):
            per_unit = lane.quantity_per_unit if site.is_producing else 1.0
            flow[lane.source] += flow[n] * lane.share * per_unit
    return flow


def layout_network(network: Network) -> MapLayout:
    """Columns, order within columns and flows of every site of ``network``."""
    g = build_graph(network)
    cols = _columns(g)
    order = order_columns(g, cols) if cols else {}
    flows = mean_flows(network)
    price = {d.site_id: d.unit_price for d in network.demand}
    nodes: dict[str, MapNode] = {}
    for c, ids in order.items():
        for i, sid in enumerate(ids):
            site = network.site_by_id[sid]
            value = price.get(sid, 0.0) if site.type == "customer" else site.unit_value
            nodes[sid] = MapNode(
                site_id=sid,
                name=site.name,
                type=site.type,
                region=site.region,
                column=c,
                rank=i,
                tier=int(g.nodes[sid].get("tier", 0) or 0),
                flow=flows.get(sid, 0.0),
                value_flow=flows.get(sid, 0.0) * float(value or 0.0),
            )
    sizes = tuple(len(order.get(c, [])) for c in range(max(order) + 1)) if order else ()
    edges = tuple((lane.source, lane.target) for lane in network.lanes)
    return MapLayout(nodes, edges, sizes, column_headings(g, cols))


# --------------------------------------------------------------------------- regions
def region_outlines(nodes: Sequence[MapNode]) -> dict[str, str]:
    """Outline colour per region: the largest regions get their own, the rest share grey.

    Ties are broken by name, so the same workbook always gets the same colours.
    """
    counts = Counter(n.region for n in nodes)
    ranked = sorted(counts, key=lambda r: (-counts[r], r))
    return {
        r: REGION_OUTLINES[i] if i < len(REGION_OUTLINES) else OTHER_OUTLINE
        for i, r in enumerate(ranked)
    }


# --------------------------------------------------------------------------- metrics
@dataclass(frozen=True)
class MapMetric:
    """A risk metric the map colours by: a column of ``sites_frame()``."""

    key: str
    label: str
    kind: str  # percent | money
    higher_is_worse: bool = True

    def format(self, value: float, currency: str = "") -> str:
        if self.kind == "percent":
            return format_percent(value, 1 if abs(value) >= 0.1 else 2)
        return format_money(value, currency)

    def format_tick(self, value: float, step: float = 1.0) -> str:
        """Legend tick: percentages with as many decimals as the tick ``step`` needs."""
        if self.kind == "percent":
            points = step * 100
            decimals = next((d for d in range(3) if abs(round(points, d) - points) < 1e-9), 3)
            return format_percent(value, decimals)
        return format_compact(value, 0 if step >= 1e3 and value % 1e3 == 0 else 1)


MAP_METRICS: dict[str, MapMetric] = {
    m.key: m
    for m in (
        MapMetric("stockout_day_probability", "Stockout-day probability", "percent"),
        MapMetric("fill_rate", "Fill rate", "percent", higher_is_worse=False),
        MapMetric("lost_revenue", "Lost revenue", "money"),
    )
}

#: Ways to size the nodes: key -> (label, MapNode attribute or "" for equal sizes).
SIZE_MODES: dict[str, tuple[str, str]] = {
    "value_flow": ("Value of daily flow", "value_flow"),
    "flow": ("Units per day", "flow"),
    "equal": ("Equal size", ""),
}


def metric_values(sites: pd.DataFrame | None, metric: str) -> dict[str, float]:
    """``{site_id: value}`` of ``metric`` from ``sites_frame()``; empty without results."""
    if sites is None or sites.empty or metric not in sites.columns:
        return {}
    column = sites[metric]
    return {str(k): float(v) for k, v in column.items() if pd.notna(v)}


def _nice_ceiling(x: float) -> float:
    """The next 'round' number at or above ``x`` (1, 2, 2.5, 5 times a power of ten)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if x <= step * power * (1 + 1e-9):
            return step * power
    return 10 * power


def _nice_floor(x: float) -> float:
    """The largest 'round' number at or below ``x`` (1, 2, 2.5, 5 times a power of ten)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    for step in (10.0, 5.0, 2.5, 2.0, 1.0):
        if step * power <= x * (1 + 1e-9):
            return step * power
    return power


@dataclass(frozen=True)
class ColourScale:
    """Value -> colour on the risk colour map; ``reverse`` when low values are bad.

    The scale runs from ``low`` to ``high`` (rounded outward), so the legend's
    ticks are round numbers; values outside are clipped.
    """

    low: float
    high: float
    reverse: bool = False
    cmap: str = RISK_CMAP

    @classmethod
    def for_values(cls, metric: MapMetric, values: Sequence[float]) -> ColourScale:
        finite = [v for v in values if math.isfinite(v)]
        if not finite:
            return cls(0.0, 1.0, not metric.higher_is_worse)
        if metric.higher_is_worse:
            return cls(0.0, _nice_ceiling(max(max(finite), 1e-6)), False)
        # fill rate: from the worst value (rounded down) to 100%
        worst = min(finite)
        gap = _nice_ceiling(max(1.0 - worst, 1e-4))
        return cls(max(0.0, 1.0 - gap), 1.0, True)

    @classmethod
    def shared(cls, metric: MapMetric, runs: Sequence[Sequence[float]]) -> ColourScale:
        """One scale over the values of every run, so one colour is one risk in all of
        them (the scale :meth:`for_values` gives their union)."""
        return cls.for_values(metric, [v for values in runs for v in values])

    def fraction(self, value: float) -> float:
        """Position of ``value`` on the scale in [0, 1], 1 = worst."""
        if not math.isfinite(value) or self.high <= self.low:
            return 0.0
        t = (value - self.low) / (self.high - self.low)
        t = min(1.0, max(0.0, t))
        return 1.0 - t if self.reverse else t

    def colour(self, value: float | None) -> str:
        """Hex colour of ``value``; :data:`NO_VALUE` for None or NaN."""
        if value is None or not math.isfinite(value):
            return NO_VALUE
        # the palest end of YlOrRd is almost white: start a little in, so a
        # zero-risk site still shows as a filled node on a white map
        return to_hex(colormaps[self.cmap](0.08 + 0.92 * self.fraction(value)))

    def ticks(self, most: int = 6) -> list[float]:
        """Round values from low to high for the legend, at most about ``most`` of them."""
        span = self.high - self.low
        if span <= 0:
            return [self.low]
        step = _nice_floor(span / (most - 2))
        count = math.floor(span / step + 1e-9)
        ticks = [self.low + i * step for i in range(count + 1)]
        if self.high - ticks[-1] > step * 0.5:
            ticks.append(self.high)
        return [round(t, 12) for t in ticks]

    def tick_step(self) -> float:
        ticks = self.ticks()
        return ticks[1] - ticks[0] if len(ticks) > 1 else 1.0


def is_dark(hex_colour: str) -> bool:
    """True when white text reads better than black on ``hex_colour`` (WCAG luminance)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return lum < 0.18


def node_radii(
    nodes: Sequence[MapNode], mode: str, r_min: float = 7.0, r_max: float = 15.0
) -> dict[str, float]:
    """Radius of each node for size ``mode`` (a key of :data:`SIZE_MODES`), on a log scale.

    Flows in a supply network span orders of magnitude (a raw-material lane
    and the assembly plant), so sizes follow the logarithm of the flow.
    """
    attr = SIZE_MODES.get(mode, ("", ""))[1]
    mid = (r_min + r_max) / 2
    if not attr:
        return {n.site_id: mid for n in nodes}
    values = {n.site_id: float(getattr(n, attr)) for n in nodes}
    positive = [v for v in values.values() if v > 0]
    if not positive:
        return {k: mid for k in values}
    lo, hi = math.log(min(positive)), math.log(max(positive))
    out = {}
    for k, v in values.items():
        if v <= 0:
            out[k] = r_min
        elif hi - lo < 1e-9:
            out[k] = mid
        else:
            out[k] = r_min + (r_max - r_min) * (math.log(v) - lo) / (hi - lo)
    return out
