"""Time of the whole safety-stock frontier and recommendation (issue 21).

Run: ``.venv/bin/python benchmarks/bench_recommend.py [--workbook examples/automotive.xlsx]
[--trials 200] [--confirm-trials 2000]``

Prints the number of frontier steps and simulations, the search and total
seconds, and the recommended plan's figures. Target (issue 21): under 60 s for
the whole frontier of the automotive example at 200 search trials, confirmed on
2,000.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jitrisk import load_network  # noqa: E402
from jitrisk.analysis.frontier import recommend  # noqa: E402
from jitrisk.engine import Progress  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workbook", default=str(ROOT / "examples" / "automotive.xlsx"))
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--confirm-trials", type=int, default=2000)
    args = ap.parse_args(argv)
    net = load_network(args.workbook)
    runs = 0

    def count(_p: Progress) -> None:
        nonlocal runs
        runs += 1

    t0 = time.perf_counter()
    rec = recommend(net, trials=args.trials, confirm_trials=args.confirm_trials, progress=count)
    total = time.perf_counter() - t0
    cur = net.settings.currency
    print(f"workbook {Path(args.workbook).name}: {len(net.sites)} sites, {len(net.lanes)} lanes")
    print(
        f"frontier: {len(rec.steps)} steps, {runs} simulations "
        f"({args.trials} search trials, {args.confirm_trials} confirmation trials)"
    )
    print(f"total {total:.1f} s (target: under 60 s)")
    r, c = rec.recommended, rec.current
    print(
        f"recommended after {rec.recommended_index} steps: inventory "
        f"{cur} {r.inventory_value:,.0f} (now {cur} {c.inventory_value:,.0f}), "
        f"revenue at risk {cur} "
        f"{r.revenue_at_risk.mean:,.0f}/yr (now {cur} {c.revenue_at_risk.mean:,.0f}/yr)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
