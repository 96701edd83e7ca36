"""The Run panel: scenario and Monte Carlo settings, Run and Cancel, progress with ETA.

The panel only asks: it emits :attr:`RunPanel.run_requested` with a
:class:`~ui.logic.tasks.RunRequest` and :attr:`RunPanel.cancel_requested`; the
window runs the worker and tells the panel what happens through
:meth:`set_running`, :meth:`show_progress` and :meth:`show_finished`.
"""

from __future__ import annotations

import math
import random

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.engine import Progress
from jitrisk.model.records import Network
from jitrisk.workbook.format import SETTING_BY_KEY

from .. import theme
from ..logic.formatting import format_duration, format_eta
from ..logic.tasks import RunRequest
from ..widgets.common import PanelDock, styled_label

#: QSpinBox holds a C int; larger seeds from the workbook are folded into this range.
MAX_SEED = 2**31 - 1


def _spin(key: str, maximum: int | None = None) -> QSpinBox:
    spec = SETTING_BY_KEY[key]
    box = QSpinBox()
    box.setRange(int(spec.minimum or 0), int(min(spec.maximum or MAX_SEED, maximum or MAX_SEED)))
    box.setValue(int(spec.default))
    box.setGroupSeparatorShown(True)
    box.setToolTip(spec.help)
    box.setAccelerated(True)
    box.setMinimumWidth(110)
    return box


class RunPanel(QWidget):
    """Scenario, trials, days and seed; Run/Cancel; progress bar and ETA."""

    run_requested = Signal(object)
    cancel_requested = Signal()
    #: the planner asks to change where runs go (the Compute setting)
    compute_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._network: Network | None = None
        self._running = False

        self.scenario_combo = QComboBox()
        self.scenario_combo.setToolTip(
            "baseline is the workbook as it is; other scenarios "
            "apply the Scenarios sheet's changes."
        )
        self.trials_spin = _spin("trials")
        self.trials_spin.setSingleStep(500)
        self.days_spin = _spin("days")
        self.days_spin.setSingleStep(30)
        self.days_spin.setSuffix(" days")
        self.seed_spin = _spin("seed", MAX_SEED)
        self.seed_spin.setGroupSeparatorShown(False)
        self.new_seed_button = QToolButton()
        self.new_seed_button.setText("New")
        self.new_seed_button.setToolTip("Draw a new random seed")
        self.new_seed_button.clicked.connect(self.draw_seed)
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.new_seed_button)

        settings_box = QGroupBox("Scenario and settings")
        form = QFormLayout(settings_box)
        form.addRow("Scenario", self.scenario_combo)
        form.addRow("Trials", self.trials_spin)
        form.addRow("Horizon", self.days_spin)
        form.addRow("Seed", seed_row)
        self.reset_button = QPushButton("Reset to workbook settings")
        self.reset_button.setFlat(True)
        self.reset_button.setStyleSheet(
            f"QPushButton {{ text-align: left; color: {theme.ACCENT}; border: none;"
            f" padding: 2px 0; }} QPushButton:disabled {{ color: {theme.MUTED}; }}"
        )
        self.reset_button.clicked.connect(self.reset_settings)
        form.addRow(self.reset_button)

        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("Primary")
        self.run_button.setToolTip("Run the simulation (Ctrl+R)")
        self.run_button.clicked.connect(self.request_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running simulation (Esc)")
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit())
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")
        self.progress_bar.setVisible(False)  # shown from the first run on
        self.progress_label = QLabel("")
        self.progress_label.setWordWrap(True)
        self.eta_label = styled_label("", "Muted")
        self.batch_label = styled_label("", "CardTitle")
        self.batch_label.setVisible(False)
        self.status_label = styled_label(
            "Open a valid workbook to run a simulation.", "Muted", wrap=True
        )

        self.where_label = styled_label("", "Muted", wrap=True)
        self.where_button = QToolButton()
        self.where_button.setText("Compute…")
        self.where_button.setToolTip("Run here, on local worker processes or on a Dask cluster")
        self.where_button.clicked.connect(lambda: self.compute_requested.emit())
        where = QHBoxLayout()
        where.addWidget(self.where_label, 1)
        where.addWidget(self.where_button)
        self.set_where("this computer")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(10)
        layout.addWidget(settings_box)
        layout.addLayout(where)
        layout.addLayout(buttons)
        layout.addWidget(self.batch_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.eta_label)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.set_network(None)

    # ------------------------------------------------------------------ inputs
    def set_network(self, network: Network | None) -> None:
        """Offer ``network``'s scenarios and settings (None: nothing to run)."""
        self._network = network
        self._reset_feedback()
        current = self.scenario_combo.currentText()
        self.scenario_combo.clear()
        if network is not None:
            self.scenario_combo.addItems(list(network.scenario_names))
            if current in network.scenario_names:
                self.scenario_combo.setCurrentText(current)
            self.reset_settings()
            self.status_label.setText("Ready. Press Run (Ctrl+R).")
        else:
            self.status_label.setText("Open a valid workbook to run a simulation.")
        self._update_enabled()

    def set_scenarios(
        self, names: list[str] | tuple[str, ...], network: Network | None = None
    ) -> None:
        """Offer ``names`` (e.g. after a what-if was added), keeping the settings and the choice."""
        if network is not None:
            self._network = network
        current = self.scenario_combo.currentText()
        self.scenario_combo.blockSignals(True)
        self.scenario_combo.clear()
        self.scenario_combo.addItems(list(names))
        if current in names:
            self.scenario_combo.setCurrentText(current)
        self.scenario_combo.blockSignals(False)

    def set_batch(self, position: int, total: int, scenario: str) -> None:
        """Say which run of a batch (Run all scenarios) is going: ``position`` of ``total``."""
        self.batch_label.setText(f"Run {position} of {total}: {scenario}" if total > 1 else "")
        self.batch_label.setVisible(total > 1)

    def _reset_feedback(self) -> None:
        self.progress_bar.setVisible(False)
        self.progress_bar.setValue(0)
        self.progress_label.setText("")
        self.eta_label.setText("")

    def reset_settings(self) -> None:
        """Trials, days and seed from the workbook's Settings sheet."""
        if self._network is None:
            return
        s = self._network.settings
        self.trials_spin.setValue(s.trials)
        self.days_spin.setValue(s.days)
        self.seed_spin.setValue(s.seed if s.seed <= MAX_SEED else s.seed % MAX_SEED)

    def draw_seed(self) -> None:
        self.seed_spin.setValue(random.randint(0, 999_999))

    def request(self) -> RunRequest:
        """The run the panel currently describes."""
        return RunRequest(
            scenario=self.scenario_combo.currentText() or "baseline",
            trials=self.trials_spin.value(),
            days=self.days_spin.value(),
            seed=self.seed_spin.value(),
        )

    def set_request(self, request: RunRequest) -> None:
        """Fill the inputs from ``request`` (the scenario must be offered)."""
        self.scenario_combo.setCurrentText(request.scenario)
        self.trials_spin.setValue(request.trials)
        self.days_spin.setValue(request.days)
        self.seed_spin.setValue(request.seed)

    def request_run(self) -> None:
        if self._network is not None and not self._running:
            self.run_requested.emit(self.request())

    # ------------------------------------------------------------------ feedback
    def set_running(self, running: bool) -> None:
        """Switch between the running and the idle look."""
        self._running = running
        if running:
            self.progress_bar.setVisible(True)
            self.progress_bar.setRange(0, 0)  # busy until the first chunk reports
            self.progress_bar.setFormat("")
            self.progress_label.setText("Preparing the simulation…")
            self.eta_label.setText(format_eta(math.inf))
            self.status_label.setText("")
        else:
            self.progress_bar.setRange(0, 1000)
        self._update_enabled()

    def set_where(self, where: str) -> None:
        """Say where runs go (:meth:`ui.logic.compute.ComputeChoice.describe`)."""
        self.where_label.setText(f"Runs on {where}")

    def show_progress(self, progress: Progress) -> None:
        if progress.phase:  # starting or warming up a cluster: no trials yet
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText(f"{progress.phase[:1].upper()}{progress.phase[1:]}…")
            self.eta_label.setText("")
            return
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(round(1000 * progress.fraction))
        self.progress_bar.setFormat(f"{progress.fraction:.0%}")
        self.progress_label.setText(f"{progress.done:,} of {progress.total:,} trials")
        self.eta_label.setText(format_eta(progress.eta))

    def show_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.eta_label.setText("Cancelling after the current batch of trials…")

    def show_finished(self, text: str, complete: bool = True) -> None:
        """Back to idle with a one-line outcome (``complete``: the bar shows 100%)."""
        self.set_running(False)
        self.progress_bar.setValue(1000 if complete else 0)
        self.progress_bar.setFormat("Done" if complete else "")
        self.progress_label.setText("")
        self.eta_label.setText("")
        self.status_label.setText(text)

    def show_elapsed(self, trials: int, seconds: float) -> None:
        self.show_finished(f"Finished {trials:,} trials in {format_duration(seconds)}.")

    def is_running(self) -> bool:
        return self._running

    def _update_enabled(self) -> None:
        can_edit = self._network is not None and not self._running
        for w in (
            self.scenario_combo,
            self.trials_spin,
            self.days_spin,
            self.seed_spin,
            self.new_seed_button,
            self.reset_button,
        ):
            w.setEnabled(can_edit)
        self.run_button.setEnabled(can_edit)
        self.cancel_button.setEnabled(self._running)


class RunDock(PanelDock):
    """Side dock holding a :class:`RunPanel`."""

    panel: RunPanel

    def __init__(self, parent: QWidget | None = None) -> None:
        self.panel = RunPanel()
        super().__init__("Run", "RunDock", self.panel, parent)
