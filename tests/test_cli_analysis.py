"""sweep, risk and place on the command line: exit codes and the JSON contracts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitrisk.cli.commands import main

TEACHING = Path(__file__).resolve().parents[1] / "examples" / "teaching.xlsx"


def _json(path: Path) -> dict:
    return json.loads(path.read_text())


def test_sweep_json_contract(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    rc = main(
        [
            "sweep",
            str(TEACHING),
            "--site",
            "DC",
            "--buffer-days",
            "0:4:2",
            "--trials",
            "30",
            "--days",
            "60",
            "--json",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    doc = _json(out)
    assert doc["site"] == "DC"
    assert [lv["buffer_days"] for lv in doc["levels"]] == [0, 2, 4]
    for lv in doc["levels"]:
        for key in ("stockout_day_probability", "fill_rate", "lost_revenue"):
            assert set(lv[key]) >= {"mean", "ci95"}
    assert "knee_buffer_days" in doc
    assert "Buffer curve of DC" in capsys.readouterr().out


def test_sweep_unknown_site_exits_2(capsys):
    assert main(["sweep", str(TEACHING), "--site", "NOPE", "--quiet"]) == 2
    assert "unknown site 'NOPE'" in capsys.readouterr().err


def test_risk_json_contract(tmp_path):
    out = tmp_path / "risk.json"
    rc = main(
        ["risk", str(TEACHING), "--trials", "20", "--days", "60", "--json", str(out), "--quiet"]
    )
    assert rc == 0
    doc = _json(out)
    assert doc["sites"] and "regions" in doc
    for v in doc["sites"].values():
        assert set(v) >= {
            "ttr_days",
            "tts_days",
            "tts_lp_days",
            "performance_impact",
            "risk_exposure_index",
            "exposed",
        }
        assert set(v["tts_days"]) >= {"mean", "ci95"}
        assert 0.0 <= v["risk_exposure_index"] <= 1.0
        assert isinstance(v["exposed"], bool)


def test_place_gsm_json_contract(tmp_path):
    out = tmp_path / "gsm.json"
    assert main(["place", str(TEACHING), "--method", "gsm", "--json", str(out)]) == 0
    doc = _json(out)
    assert doc["method"] == "gsm"
    assert set(doc) >= {"service_level", "total_cost", "optimal", "gap", "sites"}
    for v in doc["sites"].values():
        assert set(v) >= {
            "committed_service_time",
            "net_lead_time",
            "safety_stock_units",
            "safety_stock_days",
            "safety_stock_value",
        }


def test_place_simulation_json_and_budget_required(tmp_path, capsys):
    assert main(["place", str(TEACHING), "--method", "simulation", "--quiet"]) == 2
    assert "--budget" in capsys.readouterr().err
    out = tmp_path / "sim.json"
    rc = main(
        [
            "place",
            str(TEACHING),
            "--method",
            "simulation",
            "--budget",
            "5000",
            "--trials",
            "20",
            "--days",
            "60",
            "--json",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    doc = _json(out)
    assert doc["method"] == "simulation" and doc["total_cost"] <= 5000
    assert "gsm" in doc["compared_plans"]
    assert set(doc["improvement"]) >= {"mean", "ci95"}


@pytest.mark.parametrize("command", ["sweep", "risk", "place"])
def test_analysis_commands_have_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert f"usage: jitrisk {command}" in capsys.readouterr().out
