"""The deck's charts are native PowerPoint charts of the report's own numbers.

One small network (seven sites, two scenarios, a placement budget) is analysed
once per module with few trials; its deck is written once and opened again
with python-pptx. Each chart slide must carry chart objects (no pictures) whose
series hold exactly the numbers of the report data the figures draw, with axis
titles naming their units and number formats in percent or thousands/millions.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

import jitrisk
from builders import valid_rows, write_workbook
from jitrisk.report import ReportData, collect, tables
from jitrisk.report import pptx as pptx_mod
from jitrisk.report import pptx_charts as charts
from jitrisk.report import pptx_ranked as ranked
from jitrisk.report.pptx import write_pptx_report

TRIALS, DAYS, SEED = 40, 60, 3
#: Slides of a scenario after the title slide, in order.
SCENARIO_SLIDES = ("kpi", "curve", "top", "risk", "buffers")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("in") / "network.xlsx", valid_rows())


@pytest.fixture(scope="module")
def data(workbook: Path) -> ReportData:
    net = jitrisk.load_network(workbook)
    return collect(net, "all", trials=TRIALS, seed=SEED, days=DAYS, budget=5000.0, risk_trials=20)


@pytest.fixture(scope="module")
def deck(data: ReportData, workbook: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = write_pptx_report(data, tmp_path_factory.mktemp("out") / "deck.pptx", workbook)
    return Presentation(str(path))


def _slide(deck: Any, i: int, kind: str) -> Any:
    """Slide ``kind`` of scenario ``i``."""
    slides = list(deck.slides)
    # the scenarios' slides follow the title and, with several scenarios, the comparison
    first = next(j for j, sl in enumerate(slides) if sl.shapes.title.text.endswith("key results"))
    return slides[first + len(SCENARIO_SLIDES) * i + SCENARIO_SLIDES.index(kind)]


def _charts(slide: Any) -> dict[str, Any]:
    """Title -> chart of every chart on the slide."""
    return {sh.chart.chart_title.text_frame.text: sh.chart for sh in slide.shapes if sh.has_chart}


def _chart(slide: Any, title_start: str) -> Any:
    (chart,) = [c for t, c in _charts(slide).items() if t.startswith(title_start)]
    return chart


def _series(chart: Any) -> dict[str, Any]:
    return {s.name: s for plot in chart.plots for s in plot.series}


def _xy(series: Any) -> tuple[list[float], list[float]]:
    """x and y values of a scatter series (python-pptx reads only the y values)."""
    ser = series._element
    xs = [float(v.text) for v in ser.xpath("./c:xVal//c:v")]
    return xs, list(series.values)


def _title(axis: Any) -> str:
    assert axis.has_title
    return str(axis.axis_title.text_frame.text)


def _value_axes(chart: Any) -> list[Any]:
    """Every value axis element of the chart (a secondary axis included)."""
    return chart._chartSpace.plotArea.findall(qn("c:valAx"))


def _ax_title(ax: Any) -> str:
    return "".join(t.text or "" for t in ax.iter(qn("a:t")))


def _ax_format(ax: Any) -> str:
    return str(ax.find(qn("c:numFmt")).get("formatCode"))


def _whiskers(series: Any) -> tuple[list[float], list[float]]:
    """The custom 95% CI whiskers of a series: (minus, plus)."""
    (bars,) = series._element.findall(qn("c:errBars"))
    minus, plus = (
        [float(v.text) for v in bars.find(qn(f"c:{side}")).iter(qn("c:v"))]
        for side in ("minus", "plus")
    )
    return minus, plus


# ----------------------------------------------------------------------------- the deck


def test_every_chart_slide_carries_native_charts_and_no_picture(
    deck: Any, data: ReportData
) -> None:
    slides = list(deck.slides)
    assert len(slides) == pptx_mod.slide_count(data)
    expected = {"kpi": 1, "curve": 2, "top": 1, "risk": 1, "buffers": 1}
    for i, _s in enumerate(data.scenarios):
        for kind, n in expected.items():
            slide = _slide(deck, i, kind)
            assert len(_charts(slide)) == n, (kind, list(_charts(slide)))
    assert len(_charts(slides[1])) == 2  # the scenarios side by side, after the headline
    for slide in slides[:-1]:
        assert not [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    # the network map is a drawing, not a chart of numbers: the one picture, last
    assert slides[-1].shapes.title.text == "The network"
    assert [sh.shape_type for sh in slides[-1].shapes].count(MSO_SHAPE_TYPE.PICTURE) == 1
    for slide in slides:
        for chart in _charts(slide).values():  # the numbers travel with the chart
            assert chart.part.chart_workbook.xlsx_part is not None


def test_the_buffer_curve_series_are_the_curve(deck: Any, data: ReportData) -> None:
    for i, s in enumerate(data.scenarios):
        assert s.curve is not None
        chart = _chart(_slide(deck, i, "curve"), "JIT buffer curve")
        series = _series(chart)
        levels = s.curve["levels"]
        x = [lv["buffer_days"] for lv in levels]
        for name, key, part in (
            ("Stockout-day probability", "stockout_day_probability", "mean"),
            ("95% CI of stockout", "stockout_day_probability", 0),
            ("95% CI of stockout (upper)", "stockout_day_probability", 1),
            ("Fill rate", "fill_rate", "mean"),
            ("95% CI of fill rate", "fill_rate", 0),
            ("95% CI of fill rate (upper)", "fill_rate", 1),
        ):
            xs, ys = _xy(series[name])
            want = [lv[key]["mean"] if part == "mean" else lv[key]["ci95"][part] for lv in levels]
            assert xs == pytest.approx(x) and ys == pytest.approx(want)
        # fill rate on a second value axis at the right, the probability on the left
        _first, second = chart.plots
        assert {ser.name for ser in second.series} == {
            "Fill rate", "95% CI of fill rate", "95% CI of fill rate (upper)"
        }  # fmt: skip
        x_ax, y_ax, _x2, y2 = _value_axes(chart)
        assert y2.find(qn("c:axPos")).get("val") == "r"
        assert "days" in _ax_title(x_ax)
        assert "%" in _ax_title(y_ax) and "%" in _ax_title(y2)
        assert _ax_format(y_ax).endswith("%") and _ax_format(y2).endswith("%")
        # the knee and today's buffer as vertical lines
        knee, current = s.curve["knee_buffer_days"], s.curve["current_buffer_days"]
        for label, value in (("Knee", knee), ("Current", current)):
            (name,) = [n for n in series if n.startswith(f"{label}: ")]
            xs, ys = _xy(series[name])
            assert xs == pytest.approx([value, value]) and ys[0] == 0.0 and ys[1] > 0
        assert chart.has_legend


def test_the_frontier_is_the_recommendation(deck: Any, data: ReportData) -> None:
    for i, s in enumerate(data.scenarios):
        rec = s.recommendation
        assert rec is not None and rec["frontier"]
        chart = _chart(_slide(deck, i, "curve"), "What more safety stock buys")
        series = _series(chart)
        xs, ys = _xy(series["Confirmed, 95% CI"])
        assert xs == pytest.approx([p["inventory_value"] for p in rec["frontier"]])
        assert ys == pytest.approx([p["revenue_at_risk"]["mean"] for p in rec["frontier"]])
        minus, plus = _whiskers(series["Confirmed, 95% CI"])
        lo = [p["revenue_at_risk"]["ci95"][0] for p in rec["frontier"]]
        assert [y - m for y, m in zip(ys, minus, strict=True)] == pytest.approx(lo)
        assert len(plus) == len(ys)
        points = {
            "Now": rec["points"]["current"],
            "Recommended": rec["recommended"],
            "Guaranteed-service plan": rec["points"]["gsm"],
        }
        for name, p in points.items():
            assert _xy(series[name]) == (
                [pytest.approx(p["inventory_value"])],
                [pytest.approx(p["revenue_at_risk"]["mean"])],
            )
        x_ax, y_ax = _value_axes(chart)
        assert _ax_title(x_ax) == f"Safety stock held, inventory value ({s.currency})"
        assert _ax_title(y_ax) == f"Revenue at risk a year ({s.currency})"
        for ax in (x_ax, y_ax):  # thousands or millions, never raw amounts
            assert _ax_format(ax) in {'#,##0,"k"', '#,##0.0,"k"', '#,##0.0,,"M"', '#,##0,,"M"'}


def test_the_exposures_are_ranked_by_money(deck: Any, data: ReportData) -> None:
    from jitrisk.report.figures import exposure_ranking
    from jitrisk.report.pptx_ranked import EXPOSED, SURVIVES

    for i, s in enumerate(data.scenarios):
        sites = (s.risk or {})["sites"]
        chart = _chart(_slide(deck, i, "top"), "The ")
        ranked = exposure_ranking(s.risk or {}, 12)
        labels = list(chart.plots[0].categories)
        assert [label.split(" · ")[0] for label in labels] == ranked
        impacts = [sites[sid]["performance_impact"]["mean"] for sid in ranked]
        assert impacts == sorted(impacts, reverse=True)
        for j, sid in enumerate(ranked):  # one series holds each site's bar
            (value,) = [v for ser in chart.plots[0].series if (v := ser.values[j]) is not None]
            assert value == pytest.approx(max(impacts[j], 0.0))
            (ser,) = [ser for ser in chart.plots[0].series if ser.values[j] is not None]
            assert ser.name == (EXPOSED if sites[sid]["exposed"] else SURVIVES)
        assert chart.category_axis.reverse_order  # the largest at the top
        assert f"({s.currency})" in _title(chart.value_axis)


def test_time_to_survive_points_are_the_risk_report(deck: Any, data: ReportData) -> None:
    for i, s in enumerate(data.scenarios):
        risk = s.risk or {}
        chart = _chart(_slide(deck, i, "risk"), "Time to survive vs time to recover")
        shown = sorted(
            (x, y)
            for name, ser in _series(chart).items()
            if not name.startswith("TTS = TTR")
            for x, y in zip(*_xy(ser), strict=True)
        )
        want = sorted(
            (r["ttr_days"], r["tts_days"]["mean"])
            for kind in ("sites", "regions")
            for r in risk[kind].values()
        )
        assert [x for x, _y in shown] == pytest.approx([x for x, _y in want])
        assert [y for _x, y in shown] == pytest.approx([y for _x, y in want])
        x_ax, y_ax = _value_axes(chart)
        assert "(days)" in _ax_title(x_ax) and "(days)" in _ax_title(y_ax)


def test_the_recommended_buffers_chart_draws_the_table(deck: Any, data: ReportData) -> None:
    for i, s in enumerate(data.scenarios):
        slide = _slide(deck, i, "buffers")
        (table,) = [sh.table for sh in slide.shapes if sh.has_table]
        sites = [row.cells[0].text for row in list(table.rows)[1:]]
        chart = _chart(slide, "Safety stock now and as planned")
        assert list(chart.plots[0].categories) == sites
        rows, _total = tables.recommended_rows(s, len(sites))
        decided = (s.recommendation or {})["recommended"]["sites"]
        series = _series(chart)
        assert list(series) == [
            "Now", "Recommended", "Guaranteed-service plan", "Disruption-aware plan"
        ]  # fmt: skip
        for name, want in (
            ("Now", [r["current_days"] for r in rows]),
            ("Recommended", [decided[r["site_id"]]["recommended_days"] for r in rows]),
            ("Guaranteed-service plan", [r["gsm_days"] for r in rows]),
            ("Disruption-aware plan", [r["aware_days"] for r in rows]),
        ):
            assert list(series[name].values) == pytest.approx(want), name
        assert _title(chart.value_axis) == "Safety stock (days of cover)"


def test_the_lost_revenue_chart_is_the_histogram(deck: Any, data: ReportData) -> None:
    for i, s in enumerate(data.scenarios):
        # backorders: the revenue is delivered late, so "at risk", not "lost"
        chart = _chart(_slide(deck, i, "kpi"), "Revenue at risk across trials")
        series = _series(chart)
        xs, ys = _xy(series["Trials"])
        bins = min(60, max(10, int(np.sqrt(s.lost_revenue.size))))
        counts, edges = np.histogram(s.lost_revenue, bins=bins)
        assert ys[1:-1:2] == list(counts) and sum(ys) == 2 * s.lost_revenue.size
        assert xs[0] == pytest.approx(edges[0]) and xs[-1] == pytest.approx(edges[-1])
        lr = s.simulation["network"]["lost_revenue"]
        for name, value in (
            ("Mean", float(np.mean(s.lost_revenue))),
            ("VaR95", lr["var95"]),
            ("CVaR95", lr["cvar95"]),
        ):
            (key,) = [k for k in series if k.startswith(f"{name}: ")]
            assert _xy(series[key])[0] == pytest.approx([value, value])
        x_ax, y_ax = _value_axes(chart)
        assert _ax_title(x_ax) == f"Revenue at risk over the horizon ({s.currency})"
        assert '"k"' in _ax_format(x_ax) or '"M"' in _ax_format(x_ax)
        assert _ax_title(y_ax) == "Trials (count)"


def test_the_scenarios_side_by_side(deck: Any, data: ReportData) -> None:
    slide = list(deck.slides)[1]  # right after the headline
    probs = _chart(slide, "Key results by scenario")
    money = _chart(slide, "Lost revenue")
    names = [s.name for s in data.scenarios]
    assert list(_series(probs)) == names == list(_series(money))
    for s in data.scenarios:
        net = s.simulation["network"]
        assert list(_series(probs)[s.name].values) == pytest.approx(
            [
                net["any_customer_stockout_probability"]["mean"],
                net["any_customer_stockout_day_probability"]["mean"],
                net["fill_rate"]["mean"],
            ]
        )
        lr = net["lost_revenue"]
        assert list(_series(money)[s.name].values) == pytest.approx(
            [lr["mean"], lr["var95"], lr["cvar95"]]
        )
        minus, plus = _whiskers(_series(money)[s.name])
        assert lr["mean"] - minus[0] == pytest.approx(min(lr["ci95"][0], lr["mean"]))
        assert plus[1:] == [0.0, 0.0]  # VaR and CVaR have no interval
    assert "%" in _title(probs.value_axis) and probs.value_axis.tick_labels.number_format == "0%"
    assert _title(money.value_axis) == f"Lost revenue ({data.currency})"


def test_chart_type_is_readable(deck: Any) -> None:
    """Every size set in a chart is at least 12 points; axes and legends are styled."""
    for slide in deck.slides:
        for chart in _charts(slide).values():
            sizes = [int(el.get("sz")) for el in chart._chartSpace.iter() if el.get("sz")]
            assert sizes and min(sizes) >= 1200
            assert chart.font.size.pt >= 12


# ----------------------------------------------------------------------------- the module


def _blank_slide() -> Any:
    prs = Presentation()
    return prs.slides.add_slide(prs.slide_layouts[6])


def test_workbook_text_stays_text_in_the_embedded_workbook() -> None:
    slide = _blank_slide()
    formula = '=HYPERLINK("http://example.invalid","click")'
    est = {"mean": 0.1, "ci95": [0.05, 0.15]}
    sites: Mapping[str, Any] = {
        "=1+1": {"type": "plant", "stockout_day_probability": est},
        "@x": {"type": "dc", "stockout_day_probability": est},
    }
    frame = ranked.top_risk_chart(slide, (0.5, 0.5, 8, 5), sites, names={"=1+1": formula})
    assert frame is not None
    blob = frame.chart.part.chart_workbook.xlsx_part.blob
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    cells = [c for row in wb.active.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert "@x" in values and any(str(v).startswith("=1+1 · =HYPERLINK(") for v in values)


def test_nothing_to_draw_is_said_in_words() -> None:
    slide = _blank_slide()
    box = (0.5, 0.5, 8, 5)
    assert charts.buffer_curve_chart(slide, box, {}) is None
    assert charts.tts_ttr_chart(slide, box, {}) is None
    assert charts.frontier_chart(slide, box, None) is None
    assert charts.buffer_plans_chart(slide, box, []) is None
    assert charts.lost_revenue_chart(slide, box, np.zeros(5), var95=0, cvar95=0) is None
    assert charts.scenario_comparison_charts(slide, box, {}) == []
    assert pptx_mod._chart(slide, None, box, "No buffer curve was computed.").has_text_frame
    assert not [sh for sh in slide.shapes if sh.has_chart]


@pytest.mark.parametrize(
    ("vmax", "fmt"),
    [(500.0, "#,##0"), (2_500.0, '#,##0.0,"k"'), (615_800.0, '#,##0,"k"'),
     (3.4e6, '#,##0.0,,"M"'), (6.6e7, '#,##0,,"M"'), (2e9, '#,##0.0,,,"bn"'),
     (math.nan, "#,##0")],
)  # fmt: skip
def test_money_axes_are_in_thousands_or_millions(vmax: float, fmt: str) -> None:
    assert charts.money_format(vmax) == fmt


def test_percent_axes_and_round_steps() -> None:
    assert charts.pct_format(0.6) == "0%" and charts.pct_format(0.02) == "0.0%"
    assert charts.nice_step(20, 10) == 2 and charts.nice_step(0.69, 6) == 0.2
    assert charts.nice_step(0.0) == 0.2  # nothing to span: a step all the same


def test_a_deck_slide_box_is_inches() -> None:
    slide = _blank_slide()
    frame = charts.buffer_plans_chart(
        slide, (1.0, 2.0, 4.0, 3.0), [{"site_id": "DC", "current_days": 2.0, "gsm_days": 1.0}]
    )
    assert (frame.left, frame.top, frame.width, frame.height) == (
        Inches(1.0), Inches(2.0), Inches(4.0), Inches(3.0)
    )  # fmt: skip
    assert [s.name for s in frame.chart.plots[0].series] == ["Now", "Guaranteed-service plan"]
