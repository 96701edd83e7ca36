"""The Day by day view: one outage followed through the network, day by day.

A site or region is taken down for its time to recover (or a chosen number
of days) from a chosen day; the fan chart shows, per day across trials, the
cover on hand at the sites it feeds, the customers' same-day fill and what
they are owed (:mod:`jitrisk.analysis.story`). The work and the sentences
are Qt-free (:mod:`ui.logic.story`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from jitrisk.analysis.story import MAX_TRIALS
from jitrisk.engine import Progress
from jitrisk.model.records import Network
from jitrisk.report.figures.story import story_figure

from ..figures import analysis as analysis_charts
from ..logic.story import (
    DEFAULT_TRIALS,
    StoryOutcome,
    StoryRequest,
    compute_story,
    headline,
    run_info,
    targets,
)
from ..widgets.inputs import fill_scenarios, labelled, scenario_box, select_data, spin_box
from ..workers.worker import TaskContext
from .analysis_base import AnalysisView, chart_image


def story_task(net: Network, request: StoryRequest) -> Callable[[TaskContext], StoryOutcome]:
    """The worker task running :func:`compute_story` with the context's hooks."""

    def task(context: TaskContext) -> StoryOutcome:
        return compute_story(
            net, request, progress=context.report, cancelled=context.is_cancel_requested
        )

    return task


class StoryView(AnalysisView):
    """Fan chart of one scripted outage: stock, same-day fill and backorders per day."""

    ANALYSIS = "day-by-day story"
    TITLE = "Day by day"
    SUBTITLE = (
        "One site or region down: when its customers run short and when they recover, "
        "median and 5–95 % band across trials."
    )
    IDLE_TEXT = "Choose a site or region and press Run to follow its outage day by day."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target_combo = QComboBox()
        self.target_combo.setMinimumWidth(220)
        self.target_combo.setToolTip("The site, or every stocking site of a region, taken down.")
        self.duration_spin = spin_box(
            0, 365, 0, 1, "Days the outage lasts; 'its TTR' takes the site's time to recover."
        )
        self.duration_spin.setSpecialValueText("its TTR")
        self.duration_spin.setSuffix(" days")
        self.start_spin = spin_box(0, 365, 14, 1, "The day the outage starts (day 0 is the first).")
        self.start_spin.setPrefix("day ")
        self.trials_spin = spin_box(
            10, MAX_TRIALS, DEFAULT_TRIALS, 50, "Trials; each keeps its whole daily path."
        )
        self.days_spin = spin_box(
            0, 3650, 0, 30, "Days shown; 'auto' runs to five outage lengths past its end."
        )
        self.days_spin.setSpecialValueText("auto")
        self.days_spin.setSuffix(" days")
        self.scenario_combo = scenario_box()
        self.controls.addWidget(labelled("Take down", self.target_combo))
        self.controls.addWidget(labelled("For", self.duration_spin))
        self.controls.addWidget(labelled("From", self.start_spin))
        self.controls.addWidget(labelled("Trials", self.trials_spin))
        self.controls.addWidget(labelled("Horizon", self.days_spin))
        self.controls.addWidget(labelled("Scenario", self.scenario_combo))
        self.run_button.setToolTip("Follow the outage day by day")
        self.canvas = chart_image(analysis_charts.empty_figure, "Press Run", (420, 360))
        self.result_layout.addWidget(self.canvas, 1)
        self.set_network(None)

    def input_widgets(self) -> list[QWidget]:
        return [
            self.target_combo,
            self.duration_spin,
            self.start_spin,
            self.trials_spin,
            self.days_spin,
            self.scenario_combo,
        ]

    def network_changed(self, network: Network | None) -> None:
        fill_scenarios(self.scenario_combo, network)
        current = self.target_combo.currentData()
        self.target_combo.clear()
        if network is None:
            return
        for label, target in targets(network):
            self.target_combo.addItem(label, target)
        select_data(self.target_combo, current)

    def choose(self, target: str) -> bool:
        """Select ``target`` (a site id or ``region:NAME``); False when it is not offered."""
        return select_data(self.target_combo, target)

    def make_task(self) -> tuple[Callable[[TaskContext], Any], str]:
        assert self.network is not None
        request = StoryRequest(
            str(self.target_combo.currentData() or ""),
            self.duration_spin.value(),
            self.start_spin.value(),
            self.trials_spin.value(),
            self.days_spin.value(),
            self.scenario_combo.currentText() or "baseline",
        )
        return story_task(self.network, request), request.describe()

    def describe_progress(self, progress: Progress) -> str:
        return f"{progress.done:,} of {progress.total:,} trials"

    def show_outcome(self, outcome: StoryOutcome) -> None:
        self.headline.setText(headline(outcome))
        self.run_info.setText(run_info(outcome))
        doc = outcome.doc
        self.canvas.set_figure(lambda figure: story_figure(doc, figure=figure))
