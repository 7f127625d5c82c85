"""``--hide`` takes exactly the names ``chainrule rules`` lists and hides them everywhere.

Every rule used by a sample of derivations (explicit, logarithmic, implicit) is hidden in
turn, and no step with that rule may remain in the text, LaTeX, JSON or page forms; unknown
names are rejected with a suggestion.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import chainrule
from chainrule.calculus.implicit import implicit_diff
from chainrule.cli.main import app
from chainrule.errors import ChainruleError
from chainrule.explain.page import derivation_dict
from chainrule.explain.render import is_hidden, render_latex, render_text, to_dict
from chainrule.explain.rules import resolve_hide, short_name, vocabulary

SAMPLES = ["x^2 sin(x)", "sin(x)/(1 + cos(x))", "((x + 1)/(x - 1))^3", "x^x",
           "(x^2 + 1)^3 (x - 2)^2/(x + 5)^4", "e^(x^2) ln(x)"]


def derivations():
    for text in SAMPLES:
        yield chainrule.steps(text)
    yield implicit_diff("x^3 + y^3 = 6x y").derivation
    yield implicit_diff("x^2 + y^2 = 25", order=2).derivation


def rules_in(node: dict) -> set[str]:
    out = {node["rule"]}
    for child in node.get("substeps", []):
        out |= rules_in(child)
    return out


def test_rules_lists_every_name_and_each_is_accepted_in_both_forms():
    result = CliRunner().invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)["rules"]
    assert len({r["short"] for r in listed}) == len(listed) == len(vocabulary())
    for r in listed:
        assert resolve_hide([r["short"]]) == resolve_hide([r["name"].upper()]) == {
            r["name"].lower()}
    text = CliRunner().invoke(app, ["rules"]).output
    assert "quotient" in text and "logarithmic-differentiation" in text


def test_every_rule_a_derivation_shows_is_listed():
    known = {r.name.lower() for r in vocabulary()}
    for d in derivations():
        for tree in d.orders:
            for step in tree.walk():
                assert step.name.lower() in known or step.rule.lower() in known, step


@pytest.mark.parametrize("d", list(derivations()), ids=lambda d: str(d.expr))
def test_a_hidden_rule_is_hidden_everywhere(d):
    steps = [s for t in d.orders for s in t.walk() if s is not t]  # below the order frames
    used = ({s.rule for s in steps} | {s.name for s in steps}) - {"Step", "Differentiate"}
    used = {n for n in used if n.lower() in {r.name.lower() for r in vocabulary()}}
    for name in used:
        hide = {short_name(name)}
        hidden = resolve_hide(hide)
        steps_left = [s for s in steps if is_hidden(s, hidden)]
        assert steps_left  # the rule is used here …
        data = to_dict(d, hide=hide, detail="full")
        shown = set().union(*(rules_in(o) for o in data["orders"][0].get("substeps", [])),
                            set())
        assert not {s.rule for s in steps_left} & shown, name  # … and shown nowhere
        text = render_text(d, hide=hide, detail="full")
        latex = render_latex(d, hide=hide, detail="full")
        page = json.dumps(derivation_dict(d, list(hide), "full"), ensure_ascii=False)
        for s in steps_left:
            assert f". {s.rule}:" not in text, (name, s.rule)
            assert f"\\text{{{s.rule}: }}" not in latex
            assert f'"rule": "{s.rule}"' not in page


@pytest.mark.parametrize(("given", "suggestion"), [("qoutient", "quotient"), ("powr", "power"),
                                                   ("logdiff", None), ("chain-rul", "chain")])
def test_unknown_names_are_rejected_with_a_suggestion(given, suggestion):
    with pytest.raises(ChainruleError) as err:
        resolve_hide([given])
    message = str(err.value)
    assert f"unknown rule {given!r}" in message
    want = f"did you mean {suggestion}?" if suggestion else None
    assert (want in message) if want else "did you mean" not in message
    result = CliRunner().invoke(app, ["diff", "x^2", "--steps", "--hide", given])
    assert result.exit_code == 2 and "unknown rule" in result.output
    with pytest.raises(ChainruleError):  # the Python API rejects it too
        chainrule.steps("x^2").text(hide={given})


def test_hide_reaches_implicit_steps_on_the_command_line():
    result = CliRunner().invoke(app, ["diff", "x^2 + y^2 = 25", "--implicit", "y", "--steps",
                                      "--detail", "full", "--hide", "power,collect-terms"])
    assert result.exit_code == 0, result.output
    assert "Power rule" not in result.output and "Collect" not in result.output
    assert "Chain rule" in result.output


def test_json_steps_carry_no_problem_specific_keys():
    schema = json.loads(chainrule.explain.STEPS_SCHEMA_PATH.read_text(encoding="utf-8"))
    allowed = set(schema["$defs"]["node"]["properties"]) | set(schema["$defs"]["ref"]["properties"])
    assert not {"F", "Fx", "Fy", "fx", "fy"} & allowed

    def keys(node):
        out = set(node)
        for c in node.get("substeps", []):
            out |= keys(c)
        return out

    for d in derivations():
        data = to_dict(d)
        assert set().union(*(keys(o) for o in data["orders"])) <= allowed
    out = implicit_diff("x^2 + y^2 = 25").to_dict(show_steps=True)
    assert not {"F", "Fx", "Fy"} & set(out)
