"""Renderers for step trees: indented text, LaTeX, and JSON-ready dicts.

Building the tree (:mod:`chainrule.symbolic.differentiate`) and showing it are separate: these
functions only read :class:`~chainrule.symbolic.steps.Step` records. A step shared by several
parents (the derivative is a DAG) is shown once and referred to afterwards.

Detail levels hide rules a learner already knows: ``"full"`` shows everything, ``"normal"``
hides the constant and identity rules, ``"brief"`` also hides the sum and constant-multiple
rules. ``hide`` names further rules to hide; their substeps still show.
"""

from __future__ import annotations

from typing import Any

from chainrule.core.build import symbol
from chainrule.core.expr import Expr
from chainrule.core.substitute import substitute
from chainrule.symbolic.steps import Derivation, Step

DETAIL_HIDES = {
    "full": frozenset(),
    "normal": frozenset({"Constant rule", "Identity rule"}),
    "brief": frozenset({"Constant rule", "Identity rule", "Sum rule", "Constant multiple rule"}),
}
ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
            "Ninth", "Tenth"]


def hidden_rules(hide: frozenset[str] | set[str], detail: str) -> frozenset[str]:
    """The rule names to leave out, from a detail level plus explicit names."""
    if detail not in DETAIL_HIDES:
        from chainrule.errors import ChainruleError
        raise ChainruleError(f"unknown detail level {detail!r}; use full, normal or brief")
    return DETAIL_HIDES[detail] | {h.strip().lower() for h in hide} | frozenset(hide)


def _is_hidden(step: Step, hide: frozenset[str]) -> bool:
    return step.rule in hide or step.rule.lower() in hide


def order_title(k: int) -> str:
    return (ORDINALS[k] if k < len(ORDINALS) else f"Order {k + 1}") + " derivative"


def _inner_name(step: Step) -> str:
    names = {s.name for s in step.expr.free_symbols()}
    return next(n for n in ("u", "w", "v", "t", "s", "z") if n not in names)


# -- the statement one step makes ------------------------------------------------------

def statement(step: Step, fmt) -> str:
    """The equation a step establishes, e.g. ``d/dx [x^3] = 3x^2``, in format ``fmt``."""
    if step.lhs:
        return f"{fmt.lhs(step.lhs)} = {fmt.expr(step.result)}"
    if step.rule == "Simplify":
        return f"{fmt.expr(step.expr)} = {fmt.expr(step.result)}"
    if step.let is not None and step.note.startswith("the outer function"):
        u = symbol(_inner_name(step))
        outer, value = substitute(step.expr, {step.let: u}), substitute(step.result, {step.let: u})
        return (f"{fmt.d(u.name, outer)} = {fmt.expr(value)}, "
                f"{fmt.word('with')} {u.name} = {fmt.expr(step.let)}")
    return f"{fmt.d(step.wrt, step.expr)} = {fmt.expr(step.result)}"


def _note(step: Step, fmt) -> str:
    if step.let is not None and step.rule == "Chain rule":
        return f"let u = {fmt.expr(step.let)}"
    if step.let is not None and step.rule == "Constant multiple rule":
        return f"c = {fmt.expr(step.let)}"
    if step.note.startswith("the outer function"):
        return ""
    return step.note


class _TextFormat:
    @staticmethod
    def expr(e: Expr) -> str:
        return str(e)

    @staticmethod
    def d(var: str, e: Expr) -> str:
        return f"d/d{var} [{e}]"

    @staticmethod
    def lhs(text: str) -> str:
        return text

    @staticmethod
    def word(w: str) -> str:
        return w


class _LatexFormat:
    @staticmethod
    def expr(e: Expr) -> str:
        return e.latex()

    @staticmethod
    def d(var: str, e: Expr) -> str:
        return rf"\frac{{d}}{{d{var}}}\left[{e.latex()}\right]"

    @staticmethod
    def lhs(text: str) -> str:
        return (text.replace("(1/y)·y′", r"\frac{1}{y}\,y'").replace("ln|y|", r"\ln|y|")
                .replace("y′", "y'"))

    @staticmethod
    def word(w: str) -> str:
        return rf"\text{{ {w} }}"


# -- text ------------------------------------------------------------------------------

def render_text(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
                detail: str = "normal") -> str:
    """The derivation as numbered, indented lines ending with the answer."""
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
    for n, child in enumerate(_visible(step.substeps, hidden), start=1):
        _text_step(child, f"{prefix}{n}", depth, hidden, seen, lines)


def _visible(steps: list[Step], hidden: frozenset[str]) -> list[Step]:
    out: list[Step] = []
    for s in steps:
        out.extend(_visible(s.substeps, hidden) if _is_hidden(s, hidden) else [s])
    return out


def _text_step(step: Step, label: str, depth: int, hidden: frozenset[str],
               seen: dict[int, str], lines: list[str]) -> None:
    pad = "  " * depth
    if id(step) in seen:
        lines.append(f"{pad}{label}. {step.rule}: {statement(step, _TextFormat)}"
                     f"  (as in step {seen[id(step)]})")
        return
    seen[id(step)] = label
    lines.append(f"{pad}{label}. {step.rule}: {statement(step, _TextFormat)}")
    extra = [t for t in (step.rewrite, _note(step, _TextFormat)) if t]
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
        for child in _visible(step.substeps, hidden):
            indent = r"\quad " * depth
            rule = _escape(child.rule)
            rows.append(rf"{indent}\text{{{rule}: }} {statement(child, _LatexFormat)}")
            if id(child) not in seen:
                seen.add(id(child))
                visit(child, depth + 1)

    for tree in d.orders:
        visit(tree, 0)
    rows.append(rf"\text{{Answer: }} {_LatexFormat.d(d.wrt, d.expr)} = {d.result.latex()}")
    return r"$\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}$"


def _escape(text: str) -> str:
    return text.replace("_", r"\_").replace("&", r"\&").replace("%", r"\%")


# -- JSON ------------------------------------------------------------------------------

def to_dict(d: Derivation, hide: frozenset[str] | set[str] = frozenset(),
            detail: str = "full") -> dict[str, Any]:
    """The derivation as JSON-ready data; a repeated step is ``{"ref": "<id>"}``."""
    hidden = hidden_rules(hide, detail)
    seen: dict[int, str] = {}

    def node(step: Step, label: str) -> dict[str, Any]:
        if id(step) in seen:
            return {"ref": seen[id(step)], "rule": step.rule}
        seen[id(step)] = label
        out: dict[str, Any] = {
            "id": label, "rule": step.rule, "expr": str(step.expr), "result": str(step.result),
            "statement": statement(step, _TextFormat), "latex": statement(step, _LatexFormat),
        }
        for key, value in (("rewrite", step.rewrite), ("note", _note(step, _TextFormat)),
                           ("lhs", step.lhs)):
            if value:
                out[key] = value
        kids = _visible(step.substeps, hidden)
        if kids:
            out["substeps"] = [node(c, f"{label}.{i + 1}") for i, c in enumerate(kids)]
        return out

    return {
        "input": str(d.expr), "wrt": d.wrt, "order": d.order, "result": str(d.result),
        "orders": [node(t, str(k + 1)) for k, t in enumerate(d.orders)],
    }
