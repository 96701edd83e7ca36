"""What the Risk view computes and says, without Qt.

For every stocking site and region (Simchi-Levi et al.; docs/ANALYSIS.md):
TTR, TTS by simulation (with CI) and by linear programme, the performance
impact of a TTR-long outage both ways, the risk exposure index, and whether the
network runs dry before the site is back. :func:`compute_risk` is the work (a
progress callback and a cancellation check); :func:`headline` and
:func:`run_info` are the sentences above the chart.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jitrisk.analysis.risk import RiskReport, SiteRisk, risk_report
from jitrisk.engine.cluster import Cluster
from jitrisk.model.records import Network

from .formatting import format_days, format_duration, format_money
from .messages import plural

DEFAULT_RISK_TRIALS = 100


MAX_HORIZON = 180


@dataclass(frozen=True)
class RiskRequest:
    """What the Risk view asks for."""

    trials: int
    days: int
    default_ttr: float
    regions: bool
    scenario: str

    def describe(self) -> str:
        return f"Time to survive and recover: {self.trials:,} trials per site, {self.days} days"


@dataclass(frozen=True)
class RiskRow:
    """One row of the ranking: a site or a region."""

    target: str
    kind: str  # "site" or "region"
    name: str
    ttr: float
    ttr_source: str
    tts: tuple[float, float, float]
    censored: float
    tts_lp: float
    impact: tuple[float, float, float]
    impact_lp: float
    rei: float
    exposed: bool
    gap_days: float
    advice: str
    rank: int


@dataclass(frozen=True)
class RiskOutcome:
    """A finished risk analysis, ready to show."""

    request: RiskRequest
    report: RiskReport
    doc: dict[str, Any]
    sites: list[RiskRow]
    regions: list[RiskRow]
    elapsed: float
    currency: str = ""


def risk_rows(net: Network, risks: list[SiteRisk]) -> list[RiskRow]:
    """Table rows of sites or regions, in the report's order (highest REI first)."""
    out = []
    for i, r in enumerate(risks):
        if r.kind == "site":
            site = net.site_by_id.get(r.target)
            name = site.name if site is not None and site.name != r.target else ""
        else:
            n = sum(1 for s in net.sites if s.region == r.target and s.is_stocking)
            name = plural(n, "stocking site")
        out.append(
            RiskRow(
                r.target,
                r.kind,
                name,
                r.ttr_days,
                r.ttr_source,
                (r.tts.mean, r.tts.lo, r.tts.hi),
                r.tts_censored_share,
                r.tts_lp_days,
                (r.performance_impact.mean, r.performance_impact.lo, r.performance_impact.hi),
                r.performance_impact_lp,
                r.risk_exposure_index,
                r.exposed,
                r.gap_days,
                r.advice(),
                i + 1,
            )
        )
    return out


def compute_risk(
    net: Network,
    request: RiskRequest,
    progress: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    cluster: Cluster | None = None,
) -> RiskOutcome:
    """Run :func:`jitrisk.analysis.risk.risk_report` for ``request``. Qt-free.

    ``progress`` first gets a stage (a string) for the undisrupted run, then a
    :class:`~jitrisk.engine.Progress` counting sites and regions done.
    """
    t0 = time.perf_counter()
    if progress is not None:
        progress("Simulating the undisrupted network…")
    report = risk_report(
        net,
        scenario=request.scenario,
        trials=request.trials,
        days=request.days,
        default_ttr=request.default_ttr,
        regions=request.regions,
        progress=progress,
        cancelled=cancelled,
        cluster=cluster,
    )
    return RiskOutcome(
        request,
        report,
        report.to_dict(),
        risk_rows(net, report.sites),
        risk_rows(net, report.regions),
        time.perf_counter() - t0,
        net.settings.currency,
    )


def headline(outcome: RiskOutcome) -> str:
    """What the ranking says, in a sentence or two (rich text)."""
    sites = outcome.sites
    exposed = [r for r in sites if r.exposed]
    parts = []
    if exposed:
        parts.append(
            f"<b>{len(exposed)} of {len(sites)} sites are exposed</b>: the network runs dry "
            "before they are back (TTS &lt; TTR)."
        )
    else:
        parts.append(f"<b>None of the {len(sites)} sites is exposed</b>: TTS ≥ TTR everywhere.")
    if sites and sites[0].rei > 0:
        top = sites[0]
        parts.append(
            f"Largest impact: <b>{top.target}</b>"
            f"{' · ' + top.name if top.name else ''}, "
            f"{format_money(top.impact[0], outcome.currency)} lost when down for "
            f"{format_days(top.ttr)}."
        )
    if outcome.regions:
        n = sum(1 for r in outcome.regions if r.exposed)
        parts.append(f"Regions: {n} of {len(outcome.regions)} exposed.")
    return " ".join(parts)


def run_info(outcome: RiskOutcome) -> str:
    """The settings the ranking was computed with, on one line."""
    req, rep = outcome.request, outcome.report
    return (
        f"Scenario {rep.scenario} · {req.trials:,} trials per site · {rep.days} days · "
        f"seed {rep.seed} · default TTR {format_days(req.default_ttr)} · "
        f"computed in {format_duration(outcome.elapsed)}"
    )


def exposed_text(row: RiskRow) -> str:
    """The Exposed cell: how many days short, or how many to spare (TTS - TTR), so a
    high-impact site that is not exposed says why."""
    if row.exposed:
        return f"Yes, {row.gap_days:g} d short"
    spare = row.tts[0] - row.ttr
    if not math.isfinite(spare):
        return "No, outlasts the horizon"
    return f"No, {spare:.0f} d to spare"
