"""Is the derivative defined here? Piecewise functions at their kinks and jumps.

abs, relu, sign, heaviside, floor, ceil, max and min are smooth between their kinks (or
jumps); their records say where those are and which smooth piece holds on each side
(:class:`~chainrule.core.primitive.Pieces`). At a point where one of them sits exactly on a
kink, :func:`kink_value` replaces each such node by the piece left of the point and by the
piece right of it (exact branch substitution: relu(u) → 0 / u, floor(u) → n − 1 / n,
max(a, b) → b / a), differentiates both, and compares: the derivative exists where the
function is continuous and both sides' derivatives agree, and is then that common value;
otherwise a :class:`~chainrule.errors.KinkError` names the function, the point and the
one-sided slopes (or the values it jumps between). Which piece holds on a side is read at a
point just beside it, so ``|x²|`` at 0 (x² ≥ 0 on both sides) or ``|relu(x)|`` (relu is 0
on the left) are answered.

>>> round(kink_value("relu(x)^2", "x", {"x": 0.0}), 6)
0.0
>>> kink_value("relu(x)", "x", {"x": 0.0})
Traceback (most recent call last):
  ...
chainrule.errors.KinkError: relu(x) is not differentiable at x = 0: left slope 0, right slope 1
>>> kink_value("relu(x)", "x", {"x": 1.0}) is None  # no kink here: differentiate as usual
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.core.build import as_expr
from chainrule.core.evaluate import apply_checked, evaluate
from chainrule.core.expr import Apply, Expr
from chainrule.core.walk import rebuild, rewrite
from chainrule.errors import DomainError, KinkError
from chainrule.symbolic.api import ExprLike, as_expression, diff
from chainrule.symbolic.differentiate import wrt_symbol

SIDE_STEP = 2.0**-26
"""Relative step to either side of the point, where the side of each kink is read."""
RTOL = 1e-12
"""Two one-sided values this close (relatively) are the same number computed two ways."""


def kink_value(expr: ExprLike, wrt: str, point: dict[str, float], order: int = 1,
               everywhere: bool = False) -> float | None:
    """The ``order``-th derivative of ``expr`` in ``wrt`` at ``point`` when a piecewise
    function in it sits on a kink or jump there and the derivative exists; None when none
    does (differentiate and evaluate as usual); :class:`~chainrule.errors.KinkError` when
    the derivative does not exist. See the module docstring.

    ``everywhere=True`` replaces every piecewise node by its piece, on a kink or not: where
    one is locally constant its derivative is exactly 0, so ``sqrt(relu(x))`` at x = −1 (0
    near there) has slope 0, which the derivative expression, 0/(2·√0), cannot give. None
    where that does not help either (no piecewise node, or the pieces' derivative is
    undefined too).

    >>> kink_value("sqrt(relu(x))", "x", {"x": -1.0}, everywhere=True)
    0.0
    """
    e = as_expression(expr)
    if order < 1 or any(np.ndim(v) != 0 for v in point.values()) or wrt not in point:
        return None
    values = {k: float(v) for k, v in point.items()}
    try:
        here = _node_values(e, values)
    except DomainError:
        return None  # undefined here: the usual evaluation says where and why
    piecewise = [n for n in here if isinstance(n, Apply) and n.prim.pieces is not None]
    on = [n for n in piecewise if bool(np.all(n.prim.pieces.at_kink(*(here[a] for a in n.args))))]
    if not on and not (everywhere and piecewise):
        return None
    x = values[wrt]
    h = SIDE_STEP * max(1.0, abs(x))
    sides = []
    for side in (-1.0, 1.0):
        try:
            near = _node_values(e, {**values, wrt: x + side * h})
        except DomainError:
            sides.append(None)  # undefined on this side: the other one decides (a domain edge)
            continue
        sides.append(_derivatives(_piece(e, piecewise if everywhere else on, here, near), wrt,
                                  values, order))
    if sides[0] is None and sides[1] is None:
        if not on:
            return None
        raise KinkError(f"{e} is undefined on both sides of {_point(values)}")
    left, right = (s if s is not None else sides[1 - i] for i, s in enumerate(sides))
    if not all(math.isfinite(v) for v in left[1:] + right[1:]):
        if not on:
            return None  # no kink here, and the pieces do not help: the usual error stands
        # a side's derivative cannot be evaluated (0^0, an infinite slope): no evidence of a
        # kink, so the usual evaluation answers or says why not, unless f jumps here
        _compare(e, on, wrt, values, float(here[e]), left, right, 0)
        return None
    _compare(e, on, wrt, values, float(here[e]), left, right, order)
    return right[order] + 0.0  # −0.0 from a piece −u is 0


def derivative_at(expr: ExprLike, point: dict[str, float], wrt: str | None = None,
                  order: int = 1) -> float:
    """The ``order``-th derivative of ``expr`` at ``point``, refused where it does not exist.

    At a kink or jump of a piecewise function the derivative is answered where it exists
    and otherwise refused with a :class:`~chainrule.errors.KinkError` (:func:`kink_value`);
    elsewhere it is the symbolic derivative's value.

    >>> derivative_at("relu(x)^2 + x", {"x": 0.0})
    1.0
    >>> derivative_at("floor(x)", {"x": 2.5})
    0.0
    >>> derivative_at("sqrt(relu(x)) + x", {"x": -1.0})  # relu is 0 near −1
    1.0
    """
    e = as_expression(expr)
    name = wrt_symbol(e, wrt).name
    value = kink_value(e, name, point, order)
    if value is not None:
        return value
    try:
        value = float(diff(e, name, order).evaluate(**point))
    except DomainError:
        value = math.nan
        if (local := kink_value(e, name, point, order, everywhere=True)) is None:
            raise
    if not math.isfinite(value):  # 0/(2·√0) where the pieces show f locally constant
        local = kink_value(e, name, point, order, everywhere=True)
        value = value if local is None else local
    return value


def _node_values(e: Expr, values: dict[str, float]) -> dict[Any, Any]:
    """Every node's value at the point; piecewise nodes take their plain value (sign(0) = 0),
    the others are checked as evaluation checks them."""
    memo: dict[Any, Any] = {}

    def apply(node: Apply, args: tuple) -> Any:
        if node.prim.pieces is not None:
            with np.errstate(all="ignore"):
                return node.prim.impl(*args)
        return apply_checked(node, args, values)

    evaluate(e, values, apply, memo)
    return memo


def _piece(e: Expr, on: list[Apply], here: dict, near: dict) -> Expr:
    """``e`` with each node on a kink replaced by its piece on the side ``near`` lies."""
    kinked = set(on)

    def step(node: Expr, args: tuple) -> Expr:
        if node not in kinked:
            return rebuild(node, args)
        pieces = node.prim.pieces
        at = tuple(here[a] for a in node.args)
        side = pieces.side(at, tuple(near[a] for a in node.args))
        return as_expr(pieces.piece(args, at, side))

    return rewrite(e, step)


def _derivatives(piece: Expr, wrt: str, values: dict[str, float], order: int) -> list[float]:
    """The piece's derivatives of orders 0 … ``order`` at the point; NaN where undefined."""
    out, current = [], piece
    for k in range(order + 1):
        if k:
            current = diff(current, wrt)
        try:
            out.append(float(current.evaluate(**values)))
        except DomainError:
            out.append(math.nan)
    return out


def _compare(e: Expr, on: list[Apply], wrt: str, values: dict[str, float], value: float,
             left: list[float], right: list[float], order: int) -> None:
    """Raise unless ``e`` is continuous at the point and its one-sided derivatives up to
    ``order`` agree."""
    where = _point(values)
    if len(values) > 1:
        where = f"{where} (in {wrt})"
    moving = [n for n in on if any(s.name == wrt for s in n.free_symbols())] or on
    alone = len(moving) == 1 and moving[0] is e
    names = " and ".join(str(n) for n in moving[:3]) + (" …" if len(moving) > 3 else "")
    which = "" if alone else f" ({names})"
    if not (_same(left[0], value) and _same(right[0], value)):
        if _same(left[0], right[0]):
            raise KinkError(f"{e} is not continuous at {where}, so not differentiable there: "
                            f"its value is {_show(value)}, its limit {_show(left[0])}{which}")
        raise KinkError(f"{e} is not differentiable at {where}: it jumps from "
                        f"{_show(left[0])} to {_show(right[0])}{which}")
    for k in range(1, order + 1):
        if _same(left[k], right[k]):
            continue
        slopes = f"left slope {_show(left[k])}, right slope {_show(right[k])}"
        switch = "" if alone else \
            f"{names} {'changes' if len(moving) == 1 else 'change'} branch there; "
        if k == 1:
            raise KinkError(f"{e} is not differentiable at {where}: {switch}{slopes}")
        raise KinkError(f"the derivative of order {len(left) - 1} of {e} does not exist at "
                        f"{where}: {switch}the derivative of order {k - 1} has {slopes}")


def _same(a: float, b: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and \
        math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-300)


def _point(values: dict[str, float]) -> str:
    return ", ".join(f"{k} = {_show(v)}" for k, v in values.items())


def _show(v: float) -> str:
    if math.isnan(v):
        return "undefined"
    return f"{v + 0.0:.6g}".replace("-", "−")
