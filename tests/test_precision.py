"""Values at a point float64 cannot give: computed in higher precision, or flagged, never
silently wrong (issue: "never 0.0 or 1.0 by accident").

The reference is :mod:`mp_oracle`, an mpmath evaluator with its own table of functions (it
shares only the parsed tree with chainrule), at 60 digits or more; ``Expr.at`` must equal it to
1e-12 wherever it says its value is reliable.
"""

from __future__ import annotations

import doctest
import json
import math
import pickle
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule
import mp_oracle
from chainrule.autodiff import on_nonfinite
from chainrule.cli.diff_command import DiffRequest, run_diff
from chainrule.core import precision
from chainrule.core.precision import PointValue, ValueOutOfRange, rounding_bound, value_at
from chainrule.errors import (
    ChainruleError,
    ChainruleWarning,
    DomainError,
    NonFiniteDerivative,
    NonFiniteDerivativeWarning,
)
from chainrule.parsing import parse
from chainrule.symbolic.api import diff
from grammar import strategy

DOCS = Path(__file__).resolve().parents[1] / "docs" / "precision.md"


def oracle(e, x: float, dps: int = 60) -> float | None:
    """``e`` at ``x`` by mpmath at ``dps`` and at 4·``dps`` digits where the two agree to
    1e-14; else 0 where both are below 10^−dps (sin(π) is 1e−61, then 1e−241); else None."""
    values = []
    for digits in (dps, 4 * dps):
        with mpmath.workdps(digits):
            values.append(mp_oracle.value(e, mpmath.mpf(x)))
    low, high = values
    if low is None or high is None:
        return None
    if abs(low - high) <= 1e-14 * abs(high):
        return float(high)  # agreed: a value, however small (((1/4)/x)^x at 40 is 6.8e−89)
    if abs(low) < mpmath.mpf(10) ** -dps and abs(high) < mpmath.mpf(10) ** -dps:
        return 0.0  # shrinking with the precision: 0
    return None


def assert_exact(v: PointValue, want: float) -> None:
    assert v.reliable, v.note
    assert abs(v - want) <= 1e-12 * abs(want) + 1e-300, (float(v), want, v.note)


# -- the examples of the issue ----------------------------------------------------------------

@pytest.mark.parametrize("x", [0.3, 3.0, 30.0, 1e200])
def test_x_ln_of_a_power_is_right_everywhere(x):
    d = diff("x*ln((0.5x)^2.5)")
    assert_exact(d.at(x=x), mp_oracle.derivative(parse("x*ln((0.5x)^2.5)"), x))
    assert_exact(d.at(x=x), oracle(d, x))
    assert d.at(x=x) != 0.0


@pytest.mark.parametrize("x", [1.0, 30.0, 1e-3])
def test_logaddexp_of_a_large_product_is_its_argument_not_one(x):
    f = parse("logaddexp(exp(50) x, 0)")
    v = f.at(x=x)
    assert_exact(v, oracle(f, x))
    d = diff(f)
    assert_exact(d.at(x=x), oracle(d, x))
    assert f"{float(f.at(x=1.0)):.3g}" == "5.18e+21"


@pytest.mark.parametrize("x", [0.6, 3.0, 1e200])
def test_x_over_ln_of_a_power_is_finite_and_right(x):
    d = diff("x/ln((2x)^1.5)")
    assert_exact(d.at(x=x), oracle(d, x))


@pytest.mark.parametrize("x", [1.0, 0.5, 3.0])
def test_a_309_digit_frequency_is_computed_or_refused_as_out_of_range(x):
    with pytest.raises(DomainError, match="too large for a float|fraction"):
        diff("0.5 sin(1" + "0" * 309 + " x)")  # a float beside a 309-digit number: refused
    d = diff("1/2 sin(1" + "0" * 309 + " x)")
    with mpmath.workdps(420):
        big = mpmath.mpf(10) ** 309
        want = big / 2 * mpmath.cos(big * x)
    try:
        v = d.at(x=x)
    except ValueOutOfRange as err:
        assert abs(want) > 1.7e308 and "beyond float64's range" in str(err)
        return
    assert_exact(v, float(want))
    assert v.digits > 309  # the digits of the frequency, and the 50 wanted after them


# -- what float64 cannot give -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "x", "why"), [
    ("(x + 1)^2 - x^2", 1e8, "sure of only about"),  # cancellation: float64 gives 2e8
    ("sqrt(x^2 + 1) - x", 1e9, "may lose every digit"),  # float64 gives 0.0
    ("sin(1e22 x)", 1.0, "may lose every digit"),
    ("ln(cosh(x))", 1000.0, "overflows"),  # cosh(1000) overflows; the value is 999.3
    ("ln(exp(x) + 1)", 800.0, "overflows"),
])
def test_values_float64_cannot_give_are_computed_with_more_digits(text, x, why):
    e = parse(text)
    v = e.at(x=x)
    assert_exact(v, oracle(e, x))
    assert v.digits is not None and v.digits >= precision.DIGITS
    assert why in v.note and f"computed with {v.digits} digits" in v.note


def test_ordinary_values_stay_float64_with_their_error_bound():
    e = parse("x^x")
    v = e.at(x=2.0)
    assert (v, v.digits, v.reliable, v.note) == (4.0, None, True, "")
    d = diff(e)
    v = d.at(x=2.0)
    assert v.digits is None and 0 < v.error <= 1e-14 * v
    assert abs(v - oracle(d, 2.0)) <= v.error


def test_values_below_float64s_range_are_zero_without_fuss():
    v = diff("sigmoid(x)").at(x=800.0)  # e^−800: 0 is float64's nearest value
    assert (v, v.digits, v.reliable) == (0.0, None, True)


def test_a_value_beyond_float64s_range_is_refused_with_its_size():
    with pytest.raises(ValueOutOfRange, match=r"about 1\.97e434, beyond float64's range"):
        parse("exp(x)").at(x=1000.0)


def test_rounding_that_decides_at_every_precision_is_refused():
    # cot(πx) at x = 1 is a pole; rounding of π makes it finite at every precision
    with pytest.raises(DomainError, match="cannot be computed reliably|undefined"):
        diff("ln(sin(pi x))").at(x=1.0)


def test_a_derivative_that_cancels_to_zero_is_zero_not_rounding_noise():
    # x/atanh(tanh(0.15x)) is 1/0.15 for x ≠ 0: its derivative is 0, which float64 gives as
    # −8.5e−16; in 51 and 102 digits it is 1e−51 and 1e−102: 0 to each precision
    d = diff("x/atanh(tanh(0.1(1.5x)))")
    assert abs(d.evaluate(x=1.7)) < 1e-14  # float64: noise (−8.5e−16 on NumPy 2; 0 on 1.26)
    v = d.at(x=1.7)
    assert (v, v.reliable) == (0.0, True) and v.error < 1e-90 and "0 to that precision" in v.note


def test_without_mpmath_an_unreliable_value_is_flagged_with_its_bound(monkeypatch):
    monkeypatch.setattr(precision, "has_mpmath", lambda: False)
    e = parse("(x + 1)^2 - x^2")
    v = e.at(x=1e8)
    assert not v.reliable and v.digits is None and "chainrule[precise]" in v.note
    assert abs(v - 200000001.0) <= v.error  # the bound holds
    with pytest.raises(DomainError, match="overflows.*chainrule\\[precise\\]"):
        parse("ln(cosh(x))").at(x=1000.0)
    with pytest.raises(DomainError, match="positive") as err:
        parse("ln(x)").at(x=-1.0)
    assert "precise" not in str(err.value)


def test_a_value_pickles_with_its_note():
    v = parse("sqrt(x^2 + 1) - x").at(x=1e9)
    back = pickle.loads(pickle.dumps(v))
    assert (back, back.digits, back.error, back.reliable, back.note) == \
        (v, v.digits, v.error, v.reliable, v.note)


def test_a_point_is_numbers():
    with pytest.raises(ChainruleError, match="not an array"):
        value_at(parse("x"), {"x": [1.0, 2.0]})


def test_the_bound_counts_underflow_and_inexact_constants():
    # e^−750 underflows to 0, which y = 1e300 then amplifies: the bound sees it, and the
    # value at the point is the true 1.9e−26, not 0
    e = parse("exp(-x) * y")
    point = {"x": 750.0, "y": 1e300}
    assert e.evaluate(**point) == 0.0
    assert float(rounding_bound(e, point)) > 1e-25
    with mpmath.workdps(40):
        want = float(mpmath.exp(-750) * mpmath.mpf(1e300))
    assert_exact(e.at(**point), want)
    assert float(rounding_bound(parse("pi"), {})) > 0  # π is not a float


# -- the front ends ---------------------------------------------------------------------------

def test_diff_at_says_how_a_value_was_computed():
    req = DiffRequest("sin(1e22 x)", None, 1, "x=1", False, "", "normal", "auto", "json")
    out = json.loads(json.dumps(run_diff(req)))
    assert out["precision"]["computed_with"].endswith("digits")
    assert out["precision"]["reliable"] and "float64 may lose every digit" in \
        out["precision"]["note"]
    assert abs(out["value"] - oracle(diff("sin(1e22 x)"), 1.0)) <= 1e-12 * abs(out["value"])
    req.fmt = "text"
    assert "(computed with" in str(run_diff(req))
    req.expr, req.at = "x^x", "x=2"
    assert "computed with" not in str(run_diff(req))


# -- property: at any point, the value of any expression is right or flagged --------------------

POINTS = st.sampled_from([-2.3, -0.7, 0.3, 1.7, 7.5, 40.0, 700.0, 1e8])


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # strategy repr
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=strategy(), x=POINTS, order=st.sampled_from([0, 1]))
def test_a_value_at_a_point_equals_mpmath_or_is_flagged(text, x, order):
    try:
        e = parse(text)
        if order:
            e = diff(e)
        v = e.at(x=x)
    except ChainruleError:
        return  # refused with a reason
    assert math.isfinite(v)
    want = oracle(e, x, 80)
    if want is None or not v.reliable:
        return  # undefined exactly (float64 rounded into the domain), or flagged
    if want == 0.0:  # 0 to 80 digits: ours is 0 up to its own error bound
        assert abs(v) <= max(v.error, 1e-300), (text, x, str(e), float(v), v.note)
        return
    assert abs(v - want) <= 1e-12 * abs(want) + 1e-300, (text, x, str(e), float(v), want,
                                                          v.note)


# -- automatic differentiation: NaN/∞ never silent --------------------------------------------

def _warned(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught if w.category is NonFiniteDerivativeWarning]


def test_a_nan_derivative_at_finite_inputs_is_warned_with_its_primitive():
    f = lambda x: np.sum(np.sqrt(x) * 0 + x)  # noqa: E731  (0·∞ from sqrt′(0))
    g, messages = _warned(lambda: chainrule.grad(f)(np.array([0.0, 1.0, 4.0])))
    assert np.isnan(g[0]) and g[1:].tolist() == [1.0, 1.0]
    assert len(messages) == 1
    assert messages[0].startswith("reverse mode: 1 derivative entry is NaN or infinite")
    assert "first at sqrt" in messages[0]


@pytest.mark.parametrize("call", [
    lambda f, x: chainrule.jvp(f, (x,), (np.ones_like(x),))[1],
    lambda f, x: chainrule.vjp(f, x)[1](np.ones_like(x))[0],
    lambda f, x: chainrule.elementwise_grad(f)(x),
    lambda f, x: chainrule.jacobian(f, mode="fwd")(x),
    lambda f, x: chainrule.jacobian(f)(x),
], ids=["jvp", "vjp", "elementwise_grad", "jacobian_fwd", "jacobian_rev"])
def test_every_entry_point_warns(call):
    f = lambda x: np.sqrt(x) * 0 + x  # noqa: E731
    out, messages = _warned(lambda: call(f, np.array([0.0, 1.0])))
    assert not np.all(np.isfinite(out)) and messages


def test_grad_of_a_float_warns_too():
    # sin(x)/(2√x) + √x·cos(x) at 0 is 0/0 (the limit, the derivative, is 0)
    g, messages = _warned(lambda: chainrule.grad(lambda x: np.sqrt(x) * np.sin(x))(0.0))
    assert math.isnan(g) and messages and "1 derivative entry is NaN" in messages[0]


def test_no_warning_where_f_itself_is_not_finite_or_the_derivative_is():
    # ln(0) = −∞: f is not finite there, so its ∞ slope is no surprise
    _, messages = _warned(lambda: chainrule.elementwise_grad(np.log)(np.array([0.0, 1.0])))
    assert not messages
    _, messages = _warned(lambda: chainrule.grad(lambda x: np.sum(x ** 2))(np.ones(3)))
    assert not messages
    # a vectorised f undefined at one point: that point's NaN is f's, the others are fine
    f = lambda x: np.sqrt(x - 1.0)  # noqa: E731
    _, messages = _warned(lambda: chainrule.elementwise_grad(f)(np.array([0.0, 2.0])))
    assert not messages


def test_on_nonfinite_raises_or_ignores():
    f = lambda x: np.sum(np.sqrt(x) * 0 + x)  # noqa: E731
    x = np.array([0.0, 1.0])
    with on_nonfinite("raise"), pytest.raises(NonFiniteDerivative, match="first at sqrt"):
        chainrule.grad(f)(x)
    with on_nonfinite("ignore"):
        _, messages = _warned(lambda: chainrule.grad(f)(x))
    assert not messages
    with pytest.raises(ChainruleError, match="'warn', 'raise' or 'ignore'"), \
            on_nonfinite("loud"):
        pass


def test_nested_derivatives_are_checked_once_by_the_outer_call():
    f = lambda x: np.sum(np.sqrt(x) * 0 + x ** 3)  # noqa: E731
    h, messages = _warned(lambda: chainrule.hessian(f)(np.array([0.0, 1.0])))
    assert messages and len(messages) <= 2  # the Hessian's own entries, not the inner grad's


def test_the_warning_is_a_chainrule_warning():
    assert issubclass(NonFiniteDerivativeWarning, ChainruleWarning)
    assert issubclass(NonFiniteDerivative, ChainruleError)


def test_the_docs_page_runs():
    failures, tried = doctest.testfile(str(DOCS), module_relative=False,
                                       optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 5 and failures == 0
