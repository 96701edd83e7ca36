"""The takeaway of a recommendation, in two or three sentences generated from its numbers.

Used wherever the decision leads: ``jitrisk recommend`` prints it first and the
app's Frontier tab shows it above the chart. Each sentence states an estimate
with its 95 % interval and says what "revenue at risk" means in the workbook's
mode (delivered late, or lost).

1. **The weakest point**: the site where the first day of extra cover removes
   the most revenue at risk per unit of inventory value (the frontier's first
   step), and what that day removes a year.
2. **The action**: the extra safety stock of the recommended plan, where most
   of it goes, its yearly holding cost, and the revenue at risk before and
   after, with the paired improvement.
3. **The limit and the reference**: beyond the plan a day of cover costs more
   to hold than it protects; the guaranteed-service plan's stock and risk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..analysis.frontier import Recommendation
from ..engine.results import Estimate
from ..model.records import Network
from .style import money


def _ci(e: Estimate, currency: str) -> str:
    return f"{money(e.mean, currency)} [{money(e.lo, currency)}, {money(e.hi, currency)}]"


def takeaway(
    rec: Recommendation, currency: str = "", names: Mapping[str, str] | None = None
) -> list[str]:
    """The sentences (plain text) for ``rec``; ``names``: site id -> readable name."""
    names = names or {}
    late = "delivered late" if rec.unmet_demand == "backorder" else "lost"
    out: list[str] = []
    if rec.steps:
        first = rec.steps[0]
        label = first.site_id + (f" ({names[first.site_id]})" if names.get(first.site_id) else "")
        per_day = first.step_benefit_per_year / max(first.days_added, 1e-12)
        out.append(
            f"The weakest point is {label}: each of its first days of extra cover removes "
            f"{money(per_day, currency)} of revenue at risk a year, more per unit of stock "
            "than anywhere else."
        )
    extra = {sid: v for sid, v in rec.sites.items() if v["recommended_days"] != v["current_days"]}
    if not extra:
        out.append(
            f"No extra safety stock is worth its holding cost: no day of cover removes as much "
            f"revenue at risk ({late}) a year as it costs to hold; today "
            f"{_ci(rec.current.revenue_at_risk, currency)} a year is at risk."
        )
        return out
    ranked = sorted(extra, key=lambda s: -extra[s]["extra_value"])
    where = ", ".join(ranked[:3]) + (" and others" if len(ranked) > 3 else "")
    value = sum(v["extra_value"] for v in extra.values())
    hold = sum(v["extra_holding_cost_per_year"] for v in extra.values())
    imp = rec.improvement
    out.append(
        f"Hold {money(value, currency)} more safety stock at {len(extra)} "
        f"site{'s' if len(extra) != 1 else ''} (most at {where}), costing "
        f"{money(hold, currency)} a year to hold: it cuts the revenue at risk ({late}) from "
        f"{_ci(rec.current.revenue_at_risk, currency)} to "
        f"{_ci(rec.recommended.revenue_at_risk, currency)} a year, "
        f"{_ci(imp, currency)} less."
    )
    limit = "Beyond it, a day of cover costs more to hold than it protects."
    if rec.gsm is not None:
        limit += (
            f" The guaranteed-service plan holds {money(rec.gsm.inventory_value, currency)} "
            f"and leaves {_ci(rec.gsm.revenue_at_risk, currency)} a year at risk: it covers "
            "demand swings, not disruptions."
        )
    out.append(limit)
    return out


def report_recommendation(
    scen: Network,
    gsm: dict[str, Any] | None,
    trials: int,
    confirm_trials: int,
    days: int | None,
    seed: int,
    workers: int | None,
    hooks: dict[str, Any],
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A report's recommendation for one scenario, on the run's seed: its document
    (:meth:`Recommendation.to_dict`) and its takeaway."""
    from ..analysis.frontier import recommend

    gsm_days = {
        sid: float(v["safety_stock_days"])
        for sid, v in (gsm or {}).get("sites", {}).items()
        if v.get("safety_stock_days") is not None
    }
    rec = recommend(
        scen,
        trials=trials,
        confirm_trials=confirm_trials,
        days=days,
        seed=seed,
        gsm_days=gsm_days or None,
        scenarios=False,
        workers=workers,
        **hooks,
    )
    names = {s.site_id: s.name for s in scen.sites if s.name and s.name != s.site_id}
    return rec.to_dict(), tuple(takeaway(rec, scen.settings.currency, names))
