"""The expression core: interning, canonical form, bounded folding, evaluation, domains."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from chainrule.core import build
from chainrule.core.build import PI, E, apply, const, power, symbol
from chainrule.core.expr import Apply, Const
from chainrule.errors import DomainError

x, y = symbol("x"), symbol("y")


def test_nodes_are_interned():
    assert symbol("x") is x
    assert const(3) is const(Fraction(3))
    assert (x + 1) * y is y * (1 + x)
    assert apply("sin", x) is apply("sin", x)


def test_exact_and_float_constants_are_distinct():
    assert const(2) is not const(2.0)
    assert isinstance(const(Fraction(1, 3)).value, Fraction)
    assert (const(1) / 3).value == Fraction(1, 3)
    assert isinstance((const(0.5) * 2).value, float)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (x + x, 2 * x),
        (x - x, const(0)),
        (x * x ** -1, const(1)),
        (x * x, x**2),
        (2 * (x + 1), 2 * x + 2),
        ((x**2) ** 3, x**6),
        ((2 * x) ** 2, 4 * x**2),
        (E**x * E**x, apply("exp", 2 * x)),
        (apply("sqrt", x) * apply("sqrt", x), x),
        (apply("ln", apply("exp", x)), x),
        (apply("exp", apply("ln", x)), x),
        (apply("log", x, E), apply("ln", x)),
        (apply("sin", const(0)), const(0)),
        (apply("cos", const(0)), const(1)),
        (x + 2 * x + 3 * y - y, 3 * x + 2 * y),
    ],
)
def test_canonical_form_makes_equal_things_identical(built, expected):
    assert built is expected


def test_square_root_of_square_is_not_collapsed():
    # (x^2)^(1/2) = |x|, not x: the canonical form must not combine it.
    e = power(x**2, Fraction(1, 2))
    assert e is not x
    assert e.evaluate(x=-3.0) == 3.0


def test_exact_folding():
    assert power(4, Fraction(1, 2)) is const(2)
    assert power(8, Fraction(2, 3)) is const(4)
    assert power(2, Fraction(1, 2)).evaluate() == pytest.approx(math.sqrt(2))
    assert isinstance(power(2, Fraction(1, 2)), Apply)


def test_tower_of_nines_stays_unevaluated_and_fast():
    e = power(9, power(9, power(9, 9)))
    assert isinstance(e, Apply)
    assert e.node_count() < 10
    with pytest.raises(DomainError, match="not finite"):
        e.evaluate()


def test_division_by_exact_zero_is_an_error():
    with pytest.raises(DomainError, match="division by zero"):
        build.div(x, 0)


def test_evaluate_scalars_arrays_and_constants():
    e = x**2 + PI
    assert e.evaluate(x=3) == pytest.approx(9 + math.pi)
    np.testing.assert_allclose(e.evaluate(x=np.array([1.0, 2.0])), [1 + math.pi, 4 + math.pi])


@pytest.mark.parametrize(
    ("expr", "point", "message"),
    [
        (apply("ln", x), {"x": -1.0}, "ln needs a positive argument"),
        (apply("sqrt", x), {"x": -4.0}, "negative base"),
        (apply("asin", x), {"x": 2.0}, r"\[−1, 1\]"),
        (1 / x, {"x": 0.0}, "divides by zero"),
        (apply("exp", x), {"x": 1000.0}, "overflows"),
        (apply("cot", x), {"x": 0.0}, "sin"),
    ],
)
def test_domain_errors_are_messages_not_nan(expr, point, message):
    with pytest.raises(DomainError, match=message):
        expr.evaluate(**point)


def test_domain_error_on_arrays_names_the_index():
    with pytest.raises(DomainError, match=r"index \(2,\)"):
        apply("ln", x).evaluate(x=np.array([1.0, 2.0, -1.0]))


def test_missing_variable_is_reported():
    with pytest.raises(DomainError, match="no value given for y"):
        (x + y).evaluate(x=1.0)


def test_node_count_counts_shared_nodes_once():
    s = apply("sin", x)
    assert (s * s + s).node_count() == (s**2 + s).node_count()
    assert isinstance(const(1), Const)


def test_deep_expressions_do_not_hit_recursion_limits():
    e = x
    for i in range(5000):
        e = apply("sin" if i % 2 else "cos", e)
    assert e.node_count() == 5001
    assert math.isfinite(e.evaluate(x=0.3))
    assert len(str(e)) > 5000
