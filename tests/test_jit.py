"""chainrule.jit: recorded once per signature, generated code equal to the eager result."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import numeric
from chainrule.autodiff.jit import blocking, fusion, jit
from chainrule.autodiff.jit.api import Compiled, Eager

RNG = np.random.default_rng(7)


def close(a, b, rtol=1e-12):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=rtol, atol=1e-300)


FUNCTIONS = {
    "elementwise": lambda x: np.sin(x) * np.exp(-x * x) + np.log1p(x * x),
    "power": lambda x: x ** x + np.sin(x) ** x,
    "reduction": lambda x: np.sum(np.tanh(x) ** 2) / np.mean(np.cosh(x)),
    "where": lambda x: np.sum(np.where(x > 1.0, x ** 2, 3.0 * x)),
    "matmul": lambda x: np.sum((np.outer(x, x) + np.eye(x.size)) @ np.sin(x)),
    "logsumexp": lambda x: np.logaddexp(x, 2 * x) - np.maximum(x, 0.5),
}


@pytest.mark.parametrize("fuse", [True, False])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jit_gives_the_eager_values_on_new_inputs(name, fuse):
    f = FUNCTIONS[name]
    jf = jit(f, fuse=fuse)
    for _ in range(3):  # the first call records; the next ones run generated code
        x = RNG.uniform(0.2, 2.0, size=5)
        close(jf(x), f(x))
    assert isinstance(jf.last, Compiled), jf.eager_reason


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jit_of_grad_matches_eager_grad_and_finite_differences(name):
    f = FUNCTIONS[name]
    scalar = (lambda x: np.sum(f(x))) if name in ("elementwise", "power", "logsumexp") else f
    g, jg = chainrule.grad(scalar), jit(chainrule.grad(scalar))
    for _ in range(3):
        x = RNG.uniform(0.2, 2.0, size=4)
        close(jg(x), g(x))
        fd = numeric.gradient(lambda v: float(scalar(v)), x)
        np.testing.assert_allclose(jg(x), fd.df, rtol=1e-6, atol=1e-8)
    assert isinstance(jg.last, Compiled), jg.eager_reason


def test_jit_of_hessian_jvp_and_value_and_grad():
    f = FUNCTIONS["reduction"]
    x = RNG.uniform(0.2, 2.0, size=3)
    jh = jit(chainrule.hessian(f))
    jh(x + 1.0)
    close(jh(x), chainrule.hessian(f)(x))
    jv = jit(lambda x, t: chainrule.jvp(f, (x,), (t,)))
    t = np.array([1.0, -2.0, 0.5])
    jv(x + 0.3, t)
    close(jv(x, t)[1], chainrule.jvp(f, (x,), (t,))[1])
    jvg = jit(chainrule.value_and_grad(f))
    value, grad = jvg(x)
    assert isinstance(value, float)
    close(value, f(x))
    close(grad, chainrule.grad(f)(x))


def test_the_program_is_reused_per_signature():
    jf = jit(lambda x: np.sum(x ** 3))
    jf(np.ones(3))
    jf(np.full(3, 2.0))
    assert len(jf.cache) == 1
    assert jf(np.full(3, 2.0)) == 24.0
    jf(np.ones(4))
    assert len(jf.cache) == 2
    assert "np.power(a0, 3" in jf.source or "numexpr: (a0 ** 3" in jf.source


def test_value_dependent_functions_run_eagerly_and_say_why():
    def f(x):
        return np.sum(x) if np.sum(x) > 0 else -np.sum(x * x)
    jf = jit(f)
    assert jf(np.array([1.0, 2.0])) == 3.0
    assert isinstance(jf.last, Eager)
    assert "reads traced values" in jf.eager_reason
    assert jf(np.array([-1.0, -2.0])) == -5.0  # the other branch: not a stale program


def test_jit_inside_a_derivative_traces_through():
    jf = jit(lambda x: np.sin(x) * x)
    assert chainrule.grad(jf)(0.5) == pytest.approx(np.cos(0.5) * 0.5 + np.sin(0.5), rel=1e-14)


def test_static_arguments_are_part_of_the_signature():
    jf = jit(lambda x, n: np.sum(x ** n), static_argnums=1)
    assert jf(np.array([2.0]), 2) == 4.0
    assert jf(np.array([2.0]), 3) == 8.0
    assert len(jf.cache) == 2


def test_bad_arguments_get_a_clear_error():
    with pytest.raises(chainrule.ChainruleError, match="static_argnums"):
        jit(lambda x, s: x)(np.ones(2), "text")


# -- row blocking ---------------------------------------------------------------------------

@pytest.fixture
def data():
    n, d = 12_000, 50  # 4.8 MB: large enough to block
    X = RNG.normal(size=(n, d))
    y = np.sign(RNG.normal(size=n))
    return X, y


def test_a_logistic_gradient_runs_in_row_blocks_with_the_eager_value(data):
    X, y = data

    def nll(w):
        return np.mean(np.logaddexp(0.0, -y * (X @ w)))

    jg = jit(chainrule.value_and_grad(nll))
    for _ in range(3):
        w = RNG.normal(size=X.shape[1]) * 0.1
        value, grad = jg(w)
        ev, eg = chainrule.value_and_grad(nll)(w)
        close(value, ev, rtol=1e-12)
        close(grad, eg, rtol=1e-11)
    assert "run_blocks(block, 12000" in jg.source  # one pass over X per call
    unblocked = jit(chainrule.grad(nll), block=False)
    close(unblocked(w), eg, rtol=1e-11)
    assert "run_blocks" not in unblocked.source


@pytest.mark.parametrize("fuse", [True, False])
def test_elementwise_outputs_are_written_block_by_block(data, fuse):
    X, _ = data
    x = X.ravel()[:600_000]
    f = FUNCTIONS["power"]
    jg = jit(chainrule.elementwise_grad(f), fuse=fuse)
    x = np.abs(x) + 0.1
    # eager takes u^(v-1) as u^v / u (one pow less); where the derivative's two terms
    # (each of size ~1) cancel, the two roundings differ by an ulp of the terms
    np.testing.assert_allclose(jg(x), chainrule.elementwise_grad(f)(x), rtol=1e-12, atol=1e-15)
    assert "[r0:r1] =" in jg.source
    assert ("numexpr:" in jg.source) == (fuse and fusion.available())


def test_rows_needed_again_after_a_sum_are_not_blocked(data):
    X, _ = data
    def softmax_loss(w):
        z = np.exp(X @ w)
        return np.sum(np.log(z / np.sum(z)) ** 2)
    jg = jit(chainrule.grad(softmax_loss))
    w = RNG.normal(size=X.shape[1]) * 0.01
    close(jg(w), chainrule.grad(softmax_loss)(w), rtol=1e-10)
    assert "run_blocks" not in jg.source


def test_block_size_follows_the_setting(data, monkeypatch):
    X, y = data
    monkeypatch.setattr(blocking, "BLOCK_BYTES", (50 * 8 + blocking.LIVE * 8) * 1000)
    jg = jit(chainrule.grad(lambda w: np.sum((X @ w - y) ** 2)))
    w = RNG.normal(size=X.shape[1])
    close(jg(w), 2 * X.T @ (X @ w - y), rtol=1e-10)
    assert "run_blocks(block, 12000, 1000" in jg.source


# -- agreement on random elementwise programs -------------------------------------------------

UNARY = [np.sin, np.cos, np.exp, np.tanh, np.log1p, np.arctan, lambda v: v * v]
BINARY = [np.add, np.multiply, np.subtract, lambda a, b: a / (1.0 + b * b), np.logaddexp]


@st.composite
def programs(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return ("x",) if draw(st.booleans()) else ("c", draw(st.floats(-2, 2)))
    if draw(st.booleans()):
        return ("u", draw(st.integers(0, len(UNARY) - 1)), draw(programs(depth=depth - 1)))
    return ("b", draw(st.integers(0, len(BINARY) - 1)), draw(programs(depth=depth - 1)),
            draw(programs(depth=depth - 1)))


def build(tree, x):
    if tree[0] == "x":
        return x
    if tree[0] == "c":
        return tree[1]
    if tree[0] == "u":
        return UNARY[tree[1]](build(tree[2], x))
    return BINARY[tree[1]](build(tree[2], x), build(tree[3], x))


@settings(max_examples=60, deadline=None)
@given(programs(), st.integers(0, 10**6))
def test_jit_elementwise_grad_agrees_with_eager_on_random_programs(tree, seed):
    def f(x):
        return build(tree, x) + 0.0 * x
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=6)
    eager = chainrule.elementwise_grad(f)
    jg = jit(eager)
    jg(x + 0.25)  # record on other values, then run the program on x
    with np.errstate(all="ignore"):
        close(jg(x), eager(x), rtol=1e-12)


def test_step_functions_are_recomputed_not_baked_in():
    def f(x):
        return np.sum(np.abs(x) * np.sign(x) ** 2 + np.heaviside(x, 0.5) * x)
    jg = jit(chainrule.grad(f))
    x = np.array([-1.0, 2.0, 0.5])
    close(jg(x), [-1.0, 2.0, 2.0])
    close(jg(-x), [2.0, -1.0, -1.0])  # the other signs: the same program, other branches
    assert isinstance(jg.last, Compiled), jg.eager_reason


def test_identity_steps_are_dropped_bit_for_bit():
    def f(x):
        s = np.sin(x)
        return (s * 1.0) / 1 - 0.0, np.logical_and(s > 0, s > 0), s + 0.0
    jf = jit(f)
    x = np.array([-0.0, 0.5, -2.0])
    jf(x + 1.0)
    got, want = jf(x), f(x)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
        assert g.dtype == w.dtype
    assert np.signbit(got[0][0]) and not np.signbit(got[2][0])  # -0 kept; -0 + 0 is +0
    body = jf.source
    assert "np.multiply" not in body and "np.true_divide" not in body
    assert "np.subtract" not in body and "np.logical_and" not in body
    assert "np.add" in body  # u + 0 is not an identity (it turns -0 into 0)
