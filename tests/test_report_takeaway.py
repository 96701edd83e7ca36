"""The decision leads every format: PDF page 1, deck slide 1, the Summary sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from jitrisk import load_network
from jitrisk.engine import simulate
from jitrisk.report import write_report
from jitrisk.report.build import collect_from_results
from jitrisk.report.pdf import title_page

TEACHING = Path(__file__).resolve().parent.parent / "examples" / "teaching.xlsx"


@pytest.fixture(scope="module")
def data():
    net = load_network(TEACHING)
    res = simulate(net, trials=40, days=90, seed=3)
    return collect_from_results(net, [res], sections=frozenset({"plans", "recommend"}))


def test_the_report_carries_the_recommendation_and_its_takeaway(data) -> None:
    (s,) = data.scenarios
    assert s.recommendation is not None and s.recommendation["rule"]
    assert s.takeaway and s.takeaway[0].startswith(("The weakest point is", "No extra"))
    # made with the report's own settings: the run's seed, fewer search trials
    assert s.recommendation["seed"] == 3 and s.recommendation["trials"] == 40


def test_page_one_slide_one_and_the_summary_lead_with_it(data, tmp_path: Path) -> None:
    (s,) = data.scenarios
    first = s.takeaway[0]
    fig = title_page(data)
    texts = " ".join(
        " ".join([ax.get_title(loc="left"), *(t.get_text() for t in ax.texts)]) for ax in fig.axes
    )
    assert "The decision" in texts and first.split(":")[0] in texts.replace("\n", " ")
    deck = write_report(data, tmp_path / "d.pptx", TEACHING)
    slide = Presentation(str(deck)).slides[0]
    said = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert "The decision" in said and any(first in t for t in said)
    book = write_report(data, tmp_path / "r.xlsx", TEACHING)
    wb = openpyxl.load_workbook(book, read_only=True)
    cells = [v for row in wb["Summary"].iter_rows(values_only=True) for v in row if v]
    wb.close()
    assert "The decision" in cells and first in cells


def test_the_safety_stock_sheet_has_the_reconciled_table_of_the_json(data, tmp_path) -> None:
    (s,) = data.scenarios
    book = write_report(data, tmp_path / "r.xlsx", TEACHING)
    wb = openpyxl.load_workbook(book, read_only=True)
    rows = [list(r) for r in wb["Safety stock"].iter_rows(values_only=True)]
    wb.close()
    head = next(
        i for i, r in enumerate(rows) if r[:3] == ["Site", "Now (days)", "Recommended (days)"]
    )
    changed = {
        sid: v
        for sid, v in s.recommendation["recommended"]["sites"].items()
        if v["recommended_days"] != v["current_days"]
    }
    assert changed  # the teaching example's plan does change some cover
    shown = {r[0]: r for r in rows[head + 1 : head + 1 + len(changed)]}
    assert set(shown) == set(changed)
    for sid, v in changed.items():
        assert shown[sid][1:6] == [
            v["current_days"],
            v["recommended_days"],
            v["gsm_days"],
            v["extra_value"],
            v["extra_holding_cost_per_year"],
        ]


def test_the_recommended_buffers_page_shows_the_same_recommendation(data) -> None:
    from jitrisk.report import pages, style

    (s,) = data.scenarios
    table = pages.recommended_table(s)
    assert table.headers[:5] == (
        "Site",
        "Now (days)",
        "Recommended (days)",
        f"Removes a year ({s.currency})",
        "Demand-only GSM (days)",
    )
    sites = s.recommendation["recommended"]["sites"]
    assert table.rows
    for row in table.rows:
        assert row[2] == style.days(sites[row[0]]["recommended_days"])
        removes = sites[row[0]]["removes_per_year"]
        assert row[3] == (style.compact(removes) if removes else "–")
    # every site the recommendation adds cover at is on the page, the largest removal first
    changed = [sid for sid, v in sites.items() if v["recommended_days"] > v["current_days"]]
    shown = [row[0] for row in table.rows]
    assert set(shown[: len(changed)]) == set(changed)
    gains = [sites[sid]["removes_per_year"] for sid in shown[: len(changed)]]
    assert gains == sorted(gains, reverse=True)
    assert table.note.startswith("Recommended: the plan after the last days of cover")
