"""The calculus toolkit against the seeds' numbers and textbook answers.

Seed 003 (§2.3–2.5): e^x ≈ 1 + x + x²/2 gives 1.105 at 0.1 (true 1.10517…) and 2.5 at 1
(true 2.718…); ∇(x² + 3y²) = (2x, 6y), H = [[2, 0], [0, 6]]; at (3, 4) the gradient of
x² + y² is (6, 8), D_u f = 6 along +x and 10 along the gradient; u = x², v = 3x, z = u + v
gives dz/dx = 2x + 3; the stretched bowl makes gradient descent zig-zag while Newton lands in
one step. Seed 000: x^x has its minimum at 1/e, x^(1/x) its maximum at e. Seed 004: f″ > 0 at
a critical point means a minimum; x/(x²+1) has extrema at ±1.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from chainrule.calculus import (
    chain_rule_paths,
    critical_points,
    directional_derivative,
    gradient,
    hessian,
    implicit_diff,
    jacobian,
    minimize,
    steepest_descent,
    taylor,
    taylor_approximation,
)
from chainrule.core.build import PI, E
from chainrule.errors import ChainruleError
from chainrule.symbolic.api import parse

# -- Taylor --------------------------------------------------------------------------------


def test_seed_003_exp_taylor_table():
    t = taylor_approximation("e^x", about=0, order=2, at=[0.1, 1])
    assert str(t.polynomial) == "x^2/2 + x + 1"
    near, far = t.rows
    assert near.approx == pytest.approx(1.105, abs=1e-15)
    assert near.exact == pytest.approx(1.1051709180756477, rel=1e-15)
    assert f"{near.exact:.5f}" == "1.10517" and abs(near.error) < 2e-4
    assert far.approx == 2.5
    assert far.exact == pytest.approx(math.e) and far.error == pytest.approx(math.e - 2.5)
    assert abs(far.error) > 1000 * abs(near.error)  # the error grows away from a


def test_taylor_coefficients_are_exact():
    t = taylor_approximation("e^x", about=0, order=4)
    assert [c.value for _, c in t.terms] == [1, 1, Fraction(1, 2), Fraction(1, 6),
                                              Fraction(1, 24)]
    assert str(taylor("sin(x)", order=7)) == "-x^7/5040 + x^5/120 - x^3/6 + x"
    assert str(taylor("cos(x)", order=4)) == "x^4/24 - x^2/2 + 1"
    about_one = taylor_approximation("e^x", about=1, order=2)
    assert [c for _, c in about_one.terms][0] is E  # e, not 2.718…


def test_taylor_about_pi_multiples_folds_trig_values():
    assert str(taylor("sin(x)", about="pi", order=3)) == "(x - pi)^3/6 + pi - x"
    p = taylor("cos(x)", about="pi/3", order=2)
    assert "sqrt(3)" in str(p) and "cos" not in str(p)


def test_taylor_polynomial_text_reparses():
    for f, a in [("e^x", 0), ("sin(x)", 0), ("ln(x)", 1), ("sqrt(x)", 4), ("e^x", 1)]:
        p = taylor(f, about=a, order=4)
        assert parse(str(p)) is p


@pytest.mark.parametrize("f, exact", [
    ("e^x", math.exp), ("sin(x)", math.sin), ("cos(x)", math.cos),
    ("ln(1 + x)", math.log1p), ("1/(1 - x)", lambda x: 1 / (1 - x)), ("atan(x)", math.atan),
])
def test_taylor_error_shrinks_like_the_next_power(f, exact):
    for order in (3, 6):
        p = taylor(f, order=order)
        errors = [abs(exact(h) - p.evaluate(x=h)) for h in (0.1, 0.05)]
        # halving h divides the error by about 2^(order+1) (or more when a term vanishes)
        assert errors[1] < errors[0] / 2 ** order


def test_taylor_against_sympy_series():
    sympy = pytest.importorskip("sympy")
    x = sympy.Symbol("x")
    for text, s in [("e^x sin(x)", sympy.exp(x) * sympy.sin(x)), ("sqrt(1 + x)", sympy.sqrt(1 + x)),
                    ("x^x", x ** x), ("tan(x)", sympy.tan(x))]:
        a = 1 if text == "x^x" else 0
        ours = taylor(text, about=a, order=5)
        theirs = sympy.series(s, x, a, 6).removeO()
        for h in (0.05, 0.2):
            assert ours.evaluate(x=a + h) == pytest.approx(float(theirs.subs(x, a + h)), rel=1e-12)


def test_multivariate_taylor_is_gradient_plus_hessian():
    f = "e^x sin(y) + x^2 y"
    a = {"x": 0.5, "y": 1.0}
    p = taylor(f, about=a, order=2)
    g = gradient(f).at(a)
    h = hessian(f).at(a)
    f0 = parse(f).evaluate(**a)
    for d in ([0.1, -0.2], [0.03, 0.05]):
        step = np.array(d)
        model = f0 + g @ step + step @ h @ step / 2
        assert p.evaluate(x=a["x"] + d[0], y=a["y"] + d[1]) == pytest.approx(model, rel=1e-12)
    cubic = "x^2 y - 3x y^2 + y"
    exact_again = taylor(cubic, about={"x": 1, "y": 2}, order=3)
    point = {"x": 0.3, "y": -1.7}
    assert exact_again.evaluate(**point) == pytest.approx(parse(cubic).evaluate(**point))


def test_taylor_errors_are_clear():
    with pytest.raises(ChainruleError, match="not defined at the expansion point"):
        taylor("ln(x)", about=0)
    with pytest.raises(ChainruleError, match="several variables"):
        taylor("x y", about=0)


# -- critical points, one variable -------------------------------------------------------

ONE_VARIABLE = [  # (function, interval, [(location, kind)])
    ("x^x", None, [(1 / math.e, "min")]),
    ("x^(1/x)", None, [(math.e, "max")]),
    ("x*e^(-x)", None, [(1.0, "max")]),
    ("x^4", None, [(0.0, "min")]),
    ("x^3", None, [(0.0, "inflection")]),
    ("-x^4", None, [(0.0, "max")]),
    ("x^5", None, [(0.0, "inflection")]),
    ("x^6", None, [(0.0, "min")]),
    ("sin(x)", (0, 7), [(math.pi / 2, "max"), (3 * math.pi / 2, "min")]),
    ("cos(x)", (-1, 7), [(0.0, "max"), (math.pi, "min"), (2 * math.pi, "max")]),
    ("x - sin(x)", (-1, 7), [(0.0, "inflection"), (2 * math.pi, "inflection")]),
    ("x^3 - 3x", None, [(-1.0, "max"), (1.0, "min")]),
    ("x/(x^2 + 1)", None, [(-1.0, "min"), (1.0, "max")]),
    ("x^4 - 2x^2", None, [(-1.0, "min"), (0.0, "max"), (1.0, "min")]),
    ("x^3 - 6x^2 + 9x + 1", None, [(1.0, "max"), (3.0, "min")]),
    ("x ln(x)", None, [(1 / math.e, "min")]),
    ("x^2 ln(x)", None, [(math.exp(-0.5), "min")]),
    ("ln(x)/x", None, [(math.e, "max")]),
    ("e^x - 2x", None, [(math.log(2), "min")]),
    ("x^2 e^x", None, [(-2.0, "max"), (0.0, "min")]),
    ("sqrt(x) - x", None, [(0.25, "max")]),
    ("x + 1/x", (0.1, 10), [(1.0, "min")]),
    ("(x^2 - 1)^3", None, [(-1.0, "inflection"), (0.0, "min"), (1.0, "inflection")]),
    ("tan(x) - 2x", (-1.5, 1.5), [(-math.pi / 4, "max"), (math.pi / 4, "min")]),
    ("x^2/2 + cos(x)", None, [(0.0, "min")]),
]


@pytest.mark.parametrize("f, interval, expected", ONE_VARIABLE, ids=[c[0] for c in ONE_VARIABLE])
def test_textbook_critical_points(f, interval, expected):
    pts = critical_points(f, interval=interval)
    assert [(p.kind) for p in pts] == [k for _, k in expected], pts.text()
    for p, (where, _) in zip(pts, expected, strict=True):
        assert p.x == pytest.approx(where, rel=1e-12, abs=1e-12)
        assert p.value == pytest.approx(parse(f).evaluate(x=p.x), rel=1e-12, abs=1e-15)
        assert p.explanation


def test_seed_000_log_differentiation_critical_points_are_exact():
    (p,) = critical_points("x^x")
    assert str(p.exact) == "e^(-1)" and p.location == "1/e ≈ 0.367879"
    assert p.value == pytest.approx((1 / math.e) ** (1 / math.e)) and f"{p.value:.4f}" == "0.6922"
    assert "ln(x) + 1 = 0" in "\n".join(critical_points("x^x").notes)
    (q,) = critical_points("x^(1/x)")
    assert q.exact is E and q.kind == "max" and q.test == "second derivative"


def test_flat_critical_points_use_higher_derivatives():
    (quartic,) = critical_points("x^4")
    assert quartic.test == "derivative of order 4" and "f⁽⁴⁾(0) = 24" in quartic.explanation
    (cubic,) = critical_points("x^3")
    assert "odd order" in cubic.explanation and "f‴(0) = 6" in cubic.explanation


def test_exact_trig_roots_on_an_interval():
    pts = critical_points("sin(x)", interval=(0, 7))
    assert [str(p.exact) for p in pts] == ["pi/2", "3*pi/2"]
    assert pts[0].exact is PI / 2
    shifted = critical_points("sin(x) + x/2", interval=(0, 10))
    assert [p.x for p in shifted] == pytest.approx([2 * math.pi / 3, 4 * math.pi / 3,
                                                    8 * math.pi / 3])


def test_numeric_fallback_finds_every_root():
    pts = critical_points("sin(x)/x", interval=(1, 10))  # tan x = x: no closed form
    assert pts.method == "numeric"
    assert [p.x for p in pts] == pytest.approx([4.493409457909064, 7.725251836937707])
    assert pts.kinds() == ["min", "max"]
    wiggle = critical_points("x^2 sin(1/x)", interval=(0.05, 1))
    d = parse("2x*sin(1/x) - cos(1/x)")
    xs = np.linspace(0.05, 1, 200_001)
    ys = d.evaluate(x=xs)
    assert len(wiggle) == int(np.sum(np.sign(ys[:-1]) != np.sign(ys[1:])))


def test_numeric_fallback_finds_flat_critical_points():
    # f′ = e^sin(x)·(x − 1)²·(cos(x)·(x − 1) + 3): no closed form, and a double root at 1
    (p,) = critical_points("(x-1)^3 e^(sin(x))", interval=(-2, 4))
    assert p.x == 1.0 and p.kind == "inflection" and "f‴(1)" in p.explanation
    (q,) = critical_points("(x-1)^4 e^(sin(x))", interval=(-2, 4))
    assert q.x == 1.0 and q.kind == "min" and q.test == "derivative of order 4"


def test_domain_and_interval_are_respected():
    pts = critical_points("x^2 ln(x)")  # x·(2 ln x + 1) = 0 also gives x = 0, outside ln's domain
    assert len(pts) == 1 and any("outside the domain" in n for n in pts.notes)
    assert len(critical_points("x^3 - 3x", interval=(0, 5))) == 1
    assert len(critical_points("x^2 + 1", interval=(1, 2))) == 0
    assert len(critical_points("5")) == 0


def test_critical_points_against_sympy_for_polynomials():
    sympy = pytest.importorskip("sympy")
    x = sympy.Symbol("x")
    for text in ["x^5 - 5x^3 + 4x + 1", "x^6 - x^2", "3x^4 - 4x^3 - 12x^2 + 5", "x^7 - 7x",
                 "x^5 - 3x^4 + x - 2"]:
        s = parse(text).to_sympy()
        roots = sorted({float(r) for r in sympy.real_roots(sympy.diff(s, x))})
        ours = critical_points(text)
        assert len(roots) >= 2
        assert [p.x for p in ours] == pytest.approx(roots, abs=1e-12)


# -- critical points, several variables ----------------------------------------------------

SEVERAL = [
    ("x^2 - y^2", None, [((0, 0), "saddle")]),
    ("x*y", None, [((0, 0), "saddle")]),
    ("x^2 + 3y^2", None, [((0, 0), "min")]),
    ("-(x^2 + y^2)", None, [((0, 0), "max")]),
    ("x^3 + y^3 - 6x*y", None, [((0, 0), "saddle"), ((2, 2), "min")]),
    ("(1-x)^2 + 100(y-x^2)^2", {"x": (-2, 2), "y": (-1, 3)}, [((1, 1), "min")]),
    ("x^4 + y^4", None, [((0, 0), "min")]),  # flat: Hessian 0
    ("-x^4 - y^4", None, [((0, 0), "max")]),
    ("x^3 - 3x*y^2", None, [((0, 0), "saddle")]),  # monkey saddle, Hessian 0
    ("x^4 - 2x^2 + y^2", None, [((-1, 0), "min"), ((0, 0), "saddle"), ((1, 0), "min")]),
    ("x^3 - 3x + y^2", None, [((-1, 0), "saddle"), ((1, 0), "min")]),
]


@pytest.mark.parametrize("f, region, expected", SEVERAL, ids=[c[0] for c in SEVERAL])
def test_textbook_critical_points_several_variables(f, region, expected):
    pts = critical_points(f, region=region)
    assert [p.kind for p in pts] == [k for _, k in expected], pts.text()
    for p, (where, _) in zip(pts, expected, strict=True):
        assert (p.x["x"], p.x["y"]) == pytest.approx(where, abs=1e-9)


def test_himmelblau_has_four_minima_one_maximum_four_saddles():
    pts = critical_points("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    assert sorted(pts.kinds()) == ["max"] + ["min"] * 4 + ["saddle"] * 4
    (top,) = [p for p in pts if p.kind == "max"]
    assert (top.x["x"], top.x["y"]) == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    assert {"x": 3.0, "y": 2.0} in [p.x for p in pts if p.kind == "min"]


def test_saddle_explained_by_eigenvalues():
    (p,) = critical_points("x^2 - y^2")
    assert p.eigenvalues == (-2.0, 2.0) and "both signs" in p.explanation
    (q,) = critical_points("x^4 + y^4")
    assert q.test == "values nearby" and "include 0" in q.explanation


def test_three_variables():
    (p,) = critical_points("x^2 + y^2 + z^2 - x*y + z")
    assert p.kind == "min" and p.x == pytest.approx({"x": 0, "y": 0, "z": -0.5})


# -- gradient, Jacobian, Hessian -----------------------------------------------------------

def test_seed_003_gradient_and_hessian_of_the_stretched_bowl():
    g = gradient("x^2 + 3y^2")
    assert str(g) == "(2x, 6y)" and g.at(x=1, y=2).tolist() == [2.0, 12.0]
    h = hessian("x^2 + 3y^2")
    assert str(h) == "[[2, 0], [0, 6]]" and h.at(x=1, y=2).tolist() == [[2, 0], [0, 6]]


def test_hessian_and_jacobian_match_automatic_differentiation():
    import chainrule
    f = "x^2 sin(y) + e^(x y)"
    point = np.array([0.7, -0.4])
    ad = chainrule.hessian(lambda v: v[0] ** 2 * np.sin(v[1]) + np.exp(v[0] * v[1]))(point)
    assert np.allclose(hessian(f).at(x=0.7, y=-0.4), ad, rtol=1e-12)
    j = jacobian(["x*y", "x + y^2", "sin(x)"])
    assert j.shape == (3, 2) and str(j) == "[[y, x], [1, 2y], [cos(x), 0]]"


def test_seed_003_directional_derivative_and_steepest_descent():
    at = {"x": 3, "y": 4}
    assert directional_derivative("x^2 + y^2", [1, 0], at=at) == 6.0
    assert directional_derivative("x^2 + y^2", [6, 8], at=at) == pytest.approx(10.0)
    sd = steepest_descent("x^2 + y^2", at)
    assert sd.gradient.tolist() == [6.0, 8.0] and sd.rate == -10.0
    assert sd.direction.tolist() == pytest.approx([-0.6, -0.8])
    # no unit direction falls faster than −∇f/|∇f|
    angles = np.linspace(0, 2 * np.pi, 361)
    rates = [directional_derivative("x^2 + y^2", [math.cos(t), math.sin(t)], at=at) for t in angles]
    assert min(rates) == pytest.approx(sd.rate, rel=1e-4)


def test_seed_003_chain_rule_as_a_sum_over_paths():
    p = chain_rule_paths("z = u + v", {"u": "x^2", "v": "3x"}, wrt="x")
    assert [t.route for t in p.paths] == ["z → u → x", "z → v → x"]
    assert [t.formula for t in p.paths] == ["∂z/∂u·du/dx = (1)·(2x)", "∂z/∂v·dv/dx = (1)·(3)"]
    assert str(p.total) == "2x + 3" and p.agrees
    text = p.text()
    assert "Sum over paths: dz/dx = (2x) + (3) = 2x + 3" in text
    neuron = chain_rule_paths("L = a", {"a": "g^2", "g": "w x"}, wrt="w")
    assert neuron.total.evaluate(w=3, x=2) == 24.0  # seed 003's one-neuron example


# -- implicit differentiation --------------------------------------------------------------

def test_circle_implicit_derivative():
    d = implicit_diff("x^2 + y^2 = 1")
    assert str(d.derivative) == "-x/y"
    x = 0.6
    y = math.sqrt(1 - x * x)
    explicit = -x / math.sqrt(1 - x * x)  # d/dx sqrt(1 - x^2)
    assert d.at(x=x, y=y) == pytest.approx(explicit, rel=1e-15)
    assert d.numeric_slope(x=x, y=y) == pytest.approx(explicit, rel=1e-8)
    assert "Solve for y′" in d.text()


def test_folium_implicit_derivative_checked_numerically():
    d = implicit_diff("x^3 + y^3 = 6x y")
    assert str(d.derivative) == "(2y - x^2)/(y^2 - 2x)"
    for x, y in [(3.0, 3.0), (4 / 3, 8 / 3), (8 / 3, 4 / 3)]:
        assert d.residual(x=x, y=y) == pytest.approx(0, abs=1e-12)
        assert d.at(x=x, y=y) == pytest.approx(d.numeric_slope(x=x, y=y), rel=1e-7)
    assert d.at(x=3, y=3) == -1.0


def test_implicit_equation_errors():
    with pytest.raises(ChainruleError, match="exactly one '='"):
        implicit_diff("x = y = 1")
    with pytest.raises(ChainruleError, match="does not involve y"):
        implicit_diff("x^2 = 1")


# -- optimisation --------------------------------------------------------------------------

def test_seed_003_newton_lands_in_one_step_on_the_stretched_bowl():
    r = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="newton")
    assert r.converged and r.iterations == 1 and r.x == {"x": 0.0, "y": 0.0}
    assert r.value == 0.0 and "one Newton step" in r.report()


def test_seed_003_gradient_descent_zig_zags_on_the_stretched_bowl():
    for kwargs in ({"step": 0.3}, {}):  # fixed step and backtracking line search
        r = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="gd", **kwargs)
        ys = [row.x["y"] for row in r.trace]
        flips = sum(1 for a, b in zip(ys, ys[1:], strict=False) if a * b < 0)
        assert r.converged and r.iterations > 10
        assert flips >= r.iterations - 1 and r.zigzag >= r.iterations - 2
        assert "zig-zag" in r.report() and "stretched bowl" in r.report()
    fixed = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, step=0.3, max_iter=3)
    assert [round(row.x["y"], 6) for row in fixed.trace] == [1, -0.8, 0.64, -0.512]


def test_newton_converges_quadratically_on_rosenbrock():
    r = minimize("(1-x)^2 + 100(y-x^2)^2", start={"x": -1.2, "y": 1}, method="newton")
    assert r.converged and r.x == pytest.approx({"x": 1.0, "y": 1.0}, abs=1e-9)
    errors = [math.hypot(row.x["x"] - 1, row.x["y"] - 1) for row in r.trace]
    tail = [(a, b) for a, b in zip(errors, errors[1:], strict=False) if a < 1e-2 and b > 0]
    assert len(tail) >= 3
    for a, b in tail:  # each error about the square of the one before
        assert b <= 50 * a * a
        if a < 2e-3:  # the number of correct digits about doubles
            assert math.log(b) / math.log(a) > 1.7
    assert r.convergence_order() == pytest.approx(2, abs=0.3)
    gd = minimize("(1-x)^2 + 100(y-x^2)^2", start={"x": -1.2, "y": 1}, max_iter=200)
    assert not gd.converged and gd.convergence_order() < 1.2  # linear at best


def test_newton_safeguard_when_the_hessian_is_indefinite():
    r = minimize("x^4 - 2x^2 + y^2", start={"x": 0.1, "y": 1}, method="newton")
    assert r.converged and r.x["x"] == pytest.approx(1.0) and r.value == pytest.approx(-1.0)
    assert "not positive definite" in r.trace[1].note
    assert all(b.value <= a.value for a, b in zip(r.trace, r.trace[1:], strict=False))


def test_minimize_a_python_function_and_divergence():
    r = minimize(lambda x, y: (x - 1) ** 2 + (y + 2) ** 2, start={"x": 0, "y": 0},
                 method="newton")
    assert r.x == {"x": 1.0, "y": -2.0} and r.iterations == 1
    big = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, step=0.4)
    assert not big.converged and "too large" in big.message
    d = minimize("x^2 + 3y^2", start={"x": 1, "y": 1}, method="newton").to_dict()
    assert d["trace"][0]["f"] == 4.0 and d["converged"] is True
    with pytest.raises(ChainruleError, match="unknown method"):
        minimize("x^2", start={"x": 1}, method="adam")
    with pytest.raises(ChainruleError, match="no value for y"):
        minimize("x^2 + y^2", start={"x": 1})
