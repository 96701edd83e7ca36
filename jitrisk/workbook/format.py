"""The workbook format: sheets, columns, units and defaults (format v1).

This module is the single source of truth for the workbook contract. The
loader validates against it, :mod:`jitrisk.workbook.template` writes the empty template
and its ``Guide`` sheet from it, and the documentation quotes it. Columns may be
added in later versions; none of the v1 names may change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# the model's vocabulary, part of the format too (re-exported)
from ..model.vocabulary import DISRUPTION_KINDS as DISRUPTION_KINDS
from ..model.vocabulary import MAX_ROWS as MAX_ROWS
from ..model.vocabulary import SETTING_BY_KEY as SETTING_BY_KEY
from ..model.vocabulary import SETTING_SPECS as SETTING_SPECS
from ..model.vocabulary import SITE_TYPES as SITE_TYPES
from ..model.vocabulary import UNMET_DEMAND_MODES as UNMET_DEMAND_MODES
from ..model.vocabulary import SettingSpec as SettingSpec

FORMAT_VERSION = 1

ColumnKind = Literal["text", "id", "number", "integer", "distribution", "choice", "any"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Parameters
    ----------
    name : str
        Header text, exactly as it must appear in row 1.
    kind : str
        ``text``, ``id`` (non-empty text), ``number``, ``integer``,
        ``distribution`` (a number or a distribution such as ``normal(10, 2)``),
        ``choice`` (one of ``choices``) or ``any``.
    required : bool
        Whether the column must be present in the sheet.
    unit : str
        Unit shown in the guide.
    default : str
        What a blank cell means, in words, for the guide.
    help : str
        Explanation for the planner.
    choices : tuple of str
        Allowed values of a ``choice`` column (drop-down in the template).
    """

    name: str
    kind: ColumnKind
    required: bool
    unit: str
    default: str
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: its name, purpose and columns."""

    name: str
    purpose: str
    columns: tuple[Column, ...]
    required: bool = True
    key: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


DIST_HELP = (
    "A number, or a distribution: normal(mean, sd), lognormal(mean, sd), gamma(mean, sd), "
    "triangular(min, mode, max), uniform(min, max), poisson(mean), geometric(mean), "
    "empirical(v1, v2, ...)."
)

SITES = Sheet(
    "Sites",
    "Every site of the network: suppliers of any tier, plants, distribution centres "
    "and customers (markets).",
    (
        Column("site_id", "id", True, "", "required", "Unique identifier used everywhere else."),
        Column(
            "type",
            "choice",
            True,
            "",
            "required",
            "supplier (any tier), plant (builds its item from a bill of materials), "
            "dc (stocks and forwards), customer (places demand, holds no stock).",
            SITE_TYPES,
        ),
        Column("name", "text", False, "", "the site_id", "Readable name for reports."),
        Column(
            "region",
            "text",
            False,
            "",
            "none",
            "Country, port or zone: the unit of correlated (regional) disruptions.",
        ),
        Column(
            "safety_stock_days",
            "number",
            False,
            "days of cover",
            "0",
            "Safety stock b in days of mean demand. Base stock S = mu*(E[L]+1) + b*mu "
            "where mu is mean daily demand through the site and E[L] its mean "
            "replenishment lead time.",
        ),
        Column(
            "base_stock_units",
            "number",
            False,
            "units",
            "from safety_stock_days",
            "Order-up-to level S in units; overrides safety_stock_days when given.",
        ),
        Column(
            "processing_days",
            "integer",
            False,
            "days",
            "0",
            "Production time of plants and suppliers (the replenishment lead time of a "
            "raw supplier).",
        ),
        Column(
            "capacity_per_day",
            "number",
            False,
            "units/day",
            "unlimited",
            "Most a plant or supplier can produce, or a DC can ship, in one day.",
        ),
        Column(
            "unit_value",
            "number",
            False,
            "currency/unit",
            "0",
            "Value of one unit of the site's item (inventory valuation).",
        ),
        Column(
            "holding_cost_rate",
            "number",
            False,
            "per year",
            "0.25",
            "Annual holding cost as a fraction of unit_value.",
        ),
        Column(
            "ttr_days",
            "number",
            False,
            "days",
            "from the disruption profile",
            "Time to recover after an outage, when known (risk analysis).",
        ),
        Column(
            "max_service_time_days",
            "integer",
            False,
            "days",
            "no limit",
            "Longest service time the site may quote to the sites it supplies in the "
            "guaranteed-service model; 0 = it must ship from stock.",
        ),
    ),
    key=("site_id",),
)

LANES = Sheet(
    "Lanes",
    "Material flow: lane from -> to carries the item of 'from' to 'to'.",
    (
        Column("from", "id", True, "", "required", "Shipping site_id."),
        Column("to", "id", True, "", "required", "Receiving site_id."),
        Column(
            "lead_time_days",
            "distribution",
            True,
            "days",
            "required",
            "Transit time, sampled per shipment and rounded to whole days >= 0. " + DIST_HELP,
        ),
        Column(
            "quantity_per_unit",
            "number",
            False,
            "units",
            "1",
            "Bill of materials: units of this component per unit the plant makes.",
        ),
        Column(
            "share",
            "number",
            False,
            "fraction",
            "1",
            "Split among alternative sources of the same component; shares of one "
            "component at one site must sum to 1.",
        ),
        Column(
            "component",
            "text",
            False,
            "",
            "the 'from' site_id",
            "Component delivered. Lanes into one plant with the same component are "
            "alternative sources (dual sourcing). Lanes into a DC or customer are always "
            "alternatives of that site's item.",
        ),
        Column(
            "line_buffer_days",
            "number",
            False,
            "days of cover",
            "0",
            "Line-side safety stock of this component at the receiving plant, in days of "
            "the plant's mean component usage (one value per plant and component).",
        ),
        Column(
            "line_buffer_units",
            "number",
            False,
            "units",
            "from line_buffer_days",
            "Line-side order-up-to level S in units; overrides line_buffer_days.",
        ),
    ),
)

DEMAND = Sheet(
    "Demand",
    "External demand placed by customers.",
    (
        Column("site_id", "id", True, "", "required", "A site of type customer."),
        Column(
            "daily_demand",
            "distribution",
            True,
            "units/day",
            "required",
            "Demand per day, sampled each day; negative samples are set to 0. " + DIST_HELP,
        ),
        Column(
            "unit_price",
            "number",
            False,
            "currency/unit",
            "0",
            "Revenue per unit; prices lost revenue.",
        ),
        Column(
            "service_time_days",
            "integer",
            False,
            "days",
            "0",
            "Promised delivery time to this customer (guaranteed-service model).",
        ),
        Column(
            "service_level",
            "number",
            False,
            "fraction",
            "Settings service_level",
            "This customer's target cycle service level in the guaranteed-service model; "
            "every site that serves it holds to the strictest level among its customers.",
        ),
    ),
    key=("site_id",),
)

DISRUPTIONS = Sheet(
    "Disruptions",
    "Disruption profile: random or scripted events.",
    (
        Column(
            "scope", "id", True, "", "required", "A site_id, region:<name> or lane:<from>-><to>."
        ),
        Column(
            "kind",
            "choice",
            True,
            "",
            "required",
            "outage (ships and produces nothing), capacity (loses a fraction of "
            "capacity), delay (extra transit days on departing shipments), demand "
            "(multiplies customer demand).",
            DISRUPTION_KINDS,
        ),
        Column(
            "probability_per_day",
            "number",
            False,
            "1/day",
            "from events_per_year",
            "Chance that the event starts on a day it is not already running.",
        ),
        Column(
            "events_per_year",
            "number",
            False,
            "1/year",
            "0",
            "Alternative to probability_per_day: p = events_per_year / 365.",
        ),
        Column(
            "duration_days",
            "distribution",
            False,
            "days",
            "1",
            "How long one event lasts, whole days >= 1. geometric(mean) makes the "
            "outage a two-state Markov chain. " + DIST_HELP,
        ),
        Column(
            "severity",
            "number",
            False,
            "",
            "1 (outage), 0.5 (capacity), 0, 1",
            "capacity: fraction of capacity lost (0-1); delay: extra days; demand: "
            "multiplier on demand; outage: ignored.",
        ),
        Column(
            "start_day",
            "integer",
            False,
            "day",
            "random onset",
            "When set, a scripted event starting on that day (day 0 = first reported "
            "day) instead of a random one.",
        ),
        Column("scenario", "text", False, "", "every scenario", "Only in this named scenario."),
        Column(
            "disruption_id",
            "text",
            False,
            "",
            "D<row>",
            "Name used to target this disruption from the Scenarios sheet.",
        ),
    ),
    required=False,
)

SCENARIOS = Sheet(
    "Scenarios",
    "Named what-if overrides of the baseline: one row per changed value.",
    (
        Column("scenario", "id", True, "", "required", "Scenario name."),
        Column(
            "target",
            "id",
            True,
            "",
            "required",
            "A site_id, region:<name> (every site in it), lane:<from>-><to>, "
            "disruption:<disruption_id>, settings, or scenario (field cost_per_year: what "
            "the scenario costs a year besides its inventory).",
        ),
        Column(
            "field",
            "id",
            True,
            "",
            "required",
            "The column to change (e.g. safety_stock_days, lead_time_days, "
            "daily_demand, probability_per_day, days).",
        ),
        Column("value", "any", True, "", "required", "The new value."),
    ),
    required=False,
)

SETTINGS = Sheet(
    "Settings",
    "Run settings as key/value pairs.",
    (
        Column("key", "id", True, "", "required", "Setting name (see the list below)."),
        Column("value", "any", True, "", "required", "Setting value."),
    ),
    required=False,
)

SHEETS: tuple[Sheet, ...] = (SITES, LANES, DEMAND, DISRUPTIONS, SCENARIOS, SETTINGS)
REQUIRED_SHEETS = tuple(s.name for s in SHEETS if s.required)
OPTIONAL_EMPTY_SHEETS = ("Disruptions", "Scenarios", "Settings")


MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_CELL_CHARS = 10_000
