"""The PDF brief: A4 landscape pages drawn with matplotlib (vector text and charts).

Pages: a title page (headline numbers per scenario and what produced them),
then per scenario three pages: key results and the sites most at risk; the
JIT buffer curve and time to survive vs time to recover; the recommended
buffers. With several scenarios a last page compares them.
"""

from __future__ import annotations

import datetime as _dt
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle

from ..model.graph import build_graph
from . import figures, pages, style, tables
from .build import ReportData, ScenarioReport
from .output import write_checked

PathLike = str | os.PathLike[str]
A4_LANDSCAPE = (11.69, 8.27)
#: Left and right margin of text and tables (fraction of the subfigure's width).
MARGIN = 0.012
PageFn = Callable[[], Figure]


def write_pdf_report(data: ReportData, path: PathLike, input_path: PathLike | None) -> Path:
    """Write the PDF brief of ``data`` to ``path``, a page at a time.

    Checks, atomic write and errors: :func:`jitrisk.report.output.write_checked`.
    """
    return write_checked(path, input_path, lambda: _pdf_writer(data))


def _pdf_writer(data: ReportData) -> Callable[[Path], None]:
    page_fns = page_builders(data)

    def write(tmp: Path) -> None:
        meta = {
            "Title": f"Disruption risk brief: {data.provenance.workbook}",
            "Author": "jitrisk",
            "Subject": ", ".join(data.provenance.scenarios),
            "Creator": f"jitrisk {data.provenance.jitrisk_version}",
            "CreationDate": _created(data),
        }
        with PdfPages(tmp, metadata=meta) as pdf:
            for n, build in enumerate(page_fns, start=1):
                fig = build()
                _footer(fig, data, n, len(page_fns))
                pdf.savefig(fig)

    return write


def page_count(data: ReportData) -> int:
    """Pages the brief of ``data`` has."""
    return len(page_builders(data))


def page_builders(data: ReportData) -> list[PageFn]:
    """One function per page, in order (pages are drawn one at a time to save memory)."""
    out: list[PageFn] = [lambda: title_page(data)]
    if len(data.scenarios) > 1:  # right after the headline: how the scenarios differ
        out.append(lambda: comparison_page(data))
    for s in data.scenarios:
        out += [
            lambda s=s: results_page(data, s),  # type: ignore[misc]
            lambda s=s: curve_risk_page(data, s),  # type: ignore[misc]
            lambda s=s: buffers_page(data, s),  # type: ignore[misc]
        ]
    out.append(lambda: map_page(data, data.scenarios[0]))
    return out


def _created(data: ReportData) -> _dt.datetime:
    try:
        return _dt.datetime.fromisoformat(data.provenance.created)
    except ValueError:
        return _dt.datetime.now(_dt.UTC)


# ----------------------------------------------------------------------------- pages


def _page(title: str, subtitle: str = "") -> tuple[Figure, SubFigure]:
    fig = Figure(figsize=A4_LANDSCAPE, dpi=100, layout="constrained")
    fig.set_facecolor("white")
    head, body, _foot = figures.split(fig, 3, 1, height_ratios=[0.1, 0.87, 0.03])
    head.text(
        MARGIN,
        0.72,
        style.plain(title),
        fontsize=20,
        fontweight="bold",
        color=style.TEXT,
        va="center",
    )
    if subtitle:
        head.text(MARGIN, 0.2, style.plain(subtitle), fontsize=11, color=style.MUTED, va="center")
    return fig, body


def _footer(fig: Figure, data: ReportData, n: int, total: int) -> None:
    p = data.provenance
    fig.text(
        0.01,
        0.006,
        style.plain(
            f"jitrisk {p.jitrisk_version} · {p.workbook} · SHA-256 {p.workbook_sha256[:12] or '–'}"
            f" · {p.created}"
        ),
        fontsize=7.5,
        color=style.MUTED,
        ha="left",
        va="bottom",
    )
    fig.text(
        0.99,
        0.006,
        f"page {n} of {total}",
        fontsize=7.5,
        color=style.MUTED,
        ha="right",
        va="bottom",
    )


def _what(s: ScenarioReport) -> str:
    """ "Revenue at risk" (backorders: delivered late) or "Lost revenue" (lost sales)."""
    words = tables.revenue_words(s.simulation.get("unmet_demand"))
    return "Lost revenue" if words == "lost revenue" else "Revenue at risk"


def _sub(s: ScenarioReport) -> str:
    sim = s.simulation
    return (
        f"{sim['trials']:,} trials x {sim['days']} days, seed {sim['seed']}; "
        f"amounts in {s.currency}; 95% confidence intervals"
    )


def title_page(data: ReportData) -> Figure:
    p = data.provenance
    fig, body = _page(
        f"Disruption risk brief: {p.workbook}",
        f"Scenarios: {', '.join(p.scenarios)} · made {p.created[:10]}",
    )
    top, bottom = figures.split(body, 2, 1, height_ratios=[0.34, 0.66])
    draw_table(top, pages.overview_table(data), fontsize=12, title="Headline numbers")
    left, right = figures.split(bottom, 1, 2, width_ratios=[1.15, 1])
    draw_table(
        left,
        pages.provenance_table(data),
        fontsize=9.5,
        title="What produced these results",
        header=False,
    )
    ax3 = right.add_subplot()
    ax3.set_axis_off()
    decided = next((s for s in data.scenarios if s.takeaway), None)
    ax3.set_title(
        "The decision" if decided else "How to read this brief",
        loc="left", fontsize=12, fontweight="bold", color=style.TEXT,
    )  # fmt: skip
    guide = (
        "Each scenario has three pages: its key results and the largest exposures in "
        "money; the JIT buffer curve (how stockout risk climbs as the buffer of the most "
        "exposed stocking site thins) next to time to survive vs time to recover (sites below "
        "the diagonal run customers dry before they are back); and the recommended buffers. "
        "The last page maps the network. Every estimate comes with its 95% confidence "
        "interval. The Excel report has every number per site."
    )
    notes = [f"{s.name}: {n}" for s in data.scenarios for n in s.notes]
    text = textwrap.fill(guide, 62)
    if decided is not None:  # the decision first, then how to read the rest
        lead = "\n".join(textwrap.fill(t, 62) for t in decided.takeaway)
        head = f"Scenario {decided.name}. " if len(data.scenarios) > 1 else ""
        text = head + lead + "\n\nHow to read this brief: " + text
    if notes:
        text += "\n\nNotes:\n" + "\n".join(textwrap.fill(n, 62) for n in notes)
    ax3.text(
        0,
        1,
        style.plain(text),
        va="top",
        ha="left",
        fontsize=10.5,
        color=style.TEXT,
        transform=ax3.transAxes,
        linespacing=1.45,
    )
    return fig


def results_page(data: ReportData, s: ScenarioReport) -> Figure:
    fig, body = _page(f"Scenario {s.name}: key results", _sub(s))
    left, right = figures.split(body, 1, 2, width_ratios=[0.85, 1.15])
    top, bottom = figures.split(left, 2, 1, height_ratios=[0.5, 0.5])
    draw_table(top, pages.kpi_table(s), fontsize=11, title="Network key results")
    figures.lost_revenue_figure(
        s.lost_revenue,
        var95=s.simulation["network"]["lost_revenue"]["var95"],
        cvar95=s.simulation["network"]["lost_revenue"]["cvar95"],
        currency=s.currency,
        what=_what(s),
        figure=bottom,
    )
    if s.risk and s.risk.get("sites"):  # exposure ranked by money, as in the workbook
        figures.exposure_figure(s.risk, 12, currency=s.currency, names=s.names, figure=right)
    else:
        figures.top_risk_figure(s.simulation["sites"], 15, names=s.names, figure=right)
    return fig


def map_page(data: ReportData, s: ScenarioReport) -> Figure:
    """The network from raw suppliers to customers, sites coloured by stockout-day risk."""
    fig, body = _page("The network", f"Scenario {s.name} · {_sub(s)}")
    values = {
        sid: st["stockout_day_probability"]["mean"] for sid, st in s.simulation["sites"].items()
    }
    figures.network_map_figure(
        build_graph(s.network),
        values,
        title="Sites coloured by stockout-day probability",
        figure=body,
    )
    return fig


def curve_risk_page(data: ReportData, s: ScenarioReport) -> Figure:
    fig, body = _page(f"Scenario {s.name}: buffers and time to survive", _sub(s))
    charts, captions = figures.split(body, 2, 1, height_ratios=[0.86, 0.14])
    left, right = figures.split(charts, 1, 2)
    figures.buffer_curve_figure(s.curve or {}, figure=left)
    figures.tts_ttr_figure(s.risk or {}, figure=right)
    c_left, c_right = figures.split(captions, 1, 2)
    for sub, text in ((c_left, pages.curve_caption(s)), (c_right, pages.risk_caption(s))):
        width = sub.bbox.width / sub.dpi * (1 - 2 * MARGIN)
        sub.text(
            MARGIN,
            0.9,
            style.plain(textwrap.fill(text, _chars(width, 9.5))),
            va="top",
            ha="left",
            fontsize=9.5,
            color=style.TEXT,
            linespacing=1.35,
        )
    return fig


def buffers_page(data: ReportData, s: ScenarioReport) -> Figure:
    fig, body = _page(f"Scenario {s.name}: recommended buffers", _sub(s))
    rows, _total = tables.recommended_rows(s, 10)
    decided = (s.recommendation or {}).get("recommended", {}).get("sites", {})
    if decided:  # the chart shows the same recommendation as the table and page 1
        rows = [
            r | {"recommended_days": decided.get(r["site_id"], {}).get("recommended_days")}
            for r in rows
        ]
    top, bottom = figures.split(body, 2, 1, height_ratios=[0.56, 0.44])
    draw_table(
        top, pages.recommended_table(s, 10), fontsize=10.5, title="Safety stock in days of cover"
    )
    figures.buffer_plans_figure(rows, figure=bottom)
    return fig


def comparison_page(data: ReportData) -> Figure:
    words = tables.revenue_words(data.scenarios[0].simulation.get("unmet_demand"))
    fig, body = _page("Scenarios side by side", f"{words[0].upper()}{words[1:]} in {data.currency}")
    top, bottom = figures.split(body, 2, 1, height_ratios=[0.58, 0.42])
    figures.scenario_comparison_figure(
        {s.name: s.simulation["network"] for s in data.scenarios},
        currency=data.currency,
        figure=top,
    )
    draw_table(bottom, pages.comparison_table(data), fontsize=10)
    return fig


# ----------------------------------------------------------------------------- tables


def draw_table(
    where: SubFigure,
    table: pages.TextTable,
    *,
    fontsize: float = 10,
    title: str = "",
    header: bool = True,
) -> None:
    """Draw ``table`` over the whole of ``where`` (a subfigure): wrapped cells, banded rows,
    a rule under the header, a note below; the type shrinks until the table fits.

    Row heights are worked out in inches from the subfigure's size, so the table is
    laid out exactly (it takes no part in constrained layout).
    """
    ax = where.add_axes((MARGIN, 0.0, 1.0 - 2 * MARGIN, 1.0))
    ax.set_axis_off()
    ax.set_in_layout(False)
    width_in = where.bbox.width / where.dpi * (1.0 - 2 * MARGIN)
    height_in = where.bbox.height / where.dpi
    fs = fontsize
    while True:
        cells, heights = _layout(table, width_in, fs, header)
        title_h = (fs + 2) * 1.9 / 72 if title else 0.0
        note_h = _note_lines(table.note, width_in, fs) * (fs - 1) * 1.35 / 72 + 0.05
        total = title_h + sum(heights) + note_h
        if total <= height_in * 0.98 or fs <= 6.5:
            break
        fs -= 0.5
    y = 1.0
    if title:
        ax.text(
            0,
            y,
            style.plain(title),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=fs + 2,
            fontweight="bold",
            color=style.TEXT,
        )
        y -= title_h / height_in
    widths = [w / sum(table.widths) for w in table.widths]
    lefts = [sum(widths[:j]) for j in range(len(widths))]
    for i, (row, h) in enumerate(zip(cells, heights, strict=True)):
        hf = h / height_in
        is_header = header and i == 0
        k = i - 1 if header else i
        fill = (
            style.SUBTLE
            if is_header
            else "#fbe3d6"
            if k in table.highlight
            else "#f7f8fa"
            if k % 2 == 1
            else None
        )
        if fill:
            ax.add_patch(
                Rectangle((0, y - hf), 1, hf, transform=ax.transAxes, color=fill, lw=0, zorder=0)
            )
        for j, text in enumerate(row):
            a = table.align[j]
            pad = 0.006
            x = (
                lefts[j] + pad
                if a == "l"
                else lefts[j] + widths[j] - pad
                if a == "r"
                else lefts[j] + widths[j] / 2
            )
            ax.text(
                x,
                y - hf / 2,
                style.plain(text),
                transform=ax.transAxes,
                ha={"l": "left", "r": "right", "c": "center"}[a],
                va="center",
                fontsize=fs,
                color=style.TEXT,
                fontweight="bold" if is_header else "normal",
                linespacing=1.2,
            )
        y -= hf
        if is_header:
            ax.plot([0, 1], [y, y], transform=ax.transAxes, color=style.MUTED, lw=0.8)
    if table.note:
        ax.text(
            0,
            y - 0.04 / height_in,
            style.plain(textwrap.fill(table.note, _chars(width_in, fs - 1))),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=fs - 1,
            color=style.MUTED,
            style="italic",
            linespacing=1.25,
        )


def _chars(width_in: float, fs: float) -> int:
    """Characters of DejaVu Sans at ``fs`` points that fit in ``width_in`` inches."""
    return max(4, int(width_in / (0.6 * fs / 72)))


def _note_lines(note: str, width_in: float, fs: float) -> int:
    return len(textwrap.wrap(note, _chars(width_in, fs - 1))) if note else 0


def _layout(
    table: pages.TextTable, width_in: float, fs: float, header: bool
) -> tuple[list[list[str]], list[float]]:
    total_w = sum(table.widths)
    chars = [_chars(width_in * w / total_w, fs) - 2 for w in table.widths]
    rows = ([table.headers] if header else []) + list(table.rows)
    cells, heights = [], []
    for row in rows:
        wrapped = [textwrap.fill(str(t), max(chars[j], 3)) for j, t in enumerate(row)]
        lines = max((w.count("\n") + 1 for w in wrapped), default=1)
        cells.append(wrapped)
        heights.append((lines * 1.2 + 0.75) * fs / 72)
    return cells, heights
