"""Reusable building blocks of the views: cards, tiles, bars, read-only tables, message bars."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from ..logic.messages import ShownMessage
from .icons import severity_icon


def styled_label(text: str, look: str, *, wrap: bool = False) -> QLabel:
    """A label with the style sheet's look ``look`` (``Muted``, ``CardTitle``, ``PageTitle``…)."""
    label = QLabel(text)
    label.setObjectName(look)
    label.setWordWrap(wrap)
    return label


def column_layout(
    widget: QWidget, name: str, margins: tuple[int, int, int, int], spacing: int
) -> QVBoxLayout:
    """Give ``widget`` the style sheet's look ``name`` (``Card``, ``Tile``, ``PageBody``…)
    and a vertical layout with ``margins`` (left, top, right, bottom) and ``spacing``."""
    widget.setObjectName(name)
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return layout


class Card(QFrame):
    """A white, rounded panel with a title, an optional subtitle and a body layout."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = column_layout(self, "Card", (16, 12, 16, 14), 6)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("CardTitle")
        outer.addWidget(self.title_label)
        self.subtitle_label = QLabel(subtitle)
        self.subtitle_label.setObjectName("CardSubtitle")
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setVisible(bool(subtitle))
        outer.addWidget(self.subtitle_label)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        outer.addLayout(self.body)
        outer.addStretch(1)

    def set_subtitle(self, text: str) -> None:
        self.subtitle_label.setText(text)
        self.subtitle_label.setVisible(bool(text))


def paint_accent(widget: QWidget, colour: str, width: float) -> None:
    """The coloured accent line on the left of a tile or card (call from ``paintEvent``)."""
    p = QPainter(widget)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawRoundedRect(QRectF(5, 10, width, widget.height() - 20), 2, 2)
    p.end()


def fitted_point_size(needed: float, available: float, size: float, least: float = 0.45) -> float:
    """The point size at which text ``needed`` pixels wide at ``size`` fits ``available``
    pixels: ``size`` when it fits, else scaled down in proportion, never below ``least``
    times ``size``."""
    if needed <= available or needed <= 0:
        return size
    return max(size * available / needed, size * least)


class FitLabel(QLabel):
    """A one-line label (a headline number) drawn smaller rather than cut when narrow.

    Its minimum width is small, so a narrow window shrinks the type instead of
    clipping "EUR 1.6bn" to "EUR 1.6b" or widening the window.
    """

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), 48), hint.height())

    def shown_point_size(self) -> float:
        """The point size the text is drawn at now."""
        metrics = QFontMetrics(self.font())
        size = self.font().pointSizeF()
        return fitted_point_size(
            metrics.horizontalAdvance(self.text()), self.contentsRect().width() - 6, size
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        size = self.shown_point_size()
        if size >= self.font().pointSizeF():
            super().paintEvent(event)
            return
        font = self.font()
        font.setPointSizeF(size)
        p = QPainter(self)
        p.setFont(font)
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(self.contentsRect(), int(self.alignment()), self.text())
        p.end()


class Tile(QFrame):
    """A big number over a label, with a coloured accent line on the left."""

    def __init__(
        self, label: str, colour: str = theme.ACCENT, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._colour = colour
        layout = column_layout(self, "Tile", (18, 10, 14, 10), 0)
        self.value_label = FitLabel("–")
        self.value_label.setObjectName("TileValue")
        self.caption = QLabel(label)
        self.caption.setObjectName("TileLabel")
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_value(self, value: str) -> None:
        self.value_label.setText(value)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_accent(self, self._colour, 4)


class KpiCard(QFrame):
    """A network KPI: title, headline value, its 95% CI and a one-line explanation."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = column_layout(self, "KpiCard", (16, 12, 16, 12), 2)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("KpiTitle")
        self.title_label.setWordWrap(True)
        self.value_label = FitLabel("–")
        self.value_label.setObjectName("KpiValue")
        self.ci_label = QLabel("")
        self.ci_label.setObjectName("KpiCi")
        self.ci_label.setWordWrap(True)
        self.caption_label = QLabel("")
        self.caption_label.setObjectName("KpiCaption")
        self.caption_label.setWordWrap(True)
        for w in (self.title_label, self.value_label, self.ci_label, self.caption_label):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(w)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(150)

    def set_values(self, title: str, value: str, ci: str, caption: str) -> None:
        self.title_label.setText(title)
        self.value_label.setText(value)
        self.ci_label.setText(ci)
        self.caption_label.setText(caption)
        self.setToolTip(f"{title}: {value}\n{ci}\n{caption}")


class CountBars(QWidget):
    """Labelled horizontal bars for a handful of counts (sites by tier, by region)."""

    ROW_HEIGHT = 24

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int, str]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: Sequence[tuple[str, int, str]]) -> None:
        """``rows``: (label, count, colour) in display order."""
        self._rows = list(rows)
        self.setFixedHeight(max(1, len(self._rows)) * self.ROW_HEIGHT + 4)
        self.update()

    def rows(self) -> list[tuple[str, int, str]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(320, max(1, len(self._rows)) * self.ROW_HEIGHT + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        label_w = min(
            max((fm.horizontalAdvance(r[0]) for r in self._rows), default=0) + 12,
            int(self.width() * 0.45),
        )
        count_w = fm.horizontalAdvance("00,000") + 8
        bar_w = max(10, self.width() - label_w - count_w)
        top = max((r[1] for r in self._rows), default=1) or 1
        for i, (label, count, colour) in enumerate(self._rows):
            y = 2 + i * self.ROW_HEIGHT
            text_rect = QRectF(0, y, label_w - 8, self.ROW_HEIGHT)
            p.setPen(QColor(theme.TEXT))
            p.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                fm.elidedText(label, Qt.TextElideMode.ElideRight, int(text_rect.width())),
            )
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(theme.SUBTLE))
            p.drawRoundedRect(QRectF(label_w, y + 5, bar_w, self.ROW_HEIGHT - 10), 3, 3)
            p.setBrush(QColor(colour))
            width = max(3.0, bar_w * count / top)
            p.drawRoundedRect(QRectF(label_w, y + 5, width, self.ROW_HEIGHT - 10), 3, 3)
            p.setPen(QColor(theme.TEXT))
            p.drawText(
                QRectF(label_w + bar_w + 6, y, count_w, self.ROW_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{count:,}",
            )
        p.end()


def empty_state(title: str = "", body: str = "", points: int = 14) -> QLabel:
    """The centred note a page shows when it has nothing yet: a bold ``title``
    over a ``body`` paragraph (both rich text), or the text set later."""
    label = QLabel(
        f"<p style='font-size:{points}pt'><b>{title}</b></p><p>{body}</p>" if title else ""
    )
    label.setObjectName("EmptyState")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def split(
    first: QWidget,
    second: QWidget,
    *,
    vertical: bool = True,
    stretch: tuple[int, int] | None = (3, 2),
) -> QSplitter:
    """``first`` above (or left of) ``second``, sharing new space by ``stretch``;
    neither can be dragged shut."""
    splitter = QSplitter(Qt.Orientation.Vertical if vertical else Qt.Orientation.Horizontal)
    splitter.addWidget(first)
    splitter.addWidget(second)
    if stretch is not None:
        splitter.setStretchFactor(0, stretch[0])
        splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    return splitter


def style_read_only(table: QTableView, *, wrap: bool = False) -> None:
    """The look of every read-only table: whole rows selected, nothing editable,
    alternating rows, no grid, no row numbers; cell text on one line unless ``wrap``."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(wrap)
    table.verticalHeader().setVisible(False)


class PanelDock(QDockWidget):
    """A dock holding one panel, shown as ``title``; ``name`` keeps its place between sessions.

    ``sides`` keeps it to the left and right edges (a side panel); ``scroll`` lets a
    short window scroll the panel instead of growing.
    """

    def __init__(
        self,
        title: str,
        name: str,
        panel: QWidget,
        parent: QWidget | None = None,
        *,
        sides: bool = True,
        scroll: bool = False,
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName(name)
        if scroll:
            scroller = QScrollArea()
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QScrollArea.Shape.NoFrame)
            scroller.setWidget(panel)
            self.setWidget(scroller)
        else:
            self.setWidget(panel)
        if sides:
            self.setAllowedAreas(
                Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
            )


def read_only_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    max_visible_rows: int = 10,
    stretch_last: bool = True,
) -> QTableWidget:
    """A compact, sortable, non-editable table sized to show up to ``max_visible_rows``."""
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    style_read_only(table)
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(i, j, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_last:
        header.setStretchLastSection(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the given order
    table.setSortingEnabled(True)
    row_h = table.verticalHeader().defaultSectionSize()
    visible = max(1, min(len(rows), max_visible_rows))
    table.setFixedHeight(header.sizeHint().height() + visible * row_h + 4)
    return table


class MessageBar(QFrame):
    """One inline message: icon, bold title, text and optional action buttons."""

    closed = Signal(str)

    def __init__(self, message: ShownMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = message
        self.setObjectName("MessageBar")
        tint = theme.LEVEL_TINTS[message.level]
        edge = theme.LEVEL_COLOURS[message.level]
        self.setStyleSheet(
            f"QFrame#MessageBar {{ background: {tint}; border: 1px solid {edge};"
            f" border-left: 5px solid {edge}; border-radius: 4px; }}"
            f" QFrame#MessageBar QLabel {{ color: {theme.TEXT}; background: transparent; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        icon = QLabel()
        icon.setPixmap(severity_icon(message.level).pixmap(20, 20))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(f"<b>{_escape(message.title)}.</b> {_escape(message.text)}")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(lambda: self.closed.emit(self.message.key))
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

    def add_action(self, text: str, callback: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(callback)
        self.buttons.addWidget(button)
        return button


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MessageArea(QWidget):
    """A stack of :class:`MessageBar`, one per message key (showing a key again replaces it).

    At most :attr:`VISIBLE` bars show, the newest; the older ones wait behind a
    "N earlier messages" button, so messages never push the view off the screen.
    """

    #: Bars shown at once before the older ones fold away.
    VISIBLE = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 0)
        self._layout.setSpacing(6)
        self._bars: dict[str, MessageBar] = {}
        #: Presentation mode keeps the messages but not on the projector.
        self._suppressed = False
        self._expanded = False
        self.more_button = QToolButton(self)
        self.more_button.setAutoRaise(True)
        self.more_button.clicked.connect(self._toggle_expanded)
        self._layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.setVisible(False)

    def set_suppressed(self, suppressed: bool) -> None:
        """Hide the area while ``suppressed`` (messages are kept and shown afterwards)."""
        self._suppressed = suppressed
        self._update_visible()

    def _toggle_expanded(self) -> None:
        self._expanded = not self._expanded
        self._update_visible()

    def hidden_count(self) -> int:
        """Older messages folded away behind the button."""
        return 0 if self._expanded else max(len(self._bars) - self.VISIBLE, 0)

    def _update_visible(self) -> None:
        folded = self.hidden_count()
        for i, bar in enumerate(self._bars.values()):
            bar.setVisible(i >= folded)
        extra = len(self._bars) - self.VISIBLE
        self.more_button.setVisible(extra > 0)
        if extra > 0:
            self.more_button.setText(
                f"Hide {extra} earlier message{'s' if extra > 1 else ''}"
                if self._expanded
                else f"{extra} earlier message{'s' if extra > 1 else ''}…"
            )
        self.setVisible(bool(self._bars) and not self._suppressed)

    def show_message(
        self, message: ShownMessage, actions: Sequence[tuple[str, Callable[[], None]]] = ()
    ) -> MessageBar:
        self.clear(message.key)
        bar = MessageBar(message, self)
        for text, callback in actions:
            bar.add_action(text, callback)
        bar.closed.connect(self.clear)
        self._bars[message.key] = bar
        self._layout.addWidget(bar)  # newest last; the button for older ones stays on top
        self._update_visible()
        return bar

    def clear(self, key: str) -> None:
        bar = self._bars.pop(key, None)
        if bar is not None:
            bar.hide()
            bar.deleteLater()
        if len(self._bars) <= self.VISIBLE:
            self._expanded = False
        self._update_visible()

    def clear_all(self, keep: Sequence[str] = ()) -> None:
        """Clear every message but those with a key in ``keep``."""
        for key in list(self._bars):
            if key not in keep:
                self.clear(key)

    def messages(self) -> list[ShownMessage]:
        """The messages on show, oldest first."""
        return [bar.message for bar in self._bars.values()]

    def shown_keys(self) -> list[str]:
        return list(self._bars)
