"""The parser: the §5 syntax, clear errors for malformed and hostile input, and round trips."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chainrule.core import build
from chainrule.core.build import PI, E, add, apply, const, div, mul, neg, power, sub, symbol
from chainrule.core.expr import Apply, Const, Expr
from chainrule.core.registry import all_primitives
from chainrule.errors import ChainruleError, ParseError
from chainrule.parsing import interpret, parse
from chainrule.printing.text import to_text

x, y, r = symbol("x"), symbol("y"), symbol("r")
theta, w_1 = symbol("θ"), symbol("w_1")


def sin(u: Expr) -> Expr:
    return apply("sin", u)


def cos(u: Expr) -> Expr:
    return apply("cos", u)


def ln(u: Expr) -> Expr:
    return apply("ln", u)


# -- valid input: text → the node built with build.* (identity, not equality) -------------

VALID = [
    # numbers
    ("3", const(3)),
    ("1/3", const(Fraction(1, 3))),
    ("0.5", const(0.5)),
    ("1e-3", const(0.001)),
    ("2.5E+3", const(2500.0)),
    ("2e3", const(2000.0)),
    (".5x", mul(const(0.5), x)),
    # operators and precedence
    ("x + 2*y - 1", add(x, mul(2, y), -1)),
    ("x^2", power(x, 2)),
    ("x**2", power(x, 2)),
    ("x^x^x", power(x, power(x, x))),
    ("(x^x)^x", power(power(x, x), x)),
    ("-x^2", neg(power(x, 2))),
    ("-2^2", const(-4)),
    ("2^-x", power(2, neg(x))),
    ("x^-2", power(x, -2)),
    ("x^-y^2", power(x, neg(power(y, 2)))),
    ("2--x", add(2, x)),
    ("2*-x", mul(-2, x)),
    ("-(x+1)/y", mul(-1, add(x, 1), power(y, -1))),
    ("x - 2y", sub(x, mul(2, y))),
    # implicit multiplication
    ("2x", mul(2, x)),
    ("2 sin(x)", mul(2, sin(x))),
    ("x y", mul(x, y)),
    ("(x+1)(x-1)", mul(add(x, 1), sub(x, 1))),
    ("2(x+1)", mul(2, add(x, 1))),
    ("x(x+1)", mul(x, add(x, 1))),
    ("x^2y", mul(power(x, 2), y)),
    ("e^2x", mul(power(E, 2), x)),
    ("1/2x", div(x, 2)),
    ("x/2y", mul(div(x, 2), y)),
    ("2x^2", mul(2, power(x, 2))),
    # functions with and without parentheses
    ("sin(x)", sin(x)),
    ("sin x", sin(x)),
    ("sin x^2", sin(power(x, 2))),
    ("sin x y", mul(sin(x), y)),
    ("sin 2x", sin(mul(2, x))),
    ("sin 2 x", sin(mul(2, x))),
    ("sin 2(x+1)", sin(mul(2, add(x, 1)))),
    ("sin 2 cos x", mul(sin(const(2)), cos(x))),
    ("sin x cos x", mul(sin(x), cos(x))),
    ("sin -x", sin(neg(x))),
    ("sin cos x", sin(cos(x))),
    ("ln x/x", div(ln(x), x)),
    ("sin(x)^2", power(sin(x), 2)),
    ("sin^2 x", power(sin(x), 2)),
    ("sin^2(x)", power(sin(x), 2)),
    ("cos^3 2x", power(cos(mul(2, x)), 3)),
    ("sin^(1/2) x", power(sin(x), Fraction(1, 2))),
    ("sin(x)cos(x)", mul(sin(x), cos(x))),
    # logarithms and the other names
    ("log(x)", ln(x)),
    ("log x", ln(x)),
    ("ln x", ln(x)),
    ("log(x, 2)", apply("log", x, 2)),
    ("log(x, e)", ln(x)),
    ("log10(x)", apply("log", x, 10)),
    ("log2 x", apply("log", x, 2)),
    ("arcsin x + arccos(x) + arctan x",
     add(apply("asin", x), apply("acos", x), apply("atan", x))),
    ("sqrt(x)", power(x, Fraction(1, 2))),
    ("cbrt x", apply("cbrt", x)),
    ("abs(x)", apply("abs", x)),
    ("|x - 1|", apply("abs", sub(x, 1))),
    ("|x|*|y|", mul(apply("abs", x), apply("abs", y))),
    ("||x| - 1|", apply("abs", sub(apply("abs", x), 1))),
    ("exp(x)", apply("exp", x)),
    ("sinh x + cosh x + tanh x", add(apply("sinh", x), apply("cosh", x), apply("tanh", x))),
    ("sec x csc x cot x", mul(apply("sec", x), apply("csc", x), apply("cot", x))),
    ("log1p(x) - expm1(x)", sub(apply("log1p", x), apply("expm1", x))),
    ("sigmoid(x) + softplus(x) + relu(x) + heaviside(x)",
     add(apply("sigmoid", x), apply("softplus", x), apply("relu", x), apply("heaviside", x))),
    ("logsumexp(x, y, 1)", apply("logsumexp", x, y, 1)),
    # constants and identifiers
    ("e", E),
    ("pi", PI),
    ("π", PI),
    ("e^x", apply("exp", x)),
    ("2pi x", mul(2, PI, x)),
    ("πr^2", mul(PI, power(r, 2))),
    ("θ + w_1 + theta + x2", add(theta, w_1, symbol("theta"), symbol("x2"))),
    ("xy", symbol("xy")),
    ("9^9^9^9", power(9, power(9, power(9, 9)))),
    # whitespace and same-width Unicode operators
    ("  x\n+\t1 ", add(x, 1)),
    ("x − 1", sub(x, 1)),
    ("2×x·y", mul(2, x, y)),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_valid_input(text: str, expected: Expr):
    assert parse(text) is expected


def test_enough_valid_cases():
    assert len(VALID) >= 40


def test_fractions_stay_exact_and_decimals_are_floats():
    assert parse("1/3").value == Fraction(1, 3)
    assert isinstance(parse("2/4").value, Fraction)
    assert isinstance(parse("0.5").value, float)
    assert parse("2^10") is const(1024)


def test_e_to_the_x_is_the_exponential():
    assert parse("e^x") is parse("exp(x)")
    assert isinstance(parse("e^x"), Apply) and parse("e^x").prim.name == "exp"


def test_every_registered_function_name_parses():
    from chainrule.parsing.names import FUNCTIONS
    for name, fn in FUNCTIONS().items():
        args = ", ".join(["x"] * fn.min_args)
        assert isinstance(parse(f"{name}({args})"), Expr), name


# -- interpret -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1/2x", "x/2"),
        ("sin^2 x", "sin(x)^2"),
        ("sin 2x", "sin(2x)"),
        ("sin x y", "y*sin(x)"),
        ("log x", "ln(x)"),
        ("log10(x)", "log(x, 10)"),
        ("x^x^x", "x^(x^x)"),
        ("-x^2", "-x^2"),
        ("e^2x", "x*e^2"),
    ],
)
def test_interpret_echoes_the_reading(text: str, shown: str):
    expr, printed = interpret(text)
    assert expr is parse(text)
    assert printed == shown
    assert parse(printed) is expr


# -- malformed and hostile input -------------------------------------------------------------

INVALID = [
    # (text, column or None when not asserted, a fragment of the message or hint)
    ("", 1, "empty expression"),
    ("   ", 1, "empty expression"),
    ("x +", 4, "end of input"),
    ("(x+1", 1, "missing ')'"),
    ("((x)", 1, "missing ')'"),
    ("x+1)", 4, 'unexpected ")"'),
    ("sin(x))", 7, 'unexpected ")"'),
    ("x^^2", 3, 'unexpected "^"'),
    ("x*/y", 3, 'unexpected "/"'),
    ("()", 2, "empty"),
    ("foo(x)", 1, "unknown function 'foo'"),
    ("Sin(x)", 1, 'did you mean "sin"?'),
    ("2 Log x", 3, 'did you mean "log"?'),
    ("__import__('os')", 1, "unexpected character"),
    ("'x'", 1, "quotes"),
    ("x\x00", 2, "unexpected character"),
    ("x\x07 + 1", 2, "unexpected character"),
    ("x + \U0001F600", 5, "unexpected character"),
    ("x = 1", 3, "equation"),
    ("[x]", 1, "grouping"),
    ("x²", 2, "x^2"),
    ("x!", 2, "unexpected character"),
    ("x;y", 2, "unexpected character"),
    ("_x", 1, "start with a letter"),
    ("x" * 10_485_760, 20_001, "input is 10485760 characters; the limit is 20000"),
    ("(" * 10_000 + "x", 201, "nested too deeply"),
    ("(" * 5_000 + "x" + ")" * 5_000, 201, "nested too deeply"),
    ("-" * 10_000 + "x", 202, "nested too deeply"),
    ("x^" * 5_000 + "x", None, "nested too deeply"),
    ("sin " * 4_000 + "x", None, "nested too deeply"),
    ("1/0", 2, "division by zero"),
    ("x/(1-1)", 2, "division by zero"),
    ("0^-1", 2, "division by zero"),
    ("1e999", 1, "finite"),
    ("9" * 1_200, 1, "too long"),
    ("inf", 1, "not a number"),
    ("x + nan", 5, "not a number"),
    ("sinx", 1, 'did you mean "sin x"?'),
    ("cosx", 1, 'did you mean "cos x"?'),
    ("lnx", 1, 'did you mean "ln x"?'),
    ("sin2x", 1, 'did you mean "sin 2x"?'),
    ("log3(x)", 1, "log(x, 3)"),
    ("coth x", 1, "unknown function 'coth'"),
    ("sin", 4, "sin needs an argument"),
    ("sin + x", 5, "sin needs an argument"),
    ("sin^2", 6, "sin needs an argument"),
    ("2 cos^2 + 1", 9, "cos needs an argument"),
    ("sin^-1 x", 4, "write asin(x) for the inverse, or (sin x)^-1 for the reciprocal"),
    ("sin^-1(x)", 4, "write asin(x) for the inverse"),
    ("ln^-1 x", 3, "(ln x)^-1"),
    ("sin^0 x", 4, "positive"),
    ("sin^x y", 5, "takes a number"),
    ("sin(x, y)", 1, "sin takes 1 argument, got 2"),
    ("log(x, 2, 3)", 1, "log takes 1 or 2 arguments, got 3"),
    ("logsumexp()", 1, "at least 1 argument"),
    ("2 3", 3, 'write "*"'),
    ("x 2", 3, 'write "*"'),
    ("2|x|", 2, "abs"),
    ("|x| |y|", 5, "abs"),
    ("|x", 3, '"|" is never closed'),
    ("x, y", 2, "commas"),
    ("1.2.3", 4, 'unexpected ".3"'),
    (".", 1, "unexpected character"),
    ("x**", 4, "end of input"),
    ("-", 2, "end of input"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), INVALID,
                         ids=[repr(t[:20]) for t, _, _ in INVALID])
def test_invalid_input_raises_a_parse_error(text: str, column: int | None, fragment: str):
    with pytest.raises(ParseError) as info:  # how long each takes: bench/bench_hostile.py
        parse(text)
    err = info.value
    assert fragment in str(err)
    assert isinstance(err.column, int) and err.column >= 1
    if column is not None:
        assert err.column == column
    assert err.text is text
    assert err.hint


def test_enough_invalid_cases():
    assert len(INVALID) >= 35


def test_error_message_format_and_caret():
    with pytest.raises(ParseError) as info:
        parse("sin(x))")
    assert str(info.value) == 'unexpected ")" at column 7 (hint: there is no "(" before it)'
    assert info.value.caret() == "  sin(x))\n        ^"


def test_parse_error_is_a_chainrule_error_not_a_traceback():
    with pytest.raises(ChainruleError):
        parse("x +* y")


def test_non_text_is_refused():
    with pytest.raises(ParseError):
        parse(42)  # type: ignore[arg-type]


def test_large_valid_input_parses():
    text = " + ".join(f"x{i}^2" for i in range(2_000))  # under the length limit
    expr = parse(text)
    assert len(expr.args) == 2_000


# -- round trip: parse(to_text(e)) is e ------------------------------------------------------

_SYMBOLS = [x, y, theta, w_1]
_FLOATS = [0.5, -1.25, 2.0, 1e-20, 3e300]
_SKIP = {"add", "mul", "pow"}
_PRIMS = sorted((name, p.arity) for name, p in all_primitives().items()
                if name not in _SKIP and getattr(p, "symbolic", True))

_EXACT = [const(k) for k in range(-5, 6)] + [const(Fraction(p, q)) for p in (-3, 1, 5)
                                             for q in (2, 4)]
_FLOAT_CONSTS = [const(v) for v in _FLOATS]
_BINARY = {"add": add, "sub": sub, "mul": mul, "div": div, "pow": power}


def _leaf(rnd) -> Expr:
    kind = rnd.randrange(10)
    if kind < 5:
        return rnd.choice(_SYMBOLS)
    if kind < 8:
        return rnd.choice(_EXACT)
    return rnd.choice([E, PI, *_FLOAT_CONSTS])


def _random_tree(rnd, depth: int) -> Expr:
    """A random expression built with build.* only; refusals (1/0, 0^-1) retry smaller."""
    if depth == 0 or rnd.random() < 0.2:
        return _leaf(rnd)
    kind = rnd.randrange(4)
    try:
        if kind == 0:
            name = rnd.choice(sorted(_BINARY))
            return _BINARY[name](_random_tree(rnd, depth - 1), _random_tree(rnd, depth - 1))
        if kind == 1:
            return neg(_random_tree(rnd, depth - 1))
        name, arity = rnd.choice(_PRIMS)
        count = arity if arity is not None else rnd.randint(1, 3)
        return apply(name, *(_random_tree(rnd, depth - 1) for _ in range(count)))
    except (ChainruleError, ArithmeticError):
        return _leaf(rnd)


def _known_printer_issue(e: Expr) -> bool:
    """Shapes whose printed text reads back as a different (equal-valued) node today.

    Each one is a printer/core issue, not a parser one; see the xfail tests below:
    exp(1) prints as ``e^1``, which is the constant e; float coefficients and exponents of
    ±1.0 print as if exact; layout splits ``b^(u - 2)`` into ``b^u/b^2``, which does not
    recombine when ``b`` is a number, a product or a power.
    """
    for node in e.walk():
        if isinstance(node, Const) and isinstance(node.value, float) and abs(node.value) == 1:
            return True
        if build.is_fn(node, "exp") and node.args[0] is build.ONE:
            return True
        if build.is_pow(node) and _splits_badly(*node.args):
            return True
    return False


def _splits_badly(base: Expr, exp: Expr) -> bool:
    if not (isinstance(base, Const) or build.is_mul(base) or build.is_pow(base)):
        return False
    return build.is_add(exp) and any(isinstance(a, Const) for a in exp.args)


@settings(derandomize=True, max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_printed_text_parses_back_to_the_same_node(rnd):
    e = _random_tree(rnd, depth=4)
    assume(not _known_printer_issue(e))
    text = to_text(e)
    assert parse(text) is e, text


@pytest.mark.parametrize(
    "e",
    [
        mul(const(-1.0), x),  # printed -1.0x, not -x
        mul(-1, add(x, apply("cosh", y)), power(apply("expm1", y), -1)),  # -(x + cosh(y))/…
        div(sub(E, 1), mul(-4, apply("ln", x))),
        power(add(x, 1), neg(x)),
        apply("logsumexp", neg(x), div(1, power(x, y))),
    ],
    ids=str,
)
def test_round_trip_regressions(e: Expr):
    assert parse(to_text(e)) is e, to_text(e)


def test_a_number_times_a_sum_below_the_bar_is_written_as_a_textbook_writes_it():
    # y/(5(x + 1)), not y/5/(x + 1): it reads back as y/(5x + 5), the same value
    e = mul(Fraction(1, 5), y, power(add(x, 1), -1))
    assert to_text(e) == "y/(5(x + 1))"
    back = parse(to_text(e))
    assert back.evaluate(x=0.7, y=1.3) == pytest.approx(e.evaluate(x=0.7, y=1.3), rel=1e-15)


_PRINTER_ISSUE = "printer/core issue reported with the parser; remove the mark once fixed"


def test_huge_exact_numbers_parse_and_refuse_float_evaluation():
    from chainrule.errors import DomainError
    e = parse("10^400")
    assert e is const(10**400)
    with pytest.raises(DomainError, match="too large for a float"):
        e.evaluate()


@pytest.mark.parametrize(
    "make",
    [
        lambda: apply("exp", 1),  # was "e^1"; exp(1) is now the constant e
        lambda: mul(y, power(2, add(x, -3))),  # the exponent split is kept to symbol bases
        lambda: mul(y, power(2, add(x, 1))),
        lambda: mul(y, power(mul(PI, w_1), add(x, -4))),
        lambda: mul(y, power(power(x, Fraction(1, 2)), add(y, -2))),
    ],
    ids=["exp(1)", "y*2^(x-3)", "y*2^(x+1)", "y*(pi w_1)^(x-4)", "y*sqrt(x)^(y-2)"],
)
def test_fixed_round_trip_issues(make):
    e = make()
    assert parse(to_text(e)) is e


@pytest.mark.xfail(strict=True, reason=_PRINTER_ISSUE)
@pytest.mark.parametrize(
    "make",
    [
        lambda: power(x, const(-1.0)),  # prints "1/x", which reads as x^-1 (exact)
    ],
    ids=["x^-1.0"],
)
def test_known_round_trip_issues(make):
    e = make()
    assert parse(to_text(e)) is e


# -- fuzz: any token soup is an expression or a ParseError with a column ----------------------

_TOKENS = ["x", "y", "2", "0", "1.5", "1e999", "e", "pi", "θ", "sin", "log", "logsumexp",
           "sinx", "^", "**", "*", "/", "+", "-", "(", ")", ",", "|", " ", ".", "_", "'"]


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25).map("".join))
def test_token_soup_never_crashes(text: str):
    try:
        expr = parse(text)
    except ParseError as err:
        assert isinstance(err.column, int) and 1 <= err.column <= len(text) + 1
        return
    assert isinstance(expr, Expr)
    assert parse(to_text(expr)) is expr or _known_printer_issue(expr)
