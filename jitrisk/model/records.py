"""Typed, immutable network model: what a validated workbook says.

Objects are frozen dataclasses; changing anything (a scenario, a buffer sweep)
goes through :func:`dataclasses.replace` and yields a new object, so a baseline
is never mutated. ``row`` fields remember the Excel row an object came from so
later messages can point at the cell; they do not take part in equality.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from .distributions import Constant, Distribution
from .vocabulary import SETTING_BY_KEY

STOCKING_TYPES = ("supplier", "plant", "dc")
PRODUCING_TYPES = ("supplier", "plant")


@dataclass(frozen=True)
class Site:
    """A node of the network. Symbols follow DOMAIN.md.

    Parameters
    ----------
    site_id : str
        Unique id.
    type : {"supplier", "plant", "dc", "customer"}
    name, region : str
    safety_stock_days : float
        Safety stock in days of cover. [:math:`b`]
    base_stock_units : float or None
        Order-up-to level; overrides ``safety_stock_days``. [:math:`S`]
    processing_days : int
        Production time of plants and suppliers.
    capacity_per_day : float or None
        Production (plants, suppliers) or shipping (DCs) capacity; None = unlimited.
    unit_value : float
        Value of one unit of the site's item.
    holding_cost_rate : float
        Annual holding cost as a fraction of value. [:math:`h / v`]
    ttr_days : float or None
        Time to recover, when the planner knows it.
    max_service_time_days : int or None
        Longest service time the site may quote downstream in the
        guaranteed-service model (0 = ship from stock); None = no limit. [:math:`s_j`]
    """

    site_id: str
    type: str
    name: str = ""
    region: str = ""
    safety_stock_days: float = 0.0
    base_stock_units: float | None = None
    processing_days: int = 0
    capacity_per_day: float | None = None
    unit_value: float = 0.0
    holding_cost_rate: float = 0.25
    ttr_days: float | None = None
    max_service_time_days: int | None = None
    row: int | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.name or self.site_id

    @property
    def is_stocking(self) -> bool:
        return self.type in STOCKING_TYPES

    @property
    def is_producing(self) -> bool:
        return self.type in PRODUCING_TYPES


@dataclass(frozen=True)
class Lane:
    """A supply relation ``source -> target`` carrying ``source``'s item.

    Parameters
    ----------
    source, target : str
        Site ids (``from`` and ``to`` in the workbook).
    lead_time : Distribution
        Transit days, sampled per shipment, rounded to whole days >= 0. [:math:`L`]
    quantity_per_unit : float
        Units of this component per unit made at a plant (BOM).
    share : float
        Fraction of the component's orders placed on this source.
    component : str
        Component id; lanes into one site with the same component are
        alternative sources. Defaults to ``source``.
    line_buffer_days, line_buffer_units : float or None
        Line-side buffer of this component at the receiving plant.
    """

    source: str
    target: str
    lead_time: Distribution = field(default_factory=lambda: Constant(0.0))
    quantity_per_unit: float = 1.0
    share: float = 1.0
    component: str = ""
    line_buffer_days: float | None = None
    line_buffer_units: float | None = None
    row: int | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)

    @property
    def label(self) -> str:
        return f"{self.source}->{self.target}"


@dataclass(frozen=True)
class Demand:
    """External demand of one customer.

    ``service_level`` is the customer's own target for the guaranteed-service
    model (None: the Settings value).
    """

    site_id: str
    daily_demand: Distribution
    unit_price: float = 0.0
    service_time_days: int = 0
    service_level: float | None = None
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Disruption:
    """A random or scripted disruption.

    Parameters
    ----------
    disruption_id : str
    scope : str
        Site id, ``region:<name>`` or ``lane:<from>-><to>``.
    kind : {"outage", "capacity", "delay", "demand"}
    probability_per_day : float
        Daily onset probability while the event is not running. [:math:`\\alpha`]
    duration : Distribution
        Event length in whole days >= 1.
    severity : float
        Capacity fraction lost, extra delay days, or demand multiplier.
    start_day : int or None
        Scripted start (day 0 = first reported day); None = random onset.
    scenario : str
        Only in this scenario; ``""`` = every scenario.
    """

    disruption_id: str
    scope: str
    kind: str
    probability_per_day: float = 0.0
    duration: Distribution = field(default_factory=lambda: Constant(1.0))
    severity: float = 1.0
    start_day: int | None = None
    scenario: str = ""
    row: int | None = field(default=None, compare=False)

    @property
    def scripted(self) -> bool:
        return self.start_day is not None

    @property
    def scope_kind(self) -> str:
        """``site``, ``region`` or ``lane``."""
        if self.scope.startswith("region:"):
            return "region"
        if self.scope.startswith("lane:"):
            return "lane"
        return "site"


ChangeTarget = Literal["settings", "site", "demand", "lane", "disruption", "scenario"]


@dataclass(frozen=True)
class Change:
    """One checked, typed edit of the model: set ``values`` on one record.

    ``target`` names the record kind and ``key`` the record: a site or
    customer id, a lane's ``(source, target)``, a disruption id, or ``""`` for
    the settings. ``values`` are model attribute names with parsed values.
    """

    target: ChangeTarget
    key: str | tuple[str, str]
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Override:
    """One row of the Scenarios sheet, as written, and what it was checked to mean.

    ``value`` is the cell as written (kept for writing the workbook back).
    ``changes`` is set when the workbook layer has parsed and checked the row
    against the network (:func:`jitrisk.workbook.overrides.resolve_overrides`):
    a row on ``region:X`` means one change per stocking site of the region.
    Applying a scenario (:func:`jitrisk.model.scenarios.apply_scenario`) only
    uses ``changes``.
    """

    scenario: str
    target: str
    field: str
    value: object
    row: int | None = dataclasses.field(default=None, compare=False)
    changes: tuple[Change, ...] | None = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Settings:
    """Run settings (see :data:`jitrisk.model.vocabulary.SETTING_SPECS` for meanings)."""

    days: int = 365
    trials: int = 2000
    seed: int = 42
    unmet_demand: str = "backorder"
    service_level: float = 0.95
    currency: str = "EUR"
    warmup_days: int = 30
    gsm_review_days: int = 1

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Settings:
        known = {k: v for k, v in values.items() if k in SETTING_BY_KEY}
        return cls(**known)  # type: ignore[arg-type]


BASELINE = "baseline"


@dataclass(frozen=True)
class Network:
    """A whole validated workbook.

    Build the NetworkX graph with :func:`jitrisk.model.graph.build_graph` and
    apply scenarios with :func:`jitrisk.model.scenarios.apply_scenario`.
    """

    sites: tuple[Site, ...]
    lanes: tuple[Lane, ...]
    demand: tuple[Demand, ...] = ()
    disruptions: tuple[Disruption, ...] = ()
    overrides: tuple[Override, ...] = ()
    settings: Settings = field(default_factory=Settings)
    scenario: str = BASELINE
    #: What the scenario on show costs a year besides its inventory (a second source,
    #: a contract): the Scenarios sheet's ``scenario`` / ``cost_per_year`` row.
    cost_per_year: float = 0.0
    source_path: str = field(default="", compare=False)
    source_sha256: str = field(default="", compare=False)

    # plain dicts (not mappingproxy) so a Network pickles for worker processes;
    # treat them as read-only
    @cached_property
    def site_by_id(self) -> Mapping[str, Site]:
        return {s.site_id: s for s in self.sites}

    @cached_property
    def demand_by_id(self) -> Mapping[str, Demand]:
        return {d.site_id: d for d in self.demand}

    @property
    def scenario_names(self) -> tuple[str, ...]:
        """Baseline first, then every named scenario (Scenarios and Disruptions sheets)."""
        names = [BASELINE]
        for name in [o.scenario for o in self.overrides] + [d.scenario for d in self.disruptions]:
            if name and name not in names:
                names.append(name)
        return tuple(names)

    def sites_of_type(self, *types: str) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if s.type in types)

    def lanes_into(self, site_id: str) -> tuple[Lane, ...]:
        return tuple(lane for lane in self.lanes if lane.target == site_id)

    def lanes_from(self, site_id: str) -> tuple[Lane, ...]:
        return tuple(lane for lane in self.lanes if lane.source == site_id)

    def with_sites(self, sites: Iterable[Site]) -> Network:
        return replace(self, sites=tuple(sites))

    def with_settings(self, **changes: object) -> Network:
        return replace(self, settings=replace(self.settings, **changes))  # type: ignore[arg-type]

    def with_buffer_days(self, days: Mapping[str, float]) -> Network:
        """A copy with ``safety_stock_days`` set (and unit overrides cleared) for some sites."""
        return self.with_sites(
            replace(s, safety_stock_days=float(days[s.site_id]), base_stock_units=None)
            if s.site_id in days
            else s
            for s in self.sites
        )
