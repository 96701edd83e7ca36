"""The Buffers view: the JIT curve of a site, a tier or the whole network.

The work is :func:`ui.logic.buffers.compute_buffer_curve`; :class:`BuffersView`
runs it on a :class:`~ui.workers.worker.Worker` and only formats the
:class:`~ui.logic.buffers.BufferOutcome`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QWidget,
)

from jitrisk.analysis.sweep import parse_levels
from jitrisk.engine import Progress
from jitrisk.errors import JitriskError
from jitrisk.model.records import Network

from .. import theme
from ..figures import analysis as analysis_charts
from ..logic.buffers import (
    DEFAULT_BUFFER_TRIALS,
    DEFAULT_LEVEL_RANGE,
    BufferOutcome,
    BufferRequest,
    LevelRow,
    Target,
    _level_label,
    _money_change,
    _pp,
    buffer_targets,
    compute_buffer_curve,
    headline,
    run_info,
)
from ..logic.formatting import (
    format_money_ci,
    format_percent_ci,
)
from ..logic.messages import Msg
from ..widgets.common import split
from ..widgets.inputs import (
    LevelsInput,
    fill_scenarios,
    labelled,
    scenario_box,
    select_data,
    spin_box,
)
from ..widgets.records_table import (
    Column,
    RecordsModel,
    _nan_last,
    fit_columns,
    records_table,
    scaled,
    tint,
)
from ..workers.worker import TaskContext
from .analysis_base import (
    AnalysisErrors,
    AnalysisInfos,
    AnalysisView,
    InputProblem,
    chart_image,
)

# =============================================================================== messages


ANALYSIS_MESSAGES: tuple[Msg, ...] = tuple(
    value
    for group in (AnalysisErrors, AnalysisInfos)
    for value in vars(group).values()
    if isinstance(value, Msg)
)


# =============================================================================== table model


# =============================================================================== base view


# =============================================================================== buffers: work


def buffer_task(net: Network, request: BufferRequest) -> Callable[[TaskContext], BufferOutcome]:
    """The worker task running :func:`compute_buffer_curve` with the context's hooks."""

    def task(context: TaskContext) -> BufferOutcome:
        return compute_buffer_curve(
            net,
            request,
            progress=context.report,
            cancelled=context.is_cancel_requested,
            cluster=context.cluster(),
        )

    return task


def _row_tint(row: LevelRow) -> QColor | None:
    if row.is_knee:
        return tint(theme.TEXT, 28)
    if row.is_current:
        return tint(theme.OK, 45)
    return None


def _estimate(header: str, tooltip: str, field: str, text: Callable[[Any], str]) -> Column:
    """A column of the estimate ``(mean, lo, hi)`` in ``LevelRow.<field>``; a change from
    the level above is empty on the first level and sorts last there."""

    def sort(r: LevelRow) -> float:
        est = getattr(r, field)
        return _nan_last(est[0]) if est else -math.inf

    return Column(header, tooltip, lambda r: text(getattr(r, field)), sort, tint=_row_tint)


LEVEL_COLUMNS = (
    Column(
        "Buffer\ndays",
        "Safety stock in days of cover set at the chosen site(s). The knee and the current "
        "buffer are marked.",
        _level_label,
        lambda r: r.buffer_days,
        tint=_row_tint,
        bold=lambda r: r.is_knee or r.is_current,
    ),
    _estimate(
        "Stockout-day\nprobability",
        "Share of days ending with unfilled demand at the chosen site(s) (for a group: the mean "
        "over its sites), with its 95% CI.",
        "stockout",
        lambda e: format_percent_ci(*e),
    ),
    _estimate(
        "Change vs\nprevious level",
        "Change in stockout-day probability from the level above, in percentage points, with "
        "the 95% CI of the paired difference (same random numbers at every level).",
        "change",
        _pp,
    ),
    _estimate(
        "Fill rate",
        "Share of demand at the chosen site(s) shipped on the day it was asked for, with its "
        "95% CI.",
        "fill_rate",
        lambda e: format_percent_ci(*e),
    ),
    _estimate(
        "Network\nlost revenue",
        "Revenue lost to shortages across all customers over the horizon, with its 95% CI.",
        "lost_revenue",
        lambda e: format_money_ci(*e),
    ),
    _estimate(
        "Change in\nlost revenue",
        "Change in network lost revenue from the level above, with the 95% CI of the paired "
        "difference.",
        "lost_change",
        _money_change,
    ),
)

# =============================================================================== buffers: view


class BuffersView(AnalysisView):
    """Buffer curve of a site, a tier or the network: chart and levels table."""

    ANALYSIS = "buffer curve"
    TITLE = "Buffers"
    SUBTITLE = (
        "How stockout risk climbs as a buffer thins: each level simulated on the same "
        "random numbers, the knee marks the edge of the JIT cliff."
    )
    IDLE_TEXT = (
        "Choose a site, a tier or the whole network above. Press Run to compute the buffer curve."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._targets: list[Target] = []
        self._request: BufferRequest | None = None
        self.target_combo = QComboBox()
        self.target_combo.setEditable(True)
        self.target_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.target_combo.setMinimumWidth(320)
        self.target_combo.setMaxVisibleItems(20)
        edit = self.target_combo.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("Type to search sites…")
        completer = QCompleter(self.target_combo.model(), self.target_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.target_combo.setCompleter(completer)
        self.levels_input = LevelsInput(*DEFAULT_LEVEL_RANGE)
        self.trials_spin = spin_box(
            10, 100_000, DEFAULT_BUFFER_TRIALS, 50, "Trials at each level (common random numbers)."
        )
        self.scenario_combo = scenario_box()
        self.controls.addWidget(labelled("Buffer of (site, tier or network)", self.target_combo), 1)
        self.controls.addWidget(labelled("Buffer levels (days of cover)", self.levels_input))
        self.controls.addWidget(labelled("Trials per level", self.trials_spin))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.run_button.setToolTip("Compute the buffer curve")

        self.zoom_check = QCheckBox("Zoom past the knee")
        self.zoom_check.setChecked(True)
        self.zoom_check.setToolTip(
            "Scale the chart to the levels from the knee on, where buffers are usually set; "
            "the cliff below the knee leaves the chart and a note gives its values."
        )
        self.zoom_check.toggled.connect(self._redraw)
        self.info_row.addWidget(self.zoom_check)
        self.canvas = chart_image(analysis_charts.empty_figure, "Press Run")
        self.model = RecordsModel(LEVEL_COLUMNS, self)
        self.table = records_table(self.model, self)
        splitter = split(self.canvas, self.table)
        self.share_space(splitter, 11, 9)
        self.splitter = splitter
        self.result_layout.addWidget(splitter, 1)
        self._drawn = False
        self.set_network(None)

    def refit_tables(self) -> None:
        if self.table.model().rowCount() > 0:
            fit_columns(self.table, scaled(self.table, 260))

    def input_widgets(self) -> list[QWidget]:
        return [self.target_combo, self.levels_input, self.trials_spin, self.scenario_combo]

    def network_changed(self, network: Network | None) -> None:
        current = self.target_key()
        self.target_combo.clear()
        fill_scenarios(self.scenario_combo, network)
        self._targets = buffer_targets(network) if network is not None else []
        groups = 0
        for i, t in enumerate(self._targets):
            kind = t.key.split(":")[0] if ":" in t.key or t.key == "network" else "site"
            if i > 0 and kind != groups:
                self.target_combo.insertSeparator(self.target_combo.count())
            groups = kind  # type: ignore[assignment]
            self.target_combo.addItem(t.label, t.key)
        if current is not None:
            self.select_target(current)

    def select_target(self, key: str) -> bool:
        """Choose the target with ``key`` (site id, tier:<n>, type:<t>, region:<r>, network)."""
        return select_data(self.target_combo, key)

    def target_key(self) -> str | None:
        """The chosen target's key; a typed site id or label counts too."""
        text = self.target_combo.currentText().strip()
        if not text:
            return None
        i = self.target_combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if i >= 0:
            return str(self.target_combo.itemData(i))
        for t in self._targets:
            if t.key.lower() == text.lower():
                return t.key
        return None

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        key = self.target_key()
        if key is None:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Site",
                    reason=f"No site, tier or region matches “{self.target_combo.currentText()}”.",
                    hint="Pick one from the list; typing filters it.",
                )
            )
        box = self.levels_input
        reason = ""
        if box.to_spin.value() < box.from_spin.value():
            reason = "The largest buffer is smaller than the smallest."
        else:
            try:
                levels = parse_levels(box.text())
            except JitriskError as exc:
                reason = str(exc)[0].upper() + str(exc)[1:] + "."
        if reason:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Buffer levels",
                    reason=reason,
                    hint="For example from 0 to 30 every 1 day.",
                )
            )
        if len(levels) < 2:
            raise InputProblem(
                AnalysisErrors.bad_input.format(
                    what="Buffer levels",
                    reason="A curve needs at least two levels.",
                    hint="For example from 0 to 30 every 1 day.",
                )
            )
        title = next((t.title for t in self._targets if t.key == key), key)
        request = BufferRequest(
            key,
            tuple(levels),
            self.trials_spin.value(),
            self.scenario_combo.currentText() or "baseline",
            title,
        )
        self._request = request
        return buffer_task(self.network, request), request.describe()

    def describe_progress(self, progress: Progress) -> str:
        n = len(self._request.levels) if self._request is not None else 0
        if not n:
            return super().describe_progress(progress)
        per = max(progress.total // n, 1)
        return f"Level {min(progress.done // per + 1, n)} of {n}"

    def show_outcome(self, outcome: BufferOutcome) -> None:
        self.headline.setText(headline(outcome))
        self.run_info.setText(run_info(outcome))
        self.model.set_rows(outcome.rows)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.model().sort(-1)
        fit_columns(self.table, scaled(self.table, 260))
        knee_row = next((i for i, r in enumerate(outcome.rows) if r.is_knee), None)
        if knee_row is not None:
            self.table.scrollTo(self.table.model().index(knee_row, 0))
        self._drawn = False
        # the chart after this event-loop turn: the table shows at once
        QTimer.singleShot(0, self, lambda: self._draw(outcome))

    def _draw(self, outcome: BufferOutcome) -> None:
        if outcome is not self.outcome:
            return
        req = outcome.request
        doc, title = outcome.doc, f"JIT buffer curve: {req.title or req.target}"
        zoom = self.zoom_check.isChecked()
        self.canvas.set_figure(
            lambda figure: analysis_charts.buffer_curve_figure(
                doc, title=title, zoom=zoom, figure=figure
            )
        )
        self._drawn = True

    def _redraw(self) -> None:
        if isinstance(self.outcome, BufferOutcome):
            self._drawn = False
            self._draw(self.outcome)

    def chart_drawn(self) -> bool:
        return self._drawn
