"""The one tolerance policy of :mod:`chainrule.testing`: when two derivatives count as equal.

Every comparison has the same shape. A computed value passes against a reference when
``|computed − reference| ≤ atol + rtol·max|reference|``; a numerical estimate that carries its
own error bound passes when it is within that bound *or* that tolerance, whichever is larger.
What changes is only how tight ``rtol`` and ``atol`` are, by what is compared:

* :data:`AGAINST_FD` — a mode against a Richardson-extrapolated finite difference
  (:func:`~chainrule.testing.check_grads`): the difference is good to about 1e-8 relative,
  so 1e-6 leaves room, at every order (each order differences the previous one once);
* :data:`BETWEEN_MODES` — exact modes against each other (symbolic, forward, reverse in
  :func:`~chainrule.testing.verify`): the same arithmetic in another order, so only rounding
  separates them; ``atol`` is a floor for derivatives that are zero up to rounding.

Where the arithmetic itself cancels (``8x/tanh(2x) − 8x·tanh(2x)`` at x = 7.5 keeps 4
digits), no fixed ``rtol`` is right: :func:`rounding_bound` gives the first-order bound of
the rounding error of evaluating an expression in float64, which a conditioning-aware
comparison adds to the tolerance (:meth:`Tolerance.allows_within`); it lives in
:mod:`chainrule.core.precision`, where evaluation at a point uses it too.

>>> AGAINST_FD.bound(2.0)
2.01e-06
>>> BETWEEN_MODES.allows(1.0 + 1e-12, 1.0), BETWEEN_MODES.allows(1.001, 1.0)
(True, False)
>>> BETWEEN_MODES.confirms(0.99, 0.02, 1.0)   # an estimate 1 ± 0.02 confirms 0.99
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.core.precision import EPS, rounding_bound

__all__ = ["AGAINST_FD", "BETWEEN_MODES", "EPS", "Tolerance", "rounding_bound"]

ZERO_FLOOR = 1e-6
"""``atol`` as a fraction of ``rtol`` when only ``rtol`` is given: values whose size is below
this (relative to 1) are compared absolutely."""


@dataclass(frozen=True)
class Tolerance:
    """``|computed − reference| ≤ atol + rtol·max|reference|``."""

    rtol: float
    atol: float

    @classmethod
    def relative(cls, rtol: float) -> Tolerance:
        """A relative tolerance with the standard floor for values near zero."""
        return cls(rtol, rtol * ZERO_FLOOR)

    def bound(self, reference: Any) -> float:
        """The largest difference allowed from ``reference`` (its largest entry, for arrays)."""
        return self.atol + self.rtol * float(np.max(np.abs(reference), initial=0.0))

    def allows(self, computed: Any, reference: Any) -> bool:
        """Whether ``computed`` equals ``reference`` within the tolerance (NaN never does)."""
        diff = np.abs(np.asarray(computed, float) - np.asarray(reference, float))
        return bool(np.all(diff <= self.bound(reference)))

    def allows_within(self, computed: Any, reference: Any, rounding: Any) -> Any:
        """Elementwise: within the tolerance widened by ``rounding`` (an error bound of the
        reference's own evaluation, :func:`rounding_bound`, counted 8 times over for the
        other side's different order of operations). NaN never passes."""
        computed, reference = np.asarray(computed, float), np.asarray(reference, float)
        allowed = self.atol + self.rtol * np.abs(reference) + 8 * np.asarray(rounding, float)
        return np.abs(computed - reference) <= allowed

    def confirms(self, estimate: float, error: float, reference: float) -> bool:
        """Whether a numerical ``estimate ± error`` agrees with ``reference``."""
        return bool(abs(estimate - reference) <= max(error, self.bound(reference)))


AGAINST_FD = Tolerance(rtol=1e-6, atol=1e-8)
"""A mode against finite differences (``check_grads``' defaults)."""

BETWEEN_MODES = Tolerance.relative(1e-9)
"""Symbolic, forward and reverse against each other, and a numerical estimate against them
(``verify``'s default)."""
