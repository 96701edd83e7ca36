"""What every report figure shares: sizing, fonts, titles, legends, labels and ranking."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict, Unpack

import numpy as np
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .. import style

Doc = Mapping[str, Any]
#: Where a chart is drawn: a whole figure, or one panel of it.
Canvas = Figure | SubFigure


class Frame(TypedDict, total=False):
    """The keywords every chart function takes (as ``**frame``), all optional.

    Attributes
    ----------
    title : str or None
        Replaces the chart's own title.
    figsize : (float, float) or None
        Inches of a new figure; default :data:`jitrisk.report.style.FIGSIZE`
        (10 x 5.625, a 16:9 slide). Type sizes scale with it.
    figure : Figure, SubFigure or None
        Draw into this one (cleared first) instead of a new figure: a canvas's
        figure, or one panel of a report page. ``figsize`` is then ignored.
    """

    title: str | None
    figsize: tuple[float, float] | None
    figure: Canvas | None


# ----------------------------------------------------------------------------- helpers


def frame_canvas(frame: Frame, figsize: tuple[float, float] = style.FIGSIZE) -> Canvas:
    """The figure to draw into: ``frame["figure"]`` cleared, or a new one."""
    figure = frame.get("figure")
    if figure is None:
        size = frame.get("figsize") or figsize
        figure = Figure(figsize=size, dpi=100, layout="constrained")
    else:
        figure.clear()
    figure.set_facecolor("white")
    return figure


def _root(fig: Canvas) -> Figure:
    root = fig if isinstance(fig, Figure) else fig.get_figure(root=True)
    assert isinstance(root, Figure)
    return root


def _scale(fig: Canvas) -> float:
    """Type-size factor: 1 at the default 10 x 5.625 in, by area for other sizes,
    never below 0.75 (9.75-point ticks) nor above 1.3."""
    if isinstance(fig, Figure):
        w, h = fig.get_size_inches()
    else:
        w, h = fig.bbox.width / fig.dpi, fig.bbox.height / fig.dpi
    ratio = math.sqrt(max(w * h, 1e-9) / (style.FIGSIZE[0] * style.FIGSIZE[1]))
    return float(min(max(ratio, 0.75), 1.3))


def _fs(fig: Canvas, delta: float = 0.0) -> float:
    return (style.FONT + delta) * _scale(fig)


def _style_axes(ax: Any, fig: Canvas) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=_fs(fig, -1), color=style.MUTED, labelcolor=style.TEXT)
    for spine in ("left", "bottom"):
        ax.spines[spine].set_color(style.BORDER)


def _width_in(fig: Canvas) -> float:
    if isinstance(fig, Figure):
        return float(fig.get_size_inches()[0])
    return float(fig.bbox.width / fig.dpi)


def _fit(text: str, fig: Canvas, fs: float, share: float = 0.95) -> str:
    """``text`` wrapped to the width of ``fig`` at ``fs`` points (bold ~0.62 em per char)."""
    chars = max(12, int(_width_in(fig) * share / (0.62 * fs / 72)))
    return "\n".join(textwrap.wrap(text, chars)) if len(text) > chars else text


def _title(ax: Any, fig: Canvas, text: str) -> None:
    fs = _fs(fig, 2)
    ax.set_title(_fit(text, fig, fs), fontsize=fs, loc="left", color=style.TEXT, fontweight="bold")


def _label(ax: Any, fig: Canvas, x: str | None = None, y: str | None = None) -> None:
    if x is not None:
        ax.set_xlabel(_fit(x, fig, _fs(fig) * 0.9, 0.85), fontsize=_fs(fig), color=style.TEXT)
    if y is not None:
        ax.set_ylabel(y, fontsize=_fs(fig), color=style.TEXT)


def _legend(ax: Any, fig: Canvas, **kw: Any) -> Any:
    kw.setdefault("frameon", True)
    kw.setdefault("framealpha", 0.92)
    kw.setdefault("edgecolor", style.BORDER)
    return ax.legend(fontsize=_fs(fig, -2), **kw)


def split(parent: Canvas, rows: int, cols: int, **kw: Any) -> list[SubFigure]:
    """``parent.subfigures(rows, cols, **kw)`` as a flat list (row by row)."""
    subs = parent.subfigures(rows, cols, squeeze=False, **kw)
    return [sf for sf in np.asarray(subs).ravel().tolist()]


def _outside_legend(
    fig: Canvas, handles: Sequence[Any], texts: Sequence[str] | None = None
) -> None:
    """Legend entries under the chart (never over the data), as many per row as fit."""
    labels = list(texts) if texts is not None else [h.get_label() for h in handles]
    fs = _fs(fig, -2)
    widths = [len(t) * 0.58 * fs / 72 + 0.75 for t in labels]
    avail = _width_in(fig) * 0.96
    ncols = len(labels)
    while ncols > 1:
        # matplotlib fills a legend column by column: column i holds entries i*rows...
        rows = math.ceil(len(labels) / ncols)
        cols = [widths[i : i + rows] for i in range(0, len(labels), rows)]
        if sum(max(c) for c in cols) <= avail:
            break
        ncols -= 1
    fig.legend(
        handles=list(handles),
        labels=labels,
        loc="outside lower center",
        ncols=ncols,
        fontsize=fs,
        frameon=False,
        handlelength=2.6,
    )


def _days_text(value: float) -> str:
    return f"{value:g} day" if value == 1 else f"{value:g} days"


def _pct_axis(axis: Any, vmax: float) -> None:
    """Percent ticks with no needless decimals."""
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if vmax >= 0.05 else 1))
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))


def ci_whiskers(
    ax: Any,
    at: Any,
    mean: Any,
    lo: Any,
    hi: Any,
    *,
    horizontal: bool = False,
    colour: str = style.TEXT,
    width: float = 1.2,
    cap: float = 3.0,
    **kw: Any,
) -> None:
    """95% CI whiskers from ``lo`` to ``hi`` around ``mean``, at positions ``at``.

    ``horizontal`` for bars along x (``barh``). An interval that does not hold
    its mean (rounding) is widened to it, so the whisker is never negative.
    """
    m = np.asarray(mean, dtype=float)
    err = [m - np.minimum(lo, m), np.maximum(hi, m) - m]
    x, y, key = (m, at, "xerr") if horizontal else (at, m, "yerr")
    opts = {"fmt": "none", "ecolor": colour, "elinewidth": width, "capsize": cap, "zorder": 3}
    ax.errorbar(x, y, **{key: err}, **{**opts, **kw})


def ranked_bars(
    fig: Canvas,
    labels: Sequence[str],
    est: Any,
    colours: Sequence[str],
    text: Callable[[float], str],
    floor: float,
) -> tuple[Any, float]:
    """Horizontal bars of a ranking, the first at the top: ``est`` rows are (mean, lo,
    hi) in the order of ``labels``; 95% CI whiskers, each value written at its whisker's
    end with ``text``, the labels on the y axis. Returns the axes and the largest upper
    end (at least ``floor``), from which the caller sets the x axis."""
    est = np.asarray(est, dtype=float)[::-1]  # barh draws bottom-up
    mean, lo, hi = est[:, 0], est[:, 1], est[:, 2]
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    y = np.arange(len(est))
    ax.barh(y, np.maximum(mean, 0.0), color=list(colours)[::-1], height=0.68)
    ci_whiskers(ax, y, mean, lo, hi, horizontal=True)
    width = max(float(np.nanmax(hi)) if np.isfinite(hi).any() else 0.0, floor)
    for yi, m, h in zip(y, mean, hi, strict=True):
        ax.text(float(h) + width * 0.015, float(yi), text(m), va="center", ha="left",
                fontsize=_fs(fig, -3), color=style.TEXT)  # fmt: skip
    ax.set_yticks(y, list(labels)[::-1], fontsize=_fs(fig, -2))
    ax.set_ylim(-0.6, len(est) - 0.4)
    ax.grid(axis="x", color=style.GRID, zorder=0)
    ax.set_axisbelow(True)
    return ax, width


def _done(fig: Canvas) -> Figure:
    return _root(fig)


#: A place for a note: its anchor in axes fractions and its horizontal alignment.
Spot = tuple[float, float, str]


def hang_clear(
    fig: Canvas,
    ax: Any,
    note: Any,
    spots: Sequence[Spot],
    points: Callable[[], Any],
    *,
    pad_pt: float,
    leaders: bool = True,
) -> Spot:
    """Hang ``note`` (a text or an annotation, placed in axes fractions) at the spot
    that keeps it inside the axes, off the axes' other texts and over the fewest of
    ``points()`` (display pixels, read once the figure is laid out).

    The figure is drawn once without rendering, so the axes and the other texts are
    where they will be. The note's box (its text, not its leader) is padded by
    ``pad_pt`` points; ``leaders`` counts the other annotations' leader lines as
    theirs. Ties go to the earlier spot. Returns the spot taken.
    """
    root = _root(fig)
    note.set_in_layout(False)  # moving it must not move the axes
    root.draw_without_rendering()
    pts = np.asarray(points(), dtype=float).reshape(-1, 2)
    others = [t for t in ax.texts if t is not note and t.get_text()]
    boxes = [t.get_window_extent() if leaders else Text.get_window_extent(t) for t in others]
    pad = pad_pt * root.dpi / 72
    frame = ax.bbox

    def cost(spot: Spot) -> float:
        note.set_position(spot[:2])
        note.set_horizontalalignment(spot[2])
        note.get_window_extent()  # an annotation updates its text's place here
        box = Text.get_window_extent(note).padded(pad)
        x, y = pts[:, 0], pts[:, 1]
        covered = int(((x >= box.x0) & (x <= box.x1) & (y >= box.y0) & (y <= box.y1)).sum())
        outside = not (frame.x0 <= box.x0 and box.x1 <= frame.x1)
        outside |= not (frame.y0 <= box.y0 and box.y1 <= frame.y1)
        return covered + 1000 * sum(box.overlaps(b) for b in boxes) + 1e6 * outside

    best = min(spots, key=cost)
    note.set_position(best[:2])
    note.set_horizontalalignment(best[2])
    return best


def empty_figure(message: str, **frame: Unpack[Frame]) -> Figure:
    """A blank figure with a centred note (nothing to show)."""
    fig = frame_canvas(frame)
    fig.text(
        0.5,
        0.5,
        style.plain(message),
        ha="center",
        va="center",
        fontsize=_fs(fig),
        color=style.MUTED,
        wrap=True,
    )
    return _done(fig)


def _est(d: Any) -> tuple[float, float, float]:
    """``{"mean", "ci95"}`` → (mean, lo, hi), the interval widened to hold the mean."""
    if isinstance(d, Mapping):
        m = float(d.get("mean", math.nan))
        ci = d.get("ci95") or [m, m]
        lo, hi = float(ci[0]), float(ci[1])
        return m, min(lo, m), max(hi, m)
    m = float(d) if d is not None else math.nan
    return m, m, m


def site_label(site_id: str, name: str = "", max_chars: int = 30) -> str:
    """``"SUP-A · Chip supplier A"`` shortened to ``max_chars``; the id alone without a name."""
    text = site_id if not name or name == site_id else f"{site_id} · {name}"
    return style.plain(text, max_chars)


def rank_sites(sites: Mapping[str, Doc], metric: str = "stockout_day_probability") -> list[str]:
    """Site ids, worst first: ``metric`` (fill rate: lowest first), then lost revenue."""
    sign = 1.0 if metric == "fill_rate" else -1.0

    def key(sid: str) -> tuple[float, float, str]:
        st = sites[sid]
        m = _est(st.get(metric))[0]
        lr = _est(st.get("lost_revenue"))[0]
        return (sign * (m if math.isfinite(m) else 0.0), -(lr if math.isfinite(lr) else 0.0), sid)

    return sorted(sites, key=key)


# ----------------------------------------------------------------------------- top-N sites


# ----------------------------------------------------------------------------- lost revenue


# ----------------------------------------------------------------------------- buffer curve


# ----------------------------------------------------------------------------- TTS vs TTR


# ----------------------------------------------------------------------------- scenarios


# ----------------------------------------------------------------------------- network map


# ----------------------------------------------------------------------------- buffer plans
