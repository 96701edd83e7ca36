"""Probability distributions written in workbook cells, and their parser.

A cell holds a plain number or one call such as ``normal(10, 2)``. The text is
tokenised and parsed by a small grammar (never evaluated)::

    cell   := number | name "(" number ("," number)* ")"
    number := [+-]? digits [. digits] [(e|E) [+-]? digits]

Every distribution knows its mean and standard deviation, samples through a
:class:`numpy.random.Generator`, converts to a frozen :mod:`scipy.stats`
distribution, and gives the probability mass of its value rounded to whole days
(:meth:`Distribution.whole_day_pmf`), which the engine samples lead times and
durations from.

Parameterisation: ``lognormal`` and ``gamma`` take the mean and standard
deviation of the variable itself (not of its logarithm / not shape and scale),
because that is what planners know. For the log-normal,
``sigma_log**2 = log(1 + sd**2/mean**2)`` and ``mu_log = log(mean) - sigma_log**2/2``;
for the gamma, shape ``k = mean**2/sd**2`` and scale ``theta = sd**2/mean``.
``geometric(mean)`` counts whole days >= 1 with success probability ``1/mean``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy import stats

MAX_TEXT = 20_000
MAX_EMPIRICAL = 5_000
MAX_WHOLE_DAYS = 3_650
_TAIL = 1e-12


class DistributionError(ValueError):
    """A cell's distribution text cannot be parsed or has invalid parameters."""


class Distribution:
    """Base class: a univariate distribution given in a workbook cell."""

    name: ClassVar[str] = ""
    discrete: ClassVar[bool] = False

    @property
    def params(self) -> tuple[float, ...]:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def std(self) -> float:
        raise NotImplementedError

    @property
    def is_constant(self) -> bool:
        return self.std == 0.0

    def scipy(self) -> Any:
        """The equivalent frozen :mod:`scipy.stats` distribution."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        """Draw ``size`` samples with ``rng``."""
        raise NotImplementedError

    def __str__(self) -> str:
        args = ", ".join(_fmt(p) for p in self.params)
        return f"{self.name}({args})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(_fmt(p) for p in self.params)})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.params))

    def whole_day_pmf(self, minimum: int = 0) -> NDArray[np.float64]:
        """Probability of each whole number of days ``k = 0, 1, ..., K``.

        The variable is rounded to the nearest whole day and values below
        ``minimum`` are raised to ``minimum``:
        ``P(K = k) = F(k + 1/2) - F(k - 1/2)`` for continuous distributions,
        the mass at ``k`` for discrete ones. The upper tail beyond probability
        ``1e-12`` (and beyond ten years) is folded into the last day.

        Tables are cached per (distribution, minimum) and read-only: a network's
        lanes share few distinct distributions, and building a SciPy frozen
        distribution costs far more than the table itself.
        """
        return _whole_day_pmf_cached(self, minimum)

    def _whole_day_pmf(self, minimum: int) -> NDArray[np.float64]:
        dist = self.scipy()
        # SciPy warns on degenerate parameters (geometric(1): log(0)); the results are right
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            top = dist.ppf(1.0 - _TAIL)
            top = min(math.ceil(top) + 1, MAX_WHOLE_DAYS) if np.isfinite(top) else MAX_WHOLE_DAYS
            top = max(top, minimum)
            ks = np.arange(top + 1, dtype=np.float64)
            cdf = dist.cdf(ks) if self.discrete else dist.cdf(ks + 0.5)
        cdf[-1] = 1.0
        pmf = np.diff(np.concatenate(([0.0], cdf)))
        pmf = np.clip(pmf, 0.0, None)
        if minimum > 0:
            pmf[minimum] += pmf[:minimum].sum()
            pmf[:minimum] = 0.0
        # trim trailing zero mass
        nz = np.nonzero(pmf > 0)[0]
        pmf = pmf[: nz[-1] + 1] if nz.size else np.array([1.0])
        return np.asarray(pmf / pmf.sum(), dtype=np.float64)


@functools.lru_cache(maxsize=4096)
def _whole_day_pmf_cached(dist: Distribution, minimum: int) -> NDArray[np.float64]:
    pmf = dist._whole_day_pmf(minimum)
    pmf.setflags(write=False)
    return pmf


def _fmt(x: float) -> str:
    """Shortest text that parses back to exactly ``x`` (``5``, not ``5.0``)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _finite(name: str, **values: float) -> None:
    for key, v in values.items():
        if not math.isfinite(v):
            raise DistributionError(f"{name}: {key} must be a finite number, got {v}")


@dataclass(frozen=True, eq=False, repr=False)
class Constant(Distribution):
    """A fixed value (a plain number in the cell)."""

    value: float
    name: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        _finite("number", value=self.value)

    @property
    def params(self) -> tuple[float, ...]:
        return (self.value,)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def std(self) -> float:
        return 0.0

    def scipy(self) -> Any:
        return stats.rv_discrete(values=([self.value], [1.0]))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return np.full(size, self.value, dtype=np.float64)

    def whole_day_pmf(self, minimum: int = 0) -> NDArray[np.float64]:
        k = max(math.floor(self.value + 0.5), minimum, 0)
        k = min(k, MAX_WHOLE_DAYS)
        pmf = np.zeros(k + 1)
        pmf[k] = 1.0
        return pmf

    def __str__(self) -> str:
        return _fmt(self.value)


@dataclass(frozen=True, eq=False, repr=False)
class _MeanSd(Distribution):
    """A distribution given by its mean ``mu`` and standard deviation ``sd``."""

    mu: float
    sd: float

    @property
    def params(self) -> tuple[float, ...]:
        return (self.mu, self.sd)

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def std(self) -> float:
        return self.sd


@dataclass(frozen=True, eq=False, repr=False)
class _DiscreteMean(Distribution):
    """A count distribution given by its mean ``mu`` alone, ``lowest <= mu <= 1e9``."""

    mu: float
    discrete: ClassVar[bool] = True
    lowest: ClassVar[float] = 0.0

    def __post_init__(self) -> None:
        _finite(self.name, mean=self.mu)
        if self.mu < self.lowest or self.mu > 1e9:
            raise DistributionError(
                f"{self.name}: mean must be in [{_fmt(self.lowest)}, 1e9], got {_fmt(self.mu)}"
            )

    @property
    def params(self) -> tuple[float, ...]:
        return (self.mu,)

    @property
    def mean(self) -> float:
        return self.mu


@dataclass(frozen=True, eq=False, repr=False)
class Normal(_MeanSd):
    """Normal distribution ``N(mean, sd**2)``."""

    name: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        _finite("normal", mean=self.mu, sd=self.sd)
        if self.sd < 0:
            raise DistributionError(f"normal: sd must be >= 0, got {_fmt(self.sd)}")
        object.__setattr__(self, "sd", abs(self.sd))  # -0.0: NumPy refuses a negative zero scale

    def scipy(self) -> Any:
        return stats.norm(loc=self.mu, scale=max(self.sd, 1e-300))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.normal(self.mu, self.sd, size)


@dataclass(frozen=True, eq=False, repr=False)
class LogNormal(_MeanSd):
    """Log-normal with the given mean and sd of the variable itself."""

    name: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        _finite("lognormal", mean=self.mu, sd=self.sd)
        if self.mu <= 0:
            raise DistributionError(f"lognormal: mean must be > 0, got {_fmt(self.mu)}")
        if self.sd < 0:
            raise DistributionError(f"lognormal: sd must be >= 0, got {_fmt(self.sd)}")
        try:
            m, s = self.log_params
        except OverflowError:
            m = s = math.inf
        if not (math.isfinite(m) and math.isfinite(s) and math.exp(m) > 0):
            raise DistributionError(
                f"lognormal: sd {_fmt(self.sd)} is too large for mean {_fmt(self.mu)}"
            )

    @property
    def log_params(self) -> tuple[float, float]:
        s2 = math.log1p((self.sd / self.mu) ** 2)
        return math.log(self.mu) - s2 / 2, math.sqrt(s2)

    def scipy(self) -> Any:
        m, s = self.log_params
        return stats.lognorm(s=max(s, 1e-300), scale=math.exp(m))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        m, s = self.log_params
        return rng.lognormal(m, s, size)


@dataclass(frozen=True, eq=False, repr=False)
class Gamma(_MeanSd):
    """Gamma with the given mean and sd (shape ``mean²/sd²``, scale ``sd²/mean``)."""

    name: ClassVar[str] = "gamma"

    def __post_init__(self) -> None:
        _finite("gamma", mean=self.mu, sd=self.sd)
        if self.mu <= 0 or self.sd <= 0:
            raise DistributionError(
                f"gamma: mean and sd must be > 0, got mean={_fmt(self.mu)}, sd={_fmt(self.sd)}"
            )
        try:
            shape, scale = self.shape_scale
        except OverflowError:
            shape = scale = math.inf
        if not (0 < shape < math.inf and 0 < scale < math.inf):
            raise DistributionError(
                f"gamma: mean {_fmt(self.mu)} and sd {_fmt(self.sd)} are too far apart "
                "(shape mean²/sd² out of range)"
            )

    @property
    def shape_scale(self) -> tuple[float, float]:
        """Shape ``k = mean²/sd²`` and scale ``theta = sd²/mean``."""
        return (self.mu / self.sd) ** 2, self.sd**2 / self.mu

    def scipy(self) -> Any:
        shape, scale = self.shape_scale
        return stats.gamma(a=shape, scale=scale)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        shape, scale = self.shape_scale
        return rng.gamma(shape, scale, size)


@dataclass(frozen=True, eq=False, repr=False)
class Triangular(Distribution):
    """Triangular on ``[lo, hi]`` with mode ``mode``."""

    lo: float
    mode: float
    hi: float
    name: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        _finite("triangular", min=self.lo, mode=self.mode, max=self.hi)
        if not (self.lo <= self.mode <= self.hi) or self.lo == self.hi:
            raise DistributionError(
                "triangular: need min <= mode <= max and min < max, got "
                f"({_fmt(self.lo)}, {_fmt(self.mode)}, {_fmt(self.hi)})"
            )
        _finite("triangular", **{"max - min": self.hi - self.lo})

    @property
    def params(self) -> tuple[float, ...]:
        return (self.lo, self.mode, self.hi)

    @property
    def mean(self) -> float:
        return self.lo / 3 + self.mode / 3 + self.hi / 3  # no overflow for huge values

    @property
    def std(self) -> float:
        # (a² + b² + c² - ab - ac - bc) / 18, written as r²(1 - u + u²)/18 with
        # r = b - a and u = (c - a)/r so that it cannot overflow for a finite range
        r = self.hi - self.lo
        u = (self.mode - self.lo) / r
        return r * math.sqrt((1 - u + u * u) / 18)

    def scipy(self) -> Any:
        return stats.triang(
            c=(self.mode - self.lo) / (self.hi - self.lo), loc=self.lo, scale=self.hi - self.lo
        )

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.triangular(self.lo, self.mode, self.hi, size)


@dataclass(frozen=True, eq=False, repr=False)
class Uniform(Distribution):
    """Continuous uniform on ``[lo, hi]``."""

    lo: float
    hi: float
    name: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        _finite("uniform", min=self.lo, max=self.hi)
        if not self.lo < self.hi:
            raise DistributionError(
                f"uniform: need min < max, got ({_fmt(self.lo)}, {_fmt(self.hi)})"
            )
        _finite("uniform", **{"max - min": self.hi - self.lo})

    @property
    def params(self) -> tuple[float, ...]:
        return (self.lo, self.hi)

    @property
    def mean(self) -> float:
        return self.lo / 2 + self.hi / 2  # no overflow for huge values

    @property
    def std(self) -> float:
        return (self.hi - self.lo) / math.sqrt(12)

    def scipy(self) -> Any:
        return stats.uniform(loc=self.lo, scale=self.hi - self.lo)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.uniform(self.lo, self.hi, size)


@dataclass(frozen=True, eq=False, repr=False)
class Poisson(_DiscreteMean):
    """Poisson with the given mean."""

    name: ClassVar[str] = "poisson"

    @property
    def std(self) -> float:
        return math.sqrt(self.mu)

    def scipy(self) -> Any:
        return stats.poisson(mu=self.mu)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.poisson(self.mu, size).astype(np.float64)


@dataclass(frozen=True, eq=False, repr=False)
class Geometric(_DiscreteMean):
    """Whole days ``>= 1`` with ``P(K = k) = (1-q)^(k-1) q``, ``q = 1/mean``.

    As an outage duration it makes the outage a two-state Markov chain with
    daily recovery probability ``q``.
    """

    name: ClassVar[str] = "geometric"
    lowest: ClassVar[float] = 1.0

    @property
    def std(self) -> float:
        q = 1 / self.mu
        return math.sqrt(1 - q) / q

    def scipy(self) -> Any:
        return stats.geom(p=1 / self.mu)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.geometric(1 / self.mu, size).astype(np.float64)


@dataclass(frozen=True, eq=False, repr=False)
class Empirical(Distribution):
    """Each listed value equally likely (a planner's observed history)."""

    values: tuple[float, ...]
    name: ClassVar[str] = "empirical"
    discrete: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not self.values:
            raise DistributionError("empirical: needs at least one value")
        for v in self.values:
            _finite("empirical", value=v)

    @property
    def params(self) -> tuple[float, ...]:
        return self.values

    def _scaled(self) -> tuple[float, NDArray[np.float64]]:
        # values / max|value| keep the sums from overflowing for huge values
        v = np.asarray(self.values, dtype=np.float64)
        m = float(np.max(np.abs(v))) or 1.0
        return m, v / m

    @property
    def mean(self) -> float:
        m, v = self._scaled()
        return m * float(np.mean(v))

    @property
    def std(self) -> float:
        m, v = self._scaled()
        return m * float(np.std(v))

    def scipy(self) -> Any:
        vals, counts = np.unique(np.asarray(self.values), return_counts=True)
        return stats.rv_discrete(values=(vals, counts / counts.sum()))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> NDArray[np.float64]:
        return rng.choice(np.asarray(self.values, dtype=np.float64), size)

    def whole_day_pmf(self, minimum: int = 0) -> NDArray[np.float64]:
        days = np.clip(np.floor(np.asarray(self.values) + 0.5), minimum, MAX_WHOLE_DAYS)
        days = np.maximum(days, 0).astype(np.int64)
        pmf = np.bincount(days).astype(np.float64)
        return pmf / pmf.sum()


_ARITY: dict[str, tuple[type[Distribution], int | None]] = {
    "normal": (Normal, 2),
    "lognormal": (LogNormal, 2),
    "gamma": (Gamma, 2),
    "triangular": (Triangular, 3),
    "uniform": (Uniform, 2),
    "poisson": (Poisson, 1),
    "geometric": (Geometric, 1),
    "empirical": (Empirical, None),
}
DISTRIBUTION_NAMES = tuple(_ARITY)

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_]+)"
    r"|(?P<punct>[(),]))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            bad = text[pos:].lstrip()[:1]
            raise DistributionError(f"unexpected character {bad!r} in {_clip(text)!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def parse_distribution(value: object) -> Distribution:
    """Parse a cell value into a :class:`Distribution`.

    Parameters
    ----------
    value : int, float or str
        A number, or text such as ``"normal(10, 2)"`` or ``"7"``.

    Raises
    ------
    DistributionError
        With a message that names what is wrong, e.g. an unknown name
        (with a suggestion), a wrong number of arguments or invalid parameters.

    Examples
    --------
    >>> parse_distribution("normal(100, 15)")
    Normal(100, 15)
    >>> parse_distribution(3)
    Constant(3)
    >>> parse_distribution("geometric(5)").mean
    5.0
    """
    if isinstance(value, bool):
        raise DistributionError(f"expected a number or a distribution, got {value!r}")
    if isinstance(value, int | float):
        try:
            return Constant(float(value))
        except OverflowError:
            raise DistributionError("number too large") from None
    if not isinstance(value, str):
        raise DistributionError(f"expected a number or a distribution, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise DistributionError("empty distribution")
    if len(text) > MAX_TEXT:
        raise DistributionError(f"distribution text longer than {MAX_TEXT} characters")
    toks = _tokens(text)
    if len(toks) == 1 and toks[0][0] == "num":
        return Constant(float(toks[0][1]))
    if not toks or toks[0][0] != "name":
        raise DistributionError(f"expected a number or name(args), got {_clip(text)!r}")
    name = toks[0][1].lower()
    if name not in _ARITY:
        import difflib

        close = difflib.get_close_matches(name, DISTRIBUTION_NAMES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise DistributionError(
            f"unknown distribution {toks[0][1]!r}{hint}; use one of {', '.join(DISTRIBUTION_NAMES)}"
        )
    if len(toks) < 3 or toks[1] != ("punct", "(") or toks[-1] != ("punct", ")"):
        raise DistributionError(f"{name}: expected {name}(...), got {_clip(text)!r}")
    inner = toks[2:-1]
    args: list[float] = []
    expect_num = True
    for kind, tok in inner:
        if expect_num:
            if kind != "num":
                raise DistributionError(f"{name}: expected a number, got {_clip(tok)!r}")
            args.append(float(tok))
        elif (kind, tok) != ("punct", ","):
            raise DistributionError(f"{name}: expected ',' between numbers, got {_clip(tok)!r}")
        expect_num = not expect_num
    if inner and expect_num:
        raise DistributionError(f"{name}: trailing ',' in {_clip(text)!r}")
    cls, arity = _ARITY[name]
    if arity is None:
        if not args:
            raise DistributionError("empirical: needs at least one value")
        if len(args) > MAX_EMPIRICAL:
            raise DistributionError(f"empirical: at most {MAX_EMPIRICAL} values")
        return Empirical(tuple(args))
    if len(args) != arity:
        names = {2: "2 numbers", 3: "3 numbers", 1: "1 number"}[arity]
        raise DistributionError(f"{name} takes {names}, got {len(args)}")
    return cls(*args)


def as_distribution(value: Distribution | float | str) -> Distribution:
    """Return ``value`` as a :class:`Distribution` (parsing text, wrapping numbers)."""
    if isinstance(value, Distribution):
        return value
    return parse_distribution(value)


def sample_nonnegative(
    dist: Distribution, rng: np.random.Generator, size: int | tuple[int, ...]
) -> NDArray[np.float64]:
    """Samples of ``dist`` with negative values set to 0 (demand truncation)."""
    return np.maximum(dist.sample(rng, size), 0.0)


def cdf_table(pmf: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """Cumulative table for inverse-CDF sampling of whole days; last entry exactly 1."""
    cdf = np.cumsum(np.asarray(pmf, dtype=np.float64))
    cdf[-1] = 1.0
    return cdf
