"""Detecting points where the derivative does not exist: kinks, jumps, infinite slopes, edges.

Central differences are blind at such points — ``(|h| - |-h|) / 2h = 0`` for every h, so
numdifftools and SciPy report abs′(0) = 0 with error 0. What gives them away is the two sides:

* **one-sided derivatives** — Richardson-extrapolated forward and backward differences (of
  every order up to the one asked for) that converge to *different* values: a **kink** (abs at
  0; for order n, a kink in the (n-1)-th derivative);
* **one-sided increments** ``f(x ± h) - f(x)`` when a one-sided derivative does *not*
  converge: their power law ``|Δ(h)| ~ h^α`` over shrinking steps tells a **jump** (α ≈ 0:
  sign, heaviside, a removable discontinuity) from an **infinite slope** (0 < α < 1: sqrt or
  cbrt at 0). A differentiable side has α ≥ 1. The exponent is measured on two disjoint pairs
  of steps and must agree, so a smooth function that is merely unresolved at the larger step is
  not flagged;
* **domain edges** — a side where f is undefined down to the smallest step.

The one-sided schemes reuse the points of the main scan, so diagnosis usually costs only the
few probe evaluations. Limits: a kink smaller than about 1e-6 of the derivative's size, or a
feature narrower than about 1e-8 of the step scale, cannot be told from smooth behaviour.

>>> import math
>>> from chainrule.numeric.sampling import Line
>>> d = diagnose(Line.scalar(abs, 0.0), order=1, h0=0.125, h_min=1e-9)
>>> d.status[0], float(d.left[0]), float(d.right[0])
('not differentiable: kink', -1.0, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from chainrule.numeric.result import (
    CONVERGED,
    INFINITE_SLOPE,
    JUMP,
    KINK,
    NOT_CONVERGED,
    ONE_SIDED,
)
from chainrule.numeric.richardson import NOISE, SAFETY, SAFETY_ROUND, Best, scan
from chainrule.numeric.sampling import Line

CONVERGE_RTOL = 1e-3   # a one-sided estimate "converged" if its truncation is this small
KINK_KAPPA = 2.0       # |left - right| must exceed this many error bounds ...
KINK_TAU = 1e-6        # ... and this fraction of the derivative's size (× 10 per order)
PROBE_RATIO = 256.0    # ratio between successive probe steps
JUMP_ALPHA = 0.2       # increments ~ h^α with α below this: a jump
SLOPE_ALPHA = 0.85     # ... below this: an infinite slope
RESOLVED = 2.0**10     # steps below this many ulps of x are too quantised to judge by


@dataclass
class Side:
    """One-sided estimate of one order: per-component value, error and convergence."""

    defined: bool
    value: np.ndarray
    error: np.ndarray
    converged: np.ndarray
    growing: np.ndarray
    last_step: float
    step: np.ndarray


@dataclass
class Diagnosis:
    """Per-component status (``CONVERGED`` = nothing wrong seen) and the evidence."""

    status: np.ndarray
    notes: list[str] = field(default_factory=list)
    resolution: float = 0.0
    left: np.ndarray | None = None
    right: np.ndarray | None = None


def one_sided(line: Line, direction: int, order: int, h0: float, h_min: float) -> Side:
    """Richardson-extrapolated one-sided derivative (``direction`` +1 forward, -1 backward)."""
    nodes = tuple(direction * i for i in range(order + 1))
    kind = "forward" if direction > 0 else "backward"
    tab = scan(line, kind, order, 1, h0, h_min, accept=1e-6, nodes=nodes)
    best = tab.best()
    size = line.size or 1
    if best is None:
        nan = np.full(size, np.nan)
        false = np.zeros(size, dtype=bool)
        return Side(bool(tab.rows), nan, nan, false, false, h_min, np.full(size, h_min))
    converged = SAFETY * best.truncation <= (CONVERGE_RTOL * np.abs(best.value)
                                             + 10 * SAFETY_ROUND * best.rounding)
    return Side(True, best.value, best.error, converged, _growing(tab, size), tab.steps[-1],
                best.step)


def _growing(tab, size: int) -> np.ndarray:
    """Whether the plain differences blow up like a power of h as the step shrinks.

    An infinite slope of ``f^(j-1)`` (``|x|^β``, 0 < β < 1) makes the j-th differences grow by
    a steady factor ``2^(1-β)`` in (1, 2) per halving; a pole or wiggle just beyond the steps
    gives faster and changing factors, so those are not taken as evidence.
    """
    raw = np.array([np.abs(row[0][0]) for row in tab.rows[-4:]])
    if len(raw) < 4:
        return np.zeros(size, dtype=bool)
    with np.errstate(all="ignore"):
        factors = raw[1:] / raw[:-1]
    steady = np.max(factors, axis=0) <= 1.3 * np.min(factors, axis=0)
    return np.all((factors > 1.2) & (factors < 2.0), axis=0) & steady


def increment_exponents(line: Line, direction: int, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Exponents α of ``|f(x ± h) - f(x)| ~ h^α`` on two disjoint pairs of shrinking steps.

    An increment at the noise level counts as decaying fast (α = inf): no jump there; so does
    a step too close to the floating-point resolution of x to be taken at face value.
    """
    fx = line.value(0.0)
    steps = [max(h / PROBE_RATIO**i, RESOLVED * line.resolution) for i in range(3)]
    values = [line.value(direction * s) for s in steps]
    noise = 100 * (NOISE * np.max(np.abs([fx, *values]), axis=0) + line.noise)
    noise += np.finfo(float).tiny
    deltas = [np.abs(v - fx) for v in values]
    log_ratio = math.log(PROBE_RATIO)

    def alpha(i: int) -> np.ndarray:
        big, small = deltas[i], deltas[i + 1]
        if steps[i] / steps[i + 1] < PROBE_RATIO / 2:
            return np.full(big.shape, np.inf)
        with np.errstate(all="ignore"):
            a = np.log(big / small) / log_ratio
        return np.where((small <= noise) | ~np.isfinite(a), np.inf, a)

    return alpha(0), alpha(1)


def classify_side(line: Line, direction: int, h: float) -> np.ndarray:
    """``JUMP``, ``INFINITE_SLOPE`` or ``CONVERGED`` (regular) per component, from increments."""
    a1, a2 = increment_exponents(line, direction, h)
    out = np.full(a1.shape, CONVERGED, dtype=object)
    out[(a1 < SLOPE_ALPHA) & (a2 < SLOPE_ALPHA)] = INFINITE_SLOPE
    out[(a1 < JUMP_ALPHA) & (a2 < JUMP_ALPHA)] = JUMP
    return out


def diagnose(line: Line, order: int, h0: float, h_min: float, central: Best | None = None,
             scale: float = 1.0) -> Diagnosis:
    """Look for evidence that the ``order``-th derivative does not exist at the line's origin."""
    size = line.size or 1
    diag = Diagnosis(np.full(size, CONVERGED, dtype=object), resolution=line.resolution)
    probe_h = min(h0, scale * 2.0**-10)
    left = one_sided(line, -1, 1, h0, h_min)
    right = one_sided(line, +1, 1, h0, h_min)
    if not (left.defined and right.defined):
        _edge(line, diag, left, right, probe_h, order, h0, h_min)
        return diag
    sides: dict[str, list[str]] = {}
    for bad in (INFINITE_SLOPE, JUMP):  # a jump on either side outranks an infinite slope
        for side, sign, name in ((left, -1, "left"), (right, +1, "right")):
            if np.all(side.converged):
                continue
            kind = classify_side(line, sign, min(probe_h, side.last_step))
            flagged = ~side.converged & (kind == bad)
            diag.status[flagged] = bad
            if np.any(flagged):
                sides.setdefault(bad, []).append(name)
    if JUMP in sides:
        sides.pop(INFINITE_SLOPE, None)
    diag.notes += [_increment_note(kind, names) for kind, names in sides.items()]
    if order == 1:
        diag.left, diag.right = _settled(left), _settled(right)
    _kinks(diag, left, right, 1, central if order == 1 else None)
    for j in range(2, order + 1):
        lo = one_sided(line, -1, j, h0, h_min)
        hi = one_sided(line, +1, j, h0, h_min)
        if j == order:
            diag.left, diag.right = _settled(lo), _settled(hi)
        _kinks(diag, lo, hi, j, central if j == order else None)
        _blowups(diag, lo, hi, j)
    return diag


def _kinks(diag: Diagnosis, left: Side, right: Side, j: int, central: Best | None) -> None:
    """Flag components whose converged one-sided j-th derivatives disagree."""
    ref = np.maximum(np.abs(left.value), np.abs(right.value))
    if central is not None:
        ref = np.maximum(ref, np.abs(central.value))
    gap = np.abs(left.value - right.value)
    both = left.converged & right.converged
    both &= np.minimum(left.step, right.step) >= RESOLVED * diag.resolution
    kink = both & (gap > KINK_KAPPA * (left.error + right.error) + KINK_TAU * 10**(j - 1) * ref)
    kink &= diag.status == CONVERGED
    if np.any(kink):
        diag.status[kink] = KINK
        i = int(np.argmax(kink))
        what = "f" if j == 1 else _nth(j - 1) + " derivative"
        diag.notes.append(f"{what} has a kink: the one-sided {_nth(j)} derivatives are "
                          f"{left.value[i]:.6g} (left) and {right.value[i]:.6g} (right)")
    if central is not None:
        _straddled(diag, left, right, both & ~kink, ref, j, central)


def _straddled(diag: Diagnosis, left: Side, right: Side, both: np.ndarray, ref: np.ndarray,
               j: int, central: Best) -> None:
    """Both sides agree, but the central estimate does not: its steps reached across a jump or
    kink further away (floor(x³) at 1.55, 0.037 from a jump: its central differences settle
    on 6.43 at steps of 0.08 while both sides give 0). Not converged, never that number."""
    middle = 0.5 * (left.value + right.value)
    off = both & (diag.status == CONVERGED) & (
        np.abs(central.value - middle) > KINK_KAPPA * (left.error + right.error + central.error)
        + KINK_TAU * 10**(j - 1) * ref)
    if np.any(off):
        diag.status[off] = NOT_CONVERGED
        i = int(np.argmax(off))
        diag.notes.append(f"the central differences ({central.value[i]:.6g}) disagree with both "
                          f"one-sided {_nth(j)} derivatives (about {middle[i]:.6g}): a jump or "
                          f"kink within the steps")


def _blowups(diag: Diagnosis, left: Side, right: Side, j: int) -> None:
    """Flag components whose one-sided j-th differences blow up steadily (j ≥ 2)."""
    grow = (~left.converged & left.growing) | (~right.converged & right.growing)
    grow &= diag.status == CONVERGED
    if np.any(grow):
        diag.status[grow] = INFINITE_SLOPE
        diag.notes.append(f"the one-sided {_nth(j)} differences grow without bound: the "
                          f"{_nth(j - 1)} derivative has an infinite slope")


def _edge(line: Line, diag: Diagnosis, left: Side, right: Side, probe_h: float, order: int,
          h0: float, h_min: float) -> None:
    """x sits on the edge of f's domain: report the side that exists."""
    if not (left.defined or right.defined):
        diag.status[:] = ONE_SIDED
        diag.notes.append("f is undefined on both sides of x (an isolated point of its domain)")
        return
    sign, side, name = (1, right, "right") if right.defined else (-1, left, "left")
    kind = classify_side(line, sign, min(probe_h, side.last_step))
    diag.status[:] = ONE_SIDED
    steep = (kind != CONVERGED) & ~side.converged
    diag.status[steep] = kind[steep]
    estimate = side if order == 1 else one_sided(line, sign, order, h0, h_min)
    value = _settled(estimate)
    diag.left, diag.right = (None, value) if sign > 0 else (value, None)
    note = f"f is only defined to the {name} of x"
    if np.any(steep):
        note += "; " + _increment_note(kind[steep][0], [name])
    elif estimate.converged[0]:
        note += f"; its {name} {_nth(order)} derivative is about {value[0]:.6g}"
    else:
        note += f"; its {name} {_nth(order)} derivative did not settle either"
    diag.notes.append(note)


def _settled(side: Side) -> np.ndarray:
    """The one-sided estimate where it converged, NaN elsewhere."""
    return np.where(side.converged, side.value, np.nan)


def _increment_note(kind: str, names: list[str]) -> str:
    where = "on both sides of x" if len(names) == 2 else f"on the {names[0]} of x"
    if kind == JUMP:
        return f"f jumps {where}: f(x ± h) - f(x) does not shrink with h"
    return f"f has an infinite slope {where}: f(x ± h) - f(x) shrinks slower than h"


def _nth(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")
