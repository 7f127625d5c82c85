"""Format-independent decisions about how to show a node to a person.

Both the text and the LaTeX printers ask these helpers the same questions — in what order are a
sum's terms read, which factors of a product go below the fraction bar, is this power a square
root — so the two formats always show the same arrangement.
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number


def monomial_degree(term: Expr) -> int | None:
    """Total degree of a monomial in symbols (``3x^2y → 3``), None when not a monomial."""
    _, rest = build.split_coeff(term)
    factors = rest.args if build.is_mul(rest) else (rest,)
    degree = 0
    for f in factors:
        base, exp = build.as_base_exp(f)
        if isinstance(base, Const) and base is not build.E:
            continue
        if not isinstance(base, Symbol):
            return None
        if not (isinstance(exp, Const) and isinstance(exp.value, Fraction)
                and exp.value.denominator == 1 and exp.value > 0):
            return None
        degree += int(exp.value)
    return degree


def _laurent_degree(term: Expr) -> int | None:
    """``c·x^n`` (n a whole number, negative too) → n, a number → 0; else None."""
    if isinstance(term, Const):
        return 0
    _, rest = build.split_coeff(term)
    base, exp = build.as_base_exp(rest)
    if isinstance(base, Symbol) and isinstance(exp, Const) and isinstance(exp.value, Fraction) \
            and exp.value.denominator == 1:
        return int(exp.value)
    return None


def _monomial_key(term: Expr) -> tuple:
    _, rest = build.split_coeff(term)
    factors = rest.args if build.is_mul(rest) else (rest,)
    out = []
    for f in factors:
        base, exp = build.as_base_exp(f)
        if isinstance(base, Symbol) and isinstance(exp, Const):
            out.append((base.name, -exp.value))
    return tuple(sorted(out))


def is_negative_term(term: Expr) -> bool:
    """True when a term of a sum reads with a leading minus."""
    if isinstance(term, Const):
        return term.value < 0
    coeff, _ = build.split_coeff(term)
    return coeff < 0


def ordered_terms(add: Apply, text_of) -> list[Expr]:
    """A sum's terms in reading order.

    Polynomials read by descending degree (``6x + 2``); other sums by ascending degree with the
    constant last (``2x·sin(x) + x^2·cos(x)``, ``ln(x) + 1``); ties alphabetically. A leading
    minus is avoided in a two-term sum (``1 - x^2``, not ``-x^2 + 1``).
    """
    terms = list(add.args)
    degrees = [monomial_degree(t) for t in terms]
    polynomial = all(d is not None for d in degrees)
    laurent = [_laurent_degree(t) for t in terms]
    if not polynomial and all(d is not None for d in laurent):
        # 4x^3 - 6x + 2/x^3: powers of one symbol by descending degree, constants in place
        ordered = [t for _, t in sorted(((-d, text_of(t)), t) for d, t in
                                        zip(laurent, terms, strict=True))]
        return _no_leading_minus(ordered)

    def key(pair):
        t, d = pair
        is_const = isinstance(t, Const)
        deg = d if d is not None else 0
        if polynomial:  # graded lexicographic: x^2 + xy + y^2, whatever the coefficients
            return (is_const, -deg, _monomial_key(t), text_of(t))
        return (is_const, deg, (), text_of(t))

    ordered = [t for t, _ in sorted(zip(terms, degrees, strict=True), key=key)]
    return _no_leading_minus(ordered)


def _no_leading_minus(ordered: list[Expr]) -> list[Expr]:
    if len(ordered) == 2 and is_negative_term(ordered[0]):
        for i, t in enumerate(ordered):
            if not is_negative_term(t):
                ordered.insert(0, ordered.pop(i))
                break
    return ordered


def split_fraction(mul: Expr) -> tuple[Number, list[Expr], list[Expr]]:
    """``-3x/(4y^2) → (-3/4, [x], [y^2])``: coefficient, numerator and denominator factors.

    Factors with a negative numeric exponent (or an exponent with a negative coefficient) go
    below the bar with the sign flipped.
    """
    coeff, rest = build.split_coeff(mul)
    factors = rest.args if build.is_mul(rest) else (rest,)
    if isinstance(rest, Const):
        return coeff * rest.value, [], []
    num: list[Expr] = []
    den: list[Expr] = []
    for f in factors:
        base, exp = build.as_base_exp(f)
        # e^(-x) stays as it is: the seeds write e^(-x)/(1 + e^(-x))^2, not 1/(e^x·…).
        if base is not build.E and _is_negative_exponent(exp):
            den.append(build.power(base, build.neg(exp)))
        elif (base is not build.E and _has_constant_term(exp)
              and not (isinstance(base, Const) or build.is_mul(base) or build.is_pow(base))):
            # x^(1/x - 2) reads better as x^(1/x)/x^2 and x^(sin(x) + 1) as x*x^sin(x)
            constant = next(a for a in exp.args if isinstance(a, Const))
            num.append(build.power(base, build.sub(exp, constant)))
            if constant.value < 0:
                den.append(build.power(base, build.neg(constant)))
            else:
                num.append(build.power(base, constant))
        else:
            num.append(f)
    return coeff, num, den


def _has_constant_term(exp: Expr) -> bool:
    """An exponent like ``sin(x) + 1`` or ``1/x - 2``: a sum with an integer constant term."""
    return build.is_add(exp) and any(
        isinstance(a, Const) and isinstance(a.value, Fraction) and a.value.denominator == 1
        for a in exp.args)


def _is_negative_exponent(exp: Expr) -> bool:
    if isinstance(exp, Const):
        return exp.value < 0
    coeff, _ = build.split_coeff(exp)
    return coeff < 0


def factor_rank(f: Expr) -> tuple:
    """Order of factors in a printed product: symbols and their powers first, sums last."""
    base, _ = build.as_base_exp(f)
    if isinstance(base, NamedConst) and base is not build.E:
        return (-1, base.name)  # pi x, not x pi
    if isinstance(base, Symbol):
        return (0, base.name)
    if build.is_add(base):
        return (3, "")
    if base is build.E:
        return (1, "")
    return (2, "")


def root_of(e: Expr) -> tuple[str, Expr] | None:
    """``u^(1/2) → ("sqrt", u)``; None when the power is not a square root."""
    if build.is_pow(e) and e.args[1] is build.HALF:
        return "sqrt", e.args[0]
    return None


def as_apply(e: Expr) -> Apply | None:
    return e if isinstance(e, Apply) else None
