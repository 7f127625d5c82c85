"""Step trees: produced by the same pass as the answer, named rules, renderers."""

from __future__ import annotations

import json
import math

import pytest

from chainrule.core.build import apply, symbol
from chainrule.explain.render import render_latex, render_text, to_dict
from chainrule.symbolic.api import diff, steps

x, y = symbol("x"), symbol("y")
sin, cos, ln, exp = (lambda u, n=n: apply(n, u) for n in ("sin", "cos", "ln", "exp"))


def rules(expr, **kw):
    return steps(expr, "x", **kw).rules_used()


@pytest.mark.parametrize(
    ("expr", "rule"),
    [
        (x**3, "Power rule"),
        (3 * x**2, "Constant multiple rule"),
        (x**2 + x, "Sum rule"),
        (x * sin(x), "Product rule"),
        (x * sin(x) * exp(x), "Logarithmic differentiation"),  # auto: 3 factors
        (sin(x) / x**2, "Quotient rule"),
        (sin(x**2), "Chain rule"),
        (exp(x), "Exponential rule"),
        (apply("pow", 2, x), "Exponential rule"),
        (ln(x), "Logarithm rule"),
        (apply("log", x, 10), "Logarithm rule (base b)"),
        (apply("tan", x), "Tangent rule"),
        (apply("asin", x), "Inverse sine rule"),
        (apply("sinh", x), "Hyperbolic sine rule"),
        (apply("sigmoid", x), "Sigmoid rule"),
        (apply("abs", x), "Absolute value rule"),
        (x**x, "Logarithmic differentiation"),
        (apply("logsumexp", x, 2 * x), "Multivariate chain rule"),
    ],
)
def test_each_rule_is_named(expr, rule):
    assert rule in rules(expr)


def test_the_last_step_is_the_answer():
    for expr in (x**x, (x**2 - 1) / (x**2 + 1), sin(cos(x)) * x, x**4):
        d = steps(expr, "x")
        assert d.result is diff(expr, "x")
        tree = d.orders[-1]
        assert tree.substeps[-1].result is d.result


def test_logdiff_has_the_four_step_recipe_in_order():
    tree = steps(x**x, "x").orders[0].substeps[0]
    assert tree.rule == "Logarithmic differentiation"
    # the third stage, "Simplify the right side", is shown only when it changes something
    assert [s.rule for s in tree.substeps] == [
        "Take ln of both sides", "Differentiate both sides",
        "Multiply by y and substitute y back"]
    assert str(tree.substeps[0].result) == "x*ln(x)"
    assert str(tree.substeps[-1].result) == "x^x*(ln(x) + 1)"


def test_logdiff_on_request_for_products_uses_ln_abs():
    d = steps(x**2 * (x + 1) ** 3 * exp(x), "x", method="logdiff")
    assert "Logarithmic differentiation" in d.rules_used()
    text = d.text()
    assert "ln|y|" in text and "ln(abs(x + 1))" in text
    value = d.result.evaluate(x=0.7)
    expected = diff(x**2 * (x + 1) ** 3 * exp(x), "x", method="direct").evaluate(x=0.7)
    assert value == pytest.approx(expected, rel=1e-12)


def test_chain_rule_names_the_inner_function():
    text = steps(sin(x**2 + 1), "x").text()
    assert "let u = x^2 + 1" in text
    assert "d/du [sin(u)] = cos(u), with u = x^2 + 1" in text


def test_hiding_rules_keeps_their_substeps():
    full = steps(3 * sin(x) + x**2, "x").text(detail="full")
    brief = steps(3 * sin(x) + x**2, "x").text(detail="brief")
    assert "Sum rule" in full and "Sum rule" not in brief
    assert "Constant multiple rule" not in brief
    assert "Sine rule" in brief and "Power rule" in brief
    hidden = steps(x * sin(x), "x").text(hide={"Sine rule"})
    assert "Sine rule" not in hidden and "Product rule" in hidden


def test_higher_orders_show_each_derivative():
    d = steps(x**4, "x", order=3)
    assert [str(t.result) for t in d.orders] == ["4x^3", "12x^2", "24x"]
    text = render_text(d)
    assert "Second derivative" in text and "Third derivative" in text
    assert text.strip().endswith("Answer: 24x")


def test_shared_steps_are_referred_to():
    text = steps((x**2 - 1) / (x**2 + 1), "x").text()
    assert "(as in step" in text


def test_json_is_data_and_latex_renders():
    d = steps(x**x, "x")
    data = to_dict(d)
    json.dumps(data)
    assert data["result"] == "x^x*(ln(x) + 1)"
    assert data["orders"][0]["substeps"][0]["rule"] == "Logarithmic differentiation"
    latex = render_latex(d)
    assert latex.startswith("$\\begin{array}") and "\\ln" in latex
    assert d._repr_latex_() == latex


def test_partial_derivatives_treat_other_variables_as_constants():
    f = x**2 * y + 3 * y
    assert str(diff(f, "x")) == "2x*y"
    assert str(diff(f, "y")) == "x^2 + 3"
    assert diff(f, "x").evaluate(x=2, y=1) == 4
    assert diff(f, "y").evaluate(x=2, y=1) == 7


def test_several_variables_need_wrt():
    from chainrule.errors import ChainruleError
    with pytest.raises(ChainruleError, match="several variables"):
        diff(x * y)


def test_large_products_stay_linear_in_size():
    f = x
    for i in range(1, 201):
        f = f * (x + i) ** i / (x + 200 + i)
    d = diff(f, "x")
    assert d.node_count() <= 5 * f.node_count()
    # f'/f = 1/x + Σ i/(x+i) − 1/(x+200+i), checked at a point where f is representable
    x0 = 0.5
    expected = 1 / x0 + sum(i / (x0 + i) - 1 / (x0 + 200 + i) for i in range(1, 201))
    ratio = (d / f).evaluate(x=x0)
    assert ratio == pytest.approx(expected, rel=1e-9)


def test_deep_nests_stay_linear_in_size():
    f = x
    for i in range(400):
        f = sin(f) if i % 2 == 0 else cos(f)
    d = diff(f, "x")
    assert d.node_count() <= 5 * f.node_count()
    h = 1e-6
    numeric = (f.evaluate(x=0.3 + h) - f.evaluate(x=0.3 - h)) / (2 * h)
    assert math.isclose(d.evaluate(x=0.3), numeric, rel_tol=1e-5, abs_tol=1e-9)
