"""Checks on a report's target before any work is done on it."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import JitriskError
from ..workbook.fileio import refuse_overwrite_input

PathLike = str | os.PathLike[str]


def preflight(path: PathLike, input_path: PathLike | None) -> Path:
    """Refuse the input workbook, a missing folder or a folder as the target.

    Writing would fail on these anyway (:func:`jitrisk.workbook.fileio.atomic_write`
    checks again); checking first saves building a report, or running minutes
    of simulation, for nothing. A locked or read-only target is only found
    when the finished file replaces it.

    Raises
    ------
    JitriskError
        With a message that says what to do.
    """
    target = Path(path)
    refuse_overwrite_input(target, input_path)
    folder = target.parent
    if not folder.is_dir():
        raise JitriskError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise JitriskError(f"cannot write {target}: it is a folder, not a file")
    return target
