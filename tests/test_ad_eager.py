"""The eager paths at their limit: what they compute fast must equal what the general paths
compute. Xᵀg by NumPy's row-streaming loop against BLAS and the hand gradient, the in-place
sigmoid against mpmath, the freed-adjoint reverse pass against the plain one on random graphs
with fan-out, chunked forward mode against whole-array forward mode, and every one of them
against finite differences.
"""

from __future__ import annotations

import tracemalloc
from contextlib import contextmanager

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule.autodiff import reverse
from chainrule.autodiff.elementwise import (
    CHUNK,
    UNIT,
    ElementwiseBox,
    chunked_derivative,
    elementwise_derivative,
)
from chainrule.autodiff.tracing import new_level
from chainrule.core.ops import call
from chainrule.core.primitive import Primitive, RuleText
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
    "refusal swallowed": lambda x: x / _length_or_one(x),
}


def _length_or_one(x):
    try:
        return len(x)
    except Exception:  # noqa: BLE001 - code that hides the refusal must not fool chunking
        return 1


@pytest.mark.parametrize("name", sorted(NOT_FOR_CHUNKS))
def test_chunking_refuses_what_chunks_could_change_and_the_answer_stays_right(name):
    f = NOT_FOR_CHUNKS[name]
    x = np.random.default_rng(3).uniform(0.2, 2.5, 2 * CHUNK + 5)
    assert chunked_derivative(f, x, 1000) is None
    if name == "refusal swallowed":  # the whole-array pass sees len(x), as f meant
        np.testing.assert_allclose(chainrule.elementwise_grad(f)(x), 1 / x.size, rtol=1e-15)
    if name in ("mean", "cumulative", "reversal", "constant", "length", "size", "shape",
                "np.shape", "closed-over array", "refusal swallowed"):
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


# -- reverse mode: lean nodes, freed adjoints, in-place sums, skipped inputs ----------------

UNARY = [np.sin, np.tanh, np.exp, lambda v: v * 0.5 + 1.0, lambda v: v * v, np.log1p,
         lambda v: -v, lambda v: 2.0 - v]
BINARY = [np.add, np.multiply, np.subtract, lambda a, b: a * np.cos(b),
          lambda a, b: np.logaddexp(a, b), lambda a, b: a / (1.0 + b * b)]


def random_program(ops):
    """A graph with fan-out: every step reads one or two earlier values (any of them, so
    values are reused many times), the output sums the last few (and a reduction of one)."""
    def f(x, y):
        vals = [x, y, x * y]
        for kind, a, b in ops:
            u, v = vals[a % len(vals)], vals[b % len(vals)]
            vals.append(UNARY[kind % len(UNARY)](u) if kind % 2 else
                        BINARY[kind % len(BINARY)](u, v))
        return np.sum(vals[-1] + vals[-2] * vals[len(vals) // 2]) + np.sum(vals[-3])
    return f


PROGRAMS = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 60), st.integers(0, 60)),
                    min_size=1, max_size=14)


@contextmanager
def lean_everywhere():
    """Lean nodes and in-place sums on arrays of every size (by default from 4096 entries),
    so that small random programs exercise them."""
    old = reverse.IN_PLACE
    reverse.IN_PLACE = 1
    try:
        yield
    finally:
        reverse.IN_PLACE = old


def full_tape_gradient(f, x, y):
    """The reverse pass with every value kept and adjoints summed out of place (the path the
    computation-graph explainer still takes): the reference for the lean pass."""
    level = new_level()
    bx, by = reverse.leaf(x, level), reverse.leaf(y, level)
    out = f(bx, by)
    cts = reverse.backward(out.node, 1.0, [bx.node, by.node])
    return [np.zeros_like(v) if c is None else c for c, v in zip(cts, (x, y), strict=True)]


@settings(max_examples=60, deadline=None)
@given(ops=PROGRAMS, seed=st.integers(0, 2**16), n=st.integers(1, 6))
def test_lean_reverse_pass_equals_full_tape_and_finite_differences(ops, seed, n):
    f = random_program(ops)
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0.3, 0.9, n), rng.uniform(0.3, 0.9, n)
    with np.errstate(all="ignore"), lean_everywhere():
        gx, gy = chainrule.grad(f, argnums=(0, 1))(x, y)
        rx, ry = full_tape_gradient(f, x, y)
    if not (np.all(np.isfinite(gx)) and np.all(np.isfinite(gy))):
        return  # overflowed (exp of exp...): nothing to compare
    np.testing.assert_allclose(gx, rx, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(gy, ry, rtol=1e-13, atol=1e-300)
    k = seed % n
    fd = richardson_derivative(lambda t: f(np.where(np.arange(n) == k, x + t, x), y), step=0.01)
    if np.isfinite(fd.value) and fd.error < 1e-6 * max(1.0, abs(fd.value)):
        assert gx[k] == pytest.approx(fd.value, rel=1e-6, abs=1e-8)


def test_lean_nodes_keep_partials_not_values():
    level = new_level()
    x = reverse.lean_leaf(np.linspace(0.1, 1.0, 5000), level)
    y = np.sin(x) * 0.5 + 1.0
    add, mul = y.node, y.node.parents[0][1]
    sin = mul.parents[0][1]
    assert add.partials == (1,) and add.ans is None and add.args == ((5000,), ())
    assert mul.partials == (0.5,) and mul.ans is None  # sin's output is not kept for it
    np.testing.assert_allclose(sin.partials[0], np.cos(np.linspace(0.1, 1.0, 5000)))
    small = np.sin(reverse.lean_leaf(np.linspace(0.1, 1.0, 50), level))
    assert small.node.partials is None and small.node.ans is not None  # below IN_PLACE


def test_a_vjp_function_may_be_called_again_after_in_place_sums():
    f = random_program([(0, 1, 2), (3, 3, 0), (2, 4, 1), (5, 5, 5)])
    x, y = np.linspace(0.3, 0.8, 4), np.linspace(0.4, 0.9, 4)
    with lean_everywhere():
        _, back = chainrule.vjp(f, x, y)
        first = back(1.0)
        second = back(1.0)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_allclose(back(2.0)[0], 2 * first[0], rtol=1e-15)


def test_inputs_that_need_no_gradient_cost_no_backward_work():
    calls = []

    def spy_vjp(g, ans, args, params, need):
        calls.append(need)
        return [g * 3.0]

    spy = Primitive("spy_triple", 1, lambda v: 3.0 * v, rule=None,
                    text=RuleText("Spy rule", "d(3u) = 3 du", "test"), vjp=spy_vjp,
                    symbolic=False)
    level = new_level()
    a = reverse.lean_leaf(np.array([1.0, 2.0]), level)
    b = reverse.lean_leaf(np.array([3.0, 4.0]), level)
    out = np.sum(a * call(spy, b) + a)
    [ga] = reverse.backward(out.node, 1.0, [a.node])  # b's gradient is not asked for
    np.testing.assert_array_equal(ga, [10.0, 13.0])  # 3b + 1
    assert calls == []
    [ga, gb] = reverse.backward(out.node, 1.0, [a.node, b.node])
    np.testing.assert_array_equal(gb, [3.0, 6.0])  # 3a
    assert calls == [[True]]


def deep_chain(v):
    for _ in range(30):
        v = np.sin(v) * 0.9 + 0.05
    return np.sum(v)


def test_lean_tape_holds_a_third_of_the_full_tape():
    # sin, ·0.9, +0.05: the full tape keeps three arrays a step, the lean one cos(v) only
    x = np.random.default_rng(0).uniform(0.1, 1.0, 20_000)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        lean = chainrule.grad(deep_chain)(x)
        lean_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        [full] = full_tape_gradient(lambda v, _: deep_chain(v), x, 0.0)[:1]
        full_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(lean, full, rtol=1e-14)
    assert lean_peak < 0.5 * full_peak
    assert lean_peak < 36 * x.nbytes  # 30 partials and a few temporaries
