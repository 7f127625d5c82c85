"""Ulp errors of the stable primitives and their derivatives against mpmath (mpmath needed).

Each :class:`Case` is evaluated two ways — symbolically (``parse``/``diff`` then
``evaluate``) and by automatic differentiation (the :mod:`chainrule.ml` function and
``grad``) — at the points of :data:`POINTS`, and compared with mpmath at 60 digits. The error
is counted in units in the last place (ulps) of the correctly rounded value; a point where
the true value is not a finite float64 is skipped.

>>> case = CASES[0]
>>> case.name, max_ulps(case, "value", "symbolic", points=(1.0,)) <= 4
('sigmoid', True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import ml
from chainrule.autodiff import grad
from chainrule.symbolic.api import diff, parse

POINTS = (1e-300, 1.0, 10.0, 30.0, 100.0, 1e3, 1e308,
          -1e-300, -1.0, -10.0, -30.0, -100.0, -1e3, -1e308)
"""±1e-300, ±1 … ±1e3, ±1e308."""

DIGITS = 60


@dataclass(frozen=True)
class Case:
    """One stable primitive: its text, its ml function and its mpmath definition."""

    name: str
    text: str
    ad: Callable[[Any], Any]
    exact: Callable[[Any, Any], Any]  # (mpmath module, x) -> value
    slope: Callable[[Any, Any], Any]  # (mpmath module, x) -> derivative, in closed form
    domain: Callable[[float], bool] = lambda x: True


def _sig(mp, x):
    return 1 / (1 + mp.exp(-x))


def _softplus(mp, x):
    return mp.log1p(mp.exp(x))


CASES: tuple[Case, ...] = (
    Case("sigmoid", "sigmoid(x)", ml.sigmoid, _sig,
         lambda mp, x: _sig(mp, x) * _sig(mp, -x)),
    Case("softplus", "softplus(x)", ml.softplus, _softplus, _sig),
    Case("log_sigmoid", "-softplus(-x)", ml.log_sigmoid,
         lambda mp, x: -_softplus(mp, -x), lambda mp, x: _sig(mp, -x)),
    Case("log1p", "log1p(x)", ml.log1p, lambda mp, x: mp.log1p(x), lambda mp, x: 1 / (1 + x),
         lambda x: x > -1),
    Case("expm1", "expm1(x)", ml.expm1, lambda mp, x: mp.expm1(x), lambda mp, x: mp.exp(x)),
    Case("logaddexp(x, 0)", "logaddexp(x, 0)", lambda x: np.logaddexp(x, 0.0),
         _softplus, _sig),
    Case("logsumexp(x, 0)", "logsumexp(x, 0)", lambda x: np.logaddexp(0.0, x),
         _softplus, _sig),
    # y = 1: the loss is −log σ(z) = softplus(−z), which is what the symbolic text says
    Case("bce_with_logits(z, y=1)", "softplus(-x)",
         lambda z: ml.binary_cross_entropy_with_logits(z, 1.0),
         lambda mp, x: _softplus(mp, -x), lambda mp, x: -_sig(mp, -x)),
)


def _reference(case: Case, x: float, what: str) -> float | None:
    import mpmath  # dev-only dependency: imported where used

    with mpmath.workdps(DIGITS):
        xm = mpmath.mpf(x)
        ref = (case.exact if what == "value" else case.slope)(mpmath, xm)
        try:
            out = float(ref)
        except (OverflowError, ValueError):
            return None
    return out if math.isfinite(out) else None


def _computed(case: Case, x: float, what: str, path: str) -> float:
    if path == "symbolic":
        e = parse(case.text) if what == "value" else diff(case.text)
        return float(e.evaluate(x=x))
    if what == "value":
        return float(case.ad(x))
    return float(grad(case.ad)(x))


def ulps(computed: float, reference: float) -> float:
    """|computed − reference| in ulps of the reference (inf for NaN/inf where it is finite)."""
    if not math.isfinite(computed):
        return math.inf
    if computed == reference:
        return 0.0
    return abs(computed - reference) / math.ulp(reference)


def max_ulps(case: Case, what: str, path: str, points: Sequence[float] = POINTS) -> float:
    """The largest ulp error of ``case``'s ``what`` ("value"/"derivative") along ``path``
    ("symbolic"/"ad") over ``points`` where the true value is a finite float."""
    worst = 0.0
    for x in points:
        if not case.domain(x):
            continue
        ref = _reference(case, x, what)
        if ref is None:
            continue
        try:
            got = _computed(case, x, what, path)
        except Exception:  # noqa: BLE001 - a refusal where the value exists counts as wrong
            got = math.nan
        worst = max(worst, ulps(got, ref))
    return worst


def table(points: Sequence[float] = POINTS) -> list[tuple[str, float, float, float, float]]:
    """Rows ``(name, value symbolic, value AD, derivative symbolic, derivative AD)``."""
    return [(c.name, *(max_ulps(c, what, path, points) for what in ("value", "derivative")
                       for path in ("symbolic", "ad"))) for c in CASES]
