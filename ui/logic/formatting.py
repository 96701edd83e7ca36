"""Number formats the planner reads: percentages, money and counts with their 95% CIs.

Qt-free, so tables, cards, charts and later the exported reports agree on one
spelling. Every function accepts NaN and returns ``"–"`` for it.

>>> format_percent_ci(0.0231, 0.0210, 0.0252)
'2.31% [2.10, 2.52]'
>>> format_money(523184.05, "EUR")
'EUR 523.2k'
>>> format_money_ci(523184.05, 510494.5, 535873.6)
'523.2k [510.5k, 535.9k]'
>>> format_eta(75)
'about 1 min 15 s left'
"""

from __future__ import annotations

import math

MISSING = "–"


def _finite(*values: float) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def format_percent(value: float, decimals: int = 2) -> str:
    """``0.0231`` → ``'2.31%'``."""
    if not _finite(value):
        return MISSING
    return f"{value * 100:.{decimals}f}%"


def format_percent_ci(mean: float, lo: float, hi: float, decimals: int = 2) -> str:
    """A probability with its 95% CI in percentage points: ``'2.31% [2.10, 2.52]'``."""
    if not _finite(mean):
        return MISSING
    head = format_percent(mean, decimals)
    if not _finite(lo, hi):
        return head
    return f"{head} [{lo * 100:.{decimals}f}, {hi * 100:.{decimals}f}]"


def format_compact(value: float, decimals: int = 1) -> str:
    """Short form without thousands separators: ``1234`` → ``'1.2k'``, ``3.4e6`` → ``'3.4M'``.

    Short forms keep a CI such as ``[510.5k, 535.9k]`` readable, where
    ``[510,495, 535,874]`` would not be.
    """
    if not _finite(value):
        return MISSING
    size = abs(value)
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.{decimals}f}{suffix}"
    if size >= 100 or value == 0:
        return f"{value:.0f}"
    return f"{value:.{decimals}f}" if size >= 1 else f"{value:.2f}"


def format_money(value: float, currency: str = "") -> str:
    """``523184`` → ``'EUR 523.2k'`` (the currency label first when given)."""
    if not _finite(value):
        return MISSING
    text = format_compact(value)
    return f"{currency} {text}" if currency else text


def format_money_ci(mean: float, lo: float, hi: float) -> str:
    """Money with its CI, no currency: ``'523.2k [510.5k, 535.9k]'``."""
    if not _finite(mean):
        return MISSING
    if not _finite(lo, hi):
        return format_compact(mean)
    return f"{format_compact(mean)} [{format_compact(lo)}, {format_compact(hi)}]"


def format_number_ci(mean: float, lo: float, hi: float, decimals: int = 1) -> str:
    """A plain quantity with its CI: ``'12.3 [11.0, 13.6]'``."""
    if not _finite(mean):
        return MISSING
    if not _finite(lo, hi):
        return f"{mean:,.{decimals}f}"
    return f"{mean:,.{decimals}f} [{lo:,.{decimals}f}, {hi:,.{decimals}f}]"


def format_count(value: float) -> str:
    """``12000`` → ``'12,000'``."""
    if not _finite(value):
        return MISSING
    return f"{value:,.0f}"


def format_days(value: float) -> str:
    """``1`` → ``'1 day'``, ``2.5`` → ``'2.5 days'``, ``0`` → ``'0 days'``."""
    return f"{value:g} day" if value == 1 else f"{value:g} days"


def format_duration(seconds: float) -> str:
    """``75`` → ``'1 min 15 s'``; under 10 s with one decimal."""
    if not _finite(seconds):
        return MISSING
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(float(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def format_eta(seconds: float) -> str:
    """Time left for the progress bar: ``'about 12 s left'`` or ``'estimating time left…'``."""
    if not _finite(seconds):
        return "estimating time left…"
    if seconds < 1:
        return "almost done"
    whole = max(1, round(seconds))
    if whole < 60:
        return f"about {whole} s left"
    return f"about {format_duration(whole)} left"
