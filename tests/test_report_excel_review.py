"""The Excel report after review: each property read back from the written workbook.

A Summary chart below the key results, colour scales symmetric about no change,
rows tall enough for wrapped text, named fonts, thousands and millions on money
axes, the knee and today's buffer on the buffer curve, frozen table headers,
no negative estimate of a quantity that cannot be negative, and "1 day".

One small network (valid_rows, two scenarios) is analysed once per module with
few trials, as in test_report.py.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import math
import re
from typing import Any

import openpyxl
import pytest

import jitrisk
from builders import valid_rows, write_workbook
from jitrisk.report import ReportData, collect
from jitrisk.report import excel as excel_mod
from jitrisk.report.excel import build_workbook, write_excel_report
from jitrisk.report.xlsx_charts import money_axis_format

TRIALS, DAYS, SEED = 40, 60, 3
#: Points per line of 11-point text, and EMU per point (charts are sized in EMU).
LINE_PT, EMU_PER_PT = 15.0, 12700
ONE_DAYS = re.compile(r"(?<![\d.])1(\.0+)? days\b")
LONG_ADVICE = "add about 1 days of cover of SUP-C's supply at " + ", ".join(
    f"CUSTOMER-{i:02d}" for i in range(40)
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    path = write_workbook(tmp_path_factory.mktemp("in") / "network.xlsx", valid_rows())
    return collect(
        jitrisk.load_network(path), "all", trials=TRIALS, seed=SEED, days=DAYS, risk_trials=20
    )


@pytest.fixture(scope="module")
def xlsx(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("out") / "report.xlsx"
    mp = pytest.MonkeyPatch()
    mp.setattr(excel_mod, "MAP_DPI", 40)  # low-resolution maps keep the test quick
    try:
        write_excel_report(data, path, None)
    finally:
        mp.undo()
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def edited(data: ReportData) -> Any:
    """The workbook of ``data`` with a first scenario whose risk report has an impact
    estimated below 0, one whose CI reaches below 0, and a long advice saying "1 days"
    (as :mod:`jitrisk.analysis.risk` writes it)."""
    s = data.scenarios[0]
    risk = copy.deepcopy(s.risk)
    assert risk is not None
    first, second = list(risk["sites"])[:2]
    risk["sites"][first]["performance_impact"] = {
        "mean": -120.0,
        "ci95": [-900.0, 660.0],
        "se": 400.0,
    }
    risk["sites"][first]["risk_exposure_index"] = -0.001
    risk["sites"][second]["performance_impact"]["ci95"][0] = -50.0
    risk["sites"][second]["advice"] = LONG_ADVICE
    scen = dataclasses.replace(s, risk=risk)
    mp = pytest.MonkeyPatch()
    mp.setattr(excel_mod, "MAP_DPI", 40)
    try:
        wb = build_workbook(dataclasses.replace(data, scenarios=(scen, *data.scenarios[1:])))
    finally:
        mp.undo()
    buf = io.BytesIO()
    wb.save(buf)
    return openpyxl.load_workbook(io.BytesIO(buf.getvalue()))


def _find_row(ws: Any, col: int, value: str, start: int = 1) -> int:
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise AssertionError(f"{value!r} not found in column {col} of {ws.title}")


def _header_index(ws: Any, row: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in ws[row]:
        if isinstance(c.value, str):
            out.setdefault(c.value, c.column)  # the first table of the row
    return out


def _cells(wb: Any, ref: str) -> list[Any]:
    """The cells of a chart reference such as ``'Buffer curves'!$M$8:$M$9``."""
    sheet, _, rng = ref.rpartition("!")
    ws = wb[sheet.strip("'").replace("''", "'")]
    got = ws[rng.replace("$", "")]
    if not isinstance(got, tuple):
        return [got]
    return [c for row in got for c in (row if isinstance(row, tuple) else (row,))]


def _series_name(wb: Any, s: Any) -> str:
    if s.tx.strRef is not None:
        return str(_cells(wb, s.tx.strRef.f)[0].value)
    return str(s.tx.v)


def _chart_rows(ch: Any) -> tuple[int, int]:
    """First and last sheet row (1-based) a chart covers, on rows of the default height."""
    top = ch.anchor._from.row + 1
    height_pt = ch.anchor.ext.height / EMU_PER_PT
    return top, top + math.ceil(height_pt / LINE_PT)


def _money_suffix(values: list[float]) -> str:
    top = max(abs(v) for v in values)
    return '"bn"' if top >= 1e9 else '"M"' if top >= 1e6 else '"k"' if top >= 1e3 else ""


# ----------------------------------------------------------------------------- 1 Summary chart


def test_summary_chart_ranks_sites_by_money_below_the_key_results(
    xlsx: Any, data: ReportData
) -> None:
    ws = xlsx["Summary"]
    # the key results stay where other tools read them
    assert ws["A4"].value == "Scenario"
    last = 4 + len(data.scenarios)
    assert [ws.cell(r, 1).value for r in range(5, last + 1)] == [s.name for s in data.scenarios]
    (ch,) = ws._charts
    top, bottom = _chart_rows(ch)
    assert top > last
    for r in range(top, bottom + 1):  # nothing under the chart
        assert all(c.value is None for c in ws[r]), f"row {r} is under the chart"
    # its numbers: a table under it, the sites ranked by money, one series per scenario
    head = _find_row(ws, 1, "Site", bottom + 1)
    cat = ch.series[0].cat
    cats = _cells(xlsx, (cat.numRef or cat.strRef).f)
    assert cats[0].row == head + 1
    sites = [c.value for c in cats]
    assert [_series_name(xlsx, s) for s in ch.series] == [s.name for s in data.scenarios]
    values = [[c.value for c in _cells(xlsx, s.val.numRef.f)] for s in ch.series]
    best = [max(v) for v in zip(*values, strict=True)]
    assert best == sorted(best, reverse=True) and best[0] > 0
    for s, series_values in zip(data.scenarios, values, strict=True):
        for sid, v in zip(sites, series_values, strict=True):
            expected = s.risk["sites"][sid]["performance_impact"]["mean"]
            assert v == pytest.approx(max(0.0, expected))
    assert _money_suffix([v for vs in values for v in vs]) in ch.y_axis.numFmt.formatCode


# ----------------------------------------------------------------------------- 2 diverging


def test_diverging_colour_scales_are_symmetric_about_no_change(xlsx: Any) -> None:
    seen = 0
    for ws in xlsx.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                scale = rule.colorScale
                if scale is None or len(scale.cfvo) != 3:
                    continue
                seen += 1
                lo, mid, hi = scale.cfvo
                assert (lo.type, mid.type, hi.type) == ("num", "num", "num")
                assert float(mid.val) == 0
                assert scale.color[1].rgb.endswith("FFFFFF")  # no change is white
                values = [
                    c.value
                    for rng in cf.sqref.ranges
                    for row in ws[rng.coord]
                    for c in row
                    if isinstance(c.value, int | float)
                ]
                m = max((abs(v) for v in values), default=0.0)
                assert float(hi.val) == pytest.approx(m or 1.0)
                assert float(lo.val) == pytest.approx(-float(hi.val))
    assert seen  # the Scenarios sheet's changes of each site


# ----------------------------------------------------------------------------- 3 row heights


def _width(ws: Any, first: int, last: int) -> float:
    letter = openpyxl.utils.get_column_letter
    dims = ws.column_dimensions
    return sum(
        (dims[letter(j)].width if letter(j) in dims else 8.43) or 8.43
        for j in range(first, last + 1)
    )


def _span(ws: Any, cell: Any) -> tuple[int, int]:
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            return rng.min_col, rng.max_col
    return cell.column, cell.column


def test_wrapped_takeaway_and_advice_rows_are_tall_enough(
    xlsx: Any, edited: Any, data: ReportData
) -> None:
    ws = xlsx["Summary"]
    sentences = {t for s in data.scenarios for t in s.takeaway}
    assert sentences
    several = 0
    for row in ws.iter_rows():
        for c in row:
            if c.value in sentences:
                assert c.alignment.wrap_text
                width = _width(ws, *_span(ws, c))
                # at most ~1.2 characters of text per unit of column width
                lines = math.ceil(len(c.value) / (1.2 * width))
                several += lines > 1
                assert (ws.row_dimensions[c.row].height or LINE_PT) >= lines * LINE_PT
    assert several  # the sentences are longer than a line
    ws = edited["Risk"]
    advice = _header_index(ws, _find_row(ws, 1, "Site or region"))["Advice"]
    c = ws.cell(_find_row(ws, advice, LONG_ADVICE.replace("1 days", "1 day")), advice)
    assert c.alignment.wrap_text
    lines = math.ceil(len(c.value) / (1.2 * _width(ws, advice, advice)))
    assert lines >= 4 and ws.row_dimensions[c.row].height >= lines * LINE_PT


# ----------------------------------------------------------------------------- 4 fonts


def test_every_cell_names_its_font(xlsx: Any) -> None:
    styled = 0
    for ws in xlsx.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                assert c.font.name == "Calibri", f"{ws.title}!{c.coordinate}"
                styled += bool(c.font.b or c.font.i)
    assert styled > 20  # titles, headers, notes


# ----------------------------------------------------------------------------- 5 axis formats


def test_money_axes_in_thousands_or_millions_and_probabilities_in_percent(xlsx: Any) -> None:
    pct, money = xlsx["Scenarios"]._charts
    assert pct.y_axis.numFmt.formatCode == "0%"
    values = [c.value for s in money.series for c in _cells(xlsx, s.val.numRef.f)]
    suffix = _money_suffix(values)
    assert suffix and suffix in money.y_axis.numFmt.formatCode
    for ch in xlsx["Buffer curves"]._charts:
        assert ch.y_axis.numFmt.formatCode == "0%"


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (950.0, "#,##0"),
        (4_200.0, '#,##0.0,"k"'),
        (420_000.0, '#,##0,"k"'),
        (1_500_000.0, '#,##0.0,,"M"'),
        (-75_000_000.0, '#,##0,,"M"'),
        (1.8e9, '#,##0.0,,,"bn"'),
    ],
)
def test_money_axis_format_follows_the_magnitude(top: float, expected: str) -> None:
    assert money_axis_format([0.0, None, "x", top / 3, top]) == expected


# ----------------------------------------------------------------------------- 6 knee and today


def test_buffer_curve_marks_the_knee_and_today(xlsx: Any, data: ReportData) -> None:
    charts = xlsx["Buffer curves"]._charts
    assert len(charts) == len(data.scenarios)
    for ch, s in zip(charts, data.scenarios, strict=True):
        curve = s.curve
        by_name = {_series_name(xlsx, x): x for x in ch.series}
        levels = {lv["buffer_days"]: lv for lv in curve["levels"]}
        for name, key, symbol in (
            ("Knee", "knee_buffer_days", "diamond"),
            ("Today", "current_buffer_days", "triangle"),
        ):
            series = by_name[name]
            (x,) = _cells(xlsx, series.xVal.numRef.f)
            (y,) = _cells(xlsx, series.yVal.numRef.f)
            assert x.value == pytest.approx(curve[key])  # the figure's value, not recomputed
            level = levels[min(levels, key=lambda d: abs(d - curve[key]))]
            assert y.value == pytest.approx(level["stockout_day_probability"]["mean"])
            assert series.marker.symbol == symbol
            assert series.graphicalProperties.line.noFill


# ----------------------------------------------------------------------------- 7 frozen headers


@pytest.mark.parametrize(
    ("sheet", "first_header"),
    [
        ("Buffer curves", "Safety stock (days)"),
        ("Risk", "Site or region"),
        ("Safety stock", "Site"),
    ],
)
def test_table_sheets_freeze_their_first_header_and_no_chart(
    xlsx: Any, sheet: str, first_header: str
) -> None:
    ws = xlsx[sheet]
    head = _find_row(ws, 1, first_header)
    assert ws.freeze_panes == f"A{head + 1}"
    # a frozen chart would fill the window and leave no room to scroll the table
    assert all(_chart_rows(ch)[0] > head for ch in ws._charts)


def test_summary_and_sites_keep_their_frozen_header(xlsx: Any) -> None:
    assert xlsx["Summary"].freeze_panes == "B5"
    assert xlsx["Sites"].freeze_panes == "C2"


# ----------------------------------------------------------------------------- 8 non-negative


def test_no_negative_estimate_of_what_cannot_be_negative(edited: Any) -> None:
    ws = edited["Risk"]
    head = _find_row(ws, 1, "Site or region")
    col = _header_index(ws, head)
    keys = (
        "Performance impact (lost revenue)",
        "PI: CI low",
        "PI: CI high",
        "Risk exposure index",
    )
    r = head + 1
    while ws.cell(r, 1).value:
        for k in keys:
            assert ws.cell(r, col[k]).value >= 0, (ws.cell(r, 1).value, k)
        r += 1
    facts = " ".join(str(ws.cell(rr, 1).value) for rr in range(1, head))
    assert "0 is shown" in facts
    # every CI low end of the workbook but the Scenarios sheet's changes
    for sheet in edited.worksheets:
        if sheet.title in ("Scenarios", "Inputs"):
            continue
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.endswith("CI low"):
                    r = c.row + 1
                    while sheet.cell(r, 1).value is not None:  # down to the table's end
                        v = sheet.cell(r, c.column).value
                        assert v is None or v >= 0, f"{sheet.title}!{c.column}{r}"
                        r += 1


# ----------------------------------------------------------------------------- 9 days


def test_one_day_is_never_one_days(xlsx: Any, edited: Any, data: ReportData) -> None:
    for wb in (xlsx, edited):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert not ONE_DAYS.search(c.value), f"{ws.title}!{c.coordinate}"
    assert data.scenarios[0].curve["current_buffer_days"] == 1  # the case that read "1.0 days"
    texts = [str(c.value) for row in xlsx["Buffer curves"].iter_rows() for c in row]
    assert any(t.startswith("Current buffer: 1 day;") for t in texts)
    advice = [str(c.value) for row in edited["Risk"].iter_rows() for c in row]
    assert any(t.startswith("add about 1 day of cover") for t in advice)


def test_decision_table_reconciles_removal_and_the_survival_gap(
    xlsx: Any, data: ReportData
) -> None:
    """Per site of the decision: the revenue at risk its days removed (the recommendation's
    own numbers) beside the TTS/TTR gap of the risk analysis."""
    ws = xlsx["Safety stock"]
    head = next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 1).value == "Site" and ws.cell(r, 3).value == "Recommended (days)"
    )
    cols = {ws.cell(head, c).value: c for c in range(1, ws.max_column + 1)}
    s = data.scenarios[0]
    sites = s.recommendation["recommended"]["sites"]
    risk = s.risk["sites"]
    seen = 0
    for r in range(head + 1, ws.max_row + 1):
        sid = ws.cell(r, 1).value
        if sid not in sites:
            break
        removed = ws.cell(r, cols["Revenue at risk removed a year (search)"]).value
        assert removed == pytest.approx(sites[sid]["removes_per_year"])
        gap = ws.cell(r, cols["TTS/TTR gap (days)"]).value
        assert gap == (risk[sid]["gap_days"] if sid in risk else None)
        seen += 1
    assert seen > 0
