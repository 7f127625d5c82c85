"""The SymPy bridge: round trips, the meaning of every primitive, errors, depth and sharing."""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np
import pytest

from chainrule.core.build import PI, E, apply, const, symbol
from chainrule.core.expr import Apply
from chainrule.core.registry import all_primitives, get
from chainrule.errors import BudgetError, ChainruleError
from chainrule.interop.sympy_bridge import from_sympy, to_sympy
from chainrule.limits import deep_recursion
from primitive_specs import SPECS

sp = pytest.importorskip("sympy")

x, y = symbol("x"), symbol("y")
SYMBOLIC = {name for name, p in all_primitives().items() if p.symbolic}
"""The primitives expressions may hold (the array-only ones have no SymPy meaning)."""
X, Y = sp.Symbol("x"), sp.Symbol("y")


def f(name, *args):
    return apply(name, *args)


ROUND_TRIPS = [
    lambda: x,
    lambda: f("sign", x - 1) * x,
    lambda: const(Fraction(-3, 4)) * x,
    lambda: 0.25 * x + 1.5,
    lambda: x**2 + 3 * x - 7,
    lambda: x * y / (x + y) ** 2,
    lambda: x**x,
    lambda: x ** (y - 1),
    lambda: 2**x,
    lambda: E * x,
    lambda: PI * x**2,
    lambda: f("exp", -x),
    lambda: f("exp", x) / (f("exp", x) + 1) ** 2,
    lambda: f("ln", x**2 + 1),
    lambda: f("log", x, const(10)),
    lambda: 3 * f("log", x + 1, const(2)),
    lambda: f("sqrt", x + 1),
    lambda: 1 / f("sqrt", x),
    lambda: f("abs", x) / x,
    lambda: f("sin", x) ** 2 + f("cos", x) ** 2,
    lambda: f("tan", 2 * x),
    lambda: f("cot", x) * f("sec", x) * f("csc", x),
    lambda: f("asin", x) + f("acos", x),
    lambda: f("atan", x**2),
    lambda: f("sinh", x) * f("cosh", y),
    lambda: 1 - f("tanh", x) ** 2,
    lambda: f("relu", x - 1),
    lambda: f("heaviside", x) * x,
    lambda: x**x * (f("ln", x) + 1),
    lambda: 4 * x / (x**2 + 1) ** 2,
    lambda: (1 - x**2) / (x**2 + 1) ** 2,
]


@pytest.mark.parametrize("make", ROUND_TRIPS)
def test_round_trip_is_identity(make):
    e = make()
    assert from_sympy(to_sympy(e)) is e


NAMED_IN_SYMPY = sorted(name for name in SYMBOLIC if isinstance(get(name).sympy, str))
"""Records naming a SymPy function of the same meaning (``asinh``): each round trips alone."""


@pytest.mark.parametrize("name", NAMED_IN_SYMPY)
def test_every_record_naming_a_sympy_function_round_trips(name):
    args = (x + const(Fraction(1, 3)), x**2)  # max and min take two, the others one
    e = f(name, *args[:get(name).arity])
    s = to_sympy(e)
    assert type(s).__name__ == get(name).sympy
    # (SymPy orders the arguments of Max and Min, which are symmetric)
    assert from_sympy(s) in (e, f(name, *reversed(args[:get(name).arity])))


def test_round_trips_cover_every_primitive_that_can():
    assert len(ROUND_TRIPS) >= 25
    seen = {n.prim.name for make in ROUND_TRIPS for n in make().walk() if hasattr(n, "prim")}
    # these are written in other functions' terms in SymPy, so they come back rewritten
    rewritten = {"sigmoid", "softplus", "log1p", "expm1", "cbrt", "logsumexp", "logaddexp",
                 "sqrt"}
    assert seen | rewritten | set(NAMED_IN_SYMPY) == SYMBOLIC


# -- what each primitive means in SymPy ----------------------------------------------------

@pytest.mark.parametrize(("make", "expected"), [
    (lambda: f("sigmoid", x), 1 / (1 + sp.exp(-X))),
    (lambda: f("softplus", x), sp.log(1 + sp.exp(X))),
    (lambda: f("relu", x), sp.Max(0, X)),
    (lambda: f("heaviside", x), sp.Heaviside(X, 0)),
    (lambda: f("log", x, const(10)), sp.log(X) / sp.log(10)),
    (lambda: f("log1p", x), sp.log(X + 1)),
    (lambda: f("expm1", x), sp.exp(X) - 1),
    (lambda: f("abs", x), sp.Abs(X)),
    (lambda: f("logsumexp", x, y), sp.log(sp.exp(X) + sp.exp(Y))),
    (lambda: f("logaddexp", x, y), sp.log(sp.exp(X) + sp.exp(Y))),
    (lambda: f("cbrt", x),
     sp.Piecewise((X ** sp.Rational(1, 3), X >= 0), (-((-X) ** sp.Rational(1, 3)), True))),
    (lambda: f("sqrt", x), sp.sqrt(X)),
    (lambda: x / 3, X / 3),
    (lambda: const(0.5) * PI, sp.Float(0.5) * sp.pi),
])
def test_to_sympy_forms(make, expected):
    assert to_sympy(make()) == expected


POINTS = [-1.7, -0.3, 0.0, 0.4, 2.5]
POSITIVE = [0.3, 1.0, 2.5, 7.0]
UNIT = [-0.9, -0.2, 0.0, 0.5, 0.95]
NONZERO = [-1.7, -0.3, 0.4, 2.5]

NUMERIC = {
    "add": (lambda: x + y + 1, POINTS),
    "mul": (lambda: 3 * x * y, POINTS),
    "pow": (lambda: x**y, POSITIVE),
    "abs": (lambda: f("abs", x), POINTS),
    "sign": (lambda: f("sign", x) * x, NONZERO),
    "exp": (lambda: f("exp", x), POINTS),
    "ln": (lambda: f("ln", x), POSITIVE),
    "log": (lambda: f("log", x, y + 2), POSITIVE),
    # canonical form writes sqrt(u) as u^(1/2); a raw node still checks its SymPy form
    "sqrt": (lambda: Apply(get("sqrt"), (x,)), POSITIVE + [0.0]),
    "cbrt": (lambda: f("cbrt", x), POINTS + [-8.0, 27.0]),
    "log1p": (lambda: f("log1p", x), [-0.5, 0.0, 0.4, 2.5]),
    "expm1": (lambda: f("expm1", x), POINTS),
    "sin": (lambda: f("sin", x), POINTS),
    "cos": (lambda: f("cos", x), POINTS),
    "tan": (lambda: f("tan", x), POINTS),
    "cot": (lambda: f("cot", x), NONZERO),
    "sec": (lambda: f("sec", x), POINTS),
    "csc": (lambda: f("csc", x), NONZERO),
    "asin": (lambda: f("asin", x), UNIT),
    "acos": (lambda: f("acos", x), UNIT),
    "atan": (lambda: f("atan", x), POINTS),
    "sinh": (lambda: f("sinh", x), POINTS),
    "cosh": (lambda: f("cosh", x), POINTS),
    "tanh": (lambda: f("tanh", x), POINTS),
    "sigmoid": (lambda: f("sigmoid", x), POINTS + [-30.0]),
    "softplus": (lambda: f("softplus", x), POINTS),
    "relu": (lambda: f("relu", x), POINTS),
    "heaviside": (lambda: f("heaviside", x), NONZERO),  # at 0 it jumps: refused (test_kinks)
    "maximum": (lambda: f("maximum", x, y**2), POINTS),
    "minimum": (lambda: f("minimum", f("sin", x), y), POINTS),
    "logsumexp": (lambda: f("logsumexp", x, y, const(0)), POINTS),
    "logaddexp": (lambda: f("logaddexp", x, y), POINTS),
}


def _from_spec(name: str) -> tuple:
    """A primitive added since this table was written: ``name(x)`` at its spec's points."""
    case = next(c for c in SPECS[name] if c.scalar)
    rng = np.random.default_rng(0)
    return (lambda: f(name, x)), [case.sample(rng)[0] for _ in range(5)]


for _name in SYMBOLIC - set(NUMERIC):
    if get(_name).arity == 1:
        NUMERIC[_name] = _from_spec(_name)


def _sympy_value(s, point):
    subs = {sp.Symbol(name): sp.Float(value, 30) for name, value in point.items()}
    return float(sp.N(s.subs(subs), 30))


@pytest.mark.parametrize("name", sorted(NUMERIC))
def test_sympy_agrees_numerically(name):
    make, points = NUMERIC[name]
    e = make()
    assert any(n.prim.name == name for n in e.walk() if hasattr(n, "prim"))
    s = to_sympy(e)
    for v in points:
        point = {"x": v, "y": 0.7 * v + 0.2} if name != "log" else {"x": v, "y": v}
        assert _sympy_value(s, point) == pytest.approx(e.evaluate(**point), rel=1e-12, abs=1e-12)


def test_every_primitive_is_checked_numerically():
    assert set(NUMERIC) >= SYMBOLIC


@pytest.mark.parametrize("make", [
    lambda: x**x * (f("ln", x) + 1),
    lambda: 4 * x / (x**2 + 1) ** 2,
    lambda: f("exp", -x) / (1 + f("exp", -x)) ** 2,
    lambda: f("sigmoid", x) * (1 - f("sigmoid", x)),
    lambda: f("softplus", f("sin", x)) + f("cbrt", x - 2) * f("logsumexp", x, x**2),
])
def test_composites_agree_numerically(make):
    e = make()
    s = to_sympy(e)
    for v in POSITIVE:
        assert _sympy_value(s, {"x": v}) == pytest.approx(e.evaluate(x=v), rel=1e-12)


# -- derivatives SymPy takes of our forms ---------------------------------------------------

@pytest.mark.parametrize("real", [False, True])
def test_cube_root_differentiates_for_nonzero_x(real):
    s = to_sympy(f("cbrt", x), real=real)
    sym = sp.Symbol("x", real=True) if real else X
    d = sp.diff(s, sym)
    for v in (-8.0, -0.5, 0.5, 8.0):
        expected = 1 / (3 * abs(v) ** (2 / 3))
        assert float(sp.N(d.subs(sym, v))) == pytest.approx(expected, rel=1e-12)


def test_real_symbols_differentiate_abs_to_sign():
    sym = sp.Symbol("x", real=True)
    assert sp.diff(to_sympy(f("abs", x), real=True), sym) == sp.sign(sym)


def test_relu_and_sigmoid_derivatives():
    assert sp.diff(to_sympy(f("relu", x)), X) == sp.Heaviside(X)
    d = sp.diff(to_sympy(f("sigmoid", x)), X)
    assert float(d.subs(X, 0)) == pytest.approx(0.25)


# -- from_sympy ----------------------------------------------------------------------------

@pytest.mark.parametrize(("s", "expected"), [
    (lambda: sp.Rational(3, 4) * X, lambda: const(Fraction(3, 4)) * x),
    (lambda: sp.Float(0.1) + X, lambda: x + 0.1),
    (lambda: sp.Integer(5), lambda: const(5)),
    (lambda: sp.E**X, lambda: f("exp", x)),
    (lambda: sp.exp(1), lambda: E),
    (lambda: sp.pi / 2, lambda: PI / 2),
    (lambda: sp.sqrt(X), lambda: f("sqrt", x)),
    (lambda: sp.log(X), lambda: f("ln", x)),
    (lambda: sp.log(X, 2), lambda: f("log", x, const(2))),
    (lambda: sp.log(X) / sp.log(Y), lambda: f("ln", x) / f("ln", y)),
    (lambda: sp.Max(X, 0), lambda: f("relu", x)),
    (lambda: sp.Heaviside(X, 0), lambda: f("heaviside", x)),
    (lambda: sp.sin(X) * sp.cos(X) - sp.Abs(X), lambda: f("sin", x) * f("cos", x) - f("abs", x)),
])
def test_from_sympy(s, expected):
    assert from_sympy(s()) is expected()


@pytest.mark.parametrize(("s", "named"), [
    (lambda: sp.besselj(0, X), "besselj"),
    (lambda: sp.Function("g")(X), "g"),
    (lambda: sp.Heaviside(X), "Heaviside"),
    (lambda: sp.Max(X, Y, X**3), "Max"),  # of three: chainrule's max takes two
    (lambda: sp.Piecewise((X, X > 0), (0, True)), "Piecewise"),
    (lambda: sp.I * X, "I"),
    (lambda: sp.oo, "oo"),
    (lambda: sp.EulerGamma * X, "EulerGamma"),
])
def test_from_sympy_names_what_it_cannot_read(s, named):
    with pytest.raises(ChainruleError, match=named):
        from_sympy(s())


def test_from_sympy_does_not_parse_strings():
    with pytest.raises(ChainruleError, match="not a SymPy expression"):
        from_sympy("x + 1")


def test_python_numbers_are_accepted():
    assert from_sympy(3) is const(3)
    assert from_sympy(0.5) is const(0.5)


# -- without SymPy, sharing, depth ------------------------------------------------------------

def test_missing_sympy_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sympy", None)  # makes `import sympy` fail
    with pytest.raises(ChainruleError, match=r"^SymPy is not installed: pip install sympy$"):
        to_sympy(x)
    with pytest.raises(ChainruleError, match=r"^SymPy is not installed: pip install sympy$"):
        from_sympy(X)


def test_shared_subexpressions_convert_once():
    e = x
    for _ in range(60):  # 2^60 leaves as a tree, 180 nodes as a DAG
        e = f("sin", e) * e + e
    s = to_sympy(e)
    assert from_sympy(s) is e
    assert s.func is sp.Add


def test_deep_nest_round_trips():
    e = x
    for i in range(1_500):
        e = (e + 1) * x if i % 2 else (e + 2) * f("sin", x)
    assert from_sympy(to_sympy(e)) is e


def test_deep_sympy_input():
    with deep_recursion():  # SymPy itself recurses to build a deep expression
        s, e = X, x
        for i in range(1_500):
            s, e = ((s + 1) * X, (e + 1) * x) if i % 2 else (s + sp.sin(X), e + f("sin", x))
    assert from_sympy(s) is e


def test_sympy_float_keeps_the_double():
    assert from_sympy(to_sympy(const(0.1))).value == 0.1
    assert from_sympy(to_sympy(const(math.pi))).value == math.pi


def test_too_deep_is_a_budget_error_not_a_crash():
    from chainrule.limits import DEEP_LIMIT

    e = x
    for _ in range(DEEP_LIMIT):
        e = f("sin", e)
    with pytest.raises(BudgetError, match="nested too deeply to convert to SymPy"):
        to_sympy(e)
