"""Samples for the plot: f, ln|f| and f′ on a grid, with gaps and critical points.

Values that are undefined or not finite are ``None`` (drawn as gaps). A segment between two
finite samples is also cut where the function jumps or has a pole between them: a segment
whose rise is large is bisected, and if the rise does not shrink as the segment does (or a
midpoint is undefined) the curve is broken there, so ``1/x`` and ``tan(x)`` are not joined
across their poles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError
from chainrule.symbolic.api import diff
from chainrule.symbolic.compile import compile_expr
from chainrule.web.evaluation import as_function, finite, fix, scalar
from chainrule.web.runner import call_with_deadline

BISECTIONS = 24
"""Halvings of a steep segment before it is declared a jump or a pole."""
MAX_SUSPECTS = 200
"""Most steep segments examined per curve (the rest are drawn joined)."""
MAX_CRITICAL = 50
"""Most critical points marked on one plot."""
CRITICAL_SECONDS = 1.0
"""Time for the exact critical-point search; past it f′'s sign changes on the grid are used."""
SHOWN_KINDS = ("min", "max", "inflection")


def sample(expr: Expr, var: str, lo: float, hi: float, points: int,
           fixed: dict[str, float]) -> dict[str, Any]:
    """Samples of f, ln|f| and f′ on ``points`` evenly spaced x in [lo, hi]."""
    one = fix(expr, fixed, keep=var)
    others = sorted(s.name for s in one.free_symbols() if s.name != var)
    if others:
        raise ChainruleError(f"the plot is a function of {var} alone: give values for "
                             f"{', '.join(others)} in 'at', e.g. {{\"{others[0]}\": 1}}")
    derivative = diff(one, var)
    f = compile_expr(one, [var])
    df = compile_expr(derivative, [var])
    xs = np.linspace(lo, hi, points)
    fv = _values(f, as_function(one, [var]), xs)
    dv = _values(df, as_function(derivative, [var]), xs)
    dv[~np.isfinite(fv)] = np.nan  # no slope where the function itself is undefined
    with np.errstate(all="ignore"):
        lv = np.where(np.isfinite(fv) & (fv != 0), np.log(np.abs(fv)), np.nan)
    f_safe, df_safe = scalar(f), scalar(df)

    def ln_abs(t: float) -> float:
        v = f_safe(t)
        return math.log(abs(v)) if v and math.isfinite(v) else math.nan

    return {
        "variable": var, "from": lo, "to": hi, "derivative": str(derivative),
        "x": [float(x) for x in xs], "f": _json(fv), "lnf": _json(lv), "df": _json(dv),
        "breaks": {"f": _breaks(f_safe, xs, fv), "lnf": _breaks(ln_abs, xs, lv),
                   "df": _breaks(df_safe, xs, dv)},
        "critical_points": critical(one, var, lo, hi, xs, dv, df_safe, f_safe),
    }


def _values(strict: Callable[..., Any], lenient: Callable[..., Any],
            xs: np.ndarray) -> np.ndarray:
    """The function on every x, NaN where it is undefined.

    The compiled function is fast but refuses a grid with any undefined point; then the same
    primitives run on the whole grid with NumPy's warnings off, giving NaN or ±inf there.
    """
    try:
        out = np.asarray(strict(xs), dtype=float)
    except (ChainruleError, ArithmeticError, ValueError, TypeError):
        with np.errstate(all="ignore"):
            out = np.asarray(lenient(xs), dtype=float)
    out = np.broadcast_to(out, xs.shape).copy()  # a constant function gives one number
    out[~np.isfinite(out)] = np.nan
    return out


def _json(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values.tolist()]


def _breaks(fn: Callable[[float], float], xs: np.ndarray, ys: np.ndarray) -> list[int]:
    """Indexes i where the curve must not be drawn from sample i to sample i + 1."""
    ok = np.isfinite(ys)
    if ok.sum() < 2:
        return []
    lo, hi = np.percentile(ys[ok], [2, 98])
    full = float(np.max(ys[ok]) - np.min(ys[ok]))
    steep = 0.05 * max(float(hi - lo), 1e-3 * full, 1e-12)
    rise = np.abs(np.diff(ys))
    # steep segments, and segments among the largest values (a pole's sides can be equal)
    high = float(np.percentile(np.abs(ys[ok]), 98))
    large = np.minimum(np.abs(ys[:-1]), np.abs(ys[1:])) > 4 * high
    with np.errstate(invalid="ignore"):
        suspects = np.flatnonzero(ok[:-1] & ok[1:] & ((rise > steep) | large))
    out = []
    for i in suspects.tolist()[:MAX_SUSPECTS]:
        if _discontinuous(fn, float(xs[i]), float(xs[i + 1]), float(ys[i]), float(ys[i + 1]),
                          steep):
            out.append(i)
    return out


def _discontinuous(fn: Callable[[float], float], a: float, b: float, ya: float,
                   yb: float, steep: float) -> bool:
    """Whether ``fn`` jumps or has a pole between a and b.

    Two bisections: toward the larger rise (a continuous function's rise shrinks with the
    width; a jump's stays, a sign-changing pole's grows) and toward the larger value (a pole
    whose sides have one sign, like 1/x², grows without bound).
    """
    first = abs(yb - ya)
    size = max(abs(ya), abs(yb), steep)
    rise = _halve(fn, a, b, ya, yb, lambda ya, ym, yb: abs(ym - ya) >= abs(yb - ym))
    if rise is None or rise > 0.1 * max(first, steep):
        return True
    peak = _halve(fn, a, b, ya, yb, lambda ya, ym, yb: abs(ya) >= abs(yb), magnitude=True)
    return peak is None or peak > 1e3 * size


def _halve(fn: Callable[[float], float], a: float, b: float, ya: float, yb: float,
           keep_left, magnitude: bool = False) -> float | None:
    """Bisect [a, b] ``BISECTIONS`` times; return the last rise (or the largest |value| when
    ``magnitude``), None on reaching an undefined point."""
    for _ in range(BISECTIONS):
        m = 0.5 * (a + b)
        ym = fn(m)
        if not math.isfinite(ym):
            return None
        if keep_left(ya, ym, yb):
            b, yb = m, ym
        else:
            a, ya = m, ym
    return max(abs(ya), abs(yb)) if magnitude else abs(yb - ya)


def critical(one: Expr, var: str, lo: float, hi: float, xs: np.ndarray, dv: np.ndarray,
             df: Callable[[float], float], f: Callable[[float], float]) -> list[dict[str, Any]]:
    """Critical points on [lo, hi]: chainrule.calculus's when it answers, else f′'s sign
    changes on the grid (refined by bisection)."""
    try:
        from chainrule.calculus import critical_points
    except ImportError:  # pragma: no cover - chainrule.calculus ships with chainrule
        return _sign_changes(xs, dv, df, f)
    try:
        done, found = call_with_deadline(
            lambda: critical_points(one, interval=(lo, hi), wrt=var), CRITICAL_SECONDS)
    except (ChainruleError, ValueError, ArithmeticError):
        done = False
    if not done:
        return _sign_changes(xs, dv, df, f)
    points = []
    for p in list(found)[:MAX_CRITICAL]:
        x = finite(p.x)
        if x is not None and lo <= x <= hi and p.kind in SHOWN_KINDS:
            points.append({"x": x, "f": finite(p.value), "kind": p.kind,
                           "exact": str(p.exact) if p.exact is not None else None,
                           "explanation": p.explanation})
    return points


def _sign_changes(xs: np.ndarray, dv: np.ndarray, df: Callable[[float], float],
                  f: Callable[[float], float]) -> list[dict[str, Any]]:
    """Where f′ changes sign between grid points (refined by bisection), and grid points where
    f′ is exactly 0 between slopes of opposite signs."""
    out: list[dict[str, Any]] = []
    n = len(xs)
    for i in range(n - 1):
        d0, d1 = dv[i], dv[i + 1]
        if d0 == 0 and i > 0 and dv[i - 1] * d1 < 0:
            x, before, after = float(xs[i]), dv[i - 1], d1
        elif d0 * d1 < 0:
            x, before, after = _bisect(df, float(xs[i]), float(xs[i + 1]), d0 > 0), d0, d1
        else:
            continue  # also NaN: no sign change across an undefined point
        kind = "min" if before < 0 else "max"
        out.append({"x": x, "f": finite(f(x)), "kind": kind, "exact": None,
                    "explanation": f"f′ changes sign from {'−' if before < 0 else '+'} to "
                                   f"{'+' if after > 0 else '−'} here"})
        if len(out) >= MAX_CRITICAL:
            break
    return out


def _bisect(df: Callable[[float], float], a: float, b: float, positive_at_a: bool) -> float:
    for _ in range(60):
        m = 0.5 * (a + b)
        dm = df(m)
        if not math.isfinite(dm) or dm == 0:
            return m
        if (dm > 0) == positive_at_a:
            a = m
        else:
            b = m
    return 0.5 * (a + b)
