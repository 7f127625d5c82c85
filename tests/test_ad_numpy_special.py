"""SciPy's special functions and the helpers for what NumPy's protocols cannot reach:
``chainrule.numpy.at`` (functional updates), ``r_`` / ``c_`` of traced pieces, and NumPy's
in-place functions refused with what to write instead.

Values are SciPy's / NumPy's; derivatives agree with finite differences in forward and
reverse mode to second order.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule import grad, jvp
from chainrule import numpy as cnp
from chainrule.errors import NotDifferentiable

R = np.random.default_rng(7)
A = R.uniform(-2, 2, (3, 4))
V = np.array([0.7, -1.3, 2.1, 0.4])

# -- scipy.special: SciPy's ufuncs dispatch to records and compositions ---------------------

_P = np.array([0.15, 0.4, 0.85])
SPECIAL = [
    ("expit", (V,)),
    ("log_expit", (V,)),
    ("logit", (_P,)),
    ("xlogy", (V[:3], _P)),
    ("xlog1py", (V[:3], _P)),
    ("entr", (_P,)),
    ("rel_entr", (_P, _P[::-1])),
    ("betaln", (_P + 1, _P[::-1])),
    ("ndtr", (V,)),
    ("gamma", (V,)),
    ("erf", (V,)),
    ("erfc", (V,)),
    ("gammaln", (V,)),
    ("psi", (_P,)),
]


@pytest.mark.parametrize(("name", "args"), SPECIAL, ids=[n for n, _ in SPECIAL])
def test_scipy_special_values_and_derivatives(name, args):
    from scipy import special

    f = getattr(special, name)
    out, _ = jvp(f, args, tuple(np.zeros_like(a) for a in args))
    np.testing.assert_allclose(out, f(*args), rtol=1e-13)
    report = chainrule.check_grads(
        lambda *xs: np.sum(np.sin(f(*xs))), args, modes=("fwd", "rev"), order=2, raise_on_fail=False
    )
    assert report.ok, report


def test_xlogy_at_zero_is_zero_with_slope_log_y():
    from scipy import special

    assert grad(lambda x: special.xlogy(x, 2.0))(0.0) == pytest.approx(np.log(2.0))
    assert grad(lambda y: special.xlogy(0.0, y))(0.0) == 0.0
    value, _ = jvp(lambda x: special.xlogy(x, 0.0), (0.0,), (1.0,))
    assert value == 0.0


def test_scipy_special_without_a_rule_is_refused_by_name():
    from scipy import special

    with pytest.raises(NotDifferentiable, match=r"^scipy\.special\.i0 has no derivative"):
        grad(lambda x: special.i0(x))(1.0)


# -- functional updates: chainrule.numpy.at, and in-place NumPy refused with what to write --

AT_CASES = [
    (lambda x, v: cnp.at(x)[1].set(v[0]), "x[1] = v[0]"),
    (lambda x, v: cnp.at(x)[[0, 2, 0]].set(v[:3]), "x[[0, 2, 0]] = v[:3]"),
    (lambda x, v: cnp.at(x)[1:3].add(v[:2] ** 2), "np.add.at(x, slice(1, 3), v[:2] ** 2)"),
    (lambda x, v: cnp.at(x)[[3, 3, 0]].add(np.sin(v[:3])), "np.add.at(x, [3, 3, 0], sin v)"),
]


def _numpy_update(label, x, v):
    x = x.copy()
    if label == "x[1] = v[0]":
        x[1] = v[0]
    elif label == "x[[0, 2, 0]] = v[:3]":
        x[[0, 2, 0]] = v[:3]
    elif label.startswith("np.add.at(x, slice"):
        np.add.at(x, slice(1, 3), v[:2] ** 2)
    else:
        np.add.at(x, [3, 3, 0], np.sin(v[:3]))
    return x


@pytest.mark.parametrize(("fn", "label"), AT_CASES, ids=[c[1] for c in AT_CASES])
def test_at_updates_are_numpys_and_differentiable(fn, label):
    x0, v0 = V * 2, V[::-1] + 0.5
    np.testing.assert_allclose(fn(x0, v0), _numpy_update(label, x0, v0), rtol=1e-15)
    out, _ = jvp(fn, (x0, v0), (np.zeros(4), np.zeros(4)))
    np.testing.assert_allclose(out, _numpy_update(label, x0, v0), rtol=1e-15)
    report = chainrule.check_grads(
        lambda x, v: np.sum(np.sin(fn(x, v))),
        (x0, v0),
        modes=("fwd", "rev"),
        order=2,
        raise_on_fail=False,
    )
    assert report.ok, report


def test_at_on_a_matrix_with_a_mask():
    a = A.copy()
    g = grad(lambda a: np.sum(cnp.at(a)[a > 0].set(0.0) ** 2))(a)
    np.testing.assert_allclose(g, np.where(a > 0, 0.0, 2 * a))


@pytest.mark.parametrize(
    "update",
    [
        lambda x: np.copyto(x, 1.0),
        lambda x: np.fill_diagonal(x, 1.0),
        lambda x: np.put(x, [0], 1.0),
        lambda x: np.putmask(x, x > 0, 1.0),
        lambda x: np.place(x, x > 0, [1.0]),
        lambda x: np.put_along_axis(x, np.zeros((3, 1), int), 1.0, axis=1),
    ],
)
def test_in_place_numpy_functions_are_refused_with_what_to_write(update):
    with pytest.raises(NotDifferentiable, match=r"in place.*chainrule\.numpy\.at"):
        grad(lambda x: update(x) or np.sum(x))(A)


@pytest.mark.parametrize(
    ("build", "numpy_build"),
    [
        (lambda x: cnp.r_[x, 0.5, x**2], lambda x: np.r_[x, 0.5, x**2]),
        (lambda x: cnp.r_[x, 1:4, 0:1:3j], lambda x: np.r_[x, 1:4, 0:1:3j]),
        (lambda x: cnp.c_[x, np.sin(x)], lambda x: np.c_[x, np.sin(x)]),
        (lambda x: cnp.c_[np.outer(x, x), x], lambda x: np.c_[np.outer(x, x), x]),
    ],
)
def test_r_and_c_of_traced_pieces_are_numpys(build, numpy_build):
    x0 = V[:3]
    np.testing.assert_array_equal(build(x0), numpy_build(x0))
    out, _ = jvp(build, (x0,), (np.zeros(3),))
    np.testing.assert_array_equal(out, numpy_build(x0))
    report = chainrule.check_grads(
        lambda x: np.sum(np.sin(build(x))),
        (x0,),
        modes=("fwd", "rev"),
        order=2,
        raise_on_fail=False,
    )
    assert report.ok, report
