"""f, ln f and f′ on one matplotlib figure, with an optional probe point and its tangent.

The figure of the logarithmic-differentiation lesson: the function, its logarithm (drawn
only where f > 0) and its derivative over an interval. Where f is undefined every curve has a
gap (NaN, which matplotlib leaves undrawn), never a made-up value. matplotlib is the optional
``[plot]`` extra (``pip install "chainrule[plot]"``); it is imported only when a plot is drawn.

>>> fig = plot("x^x", (0.05, 2.5), at=1)
>>> [line.get_label() for line in fig.axes[0].get_lines()][:3]
['f(x) = x^x', 'ln f(x)', 'f′(x) = x^x*(ln(x) + 1)']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainrule.calculus.common import to_expr, values_of, variables
from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError, DomainError
from chainrule.symbolic.api import diff

MAX_POINTS = 100_000
"""Most grid points of one plot."""


def sample(expr: Expr, var: str, xs: np.ndarray,
           values: Mapping[str, float] | None = None) -> np.ndarray:
    """``expr`` on the grid ``xs``: NaN wherever it is undefined or not finite.

    >>> from chainrule.symbolic.api import parse
    >>> sample(parse("ln(x)"), "x", np.array([-1.0, 1.0])).tolist()
    [nan, 0.0]
    """
    env = dict(values or {})
    try:
        out = np.asarray(expr.evaluate(**env, **{var: xs}), dtype=float)
    except DomainError:  # some grid point is outside the domain: evaluate point by point
        out = np.array([_value_at(expr, env, var, float(x)) for x in xs])
    out = np.broadcast_to(out, xs.shape).copy()  # a constant function gives one number
    out[~np.isfinite(out)] = np.nan
    return out


def _value_at(expr: Expr, env: dict[str, float], var: str, x: float) -> float:
    try:
        return float(expr.evaluate(**env, **{var: x}))
    except (DomainError, OverflowError, ZeroDivisionError):
        return float("nan")


def _robust_limits(curves: list[np.ndarray]) -> tuple[float, float] | None:
    """y-limits showing the bulk of the values when a pole would flatten the rest (None:
    matplotlib's own limits show everything well)."""
    finite = np.concatenate([c[np.isfinite(c)] for c in curves])
    if finite.size == 0:
        return None
    lo, hi = np.percentile(finite, [2, 98])
    if np.ptp(finite) <= 3 * max(hi - lo, 1e-12):
        return None
    pad = 0.15 * max(hi - lo, 1e-9)
    return float(lo - pad), float(hi + pad)


def split_at_poles(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The curve with a gap (NaN) where it changes sign through a pole, so ``1/x`` and
    ``tan(x)`` are not joined across theirs: a sign change between two samples both larger
    than nearly every value of the curve.

    >>> xs = np.array([-0.4, -0.2, -0.1, 0.1, 0.2, 0.4])
    >>> split_at_poles(xs, 1 / xs)[1].tolist()
    [-2.5, -5.0, -10.0, nan, 10.0, 5.0, 2.5]
    """
    finite = np.abs(ys[np.isfinite(ys)])
    if finite.size < 3:
        return xs, ys
    large = float(np.percentile(finite, 75))
    with np.errstate(invalid="ignore"):
        jump = (np.sign(ys[:-1]) * np.sign(ys[1:]) < 0) & \
            (np.minimum(np.abs(ys[:-1]), np.abs(ys[1:])) > large)
    at = np.flatnonzero(jump) + 1
    return np.insert(xs, at, (xs[at - 1] + xs[at]) / 2), np.insert(ys, at, np.nan)


def plot(f: Any, interval: tuple[float, float] = (-5.0, 5.0), *, at: Any = None,
         wrt: str | None = None, values: Mapping[str, Any] | None = None,
         points: int = 400, tangent: bool = True, log: bool = True,
         ax: Any = None) -> Any:
    """Draw f, ln f (where f > 0) and f′ over ``interval``; return the matplotlib Figure.

    ``f`` is text, an Expr or a Python function of symbolic inputs. ``at`` marks a probe
    point with its values and, when ``tangent``, the tangent line there. Other variables
    take ``values``. ``ax`` draws into existing axes. The figure is returned, not shown:
    Jupyter displays it; a script saves it with ``fig.savefig(...)``.
    """
    # Documented lazy import: matplotlib is an optional dependency (the [plot] extra), and
    # importing chainrule must not import it.
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ChainruleError('plotting needs matplotlib: pip install "chainrule[plot]"') from None

    e = to_expr(f)
    env = values_of(values or {}, "value")
    var = _variable(e, wrt, env)
    lo, hi = float(interval[0]), float(interval[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ChainruleError(f"the interval must be two finite numbers a < b, got {interval!r}")
    if not 2 <= points <= MAX_POINTS:
        raise ChainruleError(f"points must be between 2 and {MAX_POINTS}, got {points}")
    d = diff(e, var)
    xs = np.linspace(lo, hi, points)
    fv, dv = sample(e, var, xs, env), sample(d, var, xs, env)
    dv[np.isnan(fv)] = np.nan  # no slope where the function itself is undefined
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        plt.close(fig)  # returned, not shown twice: Jupyter displays the returned figure
    curves = [fv, dv]
    ax.plot(*split_at_poles(xs, fv), color="tab:cyan", label=f"f({var}) = {e}")
    if log:
        with np.errstate(all="ignore"):
            lv = np.where(fv > 0, np.log(np.where(fv > 0, fv, 1.0)), np.nan)
        ax.plot(xs, lv, color="tab:purple", linestyle="--", label=f"ln f({var})")
        curves.append(lv)
    ax.plot(*split_at_poles(xs, dv), color="tab:orange", label=f"f′({var}) = {d}")
    if at is not None:
        _probe(ax, e, d, var, env, float(values_of({var: at}, "probe point")[var]), tangent)
    limits = _robust_limits(curves)
    if limits is not None:
        ax.set_ylim(*limits)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(var)
    ax.legend(loc="best", fontsize="small")
    return ax.figure


def _variable(e: Expr, wrt: str | None, env: dict[str, float]) -> str:
    free = [n for n in variables(e) if n not in env]
    if wrt is not None:
        return wrt
    if len(free) > 1:
        raise ChainruleError(f"the plot is of one variable; {e} has {', '.join(free)}: say "
                             f"which with wrt= and give the others values=")
    return free[0] if free else "x"


def _probe(ax: Any, e: Expr, d: Expr, var: str, env: dict[str, float], x0: float,
           tangent: bool) -> None:
    y0, slope = _value_at(e, env, var, x0), _value_at(d, env, var, x0)
    if not np.isfinite(y0):
        raise ChainruleError(f"f is undefined at the probe point {var} = {x0:g}")
    ax.axvline(x0, color="0.5", linestyle=":", linewidth=1)
    ax.plot([x0], [y0], "o", color="tab:cyan")
    if np.isfinite(slope):
        ax.plot([x0], [slope], "o", color="tab:orange")
        if tangent:
            lo, hi = ax.get_xlim() if ax.has_data() else (x0 - 1, x0 + 1)
            width = 0.25 * (hi - lo)
            tx = np.array([x0 - width, x0 + width])
            ax.plot(tx, y0 + slope * (tx - x0), color="tab:green", linewidth=1.2,
                    label=f"tangent at {var} = {x0:g}: slope {slope:.6g}")
