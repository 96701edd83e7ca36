"""CLI command ``report``: an Excel workbook, PDF brief or PowerPoint deck for a meeting.

Registered into the main parser by :func:`jitrisk.cli.commands.build_parser` (through
``_register_extra``). :func:`write_simulation_report` serves
``jitrisk simulate ... --report report.xlsx``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import (
    add_run_options,
    cluster_for,
    load,
    positive_int,
    progress_to_stderr,
    run_options,
    workbook_command,
)


def register(sub: Any) -> None:
    """Add ``report`` to the sub-command parsers ``sub``."""
    from ..report.build import CURVE_MAX_TRIALS, RISK_TRIALS

    r = workbook_command(
        sub,
        "report",
        cmd_report,
        help="Excel report, PDF brief or PowerPoint deck for a meeting",
        description="Simulate the workbook and write a report: report.xlsx (every number, "
        "native Excel charts, the inputs), brief.pdf or deck.pptx (key results, JIT buffer "
        "curve, sites most at risk, time to survive vs time to recover, recommended buffers "
        "per scenario). The format follows the file name. The workbook is never written.",
    )
    r.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="report.xlsx, brief.pdf or deck.pptx",
    )
    r.add_argument(
        "--scenario",
        default=None,
        metavar="NAME|all",
        help="a scenario, or all of them side by side (default: baseline)",
    )
    add_run_options(r, scenario=False)
    r.add_argument(
        "--budget",
        type=_amount,
        metavar="AMOUNT",
        help="also place this inventory value by simulation (disruption-aware plan; slow)",
    )
    r.add_argument(
        "--risk-trials",
        type=positive_int,
        default=RISK_TRIALS,
        metavar="N",
        help=f"trials per site of the time-to-survive analysis (default: {RISK_TRIALS}; "
        "it is most of a report's time on a large network)",
    )
    r.add_argument(
        "--curve-trials",
        type=positive_int,
        metavar="N",
        help=f"trials per level of the buffer curve (default: the run's, at most "
        f"{CURVE_MAX_TRIALS})",
    )
    r.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``jitrisk report``."""
    from ..report import collect, report_format, write_report

    check_report_target(args.out, args.workbook)  # before minutes of simulation
    kind = report_format(args.out)
    net = load(args.workbook, sys.stderr)
    with cluster_for(args, args.quiet) as cluster, progress_to_stderr(args.quiet, "report") as cb:
        options = run_options(args)
        data = collect(
            net,
            options.pop("scenario"),
            budget=args.budget,
            progress=cb,
            cluster=cluster,
            risk_trials=args.risk_trials,
            curve_trials=args.curve_trials,
            **options,
        )
    path = write_report(data, args.out, args.workbook)
    names = ", ".join(data.provenance.scenarios)
    print(f"wrote {path} ({_LABELS[kind]}; scenarios: {names})")
    return 0


_LABELS = {"excel": "Excel report", "pdf": "PDF brief", "pptx": "PowerPoint deck"}


def write_simulation_report(
    args: argparse.Namespace, net: Any, result: Any, *, quiet: bool = False, cluster: Any = None
) -> None:
    """``jitrisk simulate ... --report FILE``: a report of the run just made.

    The simulation result is reused as it is; the buffer curve, the risk report
    and the guaranteed-service plan are computed on top (same scenario, trials,
    days and seed), so the report's numbers are the ones ``simulate`` printed.
    """
    from ..report import write_report
    from ..report.build import collect_from_result

    check_report_target(args.report, args.workbook)
    with progress_to_stderr(quiet, "report") as cb:
        data = collect_from_result(
            net, result, progress=cb, workers=getattr(args, "workers", None), cluster=cluster
        )
    path = write_report(data, args.report, args.workbook)
    print(f"wrote {path}")


def _amount(text: str) -> float:
    try:
        v = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount, got {text!r}") from None
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a non-negative amount, got {text}")
    return v


def check_report_target(path: str, workbook: str) -> None:
    """Fail early (before simulating) on a report name with an unknown extension, the
    input workbook, a missing folder or a folder."""
    from ..report import report_format
    from ..report.output import preflight

    report_format(path)
    preflight(path, workbook)
