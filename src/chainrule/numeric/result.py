"""The result of a numerical derivative: the value, an error bound, and an honest status.

Field names follow ``scipy.differentiate.derivative`` (``df``, ``error``, ``success``,
``status``, ``nfev``) so code written for one reads the other; ``status`` is a short text code
rather than an integer so a person can read it.

>>> r = DerivativeResult(df=1.0, error=1e-15, success=True, status=CONVERGED,
...                      message="", nfev=11, step=0.03, order=1, method="central")
>>> float(r)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from chainrule.printing.html import html_table

CONVERGED = "converged"
KINK = "not differentiable: kink"
JUMP = "not differentiable: jump"
INFINITE_SLOPE = "not differentiable: infinite slope"
ONE_SIDED = "not differentiable: one-sided domain"
DOMAIN = "domain error"
NOT_CONVERGED = "did not converge"

#: Worst first: a summary of many results reports the first status present.
SEVERITY = (DOMAIN, JUMP, INFINITE_SLOPE, ONE_SIDED, KINK, NOT_CONVERGED, CONVERGED)
NOT_DIFFERENTIABLE = frozenset({KINK, JUMP, INFINITE_SLOPE, ONE_SIDED})


@dataclass(frozen=True)
class DerivativeResult:
    """A numerical derivative.

    Attributes:
        df: the estimate (NaN where the derivative does not exist).
        error: a conservative bound on ``|df - true derivative|`` (``inf`` when none).
        success: whether the estimate converged and no non-differentiability was seen.
        status: one of the module's status codes, e.g. ``"converged"`` or
            ``"not differentiable: kink"``.
        message: a sentence for a person, with the evidence behind the status.
        nfev: how many times the function was evaluated.
        step: the step of the accepted estimate (0 for none).
        order: the derivative order.
        method: the method that produced ``df``.
        left, right: one-sided derivative estimates of the same order, where computed (NaN
            where they did not settle; indicative only, they carry no bound).
        details: extra data (per-component statuses of vector results, ...).
    """

    df: Any
    error: Any
    success: Any
    status: Any
    message: str
    nfev: int
    step: Any
    order: int
    method: str
    left: Any = None
    right: Any = None
    details: dict = field(default_factory=dict, compare=False)

    def __float__(self) -> float:
        return float(np.asarray(self.df).item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.df, dtype=dtype)

    def _repr_html_(self) -> str:
        rows = [("df", self.df), ("error bound", self.error), ("status", self.status),
                ("success", self.success), ("method", self.method), ("order", self.order),
                ("step", self.step), ("evaluations", self.nfev), ("message", self.message)]
        return html_table(rows, caption="Numerical derivative")

    def with_(self, **changes: Any) -> DerivativeResult:
        """A copy with some fields changed."""
        return replace(self, **changes)


def worst(statuses: Any) -> str:
    """The most severe of several status codes.

    >>> worst([CONVERGED, KINK, NOT_CONVERGED])
    'not differentiable: kink'
    """
    present = set(np.asarray(statuses, dtype=object).ravel().tolist())
    for status in SEVERITY:
        if status in present:
            return status
    return CONVERGED
