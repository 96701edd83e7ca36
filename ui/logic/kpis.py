"""The network KPI cards of the Results view, as plain data. Qt-free.

Values come from :meth:`jitrisk.engine.SimulationResult.network_stats`. The
core reports VaR95 without an interval, so :func:`quantile_ci` adds the
distribution-free order-statistic interval for it (a candidate for the core).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

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


def quantile_ci(values: ArrayLike, q: float = 0.95) -> tuple[float, float]:
    """95% confidence interval of the ``q`` quantile from i.i.d. samples.

    Distribution-free: the number of samples below the true quantile is
    Binomial(n, q), so the order statistics at ranks ``n q ± 1.96 √(n q (1-q))``
    bracket it with about 95% confidence (normal approximation to the binomial).

    >>> quantile_ci(np.arange(1000.0), 0.5)
    (468.0, 530.0)
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    half = Z95 * math.sqrt(n * q * (1 - q))
    lo = max(0, math.floor(n * q - half) - 1)
    hi = min(n - 1, math.ceil(n * q + half) - 1)
    return float(x[lo]), float(x[hi])


def _ci(est: dict[str, Any]) -> tuple[float, float, float]:
    lo, hi = est["ci95"]
    return float(est["mean"]), float(lo), float(hi)


def _percent_ci_text(lo: float, hi: float) -> str:
    return f"95% CI [{format_percent(lo)}, {format_percent(hi)}]"


def _money_ci_text(lo: float, hi: float) -> str:
    return f"95% CI [{format_compact(lo)}, {format_compact(hi)}]"


def network_kpis(stats: dict[str, Any], losses: ArrayLike, currency: str = "") -> list[Kpi]:
    """The four network cards: any customer stockout, fill rate, lost revenue, VaR95."""
    p, p_lo, p_hi = _ci(stats["any_customer_stockout_probability"])
    f, f_lo, f_hi = _ci(stats["fill_rate"])
    lr = stats["lost_revenue"]
    m, m_lo, m_hi = _ci(lr)
    var, cvar = float(lr["var95"]), float(lr["cvar95"])
    v_lo, v_hi = quantile_ci(losses, 0.95)
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
            "Expected lost revenue",
            format_money(m, currency),
            _money_ci_text(m_lo, m_hi),
            "Mean revenue lost to shortages over the horizon.",
            m,
            m_lo,
            m_hi,
        ),
        Kpi(
            "var95",
            "Lost revenue VaR95",
            format_money(var, currency),
            _money_ci_text(v_lo, v_hi),
            f"Exceeded in 1 run in 20. CVaR95 (mean of the worst 5%): "
            f"{format_money(cvar, currency)}.",
            var,
            v_lo,
            v_hi,
        ),
    ]
