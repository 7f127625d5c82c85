"""Every command, given bad input, exits 2 with one line that says what is wrong and where;
never a traceback, never exit 3 (which is kept for a bug of ours)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from chainrule.cli.main import app

runner = CliRunner()

# (command line, a piece of the one line that must name what and where)
BAD = [
    # bad expressions
    (["diff", "x^^2"], "column 3"),
    (["diff", "sin(x"], "column"),
    (["diff", "x", "--implicit", "y"], "equation"),
    (["check", "x^2", "--answer", "2*"], "column"),
    (["check", "x^^2", "--answer", "2x"], "column 3"),
    (["estimate", "--dist", "normal", "--params", "loc=0,scale=1", "--f", "z^^2"], "column"),
    (["estimate", "--dist", "normal", "--params", "loc=0,scale=1", "--f", "z + y"], "uses y"),
    (["taylor", "ln(x"], "column"),
    (["critical", "x^^2", "--interval", "0,1"], "column 3"),
    (["grad", "x +* y"], "column"),
    (["jacobian", "x*y", "x+"], "column"),
    (["hessian", "x^^2"], "column 3"),
    (["minimize", "x^^2", "--from", "x=1"], "column 3"),
    # unknown or malformed flag values
    (["diff", "x^2", "--format", "pdf"], "unknown format 'pdf'"),
    (["diff", "x^2", "--method", "magic"], "unknown method 'magic'"),
    (["diff", "x^2", "--detail", "all"], "unknown detail level 'all'"),
    (["diff", "x^2", "--hide", "sine-rul"], "unknown rule 'sine-rul'"),
    (["diff", "x^2", "--at", "x"], "VAR=VALUE"),
    (["diff", "x^2", "--at", "x=zz("], "--at value for x"),
    (["diff", "x^2", "--order", "-1"], "order"),
    (["diff", "x^2", "--order", "two"], "--order"),
    (["diff", "x", "--wrt", "y", "--at", "y=1", "--verify", "--order", "999"], "limit"),
    (["check", "x^2", "--answer", "2x", "--format", "xml"], "unknown format 'xml'"),
    (["estimate", "--dist", "lognormal", "--params", "loc=0", "--f", "z"], "lognormal"),
    (["estimate", "--dist", "normal", "--params", "loc", "--f", "z"], "NAME=VALUE"),
    (["estimate", "--dist", "normal", "--params", "loc=0,scale=1", "--f", "z", "--n", "1"],
     "--n must be"),
    (["estimate", "--dist", "normal", "--params", "loc=0,scale=1", "--f", "z",
      "--estimators", "magic"], "magic"),
    (["taylor", "e^x", "--order", "many"], "--order"),
    (["taylor", "e^x", "--format", "yaml"], "unknown format 'yaml'"),
    (["critical", "x^2", "--interval", "1"], "--interval expects two numbers"),
    (["critical", "x^2 + y^2", "--region", "x=1"], "--region expects"),
    (["grad", "x^2 + y", "--at", "x=1"], "y"),
    (["grad", "x^2", "--at", "x=1", "--direction", "a,b"], "direction"),
    (["jacobian", "x*y", "--at", "x=1,y"], "VAR=VALUE"),
    (["hessian", "x^2", "--format", "csv"], "unknown format 'csv'"),
    (["minimize", "x^2", "--from", "x=1", "--method", "adam"], "adam"),
    (["minimize", "x^2", "--from", "y"], "VAR=VALUE"),
    (["serve", "--port", "99999"], "--port"),
    (["serve", "--port", "http"], "--port"),
    (["diff", "x", "--timeout", "0"], "--timeout"),
    (["diff", "--steps", "x", "true"], "unexpected extra argument"),
]


@pytest.mark.parametrize(("args", "where"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line(args, where):
    r = runner.invoke(app, args, env={"NO_COLOR": "1"})
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output
    assert lines[0].startswith("error: ") and "internal error" not in lines[0]
    assert where in lines[0], lines[0]
    assert "Traceback" not in r.output and r.stdout.strip() in ("", lines[0])


def test_verify_by_a_variable_the_function_does_not_use():
    """Used to exit 3 with an internal KeyError; the derivative is 0 and verifies."""
    r = runner.invoke(app, ["diff", "x", "--wrt", "y", "--at", "x=1", "--verify"],
                      env={"NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    assert "d/dy [x] = 0" in r.output and "agree: yes" in r.output


def test_a_whole_process_shows_one_line_on_stderr_and_nothing_on_stdout():
    done = subprocess.run([sys.executable, "-m", "chainrule", "diff", "x^2", "--steps", "true"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ")
