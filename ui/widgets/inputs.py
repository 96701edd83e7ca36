"""Labelled inputs shared by the analysis views: spin boxes, the scenario chooser."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
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
