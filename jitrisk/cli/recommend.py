"""``jitrisk recommend``: the safety-stock frontier and the plan worth buying."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import (
    add_output_options,
    add_run_options,
    cluster_for,
    load,
    positive_int,
    progress_to_stderr,
    run_options,
    service_level,
    workbook_command,
    write_json_if_asked,
)


def register(sub: Any) -> None:
    r = workbook_command(
        sub,
        "recommend",
        cmd_recommend,
        help="the safety-stock frontier and the recommended plan",
        description="Build the frontier of revenue at risk against inventory value held "
        "(greedy marginal analysis on common random numbers), recommend the plan after "
        "the last steps that remove at least their own holding cost, and confirm the "
        "current, recommended and guaranteed-service plans on fresh random numbers "
        "(docs/ANALYSIS.md).",
    )
    add_run_options(r, trials_default=200, trials_help="trials of the search (200)")
    r.add_argument(
        "--confirm-trials",
        type=positive_int,
        default=2000,
        help="trials of the confirmation on fresh numbers (2000)",
    )
    r.add_argument(
        "--holding-rate",
        type=float,
        help="yearly holding cost as a share of inventory value, for every site "
        "(default: each site's holding_cost_rate)",
    )
    r.add_argument("--max-steps", type=positive_int, default=80, help="most frontier steps (80)")
    r.add_argument(
        "--service-level", type=service_level, help="of the guaranteed-service plan shown beside"
    )
    add_output_options(r)


def cmd_recommend(args: argparse.Namespace) -> int:
    from ..analysis.frontier import recommend
    from ..analysis.gsm import place_gsm

    net = load(args.workbook, sys.stderr)
    gsm = place_gsm(net, args.service_level)
    gsm_days = {
        sid: float(r.safety_stock_days)
        for sid, r in gsm.stages.items()
        if r.safety_stock_days is not None
    }
    opts = run_options(args)
    with (
        cluster_for(args, args.quiet) as cluster,
        progress_to_stderr(args.quiet, "recommending") as cb,
    ):
        rec = recommend(
            net,
            cluster=cluster,
            confirm_trials=args.confirm_trials,
            holding_rate=args.holding_rate,
            max_steps=args.max_steps,
            gsm_days=gsm_days,
            progress=cb,
            **opts,
        )
    from ..report.takeaway import takeaway

    cur = net.settings.currency
    names = {s.site_id: s.name for s in net.sites if s.name and s.name != s.site_id}
    sentences = takeaway(rec, cur, names)
    write_json_if_asked(args, rec.to_dict() | {"takeaway": sentences})
    for sentence in sentences:  # the decision first
        print(sentence)
    print()
    wording = "delivered late" if rec.unmet_demand == "backorder" else "lost"

    def money(x: float) -> str:
        return f"{cur} {x:,.0f}"

    def risk(p: Any) -> str:
        e = p.revenue_at_risk
        return f"{money(e.mean)} [{money(e.lo)}, {money(e.hi)}]"

    print(
        f"Frontier: {len(rec.steps)} steps searched on {rec.trials} trials (seed {rec.seed}); "
        f"plans confirmed on {rec.confirm_trials} fresh trials (seed {rec.fresh_seed}). "
        f"Revenue at risk = revenue {wording}, per year."
    )
    print(f"{'plan':<14}{'inventory value':>20}{'holding / year':>18}   revenue at risk / year")
    points = [("current", rec.current), ("recommended", rec.recommended)]
    if rec.gsm is not None:
        points.append(("GSM", rec.gsm))
    for name, p in points:
        print(
            f"{name:<14}{money(p.inventory_value):>20}{money(p.holding_cost_per_year):>18}   "
            f"{risk(p)}"
        )
    for name, (p, cost) in rec.scenarios.items():
        own = f"  (+ {money(cost)} a year of its own)" if cost else ""
        print(
            f"{name:<14}{money(p.inventory_value):>20}{money(p.holding_cost_per_year):>18}   "
            f"{risk(p)}{own}"
        )
    imp = rec.improvement
    print(
        f"\nRecommended: {rec.recommended_index} steps; removes {money(imp.mean)} "
        f"[{money(imp.lo)}, {money(imp.hi)}] of revenue at risk a year for "
        f"{money(rec.recommended.holding_cost_per_year - rec.current.holding_cost_per_year)} "
        "more holding cost a year."
    )
    extra = [(s, v) for s, v in rec.sites.items() if v["recommended_days"] > v["current_days"]]
    for sid, v in sorted(extra, key=lambda kv: -kv[1]["extra_value"]):
        print(
            f"  {sid:<24} {v['current_days']:g} -> {v['recommended_days']:g} days "
            f"(+{money(v['extra_value'])}, {money(v['extra_holding_cost_per_year'])} a year)"
        )
    return 0
