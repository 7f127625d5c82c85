"""Numbers for the explorers of functions of two variables (partials, gradient, hessian):
f sampled on a grid, its contour lines, slices, the gradient field and the local quadratic.

Everything is computed from chainrule's own symbolic derivatives, compiled to NumPy; the page
only draws. Undefined values are NaN here and ``null`` in the JSON answer.

>>> from chainrule.symbolic.api import parse
>>> s = surface_view(parse("x^2 y + 3y"), 2.0, 1.0, (-3.0, 3.0, -3.0, 3.0), 7)
>>> s["partials"]["x"]["text"], s["partials"]["y"]["text"]
('2x*y', 'x^2 + 3')
>>> s["point"]["fx"], s["point"]["fy"]
(4.0, 7.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.calculus.multivariate import find_stationary
from chainrule.calculus.vector import gradient, hessian
from chainrule.core.expr import Expr
from chainrule.errors import BudgetError, ChainruleError
from chainrule.printing import mathml
from chainrule.symbolic.compile import compile_expr
from chainrule.testing import verify

NAMES = ("x", "y")
"""The variables of the surface explorers, in this order."""
Box = tuple[float, float, float, float]
"""A region ``(x_min, x_max, y_min, y_max)``."""
MAX_MATHML_CHARS = 200_000
CONTOUR_LEVELS = 12
ARROWS = 13
"""Arrows per side of the gradient field."""
SLICE_POINTS = 121


def check_two_variables(expr: Expr, field: str = "expr") -> None:
    """Refuse a function of anything but x and y, naming the stray variable."""
    stray = sorted(s.name for s in expr.free_symbols() if s.name not in NAMES)
    if stray:
        raise ChainruleError(f"'{field}' must be a function of x and y; it also has "
                             f"{', '.join(stray)}")


def formula(expr: Expr) -> dict[str, Any]:
    """An expression as text, LaTeX and MathML (None when too large to draw)."""
    try:
        ml = mathml.to_mathml(expr, display=False, max_chars=MAX_MATHML_CHARS)
    except BudgetError:
        ml = None
    return {"text": str(expr), "latex": expr.latex(), "mathml": ml}


def differentiable(expr: Expr, name: str, x: float, y: float) -> bool:
    """False where finite differences find a kink, jump or domain edge in ``name`` at (x, y):
    there the symbolic derivative's value (e.g. 0 for ``sign``) is no slope at all."""
    if name not in {s.name for s in expr.free_symbols()}:
        return True
    status = verify(expr, name, {"x": x, "y": y}, safe=True).numeric_status
    return not status.startswith(("not differentiable", "domain error"))


def on_grid(expr: Expr, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``expr`` at every (x, y) of the arrays (same shape), NaN where undefined."""
    fn = compile_expr(expr, list(NAMES))
    with np.errstate(all="ignore"):
        out = np.asarray(fn.array_fn(np.asarray(xs, float), np.asarray(ys, float)), float)
    out = np.broadcast_to(out, np.shape(xs)).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def at_point(expr: Expr, x: float, y: float) -> float:
    """``expr`` at one point, NaN where undefined."""
    return float(on_grid(expr, np.array([x]), np.array([y]))[0])


def json_list(values: Any, digits: int = 17) -> Any:
    """NumPy values as JSON lists: NaN and ±inf as None, rounded to ``digits`` significant
    digits (17, the default, keeps every bit; a grid for drawing needs fewer)."""
    arr = np.asarray(values, dtype=float)
    if digits < 17:
        with np.errstate(all="ignore"):
            exponent = np.floor(np.log10(np.abs(np.where(arr == 0, 1.0, arr))))
            scale = 10.0 ** (digits - 1 - exponent)
            arr = np.where(np.isfinite(scale), np.round(arr * scale) / scale, arr)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist() if arr.ndim else (None if not math.isfinite(arr) else float(arr))


def det2(m: np.ndarray) -> float:
    """The determinant of a 2 × 2 matrix, written out (exact for small whole entries)."""
    return float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])


def grid(box: Box, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n × n grid over ``box``: arrays X, Y indexed ``[row (y), column (x)]``."""
    return np.meshgrid(np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n))


def levels(z: np.ndarray, count: int = CONTOUR_LEVELS) -> list[float]:
    """Contour levels spread by the values' quantiles (so a steep corner does not take all)."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return []
    qs = np.quantile(finite, np.linspace(0.02, 0.98, count))
    out: list[float] = []
    for q in qs:
        q = float(f"{q:.3g}")
        if not out or q > out[-1]:
            out.append(q)
    return out


def contours(xs: np.ndarray, ys: np.ndarray, z: np.ndarray,
             values: list[float]) -> list[dict[str, Any]]:
    """Contour lines of ``z`` (rows over ``ys``, columns over ``xs``) by marching squares:
    per level, segment end points as ``x`` and ``y`` lists, ``None`` between segments.

    >>> xs = ys = np.linspace(-1, 1, 3)
    >>> X, Y = np.meshgrid(xs, ys)
    >>> c = contours(xs, ys, X, [0.5])[0]
    >>> c["x"], c["y"]
    ([0.5, 0.5, None, 0.5, 0.5, None], [-1.0, 0.0, None, 0.0, 1.0, None])
    """
    out = []
    for level in values:
        d = z - level
        x_out: list[float | None] = []
        y_out: list[float | None] = []
        for seg in _segments(xs, ys, d):
            x_out += [seg[0][0], seg[1][0], None]
            y_out += [seg[0][1], seg[1][1], None]
        out.append({"level": level, "x": [_r(v) for v in x_out], "y": [_r(v) for v in y_out]})
    return out


def _r(v: float | None) -> float | None:
    return None if v is None else float(f"{v:.6g}")


def _segments(xs: np.ndarray, ys: np.ndarray, d: np.ndarray):
    """The segments where ``d`` = 0 crosses each cell (corners ordered 00, 10, 11, 01)."""
    c00, c10, c11, c01 = d[:-1, :-1], d[:-1, 1:], d[1:, 1:], d[1:, :-1]
    ok = np.isfinite(c00) & np.isfinite(c10) & np.isfinite(c11) & np.isfinite(c01)
    pos = [c > 0 for c in (c00, c10, c11, c01)]
    mixed = ok & ~((pos[0] == pos[1]) & (pos[1] == pos[2]) & (pos[2] == pos[3]))
    for j, i in zip(*np.nonzero(mixed), strict=True):
        corners = [(xs[i], ys[j]), (xs[i + 1], ys[j]), (xs[i + 1], ys[j + 1]),
                   (xs[i], ys[j + 1])]
        vals = [c00[j, i], c10[j, i], c11[j, i], c01[j, i]]
        cuts = []  # edges bottom, right, top, left: corner k to corner k + 1
        for k in range(4):
            a, b = vals[k], vals[(k + 1) % 4]
            if (a > 0) != (b > 0):
                t = a / (a - b)
                (xa, ya), (xb, yb) = corners[k], corners[(k + 1) % 4]
                cuts.append((k, (float(xa + t * (xb - xa)), float(ya + t * (yb - ya)))))
        if len(cuts) == 2:
            yield cuts[0][1], cuts[1][1]
        elif len(cuts) == 4:  # a saddle cell: the centre decides which corners are joined
            p = dict(cuts)
            if (sum(vals) / 4 > 0) == (vals[0] > 0):  # 00 joins 11: cut off 10 and 01
                yield p[0], p[1]
                yield p[2], p[3]
            else:
                yield p[3], p[0]
                yield p[1], p[2]


def field(expr: Expr, box: Box, n: int) -> dict[str, Any]:
    """f on the n × n grid, its contour lines, and the gradient on a coarser grid."""
    xs, ys = np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n)
    gx_expr, gy_expr = gradient(expr, NAMES)
    z = on_grid(expr, *np.meshgrid(xs, ys))
    ax, ay = grid(box, ARROWS)
    gx, gy = on_grid(gx_expr, ax, ay), on_grid(gy_expr, ax, ay)
    finite = z[np.isfinite(z)]
    return {"xs": json_list(xs, 8), "ys": json_list(ys, 8), "z": json_list(z, 6),
            "z_range": [json_list(finite.min()), json_list(finite.max())] if finite.size
            else [None, None],
            "contours": contours(xs, ys, z, levels(z)),
            "arrows": {"x": json_list(ax.ravel(), 8), "y": json_list(ay.ravel(), 8),
                       "gx": json_list(gx.ravel(), 8), "gy": json_list(gy.ravel(), 8)}}


def surface_view(expr: Expr, x0: float, y0: float, box: Box, n: int,
                 with_field: bool = True) -> dict[str, Any]:
    """Everything the partials and gradient explorers draw: the field (unless
    ``with_field`` is False: a point dragged over the same f), the slices y = y₀ and x = x₀
    with their slopes ∂f/∂x and ∂f/∂y, and the steepest-descent direction."""
    check_two_variables(expr)
    fx_expr, fy_expr = gradient(expr, NAMES)
    f0 = at_point(expr, x0, y0)
    if math.isnan(f0):
        raise ChainruleError(f"f is not defined at (x, y) = ({x0:g}, {y0:g})")
    fx, fy = (at_point(e, x0, y0) if differentiable(expr, n, x0, y0) else math.nan
              for e, n in ((fx_expr, "x"), (fy_expr, "y")))
    sx = np.linspace(box[0], box[1], SLICE_POINTS)
    sy = np.linspace(box[2], box[3], SLICE_POINTS)
    norm = math.hypot(fx, fy) if math.isfinite(fx) and math.isfinite(fy) else math.nan
    descent = [-fx / norm, -fy / norm] if norm > 0 else [0.0, 0.0]
    return {
        "f": formula(expr), "partials": {"x": formula(fx_expr), "y": formula(fy_expr)},
        "point": {"x": x0, "y": y0, "f": json_list(f0), "fx": json_list(fx),
                  "fy": json_list(fy), "grad_norm": json_list(norm),
                  "descent": json_list(descent) if math.isfinite(norm) else None},
        "slices": {
            "y": {"x": json_list(sx, 8),
                  "f": json_list(on_grid(expr, sx, np.full_like(sx, y0)), 8)},
            "x": {"y": json_list(sy, 8),
                  "f": json_list(on_grid(expr, np.full_like(sy, x0), sy), 8)}},
        "box": list(box), **(field(expr, box, n) if with_field else {})}


def classify(eigenvalues: np.ndarray, scale: float) -> str:
    """minimum / maximum / saddle from the Hessian's eigenvalues; "degenerate" when one is
    zero (to rounding, relative to ``scale``) and the second-derivative test says nothing."""
    tiny = 1e-9 * max(1.0, scale)
    if np.any(np.abs(eigenvalues) <= tiny):
        return "degenerate"
    if np.all(eigenvalues > 0):
        return "minimum"
    if np.all(eigenvalues < 0):
        return "maximum"
    return "saddle"


def hessian_view(expr: Expr, x0: float, y0: float, box: Box, n: int) -> dict[str, Any]:
    """The quadratic model ``q(p) = f + ∇f·(p − p₀) + ½ (p − p₀)ᵀ H (p − p₀)`` at (x₀, y₀),
    H's eigenvalues and eigenvectors, the shape they give (minimum / maximum / saddle), the
    contours of f and of q, and the critical points of f in the box.

    >>> from chainrule.symbolic.api import parse
    >>> h = hessian_view(parse("x^2 - y^2"), 0.0, 0.0, (-2.0, 2.0, -2.0, 2.0), 5)
    >>> h["hessian"]["at"], h["eigenvalues"], h["shape"]
    ([[2.0, 0.0], [0.0, -2.0]], [-2.0, 2.0], 'saddle')
    """
    check_two_variables(expr)
    f0 = at_point(expr, x0, y0)
    if math.isnan(f0):
        raise ChainruleError(f"f is not defined at (x, y) = ({x0:g}, {y0:g})")
    g_exprs = gradient(expr, NAMES)
    h_sym = hessian(expr, NAMES)
    g = np.array([at_point(e, x0, y0) for e in g_exprs])
    h = np.array([[at_point(e, x0, y0) for e in row] for row in h_sym.rows])
    smooth = all(differentiable(expr, n, x0, y0) for n in NAMES) and all(
        differentiable(e, n, x0, y0) for e in g_exprs for n in NAMES)
    if not (smooth and np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
        raise ChainruleError(f"f has no second derivatives at (x, y) = ({x0:g}, {y0:g})")
    eig, vec = np.linalg.eigh((h + h.T) / 2)
    xs, ys = np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n)
    X, Y = np.meshgrid(xs, ys)
    dx, dy = X - x0, Y - y0
    q = f0 + g[0] * dx + g[1] * dy + 0.5 * (h[0, 0] * dx**2 + 2 * h[0, 1] * dx * dy
                                             + h[1, 1] * dy**2)
    z = on_grid(expr, X, Y)
    lv = levels(z)
    scale = float(np.max(np.abs(h)))
    critical = _critical(expr, box)
    return {
        "f": formula(expr), "point": {"x": x0, "y": y0, "f": json_list(f0)},
        "gradient": {"at": json_list(g), "norm": json_list(np.linalg.norm(g)),
                     "formula": [formula(e) for e in g_exprs]},
        "hessian": {"at": json_list(h),
                    "formula": [[formula(e) for e in row] for row in h_sym.rows],
                    "latex": h_sym.latex(), "determinant": json_list(det2(h))},
        "eigenvalues": json_list(eig), "eigenvectors": json_list(vec.T),
        "shape": classify(eig, scale),
        "critical": bool(np.linalg.norm(g) <= 1e-8 * max(1.0, abs(f0))),
        "critical_points": critical,
        "box": list(box), "xs": json_list(xs, 8), "ys": json_list(ys, 8),
        "contours": contours(xs, ys, z, lv), "quadratic": contours(xs, ys, q, lv)}


def _critical(expr: Expr, box: Box) -> list[dict[str, Any]]:
    """The critical points of f in the box, classified (none when the search fails)."""
    try:
        found = find_stationary(expr, NAMES, {"x": (box[0], box[1]), "y": (box[2], box[3])})
    except ChainruleError:
        return []
    kinds = {"min": "minimum", "max": "maximum"}
    return [{"x": p.x["x"], "y": p.x["y"], "f": json_list(p.value),
             "kind": kinds.get(p.kind, p.kind)} for p in found][:20]
