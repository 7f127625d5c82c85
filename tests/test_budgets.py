"""Every public operation runs under its work budget: a test at the limit of each.

Each operation gets a hostile input and a step (or node) budget it cannot finish within, and
must stop with :class:`~chainrule.errors.WorkLimitExceeded` naming the limit and how to raise
it; with the default budget the same call (or a smaller one) answers. Counts, not the clock,
decide where it stops, so these tests are deterministic. How far past a *deadline* the
operations run is measured by ``bench/bench_budget.py``, not asserted here.
"""

from __future__ import annotations

import math
import subprocess
import sys

import mpmath
import numpy as np
import pytest

from chainrule import critical_points, diff, parse, taylor
from chainrule.errors import WorkLimitExceeded
from chainrule.limits.budget import Budget, within
from chainrule.symbolic.compile import compile_expr
from chainrule.symbolic.simplify import expand, readable
from chainrule.testing import verify

BIG = "x^x"  # its derivatives grow with the order: a DAG of thousands of nodes by order 8


def _stopped(call, limit: str = "steps"):
    with pytest.raises(WorkLimitExceeded) as err:
        call()
    assert err.value.limit == limit
    assert f"budget=Budget({limit}=" in str(err.value)
    return err.value


def test_evaluate_is_stopped_by_its_budget():
    d = diff(BIG, order=8)
    _stopped(lambda: d.evaluate(x=np.linspace(1, 2, 1000), budget=Budget(steps=50)))
    want = mpmath.diff(lambda t: t**t, mpmath.mpf(1.5), 8)
    assert math.isclose(d.evaluate(x=1.5, budget=Budget(steps=10**6)), float(want),
                        rel_tol=1e-12)


def test_a_symbol_named_budget_is_a_value_not_a_budget():
    assert parse("budget^2").evaluate(budget=3.0) == 9.0


def test_simplify_is_stopped_by_its_budget():
    product = "*".join(f"(x + y + {k})" for k in range(1, 9))
    _stopped(lambda: expand(parse(product), budget=Budget(steps=100)))
    e = expand(parse("(x + 1)^3"), budget=Budget(steps=10_000))
    assert str(e) == "x^3 + 3x^2 + 3x + 1"
    raw = diff(BIG, order=5)
    _stopped(lambda: readable(raw, budget=Budget(steps=10)))


def test_simplify_is_stopped_by_its_node_budget():
    product = "*".join(f"(x + z + {k})" for k in range(1, 9))  # nodes no other test made
    _stopped(lambda: expand(parse(product), budget=Budget(nodes=200)), "nodes")


def test_compile_is_stopped_by_its_budget():
    d = diff(BIG, order=8)
    _stopped(lambda: compile_expr(d, ["x"], budget=Budget(steps=20)))
    fn = compile_expr(diff("x^x"), ["x"], budget=Budget(steps=10_000))
    assert math.isclose(fn(2.0), 4 * (1 + math.log(2)), rel_tol=1e-14)


def test_taylor_is_stopped_by_its_budget():
    _stopped(lambda: taylor("e^sin(x)", order=30, budget=Budget(steps=2_000, seconds=120)))
    assert str(taylor("e^x", order=3, budget=Budget(steps=100_000))) == "x^3/6 + x^2/2 + x + 1"


def test_critical_points_are_stopped_by_their_budget():
    _stopped(lambda: critical_points("sin(1/x) + x/10", interval=(0.01, 3),
                                     budget=Budget(steps=200)))
    pts = critical_points("x^3 - 3x", budget=Budget(steps=10**6))
    assert [(p.kind, p.x) for p in pts] == [("max", -1.0), ("min", 1.0)]


def test_critical_points_of_several_variables_are_stopped_by_their_budget():
    _stopped(lambda: critical_points("sin(x)*cos(y) + x*y/10", region={"x": (-6, 6),
                                     "y": (-6, 6)}, budget=Budget(steps=500)))


def test_verify_is_stopped_by_its_budget():
    _stopped(lambda: verify(BIG, "x", {"x": 1.5}, order=6, budget=Budget(steps=100)))
    # safe mode records a refusing mode as NaN, but never swallows the budget
    _stopped(lambda: verify(BIG, "x", {"x": 1.5}, order=6, safe=True,
                            budget=Budget(steps=100)))
    v = verify(BIG, "x", {"x": 1.5}, order=2, budget=Budget(steps=10**7))
    assert v.agree


def test_a_deadline_stops_every_operation_at_its_first_check():
    d = diff(BIG, order=6)
    for call in (lambda: d.evaluate(x=1.5, budget=0.0),
                 lambda: compile_expr(d, ["x"], budget=0.0),
                 lambda: taylor("e^sin(x)", order=12, budget=0.0),
                 lambda: critical_points("sin(1/x)", interval=(0.01, 3), budget=0.0),
                 lambda: verify(BIG, "x", {"x": 1.5}, order=4, budget=0.0),
                 lambda: expand(parse("(x + 1)*(x + 2)*(x + 3)"), budget=0.0)):
        with pytest.raises(WorkLimitExceeded, match=r"seconds.*--timeout"):
            call()


def test_operations_inside_one_budget_share_it():
    with within(Budget(steps=10**9)) as meter:
        taylor("e^x", order=4)
        after_taylor = meter.steps
        critical_points("x^3 - 3x")
        assert meter.steps > after_taylor > 0


@pytest.mark.parametrize("argv", [
    ["taylor", "e^sin(x)", "--order", "40"],
    ["critical", "sin(1/x) + x/10", "--interval", "0.01,3"],
    ["diff", "x^x", "--order", "12", "--at", "x=1.5", "--verify"],
])
def test_every_command_is_stopped_by_its_timeout(argv):
    out = subprocess.run([sys.executable, "-m", "chainrule", *argv, "--timeout", "0.001"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    assert "--timeout" in out.stderr and "Traceback" not in out.stderr
