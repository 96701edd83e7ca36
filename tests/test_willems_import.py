"""``jitrisk import willems``: Willems' (2008) chains as jitrisk workbooks.

A small file in the published layout is built here, so the conversion rules
(module docstring of :mod:`jitrisk.workbook.willems`) are checked without the
dataset; the real file in ``../shared/datasets/willems2008/`` is read end to
end when present.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest
from openpyxl import Workbook
from scipy.stats import norm

from jitrisk.analysis.gsm import place_gsm
from jitrisk.cli import main
from jitrisk.errors import JitriskError, WorkbookError
from jitrisk.model.distributions import Constant, Empirical
from jitrisk.workbook.reader import load_network
from jitrisk.workbook.willems import chain_numbers, read_chain

SD_HEAD = ("Stage Name", "stageCost", "relDepth", "stageClassification", "avgDemand",
           "stdDevDemand", "maxServiceTime", "serviceLevel", "stageTime", "stdDev stageTime",
           "stageTime_1", "stageTime_%_1", "stageTime_2", "stageTime_%_2", "stageTime_3",
           "stageTime_%_3")  # fmt: skip
# Part_A (random time 20/25/50 at 40/40/20 %) and Part_B feed Manuf_M (T = 2.5), which
# feeds Dist_D (T = 3; internal max service time 1), which feeds Retail_R (demand)
STAGES = [
    ("Part_A", 12, 2, "Part", None, None, None, None, 28, 11.2, 20, 0.4, 25, 0.4, 50, 0.2),
    ("Part_B", 5, 2, "Part", None, None, None, None, 15),
    ("Manuf_M", 30, 1, "Manuf", None, None, None, None, 2.5),
    ("Dist_D", 4, 1, "Dist", None, None, 1, None, 3),
    ("Retail_R", 1, 0, "Retail", 100, 20, 2, 0.99, 1),
]
ARCS = [("Part_A", "Manuf_M"), ("Part_B", "Manuf_M"), ("Manuf_M", "Dist_D"), ("Dist_D", "Retail_R")]
REAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "willems2008"
REAL_FILE = REAL / "MSOM-06-038-R2.xlsx"


def write_msom(path: Path, stages=STAGES, arcs=ARCS, number: int = 1) -> Path:
    wb = Workbook()
    wb.active.title = "Introduction"
    sd = wb.create_sheet(f"{number:02d}_SD")
    sd.append(SD_HEAD)
    for row in stages:
        sd.append(row)
    ll = wb.create_sheet(f"{number:02d}_LL")
    ll.append(("sourceStage", "destinationStage"))
    for arc in arcs:
        ll.append(arc)
    wb.save(path)
    return path


def test_a_chain_becomes_sites_lanes_and_demand(tmp_path: Path) -> None:
    chain = read_chain(write_msom(tmp_path / "msom.xlsx"), 1)
    net = chain.network
    assert (chain.stages, chain.arcs) == (5, 4)
    types = {s.site_id: s.type for s in net.sites}
    assert types == {"Part_A": "supplier", "Part_B": "supplier", "Manuf_M": "plant",
                     "Dist_D": "dc", "Retail_R": "dc", "Retail_R~demand": "customer"}  # fmt: skip
    site = net.site_by_id
    # cumulative cost: own cost plus every input's cumulative cost
    assert site["Manuf_M"].unit_value == 12 + 5 + 30
    assert site["Retail_R"].unit_value == 12 + 5 + 30 + 4 + 1
    # stage times: producers' as processing days (2.5 rounded up), DCs' on the inbound lane
    assert site["Part_A"].processing_days == 28 and site["Manuf_M"].processing_days == 3
    lane = {x.key: x for x in net.lanes}
    assert lane[("Manuf_M", "Dist_D")].lead_time == Constant(3.0)
    assert lane[("Part_A", "Manuf_M")].lead_time == Constant(0.0)
    assert site["Dist_D"].max_service_time_days == 1
    (demand,) = net.demand
    assert demand.site_id == "Retail_R~demand" and demand.service_time_days == 2
    assert demand.service_level == 0.99
    assert (demand.daily_demand.mean, demand.daily_demand.std) == (100, 20)
    assert net.settings.gsm_review_days == 0
    assert any("rounded up" in n for n in chain.notes)
    assert any("keep its mean only" in n for n in chain.notes)


def test_a_random_stage_time_keeps_its_probabilities_on_a_dc_lane(tmp_path: Path) -> None:
    stages = [
        ("Part_A", 1, 1, "Part", None, None, None, None, 2),
        ("Dist_D", 1, 0, "Dist", 10, 2, 0, 0.95, 28, 11.2, 20, 0.4, 25, 0.4, 50, 0.2),
    ]
    net = read_chain(write_msom(tmp_path / "m.xlsx", stages, [("Part_A", "Dist_D")]), 1).network
    lead = {x.key: x for x in net.lanes}[("Part_A", "Dist_D")].lead_time
    assert lead == Empirical((20.0, 20.0, 25.0, 25.0, 50.0))  # 40 / 40 / 20 %
    assert lead.mean == pytest.approx(28.0)


def test_the_gsm_of_an_imported_chain_is_the_published_model(tmp_path: Path) -> None:
    # Retail_R holds to its own 0.99; the stages upstream serve only it, so they do too
    net = read_chain(write_msom(tmp_path / "msom.xlsx"), 1).network
    sol = place_gsm(net)
    assert sol.review_days == 0
    assert all(r.z == pytest.approx(norm.ppf(0.99)) for r in sol.stages.values())
    assert sol.service_times["Retail_R"] <= 2 and sol.service_times["Dist_D"] <= 1
    # the DC's stage time sits on its inbound lane: T = 0, SI >= S_M + 3
    r = sol.stages["Dist_D"]
    assert r.processing_time == 0
    assert r.inbound_service_time >= sol.service_times["Manuf_M"] + 3


def test_cli_writes_a_workbook_that_validates_and_leaves_the_input_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_msom(tmp_path / "msom.xlsx")
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "chain01.xlsx"
    assert main(["import", "willems", str(src), "--chain", "1", "--out", str(out)]) == 0
    assert "5 stages and 4 arcs" in capsys.readouterr().out
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    net = load_network(out)
    assert net.site_by_id["Dist_D"].max_service_time_days == 1
    assert {d.site_id: d.service_level for d in net.demand} == {"Retail_R~demand": 0.99}
    gsm = tmp_path / "gsm.json"
    assert main(["place", str(out), "--method", "gsm", "--json", str(gsm)]) == 0
    # the same file again: refused without --force, and never onto the input
    assert main(["import", "willems", str(src), "--chain", "1", "--out", str(out)]) == 2
    assert main(["import", "willems", str(src), "--chain", "1", "--out", str(src)]) == 2
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_bad_cells_are_reported_with_their_place_in_the_source(tmp_path: Path) -> None:
    stages = [*STAGES[:2], ("Manuf_M", "thirty", 1, "Manuf", None, None, None, None, 2.5),
              *STAGES[3:]]  # fmt: skip
    arcs = [*ARCS, ("Dist_D", "Retail_X")]
    with pytest.raises(WorkbookError) as err:
        read_chain(write_msom(tmp_path / "bad.xlsx", stages, arcs), 1)
    where = {(p.sheet, p.cell) for p in err.value.problems}
    assert ("01_SD", "B4") in where  # stageCost of Manuf_M
    assert ("01_LL", "B6") in where  # unknown destination stage


def test_a_cycle_and_a_missing_chain_are_refused(tmp_path: Path) -> None:
    path = write_msom(tmp_path / "cyc.xlsx", arcs=[*ARCS, ("Retail_R", "Manuf_M")])
    with pytest.raises(WorkbookError, match="cycle"):
        read_chain(path, 1)
    with pytest.raises(JitriskError, match=r"no chain 07.*chains 01"):
        read_chain(path, 7)
    with pytest.raises(JitriskError, match="no such file"):
        read_chain(tmp_path / "absent.xlsx", 1)
    (tmp_path / "text.xlsx").write_text("not a workbook")
    with pytest.raises(JitriskError, match="cannot read"):
        read_chain(tmp_path / "text.xlsx", 1)


@pytest.mark.skipif(not REAL_FILE.is_file(), reason="../shared/datasets/willems2008 is absent")
def test_the_published_file_holds_38_chains_that_import(tmp_path: Path) -> None:
    assert [n for n in chain_numbers(REAL_FILE) if n >= 1] == list(range(1, 39))
    # the smallest and a mid-size chain end to end: import, validate, place
    for number, stages in ((1, 8), (7, 38)):
        out = tmp_path / f"chain{number:02d}.xlsx"
        assert main(["import", "willems", str(REAL_FILE), "--chain", str(number),
                     "--out", str(out)]) == 0  # fmt: skip
        net = load_network(out)
        stocking = [s for s in net.sites if s.is_stocking]
        assert len(stocking) == stages
        sol = place_gsm(net)
        assert sol.optimal and math.isfinite(sol.total_cost) and sol.total_cost > 0
