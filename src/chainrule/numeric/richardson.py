"""Richardson extrapolation over a shrinking sequence of steps, with an error bound.

A finite difference ``D(h)`` of a smooth function has an error series in known powers of h
(``h², h⁴, ...`` for central schemes, ``h, h², ...`` for one-sided ones). Evaluating it at steps
``h, h/2, h/4, ...`` and combining neighbours (Neville's tableau) cancels those terms one by one:
large steps stay accurate *and* escape the cancellation that ruins small steps, the trade-off
seed 003 §2.7 describes.

Each tableau entry gets an error bound made of two parts:

* **truncation** — the largest difference between the entry and its neighbours (the lower-order
  estimate at the same step, and the estimates of the previous step): a lower-order estimate's
  error is an over-estimate of a higher-order one's (Ridders' rule, made stricter);
* **rounding** — ``Σ|weights| · (NOISE·max|f| + line.noise)`` carried through the
  extrapolation: what floating-point noise in ``f`` (a few ulps, or the absolute noise level
  the caller declares) can do to the estimate.

``error = SAFETY·truncation + SAFETY_ROUND·rounding``, and the entry with the smallest bound
wins. The scan stops when no later step can win: the rounding part only grows as h shrinks.

>>> import math
>>> from chainrule.numeric.sampling import Line
>>> tab = scan(Line.scalar(math.exp, 1.0), "central", order=1, accuracy=2, h0=0.125,
...            h_min=1e-9)
>>> best = tab.best()
>>> bool(abs(best.value[0] - math.e) < best.error[0] < 1e-11)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainrule.numeric.sampling import Line
from chainrule.numeric.stencils import error_exponents, scheme_nodes, step_weights

EPS = float(np.finfo(float).eps)
NOISE = 4 * EPS        # relative noise of one evaluation of f: a few ulps
SAFETY = 2.0           # multiplies the truncation part of the bound
SAFETY_ROUND = 8.0     # multiplies the rounding part of the bound
RATIO = 2.0            # h_{k+1} = h_k / RATIO
RATIO_HIGH = 2.0       # ... for orders above 2
MAX_COLUMNS = 6        # extrapolation depth
MIN_ROWS = 4
PATIENCE = 2           # rows without improvement before stopping once the bound is small
HARD_PATIENCE = 6      # ... before stopping anyway (the sequence is diverging)
ACCEPT = 1e-12         # "small": relative bound below which patience applies


@dataclass
class Best:
    """The best entry, chosen per output component."""

    value: np.ndarray
    error: np.ndarray
    truncation: np.ndarray
    rounding: np.ndarray
    row: np.ndarray
    step: np.ndarray


def difference(line: Line, nodes: tuple[int, ...], order: int, h: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """The finite difference on ``nodes·h`` and its rounding bound (NaN if a point fails).

    >>> import math
    >>> v, r = difference(Line.scalar(math.sin, 0.0), (-1, 0, 1), 1, 0.5)
    >>> round(float(v[0]), 6), bool(r[0] < 1e-14)
    (0.958851, True)
    """
    values = np.array([line.value(c * h) for c in nodes])
    offsets = [line.offset(c * h) for c in nodes]
    weights = step_weights(nodes, order, h, offsets)
    if weights.ndim == 1:
        estimate = weights @ values
        total = np.sum(np.abs(weights))
    else:  # one column of weights per point of a batch (see numeric.batch)
        estimate = np.sum(weights * values, axis=0)
        total = np.sum(np.abs(weights), axis=0)
    rounding = total * (NOISE * np.max(np.abs(values), axis=0) + line.noise)
    return estimate, rounding


class Tableau:
    """Neville's extrapolation tableau for one scheme, over vector-valued differences.

    Every entry (row k = step index, column j = extrapolation depth) is kept with its value
    and the truncation and rounding parts of its bound, as rows of 2-D arrays (entry × output).
    """

    def __init__(self, exponents: list[int], ratio: float = RATIO,
                 max_columns: int = MAX_COLUMNS):
        self.exponents = exponents
        self.ratio = ratio
        self.max_columns = max_columns
        self.rows: list[list[tuple[np.ndarray, np.ndarray]]] = []
        self.steps: list[float] = []
        self.resets = 0
        # The best entry so far per component and, per row, the smallest bounds (absolute and
        # relative): kept up to date row by row, so that a scan over many components (a batch
        # of points) costs O(entries) per row rather than O(all entries so far).
        self._best: dict[str, np.ndarray] | None = None
        self._row_min: list[tuple[int, np.ndarray, np.ndarray]] = []

    def add(self, step: float, value: np.ndarray, rounding: np.ndarray) -> bool:
        """Append the difference at ``step``; a NaN restarts the tableau (returns False)."""
        if not np.all(np.isfinite(value)):
            self.rows, self.steps, self._best, self._row_min = [], [], None, []
            self.resets += 1
            return False
        k = len(self.rows)
        row = [(value, rounding)]
        for j in range(1, min(k, self.max_columns) + 1):
            q = self.ratio ** self.exponents[j - 1]
            (lo, lo_r), (prev, prev_r) = row[j - 1], self.rows[-1][j - 1]
            row.append((lo + (lo - prev) / (q - 1), (q * lo_r + prev_r) / (q - 1)))
        self.rows.append(row)
        self.steps.append(step)
        self._score(k)
        return True

    def _score(self, k: int) -> None:
        """Bound the entries of row k by their differences with their neighbours."""
        if k == 0:
            return
        row, prev = self.rows[k], self.rows[k - 1]
        truncation = []
        for j, (value, _) in enumerate(row):
            diffs = [np.abs(value - prev[j - 1][0])] if j else [np.abs(value - prev[0][0])]
            if j:
                diffs.append(np.abs(value - row[j - 1][0]))
                if j < len(prev):
                    diffs.append(np.abs(value - prev[j][0]))
            truncation.append(np.max(diffs, axis=0))
        values = np.array([v for v, _ in row])
        trunc, rnd = np.array(truncation), np.array([r for _, r in row])
        self._merge(k, values, trunc, rnd, SAFETY * trunc + SAFETY_ROUND * rnd)

    def _merge(self, k: int, values: np.ndarray, trunc: np.ndarray, rnd: np.ndarray,
               errors: np.ndarray) -> None:
        """Fold row k's entries into the running best (ties go to the earlier entry)."""
        tiny = np.finfo(float).tiny
        self._row_min.append((k, np.min(errors, axis=0),
                              np.min(errors / np.maximum(np.abs(values), tiny), axis=0)))
        cols = np.arange(errors.shape[1])
        pick = np.argmin(errors, axis=0)
        cand = {"value": values[pick, cols], "error": errors[pick, cols],
                "truncation": trunc[pick, cols], "rounding": rnd[pick, cols],
                "row": np.full(cols.size, k), "step": np.full(cols.size, self.steps[k]),
                "clash": np.zeros(cols.size)}
        best = self._best
        if best is None:
            self._best = cand
            return
        with np.errstate(invalid="ignore"):
            # entries after the best one that it disagrees with widen its bound (see best())
            clash = np.max(np.nan_to_num(np.abs(values - best["value"]) - errors), axis=0)
        switch = (cand["error"] < best["error"]) | (np.isnan(cand["error"])
                                                    & ~np.isnan(best["error"]))
        best["clash"] = np.maximum(best["clash"], clash)
        for name, new in cand.items():
            best[name] = np.where(switch, new, best[name])

    def best(self) -> Best | None:
        """The entry with the smallest error bound, per component (None before two rows).

        Its bound is widened, if need be, to reach every later (smaller-step) entry's interval
        ``value ± error``: an entry that disagrees with better-resolved ones (a lucky
        agreement among garbage differences at large steps) cannot keep a small bound.
        """
        b = self._best
        if b is None:
            return None
        return Best(b["value"], np.maximum(b["error"], b["clash"]), b["truncation"],
                    b["rounding"], b["row"], b["step"])

    def should_stop(self, order: int, accept: float, target: float | None = None) -> bool:
        """Whether more (smaller) steps cannot or need not improve the best entry.

        *Cannot*: the rounding bound of the next row already exceeds the best bound.
        *Need not*: the best bound is small and has not halved over the last PATIENCE rows.
        Diverging sequences stop once the best *relative* bound has not halved over
        HARD_PATIENCE rows (relative, so that garbage at large steps, where an absolute
        difference can be small by luck, does not stop the scan).
        """
        if len(self.rows) < MIN_ROWS:
            return False
        best = self.best()
        assert best is not None
        next_rounding = SAFETY_ROUND * self.rows[-1][0][1] * self.ratio**order
        hopeless = next_rounding >= best.error
        small = best.error <= accept * np.abs(best.value)
        done = hopeless | (self._stalled(PATIENCE) & small)
        done |= self._stalled(HARD_PATIENCE, relative=True)
        if target is not None:  # a requested tolerance already met: stop there
            done |= best.error <= target * (np.abs(best.value) + best.rounding / NOISE)
        return bool(np.all(done))

    def _stalled(self, rows: int, relative: bool = False) -> np.ndarray:
        """Per component: the best bound (relative to the value, if asked) has not halved
        over the last ``rows`` rows."""
        pos = 2 if relative else 1
        cut = len(self.rows) - 1 - rows
        upto = [m[pos] for m in self._row_min if m[0] <= cut]
        if not upto:
            return np.zeros(self._row_min[0][1].shape, dtype=bool)
        every = np.min([m[pos] for m in self._row_min], axis=0)
        return every >= 0.5 * np.min(upto, axis=0)


def scan(line: Line, kind: str, order: int, accuracy: int, h0: float, h_min: float,
         accept: float = ACCEPT, nodes: tuple[int, ...] | None = None,
         ratio: float | None = None, target: float | None = None) -> Tableau:
    """Run a scheme at ``h0, h0/2, ...`` until :meth:`Tableau.should_stop` or ``h < h_min``.

    Rows where a point is undefined restart the tableau (large steps that leave the domain are
    dropped). If a side is still undefined at ``h_min`` the scan gives up early; the caller sees
    an empty tableau.
    """
    nodes = nodes or scheme_nodes(kind, order, accuracy)
    ratio = ratio or step_ratio(order)
    tab = Tableau(error_exponents(kind, accuracy, MAX_COLUMNS), ratio)
    h = h0
    while h >= h_min:
        value, rounding = difference(line, nodes, order, h)
        if not tab.add(h, value, rounding):
            if _edge_fails(line, nodes, h_min):
                break
            h /= ratio**3  # a point left the domain: close in on x faster
            continue
        if tab.should_stop(order, accept, target):
            break
        h /= ratio
    return tab


def step_ratio(order: int) -> float:
    """Ratio of successive steps: 2, or less for high orders, whose rounding error grows
    like ratioⁿ per step and would otherwise leave too few useful steps."""
    return RATIO if order <= 2 else RATIO_HIGH


def _edge_fails(line: Line, nodes: tuple[int, ...], h_min: float) -> bool:
    """Whether a side the scheme needs is undefined even at the smallest step."""
    sides = {int(np.sign(c)) for c in nodes if c}
    return any(np.any(np.isnan(line.value(side * h_min))) for side in sides)
