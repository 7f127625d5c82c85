"""Numbers for the page: an expression as a traceable function, the three-way check, the graph.

:func:`as_function` walks the expression DAG applying each node's primitive, so automatic
differentiation's traced values flow through it (``Expr.evaluate`` calls the NumPy
implementations directly and would not trace). Subtraction and negation are written as such,
so the computation graph shows ``e = a − y`` rather than ``add(a, mul(-1, y))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from chainrule.autodiff.api import grad, jvp
from chainrule.core.build import const
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import ChainruleError
from chainrule.explain.graph import computation_graph
from chainrule.symbolic.api import diff
from chainrule.symbolic.compile import compile_expr

MAX_GRAPH_NODES = 60
"""Most nodes the graph view draws."""


def fix(expr: Expr, values: dict[str, float], keep: str | None = None) -> Expr:
    """``expr`` with every variable but ``keep`` replaced by its value in ``values``."""
    mapping: dict[Expr, Expr] = {Symbol(k): const(v) for k, v in values.items() if k != keep}
    return substitute(expr, mapping) if mapping else expr


def _negated(node: Expr) -> Expr | None:
    """``u`` when ``node`` is ``-1·u`` (how the canonical form writes a subtracted term)."""
    if (isinstance(node, Apply) and node.prim.name == "mul" and len(node.args) == 2
            and isinstance(node.args[0], Const) and node.args[0].value == -1):
        return node.args[1]
    return None


def as_function(expr: Expr, names: list[str]) -> Callable[..., Any]:
    """A function of the variables ``names`` (positional) that AD can trace."""

    def f(*values: Any) -> Any:
        env = dict(zip(names, values, strict=True))
        memo: dict[int, Any] = {}
        for node in expr.walk():
            memo[id(node)] = _apply(node, memo, env)
        return memo[id(expr)]

    return f


def _apply(node: Expr, memo: dict[int, Any], env: dict[str, Any]) -> Any:
    if isinstance(node, Const):
        return float(node.value)
    if isinstance(node, NamedConst):
        return node.value
    if isinstance(node, Symbol):
        if node.name not in env:
            raise ChainruleError(f"no value given for {node.name}")
        return env[node.name]
    assert isinstance(node, Apply)
    if node.prim.name == "add":  # added terms first, then the subtracted ones: a − y
        plus = [a for a in node.args if _negated(a) is None]
        minus = [_negated(a) for a in node.args if _negated(a) is not None]
        total = memo[id(plus[0])] if plus else -memo[id(minus.pop(0))]
        for arg in plus[1:]:
            total = total + memo[id(arg)]
        for arg in minus:
            total = total - memo[id(arg)]
        return total
    inner = _negated(node)
    if inner is not None:
        return -memo[id(inner)]
    if (node.prim.name == "pow" and isinstance(node.args[1], Const)
            and isinstance(node.args[1].value, Fraction) and node.args[1].value == -1):
        return 1.0 / memo[id(node.args[0])]
    return node.prim(*(memo[id(a)] for a in node.args))


def scalar(fn: Callable[..., Any]) -> Callable[..., float]:
    """``fn`` returning NaN where it is undefined (instead of raising)."""

    def safe(*args: float) -> float:
        try:
            value = float(fn(*args))
        except (ChainruleError, ArithmeticError, ValueError, TypeError):
            return math.nan
        return value if math.isfinite(value) else math.nan

    return safe


def finite(value: Any) -> float | None:
    """A float for JSON, or None where it is not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def three_way(expr: Expr, wrt: str, point: dict[str, float]) -> dict[str, Any]:
    """f′ at ``point`` three ways: symbolic, automatic (forward and reverse), numerical."""
    names = sorted(s.name for s in expr.free_symbols())
    missing = [n for n in names if n not in point]
    if missing:
        raise ChainruleError(f"give a value for {', '.join(missing)} in 'at'")
    x0 = point.get(wrt, 0.0)
    one = fix(expr, point, keep=wrt)
    f = compile_expr(one, [wrt])
    f_value = scalar(f)(x0)
    if math.isnan(f_value):
        raise ChainruleError(f"the function is not defined at {_where(point, wrt, x0)}, so it "
                             f"has no derivative there")
    derivative = diff(expr, wrt)
    symbolic = scalar(compile_expr(fix(derivative, point, keep=wrt), [wrt]))(x0)
    traced = as_function(one, [wrt])
    forward = scalar(lambda t: jvp(traced, (t,), (1.0,))[1])(x0)
    reverse = scalar(lambda t: grad(traced)(np.float64(t)))(x0)
    numeric = _numeric(scalar(f), x0)
    values = [v for v in (symbolic, forward, reverse) if not math.isnan(v)]
    tolerance = 1e-7 * max(1.0, *(abs(v) for v in values)) if values else 0.0
    numeric_ok = (numeric["value"] is not None and values
                  and abs(numeric["value"] - values[0]) <= max(tolerance,
                                                               3 * (numeric["error"] or 0)))
    agree = (len(values) == 3 and max(values) - min(values) <= tolerance and bool(numeric_ok))
    return {
        "point": {**point, wrt: x0}, "wrt": wrt, "derivative": str(derivative),
        "f": finite(f_value), "lnf": finite(math.log(abs(f_value))) if f_value else None,
        "symbolic": finite(symbolic), "forward": finite(forward), "reverse": finite(reverse),
        "numeric": numeric, "agree": agree,
    }


def _numeric(f: Callable[[float], float], x0: float) -> dict[str, Any]:
    try:
        from chainrule.numeric import derivative
    except ImportError:  # pragma: no cover - the numeric package ships with chainrule
        derivative = None
    if derivative is not None:
        r = derivative(f, x0)
        return {"value": finite(r.df), "error": finite(r.error), "status": str(r.status),
                "method": "central differences, Richardson extrapolation"}
    h = 1e-5 * max(1.0, abs(x0))
    estimate = (f(x0 + h) - f(x0 - h)) / (2 * h)
    return {"value": finite(estimate), "error": None, "status": "central difference",
            "method": "central difference"}


def _where(point: dict[str, float], wrt: str, x0: float) -> str:
    return ", ".join(f"{k} = {v:g}" for k, v in {**point, wrt: x0}.items())


def graph(expr: Expr, point: dict[str, float]) -> dict[str, Any]:
    """Forward values and backward adjoints of every node of ``expr`` at ``point``."""
    free = {s.name for s in expr.free_symbols()}
    if not free:
        raise ChainruleError("the expression has no variables, so it has no computation graph")
    names = [n for n in point if n in free] + sorted(free - set(point))
    missing = [n for n in names if n not in point]
    if missing:
        raise ChainruleError(f"give a value for {', '.join(missing)} in 'at'")
    g = computation_graph(as_function(expr, names), *(float(point[n]) for n in names),
                          names=names)
    if len(g) > MAX_GRAPH_NODES:
        raise ChainruleError(f"the computation graph has {len(g)} nodes; the view draws at most "
                             f"{MAX_GRAPH_NODES} (try a smaller expression)")
    nodes = [{"id": n.id, "name": n.name, "label": n.label, "op": n.prim, "value": finite(n.value),
              "adjoint": finite(n.adjoint), "input": n.is_input, "output": n.is_output}
             for n in g.nodes]
    edges = [{"source": e.source, "target": e.target, "local": finite(e.local),
              "flow": finite(e.flow)} for e in g.edges]
    return {"nodes": nodes, "edges": edges, "output": g.out_name, "text": g.text(),
            "gradient": {n: finite(g[n].adjoint) for n in names}}
