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
    with pytest.raises(DomainError,
                       match="not differentiable at x = 1.*left slope 0, right slope 2"):
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


def test_safe_mode_records_a_failing_mode_as_nan():
    import math
    v = verify("abs(x - 1) + x", "x", {"x": 1.0}, safe=True)
    assert math.isnan(v.symbolic) and not v.agree
    assert v.note == "the symbolic derivative is not defined here"
    assert "kink" in v.numeric_status


def test_the_explorer_shows_the_one_verifier():
    from chainrule import parse
    from chainrule.web.evaluation import three_way
    res = three_way(parse("x^2 y"), "y", {"x": 3.0, "y": 1.0})
    v = verify("x^2 y", "y", {"x": 3.0, "y": 1.0})
    assert (res["symbolic"], res["forward"], res["reverse"]) == (v.symbolic, v.forward,
                                                                 v.reverse) == (9.0, 9.0, 9.0)
    assert res["agree"] is v.agree is True
    assert res["numeric"]["value"] == v.numeric


def test_one_tolerance_policy():
    from chainrule.testing.tolerance import AGAINST_FD, BETWEEN_MODES, Tolerance
    assert Tolerance(1e-6, 1e-8) == AGAINST_FD
    assert BETWEEN_MODES.allows(1e-16, 0.0) and not BETWEEN_MODES.allows(1e-14, 0.0)
    assert not BETWEEN_MODES.allows(float("nan"), 1.0)
    assert BETWEEN_MODES.confirms(1.1, 0.2, 1.0) and not BETWEEN_MODES.confirms(1.1, 0.05, 1.0)


def test_finite_differences_come_from_numeric_and_survive_the_domain_edge():
    import numpy as np

    from chainrule.errors import DomainError
    from chainrule.testing import richardson_derivative

    def phi(t):  # log(0.05 + t): the first steps (0.1, 0.05) leave the domain
        if 0.05 + t <= 0:
            raise DomainError("outside")
        return np.log(0.05 + t)

    fd = richardson_derivative(phi, step=0.1)
    assert abs(fd.value - 20.0) <= max(fd.error, 1e-6)
