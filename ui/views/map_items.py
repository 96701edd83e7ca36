"""What the network map draws: site chips, lanes, the scene and its zoomable view."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from jitrisk.model.records import Network

from .. import theme
from ..logic.map_layout import (
    NO_VALUE,
    OTHER_OUTLINE,
    MapLayout,
    MapNode,
    is_dark,
)

#: Vertical distance between the centres of neighbouring chips (scene units).
ROW_PITCH = 36.0

#: Chip heights (size encoding).
CHIP_MIN_H, CHIP_MAX_H = 17.0, 33.0
ZOOM_MIN, ZOOM_MAX = 0.15, 8.0


#: Horizontal room between columns for the lanes.
COLUMN_GAP = 46.0


LABEL_PIXELS = 12


#: Largest zoom Fit uses, so a six-site network does not fill the screen with giant chips.
FIT_MAX = 1.6


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
    def _set_hovered(self, hovered: bool) -> None:
        self.hovered = hovered  # its lanes are drawn highlighted while it is
        for lane in self.lanes:
            lane.refresh()
        self.update()

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._set_hovered(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._set_hovered(False)
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
        self.heading_font = QFont()
        self.heading_font.setPixelSize(LABEL_PIXELS + 2)
        self.heading_font.setWeight(QFont.Weight.Bold)
        self.headings: list[QGraphicsSimpleTextItem] = []
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
        tallest = max(layout.column_sizes, default=1)
        top = -(tallest - 1) / 2 * ROW_PITCH - ROW_PITCH
        self.headings: list[QGraphicsSimpleTextItem] = []
        for c in range(layout.columns):
            column = layout.column(c)
            width = max((self.chips[n.site_id].width for n in column), default=40.0)
            centre = x + width / 2
            k = len(column)
            for n in column:
                self.chips[n.site_id].setPos(centre, (n.rank - (k - 1) / 2) * ROW_PITCH)
            if c < len(layout.headings):
                self._heading(layout.headings[c], centre, top, width + COLUMN_GAP * 0.8)
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

    def _heading(self, text: str, centre: float, bottom: float, room: float) -> None:
        """A column's heading, centred over it, on two lines when one is too wide."""
        item = QGraphicsSimpleTextItem(text)
        item.setFont(self.heading_font)
        item.setBrush(QColor(theme.MUTED))
        if item.boundingRect().width() > room and " " in text:
            head, _space, tail = text.rpartition(" ")
            item.setText(f"{head}\n{tail}")
        rect = item.boundingRect()
        item.setPos(centre - rect.width() / 2, bottom - rect.height())
        item.setZValue(-1)
        self.addItem(item)
        self.headings.append(item)

    def heading_texts(self) -> list[str]:
        """The column headings on show, left to right (one line each)."""
        return [h.text().replace("\n", " ") for h in self.headings]

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
