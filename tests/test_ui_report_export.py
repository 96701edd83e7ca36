"""File > Export report writes the run on screen, off the GUI thread, never over the input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from ui.logic.tasks import RunRequest
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui
TEACHING = Path(__file__).resolve().parents[1] / "examples" / "teaching.xlsx"


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    return win


def test_export_report_after_a_run_writes_the_workbook(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    import shutil

    book = tmp_path / "teaching.xlsx"
    shutil.copy(TEACHING, book)
    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(book)
    assert window.export_report(tmp_path / "early.xlsx") is None  # no run yet: a message
    with qtbot.waitSignal(window.run_finished, timeout=120_000):
        window.start_run(RunRequest("baseline", trials=40, days=60, seed=3))
    qtbot.waitUntil(lambda: window.state.activity.value == "idle", timeout=30_000)
    before = book.read_bytes()
    assert window.export_report(book) is None  # never over the input workbook
    worker = window.export_report(tmp_path / "report.xlsx")
    assert worker is not None
    with qtbot.waitSignal(worker.signals.finished, timeout=180_000):
        pass
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert {"Summary", "Sites", "Risk"} <= set(wb.sheetnames)
    wb.close()
    assert book.read_bytes() == before
