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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jitrisk.analysis.gsm import GSMSolution, place_gsm
from jitrisk.analysis.placement import (
    PlacementResult,
    PlanEvaluation,
    current_days,
    mean_flows,
    place_by_simulation,
)
from jitrisk.engine import Progress
from jitrisk.errors import SimulationCancelled
from jitrisk.model.records import Network
from ui.logic.buffers import scenario_network
from ui.views.analysis_base import AnalysisErrors, AnalysisView, ChartCanvas, InputProblem
from ui.widgets.inputs import fill_scenarios, labelled, scenario_box, spin_box
from ui.widgets.records_table import Column, RecordsModel, fit_columns, records_table, tint

from .. import theme
from ..figures import analysis as analysis_charts
from ..figures.analysis import PLAN_STYLES, PlanSummary
from ..logic.formatting import (
    MISSING,
    format_compact,
    format_duration,
    format_money,
    format_money_ci,
    format_percent,
    format_percent_ci,
)
from ..workers.worker import TaskContext

DEFAULT_PLACE_TRIALS = 100
#: The default budget: this share of the current safety stock's value, rounded.
DEFAULT_BUDGET_SHARE = 0.01
OBJECTIVES = {
    "lost_revenue": "Expected lost revenue",
    "stockout": "P(any customer stockout)",
}
PLAN_NAMES = ("Current plan", "Guaranteed service (GSM)", "Disruption-aware")
#: The same plans on the cards (narrower: the stock value shares the line).
CARD_TITLES = ("Current plan", "Guaranteed service", "Disruption-aware")


def nice_amount(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten (at least 1)."""
    if not (value > 0 and math.isfinite(value)):
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if value >= step * power:
            return float(step * power)
    return float(power)


# ----------------------------------------------------------------------------- work


@dataclass(frozen=True)
class SafetyRequest:
    """What the Safety stock view asks for (``budget`` None: the GSM plan only)."""

    service_level: float
    budget: float | None
    objective: str
    trials: int
    scenario: str

    def describe(self) -> str:
        if self.budget is None:
            return f"Guaranteed-service plan at {self.service_level:.1%}"
        return (
            f"Both plans: GSM at {self.service_level:.1%}, disruption-aware with a budget of "
            f"{format_compact(self.budget)} ({self.trials:,} trials)"
        )


@dataclass(frozen=True)
class GsmPlan:
    """A solved guaranteed-service plan and the days of cover it sets."""

    service_level: float
    scenario: str
    solution: GSMSolution
    doc: dict[str, Any]
    days: dict[str, float]  # sites with a defined safety-stock days


@dataclass(frozen=True)
class SiteRow:
    """One row of the per-site table."""

    site_id: str
    name: str
    type: str
    current_days: float
    gsm_days: float
    gsm_units: float
    gsm_value: float
    gsm_service_time: float
    extra_days: float  # NaN without a disruption-aware plan
    aware_days: float
    extra_value: float


@dataclass(frozen=True)
class SafetyOutcome:
    """Both plans (or the GSM plan alone), ready to show."""

    request: SafetyRequest
    gsm: GsmPlan
    placement: PlacementResult | None
    rows: list[SiteRow]
    plans: list[PlanSummary]
    current_value: float
    gsm_value: float
    elapsed: float
    currency: str = ""


def solve_gsm(net: Network, service_level: float, scenario: str) -> GsmPlan:
    """The guaranteed-service plan of ``scenario`` at ``service_level``. Qt-free."""
    solution = place_gsm(scenario_network(net, scenario), service_level)
    doc = solution.to_dict()
    days = {
        sid: float(v["safety_stock_days"])
        for sid, v in doc["sites"].items()
        if v.get("safety_stock_days") is not None and math.isfinite(v["safety_stock_days"])
    }
    return GsmPlan(service_level, scenario, solution, doc, days)


def _value(net: Network, days: dict[str, float], flows: dict[str, float]) -> float:
    """Inventory value of a plan, as :func:`jitrisk.analysis.placement.evaluate_plan` counts it."""
    return sum(d * flows[s] * net.site_by_id[s].unit_value for s, d in days.items())


def _summary(name: str, value: float, ev: PlanEvaluation | None) -> PlanSummary:
    if ev is None:
        nan3 = (math.nan, math.nan, math.nan)
        return PlanSummary(name, value, nan3, nan3)
    lr, so = ev.lost_revenue, ev.any_customer_stockout
    return PlanSummary(name, ev.inventory_value, (lr.mean, lr.lo, lr.hi), (so.mean, so.lo, so.hi))


def compute_plans(
    net: Network,
    request: SafetyRequest,
    gsm: GsmPlan | None = None,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SafetyOutcome:
    """Solve the GSM plan (unless ``gsm`` is given for the same settings), then, with a
    budget, the disruption-aware plan compared with it on fresh random numbers. Qt-free.

    ``progress`` gets a stage (a string) while GSM solves, then the
    placement's :class:`~jitrisk.engine.Progress` (simulations done).

    Raises
    ------
    jitrisk.errors.SimulationCancelled
        ``cancelled()`` returned True.
    """
    t0 = time.perf_counter()
    base = scenario_network(net, request.scenario)
    if (
        gsm is None
        or gsm.service_level != request.service_level
        or (gsm.scenario != request.scenario)
    ):
        if progress is not None:
            progress("Solving the guaranteed-service plan…")
        gsm = solve_gsm(net, request.service_level, request.scenario)
    if cancelled is not None and cancelled():
        raise SimulationCancelled("cancelled after the guaranteed-service plan")
    flows = mean_flows(base)
    start = current_days(base, flows)
    gsm_days = {s: d for s, d in gsm.days.items() if s in start}
    gsm_full = dict(start)
    gsm_full.update(gsm_days)
    current_value = _value(base, start, flows)
    gsm_value = _value(base, gsm_full, flows)
    placement = None
    if request.budget is not None:
        if progress is not None:
            progress("Searching the disruption-aware plan…")
        placement = place_by_simulation(
            net,
            request.budget,
            objective=request.objective,
            scenario=request.scenario,
            trials=request.trials,
            compare={"gsm": gsm_days},
            progress=progress,
            cancelled=cancelled,
        )
    rows = []
    gsm_sites = gsm.doc["sites"]
    for sid, days in start.items():
        site = base.site_by_id[sid]
        g = gsm_sites.get(sid, {})
        extra = placement.extra_days.get(sid, 0.0) if placement is not None else math.nan
        rows.append(
            SiteRow(
                sid,
                site.name if site.name != sid else "",
                site.type,
                days,
                gsm.days.get(sid, math.nan),
                float(g.get("safety_stock_units") or 0.0) if g else math.nan,
                float(g["safety_stock_value"])
                if g.get("safety_stock_value") is not None
                else math.nan,
                float(g.get("committed_service_time", math.nan)) if g else math.nan,
                extra,
                days + extra if math.isfinite(extra) else math.nan,
                extra * flows[sid] * site.unit_value if math.isfinite(extra) else math.nan,
            )
        )
    rows.sort(
        key=lambda r: (
            -(r.extra_value if math.isfinite(r.extra_value) else 0.0),
            -(r.gsm_value if math.isfinite(r.gsm_value) else 0.0),
        )
    )
    if placement is not None:
        plans = [
            _summary(PLAN_NAMES[0], current_value, placement.current),
            _summary(PLAN_NAMES[1], gsm_value, placement.compared.get("gsm")),
            _summary(PLAN_NAMES[2], placement.chosen.inventory_value, placement.chosen),
        ]
    else:
        plans = [
            _summary(PLAN_NAMES[0], current_value, None),
            _summary(PLAN_NAMES[1], gsm_value, None),
        ]
    return SafetyOutcome(
        request,
        gsm,
        placement,
        rows,
        plans,
        current_value,
        gsm_value,
        time.perf_counter() - t0,
        net.settings.currency,
    )


def safety_task(
    net: Network, request: SafetyRequest, gsm: GsmPlan | None = None
) -> Callable[[TaskContext], SafetyOutcome]:
    """The worker task running :func:`compute_plans` with the context's hooks."""

    def task(context: TaskContext) -> SafetyOutcome:
        return compute_plans(
            net, request, gsm, progress=context.report, cancelled=context.is_cancel_requested
        )

    return task


# ----------------------------------------------------------------------------- table


def _num(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}" if math.isfinite(value) else MISSING


def _gsm_tint(_r: SiteRow) -> QColor:
    return tint(PLAN_STYLES[1][0], 22)


def _aware_tint(r: SiteRow) -> QColor:
    strong = math.isfinite(r.extra_days) and r.extra_days > 0
    return tint(PLAN_STYLES[2][0], 70 if strong else 22)


def _sort(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


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


def gap_text(gap: float) -> str:
    """A proven optimality gap: ``'0.4%'``, or ``'0.1%'`` for anything smaller."""
    return f"{max(gap, 0.001):.1%}"


def headline(outcome: SafetyOutcome) -> str:
    """What the plans say, in two sentences (rich text)."""
    cur = outcome.currency
    gsm_text = (
        f"The <b>guaranteed-service plan</b> ({outcome.gsm.solution.service_level:.1%}) holds "
        f"{format_money(outcome.gsm_value, cur)} of safety stock, against "
        f"{format_money(outcome.current_value, cur)} now."
    )
    p = outcome.placement
    if p is None:
        return gsm_text + " Set a budget and press Run to add the disruption-aware plan."
    n = len(p.extra_days)
    if not n:
        return (
            f"{gsm_text} The <b>disruption-aware plan</b> found no day of cover worth "
            f"{format_money(p.budget, cur)} or less that lowers the risk."
        )
    imp = p.improvement
    if p.objective == "lost_revenue":
        change = (
            f"{'cuts' if imp.mean >= 0 else 'raises'} expected lost revenue by "
            f"<b>{format_money(abs(imp.mean), cur)}</b> "
            f"[{format_compact(imp.lo)}, {format_compact(imp.hi)}]"
        )
    else:
        change = (
            f"{'cuts' if imp.mean >= 0 else 'raises'} P(any customer stockout) by "
            f"<b>{abs(imp.mean) * 100:.1f} points</b> [{imp.lo * 100:.1f}, {imp.hi * 100:.1f}]"
        )
    return (
        f"{gsm_text} The <b>disruption-aware plan</b> places {format_money(p.spent, cur)} of "
        f"the {format_money(p.budget, cur)} budget at {n} site{'s' if n != 1 else ''} and "
        f"{change} against the current plan, on fresh random numbers."
    )


# ----------------------------------------------------------------------------- view


class PlanCard(QFrame):
    """One plan: its colour, inventory value and simulated risk with CIs."""

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Tile")
        self._colour = colour
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 6, 12, 6)
        layout.setSpacing(1)
        head = QHBoxLayout()
        self.title_label = QLabel(title)
        self.title_label.setObjectName("KpiTitle")
        self.value_label = QLabel(MISSING)
        self.value_label.setStyleSheet(f"font-size: 13pt; font-weight: 600; color: {theme.TEXT};")
        self.value_label.setToolTip("Inventory value of the plan's safety stock")
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.value_label)
        layout.addLayout(head)
        self.lost_label = QLabel("")
        self.stockout_label = QLabel("")
        self.note_label = QLabel("")
        self.note_label.setObjectName("Muted")
        self.note_label.setWordWrap(True)
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

    def set_plan(self, plan: PlanSummary | None, currency: str, note: str = "") -> None:
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
            self.lost_label.setText(f"Expected lost revenue <b>{format_money_ci(*lr)}</b>")
            self.stockout_label.setText(
                f"P(any customer stockout) <b>{format_percent_ci(*so, decimals=1)}</b>"
            )
        else:
            self.lost_label.setText("Expected lost revenue: not simulated yet")
            self.stockout_label.setText("P(any customer stockout): not simulated yet")
        self.note_label.setText(note)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self._colour))
        p.drawRoundedRect(5, 10, 5, self.height() - 20, 2, 2)
        p.end()


class SafetyView(AnalysisView):
    """GSM and disruption-aware safety-stock plans: cards, chart and per-site table."""

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
        self._request: SafetyRequest | None = None

        self.service_spin = QDoubleSpinBox()
        self.service_spin.setRange(50.0, 99.99)
        self.service_spin.setDecimals(1)
        self.service_spin.setSingleStep(0.5)
        self.service_spin.setSuffix(" %")
        self.service_spin.setValue(95.0)
        self.service_spin.setToolTip("Service level the guaranteed-service plan protects (α).")
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
        self.budget_box = labelled("Budget", self.budget_spin)
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

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(10)
        cards = QVBoxLayout()
        cards.setSpacing(6)
        self.cards = [PlanCard(name, PLAN_STYLES[i][0]) for i, name in enumerate(CARD_TITLES)]
        for card in self.cards:
            card.setFixedWidth(360)
            cards.addWidget(card)
        cards.addStretch(1)
        top_layout.addLayout(cards)
        self.canvas = ChartCanvas(analysis_charts.empty_figure("Press Run"), (320, 200))
        top_layout.addWidget(self.canvas, 1)
        self.model = RecordsModel(site_columns(), self)
        self.table = records_table(self.model, self)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.table)
        self.splitter.setChildrenCollapsible(False)
        self.share_space(self.splitter, 3, 4)
        self.result_layout.addWidget(self.splitter, 1)
        self._drawn = False
        self.set_network(None)

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
            self.budget_caption.setText(f"Budget (now held: {format_compact(self._current_value)})")

    def _request_from_inputs(self, with_budget: bool) -> SafetyRequest:
        self._init_budget()
        budget = self.budget_spin.value() if with_budget else None
        if with_budget and not budget:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Budget",
                    reason="A budget of 0 places no safety stock.",
                    hint="Enter the extra inventory value the plan may place, e.g. 1% of the "
                    "current safety stock.",
                )
            )
        return SafetyRequest(
            self.service_spin.value() / 100.0,
            budget,
            str(self.objective_combo.currentData()),
            self.trials_spin.value(),
            self.scenario_combo.currentText() or "baseline",
        )

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
        req = outcome.request
        self.headline.setText(headline(outcome))
        info = [f"Scenario {req.scenario}", f"GSM service level {req.service_level:.1%}"]
        if outcome.placement is not None:
            p = outcome.placement
            info += [
                f"searched on {p.trials:,} trials, confirmed on {2 * p.trials:,} fresh ones "
                f"(seeds {p.seed}, {p.fresh_seed})",
            ]
        info.append(f"computed in {format_duration(outcome.elapsed)}")
        self.run_info.setText(" · ".join(info))
        gsm = outcome.gsm.solution
        notes = [
            "Safety stock as set in the workbook.",
            f"Holding cost {format_money(gsm.total_cost, cur)} a year "
            + ("(optimal)." if gsm.optimal else f"(gap ≤ {gap_text(gsm.gap)})."),
            "",
        ]
        if outcome.placement is not None:
            p = outcome.placement
            notes[2] = (
                f"{format_money(p.spent, cur)} of the {format_money(p.budget, cur)} budget placed."
            )
        for i, card in enumerate(self.cards):
            plan = outcome.plans[i] if i < len(outcome.plans) else None
            note = notes[i] if plan is not None else "Press Run to place a budget."
            card.set_plan(plan, cur, note)
        self.model.columns = site_columns(cur)
        self.model.set_rows(outcome.rows)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.model().sort(-1)
        fit_columns(self.table, 160)
        self._drawn = False
        QTimer.singleShot(0, self, lambda: self._draw(outcome))

    def _draw(self, outcome: SafetyOutcome) -> None:
        if outcome is not self.outcome:
            return
        analysis_charts.plan_comparison_figure(
            outcome.plans, currency=outcome.currency, figure=self.canvas.figure
        )
        self.canvas.draw()
        self._drawn = True

    def chart_drawn(self) -> bool:
        return self._drawn


def plan_text(plan: PlanSummary) -> str:
    """A plan in one line (tests, tooltips)."""
    return (
        f"{plan.name}: value {format_compact(plan.inventory_value)}, lost revenue "
        f"{format_money_ci(*plan.lost_revenue)}, P(any stockout) {format_percent(plan.stockout[0])}"
    )
