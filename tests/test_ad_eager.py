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

import chainrule
from chainrule.rules.linalg import MATMUL
from chainrule.rules.ml import SIGMOID

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
