"""Gradient descent and Newton's method, any number of variables, with chainrule's own
derivatives and a trace a learner can read (seeds 003 and 004).

* **Gradient descent** steps along −∇f: a fixed ``step`` (learning rate) or, by default, a
  backtracking line search (halve until f falls enough: the Armijo condition).
* **Newton's method** steps to the minimum of the local quadratic model, ``−H⁻¹∇f``. Where the
  Hessian is not positive definite that step may go uphill, so the Hessian is shifted by
  ``τI`` until it is (the safeguard) and the step is backtracked like gradient descent; near a
  minimum full steps are taken and convergence is quadratic.

Seed 003's stretched bowl x² + 3y² shows the difference: gradient descent zig-zags across the
valley, Newton lands in one step.

>>> r = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="newton")
>>> r.x, r.iterations, r.converged
({'x': 0.0, 'y': 0.0}, 1, True)
>>> gd = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="gd", step=0.3)
>>> [round(row.x["y"], 3) for row in gd.trace[:4]]
[1.0, -0.8, 0.64, -0.512]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.calculus.common import MAX_VARIABLES, clean, show_number, show_point, values_of
from chainrule.core.expr import Expr
from chainrule.errors import BudgetError, ChainruleError

METHODS = {"gd": "gd", "gradient-descent": "gd", "gradient_descent": "gd", "newton": "newton"}
MAX_ITERATIONS = 100_000
ARMIJO = 1e-4
"""Sufficient decrease: accept step t when f(x + t·d) ≤ f(x) + ARMIJO·t·∇f·d."""


@dataclass(frozen=True)
class TraceRow:
    """One iterate: its number, point, f, |∇f|, the step length that reached it, a note."""

    iteration: int
    x: dict[str, float]
    value: float
    grad_norm: float
    step: float = 0.0
    note: str = ""


@dataclass
class OptimizeResult:
    """Where a minimisation ended: ``x`` (a dict), ``value``, ``converged``, and the ``trace``
    of every iterate."""

    function: str
    method: str
    start: dict[str, float]
    x: dict[str, float]
    value: float
    trace: list[TraceRow]
    converged: bool
    message: str
    details: list[str] = field(default_factory=list)

    @property
    def iterations(self) -> int:
        return len(self.trace) - 1

    @property
    def zigzag(self) -> int:
        """How many times consecutive steps turned by more than 90°."""
        pts = np.array([list(r.x.values()) for r in self.trace])
        steps = np.diff(pts, axis=0)
        return int(sum(1 for a, b in zip(steps, steps[1:], strict=False) if np.dot(a, b) < 0))

    def convergence_order(self) -> float | None:
        """How fast |∇f| fell at the end: the mean of log|∇f_{k+1}| / log|∇f_k| over the last
        (up to 3) steps with |∇f| below 0.1 and above rounding — about 1 when a constant
        fraction of the error is removed per step (gradient descent), about 2 when the number
        of correct digits doubles per step (Newton near a minimum). None when too few steps."""
        g = [r.grad_norm for r in self.trace]
        ratios = [math.log(b) / math.log(a) for a, b in zip(g, g[1:], strict=False)
                  if 1e-15 < b < a < 0.1]
        return sum(ratios[-3:]) / len(ratios[-3:]) if ratios else None

    def report(self) -> str:
        name = {"gd": "gradient descent", "newton": "Newton's method"}[self.method]
        lines = [f"{name} on {self.function} from {show_point(self.start)}",
                 f"{self.message}: {show_point(self.x)}, f = {show_number(self.value)}, "
                 f"|∇f| = {self.trace[-1].grad_norm:.3g}"]
        order = self.convergence_order()
        if order is not None:
            kind = "quadratic" if order > 1.6 else "linear" if order < 1.2 else "superlinear"
            lines.append(f"observed order of convergence ≈ {order:.2f} ({kind}): |∇f| went "
                         + " → ".join(f"{r.grad_norm:.1e}" for r in self.trace[-4:]))
        lines += self.details
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function, "method": self.method, "start": self.start,
            "x": self.x, "value": self.value, "converged": self.converged,
            "iterations": self.iterations, "message": self.message, "zigzag": self.zigzag,
            "convergence_order": self.convergence_order(), "details": self.details,
            "trace": [{"iteration": r.iteration, "x": r.x, "f": r.value,
                       "grad_norm": r.grad_norm, "step": r.step, "note": r.note}
                      for r in self.trace],
        }

    def __str__(self) -> str:
        return self.report()


class _Objective:
    """f, ∇f and H as NumPy functions of a point vector; from an Expr (symbolic, compiled)
    or from a Python function (traced symbolically, else automatic differentiation)."""

    def __init__(self, fn: Any, names: tuple[str, ...]):
        self.names = names
        self.expr: Expr | None = _as_expr(fn)
        self.text = str(self.expr) if self.expr is not None else getattr(fn, "__name__", "f")
        if self.expr is not None:
            self._symbolic()
        else:
            self._automatic(fn)

    def _symbolic(self) -> None:
        from chainrule.calculus.common import compiled
        from chainrule.calculus.vector import gradient, hessian
        extra = sorted(s.name for s in self.expr.free_symbols() if s.name not in self.names)
        if extra:
            raise ChainruleError(f"the start gives no value for {', '.join(extra)}")
        f = compiled(self.expr, self.names)
        g = [compiled(e, self.names) for e in gradient(self.expr, self.names)]
        self.value = lambda x: f(*x)
        self.grad = lambda x: np.array([gi(*x) for gi in g])
        self._hess_exprs = hessian(self.expr, self.names).rows
        self._hess: list | None = None

    def hess(self, x: np.ndarray) -> np.ndarray:
        if self.expr is None:
            return self._ad_hess(x)
        if self._hess is None:  # compiled only when Newton's method asks for it
            from chainrule.calculus.common import compiled
            self._hess = [[compiled(e, self.names) for e in row] for row in self._hess_exprs]
        return np.array([[h(*x) for h in row] for row in self._hess])

    def _automatic(self, fn: Callable) -> None:
        import chainrule
        whole = lambda v: fn(*[v[i] for i in range(len(self.names))])  # noqa: E731
        grad_fn, hess_fn = chainrule.grad(whole), chainrule.hessian(whole)
        self.value = lambda x: _finite(whole, x)
        self.grad = lambda x: np.asarray(grad_fn(np.asarray(x, dtype=float)), dtype=float)
        self._ad_hess = lambda x: np.asarray(hess_fn(np.asarray(x, dtype=float)), dtype=float)


def _finite(fn: Callable, x: np.ndarray) -> float:
    try:
        with np.errstate(all="ignore"):
            return float(fn(np.asarray(x, dtype=float)))
    except (ChainruleError, ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _as_expr(fn: Any) -> Expr | None:
    from chainrule.symbolic.api import as_expression
    if not callable(fn) or isinstance(fn, Expr):
        return as_expression(fn)
    try:
        return as_expression(fn)
    except Exception:  # noqa: BLE001 - plain NumPy code that does not trace: use AD instead
        return None


def minimize(fn: Any, start: Mapping[str, Any], method: str = "gd", step: float | None = None,
             tol: float = 1e-8, max_iter: int | None = None,
             line_search: bool = True) -> OptimizeResult:
    """Minimise ``fn`` (text, an Expr, or a Python function of the named variables) from
    ``start`` (a dict). ``method`` is "gd" or "newton"; ``step`` fixes gradient descent's step
    (else a backtracking line search); ``line_search=False`` makes Newton take full steps.
    Stops when |∇f| ≤ ``tol`` or after ``max_iter`` steps (default 1000 for gd, 100 for
    Newton).
    """
    kind = METHODS.get(str(method).lower())
    if kind is None:
        raise ChainruleError(f"unknown method {method!r}; use gd or newton")
    start_values = values_of(start, "start")
    names = tuple(start_values)
    if not names or len(names) > MAX_VARIABLES:
        raise ChainruleError(f"give a start value for 1 to {MAX_VARIABLES} variables")
    limit = max_iter if max_iter is not None else (1000 if kind == "gd" else 100)
    if not isinstance(limit, int) or limit < 0 or limit > MAX_ITERATIONS:
        raise BudgetError(f"max_iter must be a whole number from 0 to {MAX_ITERATIONS}")
    if step is not None and not (math.isfinite(step) and step > 0):
        raise ChainruleError(f"the step must be a positive number, got {step}")
    objective = _Objective(fn, names)
    run = _Run(objective, kind, step, tol, line_search)
    return run.go(np.array([start_values[n] for n in names]), limit, start_values)


class _Run:
    def __init__(self, objective: _Objective, kind: str, step: float | None, tol: float,
                 line_search: bool):
        self.obj, self.kind, self.fixed, self.tol = objective, kind, step, tol
        self.line_search = line_search

    def row(self, k: int, x: np.ndarray, fx: float, g: np.ndarray, step: float,
            note: str = "") -> TraceRow:
        return TraceRow(k, {n: float(v) for n, v in zip(self.obj.names, x, strict=True)},
                        fx, float(np.linalg.norm(g)), step, note)

    def go(self, x: np.ndarray, limit: int, start: dict[str, float]) -> OptimizeResult:
        fx, g = self.obj.value(x), self.obj.grad(x)
        if not (math.isfinite(fx) and np.all(np.isfinite(g))):
            raise ChainruleError("the function or its gradient is undefined at the start")
        trace = [self.row(0, x, fx, g, 0.0)]
        message, converged = f"stopped after {limit} steps (max_iter) without converging", False
        for k in range(1, limit + 2):
            if np.linalg.norm(g) <= self.tol:
                message, converged = f"converged in {k - 1} step{'s' if k != 2 else ''}", True
                break
            if k > limit:
                break
            direction, note = self.direction(x, g)
            t = self.step_length(x, fx, g, direction)
            if t is None:
                message = "stopped: no step along the search direction lowers f"
                break
            x_new = x + t * direction
            f_new, g_new = self.obj.value(x_new), self.obj.grad(x_new)
            if not (math.isfinite(f_new) and np.all(np.isfinite(g_new))):
                message = "stopped: the step left the domain or diverged (try a smaller step)"
                break
            trace.append(self.row(k, x_new, f_new, g_new, float(np.linalg.norm(x_new - x)), note))
            if f_new > 1e100:
                message = "diverged: f is growing without bound (the step is too large)"
                break
            x, fx, g = x_new, f_new, g_new
        return self.result(trace, converged, message, start)

    def direction(self, x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, str]:
        if self.kind == "gd":
            return -g, ""
        h = self.obj.hess(x)
        h = (h + h.T) / 2
        try:
            np.linalg.cholesky(h)
            return -np.linalg.solve(h, g), ""
        except np.linalg.LinAlgError:
            eig = np.linalg.eigvalsh(h)
            tau = -eig[0] + 1e-3 * max(1.0, float(np.max(np.abs(eig))))
            shifted = h + tau * np.eye(len(x))
            return (-np.linalg.solve(shifted, g),
                    f"H not positive definite (λmin = {eig[0]:.3g}): used H + {tau:.3g}·I")

    def step_length(self, x, fx, g, d) -> float | None:
        if self.kind == "gd" and self.fixed is not None:
            return self.fixed
        if self.kind == "newton" and not self.line_search:
            return 1.0
        slope = float(np.dot(g, d))
        t = 1.0
        for _ in range(60):
            f_new = self.obj.value(x + t * d)
            if math.isfinite(f_new) and f_new <= fx + ARMIJO * t * slope:
                return t
            t /= 2
        return None

    def result(self, trace: list[TraceRow], converged: bool, message: str,
               start: dict[str, float]) -> OptimizeResult:
        last = trace[-1]
        x = {n: clean(v) for n, v in last.x.items()}
        out = OptimizeResult(self.obj.text, self.kind, start, x, clean(last.value), trace,
                             converged, message)
        out.details = _details(self, out)
        return out


def _details(run: _Run, res: OptimizeResult) -> list[str]:
    """What a learner should notice: zig-zagging and its cause, Newton's one step."""
    out = []
    if run.kind == "gd":
        how = f"fixed step {show_number(run.fixed)}" if run.fixed else "backtracking line search"
        out.append(f"step rule: {how}")
    turns = res.zigzag
    if turns and res.iterations > 2:
        out.append(f"zig-zag: {turns} of {res.iterations - 1} consecutive steps turned by more "
                   "than 90°")
    try:
        eig = np.linalg.eigvalsh(run.obj.hess(np.array(list(res.x.values()))))
    except Exception:  # noqa: BLE001 - the curvature remark is optional
        return out
    if eig.size and eig[0] > 0 and np.all(np.isfinite(eig)):
        cond = eig[-1] / eig[0]
        out.append(f"Hessian eigenvalues at the end: {', '.join(show_number(v) for v in eig)} "
                   f"(condition number {show_number(cond)})"
                   + ("; a stretched bowl: −∇f points across the valley, not along it"
                      if run.kind == "gd" and cond > 2 and turns else ""))
    if run.kind == "newton" and res.converged and res.iterations == 1:
        out.append("one Newton step: the quadratic model is exact for a quadratic function")
    return out


def trace_table_rows(result: OptimizeResult, head: int = 12,
                     tail: int = 5) -> list[TraceRow | None]:
    """The trace shortened for display: the first ``head`` and last ``tail`` rows, None
    marking the gap."""
    rows: Sequence[TraceRow] = result.trace
    if len(rows) <= head + tail + 1:
        return list(rows)
    return [*rows[:head], None, *rows[-tail:]]
