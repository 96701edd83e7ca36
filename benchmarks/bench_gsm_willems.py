"""Guaranteed-service placement on Willems' (2008) 38 industrial supply chains.

Run: ``.venv/bin/python benchmarks/bench_gsm_willems.py [--file PATH] [--chains 1 7 38]
[--gap 1e-4] [--time-limit 50]``

Each chain of ``MSOM-06-038-R2.xlsx`` (default ``../shared/datasets/willems2008/``
beside the checkout) is converted by :func:`jitrisk.workbook.willems.read_chain`
(the same conversion as ``jitrisk import willems``) and placed by
:func:`jitrisk.analysis.gsm.place_gsm` with the default method, in both review
conventions: 0 days (continuous review, the convention the data were published
for) and 1 day (daily review, the simulation's). Printed per chain and
convention: stages and arcs of the chain, GSM stages and edges (stocking
sites and the lanes between them), the method used, the holding cost of the
plan (annual, at the 25 % default rate on cumulative cost), the proven
relative gap, and the seconds of ``place_gsm`` (building the stages included;
reading the file is not). Then the totals.

Target (issue 20): all 38 chains to a proven gap <= 1e-4 in under 60 s in total
with the default method. The script skips (exit 0) when the file is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jitrisk.analysis.gsm import network_stages, place_gsm  # noqa: E402
from jitrisk.workbook.willems import chain_numbers, read_chain  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "datasets" / "willems2008" / "MSOM-06-038-R2.xlsx"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--chains", type=int, nargs="*", help="chain numbers (default: 1 to 38)")
    ap.add_argument("--gap", type=float, default=1e-4, help="gap tolerance (1e-4)")
    ap.add_argument("--time-limit", type=float, default=50.0, help="seconds per solve (50)")
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"skipped: {args.file} not found (Willems 2008, see ../shared/datasets/README.md)")
        return 0
    chains = args.chains or [n for n in chain_numbers(args.file) if n >= 1]
    print(
        f"{'chain':>5} {'stages':>6} {'arcs':>6} {'gsm st':>6} {'edges':>6} {'review':>6} "
        f"{'method':>16} {'cost':>16} {'gap':>9} {'seconds':>8}"
    )
    totals = {0: 0.0, 1: 0.0}
    worst = {0: 0.0, 1: 0.0}
    proven = {0: 0, 1: 0}
    for number in chains:
        chain = read_chain(args.file, number)
        for review in (0, 1):
            t0 = time.perf_counter()
            stages, edges = network_stages(chain.network, review_days=review)
            sol = place_gsm(
                chain.network,
                review_days=review,
                time_limit=args.time_limit,
                gap_tolerance=args.gap,
            )
            dt = time.perf_counter() - t0
            totals[review] += dt
            worst[review] = max(worst[review], sol.gap)
            proven[review] += sol.gap <= args.gap
            print(
                f"{number:>5} {chain.stages:>6} {chain.arcs:>6} {len(stages):>6} {len(edges):>6} "
                f"{review:>6} {sol.method:>16} {sol.total_cost:>16,.2f} {sol.gap:>9.2e} {dt:>8.2f}",
                flush=True,
            )
    for review in (0, 1):
        print(
            f"review {review}: {proven[review]} of {len(chains)} chains within gap {args.gap:g} "
            f"(largest gap {worst[review]:.2e}) in {totals[review]:.1f} s in total"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
