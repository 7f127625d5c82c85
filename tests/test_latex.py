"""The LaTeX printer: exact strings, the text printer's arrangement, depth and size limits."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.core.build import PI, E, add, apply, const, div, mul, power, symbol
from chainrule.errors import BudgetError, ChainruleError
from chainrule.printing.latex import number_latex, symbol_latex, to_latex
from chainrule.printing.text import to_text

x, y = symbol("x"), symbol("y")


def f(name, *args):
    return apply(name, *args)


SEEDS = [
    # the seeds' answers
    (lambda: x**x * (f("ln", x) + 1), r"x^{x} \left(\ln\left(x\right) + 1\right)"),
    (lambda: 4 * x / (x**2 + 1) ** 2, r"\frac{4 x}{\left(x^{2} + 1\right)^{2}}"),
    (lambda: (1 - x**2) / (x**2 + 1) ** 2, r"\frac{1 - x^{2}}{\left(x^{2} + 1\right)^{2}}"),
    (lambda: f("exp", -x) / (1 + f("exp", -x)) ** 2,
     r"\frac{e^{-x}}{\left(e^{-x} + 1\right)^{2}}"),
    (lambda: f("sigmoid", x) * (1 - f("sigmoid", x)),
     r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)"),
]

CASES = [
    # numbers and products
    (lambda: 2 * x, "2 x"),
    (lambda: -x, "-x"),
    (lambda: x - y, "x - y"),
    (lambda: x * y, "x y"),
    (lambda: 3 * x * y, "3 x y"),
    (lambda: 2 * 3**x, r"2 \cdot 3^{x}"),
    (lambda: 2 * PI, r"2 \pi"),
    (lambda: const(Fraction(1, 2)), r"\frac{1}{2}"),
    (lambda: -x / 2, r"-\frac{x}{2}"),
    (lambda: const(3) / 4 * x, r"\frac{3 x}{4}"),
    (lambda: 2.5 * x, "2.5 x"),
    (lambda: -1.0 * x, "-1.0 x"),
    (lambda: const(1e-20) * x, r"1 \cdot 10^{-20} \cdot x"),
    (lambda: x * (x + 1) * (x - 1), r"x \left(x + 1\right) \left(x - 1\right)"),
    # fractions
    (lambda: 1 / x, r"\frac{1}{x}"),
    (lambda: -(x**-2), r"-\frac{1}{x^{2}}"),
    (lambda: 1 / (2 * x), r"\frac{1}{2 x}"),
    (lambda: 2 * x**2 * y / (3 * (x + y) ** 2),
     r"\frac{2 x^{2} y}{3 \left(x + y\right)^{2}}"),
    (lambda: f("abs", x) / x, r"\frac{\left|x\right|}{x}"),
    # powers and roots
    (lambda: x ** (y + 1), "x^{y + 1}"),
    (lambda: x ** const(Fraction(1, 3)), r"x^{\frac{1}{3}}"),
    (lambda: f("exp", x**2), "e^{x^{2}}"),
    (lambda: E**2, "e^{2}"),
    (lambda: const(Fraction(1, 2)) ** x, r"\left(\frac{1}{2}\right)^{x}"),
    (lambda: const(-2) ** x, r"\left(-2\right)^{x}"),
    (lambda: (x**2) ** y, r"\left(x^{2}\right)^{y}"),
    (lambda: f("sqrt", x), r"\sqrt{x}"),
    (lambda: 1 / f("sqrt", x + 1), r"\frac{1}{\sqrt{x + 1}}"),
    (lambda: f("cbrt", x), r"\sqrt[3]{x}"),
    (lambda: f("sin", x) ** 2, r"\sin^{2}\left(x\right)"),
    (lambda: f("cos", x) * f("tan", 2 * x) ** 3,
     r"\cos\left(x\right) \tan^{3}\left(2 x\right)"),
    (lambda: 1 / f("sin", x) ** 2, r"\frac{1}{\sin^{2}\left(x\right)}"),
    (lambda: f("sigmoid", x) ** 2, r"\sigma\left(x\right)^{2}"),
    # functions
    (lambda: f("log", x, const(10)), r"\log_{10}\left(x\right)"),
    (lambda: f("ln", x**2 + 1), r"\ln\left(x^{2} + 1\right)"),
    (lambda: f("asin", x) * f("acos", x) * f("atan", x),
     r"\arccos\left(x\right) \arcsin\left(x\right) \arctan\left(x\right)"),
    (lambda: f("sinh", x) - f("cosh", x) * f("tanh", x),
     r"\sinh\left(x\right) - \cosh\left(x\right) \tanh\left(x\right)"),
    (lambda: f("cot", x) + f("sec", x) + f("csc", x),
     r"\cot\left(x\right) + \csc\left(x\right) + \sec\left(x\right)"),
    (lambda: f("relu", x) + f("softplus", x) + f("heaviside", x),
     r"H\left(x\right) + \operatorname{relu}\left(x\right)"
     r" + \operatorname{softplus}\left(x\right)"),
    (lambda: f("logsumexp", x, y, const(0)), r"\operatorname{logsumexp}\left(x, y, 0\right)"),
    (lambda: f("logaddexp", x, y), r"\operatorname{logaddexp}\left(x, y\right)"),
    (lambda: f("log1p", x) * f("expm1", x),
     r"\operatorname{expm1}\left(x\right) \operatorname{log1p}\left(x\right)"),
    (lambda: -2 * x * f("sin", x**2), r"-2 x \sin\left(x^{2}\right)"),
    (lambda: x * f("exp", -x), "x e^{-x}"),
    # names
    (lambda: symbol("theta") ** 2 * symbol("w_1"), r"\theta^{2} w_{1}"),
    (lambda: symbol("θ") + 1, r"\theta + 1"),
]


@pytest.mark.parametrize(("make", "expected"), SEEDS + CASES)
def test_exact_latex(make, expected):
    assert to_latex(make()) == expected


def test_case_count():
    assert len(SEEDS + CASES) >= 20


def test_expr_methods():
    e = 4 * x / (x**2 + 1) ** 2
    assert e.latex() == r"\frac{4 x}{\left(x^{2} + 1\right)^{2}}"
    assert e._repr_latex_() == r"$\frac{4 x}{\left(x^{2} + 1\right)^{2}}$"


@pytest.mark.parametrize(("name", "expected"), [
    ("x", "x"), ("theta", r"\theta"), ("Omega", r"\Omega"), ("α", r"\alpha"),
    ("w_1", "w_{1}"), ("theta_12", r"\theta_{12}"), ("x2", "x_{2}"), ("x_i_j", "x_{i_{j}}"),
    ("rate", r"\mathit{rate}"), ("a#b", r"\mathit{a\#b}"),
])
def test_symbol_names(name, expected):
    assert symbol_latex(name) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Fraction(3), "3"), (Fraction(-3, 4), r"-\frac{3}{4}"), (0.5, "0.5"),
    (1.5e-7, r"1.5 \cdot 10^{-7}"), (1e20, r"1 \cdot 10^{20}"),
])
def test_numbers(value, expected):
    assert number_latex(value)[0] == expected


def test_distinct_denominators_print_distinctly():
    # layout makes a temporary (x_i + 1)^2 for each term; none may be mistaken for another
    xs = [symbol(f"x{i}") for i in range(40)]
    out = to_latex(add(*[(xi + 1) ** -2 for xi in xs]))
    for i in range(40):
        assert out.count(rf"\frac{{1}}{{\left(x_{{{i}}} + 1\right)^{{2}}}}") == 1


def test_deep_function_chain():
    e = x
    for i in range(10_000):
        e = f("sin" if i % 2 else "exp", e)
    out = to_latex(e)
    assert out.startswith(r"\sin\left(e^{\sin\left(e^{")
    assert out.count(r"\sin") == 5_000


def test_deep_sum_product_nest():
    # each level sorts factors and terms; no recursion may go through C (it would crash)
    e = x
    for i in range(3_000):
        e = (e + 1) * x if i % 2 else (e + 2) * f("sin", x)
    out = to_latex(e)
    assert out.startswith(r"x \left(\sin\left(x\right) \left(x \left(")
    assert out.count(r"\sin") == 1_500


def test_deep_fraction_nest():
    e = x
    for i in range(2_000):
        e = 1 / (1 + e) ** 2 if i % 2 else e * y + 1
    out = to_latex(e)
    assert out.count(r"\frac") == 1_000


def test_huge_output_is_refused():
    e = x
    for _ in range(40):  # 80 nodes, a tree of 2^40 leaves
        e = f("sin", e) * e + e
    with pytest.raises(BudgetError, match="too large to print as LaTeX"):
        to_latex(e)


# -- the same arrangement as the text printer ------------------------------------------------

_NAMES = "abcd"
_SYMBOL = re.compile(r"(?<![A-Za-z\\])[a-d](?![A-Za-z])")


_BINARY = {"add": add, "mul": mul, "div": div, "pow": power}


def _build(tree):
    kind = tree[0]
    if kind == "sym":
        return symbol(tree[1])
    if kind == "num":
        return const(Fraction(tree[1], tree[2]))
    if kind == "bin":
        return _BINARY[tree[1]](_build(tree[2]), _build(tree[3]))
    return apply(tree[1], _build(tree[2]))


_leaf = st.one_of(
    st.tuples(st.just("sym"), st.sampled_from(_NAMES)),
    st.tuples(st.just("num"), st.integers(-5, 5), st.sampled_from([1, 2, 3])),
)
_trees = st.recursive(_leaf, lambda sub: st.one_of(
    st.tuples(st.just("bin"), st.sampled_from(["add", "mul", "div", "pow"]), sub, sub),
    st.tuples(st.just("fn"), st.sampled_from(["sin", "exp", "ln", "sqrt", "abs", "sigmoid"]),
              sub),
), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_same_order_as_text(tree):
    try:
        e = _build(tree)
    except ChainruleError:
        return
    assert _SYMBOL.findall(to_latex(e)) == _SYMBOL.findall(to_text(e))


def test_too_deep_is_a_budget_error_not_a_crash():
    from chainrule.limits import DEEP_LIMIT

    e = x
    for _ in range(DEEP_LIMIT):  # two frames a level: past the limit
        e = f("sin", e)
    with pytest.raises(BudgetError, match="nested too deeply to print as LaTeX"):
        to_latex(e)
