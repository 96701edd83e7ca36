"""The Summary sheet of the Excel report, and its chart.

The key-results table starts at row 4 and stays there: other tools read it.
Under it come the decision, then the sites where the most money is at risk in
any scenario, ranked by money, what a planner weighs a buffer against: with a
risk report, each site's performance impact (the lost revenue of an outage
lasting its time to recover, the risk exposure in money); without one, the
expected lost revenue the simulation booked at each site. The chart is a
native bar chart over a small table written under it, so it can be restyled
and its numbers read; then what produced the results, and notes.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from . import style, tables
from . import xlsx as X
from .build import ReportData
from .tables import Column, ci_columns
from .xlsx_charts import bar_chart, column_values, money_axis_format, rows_for_height

#: Sites shown in the chart.
TOP = 10
#: Columns the decision's sentences span.
SUMMARY_TEXT_COLS = 8

SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("scenario", "Scenario"),
    *ci_columns(
        "any_customer_stockout_probability", "P(any customer stockout in horizon)", "pct", ""
    ),
    *ci_columns(
        "any_customer_stockout_day_probability", "Share of days with a customer short", "pct", ""
    ),
    *ci_columns("fill_rate", "Customer fill rate", "pct", ""),
    *ci_columns("lost_revenue", "Expected lost revenue", "money", ""),
    Column("var95", "Lost revenue VaR95", "money"),
    Column("cvar95", "Lost revenue CVaR95", "money"),
    Column("trials", "Trials", "int"),
    Column("days", "Days", "int"),
    Column("warmup_days", "Warm-up days", "int"),
    Column("seed", "Seed", "int"),
    Column("unmet_demand", "Unmet demand"),
)


def summary_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row of key results per scenario (the Summary table)."""
    rows = []
    for s in data.scenarios:
        row: dict[str, Any] = {"scenario": s.name}
        for k in tables.kpis(s.simulation):
            row[k.key] = k.mean
            if k.lo is not None:
                row[f"{k.key}_lo"], row[f"{k.key}_hi"] = k.lo, k.hi
        for key in ("trials", "days", "warmup_days", "seed", "unmet_demand"):
            row[key] = s.simulation.get(key)
        rows.append(row)
    return rows


#: Columns the decision's sentences span on the Summary sheet.
SUMMARY_TEXT_COLS = 8


def write_summary(ws: Worksheet, data: ReportData) -> None:
    """The Summary sheet: key results (header at row 4, where other tools read it), the
    decision, the sites with the most money at risk, what produced it all and notes."""
    p = data.provenance
    X.title(ws, 1, f"jitrisk report: {p.workbook}")
    X.note(
        ws,
        2,
        "Key results per scenario with 95% confidence intervals; amounts in "
        f"{p.currency}; with backorders the 'lost' revenue is delivered late: revenue at "
        "risk. Every number comes from the simulation named below.",
    )
    _first, last = X.table(ws, 4, SUMMARY_COLUMNS, summary_rows(data))
    ws.row_dimensions[4].height = 45
    row = last + 2
    decided = [s for s in data.scenarios if s.takeaway]
    if decided:  # the decision, right under the key results (jitrisk.report.takeaway)
        X.title(ws, row, "The decision", sub=True)
        for s in decided:
            for sentence in (f"Scenario {s.name}:", *s.takeaway):
                row += 1
                X.text_block(ws, row, sentence, SUMMARY_TEXT_COLS)
        row += 2
    row = write_site_money(ws, row, data) + 2
    X.title(ws, row, "What produced these results", sub=True)
    row += 1
    for label, value in p.rows():
        X.put(ws, row, 1, label).font = X.HEADER_FONT
        c = X.put(ws, row, 2, value, "money" if label == "Placement budget" else None)
        c.alignment = Alignment(horizontal="left")
        row += 1
    notes = [f"{s.name}: {n}" for s in data.scenarios for n in s.notes] + list(data.notes)
    if notes:
        row += 1
        X.title(ws, row, "Notes", sub=True)
        for n in notes:
            row += 1
            X.text_block(ws, row, n, SUMMARY_TEXT_COLS)
    X.fit_columns(ws, max_width=16)  # long provenance values run into the empty cells
    ws.column_dimensions["A"].width = 34
    ws.freeze_panes = "B5"


def site_money(data: ReportData) -> tuple[str, list[Column], list[dict[str, Any]]]:
    """What the chart shows, its table's columns and rows (the top :data:`TOP` sites).

    Returns
    -------
    measure : str
        What the values are, for the section's note.
    columns : list of Column
        Site, name and one money column per scenario, headed by its name (the
        series names of the chart).
    rows : list of dict
        Sites with money at risk in some scenario, most first (largest over
        the scenarios); empty when no site has any.
    """
    by_risk = any((s.risk or {}).get("sites") for s in data.scenarios)
    values: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    for s in data.scenarios:
        if by_risk:
            risk_sites = (s.risk or {}).get("sites") or {}
            found = {k: r["performance_impact"]["mean"] for k, r in risk_sites.items()}
        else:
            found = {k: st["lost_revenue"]["mean"] for k, st in s.simulation["sites"].items()}
        for sid, v in found.items():
            if isinstance(v, int | float) and math.isfinite(v):
                # an impact below 0 is sampling noise about 0 (xlsx.non_negative)
                values.setdefault(sid, {})[s.name] = max(0.0, float(v))
        names.update({k: v for k, v in s.names.items() if v and v != k})
    ranked = sorted(
        (sid for sid, v in values.items() if max(v.values()) > 0),
        key=lambda sid: (-max(values[sid].values()), sid),
    )[:TOP]
    cols = [Column("site_id", "Site"), Column("name", "Name")]
    cols += [Column(f"scenario:{s.name}", s.name, "money") for s in data.scenarios]
    rows = [
        {"site_id": sid, "name": names.get(sid, "")}
        | {f"scenario:{n}": v for n, v in values[sid].items()}
        for sid in ranked
    ]
    measure = (
        "performance impact: the revenue an outage of the site lasting its time to recover "
        "puts at risk (Risk sheet, with 95% CIs)"
        if by_risk
        else "expected lost revenue booked at the site in the simulation (Sites sheet, with "
        "95% CIs)"
    )
    return measure, cols, rows


def write_site_money(ws: Worksheet, row: int, data: ReportData) -> int:
    """The money-at-risk section of the Summary sheet.

    Parameters
    ----------
    ws : Worksheet
        The Summary sheet.
    row : int
        First row of the section: its title and note, then the chart, then
        its table (under the chart, so the chart covers no cell).
    data : ReportData

    Returns
    -------
    int
        The row after the section.
    """
    measure, cols, rows = site_money(data)
    X.title(ws, row, "Where the money is at risk", sub=True)
    if not rows:
        X.note(ws, row + 1, "No site has revenue at risk in any scenario.")
        return row + 3
    X.note(
        ws,
        row + 1,
        f"{'The site' if len(rows) == 1 else f'The {len(rows)} sites'} with the most money at "
        f"risk, in {data.currency}: {measure}.",
    )
    chart_row = row + 2
    n = len(rows)
    height = max(11.0, 0.55 * n * len(data.scenarios) + 3)
    header_row = chart_row + rows_for_height(height)
    first, last = X.table(ws, header_row, cols, rows)
    value_cols = list(range(3, 3 + len(data.scenarios)))
    ch = bar_chart(
        ws,
        header_row=header_row,
        first=first,
        last=last,
        cat_col=1,
        value_cols=value_cols,
        title=style.clean_text(f"Money at risk by site ({data.currency})"),
        x_title="Site",
        y_title=style.clean_text(
            f"At risk if down for its recovery time ({data.currency})"
            if measure.startswith("performance impact")
            else f"Revenue at risk ({data.currency})"
        ),
        horizontal=True,
        number_format=money_axis_format(column_values(ws, value_cols, first, last)),
    )
    ch.height = height
    ws.add_chart(ch, f"A{chart_row}")
    return last + 1
