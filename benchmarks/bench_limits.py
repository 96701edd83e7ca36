"""The largest supported network, and what happens beyond the limits.

Run: ``.venv/bin/python benchmarks/bench_limits.py [--trials N] [--quick] [--json OUT]``

Builds the largest networks the workbook format accepts and times them end to end,
each step in a fresh subprocess so its peak resident memory (VmHWM, or ``ru_maxrss``) is its own:

* **max sites**: :func:`jitrisk.generate.generate_network` at its maximum, 5,000 sites
  (the Sites row limit), with the lanes, buffers and disruptions the generator gives;
* **max lanes**: the same 5,000 sites with extra single-sourced components added
  (upstream supplier -> downstream producer, acyclic) up to 50,000 lanes, the Lanes
  row limit;

each written with :func:`jitrisk.writer.write_network`, then validated and loaded,
then simulated for N trials x 365 days (after a 4-trial warm-up that loads the
compiled kernel; N = ``--trials`` for max sites, a fifth of it for max lanes).
Memory per trial comes from two runs (N/4 and N trials) and from the size of the
per-trial result arrays, which a run holds twice at its end (chunks and their
concatenation): the projection for the largest admitted run uses the latter.

Beyond the limits it shows a message, not a hang: one Sites row or one Lanes row too
many, and a run over the engine's work limit (``check_size``/``MAX_WORK``). For the
work limit it also projects, from the measured figures, the time and memory of the
largest run the limit admits, against this machine's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DAYS = 365


# --------------------------------------------------------------------------- networks


def max_lanes_network(lanes: int, seed: int = 1) -> Any:
    """The largest generated network with extra components up to ``lanes`` lanes."""
    import dataclasses

    import networkx as nx
    import numpy as np

    from jitrisk.model.distributions import Constant
    from jitrisk.model.generate import MAX_SITES, generate_network
    from jitrisk.model.graph import build_graph
    from jitrisk.model.records import Lane

    base = generate_network(MAX_SITES, seed=seed)
    order = {s: i for i, s in enumerate(nx.topological_sort(build_graph(base)))}
    sources = [s.site_id for s in base.sites if s.type == "supplier"]
    targets = [s.site_id for s in base.sites if s.type in ("supplier", "plant")]
    seen = {lane.key for lane in base.lanes}
    rng = np.random.default_rng(seed)
    extra: list[Lane] = []
    used: set[str] = set()
    while len(base.lanes) + len(extra) < lanes:
        u = sources[int(rng.integers(len(sources)))]
        v = targets[int(rng.integers(len(targets)))]
        if order[u] >= order[v] or (u, v) in seen:
            continue
        seen.add((u, v))
        used.add(u)
        extra.append(
            Lane(u, v, Constant(float(rng.integers(1, 6))), 1.0, 1.0, f"x{len(extra)}", 1.0)
        )
    # the sources now serve far more than the generator sized them for: no capacity cap
    sites = tuple(
        dataclasses.replace(s, capacity_per_day=None) if s.site_id in used else s
        for s in base.sites
    )
    return dataclasses.replace(base, sites=sites, lanes=base.lanes + tuple(extra))


def build(which: str, path: Path) -> dict[str, Any]:
    import zipfile

    from jitrisk.model.generate import MAX_SITES, generate_network
    from jitrisk.workbook.format import MAX_ROWS
    from jitrisk.workbook.writer import write_network

    t0 = time.perf_counter()
    net = (
        generate_network(MAX_SITES, seed=1)
        if which == "max-sites"
        else max_lanes_network(MAX_ROWS["Lanes"])
    )
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_network(net, path)
    t_write = time.perf_counter() - t0
    with zipfile.ZipFile(path) as zf:
        parts = sorted(((i.file_size, i.filename) for i in zf.infolist()), reverse=True)
    return {
        "sites": len(net.sites),
        "lanes": len(net.lanes),
        "customers": len(net.sites_of_type("customer")),
        "disruptions": len(net.disruptions),
        "generate_s": t_gen,
        "write_s": t_write,
        "file_bytes": path.stat().st_size,
        "unpacked_bytes": sum(size for size, _ in parts),
        "largest_part": parts[0],
    }


# --------------------------------------------------------------------------- steps


def step(spec: dict[str, Any]) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    from jitrisk.errors import JitriskError

    kind = spec["step"]
    path = Path(spec["path"])
    out: dict[str, Any] = {"step": kind}
    if kind == "build":
        out.update(build(spec["network"], path))
    elif kind == "validate":
        from jitrisk.workbook.reader import validate_workbook

        t0 = time.perf_counter()
        report = validate_workbook(path)
        out["seconds"] = time.perf_counter() - t0
        out["errors"] = [str(p) for p in report.errors][:3]
        out["n_errors"] = len(report.errors)
        out["n_warnings"] = len(report.warnings)
    elif kind == "simulate":
        from jitrisk.engine import compile_network, simulate
        from jitrisk.workbook.reader import load_network

        t0 = time.perf_counter()
        net = load_network(path)
        out["load_s"] = time.perf_counter() - t0
        c = compile_network(net)
        out["stock_points"] = c.n_sites + c.n_buffers
        out["edges"] = c.n_edges
        t0 = time.perf_counter()
        simulate(net, trials=4, days=DAYS)
        out["warmup_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = simulate(net, trials=spec["trials"], days=DAYS)
        out["seconds"] = time.perf_counter() - t0
        out["trials"] = spec["trials"]
        out["result_bytes"] = sum(
            a.nbytes for a in (res.site_out, res.site_int, res.buf_out, res.net_out)
        )
        t0 = time.perf_counter()
        doc = res.to_dict()
        out["to_dict_s"] = time.perf_counter() - t0
        out["fill_rate"] = doc["network"]["fill_rate"]["mean"]
        json.dumps(doc, allow_nan=False)
    elif kind == "over-work":
        from jitrisk.engine import compile_network, simulate
        from jitrisk.engine.sizing import MAX_WORK
        from jitrisk.workbook.reader import load_network

        net = load_network(path)
        c = compile_network(net)
        per_trial = (DAYS + net.settings.warmup_days) * (c.n_sites + c.n_buffers)
        allowed = int(MAX_WORK // per_trial)
        out.update({"max_work": MAX_WORK, "allowed_trials": allowed, "per_trial": per_trial})
        t0 = time.perf_counter()
        try:
            simulate(net, trials=allowed + 1, days=DAYS)
        except JitriskError as exc:
            out["message"] = str(exc)
        out["seconds"] = time.perf_counter() - t0
    elif kind == "over-rows":
        from openpyxl.worksheet.worksheet import Worksheet

        from jitrisk.workbook.fileio import atomic_write
        from jitrisk.workbook.reader import load_network, validate_workbook
        from jitrisk.workbook.writer import network_workbook

        net = load_network(path)
        wb = network_workbook(net)
        ws: Worksheet = wb[spec["sheet"]]
        if spec["sheet"] == "Sites":
            ws.append(["ONE-TOO-MANY", "supplier"])
        else:
            first = net.lanes[0]
            ws.append(["ONE-TOO-MANY", first.target, 1])
        over = path.with_name(f"over-{spec['sheet']}.xlsx")
        atomic_write(over, wb.save)
        t0 = time.perf_counter()
        report = validate_workbook(over)
        out["seconds"] = time.perf_counter() - t0
        out["errors"] = [str(p) for p in report.errors]
    out["peak_mib"] = peak_mib()
    return out


def peak_mib() -> float:
    """This process's peak resident memory. On Linux the high-water mark of its own
    memory (VmHWM): ``ru_maxrss`` after fork/vfork + exec also counts the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"step {spec} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- report


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--trials", type=int, default=300, help="trials of the max-sites run (max-lanes: a fifth)"
    )
    ap.add_argument("--quick", action="store_true", help="20 trials, max-sites only")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--workdir", type=Path, help="keep the workbooks here")
    ap.add_argument("--step", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        print(json.dumps(step(json.loads(args.step))))
        return

    from jitrisk.engine.sizing import MAX_WORK
    from jitrisk.workbook.format import MAX_FILE_BYTES, MAX_ROWS, MAX_UNCOMPRESSED_BYTES
    from jitrisk.workbook.reader import MAX_PART_BYTES, MAX_WHOLE_PART_BYTES

    base_trials = 20 if args.quick else args.trials
    networks = ["max-sites"] if args.quick else ["max-sites", "max-lanes"]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(f"jitrisk limits benchmark: {os.cpu_count()} cores, {ram / 2**30:.1f} GiB RAM")
    print(
        f"row limits {MAX_ROWS}; file {mib(MAX_FILE_BYTES)}, unpacked "
        f"{mib(MAX_UNCOMPRESSED_BYTES)}, worksheet {mib(MAX_PART_BYTES)}, other part "
        f"{mib(MAX_WHOLE_PART_BYTES)}; MAX_WORK {MAX_WORK:.0e} stock-point-days"
    )
    figures: dict[str, Any] = {"ram_bytes": ram, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in networks:
            path = folder / f"{name}.xlsx"
            trials = max(8, base_trials // 5) if name == "max-lanes" else base_trials
            print(f"\n== {name}")
            b = run({"step": "build", "network": name, "path": str(path)})
            print(
                f"  {b['sites']:,} sites, {b['lanes']:,} lanes, {b['customers']} customers, "
                f"{b['disruptions']} disruptions; generated in {b['generate_s']:.1f} s, "
                f"written in {b['write_s']:.1f} s: {b['file_bytes'] / 2**20:.1f} MiB file, "
                f"{b['unpacked_bytes'] / 2**20:.1f} MiB unpacked, largest part "
                f"{b['largest_part'][1]} {b['largest_part'][0] / 2**20:.1f} MiB"
            )
            v = run({"step": "validate", "path": str(path)})
            print(
                f"  validate + load: {v['seconds']:.1f} s, peak {v['peak_mib']:,.0f} MiB, "
                f"{v['n_errors']} errors, {v['n_warnings']} warnings {v['errors']}"
            )
            small = run({"step": "simulate", "path": str(path), "trials": max(4, trials // 4)})
            big = run({"step": "simulate", "path": str(path), "trials": trials})
            per_trial_s = big["seconds"] / trials
            per_trial_mib = (big["peak_mib"] - small["peak_mib"]) / (trials - small["trials"])
            work = big["stock_points"] * (DAYS + 30) * trials
            print(
                f"  simulate {trials:,} trials x {DAYS} days: {big['seconds']:.1f} s "
                f"({per_trial_s:.2f} s/trial, {work / big['seconds'] / 1e6:.1f} M "
                f"stock-point-days/s), peak {big['peak_mib']:,.0f} MiB "
                f"({small['trials']} trials: {small['peak_mib']:,.0f} MiB; "
                f"{per_trial_mib * 1024:,.0f} KiB per trial, result arrays "
                f"{big['result_bytes'] / trials / 1024:,.0f} KiB per trial); "
                f"warm-up {big['warmup_s']:.1f} s, "
                f"load {big['load_s']:.1f} s, to_dict {big['to_dict_s']:.1f} s; stock points "
                f"{big['stock_points']:,}, fill rate {big['fill_rate']:.3f}"
            )
            o = run({"step": "over-work", "path": str(path)})
            allowed = o["allowed_trials"]
            proj_s = allowed * per_trial_s
            # the per-trial result arrays are held twice at the end of a run: the chunks
            # and their concatenation (SimulationResult.from_chunks)
            result_mib = big["result_bytes"] / trials / 2**20
            proj_mib = big["peak_mib"] + (allowed - trials) * 2 * result_mib
            verdict = (
                "fits" if proj_mib * 2**20 < 0.8 * ram else "DOES NOT FIT in this machine's RAM"
            )
            print(
                f"  over the work limit: {allowed + 1:,} trials refused in {o['seconds']:.1f} s: "
                f"{o['message']!r}"
            )
            print(
                f"  the limit admits {allowed:,} trials x {DAYS} days: projected "
                f"{proj_s / 3600:.1f} h, {proj_mib / 1024:,.1f} GiB peak ({verdict})"
            )
            figures[name] = {
                "build": b,
                "validate": v,
                "simulate_small": small,
                "simulate": big,
                "over_work": o,
                "projected_max_run_s": proj_s,
                "projected_max_run_mib": proj_mib,
            }
        print("\n== beyond the row limits")
        path = folder / "max-lanes.xlsx" if "max-lanes" in networks else folder / "max-sites.xlsx"
        for sheet in ("Sites", "Lanes"):
            if sheet == "Lanes" and "max-lanes" not in networks:
                continue
            r = run({"step": "over-rows", "path": str(path), "sheet": sheet})
            print(
                f"  one {sheet} row too many: refused in {r['seconds']:.1f} s, "
                f"peak {r['peak_mib']:,.0f} MiB: {r['errors']}"
            )
            figures[f"over-{sheet}"] = r
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
