"""The one DAG walker (``rewrite``) and the one evaluator built on it."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.core.build import apply, symbol
from chainrule.core.evaluate import evaluate, evaluate_traced
from chainrule.core.expr import Expr
from chainrule.core.walk import rebuild, rewrite, transform
from chainrule.errors import DomainError

x, y = symbol("x"), symbol("y")


def test_shared_subexpressions_are_visited_once():
    e = x
    for _ in range(60):  # 2^60 leaves as a tree, a few hundred nodes as a DAG
        e = apply("sin", e) * e + e
    visits: list[Expr] = []
    rewrite(e, lambda node, args: visits.append(node))
    assert len(visits) == len(set(visits)) == e.node_count()


def test_children_come_before_parents_left_to_right():
    order = []
    rewrite(apply("sin", x) + y ** 2, lambda node, args: order.append(str(node)))
    assert order.index("x") < order.index("sin(x)") < order.index("sin(x) + y^2")
    assert order.index("y") < order.index("y^2") < order.index("sin(x) + y^2")
    assert order[-1] == "sin(x) + y^2"


def test_fn_gets_its_childrens_results():
    e = (x + 2) * apply("sin", y)
    depth = rewrite(e, lambda node, args: 1 + max(args, default=0))
    assert depth == 3


def test_deep_chain_needs_no_recursion_limit():
    e, f = x, y
    for _ in range(20_000):
        e, f = apply("sin", e), apply("sin", f)
    assert rewrite(e, lambda node, args: 1 + max(args, default=0)) == 20_001
    assert rewrite(e, rebuild) is e
    assert rewrite(e, rebuild, memo={x: y}) is f


def test_identity_rewrite_returns_the_same_object():
    e = apply("exp", x * y) / (1 + x ** 2) - apply("ln", y)
    assert rewrite(e, rebuild) is e
    assert transform(e, lambda node: None) is e


def test_memo_seeds_replacements_and_is_not_entered():
    entered = []

    def fn(node, args):
        entered.append(node)
        return rebuild(node, args)

    e = apply("sin", x ** 2) + x
    out = rewrite(e, fn, memo={x ** 2: y})
    assert out is apply("sin", y) + x
    assert x ** 2 not in entered
    assert x in entered  # reached through the other term


def test_memo_is_shared_across_roots():
    memo: dict = {}
    calls = []
    fn = lambda node, args: calls.append(node) or len(calls)  # noqa: E731
    rewrite(x + 1, fn, memo)
    first = len(calls)
    rewrite(apply("sin", x + 1), fn, memo)
    assert len(calls) == first + 1  # only sin(x + 1) is new


def test_other_trees_through_children():
    tree = ("a", (("b", ()), ("c", (("b", ()),))))
    label = rewrite(tree, lambda node, args: node[0] + "".join(args),
                    children=lambda node: node[1])
    assert label == "abcb"


def test_evaluate_numbers_arrays_and_traced():
    e = apply("sin", x) * y + x ** 2
    assert evaluate(e, {"x": 0.5, "y": 2.0}) == pytest.approx(2 * np.sin(0.5) + 0.25)
    arr = evaluate(e, {"x": np.array([0.0, 1.0]), "y": 1.0})
    assert arr.tolist() == pytest.approx([0.0, np.sin(1.0) + 1.0])
    assert evaluate_traced(e, {"x": 0.5, "y": 2.0}) == pytest.approx(2 * np.sin(0.5) + 0.25)


def test_evaluate_refuses_points_outside_the_domain():
    with pytest.raises(DomainError, match=r"ln\(x\) is undefined at x = -1"):
        evaluate(apply("ln", x), {"x": -1.0})
    with pytest.raises(DomainError, match="no value given for y"):
        evaluate(x + y, {"x": 1.0})


def test_evaluate_deep_chain():
    e = x
    for _ in range(5_000):
        e = e * 0.5 + 1
    assert evaluate(e, {"x": 2.0}) == pytest.approx(2.0)
