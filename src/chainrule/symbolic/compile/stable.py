"""Numerically stable forms for compiled code: the display form stays, the numbers improve.

``1 − σ(u)`` is how the seeds write the sigmoid's slope (σ′ = σ(1 − σ)), and it is what a
person reads; but for u ≥ 10 it subtracts two numbers near 1 and keeps few digits (none for
u ≥ 37). Compiled code — which ``grad`` of a float runs — uses ``σ(−u)``, equal and exact.

>>> from chainrule.symbolic.api import diff
>>> str(stable_form(diff("sigmoid(x)")))
'sigmoid(-x)*sigmoid(x)'
"""

from __future__ import annotations

from chainrule.core import build
from chainrule.core.evaluate import tanh_complement
from chainrule.core.expr import Apply, Const, Expr
from chainrule.core.walk import rebuild, rewrite


def _complement_of_sigmoid(term: Expr) -> Expr | None:
    """``u`` when ``term`` is ``−σ(u)``."""
    if (build.is_mul(term) and len(term.args) == 2 and isinstance(term.args[0], Const)
            and term.args[0].value == -1 and build.is_fn(term.args[1], "sigmoid")):
        return term.args[1].args[0]
    return None


def _stable_node(node: Expr, args: tuple) -> Expr:
    new = rebuild(node, args)
    if not build.is_add(new) or not isinstance(new, Apply):
        return new
    tanh = tanh_complement(new)
    if tanh is not None:  # c − c·tanh²(u) = c/cosh²(u)
        c, t = tanh
        return build.mul(build.const(c), build.power(build.apply("cosh", t.args[0]),
                                                      build.const(-2)))
    terms = list(new.args)
    ones = [i for i, t in enumerate(terms) if isinstance(t, Const) and t.value == 1]
    if not ones:
        return new
    for i, t in enumerate(terms):
        u = _complement_of_sigmoid(t)
        if u is not None:  # 1 − σ(u) = σ(−u)
            rest = [r for j, r in enumerate(terms) if j not in (i, ones[0])]
            return build.add(build.apply("sigmoid", build.neg(u)), *rest)
    return new


def stable_form(e: Expr) -> Expr:
    """``e`` with cancelling forms replaced by equal, exact ones (``1 − σ(u) → σ(−u)``,
    ``c − c·tanh²(u) → c/cosh²(u)``)."""
    return rewrite(e, _stable_node)
