"""A derivation for a page: the JSON tree with each statement also as MathML, and HTML.

The same tree as :func:`chainrule.explain.render.to_dict` (hidden rules leave their substeps
in place; a step shared by several parents is shown once and referred to afterwards), with a
``mathml`` statement per step so the browser draws real fractions and powers, and a cap on
how much is sent. :func:`render_html` draws the same tree as nested lists (for notebooks).

>>> import chainrule
>>> data = derivation_dict(chainrule.steps("x^3"), [], "normal")
>>> data["orders"][0]["substeps"][0]["kind"], data["rules"]
('PowerRule', ['Differentiate', 'Power rule'])
>>> "<math" in data["orders"][0]["substeps"][0]["mathml"]
True
"""

from __future__ import annotations

import html
from typing import Any

from chainrule.errors import BudgetError
from chainrule.explain.formats import TEXT, MathMLFormat
from chainrule.explain.render import hidden_rules, order_title, shown_substeps
from chainrule.explain.statements import note, rewrite, statement
from chainrule.printing import mathml
from chainrule.symbolic.steps import Derivation, Step

MAX_STEPS = 400
"""Most steps sent for one derivation; past that the tree is cut and says so."""
MAX_STATEMENT_CHARS = 4_000
"""Longest text statement of one step (longer ones are cut, ending with "…")."""


def step_mathml(step: Step, printer: MathMLFormat | None = None) -> str | None:
    """The ``<math>`` element of the step's equation; None when it is too large to draw."""
    try:
        return mathml.math_element(statement(step, printer or MathMLFormat()))
    except BudgetError:  # too large to draw: the page shows the (shortened) text
        return None


def derivation_dict(d: Derivation, hide: list[str], detail: str) -> dict[str, Any]:
    """The derivation's step tree with text and MathML statements, and the rules it used."""
    hidden = hidden_rules(frozenset(hide), detail)
    printer = MathMLFormat()
    seen: dict[int, str] = {}
    count = 0
    truncated = False

    def node(step: Step, label: str) -> dict[str, Any] | None:
        nonlocal count, truncated
        if count >= MAX_STEPS:
            truncated = True
            return None
        count += 1
        out: dict[str, Any] = {"kind": type(step).__name__, "rule": step.rule,
                               "statement": _short(statement(step, TEXT)),
                               "mathml": step_mathml(step, printer)}
        if id(step) in seen:
            out["ref"] = seen[id(step)]
            return out
        seen[id(step)] = label
        out["id"] = label
        for key, value in (("rewrite", rewrite(step)), ("note", note(step))):
            if value:
                out[key] = value
        kids = shown_substeps(step, hidden)
        subs = [n for n in (node(c, f"{label}.{i + 1}") for i, c in enumerate(kids)) if n]
        if subs:
            out["substeps"] = subs
        return out

    orders = []
    for k, tree in enumerate(d.orders):
        root = node(tree, str(k + 1))
        if root is not None:
            root["title"] = order_title(k)
            orders.append(root)
    rules = d.rules_used()
    return {"orders": orders, "rules": rules,
            "hidden": [r for r in rules if r in hidden or r.lower() in hidden],
            "truncated": truncated, "shown": count}


def render_html(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                detail: str = "normal") -> str:
    """The derivation as nested ``<ol>`` lists: rule name, MathML equation, rewrite, note."""
    data = derivation_dict(d, sorted(hide), detail)

    def items(nodes: list[dict[str, Any]]) -> str:
        out = []
        for n in nodes:
            math = n["mathml"] or f"<code>{html.escape(n['statement'])}</code>"
            extra = "; ".join(html.escape(n[k]) for k in ("rewrite", "note") if n.get(k))
            kids = f"<ol>{items(n['substeps'])}</ol>" if n.get("substeps") else ""
            out.append(f'<li class="step {n["kind"]}"><b>{html.escape(n["rule"])}</b>: {math}'
                       + (f"<br><small>{extra}</small>" if extra else "") + kids + "</li>")
        return "".join(out)

    body = "".join(f"<p>{html.escape(o['title'])}</p><ol>{items(o.get('substeps', []))}</ol>"
                   for o in data["orders"])
    answer = mathml.to_mathml(d.result)
    return f'<div class="chainrule-steps">{body}<p>Answer: {answer}</p></div>'


def _short(text: str) -> str:
    return text if len(text) <= MAX_STATEMENT_CHARS else text[:MAX_STATEMENT_CHARS] + " …"
