"""Application start-up: the QApplication, its look, the error hook and the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

import jitrisk

from . import theme
from .dialogs.error import install_excepthook
from .main_window import MainWindow
from .widgets.icons import app_icon
from .workers.binding_check import binding_fault

ORGANIZATION = "jitrisk"
APPLICATION = "jitrisk"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), named for QSettings and styled."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(jitrisk.__version__)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv if argv is not None else sys.argv))
    assert isinstance(app, QApplication)
    apply_look(app)
    return app


def apply_look(app: QApplication) -> None:
    """Fusion style, a readable base font, the style sheet and the icon."""
    app.setStyle("Fusion")
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(theme.STYLE_SHEET)
    app.setWindowIcon(app_icon())


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The application's options (Qt's own, such as ``-platform``, are removed before)."""
    parser = argparse.ArgumentParser(
        prog="jitrisk-desktop",
        description="Supply-chain disruption risk analyser (desktop application).",
    )
    parser.add_argument("workbook", nargs="?", help="Excel workbook (.xlsx) to open")
    parser.add_argument("--version", action="version", version=jitrisk.__version__)
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Start the application; ``argv`` without the program name."""
    full = [sys.argv[0], *(sys.argv[1:] if argv is None else argv)]
    if any(a in ("-h", "--help", "--version") for a in full[1:]):
        parse_args(full[1:])  # prints and exits, without needing a display
    app = create_application(full)
    args = parse_args(app.arguments()[1:])  # Qt took its own options out
    window = MainWindow(QSettings())
    install_excepthook(lambda: window)
    window.show()
    fault = binding_fault()
    if fault is not None:  # say so before any work can be lost
        print(f"jitrisk: {fault}", file=sys.stderr)
        QMessageBox.warning(window, "jitrisk cannot run safely here", fault)
    if args.workbook:
        window.open_workbook(args.workbook)
    return app.exec()
