"""The numerical core stays free of Qt: enforced by import-linter and checked at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_holds():
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "KEPT" in out.stdout


def test_importing_the_core_and_running_the_cli_loads_no_qt():
    code = (
        "import sys, jitrisk, jitrisk.engine, jitrisk.cli, jitrisk.model.graph;"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'ui'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_engine_and_applying_a_scenario_never_load_the_workbook_reader():
    """Scenarios are checked when read; what runs them needs no workbook code (issue 17)."""
    code = (
        "import sys, jitrisk.engine, jitrisk.analysis.sweep, jitrisk.model.scenarios;"
        "bad = [m for m in sys.modules if m.startswith('jitrisk.workbook')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
