"""Grammar fuzz: parse → diff → evaluate never escapes the error hierarchy, never a silent NaN.

Hypothesis draws expressions of the grammar (:func:`grammar.strategy`) and points; the run is
bounded by ``max_examples`` (no wall-clock limit) and derandomised, so CI sees the same inputs
every time. Every step either answers or raises a :class:`~chainrule.errors.ChainruleError`
(a reason); a number it answers is finite; and where the independent mpmath derivative
(:mod:`mp_oracle`, 40 digits) is a finite number, chainrule either agrees with it (within the
rounding bound of its own float64 evaluation) or refused with a reason.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mp_oracle
from chainrule.core.expr import Apply
from chainrule.core.registry import all_primitives
from chainrule.errors import ChainruleError
from chainrule.parsing import parse
from chainrule.symbolic.api import diff
from chainrule.testing.tolerance import rounding_bound
from grammar import PIECEWISE, UNARY, strategy

POINTS = st.sampled_from([-2.3, -0.7, -0.2, 0.3, 0.9, 1.7, 3.1, 7.5, 1e-3, 40.0])


def _outcome(text: str, x: float) -> tuple[object, float | None]:
    """(f, f′(x)) or (None, None) when chainrule refuses with a reason."""
    try:
        f = parse(text)
        d = diff(f)
        return f, d, float(d.evaluate(x=x))
    except ChainruleError:
        return None, None, None


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # strategy repr
@settings(max_examples=3000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=strategy(), x=POINTS)
def test_parse_diff_evaluate_answers_or_refuses_never_a_silent_nan(text, x):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a NumPy warning escaping is a defect
        f, d, got = _outcome(text, x)
    if got is None:
        return
    assert math.isfinite(got), (text, x, got)
    want = mp_oracle.derivative(f, x)
    if want is None or not math.isfinite(want):
        return
    with np.errstate(all="ignore"):
        bound = float(rounding_bound(d, {"x": x}))
    if not bound <= 1e-6 * abs(want) + 1e-300:
        return  # f′ as written is ill-conditioned in float64 here: counted by test_agreement
    # 1e-15: the oracle's own noise (40 digits over a step of 1e-13) and derivatives that are
    # zero up to rounding
    assert abs(got - want) <= 1e-8 * abs(want) + 8 * bound + 1e-15, (text, x, str(d), got, want)


def test_the_oracle_knows_every_function_of_the_grammar():
    names = {p.name for p in all_primitives().values() if p.symbolic}
    assert names <= set(mp_oracle.MP), sorted(names - set(mp_oracle.MP))
    for name in UNARY + PIECEWISE:  # every name the generator writes is a function the parser knows
        assert isinstance(parse(f"{name}(x + 2)"), Apply), name


def test_the_oracle_is_independent_and_exact():
    f = parse("x^x")
    assert abs(mp_oracle.derivative(f, 2.0) - 4 * (1 + math.log(2))) < 1e-14
    assert mp_oracle.derivative(parse("abs(x)"), 0.0) is None  # a kink: no derivative
    assert mp_oracle.derivative(parse("ln(x)"), -1.0) is None  # undefined
