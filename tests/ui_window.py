"""The main window as the GUI tests open it: throw-away settings, the app's look, shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from ui.app import apply_look
from ui.main_window import MainWindow


@contextmanager
def main_window(
    qtbot: Any, qapp: Any, tmp_path: Path, size: tuple[int, int] = (1280, 800)
) -> Iterator[MainWindow]:
    """A shown window of ``size`` that never asks before discarding; closed afterwards."""
    apply_look(qapp)
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    win.ask_before_discarding = False
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    try:
        yield win
    finally:
        win.close()
