"""The fitted values written into a copy of the planner's workbook.

Nothing else of the workbook changes: its sheets, formats and other cells are
kept as they are (the copy is the input opened and saved by openpyxl). Each
changed cell gets a green fill and a comment with its old value, the sample
size and the fit's quality; a lane or supplier whose data were too few keeps
the planner's value and gets an amber fill and a comment saying why. A
``Fit`` sheet lists every lane's fit and every supplier's episodes. The input
is never written (:func:`~jitrisk.workbook.fileio.refuse_overwrite_input`),
and the new file is written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import JitriskError
from ..workbook.fileio import atomic_write, refuse_overwrite_input
from .fit import HistoryFit, LaneResult

CHANGED = PatternFill("solid", fgColor="D8F0DC")
KEPT = PatternFill("solid", fgColor="FCEBC8")
AUTHOR = "jitrisk fit"
FIT_SHEET = "Fit"


def _columns(ws: Worksheet) -> dict[str, int]:
    return {
        str(c.value).strip().lower(): c.column
        for c in ws[1]
        if c.value is not None and str(c.value).strip()
    }


def _note(cell: Any, text: str, fill: PatternFill) -> None:
    cell.fill = fill
    cell.comment = Comment(text, AUTHOR, width=320, height=110)


def _p(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def _lane_comment(r: LaneResult, source: str) -> str:
    f = r.fit
    assert f is not None
    return (
        f"From {source}: was {r.planner_cell}. {f.n} deliveries, mean {f.mean:.1f} d, "
        f"sd {f.sd:.1f} d; {f.family} by AIC ({f.aic:.1f}); chi-square p = {_p(f.gof_pvalue)}."
    )


def write_fitted_workbook(
    workbook: str | os.PathLike[str], out: str | os.PathLike[str], fit: HistoryFit
) -> dict[str, int]:
    """Write ``workbook`` with ``fit`` applied to ``out``; returns counts of what changed
    (``lanes``, ``lanes_kept``, ``suppliers``, ``suppliers_kept``)."""
    src, dst = Path(workbook), Path(out)
    refuse_overwrite_input(dst, src)
    if dst.suffix.lower() != ".xlsx":
        raise JitriskError(f"cannot write {dst.name}: the new workbook's name must end in .xlsx")
    wb = load_workbook(src)
    counts = {"lanes": 0, "lanes_kept": 0, "suppliers": 0, "suppliers_kept": 0}
    try:
        _lanes(wb["Lanes"], fit, counts)
        _disruptions(wb["Disruptions"], fit, counts)
        _fit_sheet(wb, fit)
        atomic_write(dst, lambda tmp: wb.save(tmp))
    except KeyError as exc:
        raise JitriskError(f"{src.name} has no sheet {exc}") from None
    finally:
        wb.close()
    return counts


def _lanes(ws: Worksheet, fit: HistoryFit, counts: dict[str, int]) -> None:
    col = _columns(ws)
    c_from, c_to, c_lead = col["from"], col["to"], col["lead_time_days"]
    for row in range(2, ws.max_row + 1):
        a, b = ws.cell(row, c_from).value, ws.cell(row, c_to).value
        r = fit.lanes.get(f"{str(a).strip()}->{str(b).strip()}")
        if r is None:
            continue
        cell = ws.cell(row, c_lead)
        if r.fit is None:
            _note(cell, f"Kept the planner's value: {r.reason}.", KEPT)
            counts["lanes_kept"] += 1
        else:
            comment = _lane_comment(r, fit.source)
            cell.value = r.fit.cell
            _note(cell, comment, CHANGED)
            counts["lanes"] += 1


def _disruptions(ws: Worksheet, fit: HistoryFit, counts: dict[str, int]) -> None:
    col = _columns(ws)
    need = ("scope", "kind", "events_per_year", "duration_days")
    if any(k not in col for k in need):
        missing = [k for k in need if k not in col]
        raise JitriskError(f"the Disruptions sheet has no column {', '.join(missing)}")
    rows: dict[str, int] = {}
    for row in range(2, ws.max_row + 1):
        scope = str(ws.cell(row, col["scope"]).value or "").strip()
        kind = str(ws.cell(row, col["kind"]).value or "").strip().lower()
        scripted = "start_day" in col and ws.cell(row, col["start_day"]).value is not None
        scenario = "scenario" in col and ws.cell(row, col["scenario"]).value not in (None, "")
        if kind == "outage" and not scripted and not scenario and scope not in rows:
            rows[scope] = row
    for sid, s in fit.suppliers.items():
        found_row = rows.get(sid)
        if s.kept_planner_value:
            if found_row is not None:
                _note(ws.cell(found_row, col["events_per_year"]), f"Kept: {s.reason}.", KEPT)
            counts["suppliers_kept"] += 1
            continue
        ep = s.episodes
        if found_row is None and not ep.episodes:
            continue  # no outage seen and none planned: nothing to write
        if found_row is None:
            row = ws.max_row + 1
            ws.cell(row, col["scope"]).value = sid
            ws.cell(row, col["kind"]).value = "outage"
            was_rate, was_duration = "none", "none"
        else:
            row = found_row
            was_rate = _old_rate(ws, row, col)
            was_duration = str(ws.cell(row, col["duration_days"]).value or "1")
        if "probability_per_day" in col:
            ws.cell(row, col["probability_per_day"]).value = None
        found = (
            f"From {fit.source}: {len(ep.episodes)} episodes in {s.n} deliveries over "
            f"{ep.years:.1f} years (late beyond {ep.threshold_days:.1f} d)"
        )
        rate = ws.cell(row, col["events_per_year"])
        rate.value = round(ep.events_per_year, 4)
        _note(rate, f"{found}; was {was_rate}.", CHANGED)
        if ep.cell is not None:
            dur = ws.cell(row, col["duration_days"])
            dur.value = ep.cell
            _note(dur, f"{found}; mean {ep.mean_duration_days:.1f} d; was {was_duration}.", CHANGED)
        counts["suppliers"] += 1


def _old_rate(ws: Worksheet, row: int, col: dict[str, int]) -> str:
    p = ws.cell(row, col["probability_per_day"]).value if "probability_per_day" in col else None
    if p not in (None, ""):
        return f"probability_per_day {p}"
    return f"events_per_year {ws.cell(row, col['events_per_year']).value or 0}"


def _fit_sheet(wb: Any, fit: HistoryFit) -> None:
    if FIT_SHEET in wb.sheetnames:
        del wb[FIT_SHEET]
    ws = wb.create_sheet(FIT_SHEET)
    bold = Font(bold=True)
    ws.append([f"Fitted from {fit.source}: {fit.rows_used:,} of {fit.lines.rows_read:,} rows used"])
    ws["A1"].font = bold
    ws.append([])
    head = ["lane", "n", "family", "cell", "mean (d)", "sd (d)", "AIC", "chi-square", "p-value",
            "kept planner value", "why"]  # fmt: skip
    ws.append(head)
    for c in ws[ws.max_row]:
        c.font = bold
    for key, r in fit.lanes.items():
        d = r.as_dict()
        ws.append([key, d["n"], d["family"], d["cell"], d["mean"], d["sd"], d["aic"],
                   d["gof_statistic"], d["gof_pvalue"], "yes" if r.fit is None else "no",
                   r.reason])  # fmt: skip
    ws.append([])
    ws.append(
        ["supplier", "n", "episodes", "events per year", "mean duration (d)", "duration cell",
         "on time", "in full", "kept planner value", "episode starts"]
    )  # fmt: skip
    for c in ws[ws.max_row]:
        c.font = bold
    for sid, s in fit.suppliers.items():
        ep = s.episodes
        starts = ", ".join(f"{e.start.isoformat()} ({e.duration_days} d)" for e in ep.episodes)
        ws.append([sid, s.n, len(ep.episodes), ep.events_per_year, ep.mean_duration_days,
                   ep.cell, s.on_time_share, s.in_full_share,
                   "yes" if s.kept_planner_value else "no", starts])  # fmt: skip
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["D"].width = 30
