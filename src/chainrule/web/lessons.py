"""Numbers for the walkthrough explorers: Monte Carlo integration and the logarithmic recipe.

:func:`mc_integration` is seed 003's Monte Carlo picture: points drawn uniformly in a box
around the curve, counted +1 under it (above the axis), −1 over it (below the axis), so that
the box's area times the mean count is ∫f — :func:`chainrule.mc.integrate` of that count over
the box, with its running estimate and error bar beside a quadrature reference value.
:func:`log_recipe` is seed 000's four-step logarithmic differentiation, stage by stage, from
the engine's own step tree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import integrate as quadrature

from chainrule.core.expr import Expr, Symbol
from chainrule.errors import ChainruleError
from chainrule.explain.page import derivation_dict
from chainrule.mc import integrate
from chainrule.mc.integrate import summarise
from chainrule.symbolic.api import diff, parse, steps
from chainrule.symbolic.compile import compile_expr
from chainrule.symbolic.differentiate import wrt_symbol
from chainrule.symbolic.steps import (
    DERIVATIVE,
    Differentiate,
    DifferentiateBothSides,
    LogDifferentiation,
    SimplifyRight,
    SolveForDerivative,
    Step,
    TakeLog,
)
from chainrule.web.evaluation import finite, scalar
from chainrule.web.validate import ApiError, Fields, check_expression_text

try:  # the line-by-line tutor engine (docs/tutor.md); the tutor page falls back to
    # /api/tutor_plan + /api/answer where this chainrule predates it
    from chainrule.tutor import respond as tutor_respond
except ImportError:  # pragma: no cover - depends on the tutor package's version
    tutor_respond = None

MAX_DOTS = 1_500
"""Most sample points sent back to be drawn (the estimate uses all of them)."""
CHECKPOINTS = 40
"""Points of the running estimate, spaced evenly on a log scale of n."""


def _vectorised(expr: Expr, wrt: str):
    f = compile_expr(expr, [wrt])

    def values(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            try:
                out = np.asarray(f(x), dtype=float)
            except (ChainruleError, ArithmeticError, ValueError, TypeError):
                out = np.array([scalar(f)(v) for v in x])
        return np.broadcast_to(out, x.shape).astype(float)

    return values


def mc_integration(expr: Expr, wrt: str, lo: float, hi: float, n: int,
                   seed: int) -> dict[str, Any]:
    """∫ f over [lo, hi] by counting uniform points under the curve (hit or miss).

    >>> from chainrule.symbolic.api import parse
    >>> r = mc_integration(parse("x^2"), "x", 0.0, 1.0, 4000, 1)
    >>> round(r["exact"], 6), abs(r["estimate"] - 1 / 3) < 4 * r["stderr"]
    (0.333333, True)
    >>> r["running"][-1]["n"], len(r["dots"]) <= MAX_DOTS
    (4000, True)
    """
    f = _vectorised(expr, wrt)
    grid = np.linspace(lo, hi, 401)
    fg = f(grid)
    if not np.all(np.isfinite(fg)):
        bad = grid[~np.isfinite(fg)][0]
        raise ChainruleError(f"f is not defined (or not finite) at {wrt} = {bad:.6g} in "
                             f"[{lo:g}, {hi:g}]; choose a range where f is bounded")
    # the box: the curve's range and the axis, with a margin (the grid may miss a peak)
    top, bottom = max(float(fg.max()), 0.0), min(float(fg.min()), 0.0)
    pad = 0.1 * (top - bottom) or 1.0
    box_y = (bottom - pad if bottom < 0 else 0.0, top + pad if top > 0 else 0.0)
    if box_y[0] == box_y[1]:
        box_y = (-1.0, 1.0)
    seen: list[np.ndarray] = []

    def count(p: np.ndarray) -> np.ndarray:
        """+1 between the axis and a positive f, −1 between the axis and a negative f."""
        seen.append(p)
        fx, y = f(p[:, 0]), p[:, 1]
        return np.where((y >= 0) & (y < fx), 1.0, np.where((y < 0) & (y >= fx), -1.0, 0.0))

    result = integrate(count, [(lo, hi), (box_y[0], box_y[1])], n=n, seed=seed)
    points = seen[-1]
    area = (hi - lo) * (box_y[1] - box_y[0])
    counts = count(points) * area
    running = []
    for k in sorted({int(round(v)) for v in np.geomspace(2, n, CHECKPOINTS)}):
        r = summarise(counts[:k])
        running.append({"n": k, "estimate": r.value, "stderr": finite(r.stderr)})
    exact, quad_error = quadrature.quad(lambda x: float(f(np.array([x]))[0]), lo, hi,
                                        limit=200)
    signs = counts[:MAX_DOTS] / area
    return {
        "from": lo, "to": hi, "n": n, "seed": seed, "box": [lo, box_y[0], hi, box_y[1]],
        "estimate": result.value, "stderr": result.stderr, "ci": list(result.ci),
        "exact": exact, "exact_error": quad_error, "running": running,
        "dots": [[float(x), float(y), int(s)] for (x, y), s in zip(points[:MAX_DOTS], signs,
                                                                      strict=True)],
        "x": grid.tolist(), "f": [finite(v) for v in fg],
    }


STAGE_CLASSES = (TakeLog, DifferentiateBothSides, SimplifyRight, SolveForDerivative)
"""Seed 000's recipe: the engine's step classes (:mod:`chainrule.symbolic.steps`)."""
STAGES = tuple(cls.name for cls in STAGE_CLASSES)
"""Their names, as the page shows them."""
_STAGE_KINDS = frozenset(cls.__name__ for cls in STAGE_CLASSES)


def _find(tree: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The first step of ``kind`` (a step class's name, the JSON's ``kind``) in ``tree``."""
    if tree.get("kind") == kind:
        return tree
    for sub in tree.get("substeps") or []:
        found = _find(sub, kind)
        if found is not None:
            return found
    return None


def log_recipe(expr: Expr, wrt: str, at: float | None) -> dict[str, Any]:
    """The four stages of logarithmic differentiation of ``expr``, each with its statement,
    and (at ``at``) the derivative's value beside the plain method's.

    >>> from chainrule.symbolic.api import parse
    >>> r = log_recipe(parse("x^x"), "x", 2.0)
    >>> [s["rule"] for s in r["stages"]] == list(STAGES), r["derivative"]
    (True, 'x^x*(ln(x) + 1)')
    >>> round(r["value"], 9), round(r["plain_value"], 9)       # 4·(ln 2 + 1)
    (6.772588722, 6.772588722)
    >>> r = log_recipe(parse("x^x"), "x", 1.0)   # defined at 1 in textbook form
    >>> r["recipe_value"], r["value"]
    (1.0, 1.0)
    """
    d = steps(expr, wrt, 1, "logdiff")
    tree = derivation_dict(d, [], "normal")
    found = None
    for order in tree["orders"]:
        found = _find(order, LogDifferentiation.__name__)
        if found is not None:
            break
    if found is None:
        raise ChainruleError(f"{expr} has no factor with {wrt} in an exponent or a product "
                             f"to take logarithms of; try x^x, x^(sin x) or x^2 (x+1)^3 "
                             f"sin(x)")
    stages = [s for s in found["substeps"] if s.get("kind") in _STAGE_KINDS]
    out: dict[str, Any] = {"expr": str(expr), "wrt": wrt, "derivative": str(d.result),
                           "stages": stages, "at": at}
    if at is not None:
        plain = diff(expr, wrt, 1, "direct")
        recipe = finite(scalar(compile_expr(d.result, [wrt]))(at))
        out["recipe_value"] = recipe
        out["plain_value"] = finite(scalar(compile_expr(plain, [wrt]))(at))
        out["plain"] = str(plain)
        out["f"] = finite(scalar(compile_expr(expr, [wrt]))(at))
        out["value"] = recipe if recipe is not None else out["plain_value"]
        if recipe is None and out["plain_value"] is not None:
            out["note"] = (f"the recipe's answer divides by a factor that is 0 at {wrt} = "
                           f"{at:g}; f′ exists there: the plain rules give "
                           f"{out['plain_value']:.6g}")
    return out


MAX_TASKS = 12
"""Most steps the tutor asks for (the last is always the whole derivative)."""


def tutor_tasks(expr: Expr, wrt: str) -> dict[str, Any]:
    """The derivatives a learner writes, one step at a time: each sub-derivative the engine's
    step tree takes (innermost first, each once), ending with f′ itself. Only the questions
    are sent; ``POST /api/answer`` checks each answer.

    >>> from chainrule.symbolic.api import parse
    >>> [(t["expr"], t["rule"]) for t in tutor_tasks(parse("x^2 sin(x)"), "x")["tasks"]]
    [('x^2', 'Power rule'), ('sin(x)', 'Sine rule'), ('x^2*sin(x)', 'Product rule')]
    """
    # the rules one at a time (as a first course writes them), not the auto method's
    # logarithmic differentiation of a product of three or more factors
    tree = steps(expr, wrt, 1, method="direct").orders[0]
    order: list[Step] = []
    _post_order(tree, order, set())
    tasks: list[dict[str, Any]] = []
    seen: set[str] = set()
    for step in order:
        text = str(step.expr)
        if (step.claim != DERIVATIVE or text in seen or not step.expr.free_symbols()
                or isinstance(step.expr, Symbol) or isinstance(step, Differentiate)):
            continue
        seen.add(text)
        tasks.append({"expr": text, "rule": step.rule})
    whole = str(expr)
    tasks = [t for t in tasks if t["expr"] != whole][-(MAX_TASKS - 1):]
    tasks.append({"expr": whole, "rule": tree.substeps[0].rule if tree.substeps else tree.rule})
    return {"expr": whole, "wrt": wrt, "tasks": tasks}


def _post_order(step: Step, out: list[Step], seen: set[int]) -> None:
    if id(step) in seen:
        return
    seen.add(id(step))
    for sub in step.substeps:
        _post_order(sub, out, seen)
    out.append(step)


def tutor_plan(data: Any) -> dict[str, Any]:
    """``POST /api/tutor_plan``: the steps the tutor explorer asks the learner to write."""
    fields = Fields(data, ("expr", "wrt"))
    expr = parse(fields.expr())
    return tutor_tasks(expr, wrt_symbol(expr, fields.name("wrt")).name)


MAX_SAMPLES = 100_000
"""Most Monte Carlo samples of one request."""


def monte_carlo(data: Any) -> dict[str, Any]:
    """``POST /api/mc_integrate``: ∫ f over [from, to] by n random points, with the running
    estimate, its error bar and a quadrature reference value."""
    fields = Fields(data, ("expr", "wrt", "from", "to", "n", "seed"))
    expr = parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    lo, hi = fields.number("from", 0.0), fields.number("to", 1.0)
    if not lo < hi:
        raise ApiError(422, f"'from' must be less than 'to' (got {lo:g} and {hi:g})",
                       field="from")
    n = fields.integer("n", 1000, 2, MAX_SAMPLES)
    seed = fields.integer("seed", 0, 0, 2**31 - 1)
    return mc_integration(expr, wrt, lo, hi, n, seed)


def log_steps(data: Any) -> dict[str, Any]:
    """``POST /api/log_steps``: seed 000's four steps of logarithmic differentiation of f,
    and f′ at ``at`` (the plain rules' value where the recipe's answer is undefined)."""
    fields = Fields(data, ("expr", "wrt", "at"))
    expr = parse(fields.expr())
    wrt = wrt_symbol(expr, fields.name("wrt")).name
    at = fields.number("at", None) if data.get("at") is not None else None
    return log_recipe(expr, wrt, at)


MAX_TUTOR_LINES = 40
"""Most lines one tutor session carries in its state."""
TUTOR_ACTIONS = ("start", "submit", "hint", "state")


def tutor_session(data: Any) -> dict[str, Any]:
    """``POST /api/tutor``: one exchange with the line-by-line tutor (its stateless JSON
    interface, ``chainrule.tutor.respond``; see docs/tutor.md): the request carries the
    session's state, the answer is ``{"reply", "state"}``."""
    fields = Fields(data, ("expr", "wrt", "lines", "hint_level", "action", "line"))
    request: dict[str, Any] = {"expr": fields.expr(),
                               "action": fields.choice("action", "start", TUTOR_ACTIONS),
                               "hint_level": fields.integer("hint_level", 0, 0, 10)}
    wrt = fields.name("wrt")
    if wrt is not None:
        request["wrt"] = wrt
    lines = data.get("lines") or []
    if not isinstance(lines, list) or not all(isinstance(v, str) for v in lines):
        raise ApiError(422, "field 'lines' must be a list of the accepted lines (strings)",
                       field="lines")
    if len(lines) > MAX_TUTOR_LINES:
        raise ApiError(422, f"field 'lines' may hold at most {MAX_TUTOR_LINES} lines",
                       field="lines")
    for line in lines:
        check_expression_text(line, "lines")
    request["lines"] = lines
    if request["action"] == "submit":
        request["line"] = fields.expr("line")
    return tutor_respond(request)


HANDLERS = {"mc_integrate": monte_carlo, "log_steps": log_steps, "tutor_plan": tutor_plan}
"""The endpoints of this module, merged into :data:`chainrule.web.api.HANDLERS`."""
if tutor_respond is not None:  # the line-by-line tutor engine is installed
    HANDLERS["tutor"] = tutor_session
