"""Abstract functions: ``f(x)``, ``g(x)``, ``f(g(x))`` differentiate to the rules themselves
(seed 004's product and quotient rules, the chain rule), checked against SymPy's undefined
functions."""

from __future__ import annotations

import pytest
import sympy as sp
from typer.testing import CliRunner

import chainrule
from chainrule.cli.main import app
from chainrule.core.abstract import abstract_function, is_abstract
from chainrule.errors import ChainruleError

X = sp.Symbol("x")

# (typed, the rule as a textbook states it)
RULES = [
    ("f(g(x))", "f′(g(x))*g′(x)"),
    ("f(x)*g(x)", "f(x)*g′(x) + f′(x)*g(x)"),
    ("f(x)/g(x)", "(f′(x)*g(x) - f(x)*g′(x))/g(x)^2"),
    ("f(x) + g(x)", "f′(x) + g′(x)"),
    ("3f(x)", "3*f′(x)"),
    ("f(x)^2", "2*f(x)*f′(x)"),
    ("e^(f(x))", "e^f(x)*f′(x)"),
    ("sin(h(x))", "cos(h(x))*h′(x)"),
    ("u(x) v(x)", "u(x)*v′(x) + u′(x)*v(x)"),
]


@pytest.mark.parametrize(("typed", "rule"), RULES)
def test_the_rules_come_out_in_prime_notation(typed, rule):
    d = chainrule.diff(typed)  # no wrt: x is the only free symbol
    assert str(d) == rule
    want = sp.diff(chainrule.parse(typed).to_sympy(), X)
    assert sp.simplify((d.to_sympy() - want).doit()) == 0


def test_second_derivative_of_a_composition():
    d = chainrule.diff("f(g(x))", order=2)
    want = sp.diff(chainrule.parse("f(g(x))").to_sympy(), X, 2)
    assert sp.simplify((d.to_sympy() - want).doit()) == 0
    assert "f″(g(x))" in str(d)


def test_the_steps_name_the_rules_and_say_u():
    text = chainrule.steps("f(g(x))").text(detail="full")
    assert "Chain rule: d/dx [f(g(x))] = f′(g(x))*g′(x)" in text
    assert "d/du [f(u)] = f′(u), with u = g(x)" in text


def test_known_names_keep_their_meaning_and_spaces_multiply():
    assert str(chainrule.parse("sin(x) + exp(x)")) == "e^x + sin(x)"
    assert str(chainrule.parse("x(x + 1)")) == "x*(x + 1)"
    assert str(chainrule.parse("f (x)")) == "f*x"
    assert not any(is_abstract(n.prim) for n in chainrule.parse("e(x)").walk()
                   if hasattr(n, "prim"))


def test_an_abstract_function_has_no_value_and_one_argument():
    with pytest.raises(ChainruleError, match="abstract function"):
        chainrule.parse("f(x)").evaluate(x=1.0)
    with pytest.raises(ChainruleError, match="takes 1 argument"):
        chainrule.parse("f(x, y)")
    assert abstract_function("g", 1) is abstract_function("g", 1)


def test_cli_differentiates_abstract_functions_without_wrt():
    result = CliRunner().invoke(app, ["diff", "f(x)/g(x)"])
    assert result.exit_code == 0, result.output
    assert "(f′(x)*g(x) - f(x)*g′(x))/g(x)^2" in result.output
    bad = CliRunner().invoke(app, ["diff", "f(g(x))", "--at", "x=1"])
    assert bad.exit_code == 2 and "abstract function" in bad.output
