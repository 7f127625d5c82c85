"""The JSON API's handlers for the explorers of several variables: ``/api/surface``
(partials and gradient), ``/api/hessian``, ``/api/jacobian`` and ``/api/optimize``.

Like :mod:`chainrule.web.api`, each reads its fields through
:class:`~chainrule.web.validate.Fields` and then calls the library (here through
:mod:`chainrule.web.surfaces` and :mod:`chainrule.web.transforms`). Documented in
``docs/web-api.md``.
"""

from __future__ import annotations

from typing import Any

from chainrule.core.expr import Expr
from chainrule.errors import ParseError
from chainrule.symbolic.api import parse
from chainrule.web.surfaces import hessian_view, surface_view
from chainrule.web.transforms import jacobian_view, optimization_view
from chainrule.web.validate import ApiError, Fields

BOX_FIELDS = ("xmin", "xmax", "ymin", "ymax")
DEFAULT_BOX = (-3.0, 3.0, -3.0, 3.0)
MAX_BOX = 1e4
"""Largest |coordinate| of a region."""
MAX_GRID = 101
"""Most grid points per side of a surface (the answer grows with its square)."""
MAX_STEPS = 500
"""Most optimisation steps per method."""


def _expr(fields: Fields, name: str = "expr") -> Expr:
    try:
        return parse(fields.expr(name))  # type: ignore[arg-type]
    except ParseError as err:
        err.field = name  # type: ignore[attr-defined]
        raise


def _box(fields: Fields) -> tuple[float, float, float, float]:
    lo_x, hi_x, lo_y, hi_y = (fields.number(k, d, MAX_BOX)
                              for k, d in zip(BOX_FIELDS, DEFAULT_BOX, strict=True))
    for lo, hi, a, b in ((lo_x, hi_x, "xmin", "xmax"), (lo_y, hi_y, "ymin", "ymax")):
        if not hi - lo > 1e-6 * max(1.0, abs(lo), abs(hi)):
            raise ApiError(422, f"'{a}' must be less than '{b}' (got {lo:g} and {hi:g})",
                           field=a)
    return lo_x, hi_x, lo_y, hi_y


def _point(fields: Fields, box: tuple[float, float, float, float] = DEFAULT_BOX) -> tuple[
        float, float]:
    return (fields.number("x", (box[0] + box[1]) / 2, MAX_BOX),
            fields.number("y", (box[2] + box[3]) / 2, MAX_BOX))


def surface(data: Any) -> dict[str, Any]:
    """``POST /api/surface``: f(x, y) on a grid with contours, the slices through a point with
    their slopes ∂f/∂x and ∂f/∂y, the gradient field and the steepest-descent direction."""
    fields = Fields(data, ("expr", "x", "y", *BOX_FIELDS, "points", "field"))
    expr = _expr(fields)
    box = _box(fields)
    x, y = _point(fields, box)
    n = fields.integer("points", 61, 5, MAX_GRID)
    return surface_view(expr, x, y, box, n, fields.boolean("field", True))


def hessian_at(data: Any) -> dict[str, Any]:
    """``POST /api/hessian``: the Hessian at a point, its eigenvalues and eigenvectors, the
    shape (minimum / maximum / saddle), and the contours of f and of its quadratic model."""
    fields = Fields(data, ("expr", "x", "y", *BOX_FIELDS, "points"))
    expr = _expr(fields)
    box = _box(fields)
    x, y = _point(fields, box)
    n = fields.integer("points", 61, 5, MAX_GRID)
    return hessian_view(expr, x, y, box, n)


def jacobian_at(data: Any) -> dict[str, Any]:
    """``POST /api/jacobian``: the map (x, y) ↦ (u, v) near a point: the Jacobian matrix and
    determinant, a small square and its image, the images of grid lines."""
    fields = Fields(data, ("u", "v", "x", "y", "h", *BOX_FIELDS))
    u, v = _expr(fields, "u"), _expr(fields, "v")
    box = _box(fields)
    x, y = _point(fields, box)
    h = fields.number("h", 0.25, MAX_BOX)
    if not h > 0:
        raise ApiError(422, f"'h', the side of the square, must be positive (got {h:g})",
                       field="h")
    return jacobian_view(u, v, x, y, h, box)


def optimize_runs(data: Any) -> dict[str, Any]:
    """``POST /api/optimize``: gradient descent (learning rate), momentum and Newton's method
    from a start, with their traces and verdicts (converges / oscillates / diverges)."""
    fields = Fields(data, ("expr", "x", "y", "rate", "momentum", "steps"))
    expr = _expr(fields)
    x = fields.number("x", 1.0, MAX_BOX)
    y = fields.number("y", 1.0, MAX_BOX)
    rate = fields.number("rate", 0.1, 100.0)
    if not rate > 0:
        raise ApiError(422, f"'rate', the learning rate, must be positive (got {rate:g})",
                       field="rate")
    beta = fields.number("momentum", 0.9, 1.0)
    if not 0 <= beta < 1:
        raise ApiError(422, f"'momentum' must be from 0 up to (not including) 1 (got {beta:g})",
                       field="momentum")
    steps = fields.integer("steps", 50, 1, MAX_STEPS)
    return optimization_view(expr, {"x": x, "y": y}, rate, beta, steps)


HANDLERS = {"surface": surface, "hessian": hessian_at, "jacobian": jacobian_at,
            "optimize": optimize_runs}
"""These endpoints, merged into :data:`chainrule.web.api.HANDLERS`."""
