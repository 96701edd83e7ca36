"""The day-by-day story of a disruption as a fan chart (:mod:`jitrisk.analysis.story`).

Three panels over the same days, the outage shaded in each:

1. days of cover on hand at each watched site (median line, 5–95 % band);
2. the customers' period fill rate, the share of each day's demand filled that day;
3. what customers are owed at the end of each day, in units.

Markers say when customers first go short (median over the trials that do)
and when they are back to normal; the legend under the chart names the sites.
"""

from __future__ import annotations

from typing import Any, Unpack

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .. import style
from .common import (
    Doc,
    Frame,
    _done,
    _fit,
    _fs,
    _label,
    _style_axes,
    empty_figure,
    frame_canvas,
)

BAND_ALPHA = 0.18
#: Line styles repeat the colours, so meaning never rests on colour alone.
LINE_STYLES = ("-", "--", "-.", ":")


def _fan(ax: Any, days: np.ndarray, fan: Doc, colour: str, style_: str, label: str) -> Any:
    ax.fill_between(days, fan["p05"], fan["p95"], color=colour, alpha=BAND_ALPHA, lw=0)
    (line,) = ax.plot(days, fan["median"], color=colour, ls=style_, lw=2.0, label=label)
    return line


def _outage(ax: Any, doc: Doc) -> None:
    start = float(doc["start_day"])
    ax.axvspan(start - 0.5, start + float(doc["duration_days"]) - 0.5, color=style.SUBTLE, lw=0)


def _panel(ax: Any, fig: Any, text: str) -> None:
    """A panel's name above it, left (a y-axis label would not fit three short panels)."""
    ax.set_title(text, loc="left", fontsize=_fs(fig, -1), color=style.MUTED, pad=3)


def _panel_height_in(fig: Any) -> float:
    """The figure's height in inches (a SubFigure's from its box)."""
    if isinstance(fig, Figure):
        return float(fig.get_size_inches()[1])
    return float(fig.bbox.height / fig.dpi)


def story_title(doc: Doc) -> str:
    """``T3-FOUNDRY-TW down for 21 days from day 14: …`` in the story's own words."""
    target = str(doc["target"]).removeprefix("region:")
    what = f"region {target}" if str(doc["target"]).startswith("region:") else target
    days = int(doc["duration_days"])
    head = f"{what} down for {days} day{'s' if days != 1 else ''} from day {doc['start_day']}"
    first = doc.get("first_short_day")
    if first is None:
        share = float(doc.get("short_share") or 0.0)
        tail = "customers keep being served" + (
            "" if share == 0 else f" in most trials ({share:.0%} go short)"
        )
    else:
        tail = f"customers go short from day {first:g}"
        back = doc.get("recovered_day")
        tail += (
            f", back to normal on day {back}" if back is not None else ", not back within the chart"
        )
    return f"{head}: {tail}"


def story_figure(doc: Doc, **frame: Unpack[Frame]) -> Figure:
    """Fan chart of a :class:`~jitrisk.analysis.story.DisruptionStory` (its ``to_dict()``)."""
    fig = frame_canvas(frame, (style.FIGSIZE[0], style.FIGSIZE[1] * 1.35))
    sites = doc.get("sites") or {}
    fill = doc.get("customer_fill")
    if not fill:
        return empty_figure("No disruption story was run.", figure=fig)
    days = np.arange(len(fill["median"]))
    axes = fig.subplots(3, 1, sharex=True, height_ratios=(1.25, 1.0, 1.0))
    handles = []
    for ax in axes:
        _style_axes(ax, fig)
        _outage(ax, doc)
        ax.grid(axis="y", color=style.GRID, lw=0.8)
        ax.set_axisbelow(True)
    cover_ax, fill_ax, owed_ax = axes
    for k, (sid, site) in enumerate(sites.items()):
        colour = style.SERIES[k % len(style.SERIES)]
        line = _fan(
            cover_ax, days, site["on_hand_days"], colour, LINE_STYLES[k % len(LINE_STYLES)], sid
        )
        handles.append(line)
    _panel(cover_ax, fig, "Cover on hand at the sites watched (days of their mean flow)")
    cover_ax.set_ylim(bottom=0)
    # short panels (a small screen, presentation type) get fewer ticks, never crowded ones
    panel_in = _panel_height_in(fig) / 3.4
    cover_ax.yaxis.set_major_locator(MaxNLocator(5 if panel_in > 1.2 else 2))
    _fan(fill_ax, days, fill, style.SAFE, "-", "Customer fill")
    fill_ax.set_ylim(-0.03, 1.05)
    fill_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    _panel(fill_ax, fig, "Customers' demand filled the same day")
    _fan(owed_ax, days, doc["customer_backorder_units"], style.RISK, "-", "Owed to customers")
    owed_ax.set_ylim(bottom=0)
    owed_ax.yaxis.set_major_locator(MaxNLocator(4 if panel_in > 1.2 else 2))
    owed_ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    _panel(owed_ax, fig, "Owed to customers (units)")
    _label(owed_ax, fig, x="Day")
    first = doc.get("first_short_day")
    back = doc.get("recovered_day")
    for ax in (fill_ax, owed_ax):
        if first is not None:
            ax.axvline(first, color=style.RISK, lw=1.2, ls="--")
        if back is not None and first is not None:
            ax.axvline(back, color=style.SAFE, lw=1.2, ls=":")
    ymax = fill_ax.get_ylim()[1]
    if first is not None:
        fill_ax.annotate(
            f" short from day {first:g}",
            (first, ymax * 0.55),
            fontsize=_fs(fig, -2),
            color=style.RISK,
        )
    if back is not None and first is not None:
        fill_ax.annotate(
            f" back on day {back}", (back, ymax * 0.25), fontsize=_fs(fig, -2), color=style.SAFE
        )
    band = cover_ax.fill_between([], [], [], color=style.MUTED, alpha=BAND_ALPHA, lw=0)
    outage = cover_ax.fill_between([], [], [], color=style.SUBTLE, lw=0)
    trials = int(doc.get("trials") or 0)
    labels = [*sites.keys(), f"5–95 % of {trials:,} trials (line: median)", "Outage"]
    fig.legend(
        handles=[*handles, band, outage],
        labels=labels,
        loc="outside lower center",
        ncols=min(3, len(labels)),
        fontsize=_fs(fig, -2),
        frameon=False,
    )
    fs = _fs(fig, 2)
    text = frame.get("title") or story_title(doc)
    fig.suptitle(
        _fit(text, fig, fs, 0.9),
        x=0.01,
        ha="left",
        fontsize=fs,
        fontweight="bold",
        color=style.TEXT,
    )
    return _done(fig)
