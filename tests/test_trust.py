"""No silent wrong answer, bounded work: the examples of the trust report, each a regression.

Every value is checked against mpmath at 50 digits; every refusal asserts its reason; every
bounded operation is stopped by a deterministic count (steps or nodes), never by the clock.
"""

from __future__ import annotations

import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

import chainrule
import mp_oracle
from chainrule import diff, ml, parse
from chainrule.errors import BudgetError, ChainruleError, DomainError, WorkLimitExceeded
from chainrule.limits.budget import Budget, within
from chainrule.testing import ulps

mpmath.mp.dps = 50


def _close(got: float, want, rel: float = 1e-12) -> None:
    want = float(want)
    assert math.isfinite(got)
    assert abs(got - want) <= rel * abs(want), (got, want)


# -- silently wrong ----------------------------------------------------------------------

@pytest.mark.parametrize("x", [1e-300, 1e-200, 1e-5, 0.7, 3.0, 1e5, 1e200, 1e300])
def test_x_ln_of_a_float_power(x):
    # d/dx x·ln((x/2)^2.5) = 2.5·ln(x/2) + 2.5: never 0, finite where (x/2)^2.5 overflows
    d = diff("x*ln((0.5x)^2.5)")
    xm = mpmath.mpf(x)
    _close(d.evaluate(x=x), 2.5 * mpmath.log(xm / 2) + 2.5)


def test_ln_of_a_power_folds_only_where_it_is_valid():
    # ln(v^p) = p·ln(v) needs p not even: ln(x^2) is defined at x < 0, 2·ln(x) is not
    assert str(parse("ln(x^2.5)")) == "2.5*ln(x)"
    assert str(parse("ln(x^3)")) == "3*ln(x)"
    assert "x^2" in str(parse("ln(x^2)"))
    _close(diff("ln(x^2)").evaluate(x=-3.0), -2 / 3)


def test_logaddexp_of_a_large_product_is_not_folded_to_one():
    e = parse("logaddexp(exp(50) x, 0)")
    # logaddexp(a, 0) = log(e^a + 1) with a = e^50 ≈ 5.18e21: the value is a itself
    _close(e.evaluate(x=1.0), mpmath.log(mpmath.exp(mpmath.exp(50)) + 1))
    assert e.evaluate(x=1.0) > 5e21


@pytest.mark.parametrize("x", [1e-200, 1e-5, 0.7, 3.0, 1e5, 1e200, 1e300])
def test_x_over_ln_of_a_power_is_finite(x):
    # f = x/(1.5·ln 2x), f′ = 1/(1.5·ln 2x) − 1/(1.5·ln² 2x)
    d = diff("x/ln((2x)^1.5)")
    lg = mpmath.log(2 * mpmath.mpf(x))
    _close(d.evaluate(x=x), 1 / (mpmath.mpf(1.5) * lg) - 1 / (mpmath.mpf(1.5) * lg**2),
           rel=1e-12)


@pytest.mark.parametrize("x", [-30.0, -40.0, -100.0, -700.0, 1e-300, 5.0])
def test_expm1_slope_keeps_its_digits(x):
    # the rule is e^u, not expm1(u) + 1 (which is 0 below u ≈ −37)
    want = mpmath.exp(mpmath.mpf(x))
    _close(diff("expm1(x)").evaluate(x=x), want, rel=4e-16)
    _close(float(chainrule.grad(ml.expm1)(x)), want, rel=4e-16)


@pytest.mark.parametrize("z", [30.0, 40.0, 100.0, 700.0])
def test_sigmoid_slope_through_grad_of_a_float(z):
    zm = mpmath.mpf(z)
    want = mpmath.exp(-zm) / (1 + mpmath.exp(-zm)) ** 2
    _close(float(chainrule.grad(ml.sigmoid)(z)), want, rel=1e-15)


def test_binary_cross_entropy_with_logits_at_y_1_z_30():
    z = 30.0
    want = mpmath.log1p(mpmath.exp(-mpmath.mpf(z)))
    got = float(ml.binary_cross_entropy_with_logits(z, 1.0))
    _close(got, want, rel=1e-15)


# -- crashes -----------------------------------------------------------------------------

HUGE = "0.5 sin(1" + "0" * 309 + " x)"


def test_a_float_times_a_huge_integer_is_refused_with_a_reason():
    with pytest.raises(DomainError, match="1.8e308"):
        diff(HUGE)


def test_the_cli_refuses_the_huge_constant_without_an_internal_error():
    out = subprocess.run([sys.executable, "-m", "chainrule", "diff", HUGE],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode not in (0, 3)
    assert "1.8e308" in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_an_exact_huge_integer_still_differentiates():
    d = diff("1/2 sin(1" + "0" * 309 + " x)")
    assert "cos" in str(d)


# -- unbounded work ----------------------------------------------------------------------

def test_x_to_the_x_to_order_20_is_right_and_small():
    d = diff("x^x", order=20)
    assert d.node_count() < 2_000  # collected terms: O(n²), not geometric
    want = mpmath.diff(lambda t: t**t, mpmath.mpf("1.5"), 20)
    _close(d.evaluate(x=1.5), want, rel=1e-12)


def test_higher_orders_are_stopped_by_the_step_budget():
    with pytest.raises(WorkLimitExceeded, match="steps") as err:
        diff("x^x", order=30, budget=Budget(steps=20_000, seconds=120))
    assert err.value.limit == "steps"
    assert "budget=Budget(steps=" in str(err.value)


def test_the_node_budget_bounds_memory():
    with pytest.raises(WorkLimitExceeded, match="nodes") as err:
        diff("x^x", order=12, budget=Budget(nodes=500, seconds=120))
    assert err.value.limit == "nodes" and err.value.used == 501


def test_a_deadline_of_zero_stops_at_the_first_check():
    with pytest.raises(WorkLimitExceeded, match="seconds"):
        diff("x^x", order=12, budget=0.0)


def test_a_budget_is_an_error_of_the_library():
    assert issubclass(WorkLimitExceeded, BudgetError)
    assert issubclass(WorkLimitExceeded, ChainruleError)


@pytest.mark.parametrize("k", [2, 3, 8, 40])
def test_a_tower_of_negative_powers_parses_at_once(k):
    text = "2" + "^-72" * k
    # a small step budget: the parser never tries 2^(72^72)-sized exact roots
    e = parse(text, budget=Budget(steps=100_000, nodes=10_000))
    assert "2" in str(e)


def test_sqrt_power_power_answers():
    d = diff("(sqrt(x)^0.5)^x", budget=Budget(steps=1_000_000))
    f = lambda t: (mpmath.sqrt(t) ** mpmath.mpf(0.5)) ** t  # noqa: E731
    for x in (0.3, 2.0, 7.5):
        _close(d.evaluate(x=x), mpmath.diff(f, mpmath.mpf(x)), rel=1e-12)


def test_an_outer_budget_is_shared_by_inner_operations():
    with within(Budget(steps=10**9)) as meter:
        diff("x*sin(x)^3 + ln(x^2 + 1)", order=4)
        used = meter.steps
        assert used > 0
        diff("x*cos(x)^3 + ln(x^4 + 1)", order=4)
        assert meter.steps > used
    with pytest.raises(WorkLimitExceeded), within(Budget(steps=used // 2)):
        diff("x*sin(x)^5 + ln(x^6 + 1)", order=4)


def test_without_a_running_operation_charging_is_free():
    e = parse("sin(x)^2")
    assert np.isclose(diff(e).evaluate(x=1.0), math.sin(2.0))


# -- stable primitives to a few ulps ------------------------------------------------------

@pytest.mark.parametrize("case", ulps.CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("what", ["value", "derivative"])
@pytest.mark.parametrize("path", ["symbolic", "ad"])
def test_stable_primitives_are_exact_to_4_ulps(case, what, path):
    assert ulps.max_ulps(case, what, path) <= 4


def test_the_ulp_measure_sees_a_wrong_digit():
    assert ulps.ulps(1.0 + 2**-52, 1.0) == 1.0
    assert ulps.ulps(math.nan, 1.0) == math.inf


def test_sigmoid_slope_is_shown_as_the_seeds_write_it_and_evaluated_exactly():
    d = diff("sigmoid(x)")
    assert str(d) == "sigmoid(x)*(1 - sigmoid(x))"
    zm = mpmath.mpf(40)
    _close(d.evaluate(x=40.0), mpmath.exp(-zm) / (1 + mpmath.exp(-zm)) ** 2, rel=1e-15)
    got = d.evaluate(x=np.array([0.5, 40.0]))
    assert isinstance(got, np.ndarray) and got[1] > 0


def test_the_cli_timeout_is_the_work_budget():
    out = subprocess.run([sys.executable, "-m", "chainrule", "diff", "x^x", "--order", "40",
                          "--timeout", "0"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "--timeout" in out.stderr and "Traceback" not in out.stderr


def test_log_softmax_keeps_tiny_entries():
    got = ml.log_softmax(np.array([[0.0, -40.0], [3.0, 1.0]]), axis=1)
    for row, logits in zip(got, [(0, -40), (3, 1)], strict=True):
        lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in logits))
        for g, v in zip(row, logits, strict=True):
            _close(g, v - lse, rel=4e-16)
    assert got[0, 0] < 0  # −4.2e−18, not 0


def test_log_softmax_slope_is_p_minus_one_hot():
    z = np.array([0.3, -1.2, 2.0])
    p = np.exp(z) / np.sum(np.exp(z))
    g = chainrule.grad(lambda t: ml.log_softmax(t)[2])(z)
    assert np.allclose(g, np.eye(3)[2] - p, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize(("logits", "labels", "want"), [
    ([1e308, -1e308], [1.0, 0.0], 0.0),
    ([-1e308, 1e308], [0.0, 1.0], 0.0),
    ([1e308, 1e308], [0.0, 1.0], math.log(2)),
])
def test_cross_entropy_with_logits_at_the_float_limit(logits, labels, want):
    got = float(ml.cross_entropy_with_logits(np.array(logits), np.array(labels)))
    assert math.isfinite(got) and abs(got - want) <= 1e-15
    g = chainrule.grad(lambda z: ml.cross_entropy_with_logits(z, np.array(labels)))(
        np.array(logits))
    assert np.all(np.isfinite(g))


# -- refuse only what is undefined -------------------------------------------------------

@pytest.mark.parametrize(("x", "want"), [(-2.0, -4.0), (0.0, 0.0), (0.5, -1.0), (3.0, 6.0)])
def test_abs_differentiates_away_from_its_kink(x, want):
    assert diff("abs(x^2 - 1)").evaluate(x=x) == want


def test_abs_refuses_at_its_kink_naming_both_slopes():
    # |x² − 1| near 1 is 2|x − 1|·(1 + …): slopes −2 and 2
    with pytest.raises(DomainError, match="left slope −2, right slope 2") as err:
        diff("abs(x^2 - 1)").evaluate(x=1.0)
    assert "x = 1" in str(err.value) and "x^2 - 1" in str(err.value)
    with pytest.raises(DomainError, match="left slope −1, right slope 1"):
        diff("abs(x)").evaluate(x=0.0)
    with pytest.raises(DomainError, match="left slope −2, right slope 2"):
        diff("abs(x) + abs(-x)").evaluate(x=0.0)  # each kink from its own side


@pytest.mark.parametrize(("text", "x"), [
    ("abs(x)^3", 0.0),        # 3|x|²·sign(x): the slope factor meets a vanishing one
    ("abs(x^2)", 0.0),        # u = x² does not change sign at 0
    ("abs(x^3)", 0.0),
    ("0.1*abs(relu(x))", -2.3),  # |relu(x)| is 0 all around x < 0
    ("x*abs(x)", 0.0),
    ("sin(abs(x))^2", 0.0),
])
def test_abs_differentiates_where_both_sides_agree(text, x):
    f = mp_f(text)
    want = float(mpmath.diff(f, mpmath.mpf(x)))
    got = diff(text).evaluate(x=x)
    assert abs(got - want) <= 1e-12 * abs(want) + 1e-40  # mpmath's 0 is 1e-54


def mp_f(text):
    e = parse(text)
    return lambda t: mp_oracle.value(e, t)


# -- never 0.0 by accident ---------------------------------------------------------------

@pytest.mark.parametrize("x", [20.0, -25.0, 100.0, 0.5])
def test_tanh_slope_keeps_its_digits_in_every_mode(x):
    # 1 − tanh²(20) is 1 − 1 = 0 in float64; the slope is 1/cosh² = 1.7e−17
    want = 1 / mpmath.cosh(mpmath.mpf(x)) ** 2
    _close(diff("tanh(x)").evaluate(x=x), want, rel=4e-16)
    _close(float(chainrule.grad(np.tanh)(x)), want, rel=4e-16)
    _close(float(chainrule.grad(np.tanh)(np.array(x))), want, rel=4e-16)
    assert str(diff("tanh(x)")) == "1 - tanh(x)^2"  # shown as learners write it
