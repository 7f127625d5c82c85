"""Three-way verification: ``chainrule.testing.verify`` and ``chainrule diff --verify``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chainrule.cli.main import app
from chainrule.testing import verify


@pytest.mark.parametrize(
    ("expr", "wrt", "point", "order", "expected"),
    [
        ("x^x", "x", {"x": 2.0}, 1, 6.772588722239781),
        ("sigmoid(x)", "x", {"x": 0.0}, 1, 0.25),
        ("x^4", "x", {"x": 1.5}, 3, 36.0),
        ("x^2 y + 3y", "y", {"x": 2.0, "y": 1.0}, 1, 7.0),
        ("e^x cos(x)", "x", {"x": 0.0}, 4, -4.0),
        ("ln(x) / x", "x", {"x": 3.0}, 2, (2 * __import__("math").log(3) - 3) / 27),
    ],
)
def test_all_modes_agree_with_the_known_value(expr, wrt, point, order, expected):
    v = verify(expr, wrt, point, order)
    assert v.agree, v
    for value in (v.symbolic, v.forward, v.reverse):
        assert value == pytest.approx(expected, rel=1e-10, abs=1e-12)
    assert abs(v.numeric - expected) <= max(v.numeric_error, 1e-9 * abs(expected))


def test_at_a_kink_the_symbolic_value_is_refused():
    from chainrule.errors import DomainError
    with pytest.raises(DomainError, match="undefined"):
        verify("abs(x - 1) + x", "x", {"x": 1.0})


def test_cli_verify_text_and_json():
    runner = CliRunner()
    r = runner.invoke(app, ["diff", "x^x", "--at", "x=2", "--verify"], env={"NO_COLOR": "1"})
    assert r.exit_code == 0, r.output
    assert "forward AD" in r.output and "agree: yes" in r.output
    r = runner.invoke(app, ["diff", "x^x", "--at", "x=2", "--verify", "--format", "json"])
    data = json.loads(r.stdout)["verify"]
    assert set(data) >= {"symbolic", "forward", "reverse", "numeric", "numeric_error", "agree"}
    assert data["agree"] is True
    assert data["forward"] == pytest.approx(6.772588722239781, rel=1e-12)


def test_cli_verify_needs_a_point():
    r = CliRunner().invoke(app, ["diff", "x^x", "--verify"], env={"NO_COLOR": "1"})
    assert r.exit_code == 2 and "--verify needs a point" in r.output
