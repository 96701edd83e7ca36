"""The network map: the supply network from raw suppliers (left) to customers (right).

Each site is a chip: filled with the colour of the chosen risk metric of the
latest run (:class:`~ui.logic.map_layout.ColourScale`, light = low risk, dark red =
high), outlined in the colour of its region, marked with the shape of its type
and as tall as its flow (value or units, log scale). Lanes are curves behind
the chips; those of the hovered and selected sites are drawn in the accent
colour. The legend under the map explains all four encodings.

Mouse: click selects a site (and opens its details), Ctrl+click adds to the
selection, Shift+drag (or Ctrl+drag) selects with a rubber band, drag pans,
the wheel zooms around the pointer. Keys: Ctrl+0 fits the map, Ctrl++ and
Ctrl+- zoom. :meth:`NetworkMapWidget.export_png` writes the whole map with its
legend. What is drawn comes from :mod:`ui.logic.map_layout` (Qt-free).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QStyleOptionGraphicsItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jitrisk.errors import JitriskError
from jitrisk.model.records import Network

from .. import theme
from ..logic.formatting import format_money, format_money_ci, format_number_ci, format_percent_ci
from ..logic.map_layout import (
    MAP_METRICS,
    NO_VALUE,
    OTHER_OUTLINE,
    SIZE_MODES,
    TYPE_NAMES,
    ColourScale,
    MapLayout,
    MapNode,
    is_dark,
    layout_network,
    metric_values,
    node_radii,
    region_outlines,
)
from ..logic.tasks import RunOutcome

#: Vertical distance between the centres of neighbouring chips (scene units).
ROW_PITCH = 36.0
#: Horizontal room between columns for the lanes.
COLUMN_GAP = 46.0
#: Chip heights (size encoding).
CHIP_MIN_H, CHIP_MAX_H = 17.0, 33.0
LABEL_PIXELS = 12
ZOOM_MIN, ZOOM_MAX = 0.15, 8.0
#: Largest zoom Fit uses, so a six-site network does not fill the screen with giant chips.
FIT_MAX = 1.6
#: Exported PNGs are drawn at this multiple of the scene's size.
EXPORT_SCALE = 2.0


def _html(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def glyph_path(site_type: str, centre: QPointF, size: float) -> QPainterPath:
    """The type marker: circle (supplier), square (plant), diamond (DC), triangle (customer)."""
    path = QPainterPath()
    x, y, r = centre.x(), centre.y(), size / 2
    if site_type == "plant":
        path.addRect(QRectF(x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r))
    elif site_type == "dc":
        path.addPolygon(
            QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)])
        )
        path.closeSubpath()
    elif site_type == "customer":
        path.addPolygon(
            QPolygonF([QPointF(x, y - r), QPointF(x + r, y + r * 0.8), QPointF(x - r, y + r * 0.8)])
        )
        path.closeSubpath()
    else:
        path.addEllipse(centre, r * 0.95, r * 0.95)
    return path


class SiteChip(QGraphicsItem):
    """One site: a rounded chip with the type marker and the site id."""

    GLYPH = 10.0
    PAD = 7.0

    def __init__(self, node: MapNode, font: QFont) -> None:
        super().__init__()
        self.node = node
        self._font = font
        fm = QFontMetricsF(font)
        self.text_width = fm.horizontalAdvance(node.site_id)
        self.width = self.PAD + self.GLYPH + 6 + self.text_width + self.PAD + 2
        self.height = (CHIP_MIN_H + CHIP_MAX_H) / 2
        self.fill = QColor(NO_VALUE)
        self.outline = QColor(OTHER_OUTLINE)
        self.hovered = False
        self.lanes: list[LaneItem] = []
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(2)

    # geometry
    def chip_rect(self) -> QRectF:
        return QRectF(-self.width / 2, -self.height / 2, self.width, self.height)

    def boundingRect(self) -> QRectF:
        return self.chip_rect().adjusted(-6, -6, 6, 6)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.chip_rect(), 6, 6)
        return path

    def left_anchor(self) -> QPointF:
        return self.pos() + QPointF(-self.width / 2, 0)

    def right_anchor(self) -> QPointF:
        return self.pos() + QPointF(self.width / 2, 0)

    def set_height(self, height: float) -> None:
        if height != self.height:
            self.prepareGeometryChange()
            self.height = height
            self.update()

    def set_colours(self, fill: str, outline: str) -> None:
        self.fill, self.outline = QColor(fill), QColor(outline)
        self.update()

    # painting
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.chip_rect()
        if self.isSelected():
            painter.setPen(QPen(QColor(theme.ACCENT), 3.0))
            painter.setBrush(QColor("#cfe3f3"))
            painter.drawRoundedRect(rect.adjusted(-4.5, -4.5, 4.5, 4.5), 9, 9)
        painter.setPen(QPen(self.outline, 3.0 if self.hovered else 2.0))
        painter.setBrush(self.fill)
        painter.drawRoundedRect(rect, 6, 6)
        dark = is_dark(self.fill.name())
        ink = QColor("white") if dark else QColor(theme.TEXT)
        centre = QPointF(rect.left() + self.PAD + self.GLYPH / 2, 0)
        painter.setPen(QPen(ink, 1.2))
        painter.setBrush(QColor(255, 255, 255, 90) if dark else QColor(255, 255, 255, 200))
        painter.drawPath(glyph_path(self.node.type, centre, self.GLYPH))
        painter.setFont(self._font)
        painter.setPen(ink)
        text_rect = QRectF(
            centre.x() + self.GLYPH / 2 + 6, rect.top(), self.text_width + 4, rect.height()
        )
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            self.node.site_id,
        )

    # interaction
    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        for lane in self.lanes:
            lane.refresh()
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        for lane in self.lanes:
            lane.refresh()
        self.update()
        super().hoverLeaveEvent(event)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            for lane in self.lanes:
                lane.refresh()
        return super().itemChange(change, value)


class LaneItem(QGraphicsPathItem):
    """A lane drawn as a curve from the source's right edge to the target's left edge."""

    def __init__(self, source: SiteChip, target: SiteChip) -> None:
        super().__init__()
        self.source, self.target = source, target
        source.lanes.append(self)
        target.lanes.append(self)
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.update_path()
        self.refresh()

    def update_path(self) -> None:
        a, b = self.source.right_anchor(), self.target.left_anchor()
        dx = max(24.0, (b.x() - a.x()) * 0.45)
        path = QPainterPath(a)
        path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        self.setPath(path)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(6)
        return stroker.createStroke(self.path())

    def highlighted(self) -> bool:
        return any(c.isSelected() or c.hovered for c in (self.source, self.target))

    def refresh(self) -> None:
        if self.highlighted():
            self.setPen(QPen(QColor(theme.ACCENT), 2.2))
            self.setZValue(1)
        else:
            self.setPen(QPen(QColor(110, 120, 132, 95), 1.1))
            self.setZValue(0)


class NetworkScene(QGraphicsScene):
    """Chips and lanes of one network, placed by :func:`~ui.logic.map_layout.layout_network`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label_font = QFont()
        self.label_font.setPixelSize(LABEL_PIXELS)
        self.label_font.setWeight(QFont.Weight.DemiBold)
        self.chips: dict[str, SiteChip] = {}
        self.lanes: list[LaneItem] = []
        self.layout: MapLayout | None = None
        self.setBackgroundBrush(QColor("white"))

    def build(self, layout: MapLayout, network: Network) -> None:
        self.clear()
        self.chips, self.lanes, self.layout = {}, [], layout
        for node in layout.nodes.values():
            chip = SiteChip(node, self.label_font)
            self.chips[node.site_id] = chip
            self.addItem(chip)
        # column x from the widest chip of each column; rows centred on y = 0
        x = 0.0
        for c in range(layout.columns):
            column = layout.column(c)
            width = max((self.chips[n.site_id].width for n in column), default=40.0)
            centre = x + width / 2
            k = len(column)
            for n in column:
                self.chips[n.site_id].setPos(centre, (n.rank - (k - 1) / 2) * ROW_PITCH)
            x += width + COLUMN_GAP
        for a, b in layout.edges:
            if a in self.chips and b in self.chips:
                lane = LaneItem(self.chips[a], self.chips[b])
                lane_obj = network.lanes_into(b)
                match = next((x for x in lane_obj if x.source == a), None)
                if match is not None:
                    component = f" · component {match.component}" if match.component else ""
                    lane.setToolTip(
                        f"<b>{_html(a)} → {_html(b)}</b>{_html(component)}<br>"
                        f"lead time {_html(match.lead_time)} days · share {match.share:.0%}"
                        f" · {match.quantity_per_unit:g} per unit"
                    )
                self.lanes.append(lane)
                self.addItem(lane)
        bounds = self.itemsBoundingRect()
        self.setSceneRect(bounds.adjusted(-24, -24, 24, 24))

    def set_heights(self, heights: dict[str, float]) -> None:
        for sid, chip in self.chips.items():
            chip.set_height(heights.get(sid, chip.height))
        for lane in self.lanes:
            lane.update_path()


class MapView(QGraphicsView):
    """Zoom with the wheel, pan by dragging, rubber-band select with Shift or Ctrl."""

    site_clicked = Signal(str)
    zoom_changed = Signal(float)

    def __init__(self, scene: NetworkScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.auto_fit = True
        self._pan_from: QPointF | None = None
        self._pan_moved = False
        self._press_item: SiteChip | None = None

    def network_scene(self) -> NetworkScene:
        scene = self.scene()
        assert isinstance(scene, NetworkScene)
        return scene

    # zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, auto: bool = False) -> None:
        target = min(ZOOM_MAX, max(ZOOM_MIN, self.zoom() * factor))
        factor = target / self.zoom() if self.zoom() > 0 else 1.0
        self.scale(factor, factor)
        self.auto_fit = auto
        self.zoom_changed.emit(self.zoom())

    def fit(self) -> None:
        """Show the whole network (at most :data:`FIT_MAX` zoom)."""
        rect = self.sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10:
            return
        self.resetTransform()
        view = self.viewport().rect().adjusted(4, 4, -4, -4)
        k = min(view.width() / rect.width(), view.height() / rect.height(), FIT_MAX)
        self.scale(k, k)
        self.centerOn(rect.center())
        self.auto_fit = True
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.18**steps)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    # mouse: chips take clicks; the background pans, or selects with Shift/Ctrl
    def _chip_at(self, event: QMouseEvent) -> SiteChip | None:
        for item in self.items(event.position().toPoint()):
            if isinstance(item, SiteChip):
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        chip = self._chip_at(event)
        mods = event.modifiers()
        extend = bool(
            mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
        )
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and chip is None and not extend
        ):
            self._pan_from = event.position()
            self._pan_moved = False
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and chip is None and extend:
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self._press_item = chip
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            if abs(delta.x()) + abs(delta.y()) > 2:
                self._pan_moved = True
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            if self._pan_moved:
                self.auto_fit = False
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            if not self._pan_moved and event.button() == Qt.MouseButton.LeftButton:
                self.network_scene().clearSelection()
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        chip, self._press_item = self._press_item, None
        if chip is not None and event.button() == Qt.MouseButton.LeftButton:
            self.site_clicked.emit(chip.node.site_id)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._chip_at(event) is None:
            self.fit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


# --------------------------------------------------------------------------- legend
class LegendSpec:
    """What the legend explains; shared by the on-screen legend and the exported PNG."""

    def __init__(self) -> None:
        self.metric_label = ""
        self.scale: ColourScale | None = None
        self.tick_format: Callable[[float, float], str] = lambda value, _step: f"{value:g}"
        self.regions: list[tuple[str, str]] = []  # (label, colour)
        self.size_label = ""


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
        x += bar_w + 8 + fm.horizontalAdvance(worse) + 28
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


class NetworkMapWidget(QWidget):
    """Toolbar, map and legend; owns the selection of sites on the map.

    Signals
    -------
    selection_changed(list)
        Site ids selected on the map, in map order (top-left first).
    site_clicked(str)
        A site was clicked: the window opens its details.
    """

    selection_changed = Signal(list)
    site_clicked = Signal(str)
    export_requested = Signal()
    run_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.outcome: RunOutcome | None = None
        self.workbook = ""
        self.layout_: MapLayout | None = None
        self._outlines: dict[str, str] = {}
        self._syncing = False

        self.metric_combo = CompactCombo()
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, metric in MAP_METRICS.items():
            self.metric_combo.addItem(metric.label, key)
        self.metric_combo.setToolTip("Risk metric the sites are coloured by (latest run)")
        self.metric_combo.currentIndexChanged.connect(lambda _i: self.refresh_colours())
        self.size_combo = CompactCombo()
        self.size_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, (label, _attr) in SIZE_MODES.items():
            self.size_combo.addItem(label, key)
        self.size_combo.setToolTip("What the height of a site's chip shows (log scale)")
        self.size_combo.currentIndexChanged.connect(lambda _i: self.refresh_sizes())
        self.region_combo = CompactCombo()
        self.region_combo.setToolTip("Highlight the sites of one region")
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.region_combo.currentIndexChanged.connect(lambda _i: self.refresh_highlight())
        self.runs_combo = CompactCombo()
        self.runs_combo.setToolTip("Whose results colour the map (every run is kept)")
        self.runs_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.runs_combo.activated.connect(
            lambda _i: self.run_chosen.emit(self.runs_combo.currentText())
        )
        self.run_label = QLabel("")
        self.run_label.setObjectName("Muted")
        # may be cut short in a narrow window rather than widen it
        self.run_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        def tool(text: str, tip: str) -> QToolButton:
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            return button

        self.fit_button = tool("Fit", "Show the whole network (Ctrl+0); zoom with the wheel")
        self.fit_button.clicked.connect(self.fit)
        self.export_button = tool("Export PNG…", "Save the map with its legend as a PNG image")
        self.export_button.clicked.connect(self.export_requested.emit)

        self.toolbar = QWidget()
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(12, 6, 8, 6)
        bar.setSpacing(6)
        for text, widget in (
            ("Colour", self.metric_combo),
            ("Height", self.size_combo),
            ("Region", self.region_combo),
        ):
            label = QLabel(text)
            label.setObjectName("Muted")
            bar.addWidget(label)
            bar.addWidget(widget)
            bar.addSpacing(6)
        results_label = QLabel("Run")
        results_label.setObjectName("Muted")
        bar.addWidget(results_label)
        bar.addWidget(self.runs_combo)
        bar.addSpacing(6)
        bar.addWidget(self.run_label, 1)
        for button in (self.fit_button, self.export_button):
            bar.addWidget(button)

        self.scene = NetworkScene(self)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.view = MapView(self.scene)
        self.view.site_clicked.connect(self.site_clicked.emit)
        self.legend = MapLegend()
        self.hint = QLabel(
            "Click a site for its details · Ctrl+click or Shift+drag to select several for a "
            "what-if · drag to pan · wheel to zoom · double-click the background to fit"
        )
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        self.hint.setContentsMargins(12, 2, 12, 4)

        self.empty_label = QLabel(
            "<p style='font-size:14pt'><b>No network to draw</b></p>"
            "<p>Open a valid workbook (Ctrl+O) to see its sites and lanes.</p>"
        )
        self.empty_label.setObjectName("EmptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.toolbar)
        page_layout.addWidget(self.view, 1)
        page_layout.addWidget(self.legend)
        page_layout.addWidget(self.hint)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # ------------------------------------------------------------------ content
    def set_network(self, network: Network | None, workbook: str = "") -> None:
        """Draw ``network`` (None: the empty page); keeps nothing of the previous one."""
        self.network, self.workbook, self.outcome = network, workbook, None
        self._syncing = True
        try:
            if network is None or not network.sites:
                self.scene.clear()
                self.scene.chips, self.scene.lanes = {}, []
                self.layout_ = None
                self.stack.setCurrentIndex(0)
                return
            self.layout_ = layout_network(network)
            self.scene.build(self.layout_, network)
            nodes = list(self.layout_.nodes.values())
            self._outlines = region_outlines(nodes)
            current = self.region_combo.currentData()
            self.region_combo.blockSignals(True)
            self.region_combo.clear()
            self.region_combo.addItem("All regions", "")
            counts: dict[str, int] = {}
            for n in nodes:
                counts[n.region] = counts.get(n.region, 0) + 1
            for region in sorted(counts, key=lambda r: (-counts[r], r)):
                self.region_combo.addItem(f"{region or '(none)'} ({counts[region]})", region)
            index = self.region_combo.findData(current)
            self.region_combo.setCurrentIndex(max(index, 0))
            self.region_combo.blockSignals(False)
            self.stack.setCurrentIndex(1)
        finally:
            self._syncing = False
        self.refresh_sizes()
        self.refresh_colours()
        self.refresh_highlight()
        self.view.fit()

    def set_outcome(self, outcome: RunOutcome | None) -> None:
        """Colour the sites by ``outcome`` (None: grey, no results)."""
        self.outcome = outcome
        self.refresh_colours()

    def set_runs(self, names: list[str], current: str | None) -> None:
        """Scenarios with results, for the "Results of" chooser; ``current`` is on show."""
        self.runs_combo.blockSignals(True)
        self.runs_combo.clear()
        self.runs_combo.addItems(names)
        if current in names:
            self.runs_combo.setCurrentText(current)
        self.runs_combo.setEnabled(bool(names))
        self.runs_combo.blockSignals(False)

    def set_presentation(self, on: bool) -> None:
        """Less chrome on the projector: no toolbar, no hint line (the caption names the run)."""
        self.hint.setVisible(not on)
        self.toolbar.setVisible(not on)

    def colour_metric(self) -> str:
        return str(self.metric_combo.currentData())

    def set_metric(self, key: str) -> None:
        index = self.metric_combo.findData(key)
        if index >= 0:
            self.metric_combo.setCurrentIndex(index)

    def size_mode(self) -> str:
        return str(self.size_combo.currentData())

    def set_size_mode(self, key: str) -> None:
        index = self.size_combo.findData(key)
        if index >= 0:
            self.size_combo.setCurrentIndex(index)

    def node_count(self) -> int:
        return len(self.scene.chips)

    def lane_count(self) -> int:
        return len(self.scene.lanes)

    def node_colour(self, site_id: str) -> str:
        """Fill colour of a site's chip, as ``#rrggbb``."""
        return self.scene.chips[site_id].fill.name()

    def chip(self, site_id: str) -> SiteChip:
        return self.scene.chips[site_id]

    def fit(self) -> None:
        self.view.fit()

    # ------------------------------------------------------------------ encodings
    def _scale(self) -> ColourScale | None:
        if self.outcome is None:
            return None
        metric = MAP_METRICS[self.colour_metric()]
        values = metric_values(self.outcome.sites, metric.key)
        return ColourScale.for_values(metric, list(values.values()))

    def refresh_colours(self) -> None:
        if self._syncing or self.layout_ is None:
            return
        metric = MAP_METRICS[self.colour_metric()]
        values = metric_values(self.outcome.sites if self.outcome else None, metric.key)
        scale = self._scale()
        for sid, chip in self.scene.chips.items():
            fill = scale.colour(values.get(sid)) if scale is not None else NO_VALUE
            chip.set_colours(fill, self._outlines.get(chip.node.region, OTHER_OUTLINE))
            chip.setToolTip(self.tooltip(sid))
        if self.outcome is not None:
            req = self.outcome.request
            self.run_label.setText(f"{self.outcome.result.trials:,} trials, seed {req.seed}")
            self.run_label.setToolTip(req.describe())
        else:
            self.run_label.setText("No results yet")
            self.run_label.setToolTip("The sites are grey until a run finishes")
        self._update_legend(scale)

    def refresh_sizes(self) -> None:
        if self._syncing or self.layout_ is None:
            return
        radii = node_radii(
            list(self.layout_.nodes.values()), self.size_mode(), CHIP_MIN_H, CHIP_MAX_H
        )
        self.scene.set_heights(radii)
        self._update_legend(self._scale())

    def refresh_highlight(self) -> None:
        if self._syncing:
            return
        region = self.region_combo.currentData() or ""
        for chip in self.scene.chips.values():
            chip.setOpacity(1.0 if not region or chip.node.region == region else 0.18)
        for lane in self.scene.lanes:
            keep = not region or region in (lane.source.node.region, lane.target.node.region)
            lane.setOpacity(1.0 if keep else 0.12)

    def _update_legend(self, scale: ColourScale | None) -> None:
        spec = LegendSpec()
        metric = MAP_METRICS[self.colour_metric()]
        spec.metric_label = metric.label
        spec.scale = scale
        spec.tick_format = metric.format_tick
        shown: dict[str, str] = {}
        others = 0
        for region, colour in self._outlines.items():
            if colour == OTHER_OUTLINE:
                others += 1
            else:
                shown[region or "(none)"] = colour
        spec.regions = list(shown.items())
        if others:
            spec.regions.append(
                (f"{others} other region{'s' if others > 1 else ''}", OTHER_OUTLINE)
            )
        label, attr = SIZE_MODES[self.size_mode()]
        spec.size_label = f"{label.lower()} (log scale)" if attr else "all equal"
        self.legend.set_spec(spec)

    def tooltip(self, site_id: str) -> str:
        """Rich-text tooltip: the site's inputs and, after a run, its metrics with CIs."""
        assert self.layout_ is not None and self.network is not None
        node = self.layout_.nodes[site_id]
        site = self.network.site_by_id[site_id]
        kind = TYPE_NAMES.get(node.type, node.type)
        if node.type == "supplier" and node.tier:
            kind += f", tier {node.tier}"
        lines = [f"<b>{_html(site_id)}</b>" + (f" · {_html(site.name)}" if site.name else "")]
        lines.append(f"{kind} · region {_html(site.region or '(none)')}")
        facts = []
        if site.is_stocking:
            if site.base_stock_units is not None:
                facts.append(f"base stock {site.base_stock_units:,.0f} units")
            else:
                facts.append(f"safety stock {site.safety_stock_days:g} days")
        if site.is_producing:
            facts.append(f"processing {site.processing_days} d")
        if site.capacity_per_day is not None:
            facts.append(f"capacity {site.capacity_per_day:,.0f}/day")
        if facts:
            lines.append(" · ".join(facts))
        currency = self.network.settings.currency
        lines.append(
            f"flow {node.flow:,.0f} units/day · value {format_money(node.value_flow, currency)}/day"
        )
        if self.outcome is not None and site_id in self.outcome.sites.index:
            row = self.outcome.sites.loc[site_id]
            lines.append(f"<hr>Scenario {_html(self.outcome.request.scenario)} (95% CI):")
            lines.append(
                "Stockout days "
                + format_percent_ci(
                    row["stockout_day_probability"],
                    row["stockout_day_probability_lo"],
                    row["stockout_day_probability_hi"],
                )
            )
            lines.append(
                "Fill rate "
                + format_percent_ci(row["fill_rate"], row["fill_rate_lo"], row["fill_rate_hi"])
            )
            lines.append(
                "Lost revenue "
                + format_money_ci(
                    row["lost_revenue"], row["lost_revenue_lo"], row["lost_revenue_hi"]
                )
            )
            lines.append(
                "Backorders/day "
                + format_number_ci(
                    row["expected_backorders"],
                    row["expected_backorders_lo"],
                    row["expected_backorders_hi"],
                )
            )
        lines.append("<span style='color:#5b6470'>Click for details · Ctrl+click to add</span>")
        return "<br>".join(lines)

    # ------------------------------------------------------------------ selection
    def selected_sites(self) -> list[str]:
        """Selected site ids, column by column, top first."""
        chips = [item for item in self.scene.selectedItems() if isinstance(item, SiteChip)]
        chips.sort(key=lambda c: (c.node.column, c.node.rank))
        return [c.node.site_id for c in chips]

    def select_sites(self, site_ids: Iterable[str], centre: bool = False) -> None:
        """Select exactly ``site_ids`` (unknown ids are ignored) without echoing the signal."""
        wanted = set(site_ids)
        self._syncing = True
        try:
            for sid, chip in self.scene.chips.items():
                chip.setSelected(sid in wanted)
        finally:
            self._syncing = False
        if centre and wanted:
            chips = [self.scene.chips[s] for s in wanted if s in self.scene.chips]
            if chips and not self.view.auto_fit:
                self.view.centerOn(chips[0])

    def _on_selection_changed(self) -> None:
        if not self._syncing:
            self.selection_changed.emit(self.selected_sites())

    # ------------------------------------------------------------------ export
    def render_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The whole map with a title and the legend, as an image ``scale`` times the scene."""
        source = self.scene.sceneRect()
        legend_font = QFont(self.font())
        legend_font.setPixelSize(12)
        title_h, legend_h = 40.0, float(legend_height(legend_font)) + 8
        width = max(source.width(), 900.0)
        height = title_h + source.height() + legend_h
        image = QImage(
            math.ceil(width * scale),
            math.ceil(height * scale),
            QImage.Format.Format_ARGB32,
        )
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.scale(scale, scale)
        font = QFont(self.font())
        font.setPixelSize(15)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(QPointF(12, 26), self.export_title())
        target = QRectF((width - source.width()) / 2, title_h, source.width(), source.height())
        selected = self.scene.selectedItems()
        for item in selected:  # the export shows the map, not the current selection
            item.setSelected(False)
        self._syncing = True
        try:
            self.scene.render(painter, target, source)
        finally:
            for item in selected:
                item.setSelected(True)
            self._syncing = False
        paint_legend(
            painter,
            QRectF(0, title_h + source.height() + 4, width, legend_h - 8),
            self.legend.spec,
            legend_font,
        )
        painter.end()
        return image

    def export_title(self) -> str:
        parts = ["Network map"]
        if self.workbook:
            parts.append(self.workbook)
        if self.outcome is not None:
            req = self.outcome.request
            parts.append(
                f"scenario {req.scenario}, {self.outcome.result.trials:,} trials, seed {req.seed}"
            )
            parts.append(f"coloured by {MAP_METRICS[self.colour_metric()].label.lower()}")
        return " · ".join(parts)

    def export_png(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`render_image` to ``path`` (atomically); raises JitriskError on failure."""
        from jitrisk.workbook.fileio import atomic_write

        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_name(target.name + ".png")
        image = self.render_image()

        def write(tmp: Path) -> None:
            if not image.save(str(tmp), "PNG"):
                raise JitriskError(f"cannot write the image {target.name}")

        return atomic_write(target, write)
