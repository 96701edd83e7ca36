"""The network map: layout rules (Qt-free), the map widget, and its flows in the window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from jitrisk import load_network
from jitrisk.engine import compile_network
from jitrisk.model.records import Network
from ui.app import apply_look
from ui.logic.map_layout import (
    MAP_METRICS,
    NO_VALUE,
    ColourScale,
    count_crossings,
    layout_network,
    mean_flows,
    node_radii,
    region_outlines,
)
from ui.logic.tasks import RunOutcome, RunRequest, run_simulation
from ui.main_window import MainWindow
from ui.views.network_map import NetworkMapWidget
from ui.widgets.roles import SiteIdRole

pytestmark = pytest.mark.gui

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "automotive.xlsx"
LOAD_TIMEOUT = 60_000
RUN_TIMEOUT = 180_000


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network(EXAMPLE)


@pytest.fixture(scope="module")
def outcome(network: Network) -> RunOutcome:
    return run_simulation(network, RunRequest("baseline", 48, 90, 3))


@pytest.fixture
def map_widget(qtbot: Any, qapp: Any, network: Network) -> NetworkMapWidget:
    apply_look(qapp)
    widget = NetworkMapWidget()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.set_network(network, "automotive.xlsx")
    widget.show()
    qtbot.waitExposed(widget)
    return widget


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


def luminance(hex_colour: str) -> float:
    r, g, b = to_rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def chip_point(widget: NetworkMapWidget, site_id: str) -> QPoint:
    return widget.view.mapFromScene(widget.chip(site_id).scenePos())


# --------------------------------------------------------------------------- layout (Qt-free)
def test_layout_columns_are_the_tiers_the_summary_counts(network: Network) -> None:
    """Suppliers stand in the column of their tier (deepest left, tier 1 next to the
    plants), then plants, DCs and customers; every lane goes left to right; every
    column is headed."""
    from jitrisk.model.graph import build_graph

    layout = layout_network(network)
    assert len(layout.nodes) == 80 and len(layout.edges) == 112
    last = layout.columns - 1
    for node in layout.nodes.values():
        if node.type == "customer":
            assert node.column == last
    for a, b in layout.edges:
        assert layout.nodes[a].column < layout.nodes[b].column
    g = build_graph(network)
    top = max(g.nodes[n]["tier"] for n in g)
    for node in layout.nodes.values():
        if node.type == "supplier":
            assert node.column == top - node.tier, node.site_id
            assert node.site_id.startswith(f"T{node.tier}-")  # the example names its tiers
    assert layout.headings == (
        "Tier 4 suppliers",
        "Tier 3 suppliers",
        "Tier 2 suppliers",
        "Tier 1 suppliers",
        "Plants",
        "Plants",
        "DCs",
        "Customers",
    )


def test_a_plant_shipping_to_a_supplier_falls_back_to_depth_columns() -> None:
    from jitrisk.model.distributions import Constant
    from jitrisk.model.records import Demand, Lane, Settings, Site

    net = Network(
        sites=(
            Site("RAW", "supplier", base_stock_units=10.0),
            Site("P1", "plant", base_stock_units=10.0),
            Site("SUB", "supplier", base_stock_units=10.0),
            Site("P2", "plant", base_stock_units=10.0),
            Site("C", "customer"),
        ),
        lanes=(
            Lane("RAW", "P1", Constant(1.0)),
            Lane("P1", "SUB", Constant(1.0)),
            Lane("SUB", "P2", Constant(1.0)),
            Lane("P2", "C", Constant(0.0), component="C"),
        ),
        demand=(Demand("C", Constant(1.0), unit_price=1.0),),
        settings=Settings(),
    )
    layout = layout_network(net)
    assert [layout.nodes[s].column for s in ("RAW", "P1", "SUB", "P2", "C")] == [0, 1, 2, 3, 4]
    for a, b in layout.edges:
        assert layout.nodes[a].column < layout.nodes[b].column


def test_barycentre_ordering_removes_most_crossings(network: Network) -> None:
    layout = layout_network(network)
    alphabetical = {}
    for c in range(layout.columns):
        ids = sorted(n.site_id for n in layout.column(c))
        alphabetical.update({sid: (c, i) for i, sid in enumerate(ids)})
    before = count_crossings(alphabetical, layout.edges, layout.column_sizes)
    assert layout.crossings() < before / 2


def test_mean_flows_match_the_engine(network: Network) -> None:
    flows = mean_flows(network)
    compiled = compile_network(network)
    expected = dict(zip(compiled.site_ids, compiled.mean_flow, strict=True))
    assert flows == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_colour_scale_is_round_and_darker_for_worse() -> None:
    scale = ColourScale.for_values(MAP_METRICS["stockout_day_probability"], [0.01, 0.23])
    assert (scale.low, scale.high) == (0.0, 0.25)
    assert scale.ticks() == pytest.approx([0.0, 0.05, 0.10, 0.15, 0.20, 0.25])
    greys = [luminance(scale.colour(v)) for v in np.linspace(0, 0.25, 6)]
    assert greys == sorted(greys, reverse=True)  # monotone: also readable in grey
    fill = ColourScale.for_values(MAP_METRICS["fill_rate"], [0.62, 0.99])
    assert fill.reverse and fill.high == 1.0 and fill.low <= 0.62
    assert luminance(fill.colour(0.62)) < luminance(fill.colour(0.99))  # low fill is worse
    assert scale.colour(float("nan")) == NO_VALUE


def test_sizes_follow_flow_on_a_log_scale_and_regions_get_stable_outlines(
    network: Network,
) -> None:
    nodes = list(layout_network(network).nodes.values())
    radii = node_radii(nodes, "value_flow", 10, 30)
    by_value = sorted(nodes, key=lambda n: n.value_flow)
    assert radii[by_value[0].site_id] == pytest.approx(10)
    assert radii[by_value[-1].site_id] == pytest.approx(30)
    assert set(node_radii(nodes, "equal", 10, 30).values()) == {20}
    outlines = region_outlines(nodes)
    assert outlines == region_outlines(list(reversed(nodes)))
    assert len(set(outlines.values())) == 6  # five named regions and "other"


# --------------------------------------------------------------------------- the widget
def test_map_draws_every_site_and_lane_and_colours_after_a_run(
    map_widget: NetworkMapWidget, outcome: RunOutcome
) -> None:
    assert map_widget.node_count() == 80 and map_widget.lane_count() == 112
    assert map_widget.scene.heading_texts()[0] == "Tier 4 suppliers"
    assert map_widget.scene.heading_texts()[-1] == "Customers"
    # every heading stands above its column's top chip
    for heading in map_widget.scene.headings:
        assert heading.sceneBoundingRect().bottom() <= min(
            c.sceneBoundingRect().top() for c in map_widget.scene.chips.values()
        )
    assert {map_widget.node_colour(s) for s in map_widget.scene.chips} == {NO_VALUE}
    map_widget.set_outcome(outcome)
    colours = {sid: map_widget.node_colour(sid) for sid in map_widget.scene.chips}
    assert NO_VALUE not in colours.values() and len(set(colours.values())) > 5
    worst = outcome.sites.index[0]  # sites_frame is worst first
    best = outcome.sites.index[-1]
    assert luminance(colours[worst]) < luminance(colours[best])
    assert "Stockout days" in map_widget.chip(worst).toolTip()
    map_widget.set_metric("fill_rate")  # low fill rates are the dark ones
    low_fill = outcome.sites["fill_rate"].idxmin()
    darkness = {sid: luminance(map_widget.node_colour(sid)) for sid in outcome.sites.index}
    assert darkness[low_fill] == min(darkness.values())
    assert map_widget.legend.spec.metric_label == "Fill rate"
    assert map_widget.legend.spec.scale is not None and map_widget.legend.spec.scale.reverse


def test_click_selects_ctrl_click_adds_and_shift_drag_selects_a_box(
    qtbot: Any, map_widget: NetworkMapWidget
) -> None:
    viewport = map_widget.view.viewport()
    with qtbot.waitSignal(map_widget.site_clicked) as clicked:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=chip_point(map_widget, "DC-LYON"))
    assert clicked.args == ["DC-LYON"]
    assert map_widget.selected_sites() == ["DC-LYON"]
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        chip_point(map_widget, "MKT-DE"),
    )
    assert map_widget.selected_sites() == ["DC-LYON", "MKT-DE"]
    # a box around the five markets, dragged with Shift from empty space
    markets = [c for c in map_widget.scene.chips.values() if c.node.type == "customer"]
    top_left = map_widget.view.mapFromScene(
        min(c.sceneBoundingRect().left() for c in markets) - 8,
        min(c.sceneBoundingRect().top() for c in markets) - 8,
    )
    bottom_right = map_widget.view.mapFromScene(
        max(c.sceneBoundingRect().right() for c in markets) + 8,
        max(c.sceneBoundingRect().bottom() for c in markets) + 8,
    )
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, shift, top_left)
    QTest.mouseMove(viewport, (top_left + bottom_right) / 2)
    QTest.mouseMove(viewport, bottom_right)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, shift, bottom_right)
    assert sorted(map_widget.selected_sites()) == sorted(c.node.site_id for c in markets)
    # a plain click on empty space clears the selection
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert map_widget.selected_sites() == []


def test_wheel_zooms_and_fit_shows_everything(qtbot: Any, map_widget: NetworkMapWidget) -> None:
    view = map_widget.view
    fitted = view.zoom()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        view.viewport().mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120),  # one notch forward
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() == pytest.approx(fitted * 1.18) and not view.auto_fit
    map_widget.fit()
    view.zoom_by(2.0)
    assert view.zoom() == pytest.approx(fitted * 2.0) and not view.auto_fit
    map_widget.fit()
    assert view.zoom() == pytest.approx(fitted) and view.auto_fit
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(map_widget.scene.itemsBoundingRect())


def test_export_png_writes_the_whole_map_with_its_legend(
    map_widget: NetworkMapWidget, outcome: RunOutcome, tmp_path: Path
) -> None:
    map_widget.set_outcome(outcome)
    map_widget.select_sites(["DC-LYON"])
    path = map_widget.export_png(tmp_path / "map")
    assert path == tmp_path / "map.png" and path.exists()
    image = QImage(str(path))
    scene = map_widget.scene.sceneRect()
    assert image.width() >= 2 * scene.width() and image.height() > 2 * scene.height()
    assert map_widget.selected_sites() == ["DC-LYON"]  # the export leaves the selection alone
    assert "scenario baseline" in map_widget.export_title()


# --------------------------------------------------------------------------- in the window
def test_map_in_the_window_colours_after_a_run_and_a_click_opens_the_site_panel(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.became_idle, timeout=LOAD_TIMEOUT):
        window.open_workbook(EXAMPLE)
    window.action("show_map").trigger()
    assert window.tabs.currentWidget() is window.map_view
    assert window.map_view.node_count() == 80
    grey = window.map_view.node_colour("OEM-LEIPZIG")
    with qtbot.waitSignal(window.became_idle, timeout=RUN_TIMEOUT):
        window.start_run(RunRequest("baseline", 32, 60, 5))
    assert window.tabs.currentWidget() is window.map_view  # the planner stays on the map
    qtbot.waitUntil(lambda: window.map_view.outcome is not None, timeout=5_000)
    assert window.map_view.node_colour("OEM-LEIPZIG") != grey

    viewport = window.map_view.view.viewport()
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=chip_point(window.map_view, "T1-CELLS-CN")
    )
    panel = window.site_panel
    assert panel.site_id == "T1-CELLS-CN" and window.site_dock.isVisible()
    assert set(panel.cards) >= {"metrics", "inputs", "inbound", "outbound", "disruptions"}
    assert panel.field_text("metrics", "Stockout days").endswith("]")
    assert window.whatif_panel.sites == ["T1-CELLS-CN"]
    # the Results table follows the map selection, and the map follows the table
    table = window.results_view.table
    rows = table.selectionModel().selectedRows()
    assert [str(table.model().data(i, SiteIdRole)) for i in rows] == ["T1-CELLS-CN"]
    table.selectRow(0)
    first = str(table.model().data(table.model().index(0, 0), SiteIdRole))
    assert window.map_view.selected_sites() == [first] == window.selected_sites

    written = window.export_map(tmp_path / "out.png")
    assert written is not None and written.exists()
    assert "map_exported" in window.messages.shown_keys()
    assert window.export_map(tmp_path / "no-such-folder" / "out.png") is None
    assert "export_failed" in window.messages.shown_keys()


def test_one_colour_scale_for_every_run_unless_fitted_to_the_run(
    map_widget: NetworkMapWidget, network: Network, outcome: RunOutcome
) -> None:
    # a what-if with a 3-week outage at the foundry: far worse than the baseline
    from dataclasses import replace

    from jitrisk.model.distributions import Constant
    from jitrisk.model.records import Disruption

    outage = Disruption(
        "foundry-down", "T3-FOUNDRY-TW", "outage", duration=Constant(21.0), start_day=10
    )
    worse = run_simulation(
        replace(network, disruptions=(*network.disruptions, outage)),
        RunRequest("baseline", 48, 90, 3),
    )
    metric = "stockout_day_probability"
    assert worse.sites[metric].max() > outcome.sites[metric].max()
    map_widget.set_runs({"baseline": outcome, "foundry-down": worse}, "baseline")
    map_widget.set_outcome(outcome)
    shared_base = {s: map_widget.node_colour(s) for s in outcome.sites.index}
    scale = map_widget.legend.spec.scale
    assert scale is not None and scale.high >= worse.sites[metric].max()
    assert map_widget.legend.spec.scale_note == "one scale for all 2 runs"
    map_widget.set_outcome(worse)
    shared_worse = {s: map_widget.node_colour(s) for s in worse.sites.index}
    # equal values, equal colours, whichever run is on show
    for sid in outcome.sites.index:
        if outcome.sites.at[sid, metric] == worse.sites.at[sid, metric]:
            assert shared_base[sid] == shared_worse[sid]
    assert map_widget.legend.spec.scale == scale
    # fitted to the run: the baseline's own, narrower scale darkens its colours
    map_widget.set_outcome(outcome)
    map_widget.fit_scale_button.setChecked(True)
    assert map_widget.legend.spec.scale_note == "fitted to this run"
    assert map_widget.legend.spec.scale.high < scale.high
    top = outcome.sites.index[0]
    assert luminance(map_widget.node_colour(top)) < luminance(shared_base[top])
