"""The fit of one lane: histogram with the fitted probabilities, and a QQ plot. No Qt."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from jitrisk.history.fit import LaneResult
from jitrisk.report import style

from .. import theme


def lane_fit_figure(lane: LaneResult, *, figure: Figure | None = None) -> Figure:
    """Observed whole-day lead times against the fit (left) and their QQ plot (right)."""
    fig = figure or Figure(figsize=(8, 3.4), layout="constrained")
    fig.clear()
    fig.set_facecolor("white")
    days = np.asarray(lane.days, dtype=np.int64)
    if len(days) == 0:
        fig.text(0.5, 0.5, "No usable deliveries on this lane.", ha="center", color=theme.MUTED)
        return fig
    hist_ax, qq_ax = fig.subplots(1, 2, width_ratios=(3, 2))
    # whole days when the spread is narrow, else about 40 bins of whole weeks or more
    width = max(1, int(np.ceil((days.max() - days.min() + 1) / 40)))
    width = width if width == 1 else int(np.ceil(width / 7) * 7)
    edges = np.arange(days.min(), days.max() + width + 1, width)
    counts, _ = np.histogram(days, bins=edges - 0.5)
    hist_ax.bar(edges[:-1] + (width - 1) / 2, counts / counts.sum(), width=0.9 * width,
                color=style.OKABE_ITO["sky_blue"], label="observed")  # fmt: skip
    f = lane.fit
    if f is not None and f.pmf is not None:
        grid = np.arange(0, int(edges[-1]) + 1)
        p = f.pmf(grid)
        binned = np.add.reduceat(p, np.clip(edges[:-1], 0, len(p) - 1).astype(int))[: len(counts)]
        label = f.cell if len(f.cell) <= 28 else f"{f.family} ({len(f.cell.split(','))} points)"
        hist_ax.plot(edges[:-1] + (width - 1) / 2, binned, "o-", color=style.RISK, ms=3, lw=1.4,
                     label=label)  # fmt: skip
        probs = (np.arange(len(days)) + 0.5) / len(days)
        theory = f.quantiles(probs)
        qq_ax.plot(theory, np.sort(days), ".", color=style.SAFE, ms=4)
        top = max(float(theory.max()), float(days.max()))
        qq_ax.plot([0, top], [0, top], "--", color=theme.MUTED, lw=1)
        p = "n/a" if f.gof_pvalue is None else f"{f.gof_pvalue:.3f}"
        qq_ax.set_title(f"QQ plot · χ² p = {p}", loc="left", fontsize=10)
        qq_ax.set_xlabel("fitted quantile (days)")
        qq_ax.set_ylabel("observed (days)")
    else:
        qq_ax.set_axis_off()
        qq_ax.text(0.5, 0.5, lane.reason or "not fitted", ha="center", wrap=True, fontsize=9)
    hist_ax.set_title(f"{lane.key}: {len(days)} deliveries", loc="left", fontsize=10)
    hist_ax.set_xlabel("lead time (days)" + (f", {width}-day bins" if width > 1 else ""))
    hist_ax.set_ylabel("share of deliveries")
    hist_ax.legend(fontsize=8, frameon=False)
    for ax in (hist_ax, qq_ax):
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
    return fig
