"""The command line reads like its peers: switches, one-line errors, --version, --hide,
--quiet, --timeout, -v, and machine formats printed untouched."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import chainrule
from chainrule.cli.common import Common, run_command
from chainrule.cli.diff_command import hide_names, rule_names
from chainrule.cli.main import app

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args), env={"NO_COLOR": "1"})


def test_version_is_the_package_version():
    r = cli("--version")
    assert r.exit_code == 0
    assert r.stdout == f"chainrule {chainrule.__version__}\n" == "chainrule 0.2.0\n"


@pytest.mark.parametrize("flag", ["--steps", "--verify"])
def test_boolean_flags_are_switches(flag):
    r = cli("diff", "x^2", "--at", "x=1", flag, "true")
    assert r.exit_code == 2
    assert "unexpected extra argument" in r.output and "(true)" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_a_switch_alone_works():
    r = cli("diff", "x^2", "--at", "x=3", "--verify")
    assert r.exit_code == 0, r.output
    assert "agree: yes" in r.output


@pytest.mark.parametrize("args", [
    ["diff", "x^2", "--nope"], ["nosuchcommand"], ["diff", "x", "--order", "two"],
    ["estimate", "--dist", "normal"], ["taylor", "e^x", "--timeout", "soon"],
])
def test_usage_errors_are_one_line_with_status_2(args):
    r = cli(*args)
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert "╭" not in r.output and "Traceback" not in r.output
    assert "--help" in lines[0]  # says where to read the usage


def test_a_missing_argument_is_one_line_with_status_2():
    r = cli("diff")
    assert r.exit_code == 2
    assert len(r.output.strip().splitlines()) == 1 and r.output.startswith("error: ")


def test_hide_rejects_an_unknown_rule_and_lists_the_valid_ones():
    r = cli("diff", "x^2", "--steps", "--hide", "sum,powr")
    assert r.exit_code == 2
    assert "unknown rule 'powr'" in r.output
    assert "power" in r.output and "constant-multiple" in r.output and "chain" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_hide_accepts_every_name_it_lists():
    names = rule_names()
    assert {"sum rule", "chain rule", "power rule", "logarithmic differentiation"} <= names
    assert hide_names("Sum, constant-multiple,LOGARITHMIC-differentiation") == {
        "sum rule", "constant multiple rule", "logarithmic differentiation"}


@pytest.mark.parametrize(("expr", "bracketed"), [
    ("cbrt(x)", r"\sqrt[3]{x}"),
    ("x^2", r"\left[x^{2}\right]"),
])
def test_latex_is_printed_untouched(expr, bracketed):
    r = cli("diff", expr, "--format", "latex")
    assert r.exit_code == 0, r.output
    assert bracketed in r.stdout


def test_latex_of_cbrt_keeps_every_bracket():
    r = cli("diff", "cbrt(x)", "--format", "latex", "--at", "x=8")
    assert r.stdout.count("[") == r.stdout.count("]") >= 3
    assert r.stdout.startswith(r"\frac{d}{dx}\left[\sqrt[3]{x}\right] = ")


def test_mathml_is_one_math_element_with_its_brackets():
    r = cli("diff", "cbrt(x)", "--format", "mathml")
    assert r.exit_code == 0, r.output
    out = r.stdout.strip()
    assert out.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert out.endswith("</math>") and out.count("<math") == 1
    assert "<mo>[</mo><mroot><mi>x</mi><mn>3</mn></mroot><mo>]</mo>" in out


def test_markup_lookalikes_in_json_are_kept():
    r = cli("diff", "cbrt(x)", "--format", "json")
    assert json.loads(r.stdout)["latex"] == r"\frac{1}{3 \sqrt[3]{x}^{2}}"


def test_timeout_ends_long_work_with_one_line_and_status_2():
    # a fresh process: the work is stopped part-way, which no later test should share.
    # Unlimited, this 14th derivative takes minutes.
    done = subprocess.run([sys.executable, "-m", "chainrule", "diff", "sin(cos(tan(x^x)))",
                           "--order", "14", "--timeout", "0.3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    # the engine's work budget stops it and names the limit (the thread stop is a backstop)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: stopped")
    assert "0.3" in done.stderr and "--timeout" in done.stderr
    assert done.stdout == ""


def test_timeout_leaves_quick_work_alone():
    r = cli("diff", "x^3", "--at", "x=2", "--timeout", "30", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["value"] == 12


@pytest.mark.parametrize("value", ["0", "-1"])
def test_timeout_must_be_positive(value):
    r = cli("diff", "x", "--timeout", value)
    assert r.exit_code == 2 and "--timeout must be a positive" in r.output


def test_verbose_switches_on_logging_to_stderr():
    done = subprocess.run([sys.executable, "-m", "chainrule", "diff", "x^3", "-v", "-f", "json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert json.loads(done.stdout)["derivative"] == "3x^2"  # stdout stays pure JSON
    assert "INFO chainrule.cli.diff_command: parsed 'x^3'" in done.stderr


def test_without_verbose_nothing_is_logged():
    done = subprocess.run([sys.executable, "-m", "chainrule", "diff", "x^3"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""


def test_quiet_and_no_terminal_show_no_progress():
    # stderr is not a terminal here: no spinner or bar, with or without --quiet
    for extra in ([], ["--quiet"]):
        r = cli("diff", "sin(x)^2", "--order", "9", "--format", "json", *extra)
        assert r.exit_code == 0
        assert json.loads(r.stdout)["order"] == 9


def test_every_command_takes_the_common_options():
    for command in ("diff", "check", "estimate", "taylor", "critical", "grad", "jacobian",
                    "hessian", "minimize", "serve"):
        text = cli(command, "--help").stdout
        for option in ("--quiet", "--timeout", "--verbose"):
            assert option in text, (command, option)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("quiet", "shown"), [(False, True), (True, False)])
def test_long_work_shows_a_spinner_on_a_terminal_unless_quiet(monkeypatch, capsys, quiet, shown):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_command(lambda: "done", Common(quiet=quiet), busy="differentiating 9 times")
    assert ("differentiating 9 times" in terminal.getvalue()) is shown
    assert capsys.readouterr().out == "done\n"


def test_short_work_shows_no_spinner(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_command(lambda: "done", Common(), busy=None)
    assert terminal.getvalue() == ""
