"""Safe file output: atomic replacement, and never overwriting the input workbook.

Everything jitrisk writes (workbooks, reports, exports) goes through
:func:`atomic_write`: the content is written to a temporary file in the target's
folder, flushed to disk, and only then renamed onto the target with
:func:`os.replace`. An interrupted write (a crash, a full disk, Ctrl+C) therefore
leaves either the complete old file or the complete new one, never half a file,
and the temporary file is removed. A writer killed outright (SIGKILL, power loss)
cannot remove it: the next write of the same file removes such leftovers once they
are :data:`STALE_TEMP_SECONDS` old.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import JitriskError

PathLike = str | os.PathLike[str]

_TEMP_ATTEMPTS = 100
#: Age after which a temporary file of a target is taken as left over by a killed
#: writer (a live one touches its file far more often than that).
STALE_TEMP_SECONDS = 3600.0


def atomic_write(path: PathLike, write_fn: Callable[[Path], object]) -> Path:
    """Write a file atomically: to a temporary file first, then rename it onto ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace. Its folder must exist.
    write_fn : callable
        Called once with the temporary file's path (an existing, empty file in
        the same folder as ``path``); it writes the whole content there, e.g.
        ``lambda tmp: workbook.save(tmp)``. Its return value is ignored.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    JitriskError
        The folder does not exist or is not writable, ``path`` is a folder, or
        the target file is locked (open in another program) or read-only. The
        previous content of ``path`` is then unchanged.
    Exception
        Whatever ``write_fn`` raises, unchanged, after the temporary file is
        removed; ``path`` is then unchanged too.
    """
    target = Path(path)
    folder = target.parent
    _check_folder(folder, target)
    if target.is_dir():
        raise JitriskError(f"cannot write {target}: it is a folder, not a file")
    tmp = _create_temp(folder, target)
    try:
        write_fn(tmp)
        _fsync_file(tmp)
        _copy_mode(target, tmp)
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise JitriskError(
                f"cannot replace {target}: the file is open in another program (close it in "
                f"Excel) or read-only ({exc.strerror or exc})"
            ) from exc
        except IsADirectoryError as exc:
            raise JitriskError(f"cannot write {target}: it is a folder, not a file") from exc
        except OSError as exc:
            raise JitriskError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _remove_stale_temps(folder, target)
    _fsync_folder(folder)
    return target


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Atomically replace ``path`` with ``data`` (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Atomically replace ``path`` with ``text`` (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding=encoding, newline=""))


def refuse_overwrite_input(target: PathLike, input_path: PathLike | None) -> None:
    """Raise if ``target`` is the input workbook, so a run never overwrites its input.

    Both paths are compared as the same file on disk (:func:`os.path.samefile`,
    which sees through links, ``..`` and case-insensitive file systems) when
    both exist, and as resolved absolute paths otherwise.

    Parameters
    ----------
    target : str or os.PathLike
        The file about to be written.
    input_path : str or os.PathLike or None
        The workbook that was read; None (or ``""``) means there is none.

    Raises
    ------
    JitriskError
        ``target`` is the input workbook.
    """
    if input_path is None or str(input_path) == "":
        return
    out, src = Path(target), Path(input_path)
    if _same_file(out, src):
        raise JitriskError(
            f"refusing to overwrite the input workbook {src}: choose another output file name"
        )


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        try:
            return os.path.samefile(a, b)
        except OSError:
            pass
    return a.expanduser().resolve() == b.expanduser().resolve()


def _check_folder(folder: Path, target: Path) -> None:
    if not folder.exists():
        raise JitriskError(f"cannot write {target}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise JitriskError(f"cannot write {target}: {folder} is not a folder")


def _create_temp(folder: Path, target: Path) -> Path:
    """An empty new file ``.<name>.<random>.tmp`` next to ``target``.

    Created with mode ``0o666`` minus the umask, like any new file, so the
    final file gets ordinary permissions (unlike :func:`tempfile.mkstemp`'s 0600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TEMP_ATTEMPTS):
        tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except PermissionError as exc:
            raise JitriskError(
                f"cannot write {target}: no permission to create files in {folder}"
            ) from exc
        except OSError as exc:
            raise JitriskError(f"cannot write {target}: {exc.strerror or exc}") from exc
        os.close(fd)
        return tmp
    raise JitriskError(f"cannot write {target}: no free temporary file name in {folder}")


def _remove_stale_temps(folder: Path, target: Path) -> None:
    """Remove the temporary files of ``target`` that a killed writer left behind."""
    name = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}\.tmp")
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not name.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _copy_mode(target: Path, tmp: Path) -> None:
    """Keep the permissions of the file being replaced."""
    with contextlib.suppress(OSError):
        os.chmod(tmp, target.stat().st_mode & 0o7777)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
