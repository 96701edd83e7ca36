"""The map's legend (colour scale, sizes, site types), painted on screen and in exports."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QSizePolicy,
    QWidget,
)

from .. import theme
from ..logic.map_layout import (
    TYPE_NAMES,
    ColourScale,
)
from .map_items import (
    glyph_path,
)


# --------------------------------------------------------------------------- legend
class LegendSpec:
    """What the legend explains; shared by the on-screen legend and the exported PNG."""

    def __init__(self) -> None:
        self.metric_label = ""
        self.scale: ColourScale | None = None
        self.tick_format: Callable[[float, float], str] = lambda value, _step: f"{value:g}"
        self.regions: list[tuple[str, str]] = []  # (label, colour)
        self.size_label = ""
        self.scale_note = ""  # whose values the colour scale spans


LEGEND_HEIGHT = 64


def legend_height(font: QFont) -> int:
    """Height the legend needs in ``font``: a title line, the bar or markers, a note line."""
    line = QFontMetricsF(font).height()
    return max(LEGEND_HEIGHT, int(8 + line + 4 + max(14.0, line) + 4 + line + 8))


def paint_legend(painter: QPainter, rect: QRectF, spec: LegendSpec, font: QFont) -> None:
    """Draw the colour bar, type markers, region outlines and size note into ``rect``."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(rect, QColor("white"))
    fm = QFontMetricsF(font)
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    painter.setFont(font)
    x = rect.left() + 12
    top = rect.top() + 8
    line = fm.height()
    text_colour = QColor(theme.TEXT)
    muted = QColor(theme.MUTED)

    def title(text: str, at_x: float) -> None:
        painter.setFont(bold)
        painter.setPen(text_colour)
        painter.drawText(QPointF(at_x, top + fm.ascent()), text)
        painter.setFont(font)

    # colour bar, as wide as about 32 characters so its tick labels never collide
    bar_w = max(230.0, 32 * fm.averageCharWidth())
    if spec.scale is not None:
        title(f"Colour: {spec.metric_label}", x)
        bar = QRectF(x, top + line + 4, bar_w, max(12.0, line * 0.7))
        steps = 60
        for i in range(steps):
            t = i / (steps - 1)
            value = spec.scale.low + (spec.scale.high - spec.scale.low) * t
            painter.fillRect(
                QRectF(
                    bar.left() + bar.width() * i / steps,
                    bar.top(),
                    bar.width() / steps + 1,
                    bar.height(),
                ),
                QColor(spec.scale.colour(value)),
            )
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar)
        painter.setPen(muted)
        ticks = spec.scale.ticks()
        step = spec.scale.tick_step()
        span = (spec.scale.high - spec.scale.low) or 1.0
        for value in ticks:
            tx = bar.left() + bar.width() * (value - spec.scale.low) / span
            painter.drawLine(QPointF(tx, bar.bottom()), QPointF(tx, bar.bottom() + 2))
            label = spec.tick_format(value, step)
            w = fm.horizontalAdvance(label)
            lx = min(max(tx - w / 2, bar.left() - 4), bar.right() + 4 - w)
            painter.drawText(QPointF(lx, bar.bottom() + 3 + fm.ascent()), label)
        worse = "darker = worse (lower)" if spec.scale.reverse else "darker = worse"
        painter.drawText(QPointF(bar.right() + 8, bar.bottom()), worse)
        if spec.scale_note:  # on the tick labels' line: the title above may be wider than the bar
            painter.drawText(
                QPointF(bar.right() + 8, bar.bottom() + 3 + fm.ascent()), spec.scale_note
            )
        width = max(fm.horizontalAdvance(worse), fm.horizontalAdvance(spec.scale_note))
        x += bar_w + 8 + width + 28
    else:
        title("Colour: no results yet", x)
        painter.setPen(muted)
        painter.drawText(
            QPointF(x, top + line + 4 + fm.ascent()),
            "Run a simulation to colour the sites by risk.",
        )
        x += fm.horizontalAdvance("Run a simulation to colour the sites by risk.") + 28

    # type markers
    title("Type", x)
    tx = x
    ty = top + line + 4
    glyph = max(10.0, fm.ascent() * 0.8)
    for site_type in theme.SITE_TYPES:
        painter.setPen(QPen(text_colour, 1.2))
        painter.setBrush(QColor("white"))
        painter.drawPath(glyph_path(site_type, QPointF(tx + glyph / 2, ty + line / 2), glyph))
        painter.setPen(text_colour)
        label = TYPE_NAMES[site_type]
        painter.drawText(QPointF(tx + glyph + 5, ty + fm.ascent()), label)
        tx += glyph + 5 + fm.horizontalAdvance(label) + 14
    painter.setPen(muted)
    painter.drawText(
        QPointF(x, ty + line + 4 + fm.ascent()),
        f"Height: {spec.size_label}" if spec.size_label else "",
    )
    x = max(tx, x + fm.horizontalAdvance(f"Height: {spec.size_label}")) + 18

    # regions
    if spec.regions:
        title("Outline: region", x)
        rx, ry = x, top + line + 4
        swatch = max(13.0, fm.ascent())
        for label, colour in spec.regions:
            w = swatch + 5 + fm.horizontalAdvance(label) + 14
            if rx + w > rect.right() - 8 and rx > x:
                rx, ry = x, ry + line + 4
            painter.setPen(QPen(QColor(colour), 2.5))
            painter.setBrush(QColor("white"))
            painter.drawRoundedRect(
                QRectF(rx, ry + (line - swatch * 0.85) / 2, swatch, swatch * 0.85), 3, 3
            )
            painter.setPen(text_colour)
            painter.drawText(QPointF(rx + swatch + 5, ry + fm.ascent()), label)
            rx += w
    painter.restore()


class MapLegend(QWidget):
    """The legend strip under the map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = LegendSpec()
        self.setFixedHeight(legend_height(self.font()))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_spec(self, spec: LegendSpec) -> None:
        self.spec = spec
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, legend_height(self.font()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.setFixedHeight(legend_height(self.font()))  # larger type in presentation mode
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_legend(painter, QRectF(self.rect()), self.spec, self.font())
        painter.setPen(QPen(QColor(theme.BORDER), 1))
        painter.drawLine(0, 0, self.width(), 0)
        painter.end()


# --------------------------------------------------------------------------- the widget
class CompactCombo(QComboBox):
    """A combo box that shows its whole text when there is room and shrinks when there is not."""

    MINIMUM = 84

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.MINIMUM), hint.height())
