"""chainrule's derivatives of the whole corpus against SymPy, at seeded random points.

For every entry and every variable it is differentiated by: the function itself, orders 1 and
2 (3 for entries tagged ``o3``), the printed derivative read back, the step record, and — for
products, quotients and powers — the ``logdiff`` and ``direct`` methods.
"""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp

from chainrule.core.build import symbol
from chainrule.core.expr import Apply, Expr
from chainrule.core.registry import all_primitives
from chainrule.errors import DomainError
from chainrule.symbolic.api import diff, parse, parse_typed, steps
from chainrule.symbolic.differentiate import AUTO_LOGDIFF_FACTORS, LOGDIFF_MIN_FACTORS
from chainrule.symbolic.steps import DERIVATIVE, EQUAL, LN_ABS, OUTER, Step
from corpus import (
    CORPUS,
    PRIMITIVES,
    VARIABLES,
    Entry,
    assert_close,
    is_close,
    oracle_derivative,
    parser_missing,
    sympy_of,
    sympy_value,
)

pytestmark = pytest.mark.skipif(parser_missing(), reason="chainrule.parsing.parse not landed yet")

POINTS = 6


def _cases(orders=lambda e: (1, 2, 3) if "o3" in e.tags else (1, 2), tag: str | None = None):
    out = []
    for e in CORPUS:
        if tag is not None and tag not in e.tags:
            continue
        for wrt in e.wrt:
            for order in orders(e):
                ident = e.id + (f" d/d{wrt}" if len(e.wrt) > 1 else "") + f" #{order}"
                out.append(pytest.param(e, wrt, order, id=ident))
    return out


def _entries(tag: str | None = None):
    return [pytest.param(e, id=e.id) for e in CORPUS if tag is None or tag in e.tags]


def _entry_wrt(tag: str | None = None):
    return [pytest.param(e, wrt, id=e.id + (f" d/d{wrt}" if len(e.wrt) > 1 else ""))
            for e in CORPUS if tag is None or tag in e.tags for wrt in e.wrt]


def _check_against_oracle(e: Entry, got, wrt: str, order: int, label: str) -> None:
    expected_expr = oracle_derivative(e.id, wrt, order)
    for point in e.points(POINTS):
        expected = sympy_value(expected_expr, point)
        value = got.evaluate(**point)
        if not is_close(value, expected):  # the message prints the derivative: only on failure
            assert_close(value, expected, f"{label} of {e.text!r} (order {order} in {wrt}) "
                                          f"at {point}; chainrule's derivative is {got}")


# -- the corpus itself ---------------------------------------------------------------------

def test_corpus_is_large_enough():
    assert len(CORPUS) >= 160


def _text_primitives() -> set[str]:
    """The primitives text can name: what each function name of the parser builds."""
    from chainrule.parsing.names import FUNCTIONS

    x = symbol("x")
    out: set[str] = set()
    for fn in FUNCTIONS().values():
        built = fn.build([x] * max(fn.min_args, 1))
        out |= {n.prim.name for n in built.walk() if isinstance(n, Apply)}
    return out


def test_corpus_uses_every_primitive():
    """Every scalar primitive, and every primitive a function name of the parser builds,
    appears in some corpus entry. ``sqrt(u)`` is stored as ``u^(1/2)``, so a primitive counts
    as used when it is a node of a parsed entry or called by name in its text."""
    used: set[str] = set()
    for e in CORPUS:
        used |= {n.prim.name for n in parse(e.text).walk() if isinstance(n, Apply)}
        used |= set(re.findall(r"([a-z][a-z0-9]*)\(", e.text))
    assert set(PRIMITIVES) <= set(all_primitives())
    wanted = set(PRIMITIVES) | _text_primitives()
    assert used >= wanted, sorted(wanted - used)


@pytest.mark.parametrize("e", _entries())
def test_function_value(e: Entry):
    """The parsed text is the function the oracle describes (guards the corpus itself)."""
    f = parse(e.text)
    oracle = e.sympy()
    for point in e.points(POINTS):
        assert_close(f.evaluate(**point), sympy_value(oracle, point), f"value of {e.text!r}")


# -- derivatives --------------------------------------------------------------------------

@pytest.mark.parametrize(("e", "wrt", "order"), _cases())
def test_derivative(e: Entry, wrt: str, order: int):
    _check_against_oracle(e, diff(e.text, wrt=wrt, order=order), wrt, order, "derivative")


@pytest.mark.parametrize(("e", "wrt"), _entry_wrt())
def test_derivative_text_reads_back(e: Entry, wrt: str):
    """The printed derivative, read by SymPy's tokenizer, is still the derivative."""
    text = str(diff(e.text, wrt=wrt))
    reread = sympy_of(text)
    expected_expr = oracle_derivative(e.id, wrt, 1)
    for point in e.points(3):
        assert_close(sympy_value(reread, point), sympy_value(expected_expr, point),
                     f"printed derivative {text!r} of {e.text!r} at {point}")


@pytest.mark.parametrize(("e", "wrt"), _entry_wrt())
def test_derivative_of_parsed_expression_is_the_same(e: Entry, wrt: str):
    """Text in, Expr in and the derivative of each order are one interned node."""
    f = parse(e.text)
    d1 = diff(f, wrt=wrt)
    assert d1 is diff(e.text, wrt=wrt)
    assert diff(d1, wrt=wrt) is diff(f, wrt=wrt, order=2)


# -- methods ------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["logdiff", "direct"])
@pytest.mark.parametrize(("e", "wrt", "order"), _cases(orders=lambda e: (1, 2), tag="prod"))
def test_methods_agree(e: Entry, wrt: str, order: int, method: str):
    got = diff(e.text, wrt=wrt, order=order, method=method)
    default = diff(e.text, wrt=wrt, order=order)
    for point in e.points(POINTS):
        assert_close(got.evaluate(**point), default.evaluate(**point),
                     f"method={method} vs auto for {e.text!r} (order {order}) at {point}")
    _check_against_oracle(e, got, wrt, order, f"method={method} derivative")


# -- the step record ----------------------------------------------------------------------

@pytest.mark.parametrize(("e", "wrt"), _entry_wrt())
@pytest.mark.parametrize("order", [1, 2])
def test_steps_result_is_the_derivative(e: Entry, wrt: str, order: int):
    d = steps(e.text, wrt=wrt, order=order)
    assert d.result is diff(e.text, wrt=wrt, order=order)
    assert len(d.orders) == order
    assert d.orders[-1].result is d.result
    assert d.orders[0].expr is parse_typed(e.text)
    for before, after in zip(d.orders, d.orders[1:], strict=False):
        assert after.expr is before.result
    for tree in d.orders:
        # The top step is "Differentiate"; its last substep ends on the order's result, and
        # the rule tree's raw answer has the same values as the simplified one.
        assert tree.substeps, "an order's step has no substeps"
        assert tree.substeps[-1].result is tree.result
        raw = tree.substeps[0].result
        for point in e.points(3):
            assert_close(raw.evaluate(**point), tree.result.evaluate(**point),
                         f"raw vs simplified derivative of {tree.expr}")
        for s in tree.walk():
            assert isinstance(s.expr, Expr) and isinstance(s.result, Expr), (
                f"step {s.rule!r} of d/d{wrt} {tree.expr} records a "
                f"{type(s.expr).__name__} → {type(s.result).__name__} ({s.result!r}), not Exprs")
    text = d.text()
    assert isinstance(text, str) and text.strip()
    assert d.latex().strip()
    json.dumps(d.to_dict())


def _classified(tree: Step):
    """Every step with what its result means (its ``claim``): the derivative of its
    expression, an equal rewrite of it, ln|expr| (the first log-diff stage) or the chain
    rule's outer f′(u)."""
    return [(s, s.claim) for s in tree.walk()]


@pytest.mark.parametrize(("e", "wrt"), _entry_wrt(tag="steps"))
def test_every_step_is_true(e: Entry, wrt: str):
    """Each recorded step states something true, checked by SymPy on its printed text."""
    var = VARIABLES[wrt]
    tree = steps(e.text, wrt=wrt).orders[0]
    checked = 0
    for s, kind in _classified(tree):
        lhs = sympy_of(str(s.expr))
        rhs = sympy_of(str(s.result))
        if kind == DERIVATIVE:
            expected = sp.diff(lhs, var)
        elif kind == EQUAL:
            expected = lhs
        elif kind == LN_ABS:
            expected = sp.log(sp.Abs(lhs))
        else:  # the outer derivative f′(u): times u′ it is the derivative of f(u)
            assert kind == OUTER and s.at is not None, f"step {s.rule} claims {kind}"
            du = sp.diff(sympy_of(str(s.at)), var)
            rhs, expected = rhs * du, sp.diff(lhs, var)
        for point in e.points(3):
            assert_close(sympy_value(rhs, point), sympy_value(expected, point),
                         f"step {s.rule!r} ({kind}) d/d{wrt} {s.expr} = {s.result}")
        checked += 1
    assert checked >= 2


# -- product forms: the product rule below LOGDIFF_MIN_FACTORS, y·Σ f′/f from there on -------

LOGDIFF_FROM = LOGDIFF_MIN_FACTORS


def _linear_product(n: int) -> tuple[str, sp.Expr]:
    x = VARIABLES["x"]
    return "".join(f"(x + {k})" for k in range(1, n + 1)), sp.Mul(*(x + k for k in range(1, n + 1)))


def _rules(text: str, method: str = "auto") -> list[str]:
    return steps(text, method=method).rules_used()


@pytest.mark.parametrize("n", sorted({2, 3, 4, 5, 6, 7, 8, LOGDIFF_FROM - 1}))
def test_fewer_factors_use_the_product_rule(n: int):
    # method="auto" takes logarithms from AUTO_LOGDIFF_FACTORS factors on (as a teacher
    # would); "direct" keeps the product rule up to LOGDIFF_FROM
    text, oracle = _linear_product(n)
    rules = _rules(text, "direct")
    assert "Product rule" in rules
    assert "Logarithmic differentiation" not in rules
    auto = _rules(text)
    assert ("Logarithmic differentiation" in auto) == (n >= AUTO_LOGDIFF_FACTORS)
    expected = sp.diff(oracle, VARIABLES["x"])
    for xv in (-1.0, 0.5):  # the auto answer is defined at a zero of a factor too
        assert_close(diff(text).evaluate(x=xv), sympy_value(expected, {"x": xv}),
                     f"{n}-factor product")


@pytest.mark.parametrize("n", [LOGDIFF_FROM, LOGDIFF_FROM + 1, LOGDIFF_FROM + 6])
def test_many_factors_use_the_logarithmic_form(n: int):
    text, oracle = _linear_product(n)
    assert "Logarithmic differentiation" in _rules(text)
    expected = sp.diff(oracle, VARIABLES["x"])
    for xv in (0.25, 0.5, 1.5):
        assert_close(diff(text).evaluate(x=xv), sympy_value(expected, {"x": xv}),
                     f"{n}-factor product")


_LOGDIFF_AT_ZERO = pytest.mark.xfail(
    strict=True, raises=DomainError,
    reason="from LOGDIFF_FROM factors the derivative is y·Σ fᵢ′/fᵢ (linear size, DESIGN §3), "
           "undefined at a zero of a factor; evaluation says so (documented; use "
           "method='direct' there)")


@pytest.mark.parametrize("n", [2, 6, 7, 8, LOGDIFF_FROM - 1,
                               pytest.param(LOGDIFF_FROM, marks=_LOGDIFF_AT_ZERO),
                               pytest.param(30, marks=_LOGDIFF_AT_ZERO)])
@pytest.mark.parametrize("root", [-1, -3])
def test_product_derivative_at_a_zero_of_one_factor(n: int, root: int):
    """(x+1)…(x+n) is a polynomial: its derivative exists everywhere, also where one factor
    is zero (there it is the product of the other factors). The default method must give an
    expression defined there (``method="logdiff"`` is, by its nature, not: seed 000, pitfall 2).
    """
    text, oracle = _linear_product(n)
    expected = sympy_value(sp.diff(oracle, VARIABLES["x"]), {"x": root})
    assert_close(diff(text).evaluate(x=float(root)), expected,
                 f"derivative of {text} at x = {root}")
