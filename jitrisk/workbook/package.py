"""The file itself, before any cell is read: size, type, the zip package and its parts.

A workbook is a zip of XML parts; these checks refuse, with a message, what is
not one, what is too large (a zip bomb) or what would make the XML reader
slow, before openpyxl sees the file.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import suggest as suggest
from .format import (
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
)
from .sheets import (
    _Collector,
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sha256_of(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


#: Most parts (files inside the zip) a workbook may have; Excel writes a few dozen.
MAX_PARTS = 10_000


#: Largest zip directory (the list of parts) read before any part is opened.
MAX_ZIP_DIRECTORY_BYTES = 4 * 2**20


#: Largest uncompressed worksheet: openpyxl streams it row by row.
MAX_PART_BYTES = 64 * 2**20


#: Largest uncompressed other part: openpyxl reads these whole into memory
#: (shared strings, styles, relationships, properties...).
MAX_WHOLE_PART_BYTES = 8 * 2**20


#: Most XML elements in the styles part: openpyxl builds objects for each, twice (~20 us
#: and ~0.7 KB an element); 8 MiB of empty <xf/> took 37 s and 1.3 GB. Excel itself
#: allows 64,000 cell formats: about 200,000 elements with their fonts and borders.
MAX_STYLE_ELEMENTS = 300_000


_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _check_file(path: Path, out: _Collector) -> bool:
    """File-level checks before any parser touches the bytes. True when safe to open."""
    try:
        return _check_bytes(path, out)
    except OSError as exc:  # no permission, a name too long, a file that vanished...
        out.error("", None, None, f"cannot read the file {path}: {exc.strerror or exc}")
        return False


def _check_bytes(path: Path, out: _Collector) -> bool:
    if not path.exists():
        out.error("", None, None, f"file not found: {path}")
        return False
    if not path.is_file():
        out.error("", None, None, f"not a file: {path}")
        return False
    size = path.stat().st_size
    if size == 0:
        out.error("", None, None, "the file is empty (0 bytes); it is not an Excel workbook")
        return False
    if size > MAX_FILE_BYTES:
        out.error(
            "",
            None,
            None,
            f"the file is {size / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB",
        )
        return False
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == _OLE_MAGIC:
            # the stream names sit in the directory, at the start or (large files) the end
            fh.seek(0)
            blob = fh.read(min(size, 4 * 2**20))
            fh.seek(max(0, size - 4 * 2**20))
            blob += fh.read()
            if "EncryptionInfo".encode("utf-16-le") in blob:
                out.error(
                    "",
                    None,
                    None,
                    "the workbook is password-protected; save an "
                    "unprotected copy (File > Info > Protect Workbook) and open that",
                )
            else:
                out.error(
                    "",
                    None,
                    None,
                    "this is an old-style .xls file; open it in Excel and "
                    "save it as .xlsx (Excel Workbook)",
                )
            return False
        directory = _zip_directory_bytes(fh, size)
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK\x03\x04"):
            out.error(
                "",
                None,
                None,
                "the file is damaged (truncated or corrupt zip); re-save it from Excel",
            )
            return False
        kind = "a text/CSV file" if _looks_like_text(path) else "not an Excel .xlsx file"
        out.error("", None, None, f"the file is {kind}; jitrisk reads Excel workbooks (.xlsx)")
        return False
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        # checked before the zip module lists the parts: that list alone could fill memory
        out.error(
            "",
            None,
            None,
            f"the file lists {directory / 2**20:.0f} MiB of parts; an Excel workbook "
            f"lists far less (the limit is {MAX_ZIP_DIRECTORY_BYTES // 2**20} MiB)",
        )
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            # from the directory, before anything is unpacked: encryption, then sizes
            problem: str | None
            if any(i.flag_bits & 0x1 for i in zf.infolist()):
                problem = (
                    "the workbook's parts are encrypted (password-protected); save an "
                    "unprotected copy and open that"
                )
            else:
                problem = _size_problem(zf)
            if problem is not None:
                out.error("", None, None, problem)
                return False
            bad = zf.testzip() if size < 20 * 2**20 else None
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        EOFError,
    ) as exc:
        out.error(
            "", None, None, f"the file is damaged (corrupt zip: {exc}); re-save it from Excel"
        )
        return False
    if bad is not None:
        out.error(
            "", None, None, f"the file is damaged (corrupt part {bad!r}); re-save it from Excel"
        )
        return False
    if "xl/workbook.xml" not in names:
        out.error("", None, None, "the file is a zip archive but not an Excel workbook")
        return False
    if any(n.startswith("xl/externalLinks/") for n in names):
        out.warn(
            "",
            None,
            None,
            "the workbook has links to other files; jitrisk uses the "
            "values cached in this file and never opens the linked files",
        )
    if "xl/vbaProject.bin" in names:
        out.warn(
            "",
            None,
            None,
            "the workbook contains macros; jitrisk reads its data and never runs them",
        )
    return True


def _zip_directory_bytes(fh: Any, size: int) -> int:
    """Size of a zip's central directory, read from its end record (0 if there is none)."""
    fh.seek(max(0, size - 22 - 0xFFFF))  # the end record, after a comment of up to 64 KiB
    tail = fh.read()
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or i + 22 > len(tail):
        return 0
    n = int.from_bytes(tail[i + 12 : i + 16], "little")
    z = i - 20 - 56  # a zip64 end record sits just before the zip64 locator
    if n == 0xFFFFFFFF and z >= 0 and tail[z : z + 4] == b"PK\x06\x06":
        n = int.from_bytes(tail[z + 40 : z + 48], "little")
    return n


def _size_problem(zf: zipfile.ZipFile) -> str | None:
    """Why the parts of ``zf`` are too many or too large to unpack, from the zip directory."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        return f"the file has {len(infos):,} parts; the limit is {MAX_PARTS:,}"
    total = sum(max(i.file_size, 0) for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return (
            f"the workbook unpacks to {total / 2**20:.0f} MiB; the limit "
            f"is {MAX_UNCOMPRESSED_BYTES // 2**20} MiB"
        )
    sheets = _worksheet_parts(zf)
    for info in infos:
        limit = MAX_PART_BYTES if info.filename in sheets else MAX_WHOLE_PART_BYTES
        if info.file_size > limit:
            what = "a worksheet" if info.filename in sheets else "a part other than a worksheet"
            return (
                f"part {info.filename[:80]!r} unpacks to {info.file_size / 2**20:.0f} MiB; "
                f"the limit for {what} is {limit // 2**20} MiB"
            )
    if "xl/styles.xml" in zf.namelist():
        xml = zf.read("xl/styles.xml")  # at most MAX_WHOLE_PART_BYTES, checked above
        n = xml.count(b"<") - xml.count(b"</")
        if n > MAX_STYLE_ELEMENTS:
            return (
                f"the workbook's formatting has {n:,} entries; the limit is "
                f"{MAX_STYLE_ELEMENTS:,}: clear unused cell formats, or copy the sheets' "
                "values into a new workbook"
            )
    return None


def _worksheet_parts(zf: zipfile.ZipFile) -> set[str]:
    """Parts that ``[Content_Types].xml`` declares as worksheets (and as nothing else)."""
    import xml.etree.ElementTree as ET

    try:
        info = zf.getinfo("[Content_Types].xml")
    except KeyError:
        return set()
    if info.file_size > MAX_WHOLE_PART_BYTES:
        return set()  # refused anyway
    try:
        root = ET.fromstring(zf.read(info))  # expat: no external entities, bounded expansion
    except ET.ParseError:
        return set()
    types: dict[str, set[str]] = {}
    for el in root:
        if str(el.tag).endswith("Override"):
            name = el.get("PartName", "").lstrip("/")
            types.setdefault(name, set()).add(el.get("ContentType", ""))
    return {name for name, kinds in types.items() if kinds == {_WORKSHEET_TYPE}}


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        chunk = fh.read(2048)
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"," in chunk or b";" in chunk or b"\t" in chunk


def _open(fh: BinaryIO, data_only: bool) -> Any:
    import openpyxl  # imported here: heavy, and not needed for file checks

    return openpyxl.load_workbook(fh, read_only=True, data_only=data_only, keep_links=False)
