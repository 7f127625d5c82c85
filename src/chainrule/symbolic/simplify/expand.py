"""Distribute products over sums (bounded), the normal form for polynomial parts.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> str(expand((x + 1) ** 2 - 2 * x))
'x^2 + 1'
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Const, Expr
from chainrule.core.walk import rewrite
from chainrule.limits.budget import budgeted, charge

MAX_TERMS = 256
MAX_POWER = 8


class _TooBig(Exception):
    pass


@budgeted
def expand(e: Expr, max_terms: int = MAX_TERMS) -> Expr:
    """``e`` with products of sums multiplied out; ``e`` itself when that would exceed
    ``max_terms`` terms."""
    try:
        return rewrite(e, _Expander(max_terms).step, children=_expanded_parts)
    except _TooBig:
        return e


def _expanded_parts(e: Expr) -> tuple[Expr, ...]:
    """The children expansion enters: the terms of sums and factors of products, the base of a
    small whole power; nothing inside other functions (``sin(x(x + 1))`` stays as it is)."""
    if build.is_add(e) or build.is_mul(e):
        return e.args
    if build.is_pow(e) and _small_power(e.args[1]):
        return e.args[:1]
    return ()


class _Expander:
    def __init__(self, max_terms: int):
        self.max_terms = max_terms

    def step(self, e: Expr, parts: tuple[Expr, ...]) -> Expr:
        """``e`` expanded, given its :func:`_expanded_parts` already expanded."""
        if build.is_add(e):
            return self.check(build.add(*parts))
        if build.is_mul(e):
            out: Expr = build.ONE
            for f in parts:
                out = self.times(out, f)
            return out
        if parts and build.is_add(parts[0]):  # a small power of a sum
            out = build.ONE
            for _ in range(int(e.args[1].value)):
                out = self.times(out, parts[0])
            return out
        return e

    def times(self, a: Expr, b: Expr) -> Expr:
        terms_a = a.args if build.is_add(a) else (a,)
        terms_b = b.args if build.is_add(b) else (b,)
        if len(terms_a) * len(terms_b) > self.max_terms:
            raise _TooBig
        charge(len(terms_a) * len(terms_b), "expanding products")
        return self.check(build.add(*(build.mul(s, t) for s in terms_a for t in terms_b)))

    def check(self, e: Expr) -> Expr:
        if build.is_add(e) and len(e.args) > self.max_terms:
            raise _TooBig
        return e


def _small_power(exp: Expr) -> bool:
    return (isinstance(exp, Const) and isinstance(exp.value, Fraction)
            and exp.value.denominator == 1 and 1 < exp.value <= MAX_POWER)
