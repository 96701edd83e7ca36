"""Autosave of the what-if scenarios made in the window, so a crash loses none of them.

Every change to the session's what-if scenarios is written at once, atomically
(:func:`jitrisk.workbook.fileio.atomic_write_text`: a temporary file renamed over the
previous autosave), as JSON in the application's data folder
(``QStandardPaths.AppDataLocation``/``autosave``). One file per workbook: its
name is the SHA-256 of the workbook's resolved path; inside are the path, the
SHA-256 of the workbook's content when the scenarios were made, and each
:class:`~ui.logic.scenario_edits.WhatIf` in the order made (a what-if may start from
an earlier one).

The window offers to restore an autosave when the same workbook is opened
again; saving the scenarios into a copy of the workbook, or discarding them,
removes it. A file that cannot be read back (corrupt, another format, edited
by hand) raises :class:`AutosaveError`, which the window reports as a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths

from jitrisk.workbook.fileio import atomic_write_text

from ..logic.scenario_edits import WhatIf
from .settings_store import workbook_key

#: Overrides the autosave folder (tests, portable installs).
ENV_DIR = "JITRISK_AUTOSAVE_DIR"
FORMAT = 1
#: A workbook larger than this is not hashed (its autosave is then keyed by path only).
MAX_HASHED_BYTES = 512 * 1024 * 1024


class AutosaveError(Exception):
    """An autosave file exists but cannot be read back; the message says why."""


def default_folder(settings: QSettings | None = None) -> Path:
    """Where autosaves go: ``$JITRISK_AUTOSAVE_DIR``; next to an INI settings file (tests
    pass a throw-away one, so nothing reaches the planner's own data folder); else the
    application's data folder."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    if settings is not None and settings.format() is QSettings.Format.IniFormat:
        name = settings.fileName()
        if name:
            return Path(name).parent / "autosave"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".jitrisk") / "autosave"


def file_digest(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file's content ("" when it cannot be read or is too large)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_HASHED_BYTES:
                return ""
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


@dataclass(frozen=True)
class Autosave:
    """What an autosave file holds."""

    workbook: str
    sha256: str
    saved_at: str
    whatifs: tuple[WhatIf, ...]


def _whatif_from(entry: Any) -> WhatIf:
    if not isinstance(entry, dict):
        raise AutosaveError("a scenario entry is not an object")
    try:
        name, sites, base = entry["name"], entry["sites"], entry.get("base", "baseline")
        buffer, start = entry.get("buffer_days"), entry.get("outage_start")
        days = entry.get("outage_days", 21)
        plan = entry.get("site_days", [])
    except KeyError as exc:
        raise AutosaveError(f"a scenario has no {exc.args[0]}") from exc
    ok = (
        isinstance(name, str)
        and isinstance(base, str)
        and isinstance(sites, list)
        and all(isinstance(s, str) for s in sites)
        and (buffer is None or (isinstance(buffer, int | float) and not isinstance(buffer, bool)))
        and (start is None or (isinstance(start, int) and not isinstance(start, bool)))
        and isinstance(days, int)
        and not isinstance(days, bool)
        and isinstance(plan, list)
        and all(
            isinstance(p, list)
            and len(p) == 2
            and isinstance(p[0], str)
            and isinstance(p[1], int | float)
            and not isinstance(p[1], bool)
            for p in plan
        )
    )
    if not ok:
        raise AutosaveError(f"scenario {str(name)[:40]!r} has a value of the wrong type")
    return WhatIf(
        name=name,
        sites=tuple(sites),
        buffer_days=None if buffer is None else float(buffer),
        outage_start=start,
        outage_days=days,
        base=base,
        site_days=tuple((str(p[0]), float(p[1])) for p in plan),
    )


class ScenarioAutosave:
    """Autosaves in ``folder`` (created when first written), one per workbook."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def path_for(self, workbook: str | os.PathLike[str]) -> Path:
        key = hashlib.sha256(workbook_key(workbook).encode("utf-8")).hexdigest()[:32]
        return self.folder / f"whatifs-{key}.json"

    def write(
        self, workbook: str | os.PathLike[str], sha256: str, whatifs: Iterable[WhatIf]
    ) -> Path | None:
        """Replace ``workbook``'s autosave atomically (no scenarios: remove it).

        Raises
        ------
        jitrisk.errors.JitriskError or OSError
            The folder cannot be made or written; the previous autosave is unchanged.
        """
        items = [asdict(w) for w in whatifs]
        if not items:
            self.clear(workbook)
            return None
        for item in items:
            item["sites"] = list(item["sites"])
        data = {
            "format": FORMAT,
            "workbook": workbook_key(workbook),
            "sha256": sha256,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "whatifs": items,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        return atomic_write_text(self.path_for(workbook), json.dumps(data, indent=1))

    def read(self, workbook: str | os.PathLike[str]) -> Autosave | None:
        """``workbook``'s autosave, or None when there is none.

        Raises
        ------
        AutosaveError
            The file exists but is not a readable autosave of this workbook.
        """
        path = self.path_for(workbook)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise AutosaveError(f"{path.name} cannot be read ({exc})") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AutosaveError(f"{path.name} is not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise AutosaveError(f"{path.name} is not an autosave this version reads")
        whatifs = data.get("whatifs")
        if not isinstance(whatifs, list):
            raise AutosaveError(f"{path.name} holds no list of scenarios")
        if data.get("workbook") != workbook_key(workbook):
            raise AutosaveError(f"{path.name} belongs to another workbook")
        return Autosave(
            workbook=str(data["workbook"]),
            sha256=str(data.get("sha256", "")),
            saved_at=str(data.get("saved_at", "")),
            whatifs=tuple(_whatif_from(e) for e in whatifs),
        )

    def clear(self, workbook: str | os.PathLike[str]) -> None:
        """Remove ``workbook``'s autosave, if any."""
        with contextlib.suppress(FileNotFoundError):
            self.path_for(workbook).unlink()

    def latest(self) -> Autosave | None:
        """The most recent readable autosave whose workbook still exists, or None."""
        try:
            files = sorted(
                self.folder.glob("whatifs-*.json"), key=lambda p: p.stat().st_mtime, reverse=True
            )
        except OSError:
            return None
        for path in files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                workbook = Path(str(data["workbook"]))
                saved = self.read(workbook) if workbook.is_file() else None
            except (OSError, ValueError, KeyError, TypeError, AutosaveError):
                continue
            if saved is not None and saved.whatifs:
                return saved
        return None

    def set_aside(self, workbook: str | os.PathLike[str]) -> Path | None:
        """Rename an unreadable autosave to ``*.corrupt`` (kept for a look, never offered
        again); returns the new path, or None when it could not be moved."""
        path = self.path_for(workbook)
        target = path.with_suffix(".corrupt")
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target


def saved_at_text(saved_at: str) -> str:
    """``'saved 9 May 14:05'`` in local time, from the ISO time stored; "" when unknown."""
    try:
        when = datetime.fromisoformat(saved_at).astimezone()
    except ValueError:
        return ""
    return f"autosaved {when:%d %b %H:%M}".replace(" 0", " ")
