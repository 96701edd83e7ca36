"""The distribution parser and the distributions it builds.

Moments are checked against SciPy and textbook formulas, sampling against the
moments (within 4 standard errors), whole-day probabilities against
``P(round(X) = k)``, and the parser against hostile text: every bad input must
raise :class:`DistributionError`, never another exception, never evaluate.
"""

from __future__ import annotations

import builtins
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from jitrisk.model.distributions import (
    MAX_WHOLE_DAYS,
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Gamma,
    Geometric,
    LogNormal,
    Normal,
    Poisson,
    Triangular,
    Uniform,
    as_distribution,
    cdf_table,
    parse_distribution,
    sample_nonnegative,
)

# text, expected class, textbook mean, textbook sd
CASES: list[tuple[str, type[Distribution], float, float]] = [
    ("7", Constant, 7.0, 0.0),
    ("normal(10, 2)", Normal, 10.0, 2.0),
    ("lognormal(5, 2)", LogNormal, 5.0, 2.0),
    ("gamma(4, 3)", Gamma, 4.0, 3.0),
    ("triangular(1, 2, 6)", Triangular, 3.0, math.sqrt((1 + 36 + 4 - 6 - 2 - 12) / 18)),
    ("uniform(2, 8)", Uniform, 5.0, 6 / math.sqrt(12)),
    ("poisson(3.5)", Poisson, 3.5, math.sqrt(3.5)),
    ("geometric(4)", Geometric, 4.0, math.sqrt(1 - 0.25) / 0.25),
    ("empirical(1.5, 2.5, 10, 2.5)", Empirical, 4.125, float(np.std([1.5, 2.5, 10, 2.5]))),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("text", "cls", "mean", "sd"), CASES, ids=IDS)
def test_parse_gives_the_class_and_textbook_moments(
    text: str, cls: type[Distribution], mean: float, sd: float
) -> None:
    d = parse_distribution(text)
    assert type(d) is cls
    assert d.mean == pytest.approx(mean, rel=1e-12)
    assert d.std == pytest.approx(sd, rel=1e-12)
    assert d.is_constant == (sd == 0)


@pytest.mark.parametrize(("text", "cls", "mean", "sd"), CASES, ids=IDS)
def test_moments_match_scipy(text: str, cls: type[Distribution], mean: float, sd: float) -> None:
    d = parse_distribution(text)
    frozen = d.scipy()
    assert frozen.mean() == pytest.approx(d.mean, rel=1e-9, abs=1e-12)
    assert frozen.std() == pytest.approx(d.std, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("text", "cls", "mean", "sd"), CASES, ids=IDS)
def test_sampling_moments_within_four_standard_errors(
    text: str, cls: type[Distribution], mean: float, sd: float
) -> None:
    d = parse_distribution(text)
    n = 200_000
    x = d.sample(np.random.default_rng(12345), n)
    assert x.shape == (n,)
    assert x.dtype == np.float64
    if sd == 0:
        assert np.all(x == mean)
        return
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(n)
    # Var(sample variance) ~ sigma^4 (kurtosis_excess + 2) / n
    kurt = float(d.scipy().stats(moments="k"))
    se_var = sd**2 * math.sqrt((kurt + 2) / n)
    assert abs(x.var() - sd**2) < 4 * se_var
    if cls in (Poisson, Geometric):
        assert np.all(x == np.round(x))
    if cls is Geometric:
        assert x.min() >= 1


def test_sample_shape_tuple_and_seed_reproducible() -> None:
    d = parse_distribution("gamma(3, 1)")
    a = d.sample(np.random.default_rng(1), (3, 4))
    b = d.sample(np.random.default_rng(1), (3, 4))
    assert a.shape == (3, 4)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- whole days


@pytest.mark.parametrize("text", [*IDS, "normal(-3, 1)", "normal(0.4, 2)", "lognormal(0.3, 1)"])
def test_whole_day_pmf_sums_to_one_and_matches_rounded_samples(text: str) -> None:
    d = parse_distribution(text)
    pmf = d.whole_day_pmf()
    assert pmf.ndim == 1
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    n = 200_000
    days = np.maximum(np.floor(d.sample(np.random.default_rng(7), n) + 0.5), 0).astype(int)
    freq = np.bincount(days, minlength=len(pmf)) / n
    assert len(freq) <= len(pmf) or freq[len(pmf) :].sum() < 1e-4
    freq = freq[: len(pmf)]
    se = np.sqrt(pmf * (1 - pmf) / n)
    assert np.all(np.abs(freq - pmf) <= 4 * se + 2e-5), (freq, pmf)


def test_whole_day_pmf_normal_is_the_rounded_normal() -> None:
    pmf = Normal(5, 2).whole_day_pmf()
    phi = stats.norm(5, 2).cdf
    assert pmf[0] == pytest.approx(phi(0.5), abs=1e-12)  # negatives and [0, 0.5) -> 0 days
    for k in range(1, 12):
        assert pmf[k] == pytest.approx(phi(k + 0.5) - phi(k - 0.5), abs=1e-12)


def test_whole_day_pmf_geometric_exact() -> None:
    q = 1 / 4
    pmf = Geometric(4).whole_day_pmf()
    assert pmf[0] == 0.0
    for k in range(1, 40):
        assert pmf[k] == pytest.approx((1 - q) ** (k - 1) * q, rel=1e-9)


def test_whole_day_pmf_geometric_mean_one_is_always_one_day() -> None:
    np.testing.assert_array_equal(Geometric(1).whole_day_pmf(), [0.0, 1.0])


def test_whole_day_pmf_poisson_exact() -> None:
    pmf = Poisson(3).whole_day_pmf()
    for k in range(15):
        assert pmf[k] == pytest.approx(stats.poisson(3).pmf(k), rel=1e-9)
    np.testing.assert_array_equal(Poisson(0).whole_day_pmf(), [1.0])


def test_whole_day_pmf_minimum_raises_short_values() -> None:
    d = Normal(0.2, 1)
    base = d.whole_day_pmf()
    pmf = d.whole_day_pmf(minimum=1)
    assert pmf[0] == 0
    assert pmf[1] == pytest.approx(base[0] + base[1], abs=1e-12)
    assert pmf.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(Constant(0).whole_day_pmf(minimum=1), [0.0, 1.0])
    np.testing.assert_array_equal(
        Empirical((0.0, 3.0)).whole_day_pmf(minimum=1), [0.0, 0.5, 0.0, 0.5]
    )


@pytest.mark.parametrize(("value", "day"), [(2.4, 2), (2.5, 3), (0.49, 0), (-3, 0), (0, 0)])
def test_constant_whole_day_pmf_rounds_half_up(value: float, day: int) -> None:
    pmf = Constant(value).whole_day_pmf()
    assert len(pmf) == day + 1
    assert pmf[day] == 1.0


def test_whole_day_pmf_folds_beyond_ten_years_into_last_day() -> None:
    pmf = Normal(5000, 1).whole_day_pmf()
    assert len(pmf) == MAX_WHOLE_DAYS + 1
    assert pmf[-1] == pytest.approx(1.0)
    assert Constant(1e6).whole_day_pmf()[-1] == 1.0
    assert len(Empirical((1e9,)).whole_day_pmf()) == MAX_WHOLE_DAYS + 1


def test_cdf_table_ends_exactly_at_one() -> None:
    pmf = Triangular(0, 1, 7).whole_day_pmf()
    cdf = cdf_table(pmf)
    assert cdf[-1] == 1.0
    assert np.all(np.diff(cdf) >= 0)
    np.testing.assert_allclose(cdf[:-1], np.cumsum(pmf)[:-1])


def test_sample_nonnegative_truncates_at_zero() -> None:
    x = sample_nonnegative(Normal(0, 5), np.random.default_rng(0), 10_000)
    assert x.min() == 0.0
    assert (x == 0).mean() == pytest.approx(0.5, abs=0.03)


def test_as_distribution_passes_distributions_through() -> None:
    d = Normal(1, 2)
    assert as_distribution(d) is d
    assert as_distribution(3) == Constant(3)
    assert as_distribution("poisson(2)") == Poisson(2)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  normal( 10 ,2 )  ", Normal(10, 2)),
        ("NORMAL(10, 2)", Normal(10, 2)),
        ("normal(1e1, .5)", Normal(10, 0.5)),
        ("normal(-1.5E+1, 2.)", Normal(-15, 2)),
        ("normal(10,\u00a02)", Normal(10, 2)),  # non-breaking space pasted from Excel
        ("+3", Constant(3)),
        ("-0.25", Constant(-0.25)),
        (3, Constant(3)),
        (2.5, Constant(2.5)),
        ("empirical(3)", Empirical((3.0,))),
    ],
)
def test_parse_accepts(text: object, expected: Distribution) -> None:
    assert parse_distribution(text) == expected


@pytest.mark.parametrize(
    "dist",
    [
        Constant(7),
        Constant(-0.1),
        Normal(10, 2),
        Normal(1.23456789, 0.000123456789),
        LogNormal(5, 2),
        Gamma(4, 3),
        Triangular(1, 2, 6),
        Uniform(2, 8),
        Poisson(3.5),
        Geometric(4),
        Empirical((1.5, 2.5, 10.0, 2.5)),
        Normal(1e20, 3e-20),
        Uniform(1 / 3, 2 / 3),
    ],
    ids=repr,
)
def test_round_trip(dist: Distribution) -> None:
    text = str(dist)
    assert parse_distribution(text) == dist
    assert str(parse_distribution(text)) == text


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw: st.DrawFn) -> Distribution:
    kind = draw(st.sampled_from(["c", "n", "ln", "g", "t", "u", "p", "geo", "e"]))
    if kind == "c":
        return Constant(draw(finite))
    if kind == "n":
        return Normal(draw(finite), draw(positive))
    if kind == "ln":
        return LogNormal(draw(positive), draw(st.floats(0, 1e3)))
    if kind == "g":
        return Gamma(draw(st.floats(0.01, 1e3)), draw(st.floats(0.01, 1e3)))
    if kind == "t":
        a, b, c = sorted(draw(st.lists(finite, min_size=3, max_size=3, unique=True)))
        return Triangular(a, b, c)
    if kind == "u":
        a, b = sorted(draw(st.lists(finite, min_size=2, max_size=2, unique=True)))
        return Uniform(a, b)
    if kind == "p":
        return Poisson(draw(st.floats(0, 1e6)))
    if kind == "geo":
        return Geometric(draw(st.floats(1, 1e6)))
    return Empirical(tuple(draw(st.lists(finite, min_size=1, max_size=20))))


@settings(max_examples=300, deadline=None)
@given(distributions())
def test_round_trip_property(dist: Distribution) -> None:
    assert parse_distribution(str(dist)) == dist


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("normal(1)", "normal takes 2 numbers, got 1"),
        ("normal(1, 2, 3)", "normal takes 2 numbers, got 3"),
        ("normal()", "normal takes 2 numbers, got 0"),
        ("lognormal(1)", "lognormal takes 2 numbers"),
        ("gamma(1, 2, 3)", "gamma takes 2 numbers"),
        ("triangular(1, 2)", "triangular takes 3 numbers, got 2"),
        ("uniform(1)", "uniform takes 2 numbers"),
        ("poisson()", "poisson takes 1 number, got 0"),
        ("poisson(1, 2)", "poisson takes 1 number, got 2"),
        ("geometric(2, 3)", "geometric takes 1 number"),
        ("empirical()", "empirical: needs at least one value"),
    ],
)
def test_bad_arity(text: str, message: str) -> None:
    with pytest.raises(DistributionError, match=message.replace("(", r"\(")):
        parse_distribution(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("normal(1, -1)", "normal: sd must be >= 0, got -1"),
        ("lognormal(0, 1)", "lognormal: mean must be > 0"),
        ("lognormal(2, -1)", "lognormal: sd must be >= 0"),
        ("gamma(1, 0)", "gamma: mean and sd must be > 0"),
        ("gamma(-1, 1)", "gamma: mean and sd must be > 0"),
        ("triangular(3, 1, 2)", "triangular: need min <= mode <= max"),
        ("triangular(1, 3, 2)", "triangular: need min <= mode <= max"),
        ("triangular(2, 2, 2)", "min < max"),
        ("uniform(2, 1)", "uniform: need min < max"),
        ("uniform(2, 2)", "uniform: need min < max"),
        ("poisson(-1)", "poisson: mean must be in"),
        ("geometric(0.5)", "geometric: mean must be in \\[1, 1e9\\], got 0.5"),
        ("geometric(0)", "geometric: mean must be in"),
        ("geometric(2e9)", "geometric: mean must be in"),
        ("normal(1e999, 1)", "normal: mean must be a finite number"),
        ("uniform(0, 1e400)", "uniform: max must be a finite number"),
        ("1e999", "finite"),
        (f"empirical({', '.join(['1'] * 5001)})", "empirical: at most 5000 values"),
    ],
)
def test_bad_parameters(text: str, message: str) -> None:
    with pytest.raises(DistributionError, match=message.replace("(", r"\(")):
        parse_distribution(text)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("normall(1, 2)", "normal"),
        ("Gama(1, 2)", "gamma"),
        ("lognorm(1, 2)", "lognormal"),
        ("poison(3)", "poisson"),
        ("triangle(1, 2, 3)", "triangular"),
        ("emprical(1, 2)", "empirical"),
    ],
)
def test_unknown_name_suggests(text: str, suggestion: str) -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution(text)
    msg = str(info.value)
    assert "unknown distribution" in msg
    assert f"(did you mean '{suggestion}'?)" in msg
    assert "use one of normal, lognormal, gamma" in msg


def test_unknown_name_without_close_match_lists_names() -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution("weibull(1, 2)")
    assert "did you mean" not in str(info.value)
    assert "empirical" in str(info.value)


HOSTILE = [
    "__import__('os')",
    "__import__('os').system('touch /tmp/jitrisk-pwned')",
    "normal(1,2); rm -rf /",
    "normal(1, 2) and __import__('os')",
    "normal(1e999, 1)",
    "normal(1, 1e999)",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "infinity",
    "normal(nan, 1)",
    "normal(inf, 1)",
    "normal(1, -inf)",
    "1" * 25_000,
    "normal(" + "1," * 9_000 + "1)",
    "(" * 5_000 + ")" * 5_000,
    "normal(" * 2_000,
    "a" * 19_000,
    "normal(١, 2)",  # Arabic-Indic digit
    "normal(1, 2)\u202e",
    "ñormal(1, 2)",
    "normal(1, 2)\x00",
    "😀",
    "normal(normal(1, 2), 3)",
    "normal(poisson(1), 3)",
    "normal(1,,2)",
    "normal(,1,2)",
    "normal(1,2,)",
    "normal(1 2)",
    "normal 1 2",
    "normal(1, 2",
    "normal1, 2)",
    "normal[1, 2]",
    "normal(1, 2)(3)",
    "normal(1, 2) normal(1, 2)",
    "lambda: 1",
    "(lambda x: x)(1)",
    "normal.__class__",
    "normal(1, 2).__class__.__bases__",
    "os.system",
    "{'a': 1}",
    "[1, 2]",
    "1 + 1",
    "2 * 3",
    "1/0",
    "0x10",
    "1_000",
    "1e",
    "1e+",
    ".",
    "-",
    "+",
    "--1",
    "1.2.3",
    "normal(1;2)",
    "normal('1', 2)",
    'normal("1", 2)',
    "=normal(1, 2)",
    "=A1",
    "#N/A",
    "#REF!",
    "normal(1, 2) # comment",
    "normal(True, 2)",
    "normal(None, 2)",
    "constant(3)",
    "empirical",
    "normal",
    "()",
    "(1)",
    ",",
    "",
    "   ",
    "\t\n",
    "f'{1}'",
    "${HOME}",
    "$(rm -rf /)",
    "`id`",
    "normal(1, 2)\nnormal(3, 4)",
    "lognormal(1, 1e200)",
    "lognormal(1e-300, 1e300)",
    "gamma(1e200, 1)",
    "gamma(1, 1e-200)",
    "gamma(1e-200, 1e200)",
    "lognormal(3.021571914019053e-213, 3.905655203594785e-68)",
    "triangular(-1e308, 0, 1e308)",
    "uniform(-1e308, 1e308)",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda s: repr(s[:30]))
def test_hostile_strings_raise_distribution_error(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser must never evaluate cell text")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    with pytest.raises(DistributionError):
        parse_distribution(text)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        [1, 2],
        {"a": 1},
        b"normal(1, 2)",
        10**400,
        -(10**400),
        float("nan"),
        float("inf"),
        -float("inf"),
        object(),
        1j,
    ],
    ids=repr,
)
def test_non_text_values_raise_distribution_error(value: object) -> None:
    with pytest.raises(DistributionError):
        parse_distribution(value)


def test_messages_are_short_for_long_input() -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution("normal(" + "x" * 10_000 + ")")
    assert len(str(info.value)) < 200


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_distribution_error(text: str) -> None:
    try:
        d = parse_distribution(text)
    except DistributionError:
        return
    assert isinstance(d, Distribution)
    assert math.isfinite(d.mean)


cell_like = st.text(alphabet="normalpisgecutrfy(),.0123456789eE+- ", max_size=60)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        cell_like,
        st.builds(
            lambda n, a: f"{n}({a})",
            st.sampled_from(
                [
                    "normal",
                    "lognormal",
                    "gamma",
                    "triangular",
                    "uniform",
                    "poisson",
                    "geometric",
                    "empirical",
                ]
            ),
            cell_like,
        ),
    )
)
def test_cell_like_text_parses_to_a_usable_distribution_or_raises(text: str) -> None:
    try:
        d = parse_distribution(text)
    except DistributionError:
        return
    assert math.isfinite(d.mean)
    assert math.isfinite(d.std)
    x = d.sample(np.random.default_rng(0), 5)
    assert np.all(np.isfinite(x))
    pmf = d.whole_day_pmf()
    assert pmf.sum() == pytest.approx(1.0)


NAMES = [
    "normal",
    "lognormal",
    "gamma",
    "uniform",
    "triangular",
    "poisson",
    "geometric",
    "empirical",
]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=3),
)
def test_any_accepted_parameters_are_usable(name: str, args: list[float]) -> None:
    """Parameters the parser accepts, however extreme, never blow up later in SciPy/NumPy."""
    text = f"{name}({', '.join(repr(a) for a in args)})"
    try:
        d = parse_distribution(text)
    except DistributionError:
        return
    assert math.isfinite(d.mean)
    assert math.isfinite(d.std)
    d.sample(np.random.default_rng(0), 5)
    assert d.whole_day_pmf().sum() == pytest.approx(1.0)
    assert d.whole_day_pmf(minimum=1)[0] == 0


sane = st.one_of(
    st.just(0.0),
    st.floats(1e-6, 1e6),
    st.floats(-1e6, -1e-6),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES), st.lists(sane, min_size=1, max_size=3))
def test_accepted_parameters_of_sane_size_sample_finite_values(
    name: str, args: list[float]
) -> None:
    text = f"{name}({', '.join(repr(a) for a in args)})"
    try:
        d = parse_distribution(text)
    except DistributionError:
        return
    assert np.all(np.isfinite(d.sample(np.random.default_rng(0), 20)))
    with np.errstate(divide="ignore"):  # SciPy's geom(p=1) divides by zero, rightly gives 1
        assert d.scipy().mean() == pytest.approx(d.mean, rel=1e-6, abs=1e-9)


def test_whole_day_pmf_is_shared_and_read_only() -> None:
    # equal distributions share one table (the engine compiles many lanes with the
    # same lead time); a caller that tried to change it would corrupt every lane
    a, b = LogNormal(12, 4), LogNormal(12.0, 4.0)
    pa, pb = a.whole_day_pmf(0), b.whole_day_pmf(0)
    assert pa is pb
    assert a.whole_day_pmf(1) is not pa  # the minimum is part of the key
    with pytest.raises(ValueError, match="read-only"):
        pa[0] = 1.0
    np.testing.assert_array_equal(pa, a._whole_day_pmf(0))
