"""Derivatives at many points in one batch of calls to a vectorised f.

For an array of points and an f that maps arrays element-wise (``np.sin``, a NumPy
expression, chainrule text), :func:`batch_derivative` runs the one-variable driver once on
``t ↦ f(x + t·s)`` evaluated at all points together, where ``s`` is each point's own step
scale. Each point keeps the steps, the Richardson tableau entry, the error bound and the
status it would get alone: the tableau chooses its best entry per component, offsets are the
ones really sampled at each point (Fornberg's weights per point), and the derivative in t is
``sⁿ·f⁽ⁿ⁾(x)``, divided back. What is shared is the length of the scan (it runs until every
point may stop) and, rarely, a restart or a rescaling decided for the whole batch.

A point that does not converge in the batch (a kink, a domain edge, a pole nearby) is done
again alone, so its status and diagnosis are exactly the per-point ones. Whether f is
vectorised is checked first, safely: f must accept the array of points, return an array of
the same shape, and agree with calls on single points; otherwise every point is done alone.

>>> import numpy as np
>>> xs = np.linspace(0.5, 2.0, 4)
>>> r = batch_derivative(np.sin, xs, None)
>>> bool(np.all(np.abs(r.df - np.cos(xs)) <= r.error)), r.status.tolist()[0]
(True, 'converged')
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.numeric.driver import differentiate_line
from chainrule.numeric.options import Options, initial_step, make_options
from chainrule.numeric.result import CONVERGED, DerivativeResult, worst
from chainrule.numeric.sampling import Line
from chainrule.numeric.stencils import scheme_nodes
from chainrule.numeric.vectorised import NotVectorised, evaluate_points, scan_points, supports

__all__ = ["BatchLine", "NotVectorised", "batch_derivative", "detection_calls", "is_vectorised",
           "step_scales"]

PROBES = 3  # single points compared with the batch call when checking that f is vectorised
FEW = 64    # uncertified points below this count skip the general batch (it would fail
            # most of them anyway: they are where the derivative is in doubt)


class BatchLine(Line):
    """``t ↦ f(x + t·s)`` at every point x at once, t in units of each point's scale s."""

    def __init__(self, func: Callable[[Any], Any], points: np.ndarray, scales: np.ndarray):
        super().__init__(func, points, scales, coordinate=None)
        self.size = points.size

    def _point(self, t: Any) -> Any:
        return self.origin + t * self.direction

    @property
    def resolution(self) -> float:
        # the coarsest point's: probes below it are not trusted anywhere in the batch
        return float(np.max(np.spacing(np.abs(self.origin)) / self.direction))

    def offset(self, t: float) -> Any:  # type: ignore[override]
        """The offsets really sampled, per point, in units of each point's scale."""
        return ((self.origin + t * self.direction) - self.origin) / self.direction

    def _evaluate(self, t: float) -> np.ndarray:
        self.nfev += 1
        return evaluate_points(self.func, self._point(t))


def step_scales(points: np.ndarray) -> np.ndarray:
    """Each point's step scale, as :func:`~chainrule.numeric.options.step_scale` gives it."""
    return np.maximum(1.0, np.sqrt(np.abs(points)))


def is_vectorised(func: Callable[[Any], Any], points: np.ndarray) -> bool:
    """Whether f maps the array of points element-wise (checked on a few single points).

    >>> import math
    >>> is_vectorised(np.exp, np.arange(3.0)), is_vectorised(math.exp, np.arange(3.0))
    (True, False)
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = np.asarray(func(points.copy()), dtype=float)
            if batch.shape != points.shape:
                return False
            picks = np.linspace(0, points.size - 1, min(PROBES, points.size)).astype(int)
            single = np.array([float(np.asarray(func(float(points[i])), dtype=float))
                               for i in picks])
    except Exception:  # a scalar-only f (math.sin, branching on x) fails here: not vectorised
        return False
    return bool(np.allclose(batch[picks], single, rtol=1e-12, atol=0.0, equal_nan=True))


def detection_calls(size: int) -> int:
    """Calls of f that :func:`is_vectorised` makes for ``size`` points."""
    return 1 + min(PROBES, size)


def batch_derivative(func: Callable[[Any], Any], points: np.ndarray, opts: Options | None,
                     alone: Callable[[float], DerivativeResult] | None = None
                     ) -> DerivativeResult:
    """Derivatives at the (flat) ``points`` from batched calls; unconverged points go to
    ``alone`` (the per-point path) when given. Raises :class:`NotVectorised` when a batch call
    fails."""
    opts = opts or _default_options()
    if opts.step is not None:
        raise NotVectorised("a given step is in x's units; batches use per-point scales")
    flat = np.asarray(points, dtype=float).ravel()
    n = opts.order
    df, error, step = np.full(flat.size, np.nan), np.full(flat.size, np.inf), np.zeros(flat.size)
    status = np.full(flat.size, "", dtype=object)
    nfev, method = 0, opts.method
    rest = np.ones(flat.size, dtype=bool)
    if supports(opts):
        fast = scan_points(func, flat, step_scales(flat), opts)
        ok = fast.certified
        df[ok], error[ok], step[ok], status[ok] = fast.df[ok], fast.error[ok], fast.step[ok], \
            CONVERGED
        nfev, method, rest = fast.nfev, opts.kind, ~ok
    if alone is not None and np.count_nonzero(rest) <= FEW:
        rest[:] = False  # a few uncertified points (kinks, edges) go straight to `alone`
    if np.any(rest):  # the general batch, for what the fast scan did not certify
        sub = np.flatnonzero(rest)
        ok = np.zeros(flat.size, dtype=bool)
        ok[sub] = _defined_around(func, flat[sub], opts)
        nfev += len(scheme_nodes(opts.kind, n, opts.base_accuracy))
        if np.any(ok):
            scales = step_scales(flat[ok])
            line = BatchLine(func, flat[ok], scales)
            res = differentiate_line(line, opts, 1.0)
            df[ok], error[ok] = res.df / scales**n, res.error / scales**n
            step[ok], status[ok] = res.step * scales, res.status
            nfev, method = nfev + line.nfev, res.method
    redo = np.flatnonzero(status != CONVERGED)
    if alone is not None:
        for i in redo:
            one = alone(float(flat[i]))
            df[i], error[i], step[i], status[i] = one.df, one.error, one.step, one.status
            nfev += one.nfev
    success = status == CONVERGED
    failed = int(np.sum(~success))
    message = "converged" if not failed else (
        f"{failed} of {flat.size} points failed (worst: {worst(status)})")
    return DerivativeResult(df, error, success, status, message, nfev, step, n, method,
                            details={"worst": worst(status), "batched": flat.size - len(redo)})


def _defined_around(func: Callable[[Any], Any], points: np.ndarray, opts: Options
                    ) -> np.ndarray:
    """Points where f is defined on the whole stencil at the largest step: the others would
    restart everyone's tableau (a NaN restarts it), so they are done alone."""
    probe = BatchLine(func, points, step_scales(points))
    h0 = initial_step(opts.order, 1.0)
    ok = np.ones(points.size, dtype=bool)
    for c in scheme_nodes(opts.kind, opts.order, opts.base_accuracy):
        ok &= np.isfinite(probe.value(c * h0))
    return ok


def _default_options() -> Options:
    return make_options(1, "central", None, None, True, None, 0.0, True)
