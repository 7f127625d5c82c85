"""Automatic differentiation end to end: the seeds' worked examples with real numbers, higher
orders, pytrees, long chains, models written in plain NumPy, stable primitives at extreme
inputs (against mpmath), compiled derivatives and the symbolic fast path of ``grad``.
"""

from __future__ import annotations

import tracemalloc

import mpmath as mp
import numpy as np
import pytest

import chainrule
import chainrule.autodiff.api
import chainrule.ml as ml
from chainrule import diff, grad, hessian, jacobian, jvp, vjp
from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.errors import DifferentiationError
from chainrule.testing import check_grads, richardson_derivative


def relu(z):
    return call(get("relu"), z)


# -- seed 003 §2.2: one neuron ----------------------------------------------------------------

def test_seed_neuron_square_gives_24():
    # g = wx, a = g², L = a: dL/dw = 2·g·x = 2·6·2 = 24, and dL/dx = 2·g·w = 36.
    loss = lambda w, x: (w * x) ** 2  # noqa: E731
    assert grad(loss)(3.0, 2.0) == 24.0
    assert grad(loss, argnums=(0, 1))(3.0, 2.0) == (24.0, 36.0)
    assert grad(loss)(np.array(3.0), np.array(2.0)) == 24.0  # reverse pass, not the fast path
    assert vjp(loss, 3.0, 2.0)[1](1.0) == (24.0, 36.0)
    assert jvp(loss, (3.0, 2.0), (1.0, 0.0)) == (36.0, 24.0)


@pytest.mark.parametrize("relu_fn", [relu, lambda z: np.maximum(z, 0.0)], ids=["relu", "maximum"])
def test_seed_relu_neuron_by_hand(relu_fn):
    """L = (relu(wx + b) − y)²; by hand at w=3, x=2, b=0.5, y=1: g = 6.5 > 0 so a = 6.5,
    dL/da = 2(a − y) = 11, da/dg = 1, and dL/dw = 11·x = 22, dL/dx = 11·w = 33,
    dL/db = 11, dL/dy = −11. With b = y = 0 (the flowchart's neuron): dL/dw = 2·6·2 = 24."""
    loss = lambda w, x, b, y: (relu_fn(w * x + b) - y) ** 2  # noqa: E731
    assert grad(loss, argnums=(0, 1, 2, 3))(3.0, 2.0, 0.5, 1.0) == (22.0, 33.0, 11.0, -11.0)
    assert grad(loss)(np.array(3.0), 2.0, 0.5, 1.0) == 22.0
    assert grad(loss)(3.0, 2.0, 0.0, 0.0) == 24.0
    # An inactive unit (g = −5.5 < 0) passes no gradient to w.
    assert grad(loss)(-3.0, 2.0, 0.5, 1.0) == 0.0
    assert grad(loss, argnums=3)(-3.0, 2.0, 0.5, 1.0) == 2.0


def test_grad_of_sum_of_squares():
    assert grad(lambda x: np.sum(x**2))(np.array([1.0, 2.0, 3.0])).tolist() == [2.0, 4.0, 6.0]


# -- seed 003 §2.3: gradient, Hessian, directional derivative ------------------------------

def bowl(v):
    return v[0] ** 2 + 3 * v[1] ** 2


def test_gradient_and_hessian_of_stretched_bowl():
    p = np.array([1.0, 2.0])
    assert grad(bowl)(p).tolist() == [2.0, 12.0]
    expected = [[2.0, 0.0], [0.0, 6.0]]
    assert hessian(bowl)(p).tolist() == expected  # forward over reverse
    assert jacobian(grad(bowl))(p).tolist() == expected  # reverse over reverse
    assert jacobian(grad(bowl), mode="fwd")(p).tolist() == expected
    two_args = lambda x, y: x**2 + 3 * y**2  # noqa: E731
    assert grad(two_args, argnums=(0, 1))(1.0, 2.0) == (2.0, 12.0)
    assert hessian(two_args, argnums=1)(1.0, 2.0) == 6.0


def test_directional_derivative_along_the_unit_gradient_is_its_norm():
    f = lambda v: v[0] ** 2 + v[1] ** 2  # noqa: E731
    p = np.array([3.0, 4.0])
    g = grad(f)(p)
    u = g / np.linalg.norm(g)
    assert u.tolist() == [0.6, 0.8]
    assert chainrule.directional_derivative(f, p, u) == pytest.approx(10.0, rel=1e-15)
    # Any other unit direction rises more slowly (steepest ascent).
    for angle in np.linspace(0.1, 6.0, 7):
        other = np.array([np.cos(angle), np.sin(angle)])
        assert chainrule.directional_derivative(f, p, other) < 10.0 + 1e-12


# -- seed 001: sigmoid -----------------------------------------------------------------------

@pytest.mark.parametrize("sigmoid", [lambda x: 1 / (1 + np.exp(-x)), ml.sigmoid],
                         ids=["numpy", "chainrule.ml"])
def test_sigmoid_derivative(sigmoid):
    assert grad(sigmoid)(0.0) == 0.25
    assert grad(sigmoid)(np.array(0.0)) == 0.25
    assert jvp(sigmoid, (0.0,), (1.0,))[1] == 0.25
    xs = np.linspace(-6, 6, 13)
    s = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(chainrule.elementwise_grad(sigmoid)(xs), s * (1 - s), rtol=1e-13)


# -- seed 003 §2.2: branching paths add --------------------------------------------------

def branching(x):
    u = x**2
    v = 3 * x
    return u + v


def test_branching_paths_sum_symbolically_and_numerically():
    assert str(diff(branching)) == "2x + 3"
    assert str(diff(lambda x: x**2 + 3 * x)) == "2x + 3"
    for x in (-2.0, 0.0, 0.5, 7.0):
        assert grad(branching)(x) == 2 * x + 3
        assert grad(branching)(np.array(x)) == 2 * x + 3
        assert jvp(branching, (x,), (1.0,))[1] == 2 * x + 3


def test_x_to_the_x():
    assert str(diff(lambda x: x**x)) == "x^x*(ln(x) + 1)"
    derivation = chainrule.steps(lambda x: x**x)
    assert str(derivation.result) == "x^x*(ln(x) + 1)"
    assert "Logarithmic differentiation" in derivation.rules_used()
    assert grad(lambda x: x**x)(2.0) == pytest.approx(4 * (np.log(2) + 1), rel=1e-15)


# -- higher order ------------------------------------------------------------------------

def test_grad_of_grad_of_grad():
    f = lambda x: x**4  # noqa: E731
    d3 = grad(grad(grad(f)))
    for x in (-1.5, 0.0, 2.0, 3.0):
        assert d3(x) == 24 * x
        assert d3(np.array(x)) == 24 * x
    assert grad(grad(grad(grad(f))))(np.array(1.7)) == 24.0
    # forward over forward over forward
    d1 = lambda x: jvp(f, (x,), (1.0,))[1]  # noqa: E731
    d2 = lambda x: jvp(d1, (x,), (1.0,))[1]  # noqa: E731
    assert jvp(d2, (2.0,), (1.0,))[1] == 48.0


def five_dim(x):
    return (np.sum(np.sin(x) * x[::-1]) + np.prod(x[:3]) ** 2
            + np.sum(np.exp(x) * x**2) / np.sum(x**2) + np.tanh(x[0] * x[4]) * x[2] ** 3)


def test_hessian_forward_over_reverse_equals_reverse_over_reverse():
    x = np.random.default_rng(5).uniform(0.5, 1.5, 5)
    fwd_over_rev = hessian(five_dim)(x)
    rev_over_rev = jacobian(grad(five_dim))(x)
    fwd_over_fwd = jacobian(lambda v: jacobian(five_dim, mode="fwd")(v), mode="fwd")(x)
    assert fwd_over_rev.shape == (5, 5)
    np.testing.assert_allclose(fwd_over_rev, rev_over_rev, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(fwd_over_rev, fwd_over_fwd, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(fwd_over_rev, fwd_over_rev.T, rtol=1e-13, atol=1e-13)
    v = np.arange(1.0, 6.0)
    np.testing.assert_allclose(chainrule.hvp(five_dim, x, v), fwd_over_rev @ v, rtol=1e-13)
    assert check_grads(five_dim, (x,), modes=("fwd", "rev"), order=3).ok


# -- jvp / vjp consistency and pytrees ---------------------------------------------------

A = np.random.default_rng(1).standard_normal((3, 4))

VECTOR_FUNCTIONS = {
    "affine tanh": lambda x: np.tanh(A @ x) * x[:3],
    "softmax": lambda x: ml.softmax(np.outer(x, x[:2]), axis=0).ravel(),
    "norms": lambda x: np.concatenate([np.linalg.norm(x, keepdims=True),
                                       x / np.sqrt(np.sum(x**2))]),
    "solve": lambda x: np.linalg.solve(np.eye(4) * 3 + np.outer(x, x), np.sin(x)),
    "where, max": lambda x: np.where(x > 0, x**2, -x) * np.max(x) + np.var(x),
}


@pytest.mark.parametrize("name", VECTOR_FUNCTIONS)
def test_jvp_and_vjp_are_transposes(name):
    f = VECTOR_FUNCTIONS[name]
    rng = np.random.default_rng(7)
    for _ in range(3):
        x = rng.standard_normal(4)
        out, back = vjp(f, x)
        u, v = rng.standard_normal(np.shape(out)), rng.standard_normal(4)
        jv = jvp(f, (x,), (v,))[1]
        (ut_j,) = back(u)
        assert np.dot(u, jv) == pytest.approx(np.dot(ut_j, v), rel=1e-12, abs=1e-13)
        np.testing.assert_allclose(jacobian(f)(x), jacobian(f, mode="fwd")(x), rtol=1e-12,
                                   atol=1e-14)


def test_pytree_arguments():
    params = {"w": np.array([1.0, 2.0]), "b": (3.0, [np.array([4.0, 5.0])])}

    def loss(p):
        return np.sum(p["w"] ** 2) + p["b"][0] * np.sum(p["b"][1][0])

    g = grad(loss)(params)
    assert set(g) == {"w", "b"} and isinstance(g["b"], tuple) and isinstance(g["b"][1], list)
    assert g["w"].tolist() == [2.0, 4.0]
    assert g["b"][0] == 9.0 and g["b"][1][0].tolist() == [3.0, 3.0]
    # tuples and lists of arrays, several pytree arguments, argnums tuples
    pair = lambda t, s: t[0] * t[1] + np.sum(s[0] * s[1])  # noqa: E731
    gt, gs = grad(pair, argnums=(0, 1))((2.0, 3.0), [np.ones(2), np.array([5.0, 6.0])])
    assert gt == (3.0, 2.0) and gs[0].tolist() == [5.0, 6.0] and gs[1].tolist() == [1.0, 1.0]
    out, back = vjp(lambda p, q: p["a"] * q[0] + q[1], {"a": np.array([1.0, 2.0])},
                    [np.array([3.0, 4.0]), 5.0])
    assert out.tolist() == [8.0, 13.0]
    (ga, (gq0, gq1)) = back(np.array([1.0, 10.0]))
    assert ga["a"].tolist() == [3.0, 40.0] and gq0.tolist() == [1.0, 20.0] and gq1 == 11.0
    value, tangent = jvp(lambda p: {"y": p["a"] ** 2, "z": (p["b"] * p["a"],)},
                         ({"a": 3.0, "b": np.array([1.0, 2.0])},),
                         ({"a": 1.0, "b": np.array([0.5, 0.0])},))
    assert value["y"] == 9.0 and value["z"][0].tolist() == [3.0, 6.0]
    assert tangent["y"] == 6.0 and tangent["z"][0].tolist() == [2.5, 2.0]


def test_argnums_tuples_match_single_argnums():
    f = lambda a, b, c: np.sum(np.sin(a) * b) * c**2  # noqa: E731
    a, b, c = np.array([0.1, 0.2]), np.array([1.0, -1.0]), 1.5
    both = grad(f, argnums=(0, 2))(a, b, c)
    np.testing.assert_array_equal(both[0], grad(f, argnums=0)(a, b, c))
    assert both[1] == grad(f, argnums=2)(a, b, c)
    value, grads = chainrule.value_and_grad(f, argnums=(1,))(a, b, c)
    assert value == f(a, b, c) and isinstance(grads, tuple) and len(grads) == 1


# -- long chains ---------------------------------------------------------------------------

CHAIN_LENGTH = 10_000


def long_chain(x):
    for _ in range(CHAIN_LENGTH):
        x = np.sin(x) * 0.999 + 0.001 * x
    return np.sum(x)


def test_10000_operation_chain_in_reverse_and_forward_mode(record_property):
    x = np.array([0.3, 1.2, -0.7])
    v = np.array([0.48, 0.6, 0.64])
    tracemalloc.start()
    try:
        g = grad(long_chain)(x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    record_property("reverse_pass_peak_MB", round(peak / 1e6, 1))
    print(f"reverse pass over {4 * CHAIN_LENGTH} recorded operations: "
          f"peak traced memory {peak / 1e6:.1f} MB")
    assert peak < 200e6  # a sanity bound, not a target
    forward = jvp(long_chain, (x,), (v,))[1]
    fd = richardson_derivative(lambda t: long_chain(x + t * v), step=0.05)
    assert np.dot(g, v) == pytest.approx(forward, rel=1e-12)
    assert forward == pytest.approx(float(fd.value), rel=1e-6)
    assert np.all(np.isfinite(g)) and np.all(g > 0)


# -- models in plain NumPy ---------------------------------------------------------------------

def _logistic_problem():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((500, 10))
    y = (X @ rng.standard_normal(10) + 0.5 * rng.standard_normal(500) > 0).astype(float)
    return X, y, 0.3 * rng.standard_normal(10), 0.1


def test_logistic_regression_gradient():
    X, y, w, b = _logistic_problem()

    def loss(w, b):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    gw, gb = grad(loss, argnums=(0, 1))(w, b)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    np.testing.assert_allclose(gw, X.T @ (p - y) / len(y), rtol=1e-12)  # seed 001: p − y
    assert gb == pytest.approx(np.mean(p - y), rel=1e-12)
    report = check_grads(loss, (w, b), modes=("fwd", "rev"), order=2, rtol=1e-6)
    assert report.ok and len(report.checks) == 12


def _mlp_problem():
    rng = np.random.default_rng(12)
    X = rng.standard_normal((64, 5))
    Y = np.eye(3)[rng.integers(0, 3, 64)]
    params = (0.5 * rng.standard_normal((5, 8)), 0.1 * rng.standard_normal(8),
              0.5 * rng.standard_normal((8, 3)), 0.1 * rng.standard_normal(3))
    return X, Y, params


def test_two_layer_mlp_gradient_matches_backprop_by_hand_and_finite_differences():
    X, Y, params = _mlp_problem()

    def loss(W1, b1, W2, b2):
        h = np.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - np.max(logits, axis=1, keepdims=True)
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.mean(np.sum(Y * log_p, axis=1))

    W1, b1, W2, b2 = params
    # Backprop by hand: softmax cross-entropy gives (p − y)/N at the logits.
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d_logits = (p - Y) / len(X)
    d_pre = (d_logits @ W2.T) * (1 - h**2)
    by_hand = (X.T @ d_pre, d_pre.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0))
    for ours, theirs in zip(grad(loss, argnums=(0, 1, 2, 3))(*params), by_hand, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-15)
    assert check_grads(loss, params, modes=("fwd", "rev"), order=2, rtol=1e-6).ok


# -- functions without a rule --------------------------------------------------------------

@pytest.mark.parametrize(("fn", "name"), [
    (lambda x: np.sum(np.abs(np.fft.hfft(x))), "hfft"),
    (lambda x: np.histogram2d(x, x)[0][0, 0], "histogram2d"),
    (lambda x: np.linalg.svd(np.outer(x, x))[1][0], "svd"),  # repeated singular values
], ids=["hfft", "histogram2d", "svd"])
def test_a_function_without_a_rule_is_named(fn, name):
    x = np.array([1.0, 3.0, 2.0])
    with pytest.raises(DifferentiationError, match=name):
        grad(fn)(x)
    with pytest.raises(DifferentiationError, match=name):
        jvp(fn, (x,), (np.ones(3),))


# -- stable primitives at extreme inputs, against mpmath ---------------------------------------

def test_seed_logsumexp():
    x = np.array([1000.0, 1001.0, 1002.0])
    value = float(ml.logsumexp(x))
    assert value == pytest.approx(1002.4076059644444, rel=1e-12, abs=0)
    with mp.workdps(50):
        exact = 1002 + mp.log(mp.exp(-2) + mp.exp(-1) + 1)
        softmax = [mp.exp(mp.mpf(v) - exact) for v in x]
    assert value == pytest.approx(float(exact), rel=1e-15)
    np.testing.assert_allclose(grad(ml.logsumexp)(x), [float(s) for s in softmax], rtol=1e-12)


SCALES = [1e3, 1e10, 1e100, 1e308]


def _mp_lse(xs):
    m = max(xs)
    return m + mp.log(mp.fsum(mp.exp(v - m) for v in xs))


def _mp_log_softmax(xs):
    """(x − m) − log1p(Σ over the others e^(x − m)): at 60 digits v − lse would lose a tail
    below 1e−60 (log_softmax(1000, 500, …)[0] = −7.1e−218)."""
    m = max(xs)
    i = xs.index(m)
    tail = mp.log1p(mp.fsum(mp.exp(v - m) for j, v in enumerate(xs) if j != i))
    return [(v - m) - tail for v in xs]


def _close(ours, exact, rtol=1e-13, atol=1e-300):
    """``ours`` finite and equal to the mpmath values; ``atol`` only where the exact result is
    a difference of O(1) terms (σ(1 − σ), p − y), whose floating-point error is absolute."""
    exact = np.array([float(e) for e in np.ravel(exact)]).reshape(np.shape(ours))
    assert np.all(np.isfinite(ours)), ours
    np.testing.assert_allclose(ours, exact, rtol=rtol, atol=atol)


def _check_log_softmax_family(z, rtol):
    y = np.zeros_like(z)
    y[1] = 1.0
    with mp.workdps(60):
        zs = [mp.mpf(v) for v in z]
        lse = _mp_lse(zs)
        p = [mp.exp(v - lse) for v in zs]
        ce_grad = [pi - yi for pi, yi in zip(p, y, strict=True)]  # p − y
        _close(ml.logsumexp(z), [lse], rtol)
        _close(grad(ml.logsumexp)(z), p, rtol)
        _close(ml.softmax(z), p, rtol)
        _close(ml.log_softmax(z), _mp_log_softmax(zs), rtol)
        _close(ml.cross_entropy_with_logits(z, y), [lse - zs[1]], rtol)
        _close(grad(lambda v: ml.cross_entropy_with_logits(v, y))(z), ce_grad, rtol)
        _close(grad(lambda v: -np.sum(y * ml.log_softmax(v)))(z), ce_grad, rtol)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_log_softmax_family_at_extreme_logits(scale, sign):
    """Logits spread from about −scale to scale (differences stay representable)."""
    _check_log_softmax_family(sign * scale * np.array([1.0, 0.5, 1e-300, -0.25, -0.5]), 1e-13)


@pytest.mark.parametrize("offset", [
    0.0, 1e3, -1e3,
    1e10,
])
def test_log_softmax_family_with_close_logits_at_a_large_offset(offset):
    """Logits within a few units of each other, far from 0: the probabilities are not 0 or 1."""
    _check_log_softmax_family(offset + np.array([0.0, -1.0, -2.5, 0.5]), 1e-12)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_sigmoid_family_at_extreme_logits(scale, sign):
    z = sign * scale * np.array([1.0, 0.5, 1e-3, 0.7])
    z[2] = sign * 700.0
    y = np.array([1.0, 0.0, 1.0, 0.0])
    egrad = chainrule.elementwise_grad
    with mp.workdps(60):
        zs = [mp.mpf(v) for v in z]
        p = [1 / (1 + mp.exp(-v)) for v in zs]
        q = [1 / (1 + mp.exp(v)) for v in zs]  # 1 − p, without cancellation
        softplus = [mp.log1p(mp.exp(v)) for v in zs]
        _close(ml.sigmoid(z), p)
        _close(egrad(ml.sigmoid)(z), [a * b for a, b in zip(p, q, strict=True)],  # σ(1 − σ)
               atol=1e-16)
        _close(ml.softplus(z), softplus)
        _close(egrad(ml.softplus)(z), p)  # softplus′ = σ
        _close(ml.log_sigmoid(z), [-mp.log1p(mp.exp(-v)) for v in zs])
        _close(egrad(ml.log_sigmoid)(z), q)  # −(p − 1)
        bce = [s - yi * v for s, yi, v in zip(softplus, y, zs, strict=True)]
        _close(ml.binary_cross_entropy_with_logits(z, y), bce)
        bce_grad = [-b if yi else a for a, b, yi in zip(p, q, y, strict=True)]  # p − y
        _close(grad(lambda v: np.sum(ml.binary_cross_entropy_with_logits(v, y)))(z), bce_grad,
               atol=1e-16)


def test_sigmoid_derivative_keeps_relative_precision_at_large_logits():
    z = np.array([40.0, 500.0, 700.0])
    with mp.workdps(60):
        exact = [mp.exp(-mp.mpf(v)) / (1 + mp.exp(-mp.mpf(v))) ** 2 for v in z]
    _close(chainrule.elementwise_grad(ml.sigmoid)(z), exact)


def test_log1p_and_expm1_at_tiny_arguments():
    with mp.workdps(50):
        for x in (1e-12, -1e-12, 1e-300):
            for f, exact, slope in ((ml.log1p, mp.log1p, lambda v: 1 / (1 + v)),
                                    (ml.expm1, mp.expm1, mp.exp),
                                    (np.log1p, mp.log1p, lambda v: 1 / (1 + v))):
                assert f(x) == pytest.approx(float(exact(mp.mpf(x))), rel=1e-15)
                for arg in (x, np.array([x])):  # fast path and reverse pass
                    got = chainrule.elementwise_grad(f)(arg) if np.ndim(arg) else grad(f)(arg)
                    assert float(np.ravel(got)[0]) == pytest.approx(
                        float(slope(mp.mpf(x))), rel=1e-15)


# -- chainrule.compile of derivatives ----------------------------------------------------------

def nest(x, depth):
    for i in range(depth):
        x = np.sin(x) if i % 2 else np.cos(x)
    return x


def test_compiled_derivative_agrees_with_evaluate():
    x, y = chainrule.symbols("x y")
    for expr in (x**x, ml.sigmoid(x) * ml.softplus(y) + chainrule.apply("logsumexp", x, y),
                 np.log1p(x**2) / (1 + np.tanh(y) ** 2)):
        for wrt in sorted(s.name for s in expr.free_symbols()):
            d = diff(expr, wrt=wrt)
            f = chainrule.compile(d, ["x", "y"])
            for point in ((0.7, -1.2), (2.5, 0.3)):
                values = dict(zip(("x", "y"), point, strict=True))
                assert f(*point) == pytest.approx(d.evaluate(**values), rel=1e-13)
            grid = np.linspace(0.5, 3.0, 7)
            np.testing.assert_allclose(f(grid, -grid), d.evaluate(x=grid, y=-grid), rtol=1e-13)


def test_compile_handles_a_depth_3000_nest():
    x = chainrule.symbol("x")
    e = nest(x, 3000)
    f = chainrule.compile(e)
    for point in (0.3, -1.1):
        assert f(point) == pytest.approx(e.evaluate(x=point), rel=1e-13)


def test_compiled_derivative_of_a_deep_nest():
    """Depth 800: past SymPy's lambdify limit (~400); agrees with evaluate and reverse mode."""
    x = chainrule.symbol("x")
    d = diff(nest(x, 800), wrt="x")
    f = chainrule.compile(d)
    for point in (0.3, 1.0):
        assert f(point) == pytest.approx(d.evaluate(x=point), rel=1e-12)
        assert f(point) == pytest.approx(grad(lambda v: nest(v, 800))(np.array(point)),
                                         rel=1e-10)


def test_compile_handles_the_3000_factor_product_of_a_depth_3000_derivative():
    # The chain rule makes the derivative of a depth-n nest a product of n factors; built
    # directly here because diff of the depth-3000 nest itself takes tens of seconds.
    from chainrule.core.build import mul
    x = chainrule.symbol("x")
    product = mul(*(chainrule.apply("cos", x + k) for k in range(1, 3001)))
    f = chainrule.compile(product)
    assert f(0.3) == product.evaluate(x=0.3)


# -- the symbolic fast path of grad ----------------------------------------------------------

FAST_PATH_FUNCTIONS = {
    "x^x": (lambda x: x**x, (1.7,)),
    "neuron": (lambda w, x: (w * x) ** 2, (3.0, 2.0)),
    "trig": (lambda x, y: np.sin(x * y) / (1 + np.cos(x) ** 2), (0.4, -1.3)),
    "stable": (lambda x: ml.softplus(x) * ml.sigmoid(-x) + np.log1p(x**2), (0.9,)),
}


@pytest.mark.parametrize("name", FAST_PATH_FUNCTIONS)
def test_symbolic_fast_path_equals_reverse_pass(name, monkeypatch):
    f, point = FAST_PATH_FUNCTIONS[name]
    argnums = tuple(range(len(point)))
    reverse = grad(f, argnums)(*(np.array(p) for p in point))  # 0-d arrays: the reverse pass
    fast = grad(f, argnums)
    fast(*point)  # traced and compiled on the first call

    def no_reverse_pass(*_):
        raise AssertionError("the fast path should not record a reverse pass")

    monkeypatch.setattr(chainrule.autodiff.api, "vjp", no_reverse_pass)
    np.testing.assert_allclose(fast(*point), reverse, rtol=1e-13)
    for scale in (0.5, 2.0):
        moved = tuple(scale * p for p in point)
        monkeypatch.undo()
        expected = grad(f, argnums)(*(np.array(p) for p in moved))
        monkeypatch.setattr(chainrule.autodiff.api, "vjp", no_reverse_pass)
        np.testing.assert_allclose(fast(*moved), expected, rtol=1e-13)


def test_symbolic_fast_path_recovers_when_a_closure_value_changes():
    c = [1.0]
    f = lambda x: x**2 + c[0] * np.sin(x)  # noqa: E731
    g = grad(f)
    assert g(1.0) == pytest.approx(2 + np.cos(1.0), rel=1e-15)
    c[0] = 10.0
    assert g(1.0) == pytest.approx(2 + 10 * np.cos(1.0), rel=1e-15)
    assert g(2.0) == pytest.approx(4 + 10 * np.cos(2.0), rel=1e-15)


def test_symbolic_fast_path_recovers_when_only_the_slope_changes():
    k = [1.0]
    g = grad(lambda x: np.sin(k[0] * x))
    assert g(0.5) == pytest.approx(np.cos(0.5))
    k[0] = 3.0  # sin(3·0) = sin(1·0): the value at 0 does not reveal the change
    assert g(0.0) == 3.0


# -- kinks and zeros where the derivative is defined -----------------------------------------

@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_prod_gradient_with_a_zero_entry():
    x = np.array([0.0, 2.0, 3.0])
    assert grad(np.prod)(x).tolist() == [6.0, 0.0, 0.0]


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_derivative_of_abs_times_x_at_zero():
    # abs′(0) = 0 is a subgradient, said so; the product's derivative 2|x| is right anyway
    with pytest.warns(chainrule.KinkWarning, match="abs is not differentiable where 1 entry"):
        g = grad(lambda x: np.sum(np.abs(x) * x))(np.array([0.0, -1.5]))
    assert g.tolist() == [0.0, 3.0]
