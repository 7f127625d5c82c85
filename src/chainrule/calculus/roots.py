"""Every root of a function of one variable on an interval, found numerically.

The interval is sampled densely (a budgeted number of points). Two kinds of evidence are
followed up, so no root the sampling brackets is missed:

* a **sign change** between neighbouring samples is refined with ``scipy.optimize.brentq``
  (and dropped when it is a pole, where |g| blows up instead of vanishing);
* a **dip** — a sample where |g| is smaller than at both neighbours without a sign change —
  may be a double root (``g = 3x²`` at 0) or two close roots. It is refined by the root of g′
  when g′ changes sign there, else by minimising |g|; the refined point is a root when |g| is
  tiny there, and when g has the other sign there the two roots on either side are bracketed.

>>> import math
>>> find_roots(math.cos, 0.0, 7.0)
[1.5707963267948966, 4.71238898038469]
>>> find_roots(lambda x: 3 * x * x, -1.0, 2.0, slope=lambda x: 6 * x)
[0.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType

import numpy as np

from chainrule.limits.budget import charge

SAMPLES = 4001
"""Points sampled on the interval (the work budget of one root search)."""
FLAT_TOLERANCE = 1e-10
"""A dip is a root when |g| there is below this times the largest |g| sampled (at least 1)."""

Fn = Callable[[float], float]


def _optimize() -> ModuleType:
    """``scipy.optimize``, imported on first use.

    A documented lazy import for start time: scipy.optimize takes 300-400 ms to import and
    only a root search needs it, so ``import chainrule`` and the command line do not pay for it.
    """
    import scipy.optimize
    return scipy.optimize


def find_roots(g: Fn, a: float, b: float, slope: Fn | None = None,
               samples: int = SAMPLES) -> list[float]:
    """The roots of ``g`` on ``[a, b]``, sorted. ``g`` returns NaN where it is undefined;
    ``slope`` (g′), when given, locates double roots precisely."""
    if not (math.isfinite(a) and math.isfinite(b)) or a >= b:
        raise ValueError(f"the interval must be finite with a < b, got [{a}, {b}]")
    xs = np.linspace(a, b, samples)
    ys = np.array([_sample(g, float(x)) for x in xs])
    finite = np.isfinite(ys)
    scale = max(1.0, float(np.max(np.abs(ys[finite]))) if finite.any() else 1.0)
    found = [float(x) for x, y in zip(xs, ys, strict=True) if y == 0]
    for i in range(samples - 1):
        y0, y1 = ys[i], ys[i + 1]
        if finite[i] and finite[i + 1] and y0 * y1 < 0:
            root = _bracketed(g, xs[i], xs[i + 1], max(abs(y0), abs(y1)))
            if root is not None:
                found.append(root)
    for i in range(1, samples - 1):
        if _is_dip(ys, finite, i):
            found.extend(_dip_roots(g, slope, xs[i - 1], xs[i], xs[i + 1], ys[i], scale))
    return _merge(found, b - a)


def _sample(g: Fn, x: float) -> float:
    charge(1, "searching for roots")  # each sample costs a compiled call: the budget bounds it
    return g(x)


def _bracketed(g: Fn, lo: float, hi: float, size: float) -> float | None:
    """The root of a sign change, or None when the sign change is a pole or a jump."""
    charge(1, "searching for roots")
    try:
        root = _optimize().brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
    except (ValueError, RuntimeError):
        return None
    value = g(root)
    # at a pole |g| grows as the bracket shrinks; at a root it vanishes
    if not math.isfinite(value) or abs(value) > 1e-6 * max(1.0, size):
        return None
    return float(root)


def _is_dip(ys: np.ndarray, finite: np.ndarray, i: int) -> bool:
    if not (finite[i - 1] and finite[i] and finite[i + 1]) or ys[i] == 0:
        return False
    same_sign = ys[i - 1] * ys[i] > 0 and ys[i] * ys[i + 1] > 0
    return same_sign and abs(ys[i]) < abs(ys[i - 1]) and abs(ys[i]) <= abs(ys[i + 1])


def _dip_roots(g: Fn, slope: Fn | None, lo: float, mid: float, hi: float, y_mid: float,
               scale: float) -> list[float]:
    """Roots near a dip of |g| at ``mid``: a double root, two close roots, or none."""
    m = _dip_point(g, slope, lo, mid, hi, math.copysign(1.0, y_mid))
    gm = g(m)
    if not math.isfinite(gm):
        return []
    if gm == 0 or abs(gm) <= FLAT_TOLERANCE * scale:
        return [m]
    if gm * y_mid < 0:  # g crossed and came back between samples: two roots
        return [r for r in (_bracketed(g, lo, m, abs(y_mid)), _bracketed(g, m, hi, abs(y_mid)))
                if r is not None]
    return []


def _dip_point(g: Fn, slope: Fn | None, lo: float, mid: float, hi: float, sign: float) -> float:
    """Where ``sign·g`` is smallest near ``mid`` (the bottom of the dip): the root of g′ when
    it changes sign, else by bounded minimisation. Minimising ``sign·g`` rather than |g| lets
    the bottom fall below 0 when two roots hide between the samples."""
    if slope is not None:
        for left, right in ((lo, mid), (mid, hi)):
            s0, s1 = slope(left), slope(right)
            if math.isfinite(s0) and math.isfinite(s1) and s0 * s1 <= 0:
                if s0 == 0:
                    return left
                if s1 == 0:
                    return right
                try:
                    return float(_optimize().brentq(slope, left, right, xtol=1e-15, maxiter=200))
                except (ValueError, RuntimeError):
                    break

    def size(t: float) -> float:
        v = sign * g(t)
        return v if math.isfinite(v) else math.inf

    best = _optimize().minimize_scalar(size, bounds=(lo, hi), method="bounded",
                           options={"xatol": 1e-14 * max(1.0, abs(mid))})
    return float(best.x)


def _merge(roots: list[float], width: float) -> list[float]:
    """Sorted roots with near-duplicates (found twice) merged."""
    out: list[float] = []
    for r in sorted(roots):
        if out and abs(r - out[-1]) <= 1e-9 * max(1.0, width, abs(r)):
            continue
        out.append(r)
    return out
