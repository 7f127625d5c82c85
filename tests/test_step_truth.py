"""Every step is a true equation as written, and the steps are what a teacher writes.

The step verifier (``tests/step_verifier.py``) parses each step's statement back from the
JSON form and checks it at random points against SymPy; it runs over a first-course problem
set (``tests/first_course.py``: the issue's examples and ~60 textbook problems) at orders 1
and 2. The line counts of ``--detail brief`` are held to 1.3 times those of worked textbook
solutions.
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
import sympy as sp
from typer.testing import CliRunner

import chainrule
from chainrule.calculus.implicit import implicit_diff
from chainrule.cli.main import app
from chainrule.explain.render import to_dict
from chainrule.symbolic import calculus_steps as cs
from chainrule.symbolic import steps as st
from first_course import IMPLICIT, PROBLEMS, TEXTBOOK_LINES
from step_verifier import Curve, verify_tree


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_step_is_true_as_written(problem):
    d = chainrule.steps(problem)
    failures = verify_tree(to_dict(d), problem)
    assert failures == [], failures


@pytest.mark.parametrize("problem", PROBLEMS[::6])
def test_every_step_of_the_second_derivative_is_true(problem):
    d = chainrule.steps(problem, order=2)
    assert verify_tree(to_dict(d), problem) == []


def test_the_verifier_catches_a_false_step():
    tree = to_dict(chainrule.steps("sin(x^2)"))
    outer = tree["orders"][0]["substeps"][0]["substeps"][0]
    outer["statement"] = outer["statement"].replace("cos(u)", "-cos(u)")
    chain = tree["orders"][0]["substeps"][0]
    chain["statement"] = chain["statement"].replace("= 2x", "= x")
    failures = verify_tree(tree, "sin(x^2)")
    assert [f.step for f in failures] == ["1.1", "1.1.1"]


def test_the_verifier_catches_a_step_that_mixes_u_and_x():
    tree = to_dict(chainrule.steps("sin(x^2)"))
    outer = tree["orders"][0]["substeps"][0]["substeps"][0]
    outer["statement"] = "d/du [sin(u)] = cos(x^2), with u = x^2"
    assert verify_tree(tree, "sin(x^2)") == []  # true, but not written in u:
    assert _outer_lines_in_u(tree) is False


def _outer_lines_in_u(tree: dict) -> bool:
    """Every ``d/du [f(u)] = f′(u), with u = g`` line has a right side free of x."""
    ok = True

    def visit(node):
        nonlocal ok
        m = re.match(r"d/d(\w) \[.*\] = (.*), with ", node.get("statement", ""))
        if m:
            right = chainrule.parse(m.group(2))
            ok &= "x" not in {s.name for s in right.free_symbols()}
        for c in node.get("substeps", []):
            visit(c)

    for o in tree["orders"]:
        visit(o)
    return ok


@pytest.mark.parametrize("problem", PROBLEMS)
def test_substitution_lines_are_written_in_u(problem):
    assert _outer_lines_in_u(to_dict(chainrule.steps(problem)))


def numbered(text: str) -> int:
    return sum(1 for line in text.splitlines() if re.match(r"\s*\d+(\.\d+)*\. ", line))


def numbered_lines(problem: str, detail: str) -> int:
    return numbered(chainrule.steps(problem).text(detail=detail))


@pytest.mark.parametrize(("problem", "textbook"), sorted(TEXTBOOK_LINES.items()))
def test_brief_is_about_what_a_teacher_writes(problem, textbook):
    brief, normal, full = (numbered_lines(problem, k) for k in ("brief", "normal", "full"))
    assert brief <= 1.3 * textbook
    assert brief <= normal <= full


def test_brief_over_the_problem_set_is_shorter_than_full():
    brief = sum(numbered_lines(p, "brief") for p in PROBLEMS)
    full = sum(numbered_lines(p, "full") for p in PROBLEMS)
    assert brief <= 0.6 * full


def test_the_problem_typed_is_the_problem_solved():
    d = chainrule.steps("((x+1)/(x-1))^3")
    top = d.orders[0].substeps[0]
    assert isinstance(top, st.ChainRule) and str(top.inner) == "(x + 1)/(x - 1)"
    assert isinstance(top.outer, st.PowerRule)
    assert any(isinstance(s, st.QuotientRule) for s in top.walk())
    x = sp.Symbol("x")
    want = sp.diff(((x + 1) / (x - 1)) ** 3, x)
    assert sp.simplify(d.result.to_sympy() - want) == 0
    assert str(d.result) == "-6(x + 1)^2/(x - 1)^4"
    assert str(chainrule.diff("((x+1)/(x-1))^3")) == str(d.result)  # diff agrees with steps


def test_no_step_is_a_no_op():
    for problem in PROBLEMS:
        for s in chainrule.steps(problem).orders[0].walk():
            if s.claim == st.EQUAL:
                assert str(s.expr) != str(s.result), (problem, s)


def test_rules_are_written_in_the_variable_differentiated_by():
    text = chainrule.steps("sin(y^2) + y").text(detail="full")
    assert "d/dx" not in text and "d/dy f(u) = f′(u)·u′" in text and "d/dy y = 1" in text


# -- implicit differentiation, as taught -----------------------------------------------------

@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize(("left", "right"), IMPLICIT)
def test_every_implicit_step_is_true_on_the_curve(left, right, order):
    d = implicit_diff(f"{left} = {right}", order=order)
    assert verify_tree(d.derivation.to_dict(detail="full"), "y", Curve(left, right)) == []


@pytest.mark.parametrize(("left", "right"), IMPLICIT)
def test_implicit_answers_agree_with_sympy(left, right):
    x, y = sp.symbols("x y")
    F = chainrule.parse(left).to_sympy() - chainrule.parse(right).to_sympy()
    slope = -sp.diff(F, x) / sp.diff(F, y)
    second = sp.diff(slope, x) + sp.diff(slope, y) * slope
    for order, want in ((1, slope), (2, second)):
        got = implicit_diff(f"{left} = {right}", order=order).derivative.to_sympy()
        for px, py in ((0.7, 1.3), (1.9, 0.4), (-0.6, 2.2)):
            w = complex(want.subs({x: px, y: py}))
            assert complex(got.subs({x: px, y: py})) == pytest.approx(w, rel=1e-9)


def test_implicit_is_taught_differentiate_collect_solve():
    d = implicit_diff("x^2 + y^2 = 25")
    root = d.derivation.orders[0]
    assert [type(s) for s in root.substeps] == [cs.ImplicitBothSides, cs.ImplicitEquation,
                                                 cs.CollectDerivative, cs.SolveImplicit]
    text = d.steps_text(detail="brief")
    assert "d/dx [x^2 + y^2] = d/dx [25]" in text
    assert "2y*y′ = -2x" in text and "y′ = -x/y" in text
    assert numbered(text) == 4  # what a teacher writes: both sides, equation, collect, solve
    assert "d/dx [y^2] = 2y*y′" in d.steps_text(detail="normal")  # the chain rule on y^2
    assert "−F_x/F_y" in text  # only as a remark
    assert "Move every term" not in text and "∂F" not in text


def test_implicit_second_derivative_substitutes_y_prime():
    d = implicit_diff("x^2 + y^2 = 25", order=2)
    assert str(d.derivative) == "-(x^2 + y^2)/y^3"
    put = d.derivation.orders[1].substeps[-1]
    assert isinstance(put, cs.SubstituteDerivative) and str(put.value) == "-x/y"
    assert "y′" not in str(d.derivative)


# -- method auto -----------------------------------------------------------------------------

@pytest.mark.parametrize(("problem", "why"), [
    ("(x^2 + 1)^3 (x - 2)^2/(x + 5)^4", "3 factors"), ("sqrt(x) e^x/(x + 1)", "3 factors"),
    ("x^x", "the exponent varies"), ("x^sin(x)", "the exponent varies")])
def test_auto_takes_logarithms_and_says_why_in_one_line(problem, why):
    d = chainrule.steps(problem)
    top = d.orders[0].substeps[0]
    assert isinstance(top, st.LogDifferentiation) and why in top.reason
    assert "\n" not in top.reason and f"chosen because {top.reason}" in d.text(detail="brief")
    assert to_dict(d)["orders"][0]["substeps"][0]["reason"] == top.reason
    x = sp.Symbol("x")
    want = sp.diff(chainrule.parse(problem).to_sympy(), x)
    for v in (0.4, 1.7, 3.1):
        assert d.result.evaluate(x=v) == pytest.approx(float(want.subs(x, v)), rel=1e-10)


@pytest.mark.parametrize("problem", ["x^2 sin(x)", "sin(x)/x", "((x + 1)/(x - 1))^3",
                                     "x (x^2 + 1)^3"])
def test_auto_keeps_the_rules_for_fewer_factors(problem):
    assert "Logarithmic differentiation" not in chainrule.steps(problem).rules_used()


def test_auto_answer_is_defined_at_a_zero_of_a_factor():
    # y·Σ fᵢ′/fᵢ is spread over the sum so each fᵢ cancels: no 0·∞ where a factor vanishes
    d = chainrule.diff("x (x - 1) (x - 2)")
    assert d.evaluate(x=1) == -1.0 and d.evaluate(x=0) == 2.0
    assert chainrule.steps("x^2 (x + 1)^3 e^x", method="logdiff").orders[0].substeps[0].reason == ""


# -- docs/steps.md runs ------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "steps.md"


def test_steps_doc_python_session():
    failures, tried = doctest.testfile(str(DOC), module_relative=False)
    assert tried >= 4 and failures == 0


def test_steps_doc_console_transcript_matches():
    block = DOC.read_text(encoding="utf-8").split("```console\n", 1)[1].split("```", 1)[0]
    chunks = block.split("$ ")[1:]
    assert len(chunks) >= 4
    for chunk in chunks:
        command, *expected = chunk.rstrip("\n").split("\n")
        result = CliRunner().invoke(app, shlex.split(command)[1:], env={"NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        assert result.output.rstrip("\n").split("\n") == [e for e in expected if e != ""]
