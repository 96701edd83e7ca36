"""Reports: each format opened again and checked against the results it came from.

One small network (seven sites, two scenarios, sites named like formulas) is
analysed once per module with few trials; the tests then write and re-read the
Excel workbook, the PDF brief and the PowerPoint deck.
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import jitrisk
import jitrisk.cli.commands as main_cli
from builders import Rows, valid_rows
from jitrisk.cli import report as report_cli
from jitrisk.errors import JitriskError
from jitrisk.report import (
    ReportData,
    collect,
    figures,
    pages,
    report_format,
    tables,
    write_report,
)
from jitrisk.report import excel as excel_mod
from jitrisk.report import pdf as pdf_mod
from jitrisk.report import pptx as pptx_mod
from jitrisk.report.build import curve_levels, curve_target, resolve_scenarios
from jitrisk.report.excel import SHEET_NAMES, write_excel_report
from jitrisk.report.pdf import write_pdf_report
from jitrisk.report.pptx import write_pptx_report

#: Site ids and a name that a spreadsheet would take for formulas.
INJECTED = {"SUP-A": "=1+1", "SUP-B": "+x", "SUP-C": "@x", "CUST-2": "-x"}
HYPERLINK = '=HYPERLINK("http://example.invalid","click")'
TRIALS, DAYS, SEED = 40, 60, 3


def _rename(rows: Rows) -> Rows:
    for data in rows.values():
        for line in data[1:]:
            for j, v in enumerate(line):
                if isinstance(v, str) and v in INJECTED:
                    line[j] = INJECTED[v]
    rows["Sites"][1][2] = HYPERLINK  # the name of "=1+1"
    return rows


def _write_as_text(path: Path, rows: Rows) -> Path:
    """Like builders.write_workbook, but text cells stay text (the planner typed them)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, data in rows.items():
        ws = wb.create_sheet(name)
        for i, line in enumerate(data, start=1):
            for j, v in enumerate(line, start=1):
                if v is not None:
                    c = ws.cell(row=i, column=j, value=v)
                    if isinstance(v, str):
                        c.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_as_text(tmp_path_factory.mktemp("in") / "network.xlsx", _rename(valid_rows()))


@pytest.fixture(scope="module")
def data(workbook: Path) -> ReportData:
    net = jitrisk.load_network(workbook)
    seen: list[float] = []
    out = collect(
        net,
        "all",
        trials=TRIALS,
        seed=SEED,
        days=DAYS,
        budget=5000.0,
        progress=lambda p: seen.append(p.fraction),
        risk_trials=20,
    )
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(seen))
    return out


@pytest.fixture(autouse=True)
def _fast_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Low-resolution pictures keep the tests quick; the layout is the same."""
    monkeypatch.setattr(pptx_mod, "DPI", 40)
    monkeypatch.setattr(excel_mod, "MAP_DPI", 40)


@pytest.fixture(scope="module")
def xlsx(data: ReportData, workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("out") / "report.xlsx"
    mp = pytest.MonkeyPatch()
    mp.setattr(excel_mod, "MAP_DPI", 40)
    try:
        write_excel_report(data, path, workbook)
    finally:
        mp.undo()
    return path


def _header_index(ws: Any, row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if isinstance(c.value, str)}


def _find_row(ws: Any, col: int, value: str, start: int = 1) -> int:
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise AssertionError(f"{value!r} not found in column {col} of {ws.title}")


# ----------------------------------------------------------------------------- collect


def test_collect_runs_every_analysis(data: ReportData, workbook: Path) -> None:
    p = data.provenance
    assert p.scenarios == ("baseline", "strike")
    assert p.workbook == workbook.name
    assert len(p.workbook_sha256) == 64
    assert (p.trials, p.days, p.seed) == (TRIALS, DAYS, SEED)
    assert p.jitrisk_version == jitrisk.__version__
    for s in data.scenarios:
        assert s.simulation["scenario"] == s.name
        assert len(s.lost_revenue) == s.simulation["trials"]
        assert s.curve is not None and s.curve["levels"]
        assert s.risk is not None and s.risk["sites"]
        assert s.gsm is not None and s.gsm["sites"]
        assert s.gsm["review_days"] == data.network.settings.gsm_review_days == 1
        assert "daily review" in pages.recommended_table(s).note
        assert s.placement is not None and s.placement["budget"] == 5000.0
        target, _why = curve_target(s.simulation)
        assert s.curve["site"] == target


def test_curve_target_prefers_the_planners_own_stock_points() -> None:
    def site(kind: str, p: float, lost: float = 0.0) -> dict[str, Any]:
        return {
            "type": kind,
            "stockout_day_probability": {"mean": p},
            "lost_revenue": {"mean": lost},
        }

    doc = {
        "sites": {
            "SUP": site("supplier", 0.9),
            "PLANT": site("plant", 0.2),
            "DC": site("dc", 0.2, 5.0),
            "CUST": site("customer", 0.95),
        }
    }
    target, why = curve_target(doc)
    assert target == "DC" and "plant or DC most at risk" in why
    doc["sites"]["PLANT"] = site("plant", 0.0)
    doc["sites"]["DC"] = site("dc", 0.0)
    assert curve_target(doc)[0] == "SUP"
    doc["sites"]["SUP"] = site("supplier", 0.0)
    assert curve_target(doc)[0] == "network"


def test_curve_levels_include_the_current_buffer() -> None:
    assert curve_levels(None)[0] == 0.0 and curve_levels(None)[-1] == 20.0
    assert 2.5 in curve_levels(2.5)
    assert curve_levels(30.0)[-1] >= 60.0
    assert curve_levels(1000.0)[-1] == 365.0


def test_collect_can_be_cancelled(data: ReportData) -> None:
    from jitrisk.errors import SimulationCancelled

    with pytest.raises(SimulationCancelled):
        collect(data.network, None, trials=10, days=10, cancelled=lambda: True)


def test_unknown_scenario_is_refused(data: ReportData) -> None:
    with pytest.raises(JitriskError, match="unknown scenario 'nope'"):
        resolve_scenarios(data.network, "nope")
    assert resolve_scenarios(data.network, None) == ("baseline",)


# ----------------------------------------------------------------------------- Excel


def test_excel_sheets_and_native_charts(xlsx: Path, data: ReportData) -> None:
    wb = openpyxl.load_workbook(xlsx)
    assert tuple(wb.sheetnames) == SHEET_NAMES
    n = len(data.scenarios)
    charts = {ws.title: len(ws._charts) for ws in wb.worksheets}
    assert charts == {
        "Summary": 1,  # the largest exposures in money
        "Sites": 0,
        "Buffer curves": n,
        "Risk": n,
        "Safety stock": n,
        "Scenarios": 2,
        "Network": 0,
        "Inputs": 0,
    }
    assert len(wb["Network"]._images) == n


def test_excel_summary_numbers_equal_the_results(xlsx: Path, data: ReportData) -> None:
    ws = openpyxl.load_workbook(xlsx)["Summary"]
    col = _header_index(ws, 4)
    for s in data.scenarios:
        r = _find_row(ws, 1, s.name, 5)
        net = s.simulation["network"]
        p = net["any_customer_stockout_probability"]
        c = col["P(any customer stockout in horizon)"]
        assert ws.cell(r, c).value == pytest.approx(p["mean"], rel=1e-15)
        assert ws.cell(r, c + 1).value == pytest.approx(p["ci95"][0], rel=1e-15)
        assert ws.cell(r, c + 2).value == pytest.approx(p["ci95"][1], rel=1e-15)
        assert ws.cell(r, c).number_format == "0.00%"
        fr = col["Customer fill rate"]
        assert ws.cell(r, fr).value == pytest.approx(net["fill_rate"]["mean"], rel=1e-15)
        lr = col["Expected lost revenue"]
        assert ws.cell(r, lr).value == pytest.approx(net["lost_revenue"]["mean"], rel=1e-15)
        assert ws.cell(r, col["Lost revenue VaR95"]).value == pytest.approx(
            net["lost_revenue"]["var95"], rel=1e-15
        )
        assert ws.cell(r, col["Lost revenue CVaR95"]).value == pytest.approx(
            net["lost_revenue"]["cvar95"], rel=1e-15
        )
        assert ws.cell(r, col["Seed"]).value == SEED
        assert ws.cell(r, col["Trials"]).value == TRIALS
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert values["Workbook SHA-256"] == data.provenance.workbook_sha256
    assert values["jitrisk version"] == jitrisk.__version__
    assert values["Unmet customer demand"] == "backorder"
    assert values["Warm-up days"] == data.provenance.warmup_days


def test_excel_sites_every_metric_with_ci(xlsx: Path, data: ReportData) -> None:
    ws = openpyxl.load_workbook(xlsx)["Sites"]
    col = _header_index(ws, 1)
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    ranges = {str(cf.sqref) for cf in ws.conditional_formatting}
    letter = openpyxl.utils.get_column_letter
    assert any(r.startswith(letter(col["Stockout-day probability"])) for r in ranges)
    assert any(r.startswith(letter(col["Fill rate"])) for r in ranges)
    seen = 0
    for r in range(2, ws.max_row + 1):
        scen, sid = ws.cell(r, col["Scenario"]).value, ws.cell(r, col["Site"]).value
        st = data.scenario(scen).simulation["sites"].get(sid)
        if st is None:  # a line-side buffer
            assert ws.cell(r, col["Type"]).value == "line-side buffer"
            continue
        seen += 1
        for key, label, _kind in tables.SITE_ESTIMATES:
            assert ws.cell(r, col[label]).value == pytest.approx(st[key]["mean"], rel=1e-15)
            assert ws.cell(r, col[f"{label}: CI low"]).value == pytest.approx(
                st[key]["ci95"][0], rel=1e-15, abs=1e-300
            )
            assert ws.cell(r, col[f"{label}: CI high"]).value == pytest.approx(
                st[key]["ci95"][1], rel=1e-15, abs=1e-300
            )
        assert ws.cell(r, col["Days out of stock (90th percentile)"]).value == pytest.approx(
            st["days_out_of_stock"]["p90"]
        )
        assert ws.cell(r, col["Stockout-day probability"]).number_format == "0.00%"
        assert ws.cell(r, col["Lost revenue"]).number_format == "#,##0"
    assert seen == sum(len(s.simulation["sites"]) for s in data.scenarios)


def test_excel_analysis_tables_equal_the_results(xlsx: Path, data: ReportData) -> None:
    wb = openpyxl.load_workbook(xlsx)
    s = data.scenarios[0]
    # buffer curve
    ws = wb["Buffer curves"]
    head = _find_row(ws, 1, "Safety stock (days)")
    col = _header_index(ws, head)
    for i, lv in enumerate(s.curve["levels"]):
        r = head + 1 + i
        assert ws.cell(r, 1).value == lv["buffer_days"]
        assert ws.cell(r, col["Stockout-day probability"]).value == pytest.approx(
            lv["stockout_day_probability"]["mean"], rel=1e-15
        )
        assert ws.cell(r, col["Fill rate"]).value == pytest.approx(
            lv["fill_rate"]["mean"], rel=1e-15
        )
    # risk
    ws = wb["Risk"]
    head = _find_row(ws, 1, "Site or region")
    col = _header_index(ws, head)
    for i, (sid, r_) in enumerate(s.risk["sites"].items()):
        r = head + 1 + i
        assert ws.cell(r, 1).value == sid
        assert ws.cell(r, col["TTR (days)"]).value == pytest.approx(r_["ttr_days"])
        assert ws.cell(r, col["TTS (days)"]).value == pytest.approx(r_["tts_days"]["mean"])
        assert ws.cell(r, col["Risk exposure index"]).value == pytest.approx(
            r_["risk_exposure_index"]
        )
        assert ws.cell(r, col["Exposed (TTS < TTR)"]).value == ("yes" if r_["exposed"] else "no")
    # safety stock
    ws = wb["Safety stock"]
    head = _find_row(ws, 1, "Site")
    col = _header_index(ws, head)
    r = head + 1
    while ws.cell(r, 1).value:
        sid = ws.cell(r, 1).value
        g = s.gsm["sites"][sid]
        assert ws.cell(r, col["Guaranteed-service plan (days)"]).value == pytest.approx(
            g["safety_stock_days"]
        )
        assert ws.cell(r, col["Disruption-aware plan (days)"]).value == pytest.approx(
            s.placement["sites"][sid]["safety_stock_days"]
        )
        assert ws.cell(r, col["Safety stock now (days)"]).value == pytest.approx(
            s.current_buffer_days[sid]
        )
        r += 1
    assert r - head - 1 == len(s.current_buffer_days)


def test_excel_scenarios_side_by_side_with_deltas(xlsx: Path, data: ReportData) -> None:
    ws = openpyxl.load_workbook(xlsx)["Scenarios"]
    col = _header_index(ws, 4)
    base, other = data.scenarios
    # backorders: the revenue is delivered late, and the row says so
    r = _find_row(ws, 1, "Expected revenue at risk (delivered late)", 5)
    a = base.simulation["network"]["lost_revenue"]["mean"]
    b = other.simulation["network"]["lost_revenue"]["mean"]
    assert ws.cell(r, col["baseline"]).value == pytest.approx(a, rel=1e-15)
    assert ws.cell(r, col["strike"]).value == pytest.approx(b, rel=1e-15)
    assert ws.cell(r, col["Change strike"]).value == pytest.approx(b - a, rel=1e-12, abs=1e-6)
    lo, hi = ws.cell(r, col["Change strike"] + 1).value, ws.cell(r, col["Change strike"] + 2).value
    assert lo <= b - a + 1e-6 and b - a - 1e-6 <= hi


def test_excel_inputs_are_copied(xlsx: Path, workbook: Path) -> None:
    ws = openpyxl.load_workbook(xlsx)["Inputs"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Sites", "Lanes", "Demand", "Disruptions", "Scenarios", "Settings"} <= texts
    assert set(INJECTED.values()) <= texts
    assert HYPERLINK in texts
    assert "Chip supplier B" in texts


def test_excel_inputs_from_the_network_when_the_file_changed(
    data: ReportData, workbook: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "changed.xlsx"
    moved.write_bytes(workbook.read_bytes() + b"\0")  # not the file that was read
    blocks, note = excel_mod.input_blocks(data, moved)
    assert "changed after it was read" in note
    assert [name for name, _rows in blocks][:2] == ["Sites", "Lanes"]
    _blocks, note = excel_mod.input_blocks(data, None)
    assert "no input workbook file" in note


# ----------------------------------------------------------------------------- safety


def test_text_from_the_workbook_never_becomes_a_formula(xlsx: Path) -> None:
    wb = openpyxl.load_workbook(xlsx, data_only=False)
    found: dict[str, int] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in (*INJECTED.values(), HYPERLINK):
                    assert c.data_type == "s", f"{ws.title}!{c.coordinate} became {c.data_type}"
                    found[c.value] = found.get(c.value, 0) + 1
    assert set(found) == {*INJECTED.values(), HYPERLINK}
    assert found["=1+1"] >= 5  # Sites, Risk, Safety stock, Scenarios, Inputs...
    # and no cell of the file holds a formula at all
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def _no_temp_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def _failing_save(*_args: Any, **_kwargs: Any) -> None:
    raise OSError("disk full")


@pytest.mark.parametrize("ext", [".xlsx", ".pdf", ".pptx"])
def test_interrupted_write_keeps_the_previous_report(
    ext: str, data: ReportData, workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / f"report{ext}"
    before = b"last week's report, still needed"
    target.write_bytes(before)

    def half_then_fail(path: Any, *args: Any, **kwargs: Any) -> None:
        Path(path).write_bytes(b"PK half a file")
        raise OSError("disk full")

    if ext == ".xlsx":
        monkeypatch.setattr(openpyxl.Workbook, "save", lambda self, path: half_then_fail(path))
    elif ext == ".pdf":
        calls = {"n": 0}
        real = pdf_mod.curve_risk_page

        def second_page_fails(*a: Any) -> Any:
            calls["n"] += 1
            if calls["n"] > 1:
                raise OSError("disk full")
            return real(*a)

        monkeypatch.setattr(pdf_mod, "curve_risk_page", second_page_fails)
    else:
        import pptx.presentation

        monkeypatch.setattr(
            pptx.presentation.Presentation, "save", lambda self, path: half_then_fail(path)
        )
    with pytest.raises(OSError, match="disk full"):
        write_report(data, target, workbook)
    assert target.read_bytes() == before
    _no_temp_files(tmp_path)


@pytest.mark.parametrize("ext", [".xlsx", ".pdf", ".pptx"])
def test_refuses_to_overwrite_the_input(ext: str, data: ReportData, tmp_path: Path) -> None:
    src = tmp_path / f"input{ext}"
    src.write_bytes(b"the planner's file")
    writer = {".xlsx": write_excel_report, ".pdf": write_pdf_report, ".pptx": write_pptx_report}
    with pytest.raises(JitriskError, match="refusing to overwrite the input workbook"):
        writer[ext](data, src, src)
    with pytest.raises(JitriskError, match="refusing to overwrite"):
        writer[ext](data, tmp_path / "." / f"input{ext}", src)
    assert src.read_bytes() == b"the planner's file"


def test_unwritable_targets_give_a_clear_message(data: ReportData, tmp_path: Path) -> None:
    with pytest.raises(JitriskError, match="does not exist"):
        write_report(data, tmp_path / "missing" / "r.xlsx")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(JitriskError, match="folder"):
        write_report(data, tmp_path / "dir.xlsx")
    with pytest.raises(JitriskError, match=r"\.xlsx, \.pdf or \.pptx"):
        report_format(tmp_path / "r.docx")


# ----------------------------------------------------------------------------- PDF


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_pdf_pages_and_numbers(data: ReportData, workbook: Path, tmp_path: Path) -> None:
    path = write_pdf_report(data, tmp_path / "brief.pdf", workbook)
    assert path.read_bytes().startswith(b"%PDF")
    n = pdf_mod.page_count(data)
    # the headline, the scenarios side by side, three pages a scenario, the network map
    assert n == 1 + 1 + 3 * len(data.scenarios) + 1
    assert _pdf_pages(path) == n
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    for i, s in enumerate(data.scenarios):
        page = pages[2 + 3 * i]
        assert f"Scenario {s.name}: key results" in page
        for k in tables.kpis(s.simulation):
            value, _ci = tables.kpi_text(k, s.currency)
            assert value.replace("EUR ", "") in page
        assert "recommended buffers" in pages[4 + 3 * i]
        # exposure ranked by money, as in the workbook: the largest first on the page
        top = figures.exposure_ranking(s.risk or {}, 1)
        assert top, "the report's risk analysis ranks the sites"
        assert top[0] in page
    assert "Scenarios side by side" in pages[1]  # right after the headline
    assert "The network" in pages[-2]


# ----------------------------------------------------------------------------- PowerPoint


def test_pptx_slides_tables_and_pictures(data: ReportData, workbook: Path, tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    path = write_pptx_report(data, tmp_path / "deck.pptx", workbook)
    prs = Presentation(str(path))
    slides = list(prs.slides)
    # the title, the scenarios side by side (two), five a scenario, the network map
    assert len(slides) == pptx_mod.slide_count(data) == 1 + 2 + 5 * 2 + 1

    def table_text(slide: Any) -> list[list[str]]:
        out = []
        for sh in slide.shapes:
            if sh.has_table:
                out += [[c.text for c in row.cells] for row in sh.table.rows]
        return out

    title = table_text(slides[0])
    assert [r[0] for r in title[1:]] == ["baseline", "strike"]
    for i, s in enumerate(data.scenarios):
        kpi = slides[3 + 5 * i]
        assert kpi.shapes.title.text == f"Scenario {s.name}: key results"
        rows = table_text(kpi)
        assert rows[0] == ["Key result", "Estimate", "95% CI"]
        for k, row in zip(tables.kpis(s.simulation), rows[1:], strict=True):
            value, ci = tables.kpi_text(k, s.currency)
            assert row == [k.label, value, ci or "–"]
        curve = slides[4 + 5 * i]  # a native chart, no picture (tests/test_report_pptx_charts.py)
        assert not [sh for sh in curve.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        titles = [sh.chart.chart_title.text_frame.text for sh in curve.shapes if sh.has_chart]
        assert titles and titles[0].startswith("JIT buffer curve")
        buffers = table_text(slides[7 + 5 * i])
        rec, _total = tables.recommended_rows(s, 9)
        assert [r[0] for r in buffers[1:]] == [r["site_id"] for r in rec]
    cmp = table_text(slides[2])
    assert cmp[0][:3] == ["Key result", "baseline", "strike"]


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_with_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The main parser with the ``report`` command (as ``_register_extra`` will add it)."""
    original = main_cli._register_extra

    def extra(sub: Any) -> None:
        original(sub)
        if "report" not in sub.choices:
            report_cli.register(sub)

    monkeypatch.setattr(main_cli, "_register_extra", extra)


@pytest.mark.usefixtures("cli_with_report")
def test_cli_report(workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "brief.pdf"
    argv = ["report", str(workbook), "--out", str(out), "--trials", "20", "--days", "30"]
    assert main_cli.main([*argv, "--seed", "1", "--scenario", "strike", "--quiet"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert _pdf_pages(out) == 1 + 3 + 1  # one scenario: no comparison page; the map last
    assert main_cli.main([*argv[:3], str(workbook), "--quiet"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert main_cli.main([*argv[:3], str(tmp_path / "r.txt"), "--quiet"]) == 2
    assert ".xlsx, .pdf or .pptx" in capsys.readouterr().err
    assert main_cli.main([*argv[:3], str(tmp_path / "no" / "r.xlsx"), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main_cli.main([*argv, "--budget", "-5"])


@pytest.mark.usefixtures("cli_with_report")
def test_cli_report_takes_cheaper_risk_and_curve_settings(
    workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "quick.xlsx"
    argv = ["report", str(workbook), "--out", str(out), "--trials", "30", "--days", "20"]
    assert main_cli.main([*argv, "--risk-trials", "7", "--curve-trials", "12", "--quiet"]) == 0
    ws = openpyxl.load_workbook(out)["Summary"]
    said = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert said["Risk (TTS/TTR): trials per site"] == 7
    assert said["Buffer curve: trials per level"] == 12
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main_cli.main([*argv, "--risk-trials", "0"])
    assert "--risk-trials" in capsys.readouterr().err


@pytest.mark.usefixtures("cli_with_report")
def test_cli_report_progress_bar(
    workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.xlsx"
    argv = ["report", str(workbook), "--out", str(out), "--trials", "10", "--days", "20"]
    assert main_cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "report [" in err and "100.0%" in err
    assert out.stat().st_size > 0


def test_simulate_report_reuses_the_result(workbook: Path, tmp_path: Path) -> None:
    from jitrisk.engine import simulate

    net = jitrisk.load_network(workbook)
    result = simulate(net, "strike", trials=20, days=30, seed=5)
    args = argparse.Namespace(report=str(tmp_path / "r.xlsx"), workbook=str(workbook), workers=1)
    report_cli.write_simulation_report(args, net, result, quiet=True)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Summary"]
    col = _header_index(ws, 4)
    row = _find_row(ws, 1, "strike", 5)
    doc = result.to_dict()["network"]
    assert ws.cell(row, col["Expected lost revenue"]).value == pytest.approx(
        doc["lost_revenue"]["mean"], rel=1e-15
    )
    assert ws.cell(row, col["Trials"]).value == 20
    with pytest.raises(JitriskError, match="refusing"):
        report_cli.check_report_target(str(workbook), str(workbook))


# ----------------------------------------------------------------------------- LibreOffice


def test_libreoffice_opens_the_excel_report(xlsx: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0, done.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), done.stdout + done.stderr


def test_write_report_returns_the_path(data: ReportData, tmp_path: Path) -> None:
    path = write_report(data, tmp_path / "r.xlsx")
    assert path == tmp_path / "r.xlsx"
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    buf = io.BytesIO(path.read_bytes())
    assert openpyxl.load_workbook(buf).sheetnames[0] == "Summary"


def test_a_report_from_runs_already_made_carries_the_chosen_sections(
    workbook: Path, tmp_path: Path
) -> None:
    from jitrisk.engine import simulate
    from jitrisk.report.build import SECTIONS, collect_from_results

    net = jitrisk.load_network(workbook)
    runs = [simulate(net, name, trials=20, days=30, seed=SEED) for name in ("baseline", "strike")]
    seen: list[float] = []
    data = collect_from_results(net, runs, seen.append, sections=frozenset({"risk"}))
    assert data.provenance.scenarios == ("baseline", "strike")
    for s, run in zip(data.scenarios, runs, strict=True):
        assert list(s.lost_revenue) == list(run.network_lost_revenue())  # used as they are
        assert s.risk is not None and s.curve is None and s.gsm is None
        assert "left out" in s.curve_reason
    assert seen and seen[-1].fraction == pytest.approx(1.0)
    out = write_report(data, tmp_path / "two.xlsx", workbook)
    book = openpyxl.load_workbook(out, read_only=True)
    rows = book["Summary"].iter_rows(min_row=5, max_row=6, values_only=True)
    names = [r[0] for r in rows]
    book.close()  # read-only workbooks hold the file open until closed
    assert names == ["baseline", "strike"]
    every = collect_from_results(net, runs[:1], sections=SECTIONS).scenarios[0]
    assert every.curve is not None and every.gsm is not None
    other = simulate(net, "strike", trials=20, days=30, seed=SEED + 1)
    for bad, message in (
        ([runs[0], other], "share trials, days and seed"),
        ([runs[0], runs[0]], "one simulation per scenario"),
        ([], "at least one"),
    ):
        with pytest.raises(JitriskError, match=message):
            collect_from_results(net, bad)
    with pytest.raises(JitriskError, match="unknown report sections"):
        collect_from_results(net, runs[:1], sections=frozenset({"charts"}))


def test_exposure_is_ranked_by_money() -> None:
    risk = {
        "sites": {
            "SMALL": {"performance_impact": {"mean": 1e3, "ci95": [0, 2e3]}},
            "BIG": {"performance_impact": {"mean": 5e6, "ci95": [4e6, 6e6]}},
            "MID": {"performance_impact": {"mean": 2e5, "ci95": [1e5, 3e5]}},
        }
    }
    assert figures.exposure_ranking(risk, 2) == ["BIG", "MID"]
    assert figures.exposure_ranking({}, 3) == []


@pytest.mark.parametrize(
    ("unmet", "label"),
    [("backorder", "Expected revenue at risk (delivered late)"), ("lost", "Expected lost revenue")],
)
def test_revenue_is_named_for_what_it_is(data: ReportData, unmet: str, label: str) -> None:
    sim = dict(data.scenarios[0].simulation, unmet_demand=unmet)
    k = {x.key: x.label for x in tables.kpis(sim)}
    assert k["lost_revenue"] == label
    assert k["cvar95"].startswith("Revenue at risk" if unmet == "backorder" else "Lost revenue")
