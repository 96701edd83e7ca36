"""Render the main views to PNG files: ``python -m ui.screenshots OUTDIR``.

Runs offscreen (``QT_QPA_PLATFORM=offscreen`` is set when no platform is
chosen) with throw-away settings, and writes, at 1440×900 unless told
otherwise:

* ``summary.png``: the Summary of the realistic example (automotive.xlsx);
* ``summary_full.png``: the whole Summary page, scrolled content included;
* ``problems.png``: the broken example, Problems dock and what was read;
* ``problem_selected.png``: the same with a problem activated;
* ``results.png``: the Results after a short run (500 trials);
* ``guide.png``: Help > Workbook guide.

Look at every file before calling a view done.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEFAULT_SIZE = (1440, 900)
MIN_SIZE = (1280, 800)


def _settle(app: object, seconds: float = 0.3) -> None:
    """Let layouts, posted events and deferred chart draws finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def _wait(app: object, signal: object, timeout_s: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    _settle(app)


def _save(widget: object, path: Path, check_size: bool = True) -> Path:
    pixmap = widget.grab()  # type: ignore[attr-defined]
    if check_size and (pixmap.width() < MIN_SIZE[0] or pixmap.height() < MIN_SIZE[1]):
        raise RuntimeError(
            f"{path.name} is {pixmap.width()}x{pixmap.height()}, smaller "
            f"than {MIN_SIZE[0]}x{MIN_SIZE[1]}"
        )
    if not pixmap.save(str(path)):
        raise RuntimeError(f"could not write {path}")
    return path


def render_all(
    outdir: str | os.PathLike[str],
    workbook: str | os.PathLike[str] = EXAMPLES / "automotive.xlsx",
    broken: str | os.PathLike[str] = EXAMPLES / "broken.xlsx",
    trials: int = 500,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> list[Path]:
    """Render every main view into ``outdir``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from .app import create_application
    from .main_window import MainWindow

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    app = create_application([sys.argv[0]])
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(*size)
        window.show()
        _settle(app)

        window.open_workbook(workbook)
        _wait(app, window.became_idle, 60)
        written.append(_save(window, out / "summary.png"))
        page = window.summary_view.widget()
        assert page is not None
        page.resize(window.summary_view.viewport().width(), page.sizeHint().height())
        _settle(app)
        written.append(_save(page, out / "summary_full.png", check_size=False))

        if window.run_panel.request().trials != trials:
            window.run_panel.trials_spin.setValue(trials)
        window.start_run()
        _wait(app, window.became_idle, 300)
        written.append(_save(window, out / "results.png"))

        guide = window.show_guide()
        guide.resize(*size)
        _settle(app)
        written.append(_save(guide, out / "guide.png"))
        guide.close()

        window.open_workbook(broken)
        _wait(app, window.became_idle, 60)
        written.append(_save(window, out / "problems.png"))
        panel = window.problems_dock.panel
        panel.activate_row(min(3, max(0, panel.problem_count() - 1)))
        _settle(app)
        written.append(_save(window, out / "problem_selected.png"))
        window.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.screenshots",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("outdir", help="folder for the PNG files")
    parser.add_argument("--workbook", default=str(EXAMPLES / "automotive.xlsx"))
    parser.add_argument("--broken", default=str(EXAMPLES / "broken.xlsx"))
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument(
        "--size",
        default=f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}",
        help="window size WIDTHxHEIGHT (at least 1280x800)",
    )
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    for path in render_all(args.outdir, args.workbook, args.broken, args.trials, (width, height)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
