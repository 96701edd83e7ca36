"""The frontier chart: revenue at risk a year against inventory value held. No Qt."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from jitrisk.report import figures as report
from jitrisk.report import style

from ..logic.formatting import format_compact


def frontier_figure(doc: Mapping[str, Any], currency: str = "", **frame: Any) -> Figure:
    """The search curve (common random numbers), the confirmed points with their 95 %
    intervals, and the current, recommended, guaranteed-service and scenario points."""
    fig = report.frame_canvas(frame)
    search = doc.get("search") or []
    if not doc.get("frontier"):
        return report.empty_figure("No frontier computed yet.", figure=fig)
    ax = fig.add_subplot(1, 1, 1)
    cur = doc["points"]["current"]
    base_value = cur["inventory_value"]
    start = cur["revenue_at_risk"]["mean"]
    xs = [base_value] + [base_value + s["extra_value"] for s in search]
    first = search[0]["revenue_at_risk"] + search[0]["step_benefit_per_year"] if search else start
    ys = [first] + [s["revenue_at_risk"] for s in search]
    ax.plot(xs, ys, "-", color=style.MUTED, lw=1.4, label="search (common random numbers)")
    pts = doc["frontier"]
    px = np.array([p["inventory_value"] for p in pts])
    pm = np.array([p["revenue_at_risk"]["mean"] for p in pts])
    lo = np.array([p["revenue_at_risk"]["ci95"][0] for p in pts])
    hi = np.array([p["revenue_at_risk"]["ci95"][1] for p in pts])
    ax.errorbar(px, pm, yerr=[pm - lo, hi - pm], fmt="o", color=style.SAFE, ms=5, capsize=3,
                label="confirmed on fresh numbers (95 % CI)")  # fmt: skip
    rec = doc["recommended"]
    marks = [
        (cur, "Now", style.OKABE_ITO["black"], "s"),
        (rec, "Recommended", style.RISK, "*"),
    ]
    gsm = doc["points"].get("gsm")
    if gsm:
        marks.append((gsm, "Guaranteed service", style.OKABE_ITO["bluish_green"], "D"))
    for name, p in (doc["points"].get("scenarios") or {}).items():
        marks.append((p, name, style.OKABE_ITO["reddish_purple"], "P"))
    # the frontier's own range decides the scale; a far worse scenario sits on the top edge
    top = 1.3 * max([*ys, *hi, *(m[0]["revenue_at_risk"]["mean"] for m in marks[:3])])
    n_off = 0
    names = []
    for p, label, colour, marker in marks:
        x, y = p["inventory_value"], p["revenue_at_risk"]["mean"]
        off = y > top
        shown = top if off else y
        ax.scatter([x], [shown], s=140 if marker == "*" else 70, marker="^" if off else marker,
                   color=colour, zorder=5, label=label, clip_on=False)  # fmt: skip
        if off:  # one line each under the top edge, so several never overprint
            n_off += 1
            text = f" {label}: {format_compact(y)} (off the chart)"
            offset, va = (6, -13 * n_off), "center"
        else:
            text, offset, va = f" {label}", (0, 2), "bottom"
        names.append(ax.annotate(text, (x, shown), xytext=offset, textcoords="offset points",
                                 fontsize=9, color=colour, va=va))  # fmt: skip
    ax.set_ylim(0, top)
    money = f" ({currency})" if currency else ""
    ax.xaxis.set_major_formatter(lambda v, _p: format_compact(v))
    ax.yaxis.set_major_formatter(lambda v, _p: format_compact(v))
    ax.set_xlabel(f"Safety stock held, inventory value{money}")
    ax.set_ylabel(f"Revenue at risk a year{money}")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(color=style.GRID)
    ax.set_axisbelow(True)
    # under the chart, never over the curve; the title wrapped to the width
    handles, labels = ax.get_legend_handles_labels()
    width_in = fig.get_size_inches()[0] if isinstance(fig, Figure) else 8.0
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, frameon=False,
               ncols=max(2, min(5, int(width_in // 2.2))))  # fmt: skip
    title = frame.get("title") or "What more safety stock buys: revenue at risk against stock held"
    ax.set_title(
        textwrap.fill(title, max(30, int(width_in * 72 / (0.62 * 12)))),
        loc="left", fontsize=12, fontweight="bold", color=style.TEXT,
    )  # fmt: skip
    if isinstance(fig, Figure):
        spread_labels(fig, names)
    return fig


def spread_labels(fig: Figure, labels: list[Annotation]) -> None:
    """Move the points' names apart so that none overprints another.

    Greedy, from the highest name down: a name that meets one already placed moves
    down below it (its point stays; scenarios close together on a small chart named
    each other's names over). The names do not count in the layout, so moving them
    does not move the axes.
    """
    if len(labels) < 2:
        return
    for label in labels:
        label.set_in_layout(False)
    fig.draw_without_rendering()  # the axes where the layout puts them
    placed: list[Bbox] = []
    for label in sorted(labels, key=lambda t: -t.get_window_extent().y1):
        for _ in range(len(labels)):
            box = label.get_window_extent()
            hit = [b for b in placed if box.overlaps(b)]
            if not hit:
                break
            down = box.y1 - min(b.y0 for b in hit) + 1  # pixels
            x, y = label.xyann  # offset points
            label.xyann = (x, y - down * 72 / fig.dpi)
        placed.append(label.get_window_extent())


def data_spots(
    points: Mapping[str, tuple[float, float]],
) -> Callable[[Figure], dict[str, tuple[float, float]]]:
    """A function finding ``points`` (key -> data x, y of the chart's first axes) in the
    rendered figure, in pixels from its top left: what a click on the chart can pick."""

    def find(figure: Figure) -> dict[str, tuple[float, float]]:
        if not figure.axes:
            return {}
        ax = figure.axes[0]
        height = figure.bbox.height
        out = {}
        for key, (x, y) in points.items():
            px, py = ax.transData.transform((x, y))
            out[key] = (float(px), float(height - py))
        return out

    return find
