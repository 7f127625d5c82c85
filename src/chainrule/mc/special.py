"""Log-gamma written as traceable NumPy code, so digamma and trigamma come from AD.

The Gamma and Poisson distributions need ``ln Γ``. Rather than add a hand-written digamma
beside it (a second copy of a derivative), :func:`lgamma` is written with table primitives
only — the recurrence ``ln Γ(x) = ln Γ(x + k) − Σ ln(x + i)`` up to ``x + k ≥ 10`` and then
Stirling's series with seven Bernoulli terms (truncation error below 1e-16 there) — so its
first and second derivatives come out of chainrule's forward mode.

>>> import math
>>> abs(float(lgamma(4.5)) - math.lgamma(4.5)) < 1e-13
True
>>> round(float(digamma(1.0)), 12)   # −γ, the Euler–Mascheroni constant
-0.577215664902
>>> round(float(trigamma(1.0)), 12)  # π²/6
1.644934066848
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autodiff.api import jvp
from chainrule.autodiff.tracing import value_of
from chainrule.errors import DomainError

LOG_2PI = math.log(2.0 * math.pi)
_SHIFT_TO = 10.0
# B_2k / (2k (2k − 1)) for k = 1..7: the coefficients of 1/x, 1/x³, …, 1/x¹³.
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def lgamma(x: Any) -> Any:
    """ln Γ(x) for x > 0 (floats, arrays or traced values): differentiable to any order."""
    low = float(np.min(value_of(x)))
    if not low > 0:
        raise DomainError(f"ln Γ(x) needs x > 0 here; got {low}")
    steps = max(0, math.ceil(_SHIFT_TO - low))
    correction = 0.0
    for i in range(steps):  # ln Γ(x) = ln Γ(x + k) − ln(x (x+1) ⋯ (x+k−1))
        correction = correction + np.log(x + float(i))
    y = x + float(steps)
    inv = 1.0 / y
    inv2 = inv * inv
    series = _STIRLING[-1]
    for c in reversed(_STIRLING[:-1]):
        series = c + inv2 * series
    return (y - 0.5) * np.log(y) - y + 0.5 * LOG_2PI + inv * series - correction


def digamma(x: Any) -> Any:
    """ψ(x) = d/dx ln Γ(x), by forward mode through :func:`lgamma`."""
    return jvp(lgamma, (_float(x),), (np.ones_like(value_of(x), dtype=float),))[1]


def trigamma(x: Any) -> Any:
    """ψ′(x) = d²/dx² ln Γ(x), forward mode over forward mode."""
    return jvp(digamma, (_float(x),), (np.ones_like(value_of(x), dtype=float),))[1]


def log_factorial(k: np.ndarray) -> np.ndarray:
    """ln k! for non-negative integer arrays, exact by a cumulative table of logs (no SciPy)."""
    k = np.asarray(k)
    if k.size == 0:
        return np.zeros(k.shape)
    top = int(np.max(k))
    table = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, top + 1, dtype=float)))])
    return table[k.astype(np.int64)]


def _float(x: Any) -> Any:
    return float(x) if isinstance(x, int | np.integer) else x
