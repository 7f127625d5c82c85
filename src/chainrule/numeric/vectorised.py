"""Richardson scans at many points at once, each point stopping on its own.

The engine behind :func:`~chainrule.numeric.batch.batch_derivative` for the common case
(central differences, adaptive steps; the kink checks for first derivatives). Every point runs
exactly the tableau of :mod:`~chainrule.numeric.richardson` — the same steps ``h0, h0/2, ...``
in units of its own scale, the same Neville columns, truncation and rounding bounds, best-entry
choice, widening and stopping rule — and, with ``check``, the two one-sided tableaux of
:mod:`~chainrule.numeric.diagnose` on the same samples. What is shared is the work:

* one call of f per row of steps carries every stencil offset of every point still running
  (a 1-D array of ``nodes × points``), and f(x) rides along with the first row;
* a point leaves the scan as soon as its own tableaux may stop (fewer points per call as the
  scan goes on, no point waits for the slowest);
* the tableau arithmetic is whole-array NumPy over the running points, no loop over points.

A point is *certified* only when its central estimate meets the tolerance, both one-sided
estimates converged and they agree (no kink); every other point — undefined somewhere on its
stencil, unsettled, one side unresolved, a kink — is left to the caller, which redoes it
alone, so statuses and diagnoses stay the per-point ones.

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
    HARD_PATIENCE,
    MAX_COLUMNS,
    MIN_ROWS,
    NOISE,
    PATIENCE,
    SAFETY,
    SAFETY_ROUND,
    step_ratio,
)
from chainrule.numeric.stencils import error_exponents, fornberg_weights, scheme_nodes

__all__ = ["NotVectorised", "Points", "evaluate_points", "scan_points", "supports"]

TINY = float(np.finfo(float).tiny)
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


class Tableaux:
    """Neville tableaux of one scheme at many points (one per point), a row at a time.

    State arrays run over the tableau's live points (``idx``: their indices among all
    points); a point that may stop is retired into the ``out_*`` arrays and dropped.
    """

    def __init__(self, exponents: list[int], ratio: float, order: int, accept: float,
                 idx: np.ndarray, size: int, target: float | None = None):
        self.q = [ratio**e for e in exponents]
        self.next_factor = SAFETY_ROUND * ratio**order
        self.accept, self.target = accept, target
        # the best entry's parts kept up to date (the central scan needs no truncation part)
        self.track = {"value", "error", "rounding", "truncation"}
        self.idx = idx
        self.done = np.zeros(idx.size, dtype=bool)  # written out, not yet dropped
        self.cols: list[np.ndarray] = []
        self.rnds: list[np.ndarray] = []
        self.best: dict[str, np.ndarray] = {}
        # running minimum of each row's bounds (absolute, relative) for rows 1, 2, ...; only
        # the last HARD_PATIENCE + 1 are kept (``first``: the row of cum[0])
        self.cum: list[tuple[np.ndarray, np.ndarray]] = []
        self.first = 1
        self.out = {name: np.full(size, np.nan) for name in
                    ("value", "error", "truncation", "rounding", "step")}
        # per live point, the last few values of other per-row quantities, newest first
        self.carry: dict[str, list[np.ndarray]] = {}

    def add_carry(self, name: str, value: np.ndarray, rows: int) -> None:
        """Remember ``value`` (one per live point) as this row's ``name``, keeping ``rows``."""
        self.carry[name] = [value, *self.carry.get(name, [])[:rows - 1]]

    def add(self, k: int, step: float, value: np.ndarray, rounding: np.ndarray) -> None:
        """Row k (step ``step``): the raw difference and its rounding bound, per live point.

        Extends Neville's tableau by a row, bounds the row's entries by their neighbours and
        folds them into the running best (``richardson.Tableau.add``, ``_score`` and
        ``_merge``). Column by column: arrays of one value per point stay in cache, where a
        (columns × points) block would not.
        """
        prev, prev_r, best = self.cols, self.rnds, self.best
        cols, rnds = [value], [rounding]
        if not k:
            self.cols, self.rnds = cols, rnds
            return
        with np.errstate(all="ignore"):
            for j in range(min(k, MAX_COLUMNS) + 1):
                if j == 0:
                    entry, rnd = value, rounding
                    trunc = np.abs(value - prev[0])
                else:
                    q = self.q[j - 1]
                    lower = cols[j - 1]
                    change = (lower - prev[j - 1]) / (q - 1)
                    entry = lower + change
                    rnd = (q * rnds[j - 1] + prev_r[j - 1]) / (q - 1)
                    cols.append(entry)
                    rnds.append(rnd)
                    # against the lower-order entry in this row (|change|) and in the previous
                    # row (q·|change|: the larger), and the previous row's entry of this order
                    trunc = q * np.abs(change)
                    if j < len(prev):
                        trunc = np.maximum(trunc, np.abs(entry - prev[j]))
                error = SAFETY * trunc + SAFETY_ROUND * rnd
                rel = error / np.maximum(np.abs(entry), TINY)
                # later entries the best one disagrees with widen its bound (Tableau.best)
                clash = np.abs(entry - best["value"]) - error if best else None
                if j == 0:
                    lo, lo_rel, far = error, rel, clash
                    cand = {"value": entry, "error": error, "truncation": trunc,
                            "rounding": rnd}
                    continue
                lo, lo_rel = np.minimum(lo, error), np.minimum(lo_rel, rel)
                if best:
                    far = np.fmax(far, clash)  # fmax skips NaN, as nan_to_num did there
                better = error < cand["error"]  # ties keep the earlier column, as argmin
                for name, new in (("value", entry), ("error", error), ("truncation", trunc),
                                  ("rounding", rnd)):
                    if name in self.track:
                        cand[name] = np.where(better, new, cand[name])
        self.cols, self.rnds = cols, rnds
        if self.cum:
            lo, lo_rel = np.minimum(lo, self.cum[-1][0]), np.minimum(lo_rel, self.cum[-1][1])
        self.cum.append((lo, lo_rel))
        if len(self.cum) > HARD_PATIENCE + 1:
            del self.cum[0]
            self.first += 1
        if not best:
            m = cols[0].size
            self.best = {**cand, "step": np.full(m, step), "clash": np.zeros(m)}
            return
        clash = far
        cand = {name: arr for name, arr in cand.items() if name in self.track}
        switch = (cand["error"] < best["error"]) | (np.isnan(cand["error"])
                                                    & ~np.isnan(best["error"]))
        best["clash"] = np.where(switch, 0.0, np.fmax(best["clash"], clash))
        best["step"] = np.where(switch, step, best["step"])
        for name, new in cand.items():
            best[name] = np.where(switch, new, best[name])

    def may_stop(self, k: int) -> np.ndarray:
        """Per live point: Tableau.should_stop's verdict after row k."""
        if k + 1 < MIN_ROWS:
            return np.zeros(self.idx.size, dtype=bool)
        best = self.best
        error = np.maximum(best["error"], best["clash"])
        done = self.next_factor * self.rnds[0] >= error
        small = error <= self.accept * np.abs(best["value"])
        done |= self._stalled(k, PATIENCE, 0) & small
        if self.target is not None:
            done |= error <= self.target * (np.abs(best["value"]) + best["rounding"] / NOISE)
        return done | self._stalled(k, HARD_PATIENCE, 1)

    def _stalled(self, k: int, rows: int, pos: int) -> np.ndarray:
        cut = k - rows  # rows 1..cut are the ones at least `rows` rows old
        if cut < 1:
            return np.zeros(self.idx.size, dtype=bool)
        return self.cum[-1][pos] >= 0.5 * self.cum[cut - self.first][pos]

    def retire(self, stop: np.ndarray) -> None:
        """Write the best entries of the ``stop`` points out; they are dropped from the arrays
        once a fifth of them are done (until then their rows are computed and ignored:
        cheaper than compacting every array on every row)."""
        new = stop & ~self.done
        if not np.any(new):
            return
        where = self.idx[new]
        error = np.maximum(self.best["error"], self.best["clash"])
        self.out["error"][where] = error[new]
        for name in ("value", "truncation", "rounding", "step"):
            self.out[name][where] = self.best[name][new]
        self.done |= new
        if np.count_nonzero(self.done) * 5 >= self.idx.size:
            self.keep(~self.done)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the points outside ``mask`` (without writing them out)."""
        if np.all(mask):
            return
        self.idx, self.done = self.idx[mask], self.done[mask]
        self.cols = [c[mask] for c in self.cols]
        self.rnds = [r[mask] for r in self.rnds]
        self.best = {name: arr[mask] for name, arr in self.best.items()}
        self.cum = [(a[mask], r[mask]) for a, r in self.cum]
        self.carry = {name: [a[mask] for a in history] for name, history in self.carry.items()}


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
    gap = {name: np.full(size, np.nan) for name in
           ("value", "error", "truncation", "rounding", "step")} if opts.check else None
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
    return Points(value / power, error / power, out["step"] * scales, ok, nfev)


def _no_kink(points: np.ndarray, scales: np.ndarray, central: np.ndarray,
             gap: dict[str, np.ndarray]) -> np.ndarray:
    """The gap converged and is within its bound (``diagnose._kinks``, with the one-sided
    derivatives' difference extrapolated as a whole)."""
    size = np.abs(central) + np.abs(gap["value"]) / 2  # about max(|left|, |right|)
    kink = np.abs(gap["value"]) > KINK_KAPPA * gap["error"] + KINK_TAU * size
    # steps down at x's own resolution cannot tell a kink from quantisation (diagnose)
    kink &= gap["step"] >= RESOLVED * np.spacing(np.abs(points)) / scales
    return converged(gap, size) & ~kink
