"""The README's examples run: its Python session as a doctest, its commands through the CLI."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainrule.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_session():
    failures, tried = doctest.testfile(str(README), module_relative=False,
                                       optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 10
    assert failures == 0


def _table_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^\| `(chainrule diff [^`]+)` \|", text, flags=re.M)


@pytest.mark.parametrize("command", _table_commands())
def test_readme_table_commands_run(command):
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(app, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output


def test_readme_console_transcript_matches():
    text = README.read_text(encoding="utf-8")
    block = text.split("```console\n", 1)[1].split("```", 1)[0]
    for chunk in block.split("$ ")[1:]:
        command, *expected = chunk.rstrip("\n").split("\n")
        result = CliRunner().invoke(app, shlex.split(command)[1:], env={"NO_COLOR": "1"})
        assert result.exit_code == 0
        assert result.output.rstrip("\n").split("\n") == [e for e in expected if e != ""]
