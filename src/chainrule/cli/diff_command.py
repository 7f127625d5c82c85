"""``chainrule diff``: the request, its validation, and its three output formats."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chainrule.core.expr import Expr
from chainrule.core.precision import PointValue, ValueOutOfRange
from chainrule.errors import ChainruleError, DomainError
from chainrule.explain.render import hidden_rules, render_latex, render_text, to_dict
from chainrule.explain.rules import resolve_hide, vocabulary
from chainrule.symbolic.api import diff, parse, parse_typed, steps
from chainrule.symbolic.differentiate import wrt_symbol
from chainrule.symbolic.kinks import kink_value

if TYPE_CHECKING:
    from rich.text import Text

log = logging.getLogger(__name__)

FORMATS = ("text", "latex", "json", "mathml")
METHODS = ("auto", "logdiff", "direct")


@dataclass
class DiffRequest:
    expr: str
    wrt: str | None
    order: int
    at: str | None
    show_steps: bool
    hide: str
    detail: str
    method: str
    fmt: str
    verify: bool = False


def parse_point(text: str) -> dict[str, float]:
    """``"x=2,y=pi/2"`` → ``{"x": 2.0, "y": 1.5707963267948966}``; values use our syntax.

    >>> parse_point("x=2, y=1/4")
    {'x': 2.0, 'y': 0.25}
    """
    point: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ChainruleError(f"--at expects VAR=VALUE pairs like x=2, got {part!r}")
        try:
            number = float(parse(value).evaluate())
        except ChainruleError as err:
            raise ChainruleError(f"--at value for {name.strip()} is not a number: {err}") from None
        point[name.strip()] = number
    if not point:
        raise ChainruleError("--at expects VAR=VALUE pairs like x=2")
    return point


def rule_names() -> frozenset[str]:
    """Every rule name a derivation can show, lower case: the ``--hide`` vocabulary
    (see :mod:`chainrule.explain.rules`)."""
    return frozenset(r.name.lower() for r in vocabulary())


def hide_names(text: str) -> frozenset[str]:
    """``"sum,constant-multiple"`` → ``{"sum rule", "constant multiple rule"}``; an unknown
    name is an error that suggests the nearest one and lists the valid ones.

    >>> sorted(hide_names("sum,constant-multiple"))
    ['constant multiple rule', 'sum rule']
    """
    try:
        return resolve_hide(text.split(","))
    except ChainruleError as err:
        raise ChainruleError(f"--hide: {err}") from None


def format_value(value: float) -> str:
    """Shortest exact text of a float: ``2.0 → "2"``, ``-0.0 → "0"``."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def _validate(req: DiffRequest) -> None:
    if req.fmt not in FORMATS:
        raise ChainruleError(f"unknown format {req.fmt!r}; use one of {', '.join(FORMATS)}")
    if req.method not in METHODS:
        raise ChainruleError(f"unknown method {req.method!r}; use one of {', '.join(METHODS)}")
    hidden_rules(frozenset(), req.detail)  # raises on an unknown detail level
    hide_names(req.hide)  # raises on an unknown rule name


def run_diff(req: DiffRequest) -> Any:
    """Compute what ``chainrule diff`` prints: a dict for JSON, else rich-renderable text."""
    _validate(req)
    expr = parse_typed(req.expr)
    wrt = wrt_symbol(expr, req.wrt).name
    log.info("parsed %r as %s; differentiating by %s, order %d", req.expr, expr, wrt, req.order)
    hide = hide_names(req.hide)
    derivation = steps(expr, wrt, req.order, req.method) if req.show_steps else None
    result = derivation.result if derivation else diff(expr, wrt, req.order, req.method)
    point = parse_point(req.at) if req.at else None
    plain = None if req.method == "direct" else (
        lambda: diff(expr, wrt, req.order, "direct"))
    value = _value_at(expr, result, point, plain, (wrt, req.order)) if point is not None \
        else None
    if req.verify and point is None:
        raise ChainruleError("--verify needs a point: add --at, e.g. --at x=2")
    check = None
    if req.verify:
        from chainrule.testing import verify
        check = verify(expr, wrt, point, req.order)
        log.info("verified: %s", check.note)
    if req.fmt == "json":
        out = _as_json(req, expr, wrt, result, derivation, hide, point, value)
        if check is not None:
            out["verify"] = check.to_dict()
        return out
    if req.fmt == "latex":
        return _as_latex(req, expr, wrt, result, derivation, hide, value, point)
    if req.fmt == "mathml":
        return _as_mathml(req.order, expr, wrt, result)
    text = _as_text(req, expr, wrt, result, derivation, hide, point, value)
    if check is not None:
        text.append("\n" + _verify_text(check))
    return text


def _verify_text(v) -> str:
    numeric = ("—" if v.numeric is None
               else f"{format_value(v.numeric)} ± {v.numeric_error:.1e} ({v.numeric_status})")
    return "\n".join([
        "verify:",
        f"  symbolic     {format_value(v.symbolic)}",
        f"  forward AD   {format_value(v.forward)}",
        f"  reverse AD   {format_value(v.reverse)}",
        f"  numeric      {numeric}",
        f"  agree: {'yes' if v.agree else 'NO'} — {v.note}",
    ])


def _value_at(expr: Expr, result: Expr, point: dict[str, float],
              plain: Callable[[], Expr] | None = None,
              asked: tuple[str, int] | None = None) -> PointValue:
    """``result`` at ``point``. Logarithmic differentiation divides by each factor, so its
    answer can be undefined where f′ exists (``…/(x·ln x)`` at x = 1): there the plain
    rules' derivative, ``plain()``, gives the value. Where float64 cannot give it, it is
    computed in higher precision or flagged (:func:`chainrule.core.precision.value_at`).
    ``asked`` (variable, order): at a kink or jump of a piecewise function the derivative is
    decided from both sides instead (:func:`chainrule.symbolic.kinks.kink_value`)."""
    missing = sorted(s.name for s in expr.free_symbols() if s.name not in point)
    if missing:
        raise ChainruleError(f"--at gives no value for {', '.join(missing)}")
    # (before evaluating f: sign(u) at u = 0 is undefined as |u|′, not as f)
    kinked = kink_value(expr, asked[0], point, asked[1]) if asked else None
    if kinked is not None:
        return PointValue(kinked, math.nan)  # read from both sides: no error bound judged
    # a derivative means nothing where the function is undefined (defined, only too large
    # for a float, is fine)
    with contextlib.suppress(ValueOutOfRange):
        expr.at(**point)
    try:
        return _plain_value(result, point, plain)
    except ChainruleError:
        # a piecewise function locally constant here (sqrt(relu(x)) at x = −1) has slope
        # exactly 0 there, which the derivative expression (0/(2·√0)) cannot show
        local = kink_value(expr, asked[0], point, asked[1], everywhere=True) if asked else None
        if local is None:
            raise
        return PointValue(local, math.nan)


def _plain_value(result: Expr, point: dict[str, float], plain: Callable[[], Expr] | None
                 ) -> PointValue:
    try:
        value = result.at(**point)
    except DomainError:
        if plain is None:
            raise
        value = math.nan
    if not math.isfinite(value) and plain is not None:
        value = plain().at(**point)
    if not math.isfinite(value):
        raise ChainruleError("the derivative is not finite at that point")
    return value


def value_note(value: float) -> str:
    """How a value at a point was computed, when it is not plain float64 (else '')."""
    return value.note if isinstance(value, PointValue) else ""


def _d_prefix(wrt: str, order: int) -> str:
    return f"d/d{wrt}" if order == 1 else f"d^{order}/d{wrt}^{order}"


def _point_text(point: dict[str, float]) -> str:
    return ", ".join(f"{k} = {format_value(v)}" for k, v in point.items())


def _as_text(req, expr, wrt, result, derivation, hide, point, value) -> Text:
    from rich.text import Text  # only for text output: JSON and LaTeX never load rich
    out = Text.assemble(("interpreted as: ", "dim"), str(expr), "\n")
    if derivation is not None:
        out.append(render_text(derivation, hide=hide, detail=req.detail) + "\n")
    out.append(f"{_d_prefix(wrt, req.order)} [{expr}] = ", style="bold")
    out.append(str(result), style="bold green")
    if point is not None:
        out.append(f"\nat {_point_text(point)}: ")
        out.append(format_value(value), style="bold cyan")
        if value_note(value):
            out.append(f" ({value_note(value)})", style="yellow")
    return out


def _as_latex(req, expr, wrt, result, derivation, hide, value, point) -> str:
    d = (rf"\frac{{d}}{{d{wrt}}}" if req.order == 1
         else rf"\frac{{d^{{{req.order}}}}}{{d{wrt}^{{{req.order}}}}}")
    lines = []
    if derivation is not None:
        lines.append(render_latex(derivation, hide=hide, detail=req.detail))
    lines.append(rf"{d}\left[{expr.latex()}\right] = {result.latex()}")
    if point is not None:
        note = rf" \quad \text{{({value_note(value)})}}" if value_note(value) else ""
        lines.append(rf"\left.{d}\right|_{{{_point_text(point)}}} = {format_value(value)}{note}")
    return "\n".join(lines)


def _as_mathml(order: int, expr: Expr, wrt: str, result: Expr) -> str:
    """The equation ``d/dx [f] = f′`` as one ``<math>`` element."""
    from chainrule.printing import mathml
    lhs = mathml.derivative_operator(wrt, order) + mathml.parens(mathml.fragment(expr), "[", "]")
    return mathml.math_element(f"{lhs}<mo>=</mo>{mathml.fragment(result)}", display=True)


def _as_json(req, expr, wrt, result, derivation, hide, point, value) -> dict[str, Any]:
    out: dict[str, Any] = {
        "input": req.expr, "interpreted": str(expr), "wrt": wrt, "order": req.order,
        "method": req.method, "derivative": str(result), "latex": result.latex(),
    }
    if derivation is not None:
        out["steps"] = to_dict(derivation, hide=hide, detail=req.detail)
    if point is not None:
        out["at"] = point
        out["value"] = float(value)
        out["precision"] = value.to_dict()
    return out
