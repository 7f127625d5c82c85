"""Neville tableaux at many points at once, advanced a row at a time, each point stopping on
its own: :mod:`~chainrule.numeric.richardson`'s ``Tableau`` as whole-array NumPy.

Every point's entries, truncation and rounding bounds, best entry (with its widening by later
entries that disagree) and stopping rule are the ones ``Tableau`` gives it alone; the arrays
run over the points still live, and a point that may stop is written out and, once enough
have, dropped.

>>> import numpy as np
>>> from chainrule.numeric.stencils import error_exponents
>>> xs = np.array([0.5, 1.0])
>>> tab = Tableaux(error_exponents("central", 2, 6), 2.0, 1, 1e-12, np.arange(2), 2)
>>> for k in range(6):
...     h = 0.125 / 2**k
...     tab.add(k, h, (np.exp(xs + h) - np.exp(xs - h)) / (2 * h), np.full(2, 1e-15 / h))
>>> tab.retire(np.ones(2, dtype=bool))
>>> bool(np.all(np.abs(tab.out["value"] - np.exp(xs)) <= tab.out["error"]))
True
"""

from __future__ import annotations

import numpy as np

from chainrule.numeric.richardson import (
    HARD_PATIENCE,
    MAX_COLUMNS,
    MIN_ROWS,
    NOISE,
    PATIENCE,
    SAFETY,
    SAFETY_ROUND,
)

__all__ = ["Tableaux"]

TINY = float(np.finfo(float).tiny)


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
