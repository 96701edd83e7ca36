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

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QRectF, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from .. import theme
from ..workers.worker import TaskContext, Worker

DrawFigure = Callable[[Figure], object]
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
    # one render at a time: matplotlib's font and text caches are not made for
    # concurrent drawing from several threads
    with RENDER_LOCK:
        figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
        draw(figure)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        buffer = canvas.buffer_rgba()
        return bytes(buffer), int(buffer.shape[1]), int(buffer.shape[0])


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
    """

    rendered = Signal()

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
    def set_figure(self, draw: DrawFigure | None, placeholder: str = "") -> None:
        """Show what ``draw(figure)`` draws (None: only ``placeholder``)."""
        self._draw = draw
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

        def task(_context: TaskContext) -> tuple[int, tuple[bytes, int, int], float]:
            return generation, render_pixels(draw, width, height, dpi), ratio

        worker = Worker(task, "chart")
        worker.signals.result.connect(self._on_image)
        worker.signals.finished.connect(self._on_finished)
        self._worker = worker
        worker.start(self.pool)

    def _on_image(self, value: tuple[int, tuple[bytes, int, int], float]) -> None:
        generation, pixels, ratio = value
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

    # ------------------------------------------------------------------ Qt
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
