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
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from chainrule.autodiff.tracing import value_of
from chainrule.errors import ChainruleError, DifferentiationError
from chainrule.mc.base import count_samples
from chainrule.mc.distributions import Distribution, Seed, rng_from
from chainrule.mc.per_sample import forward_derivatives
from chainrule.mc.stream import (
    Moments,
    Progress,
    Stream,
    halves,
    run_blocks,
    wants_stream,
)
from chainrule.printing.html import html_table

Baseline = None | str | float | Callable[[np.ndarray], Any]
BASELINES = ("mean", "leave_one_out", "optimal")


@dataclass
class GradientEstimate:
    """One Monte Carlo gradient estimate; every mapping is keyed by parameter name.

    ``grad``: the estimate (mean of the per-sample gradients); ``variance``: the variance
    of one per-sample gradient (the single-sample variance of the estimator); ``stderr``:
    √(variance / n); ``per_sample``: the n per-sample gradients, ``(n, *param_shape)``;
    ``ess``: the effective sample size (Σ|gᵢ|)² / Σgᵢ² — n when all samples weigh alike,
    near 1 when one dominates; ``value``: the estimate of E[f] itself.
    """

    method: str
    grad: dict[str, Any]
    variance: dict[str, Any]
    stderr: dict[str, Any]
    per_sample: dict[str, np.ndarray] = field(repr=False)
    ess: dict[str, Any]
    n: int
    value: float
    value_stderr: float
    baseline: Any = None
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [f"{self.method}: n = {self.n}, E[f] ≈ {self.value:.6g} ± {self.value_stderr:.2g}"]
        for name in self.grad:
            lines.append(f"  d/d{name}: {_fmt(self.grad[name])} ± {_fmt(self.stderr[name])}"
                         f"   (single-sample variance {_fmt(self.variance[name])})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(f"d/d{k}", _fmt(self.grad[k]), _fmt(self.stderr[k]), _fmt(self.variance[k]),
                 _fmt(self.ess[k])) for k in self.grad]
        return html_table(rows, ("gradient", "estimate", "std error", "variance", "ESS"),
                          caption=str(self).splitlines()[0])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready numbers (no per-sample arrays)."""
        plain = lambda m: {k: np.asarray(v).tolist() for k, v in m.items()}  # noqa: E731
        return {"method": self.method, "n": self.n, "value": self.value,
                "value_stderr": self.value_stderr, "grad": plain(self.grad),
                "variance": plain(self.variance), "stderr": plain(self.stderr),
                "ess": plain(self.ess), "seconds": self.seconds}


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
        b = _baseline(baseline, fz, s)
        centred = _lift(fz, s) if _is_zero(b) else _lift(fz, s) - _lift(b, s)
        grads[name] = centred * s
        used[name] = _describe(b, baseline)
    label = _score_label(baseline)
    est = _summarise(label, grads, fz, used if baseline is not None else None, start)
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
        return _from_blocks("pathwise", run_blocks(job, stream), dist, {}, start)
    fz, grads = pathwise_samples(f, dist, names, dist.noise(n, rng_from(seed)), df)
    est = _summarise("pathwise", grads, fz, {}, start)
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
    _baseline(baseline, np.zeros(2), np.zeros(2))  # an unknown baseline fails here, early
    if baseline == "leave_one_out" and n < 2:
        raise ChainruleError("the leave-one-out baseline needs at least 2 samples")
    stream = Stream.plan(n, seed, chunk, workers, None)
    b: dict[str, Any] = {name: _baseline(baseline, np.zeros(1), np.zeros(1)) for name in names
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
    used = {name: _describe(b[name], baseline) for name in names}
    return _from_blocks(_score_label(baseline), run_blocks(job, stream), dist,
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
            sums[name] = (np.sum(_lift(fz[sl], sq) * sq, axis=0), np.sum(sq, axis=0))
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
        centred = _lift(fz, s) if _is_zero(b[name]) else _lift(fz, s) - _lift(b[name], s)
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


def _from_blocks(method: str, parts: list[tuple], dist: Distribution, baseline: Any,
                 start: float) -> GradientEstimate:
    f_m = Moments.total([p[0] for p in parts])
    grad, var, err, ess, kept = {}, {}, {}, {}, {}
    for name in parts[0][1]:
        m = Moments.total([p[1][name] for p in parts])
        shape = np.shape(dist.values[name])
        grad[name], var[name] = _plain(m.mean.reshape(shape)), _plain(m.variance.reshape(shape))
        ess[name] = _plain(m.ess.reshape(shape))
        err[name] = _plain(np.sqrt(m.variance / m.n).reshape(shape))
        if parts[0][2] is not None:
            kept[name] = np.concatenate([p[2][name] for p in parts], axis=0)
    return GradientEstimate(method=method, grad=grad, variance=var, stderr=err,
                            per_sample=kept, ess=ess, n=f_m.n, value=float(f_m.mean[0]),
                            value_stderr=float(np.sqrt(f_m.variance[0] / f_m.n)),
                            baseline=baseline or None, seconds=time.perf_counter() - start)


# -- baselines ----------------------------------------------------------------------------

def _baseline(baseline: Baseline, fz: np.ndarray, s: np.ndarray) -> Any:
    n = len(fz)
    if baseline is None:
        return 0.0
    if isinstance(baseline, str):
        if baseline == "mean":
            return float(np.mean(fz))
        if baseline == "leave_one_out":
            if n < 2:
                raise ChainruleError("the leave-one-out baseline needs at least 2 samples")
            return (np.sum(fz) - fz) / (n - 1)
        if baseline == "optimal":
            lifted = _lift(fz, s)
            den = np.sum(s * s, axis=0)
            return np.where(den > 0, np.sum(lifted * s * s, axis=0) / np.where(den > 0, den, 1),
                            0.0)
        raise ChainruleError(f"unknown baseline {baseline!r}; use None, a number, a callable "
                             f"or one of {', '.join(BASELINES)}")
    if callable(baseline):
        b = np.asarray(baseline(fz), dtype=float)
        if b.shape not in ((), (n,)):
            raise ChainruleError(f"a baseline callable must return a number or {n} values; "
                                 f"it returned shape {b.shape}")
        return b
    if isinstance(baseline, int | float | np.number) and not isinstance(baseline, bool):
        return float(baseline)
    raise ChainruleError(f"a baseline must be None, a number, a callable or one of "
                         f"{', '.join(BASELINES)}; got {baseline!r}")


def _score_label(baseline: Baseline) -> str:
    return "score" if baseline is None else f"score ({_label(baseline)} baseline)"


def _is_zero(b: Any) -> bool:
    return isinstance(b, float) and b == 0.0


def _lift(values: Any, s: np.ndarray) -> Any:
    """Per-sample values (n,) shaped to broadcast against scores (n, *param_shape)."""
    v = np.asarray(values)
    if v.ndim == 1 and v.shape[0] == s.shape[0] and s.ndim > 1:
        return v.reshape(v.shape + (1,) * (s.ndim - 1))
    return v


def _describe(b: Any, baseline: Baseline) -> Any:
    if isinstance(baseline, str) and baseline == "leave_one_out":
        return "leave_one_out"
    arr = np.asarray(b)
    return float(arr) if arr.ndim == 0 else arr


def _label(baseline: Baseline) -> str:
    if isinstance(baseline, str):
        return baseline.replace("_", "-")
    return "callable" if callable(baseline) else f"constant {baseline:g}"


# -- summaries ----------------------------------------------------------------------------

def _summarise(method: str, per_sample: dict[str, np.ndarray], fz: np.ndarray,
               baseline: Any, start: float) -> GradientEstimate:
    n = len(fz)
    grad, var, err, ess = {}, {}, {}, {}
    for name, g in per_sample.items():
        mean, v, kish = _moments(g)
        grad[name], var[name], ess[name] = _plain(mean), _plain(v), _plain(kish)
        err[name] = _plain(np.sqrt(v / n))
    f_mean, f_var, _ = _moments(fz)
    return GradientEstimate(method=method, grad=grad, variance=var, stderr=err,
                            per_sample=per_sample, ess=ess, n=n, value=float(f_mean),
                            value_stderr=float(np.sqrt(f_var / n)),
                            baseline=baseline or None, seconds=time.perf_counter() - start)


def _moments(g: np.ndarray) -> tuple[Any, Any, Any]:
    """Mean, unbiased variance and Kish effective sample size (Σ|gᵢ|)² / Σgᵢ² over axis 0.

    Written as dot products over the samples (one pass each, no big temporaries beyond the
    centred copy) because at 10⁶ samples these reductions cost as much as the scores.
    """
    n = len(g)
    flat = g.reshape(n, -1)
    mean = flat.sum(axis=0) / n
    centred = flat - mean
    sq_dev = np.einsum("ij,ij->j", centred, centred)
    var = sq_dev / (n - 1) if n > 1 else np.full(mean.shape, np.nan)
    sq = sq_dev + n * mean * mean
    total = np.abs(flat).sum(axis=0)
    kish = np.where(sq > 0, total**2 / np.where(sq > 0, sq, 1.0), float(n))
    shape = g.shape[1:]
    return mean.reshape(shape), var.reshape(shape), kish.reshape(shape)


def _plain(x: Any) -> Any:
    arr = np.asarray(x, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def _fmt(x: Any) -> str:
    if np.ndim(x) == 0:
        return f"{float(x):.6g}"
    return np.array2string(np.asarray(x), precision=5)
