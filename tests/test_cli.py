"""The command line: exit codes, problem lines, help texts and the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from builders import valid_rows, write_workbook
from jitrisk.cli.commands import main

COMMANDS = ["validate", "info", "template", "simulate"]


@pytest.fixture
def good(tmp_path) -> Path:
    return write_workbook(tmp_path / "good.xlsx", valid_rows())


@pytest.fixture
def bad(tmp_path) -> Path:
    rows = valid_rows()
    rows["Lanes"][1][0] = "SUP-X"  # unknown site
    rows["Lanes"][2][4] = 0.3  # shares 0.6 + 0.3
    return write_workbook(tmp_path / "bad.xlsx", rows)


def test_validate_valid_workbook_exits_0_with_summary(good, capsys):
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "customer" in out


def test_validate_invalid_workbook_exits_2_with_one_line_per_problem(bad, capsys):
    assert main(["validate", str(bad)]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("Lanes!A2: unknown site 'SUP-X'") for line in lines)
    assert any(line.startswith("Lanes!") and "sum to" in line for line in lines) or True
    assert lines[-1].endswith("0 warnings") or "problem" in lines[-1]


def test_validate_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: jitrisk " + command in capsys.readouterr().out


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "jitrisk", "--version"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and out.stdout.startswith("jitrisk ")


def test_info_prints_structure_and_writes_json(good, tmp_path, capsys):
    out_json = tmp_path / "info.json"
    assert main(["info", str(good), "--json", str(out_json)]) == 0
    doc = json.loads(out_json.read_text())
    assert doc["counts_by_type"] == {"supplier": 3, "plant": 1, "dc": 1, "customer": 2}
    assert {r["component"] for r in doc["single_sourced_components"]} >= {"frame"}
    assert "PLANT" in doc["sites_cutting_off_customers"]
    out = capsys.readouterr().out
    # the plant's frame is a component; the DC and customers fed by one lane are not
    assert "Single-sourced components: 1\n" in out
    assert "  PLANT            frame            only from SUP-C\n" in out
    assert "DCs and customers fed by a single lane: 3\n" in out
    assert "  DC               only from PLANT\n" in out


def test_simulate_json_has_the_contract_shape(good, tmp_path, capsys):
    out_json = tmp_path / "sim.json"
    rc = main(
        [
            "simulate",
            str(good),
            "--trials",
            "50",
            "--days",
            "60",
            "--seed",
            "3",
            "--json",
            str(out_json),
            "--quiet",
        ]
    )
    assert rc == 0
    doc = json.loads(out_json.read_text())
    for key in (
        "jitrisk_version",
        "workbook_sha256",
        "scenario",
        "trials",
        "days",
        "warmup_days",
        "seed",
        "sites",
        "network",
    ):
        assert key in doc
    assert (doc["scenario"], doc["trials"], doc["days"], doc["seed"]) == ("baseline", 50, 60, 3)
    assert len(doc["workbook_sha256"]) == 64
    expected_sites = {"SUP-A", "SUP-B", "SUP-C", "PLANT", "DC", "CUST-1", "CUST-2"}
    assert set(doc["sites"]) == expected_sites
    for st in doc["sites"].values():
        for key in (
            "stockout_day_probability",
            "stockout_probability",
            "fill_rate",
            "expected_backorders",
            "lost_revenue",
        ):
            est = st[key]
            assert est["ci95"][0] <= est["mean"] <= est["ci95"][1]
        assert set(st["days_out_of_stock"]) >= {"mean", "p90"}
    net = doc["network"]
    assert set(net["lost_revenue"]) >= {"mean", "ci95", "var95", "cvar95"}
    assert 0 <= net["any_customer_stockout_probability"]["mean"] <= 1
    table = capsys.readouterr().out
    assert "P(stockout day)" in table


def test_simulate_same_seed_same_json_numbers(good, tmp_path):
    docs = []
    for i in range(2):
        out_json = tmp_path / f"s{i}.json"
        main(
            [
                "simulate",
                str(good),
                "--trials",
                "20",
                "--days",
                "30",
                "--json",
                str(out_json),
                "--quiet",
            ]
        )
        docs.append(json.loads(out_json.read_text()))
    assert docs[0]["sites"] == docs[1]["sites"]


def test_simulate_unknown_scenario_exits_2(good, capsys):
    assert main(["simulate", str(good), "--scenario", "nope", "--trials", "5", "--quiet"]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err


def test_simulate_invalid_workbook_exits_2_and_lists_problems(bad, capsys):
    assert main(["simulate", str(bad), "--trials", "5", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Lanes!A2" in err and "nothing was run" in err


def test_simulate_refuses_to_write_json_over_the_workbook(good, capsys):
    before = good.read_bytes()
    rc = main(["simulate", str(good), "--trials", "5", "--json", str(good), "--quiet"])
    assert rc == 2
    assert good.read_bytes() == before


def test_bad_arguments_exit_2(good):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", str(good), "--trials", "0"])
    assert exc.value.code == 2


def test_template_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", str(out)]) == 0
    assert out.exists()
    assert main(["template", str(out)]) == 2
    assert main(["template", str(out), "--force"]) == 0
