"""Positions of a network map: raw suppliers on the left, customers on the right.

Column ``x`` of a site is its ``depth`` (longest path in lanes from a raw
source, :func:`jitrisk.model.graph.build_graph`); every customer is put in the
last column, so markets line up on the right. Within a column, sites are
ordered by the barycentre heuristic of Sugiyama, Tagawa & Toda (1981): a few
sweeps left to right and back, each placing a site at the mean position of its
neighbours in the columns already placed, which removes most edge crossings.
Positions are spread evenly over the height of the map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import networkx as nx

SWEEPS = 6


def columns(g: nx.DiGraph) -> dict[int, list[Hashable]]:
    """Sites by column (depth; customers in the last column), in a stable first order."""
    depth = _depths(g)
    last = max(depth.values(), default=0)
    cols: dict[int, list[Hashable]] = defaultdict(list)
    for n in g:
        col = last if g.nodes[n].get("type") == "customer" else depth[n]
        cols[col].append(n)
    for members in cols.values():
        members.sort(key=lambda n: (str(g.nodes[n].get("region") or ""), str(n)))
    return dict(sorted(cols.items()))


def layered_positions(g: nx.DiGraph) -> dict[Hashable, tuple[float, float]]:
    """``{site: (x, y)}`` with ``x`` the column and ``y`` in ``[0, 1]`` (top = 1).

    Parameters
    ----------
    g : networkx.DiGraph
        The material-flow graph; nodes may carry ``depth``, ``type`` and ``region``.

    Returns
    -------
    dict
        Column index and height of every site.
    """
    cols = columns(g)
    if not cols:
        return {}
    order = {c: list(ns) for c, ns in cols.items()}
    keys = sorted(order)
    rank = _ranks(order)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        seq = keys[1:] if forward else keys[-2::-1]
        for c in seq:
            neighbours = g.predecessors if forward else g.successors
            order[c] = _barycentre_sort(order[c], neighbours, rank)
            rank.update({n: i / max(len(order[c]) - 1, 1) for i, n in enumerate(order[c])})
    pos: dict[Hashable, tuple[float, float]] = {}
    for c, ns in order.items():
        k = len(ns)
        for i, n in enumerate(ns):
            pos[n] = (float(c), 1.0 - (i + 0.5) / k)
    return pos


def _depths(g: nx.DiGraph) -> dict[Hashable, int]:
    if all("depth" in g.nodes[n] for n in g):
        return {n: int(g.nodes[n]["depth"]) for n in g}
    depth: dict[Hashable, int] = {}
    if nx.is_directed_acyclic_graph(g):
        for n in nx.topological_sort(g):
            preds = list(g.predecessors(n))
            depth[n] = 0 if not preds else 1 + max(depth[p] for p in preds)
        return depth
    return dict.fromkeys(g, 0)


def _ranks(order: dict[int, list[Hashable]]) -> dict[Hashable, float]:
    return {n: i / max(len(ns) - 1, 1) for ns in order.values() for i, n in enumerate(ns)}


def _barycentre_sort(
    nodes: list[Hashable], neighbours: object, rank: dict[Hashable, float]
) -> list[Hashable]:
    keyed = []
    for i, n in enumerate(nodes):
        near = [rank[m] for m in neighbours(n) if m in rank]  # type: ignore[operator]
        here = rank.get(n, i / max(len(nodes) - 1, 1))
        keyed.append((sum(near) / len(near) if near else here, here, i, n))
    keyed.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[3] for t in keyed]
