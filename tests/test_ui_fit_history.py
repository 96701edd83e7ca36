"""File > Fit from delivery history…: map, fit, look at a lane, save, open the copy."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from history_data import csv_text, deliveries, write
from ui_window import main_window

from ui.dialogs.fit_history import NONE, FitHistoryDialog
from ui.figures.fit import lane_fit_figure
from ui.logic.fit_history import compute_fit, lane_rows, load_history, summary
from ui.main_window import MainWindow

SUPPLIERS = [("SUP-A", "Alpha Components"), ("SUP-B", "Beta Metals")]


def _history(path: Path) -> Path:
    rng = np.random.default_rng(6)
    lead = np.maximum(np.floor(rng.gamma(16.0, 0.75, 200) + 0.5), 0)
    rows = [["Lieferant", "Bestelldatum", "Lieferdatum"]]  # headers no guess can know
    for o, d in deliveries(rng, lead, outages=[(80, 20)]):
        rows.append(["Alpha Components", o.isoformat(), d.isoformat()])
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def test_the_logic_fits_and_the_lane_figure_draws(tmp_path: Path) -> None:
    from jitrisk import load_network

    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    table, guessed = load_history(_history(tmp_path / "h.csv"))
    assert "supplier" not in guessed  # nothing to guess from German headers
    mapping = {"supplier": "Lieferant", "ordered": "Bestelldatum", "delivered": "Lieferdatum"}
    outcome = compute_fit(load_network(book), table, mapping)
    rows = {r["key"]: r for r in lane_rows(outcome.fit)}
    assert rows["SUP-A->PLANT"]["verdict"] == "fitted"
    assert "200 rows used" in summary(outcome).replace(",", "")
    fig = lane_fit_figure(outcome.fit.lanes["SUP-A->PLANT"])
    assert len(fig.axes) == 2 and fig.axes[1].get_title(loc="left").startswith("QQ plot")


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    with main_window(qtbot, qapp, tmp_path) as win:
        yield win


@pytest.mark.gui
def test_the_dialog_maps_fits_saves_and_opens_the_copy(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    before = book.read_bytes()
    with qtbot.waitSignal(window.workbook_loaded, timeout=60_000):
        window.open_workbook(book)
    assert "Fit from delivery history…" in [
        a.text().replace("&", "") for a in window.menuBar().actions()[0].menu().actions()
    ]
    dialog = window.fit_history_dialog(str(_history(tmp_path / "h.csv")))
    assert isinstance(dialog, FitHistoryDialog)
    assert dialog.preview.rowCount() == 8 and dialog.preview.columnCount() == 3
    assert not dialog.fit_button.isEnabled()  # supplier, order and delivery dates unmapped
    dialog.combos["supplier"].setCurrentText("Lieferant")
    dialog.combos["ordered"].setCurrentText("Bestelldatum")
    dialog.combos["delivered"].setCurrentText("Lieferdatum")
    assert dialog.combos["promised"].currentText() == NONE
    assert dialog.fit_button.isEnabled()
    dialog.fit()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=30_000)
    assert dialog.lanes.rowCount() == 1 and dialog.suppliers.rowCount() == 1  # Beta: no lines
    qtbot.wait(500)
    qtbot.waitUntil(dialog.chart.is_current, timeout=20_000)
    out = dialog.save(tmp_path / "fitted.xlsx")
    assert out is not None and out.exists() and book.read_bytes() == before
    assert "Saved fitted.xlsx" in dialog.status.text()
    assert dialog.save(book) is None and "Not saved" in dialog.status.text()  # never the input
    with qtbot.waitSignal(window.workbook_loaded, timeout=60_000):
        dialog.open_button.click()
    assert window.document is not None and window.document.path.name == "fitted.xlsx"


@pytest.mark.gui
def test_an_unreadable_history_is_a_message_not_a_traceback(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    with qtbot.waitSignal(window.workbook_loaded, timeout=60_000):
        window.open_workbook(book)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert window.fit_history_dialog(str(empty)) is None
    assert window.messages.shown_keys()[-1] == "fit_failed"
