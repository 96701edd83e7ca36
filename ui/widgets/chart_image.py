"""A matplotlib chart rendered off the GUI thread and shown as an image.

Drawing a figure with Agg takes 50–300 ms for a chart with a few panels on a
busy 2-core machine: too long for the event loop, which should never wait
more than about 100 ms. :class:`ChartImage` asks a *figure function* to draw
into a fresh :class:`~matplotlib.figure.Figure` of the widget's size, renders
it to pixels on a worker thread (Agg figures that are not attached to a GUI
canvas may be drawn from any thread; matplotlib keeps its font objects per
thread), and paints the image when it arrives. A resize renders again after
a short pause; meanwhile the previous image is shown, scaled.

The figure function is plain: ``draw(figure)`` fills the given figure (the
functions of :mod:`ui.figures.results` and :mod:`ui.logic.comparison` take ``figure=``), so
the same code feeds the exported reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QRectF, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import theme
from ..workers.worker import TaskContext, Worker

DrawFigure = Callable[[Figure], object]
#: Points of a drawn figure a click can pick: key -> (x, y) in pixels from the top left.
FindSpots = Callable[[Figure], dict[str, tuple[float, float]]]
#: How near (logical pixels) a click must fall to pick a point.
PICK_RADIUS = 14.0
#: Serialises off-thread matplotlib rendering (see :func:`render_figure`).
RENDER_LOCK = threading.Lock()
#: Pause after the last resize before rendering again.
RESIZE_PAUSE_MS = 120
BASE_DPI = 100.0


def render_pixels(draw: DrawFigure, width: int, height: int, dpi: float) -> tuple[bytes, int, int]:
    """``draw`` into a new ``width`` x ``height`` pixel figure; its RGBA bytes, width, height.

    Safe on a worker thread: no pyplot, no GUI canvas and no Qt object (the
    image is made from the bytes on the GUI thread, see :mod:`ui.workers.worker`).
    """
    pixels, _spots = render_with_spots(draw, width, height, dpi, None)
    return pixels


def render_with_spots(
    draw: DrawFigure, width: int, height: int, dpi: float, spots: FindSpots | None
) -> tuple[tuple[bytes, int, int], dict[str, tuple[float, float]]]:
    """:func:`render_pixels`, and where ``spots`` finds its points once the figure is
    laid out (pixels of the image)."""
    # one render at a time: matplotlib's font and text caches are not made for
    # concurrent drawing from several threads
    with RENDER_LOCK:
        figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
        draw(figure)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        buffer = canvas.buffer_rgba()
        found = spots(figure) if spots is not None else {}
        return (bytes(buffer), int(buffer.shape[1]), int(buffer.shape[0])), found


def pixels_to_image(pixels: bytes, width: int, height: int) -> QImage:
    """The QImage of :func:`render_pixels`' bytes (a deep copy, owning its memory)."""
    return QImage(pixels, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


def render_figure(draw: DrawFigure, width: int, height: int, dpi: float) -> QImage:
    """``draw`` into a new figure and return it as a QImage (GUI thread, exports)."""
    return pixels_to_image(*render_pixels(draw, width, height, dpi))


class ChartImage(QWidget):
    """Shows the figure drawn by :meth:`set_figure`, rendered on ``pool``.

    Signals
    -------
    rendered
        A new image is on show (tests wait for it).
    point_clicked(str)
        A click fell on a point the figure's ``spots`` named (:meth:`set_figure`).
    """

    rendered = Signal()
    point_clicked = Signal(str)

    def __init__(
        self,
        pool: QThreadPool | None = None,
        parent: QWidget | None = None,
        size_hint: QSize | None = None,
    ) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        #: What the layout is asked for; a modest hint lets splitters share the space.
        self._size_hint = size_hint or QSize(900, 360)
        self._draw: DrawFigure | None = None
        self._find_spots: FindSpots | None = None
        self._spots: dict[str, tuple[float, float]] = {}
        self._image: QImage | None = None
        self._generation = 0
        self._shown_generation = -1
        self._worker: Worker | None = None
        self._pending = False
        self.scale = 1.0
        self.placeholder = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RESIZE_PAUSE_MS)
        self._timer.timeout.connect(self.render)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def sizeHint(self) -> QSize:
        return self._size_hint

    # ------------------------------------------------------------------ content
    def set_figure(
        self, draw: DrawFigure | None, placeholder: str = "", spots: FindSpots | None = None
    ) -> None:
        """Show what ``draw(figure)`` draws (None: only ``placeholder``); with ``spots``,
        a click near one of the points it finds emits :attr:`point_clicked`."""
        self._draw = draw
        self._find_spots = spots
        self._spots = {}
        self.setCursor(Qt.CursorShape.PointingHandCursor if spots else Qt.CursorShape.ArrowCursor)
        self.placeholder = placeholder
        self._generation += 1
        if draw is None:
            self._image = None
            self.update()
            return
        if self.isVisible():
            self.render()
        else:
            self._pending = True

    def set_scale(self, scale: float) -> None:
        """Draw text and lines ``scale`` times larger (presentation mode)."""
        if scale != self.scale:
            self.scale = scale
            self._generation += 1
            self.render_later()

    def image(self) -> QImage | None:
        """The image on show (None before the first render)."""
        return self._image

    def is_current(self) -> bool:
        """True when the image on show is the latest figure at the latest scale."""
        return self._draw is not None and self._shown_generation == self._generation

    def render_later(self) -> None:
        self._timer.start()

    def render(self) -> None:
        """Render the current figure at the current size on the pool."""
        draw = self._draw
        if draw is None or self.width() < 20 or self.height() < 20:
            return
        if not self.isVisible():  # a closed window or a hidden tab: render when shown
            self._pending = True
            return
        if self._worker is not None:  # one at a time; render again when it is done
            self._pending = True
            return
        self._pending = False
        ratio = self.devicePixelRatioF() or 1.0
        dpi = BASE_DPI * self.scale * ratio
        width, height = round(self.width() * ratio), round(self.height() * ratio)
        generation = self._generation
        find = self._find_spots

        def task(_context: TaskContext) -> tuple[int, Any, float]:
            return generation, render_with_spots(draw, width, height, dpi, find), ratio

        worker = Worker(task, "chart")
        worker.signals.result.connect(self._on_image)
        worker.signals.finished.connect(self._on_finished)
        self._worker = worker
        worker.start(self.pool)

    def _on_image(self, value: tuple[int, Any, float]) -> None:
        generation, (pixels, spots), ratio = value
        self._spots = {k: (x / ratio, y / ratio) for k, (x, y) in spots.items()}
        image = pixels_to_image(*pixels)
        image.setDevicePixelRatio(ratio)
        self._image = image
        self._shown_generation = generation
        self.update()
        if generation == self._generation:
            self.rendered.emit()

    def _on_finished(self) -> None:
        self._worker = None
        if self._pending or self._shown_generation != self._generation:
            self._pending = False
            QTimer.singleShot(0, self, self.render)

    def spots(self) -> dict[str, tuple[float, float]]:
        """The clickable points of the image on show, in the widget's coordinates."""
        return dict(self._spots)

    def pick(self, x: float, y: float) -> str | None:
        """The point nearest to ``(x, y)`` within :data:`PICK_RADIUS`, or None."""
        best, near = None, PICK_RADIUS**2
        for key, (px, py) in self._spots.items():
            d = (px - x) ** 2 + (py - y) ** 2
            if d <= near:
                best, near = key, d
        return best

    # ------------------------------------------------------------------ Qt
    def mousePressEvent(self, event: QMouseEvent) -> None:
        key = self.pick(event.position().x(), event.position().y())
        if key is not None:
            self.point_clicked.emit(key)
        super().mousePressEvent(event)

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        super().showEvent(event)  # type: ignore[arg-type]
        if self._pending or (self._draw is not None and self._shown_generation != self._generation):
            self.render_later()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._draw is not None:
            self._generation += 1
            self.render_later()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(self.rect()), self._image)
        elif self.placeholder:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.end()
