"""Time of the whole safety-stock frontier and recommendation (issue 21).

Run: ``.venv/bin/python benchmarks/bench_recommend.py [--workbook examples/automotive.xlsx]
[--trials 200] [--confirm-trials 2000] [--stability]``

Prints the number of frontier steps and simulations, the search and total
seconds, and the recommended plan's figures. Target (issue 21): under 60 s for
the whole frontier of the automotive example at 200 search trials, confirmed on
2,000.

``--stability`` instead prints the takeaway's weakest point (the site whose first
day of cover removes the most revenue at risk per unit of stock: the frontier's
first step) found with 100, 200 and 400 search trials on three seeds each, with
the runner-up's benefit per unit of stock, so one can see how often the named
site changes with the random numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from jitrisk import load_network  # noqa: E402
from jitrisk.analysis.frontier import recommend  # noqa: E402
from jitrisk.analysis.placement import (  # noqa: E402
    current_days,
    mean_flows,
    plan_objectives,
    step_cost,
)
from jitrisk.engine import Progress  # noqa: E402
from jitrisk.model.records import Network  # noqa: E402


def stability(net: Network) -> None:
    """The weakest point (first step) with 100, 200 and 400 search trials, three seeds."""
    flows = mean_flows(net)
    start = current_days(net, flows)
    cands = [s for s in start if step_cost(net, flows, s, 1.0) > 0]
    print("search trials  seed  weakest point       benefit per unit   runner-up (per unit)")
    for trials in (100, 200, 400):
        for seed in (42, 43, 44):
            plans = [start] + [{**start, s: start[s] + 1.0} for s in cands]
            lost = plan_objectives(net, plans, trials=trials, horizon=None, seed=seed)
            gain = {
                s: float(np.mean(lost[0] - x)) / step_cost(net, flows, s, 1.0)
                for s, x in zip(cands, lost[1:], strict=True)
            }
            (a, ga), (b, gb) = sorted(gain.items(), key=lambda kv: -kv[1])[:2]
            print(f"{trials:>13}  {seed:>4}  {a:<18} {ga:>16.2f}   {b} ({gb:.2f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workbook", default=str(ROOT / "examples" / "automotive.xlsx"))
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--confirm-trials", type=int, default=2000)
    ap.add_argument("--stability", action="store_true", help="the weakest point's stability")
    args = ap.parse_args(argv)
    net = load_network(args.workbook)
    if args.stability:
        stability(net)
        return 0
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
