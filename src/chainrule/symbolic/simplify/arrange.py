"""How a textbook arranges an answer: the pieces the textbook form chooses among.

>>> from chainrule.parsing import parse
>>> reading_cost(parse("x/2 + y/3"))[0]   # 9 characters and 2 fractional coefficients
17
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, Symbol
from chainrule.core.registry import get

MAX_SIZE = 600
"""Expressions with more nodes (counted as printed) are left to the older tidying."""
MAX_ARRANGE_SIZE = 80
"""Largest product that is also tried multiplied out (``2x·sin(x) + x²·cos(x)``)."""
MAX_TERMWISE = 12
"""Largest sum that is also tried term by term."""

RATIOS = {("sin", "cos"): "tan", ("cos", "sin"): "cot", ("sinh", "cosh"): "tanh"}
"""``f(u)^k / g(u)^k = h(u)^k``, written as the one function in the answer."""


def tree_size(e: Expr, limit: int) -> int:
    """Nodes counted with repetition (as printed), stopping at ``limit``."""
    count, stack = 0, [e]
    while stack and count < limit:
        node = stack.pop()
        count += 1
        stack.extend(node.args)
    return count


def reading_cost(e: Expr) -> tuple[int, int]:
    """Printed length, each fractional coefficient inside a sum counted as 4 characters
    more (``(−117x³ + 8x + 12)/12`` is preferred to ``−39x³/4 + 2x/3 + 1``), then size."""
    fractional = sum(1 for node in e.walk() if build.is_add(node)
                     for t in node.args if is_fractional(t, Fraction(1)))
    return len(str(e)) + 4 * fractional, tree_size(e, 10 * MAX_SIZE)


def part_power(part: tuple[Expr, Fraction]) -> tuple[Expr, Expr]:
    return part[0], build.const(part[1])


def is_polynomial(s: Expr) -> bool:
    return all(isinstance(build.as_base_exp(f)[0], Symbol | Const)
               for t in s.args for f in (t.args if build.is_mul(t) else (t,)))


def is_negative(term: Expr) -> bool:
    coeff, _ = build.split_coeff(term)
    return (term.value if isinstance(term, Const) else coeff) < 0


def assemble(coeff: Fraction, parts: list[tuple[Expr, Fraction]]) -> Expr:
    factors = [build.power(b, build.const(e)) for b, e in parts]
    if len(factors) == 1 and build.is_add(factors[0]) and coeff.denominator != 1:
        s = build.mul(build.const(coeff.numerator), factors[0])
        if sum(1 for t in factors[0].args if is_fractional(t, coeff)) >= 2 and build.is_add(s):
            # (−39x³ + 5x + 12)/4, not −39x³/4 + 5x/4 + 3: the rational factor in front
            return Apply(get("mul"), (build.const(Fraction(1, coeff.denominator)), s))
    return build.mul(build.const(coeff), *factors)


def is_fractional(term: Expr, c: Fraction) -> bool:
    coeff, _ = build.split_coeff(term)
    value = term.value if isinstance(term, Const) else coeff
    return not isinstance(value, float) and (Fraction(value) * c).denominator != 1


def ratios(parts: list[tuple[Expr, Fraction]]) -> list[tuple[Expr, Fraction]]:
    """``sinh(u)^k·cosh(u)^-k → tanh(u)^k`` and the like (:data:`RATIOS`)."""
    exps = dict(parts)
    for (top, bottom), name in RATIOS.items():
        for b, e in list(exps.items()):
            if not (build.is_fn(b, top) and e > 0 and e.denominator == 1):
                continue
            other = build.apply(bottom, b.args[0])
            down = -exps.get(other, Fraction(0))
            k = min(e, down)
            if k <= 0 or k.denominator != 1:
                continue
            exps[b] = e - k
            exps[other] = -(down - k)
            joined = build.apply(name, b.args[0])
            exps[joined] = exps.get(joined, Fraction(0)) + k
    return [(b, e) for b, e in exps.items() if e]
