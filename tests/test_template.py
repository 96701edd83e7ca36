"""The empty template: generated from the schema, formatted, and loadable once filled in."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from jitrisk.errors import JitriskError
from jitrisk.workbook.format import MAX_ROWS, SETTING_SPECS, SHEETS, SITE_TYPES
from jitrisk.workbook.reader import load_network, validate_workbook
from jitrisk.workbook.template import GUIDE_SHEET, write_template


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(tmp_path / "template.xlsx")


def _guide_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    ws = wb[GUIDE_SHEET]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_template_has_every_schema_sheet_with_its_headers(template: Path) -> None:
    """Row 1 of every sheet holds exactly the schema's column names, in order."""
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [s.name for s in SHEETS] + [GUIDE_SHEET]
    for sheet in SHEETS:
        ws = wb[sheet.name]
        header = [c.value for c in ws[1]]
        assert header == [c.name for c in sheet.columns], sheet.name


def test_headers_are_bold_filled_frozen_with_notes_and_widths(template: Path) -> None:
    """Each header cell is bold, filled, carries a note with unit and default; panes frozen."""
    wb = openpyxl.load_workbook(template)
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert ws.freeze_panes == "A2", sheet.name
        for j, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=j)
            assert cell.font.bold
            assert cell.fill.fgColor.rgb.endswith(("DDEBF7", "BDD7EE"))
            assert cell.comment is not None
            assert column.help[:30] in cell.comment.text
            assert f"Blank means: {column.default}" in cell.comment.text
            if column.unit:
                assert f"Unit: {column.unit}" in cell.comment.text
            assert ws.column_dimensions[get_column_letter(j)].width >= 12


def test_choice_columns_have_dropdowns(template: Path) -> None:
    """type and kind get list validations over all data rows; unmet_demand's value cell too."""
    wb = openpyxl.load_workbook(template)
    sites = wb["Sites"].data_validations.dataValidation
    assert len(sites) == 1
    assert sites[0].type == "list"
    assert sites[0].formula1 == '"' + ",".join(SITE_TYPES) + '"'
    assert str(sites[0].sqref) == f"B2:B{MAX_ROWS['Sites'] + 1}"
    kinds = wb["Disruptions"].data_validations.dataValidation
    assert [dv.formula1 for dv in kinds] == ['"outage,capacity,delay,demand"']
    settings = wb["Settings"]
    (dv,) = settings.data_validations.dataValidation
    row = next(c.row for c in settings["A"] if c.value == "unmet_demand")
    assert str(dv.sqref) == f"B{row}"
    assert dv.formula1 == '"backorder,lost"'
    assert not wb["Lanes"].data_validations.dataValidation


def test_settings_prefilled_with_every_default(template: Path) -> None:
    """One row per setting key, in schema order, holding the default value."""
    ws = openpyxl.load_workbook(template)["Settings"]
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=2)]
    assert rows == [(s.key, s.default) for s in SETTING_SPECS]


def test_guide_explains_every_sheet_column_setting_and_distribution(template: Path) -> None:
    text = _guide_text(template)
    for sheet in SHEETS:
        assert f"Sheet {sheet.name}" in text
        assert sheet.purpose in text
        for column in sheet.columns:
            assert column.help in text
    for spec in SETTING_SPECS:
        assert spec.help in text
    for example in ("normal(100, 15)", "geometric(10)", "empirical(2, 3, 3, 9)", "poisson(40)"):
        assert example in text


def test_empty_template_only_lacks_sites(template: Path) -> None:
    """The empty template reads without any problem but the missing sites."""
    report = validate_workbook(template)
    assert [p.message for p in report.problems] == ["the Sites sheet has no sites"]


def test_template_filled_with_openpyxl_validates(template: Path) -> None:
    """Round trip: template -> rows added with openpyxl -> validate_workbook OK."""
    wb = openpyxl.load_workbook(template)
    wb["Sites"].append(["RAW", "supplier", "Raw steel", "PL", 2, 3])
    wb["Sites"].append(["PLANT", "plant", "Assembly", "DE", 1, 1, 100])
    wb["Sites"].append(["DC", "dc", None, "DE", 2])
    wb["Sites"].append(["CUST", "customer"])
    wb["Lanes"].append(["RAW", "PLANT", "gamma(4, 1)", 2])
    wb["Lanes"].append(["PLANT", "DC", 1])
    wb["Lanes"].append(["DC", "CUST", 0])
    wb["Demand"].append(["CUST", "normal(50, 10)", 120])
    wb["Disruptions"].append(["RAW", "outage", None, 2, "geometric(7)"])
    wb["Scenarios"].append(["more-stock", "DC", "safety_stock_days", 5])
    filled = template.with_name("filled.xlsx")
    wb.save(filled)
    report = validate_workbook(filled)
    assert report.problems == []
    net = load_network(filled)
    assert [s.site_id for s in net.sites] == ["RAW", "PLANT", "DC", "CUST"]
    assert net.lanes[0].quantity_per_unit == 2
    assert net.disruptions[0].probability_per_day == pytest.approx(2 / 365)
    assert net.scenario_names == ("baseline", "more-stock")


def test_template_refuses_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(JitriskError, match="does not exist"):
        write_template(tmp_path / "nope" / "template.xlsx")
