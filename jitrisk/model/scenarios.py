"""Named scenarios: the baseline plus checked, typed changes. A pure transformation.

A scenario is the baseline plus (a) the rows of the Scenarios sheet with its
name, applied in sheet order, and (b) the disruptions whose ``scenario`` is
blank or equal to its name. The input network is never changed.

Each Scenarios row is parsed and checked once, when the workbook is read
(:mod:`jitrisk.workbook.overrides`), into :class:`~jitrisk.model.records.Change`
records; applying a scenario here only sets those values, so the engine and
the analyses never need the workbook reader.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import ScenarioError
from .records import BASELINE, Change, Network


def apply_change(net: Network, change: Change) -> Network:
    """``net`` with one typed change made (the record it names must exist)."""
    values: dict[str, Any] = dict(change.values)
    if change.target == "settings":
        return net.with_settings(**values)
    if change.target == "scenario":
        return replace(net, **values)
    if change.target == "lane":
        lanes = tuple(replace(x, **values) if x.key == change.key else x for x in net.lanes)
        return replace(net, lanes=lanes)
    if change.target == "disruption":
        dis = tuple(
            replace(d, **values) if d.disruption_id == change.key else d for d in net.disruptions
        )
        return replace(net, disruptions=dis)
    if change.target == "demand":
        demand = tuple(replace(x, **values) if x.site_id == change.key else x for x in net.demand)
        return replace(net, demand=demand)
    return net.with_sites(replace(s, **values) if s.site_id == change.key else s for s in net.sites)


def apply_changes(net: Network, changes: tuple[Change, ...]) -> Network:
    for change in changes:
        net = apply_change(net, change)
    return net


def apply_scenario(network: Network, name: str = BASELINE) -> Network:
    """The network as scenario ``name`` sees it.

    Parameters
    ----------
    network : Network
        The baseline as loaded (not modified), its overrides checked (every
        network read by :func:`jitrisk.workbook.load_network` is).
    name : str
        ``"baseline"`` or a scenario listed in :attr:`Network.scenario_names`.

    Raises
    ------
    ScenarioError
        Unknown scenario, or overrides that were never checked (a network
        built by hand: pass it through
        :func:`jitrisk.workbook.overrides.check_and_apply`).
    """
    if name == network.scenario and not network.overrides:
        # already applied (or a plain baseline): applying again changes nothing
        active = tuple(d for d in network.disruptions if d.scenario in ("", name))
        return replace(network, disruptions=active)
    if name not in network.scenario_names:
        raise ScenarioError(
            f"unknown scenario '{name}'; choose one of {', '.join(network.scenario_names)}"
        )
    net = network
    if name != BASELINE:
        for o in network.overrides:
            if o.scenario != name:
                continue
            if o.changes is None:
                raise ScenarioError(
                    f"scenario '{name}': the override of {o.field} on {o.target} was not "
                    "checked; read the network with jitrisk.load_network or apply it "
                    "with jitrisk.apply_scenario"
                )
            net = apply_changes(net, o.changes)
    active = tuple(d for d in net.disruptions if d.scenario in ("", name))
    return replace(net, disruptions=active, overrides=(), scenario=name)
