"""Analytics speed on the realistic example: prints wall time of each task.

Run: ``.venv/bin/python benchmarks/bench_analysis.py [--quick] [--full-sweep]
[--sweep-sites ID ...]``

Targets (issue "Risk analytics", 2-core machine):
* a 31-level buffer sweep at 2,000 trials x 365 days: at most 30 s;
* ``risk`` for every site (and region) of the example: at most 60 s;
* guaranteed-service placement: see ``bench_gsm.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from jitrisk import load_network
    from jitrisk.analysis.placement import place_by_simulation
    from jitrisk.analysis.risk import risk_report
    from jitrisk.analysis.sweep import parse_levels, sweep
    from jitrisk.engine import simulate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the trials")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument(
        "--full-sweep",
        action="store_true",
        help="also time the sweep simulating every level in full (no replay)",
    )
    ap.add_argument(
        "--sweep-sites",
        nargs="*",
        default=[],
        metavar="ID",
        help="also sweep these sites (deeper ones re-simulate more of the network)",
    )
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    net = load_network(ROOT / "examples" / "automotive.xlsx")
    simulate(net, trials=4)  # load the compiled kernel once

    rows = []
    site = "T1-CELLS-CN"
    t0 = time.perf_counter()
    res = sweep(
        net, site, parse_levels("0:30:1"), trials=2000 // scale, days=365, workers=args.workers
    )
    rows.append(
        (
            f"sweep {site}, 31 levels x {2000 // scale:,} trials x 365 days",
            time.perf_counter() - t0,
            "<= 30 s",
            f"knee {res.knee_buffer_days} days",
        )
    )

    from jitrisk.engine import compile_network
    from jitrisk.engine.runner import subnetwork

    compiled = compile_network(net)
    for other in args.sweep_sites:
        active = subnetwork(compiled, [compiled.site_ids.index(other)]).n_active
        t0 = time.perf_counter()
        res = sweep(
            net, other, parse_levels("0:30:1"), trials=2000 // scale, days=365, workers=args.workers
        )
        rows.append(
            (
                f"sweep {other} ({active} of {compiled.n_sites} sites re-simulated)",
                time.perf_counter() - t0,
                "<= 30 s",
                f"knee {res.knee_buffer_days} days",
            )
        )

    if args.full_sweep:
        t0 = time.perf_counter()
        sweep(
            net,
            site,
            parse_levels("0:30:1"),
            trials=2000 // scale,
            days=365,
            workers=args.workers,
            replay=False,
        )
        rows.append(
            (
                "  same sweep, every level simulated in full",
                time.perf_counter() - t0,
                "(reference)",
                "",
            )
        )

    t0 = time.perf_counter()
    rep = risk_report(net, trials=200 // scale, workers=args.workers)
    exposed = sum(r.exposed for r in rep.sites)
    rows.append(
        (
            f"risk: {len(rep.sites)} sites + {len(rep.regions)} regions, "
            f"{200 // scale} trials x {rep.days} days",
            time.perf_counter() - t0,
            "<= 60 s",
            f"{exposed} sites exposed",
        )
    )

    t0 = time.perf_counter()
    pl = place_by_simulation(net, budget=20e6, trials=200 // scale, workers=args.workers)
    rows.append(
        (
            f"place --method simulation, budget 20M, {200 // scale} trials",
            time.perf_counter() - t0,
            "(no target)",
            f"improvement {pl.improvement.mean:,.0f} [{pl.improvement.lo:,.0f}, "
            f"{pl.improvement.hi:,.0f}]",
        )
    )

    print(f"{'task':<62}{'wall s':>9}  {'target':<12}result")
    for name, wall, target, note in rows:
        print(f"{name:<62}{wall:>9.1f}  {target:<12}{note}")


if __name__ == "__main__":
    main()
