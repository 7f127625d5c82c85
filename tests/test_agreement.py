"""Modes agree or explain: 10,000 generated expressions, symbolic vs forward vs reverse vs numeric.

Each expression of :mod:`grammar` (seeded, the same on every machine) is differentiated
symbolically, and by forward and reverse mode over all its points at once (a NumPy array of
points: one vectorised pass each). At every point where f and f′ are defined:

* forward and reverse agree with the symbolic value within the conditioning-aware tolerance
  (:func:`chainrule.testing.tolerance.rounding_bound`: the first-order rounding error of the
  symbolic derivative's own evaluation widens ``BETWEEN_MODES``);
* the tolerance counts the rounding bounds of both the readable derivative and the raw chain
  rule (what AD computes), so exact cancellation in one form and rounding in the other agree;
* where the symbolic value is finite, AD is finite too: a NaN or ∞ of AD is a failure, not a
  difference to shrug off (step functions pass no tangent, so 0·∞ never arises from them);
* where AD alone differs, it passes if the symbolic value equals the independent mpmath
  derivative (1e-12) and AD is within 1e-6 of it (AD's chain rounds where the symbolic form
  cancelled exactly); such points are counted;
* for one expression in ten, :func:`chainrule.numeric.derivative` (Richardson with its kink
  checks) confirms the symbolic value within its error bound or the tolerance, wherever it
  reports a confident estimate (converged, bound below 1e-3 of the estimate).

Points where f′'s own float64 evaluation is unreliable (its rounding bound above 1e-6 of the
value) are not compared between modes: no mode can be right there in float64. There instead:

* the value at the point, ``Expr.at`` (what ``diff --at`` and the web API print), equals the
  independent mpmath value of the derivative (:mod:`mp_oracle`, at 100 and 400 digits where
  those agree) within 1e-12, or says it is unreliable, or refuses with a reason;
* a NaN or ∞ of AD comes with a :class:`~chainrule.errors.NonFiniteDerivativeWarning`.

``CHAINRULE_AGREEMENT_N`` and ``_SEED`` run more or other expressions; the counts are printed
(``pytest -s``).
"""

from __future__ import annotations

import os
import warnings
from collections import Counter

import mpmath
import numpy as np

import mp_oracle
from chainrule.autodiff.api import jvp, vjp
from chainrule.core.build import symbol
from chainrule.core.evaluate import evaluate, evaluate_traced
from chainrule.core.expr import Expr
from chainrule.core.precision import PointValue
from chainrule.errors import ChainruleError, NonFiniteDerivativeWarning
from chainrule.numeric import derivative
from chainrule.parsing import parse
from chainrule.symbolic.api import diff
from chainrule.symbolic.differentiate import Differentiator
from chainrule.testing.tolerance import BETWEEN_MODES, rounding_bound
from grammar import expressions

N = int(os.environ.get("CHAINRULE_AGREEMENT_N", "10000"))
SEED = int(os.environ.get("CHAINRULE_AGREEMENT_SEED", "14"))
XS = np.array([-2.3, -0.7, -0.2, 0.3, 0.9, 1.7, 3.1, 7.5])
NUMERIC_EVERY = 10
UNRELIABLE = 1e-6
CONFIDENT = 1e-3
X = symbol("x")


def _values(e, xs):
    return np.asarray(evaluate(e, {"x": xs}, undefined="nan"), float) * np.ones_like(xs)


def _ad(f):
    """Forward and reverse f′ at :data:`XS`, and whether each warned of a NaN/∞."""
    g = lambda t: evaluate_traced(f, {"x": t})  # noqa: E731
    warned = []
    for run in (lambda: jvp(g, (XS,), (np.ones_like(XS),))[1],
                lambda: vjp(g, XS)[1](np.ones_like(XS))[0]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", NonFiniteDerivativeWarning)
            out = np.asarray(run(), float) * np.ones_like(XS)
        warned.append((out, any(w.category is NonFiniteDerivativeWarning for w in caught)))
    return warned


def _ad_conditioned(f, x: float, symbolic: float, ad: float) -> bool:
    """The symbolic value is exact (mpmath, 1e-12) and AD within 1e-6 of it: AD's chain
    rounds where the symbolic form cancelled exactly (atanh′(tanh u)·tanh′(u) = 1 on paper,
    1/(1 − t²) at t = tanh(11) in float64)."""
    want = mp_oracle.derivative(f, x)
    return (want is not None and abs(symbolic - want) <= 1e-12 * abs(want)
            and abs(ad - want) <= 1e-6 * abs(want))


def check(text: str, index: int, counts: Counter, failures: list) -> None:
    """Differentiate ``text`` every way at :data:`XS`; count outcomes, list disagreements."""
    try:
        f = parse(text)
        d = diff(f)
        # the chain rule as AD computes it (no tidying): its rounding is AD's rounding
        raw, _ = Differentiator(X, record=False, method="direct").d(f)
        fv, sv = _values(f, XS), _values(d, XS)
        (forward, forward_warned), (reverse, reverse_warned) = _ad(f)
    except ChainruleError:
        counts["refused with a reason"] += 1
        return
    counts["expressions"] += 1
    defined = np.isfinite(fv)
    counts["points where f is defined"] += int(defined.sum())
    counts["f′ refused where f is defined"] += int((defined & ~np.isfinite(sv)).sum())
    ok = defined & np.isfinite(sv)
    # the raw chain rule's bound as written: AD computes 1 − tanh²(u) by subtraction, where
    # the evaluator takes 1/cosh²(u)
    rounding = sum(np.asarray(rounding_bound(e, {"x": XS}, as_written=e is raw), float)
                   * np.ones_like(XS) for e in (d, raw))
    reliable = ok & (rounding <= UNRELIABLE * np.abs(sv) + 1e-300)
    counts["unreliable in float64 (not compared between modes)"] += int((ok & ~reliable).sum())
    counts["points compared"] += int(reliable.sum())
    for j in np.flatnonzero(ok & ~reliable):
        _check_value_at(d, float(XS[j]), counts, failures, index, text)
        for name, got, warned in (("forward", forward, forward_warned),
                                  ("reverse", reverse, reverse_warned)):
            if not np.isfinite(got[j]):
                counts[f"unreliable: {name} NaN/inf"] += 1
                if not warned:
                    failures.append((f"{name} NaN/inf without a warning", index, text, str(d),
                                     XS[j], sv[j], got[j]))
    for name, got in (("forward", forward), ("reverse", reverse)):
        silent = reliable & ~np.isfinite(got)
        agree = BETWEEN_MODES.allows_within(got, sv, rounding)
        wrong = reliable & np.isfinite(got) & ~agree
        for j in np.flatnonzero(wrong):
            if _ad_conditioned(f, float(XS[j]), sv[j], got[j]):
                wrong[j] = False
                counts[f"{name}: less accurate than symbolic, within 1e-6 of mpmath"] += 1
        for kind, mask in ((f"{name} NaN/inf", silent), (f"{name} differs", wrong)):
            if mask.any():
                j = int(np.argmax(mask))
                failures.append((kind, index, text, str(d), XS[j], sv[j], got[j]))
    if index % NUMERIC_EVERY or not reliable.any():
        return
    xs = XS[reliable]
    num = derivative(lambda t: _values(f, t), xs, vectorized=True)
    # confident: converged with a bound below 1e-3 of the estimate (a stencil straddling a
    # pole can "converge" with a bound 3,000 times the estimate)
    estimate, error = np.asarray(num.df, float), np.asarray(num.error, float)
    success = np.asarray(num.success, bool) & (error <= CONFIDENT * np.abs(estimate) + 1e-8)
    counts["numeric confirmations"] += int(success.sum())
    counts["numeric: no confident estimate"] += int((~success).sum())
    want = sv[reliable]
    bound = np.maximum(error, BETWEEN_MODES.atol + BETWEEN_MODES.rtol * np.abs(want)
                       + 8 * rounding[reliable])
    wrong = success & ~(np.abs(estimate - want) <= bound)
    if wrong.any():
        j = int(np.argmax(wrong))
        failures.append(("numeric differs", index, text, str(d), xs[j], want[j], estimate[j]))


ZERO = 1e-80
"""Below this at 100 and at 400 digits, the oracle's value is 0 (a sum that cancels exactly:
1e−100 with 100 digits, 1e−400 with 400)."""


def _oracle(e, x: float) -> float | None:
    """``e`` at ``x`` by mpmath at 100 and at 400 digits, where the two agree to 1e-14 (0
    where both are below :data:`ZERO`); None where the oracle cannot tell (1 − σ(440) is 0 to
    400 digits too: the oracle writes it as a difference)."""
    values = []
    for dps in (100, 400):
        with mpmath.workdps(dps):
            v = mp_oracle.value(e, mpmath.mpf(x))
            values.append(None if v is None else v)
    low, high = values
    if low is None or high is None:
        return None
    if abs(low) < ZERO and abs(high) < ZERO:
        return 0.0
    if not high or not abs(low - high) <= 1e-14 * abs(high):
        return None
    return float(high)


def _check_value_at(d, x: float, counts: Counter, failures: list, index: int,
                    text: str) -> None:
    """At a point float64 cannot give: the value at the point is mpmath's, or flagged."""
    try:
        v = d.at(x=x)
    except ChainruleError:
        counts["unreliable: value at the point refused with a reason"] += 1
        return
    want = _oracle(d, x)
    if not v.reliable:
        counts["unreliable: value at the point flagged"] += 1
    elif want is None:
        counts["unreliable: no oracle value"] += 1
    elif want == 0.0 and abs(v) <= 1e-40:
        counts["unreliable: value at the point 0 (mpmath: 0 to 100 digits)"] += 1
    elif abs(v - want) <= 1e-12 * abs(want) + 1e-300:
        counts["unreliable: value at the point exact (mpmath)"] += 1
    else:
        failures.append(("value at the point differs from mpmath", index, text, str(d), x,
                         want, float(v)))


def run(n: int = N, seed: int = SEED) -> tuple[Counter, list]:
    counts: Counter = Counter()
    failures: list = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, text in enumerate(expressions(n, seed)):
            check(text, i, counts, failures)
    return counts, failures


def test_symbolic_forward_reverse_and_numeric_agree_on_generated_expressions():
    counts, failures = run()
    print("\nagreement:", dict(counts), "failures:", len(failures))
    assert counts["expressions"] + counts["refused with a reason"] == N
    assert counts["expressions"] >= 0.99 * N
    assert counts["points compared"] >= 5 * N
    assert not failures, "\n".join(map(repr, failures[:20]))
    # the points float64 cannot give are checked, not only counted
    assert counts["unreliable: value at the point exact (mpmath)"] >= N // 200


def test_the_check_sees_a_wrong_derivative(monkeypatch):
    # the same check with the symbolic derivative off by 1e-4 (relative) must fail
    true_diff = diff
    monkeypatch.setattr(f"{__name__}.diff", lambda f: true_diff(f) * 1.0001)
    counts, failures = Counter(), []
    check("x*sin(x)", 0, counts, failures)
    assert any(kind == "forward differs" for kind, *_ in failures)


def test_the_check_sees_a_wrong_value_at_a_point(monkeypatch):
    d = diff("sqrt(x^2 + 1) - x")  # x/sqrt(x^2 + 1) − 1: −5e−19 at 1e9, float64 says 0
    counts, failures = Counter(), []
    _check_value_at(d, 1e9, counts, failures, 0, "sqrt(x^2 + 1) - x")
    assert not failures and counts["unreliable: value at the point exact (mpmath)"] == 1
    # the same value off by 1e-9 (relative), said to be reliable, must fail
    right = Expr.at
    monkeypatch.setattr(Expr, "at", lambda e, **p: PointValue(right(e, **p) * (1 + 1e-9), 0))
    _check_value_at(d, 1e9, counts, failures, 0, "sqrt(x^2 + 1) - x")
    assert failures and failures[0][0] == "value at the point differs from mpmath"
