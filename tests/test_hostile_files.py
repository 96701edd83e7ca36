"""Files that are not what they claim, and workbooks built to hurt the reader.

``test_workbook_validation.py`` already covers the plain cases (missing, empty, a
folder, random bytes, CSV or .xls renamed, password-protected OLE files, a
truncated zip, a corrupt part, limits lowered by monkeypatching). Here: real zip
and XML bombs with the real limits, forged zip directories and sheet sizes,
encrypted parts, macros and external links, paths, and proof that nothing in a
workbook is ever executed, imported or opened as a path.

Every hostile file must give a clear message (the text is asserted) within
bounded time and memory: ``SECONDS`` and ``PEAK_BYTES`` (Python allocations,
measured with tracemalloc; one test measures the whole process in a subprocess).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import jitrisk.workbook.package
import jitrisk.workbook.reader
from builders import valid_rows, write_workbook
from jitrisk.errors import WorkbookError
from jitrisk.workbook.format import MAX_UNCOMPRESSED_BYTES
from jitrisk.workbook.package import (
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_STYLE_ELEMENTS,
    MAX_WHOLE_PART_BYTES,
    MAX_ZIP_DIRECTORY_BYTES,
)
from jitrisk.workbook.reader import (
    ValidationReport,
    load_network,
    validate_workbook,
)

SECONDS = 5.0
PEAK_BYTES = 300 * 2**20
MIB = 2**20
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA = "application/vnd.ms-office.vbaProject"


# --------------------------------------------------------------------------- helpers


def valid_parts(folder: Path) -> dict[str, bytes]:
    """The parts (zip members) of the small valid workbook of :mod:`builders`."""
    src = write_workbook(folder / "_parts_source.xlsx", valid_rows())
    with zipfile.ZipFile(src) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    src.unlink()
    return parts


Stream = tuple[bytes, bytes, int, bytes]  # head, unit repeated count times, tail


def write_zip(
    path: Path, parts: Mapping[str, bytes], streamed: Mapping[str, Stream] | None = None
) -> Path:
    """Write ``parts`` (and huge ``streamed`` parts, never held in memory) as a zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if name not in (streamed or {}):
                zf.writestr(name, data)
        for name, (head, unit, count, tail) in (streamed or {}).items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                fh.write(head)
                for _ in range(count):
                    fh.write(unit)
                fh.write(tail)
    return path


def with_shared_strings(parts: dict[str, bytes], part: str, declare_as: str = SST_TYPE) -> None:
    """Declare a shared-strings part ``part`` in the content types and workbook relations."""
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/{part}" ContentType="{declare_as}"/></Types>'.encode()
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdSST" Type="{SST_REL}" Target="/{part}"/></Relationships>'.encode(),
    )


def measured(path: Path) -> tuple[ValidationReport, float, int]:
    """``validate_workbook(path)``: the report, its time in seconds (measured on its own:
    tracemalloc slows allocation-heavy parsing several times) and its peak Python
    allocation in bytes (a second run under tracemalloc)."""
    t0 = time.perf_counter()
    report = validate_workbook(path)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    try:
        again = validate_workbook(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert again.problems == report.problems
    return report, seconds, peak


def only_error(report: ValidationReport, text: str) -> str:
    """The report holds exactly one problem, a file-level error containing ``text``."""
    shown = [str(p) for p in report.problems]
    assert len(report.problems) == 1, shown
    p = report.problems[0]
    assert (p.location, p.severity) == ("", "error"), shown
    assert text in p.message, shown
    assert report.network is None
    return p.message


@pytest.fixture
def parser_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records every time the loader hands the file to openpyxl."""
    calls: list[Path] = []
    real = jitrisk.workbook.reader._open

    def spy(path: Path, data_only: bool) -> Any:
        calls.append(path)
        return real(path, data_only)

    monkeypatch.setattr(jitrisk.workbook.reader, "_open", spy)
    return calls


def refused_quickly(path: Path, text: str, parser_calls: list[Path]) -> str:
    """Refused with ``text``, in bounded time and memory, before openpyxl saw the file."""
    report, seconds, peak = measured(path)
    message = only_error(report, text)
    assert seconds < SECONDS, seconds
    assert peak < PEAK_BYTES, peak
    assert parser_calls == [], "openpyxl was asked to parse a refused file"
    with pytest.raises(WorkbookError) as info:
        load_network(path)
    assert text in str(info.value)
    return message


# --------------------------------------------------------------------------- zip bombs


@pytest.fixture(scope="module")
def sheet_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook whose first sheet unpacks to more than the total limit."""
    folder = tmp_path_factory.mktemp("bomb")
    parts = valid_parts(folder)
    head, tail = parts["xl/worksheets/sheet1.xml"].split(b"</sheetData>")
    count = MAX_UNCOMPRESSED_BYTES // MIB + 20
    path = write_zip(
        folder / "bomb.xlsx",
        parts,
        {"xl/worksheets/sheet1.xml": (head, b" " * MIB, count, b"</sheetData>" + tail)},
    )
    assert path.stat().st_size < MIB  # a small file ...
    with zipfile.ZipFile(path) as zf:  # ... that would unpack to over 300 MiB
        assert sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED_BYTES
    return path


def test_zip_bomb_sheet_is_refused_from_the_directory(
    sheet_bomb: Path, parser_calls: list[Path]
) -> None:
    message = refused_quickly(sheet_bomb, "the workbook unpacks to", parser_calls)
    assert f"the limit is {MAX_UNCOMPRESSED_BYTES // MIB} MiB" in message


def in_fresh_process(path: Path) -> dict[str, Any]:
    """Validate ``path`` in a new interpreter: seconds, peak RSS in bytes (C buffers of
    zlib and expat included) and the problems.

    The peak is the process's own high-water mark (VmHWM): on Linux, ``ru_maxrss`` of a
    child started by fork/vfork + exec also counts the parent's peak (the test runner's).
    """
    code = (
        "import json, resource, sys, time\n"
        "from jitrisk.workbook import validate_workbook\n"
        "t = time.perf_counter()\n"
        "r = validate_workbook(sys.argv[1])\n"
        "s = time.perf_counter() - t\n"
        "try:\n"
        "    hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')]\n"
        "    rss = int(hwm[0].split()[1]) * 1024\n"
        "except (OSError, IndexError):\n"
        "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'seconds': s, 'rss': rss, 'problems': [str(p) for p in r.problems]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    got: dict[str, Any] = json.loads(done.stdout)
    return got


def test_zip_bomb_in_a_fresh_process_stays_within_memory(sheet_bomb: Path) -> None:
    got = in_fresh_process(sheet_bomb)
    assert len(got["problems"]) == 1 and "unpacks to" in got["problems"][0], got
    assert got["seconds"] < SECONDS, got
    assert got["rss"] < PEAK_BYTES, got  # numpy and scipy alone take ~120 MB of it


def test_one_worksheet_over_the_part_limit(tmp_path: Path, parser_calls: list[Path]) -> None:
    parts = valid_parts(tmp_path)
    head, tail = parts["xl/worksheets/sheet2.xml"].split(b"</sheetData>")
    count = MAX_PART_BYTES // MIB + 4  # under the total limit, over the per-part one
    path = write_zip(
        tmp_path / "big-sheet.xlsx",
        parts,
        {"xl/worksheets/sheet2.xml": (head, b"\n" * MIB, count, b"</sheetData>" + tail)},
    )
    message = refused_quickly(path, "part 'xl/worksheets/sheet2.xml' unpacks to", parser_calls)
    assert f"the limit for a worksheet is {MAX_PART_BYTES // MIB} MiB" in message


def shared_strings_bomb(tmp_path: Path, part: str, declare_as: str = SST_TYPE) -> Path:
    parts = valid_parts(tmp_path)
    with_shared_strings(parts, part, declare_as)
    unit = b"".join(b"<si><t>%05d</t></si>" % i for i in range(MIB // 20))
    count = 2 * MAX_WHOLE_PART_BYTES // len(unit) + 1
    return write_zip(
        tmp_path / "sst-bomb.xlsx",
        parts,
        {part: (b"<sst " + NS + b">", unit, count, b"</sst>")},
    )


def test_shared_strings_bomb(tmp_path: Path, parser_calls: list[Path]) -> None:
    """openpyxl would load every string into a list, twice: ~1 s and ~40 MB per MiB."""
    path = shared_strings_bomb(tmp_path, "xl/sharedStrings.xml")
    message = refused_quickly(path, "part 'xl/sharedStrings.xml' unpacks to", parser_calls)
    assert f"other than a worksheet is {MAX_WHOLE_PART_BYTES // MIB} MiB" in message


def test_shared_strings_disguised_as_a_worksheet_get_the_small_limit(
    tmp_path: Path, parser_calls: list[Path]
) -> None:
    """openpyxl finds shared strings by content type, wherever the part lives."""
    path = shared_strings_bomb(tmp_path, "xl/worksheets/sheet9.xml")
    refused_quickly(path, "part 'xl/worksheets/sheet9.xml' unpacks to", parser_calls)


STYLES_HEAD = b"<styleSheet " + NS + b"><cellXfs>"
STYLES_END = b"</cellXfs></styleSheet>"


def test_styles_bomb(tmp_path: Path, parser_calls: list[Path]) -> None:
    parts = valid_parts(tmp_path)
    styles = (STYLES_HEAD, b"<xf/>" * 1000, 2000, STYLES_END)
    path = write_zip(tmp_path / "styles.xlsx", parts, {"xl/styles.xml": styles})
    refused_quickly(path, "part 'xl/styles.xml' unpacks to", parser_calls)


def test_styles_with_too_many_entries(tmp_path: Path, parser_calls: list[Path]) -> None:
    """Under the size limit but dense: 8 MiB of empty <xf/> took 37 s and 1.3 GB in
    openpyxl, from a 20 KB file."""
    parts = valid_parts(tmp_path)
    styles = (STYLES_HEAD, b"<xf/>" * 1000, MAX_STYLE_ELEMENTS // 1000 + 1, STYLES_END)
    path = write_zip(tmp_path / "styles.xlsx", parts, {"xl/styles.xml": styles})
    assert path.stat().st_size < 64 * 1024
    message = refused_quickly(path, "the workbook's formatting has", parser_calls)
    assert f"the limit is {MAX_STYLE_ELEMENTS:,}" in message


def test_declared_size_that_lies_reads_no_more_than_declared(tmp_path: Path) -> None:
    """The directory says the sheet is small and its CRC fits that prefix; the deflate
    stream goes on for 200 MiB. Only the declared bytes are ever unpacked."""
    parts = valid_parts(tmp_path)
    honest = parts["xl/worksheets/sheet1.xml"]
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = comp.compress(honest)
    for _ in range(200):
        stream += comp.compress(b" " * MIB)
    stream += comp.flush()
    crc = zlib.crc32(honest)
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in parts.items():
            if part == "xl/worksheets/sheet1.xml":
                info = zipfile.ZipInfo(part)
                info.compress_type = zipfile.ZIP_STORED  # raw bytes in; patched below
                zf.writestr(info, stream)
            else:
                zf.writestr(part, data)
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(name.decode()).header_offset
    raw = bytearray(path.read_bytes())
    central = raw.index(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(name)] != name:
        central = raw.index(b"PK\x01\x02", central + 4)
    # method deflate; CRC and size of the honest prefix (local header, central directory)
    struct.pack_into("<H", raw, local + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", raw, local + 14, crc)
    struct.pack_into("<I", raw, local + 22, len(honest))
    struct.pack_into("<H", raw, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", raw, central + 16, crc)
    struct.pack_into("<I", raw, central + 24, len(honest))
    path.write_bytes(bytes(raw))

    report, seconds, peak = measured(path)
    assert seconds < SECONDS and peak < 64 * MIB, (seconds, peak)
    # what is read is the honest sheet: the workbook is as valid as the original
    assert report.ok, [str(p) for p in report.problems]


def test_zip_directory_bomb(tmp_path: Path, parser_calls: list[Path]) -> None:
    """A directory listing so many parts that listing them alone would take memory."""
    parts = valid_parts(tmp_path)
    path = tmp_path / "directory.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        filler = "d/" + "x" * 250
        for i in range(MAX_ZIP_DIRECTORY_BYTES // 250):
            zf.writestr(f"{filler}{i}", b"")
    message = refused_quickly(path, "MiB of parts", parser_calls)
    assert f"the limit is {MAX_ZIP_DIRECTORY_BYTES // MIB} MiB" in message


def test_too_many_parts(tmp_path: Path, parser_calls: list[Path]) -> None:
    parts = valid_parts(tmp_path)
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        for i in range(MAX_PARTS):
            zf.writestr(f"p/{i}", b"")
    refused_quickly(path, f"parts; the limit is {MAX_PARTS:,}", parser_calls)


def _patch_headers(
    data: bytearray, offset: int, signature: bytes, fn: Callable[[int], None]
) -> None:
    i = data.find(signature)
    while i >= 0:
        fn(i + offset)
        i = data.find(signature, i + 4)


def test_encrypted_zip_parts(tmp_path: Path, parser_calls: list[Path]) -> None:
    """Parts flagged as encrypted (a zip password) used to raise RuntimeError."""
    data = bytearray(write_zip(tmp_path / "plain.xlsx", valid_parts(tmp_path)).read_bytes())

    def flag(at: int) -> None:
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 1)

    _patch_headers(data, 6, b"PK\x03\x04", flag)
    _patch_headers(data, 8, b"PK\x01\x02", flag)
    path = tmp_path / "encrypted.xlsx"
    path.write_bytes(bytes(data))
    refused_quickly(path, "encrypted (password-protected)", parser_calls)


def test_unknown_compression_method(tmp_path: Path, parser_calls: list[Path]) -> None:
    data = bytearray(write_zip(tmp_path / "plain.xlsx", valid_parts(tmp_path)).read_bytes())

    def method(at: int) -> None:
        struct.pack_into("<H", data, at, 99)  # AES, or anything zipfile cannot unpack

    _patch_headers(data, 8, b"PK\x03\x04", method)
    _patch_headers(data, 10, b"PK\x01\x02", method)
    path = tmp_path / "method.xlsx"
    path.write_bytes(bytes(data))
    message = refused_quickly(path, "the file is damaged", parser_calls)
    assert "re-save it from Excel" in message


# --------------------------------------------------------------------------- forged sheet sizes


def _edit_sheet(tmp_path: Path, name: str, edit: Callable[[bytes], bytes]) -> Path:
    parts = valid_parts(tmp_path)
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    return write_zip(tmp_path / name, parts)


def _row(r: int) -> bytes:
    return f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>X{r}</t></is></c></row>'.encode()


def test_stale_small_dimension_loses_no_rows_or_columns(tmp_path: Path) -> None:
    """Some tools write <dimension ref="A1"/> whatever the sheet holds: it used to hide
    every column but A ("required column 'type' is missing")."""
    path = _edit_sheet(
        tmp_path,
        "stale.xlsx",
        lambda x: x.replace(b'<dimension ref="A1:H8"/>', b'<dimension ref="A1"/>'),
    )
    plain = load_network(write_zip(tmp_path / "plain.xlsx", valid_parts(tmp_path)))
    report = validate_workbook(path)
    assert report.problems == []
    assert report.network is not None
    assert report.network.sites == plain.sites


def test_huge_dimension_and_a_far_row_take_bounded_time(tmp_path: Path) -> None:
    """A dimension of A1:XFD1048576 made openpyxl pad every row to 16,384 cells: 20,000
    rows took 30 s (a million, hours). Long runs of empty rows give one warning."""

    def edit(x: bytes) -> bytes:
        x = x.replace(b'<dimension ref="A1:H8"/>', b'<dimension ref="A1:XFD1048576"/>')
        return x.replace(b"</sheetData>", _row(1_048_576) + b"</sheetData>")

    path = _edit_sheet(tmp_path, "wide.xlsx", edit)
    t0 = time.perf_counter()
    report = validate_workbook(path)
    assert time.perf_counter() - t0 < 3 * SECONDS
    assert [(p.location, p.message) for p in report.problems] == [
        ("Sites!B1048576", "type is required"),
        ("Sites!9:9", "1,048,567 empty rows ignored (rows 9 to 1048575)"),
    ]


def test_row_number_beyond_excel_is_damage_not_a_hang(tmp_path: Path) -> None:
    path = _edit_sheet(
        tmp_path,
        "row.xlsx",
        lambda x: x.replace(b"</sheetData>", _row(2_000_000_000) + b"</sheetData>"),
    )
    t0 = time.perf_counter()
    report = validate_workbook(path)
    assert time.perf_counter() - t0 < 3 * SECONDS
    assert [str(p) for p in report.problems] == [
        "Sites: a row number beyond Excel's last row (1,048,576): the sheet is damaged; "
        "re-save it from Excel"
    ]


# --------------------------------------------------------------------------- hostile XML


def test_billion_laughs_entity_expansion(tmp_path: Path) -> None:
    lol = b"".join(
        b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10 if i else b"lol") for i in range(10)
    )

    def edit(x: bytes) -> bytes:
        return b"<!DOCTYPE w [" + lol + b"]>" + x.replace(b"<t>SUP-A</t>", b"<t>&l9;</t>")

    path = _edit_sheet(tmp_path, "lol.xlsx", edit)
    # expat (>= 2.4) stops the expansion after ~8 MiB: ~70 MB of Python objects in
    # ElementTree, ~270 MB through openpyxl; measured as the whole process, from scratch
    got = in_fresh_process(path)
    assert got["seconds"] < SECONDS and got["rss"] < 2 * PEAK_BYTES, got
    assert len(got["problems"]) == 1, got
    assert got["problems"][0].startswith("Sites: cannot read the sheet (ParseError: limit on "
                                         "input amplification factor"), got  # fmt: skip


# --------------------------------------------------------------------------- nothing runs


class Audit:
    """Python audit events seen while recording (the hook itself cannot be removed)."""

    def __init__(self) -> None:
        self.recording = False
        self.events: list[tuple[str, tuple[Any, ...]]] = []

    @contextlib.contextmanager
    def record(self) -> Iterator[Audit]:
        self.events.clear()
        self.recording = True
        try:
            yield self
        finally:
            self.recording = False

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.recording:
            self.events.append((event, args))

    def opened(self) -> list[str]:
        return [str(a[0]) for e, a in self.events if e == "open" and a and a[0] is not None]

    def names(self) -> set[str]:
        return {e for e, _ in self.events}

    def compiled(self, marker: str) -> list[str]:
        """Source text compiled (exec, eval, compile) that contains ``marker``."""
        return [str(a[0]) for e, a in self.events if e == "compile" and marker in str(a[0])]

    def imported(self, marker: str) -> list[str]:
        return [str(a[0]) for e, a in self.events if e == "import" and marker in str(a[0])]


_AUDIT = Audit()
sys.addaudithook(_AUDIT)


@pytest.fixture
def audit() -> Audit:
    return _AUDIT


CANARY = "jitrisk_canary_3f1a"
RUN_EVENTS = {"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
              "os.fork", "os.startfile", "ctypes.dlopen", "webbrowser.open"}  # fmt: skip


def test_workbook_content_is_never_run_imported_or_opened(tmp_path: Path, audit: Audit) -> None:
    """Code in cells, DDE formulas, macros, external links and relationships pointing at
    files: the loader reads the data, runs nothing and opens no file but the workbook."""
    canary = tmp_path / f"{CANARY}.xlsx"
    canary.write_bytes(b"never read")
    url = canary.as_uri()
    rows = valid_rows()
    hostile = [f"__import__('os').system('touch {CANARY}')",
               f"normal(__import__('{CANARY}'), 1)", f"=cmd|' /C touch {CANARY}'!A0",
               f'=HYPERLINK("{url}")', f"='{canary}'!A1", f"eval('{CANARY}')", CANARY]  # fmt: skip
    for i, text in enumerate(hostile):
        rows["Sites"].append([f"H{i}", "supplier", text, text, text, text, text, text])
        rows["Lanes"].append([f"H{i}", "PLANT", text, text, text, text])
        rows["Scenarios"].append(["strike", "DC", "safety_stock_days", text])
    src = write_workbook(tmp_path / "src.xlsx", rows)
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/vbaProject.bin"] = f'Sub Auto_Open()\r\n Shell "touch {CANARY}"\r\nEnd Sub'.encode()
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"/></externalLink>'
    )
    external = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/externalLinkPath" Target="{url}" TargetMode="External"/></Relationships>'
    )
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = external.encode()
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = external.replace("rId1", "rId9").encode()
    path = write_zip(tmp_path / "hostile.xlsm", parts)

    before = canary.stat()
    validate_workbook(path)  # first-time imports compile code of their own: not recorded
    with audit.record():
        report = validate_workbook(path)
        with pytest.raises(WorkbookError):
            load_network(path)

    assert not report.ok  # the hostile cells are errors, reported like any other
    warnings = " ".join(p.message for p in report.warnings)
    assert "never runs them" in warnings and "never opens the linked files" in warnings
    assert all(CANARY not in name for name in audit.opened()), audit.opened()
    assert not audit.names() & RUN_EVENTS, audit.names() & RUN_EVENTS
    assert audit.compiled(CANARY) == [] and audit.compiled("__import__") == []
    assert audit.imported(CANARY) == []
    assert canary.stat() == before
    assert not (Path.cwd() / CANARY).exists()


def test_xlsm_with_macros_is_read_and_never_run(tmp_path: Path, audit: Audit) -> None:
    parts = valid_parts(tmp_path)
    parts["xl/vbaProject.bin"] = b'Sub Workbook_Open()\r\n Shell "calc.exe"\r\nEnd Sub'
    parts["[Content_Types].xml"] = (
        parts["[Content_Types].xml"]
        .replace(XLSX_TYPE.encode(), XLSM_TYPE.encode())
        .replace(b"</Types>", f'<Default Extension="bin" ContentType="{VBA}"/></Types>'.encode())
    )
    path = write_zip(tmp_path / "macros.xlsm", parts)
    plain = load_network(write_zip(tmp_path / "plain.xlsx", valid_parts(tmp_path)))
    with audit.record():
        report = validate_workbook(path)
    assert [(p.location, p.severity, p.message) for p in report.problems] == [
        ("", "warning", "the workbook contains macros; jitrisk reads its data and never runs them")
    ]
    assert report.network is not None
    assert (report.network.sites, report.network.lanes) == (plain.sites, plain.lanes)
    assert not audit.names() & RUN_EVENTS


def test_external_entity_is_never_fetched(tmp_path: Path, audit: Audit) -> None:
    secret = tmp_path / f"{CANARY}.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE w [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'.encode()

    def edit(x: bytes) -> bytes:
        return doctype + x.replace(b"<t>SUP-A</t>", b"<t>&x;</t>")

    parts = valid_parts(tmp_path)
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    parts["xl/workbook.xml"] = doctype + parts["xl/workbook.xml"].replace(
        b'name="Sites"', b'name="&x;"'
    )
    path = write_zip(tmp_path / "xxe.xlsx", parts)
    with audit.record():
        report = validate_workbook(path)
    assert not report.ok
    assert "cannot read the workbook" in report.problems[0].message
    assert all("TOP-SECRET" not in str(p) for p in report.problems)
    assert all(CANARY not in name for name in audit.opened()), audit.opened()
    only = _edit_sheet(tmp_path, "xxe-sheet.xlsx", edit)
    with audit.record():
        report = validate_workbook(only)
    assert all(CANARY not in name for name in audit.opened()), audit.opened()
    assert [p.location for p in report.problems] == ["Sites"]
    assert "cannot read the sheet" in report.problems[0].message
    assert all("TOP-SECRET" not in str(p) for p in report.problems)


def test_relationship_pointing_outside_the_zip(tmp_path: Path, audit: Audit) -> None:
    parts = valid_parts(tmp_path)
    outside = tmp_path / f"{CANARY}.xml"
    outside.write_bytes(parts["xl/worksheets/sheet1.xml"])
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b'Target="/xl/worksheets/sheet1.xml"', f'Target="/../../../..{outside}"'.encode()
    )
    assert parts["xl/_rels/workbook.xml.rels"] != rels
    path = write_zip(tmp_path / "escape.xlsx", parts)
    with audit.record():
        report = validate_workbook(path)
    assert [(p.location, p.message) for p in report.problems] == [
        ("Sites", "required sheet 'Sites' is missing")
    ]
    assert all(CANARY not in name for name in audit.opened())


# --------------------------------------------------------------------------- paths


def test_unicode_paths(tmp_path: Path) -> None:
    folder = tmp_path / "Données – Werk München 東京 😀"
    folder.mkdir()
    path = write_workbook(folder / "Lieferkette ñ 🚚.xlsx", valid_rows())
    report = validate_workbook(path)
    assert report.ok and report.network is not None
    assert report.network.source_path == str(path)
    missing = folder / "fehlt – 見つからない.xlsx"
    assert str(validate_workbook(missing).problems[0]) == f"file not found: {missing}"


def test_name_too_long_for_the_file_system(tmp_path: Path) -> None:
    """Used to raise OSError (ENAMETOOLONG) out of validate_workbook."""
    path = tmp_path / ("x" * 300 + ".xlsx")
    message = only_error(validate_workbook(path), "cannot read the file")
    assert message.endswith("File name too long")
    with pytest.raises(WorkbookError):
        load_network(path)


def test_file_that_cannot_be_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No permission (or locked): a message, not a PermissionError (as root, simulated)."""
    path = write_workbook(tmp_path / "locked.xlsx", valid_rows())

    def refuse(*args: object, **kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(jitrisk.workbook.package, "open", refuse, raising=False)
    message = only_error(validate_workbook(path), f"cannot read the file {path}")
    assert message.endswith("Permission denied")


def test_path_with_a_nul_byte(tmp_path: Path) -> None:
    only_error(validate_workbook(str(tmp_path / "a\x00b.xlsx")), "file not found")


# --------------------------------------------------------------------------- the limits


def test_limits_are_ordered_sensibly() -> None:
    """A worksheet may be larger than the parts read whole; every part fits the total."""
    assert MAX_WHOLE_PART_BYTES < MAX_PART_BYTES < MAX_UNCOMPRESSED_BYTES
    assert MAX_PARTS * 46 < MAX_ZIP_DIRECTORY_BYTES  # 46 bytes: the smallest directory entry


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (
            lambda x: x.replace(b"</row>", b"</rov>", 4).replace(b"</rov>", b"</row>", 3),
            "cannot read the sheet",
        ),  # while reading the 4th row
        (lambda x: b"<!-- unclosed" + x, "cannot read the workbook"),  # while opening
    ],
)
def test_workbook_is_closed_after_a_parse_error(
    tmp_path: Path, edit: Callable[[bytes], bytes], where: str
) -> None:
    """ElementTree keeps a parse error in a reference cycle with the generators reading
    the sheet: the file stayed open (locked, on Windows) until garbage collection."""
    path = _edit_sheet(tmp_path, "broken.xlsx", edit).resolve()
    gc.disable()
    try:
        report = validate_workbook(path)
        handles = [
            fd for fd in os.listdir("/proc/self/fd")
            if os.path.realpath(f"/proc/self/fd/{fd}") == str(path)
        ]  # fmt: skip
    finally:
        gc.enable()
        gc.collect()
    assert where in report.problems[0].message, [str(p) for p in report.problems]
    assert handles == []


# --------------------------------------------------------------------------- the sources

ROOT = Path(__file__).resolve().parent.parent
#: Names that turn text into code or run programs. ``compile`` is only the builtin
#: (``re.compile`` is an attribute); ``.exec()`` on Qt objects is an event loop.
CODE_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
RUNNING_CALLS = {"import_module", "system", "popen", "spawnl", "spawnv", "execv", "execl",
                 "execvp", "startfile", "load", "loads"}  # fmt: skip
RUNNING_MODULES = {"pickle", "marshal", "shelve", "subprocess", "dill", "runpy"}
#: (file, name) pairs allowed, each with its reason. Empty: nothing needs one.
ALLOWED: dict[tuple[str, str], str] = {}


def scan_sources(root: Path) -> list[tuple[str, str, int]]:
    """(file, what, line) for every call or import that could run text or programs."""
    import ast
    import io
    import tokenize

    found = []
    for path in sorted((root / "jitrisk").rglob("*.py")) + sorted((root / "ui").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)]  # fmt: skip
        for k, t in enumerate(toks[:-1]):
            called = t.type == tokenize.NAME and toks[k + 1].string == "("
            method = k > 0 and toks[k - 1].string == "."
            if called and not method and t.string in CODE_BUILTINS:
                found.append((rel, t.string, t.start[0]))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found += [(rel, a.name, node.lineno) for a in node.names
                          if a.name.split(".")[0] in RUNNING_MODULES]  # fmt: skip
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if module.split(".")[0] in RUNNING_MODULES:
                    found.append((rel, module, node.lineno))
                found += [(rel, f"{module}.{a.name}", node.lineno) for a in node.names
                          if a.name in RUNNING_CALLS and module in ("os", "importlib")]  # fmt: skip
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                base = owner.id if isinstance(owner, ast.Name) else ""
                if node.func.attr in RUNNING_CALLS and base in RUNNING_MODULES | {
                    "os",
                    "importlib",
                }:
                    found.append((rel, f"{base}.{node.func.attr}", node.lineno))
    return found


def test_no_source_evaluates_text_or_runs_programs() -> None:
    """Cell text only ever goes through the distribution parser: no eval, exec, compile or
    __import__ in jitrisk or the UI, no pickle/marshal/shelve loads, no subprocess or
    os.system. A grep on the tokens (so comments and strings do not count) and an AST walk."""
    assert len(list((ROOT / "jitrisk").rglob("*.py"))) > 20
    found = scan_sources(ROOT)
    assert [f for f in found if (f[0], f[1]) not in ALLOWED] == []


def test_the_source_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    (tmp_path / "jitrisk").mkdir()
    (tmp_path / "jitrisk" / "a.py").write_text(
        "import pickle\nimport os\nx = eval('1')  # eval( in a comment\ns = 'exec('\n"
        "os.system('x')\npickle.loads(b'')\nimport re\nre.compile('x')\napp.exec()\n"
        "from importlib import import_module\nfrom importlib import metadata\n",
        encoding="utf-8",
    )
    assert scan_sources(tmp_path) == [
        ("jitrisk/a.py", "eval", 3),
        ("jitrisk/a.py", "pickle", 1),
        ("jitrisk/a.py", "importlib.import_module", 10),
        ("jitrisk/a.py", "os.system", 5),
        ("jitrisk/a.py", "pickle.loads", 6),
    ]


def test_header_too_long_for_a_cell_is_an_unknown_column(tmp_path: Path) -> None:
    """It used to make the whole sheet unreadable ("cannot read the sheet (CellError")."""
    rows = valid_rows()
    rows["Sites"][0].append("x" * 20_000)
    report = validate_workbook(write_workbook(tmp_path / "header.xlsx", rows))
    assert [(p.location, p.severity) for p in report.problems] == [("Sites!I1", "warning")]
    assert report.problems[0].message.startswith("unknown column 'xxxx")
    assert report.network is not None
