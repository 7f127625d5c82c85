"""Numbers for the jacobian and optimization explorers: a map of the plane and its Jacobian,
and gradient descent, momentum and Newton's method run side by side.

>>> from chainrule.symbolic.api import parse
>>> j = jacobian_view(parse("x^2 - y^2"), parse("2x*y"), 1.0, 1.0, 0.1, (-2.0, 2.0, -2.0, 2.0))
>>> j["at"], j["determinant"]
([[2.0, -2.0], [2.0, 2.0]], 8.0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.calculus.optimize import minimize
from chainrule.calculus.vector import gradient, jacobian
from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError
from chainrule.web.surfaces import (
    NAMES,
    at_point,
    check_two_variables,
    det2,
    differentiable,
    formula,
    json_list,
    on_grid,
)

EDGE_POINTS = 24
"""Samples along each side of the small square (its image is curved)."""
GRID_LINES = 9
GRID_POINTS = 61


def _image(u: Expr, v: Expr, xs: np.ndarray, ys: np.ndarray) -> dict[str, Any]:
    return {"u": json_list(on_grid(u, xs, ys), 8), "v": json_list(on_grid(v, xs, ys), 8)}


def _polygon_area(us: np.ndarray, vs: np.ndarray) -> float:
    """The signed area inside a closed polygon (shoelace formula)."""
    return 0.5 * float(np.sum(us * np.roll(vs, -1) - np.roll(us, -1) * vs))


def jacobian_view(u: Expr, v: Expr, x0: float, y0: float, h: float,
                  box: tuple[float, float, float, float]) -> dict[str, Any]:
    """The map (x, y) ↦ (u, v) near (x₀, y₀): its Jacobian matrix there and the determinant
    (the area scale), the square [x₀, x₀ + h] × [y₀, y₀ + h] and its image (exact, sampled,
    and by the linear map J), the image's area over h², and the images of grid lines."""
    check_two_variables(u, "u")
    check_two_variables(v, "v")
    sym = jacobian([u, v], list(NAMES))
    j = np.array([[at_point(e, x0, y0) for e in row] for row in sym.rows])
    u0, v0 = at_point(u, x0, y0), at_point(v, x0, y0)
    smooth = all(differentiable(e, n, x0, y0) for e in (u, v) for n in NAMES)
    if not (smooth and np.all(np.isfinite(j)) and math.isfinite(u0) and math.isfinite(v0)):
        raise ChainruleError(f"the map is not differentiable at (x, y) = ({x0:g}, {y0:g})")
    t = np.linspace(0.0, 1.0, EDGE_POINTS)
    one, zero = np.ones_like(t), np.zeros_like(t)
    # counter-clockwise: bottom, right, top, left
    sx = x0 + h * np.concatenate([t, one, 1 - t, zero])
    sy = y0 + h * np.concatenate([zero, t, one, 1 - t])
    img_u, img_v = on_grid(u, sx, sy), on_grid(v, sx, sy)
    area = _polygon_area(img_u, img_v) / h**2 if np.all(np.isfinite(img_u + img_v)) else None
    corners = np.array([[0, 0], [h, 0], [h, h], [0, h]], dtype=float)
    linear = corners @ j.T + [u0, v0]
    lines = []
    s = np.linspace(0.0, 1.0, GRID_POINTS)
    for k in np.linspace(0.0, 1.0, GRID_LINES):
        gx = box[0] + k * (box[1] - box[0])
        gy = box[2] + k * (box[3] - box[2])
        across = box[0] + s * (box[1] - box[0])
        up = box[2] + s * (box[3] - box[2])
        lines.append({"direction": "x", "at": json_list(gy),
                      **_image(u, v, across, np.full_like(across, gy))})
        lines.append({"direction": "y", "at": json_list(gx),
                      **_image(u, v, np.full_like(up, gx), up)})
    return {
        "u": formula(u), "v": formula(v), "point": {"x": x0, "y": y0, "u": json_list(u0),
                                                     "v": json_list(v0)},
        "formula": [[formula(e) for e in row] for row in sym.rows], "latex": sym.latex(),
        "at": json_list(j), "determinant": json_list(det2(j)), "h": h,
        "square": {"x": json_list(sx, 8), "y": json_list(sy, 8)},
        "image": {"u": json_list(img_u, 8), "v": json_list(img_v, 8)},
        "linear": {"u": json_list(linear[:, 0]), "v": json_list(linear[:, 1])},
        "area_ratio": json_list(area), "box": list(box), "grid": lines}


def verdict(run: dict[str, Any]) -> str:
    """converges / oscillates / diverges / still descending, for one optimiser's run: it
    converges when |∇f| fell to 10⁻³ of its start, diverges when f or |∇f| ended above where
    it started, oscillates when most steps turned back."""
    trace = run["trace"]
    first, last = trace[0], trace[-1]
    if run["converged"] or last["grad_norm"] <= 1e-3 * first["grad_norm"]:
        return "converges"
    message = run["message"]
    if ("diverged" in message or "left the domain" in message or last["f"] > first["f"]
            or last["grad_norm"] > first["grad_norm"]):
        return "diverges"
    if len(trace) > 3 and run["zigzag"] >= (len(trace) - 2) // 2:
        return "oscillates"
    return "still descending"


def _momentum(expr: Expr, names: tuple[str, ...], start: dict[str, float], rate: float,
              beta: float, steps: int, tol: float) -> dict[str, Any]:
    """Gradient descent with (heavy-ball) momentum: v ← βv − η∇f, x ← x + v."""
    grads = gradient(expr, names)

    def at(p: np.ndarray) -> tuple[float, np.ndarray]:
        xy = {n: float(c) for n, c in zip(names, p, strict=True)}
        args = [np.array([xy.get(n, 0.0)]) for n in NAMES]
        f = float(on_grid(expr, *args)[0])
        return f, np.array([float(on_grid(g, *args)[0]) for g in grads])

    x = np.array([start[n] for n in names])
    vel = np.zeros_like(x)
    f, g = at(x)
    if not (math.isfinite(f) and np.all(np.isfinite(g))):
        raise ChainruleError("the function or its gradient is undefined at the start")
    trace = [{"iteration": 0, "x": dict(zip(names, x.tolist(), strict=True)), "f": f,
              "grad_norm": float(np.linalg.norm(g))}]
    converged, message = False, f"stopped after {steps} steps without converging"
    for k in range(1, steps + 1):
        if np.linalg.norm(g) <= tol:
            converged, message = True, f"converged in {k - 1} steps"
            break
        vel = beta * vel - rate * g
        x = x + vel
        f, g = at(x)
        if not (math.isfinite(f) and np.all(np.isfinite(g))) or abs(f) > 1e100:
            message = "diverged: f is growing without bound (the step is too large)"
            break
        trace.append({"iteration": k, "x": dict(zip(names, x.tolist(), strict=True)), "f": f,
                      "grad_norm": float(np.linalg.norm(g))})
    else:
        if np.linalg.norm(g) <= tol:
            converged, message = True, f"converged in {steps} steps"
    pts = np.array([list(r["x"].values()) for r in trace])
    moves = np.diff(pts, axis=0)
    zigzag = int(sum(1 for a, b in zip(moves, moves[1:], strict=False) if np.dot(a, b) < 0))
    return {"trace": trace, "converged": converged, "message": message, "zigzag": zigzag}


def optimization_view(expr: Expr, start: dict[str, float], rate: float, beta: float,
                      steps: int) -> dict[str, Any]:
    """Gradient descent with learning rate ``rate``, the same with momentum ``beta``, and
    Newton's method, each from ``start`` for at most ``steps`` steps, with their traces and
    verdicts.

    >>> from chainrule.symbolic.api import parse
    >>> o = optimization_view(parse("x^2"), {"x": 1.0}, 1.1, 0.5, 20)
    >>> o["runs"]["gd"]["verdict"], o["runs"]["newton"]["verdict"]
    ('diverges', 'converges')
    >>> [round(r["x"]["x"], 4) for r in o["runs"]["gd"]["trace"][:3]]
    [1.0, -1.2, 1.44]
    """
    check_two_variables(expr)
    names = tuple(n for n in NAMES if n in {s.name for s in expr.free_symbols()}) or ("x",)
    point = {n: start[n] for n in names}
    runs: dict[str, Any] = {}
    for name, method in (("gd", "gd"), ("newton", "newton")):
        try:
            r = minimize(expr, point, method=method, step=rate if method == "gd" else None,
                         max_iter=steps, tol=1e-8).to_dict()
        except ChainruleError as err:
            raise ChainruleError(f"{err} ({'x, y' if len(names) == 2 else 'x'} = "
                                 f"{', '.join(f'{v:g}' for v in point.values())})") from None
        runs[name] = {k: r[k] for k in ("converged", "message", "zigzag")}
        runs[name]["trace"] = [{"iteration": t["iteration"], "x": t["x"], "f": t["f"],
                                "grad_norm": t["grad_norm"]} for t in r["trace"]]
    runs["momentum"] = _momentum(expr, names, point, rate, beta, steps, 1e-8)
    for run in runs.values():
        run["verdict"] = verdict(run)
        run["iterations"] = len(run["trace"]) - 1
        last = run["trace"][-1]
        run["end"] = {"x": last["x"], "f": last["f"]}
    return {"f": formula(expr), "variables": list(names), "start": point, "rate": rate,
            "momentum": beta, "steps": steps, "runs": runs,
            "gradient": [formula(g) for g in gradient(expr, names)]}
