"""The three formats a step's equation is written in: plain text, LaTeX and MathML.

Each format spells the same few pieces (an expression, ``d/dx [e]``, an equation, the left
sides of logarithmic differentiation, an operator, a bracket, a word); what a step says is
decided once, by its class, in :mod:`chainrule.explain.statements`.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> TEXT.eq(TEXT.d("x", x ** 2), TEXT.expr(2 * x))
'd/dx [x^2] = 2x'
>>> print(LATEX.dlog("y"))
\\frac{1}{y}\\,y'
"""

from __future__ import annotations

import html
from typing import Protocol

from chainrule.core.expr import Expr
from chainrule.printing import mathml

MAX_STEP_CHARS = 100_000
"""Longest MathML of one expression inside a step (longer: :class:`BudgetError`)."""


class Format(Protocol):
    """The pieces a statement is built from, in one output format."""

    def expr(self, e: Expr) -> str: ...
    def d(self, var: str, e: Expr) -> str: ...
    def eq(self, lhs: str, rhs: str) -> str: ...
    def sym(self, name: str) -> str: ...
    def with_(self, definition: str) -> str: ...
    def ln_abs(self, name: str) -> str: ...
    def dlog(self, name: str) -> str: ...
    def prime(self, name: str) -> str: ...
    def ratio(self, top: str, bottom: str) -> str: ...
    def op(self, symbol: str) -> str: ...
    def paren(self, content: str) -> str: ...
    def text(self, words: str) -> str: ...


class TextFormat:
    """Plain text, as :func:`str` prints expressions: ``d/dx [x^2] = 2x``."""

    def expr(self, e: Expr) -> str:
        return str(e)

    def d(self, var: str, e: Expr) -> str:
        return f"d/d{var} [{self.expr(e)}]"

    def eq(self, lhs: str, rhs: str) -> str:
        return f"{lhs} = {rhs}"

    def sym(self, name: str) -> str:
        return name

    def with_(self, definition: str) -> str:
        return f", with {definition}"

    def ln_abs(self, name: str) -> str:
        return f"ln|{name}|"

    def dlog(self, name: str) -> str:
        return f"(1/{name})·{name}′"

    def prime(self, name: str) -> str:
        return f"{name}′"

    def ratio(self, top: str, bottom: str) -> str:
        return f"d{top}/d{bottom}"

    def op(self, symbol: str) -> str:
        return " + " if symbol == "+" else symbol

    def paren(self, content: str) -> str:
        return f"({content})"

    def text(self, words: str) -> str:
        return words


class LatexFormat:
    """LaTeX for Jupyter and documents: ``\\frac{d}{dx}\\left[x^{2}\\right] = 2 x``."""

    def expr(self, e: Expr) -> str:
        return e.latex()

    def d(self, var: str, e: Expr) -> str:
        return rf"\frac{{d}}{{d{var}}}\left[{e.latex()}\right]"

    def eq(self, lhs: str, rhs: str) -> str:
        return f"{lhs} = {rhs}"

    def sym(self, name: str) -> str:
        return name

    def with_(self, definition: str) -> str:
        return rf", \text{{ with }} {definition}"

    def ln_abs(self, name: str) -> str:
        return rf"\ln|{name}|"

    def dlog(self, name: str) -> str:
        return rf"\frac{{1}}{{{name}}}\,{name}'"

    def prime(self, name: str) -> str:
        return f"{name}'"

    def ratio(self, top: str, bottom: str) -> str:
        return rf"\frac{{d{top}}}{{d{bottom}}}"

    def op(self, symbol: str) -> str:
        return {"+": " + ", "·": r" \cdot "}.get(symbol, symbol)

    def paren(self, content: str) -> str:
        return rf"\left({content}\right)"

    def text(self, words: str) -> str:
        return rf"\text{{{escape_latex(words)}}}"


def escape_latex(text: str) -> str:
    """Text made safe inside ``\\text{…}``."""
    return text.replace("_", r"\_").replace("&", r"\&").replace("%", r"\%")


class MathMLFormat:
    """MathML for the browser; each expression of one derivation is printed once.

    An expression longer than :data:`MAX_STEP_CHARS` raises
    :class:`~chainrule.errors.BudgetError` (the page then shows the text form).
    """

    def __init__(self) -> None:
        self.cache: dict[Expr, str] = {}

    def expr(self, e: Expr) -> str:
        hit = self.cache.get(e)
        if hit is None:
            hit = mathml.fragment(e, MAX_STEP_CHARS)
            self.cache[e] = hit
        return hit

    def d(self, var: str, e: Expr) -> str:
        return mathml.derivative_operator(var) + mathml.parens(self.expr(e), "[", "]")

    def eq(self, lhs: str, rhs: str) -> str:
        return f"{lhs}<mo>=</mo>{rhs}"

    def sym(self, name: str) -> str:
        return mathml.symbol_mathml(name)

    def with_(self, definition: str) -> str:
        return ('<mo>,</mo><mspace width="1em"/><mtext>with</mtext><mspace width="0.5em"/>'
                + definition)

    def ln_abs(self, name: str) -> str:
        return (f"<mrow><mi>ln</mi>{mathml.APPLY}"
                f"{mathml.parens(self.sym(name), '|', '|')}</mrow>")

    def dlog(self, name: str) -> str:
        return (f"<mfrac><mn>1</mn>{self.sym(name)}</mfrac><mo>&#x2062;</mo>"
                + self.prime(name))

    def prime(self, name: str) -> str:
        return f"<msup>{self.sym(name)}<mo>′</mo></msup>"

    def ratio(self, top: str, bottom: str) -> str:
        return (f"<mfrac><mrow><mi>d</mi>{self.sym(top)}</mrow>"
                f"<mrow><mi>d</mi>{self.sym(bottom)}</mrow></mfrac>")

    def op(self, symbol: str) -> str:
        return mathml.DOT if symbol == "·" else f"<mo>{html.escape(symbol)}</mo>"

    def paren(self, content: str) -> str:
        return mathml.parens(content)

    def text(self, words: str) -> str:
        return f"<mtext>{html.escape(words)}</mtext>"


TEXT = TextFormat()
LATEX = LatexFormat()
