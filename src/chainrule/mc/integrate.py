"""Plain Monte Carlo: expectations E_p[f(z)] and integrals over boxes, with error bars.

By the law of large numbers (1/n) Σ f(zᵢ) → E[f(z)]; the central limit theorem gives the
standard error σ_f / √n and a normal confidence interval. An integral over [a, b] is
(b − a) · E[f(U)] with U uniform there (seed 003 §2.6).

>>> r = integrate(lambda x: x**2, bounds=(0.0, 1.0), n=100_000, seed=0)
>>> abs(r.value - 1 / 3) < 3 * r.stderr, r.ci[0] < 1 / 3 < r.ci[1]
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from statistics import NormalDist
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.mc.base import count_samples
from chainrule.mc.distributions import Distribution, Seed, rng_from
from chainrule.mc.estimators import evaluate
from chainrule.mc.stream import Moments, Progress, Stream, run_blocks, wants_stream
from chainrule.printing.html import html_table


@dataclass(frozen=True)
class MonteCarloResult:
    """An estimate with its standard error and a ``level`` confidence interval ``ci``."""

    value: float
    stderr: float
    ci: tuple[float, float]
    n: int
    level: float

    def __str__(self) -> str:
        return (f"{self.value:.6g} ± {self.stderr:.2g} "
                f"({self.level:.0%} CI [{self.ci[0]:.6g}, {self.ci[1]:.6g}], n = {self.n})")

    def _repr_html_(self) -> str:
        rows = [("estimate", self.value), ("std error", self.stderr),
                (f"{self.level:.0%} CI", f"[{self.ci[0]:.6g}, {self.ci[1]:.6g}]"),
                ("samples", self.n)]
        return html_table(rows, caption="Monte Carlo estimate")


def expectation(f: Callable[[np.ndarray], Any], dist: Distribution, n: int = 100_000,
                seed: Seed = None, level: float = 0.95, *, chunk: int | None = None,
                workers: int = 1, progress: Progress | None = None) -> MonteCarloResult:
    """E_{p(z)}[f(z)] ≈ (1/n) Σ f(zᵢ), zᵢ ~ ``dist``; f is vectorised over the samples.

    From 2²¹ samples, or with ``chunk`` or ``workers``, the samples stream in seeded blocks
    with running moments (:mod:`chainrule.mc.stream`): constant memory, and the same result
    for a seed whatever ``chunk`` and ``workers``.

    >>> from chainrule.mc import Normal
    >>> r = expectation(lambda z: z**2, Normal(0.0, 2.0), n=100_000, seed=1)   # σ² = 4
    >>> abs(r.value - 4.0) < 4 * r.stderr
    True
    >>> s = expectation(lambda z: z**2, Normal(0.0, 2.0), n=100_000, seed=1, chunk=70_000)
    >>> s == expectation(lambda z: z**2, Normal(0.0, 2.0), n=100_000, seed=1, workers=2)
    True
    """
    if wants_stream(n, chunk, workers):
        stream = Stream.plan(count_samples(n), seed, chunk, workers, progress)
        return from_moments(run_blocks(partial(_expectation_blocks, f, dist), stream), level)
    z = dist.sample(n, rng_from(seed))
    return summarise(evaluate(f, z, len(z)), level)


def integrate(f: Callable[[np.ndarray], Any], bounds: Sequence[Any], n: int = 100_000,
              seed: Seed = None, level: float = 0.95, *, chunk: int | None = None,
              workers: int = 1, progress: Progress | None = None) -> MonteCarloResult:
    """∫ f over ``bounds`` by uniform sampling: ``(a, b)`` for one variable (f gets shape
    ``(n,)``), or a list of ``(aⱼ, bⱼ)`` for a box in d variables (f gets ``(n, d)``).
    Streams as :func:`expectation` does.

    >>> r = integrate(lambda p: p[:, 0] * p[:, 1], [(0, 1), (0, 2)], n=200_000, seed=0)
    >>> abs(r.value - 1.0) < 4 * r.stderr                        # ∫∫ x y = ½ · 2
    True
    """
    low, high, one_d = _box(bounds)
    if not isinstance(n, int) or n < 2:
        raise ChainruleError(f"integrate needs a whole number n ≥ 2 of samples, got {n!r}")
    volume = float(np.prod(high - low))
    if wants_stream(n, chunk, workers):
        stream = Stream.plan(n, seed, chunk, workers, progress)
        job = partial(_integrate_blocks, f, low, high, one_d, volume)
        return from_moments(run_blocks(job, stream), level)
    u = rng_from(seed).random((n, len(low)))
    x = low + (high - low) * u
    values = evaluate(f, x[:, 0] if one_d else x, n)
    return summarise(values * volume, level)


def _expectation_blocks(f: Callable[[np.ndarray], Any], dist: Distribution, stream: Stream,
                        blocks: range) -> list[Moments]:
    z = stream.draw(blocks, dist.sample)
    return _split(stream, blocks, evaluate(f, z, len(z)))


def _integrate_blocks(f: Callable[[np.ndarray], Any], low: np.ndarray, high: np.ndarray,
                      one_d: bool, volume: float, stream: Stream, blocks: range
                      ) -> list[Moments]:
    u = stream.draw(blocks, lambda size, rng: rng.random((size, len(low))))
    x = low + (high - low) * u
    return _split(stream, blocks, evaluate(f, x[:, 0] if one_d else x, len(x)) * volume)


def _split(stream: Stream, blocks: range, values: np.ndarray) -> list[Moments]:
    return [Moments.of(values[sl]) for sl in stream.slices(blocks)]


def from_moments(parts: list[Moments], level: float = 0.95) -> MonteCarloResult:
    """The estimate from per-block moments merged in order."""
    m = Moments.total(parts)
    return _interval(float(m.mean[0]), float(np.sqrt(m.variance[0] / m.n)), m.n, level)


def summarise(values: np.ndarray, level: float = 0.95) -> MonteCarloResult:
    """Mean, standard error and normal confidence interval of i.i.d. values."""
    if not 0.0 < level < 1.0:
        raise ChainruleError(f"the confidence level must be in (0, 1), got {level!r}")
    n = len(values)
    mean = float(np.mean(values))
    err = float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return _interval(mean, err, n, level)


def _interval(mean: float, err: float, n: int, level: float) -> MonteCarloResult:
    if not 0.0 < level < 1.0:
        raise ChainruleError(f"the confidence level must be in (0, 1), got {level!r}")
    half = NormalDist().inv_cdf(0.5 + level / 2.0) * err
    return MonteCarloResult(mean, err, (mean - half, mean + half), n, level)


def _box(bounds: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, bool]:
    try:
        arr = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise ChainruleError("bounds must be (a, b) or a list of (a, b) pairs") from None
    one_d = arr.shape == (2,)
    arr = arr.reshape(1, 2) if one_d else arr
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.all(np.isfinite(arr)):
        raise ChainruleError("bounds must be finite: (a, b) or a list of (a, b) pairs")
    if not np.all(arr[:, 1] > arr[:, 0]):
        raise ChainruleError("each bound must have a < b")
    return arr[:, 0], arr[:, 1], one_d
