"""What every command of the ``jitrisk`` command line shares.

Loading a workbook (problems printed, the network returned), the progress bar,
JSON output that never overwrites the input, the options of every simulating
command, exit codes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ..engine.cluster import Cluster
from ..engine.where import CLUSTER_ENV, default_cluster, parse_cluster
from ..errors import JitriskError, WorkbookError
from ..model import Network
from ..model.vocabulary import MAX_SERVICE_LEVEL
from ..workbook.fileio import atomic_write_text, refuse_overwrite_input
from ..workbook.reader import ValidationReport, validate_workbook

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class ProgressBar:
    """A one-line progress bar with ETA on a terminal stream (stderr)."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30):
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.t0 = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = -1.0

    def update(self, fraction: float, eta: float = math.inf) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if not self.tty and fraction < 1.0 and fraction - self._last < 0.1:
            return  # in logs, print every 10 %
        self._last = fraction
        filled = round(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        eta_txt = f"ETA {eta:4.0f}s" if math.isfinite(eta) else "ETA   ?"
        end = "\r" if self.tty and fraction < 1.0 else "\n"
        self.stream.write(f"{self.label} [{bar}] {fraction * 100:5.1f}% {eta_txt}{end}")
        self.stream.flush()

    def done(self) -> None:
        if self._last < 1.0:
            self.update(1.0, 0.0)


def print_problems(report: ValidationReport, out: TextIO) -> None:
    for p in report.problems:
        out.write(f"{p}\n")


def load(path: str, err: TextIO) -> Network:
    report = validate_workbook(path)
    if report.network is None:
        print_problems(report, err)
        n = len(report.errors)
        raise WorkbookError(path, report.problems) if n else JitriskError(path)
    for w in report.warnings:
        err.write(f"{w}\n")
    return report.network


@contextmanager
def progress_to_stderr(quiet: bool, label: str) -> Iterator[Callable[[Any], None] | None]:
    """The callback that feeds a progress bar on stderr, or ``None`` when quiet.

    The bar is completed when the block ends normally; after an error or an
    interrupt it stays where it stopped.
    """
    if quiet:
        yield None
        return
    bar = ProgressBar(label)
    yield lambda p: bar.update(p.fraction, p.eta)
    bar.done()


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`add_run_options` as given: scenario, trials, days, seed, workers."""
    names = ("scenario", "trials", "days", "seed", "workers")
    return {n: getattr(args, n) for n in names if hasattr(args, n)}


def write_json_if_asked(args: argparse.Namespace, doc: dict[str, Any]) -> None:
    """``--json OUT.json``: write ``doc`` there (never onto the input workbook)."""
    if getattr(args, "json", None):
        write_json(args.json, doc, args.workbook)


def write_json(path: str, doc: dict[str, Any], workbook: str | None = None) -> None:
    refuse_overwrite_input(path, workbook)
    atomic_write_text(path, json.dumps(doc, indent=2, allow_nan=False) + "\n")


def add_run_options(
    parser: argparse.ArgumentParser,
    *,
    trials_default: int | None = None,
    trials_help: str = "trials (default: Settings)",
    days_help: str = "reported days (default: Settings)",
    scenario: bool = True,
) -> None:
    """The options every simulating command shares: scenario, trials, days, seed, workers."""
    if scenario:
        parser.add_argument("--scenario", help="scenario name (default: baseline)")
    parser.add_argument("--trials", type=positive_int, default=trials_default, help=trials_help)
    parser.add_argument("--days", type=positive_int, help=days_help)
    parser.add_argument("--seed", type=nonnegative_int, help="random seed (default: Settings)")
    parser.add_argument("--workers", type=positive_int, help="threads (default: all cores)")
    parser.add_argument(
        "--cluster",
        metavar="WHERE",
        help="run on Dask: local[:N] worker processes here, or a scheduler tcp://HOST:PORT "
        f"(default: ${CLUSTER_ENV}, else this computer's threads)",
    )


@contextmanager
def cluster_for(args: argparse.Namespace, quiet: bool = False) -> Iterator[Cluster | None]:
    """The Dask cluster ``--cluster`` (or ``$JITRISK_CLUSTER``) names, connected,
    checked and warmed up for the block; None for this computer's threads."""
    text = getattr(args, "cluster", None)
    spec = parse_cluster(text) if text is not None else default_cluster()
    if spec is None:
        yield None
        return
    bar = None if quiet else ProgressBar(f"starting {spec.label}")
    cluster = Cluster.connect(
        spec, progress=None if bar is None else (lambda p: bar.update(p.fraction, p.eta))
    )
    with cluster:
        if not quiet:
            sys.stderr.write(f"running on {cluster.info().describe()}\n")
        yield cluster


def _whole_number(text: str, least: int) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < least:
        raise argparse.ArgumentTypeError(f"must be >= {least}, got {v}")
    return v


def service_level(text: str) -> float:
    """An argparse ``type``: a service level from 0.5 to the GSM's limit."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.5 <= v <= MAX_SERVICE_LEVEL:
        raise argparse.ArgumentTypeError(
            f"must be from 0.5 to {MAX_SERVICE_LEVEL} (z = 4.75), got {text}"
        )
    return v


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 1."""
    return _whole_number(text, 1)


def nonnegative_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 0."""
    return _whole_number(text, 0)


def workbook_command(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], **kw: Any
) -> argparse.ArgumentParser:
    """A subcommand ``name WORKBOOK`` that runs ``func``; ``kw`` as for ``add_parser``."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **kw)
    parser.add_argument("workbook")
    parser.set_defaults(func=func)
    return parser


def add_output_options(
    parser: argparse.ArgumentParser, *, top: int | None = None, json: bool = True
) -> None:
    """How a command reports: ``--json OUT.json``, ``--top N`` rows (if ``top``), ``--quiet``."""
    if json:
        parser.add_argument("--json", metavar="OUT.json", help="write the full results as JSON")
    if top is not None:
        parser.add_argument(
            "--top", type=positive_int, default=top, help=f"rows in the table ({top})"
        )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
