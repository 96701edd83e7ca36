"""Charts of the Buffers, Risk and Safety stock views: data in, a matplotlib Figure out.

Like :mod:`ui.figures.results`: no pyplot, no Qt. The buffer curve and the TTS-TTR
scatter are the report's own figures (:mod:`jitrisk.report.figures`), so the
desktop shows what the exported report shows; for the screen the buffer curve
also gets the knee and the current buffer marked *on* the curve with a label
(the report marks them with vertical lines and a legend entry). The plan
comparison has no report counterpart yet and is drawn here, in the same style.

Every function takes the report's frame keywords (:class:`jitrisk.report.figures.Frame`:
``title``, ``figsize`` in inches, ``figure`` to redraw into), and accepts the documents
the analyses produce (``SweepResult.to_dict()``, ``RiskReport.to_dict()``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import numpy as np
from matplotlib.figure import Figure, FigureBase, SubFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from jitrisk.report import figures as report
from jitrisk.report import style

from .. import theme
from ..logic.safety import PlanSummary

Doc = Mapping[str, Any]
Canvas = Figure | SubFigure

#: Type size (points) of the charts drawn here at the report's default size; scaled
#: with the figure like the report's, so text stays legible on a small canvas.
FONT = style.FONT
#: Heights of the knee and current-buffer labels, as fractions of the axes' height.
LABEL_SLOTS = (0.62, 0.38)
KNEE_COLOUR = theme.TEXT
CURRENT_COLOUR = theme.OKABE_ITO["bluish_green"]


def _fs(fig: FigureBase, delta: float = 0.0) -> float:
    """Type size scaled like the report figures' (1 at 10 x 5.625 in)."""
    w, h = _root(fig).get_size_inches()
    scale = min(max(min(w / style.FIGSIZE[0], h / style.FIGSIZE[1]), 0.62), 1.3)
    return float((FONT + delta) * scale)


def _root(fig: FigureBase) -> Figure:
    root = fig if isinstance(fig, Figure) else fig.get_figure(root=True)
    assert isinstance(root, Figure)
    return root


def empty_figure(message: str, **frame: Unpack[report.Frame]) -> Figure:
    """A blank figure with a centred note (nothing computed yet)."""
    return report.empty_figure(message, **frame)


def _estimate(d: Any) -> tuple[float, float, float]:
    """``{"mean", "ci95"}`` → (mean, lo, hi); the interval widened to hold the mean."""
    if isinstance(d, Mapping):
        m = float(d.get("mean", math.nan))
        ci = d.get("ci95") or [m, m]
        return m, min(float(ci[0]), m), max(float(ci[1]), m)
    m = float(d) if d is not None else math.nan
    return m, m, m


def _number(value: object) -> float | None:
    """A finite number, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _tick(value: float) -> str:
    """An axis tick in short form without needless decimals: ``'60M'``, ``'1.5bn'``."""
    return style.compact(value).replace(".0", "")


def _days(value: float) -> str:
    return f"{value:g} day" if value == 1 else f"{value:g} days"


# ----------------------------------------------------------------------------- buffer curve


def curve_value_at(curve: Doc, buffer_days: float, key: str = "stockout_day_probability") -> float:
    """The curve's mean ``key`` at ``buffer_days``, interpolated between levels (NaN outside)."""
    levels = list(curve.get("levels") or [])
    if not levels:
        return math.nan
    x = np.array([float(lv["buffer_days"]) for lv in levels])
    y = np.array([_estimate(lv[key])[0] for lv in levels])
    if not (x.min() - 1e-9 <= buffer_days <= x.max() + 1e-9):
        return math.nan
    return float(np.interp(buffer_days, x, y))


def _corner_note(
    ax: Any, fig: FigureBase, text: str, at: tuple[float, float], colour: str, **kw: Any
) -> None:
    """Small text hung from ``at`` (axes fractions) near the top left or top right corner."""
    ha = "left" if at[0] < 0.5 else "right"
    ax.text(
        *at,
        text,
        transform=ax.transAxes,
        ha=ha,
        va="top",
        fontsize=_fs(fig, -3),
        color=colour,
        **kw,
    )


def buffer_curve_figure(
    curve: Doc,
    *,
    zoom: bool = False,
    **frame: Unpack[report.Frame],
) -> Figure:
    """The JIT buffer curve with the knee and the current buffer marked on it.

    Parameters
    ----------
    curve : mapping
        ``SweepResult.to_dict()``.
    zoom : bool
        Scale both axes to the levels from the knee on: the cliff below the
        knee leaves the chart (a note gives its values) and the shape of the
        curve where buffers are usually set becomes readable.
    **frame
        ``title`` (default the report's, "JIT buffer curve: <target>"),
        ``figsize``, ``figure``: see :class:`jitrisk.report.figures.Frame`.

    Notes
    -----
    The report's figure (:func:`jitrisk.report.figures.buffer_curve_figure`):
    stockout-day probability (left axis, solid, vermillion) and fill rate
    (right axis, dashed, blue) with 95% CI bands, knee and current buffer as
    vertical lines. Added here: a ring on the curve at the knee and a diamond
    at the current buffer, each labelled with its days and stockout-day
    probability; a current buffer outside the levels is named in a note.
    """
    fig = report.buffer_curve_figure(curve, **frame)
    if not curve.get("levels") or not fig.axes:
        return fig
    ax = fig.axes[0]
    zoom_note = _zoom_past_knee(fig, curve) if zoom and len(fig.axes) > 1 else None
    marks: list[tuple[float, float, str, str, str]] = []
    knee = _number(curve.get("knee_buffer_days"))
    if knee is not None:
        y = curve_value_at(curve, knee)
        text = f"Knee: {_days(knee)}\n{style.pct(y)} stockout days"
        marks.append((knee, y, text, KNEE_COLOUR, "o"))
    current = _number(curve.get("current_buffer_days"))
    if current is not None:
        y = curve_value_at(curve, current)
        if math.isfinite(y):
            text = f"Current: {_days(current)}\n{style.pct(y)} stockout days"
            marks.append((current, y, text, CURRENT_COLOUR, "D"))
        else:
            text = f"Current buffer {_days(current)}: outside the levels tried"
            _corner_note(ax, fig, text, (0.99, 0.97), CURRENT_COLOUR, fontweight="bold")
    x0, x1 = ax.get_xlim()
    y1 = ax.get_ylim()[1]
    shown = [m for m in marks if math.isfinite(m[1])]
    # labels in the band between the two curves, which is empty: the stockout curve runs
    # low and the fill rate high once past the cliff; the higher point gets the upper slot
    for slot, (x, y, text, colour, marker) in zip(
        LABEL_SLOTS, sorted(shown, key=lambda m: -m[1]), strict=False
    ):
        ax.plot(
            [x],
            [y],
            marker=marker,
            markersize=13 if marker == "o" else 10,
            markerfacecolor="none" if marker == "o" else colour,
            markeredgecolor=colour,
            markeredgewidth=2.4,
            linestyle="",
            zorder=6,
        )
        left_half = (x - x0) < 0.38 * (x1 - x0)
        tx = x0 + 0.42 * (x1 - x0) if left_half else x - 0.08 * (x1 - x0)
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(tx, slot * y1),
            ha="left" if left_half else "right",
            va="center",
            fontsize=_fs(fig, -2),
            color=colour,
            fontweight="bold",
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 1.2, "shrinkB": 7},
            bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": colour, "lw": 0.9},
            zorder=7,
        )
    if zoom_note:
        _place_zoom_note(fig, ax, zoom_note)
    return _root(fig)


#: Where the zoom note may hang (axes fractions of its top corner, alignment), in order
#: of preference: beside the band between the curves on the right, where both curves
#: run flat past the knee, then the top corners.
ZOOM_NOTE_SPOTS = (
    (0.985, 0.80, "right"),
    (0.985, 0.64, "right"),
    (0.985, 0.48, "right"),
    (0.985, 0.36, "right"),
    (0.60, 0.80, "center"),
    (0.015, 0.985, "left"),
    (0.985, 0.985, "right"),
)


def _place_zoom_note(fig: Figure, ax: Any, text: str) -> None:
    """Hang the zoom note where it covers no curve and no label (in a fixed top-left
    corner it ran over the fill-rate curve, which runs along the top of a zoomed chart);
    the labels' leaders cross the band, so only their text and box count."""
    note = ax.text(
        0,
        0,
        text,
        transform=ax.transAxes,
        va="top",
        fontsize=_fs(fig, -3),
        color=theme.MUTED,
        zorder=8,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )
    report.hang_clear(
        fig, ax, note, ZOOM_NOTE_SPOTS, lambda: _curve_pixels(fig), pad_pt=3.0, leaders=False
    )


def _curve_pixels(fig: Figure) -> Any:
    """Points every 2 pixels along every line of the chart's axes, in display pixels."""
    out = [np.zeros((0, 2))]
    for axes in fig.axes:
        for line in axes.get_lines():
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy) < 2:
                out.append(xy)
                continue
            step = np.hypot(*np.diff(xy, axis=0).T)
            at = np.concatenate([[0.0], np.cumsum(step)])
            along = np.arange(0.0, at[-1] + 2.0, 2.0)
            out.append(
                np.column_stack([np.interp(along, at, xy[:, 0]), np.interp(along, at, xy[:, 1])])
            )
    return np.concatenate(out)


def _zoom_past_knee(fig: Figure, curve: Doc) -> str | None:
    """Scale the stockout (left) and fill-rate (right) axes to the levels from the knee
    (or the current buffer, if lower) on; returns the note naming what left the chart
    (None when nothing was zoomed)."""
    knee = _number(curve.get("knee_buffer_days"))
    levels = list(curve.get("levels") or [])
    if knee is None or not levels:
        return None
    current = _number(curve.get("current_buffer_days"))
    start = min(knee, current) if current is not None else knee  # the current stays in view
    ax, ax2 = fig.axes[0], fig.axes[1]
    tail = [lv for lv in levels if float(lv["buffer_days"]) >= start - 1e-9]
    cliff = [lv for lv in levels if float(lv["buffer_days"]) < start - 1e-9]
    if not tail or not cliff:
        return None
    top = max(_estimate(lv["stockout_day_probability"])[2] for lv in tail) * 1.18
    low = min(_estimate(lv["fill_rate"])[1] for lv in tail)
    low = max(0.0, low - (1.0 - low) * 0.15 - 0.002)
    if top >= ax.get_ylim()[1] * 0.8:
        return None  # hardly a cliff: nothing to gain
    ax.set_ylim(0, max(top, 1e-3))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1 if top < 0.05 else 0))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax2.set_ylim(low, 1.0005)
    ax2.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1 if 1.0 - low < 0.05 else 0))
    ax2.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    off = ", ".join(
        f"{_days(float(lv['buffer_days']))}: "
        f"{style.pct(_estimate(lv['stockout_day_probability'])[0])}"
        for lv in cliff[-3:]
    )
    # narrow, so that it fits beside the labels on a small chart
    return "\n".join(
        ["▲ Zoomed past the knee;", *textwrap.wrap(f"off the chart: {off} stockout days", 30)]
    )


# ----------------------------------------------------------------------------- TTS vs TTR


def tts_ttr_figure(
    risk: Doc,
    *,
    labels: int | None = None,
    **frame: Unpack[report.Frame],
) -> Figure:
    """Time to survive against time to recover, one point per site or region.

    The report's figure (:func:`jitrisk.report.figures.tts_ttr_figure`):
    points below the diagonal TTS = TTR are exposed (vermillion crosses in a
    shaded area). ``labels`` defaults to the exposed points with the highest
    risk exposure index, at most 8 (the five highest indices when none is
    exposed); the ranking table names the others.
    """
    if labels is None:
        exposed = sum(
            1
            for kind in ("sites", "regions")
            for r in (risk.get(kind) or {}).values()
            if r.get("exposed")
        )
        labels = min(exposed, 8) if exposed else 5
    return report.tts_ttr_figure(risk, labels=labels, **frame)


# ----------------------------------------------------------------------------- plans


#: Colour and hatch of each plan, by position: current, guaranteed-service, disruption-aware.
PLAN_STYLES = (
    (theme.MUTED, ""),
    (theme.OKABE_ITO["blue"], "//"),
    (theme.OKABE_ITO["orange"], ".."),
    (theme.OKABE_ITO["reddish_purple"], "xx"),
)


def plan_comparison_figure(
    plans: Sequence[PlanSummary],
    *,
    currency: str = "",
    **frame: Unpack[report.Frame],
) -> Figure:
    """The plans side by side: inventory value, expected lost revenue, P(any customer stockout).

    Three panels of horizontal bars, one bar per plan (the same colour and
    hatch in every panel), 95% CI whiskers on the simulated quantities and
    each value written at its bar.
    """
    fig = report.frame_canvas(frame)
    if not plans:
        return empty_figure("No plans to compare yet.", figure=fig)
    axes = fig.subplots(1, 3, sharey=True)
    unit = f" ({style.plain(currency)})" if currency else ""
    panels = (
        ("Inventory value" + unit, "value", False),
        ("Exp. lost revenue" + unit, "lost", False),
        ("P(any stockout)", "stockout", True),
    )
    y = np.arange(len(plans))[::-1]  # first plan on top
    # each panel gets about a fifth of the width (the plan names take the rest)
    panel_in = _root(fig).get_size_inches()[0] * 0.21
    title_chars = max(8, int(panel_in * 72 / (0.6 * _fs(fig, -1))))
    for ax, (label, key, is_pct) in zip(axes, panels, strict=True):
        ax.spines[["top", "right"]].set_visible(False)
        for spine in ("left", "bottom"):
            ax.spines[spine].set_color(theme.BORDER)
        ax.tick_params(labelsize=_fs(fig, -2), color=theme.MUTED, labelcolor=theme.TEXT)
        est = np.array(
            [
                (p.inventory_value,) * 3
                if key == "value"
                else (p.lost_revenue if key == "lost" else p.stockout)
                for p in plans
            ],
            dtype=float,
        )
        mean, lo, hi = est[:, 0], est[:, 1], est[:, 2]
        ax.set_title(
            textwrap.fill(label, title_chars), fontsize=_fs(fig, -1), loc="left", color=theme.TEXT
        )
        if not np.isfinite(mean).any():
            # nothing simulated yet: a note instead of empty bars on a meaningless axis
            ax.set_xticks([])
            ax.spines["bottom"].set_visible(False)
            ax.text(
                0.5,
                0.5,
                "Not simulated yet:\npress Run",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=_fs(fig, -1),
                color=theme.MUTED,
            )
            continue
        shown = np.where(np.isfinite(mean), mean, 0.0)
        for i, p in enumerate(plans):
            colour, hatch = PLAN_STYLES[i % len(PLAN_STYLES)]
            ax.barh(
                y[i],
                shown[i],
                height=0.62,
                color=colour,
                hatch=hatch,
                edgecolor="white",
                zorder=2,
                label=p.name,
            )
        if key != "value":
            ok = np.isfinite(mean)
            report.ci_whiskers(
                ax, y[ok], mean[ok], lo[ok], hi[ok], horizontal=True, width=1.3, cap=4
            )
        top = float(np.nanmax(np.where(np.isfinite(hi), hi, 0.0))) if len(hi) else 0.0
        top = max(top, 1e-6 if not is_pct else 0.01)
        ax.set_xlim(0, top * 1.45)
        for i in range(len(plans)):
            m = mean[i]
            text = (
                "not simulated"
                if not math.isfinite(m)
                else (style.pct(m) if is_pct else style.compact(m))
            )
            end = hi[i] if math.isfinite(hi[i]) else 0.0
            ax.text(
                end + top * 0.03,
                y[i],
                text,
                va="center",
                ha="left",
                fontsize=_fs(fig, -2),
                color=theme.TEXT if math.isfinite(m) else theme.MUTED,
                fontweight="bold" if math.isfinite(m) else "normal",
            )
        if is_pct:
            ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: _tick(v)))
        # a narrow panel gets fewer ticks, so their labels stay apart
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if panel_in >= 1.6 else 2))
        ax.grid(axis="x", color=style.GRID, zorder=0)
        ax.set_axisbelow(True)
    axes[0].set_yticks(y, [style.plain(p.name, 24) for p in plans], fontsize=_fs(fig, -1))
    axes[0].set_ylim(-0.6, len(plans) - 0.4)
    fig.suptitle(
        frame.get("title") or "The plans side by side (whiskers: 95% CI)",
        fontsize=_fs(fig, 1),
        x=0.01,
        ha="left",
        color=theme.TEXT,
        fontweight="bold",
    )
    return _root(fig)
