"""Plain-text printer. Its output is what people read and what our parser reads back.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> to_text(x ** x * (apply("ln", x) + 1))
'x^x*(ln(x) + 1)'
>>> to_text(4 * x / (x**2 + 1) ** 2)
'4x/(x^2 + 1)^2'
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number, format_number
from chainrule.errors import BudgetError
from chainrule.limits import MAX_TEXT_CHARS, deep_recursion
from chainrule.printing import layout
from chainrule.printing import precedence as P


def to_text(expr: Expr) -> str:
    """Readable, re-parseable text for ``expr``."""
    with deep_recursion():
        return _TextPrinter(expr).text(expr)


def parent_counts(expr: Expr) -> dict[int, int]:
    """How many distinct parents each node has (so printers can free memo entries)."""
    counts: dict[int, int] = {}
    for node in expr.walk():
        for arg in set(node.args):
            counts[id(arg)] = counts.get(id(arg), 0) + 1
    return counts


class _TextPrinter:
    """Memoised per node, but not a :func:`~chainrule.core.walk.rewrite`: a node's text
    depends on how its parent lays it out (precedence, a denominator's flipped powers, which
    are temporary nodes outside the DAG), children are printed on demand in layout order, and
    each child's text is released once its last parent is printed, to keep memory linear."""

    def __init__(self, root: Expr) -> None:
        self.memo: dict[int, tuple[str, int]] = {}
        # A child's text is dropped once its last parent is printed: memory stays linear
        # in the output even for 10,000-deep chains.
        self.parents = parent_counts(root)
        # Layout builds temporary nodes (the flipped powers of a denominator); keep them alive
        # so that a later temporary cannot reuse an id still in the memo.
        self.alive: list[Expr] = []

    def text(self, e: Expr) -> str:
        return self.fmt(e)[0]

    def fmt(self, e: Expr) -> tuple[str, int]:
        hit = self.memo.get(id(e))
        if hit is None:
            hit = self._fmt(e)
            if len(hit[0]) > MAX_TEXT_CHARS:
                raise BudgetError(
                    f"the expression is too large to print as text ({e.node_count()} distinct "
                    f"nodes); use node_count() or the JSON DAG form instead")
            self.memo[id(e)] = hit
            self.alive.append(e)
            self._release_children(e)
        return hit

    def _release_children(self, e: Expr) -> None:
        for arg in set(e.args):
            left = self.parents.get(id(arg), 1) - 1
            self.parents[id(arg)] = left
            if left <= 0:
                self.memo.pop(id(arg), None)

    def wrap(self, e: Expr, min_prec: int) -> str:
        text, prec = self.fmt(e)
        return f"({text})" if prec < min_prec else text

    def _fmt(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Const):
            return self.number(e.value)
        if isinstance(e, NamedConst | Symbol):
            return e.name, P.ATOM
        assert isinstance(e, Apply)
        name = e.prim.written or e.prim.name
        if name == "add":
            return self.sum(e), P.ADD
        if name == "mul":
            return self.product(e)
        if name == "pow":
            return self.power(e)
        if name == "exp":
            return "e^" + self.exponent(e.args[0]), P.POW
        # Children are printed by plain loops, never from inside C code (sorted's key,
        # str.join of a generator): that keeps deep recursion off the C stack.
        texts = [self.text(a) for a in e.args]
        return f"{name}({', '.join(texts)})", P.ATOM

    @staticmethod
    def number(value: Number) -> tuple[str, int]:
        text = format_number(value)
        if value < 0:
            return text, P.NEG
        if isinstance(value, Fraction) and value.denominator != 1:
            return text, P.MUL
        return text, P.ATOM

    def sum(self, e: Apply) -> str:
        known = {id(t): self.text(t) for t in e.args}
        out = ""
        for i, term in enumerate(layout.ordered_terms(e, lambda t: known[id(t)])):
            text = self.text(term)
            if i == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:]
            else:
                out += " + " + text
        return out

    def product(self, e: Expr) -> tuple[str, int]:
        coeff, num, den = layout.split_fraction(e)
        sign = "-" if coeff < 0 else ""
        coeff = abs(coeff)
        top_coeff = coeff.numerator if isinstance(coeff, Fraction) else coeff
        bottom_coeff = coeff.denominator if isinstance(coeff, Fraction) else 1
        top = self.factors(top_coeff, num)
        if not den and bottom_coeff == 1:
            return sign + top, (P.NEG if sign else P.MUL)
        bottom = self.factors(bottom_coeff, den)
        if len(den) + (bottom_coeff != 1) > 1:
            bottom = f"({bottom})"
        return f"{sign}{top}/{bottom}", (P.NEG if sign else P.MUL)

    def factors(self, coeff: Number, factors: list[Expr]) -> str:
        keyed = [((layout.factor_rank(f), self.text(f)), i) for i, f in enumerate(factors)]
        ordered = [factors[i] for _, i in sorted(keyed)]
        parts = [self.wrap(f, P.MUL + 1) for f in ordered]
        if coeff != 1 or isinstance(coeff, float) or not parts:  # -1.0x is not -x
            ctext = format_number(coeff)
            if parts and _juxtaposes(ctext, ordered[0], parts[0]):
                parts[0] = ctext + parts[0]
            else:
                parts.insert(0, ctext)
        return "*".join(parts)

    def power(self, e: Apply) -> tuple[str, int]:
        root = layout.root_of(e)
        if root is not None:
            return f"sqrt({self.text(root[1])})", P.ATOM
        base, exp = e.args
        if layout._is_negative_exponent(exp):
            return self.product(e)
        return self.wrap(base, P.POW + 1) + "^" + self.exponent(exp), P.POW

    def exponent(self, exp: Expr) -> str:
        text, prec = self.fmt(exp)
        if prec == P.ATOM and not text.startswith("-"):
            return text
        return f"({text})"


def _juxtaposes(coeff_text: str, factor: Expr, factor_text: str) -> bool:
    """Write ``2x``, ``3x^2`` and ``2(x + 1)`` without a star; keep it elsewhere."""
    if "e" in coeff_text or "inf" in coeff_text:
        return False
    base, _ = build.as_base_exp(factor)
    if isinstance(base, Symbol) and factor_text[:1].isalpha():
        return True
    return factor_text.startswith("(")
