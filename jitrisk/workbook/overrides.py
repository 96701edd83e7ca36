"""Scenario overrides as written in the Scenarios sheet: parsed and checked once.

Each row names a target, a field and a value written as in the sheet it
overrides; :func:`resolve_overrides` turns every row into typed
:class:`~jitrisk.model.records.Change` records when the workbook is read, so
applying a scenario (:func:`jitrisk.model.scenarios.apply_scenario`) is a
pure transformation of the model. Rows that cannot be applied are problems
with their cell (:func:`scenario_problems`).

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
``scenario``               ``cost_per_year``: what the scenario costs a year besides
                           its inventory (a second source, a contract), >= 0
=========================  ==========================================================
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..errors import Problem, ScenarioError
from ..model.records import BASELINE, Change, Network, Override
from ..model.scenarios import apply_changes, apply_scenario
from .cells import CellError, parse_cell, parse_setting, range_problem, severity_problem
from .format import DEMAND, DISRUPTIONS, LANES, SCENARIOS, SETTING_BY_KEY, SITES, Column
from .sources import source_group_problems

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


def _resolve_one(net: Network, o: Override) -> tuple[Change, ...]:
    """What override ``o`` means for ``net``, as typed changes; raises :class:`_Failure`."""
    # field names are column names or setting keys: as in the sheet headers, case is ignored
    target, name = o.target.strip(), o.field.strip().lower()
    if target.lower() == "settings":
        if name not in SETTING_BY_KEY:
            raise _Failure("field", f"unknown setting '{name}'")
        try:
            value = parse_setting(name, o.value)
        except CellError as exc:
            raise _Failure("value", f"{name}: {exc}") from None
        return (Change("settings", "", ((name, value),)),)
    if target.lower() == "scenario":
        if name != "cost_per_year":
            raise _Failure("field", f"a scenario has one field, cost_per_year; not '{name}'")
        try:
            cost = float(str(o.value).replace(",", "")) if not isinstance(o.value, bool) else -1.0
        except ValueError:
            cost = math.nan
        if not (math.isfinite(cost) and cost >= 0):
            raise _Failure("value", f"cost_per_year must be an amount >= 0, got {o.value!r}")
        return (Change("scenario", "", (("cost_per_year", cost),)),)
    if target.startswith("lane:"):
        body = target[len("lane:") :]
        a, _, b = (x.strip() for x in body.partition("->"))
        idx = [i for i, lane in enumerate(net.lanes) if lane.key == (a, b)]
        if not idx:
            raise _Failure("target", f"no lane {a}->{b}")
        if name not in LANE_FIELDS:
            raise _Failure("field", f"lanes have no field '{name}' (use {', '.join(LANE_FIELDS)})")
        value = _value(LANE_FIELDS, LANES.name, name, o.value)
        return (Change("lane", (a, b), ((_LANE_ATTR.get(name, name), value),)),)
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
            values: tuple[tuple[str, Any], ...] = (("probability_per_day", value / 365.0),)
        else:
            values = ((_DISRUPTION_ATTR.get(name, name), value),)
        return (Change("disruption", did, values),)
    if target.startswith("region:"):
        region = target[len("region:") :].strip()
        members = [s.site_id for s in net.sites if s.region == region and s.is_stocking]
        if not members:
            raise _Failure("target", f"no stocking site is in region '{region}'")
        return tuple(_resolve_site(net, sid, name, o.value) for sid in members)
    if target not in net.site_by_id:
        close = difflib.get_close_matches(target, list(net.site_by_id), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _Failure(
            "target",
            f"unknown target '{target}'{hint}; use a site_id, region:<name>, "
            "lane:<from>-><to>, disruption:<id>, settings or scenario",
        )
    return (_resolve_site(net, target, name, o.value),)


def _resolve_site(net: Network, sid: str, name: str, raw: object) -> Change:
    if name in DEMAND_FIELDS:
        d = net.demand_by_id.get(sid)
        if d is None:
            raise _Failure("target", f"'{sid}' has no row in the Demand sheet")
        value = _value(DEMAND_FIELDS, DEMAND.name, name, raw)
        return Change("demand", sid, ((name, value),))
    if name not in SITE_FIELDS:
        raise _Failure("field", f"unknown field '{name}' for a site (use a Sites or Demand column)")
    value = _value(SITE_FIELDS, SITES.name, name, raw)
    changes: tuple[tuple[str, Any], ...] = ((name, value),)
    if name == "safety_stock_days":
        changes += (("base_stock_units", None),)  # a days override replaces a units level
    return Change("site", sid, changes)


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
    problems: list[Problem] = []
    net = network
    touched: dict[tuple[str, str], Override] = {}
    for o in network.overrides:
        if o.scenario != name:
            continue
        try:
            net = apply_changes(net, _resolve_one(net, o))
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


def resolve_overrides(network: Network) -> Network:
    """``network`` with each override's typed :attr:`~Override.changes` attached.

    Rows are resolved scenario by scenario in sheet order, each against the
    network as the rows before it left it. A row that cannot be applied keeps
    ``changes=None``; :func:`scenario_problems` says why.
    """
    nets: dict[str, Network] = {}
    resolved: list[Override] = []
    for o in network.overrides:
        net = nets.get(o.scenario, network)
        try:
            changes = _resolve_one(net, o)
        except _Failure:
            resolved.append(replace(o, changes=None))
            continue
        nets[o.scenario] = apply_changes(net, changes)
        resolved.append(replace(o, changes=changes))
    return replace(network, overrides=tuple(resolved))


def check_and_apply(network: Network, name: str = BASELINE) -> Network:
    """Check scenario ``name``'s overrides as written and apply them.

    For networks built by hand or edited in the app (what-ifs); a network read
    from a workbook is checked already and :func:`apply_scenario` suffices.

    Raises
    ------
    ScenarioError
        Unknown scenario, an override that cannot be applied, or overrides that
        leave alternative sources inconsistent (shares not summing to 1).
    """
    if name != BASELINE and name in network.scenario_names:
        errors = [str(p) for p in scenario_problems(network, name) if p.severity == "error"]
        if errors:
            raise ScenarioError("; ".join(errors))
    return apply_scenario(resolve_overrides(network), name)
