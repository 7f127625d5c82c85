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
from chainrule.limits import deep_recursion

MAX_TERMS = 256
MAX_POWER = 8


class _TooBig(Exception):
    pass


def expand(e: Expr, max_terms: int = MAX_TERMS) -> Expr:
    """``e`` with products of sums multiplied out; ``e`` itself when that would exceed
    ``max_terms`` terms."""
    try:
        with deep_recursion():
            return _Expander(max_terms).run(e)
    except _TooBig:
        return e


class _Expander:
    def __init__(self, max_terms: int):
        self.max_terms = max_terms
        self.memo: dict[Expr, Expr] = {}

    def run(self, e: Expr) -> Expr:
        hit = self.memo.get(e)
        if hit is None:
            hit = self._run(e)
            self.memo[e] = hit
        return hit

    def _run(self, e: Expr) -> Expr:
        if build.is_add(e):
            return self.check(build.add(*(self.run(t) for t in e.args)))
        if build.is_mul(e):
            out: Expr = build.ONE
            for f in e.args:
                out = self.times(out, self.run(f))
            return out
        if build.is_pow(e) and _small_power(e.args[1]):
            base = self.run(e.args[0])
            if build.is_add(base):
                out = build.ONE
                for _ in range(int(e.args[1].value)):
                    out = self.times(out, base)
                return out
        return e

    def times(self, a: Expr, b: Expr) -> Expr:
        terms_a = a.args if build.is_add(a) else (a,)
        terms_b = b.args if build.is_add(b) else (b,)
        if len(terms_a) * len(terms_b) > self.max_terms:
            raise _TooBig
        return self.check(build.add(*(build.mul(s, t) for s in terms_a for t in terms_b)))

    def check(self, e: Expr) -> Expr:
        if build.is_add(e) and len(e.args) > self.max_terms:
            raise _TooBig
        return e


def _small_power(exp: Expr) -> bool:
    return (isinstance(exp, Const) and isinstance(exp.value, Fraction)
            and exp.value.denominator == 1 and 1 < exp.value <= MAX_POWER)
