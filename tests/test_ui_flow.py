"""The wrapping row of inputs (FlowLayout) and the panes that stack (SideBySide)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.widgets.flow import FlowLayout, SideBySide


class _Box(QWidget):
    """A widget of a given preferred and minimum width."""

    def __init__(self, width: int, minimum: int | None = None, height: int = 30) -> None:
        super().__init__()
        self._hint = QSize(width, height)
        self.setMinimumSize(width if minimum is None else minimum, height)

    def sizeHint(self) -> QSize:
        return self._hint


def _box(width: int, minimum: int | None = None) -> QWidget:
    return _Box(width, minimum)


def test_items_wrap_when_the_width_runs_out_and_a_stretched_one_fills_its_row(qtbot: Any) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, spacing=10, row_gap=5)
    wide = _box(300, minimum=80)
    a, b = _box(100), _box(100)
    flow.addWidget(wide, 1)
    flow.addWidget(a)
    flow.addWidget(b)
    # room for the stretched item at its minimum and both others: one row, spare to it
    host.resize(600, 100)
    flow.setGeometry(host.rect())
    assert wide.y() == a.y() == b.y() == 0
    assert wide.width() == 600 - 100 - 100 - 2 * 10
    assert flow.heightForWidth(600) == 30
    # too narrow for all three: the last wraps onto a second row
    host.resize(250, 100)
    flow.setGeometry(host.rect())
    assert b.y() == 35 and b.x() == 0
    assert flow.heightForWidth(250) == 65
    # never narrower than its widest item
    assert flow.minimumSize().width() == 100


def test_panes_stack_when_short_of_their_width(qtbot: Any) -> None:
    host = QWidget()  # a child, as in a view: a window would keep its layout's minimum
    qtbot.addWidget(host)
    pair = SideBySide(spacing=10)
    QVBoxLayout(host).addWidget(pair)
    host.layout().setContentsMargins(0, 0, 0, 0)
    pair.box.addWidget(_box(300))
    pair.box.addWidget(_box(200))
    assert pair.minimumSizeHint().width() == 300  # stacked, the widest pane
    host.resize(600, 200)
    host.show()
    qtbot.waitUntil(lambda: pair.width() == 600 and not pair.stacked())
    host.resize(400, 200)  # short of 300 + 10 + 200
    qtbot.waitUntil(pair.stacked)
    host.resize(520, 200)
    qtbot.waitUntil(lambda: not pair.stacked())
