"""Every record of the rule table is complete: the registry drives these tests.

A primitive is one record (``chainrule.rules``) plus one spec line (``primitive_specs``, whose
presence ``test_ad_primitives`` asserts). These tests check, for every registered record, the
pieces other parts of chainrule read from it — derivative per argument, implementation, NumPy
binding (NumPy's namesake ufunc, when it has one), compiled code (run at edge cases against
the implementation), printing heads, parser names, SymPy meaning, inverse, range and special
values — so a missing or drifting piece fails here instead of falling back somewhere.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

import chainrule
from chainrule.core import registry
from chainrule.core.build import symbol
from chainrule.core.expr import Apply, Symbol
from chainrule.core.numpy_dispatch import bound_primitive
from chainrule.core.primitive import Primitive
from chainrule.core.registry import all_primitives, get
from chainrule.errors import IncompleteRecord
from chainrule.parsing import parse
from chainrule.printing.latex import to_latex
from chainrule.printing.mathml import to_mathml
from chainrule.symbolic.compile.codegen import CompiledFunction
from primitive_specs import SPECS

RECORDS = all_primitives()
ELEMENTWISE = sorted(n for n, p in RECORDS.items() if p.elementwise)
ARRAY = sorted(n for n, p in RECORDS.items() if not p.elementwise)
FUNCTIONS = sorted(n for n, p in RECORDS.items() if p.is_function)
WITH_INVERSE = sorted(n for n, p in RECORDS.items() if p.inverse is not None)

UNBOUND_ON_PURPOSE = {
    "sign": "np.sign is piecewise constant: NumPy dispatch computes it on values",
    "floor": "np.floor is piecewise constant: NumPy dispatch computes it on values",
    "ceil": "np.ceil is piecewise constant: NumPy dispatch computes it on values",
}
"""Records NumPy has a ufunc for that traced NumPy code does not map to them, with the reason."""


def _numpy_namesakes(prim: Primitive) -> list:
    """NumPy ufuncs named like the record (``sin``; ``arcsin`` for ``asin``; its aliases)."""
    names = {prim.name, *prim.aliases}
    names |= {"arc" + n[1:] for n in names if n.startswith("a")}
    found = [getattr(np, n, None) for n in sorted(names)]
    return [f for f in found if isinstance(f, np.ufunc) and f.nin == _arity(prim)]


EDGES = (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-300, 40.0, math.nan, math.inf, -math.inf)
"""Arguments where implementations differ if anywhere: zeros, units, tiny, large, non-finite."""


def _arity(prim: Primitive) -> int:
    return 3 if prim.arity is None else prim.arity


def _inside(name: str, n: int | None = None) -> list[tuple]:
    """Points from the record's spec: inside its domain, away from poles and kinks."""
    n = n or _arity(RECORDS[name])
    rng = np.random.default_rng(0)
    cases = [c for c in SPECS[name] if c.scalar]
    points = [c.sample(rng) for c in cases for _ in range(3)]
    return [p[:n] for p in points if len(p) >= n]


def _points(name: str, n: int | None = None) -> list[tuple]:
    """Edge-case arguments plus points from the record's spec."""
    n = n or _arity(RECORDS[name])
    edges = [tuple(EDGES[(i + 5 * k) % len(EDGES)] for k in range(n)) for i in range(len(EDGES))]
    edges += [(v,) * n for v in EDGES]
    return edges + _inside(name, n)


def _impl(prim: Primitive, args: tuple) -> float:
    with np.errstate(all="ignore"):
        return float(prim.impl(*args))


def _agree(got: float, want: float, exact_nonfinite: bool) -> bool:
    """Equal to 1e-12, or both not finite (``math`` raises where NumPy returns ±inf)."""
    if not math.isfinite(want):
        if exact_nonfinite:
            return got == want or (math.isnan(got) and math.isnan(want))
        return not math.isfinite(got)
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300)


# -- derivative and implementation ----------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_record_has_a_derivative_per_argument(name):
    prim = RECORDS[name]
    for args in _inside(name):
        ans = prim.impl(*args)
        for i in range(_arity(prim)):
            assert np.isfinite(float(prim.partial(i, args, ans))), (name, i, args)


@pytest.mark.parametrize("name", ARRAY)
def test_array_record_has_a_jvp(name):
    """Every array record gives its JVP; the VJP is either the transpose the record writes
    (linear maps) or derived from the JVP by reverse mode, never a second copy of the rule."""
    prim = RECORDS[name]
    assert prim.rule is None and callable(prim.jvp) and callable(prim.impl)
    assert prim.vjp is None or callable(prim.vjp)


DERIVED_VJP = {"inv", "det", "logabsdet", "cholesky", "eigh", "eig", "svd", "qr"}
"""Records that write only a JVP: reverse mode transposes it."""


@pytest.mark.parametrize("name", sorted(DERIVED_VJP))
def test_derived_vjp_records_write_no_vjp(name):
    assert RECORDS[name].vjp is None


# -- the NumPy binding ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_record_names_its_numpy_function(name):
    prim = RECORDS[name]
    if name not in UNBOUND_ON_PURPOSE:
        missing = [f.__name__ for f in _numpy_namesakes(prim) if f not in prim.numpy]
        assert not missing, f"{name}: NumPy's {missing} should be in the record's numpy binding"
    for ufunc in prim.numpy:
        assert bound_primitive(ufunc) is prim
        for args in _points(name, ufunc.nin):
            with np.errstate(all="ignore"):
                assert _agree(float(ufunc(*args)), _impl(prim, args), exact_nonfinite=False)


def test_bindings_are_unique_and_known():
    bound = [f for p in RECORDS.values() for f in p.numpy]
    assert len(bound) == len(set(bound))
    for name in UNBOUND_ON_PURPOSE:
        assert _numpy_namesakes(RECORDS[name]) and not RECORDS[name].numpy


# -- compiled code ----------------------------------------------------------------------------

def _compiled(name: str) -> CompiledFunction:
    params = [Symbol(f"x{i}") for i in range(_arity(RECORDS[name]))]
    return CompiledFunction(Apply(RECORDS[name], tuple(params)), params)  # raw: no folding


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name", FUNCTIONS)
def test_compiled_code_runs_the_implementation_at_edge_cases(name):
    prim, f = RECORDS[name], _compiled(name)
    for args in _points(name):
        want = _impl(prim, args)
        with np.errstate(all="ignore"):
            got_array = float(f.array_fn(*(np.asarray(a) for a in args)))
        assert _agree(got_array, want, exact_nonfinite=True), (name, args, got_array, want)
        try:  # no errstate: like CompiledFunction, so a warning would fail the test
            got_scalar = float(f.scalar_fn(*args))
        except (ValueError, ZeroDivisionError, OverflowError):
            got_scalar = math.nan  # as CompiledFunction treats them
        assert _agree(got_scalar, want, exact_nonfinite=False), (name, args, got_scalar, want)


def test_sign_of_nan_is_nan_in_compiled_code():
    f = _compiled("sign")
    assert math.isnan(f.scalar_fn(math.nan)) and math.isnan(f.array_fn(np.asarray(math.nan)))


def test_compiled_code_names_the_record_functions():
    f = chainrule.compile("sin(x) + asinh(x)")
    assert "math.sin(a0)" in f.scalar_source and "np.arcsinh(a0)" in f.array_source


# -- printing and parsing -----------------------------------------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_record_has_printing_heads_and_parses_by_its_names(name):
    prim = RECORDS[name]
    assert prim.latex and prim.mathml
    x = symbol("x")
    raw = Apply(prim, (x,) * _arity(prim))
    assert to_latex(raw) and to_mathml(raw).startswith("<math")
    if name not in ("exp", "abs", "sqrt", "cbrt", "log"):  # printed with their own layout
        assert prim.latex in to_latex(raw) and f"<mi>{prim.mathml}</mi>" in to_mathml(raw)
    names = [f"x{i}" for i in range(_arity(prim))]
    point = _inside(name)[0]
    for written in prim.names:
        e = parse(f"{written}({', '.join(names)})")
        assert e.evaluate(**dict(zip(names, point, strict=True))) == pytest.approx(
            _impl(prim, point), rel=1e-12)


@pytest.mark.parametrize("name", sorted(n for n, p in RECORDS.items() if p.symbolic))
def test_symbolic_record_has_a_sympy_meaning(name):
    sympy = pytest.importorskip("sympy")
    prim = RECORDS[name]
    point = (_inside(name) or _inside(name, 2))[0]  # add and mul: specs with two arguments
    args = [sympy.Symbol(f"x{i}", real=True) for i in range(len(point))]
    make = prim.sympy
    assert make is not None
    s = getattr(sympy, make)(*args) if isinstance(make, str) else make(sympy, *args)
    value = float(s.subs(dict(zip(args, point, strict=True))).evalf(30))
    assert value == pytest.approx(_impl(prim, point), rel=1e-12)


@pytest.mark.parametrize("name", sorted(n for n, p in RECORDS.items() if p.symbolic))
def test_symbolic_record_has_an_mpmath_meaning(name):
    # the higher-precision evaluation of values at a point (core/precision.py) reads it
    mpmath = pytest.importorskip("mpmath")
    prim = RECORDS[name]
    point = (_inside(name) or _inside(name, 2))[0]
    make = prim.mpmath
    assert make is not None, f"{name} has no mpmath meaning"
    with mpmath.workdps(30):
        args = [mpmath.mpf(float(v)) for v in point]
        value = getattr(mpmath, make)(*args) if isinstance(make, str) else make(mpmath, *args)
    assert isinstance(value, mpmath.mpf)
    assert float(value) == pytest.approx(_impl(prim, point), rel=1e-12)


@pytest.mark.parametrize("name", sorted(n for n in FUNCTIONS if RECORDS[n].power_on_head))
def test_powers_print_on_the_head(name):
    e = Apply(RECORDS[name], (symbol("x"),)) ** 2
    assert to_latex(e).startswith(RECORDS[name].latex + "^{2}")


# -- mathematical facts -------------------------------------------------------------------------

@pytest.mark.parametrize("name", WITH_INVERSE)
def test_inverse_round_trips_on_its_branch(name):
    prim = RECORDS[name]
    inverse = get(prim.inverse.name)
    lo, hi = (max(b, -3.0) if i == 0 else min(b, 3.0) for i, b in enumerate(prim.inverse.branch))
    xs = np.linspace(lo, hi, 41)[1:-1]
    np.testing.assert_allclose(inverse.impl(prim.impl(xs)), xs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(n for n, p in RECORDS.items()
                                        if p.positive or p.nonnegative))
def test_range_holds_on_the_domain(name):
    prim = RECORDS[name]
    xs = np.linspace(-30, 30, 601)
    if prim.domain is not None:
        xs = xs[~prim.domain.violated(xs)]
    with np.errstate(all="ignore"):
        ys = np.asarray(prim.impl(xs))
    ys = ys[np.isfinite(ys)]
    assert ys.size > 100
    assert np.all(ys > 0) if prim.positive else np.all(ys >= 0)


@pytest.mark.parametrize("name", sorted(n for n, p in RECORDS.items() if p.values))
def test_special_values_are_the_implementation_values(name):
    prim = RECORDS[name]
    for arg in prim.values:
        exact = prim.special_value(chainrule.core.build.const(arg))
        assert _impl(prim, (float(arg),)) == pytest.approx(exact.evaluate(), abs=1e-15)
        assert chainrule.core.build.apply(prim, chainrule.core.build.const(arg)) is exact


# -- nothing falls back silently -------------------------------------------------------------

def test_a_record_missing_its_rule_raises_naming_it(monkeypatch):
    monkeypatch.setitem(registry._TABLE, "atanh", replace(get("atanh"), rule=None))
    with pytest.raises(IncompleteRecord, match="atanh"):
        chainrule.grad(lambda v: np.arctanh(v * 0.5 + 0.01))(0.3)


# -- batching ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "case"), [pytest.param(n, c, id=f"{n}-{c.label}")
                                            for n in ARRAY for c in SPECS[n]])
def test_batched_forward_mode_agrees_with_reverse_mode(name, case):
    """A Jacobian by batched forward mode (the records' ``batch`` rules, or their JVP per
    direction) equals the one by reverse mode (their VJPs)."""
    args = case.sample(np.random.default_rng(1))
    f = lambda x: case.fn(x, *args[1:])  # noqa: E731
    forward = chainrule.jacobian(f, mode="fwd")(args[0])
    reverse = chainrule.jacobian(f, mode="rev")(args[0])
    np.testing.assert_allclose(forward, reverse, rtol=1e-10, atol=1e-12)
