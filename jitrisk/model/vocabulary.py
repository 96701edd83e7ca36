"""The model's vocabulary: site types, disruption kinds, run settings and size limits.

Shared by the model (defaults of :class:`~jitrisk.model.records.Settings`), the
synthetic generator and the workbook format (:mod:`jitrisk.workbook.format`
re-exports these names, whose meanings its ``Guide`` sheet prints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SITE_TYPES = ("supplier", "plant", "dc", "customer")
DISRUPTION_KINDS = ("outage", "capacity", "delay", "demand")
UNMET_DEMAND_MODES = ("backorder", "lost")
#: Highest service level the guaranteed-service model accepts (z = 4.75).
MAX_SERVICE_LEVEL = 0.999999


@dataclass(frozen=True)
class SettingSpec:
    """One key of the Settings sheet."""

    key: str
    kind: Literal["integer", "number", "choice", "text"]
    default: int | float | str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("days", "integer", 365, "Reported horizon in days.", 1, 3650),
    SettingSpec("trials", "integer", 2000, "Monte Carlo trials.", 1, 1_000_000),
    SettingSpec("seed", "integer", 42, "Random seed (written into every report).", 0, 2**63 - 1),
    SettingSpec(
        "unmet_demand",
        "choice",
        "backorder",
        "What happens to customer demand not filled on the day: backorder or lost.",
        choices=UNMET_DEMAND_MODES,
    ),
    SettingSpec(
        "service_level",
        "number",
        0.95,
        "Target cycle service level for guaranteed-service placement (at most 0.999999, "
        "z = 4.75: beyond it the normal bound on demand says nothing a planner can use).",
        0.5,
        MAX_SERVICE_LEVEL,
    ),
    SettingSpec(
        "gsm_review_days",
        "integer",
        1,
        "Days the guaranteed-service model adds to every stage time for the periodic review: "
        "1 = daily review, as the simulation replenishes; 0 = continuous review, the "
        "textbook convention of published GSM examples.",
        0,
        30,
    ),
    SettingSpec("currency", "text", "EUR", "Currency label for values and revenue."),
    SettingSpec(
        "warmup_days",
        "integer",
        30,
        "Days simulated before the reported horizon and left out of the metrics.",
        0,
        3650,
    ),
)
SETTING_BY_KEY = {s.key: s for s in SETTING_SPECS}

# Size limits: beyond them the loader refuses the workbook with a message naming the limit.
MAX_ROWS = {
    "Sites": 5_000,
    "Lanes": 50_000,
    "Demand": 5_000,
    "Disruptions": 20_000,
    "Scenarios": 20_000,
    "Settings": 200,
}
