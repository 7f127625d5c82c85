"""Presentation MathML printer: the text and LaTeX printers' arrangement, for browsers.

Same layout decisions as :mod:`.text` and :mod:`.latex` (both ask :mod:`.layout`): fractions
are ``<mfrac>``, powers ``<msup>``, square roots ``<msqrt>``, functions an ``<mi>`` name, the
function-application operator and a bracketed argument. Products juxtapose their factors with
an invisible times, or a ``·`` where two numbers would touch. Every name is escaped, so the
output can be put into a page as it is. Memory and size are budgeted like the LaTeX printer's:
a node's markup is forgotten once all its parents are printed, and output over the character
limit raises :class:`~chainrule.errors.BudgetError`.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> fragment(x ** 2)
'<msup><mi>x</mi><mn>2</mn></msup>'
>>> fragment(x / (x + 1))
'<mfrac><mi>x</mi><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow></mfrac>'
"""

from __future__ import annotations

import html
import re
from fractions import Fraction

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number, format_number
from chainrule.core.primitive import Primitive
from chainrule.errors import BudgetError
from chainrule.limits import DEEP_LIMIT, MAX_TEXT_CHARS, deep_recursion
from chainrule.printing import layout
from chainrule.printing import precedence as P
from chainrule.printing.latex import _LatexPrinter, power_on_head

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MINUS = "<mo>\u2212</mo>"
"""A leading minus; a term whose markup starts with it is subtracted in a sum."""
TIMES = "<mo>&#x2062;</mo>"  # invisible times: 2x, x sin(x)
APPLY = "<mo>&#x2061;</mo>"  # function application: sin x
DOT = "<mo>\u00b7</mo>"
THIN = '<mspace width="0.17em"/>'

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "omicron": "ο", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "chi": "χ", "psi": "ψ", "omega": "ω", "varepsilon": "ε", "vartheta": "ϑ",
    "varpi": "ϖ", "varrho": "ϱ", "varsigma": "ς", "varphi": "φ", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω",
}
"""Symbol names shown as Greek letters (the LaTeX printer's list): ``theta → θ``."""

_TRAILING_DIGITS = re.compile(r"^([^\d_]+)(\d+)$")


def to_mathml(expr: Expr, display: bool = False, max_chars: int = MAX_TEXT_CHARS) -> str:
    """A complete ``<math>`` element for ``expr`` (``display="block"`` when ``display``).

    >>> from chainrule.core.build import symbol
    >>> to_mathml(symbol("x"))
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>'
    """
    return math_element(fragment(expr, max_chars), display)


def math_element(content: str, display: bool = False) -> str:
    """Wrap MathML ``content`` in a ``<math>`` element."""
    mode = ' display="block"' if display else ""
    return f'<math xmlns="{MATHML_NS}"{mode}>{content}</math>'


def fragment(expr: Expr, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The MathML of ``expr`` without the ``<math>`` wrapper, for building equations."""
    with deep_recursion():
        try:
            return _MathMLPrinter(expr, max_chars).fmt(expr)[0]
        except RecursionError:
            raise BudgetError(
                f"the expression is nested too deeply to print as MathML (more than about "
                f"{DEEP_LIMIT // 3:,} levels)") from None


def row(content: str) -> str:
    """``content`` as one ``<mrow>`` (one child of ``<mfrac>``, ``<msup>``…)."""
    return f"<mrow>{content}</mrow>"


def parens(content: str, left: str = "(", right: str = ")") -> str:
    return f"<mrow><mo>{left}</mo>{content}<mo>{right}</mo></mrow>"


def derivative_operator(var: str, order: int = 1, partial: bool = False) -> str:
    """``d/dx`` (``d²/dx²`` for higher orders) as a fraction; ``∂/∂x`` with ``partial`` (for a
    function of several variables).

    >>> derivative_operator("x")
    '<mfrac><mi>d</mi><mrow><mi>d</mi><mi>x</mi></mrow></mfrac>'
    >>> derivative_operator("x", partial=True)
    '<mfrac><mi>∂</mi><mrow><mi>∂</mi><mi>x</mi></mrow></mfrac>'
    """
    v = symbol_mathml(var)
    d = "<mi>∂</mi>" if partial else "<mi>d</mi>"
    if order == 1:
        return f"<mfrac>{d}<mrow>{d}{v}</mrow></mfrac>"
    n = f"<mn>{order}</mn>"
    return f"<mfrac><msup>{d}{n}</msup><mrow>{d}<msup>{v}{n}</msup></mrow></mfrac>"


def symbol_mathml(name: str) -> str:
    """MathML for a variable name: Greek letters, subscripts after ``_`` or trailing digits.

    >>> symbol_mathml("theta"), symbol_mathml("w_1"), symbol_mathml("x12")
    ('<mi>θ</mi>', '<msub><mi>w</mi><mi>1</mi></msub>', '<msub><mi>x</mi><mn>12</mn></msub>')
    """
    head, sep, sub = name.partition("_")
    if sep and head and sub:
        return f"<msub>{symbol_mathml(head)}{symbol_mathml(sub)}</msub>"
    digits = _TRAILING_DIGITS.match(name)
    if digits:
        return f"<msub>{symbol_mathml(digits.group(1))}<mn>{digits.group(2)}</mn></msub>"
    return f"<mi>{html.escape(GREEK.get(name, name))}</mi>"


def number_mathml(value: Number) -> tuple[str, int]:
    """MathML and precedence for a number: ``<mfrac>`` for fractions, ``1·10⁻²⁰`` style.

    >>> number_mathml(Fraction(-3, 4))[0]
    '<mo>−</mo><mfrac><mn>3</mn><mn>4</mn></mfrac>'
    """
    magnitude = abs(value)
    if isinstance(magnitude, Fraction) and magnitude.denominator != 1:
        text = f"<mfrac><mn>{magnitude.numerator}</mn><mn>{magnitude.denominator}</mn></mfrac>"
        prec = P.MUL
    else:
        text, prec = _plain_number(magnitude)
    if value < 0:
        return MINUS + text, P.NEG
    return text, prec


def _plain_number(value: Number) -> tuple[str, int]:
    text = format_number(value)
    if text == "inf":
        return "<mi>∞</mi>", P.ATOM
    if "e" not in text:
        return f"<mn>{text}</mn>", P.ATOM
    mantissa, exponent = text.split("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    power = int(exponent)
    shown = f"<mrow>{MINUS}<mn>{-power}</mn></mrow>" if power < 0 else f"<mn>{power}</mn>"
    return f"<mn>{mantissa}</mn>{DOT}<msup><mn>10</mn>{shown}</msup>", P.MUL


class _MathMLPrinter(_LatexPrinter):
    """The LaTeX printer's memo, sort keys and releases; MathML markup instead of LaTeX."""

    def __init__(self, root: Expr, max_chars: int) -> None:
        super().__init__(root)
        self.max_chars = max_chars

    def fmt(self, e: Expr) -> tuple[str, int]:
        hit = self.memo.get(e)
        if hit is not None:
            return hit
        if isinstance(e, Const):
            hit = number_mathml(e.value)
        elif isinstance(e, NamedConst):
            hit = f"<mi>{html.escape(GREEK.get(e.name, e.name))}</mi>", P.ATOM
        elif isinstance(e, Symbol):
            hit = symbol_mathml(e.name), P.ATOM
        elif e.prim.name == "add":
            hit = self.sum(e), P.ADD
        elif e.prim.name == "mul" or _is_reciprocal(e):
            hit = self.product(e)
        elif e.prim.name == "pow":
            hit = self.power(e)
        else:
            hit = self.function(e)
        if len(hit[0]) > self.max_chars:
            raise BudgetError(
                f"the expression is too large to show as MathML ({e.node_count()} distinct "
                f"nodes, more than {self.max_chars:,} characters)")
        self.memo[e] = hit
        self.key_text(e)
        self.release(e)
        return hit

    def wrap(self, e: Expr, min_prec: int) -> str:
        text, prec = self.fmt(e)
        return parens(text) if prec < min_prec else text

    def sum(self, e: Apply) -> str:
        keys = self.keyed(list(e.args))
        out = ""
        for i, term in enumerate(layout.ordered_terms(e, keys.__getitem__)):
            text = self.fmt(term)[0]
            if i == 0 or text.startswith(MINUS):
                out += text
            else:
                out += "<mo>+</mo>" + text
        return out

    def product(self, e: Apply) -> tuple[str, int]:
        coeff, num, den = layout.split_fraction(e)
        sign = MINUS if coeff < 0 else ""
        prec = P.NEG if sign else P.MUL
        coeff = abs(coeff)
        top_coeff = coeff.numerator if isinstance(coeff, Fraction) else coeff
        bottom_coeff = coeff.denominator if isinstance(coeff, Fraction) else 1
        self.after[e] = self.split_nodes(e, num + den)
        keys = self.keyed(num + den)
        top = self.factors(top_coeff, num, keys)
        if not den and bottom_coeff == 1:
            return sign + top[0], prec
        bottom = self.factors(bottom_coeff, den, keys)
        return f"{sign}<mfrac>{_one(*top)}{_one(*bottom)}</mfrac>", prec

    def factors(self, coeff: Number, factors: list[Expr],
                keys: dict[Expr, str]) -> tuple[str, bool]:
        """The factors' markup, and whether it is one element."""
        ordered = sorted(factors, key=lambda f: (layout.factor_rank(f), keys[f]))
        show = coeff != 1 or isinstance(coeff, float) or not ordered  # -1.0x is not -x
        parts = [number_mathml(coeff)] if show else []
        many = len(parts) + len(ordered) > 1
        for f in ordered:
            text, prec = self.fmt(f)
            if many and (prec <= P.MUL or text.startswith(MINUS)):
                text, prec = parens(text), P.ATOM
            parts.append((text, prec))
        out = parts[0][0]
        for (prev, _), (part, _) in zip(parts, parts[1:], strict=False):
            if _needs_dot(prev, part):
                out += DOT + part
            elif part.startswith(_FUNCTION_STARTS):
                out += TIMES + THIN + part  # x ln(x): a thin space before a function's name
            else:
                out += TIMES + part
        return out, len(parts) == 1 and parts[0][1] >= P.POW

    def power(self, e: Apply) -> tuple[str, int]:
        base, exp = e.args
        if layout.root_of(e) is not None:
            return f"<msqrt>{self.fmt(base)[0]}</msqrt>", P.ATOM
        if power_on_head(base, exp):  # sin²(x): the power on the function's name
            head = _head(base.prim)
            rest = self.fmt(base)[0][len("<mrow>") + len(head):]
            return f"<mrow><msup>{head}{self.child(exp)}</msup>{rest}", P.ATOM
        return f"<msup>{self.wrap(base, P.ATOM)}{self.child(exp)}</msup>", P.POW

    def child(self, e: Expr) -> str:
        """``e`` as a single element: atoms and powers are one already, others get an mrow."""
        text, prec = self.fmt(e)
        return _one(text, prec >= P.POW)

    def function(self, e: Apply) -> tuple[str, int]:
        """One element each (an ``<mrow>`` around a function's name and its argument)."""
        name = e.prim.name
        args = []
        for a in e.args:  # a loop, not a generator inside join: no recursion through C
            args.append(self.fmt(a)[0])
        if name == "exp":
            return f"<msup><mi>e</mi>{self.child(e.args[0])}</msup>", P.POW
        if name == "abs":
            return parens(args[0], "|", "|"), P.ATOM
        if name == "sqrt":
            return f"<msqrt>{args[0]}</msqrt>", P.ATOM
        if name == "cbrt":
            return f"<mroot>{self.child(e.args[0])}<mn>3</mn></mroot>", P.ATOM
        if name == "log" and len(args) == 2:
            return (f"<mrow><msub><mi>log</mi>{self.child(e.args[1])}</msub>{APPLY}"
                    f"{parens(args[0])}</mrow>"), P.ATOM
        return f"<mrow>{_head(e.prim)}{APPLY}{parens('<mo>,</mo>'.join(args))}</mrow>", P.ATOM


def _one(content: str, single: bool) -> str:
    return content if single else row(content)


def _head(prim: Primitive) -> str:
    return f"<mi>{html.escape(prim.mathml or prim.name)}</mi>"


def _is_reciprocal(e: Apply) -> bool:
    return e.prim.name == "pow" and layout._is_negative_exponent(e.args[1])


_LEADING_TAGS = ("<mrow>", "<msup>", "<msub>")
_FUNCTION_STARTS = ("<mrow><mi>", "<mrow><msup><mi>", "<mrow><msub><mi>")


def _needs_dot(prev: str, part: str) -> bool:
    """``·`` where juxtaposition would read as one number: ``2·3^x``, ``1·10⁻²⁰·x``."""
    first = part
    while first.startswith(_LEADING_TAGS):
        first = first[first.index(">") + 1:]
    scientific = prev.endswith("</msup>") and f"{DOT}<msup><mn>10</mn>" in prev
    return first.startswith("<mn>") or scientific


__all__ = ["derivative_operator", "fragment", "math_element", "number_mathml", "parens", "row",
           "symbol_mathml", "to_mathml"]
