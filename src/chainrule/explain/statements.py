"""What each kind of step says: its equation, its rule's general form, and a note.

One table per part, from step class to a function of the step and a format (text, LaTeX or
MathML, see :mod:`chainrule.explain.formats`); a class without an entry takes its nearest base
class's. The renderers (:mod:`chainrule.explain.render`, :mod:`chainrule.explain.page`) only
call :func:`statement`, :func:`rewrite`, :func:`note` and :func:`left_side`, so every format
shows the same words and nothing reads display text back.

>>> import chainrule
>>> from chainrule.explain.formats import TEXT
>>> chain = chainrule.steps("sin(x^2)").orders[0].substeps[0]
>>> statement(chain.outer, TEXT)
'd/du [sin(u)] = cos(u), with u = x^2'
>>> rewrite(chain), note(chain)
('d/dx f(u) = f′(u)·u′', 'let u = x^2')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from chainrule.core.build import as_expr, mul, symbol
from chainrule.core.expr import Apply
from chainrule.core.substitute import substitute
from chainrule.explain.formats import TEXT, Format
from chainrule.symbolic import calculus_steps as cs
from chainrule.symbolic import steps as st

# -- left sides that are not d/dx [expr] -----------------------------------------------------


Y = "y"
"""The name logarithmic differentiation gives the function (seed 000: y = f(x))."""

LEFT: dict[type, Callable[[Any, Format], str]] = {
    st.TakeLog: lambda s, f: f.ln_abs(Y),
    st.DifferentiateBothSides: lambda s, f: f.dlog(Y),
    st.SimplifyRight: lambda s, f: f.dlog(Y),
    st.SolveForDerivative: lambda s, f: f.prime(Y),
    cs.SolveImplicit: lambda s, f: f.prime(s.dependent),
    cs.SubstituteDerivative: lambda s, f: f.prime(f.prime(s.dependent)),
    cs.ImplicitDifferentiation: lambda s, f: (f.prime(s.dependent) if s.order == 1
                                              else f.prime(f.prime(s.dependent))),
    cs.PathCount: lambda s, f: f.text(f"number of paths from {s.output} down to {s.wrt}"),
    cs.PathProduct: lambda s, f: _path_formula(s, f),
    cs.SumOverPaths: lambda s, f: f.eq(
        f.ratio(s.output, s.wrt), f.op("+").join(f.paren(f.expr(v)) for v in s.values)),
}


def _path_formula(s: cs.PathProduct, f: Format) -> str:
    labels = f.op("·").join(f.text(label) for label in s.labels)
    shown = f.eq(labels, f.op("·").join(f.paren(f.expr(x)) for x in s.factors))
    return shown if s.result is s.product else f.eq(shown, f.expr(s.product))


def left_side(step: st.Step, fmt: Format = TEXT) -> str | None:
    """The left side of the step's equation where it is not ``d/dx [expr]`` (else None)."""
    fn = _lookup(LEFT, step)
    return None if fn is None else fn(step, fmt)


# -- the equation ------------------------------------------------------------------------------


def _derivative(step: st.Step, fmt: Format) -> str:
    return fmt.eq(fmt.d(step.wrt, step.expr), fmt.expr(step.result))


def _equal(step: st.Step, fmt: Format) -> str:
    return fmt.eq(fmt.expr(step.expr), fmt.expr(step.result))


def _record(step: st.RecordRule, fmt: Format) -> str:
    if step.at is None:
        return _derivative(step, fmt)
    # The outer function at u: shown as d/du f(u) = f′(u), naming u by a free letter.
    u = symbol(inner_name(step))
    outer = substitute(step.expr, {step.at: u})
    value = outer_in(step, outer, u)
    return fmt.eq(fmt.d(u.name, outer), fmt.expr(value)) + fmt.with_(
        fmt.eq(fmt.sym(u.name), fmt.expr(step.at)))


def outer_in(step: st.RecordRule, outer: Any, u: Any) -> Any:
    """f′(u) written in u: the record's own partial at u (substituting u back into the result
    fails when the builder has rewritten it, e.g. ``3(x+1)^2/(x-1)^2`` for ``3u^2``)."""
    if isinstance(outer, Apply) and outer.prim is step.prim and u in outer.args:
        return as_expr(step.prim.partial(step.arg, outer.args, outer))
    return substitute(step.result, {step.at: u})


def inner_name(step: st.Step) -> str:
    """A letter for the inner function that the step's expression does not use."""
    names = {s.name for s in step.expr.free_symbols()}
    return next(n for n in ("u", "w", "v", "t", "s", "z") if n not in names)


def _collect(s: cs.CollectDerivative, f: Format) -> str:
    return f.eq(f.expr(mul(s.expr, symbol(s.dependent + "′"))), f.expr(s.result))


STATEMENT: dict[type, Callable[[Any, Format], str]] = {
    st.Step: _derivative,
    cs.ImplicitBothSides: lambda s, f: f.eq(f.d(s.wrt, s.expr), f.d(s.wrt, s.result)),
    cs.ImplicitEquation: _equal,
    cs.CollectDerivative: _collect,
    st.Simplify: _equal,
    st.Rewrite: _equal,
    st.ZerothDerivative: _equal,
    st.RecordRule: _record,
}


def statement(step: st.Step, fmt: Format = TEXT) -> str:
    """The equation a step establishes, e.g. ``d/dx [x^3] = 3x^2``, in format ``fmt``."""
    lhs = left_side(step, fmt)
    if lhs is not None:
        return fmt.eq(lhs, fmt.expr(step.result))
    return _lookup(STATEMENT, step)(step, fmt)


# -- the rule's general form, and how it applies here (text) --------------------------------

REWRITE: dict[type, Callable[[Any], str]] = {
    st.ConstantRule: lambda s: "d/dx c = 0",
    st.IdentityRule: lambda s: "d/dx x = 1",
    st.ConstantMultipleRule: lambda s: "d/dx (c·u) = c·u′",
    st.ChainRule: lambda s: "d/dx f(u) = f′(u)·u′",
    st.MultivariateChainRule: lambda s: "d/dx f(u, v) = ∂f/∂u·u′ + ∂f/∂v·v′",
    st.RecordRule: lambda s: s.text.rewrite,
    st.LogRule: lambda s: "d/dx ln|u| = u′/u" if s.absolute else s.text.rewrite,
    st.LogDifferentiation: lambda s: "y′ = y·d/dx ln|y|",
    cs.SumOverPaths: lambda s: (f"d{s.output}/d{s.wrt} = Σ over paths of the product of the "
                                "derivatives along the path"),
}

NOTE: dict[type, Callable[[Any], str]] = {
    st.ConstantRule: lambda s: ("0^u is 0 wherever it is defined (u > 0)" if s.zero_base
                                else f"does not depend on {s.wrt}" if s.free else ""),
    st.ConstantMultipleRule: lambda s: f"c = {s.constant}",
    st.ChainRule: lambda s: f"let u = {s.inner}",
    st.ProductRule: lambda s: f"{len(s.factors)} factors: each takes the prime in turn",
    st.QuotientRule: lambda s: f"u = {s.numerator}, v = {s.denominator}",
    st.MultivariateChainRule: lambda s: (f"{s.prim.text.name}, summed over its varying "
                                         "arguments" if s.prim is not None else ""),
    st.TakeLog: lambda s: ((f"chosen because {s.reason}; " if s.reason else "")
                           + "log laws: ln(ab) = ln a + ln b, ln(a^c) = c·ln a"),
    st.DifferentiateBothSides: lambda s: "the left side by the chain rule: d/dx ln|y| = y′/y",
    st.SolveForDerivative: lambda s: f"{Y} = {s.expr}",
    st.Simplify: lambda s: "collect, factor and combine into the readable form",
    cs.DependentVariable: lambda s: f"{s.expr} is a function of {s.wrt}",
    cs.ImplicitBothSides: lambda s: (f"{s.dependent} = {s.dependent}({s.wrt}), so each "
                                     f"{s.dependent}-term gets a factor {s.dependent}′ "
                                     "(chain rule)"),
    cs.CollectDerivative: lambda s: (f"{s.dependent}′ terms on the left, the others on the "
                                     "right"),
    cs.SolveImplicit: lambda s: (f"valid where {s.expr} ≠ 0; remark: the same as "
                                 f"{s.dependent}′ = −F_{s.wrt}/F_{s.dependent} with "
                                 f"F = {s.curve}"),
    cs.SubstituteDerivative: lambda s: f"put in {s.dependent}′ = {s.value}",
    cs.PathCount: lambda s: ", ".join(s.routes),
    cs.CheckDirectly: lambda s: f"{s.output} = {s.expr} written in the inputs",
}


def rewrite(step: st.Step) -> str:
    """The rule's general form (``d/dx u^n = n·u^(n−1)·u′``), or "" if it has none; written
    with the step's own variable (``d/dy`` when it differentiates by y)."""
    fn = _lookup(REWRITE, step)
    text = "" if fn is None else fn(step)
    return in_variable(text, step.wrt)


def in_variable(text: str, wrt: str) -> str:
    """A rule's text with ``d/dx`` and ``x`` as the variable written as ``wrt``.

    >>> in_variable("d/dx c = 0", "y"), in_variable("d/dx x = 1", "t")
    ('d/dy c = 0', 'd/dt t = 1')
    """
    if wrt == "x" or not text:
        return text
    return re.sub(r"\bx\b", wrt, text.replace("d/dx", f"d/d{wrt}"))


def note(step: st.Step) -> str:
    """How the rule applies here (``let u = x^2 + 1``), or ""."""
    fn = _lookup(NOTE, step)
    return "" if fn is None else fn(step)


def _lookup(table: dict[type, Any], step: st.Step) -> Any:
    """The entry for the step's class or its nearest base class (None if there is none)."""
    for cls in type(step).__mro__:
        fn = table.get(cls)
        if fn is not None:
            return fn
    return None
