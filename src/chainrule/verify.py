"""Three-way verification: the symbolic derivative against forward-mode AD, reverse-mode AD
and a numerical estimate with its error bound — the check behind ``chainrule diff --verify``.

>>> v = verify("x^x", "x", {"x": 2.0})
>>> v.agree, round(v.symbolic, 10), round(v.forward, 10), round(v.reverse, 10)
(True, 6.7725887222, 6.7725887222, 6.7725887222)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import ChainruleError


def evaluate_traced(expr: Expr, values: dict[str, Any]) -> Any:
    """Evaluate ``expr`` by applying each node's primitive, so traced values flow through.

    Unlike :meth:`Expr.evaluate` (numbers only, with domain checks), this lets automatic
    differentiation differentiate an expression exactly as it would NumPy code.
    """
    memo: dict[int, Any] = {}
    for node in expr.walk():
        if isinstance(node, Const | NamedConst):
            memo[id(node)] = float(node.value)
        elif isinstance(node, Symbol):
            memo[id(node)] = values[node.name]
        else:
            assert isinstance(node, Apply)
            memo[id(node)] = node.prim(*(memo[id(a)] for a in node.args))
    return memo[id(expr)]


def _array_if_number(t: Any) -> Any:
    return np.asarray(t) if isinstance(t, float) else t


@dataclass
class Verification:
    """The derivative at a point, four ways, and whether they agree."""

    symbolic: float
    forward: float
    reverse: float
    numeric: float | None
    numeric_error: float | None
    numeric_status: str
    agree: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"symbolic": self.symbolic, "forward": self.forward, "reverse": self.reverse,
                "numeric": self.numeric, "numeric_error": self.numeric_error,
                "numeric_status": self.numeric_status, "agree": self.agree, "note": self.note}


def _nested(derive, f, order: int):
    for _ in range(order):
        f = derive(f)
    return f


def verify(expr: Any, wrt: str, point: dict[str, float], order: int = 1,
           rtol: float = 1e-9) -> Verification:
    """Compare the symbolic ``order``-th derivative with AD (both modes) and numerics."""
    from chainrule.autodiff.api import grad, jvp
    from chainrule.numeric import derivative
    from chainrule.symbolic.api import as_expression, diff

    e = as_expression(expr)
    if wrt not in point:
        missing = sorted(s.name for s in e.free_symbols() if s.name not in point)
        if missing:
            raise ChainruleError(f"the point gives no value for {', '.join(missing)}")
        # e does not depend on wrt: its derivative is 0 whatever wrt is, so any value serves
        point = {**point, wrt: 0.0}
    x0 = float(point[wrt])

    def f(t: Any) -> Any:
        return evaluate_traced(e, {**point, wrt: t})

    symbolic = float(diff(e, wrt, order).evaluate(**point))
    forward = float(_nested(lambda g: (lambda t: jvp(g, (t,), (1.0,))[1]), f, order)(x0))
    # a 0-d array keeps grad on the recorded reverse pass (floats take the symbolic bridge)
    reverse = float(_nested(lambda g: (lambda t: grad(g)(_array_if_number(t))), f, order)(x0))
    num = derivative(lambda t: float(e.evaluate(**{**point, wrt: t})), x0, order=order)
    scale = max(abs(symbolic), 1e-300)
    ad_ok = all(math.isclose(v, symbolic, rel_tol=rtol, abs_tol=rtol * 1e-6)
                for v in (forward, reverse))
    num_ok = bool(num.success) and abs(num.df - symbolic) <= max(num.error, rtol * scale)
    note = ("all four agree" if ad_ok and num_ok else
            "automatic differentiation disagrees with the symbolic derivative" if not ad_ok else
            f"the numerical estimate did not confirm it ({num.status})")
    return Verification(symbolic, forward, reverse, float(num.df) if num.df is not None
                        else None, float(num.error) if num.error is not None else None,
                        num.status, ad_ok and num_ok, note)
