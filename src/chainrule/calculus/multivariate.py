"""Critical points of a function of several variables: solve ∇f = 0 from many starts.

Starting points form a grid over the region (a budgeted number). From all of them at once
(array evaluation of the compiled ∇f and Hessian), ∇f = 0 is solved by damped Newton steps —
least-squares steps, so a singular Hessian does no harm, each halved until |∇f| falls. A start
counts only when its steps became negligible: |∇f| merely getting small on the way out of the
region is not a critical point. Solutions outside the region, or where |∇f| is not tiny, are
dropped; the rest are deduplicated, snapped to simple numbers when that keeps ∇f as small, and
classified by the eigenvalues of the Hessian.

>>> pts = find_stationary(parse_expr("x^3 + y^3 - 6x*y"), ("x", "y"), None)
>>> [(p.kind, p.x) for p in pts]
[('saddle', {'x': 0.0, 'y': 0.0}), ('min', {'x': 2.0, 'y': 2.0})]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from chainrule.calculus.common import clean, constant_expr, float_of, safe, show_number
from chainrule.calculus.points import CriticalPoint, CriticalPoints
from chainrule.calculus.vector import gradient, hessian
from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError, DomainError
from chainrule.limits.budget import charge
from chainrule.symbolic.api import parse
from chainrule.symbolic.compile import compile_expr

DEFAULT_RANGE = (-5.0, 5.0)
"""The search range of a variable the region does not mention."""
MAX_STARTS = 225
"""Most starting points (a 15 × 15 grid in two variables)."""
GRADIENT_TOLERANCE = 1e-8
MAX_NEWTON = 100


def parse_expr(text: str) -> Expr:
    return parse(text)


def find_stationary(f: Expr, names: Sequence[str],
                    region: Mapping[str, tuple[Any, Any]] | None):
    """Every critical point found in the region, classified (a ``CriticalPoints``)."""
    names = tuple(names)
    box, notes = _box(names, region)
    grad, hess = gradient(f, names), hessian(f, names)
    problem = _Problem(f, names, tuple(grad), hess.rows)
    starts = _grid(box)
    notes.append(f"∇f = 0 solved by Newton's method from {len(starts)} starting points on a "
                 "grid over the region")
    points: list[np.ndarray] = []
    for p in problem.solve(np.array(starts), box):
        charge(len(points) + 1, "sorting out distinct critical points")  # quadratic in them
        if _inside(p, box) and not any(problem.same(p, q) for q in points):
            points.append(p)
    points.sort(key=lambda p: tuple(p))
    found = []
    for p in points:
        charge(1, "classifying critical points")
        kind, test, why, eig = problem.classify(p)
        at = {n: float(v) for n, v in zip(names, p, strict=True)}
        found.append(CriticalPoint(at, clean(problem.f(p)), kind, why, None, test, eig))
    notes.append(f"{len(found)} distinct critical point(s) in the region")
    flat = sum(1 for p in found if p.eigenvalues and min(abs(v) for v in p.eigenvalues) < 1e-8)
    if flat >= 5:
        notes.append(f"{flat} of them have a singular Hessian: the critical points may form a "
                     "curve or surface rather than being isolated (only some are listed)")
    return CriticalPoints(f, names, found, tuple(grad), "numeric", notes)


def _box(names: Sequence[str], region: Mapping[str, tuple[Any, Any]] | None):
    notes: list[str] = []
    region = dict(region or {})
    unknown = set(region) - set(names)
    if unknown:
        raise ChainruleError(f"the region names {', '.join(sorted(unknown))}, which the "
                             "function does not depend on")
    box = []
    for n in names:
        if n in region:
            a, b = (float_of(constant_expr(v, "region end")) for v in region[n])
            if not a < b:
                raise ChainruleError(f"the range of {n} needs a < b")
        else:
            a, b = DEFAULT_RANGE
            notes.append(f"{n} searched on [{show_number(a)}, {show_number(b)}] (default)")
        box.append((a, b))
    return box, notes


def _grid(box: list[tuple[float, float]]) -> list[np.ndarray]:
    """At most MAX_STARTS starting points: the cell centres of an even grid, or — in many
    dimensions, where a grid of 2 per axis is already too many — fixed pseudo-random points
    and the centre."""
    per_axis = int(round(MAX_STARTS ** (1 / len(box)), 9))
    lo = np.array([a for a, _ in box])
    width = np.array([b - a for a, b in box])
    if per_axis >= 2:
        axes = [lo[i] + (np.arange(per_axis) + 0.5) * width[i] / per_axis for i in range(len(box))]
        return [np.array(p) for p in itertools.product(*axes)]
    rng = np.random.default_rng(0)
    return [lo + width / 2] + [lo + width * rng.random(len(box)) for _ in range(MAX_STARTS - 1)]


def _inside(p: np.ndarray, box: list[tuple[float, float]]) -> bool:
    return all(a - 1e-9 * max(1, abs(a)) <= v <= b + 1e-9 * max(1, abs(b))
               for v, (a, b) in zip(p, box, strict=True))


class _Problem:
    """∇f and H compiled once (evaluated on many points at once), with the solving,
    deduplication and classification steps."""

    def __init__(self, f: Expr, names: tuple[str, ...], grad: tuple[Expr, ...],
                 hess: tuple[tuple[Expr, ...], ...]):
        self._f = compile_expr(f, list(names))
        self._g = [compile_expr(e, list(names)) for e in grad]
        self._h = [[compile_expr(e, list(names)) for e in row] for row in hess]

    # -- evaluation: rows of P are points; NaN where undefined ---------------------------

    def F(self, P: np.ndarray) -> np.ndarray:
        return _batch(self._f, P)

    def G(self, P: np.ndarray) -> np.ndarray:
        return np.stack([_batch(gi, P) for gi in self._g], axis=1)

    def H(self, P: np.ndarray) -> np.ndarray:
        return np.stack([np.stack([_batch(e, P) for e in row], axis=1) for row in self._h],
                        axis=1)

    def f(self, p: np.ndarray) -> float:
        return float(self.F(p[None])[0])

    def g(self, p: np.ndarray) -> np.ndarray:
        return self.G(p[None])[0]

    def h(self, p: np.ndarray) -> np.ndarray:
        return self.H(p[None])[0]

    def tolerance(self, p: np.ndarray) -> float:
        return GRADIENT_TOLERANCE * max(1.0, abs(self.f(p)), float(np.max(np.abs(self.h(p)))))

    # -- solving -------------------------------------------------------------------------

    def solve(self, starts: np.ndarray, box: list[tuple[float, float]]) -> list[np.ndarray]:
        """The distinct converged solutions of ∇f = 0 from ``starts``, snapped to simple
        numbers."""
        P, ok = _Newton(self, box).run(starts.astype(float))
        P = P[ok]
        if len(P) == 0:
            return []
        H = self.H(P)
        scale = np.maximum(np.maximum(1.0, np.abs(self.F(P))), np.max(np.abs(H), axis=(1, 2)))
        small = np.linalg.norm(self.G(P), axis=1) <= GRADIENT_TOLERANCE * scale
        P = P[small & np.all(np.isfinite(H), axis=(1, 2))]
        reps: list[np.ndarray] = []
        for p in P:  # many starts reach the same point: keep one of each cluster
            charge(len(reps) + 1, "clustering Newton's end points")
            if not reps or np.min(np.linalg.norm(np.array(reps) - p, axis=1)) > 1e-6 * max(
                    1.0, float(np.linalg.norm(p))):
                reps.append(p)
        return [self._snap(p) for p in reps if charge(1, "snapping critical points") is None]

    def _snap(self, p: np.ndarray) -> np.ndarray:
        """Coordinates moved to nearby simple numbers (0, 2, 1/3) when ∇f stays as small."""
        base = np.linalg.norm(self.g(p))
        snapped = np.array([_simple(v) for v in p])
        if not np.array_equal(snapped, p) and np.linalg.norm(self.g(snapped)) <= max(base, 1e-14):
            return snapped
        return np.array([clean(v) for v in p])

    def same(self, p: np.ndarray, q: np.ndarray) -> bool:
        """One point found twice: close, and f flat (∇f ≈ 0) halfway between."""
        gap = float(np.linalg.norm(p - q))
        if gap <= 1e-9 * max(1.0, float(np.linalg.norm(p))):
            return True
        if gap > 1e-3 * max(1.0, float(np.linalg.norm(p))):
            return False
        mid = (p + q) / 2
        return float(np.linalg.norm(self.g(mid))) <= self.tolerance(mid)

    def classify(self, p: np.ndarray) -> tuple[str, str, str, tuple[float, ...]]:
        """(kind, test, explanation, eigenvalues) from the Hessian at ``p``."""
        h = self.h(p)
        eig = tuple(clean(float(v)) for v in np.linalg.eigvalsh((h + h.T) / 2))
        tol = 1e-8 * max(1.0, max(abs(v) for v in eig))
        shown = ", ".join(show_number(v) for v in eig)
        if all(v > tol for v in eig):
            return "min", "Hessian eigenvalues", (
                f"∇f = 0 and the Hessian's eigenvalues ({shown}) are all positive: "
                "positive definite, f curves up in every direction, a local minimum"), eig
        if all(v < -tol for v in eig):
            return "max", "Hessian eigenvalues", (
                f"∇f = 0 and the Hessian's eigenvalues ({shown}) are all negative: "
                "negative definite, a local maximum"), eig
        if any(v > tol for v in eig) and any(v < -tol for v in eig):
            return "saddle", "Hessian eigenvalues", (
                f"∇f = 0 and the Hessian's eigenvalues ({shown}) have both signs: f curves up "
                "in one direction and down in another, a saddle point"), eig
        kind, why = _sphere_test(safe(self._f), p)
        return kind, "values nearby", (
            f"∇f = 0 but the Hessian's eigenvalues ({shown}) include 0, so it does not decide; "
            + why), eig


class _Newton:
    """Damped Newton's method on ∇f = 0 from many starting points at once."""

    def __init__(self, problem: _Problem, box: list[tuple[float, float]]):
        self.problem = problem
        lo, hi = np.array([a for a, _ in box]), np.array([b for _, b in box])
        self.lo, self.hi = lo - 2 * (hi - lo), hi + 2 * (hi - lo)  # beyond this: left the region

    def run(self, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(final points, converged?) — converged when the Newton step became negligible."""
        G = self.problem.G(P)
        size = np.linalg.norm(G, axis=1)
        done = np.zeros(len(P), dtype=bool)
        ok = np.zeros(len(P), dtype=bool)
        for _ in range(MAX_NEWTON):
            live = np.flatnonzero(~done)
            charge(int(live.size), "Newton steps toward critical points")
            if live.size == 0:
                break
            self._iterate(P, G, size, done, ok, live)
        return P, ok

    def _iterate(self, P, G, size, done, ok, live) -> None:
        H = self.problem.H(P[live])
        finite = np.isfinite(size[live]) & np.all(np.isfinite(H), axis=(1, 2))
        finite &= np.all((P[live] >= self.lo) & (P[live] <= self.hi), axis=1)
        H[~finite] = np.eye(P.shape[1])
        step = -(np.linalg.pinv(H) @ G[live][..., None])[..., 0]
        step[~finite] = 0
        reach = np.linalg.norm(step, axis=1) / np.maximum(1.0, np.linalg.norm(P[live], axis=1))
        converged = finite & ((size[live] == 0) | (reach <= 1e-12))
        done[live[~finite | converged]] = True
        ok[live[converged]] = True
        moving = finite & ~converged
        accepted = self._backtrack(P, G, size, live[moving], step[moving])
        stuck = live[moving][~accepted]
        done[stuck] = True
        ok[stuck] = reach[moving][~accepted] <= 1e-7  # at the floor of rounding: converged

    def _backtrack(self, P, G, size, rows, step) -> np.ndarray:
        """Halve each step until |∇f| falls; move the points that found one (in place)."""
        t = np.ones(len(rows))
        accepted = np.zeros(len(rows), dtype=bool)
        for _ in range(10):
            pending = np.flatnonzero(~accepted)
            if pending.size == 0:
                break
            cand = P[rows[pending]] + t[pending, None] * step[pending]
            gc = self.problem.G(cand)
            sc = np.linalg.norm(gc, axis=1)
            good = np.isfinite(sc) & (sc < size[rows[pending]])
            idx = rows[pending[good]]
            P[idx], G[idx], size[idx] = cand[good], gc[good], sc[good]
            accepted[pending[good]] = True
            t[pending[~good]] /= 2
        return accepted


def _batch(fn, P: np.ndarray) -> np.ndarray:
    """``fn`` at every row of ``P``; NaN where undefined. One array call when the function is
    defined at all the points, else point by point."""
    try:
        with np.errstate(all="ignore"):
            out = fn(*P.T)
        return np.broadcast_to(np.asarray(out, dtype=float), (len(P),)).copy()
    except DomainError:
        one = safe(fn)
        return np.array([one(*row) for row in P])


def _simple(v: float) -> float:
    for q in (1, 2, 3, 4, 5, 6, 8, 10, 12):
        s = round(v * q) / q
        if abs(v - s) <= 1e-6 * max(1.0, abs(v)):
            return s + 0.0
    return v


def _directions(n: int) -> np.ndarray:
    """Unit directions: ± axes, ± pairwise diagonals and 64 fixed pseudo-random ones."""
    eye = np.eye(n)
    dirs = [s * e for e in eye for s in (1, -1)]
    for i, j in itertools.combinations(range(n), 2):
        for si, sj in itertools.product((1, -1), repeat=2):
            dirs.append((si * eye[i] + sj * eye[j]) / math.sqrt(2))
    rng = np.random.default_rng(0)
    extra = rng.normal(size=(64, n))
    dirs.extend(extra / np.linalg.norm(extra, axis=1, keepdims=True))
    return np.array(dirs)


def _sphere_test(f: Callable[..., float], p: np.ndarray) -> tuple[str, str]:
    """Kind from f on a small sphere around ``p``: all above → min, all below → max."""
    h = 1e-3 * max(1.0, float(np.linalg.norm(p)))
    f0 = f(*p)
    diffs = np.array([f(*(p + h * d)) - f0 for d in _directions(len(p))])
    diffs = diffs[np.isfinite(diffs)]
    noise = 1e-13 * max(1.0, abs(f0))
    up, down = bool(np.any(diffs > noise)), bool(np.any(diffs < -noise))
    where = f"f compared with f(p) at {len(diffs)} points at distance {show_number(h)}"
    if up and not down:
        return "min", where + ": never lower, a (degenerate) local minimum"
    if down and not up:
        return "max", where + ": never higher, a (degenerate) local maximum"
    if up and down:
        return "saddle", where + ": both higher and lower, a (degenerate) saddle point"
    return "flat", where + ": f does not change, a flat critical point"
