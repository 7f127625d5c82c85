"""The one-variable driver: scan, restart, rescale, diagnose, and assemble the result.

:func:`differentiate_line` differentiates ``t ↦ f(x + t·u)`` at t = 0 for every public
function of this package. It runs the chosen method's Richardson scan
(:mod:`~chainrule.numeric.richardson`); restarts it closer in when the large steps were
garbage but f looks smooth up close (a pole or a wiggle nearby); rescales the steps when the
domain ends closer to x than the smallest step (``log`` at 1e-12); then looks at the two sides
of x (:mod:`~chainrule.numeric.diagnose`) and writes the verdict.

>>> import math
>>> from chainrule.numeric.options import make_options
>>> from chainrule.numeric.sampling import Line
>>> opts = make_options(1, "central", None, None, True, None, 0.0, True)
>>> r = differentiate_line(Line.scalar(math.exp, 0.0), opts, scale=1.0)
>>> bool(r.success[0]), bool(abs(r.df[0] - 1.0) <= r.error[0])
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainrule.limits.budget import charge
from chainrule.numeric.complex_step import complex_first, complex_second
from chainrule.numeric.diagnose import Diagnosis, classify_side, diagnose
from chainrule.numeric.options import Options, initial_step, min_step
from chainrule.numeric.result import (
    CONVERGED,
    DOMAIN,
    NOT_CONVERGED,
    DerivativeResult,
)
from chainrule.numeric.richardson import (
    NOISE,
    SAFETY,
    SAFETY_ROUND,
    Best,
    difference,
    scan,
)
from chainrule.numeric.sampling import Line
from chainrule.numeric.stencils import scheme_nodes

MAX_RESTARTS = 2       # scans restarted at smaller steps when f looks smooth up close
RESTART_SHRINK = 64.0
EDGE_SHRINK = 16.0     # steps tried when the domain ends closer to x than the smallest step
EDGE_TRIES = 12


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
        charge(1, "numerical differentiation")
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
        while np.all(line.offset(side * t) != 0) and t > h_min * EDGE_SHRINK**-EDGE_TRIES:
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
    tab = scan(line, opts.kind, opts.order, opts.base_accuracy, h0, h_min,
               target=opts.target)
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
