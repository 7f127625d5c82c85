"""Fast start: ``import chainrule`` and the command line import only what they use.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "starlette", "uvicorn", "sympy", "chainrule.mc")


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages present in ``sys.modules`` after running ``code``."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in sys.modules if m in {HEAVY!r}"
             " or m.split('.')[0] in ('scipy', 'starlette', 'uvicorn', 'sympy'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_chainrule_loads_nothing_heavy():
    assert loaded_after("import chainrule") == set()


def test_import_chainrule_does_not_load_numpy_or_the_engine():
    probe = ("import sys, chainrule\n"
             "print(sorted(m for m in ('numpy', 'chainrule.symbolic.api', 'chainrule.calculus')"
             " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_public_names_still_load_on_use():
    code = ("import chainrule\n"
            "assert str(chainrule.diff('x^x')) == 'x^x*(ln(x) + 1)'\n"
            "assert callable(chainrule.compile) and callable(chainrule.check_answer)\n")
    assert loaded_after(code).isdisjoint({"scipy", "starlette", "uvicorn", "sympy"})


@pytest.mark.parametrize("argv", [["--help"], ["diff", "x^2"], ["diff", "x^2", "--steps"],
                                  ["--version"]])
def test_command_line_loads_nothing_heavy(argv):
    code = ("import sys\nfrom chainrule.cli.main import app\n"
            f"sys.argv = ['chainrule', *{argv!r}]\n"
            "try:\n    app()\nexcept SystemExit as done:\n    assert done.code in (0, None)\n")
    assert loaded_after(code) == set()


def test_scipy_loads_when_a_root_search_needs_it():
    code = ("from chainrule.calculus.roots import find_roots\nimport math\n"
            "assert len(find_roots(math.cos, 0.0, 7.0)) == 2\n")
    assert "scipy" in loaded_after(code)


def test_help_loads_no_engine():
    """``chainrule --help`` registers the commands without importing what they run."""
    probe = ("import sys\nfrom chainrule.cli.main import app\nsys.argv = ['chainrule', '--help']\n"
             "try:\n    app()\nexcept SystemExit:\n    pass\n"
             "engine = ('numpy', 'chainrule.symbolic', 'chainrule.tutor', 'chainrule.autodiff',"
             " 'chainrule.numeric', 'chainrule.calculus', 'chainrule.testing', 'chainrule.web')\n"
             "print(sorted(m for m in engine if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
