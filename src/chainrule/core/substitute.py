"""Substitution: replace subexpressions, rebuilding canonically (memoised, any depth).

>>> from chainrule.core.build import symbol, apply
>>> x, u = symbol("x"), symbol("u")
>>> str(substitute(apply("sin", x ** 2), {x ** 2: u}))
'sin(u)'
"""

from __future__ import annotations

from collections.abc import Mapping

from chainrule.core import build
from chainrule.core.expr import Apply, Expr
from chainrule.limits import deep_recursion


def substitute(expr: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """``expr`` with every occurrence of each key replaced by its value."""
    memo: dict[Expr, Expr] = dict(mapping)

    def run(e: Expr) -> Expr:
        hit = memo.get(e)
        if hit is None:
            hit = build.apply(e.prim, *(run(a) for a in e.args)) if isinstance(e, Apply) else e
            memo[e] = hit
        return hit

    with deep_recursion():
        return run(expr)
