"""Solving the GSM: the safety factor, the choice of method and the solution record.

See the package docstring (:mod:`jitrisk.analysis.gsm`) for the model and methods.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.stats import norm

from .branch import _solve_lagrangian
from .dp import (
    _solve_tree,
    is_forest,
)
from .milp import _solve_milp
from .problem import (
    EdgeLike,
    F,
    GSMSolution,
    GSMStage,
    I,
    StageResult,
    _build,
    _coef,
    _cost,
    _fixed_cost,
    _gap,
    _Problem,
    _tight,
)

METHODS = ("auto", "dp", "milp", "lagrangian")
DEFAULT_SERVICE_LEVEL = 0.95
DEFAULT_GAP = 1e-4
"""Relative gap at which a bounded method stops: 0.01 % of the safety stock's
holding cost, far below what the data can tell apart. A tighter one is proven
too, given time: 1e-6 on a generated 100-site network takes the branch and
bound about 20 s, against 0.3 s."""


# --------------------------------------------------------------------------- data


# --------------------------------------------------------------------------- problem


# --------------------------------------------------------------------------- tree DP


# --------------------------------------------------------------------------- MILP


# --------------------------------------------------------------------------- Lagrangian


# --------------------------------------------------------------------------- API


def _safety_factor(z: float | None, service_level: float | None) -> tuple[float, float]:
    if z is not None and service_level is not None:
        raise ValueError("give z or service_level, not both")
    if z is None:
        alpha = DEFAULT_SERVICE_LEVEL if service_level is None else float(service_level)
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"service_level must be in (0, 1), got {alpha!r}")
        return float(norm.ppf(alpha)), alpha
    if not math.isfinite(z) or z < 0:
        raise ValueError(f"z must be finite and >= 0, got {z!r}")
    return float(z), float(norm.cdf(z))


def solve_gsm(
    stages: Sequence[GSMStage],
    edges: Iterable[EdgeLike],
    *,
    z: float | None = None,
    service_level: float | None = None,
    method: str = "auto",
    time_limit: float = 50.0,
    gap_tolerance: float = DEFAULT_GAP,
) -> GSMSolution:
    r"""Optimal committed service times of the guaranteed-service model.

    Parameters
    ----------
    stages : sequence of GSMStage
    edges : iterable of GSMEdge or tuples ``(upstream, downstream[, units[, transit]])``
        Must form a directed acyclic graph.
    z : float, optional
        Safety factor. [:math:`z`]
    service_level : float, optional
        :math:`\alpha`, giving :math:`z = \Phi^{-1}(\alpha)`; default 0.95 when
        neither is given.
    method : {"auto", "dp", "lagrangian", "milp"}
        See the module docstring; ``"dp"`` needs a tree or forest (undirected).
    time_limit : float
        Seconds for the Lagrangian and MILP methods together (checked between
        iterations, so it can be exceeded by one iteration).
    gap_tolerance : float
        Relative gap (cost − bound) / cost at which the branch and bound and the
        MILP stop and the result counts as optimal; default :data:`DEFAULT_GAP`.

    Returns
    -------
    GSMSolution

    Raises
    ------
    ValueError
        Invalid data, a directed cycle, or ``"dp"`` on a graph with an
        undirected cycle.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    t0 = time.perf_counter()
    zz, alpha = _safety_factor(z, service_level)
    p = _build(stages, edges)
    zs = _stage_factors(stages, zz)
    a = _coef(p, zs)
    pairs = list(zip(p.up.tolist(), p.down.tolist(), strict=True))
    use = method
    if method == "auto":
        use = "dp" if is_forest(p.n, pairs) else "lagrangian"
    notes: list[str] = []
    if use == "dp":
        S, _si, _value = _solve_tree(p, a, range(len(pairs)))
        S, SI = _tight(p, S)
        ub = lb = _cost(p, a, S, SI)
        iterations = 1
    elif use == "milp":
        S, ub, lb, iterations, notes = _solve_milp(p, a, time_limit, gap_tolerance)
    else:
        # its branch and bound runs until the gap closes or the time is up: no time
        # is left for the MILP (which a caller may still ask for by name)
        S, ub, lb, iterations, notes = _solve_lagrangian(p, a, time_limit, gap_tolerance)
    S, SI = _tight(p, S)
    gap = 0.0 if use == "dp" else _gap(ub, lb)
    fixed = _fixed_cost(p, zs)
    return GSMSolution(
        stages=_results(p, stages, zs, S, SI),
        total_cost=_cost(p, a, S, SI) + fixed,
        lower_bound=lb + fixed,
        gap=gap,
        optimal=gap <= gap_tolerance,
        method=use,
        z=zz,
        service_level=alpha,
        solve_seconds=time.perf_counter() - t0,
        iterations=iterations,
        notes=tuple(notes),
    )


def _stage_factors(stages: Sequence[GSMStage], z: float) -> F:
    """:math:`z_j`: the stage's own :math:`\\Phi^{-1}(\\alpha_j)`, else ``z``."""
    out = np.full(len(stages), z)
    for j, st in enumerate(stages):
        if st.service_level is not None:
            out[j] = _safety_factor(None, st.service_level)[0]
    return out


def _results(p: _Problem, stages: Sequence[GSMStage], z: F, S: I, SI: I) -> dict[str, StageResult]:
    out: dict[str, StageResult] = {}
    for j, st in enumerate(stages):
        nlt = int(SI[j] + p.T[j] - S[j])
        units = float(z[j] * math.sqrt(p.sigma[j] ** 2 * nlt + (p.mu[j] * p.time_std[j]) ** 2))
        mu = float(p.mu[j])
        days = units / mu if mu > 0 else (0.0 if units == 0 else None)
        out[st.stage_id] = StageResult(
            stage_id=st.stage_id,
            committed_service_time=int(S[j]),
            inbound_service_time=int(SI[j]),
            processing_time=int(p.T[j]),
            net_lead_time=nlt,
            demand_mean=mu,
            demand_std=float(p.sigma[j]),
            safety_stock_units=units,
            cost=float(p.h[j]) * units,
            safety_stock_days=days,
            safety_stock_value=None if st.unit_value is None else units * st.unit_value,
            z=float(z[j]),
        )
    return out


# --------------------------------------------------------------------------- network adapter
