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


def test_export_dialog_reports_the_kept_runs_and_sections_chosen(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    import openpyxl

    from ui.dialogs.export import ExportReportDialog, file_filter

    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(TEACHING)
    for name, seed in (("baseline", 3), ("motor-buffer", 3), ("baseline", 3)):
        with qtbot.waitSignal(window.run_finished, timeout=120_000):
            window.start_run(RunRequest(name, trials=40, days=60, seed=seed))
        qtbot.waitUntil(lambda: window.state.activity.value == "idle", timeout=30_000)
    dialog = ExportReportDialog(window.runs, "baseline")
    qtbot.addWidget(dialog)
    checks = dialog.scenario_checks
    assert checks["baseline"].isChecked() and not checks["motor-buffer"].isChecked()
    assert checks["motor-buffer"].isEnabled()  # same trials, days and seed: comparable
    checks["motor-buffer"].setChecked(True)
    dialog.section_checks["curve"].setChecked(False)
    dialog.section_checks["plans"].setChecked(False)
    dialog.section_checks["recommend"].setChecked(False)
    dialog.format_combo.setCurrentIndex(1)
    choice = dialog.choice()
    assert choice.scenarios == ("baseline", "motor-buffer")
    assert choice.sections == frozenset({"risk"}) and choice.extension == ".pdf"
    assert file_filter(".pdf") == "PDF brief (*.pdf)"
    for check in checks.values():
        check.setChecked(False)
    assert not dialog.ok_button.isEnabled()  # a report needs a scenario
    out = tmp_path / "both.xlsx"
    worker = window.export_report(out, ("baseline", "motor-buffer"), frozenset({"risk"}))
    assert worker is not None
    with qtbot.waitSignal(worker.signals.finished, timeout=180_000):
        pass
    book = openpyxl.load_workbook(out, read_only=True)
    rows = book["Summary"].iter_rows(min_row=5, max_row=6, values_only=True)
    names = [r[0] for r in rows]
    book.close()  # read-only workbooks hold the file open until closed
    assert names == ["baseline", "motor-buffer"]
    assert "baseline, motor-buffer" in " ".join(window.messages.messages()[-1].text.split())


def test_export_shows_a_progress_dialog_whose_cancel_leaves_no_file(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(TEACHING)
    with qtbot.waitSignal(window.run_finished, timeout=120_000):
        window.start_run(RunRequest("baseline", trials=40, days=60, seed=3))
    qtbot.waitUntil(lambda: window.state.activity.value == "idle", timeout=30_000)
    out = tmp_path / "cancelled.xlsx"
    worker = window.export_report(out)
    assert worker is not None
    dialog = window.report_progress
    assert dialog.isVisible() and dialog.windowTitle() == "Export report"
    assert "cancelled.xlsx" in dialog.labelText()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    (button,) = dialog.findChildren(QPushButton)
    assert button.text() == "Cancel"
    with qtbot.waitSignal(worker.signals.finished, timeout=180_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not out.exists()
    assert window.messages.messages()[-1].key == "report_cancelled"
    assert window._report_worker is None


def test_export_reuses_the_risk_ranking_on_screen(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    from jitrisk import load_network
    from jitrisk.report.build import RISK_TRIALS

    seed = load_network(TEACHING).settings.seed  # the Run panel's and the Risk view's default

    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(TEACHING)
    with qtbot.waitSignal(window.run_finished, timeout=120_000):
        window.start_run(RunRequest("baseline", trials=40, days=60, seed=seed))
    qtbot.waitUntil(lambda: window.state.activity.value == "idle", timeout=30_000)
    view = window.risk_view
    view.trials_spin.setValue(RISK_TRIALS)
    view.days_spin.setValue(60)
    with qtbot.waitSignal(view.became_idle, timeout=120_000):
        view.run()
    assert view.outcome.report.seed == seed
    reuse = window._risk_on_screen()
    assert set(reuse) == {"baseline"}
    from jitrisk.report.build import reusable_risk

    assert reusable_risk(reuse["baseline"], "baseline", RISK_TRIALS, 60, seed)
    import jitrisk.analysis.risk as risk_module

    def no_second_ranking(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the report computed the ranking again")

    monkeypatch.setattr(risk_module, "risk_report", no_second_ranking)
    out = tmp_path / "reused.xlsx"
    worker = window.export_report(out, ("baseline",), frozenset({"risk"}))
    assert worker is not None
    with qtbot.waitSignal(worker.signals.finished, timeout=180_000):
        pass
    assert out.exists()


def test_f12_saves_the_view_as_png_and_one_slide(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    from PIL import Image
    from pptx import Presentation
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.became_idle, timeout=60_000):
        window.open_workbook(TEACHING)
    window.store.set_text("export_dir", str(tmp_path))
    with qtbot.waitSignal(window.run_finished, timeout=120_000):
        window.start_run(RunRequest("baseline", trials=40, days=60, seed=3))
    qtbot.waitUntil(lambda: window.state.activity.value == "idle", timeout=30_000)
    window.show_view(window.results_view)
    window.toggle_presentation()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts go to the active window, as on a desktop
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert window.messages.shown_keys()[-1] == "snapshot_saved", window.messages.messages()[-1]
    (png,) = tmp_path.glob("teaching-results-*.png")
    (deck,) = tmp_path.glob("teaching-results-*.pptx")
    assert "Saved" in window.presentation.keys_label.text()
    window.toggle_presentation()
    prs = Presentation(str(deck))
    (slide,) = prs.slides
    assert slide.shapes.title.text == "Results: teaching.xlsx"
    (picture,) = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    with Image.open(png) as im:
        w, h = im.size
    assert picture.width / picture.height == pytest.approx(w / h, rel=1e-3)
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert any("40 trials" in t or "scenario baseline" in t for t in texts), texts


def test_a_picture_fits_the_slide_with_its_shape_kept() -> None:
    from jitrisk.report.pptx import MARGIN, SLIDE_H, SLIDE_W
    from jitrisk.report.snapshot import CAPTION_SPACE, TITLE_SPACE, picture_box

    for size in ((1440, 900), (900, 1440), (4000, 500)):
        left, top, w, h = picture_box(*size)
        assert w / h == pytest.approx(size[0] / size[1])
        assert left >= MARGIN - 1e-9 and left + w <= SLIDE_W - MARGIN + 1e-9
        assert top >= TITLE_SPACE - 1e-9 and top + h <= SLIDE_H - CAPTION_SPACE + 1e-9
    with pytest.raises(ValueError, match="needs a size"):
        picture_box(0, 10)
