"""The network as a :class:`networkx.DiGraph`, and the structure planners ask about.

Nodes are site ids with attribute ``site`` (the :class:`~jitrisk.model.Site`)
plus ``type``, ``region``, ``tier`` and ``echelon``; edges carry ``lane``
(the :class:`~jitrisk.model.Lane`). Tiers:

* ``echelon``: longest path (in lanes) from the site to a customer; customers
  are 0, the DCs serving them 1, and so on upstream.
* ``tier``: for suppliers, the supplier tier as planners count it: 1 for a
  supplier that ships to a plant, DC or customer, otherwise one more than the
  deepest supplier it ships to. 0 for other sites.
* ``depth``: longest path from a raw source (left-to-right layout column).
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .records import Network


def build_graph(network: Network) -> nx.DiGraph:
    """Material-flow graph of ``network`` (nodes: sites, edges: lanes)."""
    g = nx.DiGraph(scenario=network.scenario)
    for s in network.sites:
        g.add_node(s.site_id, site=s, type=s.type, region=s.region, label=s.label)
    for lane in network.lanes:
        g.add_edge(lane.source, lane.target, lane=lane, component=lane.component)
    if nx.is_directed_acyclic_graph(g):
        _annotate_tiers(g)
    return g


def _annotate_tiers(g: nx.DiGraph) -> None:
    order = list(nx.topological_sort(g))
    echelon: dict[str, int] = {}
    for n in reversed(order):
        succ = list(g.successors(n))
        echelon[n] = 0 if not succ else 1 + max(echelon[m] for m in succ)
    depth: dict[str, int] = {}
    for n in order:
        pred = list(g.predecessors(n))
        depth[n] = 0 if not pred else 1 + max(depth[m] for m in pred)
    tier: dict[str, int] = {}
    for n in reversed(order):
        if g.nodes[n]["type"] != "supplier":
            tier[n] = 0
            continue
        sup = [m for m in g.successors(n) if g.nodes[m]["type"] == "supplier"]
        tier[n] = 1 + max((tier[m] for m in sup), default=0)
    nx.set_node_attributes(g, echelon, "echelon")
    nx.set_node_attributes(g, depth, "depth")
    nx.set_node_attributes(g, tier, "tier")


def find_cycle_sites(g: nx.DiGraph) -> list[list[str]]:
    """Each material-flow cycle as the list of sites on it (at most 20 reported)."""
    cycles: list[list[str]] = []
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 1:
            sub = g.subgraph(comp)
            cyc = nx.find_cycle(sub)
            cycles.append([u for u, _v in cyc])
        if len(cycles) >= 20:
            break
    return cycles


def topological_order(network: Network) -> list[str]:
    """Sites from raw sources to customers (upstream first)."""
    return list(nx.topological_sort(build_graph(network)))


@dataclass(frozen=True)
class NetworkInfo:
    """Structural facts for ``jitrisk info``."""

    counts_by_type: dict[str, int]
    counts_by_tier: dict[str, int]
    single_sourced: list[dict[str, str]]
    critical_sites: dict[str, list[str]]
    longest_lead_time_path: dict[str, dict[str, Any]]
    regions: dict[str, int]

    @property
    def single_sourced_parts(self) -> list[dict[str, str]]:
        """Rows of :attr:`single_sourced` that are components of a producing site.

        The others are DCs and customers fed by one lane: a site that does not
        produce receives one item, named by its own id.
        """
        return [r for r in self.single_sourced if r["component"] != r["site"]]

    @property
    def single_fed_sites(self) -> list[dict[str, str]]:
        """Rows of :attr:`single_sourced` that are DCs or customers fed by one lane."""
        return [r for r in self.single_sourced if r["component"] == r["site"]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts_by_type": self.counts_by_type,
            "counts_by_tier": self.counts_by_tier,
            "single_sourced_components": self.single_sourced,
            "sites_cutting_off_customers": self.critical_sites,
            "longest_lead_time_path": self.longest_lead_time_path,
            "regions": self.regions,
        }


def tier_label(g: nx.DiGraph, n: str) -> str:
    t = g.nodes[n]["type"]
    if t == "supplier":
        return f"supplier tier {g.nodes[n].get('tier', 1)}"
    return t


class _Supply:
    """What each site needs to be supplied, for :func:`cut_off_customers`.

    ``needs[n]`` lists groups of sources: ``n`` is supplied when every group has a
    supplied source (a plant or supplier needs all its components, AND; a DC or
    customer any of its sources, OR: one group). ``alive`` is the state with no
    site down. Built once per graph, so that asking about every site costs the
    size of each site's downstream part rather than of the whole graph.
    """

    def __init__(self, g: nx.DiGraph):
        self.g = g
        self.order = {n: i for i, n in enumerate(nx.topological_sort(g))}
        self.needs: dict[str, list[list[str]]] = {}
        for n in g:
            preds = list(g.predecessors(n))
            if g.nodes[n]["type"] in ("plant", "supplier"):
                groups: dict[str, list[str]] = defaultdict(list)
                for p in preds:
                    groups[g.edges[p, n]["component"]].append(p)
                self.needs[n] = list(groups.values())
            else:
                self.needs[n] = [preds] if preds else []
        self.customers = sorted(n for n in g if g.nodes[n]["type"] == "customer")
        self.alive: dict[str, bool] = {}
        for n in sorted(g, key=self.order.__getitem__):
            self.alive[n] = self._supplied(n, self.alive)

    def _supplied(self, n: str, alive: Mapping[str, bool]) -> bool:
        if not self.needs[n]:  # a raw source: ample supply (a customer without one: none)
            return self.g.nodes[n]["type"] != "customer"
        return all(any(alive[p] for p in grp) for grp in self.needs[n])

    def cut_off(self, site: str) -> list[str]:
        changed = ChainMap({site: False}, self.alive)
        for n in sorted(nx.descendants(self.g, site), key=self.order.__getitem__):
            changed[n] = self._supplied(n, changed)
        return [c for c in self.customers if not changed[c]]


def cut_off_customers(g: nx.DiGraph, site: str) -> list[str]:
    """Customers that lose *every* supply when ``site`` is down.

    A plant needs all its components (AND), a DC or customer any of its
    sources (OR): a customer is cut off when no supply reaches it.
    """
    return _Supply(g).cut_off(site)


def network_info(network: Network) -> NetworkInfo:
    """Counts, single-sourced components, critical sites and lead-time paths."""
    g = build_graph(network)
    by_type: dict[str, int] = defaultdict(int)
    by_tier: dict[str, int] = defaultdict(int)
    regions: dict[str, int] = defaultdict(int)
    for n in g:
        by_type[g.nodes[n]["type"]] += 1
        by_tier[tier_label(g, n)] += 1
        if g.nodes[n]["region"]:
            regions[g.nodes[n]["region"]] += 1
    single: list[dict[str, str]] = []
    for n in g:
        groups: dict[str, list[str]] = defaultdict(list)
        for p in g.predecessors(n):
            groups[g.edges[p, n]["component"]].append(p)
        for comp, srcs in sorted(groups.items()):
            if len(srcs) == 1:
                single.append({"site": n, "component": comp, "source": srcs[0]})
    critical: dict[str, list[str]] = {}
    supply = _Supply(g)
    for n in g:
        if g.nodes[n]["type"] == "customer":
            continue
        cut = supply.cut_off(n)
        if cut:
            critical[n] = cut
    paths: dict[str, dict[str, Any]] = {}
    best: dict[str, tuple[float, list[str]]] = {}
    for n in nx.topological_sort(g):
        site = g.nodes[n]["site"]
        own = float(site.processing_days) if site.is_producing else 0.0
        preds = list(g.predecessors(n))
        if not preds:
            best[n] = (own, [n])
            continue
        cand = max(
            ((best[p][0] + g.edges[p, n]["lane"].lead_time.mean, best[p][1]) for p in preds),
            key=lambda x: x[0],
        )
        best[n] = (cand[0] + own, [*cand[1], n])
    for n in g:
        if g.nodes[n]["type"] == "customer":
            paths[n] = {"days": round(best[n][0], 3), "path": best[n][1]}
    return NetworkInfo(dict(by_type), dict(by_tier), single, critical, paths, dict(regions))
