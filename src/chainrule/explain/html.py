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

from typing import Any

from chainrule.core.expr import Expr
from chainrule.errors import BudgetError
from chainrule.explain.page import MAX_STEPS, derivation_dict
from chainrule.printing import mathml
from chainrule.printing.html import Markup, details, escape
from chainrule.symbolic.steps import Derivation

MAX_MATH_CHARS = 20_000
"""Longest MathML of one statement; a longer one is shown as (shortened) text."""


def derivation_tree(d: Derivation, hide: list[str], detail: str) -> dict[str, Any]:
    """The step tree as data: the explorer's JSON (:func:`.page.derivation_dict`)."""
    return derivation_dict(d, hide, detail)


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
