"""Scenario application: every override target, sheet order, disruption filtering,
and the baseline left exactly as it was."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from builders import MakeWorkbook, Rows, valid_rows
from jitrisk.errors import ScenarioError
from jitrisk.model.distributions import Constant, Normal, Poisson
from jitrisk.model.records import Network, Override
from jitrisk.workbook.overrides import check_and_apply as apply_scenario
from jitrisk.workbook.overrides import scenario_problems
from jitrisk.workbook.reader import load_network, validate_workbook
from jitrisk.workbook.validation import check_network


def with_overrides(net: Network, *rows: tuple[str, str, str, object]) -> Network:
    """``net`` with these Scenarios rows (rows 2, 3, ...) instead of its own."""
    return replace(net, overrides=tuple(Override(*r, row=i) for i, r in enumerate(rows, start=2)))


def one(net: Network, target: str, field: str, value: object) -> Network:
    """Scenario 's' with a single override, applied."""
    return apply_scenario(with_overrides(net, ("s", target, field, value)), "s")


# --------------------------------------------------------------------------- sites


def test_site_override_replaces_one_field_of_one_site(valid_network: Network) -> None:
    out = one(valid_network, "DC", "safety_stock_days", 7)
    dc = out.site_by_id["DC"]
    assert dc.safety_stock_days == 7.0
    assert isinstance(dc.safety_stock_days, float)
    assert replace(dc, safety_stock_days=3.0) == valid_network.site_by_id["DC"]
    assert [s for s in out.sites if s.site_id != "DC"] == [
        s for s in valid_network.sites if s.site_id != "DC"
    ]


@pytest.mark.parametrize(
    ("field", "value", "attr", "expected"),
    [
        ("processing_days", "4", "processing_days", 4),
        ("capacity_per_day", 123.5, "capacity_per_day", 123.5),
        ("unit_value", "99", "unit_value", 99.0),
        ("holding_cost_rate", 0.3, "holding_cost_rate", 0.3),
        ("base_stock_units", 800, "base_stock_units", 800.0),
        ("ttr_days", 12, "ttr_days", 12.0),
        ("name", 2024, "name", "2024"),
        ("region", "Asia", "region", "Asia"),
    ],
)
def test_every_site_field(
    valid_network: Network, field: str, value: object, attr: str, expected: object
) -> None:
    site = one(valid_network, "PLANT", field, value).site_by_id["PLANT"]
    assert getattr(site, attr) == expected
    assert type(getattr(site, attr)) is type(expected)


def test_days_of_cover_override_replaces_a_units_level(valid_network: Network) -> None:
    units = one(valid_network, "DC", "base_stock_units", 500)
    assert units.site_by_id["DC"].base_stock_units == 500
    back = apply_scenario(
        with_overrides(
            valid_network, ("s", "DC", "base_stock_units", 500), ("s", "DC", "safety_stock_days", 2)
        ),
        "s",
    )
    assert back.site_by_id["DC"].base_stock_units is None
    assert back.site_by_id["DC"].safety_stock_days == 2


def test_region_override_changes_every_stocking_site_in_the_region(valid_network: Network) -> None:
    out = one(valid_network, "region:EU", "safety_stock_days", 9)
    changed = {s.site_id for s in out.sites if s.safety_stock_days == 9}
    assert changed == {"SUP-B", "SUP-C", "PLANT", "DC"}  # not SUP-A (Asia), not CUST-1 (customer)
    assert out.site_by_id["CUST-1"] == valid_network.site_by_id["CUST-1"]


# --------------------------------------------------------------------------- customers


@pytest.mark.parametrize(
    ("field", "value", "attr", "expected"),
    [
        ("daily_demand", "poisson(55)", "daily_demand", Poisson(55)),
        ("daily_demand", 80, "daily_demand", Constant(80)),
        ("unit_price", "75", "unit_price", 75.0),
        ("service_time_days", 2, "service_time_days", 2),
    ],
)
def test_customer_demand_fields(
    valid_network: Network, field: str, value: object, attr: str, expected: object
) -> None:
    out = one(valid_network, "CUST-1", field, value)
    assert getattr(out.demand_by_id["CUST-1"], attr) == expected
    assert out.demand_by_id["CUST-2"] == valid_network.demand_by_id["CUST-2"]


def test_customer_site_fields_still_apply(valid_network: Network) -> None:
    out = one(valid_network, "CUST-2", "name", "Web shop")
    assert out.site_by_id["CUST-2"].name == "Web shop"


# --------------------------------------------------------------------------- lanes


@pytest.mark.parametrize(
    ("field", "value", "attr", "expected"),
    [
        ("lead_time_days", "normal(7, 2)", "lead_time", Normal(7, 2)),
        ("lead_time_days", 4, "lead_time", Constant(4)),
        ("quantity_per_unit", 3, "quantity_per_unit", 3.0),
        ("line_buffer_days", 1.5, "line_buffer_days", 1.5),
        ("line_buffer_units", 40, "line_buffer_units", 40.0),
    ],
)
def test_lane_fields(
    valid_network: Network, field: str, value: object, attr: str, expected: object
) -> None:
    out = one(valid_network, "lane:SUP-C->PLANT", field, value)
    lane = next(x for x in out.lanes if x.key == ("SUP-C", "PLANT"))
    assert getattr(lane, attr) == expected
    assert [x for x in out.lanes if x.key != ("SUP-C", "PLANT")] == [
        x for x in valid_network.lanes if x.key != ("SUP-C", "PLANT")
    ]


def test_lane_target_tolerates_spaces(valid_network: Network) -> None:
    out = one(valid_network, " lane: PLANT -> DC ", "lead_time_days", 3)
    assert next(x for x in out.lanes if x.key == ("PLANT", "DC")).lead_time == Constant(3)


def test_shares_moved_together_stay_valid(valid_network: Network) -> None:
    net = with_overrides(
        valid_network,
        ("s", "lane:SUP-A->PLANT", "share", 0.8),
        ("s", "lane:SUP-B->PLANT", "share", 0.2),
    )
    assert scenario_problems(net, "s") == []
    assert check_network(net) == []
    out = apply_scenario(net, "s")
    assert [x.share for x in out.lanes[:2]] == [0.8, 0.2]


def test_share_moved_alone_is_a_problem(valid_network: Network) -> None:
    net = with_overrides(valid_network, ("s", "lane:SUP-A->PLANT", "share", 0.8))
    problems = check_network(net)
    assert [(p.location, p.severity) for p in problems] == [("Scenarios!D2", "error")]
    assert "in scenario 's'" in problems[0].message
    assert "sum to 1.2, not 1" in problems[0].message
    with pytest.raises(ScenarioError, match=r"sum to 1\.2"):
        apply_scenario(net, "s")


# --------------------------------------------------------------------------- disruptions


@pytest.mark.parametrize(
    ("field", "value", "attr", "expected"),
    [
        ("probability_per_day", 0.01, "probability_per_day", 0.01),
        ("events_per_year", 73, "probability_per_day", 0.2),
        ("duration_days", "geometric(20)", "duration", "geometric(20)"),
        ("duration_days", 3, "duration", "3"),
        ("severity", 0.9, "severity", 0.9),
        ("start_day", 15, "start_day", 15),
    ],
)
def test_disruption_fields(
    valid_network: Network, field: str, value: object, attr: str, expected: object
) -> None:
    out = one(valid_network, "disruption:D-EU", field, value)
    d = next(x for x in out.disruptions if x.disruption_id == "D-EU")
    got = getattr(d, attr)
    assert (str(got) if attr == "duration" else got) == pytest.approx(expected)
    base = next(x for x in valid_network.disruptions if x.disruption_id == "D-EU")
    assert replace(d, **{attr: getattr(base, attr)}) == base


def test_scenario_disruptions_are_filtered(valid_network: Network) -> None:
    ids = lambda n: [d.disruption_id for d in n.disruptions]  # noqa: E731
    assert ids(valid_network) == ["D-SUPA", "D-EU", "D-STRIKE"]
    assert ids(apply_scenario(valid_network)) == ["D-SUPA", "D-EU"]
    assert ids(apply_scenario(valid_network, "baseline")) == ["D-SUPA", "D-EU"]
    assert ids(apply_scenario(valid_network, "strike")) == ["D-SUPA", "D-EU", "D-STRIKE"]
    other = replace(
        valid_network,
        disruptions=(*valid_network.disruptions,
                     replace(valid_network.disruptions[0], disruption_id="D-X", scenario="flood")),
    )  # fmt: skip
    assert other.scenario_names == ("baseline", "strike", "flood")
    assert ids(apply_scenario(other, "flood")) == ["D-SUPA", "D-EU", "D-X"]
    assert ids(apply_scenario(other, "strike")) == ["D-SUPA", "D-EU", "D-STRIKE"]


def test_override_of_another_scenarios_disruption_is_a_warning(valid_network: Network) -> None:
    net = with_overrides(valid_network, ("s", "disruption:D-STRIKE", "severity", 3))
    problems = check_network(net)
    assert [(p.location, p.severity) for p in problems] == [("Scenarios!B2", "warning")]
    assert "only in scenario 'strike'" in problems[0].message


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("days", 90, 90), ("trials", "500", 500), ("seed", 3, 3), ("unmet_demand", "Lost", "lost"),
     ("service_level", 0.99, 0.99), ("currency", "USD", "USD"), ("warmup_days", 0, 0)],
)  # fmt: skip
def test_settings_override(
    valid_network: Network, field: str, value: object, expected: object
) -> None:
    out = one(valid_network, "settings", field, value)
    assert getattr(out.settings, field) == expected
    assert replace(out.settings, **{field: getattr(valid_network.settings, field)}) == (
        valid_network.settings
    )


def test_target_and_field_names_ignore_case_like_headers(valid_network: Network) -> None:
    assert one(valid_network, "Settings", "Days", 30).settings.days == 30
    assert one(valid_network, "DC", "Safety_Stock_Days", 4).site_by_id["DC"].safety_stock_days == 4


# --------------------------------------------------------------------------- whole scenarios


def test_the_workbook_scenario(valid_network: Network) -> None:
    out = apply_scenario(valid_network, "strike")
    assert out.scenario == "strike"
    assert out.overrides == ()
    assert out.site_by_id["DC"].safety_stock_days == 10
    assert out.settings.days == 90
    assert out.sites[:4] == valid_network.sites[:4]
    assert check_network(out) == []


def test_overrides_apply_in_sheet_order_and_only_their_own(valid_network: Network) -> None:
    net = with_overrides(
        valid_network,
        ("s", "DC", "safety_stock_days", 4),
        ("t", "DC", "safety_stock_days", 8),
        ("s", "DC", "safety_stock_days", 6),
    )
    assert apply_scenario(net, "s").site_by_id["DC"].safety_stock_days == 6
    assert apply_scenario(net, "t").site_by_id["DC"].safety_stock_days == 8
    assert apply_scenario(net).site_by_id["DC"].safety_stock_days == 3
    assert apply_scenario(net, "s") == apply_scenario(net, "s")


def test_baseline_is_never_mutated(valid_path: Path) -> None:
    valid_network = load_network(valid_path)
    before = load_network(valid_path)  # an independent twin to compare with
    assert before == valid_network and before is not valid_network
    objects = [*valid_network.sites, *valid_network.lanes, *valid_network.demand,
               *valid_network.disruptions, valid_network.settings]  # fmt: skip
    snapshot = repr(valid_network)
    for name in valid_network.scenario_names:
        apply_scenario(valid_network, name)
    one(valid_network, "region:EU", "safety_stock_days", 9)
    one(valid_network, "CUST-1", "daily_demand", 5)
    one(valid_network, "lane:SUP-A->PLANT", "lead_time_days", 9)
    one(valid_network, "disruption:D-SUPA", "severity", 0.5)
    one(valid_network, "settings", "days", 10)
    assert valid_network == before
    assert repr(valid_network) == snapshot
    assert [*valid_network.sites, *valid_network.lanes, *valid_network.demand,
            *valid_network.disruptions, valid_network.settings] == objects  # fmt: skip
    assert all(a is b for a, b in zip(objects, [*valid_network.sites, *valid_network.lanes,
               *valid_network.demand, *valid_network.disruptions, valid_network.settings],
               strict=True))  # fmt: skip
    assert valid_network.scenario == "baseline"
    assert len(valid_network.overrides) == 2


def test_unknown_scenario(valid_network: Network) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_scenario(valid_network, "strik")
    assert "unknown scenario 'strik'" in str(info.value)
    assert "baseline, strike" in str(info.value)


def test_bad_override_raises_with_its_cell(valid_network: Network) -> None:
    net = with_overrides(
        valid_network, ("s", "DC", "safety_stock_days", "lots"), ("s", "DCX", "name", "x")
    )
    with pytest.raises(ScenarioError) as info:
        apply_scenario(net, "s")
    assert str(info.value) == (
        "Scenarios!D2: safety_stock_days: expected a number, got 'lots'; "
        "Scenarios!B3: unknown target 'DCX' (did you mean 'DC'?); use a site_id, region:<name>, "
        "lane:<from>-><to>, disruption:<id>, settings or scenario"
    )
    # the other scenario is unaffected
    assert apply_scenario(net, "baseline").scenario == "baseline"


def test_scenario_from_a_workbook(make_workbook: MakeWorkbook) -> None:
    rows: Rows = valid_rows()
    rows["Scenarios"] += [
        ["asia", "region:Asia", "safety_stock_days", 6],
        ["asia", "lane:SUP-A->PLANT", "lead_time_days", "gamma(8, 2)"],
        ["asia", "CUST-2", "daily_demand", "poisson(50)"],
        ["asia", "disruption:D-SUPA", "events_per_year", 6],
        ["asia", "settings", "trials", 50],
    ]
    path: Path = make_workbook(rows)
    report = validate_workbook(path)
    assert report.ok, [str(p) for p in report.problems]
    net = load_network(path)
    assert net.scenario_names == ("baseline", "strike", "asia")
    out = apply_scenario(net, "asia")
    assert out.site_by_id["SUP-A"].safety_stock_days == 6
    assert out.lanes[0].lead_time.mean == 8
    assert out.demand_by_id["CUST-2"].daily_demand == Poisson(50)
    assert out.disruptions[0].probability_per_day == pytest.approx(6 / 365)
    assert out.settings.trials == 50
    assert [d.disruption_id for d in out.disruptions] == ["D-SUPA", "D-EU"]


def test_applying_a_scenario_twice_changes_nothing(valid_network: Network) -> None:
    once = apply_scenario(valid_network, "strike")
    assert apply_scenario(once, "strike") == once
    assert apply_scenario(apply_scenario(valid_network), "baseline") == apply_scenario(
        valid_network
    )


def test_baseline_run_ignores_disruptions_of_named_scenarios(valid_network: Network) -> None:
    """A network with no Scenarios rows but a scenario-only disruption: the baseline
    simulation must not include it."""
    from jitrisk.engine import simulate

    net = replace(valid_network, overrides=())
    res = simulate(net, trials=2, days=10)
    assert all(d.scenario in ("", "baseline") for d in res.network.disruptions)
    assert any(d.scenario == "strike" for d in net.disruptions)


def test_a_scenario_may_carry_a_yearly_cost(make_workbook: MakeWorkbook) -> None:
    rows: Rows = valid_rows()
    rows["Scenarios"] += [
        ["dual-source", "SUP-A", "safety_stock_days", 4],
        ["dual-source", "scenario", "cost_per_year", 250000],
        ["priced-text", "scenario", "cost_per_year", "1,500"],
    ]
    path: Path = make_workbook(rows)
    report = validate_workbook(path)
    assert report.ok, [str(p) for p in report.problems]
    net = load_network(path)
    assert apply_scenario(net, "dual-source").cost_per_year == 250000
    assert apply_scenario(net, "priced-text").cost_per_year == 1500
    assert apply_scenario(net, "baseline").cost_per_year == 0.0
    assert apply_scenario(net, "strike").cost_per_year == 0.0


@pytest.mark.parametrize(
    ("field", "value", "column", "words"),
    [
        ("cost", 10, 3, "one field, cost_per_year"),
        ("cost_per_year", -5, 4, "amount >= 0"),
        ("cost_per_year", "a lot", 4, "amount >= 0"),
    ],
)
def test_a_bad_scenario_cost_is_a_problem_with_its_cell(
    make_workbook: MakeWorkbook, field: str, value: object, column: int, words: str
) -> None:
    rows: Rows = valid_rows()
    rows["Scenarios"] += [["priced", "scenario", field, value]]
    report = validate_workbook(make_workbook(rows))
    bad = [p for p in report.problems if p.sheet == "Scenarios"]
    assert bad and bad[0].row == 4 and bad[0].column == column and words in bad[0].message
