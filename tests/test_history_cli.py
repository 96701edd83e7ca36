"""``jitrisk fit`` end to end: messy files, the written workbook, the real SCMS history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from history_data import START, csv_text, deliveries, write

from jitrisk.cli import main as cli_main
from jitrisk.engine import simulate
from jitrisk.history import fit_history, read_table
from jitrisk.workbook import load_network, validate_workbook

SCMS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "datasets"
    / "scms"
    / "SCMS_Delivery_History_Dataset_20150929.csv"
)
SUPPLIERS = [("SUP-A", "Alpha Components"), ("SUP-B", "Beta Metals")]


def _history_rows(seed: int = 2) -> list[list[object]]:
    """Alpha: 400 daily orders, gamma(12, 3) lead times and two planted outages; Beta: 20."""
    rng = np.random.default_rng(seed)
    lead = np.maximum(np.floor(rng.gamma(16.0, 0.75, 400) + 0.5), 0)
    rows: list[list[object]] = [["Vendor", "PO Date", "Scheduled Delivery Date", "Delivery Date",
                                 "Qty", "Status"]]  # fmt: skip
    for o, d in deliveries(rng, lead, outages=[(100, 20), (300, 15)]):
        rows.append(["Alpha Components", o.isoformat(), (o + dt.timedelta(12)).isoformat(),
                     d.isoformat(), 10, "closed"])  # fmt: skip
    for o, d in deliveries(rng, np.full(20, 6.0)):
        rows.append(["sup-b", o.strftime("%d-%b-%y"), "", d.strftime("%d-%b-%y"), 5, "closed"])
    return rows


def _run(tmp_path: Path, rows: list[list[object]], *extra: str, sep: str = ",") -> tuple:
    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    hist = tmp_path / "history.csv"
    hist.write_text(csv_text(rows, sep), encoding="utf-8")
    out = tmp_path / "fitted.xlsx"
    js = tmp_path / "fit.json"
    before = book.read_bytes()
    code = cli_main(["fit", str(hist), "--network", str(book), "--out", str(out),
                     "--json", str(js), *extra])  # fmt: skip
    assert book.read_bytes() == before  # the input is never written
    return code, out, json.loads(js.read_text()) if js.exists() else None


def test_fit_writes_a_marked_workbook_that_validates_and_simulates(tmp_path: Path) -> None:
    code, out, doc = _run(tmp_path, _history_rows())
    assert code == 0
    lane = doc["lanes"]["SUP-A->PLANT"]
    assert lane["family"] in ("gamma", "lognormal", "normal") and not lane["kept_planner_value"]
    assert lane["n"] >= 300 and abs(lane["mean"] - 12.0) < 1.0
    assert set(lane) >= {"n", "family", "mean", "sd", "cell", "aic", "gof_pvalue",
                         "kept_planner_value"}  # fmt: skip
    # Beta: 20 deliveries, fewer than the 30 a fit needs: the planner's value stays, flagged
    assert doc["lanes"]["SUP-B->PLANT"]["kept_planner_value"] is True
    alpha = doc["suppliers"]["SUP-A"]
    starts = [e["start"] for e in alpha["disruptions"]["episodes"]]
    assert (START + dt.timedelta(100)).isoformat() in starts
    assert (START + dt.timedelta(300)).isoformat() in starts
    assert alpha["on_time_share"] is not None and 0 < alpha["on_time_share"] < 1
    assert doc["rows"] == {"read": 420, "used": 420, "open": 0, "cancelled": 0,
                           "unmatched_supplier": 0}  # fmt: skip
    report = validate_workbook(out)
    assert report.network is not None and not report.errors
    net = report.network
    fitted = {(la.source, la.target): la for la in net.lanes}
    assert fitted[("SUP-A", "PLANT")].lead_time.mean == pytest.approx(lane["mean"], abs=0.5)
    outage = next(d for d in net.disruptions if d.scope == "SUP-A" and d.kind == "outage")
    rate = alpha["disruptions"]["events_per_year"]
    assert outage.probability_per_day == pytest.approx(rate / 365, rel=1e-3)
    simulate(net, trials=16, days=60)
    wb = openpyxl.load_workbook(out)
    cell = wb["Lanes"]["C2"]
    assert cell.value == lane["cell"] and "was 5" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("D8F0DC")
    kept = wb["Lanes"]["C3"]
    assert kept.value == 5 and "Kept the planner's value" in kept.comment.text
    assert "Fit" in wb.sheetnames
    wb.close()


def test_messy_rows_are_reported_and_the_rest_used(tmp_path: Path) -> None:
    rows = _history_rows()
    mess = [
        ["Alpha Components", "Date Not Captured", "", "2021-03-01", 1, "closed"],  # placeholder
        ["Alpha Components", "2021-02-01", "", "2021-01-20", 1, "closed"],  # before ordered
        ["Alpha Components", "2021-02-01", "", "2024-02-01", 1, "closed"],  # absurd
        ["Alpha Components", "2021-02-01", "", "soon", 1, "closed"],  # not a date
        ["Alpha Components", "2021-02-01", "", "2021-02-10", "ten", "closed"],  # text qty
        ["Alpha Components", "2021-02-02", "", "2021-02-11", 1, "Cancelled"],  # cancelled
        ["Alpha Components", "2021-02-03", "", "", 1, "open"],  # open order
        ["Gamma Unknown", "2021-02-03", "", "2021-02-09", 1, "closed"],  # not a site
        list(rows[5]),  # duplicate of file row 6
    ]
    code, _out, doc = _run(tmp_path, rows + mess)
    assert code == 0
    by_message = {p["message"].split(":")[0].split(" (")[0]: p for p in doc["problems"]}
    first = 422  # the header is row 1, then 420 good rows
    assert doc["problems"][0] == {"row": first, "column": "PO Date",
                                  "message": "no date ('Date Not Captured')"}  # fmt: skip
    assert any(p["row"] == first + 1 and "before it was ordered" in p["message"]
               for p in doc["problems"])  # fmt: skip
    assert any(p["row"] == first + 2 and "over a year" in p["message"]
               for p in doc["problems"])  # fmt: skip
    assert any(p["row"] == first + 3 and p["column"] == "Delivery Date" for p in doc["problems"])
    assert any(p["row"] == first + 4 and p["column"] == "Qty" for p in doc["problems"])
    assert any("duplicate of row 6" in p["message"] for p in doc["problems"])
    assert by_message
    assert doc["rows"]["cancelled"] == 1 and doc["rows"]["open"] == 1
    assert doc["unmatched_suppliers"] == {"Gamma Unknown": 1}
    # the text quantity only loses its number: the line itself is used
    assert doc["rows"]["used"] == 421


@pytest.mark.parametrize(
    ("sep", "encoding", "fmt"),
    [(";", "utf-8-sig", "%d/%m/%Y"), (",", "cp1252", "%m/%d/%Y"), ("\t", "utf-8", "%d.%m.%Y")],
)
def test_separators_encodings_and_day_month_order(tmp_path: Path, sep, encoding, fmt) -> None:
    book = write(tmp_path / "net.xlsx", [("SUP-A", "Fournisseur Élan"), ("SUP-B", "Beta")])
    rng = np.random.default_rng(4)
    lead = np.maximum(np.floor(rng.normal(9.0, 2.0, 60) + 0.5), 0)
    rows = [["Vendor", "Order date", "Delivered"]]
    for o, d in deliveries(rng, lead, every=3):
        rows.append(["Fournisseur Élan", o.strftime(fmt), d.strftime(fmt)])
    hist = tmp_path / "h.csv"
    hist.write_bytes(csv_text(rows, sep).encode(encoding))
    table = read_table(hist)
    fit = fit_history(load_network(book), table)
    assert fit.rows_used == 60 and not fit.problems
    lane = fit.lanes["SUP-A->PLANT"]
    assert lane.fit is not None and abs(lane.fit.mean - 9.0) < 1.0
    order = "day/month/year" if fmt.startswith("%d") else "month/day/year"
    assert any(order in n for n in fit.lines.notes)


def test_excel_history_with_real_dates_and_serial_numbers(tmp_path: Path) -> None:
    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Supplier", "Ordered", "Delivered"])
    rng = np.random.default_rng(8)
    for i, (o, d) in enumerate(deliveries(rng, np.full(40, 7.0), every=2)):
        serial = (d - dt.date(1899, 12, 30)).days
        ws.append(["SUP-A", o, serial if i % 2 else d])
    hist = tmp_path / "h.xlsx"
    wb.save(hist)
    fit = fit_history(load_network(book), read_table(hist))
    assert fit.rows_used == 40 and not fit.problems
    assert fit.lanes["SUP-A->PLANT"].fit is not None
    assert set(fit.lanes["SUP-A->PLANT"].days.tolist()) == {7}


def test_bad_requests_are_clear_errors(tmp_path: Path, capsys) -> None:
    book = write(tmp_path / "net.xlsx", SUPPLIERS)
    hist = tmp_path / "h.csv"
    hist.write_text("Name,When\nx,1\n")
    assert cli_main(["fit", str(hist), "--network", str(book), "--out", str(tmp_path / "o.xlsx")])
    assert "no column for supplier, ordered, delivered" in capsys.readouterr().err
    assert cli_main(["fit", str(hist), "--network", str(book), "--out", str(book)])
    err = capsys.readouterr().err
    assert "input" in err.lower() and "Traceback" not in err
    code = cli_main(["fit", str(hist), "--network", str(book), "--out", str(tmp_path / "o.xlsx"),
                     "--columns", "vendor=Name"])  # fmt: skip
    assert code and "unknown key 'vendor'" in capsys.readouterr().err


@pytest.mark.skipif(not SCMS.is_file(), reason="../shared/datasets is absent")
def test_the_real_scms_history_is_read_end_to_end(tmp_path: Path) -> None:
    vendors = [
        ("V-ORGENICS", "Orgenics, Ltd"),
        ("V-AUROBINDO", "Aurobindo Pharma Limited"),
        ("V-TRINITY", "Trinity Biotech, Plc"),
        ("V-MYLAN", "MYLAN LABORATORIES LTD (FORMERLY MATRIX LABORATORIES)"),
    ]
    book = write(tmp_path / "scms.xlsx", vendors)
    out = tmp_path / "fitted.xlsx"
    js = tmp_path / "fit.json"
    before = SCMS.read_bytes()
    code = cli_main(["fit", str(SCMS), "--network", str(book), "--out", str(out),
                     "--json", str(js)])  # fmt: skip
    assert code == 0 and SCMS.read_bytes() == before
    doc = json.loads(js.read_text())
    assert doc["rows"]["read"] == 10_324
    assert doc["columns"]["supplier"] == "Vendor"
    assert doc["columns"]["ordered"] == "PO Sent to Vendor Date"
    assert doc["columns"]["delivered"] == "Delivered to Client Date"
    # the placeholders of the real file are reported with their rows
    placeholders = [p for p in doc["problems"] if "Date Not Captured" in p["message"]]
    assert placeholders and all(p["column"] == "PO Sent to Vendor Date" for p in placeholders)
    assert doc["unmatched_suppliers"]["SCMS from RDC"] == 5404
    used = doc["rows"]["used"]
    assert 1000 < used < 2500
    for sid, _name in vendors:
        lane = doc["lanes"][f"{sid}->PLANT"]
        assert lane["n"] >= 30 and not lane["kept_planner_value"]
        assert 1 <= lane["mean"] <= 365  # whole days between PO and delivery
        assert lane["gof_pvalue"] is None or 0 <= lane["gof_pvalue"] <= 1
    net = load_network(out)
    simulate(net, trials=8, days=30)


def test_the_excel_reports_inputs_say_which_values_came_from_history(tmp_path: Path) -> None:
    from jitrisk.report import write_report

    code, out, _doc = _run(tmp_path, _history_rows())
    assert code == 0
    net = load_network(out)
    from jitrisk.report.build import collect_from_results

    data = collect_from_results(net, [simulate(net, trials=8, days=30)], sections=frozenset())
    report = write_report(data, tmp_path / "report.xlsx", out)
    wb = openpyxl.load_workbook(report, read_only=True)
    texts = [str(v) for row in wb["Inputs"].iter_rows(values_only=True) for v in row if v]
    wb.close()
    assert any("came from delivery history" in t for t in texts)
    assert "Fit" in texts and "SUP-A->PLANT" in texts
