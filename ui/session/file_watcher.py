"""Notice when the open workbook is saved again on disk (for example from Excel).

Excel and LibreOffice save by writing a temporary file and renaming it over
the original, so :class:`QFileSystemWatcher` may report the file as removed and
stop watching it. :class:`WorkbookWatcher` waits for the writes to settle
(debounce), re-adds the path, and reports a change only when the file's size or
modification time really differ from what was opened.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

#: Milliseconds to wait after the last change notice before looking at the file.
SETTLE_MS = 400


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(size, mtime in ns) of ``path``, or None when it does not exist."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class WorkbookWatcher(QObject):
    """Emits :attr:`changed` (the path) or :attr:`removed` once the file settles."""

    changed = Signal(str)
    removed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_notice)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLE_MS)
        self._timer.timeout.connect(self._settle)
        self._path: Path | None = None
        self._stamp: tuple[int, int] | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    def watch(self, path: str | os.PathLike[str]) -> None:
        """Watch ``path`` from now on, taking its current state as the opened one."""
        self.stop()
        self._path = Path(path)
        self._stamp = file_stamp(self._path)
        if self._stamp is not None:
            self._watcher.addPath(str(self._path))

    def acknowledge(self) -> None:
        """Take the file's current state as seen (after a reload or a dismissed prompt)."""
        if self._path is not None:
            self._stamp = file_stamp(self._path)
            self._ensure_watched()

    def stop(self) -> None:
        self._timer.stop()
        files = self._watcher.files()
        if files:
            self._watcher.removePaths(files)
        self._path = None
        self._stamp = None

    def check_now(self) -> None:
        """Compare the file with the opened state immediately (tests, window activation)."""
        self._timer.stop()
        self._settle()

    def _on_notice(self, _path: str) -> None:
        self._timer.start()

    def _ensure_watched(self) -> None:
        if (
            self._path is not None
            and self._path.exists()
            and str(self._path) not in self._watcher.files()
        ):
            self._watcher.addPath(str(self._path))

    def _settle(self) -> None:
        if self._path is None:
            return
        stamp = file_stamp(self._path)
        if stamp is None:
            self.removed.emit(str(self._path))
            return
        self._ensure_watched()
        if stamp != self._stamp:
            self._stamp = stamp
            self.changed.emit(str(self._path))
