"""The network map figure: tiers as columns, regions as markers, risk as colour."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Unpack

import networkx as nx
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import style
from ..layout import layered_positions
from .common import (
    Frame,
    _done,
    _fs,
    _pct_axis,
    _root,
    _scale,
    _title,
    empty_figure,
    frame_canvas,
    site_label,
)

#: Markers of regions on the network map (with 5 outline colours: 40 distinct pairs).
REGION_MARKERS = ("o", "s", "D", "^", "v", "p", "h", "P")


def network_map_figure(
    graph: nx.DiGraph,
    values: Mapping[Hashable, float],
    *,
    value_label: str = "Stockout-day probability",
    **frame: Unpack[Frame],
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
    fig = frame_canvas(frame, (13.333, 7.5))
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
    _title(
        ax,
        fig,
        frame.get("title") or f"Network map: {n} sites, raw suppliers (left) to customers (right)",
    )
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
