"""The baselines of the score-function estimator: b in (1/n) Σ (f(zᵢ) − bᵢ) ∇θ ln p(zᵢ; θ).

A baseline is a control variate: the score has mean zero, so subtracting any b that does not
depend on zᵢ leaves the estimate unbiased and can cut its variance a lot. The choices are
None (b = 0), a number, "mean", "leave_one_out", "optimal" or a callable; see
:func:`chainrule.mc.score_function`.

>>> import numpy as np
>>> fz = np.array([1.0, 2.0, 6.0])
>>> baseline_value("mean", fz, np.ones(3))
3.0
>>> baseline_value("leave_one_out", fz, np.ones(3)).tolist()   # the mean of the other two
[4.0, 3.5, 1.5]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError

__all__ = ["BASELINES", "Baseline", "baseline_value", "describe", "is_zero", "lift",
           "score_label"]

Baseline = None | str | float | Callable[[np.ndarray], Any]
BASELINES = ("mean", "leave_one_out", "optimal")


def baseline_value(baseline: Baseline, fz: np.ndarray, s: np.ndarray) -> Any:
    """The baseline b for the values ``fz`` of f and the scores ``s``: a number, n values
    or (for "optimal") one value per parameter entry; an unknown one is refused by name."""
    n = len(fz)
    if baseline is None:
        return 0.0
    if isinstance(baseline, str):
        if baseline == "mean":
            return float(np.mean(fz))
        if baseline == "leave_one_out":
            if n < 2:
                raise ChainruleError("the leave-one-out baseline needs at least 2 samples")
            return (np.sum(fz) - fz) / (n - 1)
        if baseline == "optimal":
            lifted = lift(fz, s)
            den = np.sum(s * s, axis=0)
            return np.where(den > 0, np.sum(lifted * s * s, axis=0) / np.where(den > 0, den, 1),
                            0.0)
        raise ChainruleError(f"unknown baseline {baseline!r}; use None, a number, a callable "
                             f"or one of {', '.join(BASELINES)}")
    if callable(baseline):
        b = np.asarray(baseline(fz), dtype=float)
        if b.shape not in ((), (n,)):
            raise ChainruleError(f"a baseline callable must return a number or {n} values; "
                                 f"it returned shape {b.shape}")
        return b
    if isinstance(baseline, int | float | np.number) and not isinstance(baseline, bool):
        return float(baseline)
    raise ChainruleError(f"a baseline must be None, a number, a callable or one of "
                         f"{', '.join(BASELINES)}; got {baseline!r}")


def score_label(baseline: Baseline) -> str:
    """The method name a score-function estimate is reported under."""
    return "score" if baseline is None else f"score ({_label(baseline)} baseline)"


def is_zero(b: Any) -> bool:
    """Whether b is the plain zero baseline (nothing to subtract)."""
    return isinstance(b, float) and b == 0.0


def lift(values: Any, s: np.ndarray) -> Any:
    """Per-sample values (n,) shaped to broadcast against scores (n, *param_shape)."""
    v = np.asarray(values)
    if v.ndim == 1 and v.shape[0] == s.shape[0] and s.ndim > 1:
        return v.reshape(v.shape + (1,) * (s.ndim - 1))
    return v


def describe(b: Any, baseline: Baseline) -> Any:
    """The baseline as reported on the estimate: its value, or its name for leave-one-out."""
    if isinstance(baseline, str) and baseline == "leave_one_out":
        return "leave_one_out"
    arr = np.asarray(b)
    return float(arr) if arr.ndim == 0 else arr


def _label(baseline: Baseline) -> str:
    if isinstance(baseline, str):
        return baseline.replace("_", "-")
    return "callable" if callable(baseline) else f"constant {baseline:g}"
