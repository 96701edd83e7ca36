"""What the Frontier view computes and says, without Qt.

:func:`compute_frontier` runs :func:`jitrisk.analysis.frontier.recommend` (with
the guaranteed-service plan beside it); :func:`headline` is the takeaway in
two or three sentences, generated from the numbers; :func:`site_rows` the
reconciled per-site table: current, recommended and guaranteed-service days,
and what the extra costs.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.analysis.frontier import Recommendation, recommend
from jitrisk.analysis.gsm import place_gsm
from jitrisk.engine.cluster import Cluster
from jitrisk.model.records import Network
from jitrisk.model.scenarios import apply_scenario
from jitrisk.report.takeaway import takeaway

from .formatting import format_duration

DEFAULT_TRIALS = 200
DEFAULT_CONFIRM = 2000


@dataclass(frozen=True)
class FrontierRequest:
    """What the view asks for; ``holding_rate`` None: each site's own rate."""

    trials: int
    confirm_trials: int
    holding_rate: float | None
    scenario: str

    def describe(self) -> str:
        return f"Frontier: {self.trials:,} search trials, confirmed on {self.confirm_trials:,}"


@dataclass(frozen=True)
class FrontierOutcome:
    request: FrontierRequest
    rec: Recommendation
    doc: dict[str, Any]
    names: dict[str, str]
    currency: str
    elapsed: float


@dataclass(frozen=True)
class FrontierRow:
    """One site of the reconciled table."""

    site_id: str
    name: str
    current_days: float
    recommended_days: float
    gsm_days: float | None
    extra_value: float
    extra_holding: float
    #: revenue at risk a year its days removed (search numbers, in the order taken)
    removes: float = 0.0


def compute_frontier(
    net: Network,
    request: FrontierRequest,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> FrontierOutcome:
    t0 = time.perf_counter()
    scen = apply_scenario(net, request.scenario)
    gsm = place_gsm(scen)
    gsm_days = {
        sid: float(r.safety_stock_days)
        for sid, r in gsm.stages.items()
        if r.safety_stock_days is not None
    }
    rec = recommend(
        net,
        scenario=request.scenario,
        trials=request.trials,
        confirm_trials=request.confirm_trials,
        holding_rate=request.holding_rate,
        gsm_days=gsm_days,
        progress=progress,
        cancelled=cancelled,
        cluster=cluster,
    )
    names = {s.site_id: s.name for s in net.sites if s.name and s.name != s.site_id}
    return FrontierOutcome(
        request, rec, rec.to_dict(), names, net.settings.currency, time.perf_counter() - t0
    )


def site_rows(outcome: FrontierOutcome) -> list[FrontierRow]:
    """Sites whose recommended cover differs from today's, the largest extra value first."""
    rows = [
        FrontierRow(
            sid,
            outcome.names.get(sid, ""),
            v["current_days"],
            v["recommended_days"],
            v["gsm_days"],
            v["extra_value"],
            v["extra_holding_cost_per_year"],
            v.get("removes_per_year", 0.0),
        )
        for sid, v in outcome.rec.sites.items()
        if v["recommended_days"] != v["current_days"]
    ]
    return sorted(rows, key=lambda r: -r.extra_value)


def headline(outcome: FrontierOutcome) -> str:
    """The takeaway (:func:`jitrisk.report.takeaway.takeaway`) as rich text, the
    action in bold."""
    sentences = [html.escape(t) for t in takeaway(outcome.rec, outcome.currency, outcome.names)]
    for i, t in enumerate(sentences):
        if t.startswith(("Hold ", "No extra")):
            head, sep, tail = t.partition(" at ") if t.startswith("Hold ") else t.partition(":")
            sentences[i] = f"<b>{head}</b>{sep}{tail}"
    return " ".join(sentences)


def run_info(outcome: FrontierOutcome) -> str:
    rec = outcome.rec
    rate = (
        "each site's holding rate"
        if outcome.request.holding_rate is None
        else f"holding rate {outcome.request.holding_rate:.0%}"
    )
    return (
        f"Scenario {rec.scenario} · {len(rec.steps)} steps searched on {rec.trials:,} trials "
        f"(seed {rec.seed}) · confirmed on {rec.confirm_trials:,} fresh trials "
        f"(seed {rec.fresh_seed}) · {rate} · computed in {format_duration(outcome.elapsed)}"
    )
