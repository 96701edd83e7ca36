"""The Compute dialog: where simulations run, with a Test connection button.

This computer (threads), local worker processes (a Dask ``LocalCluster``), or a
running Dask scheduler. *Test connection* connects off the GUI thread, checks
the workers' versions, warms them up and shows workers, threads and memory.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jitrisk.engine.sizing import cpu_count

from ..logic.compute import MODE_LABELS, MODES, ComputeChoice, check_available, try_connection
from ..widgets.common import styled_label
from ..workers.worker import Worker


class ComputeDialog(QDialog):
    """Choose where runs go; :meth:`choice` is the result when accepted."""

    def __init__(self, choice: ComputeChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compute")
        self._worker: Worker | None = None
        intro = styled_label(
            "Where simulations and analyses run. The numbers are the same everywhere, bit "
            "for bit, for the same seed; only the time differs. A Dask cluster helps with "
            "large networks, many trials or reports over every scenario.",
            "Muted",
            wrap=True,
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for i, mode in enumerate(MODES):
            button = QRadioButton(MODE_LABELS[mode])
            self.group.addButton(button, i)
            self.buttons[mode] = button
        self.workers_spin = QSpinBox()
        self.workers_spin.setRange(1, 256)
        self.workers_spin.setValue(choice.workers or cpu_count())
        self.workers_spin.setSuffix(" processes")
        self.workers_spin.setToolTip("Worker processes on this computer, one thread each")
        self.address_edit = QLineEdit(choice.address)
        self.address_edit.setPlaceholderText("tcp://scheduler-host:8786")
        self.address_edit.setToolTip(
            "The address `dask scheduler` prints; every worker needs this jitrisk version"
        )
        form = QFormLayout()
        form.addRow(self.buttons["this"])
        local = QHBoxLayout()
        local.addWidget(self.buttons["local"])
        local.addWidget(self.workers_spin)
        form.addRow(local)
        form.addRow(self.buttons["scheduler"])
        form.addRow("Address", self.address_edit)
        self.buttons[choice.mode if choice.mode in MODES else "this"].setChecked(True)

        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("ComputeResult")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        self.ok_button = box.button(QDialogButtonBox.StandardButton.Ok)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        layout.addWidget(box)
        self.group.idToggled.connect(lambda *_: self._update())
        self.address_edit.textChanged.connect(lambda *_: self._update())
        self._update()
        self.resize(520, self.sizeHint().height())

    def choice(self) -> ComputeChoice:
        mode = MODES[max(self.group.checkedId(), 0)]
        return ComputeChoice(mode, self.workers_spin.value(), self.address_edit.text().strip())

    def _update(self, clear: bool = True) -> None:
        """Enable what the choice needs; ``clear``: forget the last test's result."""
        c = self.choice()
        self.workers_spin.setEnabled(c.mode == "local")
        self.address_edit.setEnabled(c.mode == "scheduler")
        problem = check_available(c) if c.mode != "scheduler" or c.address else None
        self.ok_button.setEnabled(problem is None and (c.mode != "scheduler" or bool(c.address)))
        self.test_button.setEnabled(problem is None and self._worker is None)
        if problem or clear:
            self.result_label.setText(problem or "")

    def test(self) -> None:
        """Connect off the GUI thread and show what was found (or why not)."""
        choice = self.choice()
        self.test_button.setEnabled(False)
        self.result_label.setText(f"Connecting to {choice.describe()}…")
        worker = Worker(lambda ctx: try_connection(choice, ctx.report), "compute-test")
        worker.signals.result.connect(self._on_tested)
        worker.signals.errored.connect(lambda exc: self._on_tested(f"Not connected: {exc}"))
        worker.signals.finished.connect(self._on_test_finished)
        self._worker = worker
        worker.start()

    def _on_tested(self, text: str) -> None:
        self.result_label.setText(text)

    def _on_test_finished(self) -> None:
        self._worker = None
        self._update(clear=False)

    def is_testing(self) -> bool:
        return self._worker is not None
