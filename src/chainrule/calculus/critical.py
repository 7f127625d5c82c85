"""Critical points: where f′ = 0 (or ∇f = 0), and what kind each one is.

One variable: f′ is solved exactly where the algebra allows (``x^x``: x^x·(ln x + 1) = 0, and
x^x > 0, so ln x = −1 and x = 1/e), otherwise every root on the interval is found numerically
(:mod:`chainrule.calculus.roots`). Each is classified by the second-derivative test, and when
f″ = 0 by the first derivative that does not vanish: even order → extremum, odd order →
inflection (x⁴ at 0 is a minimum, x³ at 0 an inflection point).

Several variables: ∇f = 0 is solved from a grid of starting points over the region, the
solutions are deduplicated and classified by the eigenvalues of the Hessian (all positive:
min, all negative: max, both signs: saddle); when an eigenvalue is 0 the kind is read from f
on a small sphere around the point.

>>> pts = critical_points("x^x")
>>> [(p.kind, round(p.x, 6), str(p.exact)) for p in pts]
[('min', 0.367879, 'e^(-1)')]
>>> [(p.kind, p.x) for p in critical_points("x^2 - y^2")]
[('saddle', {'x': 0.0, 'y': 0.0})]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from chainrule.calculus.common import (
    clean,
    compiled,
    constant_expr,
    float_of,
    show_exact,
    show_number,
    tidy_constant,
    to_expr,
    variables,
)
from chainrule.calculus.multivariate import find_stationary
from chainrule.calculus.points import CriticalPoint, CriticalPoints
from chainrule.calculus.roots import find_roots
from chainrule.calculus.solve import IdenticallyZero, solve_exact
from chainrule.core.build import symbol
from chainrule.core.expr import Const, Expr, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import BudgetError, ChainruleError
from chainrule.limits.budget import budgeted
from chainrule.symbolic.api import diff

DEFAULT_INTERVAL = (-10.0, 10.0)
"""Where one-variable roots are searched numerically when no interval is given."""
MAX_TEST_ORDER = 12
"""Highest derivative the higher-order test looks at before falling back to f′'s signs."""
ZERO_TOLERANCE = 1e-8
"""A derivative value counts as 0 below this times max(1, |f|) (exact zeros are exact)."""
KINDS = ("min", "max", "inflection", "saddle", "flat")


@budgeted
def critical_points(expr: Any, interval: tuple[Any, Any] | None = None,
                    region: Mapping[str, tuple[Any, Any]] | None = None,
                    wrt: str | Sequence[str] | None = None) -> CriticalPoints:
    """The critical points of ``expr`` with their kinds.

    One variable: ``interval=(a, b)`` limits the search (default: exact solutions anywhere,
    numeric search on [−10, 10]). Several: ``region={"x": (a, b), "y": (c, d)}`` (default
    [−5, 5] for each variable). ``budget=`` bounds the work, as for :func:`~chainrule.diff`.

    >>> [(p.kind, p.x) for p in critical_points("x^3 - 3x")]
    [('max', -1.0), ('min', 1.0)]
    """
    f = to_expr(expr)
    names = variables(f, wrt if wrt is not None else (list(region) if region else None))
    if len(names) == 1:
        if region is not None and interval is None:
            interval = region[names[0]]
        return _one_variable(f, symbol(names[0]), _interval(interval))
    return find_stationary(f, names, region)


def _interval(interval: tuple[Any, Any] | None) -> tuple[float, float] | None:
    if interval is None:
        return None
    a, b = (float_of(constant_expr(v, "interval end"), "interval end") for v in interval)
    if not a < b:
        raise ChainruleError(f"the interval needs a < b, got ({show_number(a)}, {show_number(b)})")
    return a, b


# -- one variable --------------------------------------------------------------------------

def _one_variable(f: Expr, x: Symbol, interval: tuple[float, float] | None) -> CriticalPoints:
    others = sorted(s.name for s in f.free_symbols() if s is not x)
    if others:
        raise ChainruleError(f"{f} also depends on {', '.join(others)}; give a region with "
                             "every variable, or substitute values first")
    d1 = diff(f, x)
    result = CriticalPoints(f, (x.name,), [], d1, "exact")
    try:
        candidates = _solve(f, d1, x, interval, result)
    except IdenticallyZero:
        result.notes.append("f′ = 0 everywhere: f is constant, so no critical point is isolated")
        return result
    derivatives = _Derivatives(f, x, d1)
    for value, exact in candidates:
        point = _classify_root(f, x, value, exact, derivatives, result.notes)
        if point is not None:
            result.points.append(point)
    return result


def _solve(f: Expr, d1: Expr, x: Symbol, interval: tuple[float, float] | None,
           result: CriticalPoints) -> list[tuple[float, Expr | None]]:
    """Candidate roots of f′ as (value, exact or None), inside the interval."""
    sol = solve_exact(d1, x, interval)
    if sol is None and interval is None:
        interval = DEFAULT_INTERVAL
        result.notes.append(f"no finite closed-form solution set: searching "
                            f"[{show_number(interval[0])}, {show_number(interval[1])}] "
                            "(give an interval to search elsewhere)")
        sol = solve_exact(d1, x, interval)
    if sol is not None:
        result.notes.extend(sol.notes or [f"{d1} = 0 → " + " or ".join(
            f"{x.name} = {r}" for r in sol.roots)])
        if sol.numeric:
            result.method = "exact where possible, polynomial roots numerically"
        found = [(float_of(r), r) for r in sol.roots]
    else:
        a, b = interval
        result.method = "numeric"
        result.notes.append(f"no closed form found: f′ sampled at many points on "
                            f"[{show_number(a)}, {show_number(b)}], sign changes and dips "
                            "refined by brentq")
        d2 = diff(d1, x)
        slope = compiled(d1, (x.name,))
        roots = find_roots(slope, a, b, slope=compiled(d2, (x.name,)))
        found = [(_snap_root(r, slope), None) for r in roots]
    if interval is None:
        return found
    a, b = interval
    lo, hi = a - 1e-12 * max(1, abs(a)), b + 1e-12 * max(1, abs(b))
    inside = [(v, e) for v, e in found if lo <= v <= hi]
    if len(inside) < len(found):
        result.notes.append(f"{len(found) - len(inside)} solution(s) outside "
                            f"[{show_number(a)}, {show_number(b)}] left out")
    return inside


def _snap_root(r: float, slope) -> float:
    """A numeric root moved to a nearby simple number (0, 1/2, 3) when f′ is no larger
    there — rounding leaves roots such as the 0 of x − sin(x) at ±1e-8."""
    for q in (1, 2, 3, 4, 6, 8, 10, 12):
        s = round(r * q) / q
        if s != r and abs(s - r) <= 1e-7 * max(1.0, abs(r)) and abs(slope(s)) <= abs(slope(r)):
            return s + 0.0
    return clean(r)


class _Derivatives:
    """f′, f″, f‴, … computed once each, on demand."""

    def __init__(self, f: Expr, x: Symbol, d1: Expr):
        self.x = x
        self.items = [f, d1]

    def __getitem__(self, n: int) -> Expr:
        while len(self.items) <= n:
            self.items.append(diff(self.items[-1], self.x))
        return self.items[n]


def _value_at(e: Expr, x: Symbol, value: float, exact: Expr | None) -> tuple[float, bool]:
    """(numeric value, exactly zero?) of ``e`` at the point."""
    if exact is not None:
        folded = tidy_constant(substitute(e, {x: exact}))
        if isinstance(folded, Const) and folded.value == 0:
            return 0.0, True
    try:
        return float(e.evaluate(**{x.name: value})), False
    except BudgetError:
        raise
    except ChainruleError:
        return math.nan, False


def _classify_root(f: Expr, x: Symbol, value: float, exact: Expr | None,
                   derivatives: _Derivatives, notes: list[str]) -> CriticalPoint | None:
    fx, _ = _value_at(f, x, value, None)
    label = show_exact(exact) if exact is not None else show_number(value)
    if not math.isfinite(fx):
        notes.append(f"{x.name} = {label} is outside the domain of f: not a critical point")
        return None
    slope, _ = _value_at(derivatives[1], x, value, exact)
    if not math.isfinite(slope) or abs(slope) > 1e-7 * max(1.0, abs(fx)):
        notes.append(f"f′ is not 0 at {x.name} = {label} (f′ = {show_number(slope)}): left out")
        return None
    kind, test, why = _derivative_test(f, x, value, exact, derivatives, label, fx)
    return CriticalPoint(value, clean(fx), kind, why, exact, test)


_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def _prime(n: int) -> str:
    """``f″`` for n = 2, ``f⁽⁴⁾`` for n = 4."""
    return "f" + "′″‴"[n - 1] if n <= 3 else "f" + f"({n})".translate(_SUPERSCRIPT)


def _derivative_test(f: Expr, x: Symbol, value: float, exact: Expr | None,
                     derivatives: _Derivatives, label: str, fx: float) -> tuple[str, str, str]:
    """(kind, test name, explanation) from the first derivative of order ≥ 2 that is not 0."""
    vanished: list[str] = []
    for n in range(2, MAX_TEST_ORDER + 1):
        try:
            dn = derivatives[n]
        except BudgetError:
            break
        v, exactly_zero = _value_at(dn, x, value, exact)
        if not math.isfinite(v):
            break
        if exactly_zero or abs(v) <= ZERO_TOLERANCE * max(1.0, abs(fx)):
            vanished.append(_prime(n))
            continue
        at = f"{_prime(n)}({label}) = {show_number(v)}"
        if n == 2:
            shape = "concave up: a local minimum" if v > 0 else "concave down: a local maximum"
            return ("min" if v > 0 else "max", "second derivative",
                    f"f′ = 0 and {at} {'>' if v > 0 else '<'} 0, {shape} (second-derivative test)")
        zeros = " = ".join(f"{p}({label})" for p in vanished) + " = 0"
        if n % 2 == 0:
            kind, sign, word = ("min", "positive", "minimum") if v > 0 else \
                ("max", "negative", "maximum")
            return (kind, f"derivative of order {n}",
                    f"{zeros}; the first nonzero derivative, {at}, has even order and is "
                    f"{sign}: a local {word}")
        return ("inflection", f"derivative of order {n}",
                f"{zeros}; the first nonzero derivative, {at}, has odd order: f′ keeps its sign "
                "on both sides, so an inflection point, not an extremum")
    return _sign_test(derivatives[1], x, value, label)


def _sign_test(d1: Expr, x: Symbol, value: float, label: str) -> tuple[str, str, str]:
    """The first-derivative test: the signs of f′ just left and right of the point."""
    h = 1e-4 * max(1.0, abs(value))
    signs = []
    for t in (value - h, value + h):
        v, _ = _value_at(d1, x, t, None)
        signs.append(0 if not math.isfinite(v) or v == 0 else (1 if v > 0 else -1))
    text = f"higher derivatives do not decide; f′ just left/right of {label} has signs {signs}"
    if signs == [-1, 1]:
        return "min", "first derivative", text + ": f falls then rises, a local minimum"
    if signs == [1, -1]:
        return "max", "first derivative", text + ": f rises then falls, a local maximum"
    if signs[0] == signs[1] != 0:
        return "inflection", "first derivative", text + ": same sign, not an extremum"
    return "flat", "first derivative", text + ": f is flat here"
