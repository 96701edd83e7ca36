"""Scenarios side by side: network KPIs, their differences with CIs, and a grouped chart. Qt-free.

Runs with the same seed, horizon and number of trials use **common random
numbers**: trial *i* sees the same demand, lead times and random disruptions
in every scenario (docs/MODEL.md, "Random numbers"). The difference between
two scenarios is then estimated from per-trial differences, whose spread is far
smaller than that of two independent runs:

* probability of any customer stockout: mean of the per-trial differences of
  the 0/1 indicators, CI ``mean ± 1.96·s/√n``;
* expected lost revenue: mean of the per-trial differences of network lost revenue;
* customer fill rate (a ratio of sums): delta method on the paired
  linearised values ``(filled − R·demand)/mean(demand)``;
* VaR95: paired bootstrap of the difference of the 95% quantiles;
* per site, the stockout-day probability: per-trial differences of the share
  of stockout days.

Runs that differ in seed, horizon or trials are compared as independent
samples (the CIs are then wider), and the comparison says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from numpy.typing import NDArray

from jitrisk.engine import kernel as K
from jitrisk.engine.results import SimulationResult
from jitrisk.report.figures import ci_whiskers

from .. import theme
from .formatting import MISSING, format_compact, format_money, format_percent
from .tasks import RunOutcome

Z95 = 1.959963984540054
BOOTSTRAP = 400
#: Colours of the scenarios in order (the reference first): Okabe–Ito.
SCENARIO_COLOURS = (
    theme.OKABE_ITO["blue"],
    theme.OKABE_ITO["orange"],
    theme.OKABE_ITO["bluish_green"],
    theme.OKABE_ITO["vermillion"],
    theme.OKABE_ITO["sky_blue"],
    theme.OKABE_ITO["reddish_purple"],
    theme.OKABE_ITO["black"],
)
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "oo")
#: Short KPI names under the bars.
CHART_LABELS = {
    "any_customer_stockout": "Any customer\nstockout",
    "fill_rate": "Customer\nfill rate",
    "lost_revenue": "Expected",
    "var95": "VaR95",
}


@dataclass(frozen=True)
class Interval:
    """A mean with its 95% CI."""

    mean: float
    lo: float
    hi: float

    @property
    def excludes_zero(self) -> bool:
        return (self.lo > 0 or self.hi < 0) and math.isfinite(self.lo) and math.isfinite(self.hi)


@dataclass(frozen=True)
class KpiSpec:
    key: str
    label: str
    kind: str  # percent | money
    higher_is_better: bool


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("any_customer_stockout", "P(any customer stockout)", "percent", False),
    KpiSpec("fill_rate", "Customer fill rate", "percent", True),
    # "at risk": delivered late with backorders, lost with lost sales (see the glossary)
    KpiSpec("lost_revenue", "Expected revenue at risk", "money", False),
    KpiSpec("var95", "Revenue at risk VaR95", "money", False),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


@dataclass(frozen=True)
class KpiRow:
    """One KPI of one scenario: its value and its difference from the reference."""

    spec: KpiSpec
    value: Interval
    delta: Interval | None  # None for the reference itself

    def verdict(self) -> str:
        """``better``, ``worse`` or ``no clear change`` (the CI of the difference holds 0)."""
        if self.delta is None or not self.delta.excludes_zero:
            return "no clear change"
        up = self.delta.mean > 0
        return "better" if up == self.spec.higher_is_better else "worse"


@dataclass
class Comparison:
    """Every scenario against the reference.

    Attributes
    ----------
    reference : str
    scenarios : list of str
        The reference first, then the others in the order given.
    rows : dict
        Scenario -> its :class:`KpiRow` per KPI key.
    paired : dict
        Scenario -> True when its differences are paired (common random numbers).
    sites : dict
        Scenario -> DataFrame of the sites whose stockout-day probability changes
        most (columns ``name, type, reference, value, delta, lo, hi``).
    currency : str
    """

    reference: str
    scenarios: list[str]
    rows: dict[str, dict[str, KpiRow]] = field(default_factory=dict)
    paired: dict[str, bool] = field(default_factory=dict)
    sites: dict[str, pd.DataFrame] = field(default_factory=dict)
    currency: str = ""
    runs: dict[str, str] = field(default_factory=dict)

    @property
    def all_paired(self) -> bool:
        return all(self.paired.get(s, True) for s in self.scenarios[1:])


# --------------------------------------------------------------------------- statistics
def _mean_ci(x: NDArray[np.float64]) -> Interval:
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan)
    m = float(np.mean(x))
    se = float(np.std(x, ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    return Interval(m, m - Z95 * se, m + Z95 * se)


def _indep_diff(a: Interval, b: Interval) -> Interval:
    """b - a for independent estimates, from their (symmetric-ish) 95% CIs."""
    se_a, se_b = (a.hi - a.lo) / (2 * Z95), (b.hi - b.lo) / (2 * Z95)
    m = b.mean - a.mean
    se = math.hypot(se_a, se_b)
    return Interval(m, m - Z95 * se, m + Z95 * se)


def _quantile(x: NDArray[np.float64], q: float = 0.95) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


def _bootstrap_quantile_diff(
    a: NDArray[np.float64], b: NDArray[np.float64], paired: bool, q: float = 0.95, seed: int = 0
) -> Interval:
    """Percentile bootstrap CI of ``quantile(b) - quantile(a)``."""
    rng = np.random.default_rng(seed)
    m = _quantile(b, q) - _quantile(a, q)
    if len(a) < 2 or len(b) < 2:
        return Interval(m, math.nan, math.nan)
    n_a, n_b = len(a), len(b)
    ia = rng.integers(0, n_a, size=(BOOTSTRAP, n_a))
    ib = ia if paired else rng.integers(0, n_b, size=(BOOTSTRAP, n_b))
    k_a, k_b = int(q * (n_a - 1)), int(q * (n_b - 1))
    qa = np.partition(a[ia], k_a, axis=1)[:, k_a]
    qb = np.partition(b[ib], k_b, axis=1)[:, k_b]
    d = qb - qa
    return Interval(m, float(np.quantile(d, 0.025)), float(np.quantile(d, 0.975)))


def _any_stockout(result: SimulationResult) -> NDArray[np.float64]:
    return (result.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT] >= 0).astype(np.float64)


def _customer_sums(result: SimulationResult) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    cust = result.compiled.customer_sites
    filled = result.site_out[:, cust, K.M_FILLED].sum(axis=1)
    demand = result.site_out[:, cust, K.M_DEMAND].sum(axis=1)
    return filled, demand


def _ratio(filled: NDArray[np.float64], demand: NDArray[np.float64]) -> float:
    total = float(np.sum(demand))
    return float(np.sum(filled)) / total if total > 0 else math.nan


def _linearised(filled: NDArray[np.float64], demand: NDArray[np.float64]) -> NDArray[np.float64]:
    r = _ratio(filled, demand)
    mean_d = float(np.mean(demand)) if len(demand) else math.nan
    if not mean_d or not math.isfinite(r):
        return np.zeros_like(filled)
    return (filled - r * demand) / mean_d


def is_paired(a: RunOutcome, b: RunOutcome) -> bool:
    """True when ``a`` and ``b`` share seed, horizon, warm-up and trials: common random numbers."""
    ca, cb = a.result.config, b.result.config
    return (
        a.result.trials == b.result.trials
        and ca.seed == cb.seed
        and ca.days == cb.days
        and ca.warmup_days == cb.warmup_days
    )


def _value_intervals(outcome: RunOutcome) -> dict[str, Interval]:
    stats = outcome.stats

    def est(d: Mapping[str, Any]) -> Interval:
        lo, hi = d["ci95"]
        return Interval(float(d["mean"]), float(lo), float(hi))

    lr = stats["lost_revenue"]
    var_lo, var_hi = lr.get("var95_ci95", (math.nan, math.nan))
    return {
        "any_customer_stockout": est(stats["any_customer_stockout_probability"]),
        "fill_rate": est(stats["fill_rate"]),
        "lost_revenue": est(lr),
        "var95": Interval(float(lr["var95"]), float(var_lo), float(var_hi)),
    }


def kpi_deltas(reference: RunOutcome, other: RunOutcome) -> tuple[dict[str, Interval], bool]:
    """Differences ``other − reference`` of every KPI, paired when the runs allow it."""
    paired = is_paired(reference, other)
    ra, rb = reference.result, other.result
    la, lb = reference.losses, other.losses
    out: dict[str, Interval] = {}
    va, vb = _value_intervals(reference), _value_intervals(other)
    if paired:
        out["any_customer_stockout"] = _mean_ci(_any_stockout(rb) - _any_stockout(ra))
        fa, da = _customer_sums(ra)
        fb, db = _customer_sums(rb)
        z = _linearised(fb, db) - _linearised(fa, da)
        d = _mean_ci(z)
        m = _ratio(fb, db) - _ratio(fa, da)
        half = (d.hi - d.lo) / 2
        out["fill_rate"] = Interval(m, m - half, m + half)
        out["lost_revenue"] = _mean_ci(lb - la)
    else:
        for key in ("any_customer_stockout", "fill_rate", "lost_revenue"):
            out[key] = _indep_diff(va[key], vb[key])
    out["var95"] = _bootstrap_quantile_diff(la, lb, paired)
    return out, paired


def site_deltas(reference: RunOutcome, other: RunOutcome, n: int = 10) -> pd.DataFrame:
    """Sites whose stockout-day probability changes most, with the CI of the change."""
    ra, rb = reference.result, other.result
    paired = is_paired(reference, other)
    common = [s for s in ra.site_ids if s in set(rb.site_ids)]
    rows = []
    for sid in common:
        a = ra.stockout_days(sid).astype(np.float64) / ra.days
        b = rb.stockout_days(sid).astype(np.float64) / rb.days
        d = _mean_ci(b - a) if paired else _indep_diff(_mean_ci(a), _mean_ci(b))
        site = rb.network.site_by_id.get(sid)
        rows.append(
            {
                "site_id": sid,
                "name": site.label if site else sid,
                "type": site.type if site else "",
                "reference": float(np.mean(a)),
                "value": float(np.mean(b)),
                "delta": d.mean,
                "lo": d.lo,
                "hi": d.hi,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["site_id", "name", "type", "reference", "value", "delta", "lo", "hi"]
    )
    if frame.empty:
        return frame.set_index("site_id")
    frame = frame.set_index("site_id")
    order = frame["delta"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].head(n)


def compare(
    runs: Mapping[str, RunOutcome], reference: str, scenarios: Sequence[str] | None = None
) -> Comparison:
    """Compare ``scenarios`` (default: every run) with ``reference``."""
    if reference not in runs:
        raise KeyError(f"no run of scenario '{reference}'")
    names = [reference] + [s for s in (scenarios or list(runs)) if s != reference and s in runs]
    ref = runs[reference]
    result = Comparison(reference=reference, scenarios=names, currency=ref.currency)
    for name in names:
        outcome = runs[name]
        values = _value_intervals(outcome)
        req = outcome.request
        result.runs[name] = (
            f"{outcome.result.trials:,} trials · {req.days:,} days · seed {req.seed}"
        )
        if name == reference:
            result.rows[name] = {k.key: KpiRow(k, values[k.key], None) for k in KPIS}
            result.paired[name] = True
            continue
        deltas, paired = kpi_deltas(ref, outcome)
        result.paired[name] = paired
        result.rows[name] = {k.key: KpiRow(k, values[k.key], deltas[k.key]) for k in KPIS}
        result.sites[name] = site_deltas(ref, outcome)
    return result


# --------------------------------------------------------------------------- text
def format_value(spec: KpiSpec, value: Interval, currency: str = "") -> str:
    if not math.isfinite(value.mean):
        return MISSING
    if spec.kind == "percent":
        return format_percent(value.mean, 1)
    return format_money(value.mean, currency)


def format_ci(spec: KpiSpec, value: Interval) -> str:
    if not (math.isfinite(value.lo) and math.isfinite(value.hi)):
        return ""
    if spec.kind == "percent":
        return f"[{value.lo * 100:.1f}, {value.hi * 100:.1f}]"
    return f"[{format_compact(value.lo)}, {format_compact(value.hi)}]"


def format_delta(spec: KpiSpec, delta: Interval) -> str:
    """``'+3.2 pp [+1.1, +5.3]'`` or ``'−120.5M [−150.2M, −90.8M]'``."""
    if not math.isfinite(delta.mean):
        return MISSING

    def signed(v: float) -> str:
        if not math.isfinite(v):
            return MISSING
        if spec.kind == "percent":
            text = f"{v * 100:+.1f}"
            return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", "−")
        if abs(v) < 0.5:  # money: less than half a currency unit is no change
            return "0"
        return ("−" if v < 0 else "+") + format_compact(abs(v))

    unit = " pp" if spec.kind == "percent" else ""
    return f"{signed(delta.mean)}{unit} [{signed(delta.lo)}, {signed(delta.hi)}]"


# --------------------------------------------------------------------------- chart
def comparison_table(comparison: Comparison) -> str:
    """The key-figure table as tab-separated text, to paste into Excel or PowerPoint:
    a row per KPI, for each scenario its value with the 95% CI and its change from the
    reference (empty for the reference)."""
    head = ["Network KPI (95% CI)"]
    for name in comparison.scenarios:
        ref = name == comparison.reference
        head += [f"{name} (reference)" if ref else name, "" if ref else f"{name}: change"]
    lines = ["\t".join(head)]
    for spec in KPIS:
        cells = [spec.label]
        for name in comparison.scenarios:
            kpi = comparison.rows[name][spec.key]
            shown = format_value(spec, kpi.value, comparison.currency)
            cells.append(f"{shown} {format_ci(spec, kpi.value)}")
            cells.append("" if kpi.delta is None else format_delta(spec, kpi.delta))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    for spine in ("left", "bottom"):
        ax.spines[spine].set_color(theme.BORDER)
    ax.tick_params(labelsize=9, color=theme.MUTED)
    ax.grid(axis="y", color=theme.SUBTLE, zorder=0)


def comparison_figure(
    comparison: Comparison,
    *,
    figure: Figure | None = None,
    figsize: tuple[float, float] = (11.0, 4.2),
) -> Figure:
    """Grouped bars: each KPI with a bar per scenario (95% CI whiskers), and the change in
    expected lost revenue against the reference (paired CI)."""
    if figure is None:
        figure = Figure(figsize=figsize, dpi=100, layout="constrained")
    else:
        figure.clear()
    figure.set_facecolor("white")
    names = comparison.scenarios
    k = len(names)
    colours = [SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i in range(k)]
    hatches = [HATCHES[i % len(HATCHES)] for i in range(k)]
    axes = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.0, 1.1]})
    width = 0.8 / max(k, 1)
    panels = (
        (axes[0], ("any_customer_stockout", "fill_rate"), "Probabilities", True),
        (axes[1], ("lost_revenue", "var95"), f"Lost revenue ({comparison.currency})", False),
    )
    for ax, keys, title, percent in panels:
        _style(ax)
        x = np.arange(len(keys))
        top = 0.0
        for i, name in enumerate(names):
            rows = comparison.rows[name]
            mean = np.array([rows[key].value.mean for key in keys])
            lo = np.array([rows[key].value.lo for key in keys])
            hi = np.array([rows[key].value.hi for key in keys])
            lo = np.where(np.isfinite(lo), np.minimum(lo, mean), mean)
            hi = np.where(np.isfinite(hi), np.maximum(hi, mean), mean)
            pos = x - 0.4 + width * (i + 0.5)
            ax.bar(
                pos,
                mean,
                width * 0.92,
                color=colours[i],
                hatch=hatches[i],
                edgecolor="white",
                linewidth=0.6,
                zorder=2,
                label=name,
            )
            ci_whiskers(ax, pos, mean, lo, hi, width=1, cap=2)
            top = max(top, float(np.nanmax(hi)))
        ax.set_xticks(x, [CHART_LABELS[key] for key in keys])
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
            ax.set_ylim(0, min(1.06, top * 1.12) if top > 0 else 1.0)
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_compact(v)))
            ax.set_ylim(0, top * 1.12 if top > 0 else 1.0)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.set_title(title, fontsize=10.5, loc="left", color=theme.TEXT, fontweight="bold")

    ax = axes[2]
    _style(ax)
    ax.grid(axis="x", color=theme.SUBTLE, zorder=0)
    ax.grid(axis="y", visible=False)
    others = names[1:]
    if others:
        y = np.arange(len(others))[::-1]
        mean = np.array([comparison.rows[n]["lost_revenue"].delta.mean for n in others])  # type: ignore[union-attr]
        lo = np.array([comparison.rows[n]["lost_revenue"].delta.lo for n in others])  # type: ignore[union-attr]
        hi = np.array([comparison.rows[n]["lost_revenue"].delta.hi for n in others])  # type: ignore[union-attr]
        ax.barh(y, mean, 0.6, color=colours[1:], zorder=2)
        for i in range(len(others)):
            ax.barh(
                y[i],
                mean[i],
                0.6,
                color=colours[1 + i],
                hatch=hatches[1 + i],
                edgecolor="white",
                zorder=2,
            )
        ci_whiskers(ax, y, mean, lo, hi, horizontal=True, width=1.5)
        ax.axvline(0, color=theme.TEXT, linewidth=0.8, zorder=3)
        ax.set_yticks(y, [n if len(n) <= 22 else n[:21] + "…" for n in others])
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _p: ("+" if v > 0 else "") + format_compact(v))
        )
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        span = max(float(np.nanmax(np.abs(np.r_[lo, hi, mean]))), 1.0)
        ax.set_xlim(-span * 1.45, span * 1.45)
        for yi, m in zip(y, mean, strict=True):
            label = ("+" if m > 0 else "−" if m < 0 else "") + format_compact(abs(m))
            # beside the zero line, on the side the bar does not take: never off the axes
            ax.text(
                -span * 0.04 if m > 0 else span * 0.04,
                yi,
                label,
                ha="right" if m > 0 else "left",
                va="center",
                fontsize=9,
                color=theme.TEXT,
                zorder=4,
            )
        kind = "paired 95% CI" if comparison.all_paired else "95% CI"
        ax.set_xlabel(f"vs {comparison.reference}, {kind}", fontsize=9, color=theme.MUTED)
    else:
        ax.text(
            0.5,
            0.5,
            "Run another scenario to see the change",
            ha="center",
            va="center",
            color=theme.MUTED,
            transform=ax.transAxes,
        )
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(
        "Change in revenue at risk",
        fontsize=10.5,
        loc="left",
        color=theme.TEXT,
        fontweight="bold",
    )
    figure.legend(
        handles=[
            Patch(facecolor=colours[i], hatch=hatches[i], edgecolor="white", label=n)
            for i, n in enumerate(names)
        ],
        loc="outside lower center",
        ncols=min(k, 6),
        frameon=False,
        fontsize=9,
    )
    return figure
