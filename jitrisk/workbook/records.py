"""Records to the model: sites, lanes, demand, disruptions, settings and scenario rows.

Each function checks what one sheet says against the sheets before it
(unknown sites, bad scopes, components) and builds the model's records.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

from ..errors import suggest as suggest
from ..model.distributions import Constant
from ..model.records import Demand, Disruption, Lane, Override, Settings, Site
from .cells import (
    SEVERITY_DEFAULT,
    CellError,
    parse_setting,
    range_problem,
    severity_problem,
)
from .format import (
    SETTING_BY_KEY,
)
from .sheets import (
    Record,
    _Collector,
)


@dataclass
class _Skip:
    sites: set[str] = field(default_factory=set)
    groups: set[tuple[str, str]] = field(default_factory=set)


_SITE_NUMBERS = (
    "safety_stock_days",
    "base_stock_units",
    "processing_days",
    "capacity_per_day",
    "unit_value",
    "holding_cost_rate",
    "ttr_days",
    "max_service_time_days",
)


def _sites(recs: list[Record], out: _Collector) -> tuple[list[Site], set[str]]:
    """The usable sites, and every site_id named in the sheet (usable or not)."""
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for r in recs:
        v = dict(r.values)
        sid = v.get("site_id")
        if sid is None:
            continue
        if sid in seen:
            out.error(
                "Sites",
                r.row,
                r.col("site_id"),
                f"duplicate site_id '{sid}' (first in row {seen[sid]})",
            )
            continue
        seen[sid] = r.row
        if any(ch in sid for ch in "\n\r\t") or sid.startswith(("region:", "lane:")) or "->" in sid:
            out.error(
                "Sites",
                r.row,
                r.col("site_id"),
                f"site_id {sid!r} may not contain line "
                "breaks, tabs, '->' or start with 'region:'/'lane:'",
            )
            continue
        if "type" not in v:
            continue  # the type cell's problem is already reported
        for name in _SITE_NUMBERS:
            if name in v:
                msg = range_problem("Sites", name, v[name])
                if msg:
                    out.error("Sites", r.row, r.col(name), msg)
                    del v[name]
        if v.get("holding_cost_rate", 0) > 1:
            out.warn(
                "Sites",
                r.row,
                r.col("holding_cost_rate"),
                f"holding_cost_rate {v['holding_cost_rate']:g} is over 100% a year; it is a "
                "fraction (0.25 = 25%)",
            )
        if v["type"] == "customer":
            for name in ("safety_stock_days", "base_stock_units", "capacity_per_day"):
                if name in v:
                    out.warn(
                        "Sites", r.row, r.col(name), f"customers hold no stock; {name} is ignored"
                    )
        sites.append(
            Site(
                site_id=sid,
                type=v["type"],
                name=v.get("name", ""),
                region=v.get("region", ""),
                safety_stock_days=float(v.get("safety_stock_days", 0.0)),
                base_stock_units=v.get("base_stock_units"),
                processing_days=int(v.get("processing_days", 0)),
                capacity_per_day=v.get("capacity_per_day"),
                unit_value=float(v.get("unit_value", 0.0)),
                holding_cost_rate=float(v.get("holding_cost_rate", 0.25)),
                ttr_days=v.get("ttr_days"),
                max_service_time_days=_whole(v.get("max_service_time_days")),
                row=r.row,
            )
        )
    return sites, set(seen)


def _whole(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _unknown_site(sid: str, ids: dict[str, Site]) -> str:
    close = suggest(sid, ids)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown site '{sid}'{hint}"


def _component(v: dict[str, Any], src: str, dst: str, sites: dict[str, Site]) -> str:
    if dst in sites and not sites[dst].is_producing:
        return dst  # a DC or customer receives one item: all its sources are alternatives
    return str(v.get("component") or src)


def _lanes(
    recs: list[Record],
    sites: dict[str, Site],
    known: Container[str],
    out: _Collector,
    skip: _Skip,
) -> tuple[list[Lane], set[tuple[str, str]]]:
    """The lanes, and the (from, to) pairs of lanes left out because of a problem."""
    lanes: list[Lane] = []
    dropped: set[tuple[str, str]] = set()
    seen: dict[tuple[str, str], int] = {}
    for r in recs:
        v = r.values
        src, dst = v.get("from"), v.get("to")
        if src is None or dst is None:
            skip.sites.update(x for x in (src, dst) if x is not None)
            if dst is not None:
                skip.groups.add((dst, _component(v, src or "", dst, sites)))
            continue
        ok = True
        for name, sid in (("from", src), ("to", dst)):
            if sid not in sites:
                if sid not in known:
                    out.error("Lanes", r.row, r.col(name), _unknown_site(sid, sites))
                    # the site it probably means lost this lane: do not complain about that
                    meant = suggest(sid, sites)
                    if meant:
                        skip.sites.add(meant)
                ok = False
        if not ok:
            skip.sites.update((src, dst))
            skip.groups.add((dst, _component(v, src, dst, sites)))
            dropped.add((src, dst))
            continue
        if src == dst:
            out.error("Lanes", r.row, r.col("to"), f"lane from '{src}' to itself")
            continue
        if sites[src].type == "customer":
            out.error(
                "Lanes",
                r.row,
                r.col("from"),
                f"'{src}' is a customer; customers hold no stock and cannot ship",
            )
            skip.sites.add(dst)
            skip.groups.add((dst, _component(v, src, dst, sites)))
            dropped.add((src, dst))
            continue
        if (src, dst) in seen:
            out.error(
                "Lanes",
                r.row,
                r.col("from"),
                f"duplicate lane {src}->{dst} (first in row {seen[(src, dst)]})",
            )
            continue
        seen[(src, dst)] = r.row
        flawed = bool(r.bad)
        for name in (
            "lead_time_days",
            "quantity_per_unit",
            "share",
            "line_buffer_days",
            "line_buffer_units",
        ):
            msg = range_problem("Lanes", name, v[name]) if name in v else None
            if msg:
                out.error("Lanes", r.row, r.col(name), msg)
                flawed = True
        qpu = v.get("quantity_per_unit", 1.0)
        if qpu != 1 and not sites[dst].is_producing:
            out.warn(
                "Lanes",
                r.row,
                r.col("quantity_per_unit"),
                f"quantity_per_unit only applies to lanes into plants and suppliers; "
                f"'{dst}' is a {sites[dst].type}",
            )
        for name in ("line_buffer_days", "line_buffer_units"):
            if v.get(name) is not None and not sites[dst].is_producing:
                out.warn(
                    "Lanes",
                    r.row,
                    r.col(name),
                    f"{name} applies to lanes into plants "
                    f"and suppliers; '{dst}' is a {sites[dst].type}",
                )
        component = _component(v, src, dst, sites)
        if flawed:
            skip.groups.add((dst, component))  # its share/BOM checks would repeat the problem
        lanes.append(
            Lane(
                src,
                dst,
                v.get("lead_time_days", Constant(0.0)),
                float(qpu),
                float(v.get("share", 1.0)),
                component,
                v.get("line_buffer_days"),
                v.get("line_buffer_units"),
                row=r.row,
            )
        )
    return lanes, dropped


def _demand(
    recs: list[Record], sites: dict[str, Site], known: Container[str], out: _Collector
) -> list[Demand]:
    demand: list[Demand] = []
    seen: dict[str, int] = {}
    for r in recs:
        v = r.values
        sid = v.get("site_id")
        if sid is None:
            continue
        if sid not in sites:
            if sid not in known:
                out.error("Demand", r.row, r.col("site_id"), _unknown_site(sid, sites))
            continue
        if sites[sid].type != "customer":
            out.error(
                "Demand",
                r.row,
                r.col("site_id"),
                f"'{sid}' is a {sites[sid].type}; demand is placed by customers",
            )
            continue
        if sid in seen:
            out.error(
                "Demand",
                r.row,
                r.col("site_id"),
                f"duplicate demand for '{sid}' (first in row {seen[sid]})",
            )
            continue
        seen[sid] = r.row
        for name in ("daily_demand", "unit_price", "service_time_days", "service_level"):
            msg = range_problem("Demand", name, v[name]) if name in v else None
            if msg:
                out.error("Demand", r.row, r.col(name), msg)
        # an unreadable daily_demand becomes a stand-in 1 (not 0, which would warn again);
        # the network is discarded anyway
        demand.append(
            Demand(
                sid,
                v.get("daily_demand", Constant(1.0)),
                float(v.get("unit_price", 0.0)),
                int(v.get("service_time_days", 0)),
                v.get("service_level"),
                row=r.row,
            )
        )
    return demand


_SCOPE_KINDS = {
    "outage": ("site", "region"),
    "capacity": ("site", "region"),
    "delay": ("site", "region", "lane"),
    "demand": ("site", "region"),
}


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in ("a", "e", "i", "o", "u") else f"a {word}"


def _lane_scope(scope: str) -> tuple[str, str] | None:
    body = scope[len("lane:") :]
    if "->" not in body:
        return None
    a, b = (x.strip() for x in body.split("->", 1))
    return a, b


def check_scope(
    scope: str,
    kind: str,
    sites: dict[str, Site],
    lanes: set[tuple[str, str]],
    regions: set[str],
) -> str | None:
    """None when ``scope`` names something that exists and fits ``kind``; else a message."""
    if scope.startswith("region:"):
        region = scope[len("region:") :].strip()
        if region not in regions:
            close = suggest(region, sorted(regions))
            hint = f" (did you mean 'region:{close}'?)" if close else ""
            return f"no site is in region '{region}'{hint}"
        where = "region"
    elif scope.startswith("lane:"):
        key = _lane_scope(scope)
        if key is None:
            return f"lane scope must look like lane:<from>-><to>, got {scope!r}"
        if key not in lanes:
            return f"no lane {key[0]}->{key[1]} in the Lanes sheet"
        where = "lane"
    else:
        if scope not in sites:
            return _unknown_site(scope, sites)
        where = "site"
        st = sites[scope].type
        if kind == "demand" and st != "customer":
            return f"demand shocks apply to customers or regions; '{scope}' is a {st}"
        if kind in ("outage", "capacity", "delay") and st == "customer":
            return f"{_a(kind)} disruption needs a supplier, plant or DC; '{scope}' is a customer"
    if where not in _SCOPE_KINDS[kind]:
        return f"{_a(kind)} disruption cannot apply to a {where}"
    return None


def _scope_is_flawed(
    scope: str, sites: dict[str, Site], known: Container[str], dropped: Container[tuple[str, str]]
) -> bool:
    """Whether ``scope`` names a site or lane whose own row already has a problem
    (or whose sheet could not be read whole)."""
    if scope.startswith("region:"):
        return isinstance(known, _Everything)
    if scope.startswith("lane:"):
        key = _lane_scope(scope)
        return key is not None and key in dropped
    return scope not in sites and scope in known


def _disruptions(
    recs: list[Record],
    sites: dict[str, Site],
    known: Container[str],
    lanes: list[Lane],
    dropped: Container[tuple[str, str]],
    regions: set[str],
    out: _Collector,
) -> tuple[list[Disruption], set[str]]:
    """The disruptions, and the ids of those left out because of a problem."""
    lane_keys = {lane.key for lane in lanes}
    result: list[Disruption] = []
    left_out: set[str] = set()
    ids: dict[str, int] = {}
    for r in recs:
        v = r.values
        scope, kind = v.get("scope"), v.get("kind")
        if scope is None or kind is None or _scope_is_flawed(scope, sites, known, dropped):
            left_out.add(v.get("disruption_id") or f"D{r.row}")
            continue
        msg = check_scope(scope, kind, sites, lane_keys, regions)
        if msg:
            out.error("Disruptions", r.row, r.col("scope"), msg)
        did = v.get("disruption_id") or f"D{r.row}"
        if did in ids:
            out.error(
                "Disruptions",
                r.row,
                r.col("disruption_id"),
                f"duplicate disruption_id '{did}' (first in row {ids[did]})",
            )
            continue
        ids[did] = r.row
        for name in ("probability_per_day", "events_per_year", "start_day", "duration_days"):
            msg = range_problem("Disruptions", name, v[name]) if name in v else None
            if msg:
                out.error("Disruptions", r.row, r.col(name), msg)
        p = v.get("probability_per_day")
        epy = v.get("events_per_year")
        start = v.get("start_day")
        if p is not None and epy is not None:
            out.error(
                "Disruptions",
                r.row,
                r.col("events_per_year"),
                "give probability_per_day or events_per_year, not both",
            )
        elif epy is not None:
            p = epy / 365.0
        if start is not None:
            if p:
                out.warn(
                    "Disruptions",
                    r.row,
                    r.col("start_day"),
                    "start_day makes this a scripted event; its probability is ignored",
                )
            p = 0.0
        elif p is None and not {"probability_per_day", "events_per_year", "start_day"} & r.bad:
            out.error(
                "Disruptions",
                r.row,
                r.col("probability_per_day"),
                "give probability_per_day, events_per_year or start_day",
            )
        dur = v.get("duration_days")
        if dur is not None and dur.mean < 1:
            out.warn(
                "Disruptions",
                r.row,
                r.col("duration_days"),
                f"duration_days mean {dur.mean:g} is under one day; events last at least "
                "one whole day",
            )
        sev = v.get("severity", SEVERITY_DEFAULT[kind])
        msg = severity_problem(kind, sev)
        if msg:
            out.error("Disruptions", r.row, r.col("severity"), msg)
        elif kind == "delay" and sev == 0:
            out.warn(
                "Disruptions", r.row, r.col("severity"), "a delay with severity 0 adds no days"
            )
        result.append(
            Disruption(
                did,
                scope,
                kind,
                float(p or 0.0),
                dur or Constant(1.0),
                float(sev),
                start,
                v.get("scenario", ""),
                row=r.row,
            )
        )
    return result, left_out


def _settings(recs: list[Record], out: _Collector) -> Settings:
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for r in recs:
        key, raw = r.values.get("key"), r.values.get("value")
        if key is None or raw is None:
            continue
        key = key.lower()
        spec = SETTING_BY_KEY.get(key)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(key, list(SETTING_BY_KEY), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            out.warn("Settings", r.row, r.col("key"), f"unknown setting '{key}' is ignored{hint}")
            continue
        if key in rows:
            out.error(
                "Settings",
                r.row,
                r.col("key"),
                f"setting '{key}' given twice (first in row {rows[key]})",
            )
            continue
        rows[key] = r.row
        try:
            values[key] = parse_setting(key, raw)
        except CellError as exc:
            out.error("Settings", r.row, r.col("value"), f"{key}: {exc}")
    return Settings.from_mapping(values)


def _overrides(recs: list[Record], target_is_flawed: Callable[[str], bool]) -> list[Override]:
    """The Scenarios rows, but those aimed at a site, lane or disruption whose own row
    already has a problem (their check would only repeat it)."""
    return [
        Override(
            r.values["scenario"],
            r.values["target"],
            r.values["field"],
            r.values["value"],
            row=r.row,
        )
        for r in recs
        if {"scenario", "target", "field", "value"} <= r.values.keys()
        and not target_is_flawed(r.values["target"].strip())
    ]


class _Everything:
    """A container holding every value (when a sheet could not be read whole)."""

    def __contains__(self, item: object) -> bool:
        return True
