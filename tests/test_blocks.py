"""Blocked, multi-threaded evaluation: core.blocks, chainrule.compile and chainrule.jit on large
arrays give the unblocked values — odd sizes, broadcasting, float32, any thread count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import numeric
from chainrule.autodiff.jit import blocking
from chainrule.core import blocks
from chainrule.errors import DomainError
from chainrule.symbolic.compile import codegen

RNG = np.random.default_rng(11)


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 64 rows (the minimum) from 100 points on: every test array spans many."""
    monkeypatch.setattr(blocks, "cache_bytes", lambda: 1)
    monkeypatch.setattr(codegen, "BLOCKED_FROM", 100)
    yield
    blocks.set_threads(None)


# -- core.blocks ------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("n, rows", [(10, 3), (64, 64), (65, 64), (1, 5)])
def test_run_blocks_covers_every_row_once_in_order(n, rows, workers):
    parts = blocks.run_blocks(lambda r0, r1: (r0, r1), n, rows, workers=workers)
    assert [p[0] for p in parts] == list(range(0, n, rows))
    assert np.concatenate([np.arange(r0, r1) for r0, r1 in parts]).tolist() == list(range(n))


def test_run_blocks_passes_errors_and_errstate_to_the_caller():
    def failing(r0, r1):
        raise ValueError(f"block {r0}")
    with pytest.raises(ValueError, match="block"):
        blocks.run_blocks(failing, 10, 2, workers=2)
    # the blocks run under the caller's errstate
    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        blocks.run_blocks(lambda r0, r1: np.log(np.zeros(1)), 10, 2, workers=2)


def test_cache_size_and_thread_settings():
    assert blocks.cache_bytes() >= 1 << 14
    assert blocks.rows_for(800) >= 64
    blocks.set_threads(3)
    assert blocks.threads() == 3
    blocks.set_threads(None)
    assert blocks.threads() == blocks.usable_cpus()
    with pytest.raises(ValueError, match="positive int"):
        blocks.set_threads(0)


# -- chainrule.compile in blocks --------------------------------------------------------------

F = "x^x + sin(x)^x"


@settings(max_examples=25, deadline=None)
@given(st.integers(100, 1000), st.sampled_from([1, 2]), st.integers(0, 10**6))
def test_compiled_derivative_in_blocks_equals_the_unblocked_code(n, threads, seed):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(blocks, "cache_bytes", lambda: 1)
        mp.setattr(codegen, "BLOCKED_FROM", 100)
        blocks.set_threads(threads)
        try:
            f = chainrule.compile(chainrule.diff(F))
            x = np.random.default_rng(seed).uniform(0.1, 3.0, n)
            got = f(x)
        finally:
            blocks.set_threads(None)
    with np.errstate(all="ignore"):
        want = f.array_fn(x)  # the same generated body on the whole array
    np.testing.assert_array_equal(got, want)
    fd = numeric.derivative(lambda t: t**t + np.sin(t) ** t, float(x[n // 2]))
    np.testing.assert_allclose(got[n // 2], fd.df, rtol=1e-7)


def test_compiled_code_broadcasts_and_keeps_the_shape_in_blocks(small_blocks):
    f = chainrule.compile("x * sin(y) + x^2", ["x", "y"])
    x, y = RNG.uniform(0.5, 2.0, (37, 1)), RNG.uniform(0.5, 2.0, (1, 29))
    got = f(x, y)
    assert got.shape == (37, 29)
    np.testing.assert_allclose(got, x * np.sin(y) + x**2, rtol=1e-14)
    np.testing.assert_allclose(f(x, 0.5), (x * np.sin(0.5) + x**2), rtol=1e-14)


def test_a_constant_derivative_fills_every_block(small_blocks):
    f = chainrule.compile(chainrule.diff("3*x + 1"), ["x"])
    np.testing.assert_array_equal(f(np.ones(333)), np.full(333, 3.0))


def test_a_non_finite_value_in_any_block_is_an_error(small_blocks):
    f = chainrule.compile(chainrule.diff("ln(x)"))
    x = RNG.uniform(0.5, 2.0, 501)
    x[377] = 0.0  # in a late block
    with pytest.raises(DomainError, match="undefined or overflows"):
        f(x)


# -- chainrule.jit in blocks on threads -------------------------------------------------------

def power(x):
    return x**x + np.sin(x) ** x


@settings(max_examples=15, deadline=None)
@given(st.integers(70, 700), st.sampled_from([np.float64, np.float32]), st.integers(0, 10**6))
def test_jit_elementwise_grad_in_blocks_on_threads_equals_eager(n, dtype, seed):
    x = np.random.default_rng(seed).uniform(0.2, 2.5, n).astype(dtype)
    eager = chainrule.elementwise_grad(power)(x)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(blocking, "BIG", 0)  # block even these small arrays
        mp.setattr(blocks, "cache_bytes", lambda: 1)  # into blocks of 64 points
        jg = chainrule.jit(chainrule.elementwise_grad(power))
        jg(x)
        assert "run_blocks(block" in jg.source
        results = []
        for threads in (1, 2):
            blocks.set_threads(threads)
            try:
                results.append(jg(x))
            finally:
                blocks.set_threads(None)
    assert results[0].dtype == eager.dtype
    np.testing.assert_array_equal(results[0], results[1])
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    # relative to the two terms' sizes: where they cancel (f′ ≈ 0.005 from terms near 1),
    # float32's rounding of each term is the honest scale, not the small sum
    xf = x.astype(float)
    s = np.sin(xf)
    terms = np.abs(xf**xf * (np.log(xf) + 1)) + np.abs(s**xf * (np.log(s) + xf * np.cos(xf) / s))
    assert np.all(np.abs(results[0].astype(float) - eager) <= rtol * terms)


def test_jit_gradient_sums_blocks_in_the_same_order_on_any_thread_count(monkeypatch):
    n, d = 1001, 7  # 1001 rows: the last block is short
    X, y = RNG.normal(size=(n, d)), np.sign(RNG.normal(size=n))

    def nll(w):
        return np.mean(np.logaddexp(0.0, -y * (X @ w)))

    monkeypatch.setattr(blocking, "BIG", 0)
    monkeypatch.setattr(blocks, "cache_bytes", lambda: 1)
    jg = chainrule.jit(chainrule.grad(nll))
    w = RNG.normal(size=d)
    jg(w)
    assert "run_blocks(block, 1001, 64)" in jg.source
    got = []
    for threads in (1, 2, 3):
        blocks.set_threads(threads)
        got.append(jg(w))
    blocks.set_threads(None)
    np.testing.assert_array_equal(got[0], got[1])
    np.testing.assert_array_equal(got[0], got[2])
    np.testing.assert_allclose(got[0], chainrule.grad(nll)(w), rtol=1e-12)
    fd = numeric.gradient(lambda v: float(nll(v)), w)
    np.testing.assert_allclose(got[0], fd.df, rtol=1e-6, atol=1e-9)


def test_a_forked_child_runs_blocks_on_its_own_threads():
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    blocks.run_blocks(lambda r0, r1: r0, 10, 2, workers=2)  # the parent's pool exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        got = pool.apply_async(blocks.run_blocks, (_block_start, 10, 2, 2)).get(timeout=60)
    assert got == [0, 2, 4, 6, 8]


def _block_start(r0, r1):
    return r0


def test_run_blocks_nested_in_a_block_does_not_deadlock():
    import threading

    def outer(r0, r1):
        return sum(blocks.run_blocks(lambda a, b: b - a, 40, 7, workers=2))
    got = []
    runner = threading.Thread(target=lambda: got.append(
        blocks.run_blocks(outer, 30, 10, workers=2)), daemon=True)
    runner.start()
    runner.join(timeout=60)  # a deadlock fails here instead of hanging the run
    assert got == [[40, 40, 40]]
