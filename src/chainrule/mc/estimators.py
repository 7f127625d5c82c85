"""The score-function and pathwise estimators of ∇θ E_{p(z;θ)}[f(z)] (seed 002).

Score function (REINFORCE, likelihood ratio):  ∇θ E[f] = E[(f(z) − b) ∇θ ln p(z; θ)];
f is only evaluated, never differentiated, and b is a baseline (a control variate: it has
zero mean because the score does). Pathwise (reparameterisation): z = g(ε; θ), so
∇θ E[f] = E[∇θ f(g(ε; θ))]; f must be differentiable, and it usually wins on variance.

Both are vectorised: f gets all n samples in one NumPy array and returns n values; the n
per-sample gradients come from chainrule's forward mode (see :mod:`chainrule.mc.per_sample`).
Each returns a :class:`GradientEstimate` with the mean, the *single-sample* variance of the
estimator, its standard error √(variance / n), the per-sample gradients and the effective
sample size.

>>> import numpy as np
>>> from chainrule.mc import Normal
>>> f = lambda z: (z - 3.0) ** 2                       # E f = (μ − 3)² + σ²
>>> est = pathwise(f, Normal(1.0, 2.0), n=200_000, seed=0)
>>> {k: round(v, 1) for k, v in est.grad.items()}      # exact: 2(μ − 3) = −4, 2σ = 4
{'loc': -4.0, 'scale': 4.0}
>>> sf = score_function(f, Normal(1.0, 2.0), n=200_000, baseline="mean", seed=0)
>>> abs(sf.grad["loc"] + 4.0) < 4 * sf.stderr["loc"]
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from chainrule.autodiff.tracing import value_of
from chainrule.errors import ChainruleError, DifferentiationError
from chainrule.mc.base import count_samples
from chainrule.mc.baselines import Baseline, baseline_value, describe, is_zero, lift, score_label
from chainrule.mc.distributions import Distribution, Seed, rng_from
from chainrule.mc.gradient_estimate import GradientEstimate, from_blocks, summarise
from chainrule.mc.per_sample import forward_derivatives
from chainrule.mc.stream import (
    Moments,
    Progress,
    Stream,
    halves,
    run_blocks,
    wants_stream,
)

__all__ = ["GradientEstimate", "evaluate", "pathwise", "pathwise_samples", "score_function"]


def score_function(f: Callable[[np.ndarray], Any], dist: Distribution,
                   wrt: Sequence[str] | None = None, n: int = 10_000,
                   baseline: Baseline = None, seed: Seed = None, *, chunk: int | None = None,
                   workers: int = 1, per_sample: bool | None = None,
                   progress: Progress | None = None) -> GradientEstimate:
    """The score-function estimator (1/n) Σ (f(zᵢ) − b) ∇θ ln p(zᵢ; θ), zᵢ ~ p(z; θ).

    ``baseline``: None (b = 0); a number; "mean" (b = the mean of f over the same samples —
    O(1/n) bias); "leave_one_out" (bᵢ = the mean of f over the other samples — unbiased);
    "optimal" (b = Σ f s² / Σ s² per parameter entry, the variance-minimising constant,
    estimated from the same samples — O(1/n) bias); or a callable given the n values of f,
    returning a number or n values (bᵢ must not depend on zᵢ to stay unbiased).

    Streaming (:mod:`chainrule.mc.stream`; by default from 2²¹ samples, or when ``chunk`` or
    ``workers`` is given): samples come in blocks with running moments, so memory stays
    constant, and the result for a seed is the same for any ``chunk`` and ``workers``. The
    baselines that need all samples take two passes over the same seeded blocks: the first
    finds Σf (and Σ f s², Σ s² for "optimal"); leave-one-out is then exactly
    n/(n−1)·(f − f̄)·s. ``per_sample`` keeps the per-sample gradients (default: only when not
    streaming); ``progress(done, total)`` is called after each chunk.
    """
    start = time.perf_counter()
    names = dist.check_wrt(wrt)
    if wants_stream(n, chunk, workers) and not (callable(baseline) and chunk is None
                                                 and workers == 1):
        return _score_streamed(f, dist, names, n, baseline, seed,
                               (chunk, workers, per_sample, progress), start)
    z = dist.sample(n, rng_from(seed))
    fz = evaluate(f, z, n)
    scores = dist.score(z, names)
    grads, used = {}, {}
    for name in names:
        s = scores[name]
        b = baseline_value(baseline, fz, s)
        centred = lift(fz, s) if is_zero(b) else lift(fz, s) - lift(b, s)
        grads[name] = centred * s
        used[name] = describe(b, baseline)
    label = score_label(baseline)
    est = summarise(label, grads, fz, used if baseline is not None else None, start)
    return est if per_sample is not False else replace(est, per_sample={})


def pathwise(f: Callable[[Any], Any], dist: Distribution, wrt: Sequence[str] | None = None,
             n: int = 10_000, seed: Seed = None,
             df: Callable[[np.ndarray], Any] | None = None, *, chunk: int | None = None,
             workers: int = 1, per_sample: bool | None = None,
             progress: Progress | None = None) -> GradientEstimate:
    """The pathwise estimator (1/n) Σ ∇θ f(g(εᵢ; θ)), εᵢ ~ p(ε).

    f must be written with NumPy operations chainrule differentiates (it is traced by
    forward mode). Or give ``df``, the derivative of f in z (same shape as z), and only
    dz/dθ is traced: the per-sample gradient is then Σ df(z)·∂z/∂θ over the event.
    ``chunk``, ``workers``, ``per_sample`` and ``progress`` stream as in
    :func:`score_function`.
    """
    start = time.perf_counter()
    names = dist.check_wrt(wrt)
    dist._need_reparameterised(names)
    if wants_stream(n, chunk, workers):
        stream = Stream.plan(count_samples(n), seed, chunk, workers, progress)
        job = partial(_pathwise_blocks, f, dist, names, df, bool(per_sample))
        return from_blocks("pathwise", run_blocks(job, stream), dist, {}, start)
    fz, grads = pathwise_samples(f, dist, names, dist.noise(n, rng_from(seed)), df)
    est = summarise("pathwise", grads, fz, {}, start)
    return est if per_sample is not False else replace(est, per_sample={})


def pathwise_samples(f: Callable[[Any], Any], dist: Distribution, names: list[str],
                     eps: np.ndarray, df: Callable[[np.ndarray], Any] | None
                     ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """f and the per-sample pathwise gradients at the noise ``eps``."""
    n = len(eps)
    z = np.asarray(value_of(dist.transform(eps)))
    fz = evaluate(f, z, n)
    if df is None:
        path = lambda **p: f(dist.transform(eps, **p))  # noqa: E731
    else:
        slope = np.asarray(df(z), dtype=float)
        if slope.shape != z.shape:
            slope = np.broadcast_to(slope, z.shape)
        sum_event = (lambda v: np.sum(v, axis=-1)) if z.ndim > 1 else (lambda v: v)
        path = lambda **p: sum_event(slope * dist.transform(eps, **p))  # noqa: E731
    try:
        return fz, forward_derivatives(path, dist.params, names, n=n)
    except DifferentiationError as err:
        raise ChainruleError(f"the pathwise estimator differentiates f, and here it cannot: "
                             f"{err}. Pass df= (f's derivative in z) or use "
                             "score_function") from None


def evaluate(f: Callable[[np.ndarray], Any], z: np.ndarray, n: int) -> np.ndarray:
    """f of all n samples at once, checked to give n finite-or-not float values."""
    with np.errstate(all="ignore"):
        out = np.asarray(value_of(f(z)), dtype=float)
    if out.shape == ():
        raise ChainruleError("f must be vectorised: it got an array of n samples and returned "
                             "one number; write it with NumPy operations on the whole array")
    if out.shape != (n,):
        raise ChainruleError(f"f must return one value per sample, shape ({n},); "
                             f"it returned shape {out.shape}")
    return out


# -- streaming ----------------------------------------------------------------------------

def _score_streamed(f: Callable[[np.ndarray], Any], dist: Distribution, names: list[str],
                    n: int, baseline: Baseline, seed: Seed, options: tuple,
                    start: float) -> GradientEstimate:
    chunk, workers, keep, progress = options
    if callable(baseline):
        raise ChainruleError("a callable baseline is given all n values of f at once, so it "
                             "cannot be streamed: drop chunk= and workers=")
    n = count_samples(n)
    baseline_value(baseline, np.zeros(2), np.zeros(2))  # an unknown baseline fails here, early
    if baseline == "leave_one_out" and n < 2:
        raise ChainruleError("the leave-one-out baseline needs at least 2 samples")
    stream = Stream.plan(n, seed, chunk, workers, None)
    b: dict[str, Any] = {name: baseline_value(baseline, np.zeros(1), np.zeros(1)) for name in names
                         } if not isinstance(baseline, str) else {}
    scale = 1.0
    if isinstance(baseline, str):  # two passes over the same blocks: Σf (Σfs², Σs²) first
        optimal = baseline == "optimal"
        first = run_blocks(partial(_first_pass_blocks, f, dist, names, optimal),
                           replace(stream, progress=halves(progress, 0)))
        f_mean = float(Moments.total([r[0] for r in first]).mean[0])
        for name in names:
            if optimal:
                num = sum(r[1][name][0] for r in first)
                den = sum(r[1][name][1] for r in first)
                b[name] = np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)
            else:
                b[name] = f_mean
        scale = n / (n - 1) if baseline == "leave_one_out" else 1.0
        stream = replace(stream, progress=halves(progress, 1))
    else:
        stream = replace(stream, progress=progress)
    job = partial(_score_blocks, f, dist, names, b, scale, bool(keep))
    used = {name: describe(b[name], baseline) for name in names}
    return from_blocks(score_label(baseline), run_blocks(job, stream), dist,
                        used if baseline is not None else None, start)


def _first_pass_blocks(f: Callable[[np.ndarray], Any], dist: Distribution, names: list[str],
                       optimal: bool, stream: Stream, blocks: range) -> list[tuple]:
    z = stream.draw(blocks, dist.sample)
    fz = evaluate(f, z, len(z))
    scores = dist.score(z, names) if optimal else {}
    out = []
    for sl in stream.slices(blocks):
        sums = {}
        for name, s in scores.items():
            sq = s[sl] * s[sl]
            sums[name] = (np.sum(lift(fz[sl], sq) * sq, axis=0), np.sum(sq, axis=0))
        out.append((Moments.of(fz[sl]), sums))
    return out


def _score_blocks(f: Callable[[np.ndarray], Any], dist: Distribution, names: list[str],
                  b: dict[str, Any], scale: float, keep: bool, stream: Stream,
                  blocks: range) -> list[tuple]:
    z = stream.draw(blocks, dist.sample)
    fz = evaluate(f, z, len(z))
    scores = dist.score(z, names)
    grads = {}
    for name in names:
        s = scores[name]
        centred = lift(fz, s) if is_zero(b[name]) else lift(fz, s) - lift(b[name], s)
        grads[name] = centred * s if scale == 1.0 else scale * centred * s
    return _block_moments(stream, blocks, fz, grads, keep)


def _pathwise_blocks(f: Callable[[Any], Any], dist: Distribution, names: list[str],
                     df: Callable[[np.ndarray], Any] | None, keep: bool, stream: Stream,
                     blocks: range) -> list[tuple]:
    fz, grads = pathwise_samples(f, dist, names, stream.draw(blocks, dist.noise), df)
    return _block_moments(stream, blocks, fz, grads, keep)


def _block_moments(stream: Stream, blocks: range, fz: np.ndarray,
                   grads: dict[str, np.ndarray], keep: bool) -> list[tuple]:
    return [(Moments.of(fz[sl]), {k: Moments.of(g[sl]) for k, g in grads.items()},
             {k: g[sl] for k, g in grads.items()} if keep else None)
            for sl in stream.slices(blocks)]
