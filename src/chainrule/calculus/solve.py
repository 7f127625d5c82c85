"""Exact solutions of ``g(x) = 0`` for the shapes derivatives usually take.

This is not a computer-algebra solver: it handles the common shapes a learner meets and says
how, and gives up (returns None) on anything else so the caller can search numerically.

* a product is zero when a factor is: ``g·h = 0 → g = 0 or h = 0``; a factor that is never zero
  (``x^x``, ``e^u``, ``u^2 + 1``, ``1/u^2``) is dropped with the reason;
* one term holding x is isolated and inverted: ``ln(u) + c = 0 → u = e^(−c)``,
  ``e^u = r → u = ln(r)``, ``u^n = r → u = ±r^(1/n)``, ``sin(αx + β) = r`` on an interval;
* polynomials: linear and quadratic formulas, rational roots (exact), and only what is left
  over of degree ≥ 3 numerically (``numpy.roots``, polished by Newton's method).

>>> from chainrule.symbolic.api import parse, diff
>>> from chainrule.core.build import symbol
>>> sol = solve_exact(diff("x^x"), symbol("x"))
>>> [str(r) for r in sol.roots]
['e^(-1)']
>>> print("\\n".join(sol.notes))
x^x*(ln(x) + 1) = 0 when one of its factors is 0
x^x > 0 (a power with a variable exponent is positive), so it is never 0
ln(x) + 1 = 0 → ln(x) = -1 → x = e^(-1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from chainrule.calculus.common import float_of, tidy_constant
from chainrule.calculus.polynomials import (
    deflate,
    polish,
    poly_coeffs,
    rational_coefficients,
    rational_root,
)
from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.registry import get
from chainrule.errors import BudgetError
from chainrule.symbolic.api import diff
from chainrule.symbolic.simplify.readable import factor_common, together

MAX_DEPTH = 40
MAX_TRIG_ROOTS = 200


class Unsolved(Exception):
    """The equation is not one of the shapes solved exactly."""


class IdenticallyZero(Exception):
    """``g`` is 0 everywhere (the function is constant): every point is critical."""


@dataclass
class Solution:
    """Exact roots of ``g = 0`` (not yet checked against a domain) and how they were found."""

    roots: list[Expr]
    notes: list[str] = field(default_factory=list)
    numeric: bool = False  # some roots are floats from numpy.roots


def solve_exact(g: Expr, x: Symbol, interval: tuple[float, float] | None = None) -> Solution | None:
    """Roots of ``g = 0`` in ``x``, exact, or None when ``g`` is not a shape solved here.

    ``interval`` bounds periodic solutions (``cos(x) = 0``); without one they are unsolved.
    Raises :class:`IdenticallyZero` when ``g`` is 0 for every ``x``.
    """
    solver = _Solver(x, interval)
    try:
        roots = solver.zeros(g)
    except Unsolved:
        return None
    return Solution(_distinct([tidy_constant(r) for r in roots]), solver.notes, solver.numeric)


def _distinct(roots: list[Expr]) -> list[Expr]:
    out: list[tuple[Expr, float]] = []
    for r in roots:
        try:
            v = float_of(r, "root")
        except BudgetError:
            raise
        except Exception:  # noqa: BLE001 - an undefined root (ln of a negative) is no root
            continue
        if all(abs(v - w) > 1e-12 * max(1.0, abs(v)) for _, w in out):
            out.append((r, v))
    return [r for r, _ in sorted(out, key=lambda rv: rv[1])]


# -- signs ---------------------------------------------------------------------------------

def positive(e: Expr) -> bool:
    """True when ``e`` is positive wherever it is defined (a cheap structural test)."""
    if isinstance(e, Const | NamedConst):
        return e.value > 0
    if isinstance(e, Apply) and e.prim.positive:  # exp, cosh, sigmoid: their records say so
        return True
    if build.is_pow(e):
        base, exp = e.args
        return positive(base) or not isinstance(exp, Const)  # u^v, v variable, needs u > 0
    if build.is_mul(e):
        return all(positive(f) for f in e.args)
    if build.is_add(e):
        return all(nonnegative(t) for t in e.args) and any(positive(t) for t in e.args)
    return False


def nonnegative(e: Expr) -> bool:
    """True when ``e`` ≥ 0 wherever it is defined: squares, even powers, roots, |u|."""
    if positive(e) or (isinstance(e, Apply) and e.prim.nonnegative):  # |u|, relu
        return True
    if build.is_pow(e) and isinstance(e.args[1], Const) and isinstance(e.args[1].value, Fraction):
        n = e.args[1].value
        return (n.denominator == 1 and n.numerator % 2 == 0) or n.denominator % 2 == 0
    if build.is_mul(e):
        return all(nonnegative(f) for f in e.args)
    if build.is_add(e):
        return all(nonnegative(t) for t in e.args)
    return False


def never_zero(e: Expr) -> str | None:
    """Why ``e`` is never 0 (text), or None when it may be."""
    if positive(e):
        why = (" (a power with a variable exponent is positive)"
               if build.is_pow(e) and not isinstance(e.args[1], Const) else "")
        return f"{e} > 0{why}, so it is never 0"
    if build.is_pow(e) and isinstance(e.args[1], Const) and e.args[1].value < 0:
        return f"{e} is a reciprocal, so it is never 0"
    return None


# -- the solver ----------------------------------------------------------------------------

class _Solver:
    def __init__(self, x: Symbol, interval: tuple[float, float] | None):
        self.x = x
        self.interval = interval
        self.notes: list[str] = []
        self.numeric = False
        self.depth = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def chain(self, before: str, after: str) -> None:
        """Note ``before → after``, continuing the last note when it ended with ``before``."""
        if self.notes and self.notes[-1].endswith(before):
            self.notes[-1] += f" → {after}"
        else:
            self.note(f"{before} → {after}")

    def zeros(self, e: Expr) -> list[Expr]:
        """Every root of ``e = 0``."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unsolved
        try:
            return self._zeros(e)
        finally:
            self.depth -= 1

    def _zeros(self, e: Expr) -> list[Expr]:
        if not e.has(self.x):
            if isinstance(e, Const) and e.value == 0:
                raise IdenticallyZero
            if abs(float_of(e)) == 0:
                raise IdenticallyZero
            return []
        reason = never_zero(e)
        if reason:
            self.note(reason)
            return []
        if build.is_mul(e):
            if sum(1 for f in e.args if f.has(self.x)) > 1:
                self.note(f"{e} = 0 when one of its factors is 0")
            factors = sorted((f for f in e.args if f.has(self.x)),
                             key=lambda f: never_zero(f) is None)
            return [r for f in factors for r in self.zeros(f)]
        if build.is_pow(e) and isinstance(e.args[1], Const):  # positive exponent here
            self.note(f"{e} = 0 exactly when {e.args[0]} = 0")
            return self.zeros(e.args[0])
        return self.isolate(e)

    def isolate(self, e: Expr) -> list[Expr]:
        """Solve a sum with one term holding x by inverting that term; else a polynomial."""
        if e is self.x:
            return [build.ZERO]
        terms = e.args if build.is_add(e) else (e,)
        moving = [t for t in terms if t.has(self.x)]
        if len(moving) == 1:
            rest = build.add(*(t for t in terms if not t.has(self.x)))
            k, h = build.split_coeff(moving[0])
            r = build.div(build.neg(rest), build.const(k))
            if h is not e:
                self.chain(f"{e} = 0", f"{h} = {tidy_constant(r)}")
            return self.equal(h, r)
        coeffs = poly_coeffs(e, self.x)
        if coeffs is not None:
            return self.polynomial(coeffs, e)
        for rewrite in (factor_common, together):
            alt = rewrite(e)
            if alt is not None and not build.is_add(alt):
                return self.zeros(alt)
        raise Unsolved

    def equal(self, h: Expr, r: Expr) -> list[Expr]:
        """Roots of ``h = r`` with ``r`` free of x."""
        r = tidy_constant(r)
        if h is self.x:
            return [r]
        if build.is_mul(h):
            return self._equal_product(h, r)
        if build.is_fn(h, "ln"):
            return self._via(h, r, h.args[0], build.apply("exp", r))
        if build.is_fn(h, "log"):
            return self._via(h, r, h.args[0], build.power(h.args[1], r))
        if build.is_fn(h, "exp"):
            return self._exp_equal(h.args[0], r)
        if build.is_pow(h) and isinstance(h.args[1], Const) and h.args[1].is_exact:
            return self.power_equal(h.args[0], h.args[1].value, r)
        if build.is_pow(h) and not h.args[0].has(self.x) and positive(h.args[0]):
            if float_of(r) <= 0:
                self.note(f"{h} > 0 never equals {r}")
                return []
            return self._via(h, r, h.args[1],
                             build.div(build.apply("ln", r), build.apply("ln", h.args[0])))
        if any(build.is_fn(h, n) for n in ("sin", "cos", "tan")):
            return self.trig_equal(h, r)
        raise Unsolved

    def _via(self, h: Expr, r: Expr, u: Expr, value: Expr) -> list[Expr]:
        """Solve ``h = r`` as ``u = value`` (``h`` is an invertible function of ``u``)."""
        value = tidy_constant(value)
        self.chain(f"{h} = {r}", f"{u} = {value}")
        return self.equal(u, value)

    def _exp_equal(self, u: Expr, r: Expr) -> list[Expr]:
        if float_of(r) <= 0:
            self.note(f"e^({u}) > 0 never equals {r}")
            return []
        return self._via(build.apply("exp", u), r, u, build.apply("ln", r))

    def _equal_product(self, h: Expr, r: Expr) -> list[Expr]:
        moving = [f for f in h.args if f.has(self.x)]
        if len(moving) != 1:
            if isinstance(r, Const) and r.value == 0:
                return self.zeros(h)
            raise Unsolved
        fixed = build.mul(*(f for f in h.args if not f.has(self.x)))
        return self.equal(moving[0], build.div(r, fixed))

    def power_equal(self, u: Expr, n: Fraction, r: Expr) -> list[Expr]:
        """Roots of ``u^n = r`` (real, on the domain of the power)."""
        rv = float_of(r)
        if n < 0:
            if rv == 0:
                return []
            return self.power_equal(u, -n, build.div(build.ONE, r))
        if n.denominator == 1 and n.numerator % 2 == 1:
            root = (build.power(r, build.const(1 / n)) if rv >= 0
                    else build.neg(build.power(build.neg(r), build.const(1 / n))))
            self.chain(f"{u}^{n} = {r}", f"{u} = {tidy_constant(root)}")
            return self.equal(u, root)
        if rv < 0:
            self.note(f"{u}^{build.const(n)} ≥ 0 never equals {r}")
            return []
        if rv == 0:
            return self.zeros(u)
        root = tidy_constant(build.power(r, build.const(1 / n)))
        if n.denominator != 1:  # a root (u ≥ 0): one branch
            self.chain(f"{u}^({build.const(n)}) = {r}", f"{u} = {root}")
            return self.equal(u, root)
        self.chain(f"{u}^{n} = {r}", f"{u} = ±{root}")
        return self.equal(u, root) + self.equal(u, build.neg(root))

    # -- trigonometric equations ---------------------------------------------------------

    def trig_equal(self, h: Expr, r: Expr) -> list[Expr]:
        """``sin/cos/tan(αx + β) = r`` on the interval: every solution, exactly."""
        if self.interval is None:
            raise Unsolved  # infinitely many solutions: only on an interval
        u = h.args[0]
        alpha = _linear_coefficient(u, self.x)
        if alpha is None:
            raise Unsolved
        beta = build.sub(u, build.mul(alpha, self.x))
        bases, period = _trig_bases(h.prim.name, r)
        if not bases:
            self.note(f"{h} never equals {r}")
            return []
        a, b = self.interval
        ua, ub = sorted(float_of(build.add(build.mul(alpha, build.const(v)), beta)) for v in (a, b))
        out: list[Expr] = []
        for base in bases:
            bv = float_of(base)
            k_lo = math.ceil((ua - bv) / (2 * math.pi * period) - 1e-9)
            k_hi = math.floor((ub - bv) / (2 * math.pi * period) + 1e-9)
            if k_hi - k_lo > MAX_TRIG_ROOTS:
                raise Unsolved
            for k in range(k_lo, k_hi + 1):
                u_val = build.add(base, build.mul(build.const(2 * period * k), build.PI))
                out.append(build.div(build.sub(u_val, beta), alpha))
        step = build.mul(build.const(2 * period), build.PI, build.symbol("k"))
        self.chain(f"{h} = {r}", f"{u} = " + " or ".join(
            str(build.add(b, step)) for b in bases) + " for whole numbers k")
        return out

    # -- polynomials ---------------------------------------------------------------------

    def polynomial(self, coeffs: dict[int, Expr], e: Expr) -> list[Expr]:
        """Roots of a polynomial given by ``{degree: coefficient}``."""
        low = min(coeffs)
        out: list[Expr] = []
        if low > 0:
            self.note(f"{e} has the factor x^{low}" if low > 1 else f"{e} has the factor x")
            out.append(build.ZERO)
            coeffs = {d - low: c for d, c in coeffs.items()}
        return out + self._poly_roots(coeffs)

    def _poly_roots(self, coeffs: dict[int, Expr]) -> list[Expr]:
        degree = max(coeffs)
        c = [coeffs.get(d, build.ZERO) for d in range(degree + 1)]
        if degree == 0:
            return []
        step = math.gcd(*coeffs)
        if step > 1:  # a polynomial in t = x^step: solve for t, then x^step = t
            self.note(f"a polynomial in t = x^{step}")
            ts = self._poly_roots({d // step: ci for d, ci in coeffs.items()})
            return [r for t in ts for r in self.power_equal(self.x, Fraction(step), t)]
        if degree == 1:
            return [build.div(build.neg(c[0]), c[1])]
        if degree == 2:
            return self._quadratic(c[2], c[1], c[0])
        rational = rational_coefficients(c)
        if rational is not None:
            root = rational_root(rational)
            if root is not None:
                self.note(f"x = {build.const(root)} is a rational root; divide it out")
                return [build.const(root)] + self._poly_roots(deflate(rational, root))
        return self._numeric_poly(c)

    def _quadratic(self, a: Expr, b: Expr, c: Expr) -> list[Expr]:
        disc = tidy_constant(build.sub(build.mul(b, b), build.mul(4, a, c)))
        dv = float_of(disc)
        self.note(f"quadratic formula: discriminant {disc}" + (" < 0: no real roots" if dv < 0
                                                                 else ""))
        if dv < 0:
            return []
        s = build.power(disc, build.HALF)
        two_a = build.mul(2, a)
        return [build.div(build.sub(build.neg(b), s), two_a),
                build.div(build.add(build.neg(b), s), two_a)]

    def _numeric_poly(self, c: list[Expr]) -> list[Expr]:
        values = [float_of(ci) for ci in c]
        self.numeric = True
        self.note(f"degree {len(c) - 1} polynomial: real roots by numpy.roots, polished")
        found = np.roots(values[::-1])
        real = [z.real for z in found if abs(z.imag) <= 1e-9 * max(1.0, abs(z))]
        return [build.const(polish(values, r)) for r in real]


def _linear_coefficient(u: Expr, x: Symbol) -> Expr | None:
    alpha = diff(u, x)
    if alpha.has(x) or (isinstance(alpha, Const) and alpha.value == 0):
        return None
    return alpha


def _inverse(name: str, r: Expr) -> Expr:
    """The inverse function of ``name`` (its record says which) at ``r``; exact special values
    (asin(1/2) = π/6) come from the inverse's own record."""
    inverse = get(name).inverse
    assert inverse is not None  # sin, cos and tan each name theirs
    return build.apply(inverse.name, r)


def _trig_bases(name: str, r: Expr) -> tuple[list[Expr], Fraction]:
    """Base solutions of ``trig(u) = r`` and the period in units of 2π."""
    rv = float_of(r)
    if name == "tan":
        return [_inverse(name, r)], Fraction(1, 2)
    if abs(rv) > 1:
        return [], Fraction(1)
    if name == "sin":
        base = _inverse(name, r)
        return [base, build.sub(build.PI, base)], Fraction(1)
    base = _inverse(name, r)
    return [base, build.neg(base)], Fraction(1)
