"""Colours, fonts and the style sheet: one look for windows, cards and charts.

Colours are the Okabe–Ito palette (distinguishable with the common forms of
colour blindness), used the same way everywhere: a site type always has the
same colour in tables, cards and charts. The constants are plain strings so
:mod:`ui.figures.results` can use them without Qt.
"""

from __future__ import annotations

# one palette for the app and the reports: Okabe & Ito (2008), "Color Universal Design"
from jitrisk.report.style import OKABE_ITO, SITE_TYPES, TYPE_COLOURS, TYPE_LABELS

__all__ = ["OKABE_ITO", "SITE_TYPES", "TYPE_COLOURS", "TYPE_LABELS"]

ERROR = OKABE_ITO["vermillion"]
WARNING = OKABE_ITO["orange"]
OK = OKABE_ITO["bluish_green"]
ACCENT = OKABE_ITO["blue"]
INFO = OKABE_ITO["sky_blue"]

TEXT = "#1f2328"
MUTED = "#5b6470"
BORDER = "#d0d7de"
SURFACE = "#ffffff"
WINDOW = "#f3f5f8"
SUBTLE = "#eef1f5"

#: Background tints of message bars (light, so dark text stays readable).
LEVEL_TINTS = {"error": "#fbe3d6", "warning": "#fdf0d2", "info": "#e1f0fa"}
LEVEL_COLOURS = {"error": ERROR, "warning": WARNING, "info": ACCENT}

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {WINDOW}; }}
QFrame#Card, QFrame#KpiCard, QFrame#Tile {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 8px;
}}
QLabel#CardTitle {{ font-weight: 600; color: {TEXT}; }}
QLabel#CardSubtitle, QLabel#Muted {{ color: {MUTED}; }}
QLabel#TileValue {{ font-size: 20pt; font-weight: 600; color: {TEXT}; }}
QLabel#TileLabel {{ color: {MUTED}; }}
QLabel#KpiTitle {{ color: {MUTED}; font-weight: 600; }}
QLabel#KpiValue {{ font-size: 22pt; font-weight: 600; color: {TEXT}; }}
QLabel#KpiCi {{ color: {TEXT}; }}
QLabel#KpiCaption {{ color: {MUTED}; }}
QLabel#PageTitle {{ font-size: 16pt; font-weight: 600; color: {TEXT}; }}
QLabel#EmptyState {{ color: {MUTED}; font-size: 12pt; }}
QLabel#DetailLocation {{ font-size: 12pt; font-weight: 600; }}
QScrollArea#Page, QWidget#PageBody {{ background: {WINDOW}; border: none; }}
QTableView, QTableWidget {{
    background: {SURFACE};
    alternate-background-color: #f6f8fa;
    gridline-color: {SUBTLE};
    selection-background-color: #cfe3f3;
    selection-color: {TEXT};
    border: 1px solid {BORDER};
}}
QHeaderView::section {{
    background: {SUBTLE};
    color: {TEXT};
    padding: 4px 6px;
    border: none;
    border-right: 1px solid {BORDER};
    border-bottom: 1px solid {BORDER};
    font-weight: 600;
}}
QDockWidget::title {{ background: {SUBTLE}; padding: 6px; font-weight: 600; }}
QPushButton#Primary {{
    background: {ACCENT};
    color: white;
    border: 1px solid {ACCENT};
    border-radius: 4px;
    padding: 6px 18px;
    font-weight: 600;
}}
QPushButton#Primary:disabled {{ background: #9db8cf; border-color: #9db8cf; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 7px 18px; }}
QTabBar::tab:selected {{ font-weight: 600; }}
QProgressBar {{
    border: 1px solid {BORDER};
    border-radius: 4px;
    background: {SURFACE};
    text-align: center;
    height: 18px;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
"""
