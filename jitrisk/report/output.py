"""Writing a report file: checks on its target before any work, then an atomic write."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import JitriskError
from ..workbook.fileio import atomic_write, refuse_overwrite_input

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


def write_checked(
    path: PathLike, input_path: PathLike | None, make: Callable[[], Callable[[Path], object]]
) -> Path:
    """Check the target, build the report, then write it atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; replaced if it exists.
    input_path : str or os.PathLike or None
        The workbook that was read: never overwritten.
    make : callable
        Builds the report (the costly part, so only after :func:`preflight`)
        and returns the function that saves it to a given path.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    jitrisk.errors.JitriskError
        ``path`` is the input workbook, its folder does not exist, or the file
        is locked (open in Excel) or read-only. A previous file at ``path`` is
        then unchanged.
    """
    preflight(path, input_path)
    return atomic_write(path, make())
