"""Small icons drawn with QPainter, so they look the same on every platform and theme."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from .. import theme

_SIZES = (16, 24, 32, 48, 64)


def _pixmap(size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    return pm


def _severity_pixmap(severity: str, size: int) -> QPixmap:
    pm = _pixmap(size)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    colour = QColor(theme.LEVEL_COLOURS.get(severity, theme.ACCENT))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(colour))
    if severity == "warning":
        tri = QPainterPath()
        tri.moveTo(s / 2, s * 0.06)
        tri.lineTo(s * 0.97, s * 0.92)
        tri.lineTo(s * 0.03, s * 0.92)
        tri.closeSubpath()
        p.drawPath(tri)
        mark_top, mark_bottom, dot = s * 0.34, s * 0.64, s * 0.78
    else:
        p.drawEllipse(QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92))
        mark_top, mark_bottom, dot = s * 0.24, s * 0.58, s * 0.74
    pen = QPen(QColor("white"), max(1.5, s * 0.12), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    if severity == "error":
        a, b = s * 0.32, s * 0.68
        p.drawLine(QPointF(a, a), QPointF(b, b))
        p.drawLine(QPointF(a, b), QPointF(b, a))
    elif severity == "warning":
        p.drawLine(QPointF(s / 2, mark_top), QPointF(s / 2, mark_bottom))
        p.drawPoint(QPointF(s / 2, dot))
    else:  # info: an "i"
        p.drawPoint(QPointF(s / 2, mark_top))
        p.drawLine(QPointF(s / 2, s * 0.44), QPointF(s / 2, dot))
    p.end()
    return pm


@cache
def severity_icon(severity: str) -> QIcon:
    """Red circle with a cross (error), amber triangle with "!" (warning), blue "i" (info)."""
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_severity_pixmap(severity, size))
    return icon


def dot_pixmap(colour: str, size: int = 12) -> QPixmap:
    """A filled circle, for legends and type markers."""
    pm = _pixmap(size)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.end()
    return pm


@cache
def type_icon(site_type: str) -> QIcon:
    """A dot in the site type's colour."""
    icon = QIcon()
    for size in (12, 16, 24):
        icon.addPixmap(dot_pixmap(theme.TYPE_COLOURS.get(site_type, theme.MUTED), size))
    return icon


def _app_pixmap(size: int) -> QPixmap:
    """Three tiers of nodes linked left to right: the supply network."""
    pm = _pixmap(size)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.ACCENT))
    p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.2, s * 0.2)
    nodes = {
        "a": (0.22, 0.28),
        "b": (0.22, 0.72),
        "c": (0.5, 0.5),
        "d": (0.78, 0.3),
        "e": (0.78, 0.7),
    }
    p.setPen(QPen(QColor("white"), max(1.0, s * 0.05)))
    for u, v in (("a", "c"), ("b", "c"), ("c", "d"), ("c", "e")):
        p.drawLine(QPointF(*(s * x for x in nodes[u])), QPointF(*(s * x for x in nodes[v])))
    p.setPen(Qt.PenStyle.NoPen)
    colours = {
        "a": "orange",
        "b": "orange",
        "c": "sky_blue",
        "d": "bluish_green",
        "e": "reddish_purple",
    }
    for key, (x, y) in nodes.items():
        p.setBrush(QColor(theme.OKABE_ITO[colours[key]]))
        r = s * 0.1
        p.drawEllipse(QPointF(s * x, s * y), r, r)
    p.end()
    return pm


@cache
def app_icon() -> QIcon:
    """The application's window icon."""
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_app_pixmap(size))
    return icon
