"""The JSON API's handlers: one function per endpoint, from a request object to an answer.

Each handler reads its fields through :class:`~chainrule.web.validate.Fields` (which refuses
unknown, missing and ill-typed fields and anything over a limit) and then calls the library.
Handlers run in a worker thread (see :mod:`chainrule.limits.runner`); the errors they raise are
turned into 4xx answers by :mod:`chainrule.web.app`. The API is documented in
``docs/web-api.md``.
"""

from __future__ import annotations

from typing import Any

from chainrule.cli.diff_command import METHODS, DiffRequest, parse_point, run_diff
from chainrule.core.expr import Expr
from chainrule.errors import BudgetError, ChainruleError, ParseError
from chainrule.explain.page import derivation_dict
from chainrule.explain.render import DETAIL_HIDES
from chainrule.parsing import interpret
from chainrule.printing import mathml
from chainrule.symbolic.api import parse, steps
from chainrule.symbolic.differentiate import wrt_symbol
from chainrule.tutor import check_answer
from chainrule.web import evaluation, lessons, plot, surface_api
from chainrule.web.validate import (
    MAX_ORDER,
    MAX_PLOT_POINTS,
    MAX_VARIABLES,
    ApiError,
    Fields,
)

DETAILS = tuple(DETAIL_HIDES)
MAX_MATHML_CHARS = 1_000_000
"""Longest MathML of one answer; a longer one is sent as text only (``mathml: null``)."""


def _parse(text: str, field: str = "expr") -> Expr:
    try:
        return parse(text)
    except ParseError as err:
        err.field = field  # type: ignore[attr-defined]
        raise


def _variables(expr: Expr) -> list[str]:
    return sorted(s.name for s in expr.free_symbols())


def _mathml(expr: Expr, display: bool = True) -> str | None:
    """MathML for ``expr``, or None when it is too large to draw (the text is sent anyway)."""
    try:
        return mathml.to_mathml(expr, display=display, max_chars=MAX_MATHML_CHARS)
    except BudgetError:
        return None


def _point(value: Any, expr: Expr, wrt: str | None) -> dict[str, float]:
    """A point from a number (the variable's value), an object, or ``"x=2, y=1"`` text."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return parse_point(value)
    return {wrt_symbol(expr, wrt).name: value}


def parse_expression(data: Any) -> dict[str, Any]:
    """``POST /api/parse``: how the input was understood, for the live preview."""
    fields = Fields(data, ("expr",))
    expr, interpreted = interpret(fields.expr())
    names = _variables(expr)
    out = {"input": data["expr"], "interpreted": interpreted, "latex": expr.latex(),
           "mathml": _mathml(expr), "variables": names}
    note = _run_together(names)
    if note:
        out["note"] = note
    return out


FUNCTION_NAMES = ("sin", "cos", "tan", "exp", "ln", "log", "sqrt", "sinh", "cosh", "tanh")
"""Names that, run into a longer variable name (``xsinx``), suggest a missing space."""


def _run_together(names: list[str]) -> str | None:
    """A note when a variable name holds a function name, e.g. ``xsinx``: it is read as one
    variable; ``x sin x`` would be x·sin(x)."""
    for name in names:
        for fn in FUNCTION_NAMES:
            at = name.find(fn)
            if at >= 0 and len(name) > len(fn):
                split = f"{name[:at]} {fn} {name[at + len(fn):]}".strip()
                return (f"{name!r} is read as one variable named {name}; for a product with "
                        f"{fn}, write spaces or '*': {split}")
    return None


def differentiate(data: Any) -> dict[str, Any]:
    """``POST /api/diff``: exactly what ``chainrule diff --format json`` prints."""
    fields = Fields(data, ("expr", "wrt", "order", "at", "steps", "hide", "detail", "method"))
    text = fields.expr()
    wrt = fields.name("wrt")
    order = fields.integer("order", 1, 0, MAX_ORDER)
    at = fields.point("at")
    show_steps = fields.boolean("steps", False)
    hide = ",".join(fields.names_list("hide"))
    detail = fields.choice("detail", "normal", DETAILS)
    method = fields.choice("method", "auto", METHODS)
    if at is not None and not isinstance(at, str):
        point = _point(at, _parse(text), wrt)
        at = ",".join(f"{k}={v!r}" for k, v in point.items())
    return run_diff(DiffRequest(text, wrt, order, at, show_steps, hide, detail, method, "json"))


def derivation(data: Any) -> dict[str, Any]:
    """``POST /api/steps``: the derivative and its steps, each with MathML."""
    fields = Fields(data, ("expr", "wrt", "order", "method", "detail", "hide"))
    expr = _parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    order = fields.integer("order", 1, 1, MAX_ORDER)
    method = fields.choice("method", "auto", METHODS)
    detail = fields.choice("detail", "normal", DETAILS)
    hide = fields.names_list("hide")
    d = steps(expr, wrt, order, method)
    equation = None
    try:
        partial = len(expr.free_symbols()) > 1  # ∂/∂x: the others are held fixed
        lhs = mathml.derivative_operator(wrt, order, partial) + mathml.parens(
            mathml.fragment(expr, MAX_MATHML_CHARS), "[", "]")
        rhs = mathml.fragment(d.result, MAX_MATHML_CHARS)
        equation = mathml.math_element(f"{lhs}<mo>=</mo>{rhs}", display=True)
    except BudgetError:
        pass
    return {"input": data["expr"], "interpreted": str(expr), "wrt": wrt, "order": order,
            "method": method, "detail": detail, "derivative": str(d.result),
            "latex": d.result.latex(), "mathml": equation, "derivative_mathml":
            _mathml(d.result), "ladder": _ladder(d), **derivation_dict(d, hide, detail)}


def _ladder(d: Any) -> list[dict[str, Any]]:
    """Each order's derivative on its own (f′, f″, f‴ …), so a higher order reads as a
    sequence of results rather than one long equation."""
    return [{"order": k, "derivative": str(tree.result), "mathml": _mathml(tree.result, False)}
            for k, tree in enumerate(d.orders, start=1)]


def plot_data(data: Any) -> dict[str, Any]:
    """``POST /api/plot``: f, ln|f| and f′ sampled on [from, to], gaps and critical points."""
    fields = Fields(data, ("expr", "wrt", "from", "to", "points", "at"))
    expr = _parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    lo = fields.number("from", -4.0)
    hi = fields.number("to", 4.0)
    points = fields.integer("points", 801, 2, MAX_PLOT_POINTS)
    if not lo < hi:
        raise ApiError(422, f"'from' must be less than 'to' (got {lo:g} and {hi:g})",
                       field="from")
    if (hi - lo) < 1e-9 * max(1.0, abs(lo), abs(hi)):
        raise ApiError(422, "the plot range is too narrow to sample", field="to")
    at = fields.point("at")
    if isinstance(at, float):
        raise ApiError(422, "'at' of a plot gives the other variables' values, e.g. "
                            "{\"y\": 1}", field="at")
    fixed = _point(at, expr, wrt) if at is not None else {}
    return plot.sample(expr, wrt, lo, hi, points, fixed)


def check_three_ways(data: Any) -> dict[str, Any]:
    """``POST /api/check``: f′ at a point symbolically, by forward and reverse AD, and
    numerically, and whether they agree."""
    fields = Fields(data, ("expr", "wrt", "at"))
    expr = _parse(fields.expr())
    wrt_given = fields.name("wrt")
    at = fields.point("at", required=True)
    if isinstance(at, dict) and wrt_given is None and len(_variables(expr)) <= 1:
        names = _variables(expr)
        wrt_given = names[0] if names else next(iter(at))
    wrt = wrt_symbol(expr, wrt_given).name
    point = _point(at, expr, wrt)
    if wrt not in point:
        raise ApiError(422, f"'at' gives no value for {wrt}, the variable to differentiate by",
                       field="at")
    return evaluation.three_way(expr, wrt, point)


def check_learner_answer(data: Any) -> dict[str, Any]:
    """``POST /api/answer``: is ``answer`` the derivative, and if not, what went wrong."""
    fields = Fields(data, ("expr", "answer", "wrt", "order"))
    expr = _parse(fields.expr())
    answer = _parse(fields.expr("answer"), "answer")
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    order = fields.integer("order", 1, 1, MAX_ORDER)
    result = check_answer(expr, answer, wrt=wrt, order=order)
    out = result.to_dict()
    out["correct_mathml"] = _mathml(result.correct)
    out["answer_mathml"] = _mathml(answer)
    return out


def computation_graph(data: Any) -> dict[str, Any]:
    """``POST /api/graph``: forward values and backward adjoints of every node."""
    fields = Fields(data, ("expr", "at"))
    expr = _parse(fields.expr())
    at = fields.point("at", required=True)
    names = _variables(expr)
    if len(names) > MAX_VARIABLES:
        raise ApiError(422, f"the graph view takes at most {MAX_VARIABLES} variables, this "
                            f"expression has {len(names)}", field="expr")
    point = _point(at, expr, None)
    out = evaluation.graph(expr, point)
    out["mathml"] = _mathml(expr)
    out["expr"] = str(expr)
    return out


def difference_quotients(data: Any) -> dict[str, Any]:
    """``POST /api/quotients``: secant slopes of f at x for h and for h = 1 … 10⁻⁸, and f′(x)."""
    fields = Fields(data, ("expr", "wrt", "at", "h"))
    expr = _parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    x = fields.number("at", None)
    h = fields.number("h", 0.5)
    return evaluation.quotients(expr, wrt, x, h)


def step_size(data: Any) -> dict[str, Any]:
    """``POST /api/step_errors``: forward and central difference errors against h at x."""
    fields = Fields(data, ("expr", "wrt", "at"))
    expr = _parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    return evaluation.step_errors(expr, wrt, fields.number("at", None))


MAX_TAYLOR_ORDER = 8
"""Highest order the taylor explorer's slider reaches."""


def taylor_polynomials(data: Any) -> dict[str, Any]:
    """``POST /api/taylor``: f and its Taylor polynomials of order 0 … n, sampled, with errors."""
    fields = Fields(data, ("expr", "wrt", "about", "order", "from", "to", "points"))
    expr = _parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    about = fields.number("about", 0.0)
    order = fields.integer("order", 4, 0, MAX_TAYLOR_ORDER)
    lo = fields.number("from", about - 3)
    hi = fields.number("to", about + 3)
    points = fields.integer("points", 201, 2, 401)
    if not lo < hi:
        raise ApiError(422, f"'from' must be less than 'to' (got {lo:g} and {hi:g})",
                       field="from")
    return evaluation.taylor_view(expr, wrt, about, order, lo, hi, points)


HANDLERS = {
    "parse": parse_expression, "diff": differentiate, "steps": derivation, "plot": plot_data,
    "check": check_three_ways, "answer": check_learner_answer, "graph": computation_graph,
    "quotients": difference_quotients, "taylor": taylor_polynomials,
    "step_errors": step_size,
}
HANDLERS.update(lessons.HANDLERS)  # the walkthrough explorers' endpoints
HANDLERS.update(surface_api.HANDLERS)  # the explorers of several variables


def error_body(err: BaseException) -> tuple[int, dict[str, Any]] | None:
    """The status and JSON body for an error a handler raised; None for a bug."""
    if isinstance(err, ApiError):
        return err.status, err.body()
    if isinstance(err, ParseError):
        body: dict[str, Any] = {"error": f"syntax error: {err.message}",
                                "field": getattr(err, "field", "expr")}
        if err.column is not None:
            body["column"] = err.column
        if err.hint:
            body["hint"] = err.hint
        return 422, body
    if isinstance(err, ChainruleError):
        return 422, {"error": str(err)}
    if isinstance(err, RecursionError):
        return 422, {"error": "the expression is nested too deeply to process"}
    if isinstance(err, MemoryError):
        return 413, {"error": "out of memory: the request is too large"}
    return None
