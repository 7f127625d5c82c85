"""The MathML printer: exact markup, well-formed XML, the text printer's arrangement, budgets."""

from __future__ import annotations

import doctest
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule.printing.mathml as mathml_module
from chainrule import diff, parse
from chainrule.core.build import PI, E, apply, const, symbol
from chainrule.errors import BudgetError
from chainrule.printing.mathml import (
    MATHML_NS,
    derivative_operator,
    fragment,
    number_mathml,
    symbol_mathml,
    to_mathml,
)

x, y = symbol("x"), symbol("y")
M = "<mo>\u2212</mo>"  # minus
T = "<mo>&#x2062;</mo>"  # invisible times
A = "<mo>&#x2061;</mo>"  # function application


def f(name, *args):
    return apply(name, *args)


def fn(name, arg):
    return f"<mrow><mi>{name}</mi>{A}<mrow><mo>(</mo>{arg}<mo>)</mo></mrow></mrow>"


CASES = [
    (lambda: x, "<mi>x</mi>"),
    (lambda: const(3), "<mn>3</mn>"),
    (lambda: const(-3), f"{M}<mn>3</mn>"),
    (lambda: const(Fraction(3, 4)), "<mfrac><mn>3</mn><mn>4</mn></mfrac>"),
    (lambda: 2 * x, f"<mn>2</mn>{T}<mi>x</mi>"),
    (lambda: -x, f"{M}<mi>x</mi>"),
    (lambda: x - y, f"<mi>x</mi>{M}<mi>y</mi>"),
    (lambda: x + 1, "<mi>x</mi><mo>+</mo><mn>1</mn>"),
    (lambda: x**2, "<msup><mi>x</mi><mn>2</mn></msup>"),
    (lambda: x**x, "<msup><mi>x</mi><mi>x</mi></msup>"),
    (lambda: 1 / x, "<mfrac><mn>1</mn><mi>x</mi></mfrac>"),
    (lambda: -x / 2, f"{M}<mfrac><mi>x</mi><mn>2</mn></mfrac>"),
    (lambda: 2 * 3**x, "<mn>2</mn><mo>\u00b7</mo><msup><mn>3</mn><mi>x</mi></msup>"),
    (lambda: 2 * PI, f"<mn>2</mn>{T}<mi>π</mi>"),
    (lambda: E**x, "<msup><mi>e</mi><mi>x</mi></msup>"),
    (lambda: f("exp", -x), f"<msup><mi>e</mi><mrow>{M}<mi>x</mi></mrow></msup>"),
    (lambda: f("sqrt", x + 1), "<msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt>"),
    (lambda: (x + 1) ** Fraction(1, 2), "<msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt>"),
    (lambda: f("cbrt", x), "<mroot><mi>x</mi><mn>3</mn></mroot>"),
    (lambda: f("abs", x), "<mrow><mo>|</mo><mi>x</mi><mo>|</mo></mrow>"),
    (lambda: f("ln", x), fn("ln", "<mi>x</mi>")),
    (lambda: f("asin", x), fn("arcsin", "<mi>x</mi>")),
    (lambda: f("sigmoid", x), fn("σ", "<mi>x</mi>")),
    (lambda: f("heaviside", x), fn("H", "<mi>x</mi>")),
    (lambda: f("sin", x) ** 2,
     f"<mrow><msup><mi>sin</mi><mn>2</mn></msup>{A}<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow>"
     "</mrow>"),
    (lambda: f("log", x, const(2)),
     f"<mrow><msub><mi>log</mi><mn>2</mn></msub>{A}<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow>"
     "</mrow>"),
    (lambda: (x + 1) ** 2,
     "<msup><mrow><mo>(</mo><mi>x</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow><mn>2</mn></msup>"),
    (lambda: x * (x + 1),
     f"<mi>x</mi>{T}<mrow><mo>(</mo><mi>x</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow>"),
    (lambda: const(1e-20) * x,
     f"<mn>1</mn><mo>\u00b7</mo><msup><mn>10</mn><mrow>{M}<mn>20</mn></mrow></msup>"
     "<mo>\u00b7</mo><mi>x</mi>"),
    (lambda: symbol("theta"), "<mi>θ</mi>"),
    (lambda: symbol("w_1"), "<msub><mi>w</mi><mi>1</mi></msub>"),
    (lambda: symbol("x12"), "<msub><mi>x</mi><mn>12</mn></msub>"),
]


@pytest.mark.parametrize("make, want", CASES, ids=[w[:40] for _, w in CASES])
def test_exact_markup(make, want):
    assert fragment(make()) == want


def test_thin_space_before_a_function_after_a_factor():
    assert fragment(x * f("ln", x)) == (
        f'<mi>x</mi>{T}<mspace width="0.17em"/>{fn("ln", "<mi>x</mi>")}')


def test_seed_answer_x_to_the_x():
    got = fragment(diff("x^x"))
    assert got == (f"<msup><mi>x</mi><mi>x</mi></msup>{T}<mrow><mo>(</mo>{fn('ln', '<mi>x</mi>')}"
                   "<mo>+</mo><mn>1</mn><mo>)</mo></mrow>")


def test_fraction_of_the_seeds():
    got = fragment(parse("4x/(x^2+1)^2"))
    assert got.startswith(f"<mfrac><mrow><mn>4</mn>{T}<mi>x</mi></mrow><msup>")
    assert got.endswith("<mn>2</mn></msup></mfrac>")


def test_math_element_and_display():
    assert to_mathml(x) == f'<math xmlns="{MATHML_NS}"><mi>x</mi></math>'
    assert ' display="block"' in to_mathml(x, display=True)


def test_names_are_escaped():
    # the parser never makes such names, but a hand-built symbol must not inject markup
    assert symbol_mathml("a<b") == "<mi>a&lt;b</mi>"
    assert "<script" not in fragment(symbol("<script>"))


def test_numbers():
    assert number_mathml(2.5) == ("<mn>2.5</mn>", 40)
    assert number_mathml(Fraction(-1, 2))[0] == f"{M}<mfrac><mn>1</mn><mn>2</mn></mfrac>"
    assert number_mathml(float("inf"))[0] == "<mi>∞</mi>"


def test_derivative_operator():
    assert derivative_operator("x", 2) == ("<mfrac><msup><mi>d</mi><mn>2</mn></msup><mrow>"
                                          "<mi>d</mi><msup><mi>x</mi><mn>2</mn></msup></mrow>"
                                          "</mfrac>")


def _xml(markup: str) -> ET.Element:
    text = markup.replace("&#x2062;", "\u2062").replace("&#x2061;", "\u2061")
    return ET.fromstring(text)


def _leaves(markup: str) -> list[str]:
    return [e.text for e in _xml(markup).iter() if e.text and e.text.strip()]


EXPRESSIONS = ["x^x*(ln(x) + 1)", "sin(x)^cos(x)/(1 + x^2)", "e^(-x)/(1 + e^(-x))^2",
               "sqrt(x^2 + 1)*tan(x)", "-3x^2/(4y)", "log(x, 2) + cbrt(x) - abs(x)",
               "sigmoid(x)*(1 - sigmoid(x))", "2*3^x + pi*x"]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_well_formed_xml_and_derivatives(text):
    for expr in (parse(text), diff(parse(text), "x")):
        root = _xml(to_mathml(expr, display=True))
        assert root.tag == f"{{{MATHML_NS}}}math"


def test_leaves_follow_the_text_printer():
    """Same arrangement as the text printer: the names and numbers appear in the same order."""
    for text in EXPRESSIONS:
        if "log(" in text:  # the base is drawn as a subscript, before the argument
            continue
        e = parse(text)
        names = [t for t in _leaves(to_mathml(e)) if re.fullmatch(r"[a-zA-Zπσ]+|\d+", t)]
        plain = re.findall(r"[a-zA-Z]+|\d+", str(e))
        plain = [{"pi": "π", "sigmoid": "σ"}.get(t, t) for t in plain]
        # the text printer spells sqrt/cbrt/abs as names; MathML draws them
        plain = [t for t in plain if t not in ("sqrt", "cbrt", "abs")]
        names = [t for t in names if t != "3" or "cbrt" not in text]
        assert names == plain, text


LEAF = st.sampled_from(["x", "y", "2", "1/3", "pi", "e", "0.5"])


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(LEAF)
    a = draw(expressions(depth=depth - 1))
    b = draw(expressions(depth=depth - 1))
    form = draw(st.sampled_from(["({}) + ({})", "({}) - ({})", "({})*({})", "({})/({})",
                                 "({})^({})", "sin({})", "ln({})", "sqrt({})", "exp({})",
                                 "abs({})", "tan({})^2"]))
    return form.format(a, b)


@settings(max_examples=150)
@given(expressions())
def test_any_expression_is_well_formed(text):
    try:
        e = parse(text)
    except Exception:  # noqa: BLE001 - e.g. a constant folded out of range
        return
    root = _xml(to_mathml(e))
    assert root.tag.endswith("math")
    for el in root.iter():
        if el.tag.endswith(("msup", "mfrac", "msub", "mroot")):
            assert len(el) == 2, ET.tostring(el, encoding="unicode")


def test_deep_chain_prints_and_memory_is_released():
    e = x
    for _ in range(5000):
        e = apply("sin", e)
    out = fragment(e)
    assert out.count("<mi>sin</mi>") == 5000
    _xml(f'<math xmlns="{MATHML_NS}">{out}</math>')


def test_shared_subexpressions_budget():
    e = x + 1
    for _ in range(40):  # a DAG of 80 nodes whose printed form doubles at each level
        e = e * (e + 1)
    with pytest.raises(BudgetError, match="too large to show as MathML"):
        fragment(e)
    with pytest.raises(BudgetError):
        fragment(parse("(x+1)^2*(x+2)"), max_chars=20)


def test_doctests():
    result = doctest.testmod(mathml_module)
    assert result.failed == 0 and result.attempted > 0
