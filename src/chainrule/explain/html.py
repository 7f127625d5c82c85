"""A derivation as HTML for notebooks: nested collapsible ``<details>`` lists, MathML maths.

Each step shows its rule and the equation it establishes (the same statement as the text and
LaTeX renderers, :func:`chainrule.explain.render.statement`, drawn as MathML); a step with
substeps opens to show them. Rule names, notes and every name inside the maths are escaped.
A step shared by several parents is listed once and referred to afterwards, and at most
:data:`MAX_STEPS` steps are drawn (a note says when the list was cut).

>>> import chainrule
>>> page = derivation_html(chainrule.steps("x^2 * sin(x)"))
>>> page.count("Product rule"), "<details" in page, "<math" in page
(1, True, True)
"""

from __future__ import annotations

import re

from chainrule.core.expr import Expr
from chainrule.errors import BudgetError
from chainrule.explain import render
from chainrule.printing import mathml
from chainrule.printing.html import Markup, details, escape
from chainrule.symbolic.steps import Derivation, Step

MAX_STEPS = 400
"""Most steps drawn for one derivation; past that the list is cut and says so."""
MAX_MATH_CHARS = 20_000
"""Longest MathML of one statement; a longer one is shown as (shortened) text."""

_LHS = {  # the left sides of logarithmic differentiation's stages
    "ln|y|": f"<mi>ln</mi>{mathml.APPLY}{mathml.parens('<mi>y</mi>', '|', '|')}",
    "ln(y)": f"<mi>ln</mi>{mathml.APPLY}{mathml.parens('<mi>y</mi>')}",
    "(1/y)·y′": "<mfrac><mn>1</mn><mi>y</mi></mfrac><mo>&#x2062;</mo>"
                "<msup><mi>y</mi><mo>′</mo></msup>",
    "y′": "<msup><mi>y</mi><mo>′</mo></msup>",
}
_GLUE = re.compile(r"[A-Za-z_]\w*|\S")
_SLOT = "\x00"


class _MathML:
    """A statement format whose pieces are slots, so the glue between them (`` = ``,
    ``, with u = ``) can be turned into MathML operators and names afterwards."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def _slot(self, markup: str) -> str:
        self.pieces.append(markup)
        return f"{_SLOT}{len(self.pieces) - 1}{_SLOT}"

    def expr(self, e: Expr) -> str:
        return self._slot(mathml.fragment(e, MAX_MATH_CHARS))

    def d(self, var: str, e: Expr) -> str:
        operator = mathml.derivative_operator(var)
        return self._slot(operator + mathml.parens(mathml.fragment(e, MAX_MATH_CHARS), "[", "]"))

    def lhs(self, text: str) -> str:
        return self._slot(_LHS.get(text, f"<mtext>{escape(text)}</mtext>"))

    def word(self, w: str) -> str:
        return self._slot(f'<mspace width="0.5em"/><mtext>{escape(w)}</mtext>'
                          '<mspace width="0.5em"/>')

    def assemble(self, statement: str) -> str:
        out: list[str] = []
        for k, part in enumerate(statement.split(_SLOT)):
            if k % 2:
                out.append(self.pieces[int(part)])
            else:  # glue text: names become <mi>, everything else an operator
                out += [mathml.symbol_mathml(t) if t[0].isalpha() or t[0] == "_"
                        else f"<mo>{escape(t)}</mo>" for t in _GLUE.findall(part)]
        return mathml.math_element("".join(out))


def statement_html(step: Step) -> str:
    """The equation ``step`` establishes as a MathML ``<math>`` element (escaped text in
    ``<code>`` when it is too large to draw)."""
    fmt = _MathML()
    try:
        return fmt.assemble(render.statement(step, fmt))
    except BudgetError:
        text = f"{step.expr} → {step.result}"
        return f"<code>{escape(text[:2000] + (' …' if len(text) > 2000 else ''))}</code>"


def _visible(steps: list[Step], hidden: frozenset[str]) -> list[Step]:
    """The steps to list: a hidden rule's step is replaced by its own visible substeps."""
    out: list[Step] = []
    for s in steps:
        if s.rule in hidden or s.rule.lower() in hidden:
            out.extend(_visible(s.substeps, hidden))
        else:
            out.append(s)
    return out


def _notes(step: Step) -> str:
    notes = [step.rewrite]
    if step.let is not None and step.rule == "Chain rule":
        notes.append(f"let u = {step.let}")
    elif not step.note.startswith("the outer function"):
        notes.append(step.note)
    text = "; ".join(n for n in notes if n)
    return f'<div class="chainrule-note">{escape(text)}</div>' if text else ""


class _Lister:
    """Draws one derivation's steps, numbering them and remembering the ones shared."""

    def __init__(self, hidden: frozenset[str]) -> None:
        self.hidden = hidden
        self.seen: dict[int, str] = {}
        self.count = 0
        self.truncated = False

    def children(self, step: Step, prefix: str, top: bool = False) -> str:
        items = [self.item(c, f"{prefix}{n}", top) for n, c in
                 enumerate(_visible(step.substeps, self.hidden), start=1)]
        items = [i for i in items if i]
        return f'<ol class="chainrule-steps">{"".join(items)}</ol>' if items else ""

    def item(self, step: Step, label: str, top: bool) -> str:
        if self.count >= MAX_STEPS:
            self.truncated = True
            return ""
        self.count += 1
        head = f"<b>{escape(label)}. {escape(step.rule)}</b>: {statement_html(step)}"
        if id(step) in self.seen:
            return f"<li>{head} <i>(as in step {escape(self.seen[id(step)])})</i></li>"
        self.seen[id(step)] = label
        body = _notes(step) + self.children(step, label + ".")
        if not body:
            return f"<li>{head}</li>"
        return f"<li>{details(Markup(head), body, open_=top)}</li>"


def derivation_html(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                    detail: str = "normal") -> str:
    """The derivation as nested collapsible lists, ending with the answer."""
    lister = _Lister(render.hidden_rules(hide, detail))
    question = mathml.derivative_operator(d.wrt, d.order) + mathml.parens(
        _fragment(d.expr), "[", "]")
    parts = [f'<div class="chainrule-derivation"><p>{mathml.math_element(question)}</p>']
    for k, tree in enumerate(d.orders):
        steps = lister.children(tree, f"{k + 1}." if d.order > 1 else "", top=True)
        if d.order > 1:
            summary = f"{render.order_title(k)}: " + mathml.math_element(
                _fragment(tree.result))
            steps = details(Markup(summary), steps, open_=True)
        parts.append(steps)
    if lister.truncated:
        parts.append(f"<p><i>… only the first {MAX_STEPS} steps are shown</i></p>")
    answer = mathml.math_element(question + "<mo>=</mo>" + _fragment(d.result))
    parts.append(f"<p><b>Answer</b>: {answer}</p></div>")
    return "".join(parts)


def _fragment(e: Expr) -> str:
    try:
        return mathml.fragment(e, MAX_MATH_CHARS)
    except BudgetError:  # too large to draw: its (shortened) text instead
        text = str(e)
        return f"<mtext>{escape(text[:2000] + (' …' if len(text) > 2000 else ''))}</mtext>"
