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

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number, format_number
from chainrule.errors import BudgetError
from chainrule.limits import DEEP_LIMIT, MAX_TEXT_CHARS, deep_recursion
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
        try:
            return _LatexPrinter(expr).latex(expr)
        except RecursionError:
            raise BudgetError(
                f"the expression is nested too deeply to print as LaTeX (more than about "
                f"{DEEP_LIMIT // 3:,} levels)") from None


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


class _KeyText(_TextPrinter):
    """The text printer as the source of sort keys, so both formats order terms alike.

    The LaTeX printer asks it for each node right after printing the node itself, so its
    children are always memoised and it never recurses deeply (its ``sorted`` key calls go
    through C, where deep recursion would overflow the C stack). The LaTeX printer decides
    what to forget. Nodes are pinned: a freed temporary's ``id`` is never reused while
    memoised.
    """

    def __init__(self, root: Expr) -> None:
        super().__init__(root)
        self.pins: dict[int, Expr] = {}

    def fmt(self, e: Expr) -> tuple[str, int]:
        self.pins[id(e)] = e
        return super().fmt(e)

    def _release_children(self, e: Expr) -> None:
        """Releases are the LaTeX printer's (see :meth:`_LatexPrinter.release`)."""

    def forget(self, e: Expr) -> None:
        self.memo.pop(id(e), None)
        self.pins.pop(id(e), None)


class _LatexPrinter:
    """Memoised per node; a node's LaTeX is dropped once every parent has been printed.

    Recursion takes two Python frames per level of the expression (``fmt`` → ``power``,
    ``function``... → ``fmt``; three through a sum or product) and never goes through C, so
    :func:`deep_recursion` covers expressions 20,000 levels deep.
    """

    def __init__(self, root: Expr) -> None:
        # Keyed by node, not id: an entry holds layout's temporary nodes alive.
        self.memo: dict[Expr, tuple[str, int]] = {}
        self.parents = _parent_counts(root)  # ids of the DAG's nodes -> parents not printed
        self.released: set[int] = set()
        self.after: dict[Expr, tuple[list[Expr], list[Expr]]] = {}  # see product()
        self.plain = _KeyText(root)

    def latex(self, e: Expr) -> str:
        return self.fmt(e)[0]

    def fmt(self, e: Expr) -> tuple[str, int]:
        hit = self.memo.get(e)
        if hit is not None:
            return hit
        if isinstance(e, Const):
            hit = number_latex(e.value)
        elif isinstance(e, NamedConst):
            hit = ("\\" + e.name if e.name in GREEK else e.name), P.ATOM
        elif isinstance(e, Symbol):
            hit = symbol_latex(e.name), P.ATOM
        elif e.prim.name == "add":  # dispatched here, not in a helper: a frame less a level
            hit = self.sum(e), P.ADD
        elif e.prim.name == "mul" or _is_reciprocal(e):
            hit = self.product(e)
        elif e.prim.name == "pow":
            hit = self.power(e)
        else:
            hit = self.function(e)
        if len(hit[0]) > MAX_TEXT_CHARS:
            raise _too_large(e)
        self.memo[e] = hit
        self.key_text(e)  # keeps the text printer one level behind: it never recurses deeply
        self.release(e)
        return hit

    # -- memo, keys and releases ---------------------------------------------------------
    def key_text(self, e: Expr) -> str:
        """The text printer's text for ``e``, the tie-break of term and factor order."""
        try:
            return self.plain.text(e)
        except BudgetError:
            raise _too_large(e) from None

    def keyed(self, nodes: list[Expr]) -> dict[Expr, str]:
        """Print ``nodes`` and return their sort keys (all computed before any sorting)."""
        keys = {}
        for n in nodes:
            self.fmt(n)
            keys[n] = self.key_text(n)
        return keys

    def release(self, e: Expr) -> None:
        """``e`` is printed: forget children it was the last parent of, and temporaries."""
        replaced, temporaries = self.after.pop(e, ((), ()))
        for node in (e, *replaced):
            if id(node) not in self.parents or id(node) in self.released:
                continue  # a temporary, or already counted
            self.released.add(id(node))
            for arg in set(node.args):
                self.parents[id(arg)] -= 1
                if self.parents[id(arg)] == 0:
                    self.forget(arg)
        for t in temporaries:
            self.forget(t)

    def forget(self, e: Expr) -> None:
        self.memo.pop(e, None)
        self.plain.forget(e)

    def wrap(self, e: Expr, min_prec: int) -> str:
        text, prec = self.fmt(e)
        return rf"\left({text}\right)" if prec < min_prec else text

    # -- sums and products ---------------------------------------------------------------
    def sum(self, e: Apply) -> str:
        keys = self.keyed(list(e.args))
        out = ""
        for i, term in enumerate(layout.ordered_terms(e, keys.__getitem__)):
            text = self.fmt(term)[0]
            if i == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:]
            else:
                out += " + " + text
        return out

    def product(self, e: Apply) -> tuple[str, int]:
        coeff, num, den = layout.split_fraction(e)
        sign = "-" if coeff < 0 else ""
        prec = P.NEG if sign else P.MUL
        coeff = abs(coeff)
        top_coeff = coeff.numerator if isinstance(coeff, Fraction) else coeff
        bottom_coeff = coeff.denominator if isinstance(coeff, Fraction) else 1
        self.after[e] = self.split_nodes(e, num + den)
        keys = self.keyed(num + den)
        top = self.factors(top_coeff, num, keys)
        if not den and bottom_coeff == 1:
            return sign + top, prec
        return rf"{sign}\frac{{{top}}}{{{self.factors(bottom_coeff, den, keys)}}}", prec

    def split_nodes(self, e: Expr, shown: list[Expr]) -> tuple[list[Expr], list[Expr]]:
        """The factors of ``e`` layout replaced, and the temporary nodes it made for them."""
        shown_ids = {id(f) for f in shown}
        factors = e.args if build.is_mul(e) else ()
        replaced = [f for f in factors if id(f) not in shown_ids]
        temporaries, stack = [], [f for f in shown if id(f) not in self.parents]
        while stack:
            t = stack.pop()
            temporaries.append(t)
            stack.extend(a for a in t.args if id(a) not in self.parents)
        return replaced, temporaries

    def factors(self, coeff: Number, factors: list[Expr], keys: dict[Expr, str]) -> str:
        """``2 x^{2} \\sin\\left(x\\right)``; a lone factor is never parenthesised."""
        ordered = sorted(factors, key=lambda f: (layout.factor_rank(f), keys[f]))
        show = coeff != 1 or isinstance(coeff, float) or not ordered  # -1.0x is not -x
        parts = [_number_text(coeff)] if show else []
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
        base, exp = e.args
        if layout.root_of(e) is not None:
            return rf"\sqrt{{{self.fmt(base)[0]}}}", P.ATOM
        if _power_on_head(base, exp):  # \sin^{2}\left(x\right): the power on the name
            head = FUNCTION_NAMES[base.prim.name]
            rest = self.fmt(base)[0][len(head):]
            return rf"{head}^{{{self.fmt(exp)[0]}}}{rest}", P.ATOM
        return rf"{self.wrap(base, P.ATOM)}^{{{self.fmt(exp)[0]}}}", P.POW

    def function(self, e: Apply) -> tuple[str, int]:
        name = e.prim.name
        args = []
        for a in e.args:  # a loop, not a generator inside join: no recursion through C
            args.append(self.fmt(a)[0])
        if name == "exp":
            return rf"e^{{{args[0]}}}", P.POW
        if name == "abs":
            return rf"\left|{args[0]}\right|", P.ATOM
        if name in ("sqrt", "cbrt"):
            return (r"\sqrt{" if name == "sqrt" else r"\sqrt[3]{") + args[0] + "}", P.ATOM
        if name == "log" and len(args) == 2:
            return rf"\log_{{{args[1]}}}\left({args[0]}\right)", P.ATOM
        head = FUNCTION_NAMES.get(name) or e.prim.latex_name or rf"\operatorname{{{name}}}"
        return rf"{head}\left({', '.join(args)}\right)", P.ATOM


def _is_reciprocal(e: Apply) -> bool:
    """A power with a negative exponent, printed as a fraction: ``x^-2 → 1/x^2``."""
    return e.prim.name == "pow" and layout._is_negative_exponent(e.args[1])


def _power_on_head(base: Expr, exp: Expr) -> bool:
    return (isinstance(base, Apply) and base.prim.name in POWER_ON_HEAD
            and isinstance(exp, Const) and isinstance(exp.value, Fraction)
            and exp.value.denominator == 1 and exp.value > 0)


def _parent_counts(root: Expr) -> dict[int, int]:
    """How many distinct parents each node of the DAG has (the root: 0)."""
    counts: dict[int, int] = {}
    for node in root.walk():
        counts.setdefault(id(node), 0)
        for arg in set(node.args):
            counts[id(arg)] = counts.get(id(arg), 0) + 1
    return counts


def _too_large(e: Expr) -> BudgetError:
    return BudgetError(
        f"the expression is too large to print as LaTeX ({e.node_count()} distinct nodes); "
        f"use node_count() or the JSON DAG form instead")


def _number_text(value: Number) -> str:
    return number_latex(value)[0]


def _needs_dot(prev: str, part: str) -> bool:
    r"""``\cdot`` where juxtaposition would read as one number: ``2 \cdot 3^{x}``."""
    return part[:1].isdigit() or bool(_SCIENTIFIC.match(prev))

