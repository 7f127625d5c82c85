"""Substitution: replace subexpressions, rebuilding canonically (memoised, any depth).

>>> from chainrule.core.build import symbol, apply
>>> x, u = symbol("x"), symbol("u")
>>> str(substitute(apply("sin", x ** 2), {x ** 2: u}))
'sin(u)'
"""

from __future__ import annotations

from collections.abc import Mapping

from chainrule.core.expr import Expr
from chainrule.core.walk import rebuild, rewrite


def substitute(expr: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """``expr`` with every occurrence of each key replaced by its value."""
    # The mapping seeds the memo: a key is never entered, its value is taken as it is.
    return rewrite(expr, rebuild, memo=dict(mapping))
