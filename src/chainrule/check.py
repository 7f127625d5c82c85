"""Gradient checking: every differentiation mode against finite differences (DESIGN.md §7).

:func:`check_grads` differentiates ``f`` in each mode — ``"sym"`` (trace ``f`` with symbols and
use :func:`chainrule.diff`), ``"fwd"`` (JVPs) and ``"rev"`` (VJPs) — along random directions
and compares every order up to ``order`` against a Richardson-extrapolated central finite
difference, so the tolerance can be tight (about 1e-6 relative).

How each order is checked. Let ``g₀ = f`` and ``v₁, v₂, …`` be random unit directions (seeded).
The mode's k-th derivative ``gₖ(x)`` is its derivative of ``gₖ₋₁`` along ``vₖ`` (forward:
a JVP of the previous JVP; reverse: ``⟨vjp(f)(u), v₁⟩``, then the gradient of that scalar,
i.e. reverse-over-reverse; symbolic: ``Σⱼ vₖⱼ ∂gₖ₋₁/∂xⱼ`` as an expression). Order k compares
``gₖ(x)`` with the finite difference of the *same mode's* ``gₖ₋₁`` along ``vₖ`` — one
accurate first-difference per order instead of an inaccurate k-th difference, the recursive
scheme of JAX's ``check_grads``. Directions perturb one argument at a time, and, when ``f``
has several arguments, all of them at once (``argument="all"``, which covers mixed partials).

>>> import numpy as np
>>> report = check_grads(lambda x, y: np.sin(x) * y ** 2, (0.3, np.array([1.0, 2.0])),
...                      modes=("fwd", "rev"))
>>> report.ok, len(report.checks)
(True, 12)
>>> print(check_grads(lambda x: x ** 2, (1.5,), modes=("sym", "fwd"), order=1))
check_grads: 3 checks, all passed (rtol=1e-06, atol=1e-08)
  ok   sym order 0 argument 0: max|sym - f| = 0 <= tol 2.3e-06 (sym 2.25, f 2.25)
  ok   sym order 1 argument 0: max|sym - FD| = 2.2e-15 <= tol 3e-06 (sym -3, FD -3 ±0)
  ok   fwd order 1 argument 0: max|fwd - FD| = 2.2e-15 <= tol 3e-06 (fwd -3, FD -3 ±0)

At a kink the derivative a mode picks (here relu′(0) = 1 through ``maximum``'s tie rule) is
not the two-sided finite difference, and the report says so:

>>> report = check_grads(lambda x: np.maximum(x, 0.0), (0.0,), modes=("fwd",), order=1,
...                      raise_on_fail=False)
>>> print(report)
check_grads: 1 check, 1 failed (rtol=1e-06, atol=1e-08)
  FAIL fwd order 1 argument 0: max|fwd - FD| = 0.5 > tol 5.1e-07 (fwd -1, FD -0.5 ±0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError

MODES = ("sym", "fwd", "rev")


class GradCheckError(ChainruleError):
    """A derivative disagrees with finite differences; ``.report`` holds the numbers."""

    def __init__(self, report: GradCheckReport):
        self.report = report
        super().__init__(str(report))


# -- finite differences ---------------------------------------------------------------------

@dataclass(frozen=True)
class FiniteDifference:
    """A finite-difference derivative with an estimate of its absolute error."""

    value: Any
    error: float


def richardson_derivative(phi: Callable[[float], Any], step: float = 0.1, shrink: float = 2.0,
                          rows: int = 10) -> FiniteDifference:
    """d/dt φ(t) at t = 0: central differences with Richardson extrapolation (Ridders).

    Central differences at steps ``step, step/shrink, …`` are extrapolated to step 0 in a
    tableau that removes the h², h⁴, … error terms; every entry (per array element) carries
    an error estimate from its neighbours and the best one is returned. Evaluations that fail
    or give NaN (a large step leaving the domain) only disqualify the entries built on them.

    >>> fd = richardson_derivative(np.exp)
    >>> bool(abs(fd.value - 1.0) < 1e-12)
    True
    """
    with np.errstate(all="ignore"):
        previous = [_central(phi, step)]
        best = previous[0]
        best_err = np.full(np.shape(best), np.inf)
        h = step
        for _ in range(1, rows):
            h /= shrink
            row = [_central(phi, h)]
            fac = shrink**2
            for j in range(1, len(previous) + 1):
                row.append((row[j - 1] * fac - previous[j - 1]) / (fac - 1))
                fac *= shrink**2
                err = np.maximum(abs(row[j] - row[j - 1]), abs(row[j] - previous[j - 1]))
                err = np.where(np.isnan(err), np.inf, err)
                better = err < best_err
                best, best_err = np.where(better, row[j], best), np.where(better, err, best_err)
            previous = row
    return FiniteDifference(best, float(np.max(best_err, initial=0.0)))


def _central(phi: Callable[[float], Any], h: float) -> np.ndarray:
    try:
        return (np.asarray(phi(h), dtype=float) - np.asarray(phi(-h), dtype=float)) / (2 * h)
    except (ChainruleError, ArithmeticError, ValueError):  # stepped outside the domain
        return np.asarray(np.nan)


# -- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One comparison: a mode's derivative of one order along one direction, against FD."""

    mode: str
    order: int
    argument: int | str  # the argument index perturbed, or "all"
    computed: Any  # the mode's derivative (None when it raised)
    expected: Any  # the finite difference (order 0: f itself)
    fd_error: float
    error: float  # max |computed - expected|
    tolerance: float  # atol + rtol·max|expected|
    message: str = ""  # the exception, when the mode raised

    @property
    def ok(self) -> bool:
        return not self.message and self.error <= self.tolerance

    def __str__(self) -> str:
        head = f"{'ok  ' if self.ok else 'FAIL'} {self.mode} order {self.order} " \
               f"argument {self.argument}"
        if self.message:
            return f"{head}: raised {self.message}"
        computed, expected = _worst_entry(self.computed, self.expected)
        ref = "f" if self.order == 0 else "FD"
        relation = "<=" if self.ok else ">"
        return (f"{head}: max|{self.mode} - {ref}| = {self.error:.2g} {relation} tol "
                f"{self.tolerance:.2g} ({self.mode} {computed:.15g}, {ref} {expected:.15g}"
                f"{'' if self.order == 0 else f' ±{self.fd_error:.1g}'})")


def _worst_entry(computed: Any, expected: Any) -> tuple[float, float]:
    c, e = np.broadcast_arrays(np.asarray(computed, float), np.asarray(expected, float))
    diff = np.where(np.isnan(c - e), np.inf, abs(c - e))
    at = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
    return (float(c[at]), float(e[at])) if diff.size else (0.0, 0.0)


@dataclass
class GradCheckReport:
    """Every check :func:`check_grads` made; ``ok`` when all passed. ``str()`` lists them."""

    rtol: float
    atol: float
    checks: list[Check] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def __str__(self) -> str:
        n_bad = len(self.failures)
        n = len(self.checks)
        head = (f"check_grads: {n} check{'' if n == 1 else 's'}, "
                f"{'all passed' if not n_bad else f'{n_bad} failed'} "
                f"(rtol={self.rtol:g}, atol={self.atol:g})")
        lines = [head, *(f"  {c}" for c in self.failures or self.checks)]
        lines += [f"  skipped {note}" for note in self.skipped]
        return "\n".join(lines)


# -- points and directions -----------------------------------------------------------------

def _as_arg(a: Any) -> Any:
    """Arguments as floats: Python / NumPy scalars become ``float``, the rest float arrays."""
    try:
        if isinstance(a, np.ndarray):
            return a.astype(float)
        return float(a) if np.ndim(a) == 0 else np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise ChainruleError(f"check_grads takes numbers and arrays as arguments, not "
                             f"{type(a).__name__}; wrap f to unpack other structures") from None


def _direction(rng: np.random.Generator, args: tuple, which: Sequence[int]) -> tuple:
    """A random unit direction moving only the arguments in ``which``."""
    parts = [rng.standard_normal(np.shape(a)) if i in which else np.zeros(np.shape(a))
             for i, a in enumerate(args)]
    norm = np.sqrt(sum(float(np.sum(p * p)) for p in parts)) or 1.0
    return tuple(_like(p / norm, a) for p, a in zip(parts, args, strict=True))


def _like(value: np.ndarray, arg: Any) -> Any:
    return float(value) if isinstance(arg, float) else value


def _moved(args: tuple, v: tuple, t: float) -> tuple:
    return tuple(_like(np.asarray(a + t * d), a) for a, d in zip(args, v, strict=True))


def _inner(a: Any, b: Any) -> float:
    return float(np.sum(np.asarray(a, float) * np.asarray(b, float)))


# -- each mode's chain of derivatives ------------------------------------------------------
# A chain is [g₀, g₁, …, gₙ]: g₀ = f and gₖ(args) is the mode's derivative of gₖ₋₁ along vₖ.
# Reverse mode's g₁ is ⟨vjp(f)(u), v₁⟩, a scalar, so its finite difference is projected on u.

Chain = list[Callable[[tuple], Any]]


def _fwd_chain(f: Callable, args: tuple, dirs: list[tuple], u: Any) -> Chain:
    from chainrule.autodiff.api import jvp

    def along(g: Callable, v: tuple) -> Callable:
        return lambda a: jvp(lambda *xs: g(xs), a, v)[1]

    chain: Chain = [lambda a: f(*a)]
    for v in dirs:
        chain.append(along(chain[-1], v))
    return chain


def _traced_inner(cts: tuple, v: tuple) -> Any:
    """⟨cotangents, v⟩ written with NumPy, so an outer trace differentiates it again."""
    total: Any = 0.0
    for c, d in zip(cts, v, strict=True):
        if np.any(d != 0):
            total = total + np.sum(c * d)
    return total


def _rev_chain(f: Callable, args: tuple, dirs: list[tuple], u: Any) -> Chain:
    from chainrule.autodiff.api import vjp

    def along(g: Callable, v: tuple, cotangent: Any) -> Callable:
        return lambda a: _traced_inner(vjp(lambda *xs: g(xs), *a)[1](cotangent), v)

    chain: Chain = [lambda a: f(*a)]
    for k, v in enumerate(dirs):
        chain.append(along(chain[-1], v, u if k == 0 else 1.0))
    return chain


def _sym_chain(f: Callable, args: tuple, dirs: list[tuple], u: Any) -> Chain:
    from chainrule.core.build import as_expr, symbol
    from chainrule.symbolic.api import diff

    syms = [symbol(f"_x{i}") for i in range(len(args))]
    exprs = [as_expr(f(*syms))]
    for v in dirs:
        terms = [float(d) * diff(exprs[-1], wrt=s) for s, d in zip(syms, v, strict=True) if d]
        exprs.append(as_expr(sum(terms[1:], terms[0]) if terms else 0))

    def value(e: Any) -> Callable:
        return lambda a: e.evaluate(**{s.name: x for s, x in zip(syms, a, strict=True)})

    return [value(e) for e in exprs]


_CHAINS = {"fwd": _fwd_chain, "rev": _rev_chain, "sym": _sym_chain}


# -- the checker -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Setup:
    f: Callable
    args: tuple
    u: Any  # the output cotangent of reverse mode
    rtol: float
    atol: float
    eps: float | None


def check_grads(f: Callable, args: Any, modes: Sequence[str] = MODES, order: int = 2,
                eps: float | None = None, rtol: float = 1e-6, atol: float = 1e-8,
                seed: int = 0, raise_on_fail: bool = True) -> GradCheckReport:
    """Check ``f``'s derivatives in every mode against finite differences, up to ``order``.

    ``args`` is the tuple of positional arguments (floats or arrays; a single non-tuple value
    is one argument). ``modes``: any of ``"sym"`` (only when every argument is a scalar;
    skipped with a note otherwise, or when ``f`` cannot be traced with symbols), ``"fwd"``,
    ``"rev"``. ``eps`` is the first finite-difference step (default ``0.1·max(1, |x|)``); it is
    then halved nine times and Richardson-extrapolated, so keep ``eps`` inside the domain's
    margin around ``args``. A check passes when ``max|AD − FD| ≤ atol + rtol·max|FD|``.
    Directions and reverse-mode cotangents are random, drawn from ``seed``.

    Returns a :class:`GradCheckReport`; raises :class:`GradCheckError` (a
    :class:`~chainrule.errors.ChainruleError`) holding it when a check fails and
    ``raise_on_fail``.

    >>> import numpy as np
    >>> check_grads(lambda x: np.sum(np.tanh(x) ** 2), (np.array([0.5, -1.0]),)).ok
    True
    >>> try:
    ...     check_grads(lambda x: np.where(x > 0, x, 2 * x), (0.0,), modes=("rev",), order=1)
    ... except GradCheckError as err:
    ...     print(err.report.failures[0].mode, err.report.failures[0].order)
    rev 1
    """
    unknown = set(modes) - set(MODES)
    if unknown or order < 1:
        raise ChainruleError(f"check_grads needs modes from {MODES} and order >= 1, "
                             f"got modes={tuple(modes)!r}, order={order!r}")
    args = tuple(_as_arg(a) for a in (args if isinstance(args, tuple | list) else (args,)))
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        out = f(*args)
    u = rng.standard_normal(np.shape(out))
    u = u if isinstance(out, np.ndarray) else float(u)
    setup = _Setup(f, args, u, rtol, atol, eps)
    groups: list[tuple[int | str, range | tuple]] = [(i, (i,)) for i in range(len(args))]
    if len(args) > 1:
        groups.append(("all", range(len(args))))
    directions = {key: [_direction(rng, args, which) for _ in range(order)]
                  for key, which in groups}
    report = GradCheckReport(rtol, atol)
    for mode in modes:
        if mode == "sym" and not _sym_possible(report, args):
            continue
        for key, which in groups:
            _check_group(report, setup, mode, key, which, directions[key])
    if raise_on_fail and not report.ok:
        raise GradCheckError(report)
    return report


def _sym_possible(report: GradCheckReport, args: tuple) -> bool:
    arrays = [i for i, a in enumerate(args) if np.ndim(a) != 0]
    if arrays:
        report.skipped.append(f"sym: argument {arrays[0]} has shape {np.shape(args[arrays[0]])}"
                              "; symbolic mode needs scalar arguments")
    return not arrays


def _check_group(report: GradCheckReport, s: _Setup, mode: str, key: int | str,
                 which: Sequence[int], dirs: list[tuple]) -> None:
    try:
        with np.errstate(all="ignore"):
            chain = _CHAINS[mode](s.f, s.args, dirs, s.u)
    except Exception as exc:  # noqa: BLE001 - only symbolic tracing can fail here
        report.skipped.append(f"{mode}: f could not be traced symbolically "
                              f"({type(exc).__name__}: {exc})")
        return
    if mode == "sym" and key == 0:  # the traced expression is f itself
        with np.errstate(all="ignore"):
            _compare(report, s, Check(mode, 0, key, None, s.f(*s.args), 0.0, 0.0, 0.0),
                     lambda: chain[0](s.args))
    step = s.eps if s.eps is not None else 0.1 * max(
        [1.0, *(float(np.max(np.abs(s.args[i]), initial=0.0)) for i in which)])
    for k in range(1, len(chain)):
        fd = richardson_derivative(lambda t, g=chain[k - 1], v=dirs[k - 1]:
                                   g(_moved(s.args, v, t)), step)
        expected, fd_error = fd.value, fd.error
        if mode == "rev" and k == 1:  # reverse mode gives uᵀJ: compare uᵀ(J v)
            expected, fd_error = _inner(s.u, fd.value), fd.error * float(np.sum(np.abs(s.u)))
        blank = Check(mode, k, key, None, expected, fd_error, 0.0, 0.0)
        with np.errstate(all="ignore"):
            if not _compare(report, s, blank, lambda g=chain[k]: g(s.args)):
                return


def _compare(report: GradCheckReport, s: _Setup, blank: Check, compute: Callable) -> bool:
    """Run ``compute`` and record it against ``blank.expected``; False when it raised."""
    expected = np.asarray(blank.expected, dtype=float)
    tol = s.atol + s.rtol * float(np.max(np.abs(expected), initial=0.0))
    try:
        computed = np.asarray(compute(), dtype=float)
    except Exception as exc:  # noqa: BLE001 - a mode that raises is a failed check, with why
        report.checks.append(_replace(blank, tolerance=tol,
                                      message=f"{type(exc).__name__}: {exc}"))
        return False
    if np.shape(computed) != np.shape(expected):
        report.checks.append(_replace(blank, computed=computed, tolerance=tol, message=(
            f"shape {np.shape(computed)} where finite differences give {np.shape(expected)}")))
        return False
    diff = np.abs(computed - expected)
    error = float(np.max(np.where(np.isnan(diff), np.inf, diff), initial=0.0))
    report.checks.append(_replace(blank, computed=computed, error=error, tolerance=tol))
    return True


def _replace(check: Check, **changes: Any) -> Check:
    from dataclasses import replace
    return replace(check, **changes)
