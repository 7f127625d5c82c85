"""Typed step records, their renderers, and the published JSON Schema of the JSON form."""

from __future__ import annotations

import doctest
import importlib
import json

import jsonschema
import pytest

import chainrule
from chainrule.calculus.implicit import implicit_diff
from chainrule.calculus.paths import chain_rule_paths
from chainrule.core.registry import get
from chainrule.explain import STEPS_SCHEMA_PATH
from chainrule.explain.formats import LATEX, TEXT, MathMLFormat
from chainrule.explain.page import derivation_dict, render_html
from chainrule.explain.render import to_dict
from chainrule.explain.statements import left_side, note, rewrite, statement
from chainrule.symbolic import steps as st
from chainrule.symbolic.api import steps
from corpus import CORPUS

SCHEMA = json.loads(STEPS_SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
KINDS = set(SCHEMA["$defs"]["node"]["properties"]["kind"]["enum"])


def _all_step_classes(cls=st.Step):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_step_classes(sub)


def _valid(data):
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_schema_is_a_valid_schema_and_ships_with_the_package():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert STEPS_SCHEMA_PATH.parent.name == "schemas"
    assert STEPS_SCHEMA_PATH.parent.parent == __import__("pathlib").Path(chainrule.__file__).parent


def test_every_step_class_is_a_kind_of_the_schema():
    importlib.import_module("chainrule.symbolic.calculus_steps")  # implicit and path steps
    # RecordRule is the base of the table's rules, never a step of its own
    assert {c.__name__ for c in _all_step_classes()} - {"RecordRule"} == KINDS


@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e.id)
def test_corpus_derivations_follow_the_schema(entry):
    for wrt in entry.wrt:
        for method in ("auto", "logdiff") if "prod" in entry.tags else ("auto",):
            d = steps(entry.text, wrt, method=method)
            for detail in ("full", "brief"):
                data = to_dict(d, detail=detail)
                _valid(data)
                assert data["result"] == str(d.result)


@pytest.mark.parametrize("text", ["x^x", "x^2 (x+1)^3 e^x", "x^x^x", "(sin x)^x", "x^(1/x)",
                                  "sigmoid(x)", "0^x", "5", "x"])
def test_seed_and_edge_derivations_follow_the_schema(text):
    for order in (0, 1, 2):
        _valid(to_dict(steps(text, "x", order=order)))
    _valid(to_dict(steps(text, "x", method="logdiff"), hide={"Chain rule", "power rule"}))


def test_implicit_and_path_derivations_follow_the_schema():
    for eq in ("x*y = 1", "x^2 + y^2 = 25", "sin(x y) = x"):
        _valid(implicit_diff(eq).derivation.to_dict())
    p = chain_rule_paths("z = u + v", {"u": "x^2", "v": "3x"}, wrt="x")
    _valid(p.derivation.to_dict())
    _valid(chain_rule_paths("L = a", {"a": "g^2", "g": "w x"}, wrt="w").derivation.to_dict())


def test_the_schema_rejects_what_is_not_a_step():
    data = to_dict(steps("sin(x^2)", "x"))
    chain = data["orders"][0]["substeps"][0]
    assert chain["kind"] == "ChainRule" and chain["inner"] == "x^2"
    broken = json.loads(json.dumps(data))
    del broken["orders"][0]["substeps"][0]["inner"]  # a chain rule must name its inner function
    assert not VALIDATOR.is_valid(broken)
    broken = json.loads(json.dumps(data))
    broken["orders"][0]["substeps"][0]["kind"] = "Guess"
    assert not VALIDATOR.is_valid(broken)


def test_steps_are_typed_and_hold_expressions():
    tree = steps("sin(x)/x^2", "x").orders[0].substeps[0]
    assert isinstance(tree, st.QuotientRule)
    assert (str(tree.numerator), str(tree.denominator)) == ("sin(x)", "x^2")
    assert tree.prim is get("div") and tree.rule == get("div").text.name
    assert rewrite(tree) == get("div").text.rewrite
    chain = steps("sin(x^2 + 1)", "x").orders[0].substeps[0]
    assert isinstance(chain, st.ChainRule) and isinstance(chain.outer, st.FunctionRule)
    assert chain.outer is chain.substeps[0] and chain.outer.at is chain.inner
    assert chain.outer.claim == st.OUTER and chain.claim == st.DERIVATIVE
    assert isinstance(steps("x^3", "x").orders[0].substeps[0], st.PowerRule)
    assert isinstance(steps("2^x", "x").orders[0].substeps[0], st.ExpRule)
    assert isinstance(steps("ln(x)", "x").orders[0].substeps[0], st.LogRule)


def test_record_rules_take_their_name_and_rewrite_from_the_record():
    for text, prim in (("tan(x)", "tan"), ("atan(x)", "atan"), ("sigmoid(x)", "sigmoid"),
                       ("exp(x)", "exp")):
        step = steps(text, "x").orders[0].substeps[0]
        assert isinstance(step, st.RecordRule) and step.prim is get(prim)
        assert step.rule == get(prim).text.name and rewrite(step) == get(prim).text.rewrite


def test_quotient_answers_come_from_the_div_record():
    form = get("div").extra["quotient_form"]
    x = chainrule.Symbol("x")
    d, step = chainrule.symbolic.differentiate.Differentiator(x, record=True).d(
        chainrule.parse("sin(x)/x^2"))
    assert d is form(step.numerator, step.denominator, chainrule.parse("cos(x)"),
                     chainrule.parse("2x"))
    # the answer cancels the common x (the textbook form), the step keeps the rule's form
    assert str(chainrule.diff("sin(x)/x^2")) == "(x*cos(x) - 2*sin(x))/x^3"


def test_logdiff_stages_are_typed_and_each_format_spells_the_left_side():
    tree = steps("x^x", "x").orders[0].substeps[0]
    assert isinstance(tree, st.LogDifferentiation)
    assert [type(s) for s in tree.stages] == [st.TakeLog, st.DifferentiateBothSides,
                                              st.SolveForDerivative]  # no no-op simplify
    take = tree.stages[0]
    assert statement(take, TEXT) == "ln|y| = x*ln(x)"
    assert statement(take, LATEX).startswith(r"\ln|y| = ")
    assert "<mi>ln</mi>" in statement(take, MathMLFormat())
    assert left_side(tree.stages[2]) == "y′" and note(tree.stages[2]) == "y = x^x"


def test_page_and_html_renderers_share_the_statements():
    d = steps("x sin(x)", "x")
    page = derivation_dict(d, [], "normal")
    product = page["orders"][0]["substeps"][0]
    assert product["kind"] == "ProductRule" and product["kind"] in KINDS
    assert product["statement"] == statement(d.orders[0].substeps[0], TEXT)
    assert product["mathml"].startswith("<math")
    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n.get("substeps", []))

    deep = derivation_dict(steps("x^x sin(x)/(1 + x^2)", "x", order=2), [], "full")
    assert {n["kind"] for n in walk(deep["orders"])} <= KINDS
    html = render_html(d, detail="full")  # product, identity and sine rules
    assert "Product rule" in html and "<math" in html and html.count("<li") >= 3


@pytest.mark.parametrize("module", ["chainrule.explain", "chainrule.explain.formats",
                                    "chainrule.explain.render",
                                    "chainrule.explain.statements", "chainrule.explain.page",
                                    "chainrule.symbolic.steps",
                                    "chainrule.symbolic.calculus_steps"])
def test_module_docstring_examples(module):
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_the_cli_json_steps_follow_the_schema():
    from typer.testing import CliRunner

    from chainrule.cli.main import app
    result = CliRunner().invoke(app, ["diff", "x^x/(x+1)", "--steps", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["steps"]
    _valid(data)
    assert data["orders"][0]["kind"] == "Differentiate"


def test_nothing_branches_on_display_text():
    """Code tells steps apart by class; step text is compared only with user-given rule
    names (``hide``) and to list rules once (``rules_used``)."""
    import re
    from pathlib import Path
    pattern = re.compile(r"\.(rule|note|lhs|rewrite|statement)\s*(==|!=)"
                         r"|\.(rule|note|lhs|rewrite|statement)\.(startswith|endswith)"
                         r"|\.rule\s+(not\s+)?in\b")
    allowed = ("s.rule not in out", "step.rule in hide")
    hits = [f"{path.name}: {line.strip()}"
            for path in Path(chainrule.__file__).parent.rglob("*.py")
            for line in path.read_text(encoding="utf-8").splitlines()
            if pattern.search(line) and not any(a in line for a in allowed)]
    assert hits == []
    assert pattern.search('if step.note.startswith("the outer function"):')  # it would catch it
