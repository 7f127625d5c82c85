"""Streaming Monte Carlo: seeded blocks, merged moments, chunk- and worker-independence.

Oracles: NumPy's mean/variance over all values at once; the unchunked estimator formulas
applied by hand to the very samples of the stream (rebuilt here from the block seeds);
closed-form expectations and gradients.
"""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chainrule import mc
from chainrule.cli.main import app
from chainrule.errors import ChainruleError
from chainrule.mc import stream as streaming
from chainrule.mc.stream import Moments

BLOCK = 1000  # small blocks so that a few thousand samples span many of them


def f(z):
    return (z - 3.0) ** 2


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(streaming, "BLOCK", BLOCK)


def stream_samples(dist, n, seed):
    """The stream's samples, rebuilt independently from the documented seeding."""
    seeds = np.random.SeedSequence(seed).spawn(-(-n // BLOCK))
    return np.concatenate([dist.sample(min(BLOCK, n - k * BLOCK), np.random.default_rng(s))
                           for k, s in enumerate(seeds)])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=60), st.data())
def test_chan_merge_matches_numpy(values, data):
    arr = np.array(values)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(arr) - 1), max_size=5, unique=True)))
    parts = [Moments.of(p) for p in np.split(arr, cuts)]
    m = Moments.total(parts)
    assert m.n == len(arr)
    np.testing.assert_allclose(m.mean, [np.mean(arr)], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m.variance, [np.var(arr, ddof=1)], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(m.abs_sum, [np.sum(np.abs(arr))], rtol=1e-12)


@pytest.mark.parametrize("baseline", [None, 1.5, "mean", "leave_one_out", "optimal"])
def test_score_function_against_unchunked_formulas(small_blocks, baseline):
    dist, n, seed = mc.Normal(1.0, 2.0), 5_500, 7
    est = mc.score_function(f, dist, n=n, baseline=baseline, seed=seed, chunk=2_000,
                            per_sample=True)
    z = stream_samples(dist, n, seed)
    fz, scores = f(z), dist.score(z)
    for name, s in scores.items():
        if baseline is None:
            g = fz * s
        elif baseline == 1.5:
            g = (fz - 1.5) * s
        elif baseline == "mean":
            g = (fz - fz.mean()) * s
        elif baseline == "leave_one_out":
            g = (fz - (fz.sum() - fz) / (n - 1)) * s   # the definition, not the shortcut
        else:
            g = (fz - np.sum(fz * s * s) / np.sum(s * s)) * s
        np.testing.assert_allclose(est.grad[name], g.mean(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(est.variance[name], g.var(ddof=1), rtol=1e-10)
        np.testing.assert_allclose(est.per_sample[name], g, rtol=1e-9, atol=1e-9)
        kish = np.sum(np.abs(g)) ** 2 / np.sum(g * g)
        np.testing.assert_allclose(est.ess[name], kish, rtol=1e-10)
    assert est.n == n
    np.testing.assert_allclose(est.value, fz.mean(), rtol=1e-12)


def test_pathwise_against_unchunked_formula(small_blocks):
    dist, n, seed = mc.Normal(1.0, 2.0), 4_321, 3
    est = mc.pathwise(f, dist, n=n, seed=seed, chunk=1_500)
    z = stream_samples(dist, n, seed)
    eps = (z - 1.0) / 2.0
    np.testing.assert_allclose(est.grad["loc"], np.mean(2 * (z - 3.0)), rtol=1e-10)
    np.testing.assert_allclose(est.grad["scale"], np.mean(2 * (z - 3.0) * eps), rtol=1e-10)
    np.testing.assert_allclose(est.variance["loc"], np.var(2 * (z - 3.0), ddof=1), rtol=1e-10)
    assert est.per_sample == {}  # per-sample outputs only on request


@pytest.mark.parametrize("baseline", [None, "mean", "leave_one_out", "optimal"])
def test_identical_whatever_chunk_and_workers(small_blocks, baseline):
    dist = mc.Normal(0.5, 1.5)
    runs = [mc.score_function(f, dist, n=6_001, baseline=baseline, seed=11, chunk=c,
                              workers=w) for c, w in ((1, 1), (2_500, 1), (6_001, 1), (1, 3))]
    for other in runs[1:]:
        assert other.grad == runs[0].grad
        assert other.variance == runs[0].variance
        assert other.value == runs[0].value


def test_expectation_and_integrate_streamed(small_blocks):
    a = mc.expectation(lambda z: z**2, mc.Normal(0.0, 2.0), n=9_999, seed=2, chunk=3_000)
    b = mc.expectation(lambda z: z**2, mc.Normal(0.0, 2.0), n=9_999, seed=2, workers=2)
    assert a == b
    z = stream_samples(mc.Normal(0.0, 2.0), 9_999, 2)
    np.testing.assert_allclose(a.value, np.mean(z**2), rtol=1e-12)
    np.testing.assert_allclose(a.stderr, np.std(z**2, ddof=1) / np.sqrt(9_999), rtol=1e-10)
    r = mc.integrate(lambda x: x**2, (0.0, 3.0), n=20_000, seed=0, chunk=4_000)
    assert abs(r.value - 9.0) < 5 * r.stderr  # ∫₀³ x² = 9


def test_closed_form_at_scale():
    # 2²¹ samples: streams by default (real blocks), and matches the exact gradient
    dist = mc.Normal(1.0, 2.0)
    est = mc.score_function(f, dist, n=1 << 21, baseline="leave_one_out", seed=0)
    assert est.per_sample == {}
    assert abs(est.grad["loc"] + 4.0) < 5 * est.stderr["loc"]
    assert abs(est.grad["scale"] - 4.0) < 5 * est.stderr["scale"]
    assert abs(est.value - 8.0) < 5 * est.value_stderr  # (1 − 3)² + 2²


def test_constant_memory():
    dist = mc.Normal(1.0, 2.0)
    tracemalloc.start()
    try:
        mc.score_function(f, dist, n=3_000_000, baseline="optimal", seed=1, chunk=1 << 17)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the unchunked estimator holds 3e6 samples × (z, f, two scores, two gradients) ≈ 140 MB
    assert peak < 40e6


def test_bad_options_are_clear():
    dist = mc.Normal(0.0, 1.0)
    with pytest.raises(ChainruleError, match="callable baseline"):
        mc.score_function(f, dist, n=100, baseline=lambda v: 0.0, chunk=10)
    with pytest.raises(ChainruleError, match="chunk"):
        mc.score_function(f, dist, n=100, chunk=0)
    with pytest.raises(ChainruleError, match="workers"):
        mc.expectation(f, dist, n=100, workers=0)
    with pytest.raises(ChainruleError, match="unknown baseline"):
        mc.score_function(f, dist, n=100, baseline="median", chunk=10)


def test_cli_workers_and_quiet():
    runner = CliRunner()
    base = ["estimate", "--dist", "normal", "--params", "loc=1,scale=2", "--f", "(z-3)^2",
            "--n", "200000", "--estimators", "score-loo,pathwise", "--format", "json",
            "--chunk", "70000"]
    one = runner.invoke(app, [*base, "--quiet"], env={"NO_COLOR": "1"})
    two = runner.invoke(app, [*base, "--workers", "2", "-q"], env={"NO_COLOR": "1"})
    assert one.exit_code == 0 and two.exit_code == 0, one.output
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    rows = [(r["estimator"], r["mean"]) for r in a["rows"]]
    assert rows == [(r["estimator"], r["mean"]) for r in b["rows"]]
    loc = [r["mean"] for r in a["rows"] if r["param"] == "loc"]
    assert len(loc) == 2
    assert all(abs(v + 4.0) < 0.1 for v in loc)


def test_generator_seed_and_progress(small_blocks):
    dist, seen = mc.Normal(1.0, 2.0), []
    a = mc.score_function(f, dist, n=4_500, baseline="mean", seed=np.random.default_rng(5),
                          chunk=2_000, progress=lambda d, t: seen.append((d, t)))
    b = mc.score_function(f, dist, n=4_500, baseline="mean", seed=np.random.default_rng(5),
                          workers=2)
    assert a.grad == b.grad
    # two passes of 3 chunks each, reported over 2n samples, ending at the total
    assert seen == [(2_000, 9_000), (4_000, 9_000), (4_500, 9_000),
                    (6_500, 9_000), (8_500, 9_000), (9_000, 9_000)]
    with pytest.raises(ChainruleError, match="seed"):
        mc.expectation(f, dist, n=10, seed="x", chunk=5)
