"""The PowerPoint deck (python-pptx): numbers as editable text and tables, charts as
high-resolution pictures of the same figures the PDF and the desktop app show.

Slides (16:9): a title slide with the headline numbers, then per scenario its
key results, the JIT buffer curve, the sites most at risk, time to survive vs
time to recover and the recommended buffers; with several scenarios, two
slides compare them.
"""

from __future__ import annotations

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

from . import figures, pages, style
from .build import ReportData, ScenarioReport
from .output import write_checked

PathLike = str | os.PathLike[str]

SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
#: Resolution of chart pictures (dots per inch of the slide).
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
    return 1 + 5 * len(data.scenarios) + (2 if len(data.scenarios) > 1 else 0)


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
    for s in data.scenarios:
        kpi_slide(prs, s)
        curve_slide(prs, s)
        top_slide(prs, s)
        risk_slide(prs, s)
        buffers_slide(prs, s)
    if len(data.scenarios) > 1:
        comparison_slides(prs, data)
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
    """Draw a figure for its place on the slide, :data:`ZOOM` times smaller and enlarged
    back, so its type is :data:`ZOOM` times larger than on paper; :data:`DPI` pixels per
    inch of the slide."""
    fig = make((width / ZOOM, height / ZOOM))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI * ZOOM, facecolor="white")
    buf.seek(0)
    return slide.shapes.add_picture(
        buf, Inches(left), Inches(top), width=Inches(width), height=Inches(height)
    )


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


def _sub(s: ScenarioReport) -> str:
    sim = s.simulation
    return (
        f"{sim['trials']:,} trials x {sim['days']} days, seed {sim['seed']}; lost revenue in "
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
    _picture(
        slide,
        lambda size: figures.lost_revenue_figure(
            s.lost_revenue,
            var95=lr["var95"],
            cvar95=lr["cvar95"],
            currency=s.currency,
            figsize=size,
        ),
        7.0,
        1.6,
        SLIDE_W - 7.0 - MARGIN,
        5.5,
    )
    return slide


def _chart_slide(prs: Any, title: str, draw: Callable[..., Figure], caption: str) -> Any:
    """A slide of one full-width chart, ``draw(figsize=...)``, with its caption below."""
    slide = _slide(prs, title)
    _picture(slide, lambda size: draw(figsize=size), MARGIN, 1.2, SLIDE_W - 2 * MARGIN, 5.3)
    _text(slide, caption, MARGIN, 6.55, SLIDE_W - 2 * MARGIN, 0.8, size=14)
    return slide


def curve_slide(prs: Any, s: ScenarioReport) -> Any:
    draw = partial(figures.buffer_curve_figure, s.curve or {})
    return _chart_slide(prs, f"Scenario {s.name}: JIT buffer curve", draw, pages.curve_caption(s))


def top_slide(prs: Any, s: ScenarioReport) -> Any:
    slide = _slide(prs, f"Scenario {s.name}: sites most at risk", _sub(s))
    _picture(
        slide,
        lambda size: figures.top_risk_figure(
            s.simulation["sites"], 12, names=s.names, figsize=size
        ),
        MARGIN,
        1.6,
        7.6,
        5.7,
    )
    table = pages.top_table(s, 10)
    slim = pages.TextTable(
        ("Site", "P(stockout day)", "Fill rate"),
        tuple((r[0], r[2].split(" [")[0], r[3]) for r in table.rows),
        (2.2, 1.3, 1.1),
        ("l", "r", "r"),
    )
    _table(slide, slim, 8.3, 1.7, SLIDE_W - 8.3 - MARGIN, size=13, row_height=0.44)
    return slide


def risk_slide(prs: Any, s: ScenarioReport) -> Any:
    title = f"Scenario {s.name}: time to survive vs recover"
    draw = partial(figures.tts_ttr_figure, s.risk or {})
    return _chart_slide(prs, title, draw, pages.risk_caption(s))


def buffers_slide(prs: Any, s: ScenarioReport) -> Any:
    slide = _slide(prs, f"Scenario {s.name}: recommended buffers", _sub(s))
    width, top = SLIDE_W - 2 * MARGIN, 1.65
    n = 9
    table = pages.recommended_table(s, n)
    while n > 1 and top + table_height(table, width, size=14, row_height=0.48) > SLIDE_H - 0.95:
        n -= 1
        table = pages.recommended_table(s, n)
    if table.rows:
        _table(slide, table, MARGIN, top, width, size=14, row_height=0.48)
        top += table_height(table, width, size=14, row_height=0.48) + 0.15
    else:
        top = 1.8
    _text(slide, table.note, MARGIN, top, width, 0.7, size=13, colour=MUTED)
    return slide


def comparison_slides(prs: Any, data: ReportData) -> None:
    slide = _slide(prs, "Scenarios side by side", "Whiskers: 95% confidence intervals")
    _picture(
        slide,
        lambda size: figures.scenario_comparison_figure(
            {s.name: s.simulation["network"] for s in data.scenarios},
            currency=data.currency,
            figsize=size,
        ),
        MARGIN,
        1.55,
        SLIDE_W - 2 * MARGIN,
        5.7,
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
