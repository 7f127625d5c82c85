"""The differentiator's fast paths give the step-by-step walk's answer, node for node.

``diff`` (no steps recorded) goes down a nest of single-use chain links in one loop and builds
the chain rule's product once (:class:`~chainrule.core.chains.ProductChain`); ``steps``
multiplies level by level. Both must give the *same* interned node, and that node must be the
derivative: checked against an independent 40-digit mpmath derivative (:mod:`mp_oracle`).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mp_oracle
from chainrule.core.build import apply, const, mul, power, symbol
from chainrule.core.chains import ProductChain
from chainrule.limits.budget import Budget, within
from chainrule.symbolic.api import diff
from chainrule.symbolic.differentiate import Differentiator, count_parents

x, y = symbol("x"), symbol("y")

# One level of a nest: u -> f(u). Some levels are no chain links (sums, products, a node used
# twice), so the fast walk has to stop, fall back and resume.
LEVELS = {
    "sin": lambda u: apply("sin", u),
    "cos": lambda u: apply("cos", u),
    "tanh": lambda u: apply("tanh", u),
    "atan": lambda u: apply("atan", u),
    "exp_small": lambda u: apply("exp", apply("sin", u)),
    "square": lambda u: u ** 2,
    "cube_root": lambda u: power(u ** 2 + 1, const(1) / 3),
    "reciprocal": lambda u: 1 / (u ** 2 + 2),
    "scale": lambda u: 3 * u,
    "half": lambda u: u / 2,
    "shift": lambda u: u + 1,
    "two_to": lambda u: 2 ** apply("sin", u),
    "reuse": lambda u: u * apply("sin", u),  # u has two parents: not a single-use link
    "pair": lambda u: apply("sin", u) + apply("cos", u),
}
POINTS = (-1.3, -0.4, 0.35, 0.8, 1.9)


def _nest(names: list[str], start):
    e = start
    for name in names:
        e = LEVELS[name](e)
    return e


def _fast_and_stepwise(f):
    fast, _ = Differentiator(x).d(f)
    stepwise, _ = Differentiator(x, record=True).d(f)
    return fast, stepwise


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.sampled_from(sorted(LEVELS)), min_size=1, max_size=25),
       start=st.sampled_from([x, 2 * x, x ** 2, x + 1, apply("sin", x)]),
       at=st.sampled_from(POINTS))
def test_nests_fast_path_is_the_stepwise_answer_and_the_derivative(names, start, at):
    f = _nest(names, start)
    fast, stepwise = _fast_and_stepwise(f)
    assert fast is stepwise, (names, str(fast), str(stepwise))
    want = mp_oracle.derivative(f, at)
    if want is None or not math.isfinite(want):
        return
    got = float(fast.evaluate(x=at))
    assert got == pytest.approx(want, rel=1e-8, abs=1e-12), (names, at)


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(factors=st.lists(st.tuples(st.integers(1, 9), st.integers(-3, 4),
                                  st.sampled_from(["sin", "cos", "atan", "none"])),
                        min_size=2, max_size=40),
       at=st.sampled_from(POINTS))
def test_products_fast_path_is_the_stepwise_answer_and_the_derivative(factors, at):
    f = mul(*(power(apply(fn, x + k) if fn != "none" else x + k, p) for k, p, fn in factors))
    fast, stepwise = _fast_and_stepwise(f)
    assert fast is stepwise
    want = mp_oracle.derivative(f, at)
    if want is None or not math.isfinite(want) or abs(want) > 1e250:
        return
    got = float(fast.evaluate(x=at))
    assert got == pytest.approx(want, rel=1e-8, abs=1e-12)


FACTORS = [x, y, apply("sin", x), x + 1, 1 / (x + 1), x ** 2, x * y, 3 * apply("cos", y),
           const(2), const(-1), const(0.5), const(1), 2 * (x + 1) * y, apply("exp", x),
           (x + y) ** -2, x + y]


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(start=st.sampled_from(FACTORS), more=st.lists(st.sampled_from(FACTORS), max_size=12))
def test_product_chain_is_the_nested_products(start, more):
    """Like bases, numbers, a lone sum with a coefficient: every case ``mul`` treats
    specially ends at the node the nested ``mul`` calls build."""
    chain, nested = ProductChain(start), start
    for f in more:
        chain.times(f)
        nested = mul(f, nested)
    assert chain.result() is nested


def test_a_deep_nest_builds_one_product_not_one_per_level():
    t = symbol("t_fast_nest")  # a fresh symbol: every node of the derivative is new
    f = t
    for k in range(300):
        f = apply("sin" if k % 2 == 0 else "cos", f)
    with within(Budget()) as meter:
        d, _ = Differentiator(t).d(f)
    # 150 cos(u), 150 sin(u), 150 −sin(u), the product: level-by-level products would add
    # 300 more (and O(n²) work copying them)
    assert meter.nodes <= 460
    assert d.node_count() <= 2 * f.node_count() + 1
    assert d is Differentiator(t, record=True).d(f)[0]


def test_count_parents():
    e = apply("sin", x + 1) * (x + 1) + x
    counts = count_parents(e)
    assert counts[x + 1] == 2 and counts[x] == 2 and e not in counts
    assert diff(e, "x").evaluate(x=0.5) == pytest.approx(
        math.cos(1.5) * 1.5 + math.sin(1.5) + 1)


def test_differentiators_that_change_a_rule_keep_the_level_by_level_walk():
    """The tutor's ScaledDifferentiator scales one node's derivative: the one-loop chain
    must not step over that node (it skips ``_d`` on the links it goes through)."""
    from chainrule.tutor.mistakes import ScaledDifferentiator
    site = apply("cos", apply("sin", x))
    f = apply("sin", site)
    assert ScaledDifferentiator(x, site, 0).d(f)[0] is const(0)
    doubled = ScaledDifferentiator(x, site, 2).d(f)[0]
    assert doubled is mul(2, Differentiator(x).d(f)[0])
