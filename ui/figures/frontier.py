"""The frontier chart: revenue at risk a year against inventory value held. No Qt."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
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
        name = ax.annotate(text, (x, shown), xytext=offset, textcoords="offset points",
                           fontsize=9, color=colour, va=va, arrowprops={
                               "arrowstyle": "-", "color": colour, "lw": 0.7,
                               "shrinkA": 1, "shrinkB": 5})  # fmt: skip
        if name.arrow_patch is not None:
            name.arrow_patch.set_visible(False)  # a leader only when the name moves away
        names.append(name)
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
        # over the axes, which start about an inch in: bold 12 pt, about 0.62 em a letter
        textwrap.fill(title, max(30, int((width_in - 1.0) * 72 / (0.62 * 12)))),
        loc="left", fontsize=12, fontweight="bold", color=style.TEXT,
    )  # fmt: skip
    if isinstance(fig, Figure):
        spread_labels(fig, names, keep=3 if gsm else 2)
    return fig


#: Half the side of the square around a marked point kept free of other points' names
#: (pixels at 100 dpi).
MARKER_PX = 7


def name_box(label: Annotation) -> Bbox:
    """Where a point's name is drawn (pixels): its text only, without its leader line."""
    label.get_window_extent()  # brings the name's position up to date
    return Text.get_window_extent(label)


def spread_labels(fig: Figure, labels: list[Annotation], keep: int = 0) -> None:
    """Move the points' names apart so that none overprints another name or point.

    Greedy: the first ``keep`` names (today's, the recommendation's) first, then the
    rest from the highest down. A name that would leave the figure on the right goes
    to the left of its point; a name that meets a name already placed, or another
    marked point, goes to the nearest free line inside the axes, below before above,
    with a thin leader line back to its point (scenarios close together on a small
    chart had their names drawn over each other); with no free line, it stays by its
    point. The names do not count in the layout, so moving them does not move the
    axes.
    """
    if not labels:
        return
    for label in labels:
        label.set_in_layout(False)
    fig.draw_without_rendering()  # the axes where the layout puts them
    ax = labels[0].axes
    assert ax is not None
    r = MARKER_PX * fig.dpi / 100
    marks = []
    for label in labels:
        px, py = ax.transData.transform(label.xy)
        marks.append(Bbox.from_extents(px - r, py - r, px + r, py + r))
    floor, ceiling = ax.get_window_extent().y0, ax.get_window_extent().y1
    placed: list[Bbox] = []
    rest = sorted(range(keep, len(labels)), key=lambda i: -name_box(labels[i]).y1)
    order = list(range(min(keep, len(labels)))) + rest
    flipped = False
    for label in labels:
        if name_box(label).x1 > fig.bbox.x1 - 2:
            x, y = label.xyann
            label.set_horizontalalignment("right")
            label.xyann = (-abs(x) - 4, y)
            flipped = True
    if flipped:
        fig.draw_without_rendering()  # the names' extents where they now are
    for i in order:
        label = labels[i]
        others = placed + [m for j, m in enumerate(marks) if j != i]
        box = name_box(label)
        x, y = label.xyann  # offset points
        step = box.height + 2  # pixels
        shifts = [0.0] + [d * n * step for n in range(1, 2 * len(labels) + 1) for d in (-1, 1)]
        for shift in shifts:
            moved = box.translated(0, shift)
            if moved.y0 < floor or moved.y1 > ceiling:
                continue
            if not any(moved.overlaps(b) for b in others):
                label.xyann = (x, y + shift * 72 / fig.dpi)
                if shift and label.arrow_patch is not None:
                    label.arrow_patch.set_visible(True)  # a leader back to its point
                break
        placed.append(name_box(label))


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
