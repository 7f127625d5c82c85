"""Three-way verification: the symbolic derivative against forward-mode AD, reverse-mode AD
and a numerical estimate with its error bound — the one check behind ``chainrule diff
--verify`` and the explorer's three-way panel.

>>> v = verify("x^x", "x", {"x": 2.0})
>>> v.agree, round(v.symbolic, 10), round(v.forward, 10), round(v.reverse, 10)
(True, 6.7725887222, 6.7725887222, 6.7725887222)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.autodiff.api import grad, jvp
from chainrule.core.evaluate import evaluate_traced
from chainrule.core.kinks import kinks
from chainrule.errors import BudgetError, ChainruleError
from chainrule.limits.budget import budgeted
from chainrule.numeric import derivative
from chainrule.printing.html import html_table
from chainrule.symbolic.api import as_expression
from chainrule.symbolic.kinks import derivative_at
from chainrule.testing.tolerance import BETWEEN_MODES, Tolerance


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

    def _repr_html_(self) -> str:
        bound = None if self.numeric_error is None else f"± {self.numeric_error:.2g}"
        rows = [("symbolic", self.symbolic, None), ("forward AD", self.forward, None),
                ("reverse AD", self.reverse, None),
                ("numeric", self.numeric, f"{bound or ''} ({self.numeric_status})")]
        return html_table(rows, ("method", "derivative", "error bound"),
                          caption=f"{'✓' if self.agree else '✗'} {self.note}")


def _nested(derive: Callable, f: Callable, order: int) -> Callable:
    for _ in range(order):
        f = derive(f)
    return f


def _safely(compute: Callable[[], Any]) -> float:
    """``compute()`` as a float, NaN where it fails or is not finite (``safe`` mode)."""
    try:
        value = float(compute())
    except BudgetError:
        raise  # out of budget is not a NaN of one mode: the whole check stops
    except (ChainruleError, ArithmeticError, ValueError, TypeError):
        return math.nan
    return value if math.isfinite(value) else math.nan


@budgeted
def verify(expr: Any, wrt: str, point: dict[str, float], order: int = 1,
           rtol: float = BETWEEN_MODES.rtol, safe: bool = False) -> Verification:
    """Compare the symbolic ``order``-th derivative with AD (both modes) and numerics.

    ``safe=False`` lets a mode's error propagate (a point outside the derivative's domain is a
    :class:`~chainrule.errors.DomainError`); ``safe=True`` records it as NaN instead, for
    callers that show every mode whatever happens (the explorer). Agreement follows
    :mod:`chainrule.testing.tolerance`: the modes within ``rtol`` of the symbolic value, and
    the numerical estimate within its error bound of it. ``budget=`` bounds the work of all
    four (:func:`~chainrule.limits.budget.budgeted`).

    >>> v = verify("abs(x)", "x", {"x": 0.0}, safe=True)
    >>> v.agree, v.symbolic, v.numeric_status
    (False, nan, 'not differentiable: kink')
    """
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

    def run(compute: Callable[[], Any]) -> float:
        return _safely(compute) if safe else float(compute())

    symbolic = run(lambda: derivative_at(e, point, wrt, order))
    # at a kink AD takes a subgradient; the comparison with the symbolic value (refused
    # where the derivative does not exist) is the report, so no KinkWarning besides
    with kinks("subgradient"):
        forward = run(lambda: _nested(lambda g: (lambda t: jvp(g, (t,), (1.0,))[1]), f,
                                      order)(x0))
        # a 0-d array keeps grad on the recorded reverse pass (floats take the symbolic bridge)
        reverse = run(lambda: _nested(lambda g: (lambda t: grad(g)(_array_if_number(t))), f,
                                      order)(x0))
    num = derivative(lambda t: float(e.evaluate(**{**point, wrt: t})), x0, order=order)
    tolerance = Tolerance.relative(rtol)
    ad_ok = all(tolerance.allows(v, symbolic) for v in (forward, reverse))
    num_ok = bool(num.success) and tolerance.confirms(num.df, num.error, symbolic)
    note = ("all four agree" if ad_ok and num_ok else
            "the symbolic derivative is not defined here" if math.isnan(symbolic) else
            "automatic differentiation disagrees with the symbolic derivative" if not ad_ok else
            f"the numerical estimate did not confirm it ({num.status})")
    return Verification(symbolic, forward, reverse, float(num.df) if num.df is not None
                        else None, float(num.error) if num.error is not None else None,
                        num.status, ad_ok and num_ok, note)
