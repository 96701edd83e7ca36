"""Fuzzing the workbook loader: whatever the file holds, the contract holds.

Hypothesis builds workbooks from nothing (random sheets, headers and cells: wrong
types, blanks, huge numbers, unicode, formulas, dates, merged cells, hidden and
extra sheets, duplicated headers, nonsense and malicious distribution text),
mutates valid ones (``builders.valid_rows()`` and ``examples/teaching.xlsx``) cell
by cell and byte by byte (control characters, NaN and 400-digit numbers in the XML,
truncated and swapped parts), and writes workbooks with thousands of rows. For
every one:

* :func:`validate_workbook` returns a report and never raises;
* :func:`load_network` returns a network, or raises exactly :class:`WorkbookError`,
  and it agrees with the report;
* the file is byte-identical afterwards (same mtime) and no file is left next to it.

Networks that load from value mutations are simulated for a few trials: the
result holds no NaN or infinity and every probability is in [0, 1].

Profiles: ``JITRISK_FUZZ=heavy`` runs thousands of cases (see ``EXAMPLES``); the
default stays within CI time. The number of cases run is printed in the terminal
summary ("jitrisk fuzz") and, with ``JITRISK_FUZZ_REPORT=path.json``, written there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import re
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from builders import Rows, valid_rows, write_workbook
from jitrisk.engine import simulate
from jitrisk.errors import Problem, WorkbookError
from jitrisk.model.records import Network
from jitrisk.workbook.format import DISRUPTION_KINDS, SETTING_SPECS, SHEETS, SITE_TYPES
from jitrisk.workbook.reader import ValidationReport, load_network, validate_workbook

TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"

# --------------------------------------------------------------------------- profiles

PROFILE = "heavy" if os.environ.get("JITRISK_FUZZ", "").lower() == "heavy" else "default"
#: Examples per test: (default, heavy).
EXAMPLES = {
    "built": (60, 2500),
    "valid-mutated": (60, 2500),
    "teaching-mutated": (25, 1000),
    "bytes-mutated": (60, 2500),
    "thousands-of-rows": (3, 60),
    "simulated": (15, 400),
}
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
for _name, _index in (("default", 0), ("heavy", 1)):
    for _test, _counts in EXAMPLES.items():
        settings.register_profile(
            f"jitrisk-fuzz-{_name}-{_test}",
            max_examples=_counts[_index],
            deadline=None,
            suppress_health_check=_HEALTH,
            print_blob=True,
        )


def fuzz(test: str) -> settings:
    """The settings of one fuzz test in the active profile."""
    return settings(settings.get_profile(f"jitrisk-fuzz-{PROFILE}-{test}"))


@dataclass
class FuzzReport:
    """Cases run per strategy and their outcomes; printed in pytest's terminal summary."""

    counts: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, test: str, outcome: str, seconds: float) -> None:
        self.counts[test] += 1
        self.outcomes[test][outcome] += 1
        self.seconds[test] += seconds

    def lines(self) -> list[str]:
        out = []
        for test in EXAMPLES:
            if self.counts[test]:
                how = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes[test].items()))
                out.append(
                    f"{test}: {self.counts[test]} cases ({how}) in {self.seconds[test]:.1f} s"
                )
        total = sum(self.counts.values())
        out.append(
            f"total: {total} cases in {sum(self.seconds.values()):.1f} s ({PROFILE} profile)"
        )
        return out

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.counts:
            return
        terminalreporter.write_sep("-", "jitrisk fuzz")
        for line in self.lines():
            terminalreporter.write_line(line)
        target = os.environ.get("JITRISK_FUZZ_REPORT")
        if target:
            doc = {
                "profile": PROFILE,
                "cases": dict(self.counts),
                "outcomes": {k: dict(v) for k, v in self.outcomes.items()},
                "seconds": dict(self.seconds),
            }
            Path(target).write_text(json.dumps(doc, indent=2), encoding="utf-8")


REPORT = FuzzReport()


@pytest.fixture(scope="module", autouse=True)
def _summary(pytestconfig: pytest.Config) -> Iterator[None]:
    manager = pytestconfig.pluginmanager
    if not manager.is_registered(REPORT):
        manager.register(REPORT, "jitrisk-fuzz-report")
    yield


# --------------------------------------------------------------------------- the contract


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def open_handles(path: Path) -> list[str]:
    """File descriptors of this process open on ``path`` (Linux; elsewhere none are seen)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return []
    out = []
    for fd in os.listdir(fds):
        with contextlib.suppress(OSError):
            if os.readlink(fds / fd) == str(path.resolve()):
                out.append(fd)
    return out


def check_contract(path: Path) -> tuple[str, Network | None]:
    """Validate and load ``path``; assert the contract; ``("loaded"|"refused", network)``."""
    before = _digest(path)
    listing = sorted(os.listdir(path.parent))
    report = validate_workbook(path)
    assert open_handles(path) == [], "the workbook was left open (locked on Windows)"
    assert isinstance(report, ValidationReport)
    for p in report.problems:
        assert isinstance(p, Problem) and p.severity in ("error", "warning")
        assert isinstance(str(p), str) and isinstance(p.location, str)
        assert p.message.strip()
    assert report.ok == (report.network is not None)
    try:
        net = load_network(path)
    except WorkbookError as exc:
        assert not report.ok, "load_network refused a workbook validate_workbook accepted"
        assert exc.errors, "a WorkbookError without errors"
        assert str(exc).startswith(str(path))
        net = None
    else:
        assert report.ok, [str(p) for p in report.errors]
        assert isinstance(net, Network)
    assert _digest(path) == before, "the input workbook changed"
    assert sorted(os.listdir(path.parent)) == listing, "files appeared next to the workbook"
    return ("loaded" if net is not None else "refused"), net


@dataclass
class Case:
    folder: Path
    outcome: str = "?"


@contextlib.contextmanager
def case(test: str) -> Iterator[Case]:
    """A scratch folder for one example; counted in the report when it passes."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jitrisk-fuzz-") as folder:
        c = Case(Path(folder))
        yield c
    REPORT.add(test, c.outcome, time.perf_counter() - t0)


# --------------------------------------------------------------------------- cell values

SITE_POOL = ["S1", "S2", "S3", "P1", "D1", "C1", "C2", "SUP-A", "PLANT", "DC", "CUST-1"]
DIST_NAMES = ["normal", "lognormal", "gamma", "triangular", "uniform", "poisson",
              "geometric", "empirical"]  # fmt: skip
SETTING_KEYS = [s.key for s in SETTING_SPECS]

huge_numbers = st.sampled_from(
    [0, -0.0, 1e-300, 5e-324, 1e308, -1e308, 1.7976931348623157e308, 2**63, -(2**63) - 1,
     10**20, 10**30, 1e9, 1e9 + 1, 3650, 3651, 365.0000001, 1e-9, -1e-9, 0.1 + 0.2]
)  # fmt: skip
numbers = st.one_of(
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(allow_nan=False, allow_infinity=False),
    huge_numbers,
)
texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\t",
            "\n\n",
            "\u200b",
            "\u202eSUP-A",
            "SUP\u00a0A",
            "ＳＵＰ－Ａ",
            "😀" * 20,
            "NULL",
            "None",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e999",
            "TRUE",
            "#REF!",
            "#N/A",
            "#DIV/0!",
            "region:",
            "lane:",
            "lane:->",
            "disruption:",
            "settings",
            "-> ->",
            "'",
            '"',
            "\\",
        ]
    ),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "😀", "("]), st.integers(9990, 10020)),
)
formulas = st.one_of(
    st.sampled_from(
        [
            "=1+1",
            "=A1",
            "=SUM(A:A)",
            "=1/0",
            "=Sites!A2",
            '=HYPERLINK("file:///etc/passwd")',
            "=cmd|' /C calc'!A0",
            '=WEBSERVICE("http://example.invalid")',
            "=",
            "==",
            '="normal(1,2)"',
        ]
    ),
    texts.map(lambda t: "=" + t),
)
dates = st.one_of(
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 1, 1)),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 1, 1)),
    st.times(),
)

MALICIOUS_DISTRIBUTIONS = [
    "__import__('os').system('echo pwned')", "eval('1')", "exec('x=1')", "lambda: 1",
    "normal(__import__('os'), 1)", "normal(1, 2); import os", "os.system('x')",
    "normal(" * 500, ")" * 500, "normal(1,2)" * 100, "empirical(" + "1," * 6000 + "1)",
    "normal(1e308, 1e308)", "normal(-1e308, 1e308)", "gamma(1e-300, 1e300)",
    "gamma(1e300, 1e-300)", "lognormal(1e-300, 1e300)", "lognormal(1e300, 1e-300)",
    "geometric(1e9)", "geometric(1)", "geometric(0.5)", "poisson(1e9)", "poisson(1e10)",
    "triangular(0, 0, 1e308)", "uniform(-1e308, 1e308)", "uniform(1e308, -1e308)",
    "empirical(1e308, -1e308)", "empirical(nan)", "normal(nan, 1)", "normal(inf, 1)",
    "normal(1e999, 1)", "normal(1, -0.0)", "normal(0x10, 1)", "normal(1_000, 1)",
    "normal(١٢, ٣)", "normal(½, 1)", "NORMAL(1, 2)", "Normal (1, 2)", "normal(1,,2)",
    "normal(1 2)", "normal[1, 2]", "normal{1, 2}", "normal(1, 2", "normal 1, 2)",
    "normal(+1, -2)", "normal(.5, 5.)", "normal(1e, 2)", "normal(--1, 2)", "poisson()",
    "empirical()", "triangular(3, 2, 1)", "uniform(2, 2)", "gamma(0, 0)", "\x00normal(1, 2)",
    "normal(1, 2)\x00", "normal\u00a0(1, 2)", "normal(1,\u20092)", "normal（1, 2）",
]  # fmt: skip


def _arg_text(x: Any) -> str:
    return repr(x) if isinstance(x, float) else str(x)


distribution_texts = st.one_of(
    st.sampled_from(MALICIOUS_DISTRIBUTIONS),
    st.builds(
        lambda name, args, sep, brackets: f"{name}{brackets[0]}{sep.join(args)}{brackets[1]}",
        st.one_of(
            st.sampled_from(DIST_NAMES),
            st.sampled_from(["norml", "exp", "weibull", "__import__", "os.system", "", " "]),
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", max_size=10),
        ),
        st.lists(
            st.one_of(
                numbers.map(_arg_text),
                st.sampled_from(["nan", "inf", "-inf", "1e999", "", " ", "x", "'a'", "()", "[]"]),
            ),
            max_size=7,
        ),
        st.sampled_from([", ", ",", ";", " ", ",,"]),
        st.sampled_from([("(", ")"), ("((", "))"), ("(", ""), ("", ")"), ("[", "]"), (" (", ") ")]),
    ),
    st.builds(
        lambda xs: "empirical(" + ", ".join(map(_arg_text, xs)) + ")",
        st.lists(numbers, min_size=1, max_size=40),
    ),
)

hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    texts,
    formulas,
    dates,
    distribution_texts,
    st.sampled_from(SITE_POOL),
)


PLAUSIBLE_DISTRIBUTIONS = ["normal(10, 2)", "poisson(4)", "geometric(5)", "uniform(1, 3)",
                           "empirical(1, 2, 9)", "backorder"]  # fmt: skip


def plausible_value(sheet: str, column: str) -> st.SearchStrategy[Any]:
    """A value that fits the column more often than not (so deeper checks run)."""
    if column in ("site_id", "from", "to"):
        return st.sampled_from(SITE_POOL)
    if column == "type":
        return st.sampled_from([*SITE_TYPES, "Supplier", "PLANT ", "warehouse"])
    if column == "kind":
        return st.sampled_from([*DISRUPTION_KINDS, "Outage", "flood"])
    if column in ("scope", "target"):
        return st.one_of(
            st.sampled_from(SITE_POOL),
            st.sampled_from(["region:EU", "region:Asia", "region:", "settings", "disruption:D1"]),
            st.builds("lane:{}->{}".format, st.sampled_from(SITE_POOL), st.sampled_from(SITE_POOL)),
        )
    if column == "key":
        return st.sampled_from([*SETTING_KEYS, "Days", "speed"])
    if column == "field":
        names = sorted({c.name for s in SHEETS for c in s.columns} | set(SETTING_KEYS))
        return st.sampled_from(names)
    if column in ("lead_time_days", "daily_demand", "duration_days", "value"):
        return st.one_of(st.integers(0, 50), st.sampled_from(PLAUSIBLE_DISTRIBUTIONS))
    if column in ("share", "probability_per_day", "holding_cost_rate", "severity"):
        return st.floats(0, 1)
    return st.one_of(st.integers(0, 100), st.floats(0, 1000))


def cell_value(sheet: str, column: str) -> st.SearchStrategy[Any]:
    return st.one_of(plausible_value(sheet, column), hostile_values)


def _clean(value: Any) -> Any:
    """What openpyxl can store: characters XML cannot hold become Excel's _xHHHH_ escapes."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


# --------------------------------------------------------------------------- building workbooks


@dataclass
class SheetSpec:
    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    state: str = "visible"


def sheet_title(text: str) -> str:
    """A name openpyxl accepts (Excel forbids []:*?/\\ and more than 31 characters)."""
    name = re.sub(r"[\[\]:*?/\\]", "_", _clean(text))[:31].strip("'")
    return name or "Sheet"


@st.composite
def sheet_name(draw: st.DrawFn, canonical: str) -> str:
    return draw(
        st.one_of(
            st.just(canonical),
            st.just(canonical.lower()),
            st.just(f" {canonical.upper()} "),
            st.just(canonical[:-1]),
            st.text(min_size=1, max_size=12).map(sheet_title),
        )
    )


@st.composite
def header_row(draw: st.DrawFn, columns: list[str]) -> list[Any]:
    chosen = draw(st.lists(st.sampled_from(columns), unique=True, max_size=len(columns)))
    if draw(st.booleans()):  # usually the required ones are there
        chosen = [c for c in columns if c not in chosen][:4] + chosen
    extras = draw(
        st.lists(
            st.one_of(
                st.sampled_from(columns),  # duplicated header
                st.sampled_from([c.upper() for c in columns]),
                st.none(),
                hostile_values,
            ),
            max_size=3,
        )
    )
    out = chosen + extras
    return [out[i] for i in draw(st.permutations(range(len(out))))]


@st.composite
def built_sheet(
    draw: st.DrawFn, canonical: str, columns: list[str], max_rows: int = 12
) -> SheetSpec:
    header = draw(header_row(columns))
    known = {c.lower(): c for c in columns}
    rows: list[list[Any]] = [header]
    for _ in range(draw(st.integers(0, max_rows))):
        if draw(st.integers(0, 9)) == 0:
            rows.append([])  # a blank row
            continue
        row = []
        for h in header:
            col = known.get(str(h).strip().lower(), "value")
            row.append(draw(cell_value(canonical, col)))
        rows.append(row + draw(st.lists(hostile_values, max_size=2)))
    merged = draw(
        st.lists(
            st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(0, 3), st.integers(0, 2)),
            max_size=2,
        )
    )
    state = draw(st.sampled_from(["visible"] * 6 + ["hidden", "veryHidden"]))
    return SheetSpec(
        draw(sheet_name(canonical)),
        rows,
        [(r, c, r + dr, c + dc) for r, c, dr, dc in merged if dr or dc],
        state,
    )


@st.composite
def built_workbooks(draw: st.DrawFn) -> list[SheetSpec]:
    specs = []
    for sheet in SHEETS:
        if draw(st.integers(0, 5)) > 0:  # each sheet present most of the time
            specs.append(draw(built_sheet(sheet.name, [c.name for c in sheet.columns])))
    for _ in range(draw(st.integers(0, 2))):  # extra sheets
        spec = draw(built_sheet("Extra", ["a", "b", "c"], max_rows=3))
        specs.append(spec)
    return draw(st.permutations(specs)) if specs else [SheetSpec("Empty", [])]


def write_specs(path: Path, specs: list[SheetSpec]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in specs:
        ws = wb.create_sheet(spec.name)  # openpyxl renames duplicates ("Sites1")
        for i, row in enumerate(spec.rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=i, column=j, value=_clean(value))
        for r1, c1, r2, c2 in spec.merged:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        ws.sheet_state = spec.state
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"  # Excel needs one visible sheet
    wb.save(path)
    return path


@fuzz("built")
@given(built_workbooks())
def test_built_workbooks_keep_the_contract(specs: list[SheetSpec]) -> None:
    with case("built") as c:
        c.outcome = check_contract(write_specs(c.folder / "book.xlsx", specs))[0]


# --------------------------------------------------------------------------- mutating valid rows


ROW_OPS = ["cell"] * 6 + ["plausible", "del-row", "dup-row", "blank-row", "del-col", "dup-col",
                          "rename-col", "append", "del-sheet", "rename-sheet"]  # fmt: skip


@st.composite
def row_mutations(draw: st.DrawFn) -> Rows:
    """``builders.valid_rows()`` after a few random edits (cells, rows, columns, sheets)."""
    rows = valid_rows()
    names = list(rows)
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from(names))
        table = rows[sheet]
        header = table[0]
        op = draw(st.sampled_from(ROW_OPS))
        r = draw(st.integers(1, max(1, len(table) - 1)))
        j = draw(st.integers(0, max(0, len(header) - 1)))
        column = str(header[j]) if header else "value"
        if op in ("cell", "plausible") and len(table) > 1:
            line = table[r]
            line.extend([None] * (len(header) - len(line)))
            value = cell_value(sheet, column) if op == "cell" else plausible_value(sheet, column)
            line[j] = draw(value)
        elif op == "del-row" and len(table) > 1:
            del table[r]
        elif op == "dup-row" and len(table) > 1:
            table.insert(r, list(table[r]))
        elif op == "blank-row":
            table.insert(r, [])
        elif op == "del-col" and header:
            for line in table:
                if j < len(line):
                    del line[j]
        elif op == "dup-col" and header:
            for line in table:
                line.append(line[j] if j < len(line) else None)
        elif op == "rename-col" and header:
            header[j] = draw(st.one_of(hostile_values, st.just(str(header[j]).upper() + " ")))
        elif op == "append":
            table.append([draw(cell_value(sheet, str(h))) for h in header])
        elif op == "del-sheet" and len(rows) > 1:
            del rows[sheet]
            names.remove(sheet)
        elif op == "rename-sheet":
            rows[sheet_title(draw(sheet_name(sheet)))] = rows.pop(sheet)
            names = list(rows)
    return rows


@fuzz("valid-mutated")
@given(row_mutations())
def test_mutated_valid_workbooks_keep_the_contract(rows: Rows) -> None:
    with case("valid-mutated") as c:
        c.outcome = check_contract(write_workbook(c.folder / "book.xlsx", _clean_rows(rows)))[0]


def _clean_rows(rows: Rows) -> Rows:
    return {name: [[_clean(v) for v in line] for line in table] for name, table in rows.items()}


# --------------------------------------------------------------------------- mutating the example


TEACHING_OPS = ["cell"] * 5 + ["merge", "hide", "delete-rows", "insert-rows", "copy-sheet",
                               "remove-sheet", "rename-sheet", "delete-cols"]  # fmt: skip


@st.composite
def teaching_edits(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    sheets = ["Sites", "Lanes", "Demand", "Disruptions", "Scenarios", "Settings", "Guide"]
    edits: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from(sheets))
        op = draw(st.sampled_from(TEACHING_OPS))
        r, c = draw(st.integers(1, 10)), draw(st.integers(1, 12))
        value = draw(cell_value(sheet, "value")) if op == "cell" else draw(st.integers(1, 3))
        edits.append((op, sheet, r, c, value, draw(sheet_name(sheet))))
    return edits


def apply_teaching_edits(path: Path, edits: list[tuple[Any, ...]]) -> Path:
    wb = openpyxl.load_workbook(TEACHING)  # full mode: notes, styles and validations kept
    for op, sheet, r, c, value, new_name in edits:
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        if op == "cell":
            with contextlib.suppress(AttributeError):  # a merged cell is read-only
                ws.cell(row=r, column=c, value=_clean(value))
        elif op == "merge":
            ws.merge_cells(start_row=r, start_column=c, end_row=r + value, end_column=c)
        elif op == "hide":
            ws.sheet_state = "hidden" if value < 3 else "veryHidden"
        elif op == "delete-rows":
            ws.delete_rows(r, value)
        elif op == "insert-rows":
            ws.insert_rows(r, value)
        elif op == "delete-cols":
            ws.delete_cols(c, value)
        elif op == "copy-sheet":
            wb.copy_worksheet(ws)
        elif op == "remove-sheet" and len(wb.sheetnames) > 1:
            wb.remove(ws)
        elif op == "rename-sheet" and sheet_title(new_name) not in wb.sheetnames:
            ws.title = sheet_title(new_name)
    if all(ws.sheet_state != "visible" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"
    wb.save(path)
    return path


@pytest.mark.skipif(not TEACHING.exists(), reason="examples/teaching.xlsx missing")
@fuzz("teaching-mutated")
@given(teaching_edits())
def test_mutated_teaching_example_keeps_the_contract(edits: list[tuple[Any, ...]]) -> None:
    with case("teaching-mutated") as c:
        c.outcome = check_contract(apply_teaching_edits(c.folder / "teaching.xlsx", edits))[0]


# --------------------------------------------------------------------------- mutating bytes


def _zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


_BASES: dict[str, dict[str, bytes]] = {}


def base_parts(which: str) -> dict[str, bytes]:
    """The parts of the valid builder workbook, or of the teaching example (cached)."""
    if which not in _BASES:
        if which == "teaching":
            _BASES[which] = _zip_parts(TEACHING)
        else:
            with tempfile.TemporaryDirectory() as folder:
                _BASES[which] = _zip_parts(write_workbook(Path(folder) / "v.xlsx", valid_rows()))
    return dict(_BASES[which])


XML_SWAPS = [
    (b"<v>", b"<v>nan"), (b"<v>", b"<v>inf"), (b"<v>", b"<v>-1e999"), (b"<v>", b"<v>" + b"9" * 400),
    (b"<v>", b"<v>0x1F"), (b't="inlineStr"', b't="n"'), (b't="inlineStr"', b't="s"'),
    (b't="inlineStr"', b't="e"'), (b't="inlineStr"', b't="b"'), (b't="inlineStr"', b't="d"'),
    (b'<row r="', b'<row r="9'), (b'<row r="', b'<row r="-'), (b'<c r="', b'<c r="ZZZZ'),
    (b'<c r="', b'<c r="A0'), (b"<dimension", b"<dimension ref=\"A1:XFD1048576\"/><x"),
    (b"</sheetData>", b"<row r=\"1048576\"><c><v>1</v></c></row></sheetData>"),
    (b"<is><t>", b"<is><t>\x01\x02"), (b"<is><t>", b"<is><t>&#1;"), (b"<is><t>", b"<is><t>&bogus;"),
    (b"<is><t>", b"<is><t>]]>"), (b"<is><t>", b"<is><t>\xff\xfe"), (b"</t>", b"\xc3</t>"),
    (b"<sheet ", b"<sheet state=\"veryHidden\" "), (b'name="', b'name="\x00'),
    (b"<f>", b"<f>"), (b"Sites", b"S\xc3\xaftes"), (b"Target=\"", b"Target=\"../../"),
    (b"ContentType=\"", b"ContentType=\"x"), (b"<?xml", b"<!DOCTYPE x [<!ENTITY a \"b\">]><?xml"),
]  # fmt: skip


BYTE_OPS = ["swap"] * 4 + ["insert", "delete", "truncate", "drop", "duplicate", "add", "exchange"]


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, list[tuple[Any, ...]]]:
    which = draw(st.sampled_from(["builder", "teaching"] if TEACHING.exists() else ["builder"]))
    names = sorted(base_parts(which))
    ops: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(1, 4))):
        part = draw(st.sampled_from(names))
        op = draw(st.sampled_from(BYTE_OPS))
        ops.append(
            (
                op,
                part,
                draw(st.sampled_from(XML_SWAPS)),
                draw(st.integers(0, 1 << 20)),
                draw(st.binary(max_size=16)),
                draw(st.integers(1, 200)),
                draw(st.sampled_from(names)),
            )
        )
    return which, ops


def apply_byte_mutations(path: Path, which: str, ops: list[tuple[Any, ...]]) -> Path:
    parts = base_parts(which)
    for op, part, (old, new), at, blob, length, other in ops:
        if part not in parts:
            continue
        data = parts[part]
        pos = at % (len(data) + 1)
        if op == "swap":
            parts[part] = data.replace(old, new, 1 + at % 3)
        elif op == "insert":
            parts[part] = data[:pos] + blob + data[pos:]
        elif op == "delete":
            parts[part] = data[:pos] + data[pos + length :]
        elif op == "truncate":
            parts[part] = data[:pos]
        elif op == "drop":
            del parts[part]
        elif op == "duplicate":
            parts[part] = data[:pos] + data[pos : pos + length] * 2 + data[pos + length :]
        elif op == "add":
            parts[f"xl/{blob.hex()}.xml"] = data
        elif op == "exchange" and other in parts:
            parts[part], parts[other] = parts[other], data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


@fuzz("bytes-mutated")
@given(byte_mutations())
def test_byte_mutated_workbooks_keep_the_contract(
    mutation: tuple[str, list[tuple[Any, ...]]],
) -> None:
    with case("bytes-mutated") as c:
        c.outcome = check_contract(apply_byte_mutations(c.folder / "bytes.xlsx", *mutation))[0]


# --------------------------------------------------------------------------- thousands of rows


@st.composite
def many_rows(draw: st.DrawFn) -> Rows:
    """A valid core plus thousands of generated rows in one sheet (sometimes over its limit)."""
    rows = valid_rows()
    sheet = draw(st.sampled_from(["Sites", "Lanes", "Disruptions", "Scenarios"]))
    n = draw(st.sampled_from([1_000, 2_500, 4_999, 5_001, 6_000]))
    pattern = [draw(cell_value(sheet, str(h))) for h in rows[sheet][0]]
    every = draw(st.sampled_from([0, 0, 7, 500]))  # how often the odd row comes (0: never)
    for i in range(n):
        if sheet in ("Sites", "Lanes"):  # Lanes: a plant with thousands of components
            rows["Sites"].append([f"X{i}", "supplier", f"Extra supplier {i}", "EU", 1, 1, 100, 1])
            line = [f"X{i}", "PLANT", i % 7, 1, None, f"part-{i}"]
            rows["Lanes"].append(pattern if every and i % every == 0 else line)
        elif sheet == "Disruptions":
            line = ["SUP-A", "outage", None, 0.5, "geometric(3)", None, None, None, f"X{i}"]
            rows[sheet].append(pattern if every and i % every == 0 else line)
        else:
            line = [f"bulk-{i}", "DC", "safety_stock_days", i % 30]
            rows[sheet].append(pattern if every and i % every == 0 else line)
    return rows


@fuzz("thousands-of-rows")
@given(many_rows())
def test_thousands_of_rows_keep_the_contract(rows: Rows) -> None:
    with case("thousands-of-rows") as c:
        c.outcome = check_contract(write_workbook(c.folder / "big.xlsx", _clean_rows(rows)))[0]


# --------------------------------------------------------------------------- simulating them

EXTREME: dict[tuple[str, str], list[Any]] = {
    ("Demand", "daily_demand"): [0, 1e-9, 1e9, "poisson(0)", "normal(0, 0)", "empirical(0, 1e9)",
                                 "uniform(0, 1e9)", "normal(5, 100)", "lognormal(1e-6, 10)"],
    ("Demand", "unit_price"): [0, 1e12],
    ("Sites", "safety_stock_days"): [0, 1e-9, 3650],
    ("Sites", "capacity_per_day"): [1e-9, 1e-3, 1e12, None],
    ("Sites", "processing_days"): [0, 365],
    ("Sites", "unit_value"): [0, 1e12],
    ("Lanes", "lead_time_days"): [0, 365, "geometric(300)", "empirical(0, 365)", "poisson(0)",
                                  "uniform(0, 1e-9)", "normal(0, 100)"],
    ("Lanes", "quantity_per_unit"): [1e-9, 1e6],
    ("Disruptions", "probability_per_day"): [0, 1, 1e-12],
    ("Disruptions", "events_per_year"): [0, 365],
    ("Disruptions", "duration_days"): [1, 3650, "geometric(3650)", "empirical(1, 3650)", 0.1],
    ("Disruptions", "severity"): [0, 0.999, 1],
    ("Disruptions", "start_day"): [0, 1, 179, 180, 10_000],
}  # fmt: skip
SETTINGS_EXTREME = [("unmet_demand", "lost"), ("unmet_demand", "backorder"), ("warmup_days", 0),
                    ("days", 1)]  # fmt: skip


@st.composite
def extreme_valid_rows(draw: st.DrawFn) -> Rows:
    rows = valid_rows()
    for _ in range(draw(st.integers(1, 8))):
        (sheet, column), values = draw(st.sampled_from(sorted(EXTREME.items())))
        header = rows[sheet][0]
        r = draw(st.integers(2, len(rows[sheet])))
        line = rows[sheet][r - 1]
        line.extend([None] * (len(header) - len(line)))
        line[header.index(column)] = draw(st.sampled_from(values))
    for key, value in draw(st.lists(st.sampled_from(SETTINGS_EXTREME), max_size=2)):
        given = [line for line in rows["Settings"] if line[0] == key]
        if given:
            given[0][1] = value
        else:
            rows["Settings"].append([key, value])
    return rows


def check_result_dict(doc: dict[str, Any]) -> None:
    """No NaN or infinity anywhere; probabilities and fill rates in [0, 1]; nothing negative."""
    json.dumps(doc, allow_nan=False)  # raises ValueError on NaN or infinity

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif isinstance(node, float | int) and not isinstance(node, bool):
            assert math.isfinite(node), path
            assert node >= 0, f"{path} = {node}"
            if "probability" in path or "fill_rate" in path:
                assert node <= 1, f"{path} = {node}"

    walk(doc, "")
    for est in _estimates(doc):
        assert est["ci95"][0] <= est["mean"] <= est["ci95"][1], est


def _estimates(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if {"mean", "ci95", "se"} <= node.keys():
            yield node
        for v in node.values():
            yield from _estimates(v)


@fuzz("simulated")
@given(extreme_valid_rows())
def test_networks_that_load_simulate_without_nan(rows: Rows) -> None:
    with case("simulated") as c:
        c.outcome, net = check_contract(write_workbook(c.folder / "extreme.xlsx", rows))
        if net is None:
            return
        for scenario in net.scenario_names:
            days = min(net.settings.days, 20)
            warmup = min(net.settings.warmup_days, 5)
            res = simulate(net, scenario, trials=3, days=days, warmup_days=warmup, workers=1)
            check_result_dict(res.to_dict())
        c.outcome = "simulated"


# --------------------------------------------------------------------------- the count


def test_fuzz_cases_are_counted() -> None:
    """Runs after the fuzz tests of this module: every strategy ran its examples."""
    if not REPORT.counts:
        pytest.skip("no fuzz test ran in this session (deselected)")
    for line in REPORT.lines():
        print(line)  # shown with -rA; the terminal summary shows them anyway
    for test, n in REPORT.counts.items():
        assert n >= 1, test
        assert "?" not in REPORT.outcomes[test], f"{test}: a case ended without an outcome"
