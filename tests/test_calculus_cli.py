"""The calculus commands as a user calls them: taylor, critical, grad, jacobian, hessian,
minimize, and the implicit helper behind ``diff --implicit``."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from chainrule.cli.calculus_cli import register
from chainrule.cli.calculus_commands import run_implicit
from chainrule.symbolic.api import parse

app = typer.Typer()
register(app)
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "160"})


def run_json(*args: str):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_taylor_text_table_has_the_seed_numbers():
    r = run("taylor", "e^x", "--about", "0", "--order", "2", "--at", "x=0.1,1")
    assert r.exit_code == 0, r.output
    assert "P2 = x^2/2 + x + 1" in r.output
    assert "1.105 " in r.output and "1.105170918" in r.output
    assert "2.5 " in r.output and "2.718281828" in r.output


def test_taylor_json_polynomial_reparses():
    data = run_json("taylor", "sin(x)", "--about", "0", "--order", "3", "--at", "x=0.1,1")
    assert data["polynomial"] == "x - x^3/6" or data["polynomial"] == "-x^3/6 + x"
    assert parse(data["polynomial"]) is parse("x - x^3/6")
    assert [row["point"]["x"] for row in data["table"]] == [0.1, 1.0]
    assert data["table"][0]["approx"] == pytest.approx(0.1 - 0.001 / 6)
    several = run_json("taylor", "e^x sin(y)", "--about", "x=0,y=0", "--order", "2",
                       "--at", "x=0.1,y=0.2;x=0.2,y=0.1")
    assert parse(several["polynomial"]) is parse("x*y + y") and len(several["table"]) == 2


def test_critical_text_and_json():
    r = run("critical", "x^x")
    assert r.exit_code == 0, r.output
    assert "min at x = 1/e ≈ 0.367879" in r.output and "ln(x) + 1 = 0" in r.output
    data = run_json("critical", "sin(x)", "--interval", "0,7")
    assert [(p["kind"], p["exact"]) for p in data["points"]] == [("max", "pi/2"),
                                                                   ("min", "3*pi/2")]
    data = run_json("critical", "x^3 + y^3 - 6x y", "--region", "x=-1:3,y=-1:3")
    assert [(p["kind"], p["x"]) for p in data["points"]] == [
        ("saddle", {"x": 0.0, "y": 0.0}), ("min", {"x": 2.0, "y": 2.0})]
    negative = run_json("critical", "x^3 - 3x", "--interval", "-pi,0")
    assert [p["x"] for p in negative["points"]] == [-1.0]


def test_grad_at_a_point_shows_steepest_descent():
    r = run("grad", "x^2 + y^2", "--at", "x=3,y=4", "--direction", "1,0")
    assert r.exit_code == 0, r.output
    assert "∇f = (2x, 2y)" in r.output and "|∇f| = 10" in r.output
    assert "−∇f/|∇f| = (-0.6, -0.8)" in r.output and "normalised: 6" in r.output
    data = run_json("grad", "x^2 + 3y^2", "--at", "x=1,y=2")
    assert data["gradient"] == ["2x", "6y"] and data["value"] == [2.0, 12.0]


def test_grad_with_let_shows_the_chain_rule_as_paths():
    r = run("grad", "u + v", "--let", "u=x^2", "--let", "v=3x", "--wrt", "x")
    assert r.exit_code == 0, r.output
    assert "Path z → u → x: ∂z/∂u·du/dx = (1)·(2x) = 2x" in r.output
    assert "Answer: 2x + 3" in r.output


def test_jacobian_and_hessian():
    data = run_json("jacobian", "x*y", "x + y^2", "--at", "x=1,y=2")
    assert data["jacobian"] == [["y", "x"], ["1", "2y"]] and data["value"] == [[2, 1], [1, 4]]
    data = run_json("hessian", "x^2 - y^2", "--at", "x=0,y=0")
    assert data["hessian"] == [["2", "0"], ["0", "-2"]]
    assert data["eigenvalues"] == [-2.0, 2.0] and data["definiteness"].startswith("indefinite")
    r = run("hessian", "x^2 + 3y^2", "--at", "x=1,y=1")
    assert "positive definite" in r.output


def test_minimize_prints_a_trace_table():
    r = run("minimize", "x^2 + 3y^2", "--from", "x=1,y=1", "--method", "newton")
    assert r.exit_code == 0, r.output
    assert "converged in 1 step" in r.output and "│ 1 │ 0 │ 0 │" in r.output
    r = run("minimize", "x^2 + 3y^2", "--from", "x=1,y=1", "--step", "0.3")
    assert "zig-zag" in r.output and "│ …" in r.output
    data = run_json("minimize", "(1-x)^2 + 100(y-x^2)^2", "--from", "x=-1.2,y=1",
                    "--method", "newton")
    assert data["converged"] and data["convergence_order"] > 1.7
    assert data["x"] == pytest.approx({"x": 1, "y": 1}, abs=1e-9)


def test_bad_input_is_one_clear_line():
    for args in (["critical", "ln(x"], ["taylor", "ln(x)", "--about", "0"],
                 ["minimize", "x^2", "--from", "x=1", "--method", "adam"],
                 ["critical", "x^2", "--interval", "1"], ["critical", "x^2", "--format", "xml"],
                 ["grad", "x^2 + y", "--at", "x=1"]):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith("error:") and "Traceback" not in r.output


def test_run_implicit_for_diff_implicit():
    out = run_implicit("x^2 + y^2 = 1", "y", None, "json", False)
    assert out["derivative"] == "-x/y" and out["independent"] == "x"
    out = run_implicit("x^3 + y^3 = 6x y", "y", "x", "json", True, at="x=3,y=3")
    assert out["derivative"] == "(2y - x^2)/(y^2 - 2x)" and out["value"] == -1.0
    assert out["residual"] == 0 and out["steps"]["orders"]
    text = str(run_implicit("x^2 + y^2 = 1", "y", "x", "text", True))
    assert "Differentiate both sides: d/dx [x^2 + y^2] = d/dx [1]" in text
    assert "Collect the y′ terms: 2y*y′ = -2x" in text and "dy/dx = -x/y" in text
    assert "F" not in run_implicit("x^2 + y^2 = 1", "y", "x", "json", True)  # no F, Fx, Fy keys
    assert r"\frac{dy}{dx}" in run_implicit("x^2 + y^2 = 1", "y", "x", "latex", False)
