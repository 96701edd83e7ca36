"""Recently opened workbooks, remembered in QSettings."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

KEY = "recent_files"
MAX_RECENT = 10


class RecentFiles:
    """Most recent first, no duplicates, at most :data:`MAX_RECENT` entries."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[str]:
        value = self._settings.value(KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            return [value]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []

    def add(self, path: str | os.PathLike[str]) -> None:
        text = str(Path(path).resolve())
        items = [text] + [p for p in self.paths() if p != text]
        self._save(items[:MAX_RECENT])

    def remove(self, path: str | os.PathLike[str]) -> None:
        text = str(path)
        self._save([p for p in self.paths() if p != text])

    def clear(self) -> None:
        self._save([])

    def _save(self, items: list[str]) -> None:
        self._settings.setValue(KEY, items)
        self._settings.sync()
