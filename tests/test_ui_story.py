"""The Day by day view and the Qt-free sentences behind it.

The sentences are checked on the deterministic chain of tests/test_story.py,
whose days are known exactly: the site runs dry at the end of day 15,
customers go short from day 16 and are served again from day 19.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_window import main_window

from engine_networks import single_site
from jitrisk.model.distributions import Constant
from ui.logic.story import StoryRequest, compute_story, headline, run_info, targets
from ui.main_window import MainWindow

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "automotive.xlsx"


def _chain(duration: int) -> Any:
    net = single_site(Constant(50.0), 300.0, Constant(2), trials=16, days=60, warmup=5)
    return compute_story(net, StoryRequest("SUP", duration, 10, 16, 60, "baseline"))


def test_the_headline_tells_the_exact_days() -> None:
    text = headline(_chain(6))
    assert "SUP is down from day 10 to day 15 (6 days, as chosen)" in text
    assert "Customers go short from day 16</b> (median; 100% of trials go short), 6 days" in text
    assert "Same-day fill falls to 0% on day 16" in text
    assert "Back to normal on <b>day 19</b>, 3 days after it is back up" in text
    assert "First to run dry: X on day 15" in text


def test_an_outage_within_the_cover_reads_as_served() -> None:
    text = headline(_chain(2))
    assert "Customers are served throughout" in text and "go short" not in text
    assert "its own random disruptions off · 16 trials · 60 days · seed 7" in run_info(_chain(2))


def test_targets_offer_stocking_sites_then_regions() -> None:
    from jitrisk import load_network

    net = load_network(EXAMPLE)
    offered = [t for _label, t in targets(net)]
    stocking = [s.site_id for s in net.sites if s.is_stocking]
    assert offered[: len(stocking)] == stocking
    assert all(t.startswith("region:") for t in offered[len(stocking) :])
    assert "MKT-DE" not in offered  # customers cannot be taken down


@pytest.fixture
def window(qtbot: Any, qapp: Any, tmp_path: Path) -> Iterator[MainWindow]:
    with main_window(qtbot, qapp, tmp_path, (1440, 900)) as win:
        yield win


@pytest.mark.gui
def test_a_risk_row_opens_its_story_and_the_fan_chart_draws(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.workbook_loaded, timeout=60_000):
        window.open_workbook(EXAMPLE)
    view = window.story_view
    view.trials_spin.setValue(40)
    with qtbot.waitSignal(view.outcome_shown, timeout=60_000):
        window.risk_view.story_requested.emit("T3-FOUNDRY-TW")
    assert window.tabs.currentWidget() is view
    assert view.target_combo.currentData() == "T3-FOUNDRY-TW"
    assert "T3-FOUNDRY-TW is down from day 14 to day 34 (21 days, its outage profile)" in (
        view.headline.text()
    )
    qtbot.waitUntil(view.canvas.is_current, timeout=20_000)
    image = view.canvas.image()
    assert image is not None and image.width() > 400 and image.height() > 300
    assert "40 trials" in view.presentation_caption()
    # a target that is not offered is refused, and nothing starts
    assert not window.show_story("MKT-DE")
