"""Simulation results: per-trial totals and the statistics planners read.

Every estimate comes with a 95% confidence interval computed from
*trial-level* statistics (trials are independent; days within a trial are
not):

* means of per-trial quantities: ``mean ± 1.96 s/√n``;
* probabilities over the horizon (share of trials with an event): Wilson
  score interval;
* fill rate, a ratio of expectations ``E[filled]/E[demand]``: the ratio
  estimator with a delta-method standard error
  ``se = sqrt(var(filled - r·demand) / n) / mean(demand)``;
* VaR95 is the empirical 95% quantile of lost revenue over the horizon and
  CVaR95 the Rockafellar–Uryasev tail mean ``VaR + E[(X - VaR)^+] / 0.05``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from . import kernel as K
from .compiled import KIND_CUSTOMER, CompiledNetwork

if TYPE_CHECKING:
    import pandas as pd

    from ..model.records import Network
    from .run_data import ChunkResult, RunConfig

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error and 95% CI."""

    mean: float
    se: float
    lo: float
    hi: float

    def as_dict(self) -> dict[str, Any]:
        return {"mean": _f(self.mean), "ci95": [_f(self.lo), _f(self.hi)], "se": _f(self.se)}


def json_safe(doc: Any) -> Any:
    """``doc`` with every non-finite float replaced by None (recursively)."""
    if isinstance(doc, dict):
        return {k: json_safe(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [json_safe(v) for v in doc]
    if isinstance(doc, float | np.floating) and not math.isfinite(doc):
        return None
    return doc


def _f(x: float) -> float:
    return float(x) if math.isfinite(x) else 0.0


def mean_estimate(x: NDArray[np.float64], clip: tuple[float, float] | None = None) -> Estimate:
    """Mean of i.i.d. per-trial values with a normal-approximation 95% CI."""
    n = len(x)
    m = float(np.mean(x))
    se = float(np.std(x, ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    lo, hi = m - Z95 * se, m + Z95 * se
    if clip is not None:
        lo, hi = max(lo, clip[0]), min(hi, clip[1])
    return Estimate(m, se, min(lo, m), max(hi, m))


def wilson_estimate(events: NDArray[np.bool_]) -> Estimate:
    """Share of trials with an event, with the Wilson score interval."""
    n = len(events)
    p = float(np.mean(events))
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    lo = min(max(0.0, centre - half), p)  # rounding must not put p outside its own interval
    hi = max(min(1.0, centre + half), p)
    return Estimate(p, math.sqrt(p * (1 - p) / n), lo, hi)


def ratio_estimate(num: NDArray[np.float64], den: NDArray[np.float64]) -> Estimate:
    """``sum(num)/sum(den)`` with a delta-method CI; 1 when nothing was demanded."""
    n = len(num)
    dbar = float(np.mean(den))
    if dbar <= 0:
        return Estimate(1.0, 0.0, 1.0, 1.0)
    r = float(np.sum(num) / np.sum(den))
    resid = num - r * den
    se = float(np.std(resid, ddof=1) / math.sqrt(n) / dbar) if n > 1 else 0.0
    return Estimate(r, se, min(max(0.0, r - Z95 * se), r), max(min(1.0, r + Z95 * se), r))


def tail_risk(x: NDArray[np.float64], level: float = 0.95) -> tuple[float, float]:
    """(VaR, CVaR) at ``level`` of the per-trial losses ``x``."""
    var = float(np.quantile(x, level))
    cvar = var + float(np.mean(np.maximum(x - var, 0.0))) / (1 - level)
    return var, cvar


def quantile_ci(x: NDArray[np.float64], q: float = 0.95) -> tuple[float, float]:
    """Distribution-free 95% CI of the ``q`` quantile from i.i.d. samples.

    The number of samples below the true quantile is Binomial(n, q), so the order
    statistics at (1-based) ranks ``n q ± 1.96 sqrt(n q (1 - q))`` bracket it with
    about 95% confidence (normal approximation to the binomial; e.g. Conover 1999,
    3.2). NaN for no samples.

    >>> quantile_ci(np.arange(1000.0), 0.5)
    (468.0, 530.0)
    """
    xs = np.sort(np.asarray(x, dtype=np.float64))
    n = len(xs)
    if n == 0:
        return math.nan, math.nan
    half = Z95 * math.sqrt(n * q * (1 - q))
    lo = int(max(0, math.floor(n * q - half) - 1))  # rank k is index k - 1
    hi = int(min(n - 1, math.ceil(n * q + half) - 1))
    return float(xs[lo]), float(xs[hi])


def cvar_ci(x: NDArray[np.float64], level: float = 0.95) -> tuple[float, float]:
    """Asymptotic 95% CI of the CVaR at ``level`` (expected shortfall) of i.i.d. losses.

    The estimator ``v + mean((x - v)+) / (1 - a)`` (``v`` the sample VaR) is
    asymptotically normal with variance ``Var((X - VaR)+) / ((1 - a)^2 n)``
    (Trindade, Uryasev, Shapiro & Zrazhevsky 2007; Hong & Liu 2009), its
    influence function being ``(x - VaR)+ / (1 - a)`` up to a constant. The lower
    end is held at 0 (losses are not negative).
    """
    xs = np.asarray(x, dtype=np.float64)
    n = len(xs)
    var, cvar = tail_risk(xs, level)
    if n < 2:
        return cvar, cvar
    se = float(np.std(np.maximum(xs - var, 0.0), ddof=1)) / ((1 - level) * math.sqrt(n))
    return max(0.0, cvar - Z95 * se), cvar + Z95 * se


@dataclass
class SimulationResult:
    """Per-trial totals of one run, with statistics computed on demand.

    Arrays are indexed ``[trial, site]`` in :attr:`site_ids` order (the
    kernel's topological order); use :meth:`site_stats`, :meth:`sites_frame`
    or :meth:`to_dict` rather than indexing by hand.
    """

    network: Network
    compiled: CompiledNetwork
    config: RunConfig
    site_out: NDArray[np.float64]
    site_int: NDArray[np.int64]
    buf_out: NDArray[np.float64]
    net_out: NDArray[np.float64]
    acct: NDArray[np.float64] | None = None
    elapsed: float = 0.0
    created: str = field(
        default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    )

    @classmethod
    def from_chunks(
        cls,
        net: Network,
        compiled: CompiledNetwork,
        cfg: RunConfig,
        chunks: list[ChunkResult],
        elapsed: float = 0.0,
    ) -> SimulationResult:
        chunks = sorted(chunks, key=lambda c: c.start)
        acct = (
            np.concatenate([c.acct for c in chunks])
            if chunks and all(c.acct is not None for c in chunks)
            else None
        )
        return cls(
            network=net,
            compiled=compiled,
            config=cfg,
            site_out=np.concatenate([c.site_out for c in chunks]),
            site_int=np.concatenate([c.site_int for c in chunks]),
            buf_out=np.concatenate([c.buf_out for c in chunks]),
            net_out=np.concatenate([c.net_out for c in chunks]),
            acct=acct,
            elapsed=elapsed,
        )

    # ------------------------------------------------------------------ access
    @property
    def site_ids(self) -> tuple[str, ...]:
        return self.compiled.site_ids

    @property
    def trials(self) -> int:
        return int(self.site_out.shape[0])

    @property
    def days(self) -> int:
        return self.config.days

    def index(self, site_id: str) -> int:
        try:
            return self.compiled.site_ids.index(site_id)
        except ValueError:
            raise KeyError(f"no site '{site_id}' in this result") from None

    def stockout_days(self, site_id: str) -> NDArray[np.int64]:
        """Per-trial number of stockout days of a site."""
        return self.site_int[:, self.index(site_id), K.I_STOCKOUT_DAYS]

    def network_lost_revenue(self) -> NDArray[np.float64]:
        """Per-trial lost revenue summed over customers."""
        cust = self.compiled.customer_sites
        return self.site_out[:, cust, K.M_LOST_REVENUE].sum(axis=1)

    # ------------------------------------------------------------------ statistics
    def site_stats(self, site_id: str) -> dict[str, Any]:
        """Every metric of one site or customer (see DOMAIN.md), as estimates."""
        s = self.index(site_id)
        days = self.days
        so = self.site_int[:, s, K.I_STOCKOUT_DAYS].astype(np.float64)
        out = self.site_out[:, s, :]
        value = float(self.compiled.unit_value[s])
        return {
            "type": self.compiled.site_type[s],
            "stockout_day_probability": mean_estimate(so / days, (0.0, 1.0)),
            "stockout_probability": wilson_estimate(so > 0),
            "fill_rate": ratio_estimate(out[:, K.M_FILLED], out[:, K.M_DEMAND]),
            "expected_backorders": mean_estimate(out[:, K.M_BACKORDER_SUM] / days, (0.0, math.inf)),
            "lost_units": mean_estimate(out[:, K.M_LOST], (0.0, math.inf)),
            "lost_revenue": mean_estimate(out[:, K.M_LOST_REVENUE], (0.0, math.inf)),
            "short_units": mean_estimate(out[:, K.M_SHORT], (0.0, math.inf)),
            "days_out_of_stock": {
                "mean": float(np.mean(so)),
                "p90": float(np.quantile(so, 0.9)),
                "ci95": list(mean_estimate(so, (0.0, days)).as_dict()["ci95"]),
            },
            "average_on_hand": float(np.mean(out[:, K.M_ONHAND_SUM]) / days),
            "average_inventory_value": float(np.mean(out[:, K.M_ONHAND_SUM]) / days * value),
            "base_stock": float(self.compiled.base_stock[s]),
            "mean_daily_demand": float(self.compiled.mean_flow[s]),
        }

    def network_stats(self) -> dict[str, Any]:
        cust = self.compiled.customer_sites
        days = self.days
        lost = self.network_lost_revenue()
        var, cvar = tail_risk(lost)
        lr = mean_estimate(lost, (0.0, math.inf)).as_dict()
        lr.update(
            {
                "var95": var,
                "cvar95": cvar,
                "var95_ci95": list(quantile_ci(lost)),
                "cvar95_ci95": list(cvar_ci(lost)),
            }
        )
        filled = self.site_out[:, cust, K.M_FILLED].sum(axis=1)
        demand = self.site_out[:, cust, K.M_DEMAND].sum(axis=1)
        first = self.net_out[:, K.N_FIRST_CUSTOMER_STOCKOUT]
        return {
            "any_customer_stockout_probability": wilson_estimate(first >= 0).as_dict(),
            "any_customer_stockout_day_probability": mean_estimate(
                self.net_out[:, K.N_ANY_CUSTOMER_DAYS] / days, (0.0, 1.0)
            ).as_dict(),
            "fill_rate": ratio_estimate(filled, demand).as_dict(),
            "lost_revenue": lr,
            "lost_units": mean_estimate(
                self.site_out[:, cust, K.M_LOST].sum(axis=1), (0.0, math.inf)
            ).as_dict(),
        }

    def buffer_stats(self) -> dict[str, dict[str, Any]]:
        """Line-side buffers (plant/component): stockout days and fill rate."""
        out: dict[str, dict[str, Any]] = {}
        days = self.days
        for b, label in enumerate(self.compiled.buffer_labels()):
            x = self.buf_out[:, b, :]
            out[label] = {
                "stockout_day_probability": mean_estimate(
                    x[:, K.B_STOCKOUT_DAYS] / days, (0.0, 1.0)
                ).as_dict(),
                "fill_rate": ratio_estimate(x[:, K.B_CONSUMED], x[:, K.B_REQUESTED]).as_dict(),
                "average_on_hand": float(np.mean(x[:, K.B_ONHAND_SUM]) / days),
                "base_stock": float(self.compiled.buf_base_stock[b]),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``jitrisk simulate --json`` document (see the CLI contract).

        Any non-finite number (only possible at the edge of the input limits) becomes
        ``None`` so the document is always valid JSON.
        """
        return json_safe(self._document())

    def _document(self) -> dict[str, Any]:
        from .._version import __version__

        net = self.network
        sites: dict[str, Any] = {}
        for sid in self.site_ids:
            st = self.site_stats(sid)
            sites[sid] = {k: (v.as_dict() if isinstance(v, Estimate) else v) for k, v in st.items()}
        return {
            "jitrisk_version": __version__,
            "workbook": net.source_path,
            "workbook_sha256": net.source_sha256,
            "scenario": net.scenario,
            "trials": self.trials,
            "days": self.config.days,
            "warmup_days": self.config.warmup_days,
            "seed": self.config.seed,
            "unmet_demand": self.config.unmet_demand,
            "currency": net.settings.currency,
            "created": self.created,
            "elapsed_seconds": round(self.elapsed, 3),
            "sites": sites,
            "buffers": self.buffer_stats(),
            "network": self.network_stats(),
        }

    def sites_frame(self) -> pd.DataFrame:
        """One row per stocking site and customer, worst stockout-day probability first."""
        import pandas as pd

        rows = []
        for s, sid in enumerate(self.site_ids):
            st = self.site_stats(sid)
            row: dict[str, Any] = {
                "site_id": sid,
                "type": st["type"],
                "name": self.network.site_by_id[sid].label,
                "region": self.network.site_by_id[sid].region,
            }
            for key in (
                "stockout_day_probability",
                "stockout_probability",
                "fill_rate",
                "expected_backorders",
                "lost_units",
                "lost_revenue",
            ):
                est = st[key]
                row[key] = est.mean
                row[f"{key}_lo"] = est.lo
                row[f"{key}_hi"] = est.hi
            row["days_out_of_stock"] = st["days_out_of_stock"]["mean"]
            row["days_out_of_stock_p90"] = st["days_out_of_stock"]["p90"]
            row["average_on_hand"] = st["average_on_hand"]
            row["base_stock"] = (
                st["base_stock"] if self.compiled.site_kind[s] != KIND_CUSTOMER else 0.0
            )
            rows.append(row)
        df = pd.DataFrame(rows).set_index("site_id")
        return df.sort_values(["stockout_day_probability", "lost_revenue"], ascending=False)
