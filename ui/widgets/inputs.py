"""Labelled inputs shared by the analysis views: spin boxes, the scenario chooser."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jitrisk.model.records import Network

from .common import styled_label


def spin_box(minimum: int, maximum: int, value: int, step: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setSingleStep(step)
    box.setGroupSeparatorShown(True)
    box.setAccelerated(True)
    box.setToolTip(tip)
    box.setMinimumWidth(90)
    return box


class PercentBox(QDoubleSpinBox):
    """A percentage with up to 4 decimals, shown without trailing zeros (95 %, 99.99 %)."""

    def __init__(self, minimum: float, maximum: float, value: float, tip: str) -> None:
        super().__init__()
        self.setDecimals(4)
        self.setRange(minimum, maximum)
        self.setSingleStep(0.5)
        self.setSuffix(" %")
        self.setValue(value)
        self.setToolTip(tip)

    def textFromValue(self, value: float) -> str:
        return f"{value:.4f}".rstrip("0").rstrip(".")


class LevelsInput(QWidget):
    """Buffer levels in days of cover as *from*, *to* and *every* fields (both ends
    included): what ``0:30:1`` means, without the syntax."""

    def __init__(self, start: float = 0.0, stop: float = 30.0, step: float = 1.0) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.from_spin = self._days(0.0, 3650.0, "Smallest buffer, days of cover")
        self.to_spin = self._days(0.0, 3650.0, "Largest buffer, days of cover")
        self.step_spin = self._days(0.5, 365.0, "Days between levels")
        for caption, spin in (("from", self.from_spin), ("to", self.to_spin),
                              ("every", self.step_spin)):  # fmt: skip
            row.addWidget(styled_label(caption, "Muted"))
            row.addWidget(spin)
        self.set_levels(start, stop, step)

    @staticmethod
    def _days(low: float, high: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setDecimals(1)
        box.setSingleStep(1.0)
        box.setToolTip(tip)
        box.setMinimumWidth(64)
        return box

    def set_levels(self, start: float, stop: float, step: float) -> None:
        self.from_spin.setValue(start)
        self.to_spin.setValue(stop)
        self.step_spin.setValue(step)

    def text(self) -> str:
        """The levels in the ``start:stop:step`` form of ``jitrisk sweep --buffer-days``."""
        values = (self.from_spin.value(), self.to_spin.value(), self.step_spin.value())
        return ":".join(f"{v:g}" for v in values)


def labelled(text: str, widget: QWidget, tip: str = "") -> QWidget:
    """A small caption over an input, the way the controls bar lays out its fields."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    label = styled_label(text, "Muted")
    label.setBuddy(widget)
    if tip:
        label.setToolTip(tip)
        widget.setToolTip(widget.toolTip() or tip)
    layout.addWidget(label)
    layout.addWidget(widget)
    return box


def scenario_box() -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(
        "baseline is the workbook as it is; other scenarios apply the Scenarios sheet's changes."
    )
    combo.setMinimumWidth(130)
    return combo


def fill_scenarios(combo: QComboBox, network: Network | None) -> None:
    current = combo.currentText()
    combo.clear()
    if network is not None:
        combo.addItems(list(network.scenario_names))
        if current in network.scenario_names:
            combo.setCurrentText(current)


def select_data(combo: QComboBox, key: object) -> bool:
    """Choose the item of ``combo`` whose data is ``key``; False (nothing changed) if none."""
    index = combo.findData(key)
    if index < 0:
        return False
    combo.setCurrentIndex(index)
    return True
