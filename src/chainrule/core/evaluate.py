"""Numeric evaluation of an expression DAG, for floats and NumPy arrays.

Each distinct node is computed once (iteratively, so depth is unlimited). Arguments outside a
primitive's domain raise :class:`~chainrule.errors.DomainError` naming the subexpression and
the point — ``ln(-1)`` is a message, never a silent NaN — and so does a result that overflows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import DomainError


def _describe_point(values: dict[str, Any]) -> str:
    parts = []
    for name, v in values.items():
        arr = np.asarray(v)
        parts.append(f"{name} = {arr.item():g}" if arr.ndim == 0 else f"{name} = array{arr.shape}")
    return ", ".join(parts)


def _bad_index(mask: Any) -> str:
    arr = np.asarray(mask)
    if arr.ndim == 0:
        return ""
    return f" (first at index {tuple(int(i) for i in np.argwhere(arr)[0])})"


def evaluate(expr: Expr, values: dict[str, Any]) -> Any:
    """Value of ``expr`` with symbols bound by name; see :meth:`Expr.evaluate`."""
    memo: dict[int, Any] = {}
    for node in expr.walk():
        memo[id(node)] = _value(node, memo, values)
    out = memo[id(expr)]
    return float(out) if isinstance(out, np.floating) else out


def _value(node: Expr, memo: dict[int, Any], values: dict[str, Any]) -> Any:
    if isinstance(node, Const):
        try:
            return float(node.value)
        except OverflowError:
            raise DomainError(f"the exact number {node} is too large for a float") from None
    if isinstance(node, NamedConst):
        return node.value
    if isinstance(node, Symbol):
        if node.name not in values:
            raise DomainError(f"no value given for {node.name}")
        v = values[node.name]
        return v if isinstance(v, np.ndarray) else float(v)
    assert isinstance(node, Apply)
    args = [memo[id(a)] for a in node.args]
    _check_domain(node, args, values)
    out = node.prim.impl(*args)
    finite = np.isfinite(out)
    if not np.all(finite) and all(np.all(np.isfinite(a)) for a in args):
        raise DomainError(f"{node} is not finite at {_describe_point(values)}"
                          f"{_bad_index(~finite)}: the value overflows or divides by zero")
    return out


def _check_domain(node: Apply, args: list[Any], values: dict[str, Any]) -> None:
    if node.prim.domain is None:
        return
    bad = node.prim.domain.violated(*args)
    if np.any(bad):
        raise DomainError(f"{node} is undefined at {_describe_point(values)}{_bad_index(bad)}: "
                          f"{node.prim.domain.text}")
