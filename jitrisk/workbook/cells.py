"""Turning one cell value into a typed value, or a message saying why not.

Shared by the workbook loader and scenario overrides, so a value typed in the
Scenarios sheet is checked exactly like the same value in its home sheet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model.distributions import Distribution, DistributionError, parse_distribution
from ..model.vocabulary import MAX_SERVICE_LEVEL
from .format import MAX_CELL_CHARS, SETTING_BY_KEY, Column


@dataclass(frozen=True)
class CellError(ValueError):
    """A cell value that does not fit its column."""

    message: str

    def __str__(self) -> str:
        return self.message


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_text(value: object) -> str:
    """Text of a cell; whole numbers typed into text columns lose their ``.0``."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if len(text) > MAX_CELL_CHARS:
        raise CellError(f"text longer than {MAX_CELL_CHARS} characters")
    return text


def as_number(value: object) -> float:
    """A finite number from a numeric cell or numeric text."""
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        try:
            x = float(value)
        except OverflowError:
            raise CellError("number too large") from None
    elif isinstance(value, str):
        text = value.strip()
        try:
            x = float(text)
        except ValueError:
            raise CellError(f"expected a number, got {_show(text)}") from None
    else:
        raise CellError(f"expected a number, got {type(value).__name__} {_show(value)}")
    if not math.isfinite(x):
        raise CellError(f"expected a finite number, got {_show(value)}")
    return x


def as_integer(value: object) -> int:
    x = as_number(value)
    if not float(x).is_integer():
        raise CellError(f"expected a whole number, got {x:g}")
    if abs(x) > 2**63:
        raise CellError(f"number too large: {x:g}")
    return int(x)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…'"


def parse_cell(column: Column, value: object) -> object:
    """Parse a non-blank cell for ``column``; raise :class:`CellError` if it does not fit."""
    kind = column.kind
    if kind in ("text", "any"):
        return as_text(value) if kind == "text" else value
    if kind == "id":
        text = as_text(value)
        if not text:
            raise CellError("must not be empty")
        return text
    if kind == "number":
        return as_number(value)
    if kind == "integer":
        return as_integer(value)
    if kind == "choice":
        text = as_text(value).lower()
        if text not in column.choices:
            import difflib

            close = difflib.get_close_matches(text, column.choices, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise CellError(
                f"{_show(as_text(value))} is not one of {', '.join(column.choices)}{hint}"
            )
        return text
    if kind == "distribution":
        try:
            return parse_distribution(value if not isinstance(value, str) else value.strip())
        except DistributionError as exc:
            raise CellError(str(exc)) from None
    raise AssertionError(f"unknown column kind {kind}")


# --------------------------------------------------------------------------- value ranges
#
# Checked after a cell parsed, in its home sheet and in the Scenarios sheet alike.
# (sheet, column) -> (minimum, strict minimum, maximum, style). Distributions are checked
# through their mean. Style "interval" says "must be in [lo, hi]"; "limit" says
# "... is over the limit of hi". The maxima of quantities and money keep every sum the
# engine forms (units x price x days) finite: a unit price of 1e308 passed, and its
# lost revenue came out as infinity and NaN in the results.
_UNITS_MAX = 1e12
_MONEY_MAX = 1e12

_RANGES: dict[tuple[str, str], tuple[float | None, bool, float | None, str]] = {
    ("Sites", "safety_stock_days"): (0.0, False, 3650.0, "limit"),
    ("Sites", "base_stock_units"): (0.0, False, _UNITS_MAX, "limit"),
    ("Sites", "processing_days"): (0.0, False, 365.0, "limit"),
    ("Sites", "capacity_per_day"): (0.0, True, None, "limit"),
    ("Sites", "unit_value"): (0.0, False, _MONEY_MAX, "limit"),
    ("Sites", "holding_cost_rate"): (0.0, False, None, "limit"),
    ("Sites", "ttr_days"): (0.0, False, None, "limit"),
    ("Sites", "max_service_time_days"): (0.0, False, 3650.0, "limit"),
    ("Lanes", "lead_time_days"): (0.0, False, 365.0, "limit"),
    ("Lanes", "quantity_per_unit"): (0.0, True, 1e6, "limit"),
    ("Lanes", "share"): (0.0, True, 1.0, "interval"),
    ("Lanes", "line_buffer_days"): (0.0, False, 3650.0, "limit"),
    ("Lanes", "line_buffer_units"): (0.0, False, _UNITS_MAX, "limit"),
    ("Demand", "daily_demand"): (0.0, False, 1e9, "limit"),
    ("Demand", "unit_price"): (0.0, False, _MONEY_MAX, "limit"),
    ("Demand", "service_time_days"): (0.0, False, None, "limit"),
    ("Demand", "service_level"): (0.5, False, MAX_SERVICE_LEVEL, "interval"),
    ("Disruptions", "probability_per_day"): (0.0, False, 1.0, "interval"),
    ("Disruptions", "events_per_year"): (0.0, False, 365.0, "interval"),
    ("Disruptions", "start_day"): (0.0, False, None, "limit"),
    ("Disruptions", "duration_days"): (None, False, 3650.0, "limit"),
}
_UNITS = {"lead_time_days": " days", "daily_demand": " units/day"}


def range_problem(sheet: str, name: str, value: object) -> str | None:
    """Why a parsed value of column ``name`` in ``sheet`` is out of range, or None.

    Examples
    --------
    >>> range_problem("Lanes", "share", 1.5)
    'share must be in (0, 1], got 1.5'
    >>> range_problem("Lanes", "lead_time_days", parse_distribution("normal(-2, 1)"))
    'lead_time_days has a negative mean (-2)'
    """
    rule = _RANGES.get((sheet, name))
    if rule is None or not isinstance(value, int | float | Distribution):
        return None
    lo, strict, hi, style = rule
    if isinstance(value, Distribution):
        x = value.mean
        if lo is not None and x < lo:
            return f"{name} has a negative mean ({x:g})"
        if hi is not None and x > hi:
            return f"{name} mean {x:g} is over the limit of {_num(hi)}{_UNITS.get(name, '')}"
        return None
    x = float(value)
    if style == "interval":
        if (lo is not None and (x < lo or (strict and x == lo))) or (hi is not None and x > hi):
            return f"{name} must be in {'(' if strict else '['}{lo:g}, {hi:g}], got {x:g}"
        return None
    if lo is not None and (x < lo or (strict and x == lo)):
        return f"{name} must be {'>' if strict else '>='} {lo:g}, got {x:g}"
    if hi is not None and x > hi:
        return f"{name} {x:g} is over the limit of {hi:g}"
    return None


def _num(x: float) -> str:
    """``1e9`` rather than ``1e+09``."""
    return f"{x:g}".replace("e+0", "e").replace("e+", "e")


SEVERITY_DEFAULT = {"outage": 1.0, "capacity": 0.5, "delay": 0.0, "demand": 1.0}


def severity_problem(kind: str, severity: float) -> str | None:
    """Why ``severity`` does not fit a disruption of ``kind``, or None."""
    bad = None
    if kind == "capacity" and not 0 <= severity <= 1:
        bad = "capacity severity is the fraction of capacity lost, in [0, 1]"
    elif kind == "delay" and not 0 <= severity <= 365:
        bad = "delay severity is extra days, in [0, 365]"
    elif kind == "demand" and not 0 <= severity <= 1000:
        bad = "demand severity is a multiplier, in [0, 1000]"
    return f"{bad}; got {severity:g}" if bad else None


def parse_setting(key: str, raw: object) -> object:
    """Parse and range-check one setting value."""
    spec = SETTING_BY_KEY[key]
    col = Column(key, spec.kind, True, "", "", "", spec.choices)
    value = parse_cell(col, raw)
    if spec.kind in ("integer", "number"):
        x = float(value)  # type: ignore[arg-type]
        if spec.minimum is not None and x < spec.minimum:
            raise CellError(f"must be >= {spec.minimum:g}, got {x:g}")
        if spec.maximum is not None and x > spec.maximum:
            raise CellError(f"must be <= {spec.maximum:g}, got {x:g}")
    return value
