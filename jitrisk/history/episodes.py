r"""Disruption episodes of a supplier, found in its delivery history.

The rule (docs/MODEL.md, "Disruptions from delivery history"):

1. The supplier's usual lead time is found by sigma clipping: median
   :math:`m` and standard deviation :math:`s` of the lead times :math:`L_i`
   (delivered - ordered, whole days), recomputed over those within
   :math:`K s` of :math:`m` until nothing changes. Unlike the median absolute
   deviation, this stays right for whole-day data with a spread of a day or
   two, and a few disrupted deliveries do not inflate it.
2. A delivery is *abnormally late* when :math:`L_i > m + \max(K s, E)` with
   :data:`K` = 3.5 and :data:`MIN_EXCESS` = 2 days. For normal lead times the
   chance that an undisrupted delivery is flagged is
   :math:`1 - \Phi(3.5) = 2.3 \times 10^{-4}` (at most; the 2-day floor only
   lowers it): :data:`FALSE_ALARM_RATE`.
   An order never delivered counts too, once it has waited longer than that
   by the last day of the history (a missing delivery).
3. Abnormal deliveries whose order dates lie within :data:`MERGE_DAYS` of each
   other (or of the episode's latest order) are one *episode*: an outage holds
   every order placed while it lasts.
4. An episode starts on its first order date :math:`t_0`. In the engine's
   outage model an order placed :math:`j` days into an outage of :math:`D`
   days waits :math:`D - j` days on top of its usual lead time, so each
   abnormal delivery estimates :math:`D` by :math:`L_i - m + (t_i - t_0)`;
   the duration is the median of these, rounded up (at least 1 day).
5. ``events_per_year`` = episodes / years of history (first to last order);
   ``duration_days`` = ``geometric(mean duration)``: the memoryless outage
   of a two-state Markov chain (the workbook's own convention), whose one
   parameter's maximum-likelihood estimate is the mean observed duration.

The lead-time fit leaves out the abnormal deliveries, so an outage is not
counted twice (once as a long lead time, once as a disruption).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

K = 3.5
MIN_EXCESS = 2.0
MERGE_DAYS = 14
FALSE_ALARM_RATE = float(stats.norm.sf(K))


@dataclass(frozen=True)
class Episode:
    """One disruption: first order date, days of extra delay, deliveries hit."""

    start: dt.date
    duration_days: int
    deliveries: int

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "duration_days": self.duration_days,
            "deliveries": self.deliveries,
        }


@dataclass(frozen=True)
class Episodes:
    """A supplier's episodes, the threshold used and which deliveries were abnormal."""

    episodes: tuple[Episode, ...]
    threshold_days: float
    median_days: float
    abnormal: np.ndarray  # bool per delivery, in the order given
    years: float

    @property
    def events_per_year(self) -> float:
        return len(self.episodes) / self.years if self.years > 0 else 0.0

    @property
    def mean_duration_days(self) -> float | None:
        if not self.episodes:
            return None
        return float(np.mean([e.duration_days for e in self.episodes]))

    @property
    def cell(self) -> str | None:
        """``duration_days`` in the workbook's syntax: ``geometric(mean)``."""
        mean = self.mean_duration_days
        return None if mean is None else f"geometric({max(mean, 1.0):.3g})"


def clipped(lead: np.ndarray, rounds: int = 50) -> tuple[float, float]:
    """Median and standard deviation after sigma clipping at :data:`K` (see step 1)."""
    core = lead
    for _ in range(rounds):
        med = float(np.median(core))
        s = float(np.std(core, ddof=1)) if len(core) > 1 else 0.0
        keep = lead[np.abs(lead - med) <= K * s] if s > 0 else core
        if len(keep) == len(core) or len(keep) < 2:
            break
        core = keep
    return float(np.median(core)), float(np.std(core, ddof=1)) if len(core) > 1 else 0.0


def find_episodes(
    ordered: Sequence[dt.date],
    lead_days: Sequence[int],
    merge_days: int = MERGE_DAYS,
    *,
    missing: Sequence[dt.date] = (),
    as_of: dt.date | None = None,
) -> Episodes:
    """Episodes of one supplier (see the module docstring).

    ``missing`` are the order dates of lines never delivered, ``as_of`` the last
    day the history covers: an order still missing ``as_of - ordered`` days
    later counts as an abnormally late delivery when that wait is beyond the
    threshold (a missing delivery is the plainest sign of an outage); it never
    enters the usual lead time, and ``abnormal`` covers the delivered lines only.
    """
    lead = np.asarray(lead_days, dtype=np.float64)
    if len(lead) == 0:
        return Episodes((), math.nan, math.nan, np.zeros(0, dtype=bool), 0.0)
    med, s = clipped(lead)
    threshold = med + max(K * s, MIN_EXCESS)
    abnormal = lead > threshold
    waits = [float((as_of - o).days) for o in missing] if as_of is not None else []
    dates = list(ordered) + [o for o, w in zip(missing, waits, strict=True) if w > threshold]
    times = np.concatenate([lead, [w for w in waits if w > threshold]])
    flagged = np.concatenate([abnormal, np.ones(len(dates) - len(lead), dtype=bool)])
    order = sorted(range(len(times)), key=lambda i: dates[i])
    episodes: list[Episode] = []
    current: list[int] = []

    def close() -> None:
        if current:
            start = min(dates[i] for i in current)
            last = max(dates[i] for i in current)
            window = [i for i in range(len(times)) if start <= dates[i] <= last]
            each = [times[i] - med + (dates[i] - start).days for i in window]
            duration = max(1, round(float(np.median(each))))
            episodes.append(Episode(start, duration, len(current)))

    for i in order:
        if not flagged[i]:
            continue
        if current and (dates[i] - max(dates[j] for j in current)).days > merge_days:
            close()
            current = []
        current.append(i)
    close()
    span = (max(dates) - min(dates)).days
    return Episodes(tuple(episodes), threshold, med, abnormal, max(span, 1) / 365.25)
