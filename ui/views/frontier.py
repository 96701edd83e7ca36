"""The Frontier view: how much safety stock is worth buying, and where.

Runs :func:`ui.logic.frontier.compute_frontier` on its worker: the frontier of
revenue at risk a year against inventory value held, the recommended plan
(the last steps that remove at least their own holding cost), confirmed on
fresh random numbers beside today's plan, the guaranteed-service plan and the
workbook's scenarios. Shows the takeaway, the chart and the per-site table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from jitrisk.engine import Progress
from jitrisk.model.records import Network

from ..figures import analysis as analysis_charts
from ..figures.frontier import data_spots, frontier_figure
from ..logic.formatting import MISSING, format_compact
from ..logic.frontier import (
    DEFAULT_CONFIRM,
    DEFAULT_TRIALS,
    FrontierOutcome,
    FrontierPlan,
    FrontierRequest,
    FrontierRow,
    compute_frontier,
    frontier_plans,
    headline,
    run_info,
    site_rows,
    what_if_name,
)
from ..logic.messages import plural
from ..logic.scenario_edits import WhatIf, suggest_name
from ..widgets.common import split, styled_label
from ..widgets.inputs import PercentBox, fill_scenarios, labelled, scenario_box, spin_box
from ..widgets.records_table import Column, RecordsModel, fit_columns, records_table, scaled
from ..workers.worker import TaskContext
from .analysis_base import AnalysisView, chart_image


def _days(v: float | None) -> str:
    return MISSING if v is None or not math.isfinite(v) else f"{v:,.1f}"


COLUMNS = (
    Column("Site", "Site id.", lambda r: r.site_id, lambda r: r.site_id, numeric=False),
    Column("Name", "Readable name.", lambda r: r.name, lambda r: r.name, numeric=False),
    Column("Now (d)", "Safety stock today, days of cover.", lambda r: _days(r.current_days),
           lambda r: r.current_days),
    Column("Plan (d)", "Days of cover in the plan shown: the recommended one, or the point "
           "of the chart you clicked.", lambda r: _days(r.recommended_days),
           lambda r: r.recommended_days),
    Column("GSM (d)", "Days the guaranteed-service plan sets (demand swings only).",
           lambda r: _days(r.gsm_days), lambda r: r.gsm_days if r.gsm_days is not None else -1),
    Column("Extra value", "Inventory value of the extra days.",
           lambda r: format_compact(r.extra_value), lambda r: r.extra_value),
    Column("Holding a year", "What the extra days cost to hold a year.",
           lambda r: format_compact(r.extra_holding), lambda r: r.extra_holding),
    Column("Removes a year", "Revenue at risk a year the site's extra days removed in the "
           "search, each day given the days taken before it; the sites add up to the plan's.",
           lambda r: format_compact(r.removes), lambda r: r.removes),
)  # fmt: skip


def frontier_task(
    net: Network, request: FrontierRequest
) -> Callable[[TaskContext], FrontierOutcome]:
    def task(context: TaskContext) -> FrontierOutcome:
        return compute_frontier(
            net,
            request,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            cluster=context.cluster(),
        )

    return task


class FrontierView(AnalysisView):
    """The frontier chart, the takeaway and the reconciled per-site table."""

    ANALYSIS = "frontier"
    TITLE = "Frontier"
    SUBTITLE = (
        "How much safety stock is worth buying: revenue at risk a year against stock held, "
        "and the plan after which a day of cover costs more to hold than it protects."
    )
    IDLE_TEXT = "Press Run to build the frontier and the recommended plan (about a minute)."

    #: the planner asks to run a plan of the chart as a what-if scenario
    apply_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trials_spin = spin_box(20, 100_000, DEFAULT_TRIALS, 50, "Trials of the search.")
        self.confirm_spin = spin_box(
            20, 100_000, DEFAULT_CONFIRM, 500, "Trials of the confirmation on fresh numbers."
        )
        self.rate_box = PercentBox(
            0.0, 100.0, 0.0, "Yearly holding cost as a share of value; 0: each site's own rate."
        )
        self.rate_box.setSpecialValueText("each site's")
        self.scenario_combo = scenario_box()
        self.controls.addWidget(labelled("Search trials", self.trials_spin))
        self.controls.addWidget(labelled("Confirm on", self.confirm_spin))
        self.controls.addWidget(labelled("Holding rate", self.rate_box))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.run_button.setToolTip("Build the frontier and the recommended plan")
        self.canvas = chart_image(analysis_charts.empty_figure, "Press Run", (420, 360))
        self.canvas.point_clicked.connect(self.show_plan)
        self.model = RecordsModel(COLUMNS, self)
        self.table = records_table(self.model, self)
        self.plan_label = styled_label("", "Muted", wrap=True)
        self.apply_button = QPushButton("Run as what-if")
        self.apply_button.setToolTip(
            "Add the plan shown as a what-if scenario (its days of cover per site) and run it"
        )
        self.apply_button.clicked.connect(self.apply_plan)
        self.apply_button.setEnabled(False)
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.plan_label, 1)
        plan_row.addWidget(self.apply_button)
        table_box = QWidget()
        box = QVBoxLayout(table_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(plan_row)
        box.addWidget(self.table, 1)
        self._outcome: FrontierOutcome | None = None
        self._plans: dict[str, FrontierPlan] = {}
        self._plan: FrontierPlan | None = None
        self.splitter = split(self.canvas, table_box, stretch=(3, 2))
        self.share_space(self.splitter, 3, 2)
        self.result_layout.addWidget(self.splitter, 1)
        self.set_network(None)

    def input_widgets(self) -> list[QWidget]:
        return [self.trials_spin, self.confirm_spin, self.rate_box, self.scenario_combo]

    def network_changed(self, network: Network | None) -> None:
        fill_scenarios(self.scenario_combo, network)

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        rate = self.rate_box.value() / 100.0
        request = FrontierRequest(
            self.trials_spin.value(),
            self.confirm_spin.value(),
            rate if rate > 0 else None,
            self.scenario_combo.currentText() or "baseline",
        )
        return frontier_task(self.network, request), request.describe()

    def describe_progress(self, progress: Progress) -> str:
        return f"{progress.done:,} simulations"

    def refit_tables(self) -> None:
        if self.model.rowCount() > 0:
            fit_columns(self.table, scaled(self.table, 200))

    def show_outcome(self, outcome: FrontierOutcome) -> None:
        self.headline.setText(headline(outcome))
        self.run_info.setText(run_info(outcome))
        self._outcome = outcome
        self._plans = frontier_plans(outcome)
        doc, currency = outcome.doc, outcome.currency
        where = {k: (p.inventory_value, p.revenue_at_risk) for k, p in self._plans.items()}
        self.canvas.set_figure(
            lambda figure: frontier_figure(doc, currency, figure=figure), spots=data_spots(where)
        )
        self.show_plan("recommended" if "recommended" in self._plans else "current")

    def show_plan(self, key: str) -> bool:
        """Show the plan of the chart's point ``key`` in the table (a click on the chart)."""
        plan = self._plans.get(key)
        if self._outcome is None or plan is None:
            return False
        self._plan = plan
        rows: list[FrontierRow] = site_rows(self._outcome, plan)
        self.model.set_rows(rows)
        fit_columns(self.table, scaled(self.table, 200))
        held = format_compact(plan.inventory_value)
        risk = format_compact(plan.revenue_at_risk)
        self.plan_label.setText(
            f"<b>{plan.label}</b>: {held} {self._outcome.currency} held, {risk} at risk a "
            f"year; {plural(len(rows), 'site differs', 'sites differ')} from today. Click a "
            "point of the chart for "
            "another plan."
        )
        self.apply_button.setEnabled(plan.key != "current" and bool(rows))
        return True

    def apply_plan(self) -> bool:
        """Ask the window to run the plan shown as a what-if scenario."""
        outcome, plan = self._outcome, self._plan
        if outcome is None or plan is None or self.network is None:
            return False
        changed = tuple(r.site_id for r in site_rows(outcome, plan))
        if not changed:
            return False
        whatif = WhatIf(
            name=suggest_name(self.network, what_if_name(outcome, plan)),
            sites=changed,
            base=outcome.request.scenario,
            site_days=tuple((sid, float(plan.days[sid])) for sid in changed),
        )
        self.apply_requested.emit(whatif)
        return True
