"""Numerical differentiation: accuracy, honest error bounds, and non-differentiable points.

The corpus (``chainrule.numeric.corpus``) is 36 smooth functions with reference derivatives
from mpmath at 50 digits. Every test is deterministic (fixed points, no random steps) and
asserts no wall-clock time.
"""

from __future__ import annotations

import cmath
import doctest
import math
import statistics
from fractions import Fraction

import numpy as np
import pytest

import chainrule
from chainrule.errors import BudgetError, ChainruleError
from chainrule.numeric import (
    CONVERGED,
    DOMAIN,
    INFINITE_SLOPE,
    JUMP,
    KINK,
    ONE_SIDED,
    DerivativeResult,
    derivative,
    directional_derivative,
    fornberg_weights,
    gradient,
    hessian,
    jacobian,
    log_derivative,
    scheme_nodes,
    step_tradeoff,
)
from chainrule.numeric.result import NOT_DIFFERENTIABLE

mpmath = pytest.importorskip("mpmath")
from chainrule.numeric.corpus import cases, exact  # noqa: E402

X_TO_THE_X_AT_2 = 6.772588722239781  # 4(ln 2 + 1), seed 000


def rel(got: float, want: float) -> float:
    return abs(got - want) / max(abs(want), 1e-300)


def run_corpus(order: int, **options) -> list[tuple[str, float, DerivativeResult, float]]:
    """(name, exact, result, absolute error) for every corpus case."""
    out = []
    for case in cases():
        want = exact(case, order)
        res = derivative(case.f, case.x, order, **options)
        out.append((case.name, want, res, abs(res.df - want)))
    return out


# -- the corpus: accuracy and error bounds ------------------------------------------------

def test_corpus_is_large_enough():
    assert len(cases()) >= 23
    assert len({c.name for c in cases()}) == len(cases())


@pytest.mark.parametrize("order, median_bound", [(1, 1e-13), (2, 1e-10), (3, 1e-8), (4, 1e-6)])
def test_default_derivative_is_accurate_and_its_error_bounds_the_truth(order, median_bound):
    rows = run_corpus(order)
    uncovered = [(name, err, res.error) for name, _, res, err in rows if not err <= res.error]
    assert not uncovered, f"error bound below the true error: {uncovered}"
    failed = [(name, res.status) for name, _, res, _ in rows if not res.success]
    assert not failed, failed
    rels = [err / max(abs(want), 1e-300) for _, want, _, err in rows if want != 0]
    assert statistics.median(rels) <= median_bound


def test_first_derivative_worst_case_is_still_tight():
    worst = max(rel(res.df, want) for _, want, res, _ in run_corpus(1))
    assert worst < 1e-11


# -- what f can be ------------------------------------------------------------------------

def test_scalar_only_callable():
    res = derivative(math.sin, 1.0)  # math.sin refuses arrays: f must be called point-wise
    assert res.success and rel(res.df, math.cos(1.0)) < 1e-13


@pytest.mark.parametrize("f, df, x", [
    (np.sin, np.cos, 0.7),
    (lambda x: np.exp(-x**2) * np.sin(3 * x),
     lambda x: np.exp(-x**2) * (3 * np.cos(3 * x) - 2 * x * np.sin(3 * x)), 0.4),
    (np.arctan, lambda x: 1 / (1 + x**2), -2.0),
])
def test_vectorised_numpy_callable(f, df, x):
    res = derivative(f, x)
    assert res.success and rel(res.df, float(df(x))) < 1e-12


def test_array_of_points_gives_elementwise_results():
    xs = np.linspace(-1.0, 2.0, 7)
    res = derivative(np.exp, xs)
    assert res.df.shape == xs.shape and res.success.all()
    assert np.allclose(res.df, np.exp(xs), rtol=1e-12, atol=0)
    assert np.all(np.abs(res.df - np.exp(xs)) <= res.error)


def test_chainrule_text_and_expressions():
    res = derivative("x^x", 2.0)
    assert res.success
    assert rel(res.df, X_TO_THE_X_AT_2) < 1e-13
    assert rel(derivative(chainrule.parse("sin(x)^2"), 0.3).df, math.sin(0.6)) < 1e-13
    assert rel(derivative("t^3", 2.0).df, 12.0) < 1e-13
    assert rel(derivative("t^3", 2.0, wrt="t").df, 12.0) < 1e-13
    with pytest.raises(ChainruleError, match="wrt"):
        derivative("x*y", 1.0)


def test_extra_args_are_passed():
    res = derivative(lambda x, a, b: a * x**2 + b, 2.0, args=(3.0, 1.0))
    assert rel(res.df, 12.0) < 1e-13


def test_derivative_agrees_with_the_symbolic_engine():
    for text, x in [("x^x", 2.0), ("ln(x) sin(x)", 1.3), ("sigmoid(x)", 0.4), ("tan(x)", 1.4)]:
        exact_value = chainrule.diff(text).evaluate(x=x)
        res = derivative(text, x)
        assert abs(res.df - exact_value) <= res.error, text


# -- non-differentiable points ------------------------------------------------------------

NOT_DIFFERENTIABLE_CASES = [
    ("abs at 0", abs, 0.0, KINK),
    ("np.abs at 0", np.abs, 0.0, KINK),
    ("|x| + x^2 at 0", lambda x: abs(x) + x * x, 0.0, KINK),
    ("max(x, 2x) at 0", lambda x: max(x, 2 * x), 0.0, KINK),
    ("heaviside at 0", lambda x: np.heaviside(x, 0.5), 0.0, JUMP),
    ("right-continuous step", lambda x: np.heaviside(x, 1.0), 0.0, JUMP),
    ("sign at 0", np.sign, 0.0, JUMP),
    ("removable discontinuity", lambda x: math.sin(x) / x if x else 5.0, 0.0, JUMP),
    ("sqrt at 0", math.sqrt, 0.0, INFINITE_SLOPE),
    ("np.sqrt at 0", np.sqrt, 0.0, INFINITE_SLOPE),
    ("cbrt at 0", np.cbrt, 0.0, INFINITE_SLOPE),
    ("cbrt at 1", lambda x: np.cbrt(x - 1), 1.0, INFINITE_SLOPE),
    ("x^1.5 at 0", lambda x: x**1.5, 0.0, ONE_SIDED),
    ("acos at 1", math.acos, 1.0, INFINITE_SLOPE),
    ("log at 0", math.log, 0.0, DOMAIN),
    ("text abs(x) at 0", "abs(x)", 0.0, KINK),
    ("text sqrt(x) at 0", "sqrt(x)", 0.0, INFINITE_SLOPE),
]


@pytest.mark.parametrize("name, f, x, status", NOT_DIFFERENTIABLE_CASES,
                         ids=[c[0] for c in NOT_DIFFERENTIABLE_CASES])
def test_non_differentiable_points_are_reported(name, f, x, status):
    res = derivative(f, x)
    assert res.status == status, res.message
    assert not res.success
    assert math.isnan(res.df) and res.error == math.inf  # never a confident number
    assert res.message


def test_kink_reports_both_one_sided_derivatives():
    res = derivative(abs, 0.0)
    assert (res.left, res.right) == (-1.0, 1.0)
    assert "-1" in res.message and "1" in res.message


@pytest.mark.parametrize("method", ["central", "forward", "backward", "complex"])
def test_every_method_detects_the_kink(method):
    assert derivative(np.abs, 0.0, method=method).status == KINK


@pytest.mark.parametrize("f, x, order, status", [
    (lambda x: x * abs(x), 0.0, 2, KINK),        # f′ = 2|x| has a kink
    (lambda x: x * x * abs(x), 0.0, 3, KINK),    # f″ = 6|x|
    (abs, 0.0, 2, KINK),
    (np.sign, 0.0, 3, JUMP),
    (lambda x: abs(x) ** 1.5, 0.0, 2, INFINITE_SLOPE),  # f′ ~ √|x|
])
def test_higher_order_non_differentiability(f, x, order, status):
    res = derivative(f, x, order)
    assert res.status == status and not res.success


@pytest.mark.parametrize("f, x, want", [
    (abs, 1.0, 1.0), (abs, -2.0, -1.0), (np.sign, 3.0, 0.0), (math.sqrt, 1e-6, 500.0),
    (np.cbrt, 8.0, 1 / 12), (lambda x: np.heaviside(x, 0.5), -1.0, 0.0),
])
def test_same_functions_away_from_the_bad_point_are_fine(f, x, want):
    res = derivative(f, x)
    assert res.success and res.status == CONVERGED
    assert abs(res.df - want) <= max(res.error, 1e-12 * abs(want))


def test_smooth_functions_are_not_falsely_flagged():
    """Every corpus function at points around its own, orders 1 and 2: nothing flagged."""
    flagged = []
    for case in cases():
        for shift in (-0.21, 0.0, 0.13):
            x = case.x + shift
            with np.errstate(all="ignore"):
                if not np.isfinite(case.f(x)):
                    continue
            for order in (1, 2):
                res = derivative(case.f, x, order)
                if res.status in NOT_DIFFERENTIABLE or res.status == DOMAIN:
                    flagged.append((case.name, x, order, res.status))
    assert not flagged


@pytest.mark.parametrize("f, x", [(math.cos, 0.0), (lambda x: x**2, 0.0),
                                  (lambda x: math.exp(x) - x, 0.0), (lambda x: x**3, 0.0)])
def test_zero_derivatives_at_critical_points(f, x):
    res = derivative(f, x)
    assert res.success and abs(res.df) <= res.error < 1e-10


# -- properties (hypothesis, derandomised) ------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# normal floats: below the smallest normal number (2.2e-308) rounding is absolute, not relative,
# and the bound's relative rounding term does not cover it (seen with older hypothesis draws)
finite = st.floats(-4.0, 4.0, allow_nan=False, allow_subnormal=False)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(coeffs=st.lists(finite, min_size=1, max_size=8), x=finite, order=st.integers(1, 4))
def test_polynomials_are_covered_by_the_bound(coeffs, x, order):
    p = np.polynomial.Polynomial(coeffs)
    res = derivative(p, x, order)
    assert res.status not in NOT_DIFFERENTIABLE
    assert abs(res.df - p.deriv(order)(x)) <= res.error


@settings(derandomize=True, max_examples=60, deadline=None)
@given(terms=st.lists(st.tuples(finite, st.floats(0.1, 6.0), finite), min_size=1, max_size=4),
       x=finite, order=st.integers(1, 3))
def test_trigonometric_sums_are_covered_by_the_bound(terms, x, order):
    def f(t):
        return sum(a * math.sin(b * t + c) for a, b, c in terms)

    def exact_derivative(t):
        return sum(a * b**order * math.sin(b * t + c + order * math.pi / 2) for a, b, c in terms)

    res = derivative(f, x, order)
    assert res.status not in NOT_DIFFERENTIABLE
    assert abs(res.df - exact_derivative(x)) <= res.error + 1e-15 * sum(
        abs(a) * b**order for a, b, _ in terms)


# -- methods ------------------------------------------------------------------------------

@pytest.mark.parametrize("method, median_bound", [("forward", 1e-11), ("backward", 1e-11),
                                                  ("complex", 1e-15)])
def test_each_method_reaches_its_accuracy(method, median_bound):
    rows = run_corpus(1, method=method)
    assert all(err <= res.error for _, _, res, err in rows)
    assert statistics.median(err / abs(want) for _, want, _, err in rows) <= median_bound


def test_complex_step_is_used_where_it_can_be_and_refused_where_it_cannot():
    res = derivative(cmath.sin, 1.0, method="complex")
    assert res.method == "complex" and rel(res.df, math.cos(1.0)) < 1e-15
    second = derivative(np.exp, 1.0, order=2, method="complex")
    assert second.method == "complex" and rel(second.df, math.e) < 1e-12
    refused = derivative(math.sin, 1.0, method="complex")  # math.sin takes no complex
    assert refused.method == "central" and "complex" in refused.message and refused.success
    not_analytic = derivative(np.abs, 1.0, method="complex")  # |1 + ih| has no imaginary part
    assert not_analytic.method == "central" and rel(not_analytic.df, 1.0) < 1e-13
    assert derivative(np.exp, 1.0, order=3, method="complex").method == "central"


@pytest.mark.parametrize("method, accuracy, slope", [
    ("forward", 1, 1), ("backward", 1, 1), ("forward", 2, 2), ("central", 2, 2),
    ("central", 4, 4), ("central", 6, 6), ("forward", 3, 3),
])
def test_fixed_step_schemes_converge_at_their_order(method, accuracy, slope):
    """Without extrapolation, halving h divides the error by 2^accuracy."""
    f, x, want = np.exp, 0.5, math.exp(0.5)
    errors = [abs(derivative(f, x, method=method, accuracy=accuracy, step=h, adaptive=False,
                             check=False).df - want) for h in (0.1, 0.05)]
    assert math.log2(errors[0] / errors[1]) == pytest.approx(slope, abs=0.25)


def test_fixed_step_error_is_a_bound():
    for h in (1e-1, 1e-3, 1e-5):
        res = derivative(np.sin, 1.0, step=h, adaptive=False)
        assert abs(res.df - math.cos(1.0)) <= res.error


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("accuracy", [2, 4])
def test_higher_orders_and_accuracies_of_central_differences(order, accuracy):
    res = derivative(np.sin, 0.6, order, accuracy=accuracy)
    want = [math.cos, lambda t: -math.sin(t), lambda t: -math.cos(t), math.sin][order - 1](0.6)
    assert res.success and abs(res.df - want) <= res.error


def test_declared_noise_widens_the_bound():
    def noisy(x):  # sin with deterministic "solver noise" of size 1e-9
        return math.sin(x) + 1e-9 * math.sin(1e7 * x)
    res = derivative(noisy, 1.0, noise=1e-9)
    assert abs(res.df - math.cos(1.0)) <= res.error < 1e-3
    assert res.error > derivative(math.sin, 1.0).error * 100


def test_domain_edge_nearby_is_handled_by_smaller_steps():
    res = derivative(math.log, 1e-3)  # steps that cross 0 fail and are dropped
    assert res.success and rel(res.df, 1e3) < 1e-11


# -- stencils -----------------------------------------------------------------------------

def test_fornberg_reproduces_the_classic_formulas():
    def weights(nodes, order):
        return fornberg_weights([Fraction(n) for n in nodes], order)
    F = Fraction
    assert weights([-1, 0, 1], 1) == [F(-1, 2), 0, F(1, 2)]
    assert weights([-1, 0, 1], 2) == [1, -2, 1]
    assert weights([-2, -1, 0, 1, 2], 1) == [F(1, 12), F(-2, 3), 0, F(2, 3), F(-1, 12)]
    assert weights([0, 1, 2], 1) == [F(-3, 2), 2, F(-1, 2)]
    assert weights([-2, -1, 0, 1, 2], 4) == [1, -4, 6, -4, 1]
    assert weights([0, 1], 1) == [-1, 1]


def test_scheme_nodes():
    assert scheme_nodes("central", 1, 2) == (-1, 0, 1)
    assert scheme_nodes("central", 3, 2) == (-2, -1, 0, 1, 2)
    assert scheme_nodes("central", 4, 4) == (-3, -2, -1, 0, 1, 2, 3)
    assert scheme_nodes("forward", 2, 1) == (0, 1, 2)
    assert scheme_nodes("backward", 1, 2) == (-2, -1, 0)
    with pytest.raises(ValueError):
        scheme_nodes("central", 1, 3)


# -- vector functions ---------------------------------------------------------------------

def quadratic(v):
    return v[0] ** 2 + 3 * v[1] ** 2


@pytest.mark.parametrize("f", [quadratic, "x^2 + 3y^2"])
def test_gradient_jacobian_hessian_of_the_quadratic(f):
    g = gradient(f, [1.0, 2.0])
    assert g.success and np.allclose(g.df, [2.0, 12.0], rtol=1e-12, atol=1e-12)
    assert np.all(np.abs(g.df - [2.0, 12.0]) <= g.error)
    J = jacobian(f, [1.0, 2.0])
    assert J.df.shape == (1, 2) and np.allclose(J.df, [[2.0, 12.0]], rtol=1e-12)
    H = hessian(f, [1.0, 2.0])
    assert H.success and np.allclose(H.df, [[2.0, 0.0], [0.0, 6.0]], rtol=1e-9, atol=1e-9)
    assert np.all(np.abs(H.df - [[2.0, 0.0], [0.0, 6.0]]) <= H.error)
    assert np.array_equal(H.df, H.df.T)


def test_jacobian_of_a_vector_function_and_scalar_only_code():
    def f(v):  # math functions: one point at a time
        return [math.sin(v[0]) * v[1], math.exp(v[1]), v[0] * v[1] * v[2]]
    x = [1.0, 0.5, 2.0]
    want = [[math.cos(1.0) * 0.5, math.sin(1.0), 0.0],
            [0.0, math.exp(0.5), 0.0],
            [1.0, 2.0, 0.5]]
    res = jacobian(f, x)
    assert res.success and res.df.shape == (3, 3)
    assert np.all(np.abs(res.df - want) <= res.error)


def test_hessian_of_a_non_quadratic():
    f = lambda v: math.exp(v[0] * v[1]) + math.log(v[2]) * v[0]  # noqa: E731
    x, y, z = 0.3, 0.7, 2.0
    e = math.exp(x * y)
    want = [[y * y * e, e * (1 + x * y), 1 / z], [e * (1 + x * y), x * x * e, 0.0],
            [1 / z, 0.0, -x / z**2]]
    res = hessian(f, [x, y, z])
    assert res.success and np.all(np.abs(res.df - want) <= res.error)


def test_directional_derivative():
    res = directional_derivative(quadratic, [1.0, 2.0], [1.0, 1.0])
    assert res.success and abs(res.df - 14.0) <= res.error
    unit = np.array([3.0, 4.0]) / 5
    assert rel(directional_derivative(quadratic, [1.0, 2.0], unit).df, 2 * 0.6 + 12 * 0.8) < 1e-12


def test_vector_functions_flag_kinks_per_entry():
    res = gradient(lambda v: abs(v[0]) + v[1], [0.0, 1.0])
    assert res.status == KINK and not res.success
    assert list(res.details["status"]) == [KINK, CONVERGED]
    assert math.isnan(res.df[0]) and res.df[1] == pytest.approx(1.0)


def test_vector_function_errors():
    with pytest.raises(ChainruleError, match="jacobian"):
        gradient(lambda v: [v[0], v[1]], [1.0, 2.0])
    with pytest.raises(ChainruleError, match="shape"):
        directional_derivative(quadratic, [1.0, 2.0], [1.0])
    with pytest.raises(ChainruleError, match="unknown option"):
        gradient(quadratic, [1.0, 2.0], tolerance=3)
    assert gradient(lambda v: math.log(v[0]), [-1.0]).status == DOMAIN


# -- seed 000's log-derivative and seed 003's step trade-off ------------------------------

def test_log_derivative_of_x_to_the_x():
    seed = log_derivative(lambda x: x**x, 2.0, h=1e-6)  # the seed's own formula and step
    assert abs(seed.df - X_TO_THE_X_AT_2) < 1e-8
    assert abs(seed.df - X_TO_THE_X_AT_2) <= seed.error
    adaptive = log_derivative("x^x", 2.0)
    assert adaptive.success and rel(adaptive.df, X_TO_THE_X_AT_2) < 1e-13
    for x in (0.5, 1.0, 1.5, 2.5):  # the seed's table
        want = x**x * (math.log(x) + 1)
        assert abs(log_derivative(lambda t: t**t, x, h=1e-6).df - want) < 1e-8


def test_log_derivative_of_negative_and_vanishing_functions():
    assert rel(log_derivative(lambda x: -x**3, 2.0).df, -12.0) < 1e-12  # ln|f|
    assert log_derivative(math.sin, 0.0).status == DOMAIN


def test_step_tradeoff_finds_the_optimal_steps():
    data = step_tradeoff(math.sin, 1.0, exact=math.cos(1.0))
    assert 1e-6 < data.central_optimal_step < 1e-4   # ∛ε-ish
    assert 1e-9 < data.forward_optimal_step < 1e-7   # √ε-ish
    # the measured curves bottom out near the theory's optimum (within a decade and a half)
    assert abs(math.log10(data.central_best_step / data.central_optimal_step)) <= 1.5
    assert abs(math.log10(data.forward_best_step / data.forward_optimal_step)) <= 1.5
    # at the optimum, truncation and cancellation are of the same size
    i = int(np.argmin(np.abs(np.log(data.steps / data.central_optimal_step))))
    ratio = data.central_truncation[i] / data.central_cancellation[i]
    assert 0.05 < ratio < 20
    # central beats forward at its best, and both are bad at h = 1e-16 and h = 1
    assert data.central_error.min() < data.forward_error.min() / 100
    assert data.central_error[-1] > 1e-3 and data.forward_error[-2] > 1e-3


def test_step_tradeoff_as_data():
    data = step_tradeoff(np.exp, 0.0)
    d = data.as_dict()
    assert len(d["steps"]) == 33 and len(d["central_error"]) == 33
    assert d["exact"] == pytest.approx(1.0, rel=1e-13)


# -- contract -----------------------------------------------------------------------------

def test_result_fields_follow_scipy():
    res = derivative(np.exp, 0.0)
    for name in ("df", "error", "success", "status", "nfev", "step", "message"):
        assert hasattr(res, name)
    assert isinstance(res.df, float) and isinstance(res.success, bool)
    assert res.nfev > 0 and res.step > 0 and float(res) == res.df


def test_bad_arguments():
    with pytest.raises(ChainruleError):
        derivative(np.sin, 1.0, order=0)
    with pytest.raises(BudgetError):
        derivative(np.sin, 1.0, order=20)
    with pytest.raises(ChainruleError, match="method"):
        derivative(np.sin, 1.0, method="magic")
    with pytest.raises(ChainruleError):
        derivative(np.sin, 1.0, accuracy=3)  # central needs even accuracy
    with pytest.raises(ChainruleError):
        derivative(42, 1.0)


def test_deterministic():
    a, b = derivative(np.tan, 1.4), derivative(np.tan, 1.4)
    assert (a.df, a.error, a.nfev) == (b.df, b.error, b.nfev)


def test_docstring_examples():
    import importlib
    names = ["", ".complex_step", ".corpus", ".derivative", ".diagnose", ".driver",
             ".multivariate", ".options", ".result", ".richardson", ".sampling", ".stencils",
             ".tradeoff"]
    for name in names:
        module = importlib.import_module("chainrule.numeric" + name)
        failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0, module.__name__
