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

from chainrule.calculus.taylor import taylor
from chainrule.core.build import const
from chainrule.core.evaluate import evaluate
from chainrule.core.expr import Apply, Const, Expr, Symbol
from chainrule.core.registry import get
from chainrule.core.substitute import substitute
from chainrule.errors import ChainruleError, KinkError
from chainrule.explain.graph import computation_graph
from chainrule.symbolic.api import diff
from chainrule.symbolic.compile import compile_expr
from chainrule.symbolic.kinks import kink_value
from chainrule.testing import verify

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
        memo: dict[Any, Any] = {}
        return evaluate(expr, env, lambda node, args: _readable_apply(node, args, memo), memo)

    return f


def _readable_apply(node: Apply, args: tuple, memo: dict[Any, Any]) -> Any:
    """``node``'s primitive on traced values, written as the graph view should draw it.

    A subtracted term ``-1·u`` is taken as ``u`` (its value is in ``memo``: the evaluator
    fills it children first), so the trace records ``a − y`` rather than ``a + (−1·y)``.
    """
    if node.prim.name == "add":  # added terms first, then the subtracted ones: a − y
        plus = [v for a, v in zip(node.args, args, strict=True) if _negated(a) is None]
        minus = [memo[_negated(a)] for a in node.args if _negated(a) is not None]
        total = plus[0] if plus else -minus.pop(0)
        for value in plus[1:]:
            total = total + value
        for value in minus:
            total = total - value
        return total
    inner = _negated(node)
    if inner is not None:
        return -memo[inner]
    if (node.prim.name == "pow" and isinstance(node.args[1], Const)
            and isinstance(node.args[1].value, Fraction) and node.args[1].value == -1):
        return 1.0 / args[0]
    return node.prim(*args)


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
    """f′ at ``point`` three ways: symbolic, automatic (forward and reverse), numerical.

    The comparison is :func:`chainrule.testing.verify`'s (in its safe mode: a mode that fails
    shows as null); this adds what the page draws beside it (f, ln|f|, the derivative).
    """
    names = sorted(s.name for s in expr.free_symbols())
    missing = [n for n in names if n not in point]
    if missing:
        raise ChainruleError(f"give a value for {', '.join(missing)} in 'at'")
    x0 = point.get(wrt, 0.0)
    f_value = scalar(compile_expr(fix(expr, point, keep=wrt), [wrt]))(x0)
    if math.isnan(f_value):
        raise ChainruleError(f"the function is not defined at {_where(point, wrt, x0)}, so it "
                             f"has no derivative there")
    v = verify(expr, wrt, {**point, wrt: x0}, safe=True)
    return {
        "value_at": value_at_point(diff(expr, wrt), {**point, wrt: x0}),
        "point": {**point, wrt: x0}, "wrt": wrt, "derivative": str(diff(expr, wrt)),
        "f": finite(f_value), "lnf": finite(math.log(abs(f_value))) if f_value else None,
        "symbolic": finite(v.symbolic), "forward": finite(v.forward),
        "reverse": finite(v.reverse),
        "numeric": {"value": finite(v.numeric), "error": finite(v.numeric_error),
                    "status": v.numeric_status,
                    "method": "central differences, Richardson extrapolation"},
        "agree": v.agree,
    }


def value_at_point(d: Expr, point: dict[str, float]) -> dict[str, Any] | None:
    """f′ at the point to about 12 digits, or flagged (:meth:`Expr.at`): its value with how
    it was computed; None where it is refused."""
    try:
        v = d.at(**point)
    except ChainruleError:
        return None
    return {"value": finite(v), **v.to_dict()}


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
    nodes = [{"id": n.id, "name": n.name, "label": n.label, "op": n.prim,
              "symbol": op_symbol(n.prim), "formula": formula(n.prim, n.args),
              "value": finite(n.value), "adjoint": finite(n.adjoint), "input": n.is_input,
              "output": n.is_output}
             for n in g.nodes]
    edges = [{"source": e.source, "target": e.target, "local": finite(e.local),
              "flow": finite(e.flow)} for e in g.edges]
    return {"nodes": nodes, "edges": edges, "output": g.out_name, "text": g.text(),
            "gradient": {n: finite(g[n].adjoint) for n in names}}


SHOWN_OPERATORS = {"*": "·", "-": "−"}
"""How the page writes a record's operator (the records use ASCII)."""


def op_symbol(prim: str | None) -> str | None:
    """What a node of primitive ``prim`` shows: its operator (``·``, ``+``, ``^``) or name.

    >>> op_symbol("mul"), op_symbol("relu"), op_symbol(None)
    ('·', 'relu', None)
    """
    if prim is None:
        return None
    operator = get(prim).operator
    return prim if operator is None else SHOWN_OPERATORS.get(operator, operator)


def formula(prim: str | None, args: tuple[str, ...]) -> str | None:
    """The node's computation as written by hand: ``w · x``, ``v1 − y``, ``relu(v2)``.

    >>> formula("mul", ("w", "x")), formula("neg", ("u",)), formula("exp", ("v1",))
    ('w · x', '−u', 'exp(v1)')
    """
    if prim is None:
        return None
    symbol = op_symbol(prim)
    if get(prim).operator is None or not args:
        return f"{symbol}({', '.join(args)})"
    if len(args) == 1:
        return f"{symbol}{args[0]}"
    return f" {symbol} ".join(args)


QUOTIENT_STEPS = tuple(10.0 ** -k for k in range(9))
"""The h of the difference-quotient table: 1, 0.1, …, 10⁻⁸."""


def exact_slope(expr: Expr, wrt: str, x: float) -> float | None:
    """f′(x) for the explorers: decided from both sides at a kink of a piecewise function
    (:func:`~chainrule.symbolic.kinks.kink_value`, which raises where there is none), else
    the compiled derivative; None where it is not finite.

    >>> from chainrule.symbolic.api import parse
    >>> exact_slope(parse("relu(x)^2"), "x", 0.0), exact_slope(parse("x^2"), "x", 1.5)
    (0.0, 3.0)
    """
    kinked = kink_value(expr, wrt, {wrt: x})
    if kinked is not None:
        return finite(kinked)
    return finite(scalar(compile_expr(diff(expr, wrt), [wrt]))(x))


def quotients(expr: Expr, wrt: str, x: float, h: float) -> dict[str, Any]:
    """Secant slopes ``(f(x+h) − f(x))/h`` at ``x`` for ``h`` and for each of
    :data:`QUOTIENT_STEPS`, beside the exact f′(x): the limit the secants approach.

    >>> from chainrule.symbolic.api import parse
    >>> q = quotients(parse("x^2"), "x", 1.0, 0.5)
    >>> q["slope"], q["quotient"], round(q["table"][2]["quotient"], 6)
    (2.0, 2.5, 2.01)
    """
    if h == 0:
        raise ChainruleError("h must not be 0: the difference quotient divides by h")
    f = scalar(compile_expr(expr, [wrt]))
    fx = f(x)
    if math.isnan(fx):
        raise ChainruleError(f"the function is not defined at {wrt} = {x:g}")
    try:
        slope = exact_slope(expr, wrt, x)
    except KinkError:
        slope = None  # no derivative at a kink: the secants from each side approach its slopes

    def row(step: float) -> dict[str, Any]:
        q = finite((f(x + step) - fx) / step)
        error = None if q is None or slope is None else abs(q - slope)
        return {"h": step, "quotient": q, "error": error}

    return {"x": x, "h": h, "f": finite(fx), "f_h": finite(f(x + h)), "slope": slope,
            "derivative": str(diff(expr, wrt)), "quotient": row(h)["quotient"],
            "table": [row(step) for step in QUOTIENT_STEPS]}


def taylor_view(expr: Expr, wrt: str, about: float, order: int, lo: float, hi: float,
                points: int) -> dict[str, Any]:
    """f and its Taylor polynomials P_0 … P_order about ``about``, sampled on [lo, hi], with an
    error table of P_order at a few points near the centre.

    >>> from chainrule.symbolic.api import parse
    >>> t = taylor_view(parse("e^x"), "x", 0.0, 2, -1.0, 1.0, 3)
    >>> t["polynomials"], t["p"][2]
    (['1', 'x + 1', 'x^2/2 + x + 1'], [0.5, 1.0, 2.5])
    """
    grid = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    f = scalar(compile_expr(expr, [wrt]))
    polys = [taylor(expr, about=about, order=k, wrt=wrt) for k in range(order + 1)]
    p = [scalar(compile_expr(poly, [wrt])) for poly in polys]
    near = [about + d for d in (-1.0, -0.5, -0.1, 0.1, 0.5, 1.0)]
    table = []
    for x in near:
        fx, px = finite(f(x)), finite(p[-1](x))
        table.append({"x": x, "f": fx, "p": px,
                      "error": None if fx is None or px is None else abs(fx - px)})
    return {"about": about, "order": order, "polynomials": [str(q) for q in polys],
            "x": grid, "f": [finite(f(x)) for x in grid],
            "p": [[finite(q(x)) for x in grid] for q in p], "table": table}


STEP_EXPONENTS = tuple(-k / 4 for k in range(4, 61))
"""log10 h of the step-size sweep: 10⁻¹ … 10⁻¹⁵ in quarter decades."""


def step_errors(expr: Expr, wrt: str, x: float) -> dict[str, Any]:
    """Errors of the forward ``(f(x+h) − f(x))/h`` and central ``(f(x+h) − f(x−h))/2h``
    differences against the exact f′(x), for h from 10⁻¹ to 10⁻¹⁵: truncation error falls
    with h, round-off error grows as h shrinks; each method's best h is where they balance.

    >>> from chainrule.symbolic.api import parse
    >>> s = step_errors(parse("e^x"), "x", 1.0)
    >>> best = s["best"]
    >>> -9 < math.log10(best["forward"]["h"]) < -7, -7 < math.log10(best["central"]["h"]) < -4
    (True, True)
    """
    f = scalar(compile_expr(expr, [wrt]))
    exact = exact_slope(expr, wrt, x)  # a KinkError at a kink says why there is none
    if exact is None or math.isnan(f(x)):
        raise ChainruleError(f"f has no derivative at {wrt} = {x:g} to compare with")
    rows = []
    for e in STEP_EXPONENTS:
        h = 10.0 ** e
        forward = (f(x + h) - f(x)) / h
        central = (f(x + h) - f(x - h)) / (2 * h)
        rows.append({"h": h, "forward": finite(abs(forward - exact)),
                     "central": finite(abs(central - exact))})

    def best(method: str) -> dict[str, Any]:
        usable = [r for r in rows if r[method] is not None]
        row = min(usable, key=lambda r: r[method]) if usable else {"h": None, method: None}
        return {"h": row["h"], "error": row[method]}

    return {"x": x, "slope": exact, "derivative": str(diff(expr, wrt)), "rows": rows,
            "best": {"forward": best("forward"), "central": best("central")}}
