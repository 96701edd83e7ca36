"""What the application remembers between sessions, on top of QSettings.

* run settings (scenario, trials, horizon, seed) per workbook, for the
  :data:`MAX_WORKBOOKS` most recently run ones, so reopening a workbook
  brings back how it was last run (a workbook never run starts from its own
  Settings sheet);
* view choices: the map's colour metric and size, the last export folder;
* the window geometry and dock layout (written by the window on close).

Recent files are :class:`ui.session.recent_files.RecentFiles`. Tests pass a QSettings
on a temporary INI file, so nothing touches the planner's own settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from ..logic.tasks import RunRequest

RUNS_KEY = "run_settings/by_workbook"
MAX_WORKBOOKS = 50


def workbook_key(path: str | os.PathLike[str]) -> str:
    """The key a workbook's settings are kept under: its resolved absolute path."""
    return str(Path(path).expanduser().resolve())


class SettingsStore:
    """Typed access to the application's QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    # ------------------------------------------------------------------ run settings
    def _runs(self) -> dict[str, dict[str, Any]]:
        raw = self.settings.value(RUNS_KEY, "")
        try:
            data = json.loads(str(raw)) if raw else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def run_settings(self, workbook: str | os.PathLike[str]) -> RunRequest | None:
        """How ``workbook`` was last run, or None."""
        entry = self._runs().get(workbook_key(workbook))
        if not isinstance(entry, dict):
            return None
        try:
            return RunRequest(
                scenario=str(entry["scenario"]),
                trials=int(entry["trials"]),
                days=int(entry["days"]),
                seed=int(entry["seed"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def save_run_settings(self, workbook: str | os.PathLike[str], request: RunRequest) -> None:
        """Remember ``request`` for ``workbook`` (most recent first, at most MAX_WORKBOOKS)."""
        runs = self._runs()
        key = workbook_key(workbook)
        runs.pop(key, None)
        entry = {
            "scenario": request.scenario,
            "trials": request.trials,
            "days": request.days,
            "seed": request.seed,
        }
        ordered = {key: entry, **runs}
        trimmed = dict(list(ordered.items())[:MAX_WORKBOOKS])
        self.settings.setValue(RUNS_KEY, json.dumps(trimmed))
        self.settings.sync()

    # ------------------------------------------------------------------ plain values
    def text(self, key: str, default: str = "") -> str:
        value = self.settings.value(key, default)
        return str(value) if value is not None else default

    def set_text(self, key: str, value: str) -> None:
        self.settings.setValue(key, value)

    def sync(self) -> None:
        self.settings.sync()
