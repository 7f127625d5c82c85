"""Double angles: ``2·sin(u)·cos(u) = sin(2u)``, ``2cos²(u) − 1 = cos(2u)`` and the
hyperbolic ones, ``2·sinh(u)·cosh(u) = sinh(2u)``, ``2cosh²(u) − 1 = cosh(2u)``.

Identities that hold for every real ``u``; the textbook form tries them as one more
candidate and keeps whichever reads shorter.

>>> from chainrule.parsing import parse
>>> str(double_angle(parse("4 sin(x) cos(x) (2cos(x)^2 - 1)")))
'sin(4x)'
>>> str(double_angle(parse("cosh(x)^2 + sinh(x)^2")))
'cosh(2x)'
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Const, Expr
from chainrule.core.walk import transform

PAIRS = {"sin": "cos", "sinh": "cosh"}
"""``f(u)·g(u) = f(2u)/2``."""

SQUARES = {
    # cos(2u) = 2cos² − 1 = 1 − 2sin² = cos² − sin²; cosh(2u) = 2cosh² − 1 = 1 + 2sinh²
    # = cosh² + sinh²: (function of u², its coefficient, the other part) per unit of result
    "cos": [("cos", Fraction(2), None, Fraction(-1)), ("sin", Fraction(-2), None, Fraction(1)),
            ("cos", Fraction(1), ("sin", Fraction(-1)), Fraction(0))],
    "cosh": [("cosh", Fraction(2), None, Fraction(-1)), ("sinh", Fraction(2), None, Fraction(1)),
             ("cosh", Fraction(1), ("sinh", Fraction(1)), Fraction(0))],
}


def double_angle(e: Expr) -> Expr:
    """``e`` with the double-angle identities applied wherever they match."""
    return transform(e, _node)


def _node(n: Expr) -> Expr | None:
    if build.is_add(n) and len(n.args) == 2:
        return _square_sum(n)
    if build.is_mul(n):
        return _pair_product(n)
    return None


def _pair_product(n: Expr) -> Expr | None:
    factors = list(n.args)
    changed = False
    for _ in range(8):  # sin(x)cos(x)cos(2x) → sin(2x)cos(2x)/2 → sin(4x)/4: a few rounds
        powers = {}
        for f in factors:
            base, exp = build.as_base_exp(f)
            if isinstance(exp, Const) and isinstance(exp.value, Fraction) \
                    and exp.value.denominator == 1 and exp.value > 0:
                powers[base] = int(exp.value)
        hit = next(((b, build.apply(PAIRS[b.prim.name], b.args[0])) for b in powers
                    if any(build.is_fn(b, f) for f in PAIRS)
                    and build.apply(PAIRS[b.prim.name], b.args[0]) in powers), None)
        if hit is None:
            break
        top, other = hit
        k = min(powers[top], powers[other])
        double = build.apply(top.prim, build.mul(2, top.args[0]))
        factors = [f for f in factors if build.as_base_exp(f)[0] not in (top, other)]
        factors += [build.power(top, powers[top] - k), build.power(other, powers[other] - k),
                    build.power(double, k), build.const(Fraction(1, 2 ** k))]
        changed = True
        rebuilt = build.mul(*factors)
        factors = list(rebuilt.args) if build.is_mul(rebuilt) else [rebuilt]
    return build.mul(*factors) if changed else None


def _square_of(term: Expr) -> tuple[str, Expr, Fraction] | None:
    """``c·f(u)²`` as ``(f, u, c)``."""
    c, rest = build.split_coeff(term)
    if not (build.is_pow(rest) and rest.args[1] is build.const(2)):
        return None
    base = rest.args[0]
    if not any(build.is_fn(base, f) for f in ("sin", "cos", "sinh", "cosh")):
        return None
    return base.prim.name, base.args[0], Fraction(c) if not isinstance(c, float) else None


def _square_sum(n: Expr) -> Expr | None:
    a, b = n.args
    for first, second in ((a, b), (b, a)):
        sq = _square_of(first)
        if sq is None or sq[2] is None:
            continue
        name, u, c = sq
        for result, forms in SQUARES.items():
            for f, coeff, other, constant in forms:
                if f != name:
                    continue
                scale = c / coeff
                if other is None:
                    if isinstance(second, Const) and isinstance(second.value, Fraction) \
                            and second.value == scale * constant:
                        return build.mul(build.const(scale), build.apply(result, build.mul(2, u)))
                else:
                    sq2 = _square_of(second)
                    if sq2 is not None and sq2[:2] == (other[0], u) and sq2[2] == scale * other[1]:
                        return build.mul(build.const(scale), build.apply(result, build.mul(2, u)))
    return None
