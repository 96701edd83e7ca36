"""The bundled example workbooks: current, valid, and as described in their docs."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest

from jitrisk.model.distributions import Constant, Geometric, Normal
from jitrisk.model.graph import build_graph, network_info
from jitrisk.model.records import Lane, Network
from jitrisk.model.scenarios import apply_scenario
from jitrisk.workbook.reader import load_network, validate_workbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ("teaching.xlsx", "automotive.xlsx", "broken.xlsx")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_examples", module)
    spec.loader.exec_module(module)
    return module


make_examples = _load_script()


@pytest.fixture(scope="module")
def automotive() -> Network:
    return load_network(EXAMPLES / "automotive.xlsx")


@pytest.fixture(scope="module")
def teaching() -> Network:
    return load_network(EXAMPLES / "teaching.xlsx")


def _cells(path: Path) -> dict[str, list[tuple[str, object, str | None]]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [
            (c.coordinate, c.value, c.comment.text if c.comment else None)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None or c.comment is not None
        ]
        for ws in wb.worksheets
    }


def _components(net: Network, site: str) -> dict[str, list[Lane]]:
    groups: dict[str, list[Lane]] = defaultdict(list)
    for lane in net.lanes_into(site):
        groups[lane.component].append(lane)
    return groups


# --------------------------------------------------------------------------- all


def test_committed_examples_are_current(tmp_path: Path) -> None:
    """The .xlsx files in examples/ are what make_examples.py writes today."""
    make_examples.write_examples(tmp_path)
    for name in NAMES:
        assert _cells(tmp_path / name) == _cells(EXAMPLES / name), name


def test_examples_are_byte_reproducible(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    make_examples.write_examples(tmp_path / "a")
    make_examples.write_examples(tmp_path / "b")
    for name in NAMES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("name", ["teaching.xlsx", "automotive.xlsx"])
def test_valid_examples_have_no_problem_at_all(name: str) -> None:
    report = validate_workbook(EXAMPLES / name)
    assert [str(p) for p in report.problems] == []
    assert report.network is not None


# --------------------------------------------------------------------------- teaching


def test_teaching_is_small_and_complete(teaching: Network) -> None:
    info = network_info(teaching)
    assert len(teaching.sites) <= 8
    assert info.counts_by_type == {"supplier": 2, "plant": 1, "dc": 1, "customer": 2}
    (plant,) = teaching.sites_of_type("plant")
    assert len(_components(teaching, plant.site_id)) == 2
    assert len(teaching.disruptions) == 1
    assert teaching.scenario_names == ("baseline", "motor-buffer")
    changed = apply_scenario(teaching, "motor-buffer")
    lane = next(x for x in changed.lanes if x.label == "SUP-MOTOR->PLANT")
    assert lane.line_buffer_days == 10


def test_automotive_notes_are_on_their_cells() -> None:
    wb = openpyxl.load_workbook(EXAMPLES / "automotive.xlsx")
    found = [
        c.comment.text
        for ws in wb.worksheets
        for row in ws.iter_rows(min_row=2)
        for c in row
        if c.comment is not None and c.comment.author == make_examples.AUTHOR
    ]
    assert sorted(found) == sorted(make_examples.AUTOMOTIVE_NOTES.values())


def test_teaching_values_are_commented() -> None:
    """Every note of the script is on its cell, and no data sheet is without notes."""
    wb = openpyxl.load_workbook(EXAMPLES / "teaching.xlsx")
    noted: dict[str, int] = defaultdict(int)
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if c.comment is not None and c.comment.author == make_examples.AUTHOR:
                    noted[ws.title] += 1
    assert sum(noted.values()) == len(make_examples.TEACHING_NOTES)
    assert set(noted) == {"Sites", "Lanes", "Demand", "Disruptions", "Scenarios", "Settings"}
    sites = wb["Sites"]
    plant_row = next(c.row for c in sites["A"] if c.value == "PLANT")
    capacity = sites.cell(row=plant_row, column=8)  # capacity_per_day
    assert capacity.comment is not None
    assert "130" in capacity.comment.text


# --------------------------------------------------------------------------- automotive


def test_automotive_size_tiers_and_regions(automotive: Network) -> None:
    info = network_info(automotive)
    g = build_graph(automotive)
    assert len(automotive.sites) >= 60
    tiers = {g.nodes[n]["tier"] for n in g if g.nodes[n]["type"] == "supplier"}
    assert {1, 2, 3, 4} <= tiers
    assert {"DE", "CZ", "PL", "CN", "MX", "US"} <= set(info.regions)
    assert 2 <= info.counts_by_type["dc"] <= 3
    assert info.counts_by_type["customer"] >= 3


def test_automotive_assembly_and_subassembly_plants(automotive: Network) -> None:
    g = build_graph(automotive)
    plants = [s.site_id for s in automotive.sites_of_type("plant")]
    assembly = [p for p in plants if any(g.nodes[m]["type"] == "dc" for m in g.successors(p))]
    assert len(assembly) == 1
    bom = _components(automotive, assembly[0])
    assert len(bom) >= 10
    assert all(lane.line_buffer_days is not None for lanes in bom.values() for lane in lanes)
    subs = [p for p in plants if assembly[0] in g.successors(p)]
    names = " ".join(automotive.site_by_id[p].name for p in subs)
    assert "Battery" in names
    assert "E-drive" in names


def test_automotive_dual_and_single_sourcing(automotive: Network) -> None:
    groups: dict[tuple[str, str], list[Lane]] = defaultdict(list)
    for lane in automotive.lanes:
        if automotive.site_by_id[lane.target].is_producing:
            groups[(lane.target, lane.component)].append(lane)
    dual = [k for k, lanes in groups.items() if len(lanes) > 1]
    single = [k for k, lanes in groups.items() if len(lanes) == 1]
    assert len(dual) >= 4
    assert len(single) >= 20
    assert ("BATT-WROCLAW", "cell-module") in dual
    single_listed = {(d["site"], d["component"]) for d in network_info(automotive).single_sourced}
    assert set(single) <= single_listed


def test_automotive_buffers_demand_and_lead_times(automotive: Network) -> None:
    stocking = [s for s in automotive.sites if s.is_stocking]
    assert all(0.5 <= s.safety_stock_days <= 3 for s in stocking)
    line = [x.line_buffer_days for x in automotive.lanes if x.line_buffer_days is not None]
    assert line and all(0.5 <= b <= 3 for b in line)
    assert all(isinstance(d.daily_demand, Normal) and d.unit_price > 0 for d in automotive.demand)
    kinds = {type(x.lead_time) for x in automotive.lanes}
    assert Constant in kinds
    assert len(kinds) >= 4


def test_automotive_values_grow_downstream(automotive: Network) -> None:
    """Each plant or supplier is worth more than its bill of materials."""
    value = {s.site_id: s.unit_value for s in automotive.sites}
    for site in automotive.sites:
        bom = _components(automotive, site.site_id)
        if not site.is_producing or not bom:
            continue
        material = sum(
            lanes[0].quantity_per_unit * sum(value[x.source] * x.share for x in lanes)
            for lanes in bom.values()
        )
        assert value[site.site_id] > material, site.site_id


def test_automotive_disruption_profile(automotive: Network) -> None:
    random = [d for d in automotive.disruptions if not d.scripted]
    outages = [d for d in random if d.kind == "outage" and d.scope_kind == "site"]
    assert len(outages) >= 4
    assert all(isinstance(d.duration, Geometric) for d in outages)
    assert all(automotive.site_by_id[d.scope].type == "supplier" for d in outages)
    assert any(d.scope == "region:CN" for d in random)
    assert any(d.scope_kind == "lane" and d.kind == "delay" for d in random)
    assert any(d.kind == "demand" and d.severity > 1 for d in random)
    assert all(0 < d.probability_per_day < 1 and d.scenario == "" for d in random)


def test_automotive_scenarios_and_settings(automotive: Network) -> None:
    assert set(automotive.scenario_names) >= {
        "baseline",
        "dual-source-battery",
        "buffer-up-tier1",
        "taiwan-strait",
    }
    dual = apply_scenario(automotive, "dual-source-battery")
    shares = {x.source: x.share for x in dual.lanes_into("BATT-WROCLAW")}
    assert shares["T1-CELLS-CN"] == shares["T1-CELLS-PL"] == 0.5
    buffered = apply_scenario(automotive, "buffer-up-tier1")
    g = build_graph(automotive)
    tier1 = [n for n in g if g.nodes[n]["type"] == "supplier" and g.nodes[n]["tier"] == 1]
    assert all(buffered.site_by_id[s].safety_stock_days > 3 for s in tier1)
    strait = apply_scenario(automotive, "taiwan-strait")
    scripted = [d for d in strait.disruptions if d.scripted]
    assert {d.scope for d in scripted} == {"region:TW", "region:CN"}
    assert all(0 <= (d.start_day or 0) < automotive.settings.days for d in scripted)
    assert not [d for d in apply_scenario(automotive).disruptions if d.scripted]
    s = automotive.settings
    assert (s.days, s.trials, s.seed, s.warmup_days) == (365, 2000, 42, 30)


# --------------------------------------------------------------------------- broken


def test_broken_reports_each_intended_problem_at_its_cell() -> None:
    report = validate_workbook(EXAMPLES / "broken.xlsx")
    assert report.network is None
    errors = report.errors
    for sheet, cells, words in make_examples.BROKEN_PROBLEMS:
        here = [p for p in errors if p.sheet == sheet and p.cell in cells]
        assert any(words in p.message for p in here), (sheet, cells, [str(p) for p in here])
    assert len(errors) == len(make_examples.BROKEN_PROBLEMS)


def test_broken_cycle_names_both_sites() -> None:
    report = validate_workbook(EXAMPLES / "broken.xlsx")
    (cycle,) = [p for p in report.errors if "cycle" in p.message]
    assert "LOOP-A" in cycle.message
    assert "LOOP-B" in cycle.message
