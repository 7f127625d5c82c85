"""A derivation as JSON for the page: each step's statement as text and as MathML.

The same tree as :func:`chainrule.explain.render.to_dict` (hidden rules leave their substeps
in place; a step shared by several parents is shown once and referred to afterwards), with
a ``mathml`` statement per step so the browser draws real fractions and powers.
"""

from __future__ import annotations

from typing import Any

from chainrule.core.build import symbol
from chainrule.core.expr import Expr
from chainrule.core.substitute import substitute
from chainrule.errors import BudgetError
from chainrule.explain import render
from chainrule.printing import mathml
from chainrule.symbolic.steps import Derivation, Step

MAX_STEPS = 400
"""Most steps sent for one derivation; past that the tree is cut and says so."""
MAX_STEP_CHARS = 100_000
"""Longest MathML of one expression inside a step (longer: ``mathml`` is null)."""
MAX_STATEMENT_CHARS = 4_000
"""Longest text statement of one step (longer ones are cut, ending with "…")."""

_LHS = {
    "ln|y|": f"<mrow><mi>ln</mi>{mathml.APPLY}{mathml.parens('<mi>y</mi>', '|', '|')}</mrow>",
    "(1/y)·y′": ("<mfrac><mn>1</mn><mi>y</mi></mfrac><mo>&#x2062;</mo>"
                 "<msup><mi>y</mi><mo>′</mo></msup>"),
    "y′": "<msup><mi>y</mi><mo>′</mo></msup>",
}


class _Printer:
    """MathML of the expressions of one derivation, each printed once."""

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

    def statement(self, step: Step) -> str:
        """MathML of the equation ``step`` establishes (see :func:`render.statement`)."""
        if step.lhs:
            lhs = _LHS.get(step.lhs, f"<mtext>{_escape(step.lhs)}</mtext>")
            return _eq(lhs, self.expr(step.result))
        if step.rule == "Simplify":
            return _eq(self.expr(step.expr), self.expr(step.result))
        if step.let is not None and step.note.startswith("the outer function"):
            u = symbol(render._inner_name(step))
            outer = substitute(step.expr, {step.let: u})
            value = substitute(step.result, {step.let: u})
            return (_eq(self.d(u.name, outer), self.expr(value)) + "<mo>,</mo><mspace "
                    'width="1em"/><mtext>with</mtext><mspace width="0.5em"/>'
                    + _eq(mathml.symbol_mathml(u.name), self.expr(step.let)))
        return _eq(self.d(step.wrt, step.expr), self.expr(step.result))


def derivation_dict(d: Derivation, hide: list[str], detail: str) -> dict[str, Any]:
    """The derivation's step tree with text and MathML statements, and the rules it used."""
    hidden = render.hidden_rules(frozenset(hide), detail)
    printer = _Printer()
    seen: dict[int, str] = {}
    count = 0
    truncated = False

    def node(step: Step, label: str) -> dict[str, Any] | None:
        nonlocal count, truncated
        if count >= MAX_STEPS:
            truncated = True
            return None
        count += 1
        out: dict[str, Any] = {"rule": step.rule, "statement": _short(
            render.statement(step, render._TextFormat))}
        try:
            out["mathml"] = mathml.math_element(printer.statement(step))
        except BudgetError:  # too large to draw: the page shows the (shortened) text
            out["mathml"] = None
        if id(step) in seen:
            out["ref"] = seen[id(step)]
            return out
        seen[id(step)] = label
        out["id"] = label
        for key, value in (("rewrite", step.rewrite), ("note", render._note(step,
                                                                             render._TextFormat))):
            if value:
                out[key] = value
        kids = render._visible(step.substeps, hidden)
        subs = [n for n in (node(c, f"{label}.{i + 1}") for i, c in enumerate(kids)) if n]
        if subs:
            out["substeps"] = subs
        return out

    orders = []
    for k, tree in enumerate(d.orders):
        root = node(tree, str(k + 1))
        if root is not None:
            root["title"] = render.order_title(k)
            orders.append(root)
    rules = d.rules_used()
    return {"orders": orders, "rules": rules,
            "hidden": [r for r in rules if r in hidden or r.lower() in hidden],
            "truncated": truncated, "shown": count}


def _short(text: str) -> str:
    return text if len(text) <= MAX_STATEMENT_CHARS else text[:MAX_STATEMENT_CHARS] + " …"


def _eq(lhs: str, rhs: str) -> str:
    return f"{lhs}<mo>=</mo>{rhs}"


def _escape(text: str) -> str:
    import html
    return html.escape(text)
