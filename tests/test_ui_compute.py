"""The Compute setting: where the app's runs go, tested as a planner would use it.

The logic (choice, session) without a display; then the dialog's Test
connection against local worker processes and an unreachable scheduler; then
a run through the window on local worker processes, which gives the numbers
of a run on this computer's threads.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog
from ui_window import main_window

from builders import valid_rows, write_workbook
from jitrisk import load_network
from jitrisk.engine import simulate
from ui.logic import compute
from ui.logic.compute import ComputeChoice, ComputeSession
from ui.logic.tasks import RunRequest

pytest.importorskip("distributed")
pytestmark = pytest.mark.gui

TIMEOUT = 120_000


@pytest.fixture(autouse=True)
def _fresh_session():
    yield
    compute.session().set_choice(ComputeChoice())  # closes what a test opened


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("this", ComputeChoice()),
        ("local:3", ComputeChoice("local", 3)),
        ("tcp://10.1.2.3:8786", ComputeChoice("scheduler", address="tcp://10.1.2.3:8786")),
        ("nonsense", ComputeChoice()),
    ],
)
def test_choice_is_kept_as_the_command_line_writes_it(text, choice):
    assert ComputeChoice.from_text(text) == choice
    if text != "nonsense":
        assert ComputeChoice.from_text(choice.to_text()) == choice


def test_choice_says_where_runs_go():
    assert ComputeChoice("local", 2).describe() == "2 local worker processes (Dask)"
    assert "tcp://h:1" in ComputeChoice("scheduler", address="tcp://h:1").describe()
    assert ComputeChoice().describe().startswith("this computer")
    assert compute.check_available(ComputeChoice("scheduler", address="h:1")) is not None


def test_session_connects_once_and_closes_on_a_new_choice():
    s = ComputeSession(ComputeChoice("local", 1))
    try:
        first = s.cluster()
        assert first is not None and s.cluster() is first
        s.set_choice(ComputeChoice())
        assert first.client.status in ("closing", "closed")
        assert s.cluster() is None
    finally:
        s.close()


def test_dialog_tests_the_connection_off_the_gui_thread(qtbot: Any, qapp: Any) -> None:
    from ui.dialogs.compute import ComputeDialog

    dialog = ComputeDialog(ComputeChoice())
    qtbot.addWidget(dialog)
    dialog.buttons["local"].setChecked(True)
    dialog.workers_spin.setValue(2)
    assert dialog.workers_spin.isEnabled() and not dialog.address_edit.isEnabled()
    dialog.test_button.click()
    assert dialog.is_testing()  # the GUI thread is free while workers start
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=TIMEOUT)
    text = dialog.result_label.text()
    assert text.startswith("Connected: 2 workers, 2 threads"), text
    assert dialog.choice() == ComputeChoice("local", 2)


def test_dialog_says_why_a_scheduler_cannot_be_reached(qtbot: Any, qapp: Any) -> None:
    from ui.dialogs.compute import ComputeDialog

    dialog = ComputeDialog(ComputeChoice())
    qtbot.addWidget(dialog)
    dialog.buttons["scheduler"].setChecked(True)
    assert not dialog.ok_button.isEnabled()  # no address yet
    dialog.address_edit.setText("tcp://127.0.0.1:9")
    assert dialog.ok_button.isEnabled()
    dialog.test_button.click()
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=30_000)
    assert "Not connected: cannot reach the Dask scheduler" in dialog.result_label.text()


def test_a_run_on_local_processes_gives_this_computers_numbers(
    qtbot: Any, qapp: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from ui.dialogs import compute as dialog_mod

    path = write_workbook(tmp_path / "valid.xlsx", valid_rows())
    request = RunRequest("baseline", trials=96, days=40, seed=5)
    with main_window(qtbot, qapp, tmp_path) as win:
        assert win.run_panel.where_label.text().startswith("Runs on this computer")
        monkeypatch.setattr(dialog_mod.ComputeDialog, "exec", lambda self: QDialog.Accepted)
        monkeypatch.setattr(
            dialog_mod.ComputeDialog, "choice", lambda self: ComputeChoice("local", 2)
        )
        assert win.open_compute_dialog()
        assert win.run_panel.where_label.text() == "Runs on 2 local worker processes (Dask)"
        with qtbot.waitSignal(win.became_idle, timeout=TIMEOUT):
            assert win.open_workbook(path)
        with qtbot.waitSignal(win.became_idle, timeout=TIMEOUT):
            assert win.start_run(request)
        outcome = win.runs["baseline"]
        assert compute.session().choice == ComputeChoice("local", 2)
        assert win.store.text("compute/where") == "local:2"
    here = simulate(load_network(path), trials=96, days=40, seed=5)
    for field in ("site_out", "site_int", "buf_out", "net_out"):
        assert np.array_equal(getattr(outcome.result, field), getattr(here, field)), field
