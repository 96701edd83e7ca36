"""Reading a planner's workbook into a validated :class:`~jitrisk.model.Network`.

One pass collects *every* problem (file, sheet, column, cell, cross-reference
and graph problems) as :class:`~jitrisk.errors.Problem` objects before anything
runs; :func:`load_network` raises a single :class:`~jitrisk.errors.WorkbookError`
carrying them all. The file is opened read-only and never written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
import zlib
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import Problem, WorkbookError, sort_problems
from ..errors import suggest as suggest
from ..model.distributions import Constant
from ..model.records import Demand, Disruption, Lane, Network, Override, Settings, Site
from .cells import (
    SEVERITY_DEFAULT,
    CellError,
    as_text,
    is_blank,
    parse_cell,
    parse_setting,
    range_problem,
    severity_problem,
)
from .format import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    SETTING_BY_KEY,
    SHEETS,
    Column,
    Sheet,
)
from .overrides import resolve_overrides


@dataclass
class Record:
    """One non-empty data row: parsed values by column name, and their columns.

    ``bad`` names the columns whose cell could not be parsed (already reported).
    """

    row: int
    values: dict[str, Any]
    columns: dict[str, int]
    bad: set[str] = field(default_factory=set)

    def col(self, name: str) -> int | None:
        return self.columns.get(name)


@dataclass
class _SheetData:
    """What one sheet gave: its records, its header map, and whether it was read whole."""

    records: list[Record]
    columns: dict[str, int]
    complete: bool


class _Everything:
    """A container holding every value (when a sheet could not be read whole)."""

    def __contains__(self, item: object) -> bool:
        return True


@dataclass
class ValidationReport:
    """Outcome of :func:`validate_workbook`.

    ``network`` is None when there are errors; ``problems`` holds errors and
    warnings sorted for display.
    """

    path: str
    network: Network | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, sheet: str, row: int | None, col: int | None, msg: str) -> None:
        self.problems.append(Problem(sheet, row, col, msg, "error"))

    def warn(self, sheet: str, row: int | None, col: int | None, msg: str) -> None:
        self.problems.append(Problem(sheet, row, col, msg, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# --------------------------------------------------------------------------- file level

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


# --------------------------------------------------------------------------- sheets


def _find_sheet(wb: Any, sheet: Sheet, out: _Collector) -> Any | None:
    names = wb.sheetnames
    if sheet.name in names:
        return wb[sheet.name]
    for n in names:
        if n.strip().lower() == sheet.name.lower():
            out.warn(n, None, None, f"sheet '{n}' read as '{sheet.name}'; rename it to match")
            return wb[n]
    if sheet.required:
        import difflib

        close = difflib.get_close_matches(sheet.name, names, n=1)
        hint = f" (is '{close[0]}' meant to be it?)" if close else ""
        out.error(sheet.name, None, None, f"required sheet '{sheet.name}' is missing{hint}")
    return None


#: Excel's last row: a row number beyond it only comes from a damaged or forged file.
EXCEL_MAX_ROWS = 1_048_576
#: Runs of up to this many empty rows get one warning per row; longer runs one warning.
_BLANK_RUN_ROWS = 10


def _rows(
    ws: Any, min_row: int = 1, max_row: int | None = None, max_col: int | None = None
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    rows = ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col, values_only=True)
    for i, row in enumerate(rows, start=min_row):
        yield i, tuple(row)


def _warn_blank_rows(out: _Collector, sheet: str, first: int, count: int) -> None:
    if count > _BLANK_RUN_ROWS:
        out.warn(
            sheet,
            first,
            None,
            f"{count:,} empty rows ignored (rows {first} to {first + count - 1})",
        )
        return
    for b in range(first, first + count):
        out.warn(sheet, b, None, "empty row ignored")


def _read_sheet(ws: Any, ws_formulas: Any | None, sheet: Sheet, out: _Collector) -> _SheetData:
    """Header check and per-cell parsing of one sheet."""
    # the size a sheet declares (<dimension>) is often wrong: too small in files from some
    # tools (rows or columns would be lost), absurdly large in forged ones (every row
    # padded to 16,384 cells); read what is really there instead
    for w in (ws, ws_formulas):
        if w is not None:
            w.reset_dimensions()
    header: tuple[Any, ...] | None = None
    for _i, values in _rows(ws, 1, 1):
        header = values
        break
    if header is None or all(is_blank(v) for v in header):
        if sheet.required:
            out.error(
                sheet.name,
                1,
                None,
                "the sheet is empty: row 1 must hold the column "
                f"headers ({', '.join(c.name for c in sheet.columns if c.required)})",
            )
        return _SheetData([], {}, not sheet.required)
    colmap: dict[str, int] = {}
    known = {c.name.lower(): c.name for c in sheet.columns}
    for hj, h in enumerate(header, start=1):
        if is_blank(h):
            continue
        try:
            text = as_text(h).strip()
        except CellError:  # too long to be a column name
            text = str(h)[:40]
        key = text.lower()
        if key in known:
            name = known[key]
            if name in colmap:
                out.error(
                    sheet.name,
                    1,
                    hj,
                    f"column '{name}' appears twice (also in column {_letter(colmap[name])})",
                )
                continue
            colmap[name] = hj
        else:
            import difflib

            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean '{known[close[0]]}'?)" if close else ""
            out.warn(sheet.name, 1, hj, f"unknown column '{text[:40]}' is ignored{hint}")
    missing = [c.name for c in sheet.columns if c.required and c.name not in colmap]
    for name in missing:
        out.error(sheet.name, 1, None, f"required column '{name}' is missing")
    if missing:
        return _SheetData([], colmap, False)

    # cells right of the last header are never read: do not let openpyxl pad rows to them
    width = max(j for j, h in enumerate(header, start=1) if not is_blank(h))
    rows = _rows(ws, 2, None, width)
    formula_rows = _rows(ws_formulas, 2, None, width) if ws_formulas is not None else None
    limit = MAX_ROWS.get(sheet.name, 10_000)
    records: list[Record] = []
    blank_first = blank_count = 0
    complete = True
    for i, values in rows:
        if i > EXCEL_MAX_ROWS:
            out.error(
                sheet.name,
                None,
                None,
                f"a row number beyond Excel's last row ({EXCEL_MAX_ROWS:,}): the sheet is "
                "damaged; re-save it from Excel",
            )
            complete = False
            break
        fvalues = next(formula_rows, (i, ()))[1] if formula_rows is not None else ()
        if all(is_blank(v) for v in values) and not any(_is_formula(f) for f in fvalues):
            if blank_count == 0:
                blank_first = i
            blank_count += 1
            continue
        if len(records) >= limit:
            out.error(
                sheet.name,
                i,
                None,
                f"more than {limit:,} rows; the limit for {sheet.name} is {limit:,}",
            )
            complete = False
            break
        _warn_blank_rows(out, sheet.name, blank_first, blank_count)
        blank_count = 0
        rec = Record(i, {}, colmap)
        for col in sheet.columns:
            j = colmap.get(col.name)
            if j is None:
                continue
            raw = values[j - 1] if j - 1 < len(values) else None
            fraw = fvalues[j - 1] if j - 1 < len(fvalues) else None
            if is_blank(raw):
                if _is_formula(fraw):
                    out.error(
                        sheet.name,
                        i,
                        j,
                        "formula has no saved value; open the file in "
                        "Excel and save it (or type the value)",
                    )
                    rec.bad.add(col.name)
                elif col.required:
                    out.error(sheet.name, i, j, f"{col.name} is required")
                    rec.bad.add(col.name)
                continue
            if (
                isinstance(raw, str)
                and raw.strip().startswith("#")
                and raw.strip().endswith(("!", "?", "A"))
            ):
                out.error(sheet.name, i, j, f"the cell shows an Excel error {raw.strip()!r}")
                rec.bad.add(col.name)
                continue
            try:
                rec.values[col.name] = _parse(col, raw)
            except CellError as exc:
                out.error(sheet.name, i, j, f"{col.name}: {exc}")
                rec.bad.add(col.name)
        records.append(rec)
    return _SheetData(records, colmap, complete)


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _parse(col: Column, raw: Any) -> Any:
    import datetime as _dt

    if isinstance(raw, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        raise CellError(f"expected {col.kind}, got a date/time {raw}")
    return parse_cell(col, raw)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j)


# --------------------------------------------------------------------------- records -> model
#
# A row with a wrong value still enters the model (with the value left at its default),
# and a reference to a site whose own row is wrong is not reported again: the model is
# thrown away when there is any error, and this way one wrong cell gives one problem
# rather than a cascade of 'unknown site' and graph complaints. ``_Skip`` collects the
# sites and the (site, component) source groups whose graph checks would only repeat a
# problem already reported.


@dataclass
class _Skip:
    sites: set[str] = field(default_factory=set)
    groups: set[tuple[str, str]] = field(default_factory=set)


_SITE_NUMBERS = (
    "safety_stock_days",
    "base_stock_units",
    "processing_days",
    "capacity_per_day",
    "unit_value",
    "holding_cost_rate",
    "ttr_days",
)


def _sites(recs: list[Record], out: _Collector) -> tuple[list[Site], set[str]]:
    """The usable sites, and every site_id named in the sheet (usable or not)."""
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for r in recs:
        v = dict(r.values)
        sid = v.get("site_id")
        if sid is None:
            continue
        if sid in seen:
            out.error(
                "Sites",
                r.row,
                r.col("site_id"),
                f"duplicate site_id '{sid}' (first in row {seen[sid]})",
            )
            continue
        seen[sid] = r.row
        if any(ch in sid for ch in "\n\r\t") or sid.startswith(("region:", "lane:")) or "->" in sid:
            out.error(
                "Sites",
                r.row,
                r.col("site_id"),
                f"site_id {sid!r} may not contain line "
                "breaks, tabs, '->' or start with 'region:'/'lane:'",
            )
            continue
        if "type" not in v:
            continue  # the type cell's problem is already reported
        for name in _SITE_NUMBERS:
            if name in v:
                msg = range_problem("Sites", name, v[name])
                if msg:
                    out.error("Sites", r.row, r.col(name), msg)
                    del v[name]
        if v.get("holding_cost_rate", 0) > 1:
            out.warn(
                "Sites",
                r.row,
                r.col("holding_cost_rate"),
                f"holding_cost_rate {v['holding_cost_rate']:g} is over 100% a year; it is a "
                "fraction (0.25 = 25%)",
            )
        if v["type"] == "customer":
            for name in ("safety_stock_days", "base_stock_units", "capacity_per_day"):
                if name in v:
                    out.warn(
                        "Sites", r.row, r.col(name), f"customers hold no stock; {name} is ignored"
                    )
        sites.append(
            Site(
                site_id=sid,
                type=v["type"],
                name=v.get("name", ""),
                region=v.get("region", ""),
                safety_stock_days=float(v.get("safety_stock_days", 0.0)),
                base_stock_units=v.get("base_stock_units"),
                processing_days=int(v.get("processing_days", 0)),
                capacity_per_day=v.get("capacity_per_day"),
                unit_value=float(v.get("unit_value", 0.0)),
                holding_cost_rate=float(v.get("holding_cost_rate", 0.25)),
                ttr_days=v.get("ttr_days"),
                row=r.row,
            )
        )
    return sites, set(seen)


def _unknown_site(sid: str, ids: dict[str, Site]) -> str:
    close = suggest(sid, ids)
    hint = f" (did you mean '{close}'?)" if close else ""
    return f"unknown site '{sid}'{hint}"


def _component(v: dict[str, Any], src: str, dst: str, sites: dict[str, Site]) -> str:
    if dst in sites and not sites[dst].is_producing:
        return dst  # a DC or customer receives one item: all its sources are alternatives
    return str(v.get("component") or src)


def _lanes(
    recs: list[Record],
    sites: dict[str, Site],
    known: Container[str],
    out: _Collector,
    skip: _Skip,
) -> tuple[list[Lane], set[tuple[str, str]]]:
    """The lanes, and the (from, to) pairs of lanes left out because of a problem."""
    lanes: list[Lane] = []
    dropped: set[tuple[str, str]] = set()
    seen: dict[tuple[str, str], int] = {}
    for r in recs:
        v = r.values
        src, dst = v.get("from"), v.get("to")
        if src is None or dst is None:
            skip.sites.update(x for x in (src, dst) if x is not None)
            if dst is not None:
                skip.groups.add((dst, _component(v, src or "", dst, sites)))
            continue
        ok = True
        for name, sid in (("from", src), ("to", dst)):
            if sid not in sites:
                if sid not in known:
                    out.error("Lanes", r.row, r.col(name), _unknown_site(sid, sites))
                    # the site it probably means lost this lane: do not complain about that
                    meant = suggest(sid, sites)
                    if meant:
                        skip.sites.add(meant)
                ok = False
        if not ok:
            skip.sites.update((src, dst))
            skip.groups.add((dst, _component(v, src, dst, sites)))
            dropped.add((src, dst))
            continue
        if src == dst:
            out.error("Lanes", r.row, r.col("to"), f"lane from '{src}' to itself")
            continue
        if sites[src].type == "customer":
            out.error(
                "Lanes",
                r.row,
                r.col("from"),
                f"'{src}' is a customer; customers hold no stock and cannot ship",
            )
            skip.sites.add(dst)
            skip.groups.add((dst, _component(v, src, dst, sites)))
            dropped.add((src, dst))
            continue
        if (src, dst) in seen:
            out.error(
                "Lanes",
                r.row,
                r.col("from"),
                f"duplicate lane {src}->{dst} (first in row {seen[(src, dst)]})",
            )
            continue
        seen[(src, dst)] = r.row
        flawed = bool(r.bad)
        for name in (
            "lead_time_days",
            "quantity_per_unit",
            "share",
            "line_buffer_days",
            "line_buffer_units",
        ):
            msg = range_problem("Lanes", name, v[name]) if name in v else None
            if msg:
                out.error("Lanes", r.row, r.col(name), msg)
                flawed = True
        qpu = v.get("quantity_per_unit", 1.0)
        if qpu != 1 and not sites[dst].is_producing:
            out.warn(
                "Lanes",
                r.row,
                r.col("quantity_per_unit"),
                f"quantity_per_unit only applies to lanes into plants and suppliers; "
                f"'{dst}' is a {sites[dst].type}",
            )
        for name in ("line_buffer_days", "line_buffer_units"):
            if v.get(name) is not None and not sites[dst].is_producing:
                out.warn(
                    "Lanes",
                    r.row,
                    r.col(name),
                    f"{name} applies to lanes into plants "
                    f"and suppliers; '{dst}' is a {sites[dst].type}",
                )
        component = _component(v, src, dst, sites)
        if flawed:
            skip.groups.add((dst, component))  # its share/BOM checks would repeat the problem
        lanes.append(
            Lane(
                src,
                dst,
                v.get("lead_time_days", Constant(0.0)),
                float(qpu),
                float(v.get("share", 1.0)),
                component,
                v.get("line_buffer_days"),
                v.get("line_buffer_units"),
                row=r.row,
            )
        )
    return lanes, dropped


def _demand(
    recs: list[Record], sites: dict[str, Site], known: Container[str], out: _Collector
) -> list[Demand]:
    demand: list[Demand] = []
    seen: dict[str, int] = {}
    for r in recs:
        v = r.values
        sid = v.get("site_id")
        if sid is None:
            continue
        if sid not in sites:
            if sid not in known:
                out.error("Demand", r.row, r.col("site_id"), _unknown_site(sid, sites))
            continue
        if sites[sid].type != "customer":
            out.error(
                "Demand",
                r.row,
                r.col("site_id"),
                f"'{sid}' is a {sites[sid].type}; demand is placed by customers",
            )
            continue
        if sid in seen:
            out.error(
                "Demand",
                r.row,
                r.col("site_id"),
                f"duplicate demand for '{sid}' (first in row {seen[sid]})",
            )
            continue
        seen[sid] = r.row
        for name in ("daily_demand", "unit_price", "service_time_days"):
            msg = range_problem("Demand", name, v[name]) if name in v else None
            if msg:
                out.error("Demand", r.row, r.col(name), msg)
        # an unreadable daily_demand becomes a stand-in 1 (not 0, which would warn again);
        # the network is discarded anyway
        demand.append(
            Demand(
                sid,
                v.get("daily_demand", Constant(1.0)),
                float(v.get("unit_price", 0.0)),
                int(v.get("service_time_days", 0)),
                row=r.row,
            )
        )
    return demand


_SCOPE_KINDS = {
    "outage": ("site", "region"),
    "capacity": ("site", "region"),
    "delay": ("site", "region", "lane"),
    "demand": ("site", "region"),
}


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in ("a", "e", "i", "o", "u") else f"a {word}"


def _lane_scope(scope: str) -> tuple[str, str] | None:
    body = scope[len("lane:") :]
    if "->" not in body:
        return None
    a, b = (x.strip() for x in body.split("->", 1))
    return a, b


def check_scope(
    scope: str,
    kind: str,
    sites: dict[str, Site],
    lanes: set[tuple[str, str]],
    regions: set[str],
) -> str | None:
    """None when ``scope`` names something that exists and fits ``kind``; else a message."""
    if scope.startswith("region:"):
        region = scope[len("region:") :].strip()
        if region not in regions:
            close = suggest(region, sorted(regions))
            hint = f" (did you mean 'region:{close}'?)" if close else ""
            return f"no site is in region '{region}'{hint}"
        where = "region"
    elif scope.startswith("lane:"):
        key = _lane_scope(scope)
        if key is None:
            return f"lane scope must look like lane:<from>-><to>, got {scope!r}"
        if key not in lanes:
            return f"no lane {key[0]}->{key[1]} in the Lanes sheet"
        where = "lane"
    else:
        if scope not in sites:
            return _unknown_site(scope, sites)
        where = "site"
        st = sites[scope].type
        if kind == "demand" and st != "customer":
            return f"demand shocks apply to customers or regions; '{scope}' is a {st}"
        if kind in ("outage", "capacity", "delay") and st == "customer":
            return f"{_a(kind)} disruption needs a supplier, plant or DC; '{scope}' is a customer"
    if where not in _SCOPE_KINDS[kind]:
        return f"{_a(kind)} disruption cannot apply to a {where}"
    return None


def _scope_is_flawed(
    scope: str, sites: dict[str, Site], known: Container[str], dropped: Container[tuple[str, str]]
) -> bool:
    """Whether ``scope`` names a site or lane whose own row already has a problem
    (or whose sheet could not be read whole)."""
    if scope.startswith("region:"):
        return isinstance(known, _Everything)
    if scope.startswith("lane:"):
        key = _lane_scope(scope)
        return key is not None and key in dropped
    return scope not in sites and scope in known


def _disruptions(
    recs: list[Record],
    sites: dict[str, Site],
    known: Container[str],
    lanes: list[Lane],
    dropped: Container[tuple[str, str]],
    regions: set[str],
    out: _Collector,
) -> tuple[list[Disruption], set[str]]:
    """The disruptions, and the ids of those left out because of a problem."""
    lane_keys = {lane.key for lane in lanes}
    result: list[Disruption] = []
    left_out: set[str] = set()
    ids: dict[str, int] = {}
    for r in recs:
        v = r.values
        scope, kind = v.get("scope"), v.get("kind")
        if scope is None or kind is None or _scope_is_flawed(scope, sites, known, dropped):
            left_out.add(v.get("disruption_id") or f"D{r.row}")
            continue
        msg = check_scope(scope, kind, sites, lane_keys, regions)
        if msg:
            out.error("Disruptions", r.row, r.col("scope"), msg)
        did = v.get("disruption_id") or f"D{r.row}"
        if did in ids:
            out.error(
                "Disruptions",
                r.row,
                r.col("disruption_id"),
                f"duplicate disruption_id '{did}' (first in row {ids[did]})",
            )
            continue
        ids[did] = r.row
        for name in ("probability_per_day", "events_per_year", "start_day", "duration_days"):
            msg = range_problem("Disruptions", name, v[name]) if name in v else None
            if msg:
                out.error("Disruptions", r.row, r.col(name), msg)
        p = v.get("probability_per_day")
        epy = v.get("events_per_year")
        start = v.get("start_day")
        if p is not None and epy is not None:
            out.error(
                "Disruptions",
                r.row,
                r.col("events_per_year"),
                "give probability_per_day or events_per_year, not both",
            )
        elif epy is not None:
            p = epy / 365.0
        if start is not None:
            if p:
                out.warn(
                    "Disruptions",
                    r.row,
                    r.col("start_day"),
                    "start_day makes this a scripted event; its probability is ignored",
                )
            p = 0.0
        elif p is None and not {"probability_per_day", "events_per_year", "start_day"} & r.bad:
            out.error(
                "Disruptions",
                r.row,
                r.col("probability_per_day"),
                "give probability_per_day, events_per_year or start_day",
            )
        dur = v.get("duration_days")
        if dur is not None and dur.mean < 1:
            out.warn(
                "Disruptions",
                r.row,
                r.col("duration_days"),
                f"duration_days mean {dur.mean:g} is under one day; events last at least "
                "one whole day",
            )
        sev = v.get("severity", SEVERITY_DEFAULT[kind])
        msg = severity_problem(kind, sev)
        if msg:
            out.error("Disruptions", r.row, r.col("severity"), msg)
        elif kind == "delay" and sev == 0:
            out.warn(
                "Disruptions", r.row, r.col("severity"), "a delay with severity 0 adds no days"
            )
        result.append(
            Disruption(
                did,
                scope,
                kind,
                float(p or 0.0),
                dur or Constant(1.0),
                float(sev),
                start,
                v.get("scenario", ""),
                row=r.row,
            )
        )
    return result, left_out


def _settings(recs: list[Record], out: _Collector) -> Settings:
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for r in recs:
        key, raw = r.values.get("key"), r.values.get("value")
        if key is None or raw is None:
            continue
        key = key.lower()
        spec = SETTING_BY_KEY.get(key)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(key, list(SETTING_BY_KEY), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            out.warn("Settings", r.row, r.col("key"), f"unknown setting '{key}' is ignored{hint}")
            continue
        if key in rows:
            out.error(
                "Settings",
                r.row,
                r.col("key"),
                f"setting '{key}' given twice (first in row {rows[key]})",
            )
            continue
        rows[key] = r.row
        try:
            values[key] = parse_setting(key, raw)
        except CellError as exc:
            out.error("Settings", r.row, r.col("value"), f"{key}: {exc}")
    return Settings.from_mapping(values)


def _overrides(recs: list[Record], target_is_flawed: Callable[[str], bool]) -> list[Override]:
    """The Scenarios rows, but those aimed at a site, lane or disruption whose own row
    already has a problem (their check would only repeat it)."""
    return [
        Override(
            r.values["scenario"],
            r.values["target"],
            r.values["field"],
            r.values["value"],
            row=r.row,
        )
        for r in recs
        if {"scenario", "target", "field", "value"} <= r.values.keys()
        and not target_is_flawed(r.values["target"].strip())
    ]


# --------------------------------------------------------------------------- entry points


def validate_workbook(path: str | os.PathLike[str]) -> ValidationReport:
    """Read and check a workbook; never raises for bad input.

    Returns
    -------
    ValidationReport
        ``network`` set when there is no error; every problem found either way.
    """
    from .validation import check_network

    p = Path(path)
    out = _Collector()
    if not _check_file(p, out):
        return ValidationReport(str(path), None, sort_problems(out.problems))
    data: dict[str, _SheetData] = {}
    # openpyxl reads file objects owned here: whatever it raises, and whatever it leaves
    # open in reference cycles after an error, the file is closed when this block ends
    # (an open file is a locked file on Windows)
    with contextlib.ExitStack() as files:
        try:
            wb = _open(files.enter_context(open(p, "rb")), data_only=True)
            files.callback(wb.close)
            wbf = _open(files.enter_context(open(p, "rb")), data_only=False)
            files.callback(wbf.close)
        except Exception as exc:  # openpyxl raises many types on damaged files
            out.error(
                "",
                None,
                None,
                f"cannot read the workbook ({type(exc).__name__}: "
                f"{str(exc)[:200]}); re-save it from Excel as .xlsx",
            )
            return ValidationReport(str(path), None, sort_problems(out.problems))
        for sheet in SHEETS:
            ws = _find_sheet(wb, sheet, out)
            if ws is None:
                data[sheet.name] = _SheetData([], {}, not sheet.required)
                continue
            wsf = wbf[ws.title] if ws.title in wbf.sheetnames else None
            try:
                data[sheet.name] = _read_sheet(ws, wsf, sheet, out)
            except Exception as exc:
                out.error(
                    sheet.name,
                    None,
                    None,
                    f"cannot read the sheet ({type(exc).__name__}: {str(exc)[:200]})",
                )
                data[sheet.name] = _SheetData([], {}, False)
    records = {name: d.records for name, d in data.items()}

    site_list, site_ids = _sites(records["Sites"], out)
    sites = {s.site_id: s for s in site_list}
    # when a sheet could not be read whole, references into it are not reported as unknown
    known: Container[str] = site_ids if data["Sites"].complete else _Everything()
    skip = _Skip()
    lanes, dropped = _lanes(records["Lanes"], sites, known, out, skip)
    lanes_dropped: Container[tuple[str, str]] = dropped if data["Lanes"].complete else _Everything()
    if not data["Lanes"].complete:
        skip.sites.update(sites)
        skip.groups.update((lane.target, lane.component) for lane in lanes)
    demand = _demand(records["Demand"], sites, known, out)
    regions = {r.values["region"] for r in records["Sites"] if r.values.get("region")}
    disruptions, disruptions_left_out = _disruptions(
        records["Disruptions"], sites, known, lanes, lanes_dropped, regions, out
    )
    settings = _settings(records["Settings"], out)

    def target_is_flawed(target: str) -> bool:
        if target.startswith("lane:"):
            key = _lane_scope(target)
            return key is not None and key in lanes_dropped
        if target.startswith("disruption:"):
            return target[len("disruption:") :].strip() in disruptions_left_out
        return (
            target.lower() != "settings"
            and not target.startswith("region:")
            and (target not in sites and target in known)
        )

    overrides = _overrides(records["Scenarios"], target_is_flawed)
    if not site_ids and not any(p.sheet == "Sites" for p in out.problems):
        out.error("Sites", 2, None, "the Sites sheet has no sites")
    network = Network(
        sites=tuple(site_list),
        lanes=tuple(lanes),
        demand=tuple(demand),
        disruptions=tuple(disruptions),
        overrides=tuple(overrides),
        settings=settings,
        source_path=str(path),
        source_sha256=sha256_of(p),
    )
    columns = {name: d.columns for name, d in data.items()}
    out.problems.extend(
        check_network(network, columns=columns, skip=skip.sites, skip_groups=skip.groups)
    )
    if not out.has_errors:
        from .validation import capacity_warnings

        out.problems.extend(capacity_warnings(network, columns.get("Sites", {})))
    problems = sort_problems(out.problems)
    ok = not any(pr.severity == "error" for pr in problems)
    # every override is parsed and checked once, here; applying a scenario later is pure
    return ValidationReport(str(path), resolve_overrides(network) if ok else None, problems)


def load_network(path: str | os.PathLike[str]) -> Network:
    """Load a workbook, raising :class:`WorkbookError` listing every problem if it is invalid."""
    report = validate_workbook(path)
    if report.network is None:
        raise WorkbookError(str(path), report.problems)
    return report.network
