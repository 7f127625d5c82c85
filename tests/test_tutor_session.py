"""Tutor mode: sessions played along correct, wrong and alternative paths, the graded hints,
the stateless JSON exchange, and ``chainrule tutor --json``.

The oracle for every accepted line is SymPy: the line, with its pending derivatives taken by
SymPy, must equal SymPy's derivative of the problem.
"""

from __future__ import annotations

import json
import re

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)
from typer.testing import CliRunner

from chainrule.cli.main import app
from chainrule.cli.tutor_command import request_of
from chainrule.errors import ChainruleError
from chainrule.tutor.lines import read_line
from chainrule.tutor.session import Tutor, respond

X = sp.Symbol("x")


READ = (*standard_transformations, implicit_multiplication_application, convert_xor)


def sympy_of(text: str, **names: sp.Expr) -> sp.Expr:
    return parse_expr(text, {"x": X, "ln": sp.log, "e": sp.E, **names}, transformations=READ)


def sympy_line(text: str) -> sp.Expr:
    """A learner's line read by SymPy alone: each d/dx [g] becomes SymPy's diff(g)."""
    parts: list[sp.Expr] = []

    def take(m: re.Match) -> str:
        parts.append(sp.diff(sympy_of(m.group(1)), X))
        return f" D{len(parts) - 1} "
    src = re.sub(r"d/dx \[([^\[\]]*)\]", take, text)
    return sympy_of(src, **{f"D{k}": p for k, p in enumerate(parts)})


def assert_true_line(problem: str, line: str) -> None:
    want = sp.diff(sympy_of(problem), X)
    got = sympy_line(line)
    for v in (0.31, 0.77, 1.9, 2.6):
        assert complex(got.subs(X, v)) == pytest.approx(complex(want.subs(X, v)), rel=1e-9)


# (problem, lines along a path, the rules each line is justified by)
PATHS = [
    ("sin(x^2)", ["cos(x^2) * d/dx [x^2]", "2x cos(x^2)"], [["Chain rule"], ["Power rule"]]),
    ("x^2 sin(x)", ["d/dx [x^2] sin(x) + x^2 d/dx [sin(x)]", "2x sin(x) + x^2 cos(x)"],
     [["Product rule"], ["Power rule", "Sine rule"]]),
    ("sin(x)/x", ["(x (sin(x))' - sin(x) (x)')/x^2", "(x cos(x) - sin(x))/x^2"],
     [["Quotient rule"], ["Sine rule", "Identity rule"]]),
    # skipping every intermediate line is a valid path too
    ("exp(3x) ln(x)", ["3exp(3x) ln(x) + exp(3x)/x"], [["Product rule"]]),
    # an alternative path: rewrite first (no derivative taken: algebra), then the power rule
    ("(x^2 + 1)^2", ["d/dx [x^4 + 2x^2 + 1]", "4x^3 + 4x"], [["Algebra"], ["Sum rule"]]),
]


@pytest.mark.parametrize(("problem", "lines", "rules"), PATHS)
def test_a_valid_path_is_accepted_line_by_line(problem, lines, rules):
    t = Tutor(problem)
    for k, (line, want) in enumerate(zip(lines, rules, strict=True), start=1):
        r = t.submit(line)
        assert r.valid, r.message
        assert r.rules == want
        assert r.step == k
        assert_true_line(problem, r.line)
    assert r.done and t.done and r.pending == []


# (problem, wrong line, mistake code, rule misapplied)
WRONG = [
    ("sin(x^2)", "cos(x^2)", "missing_inner_derivative", "Chain rule"),
    ("x^2 sin(x)", "2x cos(x)", "product_of_derivatives", "Product rule"),
    ("sin(x)/x", "(sin(x) + x cos(x))/x^2", "quotient_rule_sign", "Quotient rule"),
    ("x^x", "x x^(x-1)", "power_rule_on_variable_exponent", "Power rule"),
]


@pytest.mark.parametrize(("problem", "line", "code", "rule"), WRONG)
def test_a_wrong_line_names_the_mistake_and_keeps_the_state(problem, line, code, rule):
    t = Tutor(problem)
    r = t.submit(line)
    assert not r.valid and r.rules == []
    assert (r.mistake, r.mistake_rule) == (code, rule)
    at = r.counterexample
    got = complex(sympy_line(r.line).subs(X, at["x"]))
    want = complex(sp.diff(sympy_of(problem), X).subs(X, at["x"]))
    assert abs(got - want) > 1e-6  # the counterexample really separates them
    assert t.lines == [] and t.submit(line).step == 0


def test_a_wrong_line_after_a_right_one_is_diagnosed_in_the_pending_part():
    t = Tutor("sin(x^2 + 1)")
    assert t.submit("cos(x^2 + 1) d/dx [x^2 + 1]").valid
    r = t.submit("cos(x^2 + 1) (2x + 1)")
    assert not r.valid and r.step == 1 and r.counterexample is not None


def test_hints_are_graded_and_the_third_is_a_valid_next_line():
    t = Tutor("sin(x^2)")
    levels = [t.hint() for _ in range(4)]
    assert [h.level for h in levels] == [1, 2, 3, 3]
    assert levels[0].rule == "Chain rule" and "sine rule" in levels[0].text
    assert "f′(u)·u′" in levels[1].text and "u = x^2" in levels[1].text
    line = levels[2].line
    assert line is not None and levels[2].text.endswith(line)
    r = t.submit(line)  # following the third hint is always right
    assert r.valid and r.rules == ["Chain rule"] and r.pending == ["x^2"]
    assert t.hint().level == 1  # hints start over on the new line


@pytest.mark.parametrize("problem", ["x^2 sin(x)", "sin(x)/x", "exp(x^2) cos(3x)",
                                     "ln(x^2 + 1)/x", "(2x + 1)^5", "sqrt(1 + x^2)"])
def test_following_the_third_hint_always_reaches_the_answer(problem):
    t = Tutor(problem)
    for _ in range(30):
        if t.done:
            break
        for _ in range(3):
            hint = t.hint()
        r = t.submit(hint.line)
        assert r.valid, (hint.line, r.message)
        assert_true_line(problem, r.line)
    assert t.done


def test_unreadable_lines_are_errors_not_exceptions():
    t = Tutor("x^3")
    for bad in ("3x^2 +", "d/dy [x^3]", "d/dx x^3", "d/dx [d/dx [x]]", ""):
        r = t.submit(bad)
        assert not r.valid and r.error
    assert t.lines == []


def test_read_line_forms_are_the_same_line():
    forms = ["cos(x) * d/dx [x^2]", "cos(x)*d/dx(x^2)", "cos(x) (x^2)'",
             "= cos(x) d/dx [x^2]", "d/dx [sin(x^2)] = cos(x) d/dx [x^2]"]
    texts = {read_line(f, "x").text() for f in forms}
    assert len(texts) == 1


def test_the_variable_is_the_one_of_the_problem():
    t = Tutor("sin(t^2)")
    assert t.wrt == "t" and t.goal == "d/dt [sin(t^2)]"
    assert t.submit("cos(t^2) d/dt [t^2]").valid
    assert not t.submit("cos(t^2) d/dx [t^2]").valid


def test_respond_is_stateless_and_round_trips_the_state():
    out = respond({"expr": "sin(x^2)", "action": "submit", "line": "cos(x^2) d/dx [x^2]"})
    assert out["reply"]["valid"] and out["state"]["lines"] == ["cos(x^2) d/dx [x^2]"]
    out = respond({**out["state"], "action": "hint"})
    assert out["reply"]["rule"] == "Power rule" and out["state"]["hint_level"] == 1
    out = respond({**out["state"], "action": "submit", "line": "2x cos(x^2)"})
    assert out["reply"]["done"] and out["state"]["done"]
    json.dumps(out)  # JSON-ready all through


@pytest.mark.parametrize("request_", [{"action": "hint"}, {"expr": "x^2", "action": "fly"},
                                      {"expr": "x^2 +", "action": "start"}, "text",
                                      {"expr": "x^2", "action": "submit"},
                                      {"expr": "x^2", "lines": ["5"], "action": "hint"}])
def test_respond_answers_bad_requests_with_an_error_reply(request_):
    assert respond(request_)["reply"]["type"] == "error"


def test_state_rebuilds_the_same_session():
    t = Tutor("x^2 sin(x)")
    t.submit("d/dx [x^2] sin(x) + x^2 d/dx [sin(x)]")
    t.hint()
    again = Tutor.from_state(json.loads(json.dumps(t.state())))
    assert again.state() == t.state()
    with pytest.raises(ChainruleError):
        Tutor.from_state({"lines": []})


def test_cli_json_plays_a_session():
    requests = ['{"action": "hint"}', "cos(x^2)", "cos(x^2) (x^2)'", "state", "?",
                "2x cos(x^2)", "never read"]
    result = CliRunner().invoke(app, ["tutor", "sin(x^2)", "--json"],
                                input="\n".join(requests) + "\n")
    assert result.exit_code == 0, result.output
    replies = [json.loads(line) for line in result.output.splitlines()]
    assert [r["type"] for r in replies] == ["start", "hint", "check", "check", "state", "hint",
                                            "check"]
    assert replies[2]["mistake"] == "missing_inner_derivative"
    assert replies[3]["valid"] and replies[4]["lines"] == ["cos(x^2) (x^2)'"]
    assert replies[-1]["done"]


def test_cli_text_session_and_bad_json():
    result = CliRunner().invoke(app, ["tutor", "x^3"], input="{bad\nhint\n3x^2\n")
    assert result.exit_code == 0
    assert "not valid JSON" in result.output and "hint 1: Power rule" in result.output
    assert "done" in result.output
    assert request_of("quit") == {"action": "quit"}


def test_cli_text_session_speaks_the_problem_variable():
    result = CliRunner().invoke(app, ["tutor", "sin(t^2)"], input="cos(t^2) d/dt [t^2]\nquit\n")
    assert result.exit_code == 0
    assert "still to take: d/dt [t^2]" in result.output and "d/dx" not in result.output
