"""What-if scenarios: made from a selection, run, kept, saved into a copy of the workbook."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from builders import valid_rows, write_workbook
from jitrisk import apply_scenario, load_network
from jitrisk.errors import JitriskError, ScenarioError
from jitrisk.model.distributions import Constant
from jitrisk.model.records import Network
from ui.app import apply_look
from ui.logic.scenario_edits import (
    WhatIf,
    add_what_if,
    default_copy_path,
    name_problem,
    outage_id,
    remove_scenario,
    save_scenarios_copy,
    suggest_name,
    with_what_ifs,
)
from ui.logic.tasks import RunRequest
from ui.main_window import MainWindow
from ui.panels.whatif import current_buffer_text, selection_text

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 60_000
RUN_TIMEOUT = 180_000
SMALL_RUN = RunRequest("baseline", 24, 40, 9)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "plan.xlsx", valid_rows())


@pytest.fixture
def network(book: Path) -> Network:
    return load_network(book)


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    apply_look(qapp)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    win.ask_before_discarding = False
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    yield win
    win.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the logic (Qt-free)
def test_a_buffer_change_is_a_scenarios_sheet_override(network: Network) -> None:
    net = add_what_if(network, WhatIf("dc-up", ("DC", "CUST-1"), buffer_days=9))
    assert "dc-up" in net.scenario_names and network.scenario_names == ("baseline", "strike")
    applied = apply_scenario(net, "dc-up")
    assert applied.site_by_id["DC"].safety_stock_days == 9.0
    assert [o.target for o in net.overrides if o.scenario == "dc-up"] == ["DC"]  # no customer
    assert apply_scenario(net, "baseline").site_by_id["DC"].safety_stock_days == 3.0


def test_an_outage_is_a_scripted_disruption_down_from_a_day_for_some_days(
    network: Network,
) -> None:
    whatif = WhatIf("sup-a-down", ("SUP-A",), outage_start=30, outage_days=21)
    net = add_what_if(network, whatif)
    (event,) = [d for d in net.disruptions if d.scenario == "sup-a-down"]
    assert event.disruption_id == outage_id("sup-a-down", "SUP-A")
    assert (event.scope, event.kind, event.start_day) == ("SUP-A", "outage", 30)
    assert event.duration == Constant(21.0) and event.probability_per_day == 0.0
    assert whatif.describe() == "SUP-A: down from day 30 for 21 days"


def test_a_what_if_can_start_from_another_scenario(network: Network) -> None:
    net = add_what_if(network, WhatIf("strike+", ("PLANT",), buffer_days=4, base="strike"))
    strike, copy = apply_scenario(net, "strike"), apply_scenario(net, "strike+")
    assert copy.site_by_id["DC"].safety_stock_days == strike.site_by_id["DC"].safety_stock_days
    assert copy.settings.days == strike.settings.days == 90
    assert len(copy.disruptions) == len(strike.disruptions)  # the strike event, renamed
    assert copy.site_by_id["PLANT"].safety_stock_days == 4.0


@pytest.mark.parametrize(
    ("whatif", "words"),
    [
        (WhatIf("strike", ("DC",), buffer_days=1), "exists already"),
        (WhatIf("", ("DC",), buffer_days=1), "name"),
        (WhatIf("x", (), buffer_days=1), "Select at least one site"),
        (WhatIf("x", ("DC",)), "buffer change, an outage"),
        (WhatIf("x", ("CUST-1",), buffer_days=2), "Customers hold no buffer"),
        (WhatIf("x", ("NOPE",), buffer_days=2), "unknown site NOPE"),
        (WhatIf("x", ("DC",), buffer_days=-1), "negative"),
    ],
)
def test_what_ifs_that_cannot_be_made_say_why(network: Network, whatif: WhatIf, words: str) -> None:
    with pytest.raises(ScenarioError, match=words):
        add_what_if(network, whatif)


def test_names_removal_and_reapplying_after_a_reload(network: Network) -> None:
    assert suggest_name(network) == "what-if-1"
    assert name_problem(network, "Strike") is not None  # names are compared without case
    assert name_problem(network, "a=b") is not None
    whatif = WhatIf("what-if-1", ("SUP-B",), outage_start=5, outage_days=3)
    net = add_what_if(network, whatif)
    assert suggest_name(net) == "what-if-2"
    assert remove_scenario(net, "what-if-1") == network
    again, failed = with_what_ifs(network, [whatif, WhatIf("gone", ("SUP-Z",), buffer_days=1)])
    assert again == net and failed == ["gone: unknown site SUP-Z"]
    assert selection_text(["A", "B", "C", "D", "E"]) == "A, B, C, D and 1 more (5 sites)"
    assert current_buffer_text(network, ["SUP-A", "DC"]) == "now 2–3 days"


def test_saving_writes_a_copy_that_reads_back_and_never_the_input(
    network: Network, book: Path
) -> None:
    net = add_what_if(network, WhatIf("dc-up", ("DC",), buffer_days=9, outage_start=10))
    before = digest(book)
    with pytest.raises(JitriskError, match="refusing to overwrite the input workbook"):
        save_scenarios_copy(net, book, book)
    assert digest(book) == before
    copy = save_scenarios_copy(net, default_copy_path(book), book)
    assert copy == book.with_name("plan-scenarios.xlsx")
    back = load_network(copy)
    assert back.scenario_names == ("baseline", "strike", "dc-up")
    assert apply_scenario(back, "dc-up") == apply_scenario(net, "dc-up")


# --------------------------------------------------------------------------- in the window
def test_what_if_from_the_selection_runs_is_kept_and_saved_to_a_copy(
    qtbot: Any, window: MainWindow, book: Path, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(book)
    window.run_panel.set_request(SMALL_RUN)
    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        window.start_run(SMALL_RUN)
    window.select_sites(["SUP-A", "SUP-B"])
    panel = window.whatif_panel
    assert panel.sites == ["SUP-A", "SUP-B"] and window.map_view.selected_sites() == panel.sites
    assert not panel.run_button.isEnabled()  # nothing ticked yet, and it says so
    assert panel.status_label.text() == "Tick Buffer, Outage or both."
    panel.name_edit.setText("chips-down")
    panel.outage_check.setChecked(True)
    panel.start_spin.setValue(10)
    panel.length_spin.setValue(7)
    with (
        qtbot.waitSignal(window.whatif_created) as created,
        qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT),
    ):
        panel.run_button.click()
    assert created.args == ["chips-down"]
    assert list(window.runs) == ["baseline", "chips-down"]
    assert window.runs["chips-down"].request == RunRequest("chips-down", 24, 40, 9)
    assert window.tabs.currentWidget() is window.compare_view  # a what-if is judged by the change
    combo = window.run_panel.scenario_combo
    assert [combo.itemText(i) for i in range(combo.count())][-1] == "chips-down"
    assert panel.list.count() == 1 and "down from day 10 for 7 days" in panel.list.item(0).text()
    assert window.isWindowModified() and window.action("save_scenarios").isEnabled()

    # never over the opened workbook
    before = digest(book)
    assert not window.save_scenarios(book)
    assert digest(book) == before
    refused = next(m for m in window.messages.messages() if m.key == "save_refused")
    assert "plan-scenarios.xlsx" in refused.text

    target = tmp_path / "copy"
    with qtbot.waitSignal(window.scenarios_saved, timeout=30_000) as saved:
        assert window.save_scenarios(target)
    copy = saved.args[0]
    assert copy == tmp_path / "copy.xlsx"
    back = load_network(copy)
    assert "chips-down" in back.scenario_names
    events = [d for d in apply_scenario(back, "chips-down").disruptions if d.start_day == 10]
    assert sorted(d.scope for d in events) == ["SUP-A", "SUP-B"]
    assert not window.isWindowModified()
    assert "scenarios_saved" in window.messages.shown_keys()


def test_a_refused_what_if_is_explained_and_a_removed_one_takes_its_results(
    qtbot: Any, window: MainWindow, book: Path
) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(book)
    window.run_panel.set_request(SMALL_RUN)
    assert not window.run_what_if(WhatIf("bad", ("CUST-1",), buffer_days=5))
    failed = next(m for m in window.messages.messages() if m.key == "whatif_failed")
    assert failed.text.startswith("Customers hold no buffer")
    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        assert window.run_what_if(WhatIf("dc-9", ("DC",), buffer_days=9))
    assert "whatif_failed" not in window.messages.shown_keys()
    assert window.current_run == "dc-9"
    # a reload keeps the what-if
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.reload()
    assert window.session_network is not None and "dc-9" in window.session_network.scenario_names
    assert window.remove_what_if("dc-9")
    assert "dc-9" not in window.runs and window.session_network.scenario_names == (
        "baseline",
        "strike",
    )
    assert not window.results_view.has_results() and not window.isWindowModified()


def test_what_ifs_made_in_the_window_can_be_analysed_in_the_analysis_tabs(
    qtbot: Any, window: MainWindow, book: Path
) -> None:
    views = (window.buffers_view, window.risk_view, window.safety_view)

    def offered(view: Any) -> list[str]:
        combo = view.scenario_combo
        return [combo.itemText(i) for i in range(combo.count())]

    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(book)
    window.run_panel.set_request(SMALL_RUN)
    window.tabs.setCurrentWidget(window.safety_view)
    qtbot.waitUntil(lambda: window.safety_view.budget_spin.value() > 0, timeout=5000)
    window.safety_view.budget_spin.setValue(12_345)  # the planner's own figure
    window.risk_view.scenario_combo.setCurrentText("strike")
    assert all(offered(v) == ["baseline", "strike"] for v in views)

    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        assert window.run_what_if(WhatIf("dc-9", ("DC",), buffer_days=9))
    assert all(offered(v) == ["baseline", "strike", "dc-9"] for v in views)
    # inputs the planner set are kept: the choice of scenario and the budget
    assert window.risk_view.scenario_combo.currentText() == "strike"
    window.tabs.setCurrentWidget(window.safety_view)  # shown again: no fresh default budget
    qtbot.wait(50)
    assert window.safety_view.budget_spin.value() == 12_345

    # and the what-if really is analysed: a buffer curve of the DC under it
    buffers = window.buffers_view
    window.tabs.setCurrentWidget(buffers)
    assert buffers.select_target("DC")
    buffers.scenario_combo.setCurrentText("dc-9")
    buffers.levels_input.set_levels(0, 9, 9)
    buffers.trials_spin.setValue(buffers.trials_spin.minimum())
    with qtbot.waitSignal(buffers.became_idle, timeout=RUN_TIMEOUT):
        assert buffers.run()
    assert buffers.has_results(), [m.text for m in buffers.messages.messages()]
    assert buffers.outcome is not None and buffers.outcome.request.scenario == "dc-9"
    labels = [buffers.model.cell_text(i, "Buffer\ndays") for i in range(buffers.model.rowCount())]
    assert [t.split()[0] for t in labels] == ["0", "9"]
    assert "current" in labels[1] and "current" not in labels[0]  # dc-9's 9 days, not 3

    # a reload keeps it on offer; removing it withdraws it
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.reload()
    assert all("dc-9" in offered(v) for v in views)
    assert window.remove_what_if("dc-9")
    assert all(offered(v) == ["baseline", "strike"] for v in views)
