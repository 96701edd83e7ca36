"""CLI commands of the analytics: ``sweep``, ``risk`` and ``place``.

Registered into the main parser by :func:`jitrisk.cli.commands.build_parser`.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from ..errors import JitriskError
from ..model.vocabulary import MAX_SERVICE_LEVEL
from .common import (
    add_output_options,
    add_run_options,
    cluster_for,
    load,
    nonnegative_int,
    progress_to_stderr,
    run_options,
    service_level,
    workbook_command,
    write_json,
    write_json_if_asked,
)


def register(sub: Any) -> None:
    s = workbook_command(
        sub,
        "sweep",
        cmd_sweep,
        help="buffer curve: stockout risk against days of safety stock",
        description="Stockout-day probability and fill rate at a site and the customers it "
        "serves, and network lost revenue, for each buffer level (common random "
        "numbers across levels), with the knee of the curve.",
    )
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--site",
        help="site id, or a group: tier:<n>, type:<supplier|plant|dc>, "
        "region:<name>, network (every site set to each level)",
    )
    who.add_argument("--all", action="store_true", help="each stocking site in turn")
    s.add_argument(
        "--buffer-days", default="0:30:1", help="levels: start:stop:step or a,b,c (default 0:30:1)"
    )
    add_run_options(s, trials_help="trials per level (default: Settings)")
    add_output_options(s)

    r = workbook_command(
        sub,
        "risk",
        cmd_risk,
        help="time to survive vs time to recover, risk exposure index",
        description="For every stocking site and region: TTR, TTS (simulation and linear "
        "programme), performance impact and risk exposure index, ranked; flags "
        "sites whose TTS is shorter than their TTR.",
    )
    add_run_options(
        r,
        trials_default=200,
        trials_help="trials per site (200)",
        days_help="horizon (default: Settings, at most 180)",
    )
    r.add_argument(
        "--default-ttr",
        type=float,
        default=14.0,
        help="TTR of sites without ttr_days or outage profile (14 days)",
    )
    r.add_argument("--site", action="append", help="only this site (repeatable)")
    r.add_argument("--no-regions", action="store_true")
    add_output_options(r, top=25)

    p = workbook_command(
        sub,
        "place",
        cmd_place,
        help="where safety stock belongs (guaranteed-service or by simulation)",
        description="--method gsm: Graves-Willems guaranteed-service placement. --method "
        "simulation: spend --budget of inventory value on buffer days where they "
        "cut expected lost revenue (or stockout probability) most, confirmed on "
        "fresh random numbers and set beside the guaranteed-service plan.",
    )
    p.add_argument("--method", choices=("gsm", "simulation"), required=True)
    p.add_argument(
        "--service-level",
        type=service_level,
        help=f"GSM service level, 0.5 to {MAX_SERVICE_LEVEL} (default: Settings)",
    )
    p.add_argument(
        "--review-days",
        type=nonnegative_int,
        help="days added to every GSM stage time for the review: 1 = daily review, as the "
        "simulation; 0 = continuous review, the textbook convention (default: Settings "
        "gsm_review_days)",
    )
    p.add_argument("--budget", type=float, help="extra inventory value to place (simulation)")
    p.add_argument("--objective", choices=("lost_revenue", "stockout"), default="lost_revenue")
    p.add_argument("--step-days", type=float, default=1.0)
    add_run_options(p, trials_default=200, trials_help="trials of the search (200)")
    add_output_options(p)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..analysis.sweep import parse_levels, sweep

    net = load(args.workbook, sys.stderr)
    levels = parse_levels(args.buffer_days)
    targets = [s.site_id for s in net.sites if s.is_stocking] if args.all else [args.site]
    docs = []
    with cluster_for(args, args.quiet) as cluster:
        for target in targets:
            with progress_to_stderr(args.quiet, f"sweep {target}") as cb:
                res = sweep(net, target, levels, progress=cb, cluster=cluster, **run_options(args))
            doc = res.to_dict()
            docs.append(doc)
            _print_sweep(doc)
    if args.json:
        write_json(args.json, docs[0] if not args.all else {"sweeps": docs}, args.workbook)
    return 0


def _print_sweep(doc: dict[str, Any]) -> None:
    cur = doc["current_buffer_days"]
    print(
        f"\nBuffer curve of {doc['site']} ({doc['trials']:,} trials per level, seed "
        f"{doc['seed']}, scenario {doc['scenario']})"
        + (f"; current buffer {cur:g} days" if cur is not None else "")
    )
    print(
        f"{'days':>6}{'P(stockout day)':>26}{'change vs previous':>28}{'fill rate':>12}"
        f"{'lost revenue':>16}"
    )
    for lv in doc["levels"]:
        p = lv["stockout_day_probability"]
        d = lv.get("difference_from_previous", {}).get("stockout_day_probability")
        dtxt = (
            f"{d['mean'] * 100:+.2f} [{d['ci95'][0] * 100:+.2f}, {d['ci95'][1] * 100:+.2f}]"
            if d
            else ""
        )
        mark = " <- knee" if lv["buffer_days"] == doc["knee_buffer_days"] else ""
        print(
            f"{lv['buffer_days']:>6g}{p['mean'] * 100:>10.2f}% [{p['ci95'][0] * 100:.2f}, "
            f"{p['ci95'][1] * 100:.2f}]{dtxt:>28}{lv['fill_rate']['mean'] * 100:>11.2f}%"
            f"{lv['lost_revenue']['mean']:>16,.0f}{mark}"
        )
    if doc["knee_buffer_days"] is not None:
        print(f"Knee: below {doc['knee_buffer_days']:g} days of buffer, risk climbs steeply.")


def cmd_risk(args: argparse.Namespace) -> int:
    from ..analysis.risk import risk_report

    net = load(args.workbook, sys.stderr)
    if args.site:
        for sid in args.site:
            if sid not in net.site_by_id or not net.site_by_id[sid].is_stocking:
                raise JitriskError(f"'{sid}' is not a stocking site of the workbook")
    with cluster_for(args, args.quiet) as cluster, progress_to_stderr(args.quiet, "risk") as cb:
        rep = risk_report(
            net,
            default_ttr=args.default_ttr,
            sites=args.site,
            regions=not args.no_regions,
            progress=cb,
            cluster=cluster,
            **run_options(args),
        )
    write_json_if_asked(args, rep.to_dict())
    for title, rows in (("Sites", rep.sites), ("Regions", rep.regions)):
        if not rows:
            continue
        print(f"\n{title} ranked by risk exposure index ({rep.trials} trials, {rep.days} days)")
        print(
            f"{'':<22}{'TTR':>6}{'TTS sim':>18}{'TTS LP':>8}{'impact (sim)':>17}"
            f"{'impact (LP)':>15}{'REI':>6}  exposed"
        )
        for r in rows[: args.top]:
            lp = f"{r.tts_lp_days:8.1f}" if math.isfinite(r.tts_lp_days) else f"{'inf':>8}"
            tts = f"{r.tts.mean:6.1f} [{r.tts.lo:.1f}, {r.tts.hi:.1f}]"
            print(
                f"{r.target[:21]:<22}{r.ttr_days:>6.1f}{tts:>18}{lp}"
                f"{r.performance_impact.mean:>17,.0f}{r.performance_impact_lp:>15,.0f}"
                f"{r.risk_exposure_index:>6.2f}  {'YES: ' + r.advice() if r.exposed else ''}"
            )
    return 0


def cmd_place(args: argparse.Namespace) -> int:

    net = load(args.workbook, sys.stderr)
    if args.method == "gsm":
        from ..analysis.gsm import place_gsm

        sol = place_gsm(net, args.service_level, review_days=args.review_days)
        doc = sol.to_dict()
        write_json_if_asked(args, doc)
        _print_gsm(doc)
        return 0
    if args.budget is None:
        raise JitriskError("--method simulation needs --budget AMOUNT (inventory value)")
    from ..analysis.gsm import place_gsm
    from ..analysis.placement import place_by_simulation

    # the guaranteed-service plan is confirmed on the same fresh numbers, side by side
    gsm_doc = place_gsm(net, args.service_level, review_days=args.review_days).to_dict()
    compare = {
        "gsm": {
            sid: float(v["safety_stock_days"])
            for sid, v in gsm_doc["sites"].items()
            if v["safety_stock_days"] is not None
        }
    }
    with (
        cluster_for(args, args.quiet) as cluster,
        progress_to_stderr(args.quiet, "placing") as cb,
    ):
        res = place_by_simulation(
            net,
            args.budget,
            objective=args.objective,
            step_days=args.step_days,
            compare=compare,
            progress=cb,
            cluster=cluster,
            **run_options(args),
        )
    write_json_if_asked(args, res.to_dict())
    print(
        f"\nDisruption-aware plan: {res.spent:,.0f} of {res.budget:,.0f} "
        f"{net.settings.currency} placed ({res.objective}; searched on {res.trials} trials, "
        f"seed {res.seed}; confirmed on fresh numbers, seed {res.fresh_seed})"
    )
    for sid, extra in sorted(res.extra_days.items(), key=lambda kv: -kv[1]):
        print(f"  {sid:<24} +{extra:g} days  (now {res.chosen.buffer_days[sid]:g})")
    plans = [("current", res.current), ("disruption-aware", res.chosen)]
    plans += list(res.compared.items())
    print(
        f"\n{'plan':<20}{'inventory value':>18}{'expected lost revenue':>38}"
        f"{'P(any customer stockout)':>30}"
    )
    for name, ev in plans:
        lr = ev.lost_revenue
        p = ev.any_customer_stockout
        print(
            f"{name:<20}{ev.inventory_value:>18,.0f}{lr.mean:>16,.0f} [{lr.lo:,.0f}, "
            f"{lr.hi:,.0f}]{p.mean * 100:>12.1f}% [{p.lo * 100:.1f}, {p.hi * 100:.1f}]"
        )
    imp = res.improvement
    print(f"\nImprovement on fresh random numbers: {imp.mean:,.4g} [{imp.lo:,.4g}, {imp.hi:,.4g}]")
    print("\nMarginal value of one more step of cover (best first):")
    for m in res.marginals[:15]:
        print(
            f"  {m.site_id:<24} step {m.step_cost:>14,.0f}  reduction {m.reduction.mean:>16,.0f}"
            f"  per {net.settings.currency}: {m.value_per_cost:,.2f}"
        )
    return 0


def _days(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _print_gsm(doc: dict[str, Any]) -> None:
    from ..analysis.gsm.stages import optimality_words, review_words

    print(
        f"Guaranteed-service plan (service level {doc.get('service_level')}, "
        f"{review_words(doc.get('review_days'))}): total holding "
        f"cost of safety stock {doc.get('total_cost', 0):,.0f}; "
        f"{optimality_words(doc.get('gap'))}"
    )
    print(f"{'site':<24}{'S out':>7}{'NLT':>6}{'SS units':>12}{'SS days':>9}{'SS value':>16}")
    for sid, v in doc["sites"].items():
        print(
            f"{sid[:23]:<24}{v['committed_service_time']:>7g}{v['net_lead_time']:>6g}"
            f"{v['safety_stock_units']:>12,.1f}{_days(v['safety_stock_days']):>9}"
            f"{v['safety_stock_value']:>16,.0f}"
        )
