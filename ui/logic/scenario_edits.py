"""What-if scenarios made in the application, as plain data. Qt-free.

A :class:`WhatIf` says what the planner changed for some sites: their buffer
(``safety_stock_days``, a Scenarios-sheet override) and/or a scripted outage
(a Disruptions-sheet row with ``start_day`` and a constant duration). Both are
stored exactly as the workbook stores them, under the scenario's name, so
:func:`add_what_if` returns an ordinary :class:`~jitrisk.model.Network` that
runs, compares and saves like any scenario the planner typed in Excel; and
:func:`save_scenarios_copy` writes that network to a *copy* of the workbook,
never onto the file that was opened.

A what-if may start from another scenario (``base``): its overrides and its
own disruptions are copied under the new name first, then the edits applied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from jitrisk.errors import JitriskError, ScenarioError
from jitrisk.model.distributions import Constant
from jitrisk.model.records import BASELINE, Disruption, Network, Override
from jitrisk.workbook.fileio import refuse_overwrite_input
from jitrisk.workbook.overrides import check_and_apply, resolve_overrides
from jitrisk.workbook.writer import write_network

from .formatting import format_days

#: Longest scenario name accepted (it also becomes part of disruption ids).
MAX_NAME = 40
_NAME_OK = re.compile(r"^[\w][\w .+\-()]*$")


@dataclass(frozen=True)
class WhatIf:
    """A named change for some sites.

    Attributes
    ----------
    name : str
        The new scenario's name.
    sites : tuple of str
        Site ids the change applies to.
    buffer_days : float or None
        New safety stock in days of cover (stocking sites), or None to keep it.
    outage_start : int or None
        First day of a scripted outage (day 0 = first reported day), or None.
    outage_days : int
        How long the scripted outage lasts.
    base : str
        The scenario the change starts from (``"baseline"``: the workbook).
    site_days : tuple of (str, float)
        Safety stock in days of cover per site (a plan, e.g. a point of the
        frontier); applied after ``buffer_days``.
    """

    name: str
    sites: tuple[str, ...]
    buffer_days: float | None = None
    outage_start: int | None = None
    outage_days: int = 21
    base: str = BASELINE
    site_days: tuple[tuple[str, float], ...] = ()

    @property
    def has_outage(self) -> bool:
        return self.outage_start is not None

    def describe(self) -> str:
        """One line for lists and tooltips: what changes where."""
        where = _site_list(self.sites)
        parts = []
        if self.buffer_days is not None:
            parts.append(f"buffer {format_days(self.buffer_days)}")
        if self.outage_start is not None:
            parts.append(f"down from day {self.outage_start} for {format_days(self.outage_days)}")
        if self.site_days:
            n = len(self.site_days)
            parts.append(f"a buffer plan for {n} site{'s' if n != 1 else ''}")
        change = " and ".join(parts) or "no change"
        base = f" (on {self.base})" if self.base != BASELINE else ""
        return f"{where}: {change}{base}"


def _site_list(sites: Sequence[str], most: int = 3) -> str:
    if len(sites) <= most:
        return ", ".join(sites)
    return f"{', '.join(sites[:most])} and {len(sites) - most} more"


def name_problem(network: Network, name: str) -> str | None:
    """Why ``name`` cannot name a new scenario, or None when it can."""
    text = name.strip()
    if not text:
        return "Give the scenario a name."
    if len(text) > MAX_NAME:
        return f"Use at most {MAX_NAME} characters for the name."
    if not _NAME_OK.match(text):
        return "Use letters, digits, spaces and - _ . + ( ) in the name."
    taken = {n.lower() for n in network.scenario_names}
    if text.lower() in taken:
        return f"A scenario called '{text}' exists already; choose another name."
    return None


def suggest_name(network: Network, stem: str = "what-if") -> str:
    """``what-if-1``, ``what-if-2``, … : the first name not taken yet."""
    taken = {n.lower() for n in network.scenario_names}
    i = 1
    while f"{stem}-{i}" in taken:
        i += 1
    return f"{stem}-{i}"


def outage_id(name: str, site_id: str) -> str:
    """The disruption id of a scripted what-if outage."""
    return f"whatif:{name}:{site_id}"


def _copied_id(disruption_id: str, name: str) -> str:
    return f"{disruption_id}@{name}"


def _base_rows(network: Network, base: str, name: str) -> tuple[list[Override], list[Disruption]]:
    """The overrides and scenario-only disruptions of ``base``, renamed to ``name``."""
    if base == BASELINE:
        return [], []
    if base not in network.scenario_names:
        raise ScenarioError(f"unknown scenario '{base}' to start from")
    own = {d.disruption_id for d in network.disruptions if d.scenario == base}
    disruptions = [
        replace(d, disruption_id=_copied_id(d.disruption_id, name), scenario=name, row=None)
        for d in network.disruptions
        if d.scenario == base
    ]
    overrides = []
    for o in network.overrides:
        if o.scenario != base:
            continue
        target = o.target
        if target.startswith("disruption:") and target[len("disruption:") :].strip() in own:
            target = f"disruption:{_copied_id(target[len('disruption:') :].strip(), name)}"
        overrides.append(replace(o, scenario=name, target=target, row=None))
    return overrides, disruptions


def add_what_if(network: Network, whatif: WhatIf) -> Network:
    """``network`` with the scenario ``whatif.name`` added (the baseline unchanged).

    Raises
    ------
    jitrisk.errors.ScenarioError
        The name is taken or invalid, a site is unknown, the change is empty,
        or the scenario cannot be applied (the message says why).
    """
    name = whatif.name.strip()
    problem = name_problem(network, name)
    if problem:
        raise ScenarioError(problem)
    if not whatif.sites:
        raise ScenarioError("Select at least one site on the map or in the Results table.")
    unknown = [s for s in whatif.sites if s not in network.site_by_id]
    if unknown:
        raise ScenarioError(f"unknown site {', '.join(unknown)}")
    if whatif.buffer_days is None and whatif.outage_start is None and not whatif.site_days:
        raise ScenarioError("Choose a buffer change, an outage, or both.")
    overrides, disruptions = _base_rows(network, whatif.base, name)
    if whatif.buffer_days is not None:
        if whatif.buffer_days < 0:
            raise ScenarioError("Buffer days cannot be negative.")
        stocking = [s for s in whatif.sites if network.site_by_id[s].is_stocking]
        if not stocking:
            raise ScenarioError("Customers hold no buffer: select a supplier, plant or DC.")
        overrides += [
            Override(name, s, "safety_stock_days", float(whatif.buffer_days)) for s in stocking
        ]
    planned = {sid for sid, _d in whatif.site_days}
    if planned:  # the plan's days replace the base scenario's for its sites
        overrides = [
            o for o in overrides if not (o.target in planned and o.field == "safety_stock_days")
        ]
    for sid, days in whatif.site_days:  # a plan: each site its own days of cover
        if sid not in network.site_by_id or not network.site_by_id[sid].is_stocking:
            raise ScenarioError(f"'{sid}' holds no buffer: a plan sets stocking sites only")
        if not days >= 0:
            raise ScenarioError(f"Buffer days cannot be negative ({sid}: {days:g}).")
        overrides.append(Override(name, sid, "safety_stock_days", float(days)))
    if whatif.outage_start is not None:
        if whatif.outage_start < 0 or whatif.outage_days < 1:
            raise ScenarioError("An outage starts on day 0 or later and lasts at least one day.")
        producing = [s for s in whatif.sites if network.site_by_id[s].type != "customer"]
        if not producing:
            raise ScenarioError("A customer cannot be down: select a supplier, plant or DC.")
        disruptions += [
            Disruption(
                disruption_id=outage_id(name, s),
                scope=s,
                kind="outage",
                probability_per_day=0.0,
                duration=Constant(float(whatif.outage_days)),
                severity=1.0,
                start_day=int(whatif.outage_start),
                scenario=name,
            )
            for s in producing
        ]
    if not overrides and not disruptions:  # a base scenario with nothing of its own
        raise ScenarioError("The change does nothing; choose a buffer change or an outage.")
    result = replace(
        network,
        overrides=network.overrides + tuple(overrides),
        disruptions=network.disruptions + tuple(disruptions),
    )
    if name not in result.scenario_names:
        raise ScenarioError("The change does nothing; choose a buffer change or an outage.")
    check_and_apply(result, name)  # raises ScenarioError with the workbook's own checks
    # checked once here, so the engine and analyses apply it as they apply the workbook's
    return resolve_overrides(result)


def remove_scenario(network: Network, name: str) -> Network:
    """``network`` without scenario ``name``'s overrides and scenario-only disruptions."""
    return replace(
        network,
        overrides=tuple(o for o in network.overrides if o.scenario != name),
        disruptions=tuple(d for d in network.disruptions if d.scenario != name),
    )


def with_what_ifs(network: Network, whatifs: Iterable[WhatIf]) -> tuple[Network, list[str]]:
    """Add each of ``whatifs`` that still applies; returns the network and what failed."""
    failed = []
    for whatif in whatifs:
        try:
            network = add_what_if(network, whatif)
        except JitriskError as exc:
            failed.append(f"{whatif.name}: {exc}")
    return network, failed


def default_copy_path(workbook: str | os.PathLike[str]) -> Path:
    """``<folder>/<name>-scenarios.xlsx`` next to the workbook that was opened."""
    p = Path(workbook)
    return p.with_name(f"{p.stem}-scenarios.xlsx")


def save_scenarios_copy(
    network: Network,
    target: str | os.PathLike[str],
    input_path: str | os.PathLike[str] | None,
) -> Path:
    """Write ``network`` (its scenarios included) to ``target``, never onto ``input_path``.

    Raises
    ------
    jitrisk.errors.JitriskError
        ``target`` is the workbook that was opened, or it cannot be written.
    """
    path = Path(target)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    refuse_overwrite_input(path, input_path)
    return write_network(network, path)
