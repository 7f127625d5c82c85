"""Every primitive of the rule table, in every mode, against finite differences (DESIGN.md §7).

Driven by :mod:`primitive_specs`: for each primitive and each of its cases, forward and reverse
mode (and, for symbolic primitives, ``chainrule.diff``) agree with Richardson-extrapolated
central differences in random directions up to second order, through
:func:`chainrule.testing.check_grads`.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import chainrule
from chainrule.autodiff import reverse
from chainrule.autodiff.tracing import new_level
from chainrule.core.build import symbol
from chainrule.core.registry import all_primitives, get
from chainrule.testing import check_grads
from primitive_specs import EXCLUDED, SPECS, ZERO_DERIVATIVE, Case

CASES = [pytest.param(name, case, id=f"{name}-{case.label}")
         for name, cases in SPECS.items() for case in cases]
SYMBOLIC_CASES = [p for p in CASES if get(p.values[0]).symbolic and p.values[1].scalar]
TRIALS = 2  # independent random points (and directions) per case


def _rng(name: str, case: Case) -> np.random.Generator:
    """A generator seeded by the case's name: deterministic, different for every case."""
    return np.random.default_rng(zlib.crc32(f"{name}/{case.label}".encode()))


def _modes(name: str, case: Case) -> tuple[str, ...]:
    return ("sym", "fwd", "rev") if get(name).symbolic and case.scalar else ("fwd", "rev")


def test_every_registered_primitive_has_a_spec():
    registry = set(all_primitives())
    covered = set(SPECS) | set(EXCLUDED)
    assert covered == registry, (f"primitives without a spec: {sorted(registry - covered)}; "
                                 f"specs of unknown primitives: {sorted(covered - registry)}")
    assert not set(SPECS) & set(EXCLUDED)
    assert set(EXCLUDED) <= ZERO_DERIVATIVE, "only zero-derivative primitives may be excluded"
    assert all(SPECS[name] for name in SPECS), "every spec needs at least one case"


def _primitives_used(fn, args: tuple) -> set[str]:
    """Names of the primitives a reverse-mode trace of ``fn(*args)`` records."""
    level = new_level()
    boxes = [reverse.leaf(a, level) for a in args]
    out = fn(*boxes)
    if not isinstance(out, reverse.ReverseBox):
        return set()
    return {node.prim.name for node in reverse.toposort(out.node) if node.prim is not None}


@pytest.mark.parametrize(("name", "case"), CASES)
def test_case_exercises_its_primitive(name, case):
    args = case.sample(_rng(name, case))
    if get(name).locally_constant:
        # a step function is computed on plain values: no tangent flows through it, so
        # 0·∞ downstream (asin(H(x)) where H = 1) is the true 0, not NaN
        assert name not in _primitives_used(case.fn, args)
        return
    assert name in _primitives_used(case.fn, args)


@pytest.mark.parametrize(("name", "case"), CASES)
def test_modes_agree_with_finite_differences(name, case):
    rng = _rng(name, case)
    modes = _modes(name, case)
    for trial in range(TRIALS):
        args = case.sample(rng)
        report = check_grads(case.fn, args, modes=modes, order=case.order, eps=case.eps,
                             rtol=case.rtol, atol=case.atol, seed=trial, raise_on_fail=False)
        assert report.ok, f"{name} at {args}:\n{report}"
        assert not report.skipped or "sym" not in modes, report.skipped
        assert {c.mode for c in report.checks} == set(modes)
        assert max(c.order for c in report.checks) == case.order


@pytest.mark.parametrize(("name", "case"), SYMBOLIC_CASES)
def test_symbolic_derivative_equals_reverse_mode(name, case):
    """``chainrule.diff`` of the traced function and the reverse pass agree at random points."""
    rng = _rng(name, case)
    sample = case.sample(rng)
    syms = [symbol(f"a{i}") for i in range(len(sample))]
    expr = case.fn(*syms)
    partials = [chainrule.diff(expr, wrt=s) for s in syms]
    for _ in range(3):
        point = case.sample(rng)
        _, back = chainrule.vjp(case.fn, *point)
        reverse_grads = back(1.0)
        values = {s.name: v for s, v in zip(syms, point, strict=True)}
        symbolic = [p.evaluate(**values) for p in partials]
        np.testing.assert_allclose(symbolic, reverse_grads, rtol=1e-12, atol=1e-14,
                                   err_msg=f"{name} at {point}: partials {partials}")


@pytest.mark.parametrize("name", sorted(ZERO_DERIVATIVE))
def test_zero_derivative_primitives_have_derivative_zero(name):
    """Including at the jump (H′(0) is 0 by convention) and in every mode and order."""
    prim = get(name)
    x = np.array([-2.0, -1e-300, 0.0, 1e-300, 3.0])
    f = lambda v: np.sum(prim(v))  # noqa: E731
    assert np.all(chainrule.grad(f)(x) == 0)
    assert np.all(chainrule.hessian(f)(x) == 0)
    assert np.all(chainrule.jvp(prim, (x,), (np.ones(5),))[1] == 0)
    for point in (-1.5, 0.0, 2.0):
        assert chainrule.grad(lambda v: prim(v))(point) == 0
    assert str(chainrule.diff(prim(symbol("x")), wrt="x")) == "0"


# -- the oracle itself: check_grads must catch wrong rules --------------------------------------

def _replace_primitive(monkeypatch, name: str, **changes) -> None:
    """Swap the registry's record for ``name`` (NumPy dispatch looks it up at call time)."""
    from dataclasses import replace

    from chainrule.core import registry
    monkeypatch.setitem(registry._TABLE, name, replace(get(name), **changes))


def _failed(report) -> set[tuple[str, int]]:
    return {(c.mode, c.order) for c in report.failures}


def test_check_grads_catches_a_wrong_first_order_rule(monkeypatch):
    from chainrule.core import ops
    _replace_primitive(monkeypatch, "sin", rule=lambda i, a, ans: 1.0001 * ops.cos(a[0]))
    report = check_grads(lambda x: np.sin(x) * x, (np.array([0.3, 1.0]),), modes=("fwd", "rev"),
                         raise_on_fail=False)
    assert {("fwd", 1), ("rev", 1)} <= _failed(report)
    assert "FAIL fwd order 1 argument 0" in str(report)


def test_check_grads_catches_a_rule_right_only_to_first_order(monkeypatch):
    """A rule computed from the plain value is cut out of the trace: second order is wrong."""
    from chainrule.autodiff.tracing import value_of
    _replace_primitive(monkeypatch, "sin", rule=lambda i, a, ans: np.cos(value_of(a[0])))
    report = check_grads(np.sin, (np.array([0.3, 1.0]),), modes=("fwd", "rev"),
                         raise_on_fail=False)
    assert all(c.ok for c in report.checks if c.order == 1)
    assert _failed(report) == {("fwd", 2), ("rev", 2)}


def test_check_grads_catches_a_wrong_vjp_but_passes_the_right_jvp(monkeypatch):
    right = get("sum").vjp
    _replace_primitive(monkeypatch, "sum",
                       vjp=lambda g, *rest: [None if c is None else 2 * c for c in right(g, *rest)])
    report = check_grads(lambda x: np.sum(x**2, axis=0), (np.ones((2, 3)),),
                         modes=("fwd", "rev"), raise_on_fail=False)
    assert ("rev", 1) in _failed(report)
    assert all(c.ok for c in report.checks if c.mode == "fwd")


def test_check_grads_catches_a_wrong_symbolic_rule(monkeypatch):
    from chainrule.core import ops
    _replace_primitive(monkeypatch, "atan", rule=lambda i, a, ans: 1 / (1 + a[0] ** 2.01))
    # Expressions are interned by primitive name: an odd argument makes sure this atan node
    # is new, built with the swapped record rather than found from an earlier test.
    report = check_grads(lambda x: np.arctan(x + 0.3183) + ops.exp(x), (0.7,),
                         raise_on_fail=False)
    assert ("sym", 1) in _failed(report)


def test_check_grads_reports_and_raises():
    from chainrule.errors import ChainruleError
    from chainrule.testing import GradCheckError
    wrong = lambda x: np.where(x > 0, x, 2 * x)  # noqa: E731 - a kink at 0
    with pytest.raises(GradCheckError) as info:
        check_grads(wrong, (np.array([0.0, 1.0]),), modes=("rev",), order=1)
    assert isinstance(info.value, ChainruleError)
    failure = info.value.report.failures[0]
    assert (failure.mode, failure.order, failure.argument) == ("rev", 1, 0)
    assert failure.error > failure.tolerance
    assert "FAIL rev order 1 argument 0" in str(info.value)
    report = check_grads(lambda x, y: x * np.sum(y), (2.0, np.ones(3)), order=1)
    assert report.ok and report.skipped and "argument 1" in report.skipped[0]
    assert {c.argument for c in report.checks} == {0, 1, "all"}
    with pytest.raises(ChainruleError):
        check_grads(np.sin, (1.0,), modes=("bogus",))


def test_check_grads_reports_a_mode_that_raises():
    report = check_grads(lambda x: np.sum(np.fft.hfft(x)), (np.array([2.0, 1.0]),),
                         modes=("fwd", "rev"), order=1, raise_on_fail=False)
    assert not report.ok
    assert all("NotDifferentiable" in c.message and "fft" in c.message
               for c in report.failures)
