"""Writing networks to workbooks, and the atomic file output underneath."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jitrisk.errors import JitriskError
from jitrisk.model.distributions import (
    Constant,
    Empirical,
    Gamma,
    Geometric,
    LogNormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)
from jitrisk.model.records import Demand, Disruption, Lane, Network, Override, Settings, Site
from jitrisk.workbook.fileio import atomic_write, atomic_write_text, refuse_overwrite_input
from jitrisk.workbook.format import SHEETS
from jitrisk.workbook.reader import load_network, validate_workbook
from jitrisk.workbook.writer import dist_cell, events_per_year, write_network


def _network() -> Network:
    """A small network using every field the writer must carry."""
    sites = (
        Site(
            "=SUM(A1)", "supplier", "Formula-looking id", "CN", 2.5, None, 3, 800.0, 4.25, 0.2, 14.0
        ),
        Site("-RAW", "supplier", "+plus name", "@at", 1.0, 120.0, 1, None, 3.0),
        Site("PLANT", "plant", "Assembly", "DE", 0.5, None, 1, 300.0, 40.0, 0.25, 21.0),
        Site("DC", "dc", "", "", 3.0),
        Site("CUST-1", "customer", "Retail", "DE"),
        Site("CUST-2", "customer", "Online", "US", 0.0, None, 0, None, 0.0, 0.3),
    )
    lanes = (
        Lane("=SUM(A1)", "PLANT", Normal(5.123456789, 1.5), 2.0, 0.7, "chip", 1.5, None),
        Lane("-RAW", "PLANT", Triangular(1, 2, 9), 2.0, 0.3, "chip", 1.5, None),
        Lane("PLANT", "DC", Constant(1.0), 1.0, 1.0, "DC"),
        Lane("DC", "CUST-1", Poisson(2), component="CUST-1"),
        Lane("DC", "CUST-2", Empirical((0.0, 1.0, 1.0, 4.0)), component="CUST-2"),
    )
    demand = (
        Demand("CUST-1", Normal(100, 12.5), 50.0, 0),
        Demand("CUST-2", Gamma(40, 7), 61.5, 2),
    )
    disruptions = (
        Disruption("D-CN", "region:CN", "outage", 0.5 / 365, Geometric(14)),
        Disruption("D-RAW", "-RAW", "capacity", 1e-3 / 3, LogNormal(3, 1), 0.4),
        Disruption("D-LANE", "lane:PLANT->DC", "delay", 0.0, Uniform(2, 5), 7.0, 30, "strike"),
        Disruption("D-DEM", "CUST-1", "demand", 2 / 365, Constant(10.0), 1.5),
    )
    overrides = (
        Override("strike", "DC", "safety_stock_days", 10),
        Override("strike", "settings", "days", 90),
        Override("strike", "=SUM(A1)", "name", "=not a formula"),
        Override("slow", "lane:PLANT->DC", "lead_time_days", "gamma(3, 1)"),
    )
    settings = Settings(
        days=200,
        trials=50,
        seed=9,
        unmet_demand="lost",
        service_level=0.9,
        currency="USD",
        warmup_days=10,
    )
    return Network(sites, lanes, demand, disruptions, overrides, settings)


def test_round_trip_gives_an_equal_network(tmp_path: Path) -> None:
    """write_network then load_network gives the same network, with no problem reported."""
    net = _network()
    path = write_network(net, tmp_path / "net.xlsx")
    report = validate_workbook(path)
    assert report.problems == []
    assert report.network == net


def test_round_trip_of_loaded_workbook(valid_network: Network, tmp_path: Path) -> None:
    path = write_network(valid_network, tmp_path / "again.xlsx")
    again = load_network(path)
    assert again == valid_network
    assert [d.disruption_id for d in again.disruptions] == ["D-SUPA", "D-EU", "D-STRIKE"]


def test_text_is_never_written_as_a_formula(tmp_path: Path) -> None:
    """Strings starting with = + - @ are stored as text cells, not formulas."""
    path = write_network(_network(), tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(path, data_only=False)
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    texts[cell.value] = cell.data_type
    assert set(texts) >= {"=SUM(A1)", "-RAW", "+plus name", "@at", "=not a formula"}
    assert set(texts.values()) == {"s"}


def test_layout_matches_the_template(tmp_path: Path) -> None:
    """Headers in schema order, formatted; settings written from the network."""
    path = write_network(_network(), tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(path)
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [c.name for c in sheet.columns]
        assert ws["A1"].font.bold
        assert ws.freeze_panes == "A2"
    settings = {r[0].value: r[1].value for r in wb["Settings"].iter_rows(min_row=2)}
    assert settings["unmet_demand"] == "lost"
    assert settings["days"] == 200
    assert "Guide" in wb.sheetnames


def test_cells_are_readable(tmp_path: Path) -> None:
    """Constants are numbers, probabilities become events_per_year where exact."""
    path = write_network(_network(), tmp_path / "net.xlsx")
    wb = openpyxl.load_workbook(path)
    lanes = wb["Lanes"]
    assert lanes["C2"].value == "normal(5.123456789, 1.5)"
    assert lanes["C3"].value == "triangular(1, 2, 9)"
    assert lanes["C4"].value == 1
    assert lanes["F4"].value is None  # default component of a lane into a DC
    dis = wb["Disruptions"]
    assert dis["D2"].value == 0.5  # events_per_year
    assert dis["C2"].value is None
    assert dis["C3"].value == 1e-3 / 3  # no short events_per_year gives it exactly
    sites = wb["Sites"]
    assert sites["E6"].value is None  # customers' stock columns are left blank
    assert sites["E5"].value == 3


def test_control_characters_are_refused(tmp_path: Path) -> None:
    net = _network()
    bad = replace(net, sites=(replace(net.sites[0], name="bell\x07"), *net.sites[1:]))
    with pytest.raises(JitriskError, match=r"Sites!C2"):
        write_network(bad, tmp_path / "bad.xlsx")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("p", "expected"),
    [(2 / 365, 2.0), (0.0, 0.0), (0.5 / 365, 0.5), (1 / 3, None), (1.0, 365.0)],
)
def test_events_per_year_only_when_exact(p: float, expected: float | None) -> None:
    assert events_per_year(p) == expected
    if expected is not None:
        assert expected / 365.0 == p


@given(
    mu=st.floats(0.001, 1e6, allow_nan=False),
    sd=st.floats(0.001, 1e4, allow_nan=False),
)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_dist_cell_keeps_every_digit(mu: float, sd: float) -> None:
    """The cell text of a distribution parses back to exactly the same distribution."""
    from jitrisk.model.distributions import parse_distribution

    for dist in (Normal(mu, sd), Gamma(mu, sd), LogNormal(mu, sd), Poisson(mu)):
        cell = dist_cell(dist)
        assert isinstance(cell, str)
        assert parse_distribution(cell) == dist


# --------------------------------------------------------------------------- fileio


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_interrupted_write_keeps_the_old_file(tmp_path: Path) -> None:
    """An error in the middle of writing leaves the previous file intact and no temp file."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")
    seen: list[Path] = []

    def half_write(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_write)
    assert target.read_bytes() == b"previous"
    assert not seen[0].exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_atomic_write_new_file_has_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    atomic_write_text(target, "x")
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JitriskError, match=r"folder .* does not exist"):
        atomic_write_text(tmp_path / "missing" / "out.txt", "x")


def test_target_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(JitriskError, match="is a folder"):
        atomic_write_text(tmp_path / "dir.xlsx", "x")


@pytest.mark.skipif(
    os.name != "posix" or (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="needs POSIX permissions and a non-root user",
)
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(JitriskError, match="no permission"):
            atomic_write_text(folder / "out.txt", "x")
    finally:
        folder.chmod(0o700)


def test_folder_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same check as above, simulated, so it also runs as root."""
    real_open = os.open

    def denied(path: object, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(JitriskError, match="no permission to create files in"):
        atomic_write_text(tmp_path / "out.txt", "x")
    assert not list(tmp_path.iterdir())


def test_locked_target_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a file open in Excel cannot be replaced: say so, keep the old file."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(JitriskError, match="open in another program"):
        atomic_write_text(target, "new")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_refuse_overwrite_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "in.xlsx"
    book.write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(JitriskError, match="refusing to overwrite the input workbook"):
        refuse_overwrite_input("in.xlsx", book)
    with pytest.raises(JitriskError):
        refuse_overwrite_input(tmp_path / "sub" / ".." / "in.xlsx", "in.xlsx")
    refuse_overwrite_input(tmp_path / "out.xlsx", book)
    refuse_overwrite_input(book, None)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_refuse_overwrite_input_through_a_link(tmp_path: Path) -> None:
    book = tmp_path / "in.xlsx"
    book.write_bytes(b"x")
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    with pytest.raises(JitriskError):
        refuse_overwrite_input(link, book)
