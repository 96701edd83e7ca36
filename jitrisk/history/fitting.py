r"""Maximum-likelihood fits of whole-day lead times, chosen by AIC.

The engine draws a lane's lead time from its distribution and rounds it to
whole days :math:`\ge 0` (``Distribution.whole_day_pmf``), so the model of an
observed lead time :math:`k` (days) is

.. math:: P(K = 0) = F(\tfrac12), \qquad P(K = k) = F(k + \tfrac12) - F(k - \tfrac12),

and each family is fitted by maximising :math:`\sum_k n_k \log P(K = k)` over
its parameters (Nelder–Mead from the moment estimates; Poisson in closed
form). This makes continuous and discrete families comparable: the family
with the least AIC :math:`= 2p - 2\log L` wins (Burnham & Anderson 2002),
among ``normal``, ``lognormal``, ``gamma``, ``triangular``, ``uniform``,
``poisson`` and ``empirical`` (the saturated model: one parameter per
observed day but one, written as up to :data:`EMPIRICAL_POINTS` quantiles).

Goodness of fit: Pearson's :math:`\chi^2` of the observed against the fitted
counts per day, adjacent days pooled until every expected count is at least
5, with :math:`\text{bins} - 1 - p` degrees of freedom (None when no degree
is left; never for ``empirical``, which fits the counts exactly).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

FAMILIES = ("normal", "lognormal", "gamma", "triangular", "uniform", "poisson", "empirical")
#: Most values an ``empirical(...)`` cell lists (quantiles of the sample).
EMPIRICAL_POINTS = 50
_TINY = 1e-300


@dataclass(frozen=True)
class FamilyFit:
    """One family's fit: workbook parameters, log-likelihood, AIC and the pmf."""

    family: str
    params: tuple[float, ...]
    loglik: float
    n_params: int
    pmf: Callable[[NDArray[np.int64]], NDArray[np.float64]]

    @property
    def aic(self) -> float:
        return 2 * self.n_params - 2 * self.loglik


@dataclass(frozen=True)
class LeadTimeFit:
    """The chosen fit of a sample of whole-day lead times."""

    n: int
    mean: float
    sd: float
    family: str
    cell: str
    aic: float
    gof_statistic: float | None
    gof_pvalue: float | None
    candidates: dict[str, float]  # family -> AIC
    fitted_mean: float
    fitted_sd: float
    #: P(K = k) of the chosen fit, for whole days ``k`` (the histogram's curve, the QQ plot)
    pmf: Callable[[NDArray[np.int64]], NDArray[np.float64]] | None = field(
        default=None, compare=False, repr=False
    )

    def quantiles(self, probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
        """Whole-day quantiles of the fit: the least ``k`` with ``P(K <= k) >= p``."""
        if self.pmf is None:
            return np.full(len(probabilities), self.mean)
        grid = np.arange(0, int(max(self.fitted_mean + 12 * self.fitted_sd, 10)) + 1)
        cdf = np.cumsum(self.pmf(grid))
        idx = np.searchsorted(cdf, np.minimum(probabilities, cdf[-1] - 1e-12))
        return grid[np.minimum(idx, len(grid) - 1)].astype(np.float64)


def _counts(days: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    k, n = np.unique(days, return_counts=True)
    return k.astype(np.int64), n.astype(np.float64)


def _binned(cdf: Callable[[Any], Any]) -> Callable[..., NDArray]:
    def pmf(k: NDArray[np.int64]) -> NDArray[np.float64]:
        x = np.asarray(k, dtype=np.float64)
        upper = cdf(x + 0.5)
        lower = np.where(x <= 0, 0.0, cdf(x - 0.5))
        return np.asarray(np.clip(upper - lower, 0.0, 1.0), dtype=np.float64)

    return pmf


def _loglik(pmf: Callable[..., NDArray], k: NDArray[np.int64], n: NDArray[np.float64]) -> float:
    return float(np.sum(n * np.log(np.maximum(pmf(k), _TINY))))


def _fit(
    family: str,
    k: NDArray[np.int64],
    n: NDArray[np.float64],
    start: NDArray[np.float64],
    make: Callable[[NDArray[np.float64]], tuple[tuple[float, ...], Callable[..., NDArray]]],
    n_params: int,
) -> FamilyFit | None:
    def nll(theta: NDArray[np.float64]) -> float:
        try:
            _p, pmf = make(theta)
            value = -_loglik(pmf, k, n)
        except (ValueError, FloatingPointError, OverflowError, ZeroDivisionError):
            return math.inf
        return value if math.isfinite(value) else math.inf

    with np.errstate(all="ignore"):
        if not math.isfinite(nll(start)):
            return None
        res = optimize.minimize(
            nll,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000},
        )
        if not math.isfinite(float(res.fun)):
            return None
        params, pmf = make(res.x)
    return FamilyFit(family, params, -float(res.fun), n_params, pmf)


def fit_families(days: NDArray[np.int64]) -> dict[str, FamilyFit]:
    """Every family's maximum-likelihood fit of ``days`` (whole days >= 0)."""
    x = np.asarray(days, dtype=np.int64)
    k, n = _counts(x)
    m, s = float(x.mean()), float(max(x.std(ddof=1) if len(x) > 1 else 0.0, 0.3))
    lo, hi = float(x.min()), float(x.max())
    out: dict[str, FamilyFit] = {}

    def normal(t: NDArray[np.float64]) -> tuple[tuple[float, ...], Callable[..., NDArray]]:
        mu, sd = float(t[0]), float(math.exp(t[1]))
        return (mu, sd), _binned(lambda v: stats.norm.cdf(v, mu, sd))

    def lognormal(t: NDArray[np.float64]) -> tuple[tuple[float, ...], Callable[..., NDArray]]:
        ml, sl = float(t[0]), float(math.exp(t[1]))
        mean = math.exp(ml + sl * sl / 2)
        sd = mean * math.sqrt(math.expm1(sl * sl))
        return (mean, sd), _binned(lambda v: stats.lognorm.cdf(v, sl, scale=math.exp(ml)))

    def gamma(t: NDArray[np.float64]) -> tuple[tuple[float, ...], Callable[..., NDArray]]:
        shape, scale = float(math.exp(t[0])), float(math.exp(t[1]))
        return (shape * scale, math.sqrt(shape) * scale), _binned(
            lambda v: stats.gamma.cdf(v, shape, scale=scale)
        )

    def edges(t: NDArray[np.float64]) -> tuple[float, float]:
        return lo + 0.5 - math.exp(t[0]), hi - 0.5 + math.exp(t[1])

    def triangular(t: NDArray[np.float64]) -> tuple[tuple[float, ...], Callable[..., NDArray]]:
        a, b = edges(t)
        c = a + (b - a) / (1 + math.exp(-t[2]))
        return (a, c, b), _binned(lambda v: stats.triang.cdf(v, (c - a) / (b - a), a, b - a))

    def uniform(t: NDArray[np.float64]) -> tuple[tuple[float, ...], Callable[..., NDArray]]:
        a, b = edges(t)
        return (a, b), _binned(lambda v: stats.uniform.cdf(v, a, b - a))

    log_s = math.log(s)
    cv2 = math.log1p((s / max(m, 0.5)) ** 2)
    starts: dict[str, tuple[Callable[..., tuple], list[float], int]] = {
        "normal": (normal, [m, log_s], 2),
        "lognormal": (lognormal, [math.log(max(m, 0.5)) - cv2 / 2, 0.5 * math.log(cv2)], 2),
        "gamma": (gamma, [math.log(max(m, 0.5) ** 2 / s**2), math.log(s**2 / max(m, 0.5))], 2),
        "triangular": (triangular, [math.log(0.5), math.log(0.5), 0.0], 3),
        "uniform": (uniform, [math.log(0.01), math.log(0.01)], 2),
    }
    for family, (make, start, p) in starts.items():
        fit = _fit(family, k, n, np.array(start, dtype=np.float64), make, p)
        if fit is not None:
            out[family] = fit
    lam = max(m, 1e-9)
    out["poisson"] = FamilyFit(
        "poisson", (lam,), _loglik(lambda v: stats.poisson.pmf(v, lam), k, n), 1,
        lambda v: stats.poisson.pmf(v, lam),
    )  # fmt: skip
    share = dict(zip(k.tolist(), (n / n.sum()).tolist(), strict=True))
    out["empirical"] = FamilyFit(
        "empirical",
        tuple(float(v) for v in _quantile_points(x)),
        float(np.sum(n * np.log(n / n.sum()))),
        max(len(k) - 1, 1),
        lambda v: np.array([share.get(int(i), 0.0) for i in np.atleast_1d(v)]),
    )
    return out


def _quantile_points(x: NDArray[np.int64]) -> NDArray[np.float64]:
    """The sample itself when short, else :data:`EMPIRICAL_POINTS` mid-quantiles (whole days)."""
    if len(x) <= EMPIRICAL_POINTS:
        return np.sort(x).astype(np.float64)
    q = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
    return np.quantile(x, q, method="inverted_cdf").astype(np.float64)


def cell_text(fit: FamilyFit) -> str:
    """The fit in the workbook's syntax: ``gamma(12.1, 3.04)``."""
    if fit.family == "empirical":
        return "empirical(" + ", ".join(f"{v:g}" for v in fit.params) + ")"
    return f"{fit.family}(" + ", ".join(f"{v:.3g}" for v in fit.params) + ")"


def chi_square(
    fit: FamilyFit, k: NDArray[np.int64], n: NDArray[np.float64]
) -> tuple[float | None, float | None]:
    """Pearson's statistic and p-value (see the module docstring)."""
    if fit.family == "empirical":
        return None, None
    total = float(n.sum())
    days = np.arange(0, int(k.max()) + 1)
    p = fit.pmf(days)
    observed = np.zeros(len(days))
    observed[k] = n
    expected = p * total
    expected[-1] += max(total - expected.sum(), 0.0)  # the tail beyond the largest day
    obs_bins: list[float] = []
    exp_bins: list[float] = []
    o_acc = e_acc = 0.0
    for o, e in zip(observed, expected, strict=True):
        o_acc += o
        e_acc += e
        if e_acc >= 5.0:
            obs_bins.append(o_acc)
            exp_bins.append(e_acc)
            o_acc = e_acc = 0.0
    if exp_bins:
        obs_bins[-1] += o_acc
        exp_bins[-1] += e_acc
    dof = len(exp_bins) - 1 - fit.n_params
    if dof < 1:
        return None, None
    o_arr, e_arr = np.array(obs_bins), np.array(exp_bins)
    statistic = float(np.sum((o_arr - e_arr) ** 2 / e_arr))
    return statistic, float(stats.chi2.sf(statistic, dof))


def fit_lead_times(days: NDArray[np.int64]) -> LeadTimeFit:
    """The least-AIC family for ``days`` and its goodness of fit (at least 2 values)."""
    x = np.asarray(days, dtype=np.int64)
    if len(x) < 2:
        raise ValueError("a fit needs at least 2 lead times")
    if x.min() == x.max():  # every delivery took the same days: a constant, nothing to fit
        v = float(x[0])
        return LeadTimeFit(
            len(x), v, 0.0, "constant", f"{v:g}", math.nan, None, None, {}, v, 0.0,
            lambda k: (np.asarray(k) == v).astype(np.float64),
        )  # fmt: skip
    fits = fit_families(x)
    best = min(fits.values(), key=lambda f: f.aic)
    k, n = _counts(x)
    statistic, pvalue = chi_square(best, k, n)
    grid = np.arange(0, int(x.max()) * 3 + 30)
    pm = best.pmf(grid)
    pm = pm / pm.sum() if pm.sum() > 0 else pm
    fm = float(np.sum(grid * pm))
    fs = float(math.sqrt(max(np.sum((grid - fm) ** 2 * pm), 0.0)))
    return LeadTimeFit(
        n=len(x),
        mean=float(x.mean()),
        sd=float(x.std(ddof=1)),
        family=best.family,
        cell=cell_text(best),
        aic=best.aic,
        gof_statistic=statistic,
        gof_pvalue=pvalue,
        candidates={f: v.aic for f, v in fits.items()},
        fitted_mean=fm,
        fitted_sd=fs,
        pmf=best.pmf,
    )
