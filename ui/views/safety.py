"""The Safety stock view: the guaranteed-service plan and the disruption-aware plan side by side.

* **Guaranteed service** (Graves & Willems; :func:`jitrisk.analysis.gsm.place_gsm`):
  safety stock against demand variability at a service level; solved in
  seconds.
* **Disruption-aware** (:func:`jitrisk.analysis.placement.place_by_simulation`):
  an inventory-value budget spent on days of cover where they cut expected
  lost revenue (or the chance of any customer stockout) most under the
  workbook's disruption profile; then the current, the GSM and the chosen plan
  are simulated on the same fresh random numbers.

The work is the plain function :func:`compute_plans` (progress callback,
cancellation check); the view runs it on its worker and shows a card per plan,
a bar chart of the plans and a per-site table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from jitrisk.analysis.gsm.stages import optimality_words
from jitrisk.analysis.placement import (
    current_days,
    mean_flows,
)
from jitrisk.engine import Progress
from jitrisk.model.records import Network
from jitrisk.model.vocabulary import MAX_SERVICE_LEVEL
from jitrisk.report.tables import revenue_words

from .. import theme
from ..figures import analysis as analysis_charts
from ..figures.analysis import PLAN_STYLES
from ..logic.formatting import (
    MISSING,
    format_compact,
    format_money,
    format_money_ci,
    format_percent_ci,
)
from ..logic.safety import (
    CARD_TITLES,
    DEFAULT_BUDGET_SHARE,
    DEFAULT_PLACE_TRIALS,
    OBJECTIVES,
    GsmPlan,
    PlanSummary,
    SafetyOutcome,
    SafetyRequest,
    SiteRow,
    _num,
    _sort,
    _value,
    compute_plans,
    headline,
    nice_amount,
    run_info,
)
from ..logic.tasks import RunOutcome
from ..widgets.common import column_layout, paint_accent, split, styled_label
from ..widgets.flow import SideBySide
from ..widgets.inputs import PercentBox, fill_scenarios, labelled, scenario_box, spin_box
from ..widgets.records_table import Column, RecordsModel, fit_columns, records_table, scaled, tint
from ..workers.worker import TaskContext
from .analysis_base import AnalysisErrors, AnalysisView, InputProblem, chart_image

# ----------------------------------------------------------------------------- work


def safety_task(
    net: Network, request: SafetyRequest, gsm: GsmPlan | None = None
) -> Callable[[TaskContext], SafetyOutcome]:
    """The worker task running :func:`compute_plans` with the context's hooks."""

    def task(context: TaskContext) -> SafetyOutcome:
        return compute_plans(
            net,
            request,
            gsm,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            cluster=context.cluster() if request.budget is not None else None,
        )

    return task


# ----------------------------------------------------------------------------- table


def _gsm_tint(_r: SiteRow) -> QColor:
    return tint(PLAN_STYLES[1][0], 22)


def _aware_tint(r: SiteRow) -> QColor:
    strong = math.isfinite(r.extra_days) and r.extra_days > 0
    return tint(PLAN_STYLES[2][0], 70 if strong else 22)


def site_columns(currency: str = "") -> tuple[Column, ...]:
    unit = f" ({currency})" if currency else ""
    return (
        Column("Site", "Stocking site.", lambda r: r.site_id, lambda r: r.site_id.lower(), False),
        Column("Name", "Readable name.", lambda r: r.name, lambda r: r.name.lower(), False),
        Column(
            "Current\ndays",
            "Safety stock in days of cover in the workbook now (a units override as days).",
            lambda r: _num(r.current_days),
            lambda r: _sort(r.current_days),
        ),
        Column(
            "GSM\nsafety days",
            "Guaranteed-service safety stock in days of the mean daily flow through the site.",
            lambda r: _num(r.gsm_days),
            lambda r: _sort(r.gsm_days),
            tint=_gsm_tint,
        ),
        Column(
            "Disruption-aware\nsafety days",
            "Safety stock in days of cover under the disruption-aware plan.",
            lambda r: _num(r.aware_days),
            lambda r: _sort(r.aware_days),
            tint=_aware_tint,
        ),
        Column(
            "Disruption-aware\nextra days",
            "Days of cover the disruption-aware plan adds to the current buffer.",
            lambda r: (
                (f"+{r.extra_days:g}" if r.extra_days > 0 else "0")
                if math.isfinite(r.extra_days)
                else MISSING
            ),
            lambda r: _sort(r.extra_days),
            tint=_aware_tint,
            bold=lambda r: math.isfinite(r.extra_days) and r.extra_days > 0,
        ),
        Column(
            f"Extra\nvalue{unit}",
            "Inventory value of the extra days: days × mean daily flow × unit value.",
            lambda r: format_compact(r.extra_value) if r.extra_value > 0 else "",
            lambda r: _sort(r.extra_value),
            tint=_aware_tint,
        ),
        Column(
            "GSM\nunits",
            "Guaranteed-service safety stock in units: z · σ · √(net lead time).",
            lambda r: _num(r.gsm_units, 0),
            lambda r: _sort(r.gsm_units),
            tint=_gsm_tint,
        ),
        Column(
            f"GSM\nvalue{unit}",
            "Value of the guaranteed-service safety stock (units × unit value).",
            lambda r: format_compact(r.gsm_value),
            lambda r: _sort(r.gsm_value),
            tint=_gsm_tint,
        ),
        Column(
            "GSM service\ntime (d)",
            "Committed outbound service time the GSM plan quotes for the site.",
            lambda r: _num(r.gsm_service_time, 0),
            lambda r: _sort(r.gsm_service_time),
            tint=_gsm_tint,
        ),
        Column("Type", "supplier, plant or dc.", lambda r: r.type, lambda r: r.type, False),
    )


# ----------------------------------------------------------------------------- view


class PlanCard(QFrame):
    """One plan: its colour, inventory value and simulated risk with CIs."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = colour
        layout = column_layout(self, "Tile", (18, 6, 12, 6), 1)
        head = QHBoxLayout()
        self.title_label = styled_label(title, "KpiTitle")
        self.value_label = QLabel(MISSING)
        self.value_label.setStyleSheet(f"font-size: 13pt; font-weight: 600; color: {theme.TEXT};")
        self.value_label.setToolTip("Inventory value of the plan's safety stock")
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.value_label)
        layout.addLayout(head)
        self.lost_label = QLabel("")
        self.stockout_label = QLabel("")
        self.note_label = styled_label("", "Muted", wrap=True)
        for w in (
            self.title_label,
            self.value_label,
            self.lost_label,
            self.stockout_label,
            self.note_label,
        ):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self.lost_label, self.stockout_label, self.note_label):
            layout.addWidget(w)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)

    def set_plan(
        self, plan: PlanSummary | None, currency: str, note: str = "", words: str = ""
    ) -> None:
        """Show ``plan``; ``words`` names its revenue ("revenue at risk (delivered late)"
        with backorders, "lost revenue" with lost sales)."""
        what = f"Expected {words or 'lost revenue'}"
        if plan is None:
            self.value_label.setText(MISSING)
            self.lost_label.setText("")
            self.stockout_label.setText("")
            self.note_label.setText(note)
            return
        self.value_label.setText(
            f"<span style='font-size:9pt; font-weight:400; color:{theme.MUTED}'>stock value"
            f"</span> {format_money(plan.inventory_value, currency)}"
        )
        lr, so = plan.lost_revenue, plan.stockout
        if math.isfinite(lr[0]):
            self.lost_label.setText(f"{what} <b>{format_money_ci(*lr)}</b>")
            self.stockout_label.setText(
                f"P(any customer stockout) <b>{format_percent_ci(*so, decimals=1)}</b>"
            )
        else:
            self.lost_label.setText(f"{what}: not simulated yet")
            self.stockout_label.setText("P(any customer stockout): not simulated yet")
        self.note_label.setText(note)
        self._hold_height()

    def set_compact(self, on: bool) -> None:
        """Leave out the note line (presentation mode: the room goes to the numbers)."""
        self.note_label.setVisible(not on and bool(self.note_label.text()))
        self._hold_height()

    def _hold_height(self) -> None:
        """Never drawn shorter than its text: a splitter short of room would squash it
        (presentation type on a small screen), so its minimum is made explicit."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            # a wrapped note needs its height at the card's width, not one line's
            tall = layout.totalMinimumHeightForWidth(self.width())
            self.setMinimumHeight(
                max(layout.minimumSize().height(), tall, super().minimumSizeHint().height())
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._hold_height()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            # after the labels inside have taken the new type too
            QTimer.singleShot(0, self, self._hold_height)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_accent(self, self._colour, 5)


class SafetyView(AnalysisView):
    """GSM and disruption-aware safety-stock plans: cards, chart and per-site table."""

    #: the planner asks for the frontier of this scenario (its own tab)
    frontier_requested = Signal(str)

    ANALYSIS = "safety-stock planning"
    TITLE = "Safety stock"
    SUBTITLE = (
        "Where safety stock belongs: against demand variability (guaranteed service) and "
        "against the disruptions in the workbook (a budget placed by simulation)."
    )
    IDLE_TEXT = (
        "Press <b>Plan GSM</b> for the guaranteed-service plan (seconds), or <b>Run</b> for "
        "both plans simulated side by side."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._gsm: GsmPlan | None = None
        self._current_value = math.nan
        self._budget_for: Network | None = None
        self.results_runs: dict[str, RunOutcome] = {}
        self._request: SafetyRequest | None = None

        self.service_spin = PercentBox(
            50.0,
            100 * MAX_SERVICE_LEVEL,
            95.0,
            "Service level the guaranteed-service plan protects (α), up to 99.9999 %.",
        )
        self.gsm_button = QPushButton("Plan GSM")
        self.gsm_button.setToolTip("Solve the guaranteed-service plan only (seconds)")
        self.gsm_button.clicked.connect(self.run_gsm)
        self.budget_spin = QDoubleSpinBox()
        self.budget_spin.setRange(0.0, 1e13)
        self.budget_spin.setDecimals(0)
        self.budget_spin.setGroupSeparatorShown(True)
        self.budget_spin.setAccelerated(True)
        self.budget_spin.setMinimumWidth(150)
        self.budget_spin.setToolTip(
            "Extra inventory value the disruption-aware plan may place, on top of the "
            "current safety stock."
        )
        self.objective_combo = QComboBox()
        for key, label in OBJECTIVES.items():
            self.objective_combo.addItem(label, key)
        self.objective_combo.setToolTip("What the disruption-aware plan lowers.")
        self.trials_spin = spin_box(
            10,
            100_000,
            DEFAULT_PLACE_TRIALS,
            50,
            "Trials of the search; the plans are confirmed on twice as many fresh trials.",
        )
        self.scenario_combo = scenario_box()
        self.budget_box = labelled(
            "Extra budget",
            self.budget_spin,
            "Inventory value the disruption-aware plan may add on top of the safety stock "
            "held now.",
        )
        self.budget_caption = self.budget_box.findChild(QLabel)
        gsm_row = QHBoxLayout()
        gsm_row.setSpacing(6)
        gsm_row.addWidget(self.service_spin)
        gsm_row.addWidget(self.gsm_button)
        gsm_box = QWidget()
        gsm_box.setLayout(gsm_row)
        gsm_row.setContentsMargins(0, 0, 0, 0)
        self.controls.addWidget(labelled("GSM service level", gsm_box))
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setStyleSheet(f"color: {theme.BORDER};")
        self.controls.addWidget(line)
        self.controls.addWidget(self.budget_box)
        self.controls.addWidget(labelled("Lower", self.objective_combo))
        self.controls.addWidget(labelled("Trials", self.trials_spin))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.run_button.setToolTip(
            "Solve the GSM plan, search the disruption-aware plan and simulate both"
        )
        # the budget question's answer: how much buffer is worth buying, on the same scenario
        self.frontier_button = QPushButton("How much to buy? Frontier…")
        self.frontier_button.setToolTip(
            "The frontier of revenue at risk against stock held, and the recommended plan "
            "(Ctrl+9), on this scenario"
        )
        self.frontier_button.clicked.connect(
            lambda: self.frontier_requested.emit(self.scenario_combo.currentText())
        )
        self.feedback_row.addWidget(self.frontier_button)  # beside Run: no wider inputs

        # the cards beside their chart, or above it on a narrow window
        top = SideBySide(spacing=10)
        top_layout = top.box
        cards = QVBoxLayout()
        cards.setSpacing(6)
        self.cards = [PlanCard(name, PLAN_STYLES[i][0]) for i, name in enumerate(CARD_TITLES)]
        for card in self.cards:
            card.setMinimumWidth(360)  # and wider when a value needs it: the column shares it
            card.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Maximum)
            cards.addWidget(card)
        cards.addStretch(1)
        top_layout.addLayout(cards)
        self.canvas = chart_image(analysis_charts.empty_figure, "Press Run", (320, 200))
        top_layout.addWidget(self.canvas, 1)
        self.model = RecordsModel(site_columns(), self)
        self.table = records_table(self.model, self)
        self.splitter = split(top, self.table, stretch=None)
        self.share_space(self.splitter, 3, 4)
        self.result_layout.addWidget(self.splitter, 1)
        self._drawn = False
        self.set_network(None)

    def set_presentation(self, on: bool) -> None:
        for card in self.cards:
            card.set_compact(on)
        super().set_presentation(on)

    def refit_tables(self) -> None:
        if self.model.rowCount() > 0:
            fit_columns(self.table, scaled(self.table, 160))

    def input_widgets(self) -> list[QWidget]:
        return [
            self.service_spin,
            self.gsm_button,
            self.budget_spin,
            self.objective_combo,
            self.trials_spin,
            self.scenario_combo,
        ]

    def network_changed(self, network: Network | None) -> None:
        self._gsm = None
        fill_scenarios(self.scenario_combo, network)
        if network is not None:
            self.service_spin.setValue(100 * network.settings.service_level)
            self.budget_spin.setPrefix(f"{network.settings.currency} ")
        self._budget_for = None
        if network is not None and self.isVisible():
            self._init_budget()

    def set_scenarios(self, network: Network | None) -> None:
        old = self.network
        super().set_scenarios(network)
        if old is not None and self._budget_for is old:
            # same sites and data, one scenario more or less: the budget stays as set
            self._budget_for = self.network

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.network is not None and self._budget_for is not self.network:
            QTimer.singleShot(0, self, self._init_budget)

    def _init_budget(self) -> None:
        """Default budget: a round share of the current safety stock's value (computed
        when the view is first shown, not on every load)."""
        net = self.network
        if net is None or self._budget_for is net:
            return
        self._budget_for = net
        try:
            flows = mean_flows(net)
            self._current_value = _value(net, current_days(net, flows), flows)
        except Exception:  # a network the engine cannot compile: Run will say why
            self._current_value = math.nan
            return
        budget = nice_amount(self._current_value * DEFAULT_BUDGET_SHARE)
        self.budget_spin.setSingleStep(max(nice_amount(budget / 5), 1.0))
        self.budget_spin.setValue(budget)
        if self.budget_caption is not None and math.isfinite(self._current_value):
            currency = self.network.settings.currency if self.network is not None else ""
            held = format_money(self._current_value, currency)
            self.budget_caption.setText(f"Extra budget (safety stock now: {held})")

    def _request_from_inputs(self, with_budget: bool) -> SafetyRequest:
        self._init_budget()
        budget = self.budget_spin.value() if with_budget else None
        if with_budget and not budget:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Extra budget",
                    reason="A budget of 0 places no safety stock.",
                    hint="Enter the extra inventory value the plan may place, e.g. 1% of the "
                    "current safety stock.",
                )
            )
        scenario = self.scenario_combo.currentText() or "baseline"
        run = self.results_runs.get(scenario)
        same = None if run is None else (run.request.seed, run.request.trials, run.request.days)
        return SafetyRequest(
            self.service_spin.value() / 100.0,
            budget,
            str(self.objective_combo.currentData()),
            self.trials_spin.value(),
            scenario,
            same,
        )

    def set_runs(self, runs: Mapping[str, RunOutcome]) -> None:
        """The Results runs kept: the current plan of a scenario with one is confirmed on
        that run's numbers, so this view and Results show the same baseline."""
        self.results_runs = dict(runs)

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        request = self._request_from_inputs(with_budget=True)
        self._request = request
        return safety_task(self.network, request, self._gsm), request.describe()

    def run_gsm(self) -> bool:
        """Solve the guaranteed-service plan only."""
        if self.network is None or self.is_running():
            return False
        for key in ("analysis_failed", "analysis_cancelled", "bad_input"):
            self.messages.clear(key)
        request = self._request_from_inputs(with_budget=False)
        self._request = request
        self.start_task(safety_task(self.network, request, None), request.describe())
        return True

    def describe_progress(self, progress: Progress) -> str:
        return f"Simulation {progress.done} of about {progress.total}"

    def show_outcome(self, outcome: SafetyOutcome) -> None:
        self._gsm = outcome.gsm
        cur = outcome.currency
        self.headline.setText(headline(outcome))
        self.run_info.setText(run_info(outcome))
        gsm = outcome.gsm.solution
        notes = [
            "Safety stock as set in the workbook"
            + (": the Results run's numbers." if outcome.request.baseline_run else "."),
            f"Holding cost {format_money(gsm.total_cost, cur)} a year "
            f"({optimality_words(gsm.gap)}).",
            "",
        ]
        if outcome.placement is not None:
            p = outcome.placement
            notes[2] = (
                f"{format_money(p.spent, cur)} of the {format_money(p.budget, cur)} budget placed."
            )
        words = revenue_words(outcome.unmet_demand)
        for i, card in enumerate(self.cards):
            plan = outcome.plans[i] if i < len(outcome.plans) else None
            note = notes[i] if plan is not None else "Press Run to place a budget."
            card.set_plan(plan, cur, note, words)
        self.model.columns = site_columns(cur)
        self.model.set_rows(outcome.rows)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.model().sort(-1)
        fit_columns(self.table, scaled(self.table, 160))
        self._drawn = False
        QTimer.singleShot(0, self, lambda: self._draw(outcome))

    def _draw(self, outcome: SafetyOutcome) -> None:
        if outcome is not self.outcome:
            return
        plans, currency = outcome.plans, outcome.currency
        self.canvas.set_figure(
            lambda figure: analysis_charts.plan_comparison_figure(
                plans, currency=currency, figure=figure
            )
        )
        self._drawn = True

    def chart_drawn(self) -> bool:
        return self._drawn
