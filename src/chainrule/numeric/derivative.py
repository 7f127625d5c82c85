"""``derivative``: a numerical derivative of any order with an error bound and a verdict.

The default (``method="central"``) runs central differences at steps ``h0, h0/2, h0/4, ...``,
extrapolates them (Richardson), and keeps the estimate with the smallest conservative error
bound; then it checks the two sides of x for kinks, jumps, infinite slopes and domain edges
(:mod:`~chainrule.numeric.diagnose`) so that a point where the derivative does not exist gets
``success=False`` and a status saying why, never a confident number.

>>> import math
>>> r = derivative(math.sin, 1.0)
>>> r.success, abs(r.df - math.cos(1.0)) <= r.error < 1e-11
(True, True)
>>> derivative(abs, 0.0).status
'not differentiable: kink'
>>> round(derivative("x^x", 2.0).df, 10)
6.7725887222
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.numeric.batch import (
    NotVectorised,
    batch_derivative,
    detection_calls,
    is_vectorised,
)
from chainrule.numeric.driver import differentiate_line
from chainrule.numeric.options import make_options, step_scale
from chainrule.numeric.result import DerivativeResult, worst
from chainrule.numeric.sampling import Line, as_scalar_function

__all__ = ["derivative", "reshape", "scalar_result", "stack"]


def derivative(f: Any, x: Any, order: int = 1, *, method: str = "central",
               accuracy: int | None = None, step: float | None = None, adaptive: bool = True,
               rtol: float | None = None, atol: float = 0.0, check: bool = True,
               noise: float | None = None, wrt: str | None = None,
               args: tuple = (), vectorized: bool | None = None) -> DerivativeResult:
    """The ``order``-th derivative of ``f`` at ``x``, with an error bound and a status.

    Args:
        f: a Python function of one number (``math.sin`` and vectorised NumPy functions both
            work; for an array x a vectorised f is called on all points at once), chainrule
            text such as ``"x^x"``, or an Expr.
        x: the point; an array gives element-wise results.
        order: derivative order (1 to 8; up to 4 is routine).
        method: ``"central"`` (default; ``"auto"`` is the same), ``"forward"``,
            ``"backward"`` (one-sided, for use at domain edges) or ``"complex"`` (complex step,
            for analytic f that accepts complex input; orders 1-2, cross-checked against
            central differences, which it falls back to).
        accuracy: order of the base stencil's error (central: even, default 2; one-sided:
            default 1). Weights come from Fornberg's algorithm for any value.
        step: with ``adaptive`` the largest step of the scan, else the one fixed step.
        adaptive: Richardson extrapolation over shrinking steps (default), or one step.
        rtol, atol: ``success`` needs ``error <= rtol·(|df| + T) + atol`` where T is the
            size of the differenced terms (Σ|weights|·max|f|); rtol defaults to 1e-8 for
            order 1 and 30 times more per extra order. A given rtol is also where the scan
            may stop (as SciPy's does); by default it goes on to the smallest bound it can
            reach.
        check: look for kinks, jumps, infinite slopes and domain edges (costs a few
            evaluations; off, a non-differentiable point can get a confident wrong answer).
        noise: the absolute noise level of f's values, when known to exceed a few ulps (f
            computed by an iterative solver, or with internal cancellation); it widens the
            rounding part of the bound. By default f is assumed accurate to a few ulps.
        wrt: the variable, for expressions of several variables.
        args: extra positional arguments passed to f.
        vectorized: for an array ``x``: ``None`` (default) checks whether f maps an array of
            points element-wise and, if so, runs every point's scan together, one call of f
            per row of steps (:mod:`~chainrule.numeric.vectorised`; points that are not
            certified there are redone alone); ``False`` calls f one point at a time;
            ``True`` requires the batch.

    Returns:
        A :class:`~chainrule.numeric.result.DerivativeResult`; its ``error`` is meant to be an
        upper bound of the true error, and ``df`` is NaN where the derivative does not exist.

    >>> import math
    >>> r = derivative("sin(x)", 0.5, order=4)
    >>> r.success, abs(r.df - math.sin(0.5)) <= r.error
    (True, True)
    """
    opts = make_options(order, method, accuracy, step, adaptive, rtol, atol, check, noise)
    func = as_scalar_function(f, wrt)
    if args:
        func = _bind(func, args)
    xs = np.asarray(x, dtype=float)
    if xs.ndim == 0:
        value = float(xs)
        return scalar_result(differentiate_line(Line.scalar(func, value), opts,
                                                step_scale(value)))
    def alone(xi: float) -> DerivativeResult:
        return derivative(func, xi, order, method=method, accuracy=accuracy, step=step,
                          adaptive=adaptive, rtol=rtol, atol=atol, check=check, noise=noise)

    if xs.size > 1 and vectorized is not False and step is None:
        if vectorized or is_vectorised(func, xs.ravel()):
            checked = 0 if vectorized else detection_calls(xs.size)
            try:
                res = batch_derivative(func, xs, opts, alone)
                return reshape(res.with_(nfev=res.nfev + checked), xs.shape)
            except NotVectorised as exc:
                if vectorized:
                    raise ChainruleError(f"f failed on the array of points: {exc}") from exc
    elif vectorized and xs.size > 1:
        raise ChainruleError("vectorized=True cannot be combined with a given step")
    return stack([alone(xi) for xi in xs.ravel()], xs.shape)


def reshape(res: DerivativeResult, shape: tuple[int, ...]) -> DerivativeResult:
    """A flat element-wise result shaped like the points."""
    return res.with_(df=res.df.reshape(shape), error=res.error.reshape(shape),
                     success=res.success.reshape(shape), status=res.status.reshape(shape),
                     step=res.step.reshape(shape))


def _bind(func: Callable[..., Any], args: tuple) -> Callable[[Any], Any]:
    return lambda v: func(v, *args)


def scalar_result(res: DerivativeResult) -> DerivativeResult:
    """Unwrap a one-output result into plain Python floats, bools and strings."""
    def one(v: Any) -> Any:
        if v is None:
            return None
        arr = np.asarray(v)
        if arr.size != 1:
            return arr
        item = arr.ravel()[0]
        return item.item() if isinstance(item, np.generic) else item

    if np.asarray(res.df).size != 1:
        return res
    return res.with_(df=float(one(res.df)), error=float(one(res.error)),
                     success=bool(one(res.success)), status=str(one(res.status)),
                     step=float(one(res.step)), left=one(res.left), right=one(res.right))


def stack(parts: list[DerivativeResult], shape: tuple[int, ...]) -> DerivativeResult:
    """Element-wise results for an array of points, shaped like the points."""
    def arr(name: str, dtype: Any = float) -> np.ndarray:
        return np.array([getattr(p, name) for p in parts], dtype=dtype).reshape(shape)

    status = arr("status", object)
    bad = [p.message for p in parts if not p.success]
    message = "converged" if not bad else f"{len(bad)} of {len(parts)} points failed: {bad[0]}"
    return DerivativeResult(arr("df"), arr("error"), arr("success", bool), status, message,
                            sum(p.nfev for p in parts), arr("step"), parts[0].order,
                            parts[0].method, details={"worst": worst(status)})
