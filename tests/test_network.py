"""The material-flow graph, its tiers, and the structure ``jitrisk info`` reports.

A hand-made network whose answers are worked out below::

    R1 (2d) --4d--\\  raw           a
                   S1 (1d) --normal(3,1)--\\
    R2 (5d) --2d--/                        \\
    S2 (0d) -------------10d---- b ---------> P (2d) --1d--> DC1 --1d--> C1
    S3 (3d) --------------2d---- b --------/        \\                 /0d
                                                     \\--uniform(2,4)--> DC2 --2d--> C2

Processing days in brackets. R1/R2 are alternative sources of S1's 'raw', S2/S3 of
P's 'b'; C1 is served by DC1 or DC2. Suppliers S1, S2, S3 ship to the plant (tier 1),
R1 and R2 to a tier-1 supplier (tier 2).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jitrisk.model.distributions import Constant, Normal, Uniform
from jitrisk.model.graph import (
    build_graph,
    cut_off_customers,
    find_cycle_sites,
    network_info,
    tier_label,
    topological_order,
)
from jitrisk.model.records import Demand, Lane, Network, Site
from jitrisk.workbook.reader import load_network


def hand_made() -> Network:
    sites = (
        Site("R1", "supplier", region="CN", processing_days=2),
        Site("R2", "supplier", region="CN", processing_days=5),
        Site("S1", "supplier", "Sub-assembly", region="CZ", processing_days=1),
        Site("S2", "supplier", region="CZ", processing_days=0),
        Site("S3", "supplier", region="PL", processing_days=3),
        Site("P", "plant", "Plant", region="DE", processing_days=2),
        Site("DC1", "dc", region="DE", processing_days=7),  # a DC's processing_days is not a delay
        Site("DC2", "dc", region="FR"),
        Site("C1", "customer"),
        Site("C2", "customer"),
    )
    lanes = (
        Lane("R1", "S1", Constant(4), share=0.5, component="raw"),
        Lane("R2", "S1", Constant(2), share=0.5, component="raw"),
        Lane("S1", "P", Normal(3, 1), component="a"),
        Lane("S2", "P", Constant(10), share=0.7, component="b"),
        Lane("S3", "P", Constant(2), share=0.3, component="b"),
        Lane("P", "DC1", Constant(1), component="DC1"),
        Lane("P", "DC2", Uniform(2, 4), component="DC2"),
        Lane("DC1", "C1", Constant(1), share=0.5, component="C1"),
        Lane("DC2", "C1", Constant(0), share=0.5, component="C1"),
        Lane("DC2", "C2", Constant(2), component="C2"),
    )
    demand = (Demand("C1", Constant(10)), Demand("C2", Constant(5)))
    return Network(sites, lanes, demand)


@pytest.fixture
def net() -> Network:
    return hand_made()


# --------------------------------------------------------------------------- the graph


def test_nodes_carry_their_site(net: Network) -> None:
    g = build_graph(net)
    assert isinstance(g, nx.DiGraph)
    assert set(g.nodes) == {s.site_id for s in net.sites}
    for s in net.sites:
        node = g.nodes[s.site_id]
        assert node["site"] is s
        assert node["type"] == s.type
        assert node["region"] == s.region
        assert node["label"] == s.label
    assert g.nodes["S1"]["label"] == "Sub-assembly"
    assert g.nodes["S2"]["label"] == "S2"
    assert g.graph["scenario"] == "baseline"


def test_edges_carry_their_lane(net: Network) -> None:
    g = build_graph(net)
    assert set(g.edges) == {lane.key for lane in net.lanes}
    for lane in net.lanes:
        edge = g.edges[lane.key]
        assert edge["lane"] is lane
        assert edge["component"] == lane.component
    assert g.edges["S1", "P"]["lane"].lead_time == Normal(3, 1)


def test_tiers_echelons_and_depths(net: Network) -> None:
    g = build_graph(net)
    tier = nx.get_node_attributes(g, "tier")
    assert tier == {"R1": 2, "R2": 2, "S1": 1, "S2": 1, "S3": 1, "P": 0, "DC1": 0, "DC2": 0,
                    "C1": 0, "C2": 0}  # fmt: skip
    echelon = nx.get_node_attributes(g, "echelon")
    assert echelon == {"C1": 0, "C2": 0, "DC1": 1, "DC2": 1, "P": 2, "S1": 3, "S2": 3, "S3": 3,
                       "R1": 4, "R2": 4}  # fmt: skip
    depth = nx.get_node_attributes(g, "depth")
    assert depth == {"R1": 0, "R2": 0, "S2": 0, "S3": 0, "S1": 1, "P": 2, "DC1": 3, "DC2": 3,
                     "C1": 4, "C2": 4}  # fmt: skip


def test_supplier_tier_is_one_more_than_the_deepest_supplier_it_ships_to(net: Network) -> None:
    # R1 also ships straight to the plant: still tier 2, because it feeds tier-1 S1
    net = replace(net, lanes=(*net.lanes, Lane("R1", "P", Constant(1), component="r")))
    # and a tier-3 supplier feeding R2
    net = replace(
        net,
        sites=(*net.sites, Site("T", "supplier")),
        lanes=(*net.lanes, Lane("T", "R2", Constant(1))),
    )
    g = build_graph(net)
    assert g.nodes["R1"]["tier"] == 2
    assert g.nodes["T"]["tier"] == 3
    assert tier_label(g, "T") == "supplier tier 3"
    assert tier_label(g, "P") == "plant"


def test_supplier_shipping_to_a_customer_is_tier_one() -> None:
    net = Network(
        (Site("S", "supplier"), Site("C", "customer")),
        (Lane("S", "C", Constant(1), component="C"),),
    )
    g = build_graph(net)
    assert (g.nodes["S"]["tier"], g.nodes["S"]["echelon"], g.nodes["C"]["depth"]) == (1, 1, 1)


def test_topological_order_is_upstream_first(net: Network) -> None:
    order = topological_order(net)
    assert sorted(order) == sorted(s.site_id for s in net.sites)
    pos = {n: i for i, n in enumerate(order)}
    assert all(pos[lane.source] < pos[lane.target] for lane in net.lanes)


def test_cyclic_graph_is_built_without_tiers_and_its_cycle_found(net: Network) -> None:
    cyclic = replace(net, lanes=(*net.lanes, Lane("DC1", "S1", Constant(1), component="back")))
    g = build_graph(cyclic)
    assert g.number_of_edges() == len(cyclic.lanes)
    assert "tier" not in g.nodes["S1"]
    cycles = find_cycle_sites(g)
    assert len(cycles) == 1
    assert sorted(cycles[0]) == ["DC1", "P", "S1"]
    # the list is in flow order: each site ships to the next
    cyc = cycles[0]
    assert all(g.has_edge(cyc[i], cyc[(i + 1) % len(cyc)]) for i in range(len(cyc)))
    assert find_cycle_sites(build_graph(net)) == []


def test_scenario_name_is_on_the_graph(net: Network) -> None:
    assert build_graph(replace(net, scenario="strike")).graph["scenario"] == "strike"


# --------------------------------------------------------------------------- cut-off customers


@pytest.mark.parametrize(
    ("site", "cut"),
    [
        ("R1", []),  # R2 is an alternative source of S1's raw material
        ("R2", []),
        ("S1", ["C1", "C2"]),  # the plant needs every component: 'a' has one source
        ("S2", []),  # S3 also makes 'b'
        ("S3", []),
        ("P", ["C1", "C2"]),
        ("DC1", []),  # C1 can be served by DC2
        ("DC2", ["C2"]),  # C2 has no other source
    ],
)
def test_cut_off_customers(net: Network, site: str, cut: list[str]) -> None:
    assert cut_off_customers(build_graph(net), site) == cut


def test_plant_needs_all_components_and_dc_any_source() -> None:
    """AND at plants, OR at DCs and customers, on the smallest example of each."""
    sites = (Site("A", "supplier"), Site("B", "supplier"), Site("P", "plant"),
             Site("D", "dc"), Site("C", "customer"))  # fmt: skip
    two_parts = (Lane("A", "P", component="x"), Lane("B", "P", component="y"),
                 Lane("P", "D", component="D"), Lane("D", "C", component="C"))  # fmt: skip
    g = build_graph(Network(sites, two_parts))
    assert cut_off_customers(g, "A") == ["C"]
    assert cut_off_customers(g, "B") == ["C"]
    one_part = (Lane("A", "P", share=0.5, component="x"), Lane("B", "P", share=0.5, component="x"),
                Lane("P", "D", component="D"), Lane("D", "C", component="C"))  # fmt: skip
    g = build_graph(Network(sites, one_part))
    assert cut_off_customers(g, "A") == []
    assert cut_off_customers(g, "B") == []
    two_dcs = (Site("D1", "dc"), Site("D2", "dc"), Site("S", "supplier"), Site("C", "customer"))
    lanes = (
        Lane("S", "D1", component="D1"),
        Lane("S", "D2", component="D2"),
        Lane("D1", "C", share=0.5, component="C"),
        Lane("D2", "C", share=0.5, component="C"),
    )
    g = build_graph(Network(two_dcs, lanes))
    assert cut_off_customers(g, "D1") == []
    assert cut_off_customers(g, "D2") == []
    assert cut_off_customers(g, "S") == ["C"]


@st.composite
def or_networks(draw: st.DrawFn) -> Network:
    """Random DAGs of raw suppliers, DCs and customers: every merge is an OR."""
    n_src = draw(st.integers(1, 3))
    n_dc = draw(st.integers(0, 5))
    n_cust = draw(st.integers(1, 3))
    names = [f"S{i}" for i in range(n_src)] + [f"D{i}" for i in range(n_dc)]
    sites = [Site(f"S{i}", "supplier") for i in range(n_src)]
    sites += [Site(f"D{i}", "dc") for i in range(n_dc)]
    sites += [Site(f"C{i}", "customer") for i in range(n_cust)]
    lanes = []
    for j, s in enumerate(sites[n_src:], start=n_src):
        ups = draw(st.lists(st.sampled_from(names[: min(j, len(names))]), min_size=1,
                            max_size=3, unique=True))  # fmt: skip
        lanes += [Lane(u, s.site_id, component=s.site_id) for u in ups]
    return Network(tuple(sites), tuple(lanes))


@settings(max_examples=150, deadline=None)
@given(or_networks())
def test_cut_off_matches_reachability_when_every_merge_is_an_or(net: Network) -> None:
    g = build_graph(net)
    sources = [n for n in g if g.in_degree(n) == 0 and g.nodes[n]["type"] != "customer"]
    customers = sorted(n for n in g if g.nodes[n]["type"] == "customer")
    for site in g:
        if g.nodes[site]["type"] == "customer":
            continue
        h = g.copy()
        h.remove_node(site)
        reached: set[str] = set()
        for s in sources:
            if s in h:
                reached |= {s} | nx.descendants(h, s)
        expected = [c for c in customers if c not in reached]
        assert cut_off_customers(g, site) == expected


# --------------------------------------------------------------------------- network_info


def test_network_info_counts(net: Network) -> None:
    info = network_info(net)
    assert info.counts_by_type == {"supplier": 5, "plant": 1, "dc": 2, "customer": 2}
    assert info.counts_by_tier == {"supplier tier 2": 2, "supplier tier 1": 3, "plant": 1,
                                   "dc": 2, "customer": 2}  # fmt: skip
    assert info.regions == {"CN": 2, "CZ": 2, "PL": 1, "DE": 2, "FR": 1}


def test_network_info_single_sourced(net: Network) -> None:
    info = network_info(net)
    assert {"site": "P", "component": "a", "source": "S1"} in info.single_sourced
    # dual-sourced groups are not listed
    assert not [x for x in info.single_sourced if x["component"] in ("raw", "b", "C1")]
    assert sorted((x["site"], x["source"]) for x in info.single_sourced) == [
        ("C2", "DC2"), ("DC1", "P"), ("DC2", "P"), ("P", "S1"),
    ]  # fmt: skip


def test_network_info_sites_cutting_customers_off(net: Network) -> None:
    info = network_info(net)
    assert info.critical_sites == {"S1": ["C1", "C2"], "P": ["C1", "C2"], "DC2": ["C2"]}


def test_network_info_longest_lead_time_paths(net: Network) -> None:
    """Processing days of suppliers and plants plus mean transit days, upstream first.

    R2 (5) +2 -> S1 (1) +3 -> P (2) +3 -> DC2 +0 -> C1 = 16 beats the DC1 route (15);
    C2 = 16 + 2 = 18.
    """
    paths = network_info(net).longest_lead_time_path
    assert paths == {
        "C1": {"days": 16.0, "path": ["R2", "S1", "P", "DC2", "C1"]},
        "C2": {"days": 18.0, "path": ["R2", "S1", "P", "DC2", "C2"]},
    }


def test_network_info_as_dict_is_json_ready(net: Network) -> None:
    import json

    d = network_info(net).as_dict()
    assert set(d) == {
        "counts_by_type",
        "counts_by_tier",
        "single_sourced_components",
        "sites_cutting_off_customers",
        "longest_lead_time_path",
        "regions",
    }
    assert json.loads(json.dumps(d)) == d


def test_network_info_of_the_baseline_workbook(valid_path: Path) -> None:
    info = network_info(load_network(valid_path))
    assert info.counts_by_type == {"supplier": 3, "plant": 1, "dc": 1, "customer": 2}
    assert info.counts_by_tier["supplier tier 1"] == 3
    # the chip is dual-sourced (SUP-A, SUP-B); the frame is not
    assert {"site": "PLANT", "component": "frame", "source": "SUP-C"} in info.single_sourced
    assert not [x for x in info.single_sourced if x["component"] == "chip"]
    assert info.critical_sites == {
        "SUP-C": ["CUST-1", "CUST-2"],
        "PLANT": ["CUST-1", "CUST-2"],
        "DC": ["CUST-1", "CUST-2"],
    }
    # SUP-A (1 day) + normal(5, 1) + PLANT (1 day) + 1 + 0 = 8; CUST-2 adds poisson(2): 10
    assert info.longest_lead_time_path["CUST-1"] == {
        "days": 8.0, "path": ["SUP-A", "PLANT", "DC", "CUST-1"]
    }  # fmt: skip
    assert info.longest_lead_time_path["CUST-2"]["days"] == 10.0


def reference_cut_off(g: nx.DiGraph, site: str) -> list[str]:
    """The definition, evaluated over the whole graph (slow, obviously right)."""
    alive: dict[str, bool] = {}
    for n in nx.topological_sort(g):
        preds = list(g.predecessors(n))
        if n == site:
            alive[n] = False
        elif not preds:
            alive[n] = g.nodes[n]["type"] != "customer"
        elif g.nodes[n]["type"] in ("plant", "supplier"):
            comps: dict[str, list[str]] = {}
            for p in preds:
                comps.setdefault(g.edges[p, n]["component"], []).append(p)
            alive[n] = all(any(alive[p] for p in grp) for grp in comps.values())
        else:
            alive[n] = any(alive[p] for p in preds)
    return sorted(n for n in g if g.nodes[n]["type"] == "customer" and not alive[n])


@st.composite
def mixed_networks(draw: st.DrawFn) -> Network:
    """Random DAGs with suppliers, plants (several components), DCs and customers."""
    types = ["supplier"] * draw(st.integers(1, 4))
    types += draw(st.lists(st.sampled_from(["supplier", "plant", "dc"]), max_size=8))
    types += ["customer"] * draw(st.integers(1, 3))
    sites = tuple(Site(f"N{i}", t) for i, t in enumerate(types))
    lanes = []
    for j in range(1, len(sites)):
        ups = draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True))
        ups = [u for u in ups if sites[u].type != "customer"]
        for u in ups:
            comp = draw(st.sampled_from(["x", "y", "z"]))
            if sites[j].type in ("dc", "customer"):
                comp = sites[j].site_id
            lanes.append(Lane(sites[u].site_id, sites[j].site_id, component=comp))
    return Network(sites, tuple(lanes))


@settings(max_examples=200, deadline=None)
@given(mixed_networks())
def test_cut_off_matches_the_definition(net: Network) -> None:
    g = build_graph(net)
    info = network_info(net)
    for n in g:
        assert cut_off_customers(g, n) == reference_cut_off(g, n)
        if g.nodes[n]["type"] != "customer" and reference_cut_off(g, n):
            assert info.critical_sites[n] == reference_cut_off(g, n)
    assert set(info.critical_sites) == {
        n for n in g if g.nodes[n]["type"] != "customer" and reference_cut_off(g, n)
    }


def test_network_info_is_fast_on_a_large_network() -> None:
    """Every site's cut-off set costs its downstream part, not the whole graph each time."""
    import time

    from jitrisk.model.generate import generate_network

    big = generate_network(2000, seed=3)
    start = time.perf_counter()
    info = network_info(big)
    assert time.perf_counter() - start < 5.0  # was 14 s when each site walked the whole graph
    assert info.counts_by_type["customer"] >= 1
    g = build_graph(big)
    for n in list(info.critical_sites)[:20]:
        assert info.critical_sites[n] == reference_cut_off(g, n)
