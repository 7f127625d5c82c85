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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.errors import BudgetError, ChainruleError
from chainrule.numeric.complex_step import complex_first, complex_second
from chainrule.numeric.diagnose import Diagnosis, classify_side, diagnose
from chainrule.numeric.result import (
    CONVERGED,
    DOMAIN,
    NOT_CONVERGED,
    DerivativeResult,
    worst,
)
from chainrule.numeric.richardson import (
    NOISE,
    SAFETY,
    SAFETY_ROUND,
    Best,
    difference,
    scan,
)
from chainrule.numeric.sampling import Line, as_scalar_function
from chainrule.numeric.stencils import scheme_nodes

METHODS = ("central", "forward", "backward", "complex", "auto")
MAX_ORDER = 8
MAX_RESTARTS = 2       # scans restarted at smaller steps when f looks smooth up close
RESTART_SHRINK = 64.0
EDGE_SHRINK = 16.0     # steps tried when the domain ends closer to x than the smallest step
EDGE_TRIES = 12


@dataclass(frozen=True)
class Options:
    """How to differentiate; see :func:`derivative` for the meaning of each field."""

    order: int = 1
    method: str = "central"
    accuracy: int | None = None
    step: float | None = None
    adaptive: bool = True
    rtol: float | None = None
    atol: float = 0.0
    check: bool = True
    noise: float | None = None

    @property
    def tolerance(self) -> float:
        """The relative tolerance for success: 1e-8 for f′, 30× looser per extra order
        (an n-th difference loses about that much more to rounding)."""
        return self.rtol if self.rtol is not None else 1e-8 * 30.0 ** (self.order - 1)

    @property
    def kind(self) -> str:
        return "central" if self.method in ("auto", "complex") else self.method

    @property
    def base_accuracy(self) -> int:
        if self.accuracy is not None:
            return self.accuracy
        return 2 if self.kind == "central" else 1


@dataclass
class Estimate:
    """A method's answer before diagnosis (arrays over the outputs)."""

    value: np.ndarray
    error: np.ndarray
    step: np.ndarray
    method: str
    notes: list[str] = field(default_factory=list)
    central: Best | None = None
    terms: np.ndarray | None = None  # size of the differenced terms, Σ|w|·max|f|
    first_step: float | None = None  # largest step of the scan that was defined on all nodes


def step_scale(x: Any) -> float:
    """The length scale of steps at x: 1 near the origin, growing like √|x| away from it.

    (√ rather than |x|: far from 0, f usually varies on a scale between 1 and |x|.)
    """
    return max(1.0, math.sqrt(float(np.max(np.abs(x)))))


def initial_step(order: int, scale: float) -> float:
    """Largest step of the scan: 1/8 of the scale, more for higher orders (rounding ~ 1/hⁿ)."""
    return scale * 2.0 ** (-3 + (order - 1) / 2)


def min_step(order: int, scale: float) -> float:
    """Smallest step worth trying: below it rounding swamps any n-th difference."""
    return scale * 2.0 ** -max(12, math.ceil(32 / order))


def derivative(f: Any, x: Any, order: int = 1, *, method: str = "central",
               accuracy: int | None = None, step: float | None = None, adaptive: bool = True,
               rtol: float | None = None, atol: float = 0.0, check: bool = True,
               noise: float | None = None, wrt: str | None = None,
               args: tuple = ()) -> DerivativeResult:
    """The ``order``-th derivative of ``f`` at ``x``, with an error bound and a status.

    Args:
        f: a Python function of one number (``math.sin`` and vectorised NumPy functions both
            work: f is called one point at a time), chainrule text such as ``"x^x"``, or an
            Expr.
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
            order 1 and 30 times more per extra order.
        check: look for kinks, jumps, infinite slopes and domain edges (costs a few
            evaluations; off, a non-differentiable point can get a confident wrong answer).
        noise: the absolute noise level of f's values, when known to exceed a few ulps (f
            computed by an iterative solver, or with internal cancellation); it widens the
            rounding part of the bound. By default f is assumed accurate to a few ulps.
        wrt: the variable, for expressions of several variables.
        args: extra positional arguments passed to f.

    Returns:
        A :class:`~chainrule.numeric.result.DerivativeResult`; its ``error`` is meant to be an
        upper bound of the true error, and ``df`` is NaN where the derivative does not exist.

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
    parts = [derivative(func, xi, order, method=method, accuracy=accuracy, step=step,
                        adaptive=adaptive, rtol=rtol, atol=atol, check=check, noise=noise)
             for xi in xs.ravel()]
    return stack(parts, xs.shape)


def _bind(func: Callable[..., Any], args: tuple) -> Callable[[Any], Any]:
    return lambda v: func(v, *args)


def make_options(order: int, method: str, accuracy: int | None, step: float | None,
             adaptive: bool, rtol: float | None, atol: float, check: bool,
             noise: float | None = None) -> Options:
    if not isinstance(order, int | np.integer) or order < 1:
        raise ChainruleError(f"the derivative order must be a whole number ≥ 1, got {order!r}")
    if order > MAX_ORDER:
        raise BudgetError(f"numerical derivatives of order {order} are over the limit of "
                          f"{MAX_ORDER}: rounding swamps them")
    if method not in METHODS:
        raise ChainruleError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    opts = Options(int(order), method, accuracy, step, adaptive, rtol, atol, check, noise)
    try:
        scheme_nodes(opts.kind, opts.order, opts.base_accuracy)
    except ValueError as err:
        raise ChainruleError(str(err)) from None
    if step is not None and not step > 0:
        raise ChainruleError(f"the step must be positive, got {step!r}")
    if noise is not None and not noise >= 0:
        raise ChainruleError(f"the noise level must be ≥ 0, got {noise!r}")
    return opts


def differentiate_line(line: Line, opts: Options, scale: float) -> DerivativeResult:
    """Differentiate ``t ↦ f(x + t·u)`` at t = 0 (arrays over f's outputs)."""
    line.noise = opts.noise or 0.0
    fx = line.value(0.0)
    if np.any(np.isnan(fx)):
        return _domain_result(line, opts)
    h0, h_min, est = _adaptive_estimate(line, opts, fx, scale)
    if opts.adaptive and np.all(np.isnan(est.value)):
        closer = _edge_scale(line, min_step(opts.order, scale))
        if closer is not None:  # the domain ends closer to x than our smallest step
            scale = closer
            h0, h_min, est = _adaptive_estimate(line, opts, fx, scale)
    elif (opts.adaptive and est.first_step is not None and est.first_step < h0
          and est.first_step < 2**6 * h_min and not np.all(_settled(est, opts, fx, scale))):
        # the domain ends just beyond the smallest steps: rescale to the edge's distance
        scale = 8 * est.first_step
        h0, h_min, est = _adaptive_estimate(line, opts, fx, scale)
    if opts.check:
        # the sides are examined from where the scan found f defined on all its points
        start = min(h0, est.first_step or h0)
        diag = diagnose(line, opts.order, start, min(h_min, start / 8), est.central, scale)
    else:
        diag = Diagnosis(np.full(fx.shape, CONVERGED, dtype=object))
    return _assemble(line, opts, est, diag, fx, scale)


def _adaptive_estimate(line: Line, opts: Options, fx: np.ndarray, scale: float
                       ) -> tuple[float, float, Estimate]:
    """(first step, smallest step, estimate), restarting closer in while that helps."""
    h0 = opts.step if (opts.step and opts.adaptive) else initial_step(opts.order, scale)
    h_min = min(min_step(opts.order, scale), h0 / 8)
    for _ in range(MAX_RESTARTS + 1):
        est = _estimate(line, opts, h0, h_min, scale)
        if (not opts.adaptive or np.all(_settled(est, opts, fx, scale))
                or h0 / RESTART_SHRINK < 8 * h_min or not _regular(line, h0, scale)):
            break
        # Unsettled, yet f looks smooth at small scales: the large steps were garbage
        # (a pole or a wiggle nearby). Start again closer in.
        h0 /= RESTART_SHRINK
    return h0, h_min, est


def _edge_scale(line: Line, h_min: float) -> float | None:
    """A smaller step scale when f is undefined on a side at ``h_min`` but defined closer in.

    ``log`` at 1e-12 is differentiable, but its domain ends 1e-12 to the left; steps must be
    smaller still. Tries steps ``h_min/16, h_min/256, ...`` (as long as ``x ± t`` differs
    from x) on each failing side; None if a side stays undefined (x is on the edge).
    """
    found = []
    for side in (-1, 1):
        if not np.any(np.isnan(line.value(side * h_min))):
            continue
        t = h_min / EDGE_SHRINK
        while line.offset(side * t) != 0 and t > h_min * EDGE_SHRINK**-EDGE_TRIES:
            if not np.any(np.isnan(line.value(side * t))):
                break
            t /= EDGE_SHRINK
        else:
            return None
        found.append(t)
    return 8 * min(found) if found else None


def _settled(est: Estimate, opts: Options, fx: np.ndarray, scale: float) -> np.ndarray:
    """Whether each component's bound meets the success tolerance.

    The tolerance is relative to the derivative and to the size of the terms differenced
    (``Σ|w|·max|f|``, or ``|f(x)|/sⁿ`` without it): a zero derivative has no size of its own.
    """
    terms = est.terms if est.terms is not None else np.abs(fx) / scale**opts.order
    tol = opts.tolerance * (np.abs(est.value) + terms) + opts.atol
    return np.isfinite(est.value) & (est.error <= tol)


def _regular(line: Line, h0: float, scale: float) -> bool:
    """Whether f's increments on both sides shrink at least linearly at small steps."""
    probe = min(h0, scale * 2.0**-10)
    return all(np.all(classify_side(line, side, probe) == CONVERGED) for side in (-1, 1))


def _estimate(line: Line, opts: Options, h0: float, h_min: float, scale: float) -> Estimate:
    if not opts.adaptive:
        return _fixed(line, opts, scale)
    tab = scan(line, opts.kind, opts.order, opts.base_accuracy, h0, h_min)
    best = tab.best()
    size = line.size or 1
    if best is None:
        est = Estimate(np.full(size, np.nan), np.full(size, np.inf), np.zeros(size), opts.kind)
    else:
        est = Estimate(best.value, best.error, best.step, opts.kind,
                       terms=None if line.noise else best.rounding / NOISE,
                       first_step=tab.steps[0])
        if opts.kind == "central":
            est.central = best
    if opts.method == "complex":
        return _complex(line, opts, est, h0, h_min, scale)
    return est


def _fixed(line: Line, opts: Options, scale: float) -> Estimate:
    """One step (given or ~optimal), with the error read off a second step twice as large."""
    p = opts.base_accuracy
    h = opts.step or scale * NOISE ** (1 / (opts.order + p))
    nodes = scheme_nodes(opts.kind, opts.order, p)
    v1, r1 = difference(line, nodes, opts.order, h)
    v2, _ = difference(line, nodes, opts.order, 2 * h)
    error = SAFETY * np.abs(v1 - v2) / (2**p - 1) + SAFETY_ROUND * r1
    return Estimate(v1, error, np.full(v1.shape, h), opts.kind,
                    terms=None if line.noise else r1 / NOISE)


def _complex(line: Line, opts: Options, central: Estimate, h0: float, h_min: float,
             scale: float) -> Estimate:
    """Complex step, accepted only where it agrees with the central estimate."""
    if opts.order == 1:
        got = complex_first(line, scale)
    elif opts.order == 2:
        best = complex_second(line, h0, h_min)
        got = None if best is None else (best.value, best.error, best.step)
    else:
        central.notes.append(f"complex step handles orders 1-2; order {opts.order} used "
                             "central differences")
        return central
    if got is None:
        central.notes.append("f does not accept complex input; used central differences")
        return central
    value, error, step = got
    checkable = np.isfinite(central.error) & (central.error <= 1e-6 * np.abs(central.value))
    agree = np.abs(value - central.value) <= 10 * central.error + error
    if np.any(checkable & ~agree):
        central.notes.append("the complex step disagreed with real differences (f is not "
                             "analytic, or drops imaginary parts); used central differences")
        return central
    return Estimate(value, error, np.broadcast_to(step, value.shape).astype(float), "complex",
                    central=central.central, terms=central.terms,
                    first_step=central.first_step)


def _domain_result(line: Line, opts: Options) -> DerivativeResult:
    size = line.size or 1
    nan = np.full(size, np.nan)
    return DerivativeResult(nan, np.full(size, np.inf), np.zeros(size, dtype=bool),
                            np.full(size, DOMAIN, dtype=object),
                            "f is undefined at x (outside its domain)", line.nfev,
                            np.zeros(size), opts.order, opts.method)


def _assemble(line: Line, opts: Options, est: Estimate, diag: Diagnosis, fx: np.ndarray,
              scale: float) -> DerivativeResult:
    flagged = diag.status != CONVERGED
    ok = _settled(est, opts, fx, scale)
    status = np.where(flagged, diag.status, np.where(ok, CONVERGED, NOT_CONVERGED))
    status = status.astype(object)
    df = np.where(flagged, np.nan, est.value)
    error = np.where(flagged, np.inf, est.error)
    notes = diag.notes + est.notes
    if np.any(status == NOT_CONVERGED):
        notes.append("the extrapolated differences did not settle within the tolerance")
    head = "converged" if not notes else notes[0]
    message = "; ".join([head, *notes[1:]]) if notes else head
    return DerivativeResult(df, error, status == CONVERGED, status, message, line.nfev,
                            np.asarray(est.step, dtype=float), opts.order, est.method,
                            diag.left, diag.right)


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
