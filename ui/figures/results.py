"""Result charts as plain functions: data in, :class:`matplotlib.figure.Figure` out.

No pyplot and no Qt: every view shows these figures through
:class:`ui.widgets.chart_image.ChartImage` (rendered off the GUI thread), and
the exported reports save the very same figures. Colours follow
:mod:`ui.theme` (Okabe–Ito, colour-blind safe) and every line that carries
meaning also differs in style, so charts survive greyscale printing. Pass
``figure=`` to redraw into an existing figure.
"""

from __future__ import annotations

import textwrap
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from numpy.typing import ArrayLike

from jitrisk.report.figures import ci_whiskers

from .. import theme
from ..logic.formatting import format_compact, format_money

#: Metrics the top-risk chart can rank by: column of ``sites_frame()`` -> axis label.
RISK_METRICS = {
    "stockout_day_probability": "Stockout-day probability",
    "stockout_probability": "Probability of a stockout in the horizon",
    "fill_rate": "Fill rate",
}

LineStyle = Literal["-", "--", ":"]
FONT_SIZE = 9
LABEL_CHARS = 28


def _prepare(figure: Figure | None, figsize: tuple[float, float]) -> Figure:
    if figure is None:
        figure = Figure(figsize=figsize, dpi=100, layout="constrained")
    else:
        figure.clear()
    figure.set_facecolor("white")
    return figure


#: Inches each tick label of a percent or money axis needs, with room between.
TICK_INCHES = 0.6


def ticks_that_fit(ax: Axes) -> int:
    """Tick intervals that fit ``ax``'s width (laid out), between 2 and 6."""
    width = ax.get_position().width * ax.get_figure(root=True).get_size_inches()[0]
    return max(2, min(6, int(width / TICK_INCHES)))


def _style_axes(ax: object) -> None:
    ax.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]
    ax.tick_params(labelsize=FONT_SIZE, color=theme.MUTED)  # type: ignore[attr-defined]
    for spine in ("left", "bottom"):
        ax.spines[spine].set_color(theme.BORDER)  # type: ignore[attr-defined]


def rows_that_fit(height_in: float) -> int:
    """Bar labels a chart ``height_in`` inches tall holds without overlapping (at least 3):
    one line of :data:`FONT_SIZE` type with a little leading each, after the title, the
    axis label and the legend."""
    points = height_in * 72 - 6 * FONT_SIZE * 1.3
    return max(3, int(points / (FONT_SIZE * 1.3)))


def site_label(site_id: str, name: str, max_chars: int = LABEL_CHARS) -> str:
    """``"SUP-A · Chip supplier A"``, shortened to ``max_chars``; the id alone if no name."""
    text = site_id if not name or name == site_id else f"{site_id} · {name}"
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def empty_figure(
    message: str, *, figure: Figure | None = None, figsize: tuple[float, float] = (6.0, 4.0)
) -> Figure:
    """A blank figure with a centred note (no data yet)."""
    fig = _prepare(figure, figsize)
    fig.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=FONT_SIZE + 1,
        color=theme.MUTED,
        wrap=True,
    )
    return fig


def top_risk_sites_figure(
    sites: pd.DataFrame,
    metric: str = "stockout_day_probability",
    n: int = 15,
    *,
    figure: Figure | None = None,
    figsize: tuple[float, float] = (6.4, 4.8),
    title: str | None = None,
) -> Figure:
    """Horizontal bars of the ``n`` sites most at risk, with 95% CI whiskers.

    Parameters
    ----------
    sites : pandas.DataFrame
        :meth:`SimulationResult.sites_frame`: indexed by site id, with
        ``type``, ``name``, ``metric``, ``metric_lo`` and ``metric_hi``.
    metric : str
        A key of :data:`RISK_METRICS`. Fill rate ranks the lowest first.
    n : int
        How many sites to show at most: fewer when the figure is too short for
        ``n`` readable labels (a larger type, as in presentation mode, fits fewer).
    """
    fig = _prepare(figure, figsize)
    n = min(n, rows_that_fit(fig.get_size_inches()[1]))
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax)
    label = RISK_METRICS.get(metric, metric)
    worst_first = sites.sort_values(metric, ascending=(metric == "fill_rate"), kind="stable")
    top = worst_first.head(n).iloc[::-1]  # barh draws bottom-up: worst at the top
    if top.empty:
        return empty_figure("No sites to show", figure=fig)
    y = np.arange(len(top))
    mean = top[metric].to_numpy(dtype=float)
    lo = np.minimum(top[f"{metric}_lo"].to_numpy(dtype=float), mean)
    hi = np.maximum(top[f"{metric}_hi"].to_numpy(dtype=float), mean)
    colours = [theme.TYPE_COLOURS.get(t, theme.MUTED) for t in top["type"]]
    ax.barh(y, mean, color=colours, height=0.66, zorder=2)
    ci_whiskers(ax, y, mean, lo, hi, horizontal=True, width=1.0, cap=2.5)
    names = top["name"] if "name" in top else pd.Series("", index=top.index)
    ax.set_yticks(y, [site_label(str(s), str(nm)) for s, nm in zip(top.index, names, strict=True)])
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
    ax.set_xlim(0, max(float(np.nanmax(hi)) * 1.08, 1e-3))
    ax.grid(axis="x", color=theme.SUBTLE, zorder=0)
    ax.set_xlabel(f"{label} (whiskers: 95% CI)", fontsize=FONT_SIZE, color=theme.TEXT)
    _figure_title(fig, title or f"Top {len(top)} sites by {label.lower()}")
    present = [t for t in theme.SITE_TYPES if t in set(top["type"])]
    # below the axes, in one row: inside them it covered the longest bars
    fig.legend(
        handles=[Patch(color=theme.TYPE_COLOURS[t], label=theme.TYPE_LABELS[t]) for t in present],
        fontsize=FONT_SIZE - 1,
        frameon=False,
        loc="outside lower center",
        ncols=max(len(present), 1),
    )
    # as many ticks as fit the bars' width once the site names have taken theirs
    # (at 1024 x 640 six "25.0%" labels ran into each other)
    fig.draw_without_rendering()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=ticks_that_fit(ax)))
    return fig


def lost_revenue_figure(
    losses: ArrayLike,
    var95: float,
    cvar95: float,
    currency: str = "",
    *,
    what: str = "Lost revenue",
    figure: Figure | None = None,
    figsize: tuple[float, float] = (6.4, 4.8),
) -> Figure:
    """Histogram of network lost revenue per trial, with mean, VaR95 and CVaR95 marked;
    ``what`` names it ("Revenue at risk" when backorders deliver it late)."""
    x = np.asarray(losses, dtype=float)
    fig = _prepare(figure, figsize)
    if x.size == 0 or not np.any(x > 0):
        return empty_figure("No revenue was lost in any trial.", figure=fig)
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax)
    bins = min(60, max(10, int(np.sqrt(x.size))))
    # one filled outline instead of a patch per bin: the same picture, drawn several times faster
    ax.hist(x, bins=bins, histtype="stepfilled", color=theme.OKABE_ITO["sky_blue"], zorder=2)
    marks: tuple[tuple[str, float, str, LineStyle], ...] = (
        ("Mean", float(np.mean(x)), theme.OKABE_ITO["blue"], "-"),
        ("VaR95", float(var95), theme.OKABE_ITO["orange"], "--"),
        ("CVaR95", float(cvar95), theme.OKABE_ITO["vermillion"], ":"),
    )
    handles = []
    for name, value, colour, style in marks:
        ax.axvline(value, color=colour, linestyle=style, linewidth=2, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linestyle=style,
                linewidth=2,
                label=f"{name} {format_money(value, currency)}",
            )
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_compact(v)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.grid(axis="y", color=theme.SUBTLE, zorder=0)
    unit = f" ({currency})" if currency else ""
    ax.set_xlabel(f"{what} over the horizon{unit}", fontsize=FONT_SIZE, color=theme.TEXT)
    ax.set_ylabel("Trials", fontsize=FONT_SIZE, color=theme.TEXT)
    _figure_title(fig, f"{what} across trials")
    ax.legend(
        handles=handles,
        fontsize=FONT_SIZE - 1,
        loc="best",
        frameon=True,
        framealpha=0.92,
        edgecolor=theme.BORDER,
    )
    return fig


def _figure_title(fig: Figure, text: str) -> None:
    """A bold title at the figure's left edge, wrapped to its width (an axes title starts
    right of long tick labels and runs off a narrow canvas)."""
    size = FONT_SIZE + 2
    chars = max(12, int(fig.get_size_inches()[0] * 72 / (0.62 * size)))
    fig.suptitle(
        textwrap.fill(text, chars),
        x=0.01,
        ha="left",
        fontsize=size,
        color=theme.TEXT,
        fontweight="bold",
    )
