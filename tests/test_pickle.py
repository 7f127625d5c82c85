"""Expressions pickle and unpickle to the same (interned) expression, also across processes."""

from __future__ import annotations

import copy
import math
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import pytest

import chainrule as cr
from chainrule.core.expr import Apply, Const, NamedConst, Symbol

x, y = cr.symbols("x y")

CASES = [
    x,
    cr.symbol("theta_1"),
    cr.const(3),
    cr.const(-7),
    cr.const(Fraction(2, 3)),
    cr.const(0.125),
    cr.const(1e300),
    cr.E,
    cr.PI,
    cr.parse("sin(x)^2 + cos(x*y)/(1 + x^2)"),
    cr.parse("ln(sigmoid(x)) - exp(-x^2/2) + sqrt(tanh(y))"),
    cr.diff("x^x * atan(x) / (1 + e^x)"),
    cr.parse("abs(x) + logaddexp(x, y) + softplus(x)^(1/3)"),
]


@pytest.mark.parametrize("expr", CASES, ids=str)
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_round_trip_is_identity(expr, protocol):
    back = pickle.loads(pickle.dumps(expr, protocol=protocol))
    assert back is expr
    assert back == expr and str(back) == str(expr)


def test_leaf_kinds_and_values_survive():
    third, half, e = (pickle.loads(pickle.dumps(v)) for v in
                      (cr.const(Fraction(1, 3)), cr.const(0.5), cr.E))
    assert isinstance(third, Const) and third.value == Fraction(1, 3) and third.is_exact
    assert isinstance(half, Const) and half.value == 0.5 and not half.is_exact
    assert isinstance(e, NamedConst) and e.name == "e" and e.value == math.e
    assert isinstance(pickle.loads(pickle.dumps(x)), Symbol)


def test_shared_subexpressions_are_stored_once():
    inner = cr.parse("sin(x) * cos(y) + ln(x)")
    twice = inner * inner + cr.apply("exp", inner)
    once = pickle.dumps(inner)
    # the second and third use of ``inner`` cost an index each, not its whole tree again
    assert len(pickle.dumps(twice)) < 2 * len(once)


def test_deep_expression_needs_no_recursion():
    deep = x
    for _ in range(20_000):
        deep = cr.apply("sin", deep)
    assert isinstance(deep, Apply)
    assert pickle.loads(pickle.dumps(deep)) is deep


def test_copy_and_deepcopy_keep_identity():
    e = cr.parse("x^2 + 1")
    assert copy.copy(e) is e and copy.deepcopy([e])[0] is e


def test_fresh_interpreter_rebuilds_an_equal_expression(tmp_path):
    e = cr.diff("x^x * sin(x)")
    data = tmp_path / "e.pickle"
    data.write_bytes(pickle.dumps(e))
    code = ("import pickle, sys; e = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(e); print(e.evaluate(x=2.0))")
    out = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[0] == str(e)
    assert float(out[1]) == pytest.approx(e.evaluate(x=2.0), rel=1e-15)


def _value_at_two(expr):
    return expr.evaluate(x=2.0, y=0.5)


def _derivative_of(text):
    return cr.diff(text)


def test_process_pool_maps_evaluate_and_returns_expressions():
    exprs = [cr.parse(t) for t in ("x^x", "sin(x) * y", "ln(1 + x^2) / y", "sigmoid(x*y)")]
    with ProcessPoolExecutor(max_workers=2) as pool:
        values = list(pool.map(_value_at_two, exprs))
        derivatives = list(pool.map(_derivative_of, ["x^x", "x^3*sin(x)"]))
    assert values == pytest.approx([_value_at_two(e) for e in exprs], rel=1e-15)
    assert values[0] == pytest.approx(4.0)
    # expressions built in the workers come back as this process's interned nodes
    assert derivatives[0] is cr.diff("x^x")
    assert derivatives[1] is cr.diff("x^3*sin(x)")


def test_spawned_workers_unpickle_into_a_fresh_interpreter():
    import multiprocessing

    exprs = [cr.parse("x^x"), cr.parse("sin(x)*ln(1 + x^2)"), cr.const(Fraction(2, 7)) * cr.PI]
    context = multiprocessing.get_context("spawn")  # nothing interned in the worker yet
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        texts = list(pool.map(str, exprs))
        derivatives = list(pool.map(cr.diff, exprs[:2]))
    assert texts == [str(e) for e in exprs]
    assert derivatives == [cr.diff(e) for e in exprs[:2]]
    assert derivatives[0] is cr.diff("x^x")
