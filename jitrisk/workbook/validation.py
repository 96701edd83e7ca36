"""Cross-sheet and graph checks on a network whose cells already parsed.

Each check returns problems pointing at the most useful cell: the lane row for
a share that does not add up, the Sites row of a plant without components.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import networkx as nx

from ..errors import Problem
from ..model.graph import build_graph, find_cycle_sites
from ..model.records import BASELINE, Network
from .format import DEMAND, LANES, SCENARIOS, SITES, Sheet
from .overrides import scenario_problems
from .sources import SHARE_TOLERANCE as SHARE_TOLERANCE
from .sources import source_group_problems

MAX_MEAN_FLOW = 1e18


def capacity_warnings(net: Network, site_columns: Mapping[str, int]) -> list[Problem]:
    """Checks on the mean daily flow through each site (run on a network without errors):
    capacity below it is a warning (the site can never keep up, whatever the buffers);
    a flow over MAX_MEAN_FLOW units a day (bills of material multiplying up a long
    chain) is an error, because the simulation's sums would overflow."""
    column = site_columns.get("capacity_per_day")
    try:
        import numpy as np

        from ..engine.compiled import compile_network

        with np.errstate(over="ignore", invalid="ignore"):  # overflow is what we look for
            c = compile_network(net)
    except Exception:  # the checks above report what makes the network unusable
        return []
    out: list[Problem] = []
    # downstream first, so the one error names the site where the flow first passes the limit
    for i in reversed(range(len(c.site_ids))):
        sid = c.site_ids[i]
        site = net.site_by_id[sid]
        flow = float(c.mean_flow[i])
        if not flow <= MAX_MEAN_FLOW and not any(p.severity == "error" for p in out):
            out.append(
                Problem(
                    "Sites",
                    site.row,
                    None,
                    f"the mean daily demand through '{sid}' is {flow:,.3g} units, over the "
                    f"limit of {MAX_MEAN_FLOW:,.0g}: check quantity_per_unit along its chain",
                )
            )
            continue
        if site.capacity_per_day is not None and site.capacity_per_day < flow * (1 - 1e-9):
            out.append(
                Problem(
                    "Sites",
                    site.row,
                    column,
                    f"capacity_per_day {site.capacity_per_day:g} of '{sid}' is below the mean "
                    f"daily demand through it ({flow:,.4g}): it can never keep up",
                    "warning",
                )
            )
    return out


def check_network(
    net: Network,
    columns: Mapping[str, Mapping[str, int]] | None = None,
    skip: Collection[str] = (),
    skip_groups: Collection[tuple[str, str]] = (),
) -> list[Problem]:
    """Graph and reference checks; see the module docstring.

    Parameters
    ----------
    net : Network
    columns : mapping, optional
        Sheet name -> column name -> 1-based column of the workbook the network was
        read from, so problems point at the right cell. Without it, the column
        order of the format (:mod:`jitrisk.workbook.format`) is assumed.
    skip : collection of str
        Sites that lost a lane because of a problem already reported: their checks
        (components, sources, feeds nothing...) would only repeat it, so are left out.
    skip_groups : collection of (site, component)
        Alternative-source groups with a lane whose row already has a problem: their
        share and BOM checks are left out.
    """

    def _col(sheet: Sheet, name: str) -> int | None:
        if columns is None:
            return 1 + [c.name for c in sheet.columns].index(name)
        return columns.get(sheet.name, {}).get(name)

    skipped = frozenset(skip)
    skipped_groups = frozenset(skip_groups)
    problems: list[Problem] = []
    err = problems.append
    g = build_graph(net)
    site_row = {s.site_id: s.row for s in net.sites}
    lane_row = {lane.key: lane.row for lane in net.lanes}

    for cyc in find_cycle_sites(g):
        first = lane_row.get((cyc[0], cyc[1 % len(cyc)]))
        err(
            Problem(
                "Lanes", first, None, "material flows in a cycle: " + " -> ".join([*cyc, cyc[0]])
            )
        )
    acyclic = nx.is_directed_acyclic_graph(g)

    # alternative sources: shares per (site, component) sum to 1
    for lanes, column, message in source_group_problems(net.lanes):
        if (lanes[0].target, lanes[0].component) in skipped_groups:
            continue
        row = lanes[0].row if column == "share" else lanes[-1].row
        err(Problem("Lanes", row, _col(LANES, column), message))

    demand_ids = {d.site_id for d in net.demand}
    for s in net.sites:
        if s.site_id in skipped:
            continue
        preds = list(g.predecessors(s.site_id))
        succs = list(g.successors(s.site_id))
        row = site_row[s.site_id]
        if s.type == "plant" and not preds:
            err(
                Problem(
                    "Sites",
                    row,
                    _col(SITES, "type"),
                    f"plant '{s.site_id}' has no components: add lanes into it, or make it "
                    "a supplier",
                )
            )
        if s.type == "dc" and not preds:
            err(
                Problem(
                    "Sites",
                    row,
                    _col(SITES, "site_id"),
                    f"DC '{s.site_id}' has no source: add a lane into it",
                )
            )
        if s.type == "customer":
            if not preds:
                err(
                    Problem(
                        "Sites",
                        row,
                        _col(SITES, "site_id"),
                        f"customer '{s.site_id}' has no supplier: add a lane into it",
                    )
                )
            if s.site_id not in demand_ids:
                problems.append(
                    Problem(
                        "Sites",
                        row,
                        _col(SITES, "site_id"),
                        f"customer '{s.site_id}' has no row in Demand; its demand is taken as 0",
                        "warning",
                    )
                )
        elif not succs:
            problems.append(
                Problem(
                    "Sites",
                    row,
                    _col(SITES, "site_id"),
                    f"{s.type} '{s.site_id}' feeds nothing (no lane out of it)",
                    "warning",
                )
            )
    if acyclic:
        customers = {s.site_id for s in net.sites if s.type == "customer"}
        for s in net.sites:
            if s.site_id in skipped:
                continue
            down = nx.descendants(g, s.site_id)
            if s.type != "customer" and down and not (down & customers) and not (down & skipped):
                problems.append(
                    Problem(
                        "Sites",
                        site_row[s.site_id],
                        _col(SITES, "site_id"),
                        f"'{s.site_id}' does not lead to any customer",
                        "warning",
                    )
                )
    for d in net.demand:
        if d.daily_demand.mean == 0 and d.site_id not in skipped:
            problems.append(
                Problem(
                    "Demand",
                    d.row,
                    _col(DEMAND, "daily_demand"),
                    f"demand of '{d.site_id}' is 0",
                    "warning",
                )
            )
    horizon = net.settings.days
    for dis in net.disruptions:
        if dis.start_day is not None and dis.start_day >= horizon:
            problems.append(
                Problem(
                    "Disruptions",
                    dis.row,
                    None,
                    f"scripted start_day {dis.start_day} is after the horizon "
                    f"({horizon} days); the event never happens",
                    "warning",
                )
            )
        if dis.scenario and dis.scenario not in net.scenario_names:
            pass  # a disruption scenario name defines the scenario
    for name in net.scenario_names:
        if name == BASELINE:
            if any(o.scenario == BASELINE for o in net.overrides):
                named = next(o for o in net.overrides if o.scenario == BASELINE)
                err(
                    Problem(
                        "Scenarios",
                        named.row,
                        _col(SCENARIOS, "scenario"),
                        "'baseline' is the unchanged workbook; give the scenario another name",
                    )
                )
            continue
        problems.extend(
            scenario_problems(
                net, name, None if columns is None else columns.get(SCENARIOS.name, {})
            )
        )
    return problems
