"""Typed problems and errors that the CLI and the GUI show to the planner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from openpyxl.utils import get_column_letter

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious) in a workbook.

    Parameters
    ----------
    sheet : str
        Sheet name, or ``""`` for the file as a whole.
    row : int or None
        1-based Excel row, or None for the whole sheet.
    column : int or None
        1-based Excel column, or None for the whole row.
    message : str
        What is wrong and, where possible, what to do.
    severity : {"error", "warning"}
        Errors stop the run; warnings are shown and do not.
    """

    sheet: str
    row: int | None
    column: int | None
    message: str
    severity: Severity = "error"

    @property
    def cell(self) -> str:
        """Excel reference such as ``B7``, ``12:12`` for a row, or ``""``."""
        if self.row is None:
            return get_column_letter(self.column) if self.column else ""
        if self.column is None:
            return f"{self.row}:{self.row}"
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def location(self) -> str:
        """``Sheet!B7``, ``Sheet!12:12``, ``Sheet`` or the empty string."""
        if not self.sheet:
            return ""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        loc = self.location
        return f"{loc}: {prefix}{self.message}" if loc else f"{prefix}{self.message}"


class JitriskError(Exception):
    """Base class of every error jitrisk raises on purpose."""


class ProblemList:
    """Errors and warnings of a ``problems`` list (mixed into reports and errors)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class WorkbookError(ProblemList, JitriskError):
    """The workbook cannot be used; carries every problem found.

    Attributes
    ----------
    problems : list of Problem
        Errors first, then warnings, each in sheet/row/column order.
    path : str
        The workbook's path as given.
    """

    def __init__(self, path: str, problems: Iterable[Problem]):
        self.path = str(path)
        self.problems = sorted(problems, key=_problem_order)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{self.path}: {len(errors)} problem{'s' if len(errors) != 1 else ''}"
        super().__init__(head + "".join(f"\n  {p}" for p in errors[:20]))


_SHEET_ORDER = {
    "": 0,
    "Sites": 1,
    "Lanes": 2,
    "Demand": 3,
    "Disruptions": 4,
    "Scenarios": 5,
    "Settings": 6,
}


def _problem_order(p: Problem) -> tuple[int, int, str, int, int]:
    return (
        0 if p.severity == "error" else 1,
        _SHEET_ORDER.get(p.sheet, 9),
        p.sheet,
        p.row or 0,
        p.column or 0,
    )


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors first, then warnings; each by sheet, row and column."""
    return sorted(problems, key=_problem_order)


class ScenarioError(JitriskError):
    """A scenario name or override cannot be applied."""


class SimulationCancelled(JitriskError):
    """The user cancelled a running simulation."""


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (ignoring case), or None."""
    import difflib

    by_lower: dict[str, str] = {}
    for c in choices:
        by_lower.setdefault(c.lower(), c)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None
