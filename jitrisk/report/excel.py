"""The Excel report: one workbook a planner can take into a meeting and re-use.

Sheets, in this order:

``Summary``
    Key results per scenario with 95% CIs (the table at row 4, which other
    tools read), the decision, the sites with the most money at risk (chart
    and table), and what produced them.
``Sites``
    Every metric of every site, customer and line-side buffer, each estimate
    with its CI; colour scales on the risk columns, frozen header, filters.
``Buffer curves``, ``Risk``, ``Safety stock``, ``Scenarios``
    Each a data table with a native Excel chart under it. On the first three
    the rows down to the first table's header are frozen (each scenario's
    table has the same columns); a chart above the header would be frozen too
    and fill the window. The Scenarios sheet is not frozen: its two tables
    have different columns, with the charts between them.
``Network``
    The network map of each scenario (picture).
``Inputs``
    The input workbook's sheets, copied as values, so the report stands alone.

Input text is always written as text (see :mod:`jitrisk.report.xlsx`); the
file is written atomically and never onto the input workbook.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..analysis.gsm.stages import optimality_words, review_words
from ..model.graph import build_graph
from ..workbook.format import SHEETS
from . import style, tables
from . import xlsx as X
from .build import ReportData, ScenarioReport
from .figures import network_map_figure
from .figures.common import _days_text
from .output import write_checked
from .tables import Column, ci_columns
from .xlsx_charts import (
    CHART_ROWS,
    PCT_AXIS,
    bar_chart,
    buffer_curve_chart,
    column_values,
    money_axis_format,
    rows_for_height,
)
from .xlsx_summary import SUMMARY_COLUMNS as SUMMARY_COLUMNS
from .xlsx_summary import summary_rows as summary_rows
from .xlsx_summary import write_summary as write_summary

PathLike = str | os.PathLike[str]

#: Sheet names, in order (the contract of issue 6).
SHEET_NAMES = (
    "Summary",
    "Sites",
    "Buffer curves",
    "Risk",
    "Safety stock",
    "Scenarios",
    "Network",
    "Inputs",
)
#: Rows of a ranked table shown in its chart.
CHART_TOP = 15
MAP_DPI = 150
MAP_WIDTH_PX = 1250


def write_excel_report(data: ReportData, path: PathLike, input_path: PathLike | None) -> Path:
    """Write the Excel report of ``data`` to ``path``; ``input_path``'s sheets are copied in.

    Checks, atomic write and errors: :func:`jitrisk.report.output.write_checked`.
    """
    return write_checked(path, input_path, lambda: build_workbook(data, input_path).save)


def build_workbook(data: ReportData, input_path: PathLike | None = None) -> Workbook:
    """The report as an in-memory :class:`openpyxl.Workbook`."""
    wb = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    sheets = {name: wb.create_sheet(name) for name in SHEET_NAMES}
    write_summary(sheets["Summary"], data)
    write_sites(sheets["Sites"], data)
    write_curves(sheets["Buffer curves"], data)
    write_risk(sheets["Risk"], data)
    write_safety_stock(sheets["Safety stock"], data)
    write_scenarios(sheets["Scenarios"], data)
    write_network(sheets["Network"], data)
    write_inputs(sheets["Inputs"], data, input_path)
    for ws in sheets.values():
        X.fit_row_heights(ws)  # after every width is set
        _print_setup(ws)
    sheets["Sites"].print_title_rows = "1:1"
    wb.active = 0
    return wb


def _print_setup(ws: Worksheet) -> None:
    """Landscape A4, one page wide (as many pages tall as needed)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    props = ws.sheet_properties.pageSetUpPr
    if props is None:
        props = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    props.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


# ----------------------------------------------------------------------------- parts
# (the Summary sheet: jitrisk.report.xlsx_summary)


def _sheet_head(ws: Worksheet, title: str, note: str) -> int:
    """A sheet's title and note; the row its first section starts on."""
    X.title(ws, 1, title)
    X.note(ws, 2, note)
    return 4


def _section_head(ws: Worksheet, row: int, title: str, *notes: str) -> int:
    """A section's title with its notes under it; the row after them."""
    X.title(ws, row, title, sub=True)
    for i, text in enumerate(notes, start=1):
        X.note(ws, row + i, text)
    return row + 1 + len(notes)


def _column_index(cols: Sequence[Column]) -> dict[str, int]:
    """Column number (1-based) of each key."""
    return {c.key: j for j, c in enumerate(cols, start=1)}


def _freeze(ws: Worksheet, header_row: int) -> None:
    """Freeze the rows down to the sheet's first table header.

    Rows only: a frozen column would cut the titles and notes that run across
    from column A at the split.
    """
    if ws.freeze_panes is None:
        ws.freeze_panes = f"A{header_row + 1}"


def _days(value: object) -> str:
    """``'1 day'``, ``'2.5 days'``; ``'–'`` when there is no number."""
    if not style.finite(value):
        return style.MISSING
    return _days_text(round(float(value), 1))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- Sites


def write_sites(ws: Worksheet, data: ReportData) -> None:
    cols = tables.site_columns()
    rows = [r for s in data.scenarios for r in tables.site_rows(s)]
    first, last = X.table(ws, 1, cols, rows)
    ws.row_dimensions[1].height = 48
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{X.letter(len(cols))}{max(last, 1)}"
    index = _column_index(cols)
    for key in (
        "stockout_day_probability",
        "stockout_probability",
        "expected_backorders",
        "lost_revenue",
        "days_out_of_stock",
    ):
        X.colour_scale(ws, index[key], first, last)
    X.colour_scale(ws, index["fill_rate"], first, last, high_is_bad=False)
    X.fit_columns(ws, max_width=30)


# ----------------------------------------------------------------------------- Buffer curves


def write_curves(ws: Worksheet, data: ReportData) -> None:
    row = _sheet_head(
        ws,
        "JIT buffer curves: stockout risk against days of safety stock",
        "Same random numbers at every level (common random numbers); bounds are 95% CIs. "
        "The knee is where removing a day of buffer starts to cost markedly more risk.",
    )
    cols = tables.CURVE_COLUMNS
    idx = _column_index(cols)
    for s in data.scenarios:
        curve = s.curve or {}
        target = str(curve.get("site", ""))
        facts = (
            f"Current buffer: {_days(curve.get('current_buffer_days'))}; knee: "
            f"{_days(curve.get('knee_buffer_days'))}; {curve.get('trials', '–')} "
            f"trials per level, seed {curve.get('seed', '–')}."
        )
        title = f"Scenario {s.name}: buffer curve of {target}"
        header_row = _section_head(ws, row, title, s.curve_reason, facts)
        rows = tables.curve_rows(curve)
        first, last = X.table(ws, header_row, cols, rows)
        _freeze(ws, header_row)
        chart_row = max(last, header_row) + 2
        row = chart_row
        if rows:
            markers = _curve_markers(ws, header_row, len(cols) + 2, curve, rows)
            ch = buffer_curve_chart(
                ws,
                header_row=header_row,
                first=first,
                last=last,
                x_col=idx["buffer_days"],
                so_cols=(
                    idx["stockout_day_probability"],
                    idx["stockout_day_probability_lo"],
                    idx["stockout_day_probability_hi"],
                ),
                fr_cols=(idx["fill_rate"], idx["fill_rate_lo"], idx["fill_rate_hi"]),
                title=style.clean_text(f"{s.name}: {target}"),
                x_max=max(r["buffer_days"] for r in rows),
                markers=markers,
            )
            ws.add_chart(ch, f"A{chart_row}")
            row += CHART_ROWS
        row += 1
    X.fit_columns(ws, max_width=24)


#: The marked points of a buffer curve, in a small table beside the curve's.
MARKER_COLUMNS = (
    Column("point", "Marked point"),
    Column("buffer_days", "Its safety stock (days)", "days"),
    Column("stockout_day_probability", "Its stockout-day probability", "pct"),
)


def _curve_markers(
    ws: Worksheet, header_row: int, col: int, curve: dict[str, Any], rows: list[dict[str, Any]]
) -> list[tuple[int, int, int, int]]:
    """Write the knee and today's buffer (the figure's two vertical lines) beside the
    curve's table at column ``col``; their (row, name, x, y) cells for the chart.

    Both are levels of the curve, so their probability is the level's; the
    interpolation only serves a buffer between levels.
    """
    xs, ys = zip(
        *sorted((r["buffer_days"], r["stockout_day_probability"]) for r in rows), strict=True
    )
    points = []
    for name, key in (("Knee", "knee_buffer_days"), ("Today", "current_buffer_days")):
        x = curve.get(key)
        if isinstance(x, int | float) and style.finite(x):
            y = float(np.interp(float(x), xs, ys))
            points.append({"point": name, "buffer_days": float(x), "stockout_day_probability": y})
    if not points:
        return []
    first, last = X.table(ws, header_row, MARKER_COLUMNS, points, col=col)
    return [(r, col, col + 1, col + 2) for r in range(first, last + 1)]


# ----------------------------------------------------------------------------- Risk


def write_risk(ws: Worksheet, data: ReportData) -> None:
    row = _sheet_head(
        ws,
        "Time to survive (TTS) vs time to recover (TTR), and risk exposure",
        "TTS: days the network keeps every customer served while the site is down "
        "(simulation, 95% CI; LP: optimistic bound). A site is exposed when TTS < TTR. "
        "Performance impact: lost revenue of an outage lasting TTR; the risk exposure index "
        "divides it by the largest.",
    )
    cols = tables.RISK_COLUMNS
    idx = _column_index(cols)
    for s in data.scenarios:
        risk = s.risk or {}
        rows = tables.risk_rows(risk)
        raised = [r["target"] for r in rows if _impact_at_least_zero(r)]
        for r in rows:
            r["advice"] = X.day_words(r["advice"])
        facts = (
            f"{risk.get('trials', '–')} trials per site over {_days(risk.get('days'))}, "
            f"seed {risk.get('seed', '–')}; other disruptions switched off."
        )
        if raised:  # a lost revenue cannot be negative; below 0 is noise about 0
            facts += (
                " Where the performance impact or the low end of its CI came out below 0 "
                "(sampling noise: an outage gains no revenue), 0 is shown: "
                f"{', '.join(raised)}."
            )
        header_row = _section_head(ws, row, f"Scenario {s.name}", facts)
        n_chart = min(CHART_TOP, sum(1 for r in rows if r["kind"] == "site"))
        first, last = X.table(ws, header_row, cols, rows)
        _freeze(ws, header_row)
        X.colour_scale(ws, idx["risk_exposure_index"], first, last)
        X.wrap(ws, idx["advice"], first, last)
        chart_row = row = max(last, header_row) + 2
        if n_chart:
            ch = bar_chart(
                ws,
                header_row=header_row,
                first=first,
                last=first + n_chart - 1,
                cat_col=idx["target"],
                value_cols=(idx["ttr_days"], idx["tts_days"]),
                title=style.clean_text(f"{s.name}: TTR and TTS of the {n_chart} riskiest sites"),
                x_title="Site",
                y_title="Days",
                horizontal=True,
                colours=(style.OKABE_ITO["vermillion"][1:], style.OKABE_ITO["blue"][1:]),
            )
            ws.add_chart(ch, f"A{chart_row}")
            row += rows_for_height(ch.height)
        row += 1
    X.fit_columns(ws, max_width=40)
    ws.column_dimensions[X.letter(idx["advice"])].width = 70


def _impact_at_least_zero(row: dict[str, Any]) -> bool:
    """Raise a risk row's performance impact (and so its index) to 0 where its estimate or
    CI fell below; True when it did.

    The risk analysis estimates the impact as a mean difference of lost revenue
    with no lower limit (:func:`jitrisk.analysis.risk.analyse_target`).
    """
    raised = X.non_negative(row, "performance_impact")
    rei = row.get("risk_exposure_index")
    if isinstance(rei, int | float) and rei < 0:
        row["risk_exposure_index"] = 0.0
        raised = True
    return raised


# ----------------------------------------------------------------------------- Safety stock


def write_safety_stock(ws: Worksheet, data: ReportData) -> None:
    row = _sheet_head(
        ws,
        "Where safety stock belongs: guaranteed-service vs disruption-aware plans",
        "Guaranteed-service model (Graves & Willems 2000): normal demand, the service level "
        "of Settings, no disruptions. Disruption-aware plan: a budget placed by simulation "
        "under the disruption profile (only when the report was made with a budget).",
    )
    cols = tables.PLAN_COLUMNS
    idx = _column_index(cols)
    for s in data.scenarios:
        header_row = _section_head(ws, row, f"Scenario {s.name}", _plan_facts(s, data.currency))
        rows = tables.plan_rows(s)
        for r in rows:
            r["advice"] = X.day_words(r["advice"])
        value_cols = [idx["current_days"], idx["gsm_days"]]
        if s.placement is not None:
            value_cols.append(idx["aware_days"])
        n_chart = min(20, len(rows))
        first, last = X.table(ws, header_row, cols, rows)
        _freeze(ws, header_row)
        X.wrap(ws, idx["advice"], first, last)
        chart_row = row = max(last, header_row) + 2
        if n_chart:
            ch = bar_chart(
                ws,
                header_row=header_row,
                first=first,
                last=first + n_chart - 1,
                cat_col=idx["site_id"],
                value_cols=value_cols,
                title=style.clean_text(f"{s.name}: safety stock by plan (days of cover)"),
                x_title="Site",
                y_title="Days of cover",
                colours=(
                    style.OKABE_ITO["sky_blue"][1:],
                    style.OKABE_ITO["blue"][1:],
                    style.OKABE_ITO["vermillion"][1:],
                ),
            )
            ws.add_chart(ch, f"A{chart_row}")
            row += CHART_ROWS
        row += 1
    for s in data.scenarios:
        if s.recommendation is not None:
            row = _decision_section(ws, row, s, data.currency)
    X.fit_columns(ws, max_width=60)
    ws.column_dimensions[X.letter(idx["advice"])].width = 70


#: The reconciled per-site table of a recommendation (``jitrisk recommend``'s ``sites``).
DECISION_COLUMNS = (
    Column("site_id", "Site"),
    Column("current_days", "Now (days)", "days"),
    Column("recommended_days", "Recommended (days)", "days"),
    Column("gsm_days", "Guaranteed service (days)", "days"),
    Column("extra_value", "Extra inventory value", "money"),
    Column("extra_holding_cost_per_year", "Extra holding cost a year", "money"),
    Column("removes_per_year", "Revenue at risk removed a year (search)", "money"),
    Column("gap_days", "TTS/TTR gap (days)", "days"),
)
FRONTIER_COLUMNS = (
    Column("steps", "Steps", "int"),
    Column("inventory_value", "Inventory value", "money"),
    Column("holding_cost_per_year", "Holding cost a year", "money"),
    *ci_columns("revenue_at_risk", "Revenue at risk a year", "money"),
)


def _decision_section(ws: Worksheet, row: int, s: ScenarioReport, currency: str) -> int:
    """The recommendation of scenario ``s``: its takeaway, the reconciled per-site table
    (sites whose cover changes) and the confirmed frontier; the row after it."""
    rec = s.recommendation
    assert rec is not None
    width = len(DECISION_COLUMNS)  # the sentences span the tables under them
    X.title(ws, row, f"The decision, scenario {s.name}: how much buffer is worth buying", sub=True)
    X.text_block(ws, row + 1, X.day_words(str(rec["rule"])), width, X.NOTE_FONT)
    X.note(ws, row + 2, f"Amounts in {currency}; revenue at risk a year, 95% CI on fresh numbers.")
    row += 3
    for sentence in s.takeaway:
        X.text_block(ws, row, X.day_words(sentence), width)
        row += 1
    risk = (s.risk or {}).get("sites", {})  # the time-to-survive gap, beside the decision
    sites = [
        {"site_id": sid, **v, "gap_days": risk.get(sid, {}).get("gap_days")}
        for sid, v in rec["recommended"]["sites"].items()
        if v["recommended_days"] != v["current_days"]
    ]
    sites.sort(key=lambda r: -r["extra_value"])
    _first, last = X.table(ws, row + 1, DECISION_COLUMNS, sites)
    row = max(last, row + 1) + 2
    points = [
        {
            "steps": p["steps"],
            "inventory_value": p["inventory_value"],
            "holding_cost_per_year": p["holding_cost_per_year"],
            "revenue_at_risk": p["revenue_at_risk"]["mean"],
            "revenue_at_risk_lo": p["revenue_at_risk"]["ci95"][0],
            "revenue_at_risk_hi": p["revenue_at_risk"]["ci95"][1],
        }
        for p in rec["frontier"]
    ]
    _first, last = X.table(ws, row, FRONTIER_COLUMNS, points)
    return last + 3


def _plan_facts(s: ScenarioReport, currency: str) -> str:
    parts = []
    if s.gsm is not None:
        gap = s.gsm.get("gap")
        parts.append(
            f"GSM: service level {style.pct(s.gsm.get('service_level'), 1)}, "
            f"{review_words(s.gsm.get('review_days'))}, holding cost "
            f"{style.money(s.gsm.get('total_cost'), currency)} per year, " + optimality_words(gap)
        )
    else:
        parts.append("GSM: not available")
    if s.placement is not None:
        p = s.placement
        imp = p.get("improvement", {})
        parts.append(
            f"disruption-aware: {style.money(p.get('total_cost'), currency)} of "
            f"{style.money(p.get('budget'), currency)} placed; expected lost revenue lower by "
            f"{style.money_ci(imp.get('mean'), imp.get('ci95'))} on fresh random numbers"
        )
    else:
        parts.append("disruption-aware: not run (make the report with --budget AMOUNT)")
    parts += list(s.notes)
    return "; ".join(parts) + "."


# ----------------------------------------------------------------------------- Scenarios


def write_scenarios(ws: Worksheet, data: ReportData) -> None:
    names, template, table = tables.scenario_kpis(data)
    ref = names[0]
    _sheet_head(
        ws,
        "Scenarios side by side",
        f"Changes are against {ref} (probabilities: in percentage points). Runs with the same "
        "seed, trials and days share their random numbers, so their differences get paired "
        "95% CIs.",
    )
    deltas = tables.deltas(data)
    heads = ["Key result", *names]
    for n in names[1:]:
        heads += [f"Change {n}", "CI low", "CI high"]
    X.header(ws, 4, heads)
    ws.row_dimensions[4].height = 45
    for i, k in enumerate(template, start=5):
        X.put(ws, i, 1, k.label)
        for j, n in enumerate(names, start=2):
            X.put(ws, i, j, table[n][i - 5].mean, k.kind)
        col = 2 + len(names)
        for n in names[1:]:
            d = deltas[n][k.key]
            X.put(ws, i, col, d.mean, k.kind)
            X.put(ws, i, col + 1, d.lo, k.kind)
            X.put(ws, i, col + 2, d.hi, k.kind)
            col += 3
    kpi_last = 4 + len(template)
    chart_row = kpi_last + 2
    scen_cols = list(range(2, 2 + len(names)))
    pct_rows = [i for i, k in enumerate(template, start=5) if k.kind == "pct"]
    money_rows = [i for i, k in enumerate(template, start=5) if k.kind == "money"]
    money_fmt = money_axis_format(column_values(ws, scen_cols, money_rows[0], money_rows[-1]))
    for rows_, anchor, title_, fmt, ytitle in (
        (pct_rows, chart_row, "Probabilities and fill rate", PCT_AXIS, "Share"),
        (
            money_rows,
            chart_row + CHART_ROWS,
            f"Lost revenue ({data.currency})",
            money_fmt,
            data.currency,
        ),
    ):
        ch = bar_chart(
            ws,
            header_row=4,
            first=rows_[0],
            last=rows_[-1],
            cat_col=1,
            value_cols=scen_cols,
            title=style.clean_text(title_),
            x_title="Key result",
            y_title=style.clean_text(ytitle),
            number_format=fmt,
        )
        if fmt == PCT_AXIS:
            ch.y_axis.scaling.min, ch.y_axis.scaling.max = 0, 1
        ws.add_chart(ch, f"A{anchor}")
    row = chart_row + 2 * CHART_ROWS + 1
    X.title(ws, row, "Stockout-day probability of each site", sub=True)
    cmp_cols = [Column("site_id", "Site"), Column("type", "Type")]
    cmp_cols += [Column(n, n, "pct") for n in names]
    cmp_cols += [Column(f"delta:{n}", f"Change {n}", "pct") for n in names[1:]]
    first, last = X.table(ws, row + 1, cmp_cols, tables.site_comparison(data))
    # one scale over all scenario columns, so equal colours mean equal risk
    X.colour_scale(ws, 3, first, last, last_col=2 + len(names))
    for j, c in enumerate(cmp_cols, start=1):
        if c.key.startswith("delta:"):
            X.diverging_scale(ws, j, first, last)
    X.fit_columns(ws, max_width=40)
    ws.column_dimensions["A"].width = 40


# ----------------------------------------------------------------------------- Network


def map_png(s: ScenarioReport, dpi: int = MAP_DPI) -> bytes:
    """The network map of a scenario, coloured by stockout-day probability, as PNG."""
    values = {
        sid: st["stockout_day_probability"]["mean"] for sid, st in s.simulation["sites"].items()
    }
    fig = network_map_figure(
        build_graph(s.network),
        values,
        title=f"Network map, scenario {s.name}: sites coloured by stockout-day probability",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def write_network(ws: Worksheet, data: ReportData) -> None:
    row = _sheet_head(
        ws,
        "Network maps",
        "Raw suppliers on the left, customers on the right; fill colour is the stockout-day "
        "probability, marker and outline the region.",
    )
    for s in data.scenarios:
        X.title(ws, row, f"Scenario {s.name}", sub=True)
        img = Image(io.BytesIO(map_png(s)))
        scale = MAP_WIDTH_PX / img.width
        img.width, img.height = MAP_WIDTH_PX, round(img.height * scale)
        ws.add_image(img, f"A{row + 1}")
        row += int(img.height / 20) + 4


# ----------------------------------------------------------------------------- Inputs

#: The sheet ``jitrisk fit`` adds to a workbook (:mod:`jitrisk.history.workbook_out`).
FIT_SHEET = "Fit"


def write_inputs(ws: Worksheet, data: ReportData, input_path: PathLike | None) -> None:
    """The input sheets, one block under the other, values only and text as text."""
    blocks, source_note = input_blocks(data, input_path)
    row = _sheet_head(ws, f"Inputs: {data.provenance.workbook}", source_note)
    for name, rows in blocks:
        X.title(ws, row, name, sub=True)
        if rows:
            X.header(ws, row + 1, [X.cell_value(v) or "" for v in rows[0]])  # type: ignore[misc]
            for i, values in enumerate(rows[1:], start=row + 2):
                for j, v in enumerate(values, start=1):
                    X.put(ws, i, j, v)
        row += len(rows) + 3
    X.fit_columns(ws, max_width=40)


def input_blocks(
    data: ReportData, input_path: PathLike | None
) -> tuple[list[tuple[str, list[Sequence[object]]]], str]:
    """Rows of each input sheet, and where they came from.

    From the input file when it is still the one the analysis read (same
    SHA-256); otherwise from the network itself, written in the template's
    layout.
    """
    path = Path(input_path) if input_path else None
    sha = data.provenance.workbook_sha256
    if path is not None and path.is_file() and sha and _sha256(path) == sha:
        try:
            blocks = _read_sheets(path)
            note = f"Copied from {path.name} (SHA-256 {sha}), values only."
            if any(name.lower() == FIT_SHEET.lower() for name, _rows in blocks):
                note += (
                    " Values marked in its Fit sheet came from delivery history "
                    "(jitrisk fit): the Fit block lists each fit, its sample and its quality."
                )
            return blocks, note
        except (OSError, ValueError, KeyError) as exc:
            reason = f"{path.name} could not be read again ({exc})"
    elif path is not None and path.is_file() and sha:
        reason = f"{path.name} changed after it was read"
    else:
        reason = "no input workbook file"
    from ..workbook.writer import network_workbook

    wb = network_workbook(data.network)
    blocks = [(s.name, _values(wb[s.name])) for s in SHEETS if s.name in wb.sheetnames]
    return blocks, f"{reason}: these are the inputs the analysis used, in the template's layout."


def _read_sheets(path: Path) -> list[tuple[str, list[Sequence[object]]]]:
    wanted = {s.name.lower(): s.name for s in SHEETS} | {FIT_SHEET.lower(): FIT_SHEET}
    with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported"
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            if ws.title.lower() in wanted:
                out.append((ws.title, _values(ws)))
        return out
    finally:
        wb.close()


def _values(ws: Any) -> list[Sequence[object]]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max(
        (max((j + 1 for j, v in enumerate(r) if v is not None), default=0) for r in rows), default=0
    )
    return [r[:width] for r in rows]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
