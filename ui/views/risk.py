"""The Risk view: time to survive against time to recover, and the risk exposure ranking.

For every stocking site and region (Simchi-Levi et al.; docs/ANALYSIS.md):
TTR, TTS by simulation (with CI) and by linear programme, the performance
impact of a TTR-long outage both ways, the risk exposure index, and whether the
network runs dry before the site is back. The work and the sentences are
Qt-free (:mod:`ui.logic.risk`); the view runs the work on its worker and shows
a scatter and a sortable ranking, for sites or regions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.analysis.risk import DEFAULT_TTR
from jitrisk.engine import Progress
from jitrisk.model.records import Network

from .. import theme
from ..figures import analysis as analysis_charts
from ..logic.formatting import (
    MISSING,
    format_compact,
    format_money_ci,
    format_number_ci,
)
from ..logic.risk import (
    DEFAULT_RISK_TRIALS,
    MAX_HORIZON,
    RiskOutcome,
    RiskRequest,
    RiskRow,
    compute_risk,
    exposed_text,
    headline,
    run_info,
)
from ..widgets.common import split, styled_label
from ..widgets.inputs import fill_scenarios, labelled, scenario_box, spin_box
from ..widgets.records_table import Column, RecordsModel, fit_columns, records_table, scaled, tint
from ..workers.worker import TaskContext
from .analysis_base import AnalysisView, chart_image


def risk_task(net: Network, request: RiskRequest) -> Callable[[TaskContext], RiskOutcome]:
    """The worker task running :func:`compute_risk` with the context's hooks."""

    def task(context: TaskContext) -> RiskOutcome:
        return compute_risk(
            net,
            request,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            cluster=context.cluster(),
        )

    return task


# ----------------------------------------------------------------------------- table


def _tts_text(r: RiskRow) -> str:
    if r.censored >= 1.0:
        return f"≥ {r.tts[0]:g} (never short)"
    return format_number_ci(*r.tts)


def _tts_tip(r: RiskRow) -> str:
    if r.censored <= 0:
        return ""
    return (
        f"In {r.censored:.0%} of trials no customer ran short within the horizon; those "
        "count as the horizon, so TTS may be longer."
    )


def _lp_text(value: float) -> str:
    if math.isinf(value):
        return "∞ (not needed)"
    return f"{max(value, 0.0) + 0.0:,.1f}" if math.isfinite(value) else MISSING  # no "-0.0"


def _exposed_tint(r: RiskRow) -> QColor | None:
    return tint(theme.ERROR, 60) if r.exposed else None


def _rei_tint(r: RiskRow) -> QColor | None:
    return tint(theme.ERROR, int(15 + 120 * r.rei)) if r.rei > 0 else None


def risk_columns(currency: str = "", kind: str = "site") -> tuple[Column, ...]:
    """The ranking's columns; ``kind`` "region" names the first one Region."""
    unit = f" ({currency})" if currency else ""
    return (
        Column(
            "Region" if kind == "region" else "Site",
            "Site id, or region (every stocking site of the region down together).",
            lambda r: r.target,
            lambda r: r.target.lower(),
            numeric=False,
            tint=_exposed_tint,
            bold=lambda r: r.exposed,
        ),
        Column(
            "Name",
            "Readable name (regions: how many stocking sites go down together).",
            lambda r: r.name,
            lambda r: r.name.lower(),
            numeric=False,
        ),
        Column(
            "REI",
            "Risk exposure index: impact (simulation) over the largest impact; 1 is the worst.",
            lambda r: f"{r.rei:.2f}",
            lambda r: r.rei,
            tint=_rei_tint,
        ),
        Column(
            "Exposed",
            "Exposed when TTS < TTR: the network runs dry before the site is back; otherwise "
            "the days it has to spare (TTS - TTR).",
            exposed_text,
            lambda r: (r.exposed, r.gap_days),
            numeric=False,
            tint=_exposed_tint,
            bold=lambda r: r.exposed,
        ),
        Column(
            "TTR (d)",
            "Time to recover: ttr_days from the Sites sheet, else the longest mean outage in the "
            "disruption profile, else the default.",
            lambda r: f"{r.ttr:,.1f}",
            lambda r: r.ttr,
            tip=lambda r: f"From: {r.ttr_source}",
        ),
        Column(
            "TTS sim (d)",
            "Time to survive by simulation: days until the first customer runs short with the "
            "site down from day 0, with its 95% CI.",
            _tts_text,
            lambda r: r.tts[0],
            tint=_exposed_tint,
            tip=_tts_tip,
        ),
        Column(
            "TTS LP (d)",
            "Time to survive by linear programme: an optimistic bound that reroutes freely and "
            "pools all stock (∞: the network does not need the site).",
            lambda r: _lp_text(r.tts_lp),
            lambda r: r.tts_lp if not math.isnan(r.tts_lp) else -math.inf,
        ),
        Column(
            f"Impact sim{unit}",
            "Performance impact by simulation: extra lost revenue when the site is down for its "
            "TTR (paired difference, 95% CI); counts the slow recovery after the outage too.",
            lambda r: format_money_ci(*r.impact),
            lambda r: r.impact[0],
        ),
        Column(
            f"Impact LP{unit}",
            "Performance impact by linear programme: least lost revenue over the TTR window.",
            lambda r: format_compact(r.impact_lp),
            lambda r: r.impact_lp if math.isfinite(r.impact_lp) else -math.inf,
        ),
        Column(
            "Advice",
            "Days of cover of the site's supply, held where it delivers, that would close the gap.",
            lambda r: r.advice[0].upper() + r.advice[1:] if r.advice else "",
            lambda r: r.advice,
            numeric=False,
        ),
    )


# ----------------------------------------------------------------------------- view


class KindSwitch(QWidget):
    """Two buttons, one checked: the ranking and chart show sites (0) or regions (1)."""

    currentChanged = Signal(int)

    def __init__(self, texts: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        for i, text in enumerate(texts):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(i == 0)
            button.setStyleSheet(
                f"QPushButton {{ padding: 3px 14px; border: 1px solid {theme.BORDER};"
                f" background: {theme.SURFACE}; color: {theme.TEXT}; }}"
                f" QPushButton:checked {{ background: {theme.ACCENT}; color: white;"
                f" border-color: {theme.ACCENT}; }}"
                f" QPushButton:disabled {{ color: {theme.MUTED}; }}"
            )
            self.group.addButton(button, i)
            layout.addWidget(button)
            self.buttons.append(button)
        self.group.idToggled.connect(self._toggled)

    def _toggled(self, index: int, checked: bool) -> None:
        if checked:
            self.currentChanged.emit(index)

    def currentIndex(self) -> int:
        return self.group.checkedId()

    def setCurrentIndex(self, index: int) -> None:
        self.buttons[index].setChecked(True)

    def setTabText(self, index: int, text: str) -> None:
        self.buttons[index].setText(text)

    def setTabEnabled(self, index: int, enabled: bool) -> None:
        self.buttons[index].setEnabled(enabled)


class RiskView(AnalysisView):
    """TTS against TTR per site or region, and the risk exposure ranking."""

    ANALYSIS = "risk analysis"
    TITLE = "Risk"
    SUBTITLE = (
        "Each site down from day 0: how long until a customer runs short (TTS) against how "
        "long the site needs to come back (TTR), and the revenue at stake."
    )
    IDLE_TEXT = "Press Run to compute time to survive, time to recover and the risk ranking."

    #: A ranking row was double-clicked: follow that outage day by day (site id or region:NAME).
    story_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trials_spin = spin_box(
            10, 100_000, DEFAULT_RISK_TRIALS, 50, "Trials per site and region."
        )
        self.days_spin = spin_box(
            10, 3650, MAX_HORIZON, 30, "Horizon of each run; TTS is censored at it."
        )
        self.days_spin.setSuffix(" days")
        self.ttr_spin = spin_box(
            1, 365, int(DEFAULT_TTR), 1, "TTR of sites without ttr_days or an outage profile."
        )
        self.ttr_spin.setSuffix(" days")
        self.regions_check = QCheckBox("Regions too")
        self.regions_check.setChecked(True)
        self.regions_check.setToolTip("Also take every region down as a whole.")
        self.scenario_combo = scenario_box()
        self.controls.addWidget(labelled("Trials per site", self.trials_spin))
        self.controls.addWidget(labelled("Horizon", self.days_spin))
        self.controls.addWidget(labelled("Default TTR", self.ttr_spin))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.controls.addWidget(labelled(" ", self.regions_check))
        self.run_button.setToolTip("Compute TTS, TTR and the risk exposure ranking")
        self._request: RiskRequest | None = None

        self.canvas = chart_image(analysis_charts.empty_figure, "Press Run")
        self.kind_tabs = KindSwitch(("Sites", "Regions"))
        self.kind_tabs.setToolTip("Rank sites, or regions with all their sites down together")
        self.kind_tabs.currentChanged.connect(self._show_kind)
        self.model = RecordsModel(risk_columns(), self)
        self.table = records_table(self.model, self)
        self.table.setToolTip("Double-click a row to follow its outage day by day.")
        self.table.doubleClicked.connect(self._request_story)
        self.count_label = styled_label("", "Muted")
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.setSpacing(4)
        tabs_row = QHBoxLayout()
        title = styled_label("Risk exposure ranking", "CardTitle")
        tabs_row.addWidget(title)
        tabs_row.addSpacing(12)
        tabs_row.addWidget(self.kind_tabs)
        tabs_row.addStretch(1)
        tabs_row.addWidget(self.count_label)
        table_layout.addLayout(tabs_row)
        table_layout.addWidget(self.table, 1)
        self.splitter = split(self.canvas, table_box, stretch=(1, 1))
        self.share_space(self.splitter, 11, 9)
        self.result_layout.addWidget(self.splitter, 1)
        self._drawn = ""
        self.set_network(None)

    def refit_tables(self) -> None:
        if self.model.rowCount() > 0:
            fit_columns(self.table, scaled(self.table, 220))

    def input_widgets(self) -> list[QWidget]:
        return [
            self.trials_spin,
            self.days_spin,
            self.ttr_spin,
            self.regions_check,
            self.scenario_combo,
        ]

    def network_changed(self, network: Network | None) -> None:
        fill_scenarios(self.scenario_combo, network)
        if network is not None:
            self.days_spin.setValue(min(network.settings.days, MAX_HORIZON))

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        request = RiskRequest(
            self.trials_spin.value(),
            self.days_spin.value(),
            float(self.ttr_spin.value()),
            self.regions_check.isChecked(),
            self.scenario_combo.currentText() or "baseline",
        )
        self._request = request
        return risk_task(self.network, request), request.describe()

    def describe_progress(self, progress: Progress) -> str:
        return f"{progress.done} of {progress.total} sites and regions"

    def show_outcome(self, outcome: RiskOutcome) -> None:
        self.headline.setText(headline(outcome))
        self.run_info.setText(run_info(outcome))
        self.kind_tabs.setTabText(0, f"Sites ({len(outcome.sites)})")
        self.kind_tabs.setTabText(1, f"Regions ({len(outcome.regions)})")
        self.kind_tabs.setTabEnabled(1, bool(outcome.regions))
        if self.kind_tabs.currentIndex() != 0:
            self.kind_tabs.setCurrentIndex(0)  # emits currentChanged: _show_kind
        else:
            self._show_kind(0)

    def _request_story(self, index: QModelIndex) -> None:
        proxy = self.table.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        row = self.model.rows()[proxy.mapToSource(index).row()]
        self.story_requested.emit(row.target if row.kind == "site" else f"region:{row.target}")

    def showing_regions(self) -> bool:
        return self.kind_tabs.currentIndex() == 1

    def _show_kind(self, index: int) -> None:
        outcome = self.outcome
        if not isinstance(outcome, RiskOutcome):
            return
        rows = outcome.regions if index == 1 else outcome.sites
        self.model.columns = risk_columns(outcome.currency, "region" if index == 1 else "site")
        self.model.set_rows(rows)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.model().sort(-1)
        fit_columns(self.table, scaled(self.table, 220))
        exposed = sum(1 for r in rows if r.exposed)
        noun = "regions" if index == 1 else "sites"
        self.count_label.setText(f"{exposed} of {len(rows)} {noun} exposed · highest REI first")
        self._drawn = ""
        QTimer.singleShot(0, self, lambda: self._draw(outcome, index))

    def _draw(self, outcome: RiskOutcome, index: int) -> None:
        if outcome is not self.outcome or index != self.kind_tabs.currentIndex():
            return
        kind = "regions" if index == 1 else "sites"
        doc = {"sites": {}, "regions": {}, kind: outcome.doc[kind]}
        rows = outcome.regions if index == 1 else outcome.sites
        exposed = sum(1 for r in rows if r.exposed)
        title = f"Time to survive vs time to recover: {exposed} of {len(rows)} {kind} exposed"
        self.canvas.set_figure(
            lambda figure: analysis_charts.tts_ttr_figure(doc, title=title, figure=figure)
        )
        self._drawn = kind

    def chart_drawn(self) -> str:
        """Which rows the chart shows once drawn: "sites", "regions" or "" (not yet)."""
        return self._drawn
