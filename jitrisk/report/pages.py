"""The content of each page of the brief and each slide of the deck, format-neutral.

A :class:`TextTable` is a small table of strings (numbers already spelled as
the planner reads them); the PDF draws it with matplotlib, the deck as an
editable PowerPoint table. Captions say what a chart shows and from what.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..analysis.gsm.stages import review_words
from . import style, tables
from .build import ReportData, ScenarioReport


@dataclass(frozen=True)
class TextTable:
    """Headers, rows of text, and per column: relative width and alignment (l, r, c)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    align: tuple[str, ...]
    note: str = ""
    highlight: tuple[int, ...] = field(default=())  # rows to emphasise


def kpi_table(s: ScenarioReport) -> TextTable:
    """The network KPIs of a scenario with their 95% CIs."""
    rows = []
    for k in tables.kpis(s.simulation):
        value, ci = tables.kpi_text(k, s.currency)
        rows.append((k.label, value, ci or "–"))
    sim = s.simulation
    note = (
        f"{sim['trials']:,} trials x {sim['days']} days (warm-up {sim['warmup_days']}), "
        f"seed {sim['seed']}; unmet demand: {sim['unmet_demand']}."
    )
    return TextTable(
        ("Key result", "Estimate", "95% CI"), tuple(rows), (2.4, 1.1, 1.9), ("l", "r", "r"), note
    )


def overview_table(data: ReportData) -> TextTable:
    """One line per scenario: the headline numbers."""
    rows = []
    for s in data.scenarios:
        k = {x.key: x for x in tables.kpis(s.simulation)}
        rows.append(
            (
                style.clean_text(s.name),
                style.pct_ci(
                    k["any_customer_stockout_probability"].mean,
                    _ci(k, "any_customer_stockout_probability"),
                ),
                style.pct_ci(k["fill_rate"].mean, _ci(k, "fill_rate")),
                style.money_ci(k["lost_revenue"].mean, _ci(k, "lost_revenue")),
                style.compact(k["cvar95"].mean),
            )
        )
    cur = data.currency
    return TextTable(
        (
            "Scenario",
            "P(any customer stockout)",
            "Customer fill rate",
            f"Expected {tables.revenue_words(_unmet(data))} ({cur})",
            f"CVaR95 ({cur})",
        ),
        tuple(rows),
        (1.6, 1.9, 1.9, 2.2, 1.1),
        ("l", "r", "r", "r", "r"),
        "Estimates with 95% confidence intervals.",
    )


def _unmet(data: ReportData) -> str | None:
    return data.scenarios[0].simulation.get("unmet_demand") if data.scenarios else None


def _ci(k: dict[str, tables.Kpi], key: str) -> list[float] | None:
    x = k[key]
    return [x.lo, x.hi] if x.lo is not None and x.hi is not None else None


def provenance_table(data: ReportData) -> TextTable:
    rows = tuple(
        (label, style.clean_text(_prov_value(label, v))) for label, v in data.provenance.rows()
    )
    return TextTable(("", ""), rows, (2.3, 3.2), ("l", "l"))


def _prov_value(label: str, value: object) -> str:
    if isinstance(value, float) and label == "Placement budget":
        return f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
        return f"{value:,}"
    return str(value)


def top_table(s: ScenarioReport, n: int = 10) -> TextTable:
    rows = []
    for r in tables.top_sites(s, n):
        rows.append(
            (
                style.clean_text(r["site_id"]),
                style.clean_text(r["type"]),
                style.pct_ci(
                    r["stockout_day_probability"],
                    [r["stockout_day_probability_lo"], r["stockout_day_probability_hi"]],
                ),
                style.pct(r["fill_rate"]),
                style.compact(r["lost_revenue"]),
            )
        )
    return TextTable(
        ("Site", "Type", "Stockout-day probability", "Fill rate", f"Lost revenue ({s.currency})"),
        tuple(rows),
        (2.0, 1.0, 2.2, 1.0, 1.4),
        ("l", "l", "r", "r", "r"),
    )


def recommended_table(s: ScenarioReport, n: int = 12) -> TextTable:
    """Sites that need a buffer decision: now, GSM plan, disruption-aware plan, exposure."""
    rows_, total = tables.recommended_rows(s, n)
    with_plan = s.placement is not None
    decided = (s.recommendation or {}).get("recommended", {}).get("sites", {})
    headers = ["Site", "Now (days)"]
    widths = [1.6, 0.8]
    align = ["l", "r"]
    if decided:  # the one recommendation, reconciled with every other format
        headers += ["Recommended (days)", f"Removes a year ({s.currency})"]
        widths += [1.1, 1.1]
        align += ["r", "r"]
    headers.append("Demand-only GSM (days)")
    widths.append(1.1)
    align.append("r")
    if with_plan:
        headers.append("Disruption-aware (days)")
        widths.append(1.3)
        align.append("r")
    headers.append("Time to survive vs time to recover")
    widths.append(4.9 - (2.2 if decided else 0.0) - (0.7 if with_plan else 0.0))
    align.append("l")
    rows = []
    highlight = []
    for i, r in enumerate(rows_):
        line = [style.clean_text(r["site_id"]), style.days(r["current_days"])]
        if decided:
            site = decided.get(r["site_id"])
            line.append(style.days(site["recommended_days"]) if site else "–")
            removes = (site or {}).get("removes_per_year")
            line.append(style.compact(removes) if removes else "–")
        line.append(style.days(r["gsm_days"]))
        if with_plan:
            extra = r["aware_extra"] or 0.0
            line.append(style.days(r["aware_days"]) + (f" (+{extra:g})" if extra else ""))
        line.append(
            style.clean_text(r["advice"])
            if r["exposed"]
            else "survives its outage"
            if r["exposed"] is False
            else "–"
        )
        rows.append(tuple(line))
        if r["exposed"]:
            highlight.append(i)
    if not rows:
        note = "No site needs more buffer: no site is exposed and neither plan adds stock."
    else:
        more = f" {total - len(rows)} more in the Excel report." if total > len(rows) else ""
        note = (
            (
                "Recommended: the plan after the last days of cover that remove at least "
                "their own holding cost in revenue at risk (page 1). "
                if decided
                else ""
            )
            + "Demand-only GSM: guaranteed-service plan (normal demand, no disruptions, "
            f"{review_words((s.gsm or {}).get('review_days'))}). "
            + (
                "Disruption-aware: the budget placed by simulation. "
                if with_plan
                else "Add --budget AMOUNT for the disruption-aware plan. "
            )
            + (
                "Sites by what their recommended days remove, then exposed sites (TTS < TTR)."
                if decided
                else "Exposed sites (TTS < TTR) first."
            )
            + more
        )
    return TextTable(
        tuple(headers), tuple(rows), tuple(widths), tuple(align), note, tuple(highlight)
    )


def comparison_table(data: ReportData) -> TextTable:
    """KPIs of each scenario and the change from the first (with CIs where known)."""
    names, template, table = tables.scenario_kpis(data)
    deltas = tables.deltas(data)
    headers = ["Key result", *[style.clean_text(n) for n in names]]
    headers += [f"Change: {style.clean_text(n)}" for n in names[1:]]
    rows = []
    for i, k in enumerate(template):
        line = [k.label]
        for n in names:
            line.append(tables.kpi_text(table[n][i], "")[0])
        for n in names[1:]:
            line.append(tables.delta_text(deltas[n][k.key], k.kind))
        rows.append(tuple(line))
    widths = (2.4, *([1.1] * len(names)), *([1.7] * (len(names) - 1)))
    align = ("l", *(["r"] * (2 * len(names) - 1)))
    return TextTable(
        tuple(headers),
        tuple(rows),
        widths,
        align,
        f"Changes against {style.clean_text(names[0])}; probabilities in percentage points; "
        "95% CIs paired where the runs share their random numbers.",
    )


def curve_caption(s: ScenarioReport) -> str:
    c = s.curve or {}
    return (
        f"{s.curve_reason}. Current buffer {style.days(c.get('current_buffer_days'))} days, "
        f"knee {style.days(c.get('knee_buffer_days'))} days; {c.get('trials', '–')} trials "
        "per level on common random numbers."
    )


def risk_caption(s: ScenarioReport) -> str:
    r = s.risk or {}
    sites = r.get("sites") or {}
    exposed = [k for k, v in sites.items() if v.get("exposed")]
    head = (
        f"{len(exposed)} of {len(sites)} stocking sites run customers dry before they recover"
        if sites
        else "No TTS analysis"
    )
    worst = ", ".join(style.clean_text(x) for x in exposed[:4])
    return (
        head
        + (f" (worst: {worst})" if worst else "")
        + f". TTS by simulation, {r.get('trials', '–')} trials per site over "
        f"{r.get('days', '–')} days."
    )
