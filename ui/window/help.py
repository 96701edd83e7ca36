"""The Help menu's windows: guide, shortcuts, glossary, about."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox

from ..dialogs.about import about_html
from ..dialogs.guide import GuideDialog
from ..dialogs.shortcuts import GlossaryDialog, ShortcutsDialog
from ..dialogs.text import TextDialog
from .common import APP_TITLE


class HelpMixin:
    """Help windows, each made on first use and raised again afterwards. A part of
    :class:`~ui.main_window.MainWindow`."""

    def _show_once(self, key: str, make: Callable[[], TextDialog]) -> TextDialog:
        """A help window, made on first use and raised again afterwards."""
        dialog = self._help_windows.get(key)
        if dialog is None:
            dialog = self._help_windows[key] = make()
        dialog.show()
        dialog.raise_()
        return dialog

    def show_guide(self) -> TextDialog:
        """Help > Workbook guide."""
        return self._show_once("guide", lambda: GuideDialog(self))

    def show_shortcuts(self) -> TextDialog:
        """Help > Keyboard shortcuts."""
        return self._show_once("shortcuts", lambda: ShortcutsDialog(self._actions.values(), self))

    def show_glossary(self) -> TextDialog:
        """Help > Glossary."""
        return self._show_once("glossary", lambda: GlossaryDialog(self))

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_TITLE}", about_html())
