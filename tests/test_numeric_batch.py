"""Numerical derivatives at arrays of points: one batch of calls to a vectorised f.

Oracles: closed-form derivatives, and the per-point path (``vectorized=False``), whose statuses
and diagnoses the batch must reproduce.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainrule.errors import ChainruleError
from chainrule.numeric import derivative
from chainrule.numeric.batch import is_vectorised

SMOOTH = {
    "sin": (np.sin, np.cos),
    "exp": (np.exp, np.exp),
    "log1p(x^2)": (lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2)),
    "x^3 - 2x": (lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2),
}

points = arrays(np.float64, st.integers(2, 40),
                elements=st.floats(-8, 8, allow_nan=False).map(lambda v: round(v, 3)))


class Counting:
    """f with a count of calls and of the points they carried."""

    def __init__(self, f):
        self.f, self.calls, self.points = f, 0, 0

    def __call__(self, x):
        self.calls += 1
        self.points += np.size(x)
        return self.f(x)


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=25, deadline=None)
@given(xs=points)
def test_bound_covers_closed_form(name, xs):
    f, df = SMOOTH[name]
    r = derivative(f, xs)
    assert r.df.shape == xs.shape and r.status.shape == xs.shape
    assert np.all(r.success)
    # the reported bound covers the true error, up to the rounding of the oracle itself
    slack = 8 * np.finfo(float).eps * np.abs(df(xs))
    assert np.all(np.abs(r.df - df(xs)) <= r.error + slack)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_batch_agrees_with_per_point(name):
    f, _ = SMOOTH[name]
    xs = np.linspace(-3.0, 5.0, 41)
    batch = derivative(f, xs)
    alone = derivative(f, xs, vectorized=False)
    assert batch.details["batched"] == xs.size
    assert batch.status.tolist() == alone.status.tolist()
    # two estimates, each inside its own bound of the truth: they differ by at most the sum
    assert np.all(np.abs(batch.df - alone.df) <= batch.error + alone.error)
    # same steps; the batch's scan may run longer (until every point may stop), so a point
    # can pick a later tableau entry
    assert np.mean(np.isclose(batch.step, alone.step, rtol=1e-12)) >= 0.9


def test_one_batch_of_calls():
    f = Counting(np.sin)
    xs = np.linspace(0.0, 3.0, 500)
    r = derivative(f, xs)
    assert f.calls == r.nfev < 30  # a few calls carry all 500 points
    # every point is sampled on at least MIN_ROWS rows of two offsets, in calls that carry
    # many points each (points leave as soon as their own tableaux may stop)
    assert f.points >= 500 * 8 and f.points / f.calls >= 500
    np.testing.assert_allclose(r.df, np.cos(xs), rtol=0, atol=1e-9)


def test_scalar_only_function_falls_back_per_point():
    assert not is_vectorised(math.sin, np.array([1.0, 2.0]))
    r = derivative(math.sin, np.array([1.0, 2.0]))
    assert "batched" not in r.details
    np.testing.assert_allclose(r.df, np.cos([1.0, 2.0]), atol=1e-10)
    with pytest.raises(ChainruleError, match="array of points"):
        derivative(lambda x: float(np.sin(x)) if np.ndim(x) == 0 else 1 / 0,
                   np.array([1.0, 2.0]), vectorized=True)


def test_reducing_function_is_not_vectorised():
    # returns one number for an array: the batch cannot be used, and nothing breaks
    def total(x):
        return float(np.sum(np.asarray(x) ** 2))

    assert not is_vectorised(total, np.array([1.0, 2.0]))
    r = derivative(total, np.array([1.0, 2.0]))
    np.testing.assert_allclose(r.df, [2.0, 4.0], atol=1e-9)


def test_bad_points_get_their_own_diagnosis():
    xs = np.array([-1.0, 0.0, 2.0])
    r = derivative(np.abs, xs)
    alone = derivative(np.abs, xs, vectorized=False)
    assert r.status.tolist() == alone.status.tolist() == [
        "converged", "not differentiable: kink", "converged"]
    assert np.isnan(r.df[1]) and r.df[0] == pytest.approx(-1.0) and r.df[2] == pytest.approx(1.0)
    r = derivative(np.log, np.array([-1.0, 1e-12, 2.0]))
    assert r.status.tolist() == derivative(np.log, np.array([-1.0, 1e-12, 2.0]),
                                           vectorized=False).status.tolist()
    assert r.df[1] == pytest.approx(1e12, rel=1e-6) and r.df[2] == pytest.approx(0.5)


def test_shape_order_and_text():
    xs = np.linspace(0.5, 2.0, 6).reshape(2, 3)
    r = derivative("sin(x)", xs, order=2)
    assert r.df.shape == (2, 3)
    assert np.all(np.abs(r.df + np.sin(xs)) <= r.error)
    big = np.array([1e4, 2e4, 3e4])  # step scales differ per point: sqrt|x|
    r = derivative(np.log, big)
    np.testing.assert_allclose(r.df, 1 / big, rtol=1e-9)
    np.testing.assert_allclose(r.step, derivative(np.log, big, vectorized=False).step)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-3, 6), min_size=2, max_size=12),
       st.lists(st.floats(1.0, 9.9), min_size=12, max_size=12))
def test_points_of_many_magnitudes(exponents, mantissas):
    # each point gets its own step scale √|x|; the bound covers the truth at every magnitude
    xs = np.array([m * 10.0**e for e, m in zip(exponents, mantissas, strict=False)])
    r = derivative(np.log, xs)
    assert np.all(r.success)
    assert np.all(np.abs(r.df - 1 / xs) <= r.error + 8 * np.finfo(float).eps / xs)
    np.testing.assert_allclose(r.df, 1 / xs, rtol=1e-7)


EPS = np.finfo(float).eps
families = st.tuples(st.floats(-1.5, 1.5), st.floats(0.1, 5.0), st.floats(0.0, 3.0),
                     st.floats(0.1, 4.0), st.floats(0.0, 3.0))


def smooth_family(a, c0, c1, b, c2):
    """A positive sum of positive terms (so f is computed to a few ulps) and its derivative
    as its terms (to size the oracle's own rounding)."""
    def f(x):
        return c0 * np.exp(a * x) + c1 * x**2 + c2 * np.log1p(b * x**2)

    def terms(x):
        return np.array([c0 * a * np.exp(a * x), 2 * c1 * x, c2 * 2 * b * x / (1 + b * x**2)])

    return f, terms


@pytest.mark.parametrize("check", [True, False])
@settings(max_examples=20, deadline=None)
@given(params=families, xs=arrays(np.float64, st.integers(2, 120),
                                  elements=st.floats(-3, 3, allow_nan=False)))
def test_batch_bound_holds_and_beats_scipy(check, params, xs):
    f, terms = smooth_family(*params)
    parts = terms(xs)
    want = parts.sum(axis=0)
    slack = 8 * EPS * np.abs(parts).sum(axis=0)  # the closed form's own rounding
    r = derivative(f, xs, check=check, vectorized=True)
    assert np.all(r.success)
    # the bound holds at every point reported as a success
    err = np.abs(r.df - want)
    assert np.all(err[r.success] <= r.error[r.success] + slack[r.success])
    # and the error is no worse than SciPy's at the same points (or at the rounding level,
    # where SciPy's order-8 stencil is exact for the polynomial part)
    differentiate = pytest.importorskip("scipy.differentiate")
    peer = differentiate.derivative(f, xs)
    floor = 64 * EPS * np.max(np.abs(parts).sum(axis=0) + np.abs(f(xs)))
    assert np.max(err) <= max(np.max(np.abs(peer.df - want)), floor)


NOT_DIFFERENTIABLE_AT_1 = {
    "kink": (lambda x: np.abs(x - 1) * x + x, "not differentiable: kink"),
    "kink of 1e-5·f′": (lambda x: x + 1e-5 * np.abs(x - 1), "not differentiable: kink"),
    "corner": (lambda x: np.maximum(x, 2 * x - 1), "not differentiable: kink"),
    "jump": (lambda x: np.sin(x) + (x > 1), "not differentiable: jump"),
    "cusp": (lambda x: np.sqrt(np.abs(x - 1)), "not differentiable: infinite slope"),
    "vertical": (lambda x: np.cbrt(x - 1), "not differentiable: infinite slope"),
}


@pytest.mark.parametrize("name", sorted(NOT_DIFFERENTIABLE_AT_1))
def test_one_bad_point_among_many(name):
    # the batch certifies the smooth points itself; the bad one gets the per-point verdict
    f, status = NOT_DIFFERENTIABLE_AT_1[name]
    xs = np.concatenate([np.linspace(-2.0, 3.0, 37), [1.0]])
    r = derivative(f, xs)
    assert r.status[-1] == status and np.isnan(r.df[-1]) and not r.success[-1]
    assert r.status.tolist() == derivative(f, xs, vectorized=False).status.tolist()
    assert r.details["batched"] == xs.size - 1


def test_given_rtol_stops_each_point_when_met():
    f = Counting(lambda x: np.exp(np.sin(x)) * x**2)
    xs = np.linspace(-3.0, 30.0, 2000)
    full = derivative(f, xs, check=False, vectorized=True)
    calls, points = f.calls, f.points
    loose = derivative(f, xs, check=False, vectorized=True, rtol=1e-9)
    assert f.calls - calls < calls and f.points - points < points  # fewer rows, fewer samples
    want = np.exp(np.sin(xs)) * (np.cos(xs) * xs**2 + 2 * xs)
    assert np.all(loose.success) and np.all(full.success)
    terms = np.exp(np.sin(xs)) * (np.abs(np.cos(xs)) * xs**2 + 2 * np.abs(xs))
    assert np.all(np.abs(loose.df - want) <= loose.error + 8 * EPS * terms)
    assert np.median(loose.error) > np.median(full.error)
