"""Renderers for step trees: indented text, LaTeX, and JSON-ready dicts.

Building the tree (:mod:`chainrule.symbolic.differentiate`) and showing it are separate: these
functions only read :class:`~chainrule.symbolic.steps.Step` records, and what each kind of step
says comes from :mod:`chainrule.explain.statements` (by class). The page's MathML form and
HTML are in :mod:`chainrule.explain.page`. A step shared by several parents (the derivative is
a DAG) is shown once and referred to afterwards.

Detail levels hide rules a learner already knows: ``"full"`` shows everything, ``"normal"``
hides the constant and identity rules, ``"brief"`` (about what a teacher writes) also hides
the sum and constant-multiple rules, the outer steps of chain rules and the heading line of
logarithmic differentiation (its stages show). ``hide`` names further rules to hide; their
substeps still show.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from chainrule.core.primitive import Primitive
from chainrule.errors import ChainruleError
from chainrule.explain.formats import LATEX, TEXT, escape_latex
from chainrule.explain.rules import DETAIL_HIDES, OUTER_FUNCTION, WORKING, resolve_hide
from chainrule.explain.statements import left_side, note, rewrite, statement
from chainrule.symbolic.steps import Derivation, RecordRule, Step

ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
            "Ninth", "Tenth"]


def hidden_rules(hide: frozenset[str] | set[str], detail: str) -> frozenset[str]:
    """The rule names to leave out, from a detail level plus explicit names."""
    if detail not in DETAIL_HIDES:
        raise ChainruleError(f"unknown detail level {detail!r}; use full, normal or brief")
    return DETAIL_HIDES[detail] | resolve_hide(hide)


def is_hidden(step: Step, hide: frozenset[str]) -> bool:
    """Whether the step's rule (or its kind's name) is one of the names in ``hide`` (any
    letter case); an outer step of a chain rule also answers to :data:`OUTER_FUNCTION`."""
    for name in (step.rule, step.name):
        if name in hide or name.lower() in hide:
            return True
    outer = isinstance(step, RecordRule) and step.at is not None
    return outer and (OUTER_FUNCTION in hide or OUTER_FUNCTION.lower() in hide)


def order_title(k: int) -> str:
    """The heading of the (k+1)-th derivative: "First derivative", …"""
    return (ORDINALS[k] if k < len(ORDINALS) else f"Order {k + 1}") + " derivative"


def shown_substeps(step: Step, hidden: frozenset[str]) -> list[Step]:
    """The substeps to show under ``step`` (none when its working is hidden)."""
    if step.working and (WORKING in hidden or WORKING.lower() in hidden):
        return []
    return visible(step.substeps, hidden)


def visible(steps: list[Step], hidden: frozenset[str]) -> list[Step]:
    """The steps to show: a hidden step is replaced by its (visible) substeps."""
    out: list[Step] = []
    for s in steps:
        out.extend(visible(s.substeps, hidden) if is_hidden(s, hidden) else [s])
    return out


# -- text ------------------------------------------------------------------------------

def render_text(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                detail: str = "normal") -> str:
    """The derivation as numbered, indented lines ending with the answer.

    >>> from chainrule.symbolic.api import steps
    >>> print(render_text(steps("sin(x^2)")))
    d/dx [sin(x^2)]
    1. Chain rule: d/dx [sin(x^2)] = 2x*cos(x^2)
       d/dx f(u) = f′(u)·u′; let u = x^2
      1.1. Sine rule: d/du [sin(u)] = cos(u), with u = x^2
         d/dx sin(u) = cos(u)·u′
      1.2. Power rule: d/dx [x^2] = 2x
         d/dx u^n = n·u^(n−1)·u′
    Answer: 2x*cos(x^2)
    """
    hidden = hidden_rules(hide, detail)
    lines = [f"d/d{d.wrt} [{d.expr}]" + (f"  (order {d.order})" if d.order > 1 else "")]
    seen: dict[int, str] = {}
    for k, tree in enumerate(d.orders):
        if d.order > 1:
            lines.append(f"{order_title(k)}: d/d{d.wrt} [{tree.expr}]")
        _text_children(tree, "", 1 if d.order > 1 else 0, hidden, seen, lines)
        if d.order > 1:
            lines.append(f"  = {tree.result}")
    lines.append(f"Answer: {d.result}")
    return "\n".join(lines)


def _text_children(step: Step, prefix: str, depth: int, hidden: frozenset[str],
                   seen: dict[int, str], lines: list[str]) -> None:
    for n, child in enumerate(shown_substeps(step, hidden), start=1):
        _text_step(child, f"{prefix}{n}", depth, hidden, seen, lines)


def _text_step(step: Step, label: str, depth: int, hidden: frozenset[str],
               seen: dict[int, str], lines: list[str]) -> None:
    pad = "  " * depth
    if id(step) in seen:
        lines.append(f"{pad}{label}. {step.rule}: {statement(step, TEXT)}"
                     f"  (as in step {seen[id(step)]})")
        return
    seen[id(step)] = label
    lines.append(f"{pad}{label}. {step.rule}: {statement(step, TEXT)}")
    extra = [t for t in (rewrite(step), note(step)) if t]
    if extra:
        lines.append(f"{pad}   " + "; ".join(extra))
    _text_children(step, label + ".", depth + 1, hidden, seen, lines)


# -- LaTeX -----------------------------------------------------------------------------

def render_latex(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                 detail: str = "normal") -> str:
    """The derivation as a LaTeX ``array`` of rule lines (for Jupyter and documents)."""
    hidden = hidden_rules(hide, detail)
    rows: list[str] = []
    seen: set[int] = set()

    def visit(step: Step, depth: int) -> None:
        for child in shown_substeps(step, hidden):
            indent = r"\quad " * depth
            rule = escape_latex(child.rule)
            rows.append(rf"{indent}\text{{{rule}: }} {statement(child, LATEX)}")
            if id(child) not in seen:
                seen.add(id(child))
                visit(child, depth + 1)

    for tree in d.orders:
        visit(tree, 0)
    rows.append(rf"\text{{Answer: }} {LATEX.d(d.wrt, d.expr)} = {d.result.latex()}")
    return r"$\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}$"


# -- JSON ------------------------------------------------------------------------------

def to_dict(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
            detail: str = "full") -> dict[str, Any]:
    """The derivation as JSON-ready data (see :data:`chainrule.explain.STEPS_SCHEMA_PATH`).

    Each step carries its ``kind`` (the step class), its rule, expressions as text, the
    statement as text and LaTeX, and its own fields; a repeated step is ``{"ref": "<id>"}``.

    >>> from chainrule.symbolic.api import steps
    >>> step = to_dict(steps("sin(x)/x"))["orders"][0]["substeps"][0]
    >>> step["kind"], step["numerator"], step["denominator"], step["primitive"]
    ('QuotientRule', 'sin(x)', 'x', 'div')
    """
    hidden = hidden_rules(hide, detail)
    seen: dict[int, str] = {}

    def node(step: Step, label: str) -> dict[str, Any]:
        if id(step) in seen:
            return {"ref": seen[id(step)], "rule": step.rule, "kind": type(step).__name__}
        seen[id(step)] = label
        out: dict[str, Any] = {"id": label, **step_fields(step),
                               "latex": statement(step, LATEX)}
        kids = shown_substeps(step, hidden)
        if kids:
            out["substeps"] = [node(c, f"{label}.{i + 1}") for i, c in enumerate(kids)]
        return out

    return {
        "input": str(d.expr), "wrt": d.wrt, "order": d.order, "result": str(d.result),
        "orders": [node(t, str(k + 1)) for k, t in enumerate(d.orders)],
    }


def step_fields(step: Step) -> dict[str, Any]:
    """One step as JSON-ready text: kind, rule, expr, result, statement, its typed fields,
    and rewrite, note and lhs where it has them."""
    out: dict[str, Any] = {
        "kind": type(step).__name__, "rule": step.rule, "wrt": step.wrt,
        "expr": str(step.expr), "result": str(step.result), "claim": step.claim,
        "statement": statement(step, TEXT),
    }
    out.update(typed_fields(step))
    for key, value in (("rewrite", rewrite(step)), ("note", note(step)),
                       ("lhs", left_side(step, TEXT))):
        if value:
            out[key] = value
    return out


def typed_fields(step: Step) -> dict[str, Any]:
    """The fields a step class adds to :class:`Step`, as JSON values (expressions as text)."""
    out: dict[str, Any] = {}
    for f in fields(step):
        if f.name in BASE_FIELDS:
            continue
        value = getattr(step, f.name)
        if isinstance(value, Step):
            continue  # a substep (the chain rule's outer step): shown among the substeps
        if isinstance(value, Primitive):
            out["primitive"] = value.name
        elif isinstance(value, tuple):
            out[f.name] = [_json_value(v) for v in value]
        elif value is not None:
            out[f.name] = _json_value(value)
    return out


BASE_FIELDS = frozenset(f.name for f in fields(Step))


def _json_value(value: Any) -> Any:
    return value if isinstance(value, bool | int | str) else str(value)
