"""Command line: ``jitrisk COMMAND ...`` (also ``python -m jitrisk``).

Exit codes: 0 success; 2 bad input (workbook problems, bad arguments, refused
output); 1 an unexpected internal error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._version import __version__
from ..errors import JitriskError, WorkbookError
from ..workbook.reader import validate_workbook
from .common import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    add_output_options,
    add_run_options,
    cluster_for,
    load,
    print_problems,
    progress_to_stderr,
    run_options,
    workbook_command,
    write_json_if_asked,
)

# ----------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate_workbook(args.workbook)
    print_problems(report, sys.stdout)
    if not report.ok:
        n = len(report.errors)
        print(
            f"{args.workbook}: {n} problem{'s' if n != 1 else ''}, "
            f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
        )
        return EXIT_INPUT
    net = report.network
    assert net is not None
    counts: dict[str, int] = {}
    for s in net.sites:
        counts[s.type] = counts.get(s.type, 0) + 1
    summary = ", ".join(
        f"{counts.get(t, 0)} {t}{'s' if counts.get(t, 0) != 1 else ''}"
        for t in ("supplier", "plant", "dc", "customer")
    )
    print(
        f"{args.workbook}: valid ({summary}; {len(net.lanes)} lanes, "
        f"{len(net.disruptions)} disruptions, scenarios: {', '.join(net.scenario_names)})"
        + (f"; {len(report.warnings)} warnings" if report.warnings else "")
    )
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from ..model.graph import network_info

    net = load(args.workbook, sys.stderr)
    info = network_info(net)
    write_json_if_asked(args, info.as_dict())
    print(f"Sites by type: {_kv(info.counts_by_type)}")
    print(f"Sites by tier: {_kv(info.counts_by_tier)}")
    print(f"Regions: {_kv(info.regions) or 'none'}")
    print(f"Single-sourced components: {len(info.single_sourced_parts)}")
    for row in info.single_sourced_parts:
        print(f"  {row['site']:<16} {row['component']:<16} only from {row['source']}")
    print(f"DCs and customers fed by a single lane: {len(info.single_fed_sites)}")
    for row in info.single_fed_sites:
        print(f"  {row['site']:<16} only from {row['source']}")
    print(f"Sites whose outage cuts a customer off entirely: {len(info.critical_sites)}")
    for site, custs in sorted(info.critical_sites.items()):
        print(f"  {site:<16} -> {', '.join(custs)}")
    print("Longest cumulative lead-time path to each customer:")
    for c, p in sorted(info.longest_lead_time_path.items()):
        print(f"  {c:<16} {p['days']:6.1f} days  {' > '.join(p['path'])}")
    sys.stdout.flush()
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from ..workbook.template import write_template

    out = Path(args.out)
    if out.exists() and not args.force:
        raise JitriskError(f"{out} exists; use --force to replace it")
    write_template(out)
    print(f"wrote {out}")
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from ..engine import simulate

    if args.report:
        from .report import check_report_target

        check_report_target(args.report, args.workbook)
    net = load(args.workbook, sys.stderr)
    with cluster_for(args, args.quiet) as cluster:
        with progress_to_stderr(args.quiet, "simulating") as cb:
            result = simulate(net, progress=cb, cluster=cluster, **run_options(args))
        doc = result.to_dict()
        write_json_if_asked(args, doc)
        _print_simulation(doc, sys.stdout, top=args.top)
        if args.report:
            from .report import write_simulation_report

            write_simulation_report(args, net, result, quiet=args.quiet, cluster=cluster)
    return EXIT_OK


def _print_simulation(doc: dict[str, Any], out: TextIO, top: int = 20) -> None:
    cur = doc.get("currency", "")
    netw = doc["network"]
    out.write(
        f"Scenario {doc['scenario']}: {doc['trials']:,} trials x {doc['days']} days "
        f"(warm-up {doc['warmup_days']}), seed {doc['seed']}, {doc['elapsed_seconds']:.1f}s\n"
    )
    p = netw["any_customer_stockout_probability"]
    lr = netw["lost_revenue"]
    fr = netw["fill_rate"]
    out.write(f"  P(any customer stockout in horizon) {_pct(p)}\n")
    out.write(f"  customer fill rate                  {_pct(fr)}\n")
    out.write(
        f"  lost revenue (expected)             {_money(lr['mean'])} {cur} "
        f"[{_money(lr['ci95'][0])}, {_money(lr['ci95'][1])}]\n"
    )
    out.write(
        f"  lost revenue VaR95 / CVaR95         {_money(lr['var95'])} / "
        f"{_money(lr['cvar95'])} {cur}\n\n"
    )
    rows = sorted(
        doc["sites"].items(),
        key=lambda kv: (-kv[1]["stockout_day_probability"]["mean"], -kv[1]["lost_revenue"]["mean"]),
    )
    head = (
        f"{'site':<18}{'type':<10}{'P(stockout day)':>24}{'fill rate':>26}{'days out':>10}"
        f"{'p90':>6}{'lost revenue':>16}\n"
    )
    out.write(head)
    out.write("-" * (len(head) - 1) + "\n")
    for sid, st in rows[:top]:
        out.write(
            f"{sid[:17]:<18}{st['type']:<10}{_pct(st['stockout_day_probability']):>24}"
            f"{_pct(st['fill_rate']):>26}{st['days_out_of_stock']['mean']:>10.1f}"
            f"{st['days_out_of_stock']['p90']:>6.0f}{_money(st['lost_revenue']['mean']):>16}\n"
        )
    if len(rows) > top:
        out.write(f"... {len(rows) - top} more (use --top or --json)\n")


def _pct(est: dict[str, Any]) -> str:
    lo, hi = est["ci95"]
    return f"{est['mean'] * 100:6.2f}% [{lo * 100:.2f}, {hi * 100:.2f}]"


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _kv(d: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jitrisk",
        description="Supply-chain disruption risk for lean, just-in-time networks.",
    )
    p.add_argument("--version", action="version", version=f"jitrisk {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    workbook_command(
        sub,
        "validate",
        cmd_validate,
        help="check a workbook and list every problem",
        description="Check a workbook. Exit 0 when valid, 2 with one line per "
        "problem (Sheet!Cell: message) when not.",
    )

    i = workbook_command(
        sub,
        "info",
        cmd_info,
        help="structure: tiers, single sourcing, critical sites",
        description="Counts by type and tier, single-sourced components, sites "
        "whose outage cuts a customer off, longest lead-time paths.",
    )
    i.add_argument("--json", metavar="OUT", help="also write the facts as JSON")

    t = sub.add_parser(
        "template",
        help="write an empty workbook with a Guide sheet",
        description="Write an empty workbook (format v1) with drop-downs and a "
        "Guide sheet explaining every column.",
    )
    t.add_argument("out", metavar="OUT.xlsx")
    t.add_argument("--force", action="store_true", help="replace OUT if it exists")
    t.set_defaults(func=cmd_template)

    s = workbook_command(
        sub,
        "simulate",
        cmd_simulate,
        help="Monte Carlo simulation with confidence intervals",
        description="Simulate the network day by day over many trials and "
        "print stockout probability, fill rate and lost revenue per "
        "site (worst first) with 95%% confidence intervals.",
    )
    add_run_options(s)
    add_output_options(s, top=20)
    s.add_argument("--report", metavar="FILE", help="also write a report: .xlsx, .pdf or .pptx")
    _register_extra(sub)
    return p


def _register_extra(sub: Any) -> None:
    """Commands of the analytics (sweep, risk, place), reports and imports."""
    from .analysis import register
    from .history import register as register_fit
    from .imports import register as register_imports
    from .recommend import register as register_recommend
    from .report import register as register_report

    register(sub)
    register_report(sub)
    register_imports(sub)
    register_fit(sub)
    register_recommend(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except WorkbookError as exc:
        n = len(exc.errors)
        print(f"{exc.path}: {n} problem{'s' if n != 1 else ''}; nothing was run", file=sys.stderr)
        return EXIT_INPUT
    except JitriskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if args.debug or os.environ.get("JITRISK_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "Please report this with the workbook; rerun with --debug for details.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
