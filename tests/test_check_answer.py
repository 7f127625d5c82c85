"""``check_answer`` and ``chainrule check``: equivalence, counterexamples, the mistake made.

The pitfalls are those of seed 000 (logarithmic differentiation) and seed 004 (the product
rule is not (fg)′ = f′g′, the square is not (f′)²), each caught with the rule named.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

import chainrule
from chainrule.cli.check_command import register
from chainrule.errors import ChainruleError, ParseError
from chainrule.explain.statements import left_side
from chainrule.tutor import AnswerCheck, check_answer

# -- the pitfalls ---------------------------------------------------------------------------

# (function, wrong answer, mistake code, rule, rule of the first wrong step, phrase)
PITFALLS = [
    ("x^x", "x*x^(x-1)", "power_rule_on_variable_exponent", "Power rule",
     "Logarithmic differentiation", "power rule"),
    ("x^x", "x^x ln x", "exponential_rule_on_variable_base", "Exponential rule",
     "Logarithmic differentiation", "exponential rule"),
    ("x^2 sin(x)", "2x cos(x)", "product_of_derivatives", "Product rule", "Product rule",
     "not the product of the derivatives"),
    ("x e^x", "e^x", "product_of_derivatives", "Product rule", "Product rule", "Product rule"),
    ("x^3 ln(x)", "3x^2/x", "product_of_derivatives", "Product rule", "Product rule",
     "Product rule"),
    ("sin^2 x", "cos^2 x", "square_of_derivative", "Chain rule", "Chain rule",
     "not (f′)²"),
    ("(x^2+1)^2", "(2x)^2", "square_of_derivative", "Chain rule", "Chain rule", "chain rule"),
    ("sin(x^2)", "cos(x^2)", "missing_inner_derivative", "Chain rule", "Chain rule",
     "inner derivative"),
    ("e^(3x)", "e^(3x)", "missing_inner_derivative", "Chain rule", "Chain rule",
     "inner derivative"),
    ("ln(x^2+1)", "1/(x^2+1)", "missing_inner_derivative", "Chain rule", "Chain rule",
     "u′ = 2x"),
    ("x/(x^2+1)", "((x^2+1) + x*2x)/(x^2+1)^2", "quotient_rule_sign", "Quotient rule",
     "Quotient rule", "wrong sign"),
    ("x/(x^2+1)", "(x*2x - (x^2+1))/(x^2+1)^2", "quotient_rule_sign", "Quotient rule",
     "Quotient rule", "wrong sign"),
    ("sin(x)/x", "(sin x - x cos x)/x^2", "quotient_rule_sign", "Quotient rule",
     "Quotient rule", "wrong sign"),
    ("x/(x^2+1)", "(1-x^2)/(x^2+1)", "quotient_rule_denominator", "Quotient rule",
     "Quotient rule", "square of the denominator"),
    ("sin(x)/x", "(x cos x - sin x)/x", "quotient_rule_denominator", "Quotient rule",
     "Quotient rule", "square of the denominator"),
    ("x^x", "ln x + 1", "logdiff_missing_chain_on_ln_y", "Logarithmic differentiation",
     "Differentiate both sides", "chain rule"),
    ("x^(sin x)", "cos(x) ln(x) + sin(x)/x", "logdiff_missing_chain_on_ln_y",
     "Logarithmic differentiation", "Differentiate both sides", "(1/y)·y′"),
    ("x^2 sin(x)", "2/x + cot(x)", "logdiff_missing_chain_on_ln_y",
     "Logarithmic differentiation", "Differentiate both sides", "(1/y)·y′"),
    ("x^x", "y(ln x + 1)", "logdiff_y_not_substituted", "Logarithmic differentiation",
     "Multiply by y and substitute y back", "still contains y"),
    ("x^2 sin(x)", "y(2/x + cot x)", "logdiff_y_not_substituted",
     "Logarithmic differentiation", "Multiply by y and substitute y back", "y = x^2*sin(x)"),
    ("cos(x)", "sin(x)", "sign_error", "Cosine rule", "Cosine rule", "sign"),
    ("cos(3x)", "3 sin(3x)", "sign_error", "Cosine rule", "Cosine rule", "sign"),
    ("x^3", "x^2", "power_rule_missing_coefficient", "Power rule", "Power rule",
     "factor 3"),
    ("x^3", "3x^3", "power_rule_exponent_not_reduced", "Power rule", "Power rule",
     "lowers the exponent"),
    ("2^x", "x*2^(x-1)", "power_rule_on_exponential", "Power rule", "Exponential rule",
     "exponential rule"),
    ("x^2 + 3x", "2x", "missing_term", "Constant multiple rule", "Constant multiple rule",
     "leaves out"),
]


@pytest.mark.parametrize(("expr", "answer", "code", "rule", "step_rule", "phrase"), PITFALLS)
def test_pitfall_is_caught_with_its_rule(expr, answer, code, rule, step_rule, phrase):
    r = check_answer(expr, answer)
    assert not r.equivalent
    assert r.mistake == code, r.explanation
    assert r.rule == rule
    assert rule.lower() in r.explanation.lower()
    assert phrase.lower() in r.explanation.lower(), r.explanation
    assert r.first_wrong_step is not None and r.first_wrong_step.rule == step_rule
    assert r.correct is chainrule.diff(expr)
    assert str(r.correct) in r.explanation


def test_power_rule_on_x_to_the_x_names_the_log_diff_step():
    r = check_answer("x^x", "x*x^(x-1)")
    assert str(r.first_wrong_step.expr) == "x^x"
    assert "logarithmic differentiation" in r.explanation.lower()
    assert "x^x*(ln(x) + 1)" in r.explanation


def test_missing_chain_on_ln_y_points_at_the_differentiate_stage():
    r = check_answer("x^x", "ln(x) + 1")
    assert left_side(r.first_wrong_step) == "(1/y)·y′"
    assert str(r.first_wrong_step.result) == "ln(x) + 1"


def test_y_not_substituted_has_no_counterexample_and_is_not_equivalent():
    r = check_answer("x^x", "y*(ln(x) + 1)")
    assert not r.equivalent and r.counterexample is None
    assert "x^x*(ln(x) + 1)" in r.explanation


def test_y_answer_that_is_wrong_even_after_substitution():
    r = check_answer("x^x", "y ln x")
    assert not r.equivalent
    assert r.mistake == "exponential_rule_on_variable_base"
    assert "substituted" in r.explanation and r.counterexample is not None


def test_chain_rule_step_names_its_inner_function():
    r = check_answer("sin(x^2)", "cos(x^2)")
    assert str(r.first_wrong_step.inner) == "x^2"


def test_product_rule_mistake_inside_a_constant_multiple():
    r = check_answer("5x^2 sin(x)", "10x cos(x)")
    assert r.mistake == "product_of_derivatives" and r.rule == "Product rule"
    assert str(r.first_wrong_step.expr) in ("x^2*sin(x)", "5x^2*sin(x)")


def test_mistake_in_the_second_derivative():
    r = check_answer("x^2 sin(x)", "2cos(x) - 2x sin(x)", order=2)  # (fg)′ = f′g′, then right
    assert not r.equivalent
    assert r.mistake == "product_of_derivatives" and r.rule == "Product rule"
    assert "order 1" in r.explanation
    r = check_answer("x^3", "3x", order=2)  # the second pass forgot the 2
    assert r.mistake == "power_rule_missing_coefficient" and "order 2" in r.explanation


def test_whole_answer_off_by_a_sign_or_a_factor():
    r = check_answer("x^2 sin(x)", "-2x sin(x) - x^2 cos(x)")
    assert r.mistake == "sign_error" and "negative" in r.explanation
    r = check_answer("x^2 sin(x)", "4x sin(x) + 2x^2 cos(x)")
    assert r.mistake == "constant_factor" and "2 times" in r.explanation
    assert r.first_wrong_step is None


# -- equivalent answers, written differently --------------------------------------------

EQUIVALENT = [
    ("x^x", "x^x(ln x + 1)"),
    ("x^x", "x^x ln x + x^x"),
    ("x^x", "e^(x ln x)(1 + ln x)"),
    ("x^x", "x^x + x^x ln(x)"),
    ("tan(x)", "sec(x)^2"),
    ("tan(x)", "1 + tan(x)^2"),
    ("tan(x)", "1/cos(x)^2"),
    ("sec(x)^2 - 1", "2 sec(x)^2 tan(x)"),
    ("sin(x)^2", "2 sin x cos x"),
    ("sin^2 x", "sin(2x)"),
    ("cos(x)^2", "-sin(2x)"),
    ("cos(x)^2 - sin(x)^2", "-2 sin(2x)"),
    ("x/(x^2+1)", "(1-x^2)/(x^2+1)^2"),
    ("x/(x^2+1)", "1/(x^2+1) - 2x^2/(x^2+1)^2"),
    ("sigmoid(x)", "sigmoid(x)(1 - sigmoid(x))"),
    ("sigmoid(x)", "e^(-x)/(1+e^(-x))^2"),
    ("1/(1+e^(-x))", "e^(-x)/(1+e^(-x))^2"),
    ("1/(1+e^(-x))", "sigmoid(x)(1 - sigmoid(x))"),
    ("softplus(x)", "sigmoid(x)"),
    ("x^2 sin x", "2x sin x + x^2 cos x"),
    ("x^2 sin x", "x(2 sin x + x cos x)"),
    ("e^x ln x", "e^x (ln x + 1/x)"),
    ("x^3 e^x", "e^x x^2 (3 + x)"),
    ("(x^2-1)/(x^2+1)", "4x/(x^2+1)^2"),
    ("sin(x)/x", "(x cos x - sin x)/x^2"),
    ("sin(x)/x", "cos(x)/x - sin(x)/x^2"),
    ("sqrt(x)", "1/(2 sqrt(x))"),
    ("sqrt(x)", "0.5 x^(-1/2)"),
    ("ln(x^2)", "2/x"),
    ("ln(sin x)", "cot x"),
    ("ln(sin x)", "cos(x)/sin(x)"),
    ("ln(cos x)", "-tan x"),
    ("e^(2x)", "2 e^x e^x"),
    ("2^x", "2^x ln 2"),
    ("2^x", "ln(2) e^(x ln 2)"),
    ("x^(1/x)", "x^(1/x)(1 - ln x)/x^2"),
    ("x^(sin x)", "x^(sin x)(cos x ln x + sin(x)/x)"),
    ("(sin x)^x", "(sin x)^x (ln(sin x) + x cot x)"),
    ("(x+1)^3", "3x^2 + 6x + 3"),
    ("(x+1)^2 (x-1)", "3x^2 + 2x - 1"),
    ("atan(x)", "1/(1+x^2)"),
    ("asin(x)", "(1-x^2)^(-1/2)"),
    ("tanh(x)", "1 - tanh(x)^2"),
    ("tanh(x)", "1/cosh(x)^2"),
    ("cosh(x)^2", "sinh(2x)"),
    ("e^(sin x)", "cos(x) e^(sin x)"),
    ("sin(x^2)", "2x cos(x^2)"),
    ("1/x", "-x^(-2)"),
    ("exp(x)/x", "exp(x)(x - 1)/x^2"),
    ("x^4", "4 x x x x / x"),
]


@pytest.mark.parametrize(("expr", "answer"), EQUIVALENT)
def test_equivalent_answer_is_accepted(expr, answer):
    r = check_answer(expr, answer)
    assert r.equivalent, r.explanation
    assert r.counterexample is None and r.mistake is None and r.first_wrong_step is None
    assert r.explanation.startswith("Equivalent")


def test_there_are_enough_equivalent_cases():
    assert len(EQUIVALENT) >= 40


@pytest.mark.parametrize(("expr", "answer", "wrt", "order"), [
    ("x^2 y", "2x y", "x", 1),
    ("x^2 y", "x^2", "y", 1),
    ("t^3", "3t^2", "x", 1),  # no x, one variable: that one
    ("x^4", "12x^2", "x", 2),
    ("sin(x)", "-sin(x)", "x", 2),
    ("x^x", "x^x (ln(x) + 1)^2 + x^(x-1)", "x", 2),
])
def test_equivalent_with_variables_and_orders(expr, answer, wrt, order):
    assert check_answer(expr, answer, wrt=wrt, order=order).equivalent


# -- wrong answers and their counterexamples -------------------------------------------------

WRONG = [
    ("x^2", "2x + 1"),
    ("x^3", "3x^3"),
    ("sin x", "-cos x"),
    ("tan(x)", "sec(x)"),
    ("ln(x^2+1)", "2x/(x^2+1)^2"),
    ("x e^x", "x e^x - e^x"),
    ("(x^2+1)^3", "3(x^2+1)^2"),
    ("sin(x)/x", "cos(x)"),
    ("5 sin(x)", "sin(x)"),
    ("sqrt(x^2+1)", "1/(2 sqrt(x^2+1))"),
    ("x^2 cos x", "2x cos x + x^2 sin x"),
    ("x^x", "x^x"),
    ("x^x", "x^(x-1)"),
    ("sin(x)^3", "cos(x)^3"),
    ("atan(x^2)", "1/(1+x^4)"),
    ("x^2 ln x", "2x ln x"),
    ("sin(cos x)", "cos(cos x)"),
    ("x/(x+1)", "1/(x+1)"),
    ("ln(abs(x))", "1/abs(x)"),
    ("x^2 + sin x", "2x + cos x + 1"),
    ("x^x", "x^x (ln x + 1.000001)"),
    ("x^2 y", "2x"),
]


@pytest.mark.parametrize(("expr", "answer"), WRONG)
def test_wrong_answer_has_a_real_counterexample(expr, answer):
    r = check_answer(expr, answer)
    assert not r.equivalent
    point = r.counterexample
    assert point is not None and "x" in point
    mine = chainrule.parse(answer).evaluate(**point)
    right = chainrule.diff(expr, "x").evaluate(**point)
    assert abs(mine - right) > 1e-9 * max(1.0, abs(right))
    chainrule.parse(expr).evaluate(**point)  # inside the function's domain
    assert str(r.correct) in r.explanation
    assert "At x = " in r.explanation


def test_there_are_enough_wrong_cases():
    assert len(WRONG) >= 15


def test_wrong_terms_are_named_when_no_rule_explains_them():
    r = check_answer("x^2 + sin x", "2x + cos x + 1")
    assert r.mistake is None
    assert "extra 1" in r.explanation


def test_answer_undefined_everywhere_the_function_is():
    r = check_answer("x^3", "ln(-x^2 - 1)")
    assert not r.equivalent and "undefined" in r.explanation
    assert r.counterexample is not None


# -- domains ---------------------------------------------------------------------------------

def test_derivative_of_ln_abs_x_is_one_over_x_everywhere():
    r = check_answer("ln(abs(x))", "1/x")
    assert r.equivalent
    assert "where the function is defined" not in r.explanation


def test_one_over_x_for_ln_x_is_equivalent_where_ln_is_defined():
    r = check_answer("ln(x)", "1/x")
    assert r.equivalent
    assert "equivalent where the function is defined" in r.explanation
    r = check_answer("ln(x)", "1/abs(x)")
    assert r.equivalent and "where the function is defined" in r.explanation


def test_answer_defined_on_less_is_accepted_with_a_note():
    r = check_answer("cbrt(x)", "(1/3) x^(-2/3)")
    assert r.equivalent
    assert "undefined at" in r.explanation


# -- errors ----------------------------------------------------------------------------------

def test_answer_with_a_foreign_variable_is_an_error():
    with pytest.raises(ChainruleError, match="z"):
        check_answer("x^2", "2z")


def test_unparseable_answer_is_a_parse_error_with_column():
    with pytest.raises(ParseError) as info:
        check_answer("x^2", "2x +")
    assert info.value.column is not None
    assert "answer" in str(info.value)


def test_bad_order_and_nowhere_defined_function():
    with pytest.raises(ChainruleError):
        check_answer("x^2", "2x", order=0)
    with pytest.raises(ChainruleError, match="no point"):
        check_answer("ln(-x^2 - 1)", "x")


# -- results ---------------------------------------------------------------------------------

def test_deterministic():
    a = check_answer("x^2 sin(x)", "2x cos(x)")
    b = check_answer("x^2 sin(x)", "2x cos(x)")
    assert a.counterexample == b.counterexample and a.explanation == b.explanation
    c = check_answer("x^2 sin(x)", "2x cos(x)", seed=1)
    assert c.mistake == a.mistake and c.counterexample != a.counterexample


def test_to_dict_is_json_ready():
    r = check_answer("x^x", "x*x^(x-1)")
    assert isinstance(r, AnswerCheck) and str(r) == r.explanation
    data = json.loads(json.dumps(r.to_dict()))
    assert set(data) == {"equivalent", "explanation", "counterexample", "correct", "mistake",
                         "rule", "first_wrong_step"}
    assert data["correct"] == "x^x*(ln(x) + 1)"
    assert data["first_wrong_step"]["rule"] == "Logarithmic differentiation"


def test_accepts_expressions():
    x = chainrule.symbol("x")
    assert check_answer(x ** 3, 3 * x ** 2).equivalent


# -- the command line --------------------------------------------------------------------------

def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, so the command is called by its name
    register(app)
    return app


runner = CliRunner()


def run(*args: str):
    return runner.invoke(_app(), ["check", *args], env={"NO_COLOR": "1"})


def test_cli_text_for_a_wrong_answer():
    r = run("x^x", "--answer", "x*x^(x-1)")
    assert r.exit_code == 1, r.output
    assert "not equivalent" in r.output
    assert "power_rule_on_variable_exponent (Power rule)" in r.output
    assert "x^x*(ln(x) + 1)" in r.output


def test_cli_text_for_a_right_answer():
    r = run("sin^2 x", "--answer", "sin(2x)")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("equivalent")


def test_cli_json():
    r = run("sin(x^2)", "--answer", "cos(x^2)", "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert set(data) == {"equivalent", "explanation", "counterexample", "correct", "mistake",
                         "rule", "first_wrong_step"}
    assert data["mistake"] == "missing_inner_derivative" and data["rule"] == "Chain rule"
    assert data["correct"] == "2x*cos(x^2)"
    assert data["first_wrong_step"]["rule"] == "Chain rule"
    assert set(data["counterexample"]) == {"x"}


def test_cli_wrt_and_order():
    r = run("x^2 y", "--answer", "x^2", "--wrt", "y", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["equivalent"] is True
    r = run("x^4", "--answer", "12x^2", "--order", "2")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(("args", "message"), [
    (("x^2", "--answer", "2x +"), "in the answer"),
    (("x^2", "--answer", "2z"), "uses z"),
    (("x^2", "--answer", "2x", "--format", "xml"), "unknown format"),
])
def test_cli_errors_are_one_clear_line(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_the_same_mistake_made_at_every_chain_rule():
    r = check_answer("sin(x^2) + cos(x^3)", "cos(x^2) - sin(x^3)")
    assert r.mistake == "missing_inner_derivative" and r.rule == "Chain rule"
    assert "every chain rule" in r.explanation
    assert r.first_wrong_step.rule == "Chain rule"


def test_a_mistake_inside_a_chain_of_single_links_is_found():
    # sin(x²): x² is a link of a nest only its parent uses, which plain diff walks in one
    # loop; the diagnosis still tries each link as a site (the factor 2 of x² left out)
    r = check_answer("sin(x^2)", "x cos(x^2)")
    assert r.mistake == "power_rule_missing_coefficient"
