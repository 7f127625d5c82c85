"""The eager paths at their limit: what they compute fast must equal what the general paths
compute. Xᵀg by NumPy's row-streaming loop against BLAS and the hand gradient, the in-place
sigmoid against mpmath, the freed-adjoint reverse pass against the plain one on random graphs
with fan-out, chunked forward mode against whole-array forward mode, and every one of them
against finite differences.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule.autodiff.elementwise import (
    CHUNK,
    UNIT,
    ElementwiseBox,
    chunked_derivative,
    elementwise_derivative,
)
from chainrule.autodiff.tracing import new_level
from chainrule.rules.linalg import MATMUL
from chainrule.rules.ml import SIGMOID
from chainrule.testing import richardson_derivative

# -- W2: the logistic-loss gradient ---------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("n", "d"), [(400, 64), (600, 100), (300, 70)])
def test_streamed_vector_matrix_cotangent_matches_blas_and_hand_gradient(n, d, dtype):
    rng = np.random.default_rng(n + d)
    X = rng.standard_normal((n, d)).astype(dtype)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0).astype(dtype)
    w = (0.1 * rng.standard_normal(d)).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    [_, streamed] = MATMUL.vjp(g, X @ w, (X, w), {}, [False, True])
    blas = np.matmul(g[None, :], X)[0]
    tol = 1e-12 if dtype == np.float64 else 2e-5
    assert streamed.dtype == dtype and streamed.shape == (d,)
    np.testing.assert_allclose(streamed, blas, rtol=tol, atol=tol * np.abs(blas).max())

    got = chainrule.grad(lambda v: np.mean(np.logaddexp(0.0, -y * (X @ v))))(w)
    m = (-y * (X @ w)).astype(np.float64)
    hand = (-y * np.exp(m - np.logaddexp(0.0, m))) @ X.astype(np.float64) / n
    np.testing.assert_allclose(got, hand, rtol=1e-10 if dtype == np.float64 else 1e-4)


def test_streamed_cotangent_keeps_the_general_path_for_other_layouts():
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.standard_normal((400, 64)))  # not row-ordered: BLAS
    w = rng.standard_normal(64)
    got = chainrule.grad(lambda v: np.sum(np.sin(X @ v)))(w)
    np.testing.assert_allclose(got, np.cos(X @ w) @ X, rtol=1e-12)


@pytest.mark.parametrize("x", [-800.0, -40.0, -1e-300, 0.0, 3e-8, 0.5, 37.5, 800.0])
def test_in_place_sigmoid_matches_mpmath(x):
    xs = np.full(5, x)
    got = SIGMOID.impl(xs)
    want = float(1 / (1 + mp.exp(-mp.mpf(x))))
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=0)
    assert SIGMOID.impl(x) == pytest.approx(want, rel=4e-16, abs=0)


# -- W4: chunked forward mode ---------------------------------------------------------------

# Elementwise bodies: each takes a traced chunk (or array) and scalar constants only.
ELEMENTWISE_BODIES = {
    "x^x + sin(x)^x": lambda x: x**x + np.sin(x) ** x,
    "exp(-x²)·cos(3x)": lambda x: np.exp(-x * x) * np.cos(3.0 * x),
    "x + 1 (tangent of ones)": lambda x: x + 1.0,
    "x·x - x/2": lambda x: x * x - x / 2,
    "tanh(x)^2 + log1p(x)": lambda x: np.tanh(x) ** 2 + np.log1p(x),
    "sqrt(x)·x^2.5 - 3": lambda x: np.sqrt(x) * x**2.5 - 3,
    "fan-out: s·s·s with s = sin(x)": lambda x: (lambda s: s * s * s + s)(np.sin(x)),
    "2^x · x^-1": lambda x: 2.0**x * x**-1.0,
}


@settings(max_examples=25, deadline=None)
@given(body=st.sampled_from(sorted(ELEMENTWISE_BODIES)), n=st.integers(1, 70),
       chunk=st.integers(1, 16), seed=st.integers(0, 2**16))
def test_chunked_forward_mode_equals_whole_array_and_finite_differences(body, n, chunk, seed):
    f = ELEMENTWISE_BODIES[body]
    x = np.random.default_rng(seed).uniform(0.2, 2.5, n)
    chunked = chunked_derivative(f, x, chunk)
    whole = elementwise_derivative(f, x, new_level())  # n < 2·CHUNK: one pass
    assert chunked is not None and chunked.shape == x.shape
    np.testing.assert_allclose(chunked, np.broadcast_to(whole, x.shape), rtol=1e-14, atol=0)
    k = min(n - 1, seed % n)
    fd = richardson_derivative(lambda t: float(f(np.array([x[k] + t]))[0]), step=0.05)
    assert chunked[k] == pytest.approx(fd.value, rel=1e-7, abs=1e-9)


NOT_FOR_CHUNKS = {
    "length": lambda x: x / len(x),
    "shape": lambda x: x * x.shape[0],
    "np.shape": lambda x: x * np.shape(x)[0],
    "size": lambda x: x / x.size,
    "branch on values": lambda x: x**2 if np.all(x > 1) else x**3,
    "comparison mask": lambda x: np.where(x > 1.0, x, 2 * x),
    "closed-over array": lambda x: x * np.arange(1.0, 1.0 + len(x)),
    "mean": lambda x: x - np.mean(x),
    "cumulative": lambda x: np.cumsum(x),
    "reversal": lambda x: x[::-1] * x,
    "step function": lambda x: np.sign(x - 1.0) * x,
    "constant": lambda x: np.ones(3),
}


@pytest.mark.parametrize("name", sorted(NOT_FOR_CHUNKS))
def test_chunking_refuses_what_chunks_could_change_and_the_answer_stays_right(name):
    f = NOT_FOR_CHUNKS[name]
    x = np.random.default_rng(3).uniform(0.2, 2.5, 2 * CHUNK + 5)
    assert chunked_derivative(f, x, 1000) is None
    if name in ("mean", "cumulative", "reversal", "constant", "length", "size", "shape",
                "np.shape", "closed-over array"):
        return  # not elementwise (or a trivially scaled identity): reverse mode's business
    got = chainrule.elementwise_grad(f)(x)
    k = 12345
    fd = richardson_derivative(lambda t: float(f(np.where(np.arange(x.size) == k, x + t, x))[k]),
                               step=0.05)
    assert got[k] == pytest.approx(fd.value, rel=1e-7, abs=1e-9)


def test_elementwise_grad_uses_chunks_on_large_arrays_with_the_same_values():
    x = np.random.default_rng(5).uniform(0.1, 3.0, 3 * CHUNK + 7)
    f = ELEMENTWISE_BODIES["x^x + sin(x)^x"]
    got = chainrule.elementwise_grad(f)(x)
    level = new_level()
    whole = f(ElementwiseBox(x, level, UNIT)).tangent  # the whole array in one pass
    s = np.sin(x)
    closed = x**x * (np.log(x) + 1) + s**x * (np.log(s) + x * np.cos(x) / s)
    np.testing.assert_allclose(got, whole, rtol=1e-14, atol=0)
    np.testing.assert_allclose(got, closed, rtol=1e-10, atol=0)
    assert chunked_derivative(f, x) is not None


@pytest.mark.parametrize("base", [0.0, 1e-200, 1e200, -2.0, np.inf, np.nan])
def test_power_partial_reusing_the_output_agrees_with_the_power_rule(base):
    # u^(v−1) is taken as u^v / u only where that is exact: not at overflow, underflow, 0
    x = np.array([base, 1.5, 2.0])
    v = np.array([2.0, 3.0, 0.5])
    got = chainrule.elementwise_grad(lambda u: u**v)(x)
    with np.errstate(all="ignore"):
        want = v * x ** (v - 1)
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=0, equal_nan=True)
