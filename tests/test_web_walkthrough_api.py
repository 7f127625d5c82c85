"""The JSON endpoints of the walkthrough explorers (``/api/mc_integrate``, ``/api/log_steps``,
``/api/tutor_plan``), the graph view's node labels, and logarithmic differentiation's value
where its answer divides by zero, against independent oracles (mpmath, SymPy, chainrule.mc)."""

from __future__ import annotations

import json
import math
import re

import mpmath
import numpy as np
import pytest
import sympy

import chainrule as cr
from chainrule import mc
from chainrule.cli.diff_command import DiffRequest, run_diff
from chainrule.web.app import EXPLORERS, STATIC, compute
from chainrule.web.lessons import STAGES

X = sympy.Symbol("x")


def answer(name: str, body: dict) -> tuple[int, dict]:
    status, raw = compute(name, body)
    return status, json.loads(raw)


def test_mc_integrate_matches_chainrule_mc_and_mpmath():
    status, r = answer("mc_integrate", {"expr": "sin(x)", "from": 0, "to": 2, "n": 5000,
                                        "seed": 7})
    assert status == 200
    assert r["exact"] == pytest.approx(float(mpmath.quad(mpmath.sin, [0, 2])), rel=1e-12)
    lo, x0, hi, top = r["box"]
    assert (lo, hi, x0) == (0.0, 2.0, 0.0) and top == pytest.approx(1.1, rel=1e-3)

    def under(p):  # sin > 0 on (0, 2): a point counts when it lies below the curve
        return (p[:, 1] < np.sin(p[:, 0])).astype(float)

    oracle = mc.integrate(under, [(lo, hi), (x0, top)], n=5000, seed=7)
    assert r["estimate"] == pytest.approx(oracle.value, rel=1e-12)
    assert r["stderr"] == pytest.approx(oracle.stderr, rel=1e-9)
    assert abs(r["estimate"] - r["exact"]) < 4 * r["stderr"]
    assert r["running"][-1] == {"n": 5000, "estimate": pytest.approx(r["estimate"]),
                                "stderr": pytest.approx(r["stderr"])}
    ns = [p["n"] for p in r["running"]]
    assert ns == sorted(set(ns)) and ns[0] == 2
    # every dot drawn is classified as the estimate counts it
    for x, y, sign in r["dots"][:200]:
        assert sign == (1 if 0 <= y < math.sin(x) else 0)


def test_mc_integrate_negative_parts_count_minus_one():
    status, r = answer("mc_integrate", {"expr": "x", "from": -1, "to": 2, "n": 20000, "seed": 1})
    assert status == 200 and r["exact"] == pytest.approx(1.5)
    assert abs(r["estimate"] - 1.5) < 4 * r["stderr"]
    assert {s for _, _, s in r["dots"]} == {-1, 0, 1}
    for x, y, s in r["dots"][:300]:
        assert s == (1 if 0 <= y < x else -1 if x <= y < 0 else 0)


@pytest.mark.parametrize(("body", "field_or_text"), [
    ({"expr": "1/x", "from": -1, "to": 1}, "not defined (or not finite) at x = 0"),
    ({"expr": "x", "from": 1, "to": 0}, "'from' must be less than 'to'"),
    ({"expr": "x", "n": 1}, "'n' must be between 2 and 100000"),
    ({"expr": "x", "seed": -1}, "'seed' must be between"),
    ({"expr": "x", "bins": 3}, "bins"),
])
def test_mc_integrate_bad_requests_say_what(body, field_or_text):
    status, r = answer("mc_integrate", body)
    assert status == 422 and field_or_text in r["error"]


def test_log_steps_are_seed_000s_four_steps():
    status, r = answer("log_steps", {"expr": "x^(sin x)", "at": 2})
    assert status == 200
    rules = [s["rule"] for s in r["stages"]]
    # seed 000's four steps, in order (the engine may leave out a simplification that changes
    # nothing)
    assert rules in (list(STAGES), [STAGES[0], STAGES[1], STAGES[3]])
    assert r["stages"][0]["statement"] == "ln|y| = ln(x)*sin(x)"
    assert all(s["mathml"].startswith("<math") for s in r["stages"])
    exact = float(sympy.diff(X ** sympy.sin(X), X).subs(X, 2))
    assert r["value"] == pytest.approx(exact, rel=1e-12)
    assert r["recipe_value"] == pytest.approx(exact, rel=1e-12) and "note" not in r


def test_log_steps_at_a_zero_of_a_factor_gives_the_derivative():
    """Defect: the recipe's answer for x^(sin x) held 1/(x·ln x), undefined at x = 1 where
    f′(1) = sin 1 exists. The textbook form clears that fraction: the recipe's own answer is
    now defined there and equals the plain rules' value."""
    status, r = answer("log_steps", {"expr": "x^(sin x)", "at": 1})
    assert status == 200 and "1/(x*ln(x))" not in r["derivative"]
    assert r["recipe_value"] == pytest.approx(math.sin(1.0), rel=1e-12)
    assert r["value"] == pytest.approx(math.sin(1.0), rel=1e-12)  # d/dx x^(sin x) at 1


def test_log_steps_refuses_what_has_nothing_to_take_logs_of():
    status, r = answer("log_steps", {"expr": "x + 1"})
    assert status == 422 and "no factor" in r["error"]


@pytest.mark.parametrize(("expr", "oracle"), [
    ("x^x", X ** X),
    ("x^(sin x)", X ** sympy.sin(X)),
    ("x^2 ln(x) sin(x)", X ** 2 * sympy.log(X) * sympy.sin(X)),
])
def test_diff_logdiff_at_a_zero_of_a_factor(expr, oracle):
    """Defect: ``method=logdiff`` with ``at`` where the answer divides by 0 (…/(x·ln x) at
    x = 1) was an error; the value is now the derivative's, checked with SymPy."""
    out = run_diff(DiffRequest(expr, None, 1, "x=1", False, "", "normal", "logdiff", "json"))
    assert out["value"] == pytest.approx(float(sympy.diff(oracle, X).subs(X, 1)), rel=1e-12)
    status, r = answer("diff", {"expr": expr, "method": "logdiff", "at": 1})  # the web API
    assert status == 200 and r["value"] == out["value"]


def test_diff_direct_method_still_refuses_an_undefined_value():
    with pytest.raises(cr.ChainruleError):
        run_diff(DiffRequest("1/x", None, 1, "x=0", False, "", "normal", "direct", "json"))


def test_tutor_plan_asks_each_sub_derivative_once_innermost_first():
    status, r = answer("tutor_plan", {"expr": "e^(3x) cos(x)/x"})
    assert status == 200
    exprs = [t["expr"] for t in r["tasks"]]
    assert exprs[-1] == "e^(3x)*cos(x)/x" and len(set(exprs)) == len(exprs)
    assert exprs.index("3x") < exprs.index("e^(3x)") < exprs.index("e^(3x)*cos(x)")
    assert r["tasks"][-1]["rule"] == "Quotient rule"
    # each question is a derivative /api/answer checks: SymPy's is accepted, a wrong one not
    oracles = {"cos(x)": sympy.cos(X), "3x": 3 * X, "e^(3x)": sympy.exp(3 * X),
               "e^(3x)*cos(x)": sympy.exp(3 * X) * sympy.cos(X),
               "e^(3x)*cos(x)/x": sympy.exp(3 * X) * sympy.cos(X) / X}
    assert set(exprs) == set(oracles)
    for t in r["tasks"]:
        right = str(sympy.diff(oracles[t["expr"]], X)).replace("**", "^").replace("exp(", "e^(")
        status, verdict = answer("answer", {"expr": t["expr"], "answer": right})
        assert status == 200 and verdict["equivalent"], (t, right, verdict)
        status, verdict = answer("answer", {"expr": t["expr"], "answer": f"{right} + x"})
        assert status == 200 and not verdict["equivalent"]


def test_graph_nodes_carry_operator_and_formula():
    status, r = answer("graph", {"expr": "(relu(w*x + b) - y)^2", "at": "w=3, x=2, b=0, y=1"})
    assert status == 200
    shown = {n["name"]: (n["symbol"], n["formula"]) for n in r["nodes"]}
    assert shown["v1"] == ("·", "w · x") and shown["v3"] == ("relu", "relu(v2)")
    assert shown["v4"] == ("−", "v3 − y") and shown["L"] == ("^", "v4 ^ 2")
    assert shown["w"] == (None, None)
    status, r = answer("graph", {"expr": "-x/y", "at": "x=1, y=2"})
    formulas = [n["formula"] for n in r["nodes"] if n["formula"]]
    assert any("/" in f for f in formulas) and not any("div(" in f for f in formulas)


def test_every_explorer_has_its_module_and_a_home_link():
    """Registry-driven: each name of EXPLORERS is served, has its own JS module, and the home
    page links it (so a new explorer cannot be forgotten in one of the three places)."""
    home = (STATIC / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="/explore/([\w-]+)\?', home))
    assert linked == set(EXPLORERS)
    for name in EXPLORERS:
        module = STATIC / "explore" / f"{name}.js"
        assert module.is_file(), f"{name} has no static/explore/{name}.js"
        assert "http://" not in module.read_text(encoding="utf-8").replace(
            "http://www.w3.org/2000/svg", "")
