"""Nothing is lost: writers killed outright, and inputs that are only ever read.

A subprocess writes through :func:`jitrisk.workbook.fileio.atomic_write` and is killed with
SIGKILL while writing (no ``finally`` runs, no temporary file is cleaned up): the
previous file must be byte-identical, at most one temporary file may be left, and the
next write of the same file removes it once it is stale. Killed at random moments,
the target is always the complete old or the complete new content. The planner's
workbook is byte-identical (same mtime, nothing next to it) after validating,
loading and simulating it.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import jitrisk.errors
from builders import valid_rows, write_workbook
from jitrisk.engine import simulate
from jitrisk.workbook.fileio import STALE_TEMP_SECONDS, atomic_write_bytes, atomic_write_text
from jitrisk.workbook.reader import load_network, validate_workbook

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def temps(target: Path) -> list[Path]:
    """Temporary files of ``target`` (``.<name>.<8 hex>.tmp``) in its folder."""
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()


SLOW_WRITER = """
import sys, time
from jitrisk.workbook.fileio import atomic_write

def write(tmp):
    with open(tmp, "wb") as fh:
        for i in range(100_000):
            fh.write(b"N" * 65536)
            fh.flush()
            if i == 8:
                print(tmp, flush=True)
            time.sleep(0.002)

atomic_write(sys.argv[1], write)
print("finished", flush=True)
"""


def test_writer_killed_midway_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b'{"previous": true}\n' * 1000)
    before = target.read_bytes()
    proc = start(SLOW_WRITER, str(target))
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # the writer is 9 chunks into its temp file
    kill(proc)

    assert target.read_bytes() == before
    left = temps(target)
    assert [str(p) for p in left] == [line]  # the one the killed writer was writing
    assert 9 * 65536 <= left[0].stat().st_size < 100_000 * 65536

    # the next write replaces the target; a fresh leftover could be a live writer: kept
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert temps(target) == left
    # once stale, the next write removes it
    old = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(left[0], (old, old))
    atomic_write_text(target, "newer")
    assert target.read_text() == "newer"
    assert temps(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_stale_temp_cleanup_touches_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    old = time.time() - 2 * STALE_TEMP_SECONDS
    keep = [
        tmp_path / ".other.xlsx.0123abcd.tmp",  # another file's temp
        tmp_path / ".out.xlsx.0123abcd.tmp.bak",
        tmp_path / ".out.xlsx.NOTHEX00.tmp",
        tmp_path / "out.xlsx.0123abcd.tmp",
        tmp_path / ".out.xlsx.0123abc.tmp",
    ]
    for p in keep:
        p.write_text("x")
        os.utime(p, (old, old))
    stale = tmp_path / ".out.xlsx.deadbeef.tmp"
    stale.write_text("x")
    os.utime(stale, (old, old))
    atomic_write_bytes(target, b"data")
    assert not stale.exists()
    assert all(p.exists() for p in keep)


LOOP_WRITER = """
import sys
from jitrisk.workbook.fileio import atomic_write_bytes

print("ready", flush=True)
while True:  # until killed: every phase of a write gets hit sooner or later
    atomic_write_bytes(sys.argv[1], b"A" * 3_000_000)
    atomic_write_bytes(sys.argv[1], b"B" * 5_000_000)
"""


def test_killed_at_random_moments_the_file_is_old_or_new_never_partial(tmp_path: Path) -> None:
    target = tmp_path / "scenario.json"
    complete = {b"OLD" * 100_000, b"A" * 3_000_000, b"B" * 5_000_000}
    rng = random.Random(7)
    for _ in range(4):
        target.write_bytes(b"OLD" * 100_000)
        proc = start(LOOP_WRITER, str(target))
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        kill(proc)
        content = target.read_bytes()
        assert content in complete, f"partial file of {len(content)} bytes"
        assert len(temps(target)) <= 1
        for p in temps(target):
            p.unlink()


WORKBOOK_WRITER = """
import sys
from pathlib import Path
from jitrisk.model.generate import generate_network
from jitrisk.workbook.writer import write_network

net = generate_network(2000, seed=5)
print("writing", flush=True)
write_network(net, sys.argv[1])
print("finished", flush=True)
"""


def test_workbook_save_killed_midway_keeps_the_previous_workbook(tmp_path: Path) -> None:
    """openpyxl saving a 2,000-site network, killed once its temporary file has grown."""
    target = tmp_path / "network.xlsx"
    write_workbook(target, valid_rows())
    before = target.read_bytes()
    previous = load_network(target)
    proc = start(WORKBOOK_WRITER, str(target))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        growing = [p for p in temps(target) if p.stat().st_size > 64 * 1024]
        if growing or proc.poll() is not None:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the writer finished before it could be killed"
    kill(proc)

    assert target.read_bytes() == before
    assert load_network(target) == previous
    assert len(temps(target)) == 1
    # the half-written temporary file is no workbook: jitrisk says so if asked to open it
    report = validate_workbook(temps(target)[0])
    assert not report.ok and "damaged" in report.problems[0].message


# --------------------------------------------------------------------------- inputs are read only


def _fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


@pytest.mark.parametrize("example", ["teaching.xlsx", "automotive.xlsx", "broken.xlsx"])
def test_input_workbook_is_never_modified(tmp_path: Path, example: str) -> None:
    """Validate, load, simulate every scenario: the workbook (bytes and mtime) and its
    folder are exactly as before."""
    source = EXAMPLES / example
    if not source.exists():
        pytest.skip(f"examples/{example} missing")
    path = tmp_path / example
    shutil.copy2(source, path)
    os.chmod(path, 0o644)
    past = 1_600_000_000
    os.utime(path, (past, past))
    before = _fingerprint(tmp_path)

    report = validate_workbook(path)
    if report.network is not None:
        net = load_network(path)
        for scenario in net.scenario_names:
            simulate(net, scenario, trials=5, days=20, workers=1)
    else:
        with pytest.raises(jitrisk.errors.WorkbookError):
            load_network(path)

    assert _fingerprint(tmp_path) == before
    assert path.stat().st_mtime == past
