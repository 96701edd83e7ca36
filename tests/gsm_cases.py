"""Small GSM instances for tests: a brute-force optimum and a Hypothesis strategy."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from jitrisk.analysis.gsm import GSMEdge, GSMStage


def brute_force(stages: list[GSMStage], edges: list[GSMEdge], z: float) -> float:
    """Enumerate every integer S (0 .. a bound no optimum exceeds) with numpy; independent
    of the solver: SI_j = max(si_j, S_i + L_ij), NLT_j = SI_j + T_j - S_j >= 0, S_j <= s_j;
    cost h_j z sqrt(sigma_j^2 NLT_j + mu_j^2 time_std_j^2)."""
    ids = [s.stage_id for s in stages]
    pos = {k: i for i, k in enumerate(ids)}
    preds: dict[int, list[GSMEdge]] = {i: [] for i in range(len(ids))}
    succ: dict[int, list[GSMEdge]] = {i: [] for i in range(len(ids))}
    for e in edges:
        preds[pos[e.downstream]].append(e)
        succ[pos[e.upstream]].append(e)
    order: list[int] = []
    while len(order) < len(ids):
        order += [
            i
            for i in range(len(ids))
            if i not in order and all(pos[e.upstream] in order for e in preds[i])
        ]
    # demand through each stage: sum over paths of products of units (independent sources)
    m = np.eye(len(ids))
    for i in reversed(order):
        for e in succ[i]:
            m[i] += e.units * m[pos[e.downstream]]
    sd = np.array([s.demand_std for s in stages])
    sigma = np.sqrt(((m * sd) ** 2).sum(axis=1))
    mu = m @ np.array([s.demand_mean for s in stages])
    var_t = np.array([s.time_std for s in stages]) ** 2
    top = sum(s.processing_time + s.inbound_service_time for s in stages) + sum(
        e.transit for e in edges
    )
    ranges = [
        range(min(top, s.max_service_time if s.max_service_time is not None else top) + 1)
        for s in stages
    ]
    grid = np.array(list(itertools.product(*ranges)), dtype=np.int64).reshape(-1, len(ids))
    si = np.zeros_like(grid)
    for i in order:
        si[:, i] = stages[i].inbound_service_time
        for e in preds[i]:
            si[:, i] = np.maximum(si[:, i], grid[:, pos[e.upstream]] + e.transit)
    T = np.array([s.processing_time for s in stages])
    nlt = si + T - grid
    ok = (nlt >= 0).all(axis=1)
    h = np.array([s.holding_cost for s in stages])
    # demand over a random net lead time: sigma^2 tau + mu^2 sigma_T^2 (0 when time is fixed)
    cost = (h * z * np.sqrt(sigma**2 * np.maximum(nlt, 0) + mu**2 * var_t)).sum(axis=1)
    return float(cost[ok].min())


@st.composite
def gsm_instances(draw, tree: bool):
    n = draw(st.integers(1, 5))
    stages = [
        GSMStage(
            f"s{k}",
            processing_time=draw(st.integers(0, 2)),
            holding_cost=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5])),
            demand_std=draw(st.sampled_from([0.0, 1.0, 2.5])),
            max_service_time=draw(st.sampled_from([None, None, 0, 1, 3])),
            inbound_service_time=draw(st.integers(0, 1)),
            demand_mean=draw(st.sampled_from([0.0, 3.0, 10.0])),
            time_std=draw(st.sampled_from([0.0, 0.0, 0.5, 2.0])),
        )
        for k in range(n)
    ]
    # edges go from a lower to a higher index (acyclic); a tree draws one parent per stage
    edges: list[GSMEdge] = []
    for j in range(1, n):
        if tree:
            cands = [draw(st.integers(0, j - 1))] if draw(st.booleans()) or j == 1 else []
        else:
            cands = sorted(draw(st.sets(st.integers(0, j - 1), max_size=3)))
        for i in cands:
            a, b = (i, j) if draw(st.booleans()) else (j, i)
            a, b = min(a, b), max(a, b)  # keep acyclic: lower index upstream
            edges.append(
                GSMEdge(
                    f"s{a}",
                    f"s{b}",
                    draw(st.sampled_from([1.0, 2.0, 0.5])),
                    draw(st.integers(0, 1)),
                )
            )
    return stages, edges
