r"""LaTeX printer. Same arrangement as the text printer (both ask :mod:`.layout`), typeset.

Fractions are ``\frac``, powers ``x^{2}``, functions ``\sin\left(x\right)``; a product juxtaposes
its factors (``2 x``) unless two numbers would touch, where it writes ``\cdot``.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> to_latex(x ** x * (apply("ln", x) + 1))
'x^{x} \\left(\\ln\\left(x\\right) + 1\\right)'
>>> to_latex(4 * x / (x**2 + 1) ** 2)
'\\frac{4 x}{\\left(x^{2} + 1\\right)^{2}}'
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from chainrule._recursion import deep_recursion
from chainrule.budget import MAX_TEXT_CHARS
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number, format_number
from chainrule.errors import BudgetError
from chainrule.printing import layout
from chainrule.printing import precedence as P
from chainrule.printing.text import _TextPrinter

GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi",
    "psi", "omega", "varepsilon", "vartheta", "varpi", "varrho", "varsigma", "varphi",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
))
"""Symbol names typeset as Greek letters: ``theta → \\theta`` (``θ`` too)."""

FUNCTION_NAMES = {
    "ln": r"\ln", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "cot": r"\cot",
    "sec": r"\sec", "csc": r"\csc", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
    "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh", "heaviside": "H",
}
"""LaTeX heads of functions; others use the primitive's ``latex_name`` or ``\\operatorname``."""

POWER_ON_HEAD = frozenset(("sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh"))
"""Functions whose positive integer powers print on the name: ``\\sin^{2}\\left(x\\right)``."""

_SPECIALS = re.compile(r"([\\{}#$%&~^])")
_TRAILING_DIGITS = re.compile(r"^([^\d_]+)(\d+)$")
_SCIENTIFIC = re.compile(r"^[\d.]+ \\cdot 10\^\{-?\d+\}$")


def to_latex(expr: Expr) -> str:
    r"""LaTeX (math mode, no ``$``) for ``expr``.

    >>> from chainrule.core.build import symbol, apply
    >>> to_latex(apply("sigmoid", symbol("x")) ** 2)
    '\\sigma\\left(x\\right)^{2}'
    """
    with deep_recursion():
        return _LatexPrinter().latex(expr)


def symbol_latex(name: str) -> str:
    r"""LaTeX for a variable name: Greek letters, subscripts after ``_`` or trailing digits.

    >>> symbol_latex("theta"), symbol_latex("w_1"), symbol_latex("x12"), symbol_latex("rate")
    ('\\theta', 'w_{1}', 'x_{12}', '\\mathit{rate}')
    """
    head, sep, sub = name.partition("_")
    if sep and head and sub:
        return f"{symbol_latex(head)}_{{{symbol_latex(sub)}}}"
    digits = _TRAILING_DIGITS.match(name)
    if digits:
        return f"{symbol_latex(digits.group(1))}_{{{digits.group(2)}}}"
    if name in GREEK:
        return "\\" + name
    greek = _unicode_greek(name)
    if greek is not None:
        return greek
    escaped = _SPECIALS.sub(r"\\\1", name).replace("_", r"\_")
    if len(name) == 1 or name.isdigit():
        return escaped
    return rf"\mathit{{{escaped}}}"


def _unicode_greek(name: str) -> str | None:
    r"""``θ → \theta``, ``Ω → \Omega``, ``ς → \varsigma``; None for anything else."""
    if len(name) != 1:
        return None
    words = unicodedata.name(name, "").split()
    if words[:1] != ["GREEK"] or len(words) < 4 or words[2] != "LETTER":
        return None
    letter = words[-1].lower() if words[1] == "SMALL" else words[-1].capitalize()
    if words[1] == "SMALL" and words[3:-1] == ["FINAL"]:
        letter = "varsigma"
    return "\\" + letter if letter in GREEK else None


def number_latex(value: Number) -> tuple[str, int]:
    r"""LaTeX and precedence for a number: ``\frac{3}{4}``, ``-2``, ``1.5 \cdot 10^{-20}``.

    >>> number_latex(Fraction(-3, 4))[0], number_latex(1e-20)[0]
    ('-\\frac{3}{4}', '1 \\cdot 10^{-20}')
    """
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if isinstance(magnitude, Fraction) and magnitude.denominator != 1:
        text, prec = rf"\frac{{{magnitude.numerator}}}{{{magnitude.denominator}}}", P.MUL
    else:
        text, prec = _plain_number(magnitude)
    return sign + text, (P.NEG if sign else prec)


def _plain_number(value: Number) -> tuple[str, int]:
    text = format_number(value)
    if "e" not in text:
        return text, P.ATOM
    mantissa, exponent = text.split("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}", P.MUL


class _PinnedText(_TextPrinter):
    """The text printer, used for sort keys, holding every node it formats alive.

    Its memo is keyed by ``id``; layout creates temporary nodes (a denominator's positive
    power), and pinning them keeps an id from being reused by another node mid-print.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pins: list[Expr] = []

    def fmt(self, e: Expr) -> tuple[str, int]:
        if id(e) not in self.memo:
            self.pins.append(e)
        return super().fmt(e)


class _LatexPrinter:
    def __init__(self) -> None:
        self.memo: dict[Expr, tuple[str, int]] = {}  # keyed by node: holds temporaries alive
        self.size = 0
        self.plain = _PinnedText()

    def latex(self, e: Expr) -> str:
        return self.fmt(e)[0]

    def fmt(self, e: Expr) -> tuple[str, int]:
        hit = self.memo.get(e)
        if hit is None:
            hit = self._fmt(e)
            self.size += len(hit[0])
            if self.size > MAX_TEXT_CHARS:
                raise BudgetError(
                    f"the expression is too large to print as LaTeX ({e.node_count()} distinct "
                    f"nodes); use node_count() or the JSON DAG form instead")
            self.memo[e] = hit
        return hit

    def wrap(self, e: Expr, min_prec: int) -> str:
        text, prec = self.fmt(e)
        return rf"\left({text}\right)" if prec < min_prec else text

    def _fmt(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Const):
            return number_latex(e.value)
        if isinstance(e, NamedConst):
            return ("\\" + e.name if e.name in GREEK else e.name), P.ATOM
        if isinstance(e, Symbol):
            return symbol_latex(e.name), P.ATOM
        assert isinstance(e, Apply)
        name = e.prim.name
        if name == "add":
            return self.sum(e), P.ADD
        if name == "mul":
            return self.product(e)
        if name == "pow":
            return self.power(e)
        return self.function(e)

    # -- sums and products ---------------------------------------------------------------
    def sum(self, e: Apply) -> str:
        out = ""
        for i, term in enumerate(layout.ordered_terms(e, self.plain.text)):
            text = self.latex(term)
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
        prec = P.NEG if sign else P.MUL
        coeff = abs(coeff)
        top_coeff = coeff.numerator if isinstance(coeff, Fraction) else coeff
        bottom_coeff = coeff.denominator if isinstance(coeff, Fraction) else 1
        top = self.factors(top_coeff, num)
        if not den and bottom_coeff == 1:
            return sign + top, prec
        return rf"{sign}\frac{{{top}}}{{{self.factors(bottom_coeff, den)}}}", prec

    def factors(self, coeff: Number, factors: list[Expr]) -> str:
        """``2 x^{2} \\sin\\left(x\\right)``; a lone factor is never parenthesised."""
        ordered = sorted(factors, key=lambda f: (layout.factor_rank(f), self.plain.text(f)))
        parts = [_number_text(coeff)] if coeff != 1 or not ordered else []
        many = len(parts) + len(ordered) > 1
        for f in ordered:
            text, prec = self.fmt(f)
            if many and (prec <= P.MUL or text.startswith("-")):
                text = rf"\left({text}\right)"
            parts.append(text)
        out = parts[0]
        for prev, part in zip(parts, parts[1:], strict=False):
            out += (r" \cdot " if _needs_dot(prev, part) else " ") + part
        return out

    # -- powers and functions ------------------------------------------------------------
    def power(self, e: Apply) -> tuple[str, int]:
        root = layout.root_of(e)
        if root is not None:
            return rf"\sqrt{{{self.latex(root[1])}}}", P.ATOM
        base, exp = e.args
        if layout._is_negative_exponent(exp):
            return self.product(e)
        if _power_on_head(base, exp):
            head, args = self.function_parts(base)
            return rf"{head}^{{{self.latex(exp)}}}{args}", P.ATOM
        return rf"{self.wrap(base, P.ATOM)}^{{{self.latex(exp)}}}", P.POW

    def function(self, e: Apply) -> tuple[str, int]:
        name = e.prim.name
        if name == "exp":
            return rf"e^{{{self.latex(e.args[0])}}}", P.POW
        if name == "abs":
            return rf"\left|{self.latex(e.args[0])}\right|", P.ATOM
        if name == "sqrt":
            return rf"\sqrt{{{self.latex(e.args[0])}}}", P.ATOM
        if name == "cbrt":
            return rf"\sqrt[3]{{{self.latex(e.args[0])}}}", P.ATOM
        if name == "log" and len(e.args) == 2:
            base = self.latex(e.args[1])
            return rf"\log_{{{base}}}\left({self.latex(e.args[0])}\right)", P.ATOM
        head, args = self.function_parts(e)
        return head + args, P.ATOM

    def function_parts(self, e: Apply) -> tuple[str, str]:
        """``sin(x) → ("\\sin", "\\left(x\\right)")``."""
        name = e.prim.name
        head = FUNCTION_NAMES.get(name) or e.prim.latex_name or rf"\operatorname{{{name}}}"
        args = ", ".join(self.latex(a) for a in e.args)
        return head, rf"\left({args}\right)"


def _power_on_head(base: Expr, exp: Expr) -> bool:
    return (isinstance(base, Apply) and base.prim.name in POWER_ON_HEAD
            and isinstance(exp, Const) and isinstance(exp.value, Fraction)
            and exp.value.denominator == 1 and exp.value > 0)


def _number_text(value: Number) -> str:
    return number_latex(value)[0]


def _needs_dot(prev: str, part: str) -> bool:
    r"""``\cdot`` where juxtaposition would read as one number: ``2 \cdot 3^{x}``."""
    return part[:1].isdigit() or part[:1] == "." or bool(_SCIENTIFIC.match(prev))

