"""Piecewise functions: the derivative answered wherever it exists, refused only at a kink
or jump where it does not, with the reason; automatic differentiation's kink policy.

Oracles: SymPy's one-sided limits of the difference quotient, mpmath one-sided difference
quotients at 50 digits (``mp_oracle``), and finite differences in float64 away from kinks.
"""

from __future__ import annotations

import doctest
import json
import math
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import chainrule
import mp_oracle
from chainrule.cli.diff_command import DiffRequest, run_diff
from chainrule.cli.main import app
from chainrule.core.expr import Apply
from chainrule.errors import KinkError, KinkWarning
from chainrule.testing import verify

sp = pytest.importorskip("sympy")

# -- regression: the examples of the issue -------------------------------------------------

REFUSED = [
    # (expression, point, words the message must hold)
    ("relu(x)", {"x": 0.0}, ("relu(x)", "x = 0", "left slope 0", "right slope 1")),
    ("abs(x)", {"x": 0.0}, ("abs(x)", "x = 0", "left slope −1", "right slope 1")),
    ("heaviside(x)", {"x": 0.0}, ("heaviside(x)", "jumps from 0 to 1")),
    ("sign(x)", {"x": 0.0}, ("sign(x)", "jumps from −1 to 1")),
    ("floor(x)", {"x": 3.0}, ("floor(x)", "x = 3", "jumps from 2 to 3")),
    ("ceil(x)", {"x": -2.0}, ("ceil(x)", "x = −2", "jumps from −2 to −1")),
    ("max(x, 0)", {"x": 0.0}, ("max(x, 0)", "left slope 0", "right slope 1")),
    ("min(x, 2 - x)", {"x": 1.0}, ("min(x, 2 - x)", "x = 1", "left slope 1",
                                   "right slope −1")),
    ("abs(x^2 - 1)", {"x": 1.0}, ("abs(x^2 - 1)", "x = 1", "left slope −2", "right slope 2")),
    ("x*ceil(x)", {"x": 0.0}, ("ceil(x) changes branch", "left slope 0", "right slope 1")),
    ("heaviside(x^2)", {"x": 0.0}, ("not continuous", "its value is 0, its limit 1")),
    ("sin(relu(x - 1))", {"x": 1.0}, ("relu(x - 1)", "left slope 0", "right slope 1")),
    ("max(x, y)", {"x": 1.0, "y": 1.0}, ("x = 1, y = 1", "(in x)", "left slope 0")),
]

ANSWERED = [
    # (expression, point, f′ there): kinks where the derivative exists, and points between
    ("relu(x)^2", {"x": 0.0}, 0.0),
    ("abs(x)^3", {"x": 0.0}, 0.0),
    ("x*abs(x)", {"x": 0.0}, 0.0),
    ("heaviside(x)*x^2", {"x": 0.0}, 0.0),
    ("max(x, sin(x))", {"x": 0.0}, 1.0),
    ("relu(x - 1) + x", {"x": 0.0}, 1.0),
    ("abs(x^2)", {"x": 0.0}, 0.0),
    ("floor(x)", {"x": 2.5}, 0.0),
    ("x*floor(x)", {"x": 2.5}, 2.0),
    ("ceil(x)^2 + x", {"x": -0.5}, 1.0),
    ("max(x^2, 1)", {"x": 2.0}, 4.0),
    ("min(x, y)*x", {"x": 1.0, "y": 3.0}, 2.0),
    ("x*relu(y)", {"x": 2.0, "y": 0.0}, 0.0),  # relu at its kink, but constant in x
]


@pytest.mark.parametrize(("text", "point", "words"), REFUSED)
def test_a_derivative_that_does_not_exist_is_refused_naming_the_kink(text, point, words):
    with pytest.raises(KinkError) as err:
        chainrule.derivative_at(text, point, "x")
    for w in words:
        assert w in str(err.value), (w, str(err.value))


@pytest.mark.parametrize(("text", "point", "want"), ANSWERED)
def test_a_derivative_that_exists_is_answered(text, point, want):
    assert chainrule.derivative_at(text, point, "x") == pytest.approx(want, abs=1e-15)


def _sympy_one_sided(text: str, point: dict[str, float]) -> tuple:
    """(left, right) limits of f's difference quotient at the point, by SymPy."""
    f = chainrule.parse(text).to_sympy()
    h = sp.Symbol("h", positive=True)
    subs = {sp.Symbol(k, real=True): sp.nsimplify(v) for k, v in point.items()}
    f = f.subs({s: sp.Symbol(s.name, real=True) for s in f.free_symbols}).subs(
        {sp.Symbol(s.name): sp.Symbol(s.name, real=True) for s in f.free_symbols})
    x = sp.Symbol("x", real=True)
    at = f.subs(subs)
    others = {k: v for k, v in subs.items() if k != x}
    step = lambda d: f.subs(others).subs(x, subs[x] + d)  # noqa: E731
    left = sp.limit((at - step(-h)) / h, h, 0)
    right = sp.limit((step(h) - at) / h, h, 0)
    return left, right


@pytest.mark.parametrize("case", [c[:2] for c in REFUSED + ANSWERED],
                         ids=[c[0] for c in REFUSED + ANSWERED])
def test_answers_and_refusals_follow_sympys_one_sided_limits(case):
    text, point = case
    try:
        if "floor" in text or "ceil" in text:  # SymPy's limit of floor(5/2 + h) never ends
            raise NotImplementedError
        left, right = _sympy_one_sided(text, point)
        exists = left == right and left.is_finite
    except NotImplementedError:  # nor can it take Max(−1/h, −sin(1/h)): mpmath's quotients
        e = chainrule.parse(text)
        e = chainrule.substitute(e, {chainrule.symbol(k): chainrule.const(v)
                                     for k, v in point.items() if k != "x"})
        left, right = _one_sided(e, point["x"])
        exists = math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-20)
    if exists:
        assert chainrule.derivative_at(text, point, "x") == pytest.approx(float(left), abs=1e-15)
    else:
        with pytest.raises(KinkError):
            chainrule.derivative_at(text, point, "x")


def test_the_command_line_refuses_at_the_kink_and_answers_where_f_prime_exists():
    runner = CliRunner()
    r = runner.invoke(app, ["diff", "relu(x)", "--at", "x=0"], env={"NO_COLOR": "1"})
    assert r.exit_code != 0 and "left slope 0, right slope 1" in r.output
    r = runner.invoke(app, ["diff", "sign(x)", "--at", "x=0"], env={"NO_COLOR": "1"})
    assert r.exit_code != 0 and "jumps from −1 to 1" in r.output and "|u|" not in r.output
    r = runner.invoke(app, ["diff", "relu(x)^2", "--at", "x=0"], env={"NO_COLOR": "1"})
    assert r.exit_code == 0 and "at x = 0: 0" in r.output
    r = runner.invoke(app, ["diff", "max(x, 0)", "--at", "x=2"], env={"NO_COLOR": "1"})
    assert r.exit_code == 0 and "at x = 2: 1" in r.output


def test_json_and_the_web_api_answer_as_the_command_line():
    from chainrule.web import create_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    client = TestClient(create_app(warm_up=False), base_url="http://127.0.0.1")
    good = client.post("/api/diff", json={"expr": "abs(x)^3", "at": 0})
    assert good.status_code == 200 and good.json()["value"] == 0
    want = run_diff(DiffRequest("abs(x)^3", None, 1, "x=0", False, "", "normal", "auto", "json"))
    assert good.json() == json.loads(json.dumps(want))
    bad = client.post("/api/diff", json={"expr": "floor(x)", "at": 1})
    assert 400 <= bad.status_code < 500 and "jumps from 0 to 1" in bad.text


def test_verify_agrees_where_the_derivative_exists_and_says_where_it_does_not():
    v = verify("relu(x)^2 + x", "x", {"x": 0.0})
    assert v.agree and v.symbolic == 1.0
    v = verify("relu(x)", "x", {"x": 0.0}, safe=True)
    assert not v.agree and math.isnan(v.symbolic)


def test_higher_orders_check_every_lower_order():
    assert chainrule.derivative_at("x*abs(x)", {"x": 0.0}, "x", order=1) == 0.0
    with pytest.raises(KinkError, match="order 1 has left slope −2, right slope 2"):
        chainrule.derivative_at("x*abs(x)", {"x": 0.0}, "x", order=2)
    assert chainrule.derivative_at("relu(x)^3", {"x": 0.0}, "x", order=2) == 0.0


def test_the_new_functions_print_parse_and_differentiate():
    e = chainrule.parse("max(x, 0) + min(x^2, 1) + floor(x) + ceiling(x)")
    assert chainrule.parse(str(e)) is e
    assert r"\max" in e.latex() and r"\operatorname{floor}" in e.latex()
    assert str(chainrule.diff("max(x, 0)")) == "heaviside(x)"
    assert str(chainrule.diff("floor(x)*x")) == "floor(x)"
    assert chainrule.from_sympy(sp.Max(sp.Symbol("x"), sp.Symbol("y"))) is \
        chainrule.parse("max(x, y)")


# -- automatic differentiation's kink policy ----------------------------------------------------

@pytest.mark.parametrize(("f", "name", "used"), [
    (lambda x: np.maximum(x, 0.0), "max", 0.5),
    (np.abs, "abs", 0.0),
    (lambda x: np.minimum(x, 0.0), "min", 0.5),
])
def test_automatic_differentiation_warns_at_a_kink(f, name, used):
    with pytest.warns(KinkWarning, match=f"{name} is not differentiable where 1 entry"):
        assert chainrule.grad(f)(0.0) == used
    with pytest.raises(KinkError, match=name), chainrule.kinks("raise"):
        chainrule.grad(f)(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with chainrule.kinks("subgradient"):
            assert chainrule.grad(f)(0.0) == used
        assert chainrule.grad(f)(0.75) == pytest.approx(float(np.sign(f(0.75) - f(0.0))) or 0)


def test_the_warning_counts_the_entries_on_the_kink():
    x = np.array([0.0, 1.0, 0.0, -2.0])
    with pytest.warns(KinkWarning, match="2 entries sit"):
        g = chainrule.grad(lambda v: np.sum(np.abs(v)))(x)
    assert g.tolist() == [0.0, 1.0, 0.0, -1.0]


def test_an_unknown_policy_is_refused_by_name():
    with pytest.raises(chainrule.ChainruleError, match="'loud'"), chainrule.kinks("loud"):
        pass


# -- the property: random compositions with piecewise pieces -------------------------------------

INNER = ("x", "x - 1", "x^2", "x^3", "sin(x)", "2x", "x^2 - 1", "1 - x", "0", "x^3 - x")
PIECE = ("relu({u})", "abs({u})", "sign({u})", "heaviside({u})", "floor({u})", "ceil({u})",
         "max({u}, {v})", "min({u}, {v})")
OUTER = ("{p}", "{p}^2", "{p}^3", "x*{p}", "sin({p})", "exp({p})", "{p} + x", "{p}*{q}",
         "({p})^2*x + {q}")

pieces = st.builds(lambda p, u, v: p.format(u=u, v=v), st.sampled_from(PIECE),
                   st.sampled_from(INNER), st.sampled_from(INNER))
compositions = st.builds(lambda o, p, q: o.format(p=p, q=q), st.sampled_from(OUTER),
                         pieces, pieces)


def _kink_distance(e, x: float) -> float:
    """How far the point is from the nearest kink or jump of any piecewise node (in its
    argument's terms)."""
    far = math.inf
    for node in e.walk():
        if isinstance(node, Apply) and node.prim.pieces is not None:
            args = [float(a.evaluate(x=x)) for a in node.args]
            if node.prim.name in ("floor", "ceil"):
                far = min(far, abs(args[0] - round(args[0])))
            elif len(args) == 2:
                far = min(far, abs(args[0] - args[1]))
            else:
                far = min(far, abs(args[0]))
    return far


def _one_sided(e, x: float) -> tuple[float | None, float | None]:
    """mpmath difference quotients from each side at 120 digits, steps 1e-30 (None: f
    undefined there)."""
    with mpmath.workdps(120):  # x³ at x = 1 ± 1e-30 keeps its 1e-90 term
        xm, h = mpmath.mpf(x), mpmath.mpf(10) ** -30
        f0, lo, hi = (mp_oracle.value(e, xm + d) for d in (0, -h, h))
        if f0 is None or lo is None or hi is None:
            return None, None
        return float((f0 - lo) / h), float((hi - f0) / h)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=compositions, x=st.sampled_from([-1.3, -0.45, 0.35, 0.8, 1.55, 2.3]))
def test_every_mode_agrees_away_from_kinks(text, x):
    e = chainrule.parse(text)
    assume(_kink_distance(e, x) > 0.05)
    v = verify(e, "x", {"x": x}, safe=True)
    assume(math.isfinite(v.symbolic))
    want = mp_oracle.derivative(e, x)
    assert want is not None, (text, x)
    assert v.symbolic == pytest.approx(want, rel=1e-9, abs=1e-12), (text, x)
    assert v.forward == pytest.approx(want, rel=1e-9, abs=1e-12), (text, x)
    assert v.reverse == pytest.approx(want, rel=1e-9, abs=1e-12), (text, x)
    if v.numeric_status == "converged":  # finite differences, within their own error bound
        assert abs(v.numeric - want) <= 2 * v.numeric_error + 1e-9 * abs(want) + 1e-12, \
            (text, x, v.numeric, v.numeric_error)
    event(f"numeric {v.numeric_status}")


@settings(max_examples=500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=compositions, x=st.sampled_from([-1.0, 0.0, 1.0, 2.0]))
def test_at_a_kink_the_answer_is_both_one_sided_limits_or_a_refusal(text, x):
    e = chainrule.parse(text)
    left, right = _one_sided(e, x)
    assume(left is not None)
    try:
        got = chainrule.derivative_at(e, {"x": x}, "x")
    except KinkError as err:
        # refused: the one-sided quotients differ (a kink) or blow up (a jump: ~1/h = 1e30)
        jump = max(abs(left), abs(right)) > 1e15
        assert jump or not math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12), \
            (text, x, err)
        assert "x = " in str(err)
        event("refused")
        return
    except chainrule.DomainError:
        event("undefined")
        return  # f or f′ undefined here for another reason (0 to a negative power)
    event("answered")
    assert got == pytest.approx(left, rel=1e-9, abs=1e-12), (text, x, left, right)
    assert got == pytest.approx(right, rel=1e-9, abs=1e-12), (text, x, left, right)


def test_the_piecewise_doc_runs():
    doc = Path(__file__).resolve().parents[1] / "docs" / "piecewise.md"
    failures, tried = doctest.testfile(str(doc), module_relative=False)
    assert tried >= 10 and failures == 0


def test_the_explorers_show_no_slope_at_a_kink():
    from chainrule.web.evaluation import quotients, step_errors
    q = quotients(chainrule.parse("relu(x)"), "x", 0.0, 0.5)
    assert q["slope"] is None and q["quotient"] == 1.0  # the secant from the right
    assert quotients(chainrule.parse("relu(x)^2"), "x", 0.0, 0.5)["slope"] == 0.0
    with pytest.raises(KinkError, match="left slope −1, right slope 1"):
        step_errors(chainrule.parse("abs(x)"), "x", 0.0)


@pytest.mark.parametrize(("text", "x", "want"), [
    ("sqrt(relu(x))", -1.0, 0.0),          # 0/(2·√0) as written; relu ≡ 0 near −1
    ("sqrt(relu(x)) + x", -1.0, 1.0),
    ("relu(x)^0.5*sin(x)", -0.5, 0.0),
    ("sqrt(abs(relu(x)))", -2.0, 0.0),
    ("sqrt(max(x, 1) - 1)", 0.5, 0.0),      # max is the constant 1 below 1
])
def test_where_a_piece_is_locally_constant_its_slope_is_zero(text, x, want):
    # the oracle: mpmath one-sided quotients, both 0 (f is constant near x)
    left, right = _one_sided(chainrule.parse(text), x)
    assert left == pytest.approx(want, abs=1e-12) and right == pytest.approx(want, abs=1e-12)
    assert chainrule.derivative_at(text, {"x": x}, "x") == want
    r = CliRunner().invoke(app, ["diff", text, "--at", f"x={x}"], env={"NO_COLOR": "1"})
    assert r.exit_code == 0 and f": {want:g}" in r.output.replace("-0", "0"), r.output


def test_sign_evaluated_at_its_jump_names_the_jump_not_a_kink_of_abs():
    with pytest.raises(chainrule.DomainError) as err:
        chainrule.parse("sign(x)").evaluate(x=0.0)
    text = str(err.value)
    assert "jumps from −1 to 1" in text and "|u|" not in text


@pytest.mark.parametrize(("fn", "x"), [
    (np.sign, 0.0), (lambda u: np.heaviside(u, 0.5), 0.0), (np.floor, 2.0), (np.ceil, -1.0),
    (np.trunc, 3.0), (np.rint, 0.5), (lambda u: np.floor_divide(u, 0.5), 1.5),
])
def test_numpy_step_functions_report_a_traced_value_on_a_jump(fn, x):
    # f = step(x)·x: at a jump the one-sided slopes differ (checked by finite differences),
    # so AD's 0-slope for the step is not a derivative there and must not pass silently
    f = lambda t: fn(t) * t  # noqa: E731
    h = 1e-7
    left, right = (f(x) - f(x - h)) / h, (f(x + h) - f(x)) / h
    assert abs(left - right) > 1e-3
    with chainrule.kinks("raise"), pytest.raises(KinkError, match="exactly on its jump"):
        chainrule.grad(f)(x)
    with pytest.warns(KinkWarning, match="jump"):
        chainrule.grad(f)(x)
    with chainrule.kinks("subgradient"), warnings.catch_warnings():
        warnings.simplefilter("error")
        chainrule.grad(f)(x)


@pytest.mark.parametrize("fn", [np.sign, np.floor, np.ceil, np.trunc, np.rint])
def test_numpy_step_functions_off_their_jumps_are_quiet_and_right(fn):
    x = np.array([0.3, 1.7, -2.2, 4.4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = chainrule.grad(lambda t: np.sum(fn(t) * t))(x)
    assert np.array_equal(got, fn(x))  # d/dx [c·x] = c off the jumps


def test_every_step_ufunc_computed_on_values_knows_its_jumps():
    # the registry-style completeness check: each piecewise-constant ufunc that is a function
    # of a real number (not a comparison or logical) has its jump mask
    from chainrule.core.numpy_dispatch import CONSTANT_UFUNCS, JUMPS
    branch = {np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
              np.isfinite, np.isnan, np.isinf, np.logical_and, np.logical_or, np.logical_not,
              np.logical_xor, np.signbit, np.spacing}
    assert set(CONSTANT_UFUNCS) - branch == set(JUMPS)
