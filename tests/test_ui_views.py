"""Views and item models on their own: tables, problems, run panel, summary, messages."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from builders import set_cell, valid_rows, write_workbook
from jitrisk.engine import Progress
from jitrisk.errors import Problem
from ui.logic.messages import Infos, Warnings
from ui.logic.tasks import LoadedWorkbook, RunOutcome, RunRequest, load_workbook, run_simulation
from ui.panels.problems import ProblemsPanel, describe_location
from ui.panels.run import RunPanel
from ui.session.recent_files import MAX_RECENT, RecentFiles
from ui.views.summary import SummaryView
from ui.widgets.common import MessageArea, MessageBar
from ui.widgets.sites_model import SITE_COLUMNS, SitesFilter, SitesTableModel

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def valid_doc(tmp_path_factory: pytest.TempPathFactory) -> LoadedWorkbook:
    path = write_workbook(tmp_path_factory.mktemp("wb") / "valid.xlsx", valid_rows())
    return load_workbook(path)


@pytest.fixture(scope="module")
def outcome(valid_doc: LoadedWorkbook) -> RunOutcome:
    assert valid_doc.network is not None
    return run_simulation(valid_doc.network, RunRequest("baseline", 64, 60, 11))


def column(key: str) -> int:
    return [c.key for c in SITE_COLUMNS].index(key)


# --------------------------------------------------------------------------- sites table
def test_sites_table_formats_cis_like_the_brief(qapp: Any, outcome: RunOutcome) -> None:
    model = SitesTableModel()
    model.set_frame(outcome.sites)
    assert model.rowCount() == len(outcome.sites)
    first = outcome.sites.iloc[0]
    text = model.data(model.index(0, column("stockout_day_probability")))
    m, lo, hi = (first[f"stockout_day_probability{s}"] * 100 for s in ("", "_lo", "_hi"))
    assert text == f"{m:.2f}% [{lo:.2f}, {hi:.2f}]"
    assert model.data(model.index(0, column("site_id"))) == outcome.sites.index[0]


def test_sites_table_sorts_numerically_not_as_text(qapp: Any, outcome: RunOutcome) -> None:
    model = SitesTableModel()
    model.set_frame(outcome.sites)
    proxy = SitesFilter()
    proxy.setSourceModel(model)
    col = column("fill_rate")
    proxy.sort(col, Qt.SortOrder.AscendingOrder)
    values = [proxy.data(proxy.index(r, col), proxy.sortRole()) for r in range(proxy.rowCount())]
    assert values == sorted(values)
    assert values[0] < values[-1]


def test_sites_filter_by_text_and_type(qapp: Any, outcome: RunOutcome) -> None:
    model = SitesTableModel()
    model.set_frame(outcome.sites)
    proxy = SitesFilter()
    proxy.setSourceModel(model)
    proxy.set_type("customer")
    assert proxy.rowCount() == 2
    proxy.set_type("")
    proxy.set_text("chip")  # names "Chip supplier A/B"
    assert proxy.rowCount() == 2
    proxy.set_text("")
    assert proxy.rowCount() == model.rowCount()


# --------------------------------------------------------------------------- problems
PROBLEMS = [
    Problem("Lanes", 7, 5, "shares sum to 0.9, not 1"),
    Problem("", None, None, "the workbook contains macros", "warning"),
    Problem("Sites", 3, None, "feeds nothing", "warning"),
]


def test_location_in_words() -> None:
    assert describe_location(PROBLEMS[0], "share") == "sheet Lanes, row 7, column E (share)"
    assert describe_location(PROBLEMS[1]) == "the file as a whole"
    assert describe_location(PROBLEMS[2]) == "sheet Sites, row 3, the whole row"


def test_problems_panel_lists_filters_and_activates(qtbot: Any) -> None:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    panel.set_problems(PROBLEMS)
    assert panel.problem_count() == 3
    assert panel.error_button.text() == "1 error"
    assert panel.warning_button.text() == "2 warnings"
    model = panel.table.model()
    assert model.data(model.index(0, 1)) == "Lanes!E7"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is not None
    with qtbot.waitSignal(panel.problem_activated) as blocker:
        panel.activate_row(0)
    assert blocker.args == [PROBLEMS[0]]
    assert panel.detail_location.text() == "Lanes!E7"
    assert panel.detail_message.text() == PROBLEMS[0].message
    panel.error_button.setChecked(False)
    assert model.rowCount() == 2
    panel.warning_button.setChecked(False)
    assert model.rowCount() == 0


# --------------------------------------------------------------------------- run panel
def test_run_panel_starts_from_the_workbook_settings(qtbot: Any, valid_doc: LoadedWorkbook) -> None:
    panel = RunPanel()
    qtbot.addWidget(panel)
    assert not panel.run_button.isEnabled()
    panel.set_network(valid_doc.network)
    assert [panel.scenario_combo.itemText(i) for i in range(panel.scenario_combo.count())] == [
        "baseline",
        "strike",
    ]
    assert panel.request() == RunRequest("baseline", trials=100, days=180, seed=7)
    panel.trials_spin.setValue(500)
    panel.reset_settings()
    assert panel.trials_spin.value() == 100
    panel.scenario_combo.setCurrentText("strike")
    with qtbot.waitSignal(panel.run_requested) as blocker:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].scenario == "strike"


def test_run_panel_shows_progress_and_eta(qtbot: Any, valid_doc: LoadedWorkbook) -> None:
    panel = RunPanel()
    qtbot.addWidget(panel)
    panel.set_network(valid_doc.network)
    panel.set_running(True)
    assert not panel.run_button.isEnabled() and panel.cancel_button.isEnabled()
    assert not panel.trials_spin.isEnabled()
    panel.show_progress(Progress(done=250, total=1000, elapsed=5.0))
    assert panel.progress_bar.value() == 250
    assert panel.progress_label.text() == "250 of 1,000 trials"
    assert panel.eta_label.text() == "about 15 s left"
    panel.show_finished("Finished.")
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


# --------------------------------------------------------------------------- summary
def test_summary_of_a_valid_workbook(qtbot: Any, valid_doc: LoadedWorkbook) -> None:
    view = SummaryView()
    qtbot.addWidget(view)
    view.set_workbook(valid_doc)
    assert view.tiles["supplier"].value_label.text() == "3"
    assert view.tiles["customer"].value_label.text() == "2"
    assert view.tiles["lanes"].value_label.text() == "6"
    assert set(view.cards) >= {
        "tiers",
        "regions",
        "single_sourced",
        "critical",
        "lead_time",
        "settings",
    }
    assert view.status_label.text() == "Ready to run"


def test_summary_of_an_invalid_workbook_shows_what_was_read(qtbot: Any, tmp_path: Path) -> None:
    rows = valid_rows()
    set_cell(rows, "Sites", 3, "type", "warehouse")
    doc = load_workbook(write_workbook(tmp_path / "bad.xlsx", rows))
    view = SummaryView()
    qtbot.addWidget(view)
    view.set_workbook(doc)
    assert "what_was_read" in view.cards
    assert view.tiles["sites"].value_label.text() == "7"
    assert view.status_label.text().startswith("Cannot be simulated")


# --------------------------------------------------------------------------- messages, recent
def test_message_area_replaces_by_key_and_clears(qtbot: Any) -> None:
    area = MessageArea()
    qtbot.addWidget(area)
    area.show_message(Warnings.busy.format(doing="Reading", action="open a.xlsx"))
    area.show_message(Warnings.busy.format(doing="Reading", action="open b.xlsx"))
    area.show_message(Infos.file_changed.format(name="b.xlsx"))
    assert area.shown_keys() == ["busy", "file_changed"]
    assert "b.xlsx" in area.messages()[0].text
    area.clear("busy")
    assert area.shown_keys() == ["file_changed"]
    area.clear_all()
    assert area.shown_keys() == [] and area.isHidden()


def test_message_area_folds_older_messages_behind_a_button(qtbot: Any) -> None:
    area = MessageArea()
    qtbot.addWidget(area)
    area.show()
    area.show_message(Infos.file_changed.format(name="a.xlsx"))
    area.show_message(Warnings.busy.format(doing="Reading", action="open b.xlsx"))
    assert area.more_button.isHidden() and area.hidden_count() == 0
    area.show_message(Infos.report_needs_run)
    area.show_message(Infos.report_cancelled.format(name="brief.pdf"))
    bars = [b for b in area.findChildren(MessageBar) if b.message.key in area.shown_keys()]
    visible = [b.message.key for b in bars if b.isVisible()]
    assert visible == ["report_needs_run", "report_cancelled"]  # the newest two
    assert area.hidden_count() == 2 and area.more_button.text() == "2 earlier messages…"
    area.more_button.click()
    assert all(b.isVisible() for b in bars) and area.hidden_count() == 0
    area.clear("report_cancelled")
    area.clear("report_needs_run")  # two left: nothing to fold
    assert area.more_button.isHidden() and area.hidden_count() == 0


def test_recent_files_most_recent_first_without_duplicates(qapp: Any, tmp_path: Path) -> None:
    recent = RecentFiles(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    for i in range(MAX_RECENT + 2):
        recent.add(tmp_path / f"b{i}.xlsx")
    recent.add(tmp_path / "b5.xlsx")
    paths = recent.paths()
    assert len(paths) == MAX_RECENT
    assert Path(paths[0]).name == "b5.xlsx"
    assert len(set(paths)) == len(paths)
    recent.clear()
    assert recent.paths() == []
