"""Unexpected errors: a dialog with details to copy, and the ``sys.excepthook`` that shows it.

Known problems (bad workbooks, refused settings) reach the planner as
messages from :mod:`ui.logic.messages`. Anything else is a bug: the planner gets a
non-modal dialog saying so, with the traceback and versions to copy into a bug
report, and the application stays usable.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..widgets.icons import severity_icon
from .about import version_lines

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def error_details(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """Traceback plus versions: what a bug report needs."""
    trace = "".join(traceback.format_exception(exc_type, exc, tb))
    return trace + "\n" + "\n".join(version_lines())


class ErrorDialog(QDialog):
    """Says that something unexpected happened; details are selectable and copyable."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(720, 440)
        icon = QLabel()
        icon.setPixmap(severity_icon("error").pixmap(36, 36))
        text = QLabel(
            f"<b>Something went wrong inside jitrisk.</b><br>{_escape(summary)}<br><br>"
            "Your workbook was not changed and you can keep working. If it happens again, "
            "copy the details below into a bug report."
        )
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(text, 1)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())
        self.copy_button.setText("Copied")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_error_dialog(
    exc: BaseException, parent: QWidget | None = None, tb: TracebackType | None = None
) -> ErrorDialog:
    """Show (non-modal) an :class:`ErrorDialog` for ``exc`` and return it."""
    summary = f"{type(exc).__name__}: {exc}"
    dialog = ErrorDialog(summary, error_details(type(exc), exc, tb or exc.__traceback__), parent)
    dialog.show()
    dialog.raise_()
    return dialog


class ExceptionHook:
    """``sys.excepthook`` replacement: print as before, then show an :class:`ErrorDialog`.

    Installed by :func:`install_excepthook`; PySide6 routes exceptions raised in
    slots and event handlers here. Re-entrant errors (an error while showing
    the dialog) fall back to the previous hook only.
    """

    def __init__(
        self, parent: Callable[[], QWidget | None] | None = None, previous: ExceptHook | None = None
    ) -> None:
        self._parent = parent or (lambda: None)
        self.previous = previous or sys.__excepthook__
        self._busy = False
        self.dialogs: list[ErrorDialog] = []

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.previous(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt) or self._busy:
            return
        if QApplication.instance() is None:
            return
        self._busy = True
        try:
            dialog = show_error_dialog(exc, self._parent(), tb)
            self.dialogs = [d for d in self.dialogs if _alive(d)] + [dialog]
        finally:
            self._busy = False


def _alive(dialog: ErrorDialog) -> bool:
    try:
        return dialog.isVisible()
    except RuntimeError:  # the C++ object was deleted on close
        return False


def install_excepthook(parent: Callable[[], QWidget | None] | None = None) -> ExceptionHook:
    """Route uncaught exceptions to :class:`ExceptionHook`; returns it (``.previous`` restores)."""
    hook = ExceptionHook(parent, sys.excepthook)
    sys.excepthook = hook
    return hook
