"""Synthetic delivery histories for the fit tests, drawn from known processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from jitrisk.model.distributions import Constant, Normal
from jitrisk.model.records import Demand, Disruption, Lane, Network, Settings, Site
from jitrisk.workbook.writer import write_network

START = dt.date(2021, 1, 4)


def network(suppliers: Sequence[tuple[str, str]]) -> Network:
    """Suppliers ``(site_id, name)`` -> PLANT -> DC -> customer MKT; the first supplier
    has a planned outage row on the Disruptions sheet."""
    sites = [Site(sid, "supplier", name=name, unit_value=1.0) for sid, name in suppliers]
    sites += [
        Site("PLANT", "plant", unit_value=10.0),
        Site("DC", "dc", unit_value=10.0),
        Site("MKT", "customer"),
    ]
    lanes = [Lane(sid, "PLANT", Constant(5.0), component=f"part-{sid}") for sid, _ in suppliers]
    lanes += [Lane("PLANT", "DC", Constant(2.0)), Lane("DC", "MKT", Constant(0.0), component="MKT")]
    first = suppliers[0][0]
    return Network(
        sites=tuple(sites),
        lanes=tuple(lanes),
        demand=(Demand("MKT", Normal(100.0, 20.0), unit_price=50.0),),
        disruptions=(Disruption("plan", first, "outage", 1 / 365, Constant(3.0)),),
        settings=Settings(days=120, trials=50),
    )


def write(path: Path, suppliers: Sequence[tuple[str, str]]) -> Path:
    write_network(network(suppliers), path)
    return path


def deliveries(
    rng: np.random.Generator,
    lead: np.ndarray,
    outages: Sequence[tuple[int, int]] = (),
    every: int = 1,
) -> list[tuple[dt.date, dt.date]]:
    """(ordered, delivered) of an order every ``every`` days with whole-day ``lead`` times;
    an order placed ``j`` days into an outage ``(start, days)`` waits ``days - j`` more
    (the engine's outage: nothing ships until it ends)."""
    out = []
    for i, lt in enumerate(lead):
        t = i * every
        arrive = t + int(lt)
        for s, d in outages:
            if s <= t < s + d:
                arrive = max(arrive, s + d + int(lt))
        out.append((START + dt.timedelta(days=t), START + dt.timedelta(days=arrive)))
    del rng
    return out


def csv_text(rows: Sequence[Sequence[object]], sep: str = ",") -> str:
    return "\n".join(sep.join(str(c) for c in r) for r in rows) + "\n"
