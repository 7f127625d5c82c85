"""Gradient, Jacobian and Hessian as symbolic vectors and matrices; directional derivatives
and the steepest-descent direction (seed 003 §2.3–2.4).

Every entry is a symbolic partial derivative from chainrule's own differentiator, printed in
readable form and evaluated wherever asked.

>>> g = gradient("x^2 + 3y^2")
>>> str(g), g.at(x=1, y=2).tolist()
('(2x, 6y)', [2.0, 12.0])
>>> print(hessian("x^2 + 3y^2"))
[[2, 0], [0, 6]]
>>> d = steepest_descent("x^2 + y^2", {"x": 3, "y": 4})
>>> d.direction.tolist(), d.rate
([-0.6, -0.8], -10.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from chainrule.calculus.common import show_number, to_expr, values_of, variables
from chainrule.core.build import add, as_expr, mul, symbol
from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError
from chainrule.printing.html import html_table
from chainrule.symbolic.api import diff
from chainrule.symbolic.simplify import readable


def _partial(e: Expr, name: str) -> Expr:
    return diff(e, symbol(name))


def _point(vars_: Sequence[str], point: Mapping[str, Any] | None,
           values: Mapping[str, Any]) -> dict[str, float]:
    merged = {**(point or {}), **values}
    missing = [v for v in vars_ if v not in merged]
    if missing:
        raise ChainruleError(f"no value given for {', '.join(missing)}")
    return values_of(merged)


def _evaluate(e: Expr, at: dict[str, float]) -> float:
    return float(e.evaluate(**{k: v for k, v in at.items()}))


@dataclass(frozen=True)
class SymbolicVector:
    """A vector of expressions (a gradient), one component per variable.

    ``at(x=1, y=2)`` evaluates it; iterating gives the components.
    """

    components: tuple[Expr, ...]
    variables: tuple[str, ...]

    def at(self, point: Mapping[str, Any] | None = None, **values: Any) -> np.ndarray:
        p = _point(self.variables, point, values)
        return np.array([_evaluate(c, p) for c in self.components])

    def __iter__(self) -> Iterator[Expr]:
        return iter(self.components)

    def __len__(self) -> int:
        return len(self.components)

    def __getitem__(self, i: int) -> Expr:
        return self.components[i]

    def __str__(self) -> str:
        return "(" + ", ".join(str(c) for c in self.components) + ")"

    def latex(self) -> str:
        return r"\left(" + ", ".join(c.latex() for c in self.components) + r"\right)"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def _repr_html_(self) -> str:
        return html_table(zip((f"∂/∂{v}" for v in self.variables), self.components,
                              strict=True))

    def to_list(self) -> list[str]:
        return [str(c) for c in self.components]


@dataclass(frozen=True)
class SymbolicMatrix:
    """A matrix of expressions (a Jacobian or Hessian): ``rows[i][j] = ∂ outputs[i] / ∂ x_j``."""

    rows: tuple[tuple[Expr, ...], ...]
    variables: tuple[str, ...]
    outputs: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.variables)

    def at(self, point: Mapping[str, Any] | None = None, **values: Any) -> np.ndarray:
        p = _point(self.variables, point, values)
        return np.array([[_evaluate(e, p) for e in row] for row in self.rows])

    def __getitem__(self, ij: tuple[int, int]) -> Expr:
        i, j = ij
        return self.rows[i][j]

    def __str__(self) -> str:
        return "[" + ", ".join("[" + ", ".join(str(e) for e in row) + "]"
                               for row in self.rows) + "]"

    def text(self) -> str:
        """The matrix as aligned rows, for a terminal."""
        cells = [[str(e) for e in row] for row in self.rows]
        widths = [max(len(r[j]) for r in cells) for j in range(self.shape[1])]
        return "\n".join("[ " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
                         + " ]" for r in cells)

    def latex(self) -> str:
        body = r" \\ ".join(" & ".join(e.latex() for e in row) for row in self.rows)
        return r"\begin{bmatrix}" + body + r"\end{bmatrix}"

    def _repr_latex_(self) -> str:
        return f"${self.latex()}$"

    def _repr_html_(self) -> str:
        labels = self.outputs or ("",) * len(self.rows)
        return html_table([(label, *row) for label, row in zip(labels, self.rows, strict=True)],
                          ("", *(f"∂/∂{v}" for v in self.variables)))

    def to_list(self) -> list[list[str]]:
        return [[str(e) for e in row] for row in self.rows]


def gradient(expr: Any, wrt: str | Sequence[str] | None = None) -> SymbolicVector:
    """∇f: the partial derivatives of a scalar expression, one per variable (alphabetical
    unless ``wrt`` names them).

    >>> str(gradient("x^2 y + 3y"))
    '(2x*y, x^2 + 3)'
    """
    f = to_expr(expr)
    names = variables(f, wrt)
    return SymbolicVector(tuple(_partial(f, n) for n in names), names)


def jacobian(exprs: Any, wrt: str | Sequence[str] | None = None) -> SymbolicMatrix:
    """The Jacobian of several expressions: row i is the gradient of the i-th.

    >>> print(jacobian(["x*y", "x + y^2"]))
    [[y, x], [1, 2y]]
    """
    items = [to_expr(e) for e in ([exprs] if isinstance(exprs, str | Expr) else exprs)]
    if not items:
        raise ChainruleError("a Jacobian needs at least one expression")
    names = wrt if wrt is not None else sorted({s.name for e in items for s in e.free_symbols()})
    names = variables(items[0], names)
    rows = tuple(tuple(_partial(e, n) for n in names) for e in items)
    return SymbolicMatrix(rows, names, tuple(str(e) for e in items))


def hessian(expr: Any, wrt: str | Sequence[str] | None = None) -> SymbolicMatrix:
    """The Hessian: second partial derivatives ``H[i][j] = ∂²f/∂x_i∂x_j`` (symmetric; each
    mixed partial is computed once).

    >>> print(hessian("x^3 y"))
    [[6x*y, 3x^2], [3x^2, 0]]
    """
    f = to_expr(expr)
    names = variables(f, wrt)
    g = [_partial(f, n) for n in names]
    entries: dict[tuple[int, int], Expr] = {}
    for i in range(len(names)):
        for j in range(i, len(names)):
            entries[i, j] = entries[j, i] = _partial(g[i], names[j])
    rows = tuple(tuple(entries[i, j] for j in range(len(names))) for i in range(len(names)))
    return SymbolicMatrix(rows, names, tuple(str(d) for d in g))


def _direction(direction: Any, names: Sequence[str]) -> np.ndarray:
    if isinstance(direction, Mapping):
        vals = values_of(direction, "direction")
        return np.array([vals.get(n, 0.0) for n in names])
    vals = values_of({str(i): v for i, v in enumerate(direction)}, "direction")
    if len(vals) != len(names):
        raise ChainruleError(f"the direction has {len(vals)} components; "
                             f"the function has {len(names)} variables ({', '.join(names)})")
    return np.array(list(vals.values()))


def directional_derivative(expr: Any, direction: Any, at: Mapping[str, Any] | None = None,
                           wrt: str | Sequence[str] | None = None,
                           normalize: bool = True) -> Expr | float:
    """``D_u f = ∇f · u``; ``u`` is ``direction`` scaled to length 1 unless ``normalize`` is
    False. Symbolic without ``at``, a number at a point.

    >>> directional_derivative("x^2 + y^2", [1, 0], at={"x": 3, "y": 4})
    6.0
    >>> str(directional_derivative("x^2 + y^2", [3, 4]))
    '(6x + 8y)/5'
    """
    g = gradient(expr, wrt)
    u = _direction(direction, g.variables)
    norm = float(np.linalg.norm(u))
    if norm == 0:
        raise ChainruleError("the direction must not be the zero vector")
    if normalize:
        u = u / norm
    if at is not None:
        return float(np.dot(g.at(at), u))
    return readable(add(*(mul(c, as_expr(_exact(ui))) for c, ui in zip(g, u, strict=True))))


def _exact(v: float) -> Any:
    """A float that is a short fraction (0.6 = 3/5) as that Fraction, to keep output exact."""
    f = Fraction(v).limit_denominator(1000)
    return f if abs(float(f) - v) <= 1e-15 * max(1.0, abs(v)) else v


@dataclass(frozen=True)
class SteepestDescent:
    """The steepest-descent direction at a point: ``direction = −∇f/|∇f|``, along which f
    falls at ``rate = −|∇f|`` per unit step (no unit direction falls faster)."""

    point: dict[str, float]
    gradient: np.ndarray
    direction: np.ndarray
    rate: float

    def text(self) -> str:
        g = ", ".join(show_number(v) for v in self.gradient)
        if self.rate == 0:
            return (f"∇f = ({g}) at {_show(self.point)}: a critical point, no direction of "
                    "descent (the directional derivative is 0 in every direction)")
        u = ", ".join(show_number(v) for v in self.direction)
        return (f"∇f = ({g}) at {_show(self.point)}, |∇f| = {show_number(-self.rate)}\n"
                f"steepest ascent: ∇f/|∇f| = ({', '.join(show_number(-v) for v in self.direction)})"
                f", rate {show_number(-self.rate)}\n"
                f"steepest descent: −∇f/|∇f| = ({u}), rate {show_number(self.rate)}\n"
                "D_u f = ∇f·u = |∇f|·cos θ is smallest when u points against ∇f (θ = 180°)")


def _show(point: Mapping[str, float]) -> str:
    return "(" + ", ".join(f"{k} = {show_number(v)}" for k, v in point.items()) + ")"


def steepest_descent(expr: Any, at: Mapping[str, Any],
                     wrt: str | Sequence[str] | None = None) -> SteepestDescent:
    """The unit direction in which ``expr`` decreases fastest at ``at``."""
    g = gradient(expr, wrt)
    p = _point(g.variables, at, {})
    grad = g.at(p)
    norm = float(np.linalg.norm(grad))
    if not math.isfinite(norm):
        raise ChainruleError("the gradient is not finite at that point")
    direction = -grad / norm if norm > 0 else np.zeros_like(grad)
    return SteepestDescent({n: p[n] for n in g.variables}, grad, direction + 0.0, -norm)
