"""Seed 000's logarithmic-derivative estimator and seed 003's step-size trade-off, as data.

* :func:`log_derivative` — ``f′(x) = f(x) · d/dx ln|f(x)|``, with the derivative of ``ln|f|`` a
  central difference (seed 000's ``log_diff``; the ``ln|f|`` form also covers negative f). For
  fast-growing f such as ``x^x``, ``ln f`` is tame where f explodes.
* :func:`step_tradeoff` — the forward and central difference errors against the step h, with
  the two theoretical curves that explain them: **truncation** (``|f″|h/2``, ``|f‴|h²/6``),
  which shrinks with h, and **cancellation** (``2ε|f|/h``, ``ε|f|/h``), which grows as h
  shrinks; the optimal h balances them (≈ √ε ≈ 1e-8 forward, ∛ε ≈ 1e-5 central).

>>> import math
>>> r = log_derivative(lambda x: x**x, 2.0, h=1e-6)   # the seed's own estimator
>>> abs(r.df - 6.772588722239781) < 1e-8
True
>>> data = step_tradeoff(math.sin, 1.0)
>>> 3e-6 < data.central_optimal_step < 3e-5
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from chainrule.numeric.derivative import derivative
from chainrule.numeric.result import CONVERGED, DOMAIN, NOT_CONVERGED, DerivativeResult
from chainrule.numeric.richardson import EPS, NOISE, SAFETY, SAFETY_ROUND
from chainrule.numeric.sampling import Line, as_scalar_function


def log_derivative(f: Any, x: float, h: float | None = None, **options: Any
                   ) -> DerivativeResult:
    """f′(x) as ``f(x) · (ln|f(x+h)| - ln|f(x-h)|) / 2h`` (seed 000's estimator).

    With ``h`` given this is exactly the seed's formula (its bound compares h with 2h). With
    ``h=None`` (default) the same central difference of ``ln|f|`` is extrapolated over
    shrinking steps by :func:`~chainrule.numeric.derivative.derivative` (``options`` are
    passed on), which is far more accurate. f must not vanish at x.

    >>> round(log_derivative("x^x", 2.0).df, 10)
    6.7725887222
    """
    func = as_scalar_function(f)
    line = Line.scalar(func, x)
    fx = float(line.value(0.0)[0])
    if not math.isfinite(fx) or fx == 0:
        return DerivativeResult(math.nan, math.inf, False, DOMAIN,
                                "ln|f| needs f(x) defined and non-zero", line.nfev, 0.0, 1,
                                "log")

    def log_abs(t: float) -> float:
        v = float(np.asarray(func(t)).ravel()[0])
        return math.log(abs(v)) if v != 0 else math.nan

    if h is None:
        res = derivative(log_abs, x, **options)
        return res.with_(df=fx * res.df, error=abs(fx) * res.error, nfev=res.nfev + 1,
                         method="log", left=None, right=None)
    return _fixed_log(line, fx, h)


def _fixed_log(line: Line, fx: float, h: float) -> DerivativeResult:
    """The seed's formula at step h, its error bound from the same formula at 2h."""
    def estimate(step: float) -> tuple[float, float]:
        lp, lm = (abs(float(line.value(s)[0])) for s in (step, -step))
        if not (lp > 0 and lm > 0):
            return math.nan, math.nan
        g = (math.log(lp) - math.log(lm)) / (2 * step)
        rounding = NOISE * (abs(math.log(lp)) + abs(math.log(lm)) + 2) / (2 * step)
        return fx * g, abs(fx) * rounding

    d1, r1 = estimate(h)
    d2, _ = estimate(2 * h)
    if math.isnan(d1):
        return DerivativeResult(math.nan, math.inf, False, DOMAIN,
                                "f vanishes or is undefined at x ± h", line.nfev, h, 1, "log")
    error = SAFETY * abs(d1 - d2) / 3 + SAFETY_ROUND * r1 if math.isfinite(d2) else math.inf
    ok = error <= 1e-8 * abs(d1)
    return DerivativeResult(d1, error, ok, CONVERGED if ok else NOT_CONVERGED,
                            "converged" if ok else "the error bound is above 1e-8 relative",
                            line.nfev, h, 1, "log")


@dataclass(frozen=True)
class Tradeoff:
    """Errors of the forward and central differences against the step, with the theory.

    All ``*_error``, ``*_truncation`` and ``*_cancellation`` fields are arrays over ``steps``;
    ``*_optimal_step`` is where theory's two curves balance, ``*_best_step`` where the
    measured error is smallest.
    """

    x: float
    exact: float
    steps: np.ndarray
    forward_error: np.ndarray
    central_error: np.ndarray
    forward_truncation: np.ndarray
    forward_cancellation: np.ndarray
    central_truncation: np.ndarray
    central_cancellation: np.ndarray
    forward_optimal_step: float
    central_optimal_step: float
    forward_best_step: float
    central_best_step: float

    def as_dict(self) -> dict[str, Any]:
        """Plain lists and floats (JSON-ready)."""
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                for k, v in asdict(self).items()}


def step_tradeoff(f: Any, x: float, exact: float | None = None,
                  steps: Any = None) -> Tradeoff:
    """Measure and explain the forward/central difference error as the step h varies.

    ``exact`` defaults to chainrule's own extrapolated derivative; f″ and f‴ for the theory
    curves come from :func:`~chainrule.numeric.derivative.derivative` too. Steps are made
    exactly representable (``h = (x + h) - x``) so the curves show truncation and
    cancellation only, not the rounding of x + h.

    >>> data = step_tradeoff(math.exp, 0.0)
    >>> bool(data.central_error.min() < 1e-10 < data.forward_error.min())
    True
    """
    func = as_scalar_function(f)
    steps = np.logspace(-16, 0, 33) if steps is None else np.asarray(steps, dtype=float)
    fx = float(func(x))
    if exact is None:
        exact = float(derivative(func, x).df)
    f2 = abs(float(derivative(func, x, 2).df))
    f3 = abs(float(derivative(func, x, 3).df))
    fwd, cen = [], []
    for h in steps:
        h = (x + h) - x
        fwd.append(abs((func(x + h) - fx) / h - exact) if h else math.inf)
        cen.append(abs((func(x + h) - func(x - h)) / (2 * h) - exact) if h else math.inf)
    forward_error, central_error = np.array(fwd, dtype=float), np.array(cen, dtype=float)
    scale = abs(fx)
    return Tradeoff(
        x=float(x), exact=exact, steps=steps,
        forward_error=forward_error, central_error=central_error,
        forward_truncation=f2 * steps / 2, forward_cancellation=2 * EPS * scale / steps,
        central_truncation=f3 * steps**2 / 6, central_cancellation=EPS * scale / steps,
        forward_optimal_step=2 * math.sqrt(EPS * scale / f2) if f2 else math.inf,
        central_optimal_step=(3 * EPS * scale / f3) ** (1 / 3) if f3 else math.inf,
        forward_best_step=float(steps[np.nanargmin(forward_error)]),
        central_best_step=float(steps[np.nanargmin(central_error)]),
    )
