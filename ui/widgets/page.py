"""The scrolled page of a view: fills its scroll area, scrolls only below its minimum."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

#: Qt's object name for a scroll area's viewport, where a scrolled page's walk ends.
_VIEWPORT = "qt_scrollarea_viewport"


class FillPage(QWidget):
    """A page that fills its scroll area and scrolls only below its minimum size.

    Without height-for-width, word-wrapped labels would make the page ask for its
    preferred height for the width, and the scroll area would show a needless
    scroll bar. Its minimum height is instead what its wrapped text needs at its
    present width: counted as one line each, a page's wrapped headline and
    subtitle left the panes below them less than their minimum on a narrow window
    (at 1024 x 640 the Safety stock plan cards were squeezed into each other), so
    the page now scrolls instead.
    """

    def hasHeightForWidth(self) -> bool:
        return False

    def heightForWidth(self, width: int) -> int:
        return -1  # QScrollArea asks the layout directly; -1 means "no preference"

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        layout = self.layout()
        if layout is not None and self.width() > 0 and layout.hasHeightForWidth():
            hint.setHeight(max(hint.height(), layout.totalMinimumHeightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._ask_again()  # the wrapped text's height changed with the width

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._ask_again()  # something inside changed its minimum (a card's text)
        return handled

    def _ask_again(self) -> None:
        """Have every widget up to the scrolled page ask its minimum again: layouts
        keep their children's hints and renew them only when told."""
        widget: QWidget | None = self
        while widget is not None:
            widget.updateGeometry()
            parent = widget.parentWidget()
            if parent is None or parent.objectName() == _VIEWPORT:
                break
            widget = parent


class ResultPage(FillPage):
    """A page of results inside a scrolled page (see :class:`FillPage`)."""
