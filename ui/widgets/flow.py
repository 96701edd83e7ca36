"""A row of controls that wraps onto further rows when the window is narrow.

After Qt's own *Flow Layout* example (Qt for Python examples,
``widgets/layouts/flowlayout``): items left to right at their preferred size, a new
row when the next item would pass the right edge; the height follows the width.
An item added with a stretch takes its row's spare width, as in a box layout.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Items in rows, wrapping when the width runs out; stretched items fill their row."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 12, row_gap: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: dict[int, int] = {}  # id of an item -> its stretch
        self._gap = spacing
        self._row_gap = row_gap
        self.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # type: ignore[override]
        """Add ``widget``; with a ``stretch``, it takes a share of its row's spare width."""
        super().addWidget(widget)
        if stretch > 0:
            self._stretch[id(self._items[-1])] = stretch

    # ------------------------------------------------------------------ QLayout
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretch.pop(id(item), None)
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        if not shown:
            return QSize(0, 0)
        width = sum(s.width() for s in shown) + self._gap * (len(shown) - 1)
        return QSize(width, max(s.height() for s in shown))

    def minimumSize(self) -> QSize:
        """The widest item: narrower than that, the row cannot wrap any further."""
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size

    # ------------------------------------------------------------------ placing
    def _base(self, item: QLayoutItem) -> QSize:
        """An item's size before its row's spare width is shared: its preferred size, or
        for a stretched item (such as a long site list) its minimum width, as a box
        layout would squeeze it to keep the row on one line."""
        hint = item.sizeHint()
        if self._stretch.get(id(item), 0) > 0:
            return QSize(item.minimumSize().width(), hint.height())
        return hint

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        """Place the items in ``rect`` (when ``apply``); returns the height used."""
        rows: list[list[QLayoutItem]] = [[]]
        x = rect.x()
        for item in self._items:
            if item.isEmpty():
                continue
            width = self._base(item).width()
            if rows[-1] and x + width > rect.right() + 1:
                rows.append([])
                x = rect.x()
            rows[-1].append(item)
            x += width + self._gap
        y = rect.y()
        for row in rows:
            if not row:
                continue
            hints = [self._base(item) for item in row]
            used = sum(h.width() for h in hints) + self._gap * (len(row) - 1)
            stretches = [self._stretch.get(id(item), 0) for item in row]
            spare, total = max(0, rect.width() - used), sum(stretches)
            height = max(h.height() for h in hints)
            if apply:
                x = rect.x()
                for item, hint, stretch in zip(row, hints, stretches, strict=True):
                    width = hint.width() + (spare * stretch // total if total else 0)
                    item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
                    x += width + self._gap
            y += height + self._row_gap
        return max(0, y - self._row_gap - rect.y())


class SideBySide(QWidget):
    """Panes side by side, or one above the other when the width is short of theirs.

    Its minimum width is the widest pane's, so a narrow window stacks the panes
    instead of scrolling sideways (the Safety stock plan cards and their chart needed
    about 730 px side by side; at 1024 x 640 with the docks open the view has 630).
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(spacing)

    def side_by_side_width(self) -> int:
        """The least width at which the panes fit side by side."""
        widths = [self.box.itemAt(i).minimumSize().width() for i in range(self.box.count())]
        return sum(widths) + self.box.spacing() * max(0, len(widths) - 1)

    def stacked(self) -> bool:
        return self.box.direction() == QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        widest = max(
            (self.box.itemAt(i).minimumSize().width() for i in range(self.box.count())),
            default=0,
        )
        return QSize(widest, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= self.side_by_side_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            self.updateGeometry()  # the height it needs changed with the direction
