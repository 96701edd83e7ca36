"""Report charts as plain functions: data in, :class:`matplotlib.figure.Figure` out.

No pyplot and no global style state, so the functions are safe on any backend
(Agg for files, a Qt canvas in the desktop app) and from worker threads. Each
takes the documents the analyses produce (``SimulationResult.to_dict()``,
``SweepResult.to_dict()``, ``RiskReport.to_dict()``) and keyword-only options:

* ``figsize``: inches; default 10 x 5.625 (16:9, a slide). Type sizes scale
  with it, so a chart stays readable when drawn smaller;
* ``figure``: an existing :class:`~matplotlib.figure.Figure` or
  :class:`~matplotlib.figure.SubFigure` to draw into (cleared first), e.g. a
  canvas's figure, or one panel of a report page.

Colours are Okabe–Ito (:mod:`jitrisk.report.style`); meaning never rests on
colour alone (line styles, markers and labels repeat it).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from numpy.typing import ArrayLike

from ..engine.results import tail_risk
from . import style
from .layout import layered_positions

Doc = Mapping[str, Any]
#: Where a chart is drawn: a whole figure, or one panel of it.
Canvas = Figure | SubFigure

#: Markers of regions on the network map (with 5 outline colours: 40 distinct pairs).
REGION_MARKERS = ("o", "s", "D", "^", "v", "p", "h", "P")


# ----------------------------------------------------------------------------- helpers


def _prepare(figure: Canvas | None, figsize: tuple[float, float] | None) -> Canvas:
    if figure is None:
        figure = Figure(figsize=figsize or style.FIGSIZE, dpi=100, layout="constrained")
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


def _done(fig: Canvas) -> Figure:
    return _root(fig)


def empty_figure(
    message: str,
    *,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """A blank figure with a centred note (nothing to show)."""
    fig = _prepare(figure, figsize)
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

RISK_METRICS = {
    "stockout_day_probability": "Stockout-day probability",
    "stockout_probability": "Probability of a stockout in the horizon",
    "fill_rate": "Fill rate",
}


def top_risk_figure(
    sites: Mapping[str, Doc],
    n: int = 15,
    *,
    metric: str = "stockout_day_probability",
    names: Mapping[str, str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """Horizontal bars of the ``n`` sites most at risk, with 95% CI whiskers.

    Parameters
    ----------
    sites : mapping
        ``SimulationResult.to_dict()["sites"]``: site id -> metrics (each
        ``{"mean", "ci95"}``) and ``type``.
    n : int
        Sites shown (worst at the top).
    metric : str
        A key of :data:`RISK_METRICS`.
    names : mapping, optional
        Site id -> descriptive name, shown after the id.
    """
    fig = _prepare(figure, figsize)
    ranked = [s for s in rank_sites(sites, metric) if metric in sites[s]][:n]
    if not ranked:
        return empty_figure("No sites to show", figure=fig)
    top = ranked[::-1]  # barh draws bottom-up: worst at the top
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    est = np.array([_est(sites[s][metric]) for s in top])
    mean, lo, hi = est[:, 0], est[:, 1], est[:, 2]
    types = [str(sites[s].get("type", "")) for s in top]
    y = np.arange(len(top))
    ax.barh(y, mean, color=[style.TYPE_COLOURS.get(t, style.MUTED) for t in types], height=0.68)
    ax.errorbar(
        mean,
        y,
        xerr=[mean - lo, hi - mean],
        fmt="none",
        ecolor=style.TEXT,
        elinewidth=1.2,
        capsize=3,
        zorder=3,
    )
    width = max(float(np.nanmax(hi)) if np.isfinite(hi).any() else 0.0, 1e-3)
    for yi, m, h in zip(y, mean, hi, strict=True):
        ax.text(
            float(h) + width * 0.015,
            float(yi),
            style.pct(m),
            va="center",
            ha="left",
            fontsize=_fs(fig, -3),
            color=style.TEXT,
        )
    label_chars = 34 if len(top) <= 10 else 30
    ax.set_yticks(
        y,
        [site_label(s, (names or {}).get(s, ""), label_chars) for s in top],
        fontsize=_fs(fig, -2),
    )
    _pct_axis(ax.xaxis, width)
    ax.set_xlim(0, width * 1.16)
    ax.set_ylim(-0.6, len(top) - 0.4)
    ax.grid(axis="x", color=style.GRID, zorder=0)
    ax.set_axisbelow(True)
    label = RISK_METRICS.get(metric, metric)
    _label(ax, fig, x=f"{label} (whiskers: 95% CI)")
    _title(ax, fig, title or f"The {len(top)} sites most at risk")
    present = [t for t in style.SITE_TYPES if t in set(types)]
    _legend(
        ax,
        fig,
        handles=[Patch(color=style.TYPE_COLOURS[t], label=style.TYPE_LABELS[t]) for t in present],
        loc="lower right",
    )
    return _done(fig)


# ----------------------------------------------------------------------------- lost revenue


def lost_revenue_figure(
    losses: ArrayLike,
    *,
    var95: float | None = None,
    cvar95: float | None = None,
    currency: str = "",
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """Histogram of network lost revenue per trial, with mean, VaR95 and CVaR95 marked.

    Parameters
    ----------
    losses : array_like
        Lost revenue of each trial (``SimulationResult.network_lost_revenue()``).
    var95, cvar95 : float, optional
        The values to mark; computed from ``losses`` when omitted (the same
        definitions as the simulation's: the 95% quantile and the
        Rockafellar–Uryasev tail mean).
    currency : str
        Shown in the axis label and legend.
    """
    x = np.asarray(losses, dtype=float)
    fig = _prepare(figure, figsize)
    if x.size == 0 or not np.any(x > 0):
        return empty_figure("No revenue was lost in any trial.", figure=fig)
    if var95 is None or cvar95 is None:
        v, c = tail_risk(x)
        var95 = v if var95 is None else var95
        cvar95 = c if cvar95 is None else cvar95
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    bins = min(60, max(10, int(np.sqrt(x.size))))
    ax.hist(x, bins=bins, histtype="stepfilled", color=style.OKABE_ITO["sky_blue"], zorder=2)
    marks: tuple[tuple[str, float, str, Literal["-", "--", ":"]], ...] = (
        ("Mean", float(np.mean(x)), style.OKABE_ITO["blue"], "-"),
        ("VaR95", float(var95), style.OKABE_ITO["orange"], "--"),
        ("CVaR95", float(cvar95), style.OKABE_ITO["vermillion"], ":"),
    )
    handles = []
    for name, value, colour, ls in marks:
        ax.axvline(value, color=colour, linestyle=ls, linewidth=2.5, zorder=3)
        handles.append(
            Line2D(
                [],
                [],
                color=colour,
                linestyle=ls,
                linewidth=2.5,
                label=f"{name}: {style.money(value, style.plain(currency))}",
            )
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: style.compact(v)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.set_xlim(left=0)
    ax.grid(axis="y", color=style.GRID, zorder=0)
    unit = f" ({style.plain(currency)})" if currency else ""
    _label(ax, fig, x=f"Lost revenue over the horizon{unit}", y="Trials")
    _title(ax, fig, "Lost revenue across trials")
    _legend(ax, fig, handles=handles, loc="upper right")
    return _done(fig)


# ----------------------------------------------------------------------------- buffer curve


def buffer_curve_figure(
    curve: Doc,
    *,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """The JIT buffer curve: stockout-day probability and fill rate against buffer days.

    Parameters
    ----------
    curve : mapping
        ``SweepResult.to_dict()``: ``levels`` (each with ``buffer_days``,
        ``stockout_day_probability`` and ``fill_rate`` as ``{"mean", "ci95"}``),
        ``knee_buffer_days``, ``current_buffer_days`` and ``site``.

    Notes
    -----
    Stockout-day probability (left axis, solid) and fill rate (right axis,
    dashed) each with a 95% CI band; the knee (dotted) and the current buffer
    (dash-dot) are marked with vertical lines.
    """
    fig = _prepare(figure, figsize)
    levels = list(curve.get("levels") or [])
    if not levels:
        return empty_figure("No buffer curve was computed.", figure=fig)
    x = np.array([float(lv["buffer_days"]) for lv in levels])
    so = np.array([_est(lv["stockout_day_probability"]) for lv in levels])
    fr = np.array([_est(lv["fill_rate"]) for lv in levels])
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    risk, safe = style.RISK, style.SAFE
    ax.fill_between(x, so[:, 1], so[:, 2], color=risk, alpha=0.18, linewidth=0)
    (l1,) = ax.plot(x, so[:, 0], color=risk, linewidth=2.8, marker="o", markersize=5)
    ymax = max(float(np.max(so[:, 2])) * 1.12, 0.01)
    ax.set_ylim(0, ymax)
    _pct_axis(ax.yaxis, ymax)
    _label(ax, fig, x="Safety stock (days of cover)", y="Stockout-day probability")
    ax.yaxis.label.set_color(risk)
    ax2 = ax.twinx()
    ax2.spines[["top", "left"]].set_visible(False)
    ax2.spines["right"].set_color(style.BORDER)
    ax2.tick_params(labelsize=_fs(fig, -1), color=style.MUTED, labelcolor=style.TEXT)
    ax2.fill_between(x, fr[:, 1], fr[:, 2], color=safe, alpha=0.15, linewidth=0)
    (l2,) = ax2.plot(x, fr[:, 0], color=safe, linewidth=2.8, linestyle="--", marker="s", ms=4.5)
    lo_fr = float(np.min(fr[:, 1]))
    fr_lo = max(0.0, lo_fr - (1.0 - lo_fr) * 0.12 - 0.005)
    ax2.set_ylim(fr_lo, 1.0005)
    _pct_axis(ax2.yaxis, 1.0 - fr_lo)
    ax2.set_ylabel("Fill rate", fontsize=_fs(fig), color=safe)
    handles = [
        Line2D([], [], color=risk, lw=2.8, marker="o", label="Stockout-day probability"),
        Line2D([], [], color=safe, lw=2.8, ls="--", marker="s", label="Fill rate"),
        Patch(color=style.MUTED, alpha=0.25, label="95% confidence band"),
    ]
    knee = curve.get("knee_buffer_days")
    if isinstance(knee, int | float) and style.finite(knee):
        ax.axvline(float(knee), color=style.TEXT, linestyle=":", linewidth=2.2)
        handles.append(
            Line2D(
                [], [], color=style.TEXT, ls=":", lw=2.2, label=f"Knee: {_days_text(float(knee))}"
            )
        )
    current = curve.get("current_buffer_days")
    if isinstance(current, int | float) and style.finite(current):
        ax.axvline(float(current), color=style.OKABE_ITO["bluish_green"], ls="-.", lw=2.4)
        handles.append(
            Line2D(
                [],
                [],
                color=style.OKABE_ITO["bluish_green"],
                ls="-.",
                lw=2.4,
                label=f"Current: {_days_text(float(current))}",
            )
        )
    ax.set_xlim(float(x.min()), float(x.max()))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.grid(axis="both", color=style.GRID, zorder=0)
    target = str(curve.get("site", ""))
    who = "every stocking site" if target == "network" else style.plain(target, 40)
    _title(ax, fig, title or f"JIT buffer curve: {who}")
    del l1, l2
    _outside_legend(fig, handles)
    return _done(fig)


# ----------------------------------------------------------------------------- TTS vs TTR


def tts_ttr_figure(
    risk: Doc,
    *,
    labels: int = 8,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """Time to survive against time to recover, one point per site (and region).

    Parameters
    ----------
    risk : mapping
        ``RiskReport.to_dict()``: ``sites`` and ``regions``, each id ->
        ``ttr_days``, ``tts_days`` (``{"mean", "ci95"}``),
        ``risk_exposure_index`` and ``exposed``.
    labels : int
        How many points are labelled: the exposed ones with the largest risk
        exposure index first, then the others by index.

    Notes
    -----
    A point below the diagonal TTS = TTR is *exposed*: the network runs dry
    before the site is back (vermillion crosses, shaded area); points above
    it survive the outage (blue circles). Regions are hollow diamonds.
    Whiskers are the 95% CI of TTS.
    """
    fig = _prepare(figure, figsize)
    pts: list[_RiskPoint] = []
    for kind in ("sites", "regions"):
        for sid, r in (risk.get(kind) or {}).items():
            m, lo, hi = _est(r.get("tts_days"))
            ttr = float(r.get("ttr_days", math.nan))
            if math.isfinite(m) and math.isfinite(ttr):
                rei = float(r.get("risk_exposure_index") or 0.0)
                pts.append((kind, str(sid), ttr, m, lo, hi, rei, bool(r.get("exposed"))))
    if not pts:
        return empty_figure("No time-to-survive analysis was run.", figure=fig)
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    top_ttr = max(max(p[2] for p in pts), 1.0)
    xmax = top_ttr * 1.45  # room for labels on the right
    ymax = max(max(p[5] for p in pts), top_ttr, 1.0) * 1.06
    cut = max(3.0 * top_ttr, 10.0)
    clipped = ymax > cut * 1.06
    if clipped:  # a few very safe sites would squash the interesting part near TTS = TTR
        ymax = cut * 1.06
    diag = np.array([0.0, max(xmax, ymax)])
    ax.fill_between(diag, 0, diag, color=style.RISK, alpha=0.08, linewidth=0)
    ax.plot(diag, diag, color=style.MUTED, linewidth=1.6, linestyle="--")
    dodge = _dodge(pts, xmax * 0.007)
    for kind, exposed, colour, marker, face in (
        ("sites", False, style.SAFE, "o", None),
        ("sites", True, style.RISK, "X", None),
        ("regions", False, style.SAFE, "D", "none"),
        ("regions", True, style.RISK, "D", "none"),
    ):
        sel = [i for i, p in enumerate(pts) if p[0] == kind and p[7] == exposed]
        if not sel:
            continue
        a = np.array([pts[i][2:6] for i in sel])
        xs = a[:, 0] + np.array([dodge[i] for i in sel])
        ys = np.minimum(a[:, 1], cut) if clipped else a[:, 1]
        off = a[:, 1] > ys
        ax.errorbar(
            xs[~off],
            ys[~off],
            yerr=[(a[:, 1] - a[:, 2])[~off], (a[:, 3] - a[:, 1])[~off]],
            fmt="none",
            ecolor=colour,
            alpha=0.6,
            elinewidth=1.0,
            zorder=3,
        )
        for mask, mk in ((~off, marker), (off, "^")):
            if mask.any():
                ax.scatter(
                    xs[mask],
                    ys[mask],
                    s=(90 if mk == "X" else 60) * _scale(fig),
                    marker=mk,
                    facecolors=face if face else colour,
                    edgecolors=colour,
                    linewidths=1.6,
                    alpha=0.85,
                    zorder=4,
                    clip_on=False,
                )
    if clipped:
        n_off = sum(1 for p in pts if p[3] > cut)
        ax.text(
            0.01,
            0.99,
            f"▲ {n_off} above {cut:.0f} days (off the chart)",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=_fs(fig, -3),
            color=style.MUTED,
        )
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    chosen = sorted(pts, key=lambda p: (not p[7], -p[6], p[3]))[: max(labels, 0)]
    _place_labels(
        ax,
        fig,
        [(p[2] + dodge[pts.index(p)], min(p[3], ymax), _risk_label(p)) for p in chosen],
        xmax,
        ymax,
    )
    ax.grid(color=style.GRID, zorder=0)
    _label(ax, fig, x="Time to recover, TTR (days)", y="Time to survive, TTS (days)")
    n_exp = sum(1 for p in pts if p[7] and p[0] == "sites")
    n_sites = sum(1 for p in pts if p[0] == "sites")
    _title(
        ax,
        fig,
        title or f"Time to survive vs time to recover: {n_exp} of {n_sites} sites exposed",
    )
    handles = [
        Line2D([], [], color=style.RISK, marker="X", ls="", ms=9, label="Site exposed (TTS < TTR)"),
        Line2D([], [], color=style.SAFE, marker="o", ls="", ms=8, label="Site survives the outage"),
    ]
    if any(p[0] == "regions" for p in pts):
        handles.append(
            Line2D([], [], color=style.TEXT, marker="D", mfc="none", ls="", ms=8, label="Region")
        )
    handles.append(Line2D([], [], color=style.MUTED, ls="--", lw=1.6, label="TTS = TTR"))
    _outside_legend(fig, handles)
    return _done(fig)


_RiskPoint = tuple[str, str, float, float, float, float, float, bool]


def _dodge(pts: Sequence[_RiskPoint], step: float) -> list[float]:
    """Small x offsets that spread points sharing one TTR (a default) into a band."""
    out = [0.0] * len(pts)
    groups: dict[float, list[int]] = {}
    for i, p in enumerate(pts):
        groups.setdefault(round(p[2], 6), []).append(i)
    for members in groups.values():
        if len(members) < 3:
            continue
        for rank, i in enumerate(sorted(members, key=lambda j: pts[j][3])):
            out[i] = ((rank % 5) - 2) * step
    return out


def _risk_label(p: _RiskPoint) -> str:
    name = style.plain(p[1], 22)
    return f"region {name}" if p[0] == "regions" else name


def _place_labels(
    ax: Any, fig: Canvas, items: Sequence[tuple[float, float, str]], xmax: float, ymax: float
) -> None:
    """Labels right of their points in a column, nudged apart vertically, with leader lines."""
    if not items:
        return
    # the axes will shrink a little when the layout is done: keep a margin
    axes_h = max(float(ax.bbox.height) / _root(fig).dpi, 1.0)
    gap = ymax * (_fs(fig, -3) * 2.0 / 72.0) / axes_h
    order = sorted(items, key=lambda t: t[1])
    ys: list[float] = []
    for _x, y, _t in order:
        ys.append(max(y, ys[-1] + gap) if ys else max(y, gap * 0.6))
    overflow = ys[-1] - ymax * 0.97
    if overflow > 0:
        ys = [y - overflow for y in ys]
    column = max(x for x, _y, _t in items) + xmax * 0.05
    for (x, y, text), ly in zip(order, ys, strict=True):
        ax.annotate(
            text,
            xy=(x, y),
            xytext=(column, ly),
            ha="left",
            va="center",
            fontsize=_fs(fig, -3),
            color=style.TEXT,
            arrowprops={"arrowstyle": "-", "color": style.MUTED, "lw": 0.8, "shrinkA": 0},
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            zorder=5,
        )


# ----------------------------------------------------------------------------- scenarios

_PROB_KPIS = (
    ("any_customer_stockout_probability", "P(any customer\nstockout in horizon)"),
    ("any_customer_stockout_day_probability", "Share of days with\na customer short"),
    ("fill_rate", "Customer\nfill rate"),
)
_MONEY_KPIS = (("mean", "Expected"), ("var95", "VaR95"), ("cvar95", "CVaR95"))


def scenario_comparison_figure(
    networks: Mapping[str, Doc],
    *,
    currency: str = "",
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """Grouped bars of the network KPIs of each scenario, with 95% CI whiskers.

    Parameters
    ----------
    networks : mapping
        Scenario name -> ``SimulationResult.to_dict()["network"]``.
    currency : str
        Label of the lost-revenue panel.
    """
    fig = _prepare(figure, figsize)
    names = list(networks)
    if not names:
        return empty_figure("No scenarios to compare.", figure=fig)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    k = len(names)
    width = 0.8 / k
    colours = [style.SERIES[i % len(style.SERIES)] for i in range(k)]
    hatches = ["", "//", "..", "xx", "\\\\", "--", "oo", "++"]
    for panel, (ax, kpis) in enumerate(zip(axes, (_PROB_KPIS, _MONEY_KPIS), strict=True)):
        _style_axes(ax, fig)
        for i, name in enumerate(names):
            doc = networks[name]
            vals: list[tuple[float, float, float]] = []
            for key, _lab in kpis:
                if panel == 0:
                    vals.append(_est(doc.get(key)))
                elif key == "mean":
                    vals.append(_est(doc.get("lost_revenue")))
                else:
                    v = float((doc.get("lost_revenue") or {}).get(key, math.nan))
                    vals.append((v, v, v))
            a = np.array(vals)
            pos = np.arange(len(kpis)) + (i - (k - 1) / 2) * width
            ax.bar(
                pos,
                a[:, 0],
                width * 0.92,
                color=colours[i],
                hatch=hatches[i % len(hatches)],
                edgecolor="white",
                label=style.plain(name, 30),
                zorder=2,
            )
            ax.errorbar(
                pos,
                a[:, 0],
                yerr=[a[:, 0] - a[:, 1], a[:, 2] - a[:, 0]],
                fmt="none",
                ecolor=style.TEXT,
                capsize=3,
                elinewidth=1.2,
                zorder=3,
            )
        ax.set_xticks(np.arange(len(kpis)), [lab for _k, lab in kpis], fontsize=_fs(fig, -2))
        ax.grid(axis="y", color=style.GRID, zorder=0)
        ax.set_axisbelow(True)
        if panel == 0:
            ax.set_ylim(0, 1.0)
            _pct_axis(ax.yaxis, 1.0)
            _title(ax, fig, title or "Key results by scenario")
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: style.compact(v)))
            unit = f" ({style.plain(currency)})" if currency else ""
            _label(ax, fig, y=f"Lost revenue{unit}")
            _title(ax, fig, "Lost revenue")
            ax.set_xlabel(
                "whiskers: 95% CI of the expected value", fontsize=_fs(fig, -3), color=style.MUTED
            )
    handles, texts = axes[0].get_legend_handles_labels()
    _outside_legend(fig, handles, texts)
    return _done(fig)


# ----------------------------------------------------------------------------- network map


def network_map_figure(
    graph: nx.DiGraph,
    values: Mapping[Hashable, float],
    *,
    value_label: str = "Stockout-day probability",
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """The network from raw suppliers (left) to customers (right), sites coloured by risk.

    Parameters
    ----------
    graph : networkx.DiGraph
        :func:`jitrisk.model.graph.build_graph` of the network (nodes carry
        ``depth``, ``type`` and ``region``).
    values : mapping
        Site id -> value in [0, 1] (stockout-day probability); sites without
        one are grey.
    value_label : str
        Title of the colour bar.

    Notes
    -----
    Columns follow the ``depth`` of each site (customers all on the right),
    each as wide as its longest label; fill colour is the value (colour bar);
    marker shape *and* outline colour are the region (legend below), so
    regions stay apart without relying on colour. Readable up to about 100
    sites at the default size of 13.3 x 7.5 inches.
    """
    fig = _prepare(figure, figsize or (13.333, 7.5))
    if graph.number_of_nodes() == 0:
        return empty_figure("The network has no sites.", figure=fig)
    pos = layered_positions(graph)
    cols = sorted({int(p[0]) for p in pos.values()})
    crowd = max(sum(1 for p in pos.values() if p[0] == c) for c in cols)
    # type size from the densest column: labels must not touch vertically
    fs = _fs(fig, -4 if crowd <= 12 else (-5 if crowd <= 18 else -6))
    width_in, _h = (fig.bbox.width / fig.dpi, fig.bbox.height / fig.dpi)
    labels = {x: site_label(str(x), "", 20) for x in graph}
    xs, fs = _column_x(cols, pos, labels, fs, avail=width_in - 1.4)
    pts = {x: (xs[int(p[0])], p[1]) for x, p in pos.items()}
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    size = (180 if crowd <= 12 else 120 if crowd <= 18 else 85) * _scale(fig) ** 2
    segs = [(pts[u], pts[v]) for u, v in graph.edges if u in pts and v in pts]
    ax.add_collection(
        LineCollection(segs, colors=style.MUTED, linewidths=0.7, alpha=0.35, zorder=1)
    )
    vmax = max([float(v) for v in values.values() if style.finite(v)] + [0.01])
    norm = Normalize(vmin=0.0, vmax=vmax)
    regions = sorted({str(graph.nodes[x].get("region") or "") for x in graph})
    reg_style = {r: _region_style(i) for i, r in enumerate(regions)}
    sc = None
    for r in regions:
        nodes = [x for x in graph if str(graph.nodes[x].get("region") or "") == r]
        marker, edge = reg_style[r]
        xy = np.array([pts[x] for x in nodes])
        vals = np.array([float(values.get(x, math.nan)) for x in nodes])
        known = np.isfinite(vals)
        common: dict[str, Any] = {
            "s": size,
            "marker": marker,
            "edgecolors": edge,
            "linewidths": 1.8,
            "zorder": 3,
        }
        if (~known).any():
            ax.scatter(xy[~known, 0], xy[~known, 1], c="#d9d9d9", **common)
        if known.any():
            sc = ax.scatter(
                xy[known, 0], xy[known, 1], c=vals[known], cmap=style.RISK_CMAP, norm=norm, **common
            )
    gap = 0.16
    for x, (px, py) in pts.items():
        ax.text(
            px + gap,
            py,
            labels[x],
            ha="left",
            va="center",
            fontsize=fs,
            color=style.TEXT,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    ax.set_xlim(-0.25, max(xs.values()) + gap + _text_in(labels, cols[-1], pos, fs) + 0.05)
    ax.set_ylim(-0.02, 1.02)
    if sc is not None:
        cb = _root(fig).colorbar(sc, ax=ax, fraction=0.02, pad=0.01, aspect=30)
        _pct_axis(cb.ax.yaxis, vmax)
        cb.ax.tick_params(labelsize=_fs(fig, -3))
        cb.set_label(value_label, fontsize=_fs(fig, -2))
    if len(regions) > 1:
        handles = [
            Line2D(
                [],
                [],
                marker=reg_style[r][0],
                ls="",
                mfc="white",
                mec=reg_style[r][1],
                mew=2.0,
                ms=8 * _scale(fig),
                label=style.plain(r or "(none)", 14),
            )
            for r in regions
        ]
        ax.legend(
            handles=handles,
            title="Region",
            title_fontsize=_fs(fig, -3),
            fontsize=_fs(fig, -4),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=min(len(regions), 12),
            frameon=False,
            handletextpad=0.2,
            columnspacing=1.0,
        )
    n = graph.number_of_nodes()
    _title(ax, fig, title or f"Network map: {n} sites, raw suppliers (left) to customers (right)")
    return _done(fig)


def _region_style(i: int) -> tuple[str, str]:
    """Marker and outline colour of the ``i``-th region: both change from one to the next."""
    # outlines must stand out against the yellow-to-red fills: no yellow, orange or vermillion
    colours = [
        style.OKABE_ITO[k] for k in ("blue", "bluish_green", "black", "reddish_purple", "sky_blue")
    ]
    return REGION_MARKERS[i % len(REGION_MARKERS)], colours[i % len(colours)]


def _char_in(fs: float) -> float:
    """Mean width of a character of DejaVu Sans at ``fs`` points, in inches."""
    return 0.6 * fs / 72.0


def _text_in(labels: Mapping[Any, str], col: int, pos: Mapping[Any, Any], fs: float) -> float:
    chars = max((len(t) for x, t in labels.items() if int(pos[x][0]) == col), default=4)
    return chars * _char_in(fs)


def _column_x(
    cols: Sequence[int],
    pos: Mapping[Any, tuple[float, float]],
    labels: Mapping[Any, str],
    fs: float,
    avail: float,
) -> tuple[dict[int, float], float]:
    """x of each column (inches): each column as wide as its node and longest label.

    The type size shrinks (not below 5.5 pt) until the map fits ``avail`` inches.
    """
    while True:
        xs: dict[int, float] = {}
        x = 0.0
        for c in cols:
            xs[c] = x
            x += 0.16 + _text_in(labels, c, pos, fs) + 0.35
        total = x - 0.35
        if total <= avail or fs <= 5.5:
            if total < avail:  # spread out to the width available
                k = avail / max(total, 1e-9)
                xs = {c: v * k for c, v in xs.items()}
            return xs, fs
        fs = max(5.5, fs * 0.92)


# ----------------------------------------------------------------------------- buffer plans

_PLANS = (
    ("current_days", "Now", style.OKABE_ITO["sky_blue"], ""),
    ("gsm_days", "Guaranteed-service plan", style.OKABE_ITO["blue"], "//"),
    ("aware_days", "Disruption-aware plan", style.OKABE_ITO["vermillion"], ".."),
)


def buffer_plans_figure(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    figure: Canvas | None = None,
) -> Figure:
    """Safety stock (days of cover) of each site now and under each plan, grouped bars.

    Parameters
    ----------
    rows : sequence of mapping
        One per site, in display order (top first), with ``site_id`` and any of
        ``current_days``, ``gsm_days``, ``aware_days`` (None or missing: not shown).
    """
    fig = _prepare(figure, figsize)
    if not rows:
        return empty_figure("No site needs a buffer decision.", figure=fig)
    plans = [p for p in _PLANS if any(style.finite(r.get(p[0])) for r in rows)]
    ax = fig.add_subplot(1, 1, 1)
    _style_axes(ax, fig)
    n, k = len(rows), max(len(plans), 1)
    height = 0.8 / k
    y = np.arange(n)[::-1].astype(float)
    for i, (key, label, colour, hatch) in enumerate(plans):
        vals = np.array(
            [float(r[key]) if style.finite(r.get(key)) else 0.0 for r in rows], dtype=float
        )
        pos = y + (k - 1) / 2 * height - i * height
        ax.barh(
            pos,
            vals,
            height * 0.92,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            label=label,
            zorder=2,
        )
    ax.set_yticks(y, [site_label(str(r["site_id"]), "", 26) for r in rows], fontsize=_fs(fig, -2))
    ax.grid(axis="x", color=style.GRID, zorder=0)
    ax.set_axisbelow(True)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8))
    _label(ax, fig, x="Safety stock (days of cover)")
    _title(ax, fig, title or "Safety stock now and as planned")
    handles, texts = ax.get_legend_handles_labels()
    _outside_legend(fig, handles, texts)
    return _done(fig)
