"""``jitrisk import``: other formats turned into jitrisk workbooks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import JitriskError
from .common import EXIT_OK, positive_int


def register(sub: Any) -> None:
    """Add ``import willems`` to the sub-command parsers ``sub``."""
    imp = sub.add_parser(
        "import",
        help="turn another format into a jitrisk workbook",
        description="Turn data published in another format into a jitrisk workbook.",
    )
    kinds = imp.add_subparsers(dest="kind", metavar="FORMAT", required=True)
    w = kinds.add_parser(
        "willems",
        help="a chain of Willems' (2008) 38 industrial supply chains",
        description="Write chain NN of Willems' MSOM-06-038-R2.xlsx as a jitrisk workbook: "
        "stage types, stage times with their distributions, cumulative cost as unit value, "
        "demand, maximum service times and service levels (docs/ANALYSIS.md).",
    )
    w.add_argument("file", metavar="FILE", help="MSOM-06-038-R2.xlsx")
    w.add_argument("--chain", type=positive_int, required=True, metavar="NN")
    w.add_argument("--out", required=True, metavar="NEW.xlsx")
    w.add_argument("--force", action="store_true", help="replace NEW.xlsx if it exists")
    w.set_defaults(func=cmd_import_willems)


def cmd_import_willems(args: argparse.Namespace) -> int:
    from ..workbook.fileio import refuse_overwrite_input
    from ..workbook.reader import validate_workbook
    from ..workbook.willems import read_chain
    from ..workbook.writer import write_network

    out = Path(args.out)
    refuse_overwrite_input(out, args.file)
    if out.suffix.lower() != ".xlsx":
        raise JitriskError(f"cannot write {out.name}: the new workbook's name must end in .xlsx")
    if out.exists() and not args.force:
        raise JitriskError(f"{out} exists; use --force to replace it")
    chain = read_chain(args.file, args.chain)
    write_network(chain.network, out)
    report = validate_workbook(out)
    for p in report.problems:
        sys.stderr.write(f"{p}\n")
    net = chain.network
    print(
        f"wrote {out}: chain {chain.number:02d}, {chain.stages} stages and {chain.arcs} arcs "
        f"as {len(net.sites)} sites ({len(net.demand)} customers) and {len(net.lanes)} lanes"
    )
    for note in chain.notes:
        print(f"  note: {note}")
    return EXIT_OK if report.network is not None else 2
