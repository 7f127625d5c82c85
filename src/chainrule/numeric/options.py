"""How to differentiate numerically: the options and the scale of the steps.

>>> opts = make_options(2, "central", None, None, True, None, 0.0, True)
>>> opts.kind, opts.base_accuracy, round(opts.tolerance, 10)
('central', 2, 3e-07)
>>> initial_step(1, step_scale(0.5))
0.125
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.errors import BudgetError, ChainruleError
from chainrule.numeric.stencils import scheme_nodes

METHODS = ("central", "forward", "backward", "complex", "auto")
MAX_ORDER = 8


@dataclass(frozen=True)
class Options:
    """How to differentiate; see :func:`derivative` for the meaning of each field."""

    order: int = 1
    method: str = "central"
    accuracy: int | None = None
    step: float | None = None
    adaptive: bool = True
    rtol: float | None = None
    atol: float = 0.0
    check: bool = True
    noise: float | None = None

    @property
    def tolerance(self) -> float:
        """The relative tolerance for success: 1e-8 for f′, 30× looser per extra order
        (an n-th difference loses about that much more to rounding)."""
        return self.rtol if self.rtol is not None else 1e-8 * 30.0 ** (self.order - 1)

    @property
    def target(self) -> float | None:
        """A given ``rtol`` is also where a scan may stop (as SciPy's does); by default the
        scan goes on to the smallest bound it can reach. (Not with a declared noise level,
        whose bound the scan's rounding part does not measure.)"""
        return self.rtol if self.noise is None else None

    @property
    def kind(self) -> str:
        return "central" if self.method in ("auto", "complex") else self.method

    @property
    def base_accuracy(self) -> int:
        if self.accuracy is not None:
            return self.accuracy
        return 2 if self.kind == "central" else 1


def step_scale(x: Any) -> float:
    """The length scale of steps at x: 1 near the origin, growing like √|x| away from it.

    (√ rather than |x|: far from 0, f usually varies on a scale between 1 and |x|.)
    """
    return max(1.0, math.sqrt(float(np.max(np.abs(x)))))


def initial_step(order: int, scale: float) -> float:
    """Largest step of the scan: 1/8 of the scale, more for higher orders (rounding ~ 1/hⁿ)."""
    return scale * 2.0 ** (-3 + (order - 1) / 2)


def min_step(order: int, scale: float) -> float:
    """Smallest step worth trying: below it rounding swamps any n-th difference."""
    return scale * 2.0 ** -max(12, math.ceil(32 / order))


def make_options(order: int, method: str, accuracy: int | None, step: float | None,
             adaptive: bool, rtol: float | None, atol: float, check: bool,
             noise: float | None = None) -> Options:
    if not isinstance(order, int | np.integer) or order < 1:
        raise ChainruleError(f"the derivative order must be a whole number ≥ 1, got {order!r}")
    if order > MAX_ORDER:
        raise BudgetError(f"numerical derivatives of order {order} are over the limit of "
                          f"{MAX_ORDER}: rounding swamps them")
    if method not in METHODS:
        raise ChainruleError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    opts = Options(int(order), method, accuracy, step, adaptive, rtol, atol, check, noise)
    try:
        scheme_nodes(opts.kind, opts.order, opts.base_accuracy)
    except ValueError as err:
        raise ChainruleError(str(err)) from None
    if step is not None and not step > 0:
        raise ChainruleError(f"the step must be positive, got {step!r}")
    if noise is not None and not noise >= 0:
        raise ChainruleError(f"the noise level must be ≥ 0, got {noise!r}")
    return opts
