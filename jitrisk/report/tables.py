"""The tables of a report, format-neutral: rows of plain values the writers lay out.

Keeping them here means the Excel sheet, the PDF page and the slide of a table
show the very same numbers, taken straight from the result documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..engine.results import mean_estimate
from .build import ReportData, ScenarioReport
from .figures import rank_sites

Kind = Literal["text", "pct", "money", "units", "days", "int", "index", "bool"]


@dataclass(frozen=True)
class Column:
    """A table column: key in the row dicts, header text, number kind, width hint."""

    key: str
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Kpi:
    """A network key result with its 95% CI (``lo``/``hi`` None where there is none)."""

    key: str
    label: str
    mean: float
    lo: float | None
    hi: float | None
    kind: Kind


def _ci(d: dict[str, Any]) -> tuple[float, float | None, float | None]:
    ci = d.get("ci95")
    return float(d["mean"]), (float(ci[0]) if ci else None), (float(ci[1]) if ci else None)


def ci_columns(key: str, label: str, kind: Kind, short: str | None = None) -> tuple[Column, ...]:
    """An estimate and the ends of its 95% CI: columns ``key``, ``key_lo`` and ``key_hi``.

    The ends are headed "<short>: CI low/high" (``short`` defaults to ``label``;
    an empty ``short`` gives plain "CI low/high").
    """
    head = label if short is None else short
    lo, hi = (f"{head}: CI low", f"{head}: CI high") if head else ("CI low", "CI high")
    return (Column(key, label, kind), Column(f"{key}_lo", lo, kind), Column(f"{key}_hi", hi, kind))


def put_ci(row: dict[str, Any], key: str, estimate: dict[str, Any]) -> None:
    """``row[key]``, ``row[key_lo]``, ``row[key_hi]`` from a ``{"mean", "ci95"}`` document."""
    row[key], row[f"{key}_lo"], row[f"{key}_hi"] = _ci(estimate)


def _bounds(ci: Any) -> tuple[float | None, float | None]:
    """A ``[lo, hi]`` interval as two floats, or (None, None) where none was computed."""
    return (float(ci[0]), float(ci[1])) if ci else (None, None)


def revenue_words(unmet_demand: str | None) -> str:
    """What the ``lost_revenue`` metric is, in words: with backorders the revenue is
    delivered late, not lost (DOMAIN.md); with lost sales it is lost."""
    return "lost revenue" if unmet_demand == "lost" else "revenue at risk (delivered late)"


def kpis(sim: dict[str, Any]) -> list[Kpi]:
    """The network KPIs of a ``simulate --json`` document, in reading order; the revenue
    ones named for what they are (:func:`revenue_words`)."""
    n = sim["network"]
    lr = n["lost_revenue"]
    words = revenue_words(sim.get("unmet_demand"))
    short = "Lost revenue" if words == "lost revenue" else "Revenue at risk"
    out = [
        Kpi(
            "any_customer_stockout_probability",
            "P(any customer stockout in the horizon)",
            *_ci(n["any_customer_stockout_probability"]),
            "pct",
        ),
        Kpi(
            "any_customer_stockout_day_probability",
            "Share of days with a customer short",
            *_ci(n["any_customer_stockout_day_probability"]),
            "pct",
        ),
        Kpi("fill_rate", "Customer fill rate", *_ci(n["fill_rate"]), "pct"),
        Kpi("lost_revenue", f"Expected {words}", *_ci(lr), "money"),
        Kpi("var95", f"{short} VaR95", float(lr["var95"]), *_bounds(lr.get("var95_ci95")), "money"),
        Kpi(
            "cvar95",
            f"{short} CVaR95",
            float(lr["cvar95"]),
            *_bounds(lr.get("cvar95_ci95")),
            "money",
        ),
    ]
    return out


# ----------------------------------------------------------------------------- sites

#: Estimates of each site (mean and 95% CI columns), with their kinds.
SITE_ESTIMATES: tuple[tuple[str, str, Kind], ...] = (
    ("stockout_day_probability", "Stockout-day probability", "pct"),
    ("stockout_probability", "P(stockout in horizon)", "pct"),
    ("fill_rate", "Fill rate", "pct"),
    ("expected_backorders", "Expected backorders (units)", "units"),
    ("lost_units", "Lost units", "units"),
    ("short_units", "Units short", "units"),
    ("lost_revenue", "Lost revenue", "money"),
)


def site_columns() -> list[Column]:
    """Columns of the per-site table (every metric, each estimate with its CI)."""
    cols = [
        Column("scenario", "Scenario"),
        Column("site_id", "Site"),
        Column("name", "Name"),
        Column("type", "Type"),
        Column("region", "Region"),
    ]
    for key, label, kind in SITE_ESTIMATES:
        cols += ci_columns(key, label, kind)
    cols += ci_columns("days_out_of_stock", "Days out of stock (mean)", "days", "Days out of stock")
    cols += [
        Column("days_out_of_stock_p90", "Days out of stock (90th percentile)", "days"),
        Column("average_on_hand", "Average on hand (units)", "units"),
        Column("average_inventory_value", "Average inventory value", "money"),
        Column("base_stock", "Base-stock level S (units)", "units"),
        Column("mean_daily_demand", "Mean daily demand (units)", "units"),
        Column("buffer_days", "Safety stock now (days)", "days"),
    ]
    return cols


def site_rows(scen: ScenarioReport) -> list[dict[str, Any]]:
    """One row per site and customer (worst first), then one per line-side buffer."""
    sites = scen.simulation["sites"]
    by_id = scen.network.site_by_id
    rows: list[dict[str, Any]] = []
    for sid in rank_sites(sites):
        st = sites[sid]
        site = by_id.get(sid)
        row: dict[str, Any] = {
            "scenario": scen.name,
            "site_id": sid,
            "name": site.name if site else "",
            "type": st.get("type", ""),
            "region": site.region if site else "",
        }
        for key, _label, _kind in SITE_ESTIMATES:
            if key in st:
                put_ci(row, key, st[key])
        dos = st.get("days_out_of_stock", {})
        row["days_out_of_stock"] = dos.get("mean")
        ci = dos.get("ci95") or [None, None]
        row["days_out_of_stock_lo"], row["days_out_of_stock_hi"] = ci[0], ci[1]
        row["days_out_of_stock_p90"] = dos.get("p90")
        for key in ("average_on_hand", "average_inventory_value", "base_stock"):
            row[key] = st.get(key)
        if st.get("type") == "customer":
            row["base_stock"] = None
        row["mean_daily_demand"] = st.get("mean_daily_demand")
        row["buffer_days"] = scen.current_buffer_days.get(sid)
        rows.append(row)
    for label, b in (scen.simulation.get("buffers") or {}).items():
        row = {"scenario": scen.name, "site_id": label, "type": "line-side buffer"}
        for key in ("stockout_day_probability", "fill_rate"):
            put_ci(row, key, b[key])
        row["average_on_hand"] = b.get("average_on_hand")
        row["base_stock"] = b.get("base_stock")
        rows.append(row)
    return rows


def top_sites(scen: ScenarioReport, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` sites most at risk (stockout-day probability, then lost revenue)."""
    return [r for r in site_rows(scen) if r["type"] != "line-side buffer"][:n]


TOP_COLUMNS = (
    Column("site_id", "Site"),
    Column("type", "Type"),
    Column("stockout_day_probability", "Stockout-day probability", "pct"),
    Column("fill_rate", "Fill rate", "pct"),
    Column("lost_revenue", "Lost revenue", "money"),
)


# ----------------------------------------------------------------------------- curve

CURVE_COLUMNS = (
    Column("buffer_days", "Safety stock (days)", "days"),
    *ci_columns("stockout_day_probability", "Stockout-day probability", "pct"),
    *ci_columns("fill_rate", "Fill rate", "pct"),
    *ci_columns("lost_revenue", "Network lost revenue", "money", "Lost revenue"),
)


def curve_rows(curve: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per buffer level of a ``sweep --json`` document."""
    rows = []
    for lv in curve.get("levels", []):
        row: dict[str, Any] = {"buffer_days": float(lv["buffer_days"])}
        for key in ("stockout_day_probability", "fill_rate", "lost_revenue"):
            put_ci(row, key, lv[key])
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- risk

RISK_COLUMNS = (
    Column("target", "Site or region"),
    Column("kind", "Kind"),
    Column("ttr_days", "TTR (days)", "days"),
    Column("ttr_source", "TTR from"),
    *ci_columns("tts_days", "TTS (days)", "days", "TTS"),
    Column("tts_lp_days", "TTS by LP (days)", "days"),
    *ci_columns("performance_impact", "Performance impact (lost revenue)", "money", "PI"),
    Column("performance_impact_lp", "PI by LP", "money"),
    Column("risk_exposure_index", "Risk exposure index", "index"),
    Column("exposed", "Exposed (TTS < TTR)", "bool"),
    Column("gap_days", "Gap (days)", "days"),
    Column("advice", "Advice"),
)


def risk_rows(risk: dict[str, Any]) -> list[dict[str, Any]]:
    """Sites then regions, each ranked by risk exposure index (as the report ranks them)."""
    rows = []
    for kind in ("sites", "regions"):
        for target, r in (risk.get(kind) or {}).items():
            row: dict[str, Any] = {
                "target": target,
                "kind": "region" if kind == "regions" else "site",
                "ttr_days": r.get("ttr_days"),
                "ttr_source": r.get("ttr_source", ""),
                "tts_lp_days": r.get("tts_lp_days"),
                "performance_impact_lp": r.get("performance_impact_lp"),
                "risk_exposure_index": r.get("risk_exposure_index"),
                "exposed": bool(r.get("exposed")),
                "gap_days": r.get("gap_days"),
                "advice": r.get("advice", ""),
            }
            put_ci(row, "tts_days", r["tts_days"])
            put_ci(row, "performance_impact", r["performance_impact"])
            rows.append(row)
    return rows


# ----------------------------------------------------------------------------- buffers

PLAN_COLUMNS = (
    Column("site_id", "Site"),
    Column("type", "Type"),
    Column("current_days", "Safety stock now (days)", "days"),
    Column("gsm_days", "Guaranteed-service plan (days)", "days"),
    Column("gsm_units", "GSM safety stock (units)", "units"),
    Column("gsm_value", "GSM safety stock value", "money"),
    Column("service_time", "GSM committed service time (days)", "int"),
    Column("net_lead_time", "GSM net lead time (days)", "int"),
    Column("aware_days", "Disruption-aware plan (days)", "days"),
    Column("aware_extra", "Disruption-aware: extra days", "days"),
    Column("exposed", "Exposed (TTS < TTR)", "bool"),
    Column("advice", "Time-to-survive advice"),
)


def plan_rows(scen: ScenarioReport) -> list[dict[str, Any]]:
    """Every stocking site: buffer now, the recommendation (days and the revenue at risk
    its days remove), the GSM plan, the disruption-aware plan, exposure.

    Sorted by what most needs attention: the recommendation's sites by what their
    days remove, then exposed sites by risk exposure index, then the largest
    additions of either other plan.
    """
    decided = (scen.recommendation or {}).get("recommended", {}).get("sites", {})
    gsm_sites = (scen.gsm or {}).get("sites", {})
    aware = (scen.placement or {}).get("sites", {})
    risk = (scen.risk or {}).get("sites", {})
    types = {sid: st.get("type", "") for sid, st in scen.simulation["sites"].items()}
    rows = []
    for sid, now in scen.current_buffer_days.items():
        g = gsm_sites.get(sid, {})
        a = aware.get(sid, {})
        r = risk.get(sid, {})
        rows.append(
            {
                "site_id": sid,
                "type": types.get(sid, ""),
                "current_days": now,
                "gsm_days": g.get("safety_stock_days"),
                "gsm_units": g.get("safety_stock_units"),
                "gsm_value": g.get("safety_stock_value"),
                "service_time": g.get("committed_service_time"),
                "net_lead_time": g.get("net_lead_time"),
                "aware_days": a.get("safety_stock_days") if scen.placement else None,
                "aware_extra": a.get("extra_days") if scen.placement else None,
                "exposed": bool(r.get("exposed")) if r else None,
                "advice": r.get("advice", "") if r else "",
                "recommended_days": decided.get(sid, {}).get("recommended_days"),
                "removes_per_year": decided.get(sid, {}).get("removes_per_year"),
                "_rei": float(r.get("risk_exposure_index") or 0.0) if r else 0.0,
            }
        )

    def key(row: dict[str, Any]) -> tuple[float, float, float, float, str]:
        gsm_add = _num(row["gsm_days"]) - _num(row["current_days"])
        return (
            -_num(row["removes_per_year"]),
            -float(bool(row["exposed"])) * (1 + row["_rei"]),
            -_num(row["aware_extra"]),
            -gsm_add,
            row["site_id"],
        )

    rows.sort(key=key)
    for row in rows:
        del row["_rei"]
    return rows


def recommended_rows(scen: ScenarioReport, n: int = 12) -> tuple[list[dict[str, Any]], int]:
    """The sites with a recommendation (exposed, or either plan adds half a day or more),
    at most ``n`` of them, and how many there are in all."""
    picked = [
        r
        for r in plan_rows(scen)
        if r["exposed"]
        or _num(r["recommended_days"]) > _num(r["current_days"])
        or _num(r["aware_extra"]) > 0
        or _num(r["gsm_days"]) - _num(r["current_days"]) >= 0.5
    ]
    return picked[:n], len(picked)


def _num(x: object) -> float:
    return float(x) if isinstance(x, int | float) and math.isfinite(x) else 0.0


# ----------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Delta:
    """Difference of a KPI from the reference scenario, with a 95% CI where one is known."""

    mean: float
    lo: float | None
    hi: float | None
    paired: bool


def scenario_kpis(data: ReportData) -> tuple[list[str], list[Kpi], dict[str, list[Kpi]]]:
    """Scenario names, the KPI template (first scenario) and every scenario's KPIs."""
    names = [s.name for s in data.scenarios]
    table = {s.name: kpis(s.simulation) for s in data.scenarios}
    return names, table[names[0]], table


def deltas(data: ReportData) -> dict[str, dict[str, Delta]]:
    """For each scenario after the first: KPI key -> difference from the first scenario.

    Runs with the same seed, trials and days share their random numbers, so the
    differences of expected lost revenue and of P(any customer stockout) get a
    paired CI from per-trial differences; otherwise an unpaired one.
    """
    ref = data.scenarios[0]
    ref_k = {k.key: k for k in kpis(ref.simulation)}
    out: dict[str, dict[str, Delta]] = {}
    for s in data.scenarios[1:]:
        row: dict[str, Delta] = {}
        paired = _paired(ref, s)
        for k in kpis(s.simulation):
            r = ref_k[k.key]
            row[k.key] = Delta(k.mean - r.mean, None, None, False)
        for key, a, b in (
            ("lost_revenue", ref.lost_revenue, s.lost_revenue),
            (
                "any_customer_stockout_probability",
                ref.any_stockout.astype(np.float64),
                s.any_stockout.astype(np.float64),
            ),
        ):
            if paired:
                e = mean_estimate(b - a)
                row[key] = Delta(e.mean, e.lo, e.hi, True)
            else:
                k_s = next(k for k in kpis(s.simulation) if k.key == key)
                se = math.hypot(_se(ref_k[key]), _se(k_s))
                d = row[key].mean
                row[key] = Delta(d, d - 1.959963984540054 * se, d + 1.959963984540054 * se, False)
        out[s.name] = row
    return out


def _paired(a: ScenarioReport, b: ScenarioReport) -> bool:
    keys = ("trials", "days", "warmup_days", "seed")
    return all(a.simulation[k] == b.simulation[k] for k in keys) and len(a.lost_revenue) == len(
        b.lost_revenue
    )


def _se(k: Kpi) -> float:
    if k.lo is None or k.hi is None:
        return 0.0
    return (k.hi - k.lo) / (2 * 1.959963984540054)


def site_comparison(data: ReportData) -> list[dict[str, Any]]:
    """Stockout-day probability of every site in each scenario, and its change from the first.

    Rows ranked by the largest stockout-day probability over scenarios.
    """
    names = [s.name for s in data.scenarios]
    ids: list[str] = []
    for s in data.scenarios:
        ids += [i for i in s.simulation["sites"] if i not in ids]
    rows = []
    for sid in ids:
        row: dict[str, Any] = {"site_id": sid}
        vals = []
        for s in data.scenarios:
            st = s.simulation["sites"].get(sid)
            v = st["stockout_day_probability"]["mean"] if st else None
            row[s.name] = v
            row.setdefault("type", st.get("type", "") if st else "")
            vals.append(v)
        base = vals[0]
        for name, v in zip(names[1:], vals[1:], strict=True):
            row[f"delta:{name}"] = v - base if v is not None and base is not None else None
        row["_max"] = max((v for v in vals if v is not None), default=0.0)
        rows.append(row)
    rows.sort(key=lambda r: (-r["_max"], r["site_id"]))
    for r in rows:
        del r["_max"]
    return rows


def fmt(value: object, kind: Kind) -> str:
    """A cell as text (PDF and slides): percentages, money, days and plain text."""
    from . import style

    if value is None:
        return style.MISSING
    if kind == "pct":
        return style.pct(value)
    if kind == "money":
        return style.compact(value)
    if kind in ("days", "units"):
        return style.days(value)
    if kind == "int":
        return f"{int(value)}" if style.finite(value) else style.MISSING  # type: ignore[call-overload]
    if kind == "index":
        return f"{float(value):.2f}" if style.finite(value) else style.MISSING  # type: ignore[arg-type]
    if kind == "bool":
        return "yes" if value else "no"
    return style.clean_text(value)


def kpi_text(k: Kpi, currency: str = "") -> tuple[str, str]:
    """(value, 95% CI) of a KPI as text."""
    from . import style

    if k.kind == "pct":
        value = style.pct(k.mean, 1)
        ci = (
            f"[{style.pct(k.lo, 1)}, {style.pct(k.hi, 1)}]"
            if k.lo is not None and k.hi is not None
            else ""
        )
    else:
        value = style.money(k.mean, currency)
        ci = (
            f"[{style.compact(k.lo)}, {style.compact(k.hi)}]"
            if k.lo is not None and k.hi is not None
            else ""
        )
    return value, ci


def delta_text(d: Delta, kind: Kind) -> str:
    """``'+2.1 pp [+1.0, +3.2]'`` or ``'-1.2M [-1.5M, -0.9M]'``."""
    from . import style

    def one(x: float) -> str:
        if kind == "pct":
            return f"{x * 100:+.1f}"
        text = style.compact(abs(x))
        return ("+" if x >= 0 else "-") + text

    head = one(d.mean) + (" pp" if kind == "pct" else "")
    if d.lo is None or d.hi is None:
        return head
    return f"{head} [{one(d.lo)}, {one(d.hi)}]"


def columns_of(cols: Sequence[Column]) -> list[str]:
    """Header texts."""
    return [c.header for c in cols]
