"""Reading a planner's workbook into a validated :class:`~jitrisk.model.Network`.

One pass collects *every* problem (file, sheet, column, cell, cross-reference
and graph problems) as :class:`~jitrisk.errors.Problem` objects before anything
runs; :func:`load_network` raises a single :class:`~jitrisk.errors.WorkbookError`
carrying them all. The file is opened read-only and never written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, ProblemList, WorkbookError, sort_problems
from ..errors import suggest as suggest
from ..model.records import Network
from .format import (
    SHEETS,
)
from .overrides import resolve_overrides
from .package import (
    _check_file,
    _open,
    sha256_of,
)
from .records import (
    _demand,
    _disruptions,
    _Everything,
    _lane_scope,
    _lanes,
    _overrides,
    _settings,
    _sites,
    _Skip,
)
from .sheets import (
    _Collector,
    _find_sheet,
    _read_sheet,
    _SheetData,
)


@dataclass
class ValidationReport(ProblemList):
    """Outcome of :func:`validate_workbook`.

    ``network`` is None when there are errors; ``problems`` holds errors and
    warnings sorted for display.
    """

    path: str
    network: Network | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- file level


# --------------------------------------------------------------------------- sheets


# --------------------------------------------------------------------------- records -> model
#
# A row with a wrong value still enters the model (with the value left at its default),
# and a reference to a site whose own row is wrong is not reported again: the model is
# thrown away when there is any error, and this way one wrong cell gives one problem
# rather than a cascade of 'unknown site' and graph complaints. ``_Skip`` collects the
# sites and the (site, component) source groups whose graph checks would only repeat a
# problem already reported.


# --------------------------------------------------------------------------- entry points


def validate_workbook(path: str | os.PathLike[str]) -> ValidationReport:
    """Read and check a workbook; never raises for bad input.

    Returns
    -------
    ValidationReport
        ``network`` set when there is no error; every problem found either way.
    """
    from .validation import check_network

    p = Path(path)
    out = _Collector()
    if not _check_file(p, out):
        return ValidationReport(str(path), None, sort_problems(out.problems))
    data: dict[str, _SheetData] = {}
    # openpyxl reads file objects owned here: whatever it raises, and whatever it leaves
    # open in reference cycles after an error, the file is closed when this block ends
    # (an open file is a locked file on Windows)
    with contextlib.ExitStack() as files:
        try:
            wb = _open(files.enter_context(open(p, "rb")), data_only=True)
            files.callback(wb.close)
            wbf = _open(files.enter_context(open(p, "rb")), data_only=False)
            files.callback(wbf.close)
        except Exception as exc:  # openpyxl raises many types on damaged files
            out.error(
                "",
                None,
                None,
                f"cannot read the workbook ({type(exc).__name__}: "
                f"{str(exc)[:200]}); re-save it from Excel as .xlsx",
            )
            return ValidationReport(str(path), None, sort_problems(out.problems))
        for sheet in SHEETS:
            ws = _find_sheet(wb, sheet, out)
            if ws is None:
                data[sheet.name] = _SheetData([], {}, not sheet.required)
                continue
            wsf = wbf[ws.title] if ws.title in wbf.sheetnames else None
            try:
                data[sheet.name] = _read_sheet(ws, wsf, sheet, out)
            except Exception as exc:
                out.error(
                    sheet.name,
                    None,
                    None,
                    f"cannot read the sheet ({type(exc).__name__}: {str(exc)[:200]})",
                )
                data[sheet.name] = _SheetData([], {}, False)
    records = {name: d.records for name, d in data.items()}

    site_list, site_ids = _sites(records["Sites"], out)
    sites = {s.site_id: s for s in site_list}
    # when a sheet could not be read whole, references into it are not reported as unknown
    known: Container[str] = site_ids if data["Sites"].complete else _Everything()
    skip = _Skip()
    lanes, dropped = _lanes(records["Lanes"], sites, known, out, skip)
    lanes_dropped: Container[tuple[str, str]] = dropped if data["Lanes"].complete else _Everything()
    if not data["Lanes"].complete:
        skip.sites.update(sites)
        skip.groups.update((lane.target, lane.component) for lane in lanes)
    demand = _demand(records["Demand"], sites, known, out)
    regions = {r.values["region"] for r in records["Sites"] if r.values.get("region")}
    disruptions, disruptions_left_out = _disruptions(
        records["Disruptions"], sites, known, lanes, lanes_dropped, regions, out
    )
    settings = _settings(records["Settings"], out)

    def target_is_flawed(target: str) -> bool:
        if target.startswith("lane:"):
            key = _lane_scope(target)
            return key is not None and key in lanes_dropped
        if target.startswith("disruption:"):
            return target[len("disruption:") :].strip() in disruptions_left_out
        return (
            target.lower() != "settings"
            and not target.startswith("region:")
            and (target not in sites and target in known)
        )

    overrides = _overrides(records["Scenarios"], target_is_flawed)
    if not site_ids and not any(p.sheet == "Sites" for p in out.problems):
        out.error("Sites", 2, None, "the Sites sheet has no sites")
    network = Network(
        sites=tuple(site_list),
        lanes=tuple(lanes),
        demand=tuple(demand),
        disruptions=tuple(disruptions),
        overrides=tuple(overrides),
        settings=settings,
        source_path=str(path),
        source_sha256=sha256_of(p),
    )
    columns = {name: d.columns for name, d in data.items()}
    out.problems.extend(
        check_network(network, columns=columns, skip=skip.sites, skip_groups=skip.groups)
    )
    if not out.has_errors:
        from .validation import capacity_warnings

        out.problems.extend(capacity_warnings(network, columns.get("Sites", {})))
    problems = sort_problems(out.problems)
    ok = not any(pr.severity == "error" for pr in problems)
    # every override is parsed and checked once, here; applying a scenario later is pure
    return ValidationReport(str(path), resolve_overrides(network) if ok else None, problems)


def load_network(path: str | os.PathLike[str]) -> Network:
    """Load a workbook, raising :class:`WorkbookError` listing every problem if it is invalid."""
    report = validate_workbook(path)
    if report.network is None:
        raise WorkbookError(str(path), report.problems)
    return report.network
