"""Drive the real main window with seeded random interactions for a bounded time.

Run as a script in its own process (``tests/test_ui_stress.py`` does), so that a
crash of the interpreter fails one test instead of killing the suite::

    python tests/stress/window_stress.py --seconds 60 --seed 1 --mode mixed

Modes
-----
reload
    The interaction the crash report described: reload a workbook over and
    over while short runs start, tabs switch and the window is resized.
mixed
    Every kind of interaction a planner makes: open good and broken workbooks,
    reload, run, cancel, switch tabs, resize, presentation mode, start and stop
    analyses, export a report and the map.

The process prints one JSON line (actions done per kind, errors) and exits 0
when there was no unhandled exception and no worker thread was left running
after the window closed; 3 otherwise. A crash exits with the signal's code.
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
faulthandler.enable()

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from builders import set_cell, valid_rows, write_workbook  # noqa: E402
from ui.app import apply_look  # noqa: E402
from ui.logic.tasks import RunRequest  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

EXAMPLE = ROOT / "examples" / "automotive.xlsx"
SIZES = [(1440, 900), (1024, 640), (1280, 800), (900, 600), (1600, 1000)]


def pump(ms: int) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    QTest.qWait(ms)


class Stress:
    """One seeded session of random interactions with a window."""

    def __init__(self, window: MainWindow, folder: Path, rng: np.random.Generator, mode: str):
        self.w = window
        self.rng = rng
        self.mode = mode
        self.done: Counter[str] = Counter()
        self.good = folder / "automotive.xlsx"
        shutil.copyfile(EXAMPLE, self.good)
        self.small = write_workbook(folder / "small.xlsx", valid_rows())
        rows = valid_rows()
        set_cell(rows, "Sites", 3, "type", "warehouse")
        set_cell(rows, "Lanes", 4, "lead_time_days", "normll(2, 1)")
        self.broken = write_workbook(folder / "broken.xlsx", rows)
        self.folder = folder

    # ------------------------------------------------------------------ actions
    def open_good(self) -> None:
        self.w.open_workbook(self.good if self.rng.random() < 0.7 else self.small)

    def open_broken(self) -> None:
        self.w.open_workbook(self.broken)

    def reload(self) -> None:
        self.w.reload()

    def run(self) -> None:
        if self.w.session_network is None:
            return
        trials = int(self.rng.choice([16, 48, 96]))
        days = int(self.rng.choice([30, 60, 120]))
        self.w.start_run(RunRequest("baseline", trials, days, int(self.rng.integers(1, 1000))))

    def cancel(self) -> None:
        self.w.cancel_run()

    def switch_tab(self) -> None:
        self.w.tabs.setCurrentIndex(int(self.rng.integers(self.w.tabs.count())))

    def resize(self) -> None:
        width, height = SIZES[int(self.rng.integers(len(SIZES)))]
        self.w.resize(width, height)

    def presentation(self) -> None:
        self.w.toggle_presentation()

    def analysis(self) -> None:
        views = self.w.analysis_views
        view = views[int(self.rng.integers(len(views)))]
        self.w.show_view(view)
        if view.is_running():
            view.cancel()
        else:
            view.run()

    def export(self) -> None:
        if self.rng.random() < 0.5:
            self.w.export_map(self.folder / f"map-{self.done['export']}.png")
        else:
            self.w.export_report(self.folder / f"report-{self.done['export']}.xlsx")

    # ------------------------------------------------------------------ loop
    def actions(self) -> dict[str, tuple[float, object]]:
        if self.mode == "reload":
            return {
                "reload": (4, self.reload),
                "run": (2, self.run),
                "switch_tab": (3, self.switch_tab),
                "resize": (3, self.resize),
            }
        return {
            "open_good": (1, self.open_good),
            "open_broken": (0.5, self.open_broken),
            "reload": (2, self.reload),
            "run": (2, self.run),
            "cancel": (1, self.cancel),
            "switch_tab": (3, self.switch_tab),
            "resize": (2, self.resize),
            "presentation": (0.5, self.presentation),
            "analysis": (1, self.analysis),
            "export": (0.3, self.export),
        }

    def go(self, seconds: float) -> None:
        table = self.actions()
        names = list(table)
        weights = np.array([table[n][0] for n in names], dtype=float)
        weights /= weights.sum()
        self.open_good()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            name = names[int(self.rng.choice(len(names), p=weights))]
            table[name][1]()  # type: ignore[operator]
            self.done[name] += 1
            pump(int(self.rng.integers(5, 120)))


def settle(window: MainWindow, seconds: float = 60.0) -> bool:
    """Stop everything running and wait for the pool threads; True when all stopped."""
    window.stop_all()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pump(50)
        busy = [p for p in (window.pool, QThreadPool.globalInstance()) if p.activeThreadCount()]
        if not busy and not window.state.busy:
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=["reload", "mixed"], default="mixed")
    args = parser.parse_args(argv)

    errors: list[str] = []

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        errors.append("".join(traceback.format_exception(kind, value, tb)))  # type: ignore[arg-type]

    sys.excepthook = hook
    off_thread: list[str] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            where = "".join(traceback.format_stack(limit=8))
            off_thread.append(
                f"{threading.current_thread().name} gc.isenabled={gc.isenabled()}\n{where}"
            )

    gc.callbacks.append(on_gc)
    threading.excepthook = lambda a: hook(a.exc_type, a.exc_value, a.exc_traceback)  # type: ignore[arg-type]

    app = QApplication.instance() or QApplication([])
    apply_look(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, autosave_dir=folder / "autosave")
        window.ask_before_discarding = False
        window.resize(1440, 900)
        window.show()
        stress = Stress(window, folder, np.random.default_rng(args.seed), args.mode)
        started = time.monotonic()
        stress.go(args.seconds)
        stopped = settle(window)
        window.close()
        pump(50)
        pools = (window.pool, QThreadPool.globalInstance())
        leftover = sum(p.activeThreadCount() for p in pools)
        window.deleteLater()
        pump(50)
    summary = {
        "seconds": round(time.monotonic() - started, 1),
        "actions": dict(stress.done),
        "errors": errors,
        "stopped": stopped,
        "threads_left": leftover,
        "off_thread_collections": len(off_thread),
        "off_thread_stacks": off_thread[:3],
    }
    print(json.dumps(summary))
    return 0 if not errors and stopped and leftover == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
