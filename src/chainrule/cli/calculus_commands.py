"""The calculus commands: ``taylor``, ``critical``, ``grad``, ``jacobian``, ``hessian`` and
``minimize``, plus :func:`run_implicit` behind ``diff --implicit y``.

Each ``run_*`` function takes plain values and returns what the command prints: a dict for
``--format json`` (printed alone on stdout), else something rich can render;
:func:`chainrule.cli.calculus_cli.register` adds the commands to a Typer app.

Point syntax: ``--at x=1,y=2`` (values may be ``pi/2``); several points for ``taylor``:
``--at x=0.1,1`` (one variable) or ``--at "x=0.1,y=0;x=1,y=1"``. Intervals ``--interval 0,7``,
regions ``--region x=-2:2,y=-1:3``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from chainrule.calculus.common import show_number, show_point, to_expr
from chainrule.errors import ChainruleError

FORMATS = ("text", "json")


# -- argument parsing ----------------------------------------------------------------------

def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ChainruleError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _number(text: str, what: str) -> float:
    from chainrule.symbolic.api import parse
    try:
        return float(parse(text.strip()).evaluate())
    except ChainruleError as err:
        raise ChainruleError(f"{what} {text.strip()!r} is not a number: {err}") from None


def parse_values(text: str, what: str = "value") -> list[float]:
    """``"0.1, 1, pi"`` → ``[0.1, 1.0, 3.14159…]``.

    >>> parse_values("0.1, 1")
    [0.1, 1.0]
    """
    parts = [p for p in (s.strip() for s in text.split(",")) if p]
    if not parts:
        raise ChainruleError(f"expected a comma-separated list of numbers for the {what}")
    return [_number(p, what) for p in parts]


def parse_point(text: str) -> dict[str, float]:
    """``"x=1,y=pi/2"`` → ``{"x": 1.0, "y": 1.57…}``."""
    from chainrule.cli.diff_command import parse_point as _parse_point
    return _parse_point(text)


def parse_interval(text: str) -> tuple[float, float]:
    """``"0,7"`` → ``(0.0, 7.0)``."""
    values = parse_values(text, "interval")
    if len(values) != 2:
        raise ChainruleError(f"--interval expects two numbers a,b, got {text!r}")
    return values[0], values[1]


def parse_region(text: str) -> dict[str, tuple[float, float]]:
    """``"x=-2:2,y=-1:3"`` → ``{"x": (-2.0, 2.0), "y": (-1.0, 3.0)}``."""
    region = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, rng = part.partition("=")
        lo, colon, hi = rng.partition(":")
        if not (sep and colon and name.strip() and lo.strip() and hi.strip()):
            raise ChainruleError(f"--region expects NAME=LOW:HIGH pairs like x=-2:2, got {part!r}")
        region[name.strip()] = (_number(lo, "region end"), _number(hi, "region end"))
    return region


def _table_points(text: str, names: tuple[str, ...]) -> list[dict[str, float]]:
    if len(names) == 1:
        values = text.split("=", 1)[1] if "=" in text else text
        return [{names[0]: v} for v in parse_values(values.replace(";", ","), "point")]
    return [parse_point(group) for group in text.split(";") if group.strip()]


# -- taylor --------------------------------------------------------------------------------

def run_taylor(expr: str, about: str = "0", order: int = 2, at: str | None = None,
               wrt: str | None = None, fmt: str = "text") -> Any:
    """What ``chainrule taylor`` prints."""
    from chainrule.calculus.common import variables
    from chainrule.calculus.taylor import taylor_approximation
    from chainrule.symbolic.api import parse
    _check_format(fmt)
    f = parse(expr)
    centre: Any = about
    if "=" in about:
        centre = {k: v.strip() for k, v in (p.split("=", 1) for p in about.split(",") if p.strip())}
    names = variables(f, list(centre) if isinstance(centre, dict) and wrt is None else wrt)
    points = _table_points(at, names) if at else None
    t = taylor_approximation(f, centre, order, names, points)
    if fmt == "json":
        return t.to_dict()
    out = Text()
    out.append(f"Taylor polynomial of {t.function} about "
               f"{', '.join(f'{k} = {v}' for k, v in t.about.items())}, order {order}:\n")
    out.append(f"P{order} = ", style="bold")
    out.append(str(t.polynomial), style="bold green")
    if not t.rows:
        return out
    table = Table("point", f"P{order}", "f", "error f − P", "relative error")
    for r in t.rows:
        table.add_row(show_point(r.point), f"{r.approx:.10g}", f"{r.exact:.10g}",
                      f"{r.error:.3e}", f"{r.relative_error:.2e}")
    return Group(out, table)


# -- critical ------------------------------------------------------------------------------

def run_critical(expr: str, interval: str | None = None, region: str | None = None,
                 fmt: str = "text") -> Any:
    """What ``chainrule critical`` prints."""
    from chainrule.calculus.critical import critical_points
    _check_format(fmt)
    pts = critical_points(expr, interval=parse_interval(interval) if interval else None,
                          region=parse_region(region) if region else None)
    if fmt == "json":
        return pts.to_dict()
    out = Text(pts.text())
    return out


# -- gradient, Jacobian, Hessian -----------------------------------------------------------

def _vector_text(values: np.ndarray) -> str:
    return "(" + ", ".join(show_number(float(v)) for v in values) + ")"


def run_grad(expr: str, wrt: str | None = None, at: str | None = None,
             direction: str | None = None, let: list[str] | None = None,
             fmt: str = "text") -> Any:
    """What ``chainrule grad`` prints: ∇f (evaluated, with the steepest-descent direction,
    at ``--at``), or with ``--let`` the multivariate chain rule as a sum over paths."""
    from chainrule.calculus import vector
    _check_format(fmt)
    if let:
        return _run_paths(expr, let, wrt, fmt)
    g = vector.gradient(expr, wrt)
    out: dict[str, Any] = {"function": str(to_expr(expr)), "variables": list(g.variables),
                           "gradient": g.to_list()}
    lines = [f"∇f = {g}"]
    if at:
        point = parse_point(at)
        sd = vector.steepest_descent(expr, point, g.variables)
        out.update(at=point, value=sd.gradient.tolist(), norm=-sd.rate,
                   steepest_descent=sd.direction.tolist())
        lines.append(sd.text())
        if direction:
            dd = vector.directional_derivative(expr, parse_values(direction, "direction"),
                                               point, g.variables)
            out["directional_derivative"] = dd
            lines.append(f"D_u f along ({direction}) normalised: {show_number(dd)}")
    elif direction:
        dd = vector.directional_derivative(expr, parse_values(direction, "direction"),
                                           None, g.variables)
        out["directional_derivative"] = str(dd)
        lines.append(f"D_u f = ∇f·u = {dd}")
    return out if fmt == "json" else Text("\n".join(lines))


def _run_paths(expr: str, let: list[str], wrt: str | None, fmt: str) -> Any:
    from chainrule.calculus.paths import chain_rule_paths
    p = chain_rule_paths(expr, let, wrt or "x")
    return p.to_dict() if fmt == "json" else Text(p.text())


def run_jacobian(exprs: list[str], wrt: str | None = None, at: str | None = None,
                 fmt: str = "text") -> Any:
    """What ``chainrule jacobian`` prints."""
    from chainrule.calculus.vector import jacobian
    _check_format(fmt)
    j = jacobian(exprs, wrt)
    out: dict[str, Any] = {"functions": list(j.outputs), "variables": list(j.variables),
                           "jacobian": j.to_list()}
    lines = [f"J ({j.shape[0]}×{j.shape[1]}), columns {', '.join(j.variables)}:", j.text()]
    if at:
        point = parse_point(at)
        value = j.at(point)
        out.update(at=point, value=value.tolist())
        lines += [f"at {show_point(point)}:", _matrix_text(value)]
    return out if fmt == "json" else Text("\n".join(lines))


def run_hessian(expr: str, wrt: str | None = None, at: str | None = None,
                fmt: str = "text") -> Any:
    """What ``chainrule hessian`` prints: H, and at a point its value and eigenvalues."""
    from chainrule.calculus.vector import hessian
    _check_format(fmt)
    h = hessian(expr, wrt)
    out: dict[str, Any] = {"function": expr, "variables": list(h.variables),
                           "hessian": h.to_list()}
    lines = [f"H, rows and columns {', '.join(h.variables)}:", h.text()]
    if at:
        point = parse_point(at)
        value = h.at(point)
        eig = np.linalg.eigvalsh((value + value.T) / 2)
        out.update(at=point, value=value.tolist(), eigenvalues=eig.tolist(),
                   definiteness=_definiteness(eig))
        lines += [f"at {show_point(point)}:", _matrix_text(value),
                  f"eigenvalues {_vector_text(eig)}: {_definiteness(eig)}"]
    return out if fmt == "json" else Text("\n".join(lines))


def _definiteness(eig: np.ndarray) -> str:
    tol = 1e-10 * max(1.0, float(np.max(np.abs(eig))) if eig.size else 1.0)
    if np.all(eig > tol):
        return "positive definite (curves up in every direction)"
    if np.all(eig < -tol):
        return "negative definite (curves down in every direction)"
    if np.any(eig > tol) and np.any(eig < -tol):
        return "indefinite (a saddle shape)"
    return "semidefinite (flat in some direction)"


def _matrix_text(m: np.ndarray) -> str:
    cells = [[show_number(float(v)) for v in row] for row in m]
    widths = [max(len(r[j]) for r in cells) for j in range(m.shape[1])]
    return "\n".join("[ " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " ]"
                     for r in cells)


# -- minimize ------------------------------------------------------------------------------

def run_minimize(expr: str, start: str, method: str = "gd", step: float | None = None,
                 tol: float = 1e-8, max_iter: int | None = None, show_all: bool = False,
                 fmt: str = "text") -> Any:
    """What ``chainrule minimize`` prints: the report and the trace as a table."""
    from chainrule.calculus.optimize import minimize, trace_table_rows
    _check_format(fmt)
    result = minimize(expr, parse_point(start), method=method, step=step, tol=tol,
                      max_iter=max_iter)
    if fmt == "json":
        return result.to_dict()
    names = list(result.x)
    table = Table("k", *names, "f", "|∇f|", "step", "note")
    rows = result.trace if show_all else trace_table_rows(result)
    for r in rows:
        if r is None:
            table.add_row("…", *["…"] * len(names), "…", "…", "…", "")
            continue
        table.add_row(str(r.iteration), *(f"{r.x[n]:.10g}" for n in names), f"{r.value:.6e}",
                      f"{r.grad_norm:.3e}", f"{r.step:.3g}", r.note)
    return Group(Text(result.report()), table)


# -- implicit (called by ``chainrule diff --implicit y``) ----------------------------------

def run_implicit(expr_text: str, dependent: str, independent: str | None, fmt: str = "text",
                 show_steps: bool = False, at: str | None = None, order: int = 1,
                 detail: str = "brief", hide: str = "") -> Any:
    """What ``chainrule diff "x^2 + y^2 = 1" --implicit y`` prints: dy/dx with its steps
    (``show_steps``) and, with ``at``, the slope at a point of the curve."""
    from chainrule.calculus.implicit import implicit_diff, parse_equation
    from chainrule.explain.rules import resolve_hide
    if fmt not in ("text", "json", "latex"):
        raise ChainruleError(f"unknown format {fmt!r}; use text, latex or json")
    if independent is None:
        lhs, rhs = parse_equation(expr_text)
        others = sorted({s.name for s in lhs.free_symbols() | rhs.free_symbols()} - {dependent})
        if len(others) != 1:
            raise ChainruleError("say which variable to differentiate by with --wrt "
                                 f"(the equation has {', '.join(others) or 'none'} besides "
                                 f"{dependent})")
        independent = others[0]
    hidden = resolve_hide(hide.split(","))
    d = implicit_diff(expr_text, dependent, independent, order)
    slope = d.at(parse_point(at)) if at else None
    if fmt == "json":
        out = d.to_dict(show_steps, detail, hidden)
        if at:
            out.update(at=parse_point(at), value=slope, residual=d.residual(parse_point(at)))
        return out
    if fmt == "latex":
        lines = [d.derivation.latex(hide=hidden, detail=detail)] if show_steps else []
        top = f"d^{{{order}}}{dependent}" if order > 1 else f"d{dependent}"
        bottom = f"d{independent}^{{{order}}}" if order > 1 else f"d{independent}"
        return "\n".join(lines + [rf"\frac{{{top}}}{{{bottom}}} = {d.derivative.latex()}"])
    out_text = Text()
    if show_steps:
        out_text.append(d.steps_text(detail, hidden) + "\n")
    out_text.append(f"{d.name} = ", style="bold")
    out_text.append(str(d.derivative), style="bold green")
    if at:
        point = parse_point(at)
        out_text.append(f"\nat {show_point(point)}: ")
        out_text.append(show_number(slope), style="bold cyan")
        residual = d.residual(point)
        if abs(residual) > 1e-9 * max(1.0, abs(float(d.lhs.evaluate(**point)))):
            out_text.append(f"\nnote: the point is not on the curve (F = {show_number(residual)})",
                            style="yellow")
    return out_text


__all__ = ["run_critical", "run_grad", "run_hessian", "run_implicit",
           "run_jacobian", "run_minimize", "run_taylor"]
