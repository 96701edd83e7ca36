"""One test per validation rule of the workbook loader.

Each test builds a workbook stating exactly the cells it needs (see
:mod:`builders`), then checks the exact location (``Lanes!A3``) and a key part of
the message of every problem, and that nothing else was reported.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pytest

import jitrisk.workbook.format
import jitrisk.workbook.package
from builders import MakeWorkbook, Rows, add_column, set_cell, valid_rows, write_workbook
from jitrisk.errors import Problem, WorkbookError
from jitrisk.model.distributions import Constant, Geometric, Normal, Poisson, Uniform
from jitrisk.model.records import Demand, Disruption, Lane, Override, Settings, Site
from jitrisk.workbook.reader import ValidationReport, load_network, validate_workbook


def check(make_workbook: MakeWorkbook, rows: Rows) -> ValidationReport:
    return validate_workbook(make_workbook(rows))


def listing(report: ValidationReport) -> list[tuple[str, str, str]]:
    return [(p.location, p.severity, p.message) for p in report.problems]


def only(report: ValidationReport, location: str, text: str, severity: str = "error") -> Problem:
    """The report holds exactly one problem: at ``location``, containing ``text``."""
    assert len(report.problems) == 1, listing(report)
    p = report.problems[0]
    assert (p.location, p.severity) == (location, severity), listing(report)
    assert text in p.message, listing(report)
    if severity == "error":
        assert report.network is None
        assert not report.ok
    else:
        assert report.ok
        assert report.network is not None
    return p


def errors_at(report: ValidationReport) -> list[str]:
    return [p.location for p in report.errors]


# --------------------------------------------------------------------------- the baseline


def test_valid_workbook_has_no_problems_and_loads_every_sheet(make_workbook: MakeWorkbook) -> None:
    path = make_workbook(valid_rows())
    report = validate_workbook(path)
    assert listing(report) == []
    assert report.ok
    net = report.network
    assert net is not None
    assert net is not None and net == load_network(path)
    assert [s.site_id for s in net.sites] == [
        "SUP-A", "SUP-B", "SUP-C", "PLANT", "DC", "CUST-1", "CUST-2",
    ]  # fmt: skip
    assert net.site_by_id["SUP-A"] == Site(
        "SUP-A", "supplier", "Chip supplier A", "Asia", 2.0, None, 1, 500.0, 4.0, 0.25, None
    )
    assert net.site_by_id["SUP-A"].row == 2
    assert net.site_by_id["DC"].processing_days == 0
    assert net.site_by_id["DC"].capacity_per_day is None
    assert net.lanes[0] == Lane("SUP-A", "PLANT", Normal(5, 1), 1.0, 0.6, "chip")
    assert net.lanes[2] == Lane("SUP-C", "PLANT", Uniform(1, 3), 2.0, 1.0, "frame")
    # a DC or customer receives one item: the component is the receiving site
    assert net.lanes[4] == Lane("DC", "CUST-1", Constant(0), 1.0, 1.0, "CUST-1")
    assert net.lanes[4].row == 6
    assert net.demand == (
        Demand("CUST-1", Normal(100, 10), 50.0, 0),
        Demand("CUST-2", Poisson(40), 60.0, 1),
    )
    assert net.disruptions == (
        Disruption("D-SUPA", "SUP-A", "outage", 2 / 365, Geometric(10), 1.0, None, ""),
        Disruption("D-EU", "region:EU", "capacity", 0.001, Constant(5), 0.5, None, ""),
        Disruption("D-STRIKE", "lane:PLANT->DC", "delay", 0.0, Constant(14), 7.0, 30, "strike"),
    )
    assert net.overrides == (
        Override("strike", "DC", "safety_stock_days", 10),
        Override("strike", "settings", "days", 90),
    )
    assert net.settings == Settings(days=180, trials=100, seed=7, unmet_demand="backorder")
    assert net.scenario_names == ("baseline", "strike")
    assert net.source_path == str(path)
    assert len(net.source_sha256) == 64


def test_optional_sheets_may_be_missing(make_workbook: MakeWorkbook, rows: Rows) -> None:
    for name in ("Disruptions", "Scenarios", "Settings"):
        del rows[name]
    report = check(make_workbook, rows)
    assert listing(report) == []
    assert report.network is not None
    assert report.network.settings == Settings()
    assert report.network.disruptions == ()


def test_optional_sheet_may_be_empty(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Disruptions"] = []
    rows["Scenarios"] = [rows["Scenarios"][0]]
    rows["Settings"] = []
    report = check(make_workbook, rows)
    assert listing(report) == []


def test_headers_and_choices_are_case_insensitive(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"][0][0] = "Site_ID"
    rows["Lanes"][0][2] = " Lead_Time_Days "
    set_cell(rows, "Sites", 2, "type", "Supplier")
    set_cell(rows, "Disruptions", 2, "kind", "OUTAGE")
    report = check(make_workbook, rows)
    assert listing(report) == []
    assert report.network is not None
    assert report.network.sites[0].type == "supplier"


def test_numbers_typed_as_text_and_ids_typed_as_numbers(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Sites", 2, "capacity_per_day", " 500 ")
    rows["Sites"].append([1001, "supplier"])
    rows["Lanes"].append([1001, "PLANT", 2, None, None, "frame2"])
    report = check(make_workbook, rows)
    assert listing(report) == []
    assert report.network is not None
    assert report.network.site_by_id["SUP-A"].capacity_per_day == 500.0
    assert report.network.lanes[-1].source == "1001"


# --------------------------------------------------------------------------- the file


def test_file_missing(tmp_path: Path) -> None:
    report = validate_workbook(tmp_path / "nowhere.xlsx")
    p = only(report, "", "file not found")
    assert str(tmp_path / "nowhere.xlsx") in p.message
    with pytest.raises(WorkbookError) as info:
        load_network(tmp_path / "nowhere.xlsx")
    assert info.value.problems == report.problems
    assert "1 problem" in str(info.value)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    only(validate_workbook(tmp_path), "", "not a file")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    only(validate_workbook(path), "", "the file is empty (0 bytes)")


def test_random_bytes_are_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 40)
    only(validate_workbook(path), "", "not an Excel .xlsx file")


def test_csv_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    path.write_text("site_id,type\nSUP-A,supplier\n", encoding="utf-8")
    p = only(validate_workbook(path), "", "a text/CSV file")
    assert "(.xlsx)" in p.message


def test_old_xls_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000 + "Workbook".encode("utf-16-le")
    )
    only(validate_workbook(path), "", "old-style .xls file")


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 1000
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 1000
        + "EncryptedPackage".encode("utf-16-le")
    )
    only(validate_workbook(path), "", "password-protected")


def test_large_password_protected_workbook(tmp_path: Path) -> None:
    """The directory naming the EncryptionInfo stream may come after megabytes of data."""
    path = tmp_path / "locked-big.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x5a" * (6 * 2**20)
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 512
    )
    only(validate_workbook(path), "", "password-protected")


def test_truncated_workbook_is_damaged(tmp_path: Path) -> None:
    good = write_workbook(tmp_path / "good.xlsx", valid_rows()).read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    only(validate_workbook(path), "", "damaged")


def test_corrupt_zip_member_is_damaged(tmp_path: Path) -> None:
    good = write_workbook(tmp_path / "good.xlsx", valid_rows())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(good.read_bytes())
    # flip bytes inside the compressed data of one part: its CRC no longer matches
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 5, start + 25):
        data[k] ^= 0xFF
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    p = only(validate_workbook(path), "", "damaged")
    assert "re-save it from Excel" in p.message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    only(validate_workbook(path), "", "a zip archive but not an Excel workbook")


def test_workbook_xml_that_openpyxl_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not really")
        zf.writestr("[Content_Types].xml", "<nope/>")
    p = only(validate_workbook(path), "", "cannot read the workbook")
    assert "re-save it from Excel" in p.message


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_workbook(tmp_path / "big.xlsx", valid_rows())
    monkeypatch.setattr(jitrisk.workbook.package, "MAX_FILE_BYTES", 2 * 2**20)
    path.write_bytes(path.read_bytes() + b"\x00" * (3 * 2**20))
    only(validate_workbook(path), "", "the limit is 2 MiB")


def test_unpacked_size_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_workbook(tmp_path / "bomb.xlsx", valid_rows())
    monkeypatch.setattr(jitrisk.workbook.package, "MAX_UNCOMPRESSED_BYTES", 1000)
    only(validate_workbook(path), "", "unpacks to")


def test_macros_and_external_links_are_warnings(tmp_path: Path) -> None:
    src = write_workbook(tmp_path / "plain.xlsx", valid_rows())
    path = tmp_path / "macro.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/vbaProject.bin", b"\x00" * 10)
        zout.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    report = validate_workbook(path)
    assert report.ok
    assert [(p.location, p.severity) for p in report.problems] == [("", "warning")] * 2
    text = " ".join(p.message for p in report.problems)
    assert "macros" in text
    assert "links to other files" in text


def test_input_file_is_never_modified(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Sites", 2, "capacity_per_day", "=1+1")  # an error and a formula
    rows["Lanes"].insert(3, [])  # and a warning
    path = make_workbook(rows)
    past = 1_600_000_000
    os.utime(path, (past, past))
    before = path.read_bytes()
    report = validate_workbook(path)
    assert not report.ok
    assert path.read_bytes() == before
    assert path.stat().st_mtime == past
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp or lock files


def test_valid_file_is_never_modified(valid_path: Path) -> None:
    past = 1_600_000_000
    os.utime(valid_path, (past, past))
    before = valid_path.read_bytes()
    load_network(valid_path)
    assert valid_path.read_bytes() == before
    assert valid_path.stat().st_mtime == past


# --------------------------------------------------------------------------- sheets and columns


def test_missing_required_sheet(make_workbook: MakeWorkbook, rows: Rows) -> None:
    del rows["Demand"]
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Demand"]
    assert "required sheet 'Demand' is missing" in report.errors[0].message
    # without the Demand sheet the customers have no demand: a warning each, no extra error
    assert [p.location for p in report.warnings] == ["Sites!A7", "Sites!A8"]


def test_missing_sheet_suggests_a_misnamed_one(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lane"] = rows.pop("Lanes")
    report = check(make_workbook, rows)
    assert report.errors[0].location == "Lanes"
    assert "required sheet 'Lanes' is missing (is 'Lane' meant to be it?)" in (
        report.errors[0].message
    )


def test_sheet_name_in_other_case_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["sites "] = rows.pop("Sites")
    report = check(make_workbook, rows)
    only(report, "sites ", "read as 'Sites'", "warning")


def test_empty_required_sheet(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Demand"] = []
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Demand!1:1"]
    assert "the sheet is empty" in report.errors[0].message
    assert "site_id, daily_demand" in report.errors[0].message


def test_no_sites(make_workbook: MakeWorkbook) -> None:
    report = check(
        make_workbook,
        {"Sites": [["site_id", "type"]], "Lanes": [["from", "to", "lead_time_days"]],
         "Demand": [["site_id", "daily_demand"]]},
    )  # fmt: skip
    only(report, "Sites!2:2", "the Sites sheet has no sites")


def test_missing_required_column(make_workbook: MakeWorkbook, rows: Rows) -> None:
    for line in rows["Lanes"]:
        del line[2]  # lead_time_days
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Lanes!1:1"]
    assert report.errors[0].message == "required column 'lead_time_days' is missing"


def test_every_missing_column_is_reported(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Demand"] = [["customer", "demand"], ["CUST-1", 5]]
    report = check(make_workbook, rows)
    assert [(p.location, p.message) for p in report.errors] == [
        ("Demand!1:1", "required column 'site_id' is missing"),
        ("Demand!1:1", "required column 'daily_demand' is missing"),
    ]


def test_duplicated_header(make_workbook: MakeWorkbook, rows: Rows) -> None:
    add_column(rows, "Lanes", "Share", {2: 0.5})
    report = check(make_workbook, rows)
    only(report, "Lanes!G1", "column 'share' appears twice (also in column E)")


def test_unknown_column_is_a_warning_with_suggestion(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    add_column(rows, "Sites", "capacity_per_dya", {2: 10})
    report = check(make_workbook, rows)
    only(report, "Sites!I1", "unknown column 'capacity_per_dya' is ignored (did you mean "
         "'capacity_per_day'?)", "warning")  # fmt: skip


def test_empty_rows_are_warnings(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lanes"].insert(3, [])
    rows["Lanes"].insert(4, [None, "  ", None])
    rows["Lanes"].append([])  # trailing blank rows are not suspicious
    report = check(make_workbook, rows)
    assert [(p.location, p.severity, p.message) for p in report.problems] == [
        ("Lanes!4:4", "warning", "empty row ignored"),
        ("Lanes!5:5", "warning", "empty row ignored"),
    ]
    assert report.network is not None
    assert [lane.row for lane in report.network.lanes] == [2, 3, 6, 7, 8, 9]


def test_too_many_rows(
    make_workbook: MakeWorkbook, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(jitrisk.workbook.format.MAX_ROWS, "Lanes", 4)
    report = check(make_workbook, rows)
    # the lanes past the limit are not read: no graph complaints about what they would supply
    only(report, "Lanes!6:6", "more than 4 rows; the limit for Lanes is 4")


def test_too_many_sites(
    make_workbook: MakeWorkbook, rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(jitrisk.workbook.format.MAX_ROWS, "Sites", 3)
    only(check(make_workbook, rows), "Sites!5:5", "the limit for Sites is 3")


def test_missing_sites_sheet_is_the_only_problem(make_workbook: MakeWorkbook, rows: Rows) -> None:
    del rows["Sites"]
    only(check(make_workbook, rows), "Sites", "required sheet 'Sites' is missing")


def test_missing_lanes_column_is_the_only_problem(make_workbook: MakeWorkbook, rows: Rows) -> None:
    for line in rows["Lanes"]:
        del line[1]  # to
    only(check(make_workbook, rows), "Lanes!1:1", "required column 'to' is missing")


def test_text_longer_than_the_cell_limit(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Sites", 3, "name", "x" * (jitrisk.workbook.format.MAX_CELL_CHARS + 1))
    report = check(make_workbook, rows)
    only(
        report, "Sites!C3", f"text longer than {jitrisk.workbook.format.MAX_CELL_CHARS} characters"
    )


# --------------------------------------------------------------------------- cell types


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "location", "message"),
    [
        ("Sites", 2, "capacity_per_day", "lots", "Sites!G2",
         "capacity_per_day: expected a number, got 'lots'"),
        ("Sites", 3, "processing_days", 1.5, "Sites!F3",
         "processing_days: expected a whole number, got 1.5"),
        ("Sites", 3, "processing_days", True, "Sites!F3",
         "processing_days: expected a number, got True"),
        ("Sites", 4, "type", "warehouse", "Sites!B4",
         "type: 'warehouse' is not one of supplier, plant, dc, customer"),
        ("Sites", 6, "type", "DCs", "Sites!B6", "(did you mean 'dc'?)"),
        ("Sites", 2, "unit_value", dt.datetime(2024, 1, 5), "Sites!H2",
         "unit_value: expected number, got a date/time"),
        ("Sites", 2, "unit_value", "nan", "Sites!H2", "expected a finite number"),
        ("Sites", 2, "unit_value", "inf", "Sites!H2", "expected a finite number"),
        ("Lanes", 3, "share", "40%", "Lanes!E3", "share: expected a number, got '40%'"),
        ("Lanes", 2, "lead_time_days", "normall(5, 1)", "Lanes!C2",
         "lead_time_days: unknown distribution 'normall' (did you mean 'normal'?)"),
        ("Lanes", 2, "lead_time_days", "normal(5)", "Lanes!C2",
         "lead_time_days: normal takes 2 numbers, got 1"),
        ("Lanes", 2, "lead_time_days", "normal(5, -1)", "Lanes!C2", "sd must be >= 0"),
        ("Lanes", 2, "lead_time_days", "__import__('os')", "Lanes!C2", "lead_time_days:"),
        ("Demand", 2, "daily_demand", "poisson(x)", "Demand!B2",
         "daily_demand: poisson: expected a number, got 'x'"),
        ("Demand", 3, "service_time_days", "two", "Demand!D3", "service_time_days: expected"),
        ("Disruptions", 2, "duration_days", "geometric(0.5)", "Disruptions!E2",
         "duration_days: geometric: mean must be in"),
        ("Disruptions", 2, "start_day", 2.5, "Disruptions!G2", "start_day: expected a whole"),
        ("Sites", 2, "capacity_per_day", "#N/A", "Sites!G2", "the cell shows an Excel error"),
        ("Sites", 2, "capacity_per_day", "#DIV/0!", "Sites!G2", "Excel error '#DIV/0!'"),
    ],
)  # fmt: skip
def test_wrong_types(
    make_workbook: MakeWorkbook, rows: Rows, sheet: str, row: int, column: str, value: object,
    location: str, message: str,
) -> None:  # fmt: skip
    set_cell(rows, sheet, row, column, value)
    only(check(make_workbook, rows), location, message)


def test_formula_without_cached_value(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Sites", 3, "capacity_per_day", "=200+300")
    only(check(make_workbook, rows), "Sites!G3", "formula has no saved value")


def test_formula_in_a_required_cell(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Lanes", 5, "lead_time_days", "=1+1")
    only(check(make_workbook, rows), "Lanes!C5", "formula has no saved value")


def test_row_of_formulas_without_cached_values_is_not_an_empty_row(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    rows["Demand"][2] = ['="CUST-"&2', "=40", "=60", "=1"]
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Demand!A3", "Demand!B3", "Demand!C3", "Demand!D3"]
    assert all("formula has no saved value" in p.message for p in report.errors)


def test_required_cell_blank(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Lanes", 3, "to", None)
    report = check(make_workbook, rows)
    # without its 'to' the lane cannot count anywhere: the chip's shares come up short
    assert [(p.location, p.message) for p in report.problems] == [
        ("Lanes!E2", "shares of the sources of component 'chip' of 'PLANT' (SUP-A) sum to 0.6, "
                     "not 1"),
        ("Lanes!B3", "to is required"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "location", "message"),
    [
        ("Sites", 2, "safety_stock_days", -1, "Sites!E2", "safety_stock_days must be >= 0, got -1"),
        ("Sites", 2, "safety_stock_days", 4000, "Sites!E2", "over the limit of 3650"),
        ("Sites", 2, "processing_days", -2, "Sites!F2", "processing_days must be >= 0, got -2"),
        ("Sites", 2, "processing_days", 400, "Sites!F2", "over the limit of 365"),
        ("Sites", 2, "capacity_per_day", 0, "Sites!G2", "capacity_per_day must be > 0, got 0"),
        ("Sites", 2, "unit_value", -4, "Sites!H2", "unit_value must be >= 0, got -4"),
        ("Lanes", 2, "lead_time_days", -1, "Lanes!C2", "lead_time_days has a negative mean (-1)"),
        ("Lanes", 2, "lead_time_days", "normal(-2, 1)", "Lanes!C2", "negative mean"),
        ("Lanes", 2, "lead_time_days", 400, "Lanes!C2", "over the limit of 365 days"),
        ("Lanes", 4, "quantity_per_unit", 0, "Lanes!D4", "quantity_per_unit must be > 0, got 0"),
        ("Demand", 2, "daily_demand", "normal(-5, 1)", "Demand!B2",
         "daily_demand has a negative mean (-5)"),
        ("Demand", 2, "daily_demand", 2e9, "Demand!B2", "over the limit of 1e9"),
        ("Demand", 2, "unit_price", -50, "Demand!C2", "unit_price must be >= 0, got -50"),
        ("Demand", 3, "service_time_days", -1, "Demand!D3", "service_time_days must be >= 0"),
        ("Disruptions", 3, "probability_per_day", 1.5, "Disruptions!C3",
         "probability_per_day must be in [0, 1], got 1.5"),
        ("Disruptions", 3, "probability_per_day", -0.1, "Disruptions!C3", "must be in [0, 1]"),
        ("Disruptions", 2, "events_per_year", 400, "Disruptions!D2",
         "events_per_year must be in [0, 365], got 400"),
        ("Disruptions", 4, "start_day", -3, "Disruptions!G4", "start_day must be >= 0, got -3"),
        ("Disruptions", 2, "duration_days", 4000, "Disruptions!E2", "over the limit of 3650"),
        ("Disruptions", 3, "severity", 1.5, "Disruptions!F3",
         "capacity severity is the fraction of capacity lost, in [0, 1]; got 1.5"),
        ("Disruptions", 4, "severity", -1, "Disruptions!F4", "delay severity is extra days"),
    ],
)  # fmt: skip
def test_out_of_range_values(
    make_workbook: MakeWorkbook, rows: Rows, sheet: str, row: int, column: str, value: object,
    location: str, message: str,
) -> None:  # fmt: skip
    set_cell(rows, sheet, row, column, value)
    only(check(make_workbook, rows), location, message)


def test_share_out_of_range_is_not_reported_again_as_a_bad_sum(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Lanes", 2, "share", 1.5)
    only(check(make_workbook, rows), "Lanes!E2", "share must be in (0, 1], got 1.5")


def test_suspicious_values_are_warnings(make_workbook: MakeWorkbook, rows: Rows) -> None:
    add_column(rows, "Sites", "holding_cost_rate", {2: 25})
    set_cell(rows, "Sites", 7, "safety_stock_days", 3)
    set_cell(rows, "Lanes", 5, "quantity_per_unit", 2)  # into a DC
    set_cell(rows, "Disruptions", 3, "duration_days", 0.5)
    set_cell(rows, "Disruptions", 4, "severity", 0)
    set_cell(rows, "Disruptions", 4, "start_day", 500)
    set_cell(rows, "Demand", 3, "daily_demand", 0)
    report = check(make_workbook, rows)
    assert report.ok
    assert [(p.location, p.severity) for p in report.problems] == [
        ("Sites!I2", "warning"),
        ("Sites!E7", "warning"),
        ("Lanes!D5", "warning"),
        ("Demand!B3", "warning"),
        ("Disruptions!E3", "warning"),
        ("Disruptions!4:4", "warning"),
        ("Disruptions!F4", "warning"),
    ]
    messages = [p.message for p in report.problems]
    assert "over 100% a year" in messages[0]
    assert "customers hold no stock" in messages[1]
    assert "only applies to lanes into plants" in messages[2]
    assert "demand of 'CUST-2' is 0" in messages[3]
    assert "under one day" in messages[4]
    assert "after the horizon (180 days)" in messages[5]
    assert "adds no days" in messages[6]


# --------------------------------------------------------------------------- ids and references


def test_duplicate_site_id(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["SUP-B", "supplier"])
    only(check(make_workbook, rows), "Sites!A9", "duplicate site_id 'SUP-B' (first in row 3)")


def test_reserved_site_id(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["A->B", "supplier"])
    rows["Sites"].append(["region:x", "supplier"])
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Sites!A9", "Sites!A10"]
    assert "may not contain" in report.errors[0].message


def test_duplicate_lane(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lanes"].append(["PLANT", "DC", 2])
    only(check(make_workbook, rows), "Lanes!A8", "duplicate lane PLANT->DC (first in row 5)")


def test_duplicate_demand(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Demand"].append(["CUST-1", 5])
    only(check(make_workbook, rows), "Demand!A4", "duplicate demand for 'CUST-1' (first in row 2)")


def test_duplicate_disruption_id(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Disruptions", 3, "disruption_id", "D-SUPA")
    only(check(make_workbook, rows), "Disruptions!I3",
         "duplicate disruption_id 'D-SUPA' (first in row 2)")  # fmt: skip


def test_duplicate_setting(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Settings"].append(["Days", 30])
    only(check(make_workbook, rows), "Settings!A7", "setting 'days' given twice (first in row 2)")


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "location", "message"),
    [
        ("Lanes", 3, "from", "SUP-BB", "Lanes!A3", "unknown site 'SUP-BB' (did you mean 'SUP-B'?)"),
        ("Lanes", 6, "to", "CUST1", "Lanes!B6", "unknown site 'CUST1' (did you mean 'CUST-1'?)"),
        ("Lanes", 6, "to", "ZZZZZZ", "Lanes!B6", "unknown site 'ZZZZZZ'"),
        ("Demand", 2, "site_id", "CUST-3", "Demand!A2", "unknown site 'CUST-3' (did you mean"),
        ("Disruptions", 2, "scope", "SUP-X", "Disruptions!A2", "unknown site 'SUP-X' (did you"),
        ("Disruptions", 2, "scope", "sup-a", "Disruptions!A2",
         "unknown site 'sup-a' (did you mean 'SUP-A'?)"),
        ("Disruptions", 3, "scope", "region:Eu", "Disruptions!A3",
         "no site is in region 'Eu' (did you mean 'region:EU'?)"),
        ("Disruptions", 4, "scope", "lane:DC->PLANT", "Disruptions!A4",
         "no lane DC->PLANT in the Lanes sheet"),
        ("Disruptions", 4, "scope", "lane:PLANT DC", "Disruptions!A4",
         "lane scope must look like lane:<from>-><to>"),
    ],
)  # fmt: skip
def test_unknown_references(
    make_workbook: MakeWorkbook, rows: Rows, sheet: str, row: int, column: str, value: object,
    location: str, message: str,
) -> None:  # fmt: skip
    set_cell(rows, sheet, row, column, value)
    report = check(make_workbook, rows)
    found = [p for p in report.errors if p.location == location]
    assert len(found) == 1, listing(report)
    assert message in found[0].message
    if "ZZZZZZ" in message:
        assert "did you mean" not in found[0].message


def test_unknown_reference_problems_are_errors_only_at_the_reference(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Demand", 2, "site_id", "CUST-9")
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Demand!A2"]


def test_lane_to_itself_and_from_a_customer(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lanes"].append(["DC", "DC", 1])
    rows["Lanes"].append(["CUST-1", "CUST-2", 1])
    report = check(make_workbook, rows)
    assert [(p.location, p.message) for p in report.errors] == [
        ("Lanes!B8", "lane from 'DC' to itself"),
        ("Lanes!A9", "'CUST-1' is a customer; customers hold no stock and cannot ship"),
    ]


def test_demand_on_a_site_that_is_not_a_customer(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Demand"].append(["DC", 5])
    only(check(make_workbook, rows), "Demand!A4", "'DC' is a dc; demand is placed by customers")


def test_invalid_site_is_not_reported_again_as_unknown(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    """One wrong cell in Sites gives one problem, not a cascade of 'unknown site'."""
    set_cell(rows, "Sites", 2, "type", "suplier")
    only(check(make_workbook, rows), "Sites!B2", "(did you mean 'supplier'?)")


def test_site_with_a_bad_value_is_still_known(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Sites", 2, "safety_stock_days", -1)
    only(check(make_workbook, rows), "Sites!E2", "safety_stock_days must be >= 0")


def test_lane_with_a_bad_value_still_counts_in_the_graph(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Lanes", 4, "lead_time_days", "soon")
    only(check(make_workbook, rows), "Lanes!C4", "lead_time_days:")  # no 'SUP-C feeds nothing'


def test_typo_in_a_lane_does_not_also_report_the_site_it_meant(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Lanes", 4, "from", "SUP-CC")
    # no 'SUP-C feeds nothing' and no 'frame' source problem: both follow from the typo
    only(check(make_workbook, rows), "Lanes!A4", "unknown site 'SUP-CC' (did you mean 'SUP-C'?)")


def test_bad_lane_does_not_hide_other_problems_of_its_plant(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Lanes", 4, "lead_time_days", -2)  # frame lane into PLANT
    set_cell(rows, "Lanes", 3, "share", 0.3)  # chip lanes into PLANT
    report = check(make_workbook, rows)
    assert [(p.location, p.message) for p in report.problems] == [
        ("Lanes!E2", "shares of the sources of component 'chip' of 'PLANT' (SUP-A, SUP-B) sum "
                     "to 0.9, not 1"),
        ("Lanes!C4", "lead_time_days has a negative mean (-2)"),
    ]  # fmt: skip


def test_scenario_aimed_at_a_bad_disruption_is_not_reported_again(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Disruptions", 3, "kind", "flood")
    rows["Scenarios"].append(["strike", "disruption:D-EU", "severity", 0.2])
    only(check(make_workbook, rows), "Disruptions!B3", "'flood' is not one of")


def test_demand_with_a_bad_value_is_still_known(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Demand", 2, "unit_price", -1)
    only(check(make_workbook, rows), "Demand!C2", "unit_price must be >= 0")  # no 'no demand'


def test_disruption_with_a_bad_value_can_still_be_targeted(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    set_cell(rows, "Disruptions", 3, "severity", 2)
    rows["Scenarios"].append(["strike", "disruption:D-EU", "severity", 0.2])
    only(check(make_workbook, rows), "Disruptions!F3", "capacity severity")


# --------------------------------------------------------------------------- the graph


def test_cycle_names_the_sites(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lanes"].append(["DC", "SUP-C", 1])
    report = check(make_workbook, rows)
    assert len(report.errors) == 1, listing(report)
    p = report.errors[0]
    assert p.message.startswith("material flows in a cycle: ")
    cycle = p.message.split(": ", 1)[1].split(" -> ")
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["DC", "PLANT", "SUP-C"]
    assert p.location in ("Lanes!4:4", "Lanes!5:5", "Lanes!8:8")


def test_two_cycles_are_both_reported(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Lanes"].append(["PLANT", "SUP-A", 1])  # row 8: PLANT <-> SUP-A (with row 2)
    rows["Sites"].append(["X", "supplier"])
    rows["Sites"].append(["Y", "supplier"])
    rows["Lanes"].append(["X", "Y", 1])  # row 9
    rows["Lanes"].append(["Y", "X", 1])  # row 10
    set_cell(rows, "Lanes", 2, "share", 0.6)
    report = check(make_workbook, rows)
    cycles = sorted(
        (sorted(p.message.split(": ", 1)[1].split(" -> ")[:-1]), p.location)
        for p in report.errors
        if "cycle" in p.message
    )
    assert len(cycles) == 2, listing(report)
    assert cycles[0][0] == ["PLANT", "SUP-A"]
    assert cycles[0][1] in ("Lanes!2:2", "Lanes!8:8")
    assert cycles[1][0] == ["X", "Y"]
    assert cycles[1][1] in ("Lanes!9:9", "Lanes!10:10")


def test_shares_not_summing_to_one(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Lanes", 3, "share", 0.3)
    only(check(make_workbook, rows), "Lanes!E2",
         "shares of the sources of component 'chip' of 'PLANT' (SUP-A, SUP-B) sum to 0.9, "
         "not 1")  # fmt: skip


def test_dual_sourcing_into_a_dc_defaults_to_share_one_each(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    rows["Sites"].append(["DC2", "dc"])
    rows["Lanes"].append(["PLANT", "DC2", 1])
    rows["Lanes"].append(["DC2", "CUST-1", 1])
    report = check(make_workbook, rows)
    assert errors_at(report) == ["Lanes!E6"]
    assert "shares of the sources of 'CUST-1' (DC, DC2) sum to 2, not 1" in report.errors[0].message


def test_share_location_follows_the_real_column(make_workbook: MakeWorkbook, rows: Rows) -> None:
    for line in rows["Lanes"]:
        del line[3]  # no quantity_per_unit column: share is column D
    set_cell(rows, "Lanes", 3, "share", 0.3)
    only(check(make_workbook, rows), "Lanes!D2", "sum to 0.9, not 1")


def test_alternative_sources_disagree_on_bom_and_buffer(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    add_column(rows, "Lanes", "line_buffer_days", {2: 2, 3: 3})
    set_cell(rows, "Lanes", 3, "quantity_per_unit", 2)
    report = check(make_workbook, rows)
    assert [(p.location, p.message) for p in report.problems] == [
        ("Lanes!D3", "alternative sources of 'chip' at 'PLANT' give different quantity_per_unit "
                     "values"),
        ("Lanes!G3", "alternative sources of 'chip' at 'PLANT' give different line-side buffers; "
                     "give the same value on each (or on one)"),
    ]  # fmt: skip


def test_plant_with_no_components(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"] = [r for r in rows["Sites"] if not r[0].startswith("SUP")]
    rows["Lanes"] = [rows["Lanes"][0], *rows["Lanes"][4:]]
    rows["Disruptions"] = [rows["Disruptions"][0]]
    report = check(make_workbook, rows)
    only(report, "Sites!B2", "plant 'PLANT' has no components: add lanes into it")


def test_customer_with_no_supplier(make_workbook: MakeWorkbook, rows: Rows) -> None:
    del rows["Lanes"][6]
    only(check(make_workbook, rows), "Sites!A8", "customer 'CUST-2' has no supplier")


def test_dc_with_no_source(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["DC2", "dc"])
    rows["Lanes"].append(["DC2", "CUST-2", 0, None, 0.5])
    set_cell(rows, "Lanes", 7, "share", 0.5)
    only(check(make_workbook, rows), "Sites!A9", "DC 'DC2' has no source")


def test_site_feeding_nothing_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["SUP-D", "supplier"])
    only(check(make_workbook, rows), "Sites!A9", "supplier 'SUP-D' feeds nothing", "warning")


def test_site_leading_to_no_customer_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["SUP-D", "supplier"])
    rows["Sites"].append(["DC2", "dc"])
    rows["Lanes"].append(["SUP-D", "DC2", 1])
    report = check(make_workbook, rows)
    assert report.ok
    assert [(p.location, p.message) for p in report.problems] == [
        ("Sites!A9", "'SUP-D' does not lead to any customer"),
        ("Sites!A10", "dc 'DC2' feeds nothing (no lane out of it)"),
    ]


def test_customer_without_demand_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    del rows["Demand"][2]
    only(
        check(make_workbook, rows), "Sites!A8", "customer 'CUST-2' has no row in Demand", "warning"
    )


# --------------------------------------------------------------------------- disruptions


@pytest.mark.parametrize(
    ("scope", "kind", "message"),
    [
        ("lane:PLANT->DC", "outage", "an outage disruption cannot apply to a lane"),
        ("lane:PLANT->DC", "capacity", "a capacity disruption cannot apply to a lane"),
        ("lane:PLANT->DC", "demand", "a demand disruption cannot apply to a lane"),
        ("PLANT", "demand", "demand shocks apply to customers or regions; 'PLANT' is a plant"),
        ("CUST-1", "outage", "an outage disruption needs a supplier, plant or DC; 'CUST-1' is a "
                             "customer"),
        ("CUST-1", "delay", "a delay disruption needs a supplier, plant or DC"),
    ],
)  # fmt: skip
def test_disruption_scope_and_kind_must_fit(
    make_workbook: MakeWorkbook, rows: Rows, scope: str, kind: str, message: str
) -> None:
    set_cell(rows, "Disruptions", 2, "scope", scope)
    set_cell(rows, "Disruptions", 2, "kind", kind)
    set_cell(rows, "Disruptions", 2, "severity", 1)
    only(check(make_workbook, rows), "Disruptions!A2", message)


@pytest.mark.parametrize(
    ("scope", "kind"),
    [("CUST-1", "demand"), ("region:US", "demand"), ("DC", "delay"), ("region:Asia", "outage"),
     ("lane:DC->CUST-1", "delay"), ("lane: DC -> CUST-1 ", "delay"), ("DC", "capacity")],
)  # fmt: skip
def test_disruption_scope_and_kind_that_fit(
    make_workbook: MakeWorkbook, rows: Rows, scope: str, kind: str
) -> None:
    set_cell(rows, "Disruptions", 2, "scope", scope)
    set_cell(rows, "Disruptions", 2, "kind", kind)
    set_cell(rows, "Disruptions", 2, "severity", 1)
    report = check(make_workbook, rows)
    assert listing(report) == []


def test_disruption_needs_one_way_to_start(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Disruptions", 2, "events_per_year", None)
    set_cell(rows, "Disruptions", 3, "events_per_year", 3)
    report = check(make_workbook, rows)
    assert [(p.location, p.message) for p in report.problems] == [
        ("Disruptions!C2", "give probability_per_day, events_per_year or start_day"),
        ("Disruptions!D3", "give probability_per_day or events_per_year, not both"),
    ]


def test_scripted_event_ignores_its_probability(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Disruptions", 2, "start_day", 10)
    report = check(make_workbook, rows)
    only(report, "Disruptions!G2", "scripted event; its probability is ignored", "warning")
    assert report.network is not None
    d = report.network.disruptions[0]
    assert (d.start_day, d.probability_per_day, d.scripted) == (10, 0.0, True)


def test_default_disruption_id_and_severity(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Disruptions", 3, "disruption_id", None)
    set_cell(rows, "Disruptions", 3, "severity", None)
    report = check(make_workbook, rows)
    assert listing(report) == []
    assert report.network is not None
    d = report.network.disruptions[1]
    assert (d.disruption_id, d.severity) == ("D3", 0.5)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("days", 0, "days: must be >= 1, got 0"),
        ("days", 5000, "days: must be <= 3650, got 5000"),
        ("days", 10.5, "days: expected a whole number, got 10.5"),
        ("trials", "many", "trials: expected a number, got 'many'"),
        ("seed", -1, "seed: must be >= 0"),
        ("unmet_demand", "lose", "unmet_demand: 'lose' is not one of backorder, lost (did you "
                                 "mean 'lost'?)"),
        ("service_level", 1.5, "service_level: must be <= 0.9999"),
        ("warmup_days", -1, "warmup_days: must be >= 0"),
    ],
)  # fmt: skip
def test_bad_settings(
    make_workbook: MakeWorkbook, rows: Rows, key: str, value: object, message: str
) -> None:
    rows["Settings"].append([key, value])
    rows["Settings"] = [r for i, r in enumerate(rows["Settings"]) if i == 0 or r[0] != key] + [
        [key, value]
    ]
    n = len(rows["Settings"])
    only(check(make_workbook, rows), f"Settings!B{n}", message)


def test_unknown_setting_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Settings"].append(["trails", 10])
    only(check(make_workbook, rows), "Settings!A7", "unknown setting 'trails' is ignored (did you "
         "mean 'trials'?)", "warning")  # fmt: skip


def test_settings_values(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Settings"] += [["service_level", "0.99"], ["warmup_days", 0], ["UNMET_DEMAND ", "Lost"]]
    del rows["Settings"][4]
    report = check(make_workbook, rows)
    assert listing(report) == []
    assert report.network is not None
    s = report.network.settings
    assert (s.service_level, s.warmup_days, s.unmet_demand, s.seed) == (0.99, 0, "lost", 7)


# --------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize(
    ("override", "location", "message"),
    [
        (["s1", "DCC", "safety_stock_days", 3], "Scenarios!B4",
         "unknown target 'DCC' (did you mean 'DC'?)"),
        (["s1", "DC", "safety_stok_days", 3], "Scenarios!C4", "unknown field 'safety_stok_days'"),
        (["s1", "DC", "safety_stock_days", "lots"], "Scenarios!D4",
         "safety_stock_days: expected a number, got 'lots'"),
        (["s1", "DC", "safety_stock_days", -2], "Scenarios!D4", "safety_stock_days must be >= 0"),
        (["s1", "DC", "type", "plant"], "Scenarios!C4", "unknown field 'type'"),
        (["s1", "DC", "daily_demand", 5], "Scenarios!B4", "'DC' has no row in the Demand sheet"),
        (["s1", "CUST-1", "daily_demand", "normal(5)"], "Scenarios!D4",
         "daily_demand: normal takes 2 numbers"),
        (["s1", "lane:DC->PLANT", "share", 0.5], "Scenarios!B4", "no lane DC->PLANT"),
        (["s1", "lane:PLANT->DC", "component", "x"], "Scenarios!C4", "lanes have no field"),
        (["s1", "lane:SUP-A->PLANT", "share", 0], "Scenarios!D4", "share must be in (0, 1]"),
        (["s1", "disruption:D-X", "severity", 1], "Scenarios!B4",
         "no disruption with disruption_id 'D-X'"),
        (["s1", "disruption:D-SUPA", "kind", "delay"], "Scenarios!C4",
         "disruptions have no field 'kind'"),
        (["s1", "disruption:D-SUPA", "probability_per_day", 2], "Scenarios!D4",
         "probability_per_day must be in [0, 1], got 2"),
        (["s1", "region:Mars", "safety_stock_days", 1], "Scenarios!B4",
         "no stocking site is in region 'Mars'"),
        (["s1", "settings", "dayz", 10], "Scenarios!C4", "unknown setting 'dayz'"),
        (["s1", "settings", "days", 0], "Scenarios!D4", "days: must be >= 1"),
        (["s1", "DC", "capacity_per_day", 0], "Scenarios!D4", "capacity_per_day must be > 0"),
        (["baseline", "DC", "safety_stock_days", 1], "Scenarios!A4", "'baseline' is the unchanged"),
    ],
)  # fmt: skip
def test_bad_scenario_overrides(
    make_workbook: MakeWorkbook, rows: Rows, override: list[object], location: str, message: str
) -> None:
    rows["Scenarios"].append(override)
    only(check(make_workbook, rows), location, message)


def test_scenario_override_checked_like_its_home_cell(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    """A value refused in its home sheet is refused in the Scenarios sheet too."""
    rows["Scenarios"] += [
        ["s1", "lane:SUP-A->PLANT", "lead_time_days", "normal(-5, 1)"],
        ["s1", "CUST-1", "daily_demand", "normal(-5, 1)"],
        ["s1", "lane:PLANT->DC", "quantity_per_unit", 0],
        ["s1", "disruption:D-EU", "severity", 3],
        ["s1", "disruption:D-SUPA", "events_per_year", 400],
        ["s1", "DC", "processing_days", 400],
        ["s1", "lane:PLANT->DC", "lead_time_days", 500],
    ]
    report = check(make_workbook, rows)
    assert errors_at(report) == [f"Scenarios!D{r}" for r in range(4, 11)], listing(report)


def test_scenario_problem_location_follows_the_real_columns(
    make_workbook: MakeWorkbook, rows: Rows
) -> None:
    rows["Scenarios"] = [["value", "field", "target", "scenario"], [3, "safety_stock_days", "DCC",
                                                                    "s1"]]  # fmt: skip
    only(check(make_workbook, rows), "Scenarios!C2", "unknown target 'DCC'")


def test_scenarios_named_only_in_disruptions_exist(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Disruptions", 2, "scenario", "asia")
    report = check(make_workbook, rows)
    assert report.network is not None
    assert report.network.scenario_names == ("baseline", "strike", "asia")


# --------------------------------------------------------------------------- all at once


def test_every_problem_is_reported_at_once(make_workbook: MakeWorkbook, rows: Rows) -> None:
    set_cell(rows, "Sites", 2, "capacity_per_day", "lots")
    set_cell(rows, "Lanes", 4, "lead_time_days", "normall(1, 2)")
    set_cell(rows, "Demand", 2, "unit_price", -5)
    set_cell(rows, "Disruptions", 3, "kind", "earthquake")
    set_cell(rows, "Settings", 2, "value", 0)
    report = check(make_workbook, rows)
    assert [p.location for p in report.problems] == [
        "Sites!G2", "Lanes!C4", "Demand!C2", "Disruptions!B3", "Settings!B2",
    ], listing(report)  # fmt: skip
    assert all(p.severity == "error" for p in report.problems)
    with pytest.raises(WorkbookError) as info:
        load_network(make_workbook(rows))
    assert [p.location for p in info.value.errors] == [p.location for p in report.problems]
    text = str(info.value)
    assert "5 problems" in text
    assert "Lanes!C4: lead_time_days: unknown distribution 'normall'" in text


def test_errors_come_before_warnings(make_workbook: MakeWorkbook, rows: Rows) -> None:
    rows["Sites"].append(["SUP-D", "supplier"])  # warning
    rows["Lanes"].insert(3, [])  # warning
    set_cell(rows, "Settings", 3, "value", 0)  # error
    report = check(make_workbook, rows)
    assert [(p.location, p.severity) for p in report.problems] == [
        ("Settings!B3", "error"),
        ("Sites!A9", "warning"),
        ("Lanes!4:4", "warning"),
    ]
    assert (
        str(report.problems[1])
        == "Sites!A9: warning: supplier 'SUP-D' feeds nothing (no lane out of it)"
    )


def test_problem_text_format() -> None:
    assert str(Problem("Lanes", 12, 1, "unknown site 'SUP-9'")) == "Lanes!A12: unknown site 'SUP-9'"
    assert str(Problem("Lanes", 3, None, "m")) == "Lanes!3:3: m"
    assert str(Problem("Lanes", None, None, "m")) == "Lanes: m"
    assert str(Problem("", None, None, "m", "warning")) == "warning: m"


def test_hostile_cells_never_crash_the_loader(make_workbook: MakeWorkbook, rows: Rows) -> None:
    hostile = ["__import__('os').system('false')", "=HYPERLINK(\"http://x\")",
               "😀" * 100, "normal(" * 500, 10**30, -1e308, "1e999", " ", "#REF!"]  # fmt: skip
    for i, value in enumerate(hostile):
        rows["Sites"].append([f"H{i}", "supplier", value, value, value, value, value, value])
        rows["Lanes"].append([f"H{i}", "PLANT", value, value, value, value])
        rows["Scenarios"].append(["s1", "DC", "safety_stock_days", value])
    report = check(make_workbook, rows)
    assert not report.ok
    assert all(p.location.split("!")[0] in ("Sites", "Lanes", "Scenarios") for p in report.errors)


def test_number_too_large_for_a_float(tmp_path: Path, rows: Rows) -> None:
    """A 400-digit whole number is read by openpyxl as a Python int: no OverflowError."""
    marker = 987654321  # openpyxl cannot write the huge number: patch it into the XML
    set_cell(rows, "Sites", 2, "unit_value", marker)
    set_cell(rows, "Demand", 2, "daily_demand", marker)
    rows["Scenarios"].append(["strike", "DC", "unit_value", marker])
    src = write_workbook(tmp_path / "src.xlsx", rows)
    path = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(
                item, data.replace(f"<v>{marker}</v>".encode(), f"<v>{10**400}</v>".encode())
            )
    report = validate_workbook(path)
    assert [(p.location, p.message) for p in report.problems] == [
        ("Sites!H2", "unit_value: number too large"),
        ("Demand!B2", "daily_demand: number too large"),
        ("Scenarios!D4", "unit_value: number too large"),
    ]


def test_capacity_below_mean_flow_is_a_warning(make_workbook: MakeWorkbook, rows: Rows) -> None:
    """PLANT makes 140 a day on average (100 + 40 demand): a capacity of 50 can never keep
    up; the workbook still loads."""
    set_cell(rows, "Sites", 5, "capacity_per_day", 50)
    report = validate_workbook(make_workbook(rows))
    assert report.ok
    assert [str(p) for p in report.warnings] == [
        "Sites!G5: warning: capacity_per_day 50 of 'PLANT' is below the mean daily demand "
        "through it (140): it can never keep up"
    ]
