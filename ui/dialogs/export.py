"""File > Export report…: format, scenarios and sections of the report, before the file name.

The report is built from the runs kept in the session (nothing is simulated
again); only runs that share the trials, days and seed of the one on show can
go into one report, so its scenarios compare on the same random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..logic.comparison import is_paired
from ..logic.tasks import RunOutcome

#: Report formats: file extension -> name.
FORMATS = {".xlsx": "Excel report", ".pdf": "PDF brief", ".pptx": "PowerPoint deck"}
#: Sections a report may carry besides the simulation: key -> label (keys of
#: :data:`jitrisk.report.build.SECTIONS`).
SECTION_LABELS = {
    "curve": "JIT buffer curve of the site most at risk",
    "risk": "Time to survive vs time to recover (risk ranking)",
    "plans": "Safety stock: the guaranteed-service plan",
    "recommend": "The decision: how much buffer is worth buying (frontier and takeaway)",
}


def file_filter(extension: str) -> str:
    """The save dialog's filter for a report format: ``"PDF brief (*.pdf)"``."""
    return f"{FORMATS[extension]} (*{extension})"


@dataclass(frozen=True)
class ReportChoice:
    """What the planner chose: the file extension, the scenarios and the sections."""

    extension: str
    scenarios: tuple[str, ...]
    sections: frozenset[str]


def pairable(runs: Mapping[str, RunOutcome], current: str) -> dict[str, str]:
    """Each kept run and why it cannot join the report of ``current`` ("" when it can:
    the same seed, horizon, warm-up and trials, :func:`ui.logic.comparison.is_paired`)."""
    ref = runs[current]
    why = "Run with other trials, days or seed: not comparable"
    return {name: "" if is_paired(ref, o) else why for name, o in runs.items()}


class ExportReportDialog(QDialog):
    """Format, scenarios (the kept runs) and sections of a report."""

    def __init__(
        self, runs: Mapping[str, RunOutcome], current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        layout = QVBoxLayout(self)
        self.format_combo = QComboBox()
        for extension, name in FORMATS.items():
            self.format_combo.addItem(f"{name} ({extension})", extension)
        layout.addWidget(QLabel("Format"))
        layout.addWidget(self.format_combo)
        self.scenario_checks: dict[str, QCheckBox] = {}
        box = QGroupBox("Scenarios (runs kept in this session)")
        box_layout = QVBoxLayout(box)
        for name, why in pairable(runs, current).items():
            check = QCheckBox(name)
            check.setChecked(name == current)
            check.setEnabled(not why)
            check.setToolTip(why or "Already simulated: used as it is")
            box_layout.addWidget(check)
            self.scenario_checks[name] = check
        layout.addWidget(box)
        self.section_checks: dict[str, QCheckBox] = {}
        sections = QGroupBox("Sections besides the simulation")
        sections_layout = QVBoxLayout(sections)
        for key, label in SECTION_LABELS.items():
            check = QCheckBox(label)
            check.setChecked(True)
            sections_layout.addWidget(check)
            self.section_checks[key] = check
        layout.addWidget(sections)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Choose file…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for check in self.scenario_checks.values():
            check.toggled.connect(lambda _on: self._update_ok())
        layout.addWidget(buttons)
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.choice().scenarios))

    def choice(self) -> ReportChoice:
        picked: Sequence[str] = [n for n, c in self.scenario_checks.items() if c.isChecked()]
        return ReportChoice(
            str(self.format_combo.currentData()),
            tuple(picked),
            frozenset(k for k, c in self.section_checks.items() if c.isChecked()),
        )
