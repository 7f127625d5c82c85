"""A derivation as HTML for notebooks: nested collapsible ``<details>`` lists, MathML maths.

Each step shows its rule and the equation it establishes (the same statement as the text and
LaTeX renderers, :func:`chainrule.explain.render.statement`, drawn as MathML); a step with
substeps opens to show them. Rule names, notes and every name inside the maths are escaped.
A step shared by several parents is listed once and referred to afterwards, and at most
:data:`MAX_STEPS` steps are drawn (a note says when the list was cut).

Building and drawing are apart: :func:`derivation_tree` gives the tree as data in the shape of
the explorer's step JSON (rule, MathML equation, rewrite, note, substeps, id or ref), and
:func:`derivation_html` only draws that data, so the page and the notebook show one tree.

>>> import chainrule
>>> page = derivation_html(chainrule.steps("x^2 * sin(x)"))
>>> page.count("Product rule"), "<details" in page, "<math" in page
(1, True, True)
"""

from __future__ import annotations

import re
from typing import Any

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


def _note(step: Step) -> str:
    if step.let is not None and step.rule == "Chain rule":
        return f"let u = {step.let}"
    return "" if step.note.startswith("the outer function") else step.note


def derivation_tree(d: Derivation, hide: list[str], detail: str) -> dict[str, Any]:
    """The step tree as data, shaped like the explorer's JSON: ``orders`` (each a root node
    with a ``title``), ``truncated`` and ``shown``; a node has ``rule``, ``mathml`` (its
    equation), ``rewrite``, ``note``, ``substeps`` and an ``id``, or a ``ref`` to the node it
    repeats."""
    hidden = render.hidden_rules(frozenset(hide), detail)
    seen: dict[int, str] = {}
    count = 0
    truncated = False

    def node(step: Step, label: str) -> dict[str, Any] | None:
        nonlocal count, truncated
        if count >= MAX_STEPS:
            truncated = True
            return None
        count += 1
        out: dict[str, Any] = {"rule": step.rule, "mathml": statement_html(step)}
        if id(step) in seen:
            out["ref"] = seen[id(step)]
            return out
        seen[id(step)] = out["id"] = label
        for key, value in (("rewrite", step.rewrite), ("note", _note(step))):
            if value:
                out[key] = value
        kids = [node(c, f"{label}.{i + 1}") for i, c in enumerate(_visible(step.substeps,
                                                                           hidden))]
        if any(kids):
            out["substeps"] = [k for k in kids if k]
        return out

    orders = []
    for k, tree in enumerate(d.orders):
        root = node(tree, str(k + 1))
        if root is not None:
            root["title"] = render.order_title(k)
            orders.append(root)
    return {"orders": orders, "truncated": truncated, "shown": count}


class _Drawer:
    """Draws the tree's nodes as nested lists, numbered like the text renderer."""

    def __init__(self, single_order: bool) -> None:
        self.single_order = single_order

    def label(self, label: str) -> str:
        # ids carry the order first ("1.2"); one derivative is numbered without it ("2")
        return label.partition(".")[2] if self.single_order else label

    def items(self, nodes: list[dict[str, Any]], top: bool = False) -> str:
        if not nodes:
            return ""
        return '<ol class="chainrule-steps">' + "".join(
            self.item(n, top) for n in nodes) + "</ol>"

    def item(self, n: dict[str, Any], top: bool) -> str:
        math = n.get("mathml") or f"<code>{escape(n.get('statement', ''))}</code>"
        number = self.label(n.get("id") or n["ref"])
        head = f"<b>{escape(number)}. {escape(n['rule'])}</b>: {math}"
        if "ref" in n:
            return f"<li>{head} <i>(as in step {escape(number)})</i></li>"
        text = "; ".join(n[k] for k in ("rewrite", "note") if n.get(k))
        body = (f'<div class="chainrule-note">{escape(text)}</div>' if text else "") + \
            self.items(n.get("substeps", []))
        if not body:
            return f"<li>{head}</li>"
        return f"<li>{details(Markup(head), body, open_=top)}</li>"


def derivation_html(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                    detail: str = "normal") -> str:
    """The derivation as nested collapsible lists, ending with the answer."""
    data = derivation_tree(d, sorted(hide), detail)
    drawer = _Drawer(single_order=d.order == 1)
    question = mathml.derivative_operator(d.wrt, d.order) + mathml.parens(
        _fragment(d.expr), "[", "]")
    parts = [f'<div class="chainrule-derivation"><p>{mathml.math_element(question)}</p>']
    for root in data["orders"]:
        steps = drawer.items(root.get("substeps", []), top=True)
        if d.order > 1:
            summary = f"{escape(root['title'])}: {root.get('mathml') or ''}"
            steps = details(Markup(summary), steps, open_=True)
        parts.append(steps)
    if data["truncated"]:
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
