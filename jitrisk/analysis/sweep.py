"""Buffer curves: how stockout risk climbs as a JIT buffer thins (the "JIT cliff").

For each buffer level the network is simulated with the *same* random numbers
(common random numbers: the same seed, and the engine's draws do not depend on
stock levels), so the curve is smooth and the difference between adjacent
levels is estimated from paired per-trial differences, far more precisely than
two independent runs would allow.

Only the swept sites and what lies downstream of them are simulated again at
each level: orders pass straight upstream under base-stock control with
backorders, so everything else is pathwise the same at every level and is
replayed from the first level (:func:`jitrisk.engine.variants.simulate_variants`;
lost-sales runs, where that argument fails, simulate every level in full).

The **knee** is the buffer level with the largest distance below the chord
joining the curve's end points, after scaling both axes to [0, 1] (the
"Kneedle" rule of Satopää et al., 2011, for a decreasing convex curve): below
it, each day of buffer removed costs markedly more risk than above it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from ..engine import kernel as K
from ..engine.cluster import Cluster
from ..engine.results import Estimate, SimulationResult, mean_estimate, ratio_estimate
from ..engine.runner import Progress
from ..engine.variants import simulate_variants
from ..errors import JitriskError
from ..model.graph import build_graph
from ..model.records import Network
from ..model.scenarios import apply_scenario


def parse_levels(text: str) -> list[float]:
    """``"0:30:1"`` (start:stop:step, stop included) or ``"0,1,2,5"`` to a list of days."""
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) == 2:
                parts.append(1.0)
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step <= 0 or stop < start:
                raise ValueError
            n = math.floor((stop - start) / step + 1e-9) + 1
            levels = [round(start + i * step, 10) for i in range(n)]
        else:
            levels = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise JitriskError(
            f"buffer levels must look like 0:30:1 or 0,1,2,5; got {text!r}"
        ) from None
    if not levels or any(x < 0 or not math.isfinite(x) for x in levels):
        raise JitriskError(f"buffer levels must be non-negative numbers; got {text!r}")
    if len(levels) > 400:
        raise JitriskError(f"at most 400 buffer levels; got {len(levels)}")
    return sorted(set(levels))


def knee(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kneedle knee of a decreasing curve ``y(x)``; None when the curve is flat."""
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    if len(xa) < 3 or np.ptp(ya) <= 1e-12 or np.ptp(xa) <= 0:
        return None
    xs = (xa - xa.min()) / np.ptp(xa)
    ys = (ya - ya.min()) / np.ptp(ya)
    # decreasing convex curve: distance below the chord from (0, y0) to (1, y1)
    chord = ys[0] + (ys[-1] - ys[0]) * xs
    gap = chord - ys
    i = int(np.argmax(gap))
    return float(xa[i]) if gap[i] > 1e-9 else None


def paired_difference(a: NDArray[np.float64], b: NDArray[np.float64]) -> Estimate:
    """Mean of ``b - a`` over trials (common random numbers) with its 95% CI."""
    return mean_estimate(b - a)


@dataclass
class SweepLevel:
    """Results at one buffer level."""

    buffer_days: float
    site: dict[str, Estimate]
    customers: dict[str, dict[str, Estimate]]
    lost_revenue: Estimate
    per_trial: dict[str, NDArray[np.float64]] = field(repr=False, default_factory=dict)


@dataclass
class SweepResult:
    """A buffer curve for one site or a group of sites."""

    target: str
    sites: tuple[str, ...]
    current_buffer_days: float | None
    levels: list[SweepLevel]
    trials: int
    seed: int
    scenario: str

    @property
    def knee_buffer_days(self) -> float | None:
        return knee(
            [lv.buffer_days for lv in self.levels],
            [lv.site["stockout_day_probability"].mean for lv in self.levels],
        )

    def differences(self) -> list[dict[str, Any]]:
        """Change from each level to the next, with the CI of the paired difference."""
        out = []
        for a, b in zip(self.levels, self.levels[1:], strict=False):
            out.append(
                {
                    "from": a.buffer_days,
                    "to": b.buffer_days,
                    "stockout_day_probability": paired_difference(
                        a.per_trial["stockout_day_probability"],
                        b.per_trial["stockout_day_probability"],
                    ).as_dict(),
                    "lost_revenue": paired_difference(
                        a.per_trial["lost_revenue"], b.per_trial["lost_revenue"]
                    ).as_dict(),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``jitrisk sweep --json`` document (contract keys plus details)."""
        diffs = self.differences()
        levels = []
        for i, lv in enumerate(self.levels):
            d: dict[str, Any] = {"buffer_days": lv.buffer_days}
            d.update({k: v.as_dict() for k, v in lv.site.items()})
            d["lost_revenue"] = lv.lost_revenue.as_dict()
            d["customers"] = {
                c: {k: v.as_dict() for k, v in m.items()} for c, m in lv.customers.items()
            }
            if i > 0:
                d["difference_from_previous"] = {
                    k: v for k, v in diffs[i - 1].items() if k not in ("from", "to")
                }
            levels.append(d)
        return {
            "site": self.target,
            "sites": list(self.sites),
            "scenario": self.scenario,
            "trials": self.trials,
            "seed": self.seed,
            "current_buffer_days": self.current_buffer_days,
            "levels": levels,
            "knee_buffer_days": self.knee_buffer_days,
        }


def customers_served(net: Network, site_ids: Sequence[str]) -> list[str]:
    """Customers downstream of any of ``site_ids``."""
    g = build_graph(net)
    out: set[str] = set()
    for s in site_ids:
        out |= {n for n in nx.descendants(g, s) if g.nodes[n]["type"] == "customer"}
        if g.nodes[s]["type"] == "customer":
            out.add(s)
    return sorted(out)


def group_sites(net: Network, target: str) -> tuple[str, tuple[str, ...]]:
    """Resolve a sweep target: a site id, ``tier:<n>``, ``type:<t>``, ``region:<r>`` or
    ``network`` (every stocking site)."""
    if target in net.site_by_id:
        site = net.site_by_id[target]
        if not site.is_stocking:
            raise JitriskError(f"'{target}' is a customer; customers hold no buffer")
        return target, (target,)
    g = build_graph(net)
    stocking = [s.site_id for s in net.sites if s.is_stocking]
    if target == "network":
        members = stocking
    elif target.startswith("tier:"):
        try:
            tier = int(target[5:])
        except ValueError:
            raise JitriskError(f"tier must be a number, got {target!r}") from None
        members = [
            s
            for s in stocking
            if g.nodes[s]["type"] == "supplier" and g.nodes[s].get("tier") == tier
        ]
    elif target.startswith("type:"):
        members = [s for s in stocking if g.nodes[s]["type"] == target[5:]]
    elif target.startswith("region:"):
        members = [s for s in stocking if g.nodes[s]["region"] == target[7:]]
    else:
        from ..errors import suggest

        close = suggest(target, net.site_by_id)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise JitriskError(
            f"unknown site '{target}'{hint}; give a site id, tier:<n>, "
            "type:<supplier|plant|dc>, region:<name> or network"
        )
    if not members:
        raise JitriskError(f"no stocking site matches '{target}'")
    return target, tuple(members)


def sweep(
    net: Network,
    target: str,
    levels: Sequence[float],
    *,
    scenario: str | None = None,
    trials: int | None = None,
    days: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    replay: bool = True,
    cluster: Cluster | None = None,
) -> SweepResult:
    """Stockout risk against buffer days for a site (or a group set to the same level).

    Parameters
    ----------
    net : Network
    target : str
        Site id, ``tier:<n>``, ``type:<t>``, ``region:<r>`` or ``network``.
    levels : sequence of float
        Safety stock in days of cover to try (replaces units overrides).
    scenario, trials, days, seed, workers
        As for :func:`jitrisk.engine.simulate`; one seed for every level
        (common random numbers).
    progress, cancelled
        Progress over all levels; cancellation between chunks.
    replay : bool
        Re-simulate only the swept sites and what lies downstream (default);
        False simulates every level in full (same answer, for checking).
    cluster : Cluster, optional
        Run the chunks (each through every level) on a Dask cluster; same numbers.
    """
    base = apply_scenario(net, scenario or net.scenario)
    label, members = group_sites(base, target)
    seed = base.settings.seed if seed is None else seed
    trials = trials or base.settings.trials
    customers = customers_served(base, members)
    current = None
    if len(members) == 1:
        s = base.site_by_id[members[0]]
        current = None if s.base_stock_units is not None else s.safety_stock_days
    variants = [base.with_buffer_days(dict.fromkeys(members, level)) for level in levels]
    # only the members and what lies downstream are simulated again at each level
    results = simulate_variants(
        variants,
        list(members),
        trials=trials,
        days=days,
        seed=seed,
        workers=workers,
        progress=progress,
        cancelled=cancelled,
        replay=replay,
        cluster=cluster,
    )
    out = [
        _level(res, level, members, customers) for res, level in zip(results, levels, strict=True)
    ]
    return SweepResult(label, members, current, out, trials, seed, base.scenario)


def _level(
    res: SimulationResult, level: float, members: Sequence[str], customers: Sequence[str]
) -> SweepLevel:
    idx = [res.index(s) for s in members]
    days = res.days
    # a group's stockout day: any member short that day is not observable from totals,
    # so for groups the curve uses the mean over members of their stockout-day shares
    so = res.site_int[:, idx, K.I_STOCKOUT_DAYS].astype(np.float64).mean(axis=1) / days
    filled = res.site_out[:, idx, K.M_FILLED].sum(axis=1)
    demand = res.site_out[:, idx, K.M_DEMAND].sum(axis=1)
    lost = res.network_lost_revenue()
    site = {
        "stockout_day_probability": mean_estimate(so, (0.0, 1.0)),
        "fill_rate": ratio_estimate(filled, demand),
    }
    cust = {}
    for c in customers:
        st = res.site_stats(c)
        cust[c] = {
            "stockout_day_probability": st["stockout_day_probability"],
            "fill_rate": st["fill_rate"],
        }
    return SweepLevel(
        level,
        site,
        cust,
        mean_estimate(lost, (0.0, math.inf)),
        {"stockout_day_probability": so, "lost_revenue": lost},
    )
