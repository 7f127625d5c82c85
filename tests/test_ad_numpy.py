"""Real NumPy code under automatic differentiation: each case was once silently wrong.

Every test asserts the right value against an independent oracle (a hand-derived closed form
or central finite differences), or a clear refusal (:class:`NotDifferentiable` /
:class:`DifferentiationError` naming what to change) — never a wrong number.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import chainrule
from chainrule import grad, hessian, jacobian, jvp, value_and_grad, vjp
from chainrule import numpy as cnp
from chainrule.autodiff.pytree import flatten
from chainrule.autodiff.tracing import Box
from chainrule.errors import DifferentiationError, NotDifferentiable


def central(f, x, h=1e-6):
    """Central finite differences of ``f`` at ``x`` (float or array), Jacobian-shaped."""
    x = np.asarray(x, dtype=float)
    fx = np.asarray(f(x), dtype=float)
    out = np.zeros(fx.shape + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        out[(...,) + idx] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h)
    return out


# -- comparisons compare values ------------------------------------------------------------

def test_equality_in_where_takes_numpys_branch():
    f = lambda x: np.sum(np.where(x == 1.0, 0.0, 3 * x))  # noqa: E731
    np.testing.assert_allclose(grad(f)(np.array([1.0, 2.0])), [0.0, 3.0])
    g = lambda x: np.sum(np.where(x != 1.0, 3 * x, 0.0))  # noqa: E731
    np.testing.assert_allclose(grad(g)(np.array([1.0, 2.0])), [0.0, 3.0])


@pytest.mark.parametrize(("x0", "slope"), [(1.0, 2.0), (2.0, 3.0)])
def test_python_if_on_equality_takes_numpys_branch(x0, slope):
    f = lambda x: x**2 if x == 1.0 else 3 * x  # noqa: E731
    assert grad(f)(x0) == slope
    assert grad(lambda x: np.sum(x**2) if x == 1.0 else np.sum(3 * x))(np.float64(x0)) == slope


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_every_comparison_of_a_traced_value_is_numpys(op):
    x0 = np.array([0.5, 1.0, 2.0])
    compare = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}[op]
    seen = []

    def f(x):
        mask = {"<": x < 1.0, "<=": x <= 1.0, ">": x > 1.0, ">=": x >= 1.0,
                "==": x == 1.0, "!=": x != 1.0}[op]
        seen.append(mask)
        return np.sum(np.where(mask, x**2, -x))

    expected = np.where(compare(x0, 1.0), 2 * x0, -1.0)
    np.testing.assert_allclose(grad(f)(x0), expected)
    assert all(type(m) is np.ndarray and m.dtype == bool for m in seen)


def test_a_traced_value_still_hashes_by_identity_and_is_not_none():
    seen = []
    grad(lambda x: seen.append((x == None, x != None, {x: 1}[x])) or x * x)(2.0)  # noqa: E711
    assert seen and set(seen) == {(False, True, 1)}


# -- containers as outputs -----------------------------------------------------------------

def test_jacobian_of_a_gradient_with_two_argnums():
    out = jacobian(grad(lambda x, y: x * x * y, argnums=(0, 1)))(2.0, 3.0)
    assert isinstance(out, tuple)
    np.testing.assert_allclose([float(o) for o in out], [2 * 3.0, 2 * 2.0])


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_jacobian_of_a_tuple_output(mode):
    out = jacobian(lambda x: (x, 2 * x, np.sin(x)), mode=mode)(0.5)
    np.testing.assert_allclose([float(o) for o in out], [1.0, 2.0, np.cos(0.5)])


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_jacobian_of_a_dict_of_arrays_matches_finite_differences(mode):
    x0 = np.array([0.3, -0.7, 1.1])
    f = lambda x: {"a": np.sin(x) * x[0], "b": np.sum(x**2)}  # noqa: E731
    out = jacobian(f, mode=mode)(x0)
    np.testing.assert_allclose(out["a"], central(lambda x: f(x)["a"], x0), rtol=1e-7)
    np.testing.assert_allclose(out["b"], central(lambda x: f(x)["b"], x0), rtol=1e-7)


def test_vjp_of_a_tuple_output_leaks_no_box():
    out, back = vjp(lambda x: (np.sin(x),), 0.5)
    assert out == (np.sin(0.5),)
    assert not any(isinstance(o, Box) for o in out)
    assert back((1.0,)) == (np.cos(0.5),)


def test_vjp_of_a_pair_sums_both_paths():
    x0 = np.array([0.2, 0.4])
    out, back = vjp(lambda x: (x * x, np.sum(np.exp(x))), x0)
    (ct,) = back((np.array([1.0, 10.0]), 2.0))
    np.testing.assert_allclose(ct, 2 * x0 * [1.0, 10.0] + 2 * np.exp(x0))
    with pytest.raises(chainrule.ChainruleError, match="one cotangent for every output"):
        back(1.0)


def test_hessian_with_two_argnums_is_the_block_matrix():
    h = hessian(lambda x, y: x * x * y, argnums=(0, 1))(2.0, 3.0)
    np.testing.assert_allclose(np.array(h, dtype=float), [[2 * 3.0, 2 * 2.0], [2 * 2.0, 0.0]])


def test_jvp_of_a_tuple_output():
    out, tan = jvp(lambda x: (x * x, 3 * x), (2.0,), (1.0,))
    assert out == (4.0, 6.0) and tan == (4.0, 3.0)


# -- arrays built from traced values -------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda x: np.array([x, x**2]),
    lambda x: np.asarray(x),
    lambda x: np.r_[x, x**2],
    lambda x: np.c_[x, x**2],
    lambda x: np.append([x], [x**2]),
    lambda x: np.float64(x[0]) * x,
    lambda x: np.int64(x[0]) * x,
])
def test_np_array_of_traced_values_is_refused_with_what_to_write(build):
    with pytest.raises(NotDifferentiable, match=r"numpy\.array .*np\.stack"):
        jacobian(build)(np.array([2.0]))


def test_what_the_refusal_suggests_works():
    np.testing.assert_allclose(jacobian(lambda x: np.stack([x, x**2]))(2.0), [1.0, 4.0])
    np.testing.assert_allclose(jacobian(lambda x: cnp.array([x, x**2]))(2.0), [1.0, 4.0])


@pytest.mark.parametrize("axis", [None, 0])
def test_np_append_of_traced_arrays(axis):
    x0 = np.array([2.0, 3.0])
    f = lambda x: np.append(x, x**2, axis=axis)  # noqa: E731
    np.testing.assert_allclose(f(x0), np.append(x0, x0**2))
    np.testing.assert_allclose(jacobian(f)(x0), central(f, x0), rtol=1e-7)
    np.testing.assert_allclose(jacobian(f, mode="fwd")(x0), central(f, x0), rtol=1e-7)


# -- complex input and dtypes --------------------------------------------------------------

def test_complex_input_is_differentiated_not_cast():
    # the example (it used to give ([1.], [2.])); the rest is in test_ad_complex
    value, tangent = jvp(lambda z: z * z, (np.array([1 + 1j]),), (np.array([1 + 0j]),))
    np.testing.assert_array_equal(value, [2j])
    np.testing.assert_array_equal(tangent, [2 + 2j])
    with pytest.raises(NotDifferentiable, match="holomorphic=True"):
        jacobian(lambda z: z * z)(np.array([1 + 1j]))


@pytest.mark.parametrize("x0", [np.array([1, 2]), np.array([True, False]), np.int64(3)])
def test_integer_input_to_grad_is_a_clear_error(x0):
    with pytest.raises(DifferentiationError, match=r"dtype .*floating-point.*astype\(float\)"):
        grad(lambda x: np.sum(x * x))(x0)


def test_python_int_is_taken_at_its_float_value():
    assert grad(lambda x: x**3)(2) == 12.0


@pytest.mark.parametrize("f", [
    lambda x: np.sum(x**2), lambda x: np.sum(np.exp(x) / (1 + x**2)), lambda x: np.mean(x),
    lambda x: np.sum(x @ np.ones((2, 2), np.float32)), lambda x: np.std(x),
])
def test_float32_in_gives_float32_out(f):
    x0 = np.array([0.5, 2.0], dtype=np.float32)
    value, g = value_and_grad(f)(x0)
    assert np.result_type(value) == np.float32 and g.dtype == np.float32
    np.testing.assert_allclose(g, central(f, x0.astype(float)).astype(np.float32), rtol=1e-3)
    assert jacobian(lambda x: np.tanh(x) * 2)(x0).dtype == np.float32
    assert jacobian(lambda x: np.tanh(x) * 2, mode="fwd")(x0).dtype == np.float32


# -- no NaN where the function is locally constant -----------------------------------------

def test_power_zero_has_zero_derivatives_at_zero():
    # x^0 = 1 for every x: every derivative is 0, at x = 0 too.
    assert grad(grad(lambda x: np.power(x, 0.0)))(0.0) == 0.0
    assert grad(lambda x: np.power(x, 0.0))(0.0) == 0.0
    np.testing.assert_array_equal(grad(lambda x: np.sum(x**0.0))(np.array([0.0, 2.0])), [0, 0])


def test_power_of_zero_in_the_exponent():
    # 0^y = 0 for y > 0: the slope in y is the limit 0 (JAX's convention), not 0·ln 0.
    assert jvp(lambda y: np.power(0.0, y), (0.5,), (1.0,)) == (0.0, 0.0)
    assert grad(lambda y: np.sum(np.power(np.array([0.0, 2.0]), y)))(1.5) == pytest.approx(
        2.0**1.5 * np.log(2.0))


def test_power_keeps_its_derivatives_at_zero_for_other_exponents():
    # x² at 0: slope 0, curvature 2; x³: third derivative 6 (the mask is only for x^0).
    assert grad(lambda x: np.power(x, 2.0))(0.0) == 0.0
    assert grad(grad(lambda x: np.power(x, 2.0)))(0.0) == 2.0
    assert grad(grad(grad(lambda x: np.power(x, 3.0))))(0.0) == 6.0


def test_std_of_one_value_has_zero_gradient():
    np.testing.assert_array_equal(grad(np.std)(np.array([3.5])), [0.0])
    np.testing.assert_array_equal(grad(lambda x: np.std(x, axis=0).sum())(np.ones((1, 3))),
                                  np.zeros((1, 3)))
    np.testing.assert_array_equal(grad(np.linalg.norm)(np.zeros(3)), np.zeros(3))
    x0 = np.array([1.0, 2.0, 4.0])  # elsewhere the ordinary derivative
    np.testing.assert_allclose(grad(np.std)(x0), central(np.std, x0), rtol=1e-7)


# -- np.dot is NumPy's dot -----------------------------------------------------------------

@pytest.mark.parametrize(("a_shape", "b_shape"), [
    ((2, 3, 4), (5, 4, 2)), ((2, 3, 4), (4, 2)), ((4,), (3, 4, 2)), ((2, 3, 4), (4,)),
    ((3, 4), (2, 4, 5)), ((2, 3), (3, 2)),
])
def test_dot_of_nd_arrays_is_numpys_dot(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a0, b0 = rng.normal(size=a_shape), rng.normal(size=b_shape)
    w = rng.normal(size=np.dot(a0, b0).shape)
    f = lambda a, b: np.sum(w * np.dot(a, b))  # noqa: E731
    value, (ga, gb) = value_and_grad(f, argnums=(0, 1))(a0, b0)
    assert value == pytest.approx(f(a0, b0))
    np.testing.assert_allclose(ga, central(lambda a: f(a, b0), a0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gb, central(lambda b: f(a0, b), b0), rtol=1e-6, atol=1e-8)
    out, tan = jvp(lambda a: np.dot(a, b0), (a0,), (a0,))
    np.testing.assert_allclose(out, np.dot(a0, b0))
    np.testing.assert_allclose(tan, np.dot(a0, b0))  # linear in a


# -- sigmoid written out, and nesting ------------------------------------------------------

@pytest.mark.parametrize("x0", [-30.0, 0.5, 30.0, 40.0, 50.0])
def test_sigmoid_written_out_keeps_every_term(x0):
    f = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    s = 1 / (1 + np.exp(-x0))
    d1, d2 = s * (1 - s) if x0 < 0 else np.exp(-x0) * s * s, None
    d2 = d1 * (1 - 2 * s)
    assert grad(f)(x0) == pytest.approx(d1, rel=1e-9)
    assert grad(f)(np.float64(x0)) == pytest.approx(d1, rel=1e-9)
    assert grad(lambda x: np.sum(f(x)))(np.array([x0]))[0] == pytest.approx(d1, rel=1e-9)
    assert grad(grad(f))(x0) == pytest.approx(d2, rel=1e-6)


def test_nested_grad_closing_over_an_outer_traced_value():
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(1.0) == 2.0  # d/dx x·x
    assert grad(lambda x: np.sum(x**2) + np.shape(x)[0])(np.array([3.0])) == 6.0


# -- pytrees in and out, has_aux -----------------------------------------------------------

@dataclasses.dataclass
class Params:
    w: np.ndarray
    b: float


def _loss(p, x):
    return np.sum(np.tanh(p["layers"][0] * x + p["layers"][1]) ** 2) + p["scale"] * x[0]


def _tree_params():
    return {"layers": [np.array([0.3, -0.2]), np.array([0.1, 0.5])], "scale": 2.0}


def test_grad_of_nested_params_matches_finite_differences():
    p, x = _tree_params(), np.array([1.5, -0.5])
    g = grad(_loss)(p, x)
    assert set(g) == {"layers", "scale"} and isinstance(g["layers"], list)
    for k in range(2):
        def f_k(v, k=k):
            q = {"layers": list(p["layers"]), "scale": p["scale"]}
            q["layers"][k] = v
            return _loss(q, x)
        np.testing.assert_allclose(g["layers"][k], central(f_k, p["layers"][k]), rtol=1e-7)
    assert g["scale"] == pytest.approx(x[0])
    (gp, gx) = grad(_loss, argnums=(0, 1))(p, x)
    np.testing.assert_allclose(gx, central(lambda v: _loss(p, v), x), rtol=1e-7)


def test_dataclass_parameters():
    p = Params(np.array([1.0, 2.0]), 0.5)
    g = grad(lambda p: np.sum(p.w ** 2) * p.b)(p)
    assert isinstance(g, Params)
    np.testing.assert_allclose(g.w, 2 * p.w * p.b)
    assert g.b == pytest.approx(5.0)


def test_jvp_and_jacobian_of_nested_inputs_and_outputs():
    f = lambda t: {"s": t[0] * t[1][0], "d": (t[1][1] ** 2,)}  # noqa: E731
    primal = (2.0, [3.0, 4.0])
    out, tan = jvp(f, (primal,), ((1.0, [0.0, 1.0]),))
    assert out == {"s": 6.0, "d": (16.0,)} and tan == {"s": 3.0, "d": (8.0,)}
    for mode in ("rev", "fwd"):
        jac = jacobian(f, mode=mode)(primal)
        assert float(jac["s"][0]) == 3.0 and float(jac["s"][1][0]) == 2.0
        assert float(jac["d"][0][1][1]) == 8.0 and float(jac["d"][0][0]) == 0.0


def test_has_aux_in_grad_value_and_grad_and_vjp():
    def f(x):
        return np.sum(x ** 2), {"norm": np.sqrt(np.sum(x ** 2)), "tag": "ok"}
    x0 = np.array([3.0, 4.0])
    g, aux = grad(f, has_aux=True)(x0)
    np.testing.assert_allclose(g, 2 * x0)
    assert aux == {"norm": 5.0, "tag": "ok"} and not isinstance(aux["norm"], Box)
    (value, aux2), g2 = value_and_grad(f, has_aux=True)(x0)
    assert value == 25.0 and aux2["norm"] == 5.0
    out, back, aux3 = vjp(f, x0, has_aux=True)
    np.testing.assert_allclose(back(1.0)[0], 2 * x0)
    assert grad(lambda x: (x ** 3, x ** 2), has_aux=True)(2.0) == (12.0, 4.0)
    with pytest.raises(chainrule.ChainruleError, match="must return a pair"):
        grad(lambda x: np.sum(x), has_aux=True)(x0)


# -- more of NumPy: compositions of table primitives, checked like the records -------------

_R = np.random.default_rng(7)
_A = _R.uniform(-2, 2, (3, 4))
_B = _R.uniform(-2, 2, (4, 2))
_V = np.array([0.7, -1.3, 2.1, 0.4])

COMPOSED = {
    "flip, fliplr, flipud": (lambda a: np.sin(np.flip(a)) * np.fliplr(a) + np.flipud(a) ** 2,
                             (_A,)),
    "roll": (lambda a: np.roll(a, 1) * np.roll(a, (1, -2), axis=(0, 1)) ** 2, (_A,)),
    "diff": (lambda v: np.diff(np.exp(v)) * np.diff(v**3, n=2)[0], (_V,)),
    "diag, diagonal, trace": (lambda a: np.diag(np.diag(a @ a.T)) * np.diagonal(a, 1)[0]
                              + np.sum(np.diag(a[0], k=-1) ** 2), (_A,)),
    "tril, triu": (lambda a: np.tril(a) ** 2 + np.triu(np.sin(a), 1), (_A,)),
    "atleast, column_stack": (lambda v: np.column_stack([v, v**2]) * np.atleast_2d(v).T
                              + np.atleast_3d(v)[0], (_V,)),
    "sort, take_along_axis": (lambda a: np.sort(a, axis=0) * np.arange(12.0).reshape(3, 4)
                              + np.take_along_axis(a, np.array([[2, 0, 1, 0]]), 0) ** 2,
                              (_A,)),
    "repeat, tile": (lambda v: np.repeat(v, 2) * np.tile(v**2, 2)
                     + np.repeat(v.reshape(2, 2), [1, 2], axis=0).sum(), (_V,)),
    "tensordot, inner, N-D dot": (lambda a, b: np.tensordot(a, b, axes=1) ** 2
                                  + np.inner(a, b.T)[0] + np.dot(a.reshape(3, 2, 2),
                                                              b.reshape(2, 2, 2))[0, 0, 0],
                                  (_A, _B)),
    "average": (lambda a: np.average(a, axis=1, weights=np.exp(a[0]))
                + np.average(a**2, axis=0)[:3], (_A,)),
    "cumsum": (lambda a: np.cumsum(np.sin(a), axis=0) * np.cumsum(a)[5], (_A,)),
    "append": (lambda v: np.append(v, v**2) ** 2, (_V,)),
    "convolve, correlate, gradient, interp": (
        lambda v, w: np.convolve(v, w[:3])[:4] ** 2 + np.correlate(v, w, "same") * np.gradient(v**3)
        + np.gradient(np.outer(v, w), 0.5, axis=1)[0] + np.interp(w, np.arange(4.0) - 1.5, v),
        (_V, np.array([-1.2, 0.3, 0.8, 2.2]))),
    "split family, pad": (lambda a: np.split(a, 2, axis=1)[1] ** 2 * np.array_split(a, 2)[0][0, :2]
                          + np.pad(np.hsplit(a, [1])[1], 1)[1:4, :2] * np.vsplit(a, 3)[2][:, :2],
                          (_A,)),
    "kron, cross, vdot": (lambda a, b: np.kron(a[:2, :2], b[:2]) ** 2
                          + np.cross(a[:2, :3], b.T[:, 1:]).sum() * np.vdot(a, a), (_A, _B)),
    "select, cumprod, sinc, ediff1d": (
        lambda v: np.select([v > 1, v < 0], [v**2, np.sin(v)], 0.5 * v) * np.cumprod(v)
        + np.sinc(v) + np.ediff1d(v**3, to_begin=[0.0]), (_V,)),
    "nan_to_num, nansum, nanmean, real, conj, copy, copysign": (
        lambda v: np.nan_to_num(v**2) * np.nansum(np.copy(v)) + np.nanmean(np.real(v) ** 3)
        + np.conj(v) * np.copysign(v, -v) + np.imag(v), (_V,)),
    "einsum": (lambda a, b: np.einsum("ij,jk->ik", a, b) ** 2 + np.einsum("ij,ij->i", a, a)[0]
               + np.einsum("ij,jk,kl", a, b, b.T)[:, :2] + np.einsum("ij", a)[0, 0] ** 3, (_A, _B)),
    "median, quantile, percentile, ptp": (
        lambda a: np.median(a, axis=0) * np.quantile(a, [0.3, 0.8], axis=1)[1, :1]
        + np.percentile(a**2, 40) + np.ptp(np.sin(a), axis=1)[0] + np.median(a), (_A,)),
    "trace of 3-D, negative axes": (lambda t: np.trace(t) * np.trace(t, 1, axis1=-1, axis2=1)
                                    [0], (_R.uniform(-2, 2, (2, 3, 4)),)),
    "mod, fmod, %": (lambda v, w: np.remainder(v, 0.62) * (v % w) + np.fmod(-v, w) ** 2,
                     (_V, np.array([0.9, 0.45, 0.8, 0.3]))),
    "slogdet": (lambda a: np.linalg.slogdet(a @ a.T + np.eye(3))[1] ** 2, (_A,)),
    "hypot, arctan2": (lambda a, b: np.hypot(a, 2 * a) + np.arctan2(a, b.T[:2, :3].T @ b[:2]),
                       (_A[:, :2], _B)),
    "arctan2, every quadrant": (lambda y, x: np.arctan2(y, x), (np.array([1.0, -1.0, 2.0, -0.5]),
                                np.array([-2.0, -0.3, 0.2, 3.0]))),
    "deg2rad, rad2deg, fmax, fmin, logaddexp2":
        (lambda v: np.deg2rad(v) * np.rad2deg(v) + np.fmax(v, 0.1) + np.fmin(v, 0.2)
         + np.logaddexp2(v, v**2), (_V,)),
}


@pytest.mark.parametrize("label", sorted(COMPOSED))
def test_composed_numpy_functions_match_finite_differences(label):
    fn, args = COMPOSED[label]
    eps = 1e-3 if "mod" in label else None  # finite differences must not cross a jump
    report = chainrule.check_grads(fn, args, modes=("fwd", "rev"), order=2, eps=eps)
    assert report.ok


@pytest.mark.parametrize(("fn", "args"), [
    (np.flip, (_A,)), (lambda a: np.roll(a, 2), (_A,)), (np.diff, (_V,)),
    (np.diag, (_V,)), (np.diag, (_A,)), (lambda a: np.diagonal(a, -1), (_A,)),
    (np.tril, (_A,)), (lambda a: np.triu(a, -1), (_A,)), (np.atleast_3d, (_A,)),
    (lambda v: np.column_stack([v, v]), (_V,)), (lambda a: np.sort(a, axis=1), (_A,)),
    (lambda v: np.repeat(v, [1, 0, 2, 1]), (_V,)), (lambda v: np.tile(v, (2, 1)), (_V,)),
    (lambda a, b: np.tensordot(a, b, axes=([1], [0])), (_A, _B)), (np.inner, (_V, _V)),
    (lambda a: np.average(a, axis=0, weights=[1.0, 2.0, 3.0]), (_A,)),
    (lambda a: np.cumsum(a, axis=1), (_A,)), (np.arctan2, (_V, _V[::-1])),
    (lambda t: np.trace(t, -1, 2, 0), (_R.uniform(-2, 2, (3, 2, 4)),)),
    (lambda v: (v % 0.7, np.fmod(-v, 0.3)), (_V,)),
    pytest.param(lambda a: np.linalg.cholesky(a[:, :3] + 3 * np.eye(3), upper=True), (_A,),
                 marks=pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                                          reason="cholesky(upper=) is new in NumPy 2")),
    (lambda a: np.linalg.slogdet(a[:, :3]), (_A,)),
    (lambda a: np.median(a, axis=1, keepdims=True), (_A,)), (np.median, (_A,)),
    (lambda v: np.convolve(v, [1.0, -2.0, 0.5], "same"), (_V,)), (np.correlate, (_V, _V[:2])),
    (lambda a: np.gradient(a, 2.0), (_A,)),
    (lambda v: np.interp([-9.0, 0.2, 2.5, 9.0], np.arange(4.0), v, left=-1.0), (_V,)),
    (lambda a: np.array_split(a, 3, axis=1), (_A,)), (lambda a: np.hsplit(a, [1, 3]), (_A,)),
    (lambda a: np.pad(a, ((1, 0), (2, 1)), constant_values=2.0), (_A,)),
    (np.kron, (_A, _B)), (np.kron, (_V, _V[:2])), (np.cross, (_A[:, :3], _A[::-1, 1:])),
    (lambda a: np.cumprod(a, axis=1), (_A,)), (np.cumprod, (_A,)),
    (np.sinc, (np.array([0.0, 0.5, -1.5]),)), (lambda v: np.ediff1d(v, to_end=[1.0]), (_V,)),
    (lambda v: np.select([v > 1, v < 0], [v**2, -v]), (_V,)),
    (lambda v: np.nan_to_num(v / np.array([0.0, 1.0, 0.0, 2.0]) * [0, 1, 1, 1]), (_V,)),
    (lambda a: np.nanmean(np.where(a > 1, np.nan, a), axis=0), (_A,)),
    (lambda a, b: np.broadcast_arrays(a[:, :1], b[:1, :1]), (_A, _B)),
    (lambda a, b: np.einsum("ij,jk->ki", a, b), (_A, _B)), (lambda a: np.einsum("ij->", a), (_A,)),
    (lambda a, b: np.einsum("bij,jk->bik", a.reshape(3, 2, 2), b[:2]), (_A, _B)),
    (lambda a: np.quantile(a, [0.1, 0.5, 1.0], axis=0, keepdims=True), (_A,)),
    (lambda a: np.percentile(a, 35, axis=-1), (_A,)), (lambda a: np.ptp(a, axis=0), (_A,)),
])
def test_composed_values_are_numpys(fn, args):
    out, _ = jvp(fn, args, tuple(np.zeros_like(a) for a in args))
    ours, theirs = flatten(out)[0], flatten(fn(*args))[0]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)
        assert np.shape(a) == np.shape(b)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_jacobian_has_aux(mode):
    x0 = np.array([0.5, 1.5])
    jac, aux = jacobian(lambda x: (np.sin(x), {"sum": np.sum(x)}), mode=mode,
                        has_aux=True)(x0)
    np.testing.assert_allclose(jac, np.diag(np.cos(x0)))
    assert aux == {"sum": 2.0} and not isinstance(aux["sum"], Box)


def test_elementwise_grad_with_argnums_tuple():
    x0, y0 = np.array([0.5, 1.5]), np.array([2.0, -1.0])
    gx, gy = chainrule.elementwise_grad(lambda x, y: np.sin(x) * y**2, argnums=(0, 1))(x0, y0)
    np.testing.assert_allclose(gx, np.cos(x0) * y0**2)
    np.testing.assert_allclose(gy, 2 * np.sin(x0) * y0)


def test_in_place_update_of_a_traced_array_is_refused_with_what_to_write():
    def f(x):
        x[0] = 1.0
        return np.sum(x)
    with pytest.raises(NotDifferentiable, match=r"in place.*np\.where"):
        grad(f)(np.array([2.0, 3.0]))


def test_quantile_methods_that_jump_are_refused():
    with pytest.raises(NotDifferentiable, match="numpy.quantile.*'inverted_cdf'"):
        grad(lambda x: np.quantile(x, 0.3, method="inverted_cdf"))(_V)


def test_einsum_operand_list_form_is_refused():
    with pytest.raises(NotDifferentiable, match="numpy.einsum.*subscripts-string"):
        grad(lambda a: np.sum(np.einsum(a, [0, 1], [1])))(np.eye(3))


def test_sinc_at_zero_has_the_limit_slope():
    assert grad(np.sinc)(0.0) == 0.0
    assert grad(grad(np.sinc))(0.0) == pytest.approx(-(np.pi**2) / 3, rel=1e-6)


# -- numpy.linalg: every norm, matrix_power, pinv, lstsq -----------------------------------

_T = _R.uniform(-2, 2, (2, 3, 4))
NORMS = [(o, _V) for o in (None, 2, 1, np.inf, -np.inf, 3, 0.5, -1)] + [
    (o, _A) for o in (None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc")]


@pytest.mark.parametrize(("ord_", "x"), NORMS, ids=[f"{o}-{np.ndim(x)}d" for o, x in NORMS])
def test_every_norm_matches_numpy_and_finite_differences(ord_, x):
    f = lambda x: np.linalg.norm(x, ord=ord_) ** 2  # noqa: E731
    assert chainrule.check_grads(f, (x,), modes=("fwd", "rev"), order=2, eps=1e-3).ok
    value, _ = jvp(lambda x: np.linalg.norm(x, ord=ord_), (x,), (x,))
    assert value == pytest.approx(np.linalg.norm(x, ord=ord_), rel=1e-13)


@pytest.mark.parametrize("kwargs", [{}, {"keepdims": True}, {"ord": 1, "axis": (2, 0)},
                                    {"ord": np.inf, "axis": (0, 1), "keepdims": True},
                                    {"ord": 3, "axis": -1}])
def test_norm_axes_and_keepdims(kwargs):
    f = lambda t: np.linalg.norm(t, **kwargs)  # noqa: E731
    out, _ = jvp(f, (_T,), (_T,))
    np.testing.assert_allclose(out, f(_T), rtol=1e-13)
    assert np.shape(out) == np.shape(f(_T))
    assert chainrule.check_grads(lambda t: np.sum(f(t) ** 2), (_T,), modes=("fwd", "rev"),
                                 order=1, eps=1e-3).ok


@pytest.mark.parametrize("ord_", [2, -2, "nuc"])
def test_singular_value_norms_are_the_singular_values_derivatives(ord_):
    # d‖A‖₂ = u₁v₁ᵀ, d‖A‖₋₂ = u_k v_kᵀ, d‖A‖_* = U·Vᵀ (distinct non-zero singular values)
    u, _, vt = np.linalg.svd(_A, full_matrices=False)
    expected = {2: np.outer(u[:, 0], vt[0]), -2: np.outer(u[:, -1], vt[-1]), "nuc": u @ vt}
    np.testing.assert_allclose(grad(lambda a: np.linalg.norm(a, ord=ord_))(_A),
                               expected[ord_], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad(lambda a: np.linalg.norm(a, ord=ord_, axis=(1, 0)))(_A),
                               expected[ord_], rtol=1e-10, atol=1e-12)


# -- decompositions: NumPy's values, NumPy's result types, refusals where not differentiable --

_SYM = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])


@pytest.mark.parametrize(("fn", "arg"), [
    (np.linalg.eigh, _SYM), (lambda a: np.linalg.eigh(a, UPLO="U"), np.triu(_SYM)),
    (np.linalg.eigvalsh, _SYM), (np.linalg.eig, _A[:, :3] @ _A[:, :3].T + np.diag([0, 1, 2.0])),
    (np.linalg.eigvals, _A[:, :3] @ _A[:, :3].T + np.diag([0, 1, 2.0])),
    (lambda a: np.linalg.svd(a, full_matrices=False), _A), (np.linalg.svd, _A[:, :3]),
    (lambda a: np.linalg.svd(a, compute_uv=False), _A), (np.linalg.qr, _A.T),
    (np.linalg.qr, _A), (lambda a: np.linalg.qr(a, mode="r"), _A.T),
    (lambda a: np.linalg.qr(a, mode="complete"), _A), (np.linalg.cond, _A[:, :3]),
    (lambda a: np.linalg.cond(a, 1), _A[:, :3]), (lambda a: np.linalg.cond(a, -2), _A),
])
def test_decompositions_give_numpys_values_and_types(fn, arg):
    out, _ = jvp(fn, (arg,), (np.zeros_like(arg),))
    theirs = fn(arg)
    assert type(out) is type(theirs) or np.ndim(theirs) == 0
    for a, b in zip(flatten(out)[0], flatten(theirs)[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_eigenvalue_gradient_is_the_eigenvector_outer_product():
    w, v = np.linalg.eigh(_SYM)
    g = grad(lambda a: np.linalg.eigvalsh(a)[2])(_SYM)
    # NumPy reads the lower triangle: the off-diagonal slope lands there, doubled
    np.testing.assert_allclose(g, np.tril(2 * np.outer(v[:, 2], v[:, 2])) - np.diag(v[:, 2] ** 2),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("fn", "arg", "match"), [
    (lambda a: np.linalg.eigh(a)[1], np.eye(3), "eigh .*repeated eigenvalues.*eigvalsh"),
    (lambda a: np.linalg.eig(a)[0], np.array([[0.0, -1.0], [1.0, 0.0]]), "eig .*complex"),
    (np.linalg.eigvals, np.array([[0.0, -1.0], [1.0, 0.0]]), "eigvals .*complex"),
    (lambda a: np.linalg.eig(a)[1], np.diag([1.0, 1.0, 2.0]), "eig .*repeated eigenvalues"),
    (lambda a: np.linalg.svd(a)[0], _A, "svd .*full_matrices=False"),
    (lambda a: np.linalg.svd(a, full_matrices=False)[0], np.eye(3)[:, :2], "svd .*repeated"),
    (lambda a: np.linalg.svd(a, full_matrices=False)[0], np.ones((3, 2)), "svd .*zero singular"),
    (lambda a: np.linalg.svd(a, hermitian=True)[0], _SYM, "svd .*hermitian"),
    (lambda a: np.linalg.qr(a)[0], np.ones((3, 2)), "qr .*rank"),
    (lambda a: np.linalg.qr(a, mode="complete")[0], _A.T, "qr .*complete"),
    (lambda a: np.linalg.qr(a, mode="raw")[0], _A.T, "qr.*'raw'"),
])
def test_decompositions_refuse_where_not_differentiable(fn, arg, match):
    with pytest.raises(NotDifferentiable, match=match):
        jacobian(fn)(arg)
    assert np.all(np.isfinite(jacobian(lambda a: np.linalg.svd(a, compute_uv=False))(arg)))


@pytest.mark.parametrize(("label", "fn"), [
    ("matrix_power 3, 0, -2", lambda a: np.linalg.matrix_power(a[:, :3], 3)
     + np.linalg.matrix_power(a[:, 1:], 0) + np.linalg.matrix_power(a[:, :3] + 3 * np.eye(3), -2)),
    ("pinv tall and wide", lambda a: np.linalg.pinv(a.T) ** 2 + np.linalg.pinv(a).T),
    ("lstsq", lambda a: np.linalg.lstsq(a.T, np.arange(4.0), rcond=None)[0]
     * np.linalg.lstsq(a.T, np.arange(4.0), rcond=None)[1]),
])
def test_linalg_compositions_match_finite_differences(label, fn):
    assert chainrule.check_grads(fn, (_A,), modes=("fwd", "rev"), order=2).ok
    out, _ = jvp(fn, (_A,), (_A,))
    np.testing.assert_allclose(out, fn(_A), rtol=1e-10)


def test_pinv_of_a_rank_deficient_matrix_is_refused():
    with pytest.raises(NotDifferentiable, match="numpy.linalg.pinv.*rank-deficient"):
        jacobian(np.linalg.pinv)(np.ones((3, 2)))


def test_gradient_with_coordinates_is_refused():
    with pytest.raises(NotDifferentiable, match="numpy.gradient.*uniform"):
        grad(lambda v: np.sum(np.gradient(v, np.array([0.0, 1.0, 3.0, 4.0]))))(_V)
