"""Named scenarios: overrides of the baseline, applied to yield a new network.

A scenario is the baseline plus (a) the rows of the Scenarios sheet with its
name, applied in sheet order, and (b) the disruptions whose ``scenario`` is
blank or equal to its name. The input network is never changed.

Targets and fields:

=========================  ==========================================================
target                     fields
=========================  ==========================================================
``<site_id>``              any Sites column but ``site_id``/``type``; for customers also
                           ``daily_demand``, ``unit_price``, ``service_time_days``
``region:<name>``          Sites columns, applied to every stocking site in the region
``lane:<from>-><to>``      ``lead_time_days``, ``quantity_per_unit``, ``share``,
                           ``line_buffer_days``, ``line_buffer_units``
``disruption:<id>``        ``probability_per_day``, ``events_per_year``,
                           ``duration_days``, ``severity``, ``start_day``
``settings``               any Settings key
=========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..errors import Problem, ScenarioError
from ..workbook.cells import CellError, parse_cell, range_problem, severity_problem
from ..workbook.format import DEMAND, DISRUPTIONS, LANES, SCENARIOS, SETTING_BY_KEY, SITES, Column
from .records import BASELINE, Network, Override

SITE_FIELDS = {c.name: c for c in SITES.columns if c.name not in ("site_id", "type")}
DEMAND_FIELDS = {c.name: c for c in DEMAND.columns if c.name != "site_id"}
LANE_FIELDS = {
    c.name: c
    for c in LANES.columns
    if c.name
    in ("lead_time_days", "quantity_per_unit", "share", "line_buffer_days", "line_buffer_units")
}
DISRUPTION_FIELDS = {
    c.name: c
    for c in DISRUPTIONS.columns
    if c.name
    in ("probability_per_day", "events_per_year", "duration_days", "severity", "start_day")
}
_LANE_ATTR = {"lead_time_days": "lead_time"}
_DISRUPTION_ATTR = {"duration_days": "duration"}


class _Failure(Exception):
    """An override that cannot be applied; ``column`` names the Scenarios column at fault."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


def _value(fields: dict[str, Column], sheet: str, name: str, raw: object) -> Any:
    """Parse ``raw`` for column ``name`` of ``sheet`` and check it as in that sheet."""
    try:
        value = parse_cell(fields[name], raw)
    except CellError as exc:
        raise _Failure("value", f"{name}: {exc}") from None
    msg = range_problem(sheet, name, value)
    if msg:
        raise _Failure("value", msg)
    return value


def _apply_one(net: Network, o: Override) -> Network:
    # field names are column names or setting keys: as in the sheet headers, case is ignored
    target, name = o.target.strip(), o.field.strip().lower()
    if target.lower() == "settings":
        from ..workbook.reader import parse_setting

        if name not in SETTING_BY_KEY:
            raise _Failure("field", f"unknown setting '{name}'")
        try:
            value = parse_setting(name, o.value)
        except CellError as exc:
            raise _Failure("value", f"{name}: {exc}") from None
        return net.with_settings(**{name: value})
    if target.startswith("lane:"):
        body = target[len("lane:") :]
        a, _, b = (x.strip() for x in body.partition("->"))
        idx = [i for i, lane in enumerate(net.lanes) if lane.key == (a, b)]
        if not idx:
            raise _Failure("target", f"no lane {a}->{b}")
        if name not in LANE_FIELDS:
            raise _Failure("field", f"lanes have no field '{name}' (use {', '.join(LANE_FIELDS)})")
        value = _value(LANE_FIELDS, LANES.name, name, o.value)
        lanes = list(net.lanes)
        lanes[idx[0]] = replace(lanes[idx[0]], **{_LANE_ATTR.get(name, name): value})
        return replace(net, lanes=tuple(lanes))
    if target.startswith("disruption:"):
        did = target[len("disruption:") :].strip()
        idx = [i for i, d in enumerate(net.disruptions) if d.disruption_id == did]
        if not idx:
            raise _Failure("target", f"no disruption with disruption_id '{did}'")
        if name not in DISRUPTION_FIELDS:
            raise _Failure(
                "field", f"disruptions have no field '{name}' (use {', '.join(DISRUPTION_FIELDS)})"
            )
        value = _value(DISRUPTION_FIELDS, DISRUPTIONS.name, name, o.value)
        d = net.disruptions[idx[0]]
        if name == "severity":
            msg = severity_problem(d.kind, value)
            if msg:
                raise _Failure("value", msg)
        if name == "events_per_year":
            d = replace(d, probability_per_day=value / 365.0)
        else:
            d = replace(d, **{_DISRUPTION_ATTR.get(name, name): value})
        dis = list(net.disruptions)
        dis[idx[0]] = d
        return replace(net, disruptions=tuple(dis))
    if target.startswith("region:"):
        region = target[len("region:") :].strip()
        members = [s.site_id for s in net.sites if s.region == region and s.is_stocking]
        if not members:
            raise _Failure("target", f"no stocking site is in region '{region}'")
        for sid in members:
            net = _apply_site(net, sid, name, o.value)
        return net
    if target not in net.site_by_id:
        import difflib

        close = difflib.get_close_matches(target, list(net.site_by_id), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _Failure(
            "target",
            f"unknown target '{target}'{hint}; use a site_id, region:<name>, "
            "lane:<from>-><to>, disruption:<id> or settings",
        )
    return _apply_site(net, target, name, o.value)


def _apply_site(net: Network, sid: str, name: str, raw: object) -> Network:
    if name in DEMAND_FIELDS:
        d = net.demand_by_id.get(sid)
        if d is None:
            raise _Failure("target", f"'{sid}' has no row in the Demand sheet")
        value = _value(DEMAND_FIELDS, DEMAND.name, name, raw)
        attr = name
        demand = tuple(replace(x, **{attr: value}) if x.site_id == sid else x for x in net.demand)
        return replace(net, demand=demand)
    if name not in SITE_FIELDS:
        raise _Failure("field", f"unknown field '{name}' for a site (use a Sites or Demand column)")
    value = _value(SITE_FIELDS, SITES.name, name, raw)
    changes: dict[str, Any] = {name: value}
    if name == "safety_stock_days":
        changes["base_stock_units"] = None  # a days override replaces a units level
    sites = tuple(replace(s, **changes) if s.site_id == sid else s for s in net.sites)
    return net.with_sites(sites)


def _column(name: str, columns: Mapping[str, int] | None) -> int | None:
    if columns is None:
        return 1 + [c.name for c in SCENARIOS.columns].index(name)
    return columns.get(name)


def scenario_problems(
    network: Network, name: str, columns: Mapping[str, int] | None = None
) -> list[Problem]:
    """Every override of scenario ``name`` that cannot be applied, as problems.

    Also: alternative sources whose shares no longer sum to 1 (or whose BOM
    quantities or line-side buffers no longer agree) once the overrides are
    applied, at the last override that touched them; and, as warnings, overrides
    of a disruption that only runs in another scenario (they do nothing).
    ``columns`` maps the Scenarios sheet's column names to their 1-based positions
    in the workbook (default: the format's column order).
    """
    from ..workbook.validation import source_group_problems

    problems: list[Problem] = []
    net = network
    touched: dict[tuple[str, str], Override] = {}
    for o in network.overrides:
        if o.scenario != name:
            continue
        try:
            net = _apply_one(net, o)
        except _Failure as f:
            problems.append(Problem("Scenarios", o.row, _column(f.column, columns), f.message))
            continue
        target = o.target.strip()
        if target.startswith("lane:"):
            a, _, b = (x.strip() for x in target[len("lane:") :].partition("->"))
            touched[(a, b)] = o
        elif target.startswith("disruption:"):
            did = target[len("disruption:") :].strip()
            d = next(x for x in net.disruptions if x.disruption_id == did)
            if d.scenario and d.scenario != name:
                problems.append(
                    Problem(
                        "Scenarios",
                        o.row,
                        _column("target", columns),
                        f"disruption '{did}' runs only in scenario '{d.scenario}'; this override "
                        f"does nothing in scenario '{name}'",
                        "warning",
                    )
                )
    if any(p.severity == "error" for p in problems):
        return problems
    for lanes, _column_name, message in source_group_problems(net.lanes):
        culprits = [touched[lane.key] for lane in lanes if lane.key in touched]
        if culprits:  # otherwise the baseline has the same problem, reported in Lanes
            last = max(culprits, key=lambda o: o.row or 0)
            problems.append(
                Problem(
                    "Scenarios",
                    last.row,
                    _column("value", columns),
                    f"in scenario '{name}': {message}",
                )
            )
    return problems


def apply_scenario(network: Network, name: str = BASELINE) -> Network:
    """The network as scenario ``name`` sees it.

    Parameters
    ----------
    network : Network
        The baseline as loaded (not modified).
    name : str
        ``"baseline"`` or a scenario listed in :attr:`Network.scenario_names`.

    Raises
    ------
    ScenarioError
        Unknown scenario, an override that cannot be applied, or overrides that
        leave alternative sources inconsistent (shares not summing to 1).
    """
    if name == network.scenario and not network.overrides:
        # already applied (or a plain baseline): applying again changes nothing
        active = tuple(d for d in network.disruptions if d.scenario in ("", name))
        return replace(network, disruptions=active)
    if name not in network.scenario_names:
        raise ScenarioError(
            f"unknown scenario '{name}'; choose one of {', '.join(network.scenario_names)}"
        )
    net = network
    if name != BASELINE:
        errors = [str(p) for p in scenario_problems(network, name) if p.severity == "error"]
        if errors:
            raise ScenarioError("; ".join(errors))
        for o in network.overrides:
            if o.scenario == name:
                net = _apply_one(net, o)
    active = tuple(d for d in net.disruptions if d.scenario in ("", name))
    return replace(net, disruptions=active, overrides=(), scenario=name)
