"""The ``chainrule diff`` command, as a user calls it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from chainrule.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["diff", *args], env={"NO_COLOR": "1"})


def test_text_output_with_value():
    r = run("x^x", "--at", "x=2")
    assert r.exit_code == 0, r.output
    assert "interpreted as: x^x" in r.output
    assert "d/dx [x^x] = x^x*(ln(x) + 1)" in r.output
    assert "6.77258872223978" in r.output


def test_steps_and_hidden_rules():
    r = run("3x^2 + sin(x^2)", "--steps", "--hide", "sum,constant-multiple")
    assert r.exit_code == 0, r.output
    assert "Chain rule" in r.output and "let u = x^2" in r.output
    assert "Sum rule" not in r.output and "Constant multiple rule" not in r.output


def test_json_has_the_documented_keys():
    r = run("x^x", "--at", "x=2", "--steps", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    for key in ("input", "wrt", "order", "derivative", "latex", "steps", "value", "interpreted"):
        assert key in data
    assert data["derivative"] == "x^x*(ln(x) + 1)"
    assert data["value"] == pytest.approx(6.772588722239781, rel=1e-12)
    assert data["steps"]["orders"][0]["substeps"][0]["rule"] == "Logarithmic differentiation"


def test_latex_output():
    r = run("x/(x^2+1)", "--format", "latex")
    assert r.exit_code == 0, r.output
    assert r"\frac{d}{dx}" in r.output and r"\frac{" in r.output


def test_partial_derivative_and_order():
    r = run("x^2 y + 3y", "--wrt", "y", "--at", "x=2,y=1", "--format", "json")
    assert json.loads(r.stdout)["value"] == 7
    r = run("x^4", "--order", "5", "--format", "json")
    assert json.loads(r.stdout)["derivative"] == "0"
    r = run("e^x cos x", "--order", "10", "--at", "x=0", "--format", "json")
    assert json.loads(r.stdout)["value"] == 0


def test_logdiff_on_request():
    r = run("x^2 (x+1)^3", "--method", "logdiff", "--steps")
    assert r.exit_code == 0, r.output
    assert "Take ln of both sides" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x^^2",), "column 3"),
        (("ln(x)", "--at", "x=-1"), "ln needs a positive argument"),
        (("x*y",), "several variables"),
        (("x^2", "--order", "999"), "over the limit"),
        (("x^2", "--format", "pdf"), "unknown format"),
        (("x^2", "--method", "magic"), "unknown method"),
        (("x^2", "--at", "x"), "VAR=VALUE"),
        (("x^2 + y", "--wrt", "x", "--at", "x=1"), "no value for y"),
        (("foo(x)",), "unknown function"),
        (("",), "empty"),
    ],
)
def test_bad_input_is_one_clear_message(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_installed_command_prints_no_traceback_and_json_alone():
    env = {**os.environ, "NO_COLOR": "1"}
    bad = subprocess.run([sys.executable, "-m", "chainrule", "diff", "__import__('os')"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and bad.stdout == ""
    good = subprocess.run([sys.executable, "-m", "chainrule", "diff", "sigmoid(x)", "--at",
                           "x=0", "--format", "json"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert good.returncode == 0, good.stderr
    data = json.loads(good.stdout)
    assert data["value"] == 0.25
    assert data["derivative"].replace(" ", "") == "sigmoid(x)*(1-sigmoid(x))"
