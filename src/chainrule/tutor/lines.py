"""A learner's line: an expression that may still hold derivatives not yet taken.

The learner writes ``cos(x^2) * d/dx [x^2]`` or ``cos(x^2) * (x^2)'``. Each pending derivative
is read as a placeholder symbol (a letter no learner types) standing for ``d/dx [g]``; the
:class:`Line` keeps the map from placeholder to ``g``, so the line can be completed (each
pending derivative taken by the engine) or printed back with ``d/dx [g]`` in place.

>>> line = read_line("cos(x^2) * d/dx [x^2]", "x")
>>> [str(g) for g in line.pending]
['x^2']
>>> str(line.completed())
'2x*cos(x^2)'
>>> line.text()
'd/dx [x^2]*cos(x^2)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainrule.core.build import symbol
from chainrule.core.expr import Expr, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import ParseError
from chainrule.printing.latex import to_latex
from chainrule.symbolic.api import diff, parse

PLACEHOLDER = "Ɗ"
"""The letter of placeholder names (``Ɗ_1``, ``Ɗ_2``, …): a letter to the parser, typed by
no learner."""
OPENERS = {"[": "]", "(": ")"}


@dataclass(frozen=True)
class Line:
    """A parsed line: ``expr`` with placeholders, ``parts`` mapping each to the ``g`` of its
    pending ``d/d<wrt> [g]``."""

    expr: Expr
    parts: tuple[tuple[Symbol, Expr], ...]
    wrt: str

    @property
    def pending(self) -> list[Expr]:
        """The functions whose derivatives are still to be taken, in order of appearance."""
        return [g for _, g in self.parts]

    def completed(self) -> Expr:
        """The line with every pending derivative taken (what the line is equal to)."""
        if not self.parts:
            return self.expr
        return substitute(self.expr, {p: diff(g, self.wrt) for p, g in self.parts})

    def text(self) -> str:
        """The line in chainrule's syntax, pending derivatives as ``d/dx [g]``."""
        out = re.sub(r"(\d)" + PLACEHOLDER, r"\1 " + PLACEHOLDER, str(self.expr))
        for p, g in self.parts:
            out = out.replace(p.name, f"d/d{self.wrt} [{g}]")
        return out

    def latex(self) -> str:
        out = to_latex(self.expr)
        for p, g in self.parts:
            out = out.replace(to_latex(p), rf"\frac{{d}}{{d{self.wrt}}}\left[{to_latex(g)}\right]")
        return out


def placeholder(k: int) -> Symbol:
    """The ``k``-th placeholder symbol."""
    return symbol(f"{PLACEHOLDER}_{k}")


def read_line(text: str, wrt: str) -> Line:
    """Parse a learner's line; a leading ``=`` or a written-out left side is dropped."""
    body = _right_side(text)
    if PLACEHOLDER in body:
        raise ParseError(f"the letter {PLACEHOLDER} is reserved", text=text)
    pieces: list[str] = []
    parts: list[tuple[Symbol, Expr]] = []
    i = 0
    for start, end, inner in _pending(body, wrt):
        p = placeholder(len(parts) + 1)
        pieces.append(body[i:start] + f" {p.name} ")
        parts.append((p, _parse_inner(inner, text, wrt)))
        i = end
    pieces.append(body[i:])
    source = "".join(pieces)
    if not source.strip():
        raise ParseError("the line is empty", text=text)
    return Line(parse(source), tuple(parts), wrt)


def _parse_inner(inner: str, text: str, wrt: str) -> Expr:
    if _DERIVATIVE.search(inner) or "'" in inner:
        raise ParseError("take one derivative at a time: a d/d" + wrt + " inside another "
                         "is not read", text=text)
    return parse(inner)


def _right_side(text: str) -> str:
    """The text after the last ``=`` outside brackets (the whole text if there is none)."""
    depth, cut = 0, -1
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            cut = i
    return text[cut + 1:]


_DERIVATIVE = re.compile(r"d\s*/\s*d\s*([^\W\d_]\w*)\s*")


def _pending(body: str, wrt: str):
    """``(start, end, inner text)`` of each pending derivative, left to right."""
    spans = []
    for m in _DERIVATIVE.finditer(body):
        if m.group(1) != wrt:
            raise ParseError(f"this line differentiates by {wrt}, not {m.group(1)}: write "
                             f"d/d{wrt}", m.start() + 1, text=body)
        opener = body[m.end():m.end() + 1]
        if opener not in OPENERS:
            raise ParseError(f"put what d/d{wrt} applies to in brackets: d/d{wrt} [ … ]",
                             m.end() + 1, text=body)
        close = _matching(body, m.end())
        spans.append((m.start(), close + 1, body[m.end() + 1:close]))
    for m in re.finditer(r"\)\s*'", body):
        close = m.start()
        start = _opening(body, close)
        spans.append((start, m.end(), body[start + 1:close]))
    spans.sort()
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ParseError("take one derivative at a time: nested derivatives are not read",
                             start + 1, text=body)
    return spans


def _matching(text: str, at: int) -> int:
    """The index of the bracket closing the one at ``at``."""
    want, depth = OPENERS[text[at]], 0
    for i in range(at, len(text)):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
            if depth == 0:
                if text[i] != want:
                    break
                return i
    raise ParseError("a bracket after d/dx is not closed", at + 1, text=text)


def _opening(text: str, at: int) -> int:
    """The index of the ``(`` that the ``)`` at ``at`` closes."""
    depth = 0
    for i in range(at, -1, -1):
        if text[i] in ")]":
            depth += 1
        elif text[i] in "([":
            depth -= 1
            if depth == 0:
                return i
    raise ParseError("a ')' before ' has no '('", at + 1, text=text)
