"""Richardson scans at many points at once, each point stopping on its own.

The engine behind :func:`~chainrule.numeric.batch.batch_derivative` for the common case
(central differences, adaptive steps; the kink checks for first derivatives). Every point runs
the central tableau of :mod:`~chainrule.numeric.richardson` — the same steps ``h0, h0/2, ...``
in units of its own scale, the same Neville columns, truncation and rounding bounds, best-entry
choice, widening and stopping rule (:class:`~chainrule.numeric.tableaux.Tableaux`). What is
shared is the work:

* one call of f per row of steps carries every stencil offset of every point still running
  (a 1-D array of ``nodes × points``), and f(x) rides along with the first row;
* a point leaves the scan as soon as its own tableau may stop (fewer points per call as the
  scan goes on, no point waits for the slowest);
* the tableau arithmetic is whole-array NumPy over the running points, no loop over points.

With ``check``, the same samples give the gap between the one-sided derivatives,
``D₊(h) - D₋(h)``: 0 in the limit where f′ exists, the kink's size at a kink, growing at a jump
or an infinite slope. Extrapolated from each point's last rows (:func:`_gap`), it must settle
and agree with 0 within its bound and ``diagnose``'s kink resolution, the test ``diagnose``
applies to the two one-sided derivatives (their difference, extrapolated as a whole).

A point is *certified* only when its central estimate meets the tolerance and its gap settled
at 0; every other point — undefined somewhere on its stencil, unsettled, a kink, a jump — is
left to the caller, which redoes it alone, so statuses and diagnoses stay the per-point ones.

>>> import numpy as np
>>> from chainrule.numeric.options import make_options
>>> xs = np.linspace(0.5, 2.0, 4)
>>> out = scan_points(np.sin, xs, np.ones(4), make_options(1, "central", None, None, True,
...                   None, 0.0, True))
>>> bool(np.all(out.certified)), bool(np.all(np.abs(out.df - np.cos(xs)) <= out.error))
(True, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.errors import BudgetError
from chainrule.numeric.diagnose import CONVERGE_RTOL, KINK_KAPPA, KINK_TAU, RESOLVED
from chainrule.numeric.options import Options, initial_step, min_step
from chainrule.numeric.richardson import (
    ACCEPT,
    MAX_COLUMNS,
    MIN_ROWS,
    NOISE,
    SAFETY,
    SAFETY_ROUND,
    step_ratio,
)
from chainrule.numeric.stencils import error_exponents, fornberg_weights, scheme_nodes
from chainrule.numeric.tableaux import Tableaux

__all__ = ["NotVectorised", "Points", "evaluate_points", "scan_points", "supports"]

GAP_ROWS = MIN_ROWS  # rows of the one-sided gap extrapolated at the end (every point has them)


class NotVectorised(Exception):
    """f turned out not to work on an array of points (the caller goes point by point)."""


def evaluate_points(func: Callable[[Any], Any], points: np.ndarray) -> np.ndarray:
    """f at a 1-D array of points as floats, NaN where f is undefined.

    Raises :class:`NotVectorised` when f fails on the array or returns another shape.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = np.asarray(func(points))
    except BudgetError:
        raise
    except Exception as exc:  # any failure on the batch: redo the points one by one
        raise NotVectorised(str(exc)) from exc
    if out.shape != points.shape:
        raise NotVectorised(f"f returned shape {out.shape} for {points.shape} points")
    if np.iscomplexobj(out):
        out = np.where(out.imag == 0, out.real, np.nan)  # complex from real: out of domain
    try:
        arr = np.asarray(out, dtype=float)
    except (TypeError, ValueError) as exc:
        raise NotVectorised(str(exc)) from exc
    return np.where(np.isfinite(arr), arr, np.nan)


def supports(opts: Options) -> bool:
    """Whether :func:`scan_points` handles these options (else the general batch path)."""
    return (opts.kind == "central" and opts.method != "complex" and opts.adaptive
            and opts.step is None and (not opts.check or opts.order == 1))


@dataclass
class Points:
    """Per point: the estimate in x's units, whether it is certified, and the calls made."""

    df: np.ndarray
    error: np.ndarray
    step: np.ndarray
    certified: np.ndarray
    nfev: int


def scan_points(func: Callable[[Any], Any], points: np.ndarray, scales: np.ndarray,
                opts: Options) -> Points:
    """Differentiate f at every (flat) point, steps in units of each point's ``scales``.

    Raises :class:`NotVectorised` when a call of f on the array fails.
    """
    n, size = opts.order, points.size
    nodes = scheme_nodes("central", n, opts.base_accuracy)
    moving = np.array([c for c in nodes if c], dtype=float)
    left, right = moving.size // 2 - 1, moving.size // 2  # rows of the offsets -h and +h
    noise = opts.noise or 0.0
    h0 = initial_step(n, 1.0)
    h_min = min(min_step(n, 1.0), h0 / 8)
    ratio = step_ratio(n)
    everyone = np.arange(size)
    central = Tableaux(error_exponents("central", opts.base_accuracy, MAX_COLUMNS), ratio, n,
                       ACCEPT, everyone, size, opts.target)
    central.track.discard("truncation")
    # the gap between the one-sided derivatives, D₊(h) - D₋(h), on each point's last
    # GAP_ROWS rows: it tends to 0 where f′ exists, to the kink's size at a kink, and grows
    # at a jump or an infinite slope (see _gap)
    names = ("value", "error", "truncation", "rounding", "step", "mid", "mid_before")
    gap = {name: np.full(size, np.nan) for name in names} if opts.check else None
    fx = np.full(size, np.nan)
    broken = np.zeros(size, dtype=bool)  # undefined somewhere on a stencil: done alone
    nfev, h, k = 0, h0, 0
    while h >= h_min and np.any(~central.done):
        live = central.idx
        whole = live.size == size  # no point dropped yet: no gathering needed
        x, s = (points, scales) if whole else (points[live], scales[live])
        targets = x + (moving * h)[:, None] * s
        if k == 0:  # f(x) rides along with the first row
            targets = np.vstack([targets, x[None]])
        values = evaluate_points(func, targets.ravel()).reshape(targets.shape)
        nfev += 1
        if k == 0:
            fx[live], values, targets = values[-1], values[:-1], targets[:-1]
        offsets = (targets - x) / s  # the offsets really sampled, in units of the scale
        f0 = fx if whole else fx[live]
        bad = np.any(np.isnan(values), axis=0) | np.isnan(f0)
        if opts.check or moving.size == 2 == n + 1:
            # one-sided slopes, shared by the gap and (for three nodes) the central row
            lo, hi = offsets[left], offsets[right]
            minus, plus = (values[left] - f0) / lo, (values[right] - f0) / hi
            top = np.maximum(np.maximum(np.abs(values[left]), np.abs(values[right])),
                             np.abs(f0))
        if moving.size == 2 == n + 1:
            row = _central_from_slopes(lo, hi, minus, plus, top, noise)
        else:
            row = _central(n, offsets / h, values, f0, h, noise)
        pos = _positions(live, bad, central, broken)
        central.add(k, h, *(part[pos] for part in row))
        if opts.check:  # this row's gap, remembered for each point's last GAP_ROWS rows
            # each side's rounding bound (diagnose.one_sided's), on the larger |f| of the three
            rounding = (2 / np.abs(lo) + 2 / np.abs(hi)) * (NOISE * top + noise)
            central.add_carry("gap", (plus - minus)[pos], GAP_ROWS)
            central.add_carry("gap_rounding", rounding[pos], GAP_ROWS)
            central.add_carry("mid", ((plus + minus) / 2)[pos], 2)  # the sides' mean slope
        stop = central.may_stop(k)
        if gap is not None:
            _settle_gaps(central, stop, ratio, gap, h)
        central.retire(stop)
        h /= ratio
        k += 1
    if gap is not None:
        _settle_gaps(central, np.ones(central.idx.size, dtype=bool), ratio, gap, h * ratio,
                     hold=False)
    central.retire(np.ones(central.idx.size, dtype=bool))
    return _verdict(points, scales, opts, central, gap, fx, broken, nfev)


def _positions(live: np.ndarray, bad: np.ndarray, tab: Tableaux, broken: np.ndarray
               ) -> np.ndarray | slice:
    """Where the tableau's (sorted) points sit among the (sorted) evaluated ones, after
    dropping those undefined somewhere on this row's stencil (marked ``broken`` unless done:
    such a point is redone alone). A slice when they are all of them."""
    full = live.size == tab.idx.size
    pos = np.arange(tab.idx.size) if full else np.searchsorted(live, tab.idx)
    fails = bad[pos]
    if np.any(fails):
        broken[tab.idx[fails & ~tab.done]] = True
        tab.keep(~fails)
        return pos[~fails]
    return slice(None) if full else pos


def _settle_gaps(central: Tableaux, stop: np.ndarray, ratio: float,
                 out: dict[str, np.ndarray], step: float, hold: bool = True) -> None:
    """The gaps of the points that may stop, written to ``out``; with ``hold``, a point whose
    gap has not converged yet keeps sampling (a given rtol can stop a scan after a few large
    steps, and the kink check needs the gap settled)."""
    ask = np.flatnonzero(stop & ~central.done)
    history = central.carry.get("gap", [])
    if not ask.size or len(history) < GAP_ROWS:
        if hold:
            stop[ask] = False
        return
    gap = _gap(np.array([a[ask] for a in history]),
               np.array([a[ask] for a in central.carry["gap_rounding"]]), ratio)
    if hold:
        size = np.abs(central.best["value"][ask]) + np.abs(gap["value"]) / 2
        settled = converged(gap, size)
        stop[ask[~settled]] = False
        ask, gap = ask[settled], {name: arr[settled] for name, arr in gap.items()}
    where = central.idx[ask]
    for name, arr in gap.items():
        out[name][where] = arr
    out["step"][where] = step
    mids = central.carry["mid"]
    out["mid"][where] = mids[0][ask]
    out["mid_before"][where] = mids[1][ask] if len(mids) > 1 else mids[0][ask]


def _gap(gaps: np.ndarray, rounding: np.ndarray, ratio: float) -> dict[str, np.ndarray]:
    """The gap D₊ - D₋ extrapolated to h = 0 from each point's last GAP_ROWS rows (newest
    first): Neville's tableau in the powers h, h³, h⁵ (a smooth f's gap has only odd powers;
    at a kink the constant, the kink, passes through any extrapolation), its last row's
    entries bounded by their neighbours' differences and the rounding carried through, the
    entry with the smallest bound kept (``richardson.Tableau``'s rules)."""
    exponents = error_exponents("central", 1, GAP_ROWS - 1)
    prev: list[tuple[np.ndarray, np.ndarray]] = []
    for value, rnd in zip(gaps[::-1], rounding[::-1], strict=True):  # oldest first
        row = [(value, rnd)]
        for j, p in enumerate(exponents[:len(prev)], start=1):
            q = ratio**p
            (lower, lower_r), (old, old_r) = row[j - 1], prev[j - 1]
            row.append((lower + (lower - old) / (q - 1), (q * lower_r + old_r) / (q - 1)))
        last, prev = prev, row
    best: dict[str, np.ndarray] | None = None
    for j, (value, rnd) in enumerate(prev):
        trunc = np.abs(value - last[max(j - 1, 0)][0])
        if j:
            trunc = np.maximum(trunc, np.abs(value - prev[j - 1][0]))
            if j < len(last):
                trunc = np.maximum(trunc, np.abs(value - last[j][0]))
        entry = {"value": value, "error": SAFETY * trunc + SAFETY_ROUND * rnd,
                 "truncation": trunc, "rounding": rnd}
        if best is None:
            best = entry
            continue
        better = entry["error"] < best["error"]  # ties keep the earlier column
        best = {name: np.where(better, new, best[name]) for name, new in entry.items()}
    assert best is not None
    return best


def converged(best: dict[str, np.ndarray], size: np.ndarray) -> np.ndarray:
    """The gap converged: ``diagnose.one_sided``'s test, relative to f′'s ``size``."""
    return SAFETY * best["truncation"] <= (CONVERGE_RTOL * size
                                           + 10 * SAFETY_ROUND * best["rounding"])


def _central(n: int, offsets: np.ndarray, values: np.ndarray, fx: np.ndarray, h: float,
             noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The central difference on the offsets really sampled (Fornberg's weights, point by
    point) and its rounding bound, as in :func:`~chainrule.numeric.richardson.difference`."""
    half = offsets.shape[0] // 2
    scaled = [*offsets[:half], np.ones_like(fx) * 0.0, *offsets[half:]]
    weights = np.array(fornberg_weights(scaled, n)) / h**n
    every = np.vstack([values[:half], fx[None], values[half:]])
    with np.errstate(invalid="ignore"):
        estimate = np.sum(weights * every, axis=0)
        top = np.max(np.abs(every), axis=0)
    return estimate, np.sum(np.abs(weights), axis=0) * (NOISE * top + noise)


def _central_from_slopes(a: np.ndarray, b: np.ndarray, minus: np.ndarray, plus: np.ndarray,
                         top: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """f′ on the three nodes ``a, 0, b`` (a < 0 < b, the offsets really sampled) from the
    one-sided slopes: the interpolating parabola's slope at 0, ``(b·D₋ - a·D₊)/(b - a)`` —
    Fornberg's weights ``-b/(a(a-b))``, ``-(a+b)/(ab)``, ``-a/(b(b-a))``."""
    total = (np.abs(b / (a * (a - b))) + np.abs((a + b) / (a * b))
             + np.abs(a / (b * (b - a))))
    return (b * minus - a * plus) / (b - a), total * (NOISE * top + noise)


def _verdict(points: np.ndarray, scales: np.ndarray, opts: Options, central: Tableaux,
             gap: dict[str, np.ndarray] | None, fx: np.ndarray, broken: np.ndarray,
             nfev: int) -> Points:
    """Certify the points whose estimate settled and whose one-sided derivatives agree."""
    n, out = opts.order, central.out
    power = scales**n
    value, error = out["value"], out["error"]
    # the success test of driver._settled, in units of the scale (hence atol·sⁿ)
    terms = np.abs(fx) if opts.noise else out["rounding"] / NOISE
    with np.errstate(invalid="ignore"):
        ok = ~broken & np.isfinite(value) & (
            error <= opts.tolerance * (np.abs(value) + terms) + opts.atol * power)
        if gap is not None:
            ok &= _no_kink(points, scales, value, gap)
        if gap is not None and n == 1:
            ok &= _sides_agree(value, gap)
    return Points(value / power, error / power, out["step"] * scales, ok, nfev)


SIDES_RTOL = 1e-3
"""How far the central estimate may sit from the mean one-sided slope at the smallest step
before the point is redone alone (where diagnose compares it with both sides' limits)."""


def _sides_agree(central: np.ndarray, gap: dict[str, np.ndarray]) -> np.ndarray:
    """The central estimate is near the one-sided slopes' mean at the smallest step: a
    central scan whose large steps reached across a jump (floor(x³) 0.02 from one) can
    settle on a slope that neither side has; such a point is not certified here."""
    mid = gap["mid"]
    settling = np.abs(mid - gap["mid_before"])  # the mean slope's own truncation, about
    return np.abs(central - mid) <= SIDES_RTOL * (np.abs(central) + np.abs(mid)) + \
        KINK_KAPPA * (gap["error"] + settling)


def _no_kink(points: np.ndarray, scales: np.ndarray, central: np.ndarray,
             gap: dict[str, np.ndarray]) -> np.ndarray:
    """The gap converged and is within its bound (``diagnose._kinks``, with the one-sided
    derivatives' difference extrapolated as a whole)."""
    size = np.abs(central) + np.abs(gap["value"]) / 2  # about max(|left|, |right|)
    kink = np.abs(gap["value"]) > KINK_KAPPA * gap["error"] + KINK_TAU * size
    # steps down at x's own resolution cannot tell a kink from quantisation (diagnose)
    kink &= gap["step"] >= RESOLVED * np.spacing(np.abs(points)) / scales
    return converged(gap, size) & ~kink
