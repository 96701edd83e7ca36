"""The What-if panel: change the selected sites' buffers or script an outage, run, keep it.

The planner selects sites on the map (click, Ctrl+click, Shift+drag) or in
the Results table; the panel lists them, takes a name, a starting scenario, a
new buffer in days of cover and/or an outage ("down from day 30 for 21 days")
and asks the window to run it (:attr:`WhatIfPanel.run_requested` with a
:class:`~ui.logic.scenario_edits.WhatIf`). Scenarios made here are listed with what
they change, and can be removed or saved into a copy of the workbook. The
logic lives in :mod:`ui.logic.scenario_edits` (Qt-free).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.model.records import BASELINE, Network

from ..logic.formatting import format_days
from ..logic.scenario_edits import WhatIf, name_problem, suggest_name
from ..widgets.common import PanelDock, styled_label
from ..widgets.roles import NameRole

#: Most sites named in the selection line before "and N more".
SHOWN_SITES = 4


def selection_text(sites: Sequence[str]) -> str:
    """``'T1-A, T1-B (2 sites)'``; a hint when nothing is selected."""
    if not sites:
        return "No sites selected"
    shown = ", ".join(sites[:SHOWN_SITES])
    more = f" and {len(sites) - SHOWN_SITES} more" if len(sites) > SHOWN_SITES else ""
    count = "1 site" if len(sites) == 1 else f"{len(sites)} sites"
    return f"{shown}{more} ({count})"


def current_buffer_text(network: Network | None, sites: Sequence[str]) -> str:
    """What the selected sites hold now: ``'now 2 days'``, ``'now 1–3 days'``."""
    if network is None:
        return ""
    days = []
    units = 0
    for sid in sites:
        site = network.site_by_id.get(sid)
        if site is None or not site.is_stocking:
            continue
        if site.base_stock_units is not None:
            units += 1
        else:
            days.append(site.safety_stock_days)
    if not days and not units:
        return "customers hold no buffer" if sites else ""
    parts = []
    if days:
        lo, hi = min(days), max(days)
        parts.append(f"now {format_days(lo)}" if lo == hi else f"now {lo:g}–{hi:g} days")
    if units:
        parts.append(f"{units} set in units")
    return ", ".join(parts)


class WhatIfPanel(QWidget):
    """Selection, change, run; the scenarios made so far; save to a copy."""

    run_requested = Signal(object)  # WhatIf
    save_requested = Signal()
    remove_requested = Signal(str)
    clear_selection_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.sites: list[str] = []
        self._busy = False
        self._name_edited = False

        self.selection_label = QLabel()
        self.selection_label.setWordWrap(True)
        self.selection_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setToolTip("Clear the selection")
        self.clear_button.clicked.connect(self.clear_selection_requested.emit)
        sel_row = QHBoxLayout()
        sel_row.setContentsMargins(0, 0, 0, 0)
        sel_row.addWidget(self.selection_label, 1)
        sel_row.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        self.selection_hint = QLabel(
            "Select sites on the map (Ctrl+click, Shift+drag) or in the Results table."
        )
        self.selection_hint.setObjectName("Muted")
        self.selection_hint.setWordWrap(True)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("name of the new scenario")
        self.name_edit.setMaxLength(40)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.base_combo = QComboBox()
        self.base_combo.setToolTip("The scenario the change starts from (baseline: the workbook)")
        self.buffer_check = QCheckBox("Buffer")
        self.buffer_check.setToolTip("Set the safety stock of the selected sites (days of cover)")
        self.buffer_spin = QDoubleSpinBox()
        self.buffer_spin.setRange(0.0, 365.0)
        self.buffer_spin.setDecimals(1)
        self.buffer_spin.setSingleStep(1.0)
        self.buffer_spin.setValue(5.0)
        self.buffer_spin.setSuffix(" days")
        self.buffer_now = styled_label("", "Muted")
        self.outage_check = QCheckBox("Outage")
        self.outage_check.setToolTip(
            "The selected sites are down (produce and ship nothing) for a scripted period"
        )
        self.start_spin = QSpinBox()
        self.start_spin.setRange(0, 36_500)
        self.start_spin.setValue(30)
        self.start_spin.setPrefix("down from day ")
        self.start_spin.setToolTip("Day 0 is the first reported day, after the warm-up")
        self.length_spin = QSpinBox()
        self.length_spin.setRange(1, 3_650)
        self.length_spin.setValue(21)
        self.length_spin.setPrefix("lasting ")
        self.length_spin.setSuffix(" days")
        for box in (self.buffer_check, self.outage_check):
            box.toggled.connect(self._update_enabled)

        change = QGroupBox("Change")
        form = QFormLayout(change)
        form.addRow("Name", self.name_edit)
        form.addRow("Start from", self.base_combo)
        form.addRow(self.buffer_check, self.buffer_spin)
        form.addRow("", self.buffer_now)
        form.addRow(self.outage_check, self.start_spin)
        form.addRow("", self.length_spin)

        self.run_button = QPushButton("Run what-if")
        self.run_button.setObjectName("Primary")
        self.run_button.setToolTip(
            "Add the scenario and run it with the Run panel's trials, horizon and seed"
        )
        self.run_button.clicked.connect(self.request_run)
        self.status_label = styled_label("", "Muted", wrap=True)

        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(56)
        self.list.currentRowChanged.connect(lambda _r: self._update_enabled())
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected what-if scenario (and its results)")
        self.remove_button.clicked.connect(self._remove_current)
        self.save_button = QPushButton("Save to a copy…")
        self.save_button.setToolTip(
            "Write the workbook with these scenarios to a new file; the opened file is not changed"
        )
        self.save_button.clicked.connect(self.save_requested.emit)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.save_button)
        made = QGroupBox("Scenarios made here")
        made_layout = QVBoxLayout(made)
        made_layout.addWidget(self.list, 1)
        made_layout.addLayout(list_buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(sel_row)
        layout.addWidget(self.selection_hint)
        layout.addWidget(change)
        layout.addWidget(self.run_button)
        layout.addWidget(self.status_label)
        layout.addWidget(made, 1)
        self.set_network(None)

    # ------------------------------------------------------------------ inputs
    def set_network(self, network: Network | None) -> None:
        """The session network (workbook plus scenarios made so far)."""
        self.network = network
        current = self.base_combo.currentText()
        self.base_combo.clear()
        if network is not None:
            self.base_combo.addItems(list(network.scenario_names))
            index = self.base_combo.findText(current)
            self.base_combo.setCurrentIndex(max(index, 0))
            if not self._name_edited or name_problem(network, self.name_edit.text()):
                self.name_edit.setText(suggest_name(network))
                self._name_edited = False
        else:
            self.name_edit.clear()
        self.set_selection([s for s in self.sites if network and s in network.site_by_id])

    def set_selection(self, sites: Sequence[str]) -> None:
        self.sites = list(sites)
        self.selection_label.setText(f"<b>{selection_text(self.sites)}</b>")
        self.selection_hint.setVisible(not self.sites)
        self.buffer_now.setText(current_buffer_text(self.network, self.sites))
        self._update_enabled()

    def set_what_ifs(self, whatifs: Sequence[WhatIf]) -> None:
        self.list.clear()
        for w in whatifs:
            item = QListWidgetItem(f"{w.name} — {w.describe()}")
            item.setData(NameRole, w.name)
            item.setToolTip(w.describe())
            self.list.addItem(item)
        self._update_enabled()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_enabled()

    def what_if(self) -> WhatIf:
        """The change the panel describes."""
        return WhatIf(
            name=self.name_edit.text().strip(),
            sites=tuple(self.sites),
            buffer_days=self.buffer_spin.value() if self.buffer_check.isChecked() else None,
            outage_start=self.start_spin.value() if self.outage_check.isChecked() else None,
            outage_days=self.length_spin.value(),
            base=self.base_combo.currentText() or BASELINE,
        )

    def missing(self) -> str:
        """What stops a run, in words ('' when it can run)."""
        if self.network is None:
            return "Open a valid workbook first."
        if not self.sites:
            return "Select one or more sites."
        if not (self.buffer_check.isChecked() or self.outage_check.isChecked()):
            return "Tick Buffer, Outage or both."
        return name_problem(self.network, self.name_edit.text()) or ""

    def request_run(self) -> None:
        if not self.missing() and not self._busy:
            self.run_requested.emit(self.what_if())

    def _on_name_edited(self, _text: str) -> None:
        self._name_edited = True
        self._update_enabled()

    def _remove_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(str(item.data(NameRole)))

    def _update_enabled(self) -> None:
        ready = self.network is not None
        for w in (self.name_edit, self.base_combo, self.buffer_check, self.outage_check):
            w.setEnabled(ready)
        self.buffer_spin.setEnabled(ready and self.buffer_check.isChecked())
        self.start_spin.setEnabled(ready and self.outage_check.isChecked())
        self.length_spin.setEnabled(ready and self.outage_check.isChecked())
        self.clear_button.setEnabled(bool(self.sites))
        missing = self.missing()
        self.run_button.setEnabled(not missing and not self._busy)
        self.status_label.setText(
            missing
            if missing and self.network is not None
            else ("Busy: wait for the run." if self._busy else "")
        )
        self.remove_button.setEnabled(self.list.currentItem() is not None and not self._busy)
        self.save_button.setEnabled(self.list.count() > 0 and not self._busy)


class WhatIfDock(PanelDock):
    """Side dock holding a :class:`WhatIfPanel` (scrolled in a short window)."""

    panel: WhatIfPanel

    def __init__(self, parent: QWidget | None = None) -> None:
        self.panel = WhatIfPanel()
        super().__init__("What-if", "WhatIfDock", self.panel, parent, scroll=True)
