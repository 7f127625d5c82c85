"""Numeric comparison of two derivatives at random points of the function's domain.

Two expressions are compared at points (seeded, so every run is the same) where the function,
the correct derivative and the answer are all defined; points where one of them raises
:class:`~chainrule.errors.DomainError` are skipped, and remembered, because a difference of
domain is worth telling a learner about: ``1/x`` as the derivative of ``ln(x)`` is right only
where ``ln(x)`` is defined.

The first points of the pool are round numbers with two decimals (never integers, where
coincidences such as ``ln 1 = 0`` hide mistakes), so a counterexample reads ``x = 0.73``.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> s = sample(x ** 2, 2 * x, x + x, ["x"])
>>> len(s.points) >= MIN_POINTS, s.mismatches()
(True, [])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from chainrule.core.expr import Expr
from chainrule.errors import DomainError

MIN_POINTS = 20
TARGET_POINTS = 32
POOL_SIZE = 1200
ROUND_POINTS = 600
"""The first this many pool points have two decimals; the rest full precision."""
GIVE_UP = 400
"""Stop when this many points gave nothing to compare (a nowhere-defined function)."""
RTOL = 1e-8
ATOL = 1e-9
GROSS = 1e-6
"""A single disagreement this large (relative) decides; smaller ones must occur twice."""

Point = dict[str, float]


def value(expr: Expr, point: Point) -> tuple[float | None, str]:
    """``(value, "")`` or ``(None, why it is undefined)``."""
    try:
        with np.errstate(all="ignore"):
            v = float(expr.evaluate(**point))
    except DomainError as err:
        return None, _reason(str(err))
    except (ArithmeticError, ValueError) as err:
        return None, str(err)
    if not np.isfinite(v):
        return None, "the value is not finite"
    return v, ""


def _reason(message: str) -> str:
    """``"ln(x) is undefined at x = -1: ln needs a positive argument"`` → the part after ':'."""
    head, sep, tail = message.rpartition(": ")
    return tail if sep and " at " in head else message


def close(a: float | np.ndarray, b: float | np.ndarray) -> np.ndarray:
    """Elementwise ``a ≈ b`` (relative and absolute tolerance)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(all="ignore"):
        return np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))


def relative_gap(a: float, b: float) -> float:
    scale = max(abs(a), abs(b), 1.0)
    return abs(a - b) / scale


def pool(names: list[str], seed: int) -> Iterator[Point]:
    """Candidate points: varied magnitudes and signs, round ones first, never integers."""
    rng = np.random.default_rng(seed)
    for i in range(POOL_SIZE):
        point = {}
        for name in names:
            v = 0.0
            while v == 0.0 or float(v).is_integer():
                v = _draw(rng)
                if i < ROUND_POINTS:
                    v = round(v, 2)
            point[name] = float(v)
        yield point


def _draw(rng: np.random.Generator) -> float:
    family = rng.integers(6)
    if family == 0:
        return rng.uniform(-3.0, 3.0)
    if family == 1:
        return rng.uniform(0.05, 3.0)
    if family == 2:
        return rng.uniform(-1.0, 1.0)
    if family == 3:
        return rng.uniform(1.0, 6.0)
    magnitude = 10.0 ** rng.uniform(-1.5, 2.5)
    return magnitude if family == 4 else -magnitude


@dataclass
class Samples:
    """The points where function, derivative and answer are all defined, with the values."""

    names: list[str]
    points: list[Point] = field(default_factory=list)
    correct: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    # A point where the answer and the derivative have values but the function has none
    # (ln(x) at x < 0 with the answer 1/x), and why the function is undefined there.
    outside_function: tuple[Point, str] | None = None
    # A point inside the function's domain where the derivative exists but the answer does
    # not, why, and how many such points were seen.
    answer_undefined: tuple[Point, str, float] | None = None
    answer_undefined_count: int = 0

    def mismatches(self) -> list[int]:
        """Indices of the points where answer and derivative disagree."""
        ok = close(self.answer, self.correct)
        return [i for i, good in enumerate(ok) if not good]

    def disagree(self) -> bool:
        """Two disagreements, or one gross one: not a rounding artefact."""
        bad = self.mismatches()
        gross = any(relative_gap(self.answer[i], self.correct[i]) > GROSS for i in bad)
        return len(bad) >= 2 or gross

    def arrays(self) -> dict[str, np.ndarray]:
        return {n: np.array([p[n] for p in self.points]) for n in self.names}


def sample(function: Expr, correct: Expr, answer: Expr, names: list[str],
           seed: int = 0) -> Samples:
    """Values of ``correct`` and ``answer`` at up to TARGET_POINTS points of the domain."""
    s = Samples(names)
    for i, point in enumerate(pool(names, seed)):
        if len(s.points) >= TARGET_POINTS or (i >= GIVE_UP and not s.points):
            break
        f_value, f_why = value(function, point)
        c_value, _ = value(correct, point)
        if f_value is None:
            if s.outside_function is None and c_value is not None \
                    and value(answer, point)[0] is not None:
                s.outside_function = (point, f_why)
            continue
        if c_value is None:
            continue
        a_value, a_why = value(answer, point)
        if a_value is None:
            s.answer_undefined_count += 1
            if s.answer_undefined is None:
                s.answer_undefined = (point, a_why, c_value)
            continue
        s.points.append(point)
        s.correct.append(c_value)
        s.answer.append(a_value)
    return s


def values_at(expr: Expr, samples: Samples) -> np.ndarray:
    """``expr`` at every sample point; NaN where it is undefined."""
    n = len(samples.points)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(expr.evaluate(**samples.arrays()), dtype=float)
        if out.shape != (n,):
            out = np.broadcast_to(out, (n,)).copy()
        if np.all(np.isfinite(out)):
            return out
    except (DomainError, ArithmeticError, ValueError):
        pass
    return np.array([_or_nan(value(expr, p)[0]) for p in samples.points])


def _or_nan(v: float | None) -> float:
    return np.nan if v is None else v
