"""Writing a :class:`~jitrisk.model.Network` to a v1 workbook.

The layout is the template's (:func:`jitrisk.workbook.template.new_workbook`): formatted
headers with notes, drop-downs, every setting, and the Guide sheet. Reading the
file back with :func:`jitrisk.workbook.load_network` gives an equal network:

* numbers are written as numbers, text always as text (a name such as ``=A1``
  or ``-x`` never becomes a formula). openpyxl stores numbers with 16
  significant digits (``"%.16g"``; Excel shows 15), so a float needing all 17
  digits comes back one unit in the last place off; every number with at most
  16 significant digits comes back exactly;
* distributions are written as their canonical text ``str(dist)``, or with
  every digit when the canonical text would round a parameter;
* a value equal to what a blank cell means is still written, except the stock
  columns of customers (which the loader warns about) and absent optional values;
* disruption probabilities are written as ``events_per_year`` when that number
  reproduces the probability exactly, else as ``probability_per_day``;
* lane components are written unless they equal the loader's default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import JitriskError
from ..model.distributions import Constant, Distribution, DistributionError, parse_distribution
from ..model.records import Demand, Disruption, Lane, Network, Override, Site
from .fileio import atomic_write
from .format import DEMAND, DISRUPTIONS, LANES, SCENARIOS, SITES, Sheet
from .template import new_workbook, put_value

Row = Mapping[str, object]


def write_network(network: Network, path: str | os.PathLike[str]) -> Path:
    """Write ``network`` to ``path`` as a v1 workbook (atomically).

    Parameters
    ----------
    network : Network
        Sites, lanes, demand, disruptions, scenario overrides and settings.
    path : str or os.PathLike
        Target ``.xlsx`` file; replaced if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    jitrisk.errors.JitriskError
        A text value cannot be stored in Excel, or the file cannot be written.
    """
    wb = network_workbook(network)
    return atomic_write(path, wb.save)


def network_workbook(network: Network) -> Workbook:
    """``network`` as an in-memory v1 workbook, in the template's layout.

    For callers that add to the workbook (notes, extra sheets) before saving it
    with :func:`jitrisk.workbook.fileio.atomic_write`.

    Raises
    ------
    jitrisk.errors.JitriskError
        A text value contains characters Excel cannot store.
    """
    wb = new_workbook(asdict(network.settings))
    _fill(wb[SITES.name], SITES, (site_row(s) for s in network.sites))
    _fill(wb[LANES.name], LANES, (lane_row(x, network) for x in network.lanes))
    _fill(wb[DEMAND.name], DEMAND, (demand_row(d) for d in network.demand))
    _fill(wb[DISRUPTIONS.name], DISRUPTIONS, (disruption_row(d) for d in network.disruptions))
    _fill(wb[SCENARIOS.name], SCENARIOS, (override_row(o) for o in network.overrides))
    return wb


# --------------------------------------------------------------------------- rows


def site_row(site: Site) -> dict[str, object]:
    """Cells of one Sites row by column name (None = blank)."""
    row: dict[str, object] = {
        "site_id": site.site_id,
        "type": site.type,
        "name": site.name or None,
        "region": site.region or None,
        "safety_stock_days": site.safety_stock_days,
        "base_stock_units": site.base_stock_units,
        "processing_days": site.processing_days,
        "capacity_per_day": site.capacity_per_day,
        "unit_value": site.unit_value,
        "holding_cost_rate": site.holding_cost_rate,
        "ttr_days": site.ttr_days,
        "max_service_time_days": site.max_service_time_days,
    }
    if site.type == "customer":
        if site.safety_stock_days == 0.0:
            row["safety_stock_days"] = None
        if site.processing_days == 0:
            row["processing_days"] = None
    return row


def lane_row(lane: Lane, network: Network | None = None) -> dict[str, object]:
    """Cells of one Lanes row; ``component`` is left blank when it is the default."""
    return {
        "from": lane.source,
        "to": lane.target,
        "lead_time_days": dist_cell(lane.lead_time),
        "quantity_per_unit": lane.quantity_per_unit,
        "share": lane.share,
        "component": None
        if lane.component == _default_component(lane, network)
        else (lane.component or None),
        "line_buffer_days": lane.line_buffer_days,
        "line_buffer_units": lane.line_buffer_units,
    }


def _default_component(lane: Lane, network: Network | None) -> str:
    """What the loader makes of a blank component cell."""
    if network is not None:
        target = network.site_by_id.get(lane.target)
        if target is not None and not target.is_producing:
            return lane.target
    return lane.source


def demand_row(demand: Demand) -> dict[str, object]:
    """Cells of one Demand row."""
    return {
        "site_id": demand.site_id,
        "daily_demand": dist_cell(demand.daily_demand),
        "unit_price": demand.unit_price,
        "service_time_days": demand.service_time_days,
        "service_level": demand.service_level,
    }


def disruption_row(d: Disruption) -> dict[str, object]:
    """Cells of one Disruptions row (the id always written, so scenarios can target it)."""
    row: dict[str, object] = {
        "scope": d.scope,
        "kind": d.kind,
        "duration_days": dist_cell(d.duration),
        "severity": d.severity,
        "start_day": d.start_day,
        "scenario": d.scenario or None,
        "disruption_id": d.disruption_id,
    }
    if not d.scripted:
        per_year = events_per_year(d.probability_per_day)
        if per_year is None:
            row["probability_per_day"] = d.probability_per_day
        else:
            row["events_per_year"] = per_year
    return row


def events_per_year(probability_per_day: float) -> float | None:
    """``p * 365`` as a short number when the loader's ``n / 365`` gives back ``p`` exactly."""
    for digits in range(0, 10):
        n = round(probability_per_day * 365.0, digits)
        if n / 365.0 == probability_per_day:
            return float(n)
    return None


def override_row(o: Override) -> dict[str, object]:
    """Cells of one Scenarios row; a distribution value is written as its text."""
    value = o.value
    if isinstance(value, Distribution):
        value = dist_cell(value)
    return {"scenario": o.scenario, "target": o.target, "field": o.field, "value": value}


def dist_cell(dist: Distribution) -> float | str:
    """A constant as a number, other distributions as text that parses back to ``dist``."""
    if isinstance(dist, Constant):
        return dist.value
    text = str(dist)
    try:
        if parse_distribution(text) == dist:
            return text
    except DistributionError:
        pass
    return f"{dist.name}({', '.join(repr(float(p)) for p in dist.params)})"


# --------------------------------------------------------------------------- cells


def _fill(ws: Worksheet, sheet: Sheet, rows: Iterable[Row]) -> None:
    names = [c.name for c in sheet.columns]
    for i, row in enumerate(rows, start=2):
        _check_columns(sheet, row, names)
        for j, name in enumerate(names, start=1):
            value = row.get(name)
            if value is None:
                continue
            _check_text(value, sheet.name, i, j)
            put_value(ws.cell(row=i, column=j), value)


def _check_columns(sheet: Sheet, row: Row, names: Sequence[str]) -> None:
    unknown = set(row) - set(names)
    if unknown:
        raise AssertionError(f"{sheet.name}: no column(s) {sorted(unknown)}")


def _check_text(value: object, sheet: str, row: int, col: int) -> None:
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        from openpyxl.utils import get_column_letter

        raise JitriskError(
            f"{sheet}!{get_column_letter(col)}{row}: {value[:40]!r} contains control "
            "characters that Excel cannot store"
        )
