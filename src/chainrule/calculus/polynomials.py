"""Polynomials in one variable: coefficients, rational roots, deflation and polishing.

>>> from chainrule.symbolic.api import parse
>>> from chainrule.core.build import symbol
>>> c = poly_coeffs(parse("2x^3 - 3x^2 - 11x + 6"), symbol("x"))
>>> rational_root([c[d].value for d in range(4)])
Fraction(1, 2)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from chainrule.core import build
from chainrule.core.expr import Const, Expr, Symbol
from chainrule.symbolic.simplify.expand import expand

MAX_DEGREE = 40
MAX_RATIONAL_CANDIDATES = 400


def poly_coeffs(e: Expr, x: Symbol) -> dict[int, Expr] | None:
    """``{degree: coefficient}`` when ``e`` is a polynomial in ``x``, else None.

    >>> from chainrule.symbolic.api import parse
    >>> from chainrule.core.build import symbol
    >>> {d: str(c) for d, c in poly_coeffs(parse("3x^2 - 12x + 9"), symbol("x")).items()}
    {0: '9', 1: '-12', 2: '3'}
    """
    expanded = expand(e)
    terms = expanded.args if build.is_add(expanded) else (expanded,)
    out: dict[int, Expr] = {}
    for t in terms:
        k, rest = build.split_coeff(t)
        degree, others = 0, []
        for f in rest.args if build.is_mul(rest) else (rest,):
            if f is x:
                degree += 1
            elif (build.is_pow(f) and f.args[0] is x and isinstance(f.args[1], Const)
                  and f.args[1].is_exact and f.args[1].value.denominator == 1
                  and 0 < f.args[1].value <= MAX_DEGREE):
                degree += int(f.args[1].value)
            elif not f.has(x):
                others.append(f)
            else:
                return None
        coefficient = build.mul(build.const(k), *others)
        out[degree] = build.add(out.get(degree, build.ZERO), coefficient)
    out = {d: c for d, c in out.items() if not (isinstance(c, Const) and c.value == 0)}
    return out or None


def rational_coefficients(c: list[Expr]) -> list[Fraction] | None:
    if all(isinstance(ci, Const) and ci.is_exact for ci in c):
        return [ci.value for ci in c]
    return None


def _divisors(n: int) -> list[int]:
    n = abs(n)
    if n == 0 or n > 10**8:
        return []
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def rational_root(c: list[Fraction]) -> Fraction | None:
    """A rational root of the polynomial ``Σ c[d]·x^d`` (c[0] ≠ 0), by the rational root
    theorem, or None."""
    lcm = math.lcm(*(ci.denominator for ci in c))
    ints = [int(ci * lcm) for ci in c]
    ps, qs = _divisors(ints[0]), _divisors(ints[-1])
    if not ps or not qs or len(ps) * len(qs) > MAX_RATIONAL_CANDIDATES:
        return None
    for p in ps:
        for q in qs:
            for cand in (Fraction(p, q), Fraction(-p, q)):
                if sum(ci * cand**d for d, ci in enumerate(c)) == 0:
                    return cand
    return None


def deflate(c: list[Fraction], root: Fraction) -> dict[int, Expr]:
    """Synthetic division of ``Σ c[d]·x^d`` by ``(x − root)``."""
    quotient: list[Fraction] = []
    carry = Fraction(0)
    for ci in reversed(c[1:]):
        carry = ci + carry * root
        quotient.append(carry)
    quotient.reverse()
    return {d: build.const(q) for d, q in enumerate(quotient) if q != 0} or {0: build.ZERO}


def polish(values: list[float], r: float) -> float:
    """A few Newton steps on the polynomial from numpy's root estimate."""
    p = np.polynomial.Polynomial(values)
    dp = p.deriv()
    for _ in range(8):
        slope = dp(r)
        if slope == 0:
            break
        step = p(r) / slope
        r -= step
        if abs(step) <= 1e-16 * max(1.0, abs(r)):
            break
    return float(r)
