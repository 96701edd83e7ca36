"""Presentation mode (F11): full screen, large type, no chrome, driven from the keyboard.

For the meeting-room projector. Entering hides the menu bar, status bar, tab
bar and docks, enlarges the type (Qt widgets through a scaled style sheet;
matplotlib charts by raising their dpi, so their text grows with them) and
shows a caption bar with the workbook, the view and the scenario. Keys:

========================  =============================================
Right / Left              next / previous view (Summary, Map, Results, …)
Page Down / Page Up       next / previous scenario with results
Home / End                first / last view
Esc or F11                leave presentation mode
========================  =============================================

Leaving restores the window exactly: geometry, dock layout, what was shown.
The window supplies the scenarios and how to show one, so this module knows
nothing of runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from .. import theme
from ..widgets.common import MessageArea, styled_label

#: How much larger text is in presentation mode.
SCALE = 1.45
#: Base type size in presentation mode (points).
BASE_POINTS = 14

KEYS_HELP = "→ ← views · PgDn PgUp scenarios · F12 snapshot · Esc leaves"
NAV_KEYS = {
    Qt.Key.Key_Right,
    Qt.Key.Key_Left,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_Escape,
}


def presentation_style_sheet(scale: float = SCALE, base_points: int = BASE_POINTS) -> str:
    """The application's style sheet with every type size times ``scale``, on a larger base."""

    def bigger(match: re.Match[str]) -> str:
        return f"font-size: {round(float(match.group(1)) * scale)}pt"

    scaled = re.sub(r"font-size:\s*([\d.]+)pt", bigger, theme.STYLE_SHEET)
    return (
        f"QWidget {{ font-size: {base_points}pt; }}\n"
        f"QTableView, QTableWidget {{ font-size: {base_points - 1}pt; }}\n"
        + scaled
        + f"\nQLabel#PresentationCaption {{ font-size: {round(base_points * 1.15)}pt;"
        f" font-weight: 600; color: {theme.TEXT}; }}"
        + f"\nQLabel#PresentationKeys {{ font-size: {base_points - 2}pt; color: {theme.MUTED}; }}"
        + f"\nQWidget#PresentationBar {{ background: {theme.SURFACE};"
        f" border-bottom: 1px solid {theme.BORDER}; }}"
    )


def scale_charts(root: QWidget, factor: float) -> int:
    """Draw every chart under ``root`` ``factor`` times larger; returns how many.

    Every chart of the app is a :class:`~ui.widgets.chart_image.ChartImage`,
    which renders again at the new scale. ``factor=1`` restores them.
    """
    from ..widgets.chart_image import ChartImage

    count = 0
    for image in root.findChildren(ChartImage):
        image.set_scale(factor)
        count += 1
    return count


@dataclass
class _Saved:
    geometry: QRect
    state: QByteArray
    window_state: Qt.WindowState
    menu_visible: bool
    status_visible: bool
    tabbar_visible: bool


class PresentationMode(QObject):
    """Puts a main window into presentation mode and back.

    Parameters
    ----------
    window : QMainWindow
        The window; its central widget's layout gets the caption bar.
    tabs : QTabWidget
        The views to step through.
    scenarios : callable
        Names of the scenarios with results, in order.
    current : callable
        The scenario on show, or None.
    show_scenario : callable
        Shows a scenario's results in every view.
    title : callable
        Text at the left of the caption (the workbook's name).
    """

    changed = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        tabs: QTabWidget,
        scenarios: Callable[[], list[str]],
        current: Callable[[], str | None],
        show_scenario: Callable[[str], object],
        title: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__(window)
        self.window = window
        self.tabs = tabs
        self._scenarios = scenarios
        self._current = current
        self._show_scenario = show_scenario
        self._title = title
        self._saved: _Saved | None = None
        self.fullscreen = True

        self.bar = QWidget()
        self.bar.setObjectName("PresentationBar")
        self.bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar_layout = QHBoxLayout(self.bar)
        bar_layout.setContentsMargins(24, 10, 24, 10)
        self.caption = styled_label("", "PresentationCaption", wrap=True)  # never widens the window
        self.keys_label = styled_label(KEYS_HELP, "PresentationKeys")
        bar_layout.addWidget(self.caption, 1)
        bar_layout.addWidget(self.keys_label)
        self.bar.hide()
        tabs.currentChanged.connect(lambda _i: self.update_caption())

    @property
    def active(self) -> bool:
        return self._saved is not None

    # ------------------------------------------------------------------ switching
    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        """Full screen, large type, no chrome; keyboard navigation on."""
        if self.active:
            return
        w = self.window
        self._saved = _Saved(
            geometry=w.geometry(),
            state=w.saveState(),
            window_state=w.windowState(),
            menu_visible=w.menuBar().isVisible(),
            status_visible=w.statusBar().isVisible(),
            tabbar_visible=self.tabs.tabBar().isVisible(),
        )
        from PySide6.QtWidgets import QDockWidget

        for dock in w.findChildren(QDockWidget):
            dock.hide()
        for area in w.findChildren(MessageArea):  # message bars stay at the desk
            area.set_suppressed(True)
        w.menuBar().hide()
        w.statusBar().hide()
        self.tabs.tabBar().hide()
        central = w.centralWidget()
        layout = central.layout() if central is not None else None
        if layout is not None:
            layout.insertWidget(0, self.bar)  # type: ignore[attr-defined]
        self.bar.show()
        w.setStyleSheet(presentation_style_sheet())
        if self.fullscreen:
            w.showFullScreen()
        scale_charts(w, SCALE)
        self.update_caption()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.tabs.setFocus()
        self.changed.emit(True)

    def leave(self) -> None:
        """Back to the window as it was."""
        saved = self._saved
        if saved is None:
            return
        self._saved = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        w = self.window
        self.bar.hide()
        central = w.centralWidget()
        layout = central.layout() if central is not None else None
        if layout is not None:
            layout.removeWidget(self.bar)
        self.bar.setParent(None)
        w.setStyleSheet("")
        for area in w.findChildren(MessageArea):
            area.set_suppressed(False)
        w.menuBar().setVisible(saved.menu_visible)
        w.statusBar().setVisible(saved.status_visible)
        self.tabs.tabBar().setVisible(saved.tabbar_visible)
        if saved.window_state & Qt.WindowState.WindowFullScreen:
            pass  # it was full screen before: it stays so
        elif saved.window_state & Qt.WindowState.WindowMaximized:
            w.showMaximized()
        else:
            w.showNormal()
            if w.geometry() != saved.geometry:
                w.setGeometry(saved.geometry)
        w.restoreState(saved.state)
        scale_charts(w, 1.0)
        self.changed.emit(False)

    # ------------------------------------------------------------------ navigation
    def step_view(self, step: int) -> int:
        """Show the view ``step`` tabs away (wrapping); returns the new index."""
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)
        return self.tabs.currentIndex()

    def step_scenario(self, step: int) -> str | None:
        """Show the scenario ``step`` places away among those with results (wrapping)."""
        names = self._scenarios()
        if not names:
            return None
        current = self._current()
        i = names.index(current) if current in names else -1
        name = names[(i + step) % len(names)]
        self._show_scenario(name)
        self.update_caption()
        return name

    def describe(self) -> str:
        """What is on show, in words: workbook — view — its computation or scenario
        (the caption; also the caption of a snapshot of the view, in or out of the mode)."""
        parts = [p for p in (self._title(), self.tabs.tabText(self.tabs.currentIndex())) if p]
        names = self._scenarios()
        current = self._current()
        own = getattr(self.tabs.currentWidget(), "presentation_caption", None)
        shown = own() if callable(own) else None
        if shown is not None:  # a view that shows its own computation names it
            if shown:
                parts.append(shown)
        elif current:
            where = f" ({names.index(current) + 1} of {len(names)})" if current in names else ""
            parts.append(f"scenario {current}{where}")
        return " — ".join(parts)

    def update_caption(self) -> None:
        if self.active:
            self.caption.setText(self.describe())

    def flash(self, text: str, ms: int = 5000) -> None:
        """Show ``text`` where the keys help is for ``ms`` milliseconds (the mode hides the
        message bars and the status bar)."""
        self.keys_label.setText(text)
        QTimer.singleShot(ms, self, lambda: self.keys_label.setText(KEYS_HELP))

    def handle_key(self, key: int) -> bool:
        """Act on a navigation key; True when it was one."""
        if key == Qt.Key.Key_Right:
            self.step_view(1)
        elif key == Qt.Key.Key_Left:
            self.step_view(-1)
        elif key == Qt.Key.Key_PageDown:
            self.step_scenario(1)
        elif key == Qt.Key.Key_PageUp:
            self.step_scenario(-1)
        elif key == Qt.Key.Key_Home:
            self.tabs.setCurrentIndex(0)
        elif key == Qt.Key.Key_End:
            self.tabs.setCurrentIndex(self.tabs.count() - 1)
        elif key == Qt.Key.Key_Escape:
            self.leave()
        else:
            return False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active or event.type() not in (
            QEvent.Type.KeyPress,
            QEvent.Type.ShortcutOverride,
        ):
            return False
        if not isinstance(event, QKeyEvent) or event.key() not in NAV_KEYS:
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        target = watched if isinstance(watched, QWidget) else None
        if target is None or target.window() is not self.window:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # a key press follows, instead of a shortcut (Esc is also Cancel)
            return True
        return self.handle_key(event.key())
