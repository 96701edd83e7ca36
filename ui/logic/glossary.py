"""The words of the app's numbers, each with a one-line meaning (Help > Glossary).

Qt-free, so the list is tested without a display. The abbreviations that the
views print in headers and captions (REI, TTS, TTR, GSM, VaR95, pp, CI) each
have an entry: :data:`ABBREVIATIONS` names them, and a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Term:
    """A word or abbreviation and what it means, for a planner."""

    term: str
    meaning: str
    section: str


GLOSSARY: tuple[Term, ...] = (
    Term("Stockout-day probability", "Share of days a site ends with demand it could not "
         "fill that day.", "Risk"),
    Term("Any customer stockout", "Chance that at least one customer runs short at least "
         "once during the horizon.", "Risk"),
    Term("Fill rate", "Share of demand shipped on the day it was asked for.", "Risk"),
    Term("Revenue at risk", "Mean over the trials of the revenue of demand not shipped on "
         "the day it was asked for. With backorders (Settings unmet_demand) it is delivered "
         "late: 'revenue at risk (delivered late)'; with lost sales it is 'lost revenue'.",
         "Money"),
    Term("VaR95", "Value at risk: the revenue at risk exceeded in only 1 trial in 20.", "Money"),
    Term("CVaR95", "Conditional value at risk: the mean revenue at risk of the worst 5% of "
         "trials.", "Money"),
    Term("95% CI", "95% confidence interval: the range that holds the true value 19 times "
         "in 20, given the trials run. More trials narrow it.", "Statistics"),
    Term("pp", "Percentage points: the difference of two percentages (5% to 7% is +2 pp).",
         "Statistics"),
    Term("Paired difference", "A change measured on the same random demand and disruptions "
         "in both runs (same seed, trials and days): far narrower CIs than comparing "
         "independent runs.", "Statistics"),
    Term("Trials", "Simulated futures of the horizon, each with its own random demand, "
         "lead times and disruptions.", "Statistics"),
    Term("Seed", "The number the random draws start from: the same seed gives the same "
         "numbers, whoever runs it and however the work is split.", "Statistics"),
    Term("Knee", "The buffer below which each day of cover removed costs markedly more "
         "risk: the edge of the JIT cliff.", "Buffers"),
    Term("Days of cover", "Safety stock measured in days of the site's mean demand.",
         "Buffers"),
    Term("TTR", "Time to recover: days a site needs to come back after an outage.",
         "Time to survive"),
    Term("TTS", "Time to survive: days until the first customer runs short when a site is "
         "down from day 0 (by simulation, with its CI).", "Time to survive"),
    Term("TTS LP", "Time to survive by linear programme: an optimistic bound that reroutes "
         "freely and pools all stock.", "Time to survive"),
    Term("Exposed", "TTS < TTR: the network runs dry before the site is back.",
         "Time to survive"),
    Term("Impact", "Performance impact: the extra lost revenue when a site is down for its "
         "TTR (Impact LP: the linear programme's least).", "Time to survive"),
    Term("REI", "Risk exposure index: a site's impact over the largest impact; 1 is the "
         "site whose outage costs most.", "Time to survive"),
    Term("GSM", "Guaranteed-service model (Graves & Willems 2000): where safety stock "
         "protects against demand variability at a service level, with no disruptions.",
         "Safety stock"),
    Term("Service level", "The chance a stage's stock covers demand over its net lead time "
         "(the GSM's z = its normal quantile).", "Safety stock"),
    Term("Review period", "Days the GSM adds to every stage time: 1 for the daily review "
         "the simulation uses, 0 for the continuous review of the textbooks.",
         "Safety stock"),
    Term("Net lead time", "The time a stage's stock must cover: inbound service time plus "
         "its stage time minus the service time it quotes.", "Safety stock"),
    Term("Disruption-aware plan", "Extra safety stock placed by simulation where it cuts "
         "the expected lost revenue most under the workbook's disruptions.", "Safety stock"),
    Term("Extra budget", "Inventory value the disruption-aware plan may add on top of the "
         "safety stock held now.", "Safety stock"),
)  # fmt: skip

#: Abbreviations the views print: each must have a glossary entry.
ABBREVIATIONS = ("REI", "TTS", "TTR", "TTS LP", "GSM", "VaR95", "CVaR95", "pp", "95% CI")


def meaning(term: str) -> str:
    """The one-line meaning of ``term`` (case-insensitive); "" when it has none."""
    key = term.casefold()
    return next((t.meaning for t in GLOSSARY if t.term.casefold() == key), "")


def glossary_html() -> str:
    """The glossary as one table, by section, for a text browser."""
    rows: list[str] = []
    section = ""
    for t in GLOSSARY:
        if t.section != section:
            section = t.section
            rows.append(
                "<tr><td colspan='2' style='padding:12px 0 4px 0; font-size:large'>"
                f"<b>{escape(section)}</b></td></tr>"
            )
        rows.append(
            f"<tr><td style='padding:3px 18px 3px 0; white-space:nowrap'><b>{escape(t.term)}</b>"
            f"</td><td style='padding:3px 0'>{escape(t.meaning)}</td></tr>"
        )
    return "<table cellspacing='0'>" + "".join(rows) + "</table>"
