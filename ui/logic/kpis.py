"""The network KPI cards of the Results view, as plain data. Qt-free.

Values come from :meth:`jitrisk.engine.SimulationResult.network_stats`, VaR95's
and CVaR95's intervals included (the core's order-statistic and asymptotic ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jitrisk.report.tables import revenue_words

from .formatting import format_compact, format_money, format_percent

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Kpi:
    """One card: a title, the headline value, its 95% CI and a one-line explanation."""

    key: str
    title: str
    value: str
    ci: str
    caption: str
    mean: float
    lo: float
    hi: float


def _ci(est: dict[str, Any]) -> tuple[float, float, float]:
    lo, hi = est["ci95"]
    return float(est["mean"]), float(lo), float(hi)


def _percent_ci_text(lo: float, hi: float) -> str:
    return f"95% CI [{format_percent(lo)}, {format_percent(hi)}]"


def _money_ci_text(lo: float, hi: float) -> str:
    return f"95% CI [{format_compact(lo)}, {format_compact(hi)}]"


def network_kpis(
    stats: dict[str, Any], currency: str = "", unmet_demand: str = "backorder"
) -> list[Kpi]:
    """The four network cards: any customer stockout, fill rate, revenue at risk, VaR95.

    With backorders (the default) unmet demand is delivered late: its revenue is "at
    risk (delivered late)"; with lost sales it is "lost revenue"."""
    words = revenue_words(unmet_demand)
    short = "Lost revenue" if words == "lost revenue" else "Revenue at risk"
    cvar_lo, cvar_hi = stats["lost_revenue"].get("cvar95_ci95") or (None, None)
    cvar_ci = "" if cvar_lo is None else f" {_money_ci_text(cvar_lo, cvar_hi)}"
    p, p_lo, p_hi = _ci(stats["any_customer_stockout_probability"])
    f, f_lo, f_hi = _ci(stats["fill_rate"])
    lr = stats["lost_revenue"]
    m, m_lo, m_hi = _ci(lr)
    var, cvar = float(lr["var95"]), float(lr["cvar95"])
    v_lo, v_hi = lr["var95_ci95"]
    return [
        Kpi(
            "any_customer_stockout",
            "Any customer stockout",
            format_percent(p, 1),
            _percent_ci_text(p_lo, p_hi),
            "Chance that at least one customer runs short during the horizon.",
            p,
            p_lo,
            p_hi,
        ),
        Kpi(
            "fill_rate",
            "Fill rate",
            format_percent(f, 1),
            _percent_ci_text(f_lo, f_hi),
            "Share of customer demand shipped on the day it was asked for.",
            f,
            f_lo,
            f_hi,
        ),
        Kpi(
            "lost_revenue",
            f"Expected {words}",
            format_money(m, currency),
            _money_ci_text(m_lo, m_hi),
            "Mean revenue of the demand not shipped on the day it was asked for, over the "
            + ("horizon (lost)." if words == "lost revenue" else "horizon (delivered late)."),
            m,
            m_lo,
            m_hi,
        ),
        Kpi(
            "var95",
            f"{short} VaR95",
            format_money(var, currency),
            _money_ci_text(v_lo, v_hi),
            f"Exceeded in 1 run in 20. CVaR95 (mean of the worst 5%): "
            f"{format_money(cvar, currency)}{cvar_ci}.",
            var,
            v_lo,
            v_hi,
        ),
    ]
