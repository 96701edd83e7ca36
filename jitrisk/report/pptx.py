"""The PowerPoint deck (python-pptx): numbers as editable text and tables, charts as
native PowerPoint charts (:mod:`jitrisk.report.pptx_charts`) of the same data the PDF's
and the desktop app's figures draw, with their numbers embedded, so a planner can
restyle them or read the data behind them in PowerPoint.

Slides (16:9): a title slide with the headline numbers, then per scenario its
key results, the JIT buffer curve beside what more safety stock buys (the
frontier), the sites most at risk, time to survive vs time to recover and the
recommended buffers; with several scenarios, two slides compare them.
"""

from __future__ import annotations

import dataclasses
import io
import os
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from ..model.graph import build_graph
from . import pages, style, tables
from . import pptx_charts as charts
from .build import ReportData, ScenarioReport
from .figures import exposure_ranking, network_map_figure
from .output import write_checked
from .pptx_ranked import exposure_chart, top_risk_chart

PathLike = str | os.PathLike[str]

SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
#: Resolution of pictures (dots per inch of the slide): drawings such as a network map;
#: charts of numbers are native charts (:mod:`jitrisk.report.pptx_charts`).
DPI = 200
#: Type on slides is this much larger than in the PDF brief (read from across a room).
ZOOM = 1.3
TEXT = RGBColor(0x1F, 0x23, 0x28)
MUTED = RGBColor(0x5B, 0x64, 0x70)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
HIGHLIGHT = RGBColor(0xFB, 0xE3, 0xD6)
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5


def write_pptx_report(data: ReportData, path: PathLike, input_path: PathLike | None) -> Path:
    """Write the deck of ``data`` to ``path``.

    Checks, atomic write and errors: :func:`jitrisk.report.output.write_checked`.
    """

    def make() -> Callable[[Path], object]:
        prs = build_presentation(data)
        return lambda tmp: prs.save(str(tmp))

    return write_checked(path, input_path, make)


def slide_count(data: ReportData) -> int:
    """Slides the deck of ``data`` has."""
    # the title, the scenarios side by side (two), five a scenario, the network map
    return 1 + (2 if len(data.scenarios) > 1 else 0) + 5 * len(data.scenarios) + 1


def build_presentation(data: ReportData) -> Any:
    """The deck as an in-memory :class:`pptx.presentation.Presentation`."""
    prs = Presentation()
    prs.slide_width = Inches(SLIDE_W)
    prs.slide_height = Inches(SLIDE_H)
    p = data.provenance
    prs.core_properties.title = style.clean_text(f"Disruption risk: {p.workbook}")
    prs.core_properties.author = "jitrisk"
    prs.core_properties.subject = style.clean_text(", ".join(p.scenarios))
    title_slide(prs, data)
    if len(data.scenarios) > 1:  # right after the headline: how the scenarios differ
        comparison_slides(prs, data)
    for s in data.scenarios:
        kpi_slide(prs, s)
        curve_slide(prs, s)
        top_slide(prs, s)
        risk_slide(prs, s)
        buffers_slide(prs, s)
    map_slide(prs, data.scenarios[0])
    return prs


# ----------------------------------------------------------------------------- helpers


def _slide(prs: Any, title: str, subtitle: str = "") -> Any:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    t = slide.shapes.title
    t.left, t.top = Inches(MARGIN), Inches(0.3)
    t.width, t.height = Inches(SLIDE_W - 2 * MARGIN), Inches(0.8)
    tf = t.text_frame
    tf.text = style.clean_text(title)
    para = tf.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    # one line: shrink long titles (bold Calibri is about 0.55 em per character)
    fit = (SLIDE_W - 2 * MARGIN) * 72 / (0.55 * max(len(title), 1))
    para.font.size = Pt(max(18, min(30, int(fit))))
    para.font.bold = True
    para.font.color.rgb = TEXT
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    if subtitle:
        _text(slide, subtitle, MARGIN, 1.05, SLIDE_W - 2 * MARGIN, 0.4, size=14, colour=MUTED)
    return slide


def _text(
    slide: Any,
    text: str,
    left: float,
    top: float,
    width: float,
    height: float,
    *,
    size: float = 14,
    colour: RGBColor = TEXT,
    bold: bool = False,
) -> Any:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(style.clean_text(text).split("\n")):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold
        para.font.color.rgb = colour
    return box


def _picture(
    slide: Any,
    make: Callable[[tuple[float, float]], Figure],
    left: float,
    top: float,
    width: float,
    height: float,
) -> Any:
    """A drawing that is no chart of numbers (a network map) as a picture: drawn for its
    place on the slide, :data:`ZOOM` times smaller and enlarged back, so its type is
    :data:`ZOOM` times larger than on paper; :data:`DPI` pixels per inch of the slide."""
    fig = make((width / ZOOM, height / ZOOM))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI * ZOOM, facecolor="white")
    buf.seek(0)
    return slide.shapes.add_picture(
        buf, Inches(left), Inches(top), width=Inches(width), height=Inches(height)
    )


def _chart(slide: Any, frame: Any, box: charts.Box, empty: str) -> Any:
    """A native chart's graphic frame, or, when it had nothing to draw (``frame`` None),
    ``empty`` in words where it would have been."""
    if frame is not None:
        return frame
    left, top, width, height = box
    return _text(slide, empty, left, top + height / 2 - 0.3, width, 0.6, size=16, colour=MUTED)


def _row_heights(
    table: pages.TextTable, width: float, size: float, row_height: float, header: bool
) -> list[float]:
    """Height (inches) of each row once its cells wrap (about 0.5 em per character)."""
    total = sum(table.widths)
    lines = ([table.headers] if header else []) + list(table.rows)
    out = []
    for row in lines:
        n = 1
        for j, text in enumerate(row):
            chars = max(4, int((width * table.widths[j] / total - 0.16) * 72 / (0.5 * size)))
            n = max(n, len(textwrap.wrap(str(text), chars)) or 1)
        out.append(max(row_height, n * size * 1.2 / 72 + 0.12))
    return out


def table_height(
    table: pages.TextTable,
    width: float,
    *,
    size: float = 14,
    row_height: float = 0.42,
    header: bool = True,
) -> float:
    """Inches the table of :func:`_table` takes on the slide."""
    return sum(_row_heights(table, width, size, row_height, header))


def _table(
    slide: Any,
    table: pages.TextTable,
    left: float,
    top: float,
    width: float,
    *,
    size: float = 14,
    row_height: float = 0.42,
    header: bool = True,
) -> Any:
    """An editable PowerPoint table of ``table`` (text only; the header row styled)."""
    heights = _row_heights(table, width, size, row_height, header)
    n_rows = len(heights)
    n_cols = len(table.headers)
    shape = slide.shapes.add_table(
        n_rows,
        n_cols,
        Inches(left),
        Inches(top),
        Inches(width),
        Inches(sum(heights)),
    )
    tbl = shape.table
    tbl.first_row = header
    total = sum(table.widths)
    for j, w in enumerate(table.widths):
        tbl.columns[j].width = Emu(int(Inches(width) * w / total))
    lines = ([table.headers] if header else []) + list(table.rows)
    align = {"l": PP_ALIGN.LEFT, "r": PP_ALIGN.RIGHT, "c": PP_ALIGN.CENTER}
    for i, row in enumerate(lines):
        tbl.rows[i].height = Inches(heights[i])
        for j, text in enumerate(row):
            cell = tbl.cell(i, j)
            cell.text = style.clean_text(text)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            for para in cell.text_frame.paragraphs:
                para.alignment = align[table.align[j]]
                para.font.size = Pt(size)
                if not (header and i == 0):
                    para.font.color.rgb = TEXT
            k = i - 1 if header else i
            if k in table.highlight:
                cell.fill.solid()
                cell.fill.fore_color.rgb = HIGHLIGHT
    return shape


def _what(s: ScenarioReport) -> str:
    """ "Revenue at risk" (backorders: delivered late) or "Lost revenue" (lost sales)."""
    words = tables.revenue_words(s.simulation.get("unmet_demand"))
    return "Lost revenue" if words == "lost revenue" else "Revenue at risk"


def _sub(s: ScenarioReport) -> str:
    sim = s.simulation
    return (
        f"{sim['trials']:,} trials x {sim['days']} days, seed {sim['seed']}; amounts in "
        f"{s.currency}; brackets are 95% confidence intervals"
    )


# ----------------------------------------------------------------------------- slides


def title_slide(prs: Any, data: ReportData) -> Any:
    p = data.provenance
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    title.left, title.top = Inches(MARGIN), Inches(0.5)
    title.width, title.height = Inches(SLIDE_W - 2 * MARGIN), Inches(1.3)
    title.text_frame.text = style.clean_text(f"Disruption risk: {p.workbook}")
    title.text_frame.paragraphs[0].font.size = Pt(40)
    title.text_frame.paragraphs[0].font.bold = True
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    subtitle.left, subtitle.top = Inches(MARGIN), Inches(1.8)
    subtitle.width, subtitle.height = Inches(SLIDE_W - 2 * MARGIN), Inches(0.9)
    subtitle.text_frame.text = style.clean_text(
        f"Scenarios: {', '.join(p.scenarios)}\nMade {p.created[:10]} with jitrisk "
        f"{p.jitrisk_version}"
    )
    for para in subtitle.text_frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
        para.font.size = Pt(18)
        para.font.color.rgb = MUTED
    overview = pages.overview_table(data)
    _table(slide, overview, MARGIN, 3.0, SLIDE_W - 2 * MARGIN, size=16, row_height=0.48)
    top = 3.0 + 0.48 * (len(overview.rows) + 1) + 0.2
    _text(
        slide,
        f"{overview.note} Workbook SHA-256 {p.workbook_sha256 or '–'}; {p.trials:,} trials x "
        f"{p.days} days (warm-up {p.warmup_days}), seed {p.seed}; unmet demand "
        f"{p.unmet_demand}.",
        MARGIN,
        min(top, SLIDE_H - 1.0),
        SLIDE_W - 2 * MARGIN,
        0.8,
        size=12,
        colour=MUTED,
    )
    decided = next((s for s in data.scenarios if s.takeaway), None)
    if decided is not None:  # the decision fills the slide's lower part
        lead = f"Scenario {decided.name}: " if len(data.scenarios) > 1 else ""
        box_top = min(top + 0.85, SLIDE_H - 2.2)
        _text(slide, "The decision", MARGIN, box_top, SLIDE_W - 2 * MARGIN, 0.4, size=18,
              bold=True)  # fmt: skip
        _text(slide, lead + " ".join(decided.takeaway), MARGIN, box_top + 0.45,
              SLIDE_W - 2 * MARGIN, SLIDE_H - box_top - 0.6, size=14)  # fmt: skip
    return slide


def kpi_slide(prs: Any, s: ScenarioReport) -> Any:
    slide = _slide(prs, f"Scenario {s.name}: key results", _sub(s))
    kpis = pages.kpi_table(s)
    table = pages.TextTable(kpis.headers, kpis.rows, (2.7, 1.5, 2.2), kpis.align, kpis.note)
    _table(slide, table, MARGIN, 1.7, 6.3, size=15, row_height=0.6)
    _text(slide, table.note, MARGIN, 1.7 + 0.6 * 7 + 0.15, 6.3, 0.8, size=12, colour=MUTED)
    lr = s.simulation["network"]["lost_revenue"]
    box = (7.0, 1.6, SLIDE_W - 7.0 - MARGIN, 5.5)
    frame = charts.lost_revenue_chart(
        slide, box, s.lost_revenue, var95=lr["var95"], cvar95=lr["cvar95"], currency=s.currency,
        what=_what(s),
    )  # fmt: skip
    _chart(slide, frame, box, "No revenue was lost in any trial.")
    return slide


def _chart_slide(
    prs: Any, title: str, draw: Callable[[Any, charts.Box], Any], caption: str, empty: str
) -> Any:
    """A slide of one full-width chart, ``draw(slide, box)``, with its caption below."""
    slide = _slide(prs, title)
    box = (MARGIN, 1.2, SLIDE_W - 2 * MARGIN, 5.3)
    _chart(slide, draw(slide, box), box, empty)
    _text(slide, caption, MARGIN, 6.55, SLIDE_W - 2 * MARGIN, 0.8, size=14)
    return slide


def curve_slide(prs: Any, s: ScenarioReport) -> Any:
    """The JIT buffer curve; with a recommendation, what more safety stock buys (the
    frontier) beside it."""
    draw = partial(charts.buffer_curve_chart, curve=s.curve or {})
    empty = "No buffer curve was computed."
    title = f"Scenario {s.name}: JIT buffer curve"
    if not (s.recommendation or {}).get("frontier"):
        return _chart_slide(prs, title, draw, pages.curve_caption(s), empty)
    slide = _slide(prs, f"{title} and frontier")
    gap, top, height = 0.3, 1.2, 5.25
    width = (SLIDE_W - 2 * MARGIN - gap) / 2
    left_box = (MARGIN, top, width, height)
    right_box = (MARGIN + width + gap, top, width, height)
    _chart(slide, draw(slide, left_box), left_box, empty)
    frame = charts.frontier_chart(slide, right_box, s.recommendation, currency=s.currency)
    _chart(slide, frame, right_box, "No frontier was computed.")
    for (left, *_rest), caption in (
        (left_box, pages.curve_caption(s)),
        (right_box, _frontier_caption(s.recommendation or {})),
    ):
        _text(slide, caption, left, top + height + 0.05, width, 0.95, size=12)
    return slide


def _frontier_caption(rec: dict[str, Any]) -> str:
    return (
        "Every stocking site; recommended: the last days of cover that remove at least their "
        "holding cost. Search path on common random numbers; points confirmed on "
        f"{rec.get('confirm_trials', '–')} fresh trials."
    )


def top_slide(prs: Any, s: ScenarioReport) -> Any:
    """The largest exposures in money (with a risk analysis), else the sites most at risk."""
    if s.risk and s.risk.get("sites"):
        return exposure_slide(prs, s)
    slide = _slide(prs, f"Scenario {s.name}: sites most at risk", _sub(s))
    box = (MARGIN, 1.6, 7.6, 5.7)
    frame = top_risk_chart(slide, box, s.simulation["sites"], 12, names=s.names)
    _chart(slide, frame, box, "No sites to show.")
    table = pages.top_table(s, 10)
    slim = pages.TextTable(
        ("Site", "P(stockout day)", "Fill rate"),
        tuple((r[0], r[2].split(" [")[0], r[3]) for r in table.rows),
        (2.2, 1.3, 1.1),
        ("l", "r", "r"),
    )
    _table(slide, slim, 8.3, 1.7, SLIDE_W - 8.3 - MARGIN, size=13, row_height=0.44)
    return slide


def exposure_slide(prs: Any, s: ScenarioReport) -> Any:
    """Sites ranked by the revenue an outage for their time to recover puts at risk,
    beside a table of the same sites: that amount, time to survive and to recover."""
    slide = _slide(prs, f"Scenario {s.name}: largest exposures, in money", _sub(s))
    box = (MARGIN, 1.6, 7.6, 5.7)
    frame = exposure_chart(slide, box, s.risk or {}, 12, currency=s.currency, names=s.names)
    _chart(slide, frame, box, "No risk analysis was run.")
    sites = (s.risk or {}).get("sites", {})
    rows = []
    for sid in exposure_ranking(s.risk or {}, 10):
        r = sites[sid]
        rows.append(
            (
                style.clean_text(sid),
                style.compact(r["performance_impact"]["mean"]),
                f"{r['tts_days']['mean']:.0f} / {r['ttr_days']:.0f}",
            )
        )
    table = pages.TextTable(
        ("Site", f"At risk ({s.currency})", "TTS / TTR (days)"),
        tuple(rows),
        (2.2, 1.3, 1.3),
        ("l", "r", "r"),
    )
    _table(slide, table, 8.3, 1.7, SLIDE_W - 8.3 - MARGIN, size=13, row_height=0.44)
    return slide


def map_slide(prs: Any, s: ScenarioReport) -> Any:
    """The network from raw suppliers to customers, sites coloured by stockout-day risk:
    a drawing, so a picture."""
    slide = _slide(prs, "The network", f"Scenario {s.name}; sites coloured by stockout-day risk")
    values = {
        sid: st["stockout_day_probability"]["mean"] for sid, st in s.simulation["sites"].items()
    }
    graph = build_graph(s.network)
    _picture(
        slide,
        lambda size: network_map_figure(graph, values, figsize=size, title=" "),
        MARGIN,
        1.4,
        SLIDE_W - 2 * MARGIN,
        SLIDE_H - 1.4 - 0.3,
    )
    return slide


def risk_slide(prs: Any, s: ScenarioReport) -> Any:
    title = f"Scenario {s.name}: time to survive vs recover"
    draw = partial(charts.tts_ttr_chart, risk=s.risk or {})
    return _chart_slide(
        prs, title, draw, pages.risk_caption(s), "No time-to-survive analysis was run."
    )


#: Width (inches) of the recommended-buffers table; its chart takes the rest of the slide.
BUFFERS_TABLE_W = 8.1
#: Inches of the table's columns of days, so their headers break between words; the last
#: column (what time to survive against time to recover advises) takes the rest.
BUFFERS_COLUMNS = {
    "Site": 1.2,
    "Now (days)": 0.8,
    "Recommended (days)": 1.5,
    "Demand-only GSM (days)": 1.2,
    "Disruption-aware (days)": 1.35,
}


def _buffers_table(s: ScenarioReport, n: int) -> pages.TextTable:
    table = pages.recommended_table(s, n)
    fixed = [BUFFERS_COLUMNS.get(h, 0.0) for h in table.headers]
    rest = max(BUFFERS_TABLE_W - sum(fixed), 1.6)
    return dataclasses.replace(table, widths=tuple(w or rest for w in fixed))


def _plan_rows(rows: list[dict[str, Any]], rec: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The table's rows with the recommendation's days, as the PDF's chart draws them (the
    same recommendation as the table and slide 1)."""
    decided = (rec or {}).get("recommended", {}).get("sites", {})
    days = {sid: v.get("recommended_days") for sid, v in decided.items()}
    return [r | ({"recommended_days": days.get(r["site_id"])} if days else {}) for r in rows]


def buffers_slide(prs: Any, s: ScenarioReport) -> Any:
    """The recommended-buffers table (as many of its sites as fit) and, beside it, their
    days of cover now and as planned."""
    slide = _slide(prs, f"Scenario {s.name}: recommended buffers", _sub(s))
    width, top, size, row = BUFFERS_TABLE_W, 1.65, 12, 0.42
    n = 9
    table = _buffers_table(s, n)
    while n > 1 and top + table_height(table, width, size=size, row_height=row) > SLIDE_H - 1.2:
        n -= 1
        table = _buffers_table(s, n)
    if table.rows:
        _table(slide, table, MARGIN, top, width, size=size, row_height=row)
        rows, _total = tables.recommended_rows(s, len(table.rows))
        box = (MARGIN + width + 0.25, 1.55, SLIDE_W - 2 * MARGIN - width - 0.25, 5.8)
        frame = charts.buffer_plans_chart(slide, box, _plan_rows(rows, s.recommendation))
        _chart(slide, frame, box, "No site needs a buffer decision.")
        top += table_height(table, width, size=size, row_height=row) + 0.15
    else:
        width, top = SLIDE_W - 2 * MARGIN, 1.8
    _text(slide, table.note, MARGIN, top, width, SLIDE_H - top - 0.1, size=12, colour=MUTED)
    return slide


def comparison_slides(prs: Any, data: ReportData) -> None:
    slide = _slide(prs, "Scenarios side by side", "Whiskers: 95% confidence intervals")
    charts.scenario_comparison_charts(
        slide,
        (MARGIN, 1.55, SLIDE_W - 2 * MARGIN, 5.7),
        {s.name: s.simulation["network"] for s in data.scenarios},
        currency=data.currency,
    )
    slide = _slide(prs, f"Scenarios: change against {data.scenarios[0].name}")
    table = pages.comparison_table(data)
    size = 14 if len(data.scenarios) <= 3 else 12
    _table(slide, table, MARGIN, 1.3, SLIDE_W - 2 * MARGIN, size=size, row_height=0.62)
    _text(
        slide,
        table.note,
        MARGIN,
        1.3 + 0.62 * 7 + 0.2,
        SLIDE_W - 2 * MARGIN,
        0.7,
        size=13,
        colour=MUTED,
    )
