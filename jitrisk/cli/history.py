"""``jitrisk fit``: lead times and disruption profiles learnt from a delivery history."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import JitriskError
from .common import EXIT_OK, write_json

#: Problems printed; the rest are counted (all of them are in --json).
SHOWN_PROBLEMS = 15


def register(sub: Any) -> None:
    """Add ``fit`` to the sub-command parsers ``sub``."""
    p = sub.add_parser(
        "fit",
        help="fit lead times and disruptions to a delivery history",
        description="Read a delivery history (CSV or Excel), fit every lane's lead time and "
        "every supplier's disruption profile to it, and write them into a copy of the "
        "workbook: changed cells are marked, with their old value, sample size and fit "
        "quality, and a Fit sheet lists everything (docs/MODEL.md).",
    )
    p.add_argument("history", metavar="HISTORY", help="delivery history (.csv or .xlsx)")
    p.add_argument("--network", required=True, metavar="WORKBOOK", help="the jitrisk workbook")
    p.add_argument("--out", required=True, metavar="NEW.xlsx", help="the workbook to write")
    p.add_argument(
        "--columns",
        metavar="KEY=HEADER,...",
        help="which column is which (keys: supplier, to, ordered, promised, delivered, "
        "quantity_ordered, quantity_delivered, status); the rest are guessed from the headers",
    )
    p.add_argument("--json", metavar="OUT.json", help="write the fit as JSON")
    p.add_argument("--force", action="store_true", help="replace NEW.xlsx if it exists")
    p.set_defaults(func=cmd_fit)


def cmd_fit(args: argparse.Namespace) -> int:
    from ..engine.results import json_safe
    from ..history import fit_history, parse_columns_option, read_table, write_fitted_workbook
    from ..workbook.fileio import refuse_overwrite_input
    from ..workbook.reader import load_network, validate_workbook

    out = Path(args.out)
    refuse_overwrite_input(out, args.network)
    refuse_overwrite_input(out, args.history)
    if out.exists() and not args.force:
        raise JitriskError(f"{out} exists; use --force to replace it")
    net = load_network(args.network)
    table = read_table(args.history)
    given = parse_columns_option(args.columns) if args.columns else None
    fit = fit_history(net, table, given)
    counts = write_fitted_workbook(args.network, out, fit)
    print(f"read {table.source}: {fit.lines.rows_read:,} rows, {fit.rows_used:,} used")
    for note in fit.lines.notes:
        print(f"  {note}")
    print("  columns: " + ", ".join(f"{k}={h!r}" for k, h in fit.mapping.items()))
    if fit.lines.open_lines or fit.lines.cancelled:
        print(
            f"  {fit.lines.open_lines:,} open lines (not delivered yet), "
            f"{fit.lines.cancelled:,} cancelled: left out"
        )
    if fit.lines.unmatched:
        names = ", ".join(f"{k} ({v})" for k, v in list(fit.lines.unmatched.items())[:8])
        more = len(fit.lines.unmatched) - 8
        print(
            f"  {len(fit.lines.unmatched)} suppliers are not sites of the workbook: {names}"
            + (f" and {more} more" if more > 0 else "")
        )
    if fit.problems:
        print(f"{len(fit.problems):,} problems (rows left out or values ignored):")
        for p in fit.problems[:SHOWN_PROBLEMS]:
            print(f"  {p}")
        if len(fit.problems) > SHOWN_PROBLEMS:
            print(f"  … and {len(fit.problems) - SHOWN_PROBLEMS:,} more (all of them in --json)")
    print(f"lanes: {counts['lanes']} fitted, {counts['lanes_kept']} kept (too few deliveries)")
    for key, r in fit.lanes.items():
        if r.fit is not None:
            f = r.fit
            print(f"  {key}: {f.cell} from {f.n} deliveries (chi-square p = {f.gof_pvalue})")
    print(
        f"suppliers: {counts['suppliers']} disruption profiles written, "
        f"{counts['suppliers_kept']} kept (too little history)"
    )
    for sid, s in fit.suppliers.items():
        if not s.kept_planner_value:
            ep = s.episodes
            print(
                f"  {sid}: {len(ep.episodes)} episodes, {ep.events_per_year:.2f} a year"
                + (f", duration {ep.cell}" if ep.cell else "")
            )
    report = validate_workbook(out)
    print(f"wrote {out}" + ("" if report.network is not None else " (it does not validate!)"))
    if args.json:
        write_json(args.json, json_safe(fit.to_dict()), args.network)
    return EXIT_OK if report.network is not None else 2
