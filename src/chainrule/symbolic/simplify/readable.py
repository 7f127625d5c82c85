"""The readable form: what a person would write, chosen by size among equal forms.

Canonical form already collects like terms and cancels powers. For people we also try, on
every sum, three rewrites and keep the shortest text (ties keep the original):

* **factor** the common non-numeric factor out: ``x^x·ln(x) + x^x → x^x·(ln(x) + 1)``;
* **together**: combine over a common denominator and expand the numerator:
  ``2x/(x²+1) − 2x(x²−1)/(x²+1)² → 4x/(x²+1)²``;
* **expand**: multiply out products of sums when that is shorter.

Work is bounded: sums too large to print briefly are left as they are, so a derivative with
thousands of nodes is tidied locally, never expanded.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> str(readable(x ** x * apply("ln", x) + x ** x))
'x^x*(ln(x) + 1)'
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Const, Expr
from chainrule.core.walk import rebuild, rewrite
from chainrule.limits.budget import budgeted, charge
from chainrule.symbolic.simplify.arrange import MAX_SIZE, reading_cost
from chainrule.symbolic.simplify.expand import expand
from chainrule.symbolic.simplify.textbook import textbook_forms

MAX_TIDY_SIZE = 300
"""Sums whose tree has more nodes than this are not rewritten (bounded work)."""
MAX_DENOMINATORS = 3
MAX_TIDY_DEPTH = 4
"""How deep tidying may nest (factor → tidy the cofactor → combine → factor …): floats that
do not cancel exactly (1.25·0.8 ≠ 1) could otherwise make the three forms feed each other
for ever."""


@budgeted
def readable(e: Expr, keep: Iterable[Expr] = ()) -> Expr:
    """An equal expression in the most readable form we find.

    Nodes in ``keep`` are left as they are — a derivative contains its function, which is
    already written the way its author wrote it, so only the new parts need tidying.
    """
    keep = tuple(keep)
    # The kept nodes seed the memo, so the walk never enters them.
    tidy = rewrite(e, _tidy_node, memo=dict(zip(keep, keep, strict=True)))
    if tree_size(e, MAX_SIZE) >= MAX_SIZE:
        return tidy  # no textbook form this large (textbook_forms says so too): skip the scan
    variable_exponent = _variable_exponent(e)
    if variable_exponent and tree_size(e, MAX_VARIABLE_EXPONENT_SIZE) >= MAX_VARIABLE_EXPONENT_SIZE:
        return tidy  # high derivatives of x^x: sums of f·ln(x)^a/x^b, already as a book has them
    forms = textbook_forms(e, keep)
    if not forms:
        return tidy
    # The whole textbook form (one form for one value) unless the locally tidied one is more
    # than 10 % shorter; where a variable exponent asks for logarithmic differentiation,
    # unless it is as short: a textbook writes f·(cos(x)·ln(x) + sin(x)/x) there. The
    # term-by-term form only when shorter than the tidied one.
    theirs = reading_cost(tidy)[0]
    whole_limit = theirs - 1 if variable_exponent else theirs * TEXTBOOK_SLACK
    eligible = [f for i, f in enumerate(forms)
                if reading_cost(f)[0] <= (whole_limit if i == 0 else theirs - 1)]
    return min(eligible, key=reading_cost) if eligible else tidy


TEXTBOOK_SLACK = 1.1
MAX_VARIABLE_EXPONENT_SIZE = 150
"""Larger derivatives with a variable exponent are only tidied locally (bounded work)."""
"""The textbook form is kept when at most this much longer than the locally tidied one."""


def _variable_exponent(e: Expr) -> bool:
    return any(build.is_pow(n) and not isinstance(n.args[1], Const) for n in e.nodes())


def _tidy_node(e: Expr, args: tuple[Expr, ...]) -> Expr:
    rebuilt = rebuild(e, args)
    if build.is_add(rebuilt) and tree_size(rebuilt, MAX_TIDY_SIZE) < MAX_TIDY_SIZE:
        return tidy_sum(rebuilt)
    return rebuilt


def tidy_sum(s: Expr, depth: int = 0) -> Expr:
    """The shortest of a sum, its factored, combined and expanded forms."""
    if depth > MAX_TIDY_DEPTH:
        return s
    charge(tree_size(s, MAX_TIDY_SIZE), "simplifying a sum")
    candidates = [s]
    for form in (factor_common, together):
        out = form(s, depth)
        if out is not None and out is not s:
            candidates.append(out)
    for form in (expand,):
        out = form(s)
        if out is not None and out is not s:
            candidates.append(out)
    return min(candidates, key=_cost)


def _cost(e: Expr) -> tuple[int, int]:
    return (len(str(e)), tree_size(e, 10_000))


def tree_size(e: Expr, limit: int) -> int:
    """Nodes counted with repetition (as printed), stopping at ``limit``."""
    count = 0
    stack = [e]
    while stack and count < limit:
        node = stack.pop()
        count += 1
        stack.extend(node.args)
    return count


# -- factoring ---------------------------------------------------------------------------

def _power_map(term: Expr) -> dict[Expr, Expr]:
    _, rest = build.split_coeff(term)
    factors = rest.args if build.is_mul(rest) else (rest,)
    out: dict[Expr, Expr] = {}
    for f in factors:
        if isinstance(f, Const):
            continue
        base, exp = build.as_base_exp(f)
        if base is build.E:  # e^u is one opaque factor for factoring
            base, exp = f, build.ONE
        out[base] = exp
    return out


def _common_exponent(exps: list[Expr]) -> Expr | None:
    if all(isinstance(x, Const) for x in exps):
        return min(exps, key=lambda c: c.value)
    first = exps[0]
    return first if all(x is first for x in exps) else None


def factor_common(s: Expr, depth: int = 0) -> Expr | None:
    """``x^2·a + x·b → x·(x·a + b)``; None when the terms share no non-numeric factor."""
    if not build.is_add(s):
        return None
    maps = [_power_map(t) for t in s.args]
    common = []
    for base in maps[0]:
        if all(base in m for m in maps):
            exp = _common_exponent([m[base] for m in maps])
            if exp is not None:
                common.append(build.power(base, exp))
    if not common:
        return None
    factor = build.mul(*common)
    inner = build.add(*(build.div(t, factor) for t in s.args))
    if build.is_add(inner) and tree_size(inner, MAX_TIDY_SIZE) < MAX_TIDY_SIZE:
        inner = tidy_sum(inner, depth + 1)  # what is left inside the parentheses may tidy further
    return build.mul(factor, inner)


# -- common denominators -----------------------------------------------------------------

def _denominators(term: Expr) -> dict[Expr, Fraction]:
    _, rest = build.split_coeff(term)
    factors = rest.args if build.is_mul(rest) else (rest,)
    out: dict[Expr, Fraction] = {}
    for f in factors:
        if build.is_pow(f) and isinstance(f.args[1], Const) and f.args[1].value < 0:
            out[f.args[0]] = -f.args[1].value
    return out


def together(s: Expr, depth: int = 0) -> Expr | None:
    """Combine a sum over its least common denominator, numerator expanded."""
    if not build.is_add(s):
        return None
    lcd: dict[Expr, Fraction] = {}
    for t in s.args:
        for base, n in _denominators(t).items():
            lcd[base] = max(lcd.get(base, n), n)
    if not lcd or len(lcd) > MAX_DENOMINATORS:
        return None
    denominator = build.mul(*(build.power(b, build.const(n)) for b, n in lcd.items()))
    numerator = build.add(*(build.mul(t, denominator) for t in s.args))
    numerator = min((numerator, expand(numerator)), key=_cost)
    if build.is_add(numerator):
        factored = factor_common(numerator, depth + 1)
        numerator = min([numerator] + ([factored] if factored else []), key=_cost)
    return build.div(numerator, denominator)
