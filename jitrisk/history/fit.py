"""Fitting a network's lanes and suppliers to a delivery history.

For every supplier of the workbook with usable lines (:mod:`.lines`):

* its disruption episodes (:mod:`.episodes`), over all its lines;
* for every lane leaving it, the lead-time fit (:mod:`.fitting`) of the
  lines to that lane's receiver (or without a receiver: the supplier's lines
  count for each of its lanes), the abnormally late deliveries left out.

Too little data keeps the planner's value, flagged: a lane needs
:data:`MIN_LANE_LINES` usable, undisrupted lines; a supplier's disruption
profile needs :data:`MIN_SUPPLIER_LINES` lines over at least
:data:`MIN_SUPPLIER_DAYS` days of orders. Both thresholds are where the
standard error of a mean or a rate falls to about a fifth of the spread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model.records import Network
from .columns import resolve_columns
from .episodes import Episodes, find_episodes
from .fitting import LeadTimeFit, fit_lead_times
from .lines import Line, Lines, usable_lines
from .reading import HistoryProblem, RawTable

MIN_LANE_LINES = 30
MIN_SUPPLIER_LINES = 30
MIN_SUPPLIER_DAYS = 180


@dataclass
class LaneResult:
    """A lane's fit, or why the planner's value was kept."""

    source: str
    target: str
    planner_cell: str
    days: np.ndarray  # the lead times fitted (undisrupted)
    fit: LeadTimeFit | None
    reason: str = ""
    late_mean: float | None = None
    on_time_share: float | None = None
    in_full_share: float | None = None

    @property
    def key(self) -> str:
        return f"{self.source}->{self.target}"

    @property
    def kept_planner_value(self) -> bool:
        return self.fit is None

    def as_dict(self) -> dict[str, Any]:
        f = self.fit
        return {
            "n": len(self.days),
            "family": f.family if f else None,
            "mean": float(np.mean(self.days)) if len(self.days) else None,
            "sd": float(np.std(self.days, ddof=1)) if len(self.days) > 1 else None,
            "cell": f.cell if f else self.planner_cell,
            "aic": f.aic if f else None,
            "gof_pvalue": f.gof_pvalue if f else None,
            "gof_statistic": f.gof_statistic if f else None,
            "kept_planner_value": self.kept_planner_value,
            "reason": self.reason,
            "planner_cell": self.planner_cell,
            "candidates_aic": f.candidates if f else {},
            "lateness_mean_days": self.late_mean,
            "on_time_share": self.on_time_share,
            "in_full_share": self.in_full_share,
        }


@dataclass
class SupplierResult:
    """A supplier's delivery record and disruption episodes."""

    site_id: str
    n: int
    episodes: Episodes
    on_time_share: float | None
    in_full_share: float | None
    kept_planner_value: bool
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        ep = self.episodes
        return {
            "n": self.n,
            "on_time_share": self.on_time_share,
            "in_full_share": self.in_full_share,
            "disruptions": {
                "episodes": [e.as_dict() for e in ep.episodes],
                "events_per_year": ep.events_per_year,
                "mean_duration_days": ep.mean_duration_days,
                "cell": ep.cell,
                "threshold_days": ep.threshold_days,
                "kept_planner_value": self.kept_planner_value,
                "reason": self.reason,
            },
        }


@dataclass
class HistoryFit:
    """Everything :func:`fit_history` found (the ``jitrisk fit --json`` document)."""

    source: str
    mapping: dict[str, str]
    lanes: dict[str, LaneResult]
    suppliers: dict[str, SupplierResult]
    lines: Lines
    problems: list[HistoryProblem] = field(default_factory=list)

    @property
    def rows_used(self) -> int:
        return len(self.lines.lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "columns": self.mapping,
            "lanes": {k: v.as_dict() for k, v in self.lanes.items()},
            "suppliers": {k: v.as_dict() for k, v in self.suppliers.items()},
            "problems": [p.as_dict() for p in self.problems],
            "rows": {
                "read": self.lines.rows_read,
                "used": self.rows_used,
                "open": self.lines.open_lines,
                "cancelled": self.lines.cancelled,
                "unmatched_supplier": sum(self.lines.unmatched.values()),
            },
            "unmatched_suppliers": self.lines.unmatched,
            "notes": self.lines.notes,
            "thresholds": {
                "min_lane_lines": MIN_LANE_LINES,
                "min_supplier_lines": MIN_SUPPLIER_LINES,
                "min_supplier_days": MIN_SUPPLIER_DAYS,
            },
        }


def _shares(lines: list[Line]) -> tuple[float | None, float | None, float | None]:
    late = [ln.late_days for ln in lines if ln.late_days is not None]
    full = [ln.in_full for ln in lines if ln.in_full is not None]
    return (
        float(np.mean(late)) if late else None,
        float(np.mean([d <= 0 for d in late])) if late else None,
        float(np.mean(full)) if full else None,
    )


def fit_history(
    net: Network, table: RawTable, columns: Mapping[str, str] | None = None
) -> HistoryFit:
    """Fit ``net``'s lanes and suppliers to ``table`` (see the module docstring);
    ``columns`` overrides the guessed key -> header mapping."""
    mapping = resolve_columns(table.headers, columns)
    lines = usable_lines(table, mapping, net)
    by_supplier: dict[str, list[Line]] = {}
    for ln in lines.lines:
        by_supplier.setdefault(ln.supplier, []).append(ln)
    problems = list(lines.problems)
    suppliers: dict[str, SupplierResult] = {}
    lanes: dict[str, LaneResult] = {}
    as_of = lines.as_of
    missing: dict[str, list[dt.date]] = {}
    for sid, ordered in lines.missing:
        missing.setdefault(sid, []).append(ordered)
    for sid, own in by_supplier.items():
        waiting = missing.get(sid, [])
        ep = find_episodes(
            [ln.ordered for ln in own], [ln.lead_days for ln in own], missing=waiting, as_of=as_of
        )
        span = (max(ln.ordered for ln in own) - min(ln.ordered for ln in own)).days
        enough = len(own) >= MIN_SUPPLIER_LINES and span >= MIN_SUPPLIER_DAYS
        reason = (
            ""
            if enough
            else f"{len(own)} lines over {span} days: at least {MIN_SUPPLIER_LINES} lines "
            f"over {MIN_SUPPLIER_DAYS} days are needed"
        )
        _late, on_time, in_full = _shares(own)
        suppliers[sid] = SupplierResult(sid, len(own), ep, on_time, in_full, not enough, reason)
        normal = [ln for ln, bad in zip(own, ep.abnormal, strict=True) if not bad]
        targets = {lane.target for lane in net.lanes_from(sid)}
        for ln in own:
            if ln.to is not None and ln.to not in targets:
                problems.append(
                    HistoryProblem(ln.row, mapping.get("to", ""), f"no lane {sid}->{ln.to}")
                )
        for lane in net.lanes_from(sid):
            mine = [ln for ln in normal if ln.to in (None, lane.target)]
            days = np.array([ln.lead_days for ln in mine], dtype=np.int64)
            late, on_time_l, in_full_l = _shares([ln for ln in own if ln.to in (None, lane.target)])
            result = LaneResult(
                sid, lane.target, str(lane.lead_time), days, None, "", late, on_time_l, in_full_l
            )
            if len(days) < MIN_LANE_LINES:
                result.reason = f"{len(days)} usable lines: at least {MIN_LANE_LINES} are needed"
            else:
                result.fit = fit_lead_times(days)
            lanes[result.key] = result
    problems.sort(key=lambda p: (p.row, p.column))
    return HistoryFit(table.source, mapping, lanes, suppliers, lines, problems)
