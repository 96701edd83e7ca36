"""Engine speed and memory: prints node-day-trials per second, wall time and peak memory.

Run: ``.venv/bin/python benchmarks/bench_engine.py [--quick] [--only TEXT] [--workers K]``

Each case runs in a fresh subprocess so its peak resident memory is its own.
The compiled kernel is cached on disk by numba; a first warm-up call (a few
trials) loads or compiles it and is reported separately as "warm-up", so the
timed figure is the steady cost a planner pays for a run. Runs shorter than a
few seconds are timed up to three times (best and median printed): on a shared
2-core machine a single one-second run varies by +-30 %. A single-thread NumPy
sort is printed as a yardstick for the machine of the day.

Targets (issue "Monte Carlo engine", 2-core machine):
* realistic example, 10,000 trials x 365 days: under 10 s wall;
* 100-site generated network: >= 50 million node-day-trials per second;
* 2,000-site network, 1,000 trials x 365 days: bounded memory, under 4 GB peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _case(spec: dict) -> dict:
    """Run one case in this process and return its figures."""
    sys.path.insert(0, str(ROOT))
    from jitrisk.engine import compile_network, simulate
    from jitrisk.model.generate import generate_network
    from jitrisk.workbook.reader import load_network

    t0 = time.perf_counter()
    if spec["kind"] == "example":
        net = load_network(ROOT / "examples" / spec["name"])
    else:
        net = generate_network(spec["sites"], seed=1)
    t_load = time.perf_counter() - t0
    compiled = compile_network(net)
    t0 = time.perf_counter()
    simulate(net, trials=4, days=spec["days"], workers=spec.get("workers"))
    t_warm = time.perf_counter() - t0
    walls = []
    while True:
        t0 = time.perf_counter()
        res = simulate(net, trials=spec["trials"], days=spec["days"], workers=spec.get("workers"))
        walls.append(time.perf_counter() - t0)
        # short runs are repeated (best of three): on a shared machine one ~1 s run is noisy
        if len(walls) == 3 or sum(walls) > 10.0:
            break
    wall = min(walls)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    n_sites = compiled.n_sites
    stock_points = compiled.n_sites - len(compiled.customer_sites) + compiled.n_buffers
    work = spec["trials"] * (spec["days"] + net.settings.warmup_days)
    return {
        "case": spec["label"],
        "sites": n_sites,
        "lanes": compiled.n_edges,
        "stock_points": stock_points,
        "trials": spec["trials"],
        "days": spec["days"],
        "load_s": t_load,
        "warmup_s": t_warm,
        "wall_s": wall,
        "runs": len(walls),
        "median_wall_s": sorted(walls)[len(walls) // 2],
        "peak_mib": peak,
        "node_day_trials_per_s": n_sites * work / wall,
        "stock_point_day_trials_per_s": stock_points * work / wall,
        "any_customer_stockout": res.network_stats()["any_customer_stockout_probability"]["mean"],
    }


def _reference_s() -> float:
    """Best of five single-thread NumPy sorts of 10^7 doubles (a yardstick for the machine)."""
    import numpy as np

    x = np.random.default_rng(0).random(10**7)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        np.sort(x, kind="quicksort")
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=None, help="threads (default all cores)")
    ap.add_argument("--only", metavar="TEXT", help="run only the cases whose label contains TEXT")
    args = ap.parse_args()
    if args.case:
        print(json.dumps(_case(json.loads(args.case))))
        return
    scale = 10 if args.quick else 1
    cases = [
        {
            "label": "realistic example (automotive.xlsx)",
            "kind": "example",
            "name": "automotive.xlsx",
            "trials": 10_000 // scale,
            "days": 365,
        },
        {
            "label": "generated 100 sites",
            "kind": "generated",
            "sites": 100,
            "trials": 1000 // scale,
            "days": 365,
        },
        {
            "label": "generated 500 sites",
            "kind": "generated",
            "sites": 500,
            "trials": 1000 // scale,
            "days": 365,
        },
        {
            "label": "generated 2,000 sites",
            "kind": "generated",
            "sites": 2000,
            "trials": 1000 // scale,
            "days": 365,
        },
    ]
    if args.only:
        cases = [c for c in cases if args.only in c["label"]]
    print(f"jitrisk engine benchmark: {os.cpu_count()} cores, workers={args.workers or 'all'}")
    print(
        f"machine reference: sorting 10^7 doubles on one core takes {_reference_s():.3f} s "
        "(shared machines vary from day to day: compare figures taken beside the same reference)"
    )
    head = (
        f"{'case':<38}{'sites':>6}{'lanes':>7}{'trials':>8}{'days':>6}"
        f"{'wall s':>9}{'median s':>9}{'runs':>5}{'warm-up s':>10}"
        f"{'M node-day-trials/s':>21}{'M stock-pt-days/s':>19}"
        f"{'peak MiB':>10}"
    )
    print(head)
    print("-" * len(head))
    for spec in cases:
        spec["workers"] = args.workers
        out = subprocess.run(
            [sys.executable, __file__, "--case", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(f"{spec['label']:<38} FAILED: {out.stderr.strip()[-300:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['case']:<38}{r['sites']:>6}{r['lanes']:>7}{r['trials']:>8}{r['days']:>6}"
            f"{r['wall_s']:>9.2f}{r['median_wall_s']:>9.2f}{r['runs']:>5}{r['warmup_s']:>10.2f}"
            f"{r['node_day_trials_per_s'] / 1e6:>21.1f}"
            f"{r['stock_point_day_trials_per_s'] / 1e6:>19.1f}{r['peak_mib']:>10.0f}"
        )
        sys.stdout.flush()
    print(
        "\nnode = site (suppliers, plants, DCs, customers); stock points = stocking sites "
        "+ line-side buffers. Days include the warm-up.\nShort runs are timed up to three "
        "times: wall s (and the rates) from the fastest, median s the middle one."
    )


if __name__ == "__main__":
    main()
