"""Figures of the analyses: the buffer curve, time to survive against time to recover, plans."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .. import style
from .common import (
    Canvas,
    Doc,
    Frame,
    _days_text,
    _done,
    _est,
    _fs,
    _label,
    _outside_legend,
    _pct_axis,
    _root,
    _scale,
    _style_axes,
    _title,
    ci_whiskers,
    empty_figure,
    frame_canvas,
    hang_clear,
    site_label,
)


def buffer_curve_figure(
    curve: Doc,
    **frame: Unpack[Frame],
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
    fig = frame_canvas(frame)
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
    _title(ax, fig, frame.get("title") or f"JIT buffer curve: {who}")
    del l1, l2
    _outside_legend(fig, handles)
    return _done(fig)


def tts_ttr_figure(
    risk: Doc,
    *,
    labels: int = 8,
    **frame: Unpack[Frame],
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
    fig = frame_canvas(frame)
    pts = risk_points(risk)
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
    dodge = _dodge(pts, xmax * 0.009)
    shown: list[Any] = []  # every marker's (TTR, TTS) as drawn
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
        ci_whiskers(
            ax,
            xs[~off],
            ys[~off],
            a[~off, 2],
            a[~off, 3],
            colour=colour,
            width=1.0,
            cap=0,
            alpha=0.6,
        )
        shown.append(np.column_stack([xs, ys]))
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
    sources = {str(k): str(v.get("ttr_source", "")) for k, v in (risk.get("sites") or {}).items()}
    chosen = sorted(pts, key=lambda p: (not p[7], -p[6], p[3]))[: max(labels, 0)]
    _place_labels(
        ax,
        fig,
        [(p[2] + dodge[pts.index(p)], min(p[3], ymax), _risk_label(p)) for p in chosen],
        xmax,
        ymax,
        right=max(p[2] + dodge[i] for i, p in enumerate(pts)),
    )
    ax.grid(color=style.GRID, zorder=0)
    _label(ax, fig, x="Time to recover, TTR (days)", y="Time to survive, TTS (days)")
    n_exp = sum(1 for p in pts if p[7] and p[0] == "sites")
    n_sites = sum(1 for p in pts if p[0] == "sites")
    _title(
        ax,
        fig,
        frame.get("title")
        or f"Time to survive vs time to recover: {n_exp} of {n_sites} sites exposed",
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
    pile = _pile(pts, sources)
    if pile is not None:  # say why so many sites share one TTR
        note = ax.annotate(
            f"{pile[1]} sites with no TTR of their own:\nthe default of {pile[0]:g} days",
            xy=(pile[0] - 3.5 * xmax * 0.009, ymax * 0.9),
            xytext=(0.02, 0.98),
            textcoords="axes fraction",
            va="top",
            fontsize=_fs(fig, -3),
            color=style.MUTED,
            arrowprops={"arrowstyle": "-", "color": style.MUTED, "lw": 0.8},
            zorder=3,
        )
        # the corner that covers the fewest sites and labels: beside the pile it ran off
        # a narrow chart into the labels, and a fixed corner hid a site
        top = 0.86 if clipped else 0.98
        centres = np.vstack(shown)
        hang_clear(
            fig,
            ax,
            note,
            [(0.02, top, "left"), (0.98, top, "right"), (0.02, 0.62, "left")],
            lambda: ax.transData.transform(centres),
            pad_pt=6.0,  # a marker's half width
        )
    return _done(fig)


_RiskPoint = tuple[str, str, float, float, float, float, float, bool]


def risk_points(risk: Mapping[str, Any]) -> list[_RiskPoint]:
    """(kind, id, TTR, TTS, TTS lo, TTS hi, REI, exposed) of every site and region of a
    risk document with both times known: what a TTS-against-TTR chart draws."""
    pts = []
    for kind in ("sites", "regions"):
        for sid, r in (risk.get(kind) or {}).items():
            m, lo, hi = _est(r.get("tts_days"))
            ttr = float(r.get("ttr_days", math.nan))
            if math.isfinite(m) and math.isfinite(ttr):
                rei = float(r.get("risk_exposure_index") or 0.0)
                pts.append((kind, str(sid), ttr, m, lo, hi, rei, bool(r.get("exposed"))))
    return pts


def _dodge(pts: Sequence[_RiskPoint], step: float) -> list[float]:
    """Small x offsets that spread points sharing one TTR (a default) into a band:
    by rank of TTS across 5 columns, 7 for a pile of 12 or more."""
    out = [0.0] * len(pts)
    groups: dict[float, list[int]] = {}
    for i, p in enumerate(pts):
        groups.setdefault(round(p[2], 6), []).append(i)
    for members in groups.values():
        if len(members) < 3:
            continue
        cols = 7 if len(members) >= 12 else 5
        for rank, i in enumerate(sorted(members, key=lambda j: pts[j][3])):
            out[i] = ((rank % cols) - cols // 2) * step
    return out


def _pile(pts: Sequence[_RiskPoint], sources: Mapping[str, str]) -> tuple[float, int] | None:
    """The TTR most sites share when it is the default one (at least 8 sites): TTR, count."""
    counts: dict[float, int] = {}
    for p in pts:
        if p[0] == "sites" and sources.get(p[1]) == "default":
            counts[p[2]] = counts.get(p[2], 0) + 1
    if not counts:
        return None
    ttr, n = max(counts.items(), key=lambda kv: kv[1])
    return (ttr, n) if n >= 8 else None


def _risk_label(p: _RiskPoint) -> str:
    name = style.plain(p[1], 22)
    return f"region {name}" if p[0] == "regions" else name


def _place_labels(
    ax: Any,
    fig: Canvas,
    items: Sequence[tuple[float, float, str]],
    xmax: float,
    ymax: float,
    right: float | None = None,
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
    # one column right of every point (``right``), so the leader lines run side by side
    column = max(max(x for x, _y, _t in items), right or 0.0) + xmax * 0.04
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


_PLANS = (
    ("current_days", "Now", style.OKABE_ITO["sky_blue"], ""),
    ("recommended_days", "Recommended", style.OKABE_ITO["bluish_green"], "xx"),
    ("gsm_days", "Guaranteed-service plan", style.OKABE_ITO["blue"], "//"),
    ("aware_days", "Disruption-aware plan", style.OKABE_ITO["vermillion"], ".."),
)


def buffer_plans_figure(
    rows: Sequence[Mapping[str, Any]],
    **frame: Unpack[Frame],
) -> Figure:
    """Safety stock (days of cover) of each site now and under each plan, grouped bars.

    Parameters
    ----------
    rows : sequence of mapping
        One per site, in display order (top first), with ``site_id`` and any of
        ``current_days``, ``gsm_days``, ``aware_days`` (None or missing: not shown).
    """
    fig = frame_canvas(frame)
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
    _title(ax, fig, frame.get("title") or "Safety stock now and as planned")
    handles, texts = ax.get_legend_handles_labels()
    _outside_legend(fig, handles, texts)
    return _done(fig)
