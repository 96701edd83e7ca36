"""Small networks for engine tests, built directly as model objects."""

from __future__ import annotations

from jitrisk.model.distributions import Constant, Distribution
from jitrisk.model.records import Demand, Disruption, Lane, Network, Settings, Site

AMPLE = 1e12


def single_site(
    demand: Distribution,
    base_stock: float,
    lead_time: Distribution,
    *,
    disruptions: tuple[Disruption, ...] = (),
    trials: int = 2000,
    days: int = 365,
    warmup: int = 40,
    seed: int = 7,
    unmet: str = "backorder",
    price: float = 10.0,
) -> Network:
    """Customer C <- site X (base stock S) <- ample, reliable supplier SUP.

    SUP holds an effectively infinite stock, so X sees the textbook
    single-stage base-stock system (DOMAIN.md "Check").
    """
    return Network(
        sites=(
            Site("SUP", "supplier", base_stock_units=AMPLE),
            Site("X", "dc", base_stock_units=base_stock, unit_value=1.0),
            Site("C", "customer"),
        ),
        lanes=(Lane("SUP", "X", lead_time), Lane("X", "C", Constant(0.0), component="C")),
        demand=(Demand("C", demand, unit_price=price),),
        disruptions=disruptions,
        settings=Settings(
            days=days, trials=trials, seed=seed, warmup_days=warmup, unmet_demand=unmet
        ),
    )


def serial_chain(
    n_stages: int,
    demand: Distribution,
    buffers: list[float],
    lead_times: list[float],
    *,
    disruptions: tuple[Disruption, ...] = (),
    processing: int = 0,
    capacity: float | None = None,
    trials: int = 50,
    days: int = 120,
    seed: int = 1,
) -> Network:
    """RAW (supplier) -> [PLANT] -> DC1 -> ... -> customer C, with given buffer days."""
    sites = [
        Site(
            "RAW",
            "supplier",
            safety_stock_days=buffers[0],
            processing_days=processing,
            capacity_per_day=capacity,
            unit_value=1.0,
        )
    ]
    lanes = []
    prev = "RAW"
    for i in range(1, n_stages):
        sid = f"S{i}"
        sites.append(Site(sid, "dc", safety_stock_days=buffers[i], unit_value=1.0 + i))
        lanes.append(Lane(prev, sid, Constant(lead_times[i - 1])))
        prev = sid
    sites.append(Site("C", "customer"))
    lanes.append(Lane(prev, "C", Constant(0.0), component="C"))
    return Network(
        sites=tuple(sites),
        lanes=tuple(lanes),
        demand=(Demand("C", demand, unit_price=5.0),),
        disruptions=disruptions,
        settings=Settings(days=days, trials=trials, seed=seed, warmup_days=20),
    )


def assembly(
    trials: int = 200, days: int = 200, seed: int = 3, disruptions: tuple[Disruption, ...] = ()
) -> Network:
    """Two components (one dual-sourced) -> plant -> DC -> two customers."""
    from jitrisk.model.distributions import Normal, Poisson, Uniform

    return Network(
        sites=(
            Site("A1", "supplier", safety_stock_days=2, processing_days=1, region="EU"),
            Site("A2", "supplier", safety_stock_days=2, processing_days=0, region="ASIA"),
            Site("B", "supplier", safety_stock_days=1, capacity_per_day=400, region="EU"),
            Site(
                "P",
                "plant",
                safety_stock_days=1,
                processing_days=2,
                capacity_per_day=250,
                unit_value=40,
                region="EU",
            ),
            Site("DC", "dc", safety_stock_days=2, unit_value=45, region="EU"),
            Site("C1", "customer", region="EU"),
            Site("C2", "customer", region="US"),
        ),
        lanes=(
            Lane("A1", "P", Normal(4, 1), 1.0, 0.7, "chip", line_buffer_days=1),
            Lane("A2", "P", Uniform(2, 6), 1.0, 0.3, "chip", line_buffer_days=1),
            Lane("B", "P", Constant(2), 2.0, 1.0, "frame"),
            Lane("P", "DC", Constant(1)),
            Lane("DC", "C1", Constant(0), component="C1"),
            Lane("DC", "C2", Poisson(1.5), component="C2"),
        ),
        demand=(Demand("C1", Normal(100, 15), 50.0), Demand("C2", Poisson(40), 60.0)),
        disruptions=disruptions,
        settings=Settings(days=days, trials=trials, seed=seed, warmup_days=30),
    )
