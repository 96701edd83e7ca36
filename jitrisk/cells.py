"""Turning one cell value into a typed value, or a message saying why not.

Shared by the workbook loader and scenario overrides, so a value typed in the
Scenarios sheet is checked exactly like the same value in its home sheet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .distributions import DistributionError, parse_distribution
from .schema import MAX_CELL_CHARS, Column


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
        x = float(value)
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
