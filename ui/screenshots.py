"""Render the main views to PNG files: ``python -m ui.screenshots OUTDIR``.

Runs offscreen (``QT_QPA_PLATFORM=offscreen`` is set when no platform is
chosen) with throw-away settings, and writes, at 1440×900 unless told
otherwise:

* ``summary.png``: the Summary of the realistic example (automotive.xlsx);
* ``summary_full.png``: the whole Summary page, scrolled content included;
* ``problems.png``: the broken example, Problems dock and what was read;
* ``problem_selected.png``: the same with a problem activated;
* ``results.png``: the Results after a short run (500 trials);
* ``map.png``: the network map coloured by that run;
* ``map_site.png``: a site clicked on the map, with its detail panel;
* ``whatif.png``: two sites selected on the map and an outage set up in the What-if panel;
* ``compare.png``: the what-if and another scenario against the baseline (paired);
* ``presentation_map.png``, ``presentation_results.png``, ``presentation_compare.png``:
  presentation mode (F11), full screen, stepping through the views with the arrow keys;
* ``export_map.png``: File > Export map as PNG (not a window: the exported file);
* ``buffers.png``: the JIT buffer curve of the EV plant (100 trials per level);
* ``risk.png``, ``risk_regions.png``: time to survive vs time to recover and the risk
  exposure ranking of sites, then of regions (50 trials per site);
* ``safety.png``: the guaranteed-service and the disruption-aware plan side by side (50 trials);
* ``shortcuts.png``: Help > Keyboard shortcuts;
* ``guide.png``: Help > Workbook guide.

On the offscreen platform the "screen" is given the window's size, so
presentation mode's full screen is as large as the other pictures.

Look at every file before calling a view done.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEFAULT_SIZE = (1440, 900)
MIN_SIZE = (1024, 640)
#: The two sizes of the issue-22 pictures: a meeting-room projector and a small laptop.
SIZES = ((1440, 900), (1024, 640))
#: Sites of the what-if picture: the Taiwanese foundry and display maker.
WHATIF_SITES = ("T3-FOUNDRY-TW", "T2-DISPLAY-TW")
#: The site clicked for the detail panel picture.
DETAIL_SITE = "T1-CELLS-CN"
#: The buffer curve's site: the EV plant, whose current buffer sits below the knee.
BUFFER_SITE = "OEM-LEIPZIG"
#: Trials of the analysis pictures: modest, so each run takes well under a minute.
ANALYSIS_TRIALS = {"buffers": 100, "risk": 50, "safety": 50, "story": 300, "frontier": 60}
#: The outage followed day by day: the Taiwanese foundry, first by risk exposure.
STORY_SITE = "T3-FOUNDRY-TW"


def _settle(app: object, seconds: float = 0.3) -> None:
    """Let layouts, posted events and deferred chart draws finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.02)


def _until(app: object, done: Callable[[], bool], timeout_s: float) -> None:
    """Process events until ``done()`` (a chart drawn on a worker thread), then settle."""
    end = time.monotonic() + timeout_s
    while not done() and time.monotonic() < end:
        _settle(app, 0.1)
    _settle(app)


def _wait(app: object, signal: object, timeout_s: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)  # type: ignore[attr-defined]
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    _settle(app)


def _offscreen_screen(size: tuple[int, int], folder: Path) -> None:
    """Give the offscreen platform a screen of ``size`` (default: 800x800), before Qt starts."""
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    if platform != "offscreen":
        return
    config = folder / "offscreen-screen.json"
    config.write_text(
        json.dumps(
            {"screens": [{"name": "shots", "x": 0, "y": 0, "width": size[0], "height": size[1]}]}
        )
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _key(app: object, widget: object, key: object) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(widget, key)  # type: ignore[arg-type]
    _settle(app, 0.6)


def _analysis_views(app: object, window: object, out: Path) -> list[Path]:
    """The Buffers, Risk, Safety stock and Day by day views, each after a run of its own."""
    w: object = window
    views = (
        ("buffers", w.buffers_view),  # type: ignore[attr-defined]
        ("risk", w.risk_view),  # type: ignore[attr-defined]
        ("safety", w.safety_view),  # type: ignore[attr-defined]
        ("story", w.story_view),  # type: ignore[attr-defined]
        ("frontier", w.frontier_view),  # type: ignore[attr-defined]
    )
    views[0][1].select_target(BUFFER_SITE)
    views[3][1].choose(STORY_SITE)
    views[4][1].confirm_spin.setValue(ANALYSIS_TRIALS["frontier"] * 5)
    shots: list[Path] = []
    for name, view in views:
        w.show_view(view)  # type: ignore[attr-defined]
        view.trials_spin.setValue(ANALYSIS_TRIALS[name])
        view.run()
        _wait(app, view.became_idle, 600)
        if hasattr(view, "canvas"):
            _until(app, view.canvas.is_current, 30)
        _settle(app, 0.6)
        shots.append(_save(w, out / f"{name}.png"))
        if name == "risk":
            view.kind_tabs.setCurrentIndex(1)
            _settle(app, 0.6)
            shots.append(_save(w, out / "risk_regions.png"))
    return shots


#: The window size asked for (window pictures must have exactly that size).
_WANTED: list[tuple[int, int]] = []

#: File names of the presentation pictures, by tab title.
PRESENTATION_NAMES = {
    "Summary": "summary",
    "Map": "map",
    "Results": "results",
    "Compare": "compare",
    "Buffers": "buffers",
    "Risk": "risk",
    "Safety stock": "safety",
    "Day by day": "story",
    "Frontier": "frontier",
}


def _save(widget: object, path: Path, check_size: bool = True) -> Path:
    pixmap = widget.grab()  # type: ignore[attr-defined]
    if check_size and (pixmap.width() < MIN_SIZE[0] or pixmap.height() < MIN_SIZE[1]):
        raise RuntimeError(
            f"{path.name} is {pixmap.width()}x{pixmap.height()}, smaller "
            f"than {MIN_SIZE[0]}x{MIN_SIZE[1]}"
        )
    if check_size and _WANTED and (pixmap.width(), pixmap.height()) != _WANTED[0]:
        # the window refused the size asked for: something in it is too wide or tall
        raise RuntimeError(
            f"{path.name} is {pixmap.width()}x{pixmap.height()}, not the "
            f"{_WANTED[0][0]}x{_WANTED[0][1]} asked for"
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
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    _WANTED[:] = [size]
    with tempfile.TemporaryDirectory() as tmp:
        _offscreen_screen(size, Path(tmp))
        from PySide6.QtCore import QSettings, Qt

        from .app import create_application
        from .logic.scenario_edits import WhatIf
        from .main_window import MainWindow

        app = create_application([sys.argv[0]])
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.ask_before_discarding = False
        window.resize(*size)
        window.show()
        _settle(app)

        window.open_workbook(workbook)
        _wait(app, window.became_idle, 60)
        window.resize(*size)  # opening may have grown it to fit a message
        _settle(app)
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
        _until(app, window.results_view.charts_drawn, 30)
        written.append(_save(window, out / "results.png"))

        window.show_view(window.map_view)
        _settle(app, 0.5)
        written.append(_save(window, out / "map.png"))
        written.append(window.map_view.export_png(out / "export_map.png"))
        window.select_sites([DETAIL_SITE])
        window.show_site_details(DETAIL_SITE)
        _settle(app)
        written.append(_save(window, out / "map_site.png"))

        window.select_sites(list(WHATIF_SITES))
        panel = window.whatif_panel
        window.whatif_dock.raise_()
        panel.name_edit.setText("taiwan-fab-down")
        panel.buffer_check.setChecked(False)
        panel.outage_check.setChecked(True)
        panel.start_spin.setValue(30)
        panel.length_spin.setValue(21)
        _settle(app)
        written.append(_save(window, out / "whatif.png"))

        whatif = panel.what_if()
        window.run_what_if(whatif)
        _wait(app, window.became_idle, 300)
        buffer = WhatIf("cells-buffer-10d", ("T1-CELLS-CN", "T1-CELLS-PL"), buffer_days=10.0)
        window.run_what_if(buffer)
        _wait(app, window.became_idle, 300)
        window.show_view(window.compare_view)
        _until(app, window.compare_view.chart_drawn, 30)
        written.append(_save(window, out / "compare.png"))

        _until(app, lambda: window.state.can_run, 60)
        if not window.run_all_scenarios():  # the workbook's four and the two what-ifs: six
            raise RuntimeError("Run all scenarios was refused")
        _until(app, lambda: not window._batch and window.state.can_run, 900)
        window.show_view(window.compare_view)
        compare = window.compare_view
        _until(
            app,
            lambda: (
                len(compare.runs) == len(window.runs) == 6
                and not compare.is_busy()
                and compare.chart_drawn()
            ),
            60,
        )
        written.append(_save(window, out / "compare_six.png"))
        written.extend(_analysis_views(app, window, out))

        window.show_view(window.summary_view)
        window.show_run("taiwan-fab-down")
        window.toggle_presentation()
        _settle(app, 0.8)
        for k in range(window.tabs.count()):
            name = PRESENTATION_NAMES.get(window.tabs.tabText(k), f"view{k}")
            if name == "results":
                _until(app, window.results_view.charts_drawn, 10)
            if name == "compare":
                _until(app, window.compare_view.chart_drawn, 10)
            _settle(app, 0.8)
            written.append(_save(window, out / f"presentation_{name}.png"))
            _key(app, window.tabs, Qt.Key.Key_Right)
        _key(app, window.tabs, Qt.Key.Key_Escape)
        _settle(app)

        shortcuts = window.show_shortcuts()
        _settle(app)
        written.append(_save(shortcuts, out / "shortcuts.png", check_size=False))
        shortcuts.close()

        guide = window.show_guide()
        guide.resize(*size)
        _WANTED.clear()  # a dialog may keep a size of its own
        _settle(app)
        written.append(_save(guide, out / "guide.png"))
        guide.close()
        _WANTED[:] = [size]

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
        help="window size WIDTHxHEIGHT (at least 1024x640)",
    )
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    for path in render_all(args.outdir, args.workbook, args.broken, args.trials, (width, height)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
