"""Gradients, Jacobians, Hessians and directional derivatives by finite differences.

Each is built from the one-variable machinery of :mod:`~chainrule.numeric.derivative`, applied
to ``t ↦ f(x + t·u)`` along well-chosen directions u, so every entry gets the same Richardson
extrapolation, conservative error bound and non-differentiability checks:

* Jacobian column j: the derivative along the coordinate vector ``e_j`` (f may return a vector);
* Hessian diagonal: the second derivative along ``e_i``; off-diagonal entries by polarisation,
  ``H_ij = (D²_{e_i+e_j} - D²_{e_i-e_j}) / 4`` where ``D²_u`` is the second derivative along u,
  so the matrix is symmetric by construction;
* directional derivative: the derivative along u itself (``∇f·u``; u is not normalised).

``f`` takes one vector (a NumPy array); scalar-only code such as
``lambda v: math.sin(v[0]) * v[1]`` is fine, it is called one point at a time. Chainrule text
or an Expr works too, its variables in alphabetical order unless ``variables`` says otherwise.

>>> r = gradient(lambda v: v[0]**2 + 3*v[1]**2, [1.0, 2.0])
>>> r.df.round(10).tolist(), r.success
([2.0, 12.0], True)
>>> (hessian("x^2 + 3y^2", [1.0, 2.0]).df.round(8) + 0.0).tolist()  # + 0.0: no -0.0
[[2.0, 0.0], [0.0, 6.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.numeric.derivative import scalar_result
from chainrule.numeric.driver import differentiate_line
from chainrule.numeric.options import make_options, step_scale
from chainrule.numeric.result import CONVERGED, DOMAIN, DerivativeResult, worst
from chainrule.numeric.sampling import Line, as_vector_function


class _Problem:
    """f as a function of a vector, the point, and f(x) evaluated once for all lines."""

    def __init__(self, f: Any, x: Any, variables: Sequence[str] | None):
        self.func = as_vector_function(f, variables)
        self.x = np.atleast_1d(np.asarray(x, dtype=float))
        if self.x.ndim != 1:
            raise ChainruleError(f"x must be a vector, got shape {self.x.shape}")
        self.scale = step_scale(self.x)
        self.base = Line.along(self.func, self.x, np.zeros_like(self.x))
        self.fx = self.base.value(0.0)
        self.nfev = self.base.nfev

    def line(self, direction: np.ndarray, coordinate: int | None = None) -> Line:
        return Line.along(self.func, self.x, direction, coordinate).seed(self.fx)

    def unit(self, i: int) -> np.ndarray:
        e = np.zeros_like(self.x)
        e[i] = 1.0
        return e

    def run(self, line: Line, opts) -> DerivativeResult:
        res = differentiate_line(line, opts, self.scale)
        self.nfev += line.nfev
        return res


def _summary(df: np.ndarray, error: np.ndarray, status: np.ndarray, nfev: int, step: Any,
             order: int, method: str, parts: list[DerivativeResult]) -> DerivativeResult:
    """One result for many entries: arrays for the numbers, the worst status for the verdict."""
    status = np.asarray(status, dtype=object)
    verdict = worst(status)
    failed = [p.message for p in parts if not np.all(p.success)]
    message = "converged" if verdict == CONVERGED else f"{verdict}: {failed[0]}"
    return DerivativeResult(df, error, verdict == CONVERGED, verdict, message, nfev,
                            np.asarray(step, dtype=float), order, method,
                            details={"status": status})


def _domain(problem: _Problem, shape: tuple[int, ...], order: int, method: str
            ) -> DerivativeResult:
    return DerivativeResult(np.full(shape, np.nan), np.full(shape, np.inf), False, DOMAIN,
                            "f is undefined at x (outside its domain)", problem.nfev,
                            np.zeros(shape), order, method,
                            details={"status": np.full(shape, DOMAIN, dtype=object)})


def jacobian(f: Any, x: Any, *, variables: Sequence[str] | None = None,
             **options: Any) -> DerivativeResult:
    """The Jacobian ``J[i, j] = ∂f_i/∂x_j`` of a function of a vector, shape (m, n).

    ``options`` are those of :func:`~chainrule.numeric.derivative.derivative` (``method``,
    ``accuracy``, ``step``, ``adaptive``, ``rtol``, ``atol``, ``check``, ``noise``).

    >>> J = jacobian(lambda v: [v[0] * v[1], v[0] + v[1]], [2.0, 3.0]).df
    >>> J.round(10).tolist()
    [[3.0, 2.0], [1.0, 1.0]]
    """
    opts = make_options(1, **_defaults(options))
    problem = _Problem(f, x, variables)
    n, m = problem.x.size, problem.fx.size
    if np.any(np.isnan(problem.fx)):
        return _domain(problem, (m, n), 1, opts.method)
    cols = [problem.run(problem.line(problem.unit(j), coordinate=j), opts) for j in range(n)]
    stacked = {k: np.stack([np.atleast_1d(getattr(c, k)) for c in cols], axis=1)
               for k in ("df", "error", "status", "step")}
    return _summary(stacked["df"], stacked["error"], stacked["status"], problem.nfev,
                    stacked["step"], 1, opts.method, cols)


def gradient(f: Any, x: Any, *, variables: Sequence[str] | None = None,
             **options: Any) -> DerivativeResult:
    """The gradient of a scalar function of a vector, shape (n,).

    >>> import math
    >>> gradient(lambda v: math.sin(v[0]) * v[1], [0.0, 2.0]).df.round(10).tolist()
    [2.0, 0.0]
    """
    res = jacobian(f, x, variables=variables, **options)
    if np.asarray(res.df).shape[0] != 1:
        raise ChainruleError("gradient needs a function with one output; use jacobian")
    return res.with_(df=res.df[0], error=res.error[0], step=res.step[0],
                     details={"status": res.details["status"][0]})


def directional_derivative(f: Any, x: Any, u: Any, *, variables: Sequence[str] | None = None,
                           **options: Any) -> DerivativeResult:
    """The derivative of f along u at x, ``∇f(x)·u`` (u is used as given, not normalised).

    >>> round(directional_derivative("x^2 + 3y^2", [1.0, 2.0], [1.0, 1.0]).df, 8)
    14.0
    """
    opts = make_options(1, **_defaults(options))
    problem = _Problem(f, x, variables)
    u = np.asarray(u, dtype=float)
    if u.shape != problem.x.shape:
        raise ChainruleError(f"u has shape {u.shape} but x has shape {problem.x.shape}")
    if np.any(np.isnan(problem.fx)):
        return scalar_result(_domain(problem, problem.fx.shape, 1, opts.method))
    res = problem.run(problem.line(u), opts)
    return scalar_result(res.with_(nfev=problem.nfev))


def hessian(f: Any, x: Any, *, variables: Sequence[str] | None = None,
            **options: Any) -> DerivativeResult:
    """The Hessian of a scalar function of a vector, shape (n, n), symmetric.

    >>> hessian(lambda v: v[0] * v[1] ** 2, [1.0, 2.0]).df.round(8).tolist()
    [[0.0, 4.0], [4.0, 2.0]]
    """
    opts = make_options(2, **_defaults(options))
    problem = _Problem(f, x, variables)
    n = problem.x.size
    if problem.fx.size != 1:
        raise ChainruleError("hessian needs a function with one output")
    if np.any(np.isnan(problem.fx)):
        return _domain(problem, (n, n), 2, opts.method)
    df, err, step = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    status = np.full((n, n), CONVERGED, dtype=object)
    parts: list[DerivativeResult] = []
    for i in range(n):
        d = problem.run(problem.line(problem.unit(i), coordinate=i), opts)
        parts.append(d)
        df[i, i], err[i, i], step[i, i], status[i, i] = _entry([d])
        for j in range(i):
            plus = problem.run(problem.line(problem.unit(i) + problem.unit(j)), opts)
            minus = problem.run(problem.line(problem.unit(i) - problem.unit(j)), opts)
            parts += [plus, minus]
            entry = _entry([plus, minus])
            df[i, j] = df[j, i] = entry[0]
            err[i, j] = err[j, i] = entry[1]
            step[i, j] = step[j, i] = entry[2]
            status[i, j] = status[j, i] = entry[3]
    return _summary(df, err, status, problem.nfev, step, 2, opts.method, parts)


def _entry(parts: list[DerivativeResult]) -> tuple[float, float, float, str]:
    """(value, error, step, status) of a diagonal entry, or of a polarised off-diagonal one."""
    vals = [float(np.asarray(p.df).ravel()[0]) for p in parts]
    errs = [float(np.asarray(p.error).ravel()[0]) for p in parts]
    step = float(np.min([np.asarray(p.step).ravel()[0] for p in parts]))
    verdict = worst([np.asarray(p.status, dtype=object).ravel()[0] for p in parts])
    if len(parts) == 1:
        return vals[0], errs[0], step, verdict
    return (vals[0] - vals[1]) / 4, (errs[0] + errs[1]) / 4, step, verdict


def _defaults(options: dict[str, Any]) -> dict[str, Any]:
    """The keyword options of ``derivative`` that the vector functions accept, with defaults."""
    allowed = {"method": "central", "accuracy": None, "step": None, "adaptive": True,
               "rtol": None, "atol": 0.0, "check": True, "noise": None}
    unknown = set(options) - set(allowed)
    if unknown:
        raise ChainruleError(f"unknown option(s): {', '.join(sorted(unknown))}")
    return {**allowed, **options}
