"""Complex numbers in automatic differentiation, in JAX's convention.

The closed forms are JAX's documented examples ("Complex numbers and differentiation" in its
autodiff cookbook): ``grad`` of |z|² at 3 + 4i is 6 − 8i; ``grad(sin, holomorphic=True)`` is
cos; ``grad(conj, holomorphic=True)`` is 1 (the Jacobian with the imaginary part of the
output dropped). Everything else is checked against central finite differences of the real
and imaginary parts: for a real-valued L(z), grad L = ∂L/∂x − i·∂L/∂y.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule.ml as ml
from chainrule import grad, hessian, jacobian, jvp, linearize, value_and_grad, vjp, vmap
from chainrule.autodiff import forward, reverse
from chainrule.autodiff.complex_numbers import COMPLEX_FUNCTIONS, COMPLEX_RULES
from chainrule.core.ops import call
from chainrule.core.registry import all_primitives
from chainrule.core.trace import new_level
from chainrule.errors import NotDifferentiable
from primitive_specs import SPECS

H = 1e-6


def fd_complex_grad(loss, z, h=H):
    """∂L/∂x − i·∂L/∂y of a real-valued L at complex array z, by central differences."""
    z = np.asarray(z, dtype=complex)
    out = np.zeros_like(z)
    for i in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[i] = h
        d_re = (loss(z + e) - loss(z - e)) / (2 * h)
        d_im = (loss(z + 1j * e) - loss(z - 1j * e)) / (2 * h)
        out[i] = d_re - 1j * d_im
    return out


# -- JAX's documented examples --------------------------------------------------------------

def test_grad_of_a_real_function_of_z_is_df_dx_minus_i_df_dy():
    z = 3.0 + 4.0j
    assert grad(lambda z: np.real(z) ** 2 + np.imag(z) ** 2)(z) == 6 - 8j
    assert grad(lambda z: np.abs(z) ** 2)(z) == pytest.approx(6 - 8j, rel=1e-15)
    assert grad(lambda z: z.real ** 2 + z.imag ** 2)(np.array(z)) == 6 - 8j
    assert isinstance(grad(lambda z: np.real(z) ** 2)(z), complex)


def test_holomorphic_grad_is_the_complex_derivative():
    z = 3.0 + 4.0j
    assert grad(np.sin, holomorphic=True)(z) == pytest.approx(np.cos(z), rel=1e-14)
    assert grad(lambda z: z * z, holomorphic=True)(z) == 2 * z
    assert grad(np.conjugate, holomorphic=True)(z) == 1  # JAX: the real-output part
    assert grad(lambda z: z ** 3, holomorphic=True)(1 + 1j) == pytest.approx(3 * (1 + 1j) ** 2)
    assert grad(grad(lambda z: z ** 3, holomorphic=True), holomorphic=True)(1 + 1j) == (
        pytest.approx(6 * (1 + 1j)))


def test_jvp_and_vjp_of_complex_functions():
    value, tangent = jvp(lambda z: z * z, (np.array([1 + 1j]),), (np.array([1 + 0j]),))
    np.testing.assert_array_equal(value, [2j])
    np.testing.assert_array_equal(tangent, [2 + 2j])
    # the JVP of a non-holomorphic function is the R-linear map: d|z| = Re(conj(z)·dz)/|z|
    assert jvp(np.abs, (3 + 4j,), (1j,)) == (5.0, pytest.approx(0.8))
    assert jvp(np.conjugate, (3 + 4j,), (1 + 2j,))[1] == 1 - 2j
    out, back = vjp(lambda z: z * z, 1 + 2j)
    assert out == (1 + 2j) ** 2 and back(1.0) == (2 + 4j,)
    assert back(1j) == (1j * (2 + 4j),)  # the transpose: no conjugation (JAX's vjp)


def test_holomorphic_jacobian_and_hessian():
    z = np.array([1 + 1j, 2j, -0.5 + 0.3j])
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(jacobian(lambda z: np.exp(z) * z, holomorphic=True,
                                            mode=mode)(z), np.diag(np.exp(z) * (1 + z)))
    np.testing.assert_allclose(hessian(lambda z: np.sum(z ** 3), holomorphic=True)(z),
                               np.diag(6 * z))


def test_the_rules_jax_states_are_enforced_with_a_clear_error():
    with pytest.raises(NotDifferentiable, match="holomorphic=True"):
        grad(np.sin)(1 + 1j)
    with pytest.raises(NotDifferentiable, match="needs complex inputs"):
        grad(np.sin, holomorphic=True)(1.0)
    with pytest.raises(NotDifferentiable, match="complex-valued function"):
        grad(np.abs, holomorphic=True)(1 + 1j)
    with pytest.raises(NotDifferentiable, match="forward mode of a complex input"):
        jacobian(np.abs, mode="fwd")(np.array([1 + 1j]))
    with pytest.raises(NotDifferentiable, match="holomorphic=True"):
        jacobian(lambda z: z * 2)(np.array([1 + 1j]))


# -- against finite differences of the real and imaginary parts ------------------------------

W = np.array([0.7 - 0.2j, -1.1 + 0.5j, 0.3 + 0.9j])

LOSSES = {
    "polynomial": lambda z: np.real(np.sum(W * z ** 3)),
    "abs, angle": lambda z: np.sum(np.abs(z) * np.angle(z)),
    "exp, log": lambda z: np.real(np.sum(W * np.log(z) * np.exp(z))),
    "trig, hyperbolic": lambda z: np.imag(np.sum(np.sin(z) * np.tanh(z))),
    "conj, division": lambda z: np.real(np.sum(np.conjugate(z) / (z + 2.0))),
    "sqrt, power": lambda z: np.sum(np.abs(np.sqrt(z) ** 2.5)),
    "matrix": lambda z: np.real(np.sum(np.linalg.inv(np.outer(z, z) + 3 * np.eye(3)) @ W)),
    "det, solve": lambda z: np.abs(np.linalg.det(np.diag(z) + 1j)) + np.real(
        np.sum(np.linalg.solve(np.diag(z) + 2.0, W))),
    "structure": lambda z: np.sum(np.abs(np.concatenate([z[::-1], np.cumsum(z)])) ** 2)
    + np.real(np.stack([z, z * 1j]).sum(axis=0) @ W) + np.real(np.prod(z)),
    "mean, dot, where": lambda z: np.real(np.mean(z) * np.dot(z, W))
    + np.sum(np.where(np.real(z) > 0, np.abs(z), 0.0)),
    "real input inside": lambda z: np.real(np.sum(np.exp(1j * np.real(z)) * W)),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_grad_of_real_losses_of_complex_arrays_against_finite_differences(name):
    loss = LOSSES[name]
    z = np.array([0.8 + 0.4j, 1.3 - 0.6j, 0.5 + 1.1j])
    expected = fd_complex_grad(loss, z)
    np.testing.assert_allclose(grad(loss)(z), expected, rtol=1e-6, atol=1e-8)
    # vjp with cotangent 1, and the JVP paired with tangents along 1 and i (Re(g·t))
    np.testing.assert_allclose(vjp(loss, z)[1](1.0)[0], expected, rtol=1e-6, atol=1e-8)
    for t in (np.array([1.0, -0.5, 2.0]), np.array([0.3j, 1j, -2j])):
        assert jvp(loss, (z,), (t.astype(complex),))[1] == pytest.approx(
            np.real(np.sum(expected * t)), rel=1e-6, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(st.complex_numbers(min_magnitude=0.3, max_magnitude=3.0))
def test_second_order_through_real_parts(z):
    # L(z) = |z|² |sin z|: the gradient of Re(grad L) — a real function of z — by FD
    loss = lambda z: np.sum(np.abs(z) ** 2 * np.abs(np.sin(z)))  # noqa: E731
    inner = lambda z: np.real(grad(loss)(z))  # noqa: E731
    got = grad(inner)(complex(z))
    # grad of Re(grad L) = ∂²L/∂x² − i·∂²L/∂x∂y, by differences of differences (h = 1e-4)
    expected = complex(fd_complex_grad(
        lambda w: np.real(fd_complex_grad(loss, w, 1e-4)[0]), [z], 1e-4)[0])
    assert abs(got - expected) <= 1e-5 * (1 + abs(expected))


def test_real_arguments_through_complex_code_get_real_gradients():
    # a real → real function computed with complex numbers gives what real code gives
    g = grad(lambda x: np.real(np.exp(1j * x)))(0.5)
    assert g == pytest.approx(-np.sin(0.5)) and isinstance(g, float)
    x = np.array([0.3, 1.2])
    g = grad(lambda x: np.sum(np.abs(np.exp(1j * x) * x) + np.angle(x + 1j)))(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 1.0 - 1.0 / (x ** 2 + 1), rtol=1e-12)
    np.testing.assert_allclose(jacobian(lambda x: np.imag(np.exp(1j * x)), mode="fwd")(x),
                               np.diag(np.cos(x)))


def test_extension_api_with_complex_numbers():
    z = np.array([1 + 1j, 2 - 1j])
    out, f_jvp = linearize(lambda z: z ** 2, z)
    np.testing.assert_array_equal(f_jvp(np.array([1j, 1.0 + 0j])), [2j * z[0], 2 * z[1]])
    np.testing.assert_array_equal(vmap(np.abs)(np.array([3 + 4j, 5j])), [5.0, 5.0])
    value, g = value_and_grad(lambda z: np.sum(np.abs(z) ** 2))(z)
    assert value == pytest.approx(7.0)
    np.testing.assert_allclose(g, 2 * np.conjugate(z))


# -- the table: every rule listed holds for complex numbers; every other one refuses ---------

HOLOMORPHIC = sorted(n for n in COMPLEX_RULES if all_primitives()[n].elementwise)
POINT = 0.9 + 0.35j


@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_listed_elementwise_rules_are_complex_derivatives(name):
    prim = all_primitives()[name]
    n = prim.arity or 2
    point = [POINT + 0.2 * k for k in range(n)]
    for i in range(n):
        def f(v, i=i):
            args = list(point)
            args[i] = v
            return prim.impl(*args)
        # holomorphic: the same derivative along the real and the imaginary axis
        along_x = (f(point[i] + H) - f(point[i] - H)) / (2 * H)
        along_y = (f(point[i] + 1j * H) - f(point[i] - 1j * H)) / (2j * H)
        assert along_x == pytest.approx(along_y, rel=1e-6)
        fwd_args = list(point)
        fwd_args[i] = forward.JVPBox(np.complex128(point[i]), new_level(), np.complex128(1.0))
        assert call(prim, *fwd_args).tangent == pytest.approx(along_x, rel=1e-6)
        assert grad(lambda v, f=f, i=i: call(prim, *point[:i], v, *point[i + 1:]),
                    holomorphic=True)(point[i]) == pytest.approx(along_x, rel=1e-6)


@pytest.mark.parametrize("name", sorted(set(all_primitives()) - COMPLEX_RULES))
def test_every_other_rule_refuses_complex_input(name):
    prim = all_primitives()[name]
    level = new_level()
    z = reverse.leaf(np.array([POINT, 2 * POINT]), level)
    with pytest.raises(NotDifferentiable, match="complex input"):
        call(prim, *([z] * (prim.arity or 1)))


def test_the_table_names_records_and_numpy_functions():
    assert set(all_primitives()) >= COMPLEX_RULES
    assert all(callable(f) for f in COMPLEX_FUNCTIONS)


@pytest.mark.parametrize("f", [
    lambda z: np.var(z), lambda z: np.std(z), lambda z: np.linalg.norm(z),
    lambda z: np.maximum(z, 0.0), lambda z: np.vdot(z, z), lambda z: ml.sigmoid(z),
    lambda z: np.hypot(z, z), lambda z: np.max(z), lambda z: np.clip(z, 0, 1),
    lambda z: np.linalg.cholesky(np.outer(z, z)),
], ids=["var", "std", "norm", "maximum", "vdot", "sigmoid", "hypot", "max", "clip",
        "cholesky"])
def test_functions_without_a_complex_rule_refuse_rather_than_cast(f):
    z = np.array([1 + 1j, 2 - 0.5j])
    with pytest.raises(NotDifferentiable, match="complex"):
        grad(lambda z: np.real(np.sum(f(z))))(z)


Z3 = np.array([0.8 + 0.4j, 1.3 - 0.6j, 0.5 + 1.1j])
M = np.array([[1 + 1j, 2 - 1j, 0.5j], [0.3, -1j, 2 + 0.5j], [1.5 - 2j, 0.2j, 1.0]])

COMPLEX_COMPOSITIONS = {
    "cross": lambda z: np.cross(z, Z3[::-1]),
    "kron": lambda z: np.kron(z, Z3),
    "diff": lambda z: np.diff(z * z),
    "average": lambda z: np.average(z, weights=[1.0, 2.0, 3.0]),
    "einsum": lambda z: np.einsum("i,ij->j", z, M),
    "tensordot": lambda z: np.tensordot(M, z, axes=1),
    "inner": lambda z: np.inner(z, Z3),
    "trace": lambda z: np.trace(np.outer(z, z) @ M),
    "roll, tile, repeat": lambda z: np.roll(z, 1) * np.tile(z, 2)[:3] * np.repeat(z, 2)[::2],
    "take_along_axis": lambda z: np.take_along_axis(z, np.array([2, 0, 0]), axis=0),
    "cumsum, prod, mean": lambda z: np.cumsum(z) * np.prod(z) + np.mean(z),
    "diag, tril, flip": lambda z: np.flip(np.tril(np.diag(z) + M), 0),
    "stacking": lambda z: np.column_stack([z, z * 2j]) @ np.vstack([z[:2], z[1:]]),
    "split, append": lambda z: np.append(np.split(z, 3)[1], z) * np.atleast_2d(z)[0, 0],
}


@pytest.mark.parametrize("name", sorted(COMPLEX_COMPOSITIONS))
def test_numpy_functions_listed_for_complex_give_numpys_value_and_a_right_gradient(name):
    fn = COMPLEX_COMPOSITIONS[name]
    out = fn(Z3)
    weights = (np.arange(1, np.size(out) + 1) * (0.3 - 0.7j)).reshape(np.shape(out))
    loss = lambda z: np.real(np.sum(weights * fn(z)))  # noqa: E731
    traced_value = vjp(fn, Z3)[0]
    np.testing.assert_allclose(traced_value, out, rtol=1e-13)
    np.testing.assert_allclose(grad(loss)(Z3), fd_complex_grad(loss, Z3), rtol=1e-6,
                               atol=1e-8)


ARRAY_RECORDS = sorted(n for n in COMPLEX_RULES if not all_primitives()[n].elementwise)


def _complexify(args, rng):
    return tuple(a + 0.2j * rng.standard_normal(np.shape(a)) if np.ndim(a) else complex(a) + 0.2j
                 for a in args)


@pytest.mark.parametrize("name", ARRAY_RECORDS)
def test_listed_array_records_differentiate_their_specs_at_complex_points(name):
    # Each case of the record's spec, its arguments moved off the real axis; a case whose
    # function also calls something without a complex rule (np.var) is refused, and at least
    # one case must run.
    ran = 0
    for case in SPECS[name]:
        rng = np.random.default_rng(1)
        args = _complexify(case.sample(rng), rng)
        out = case.fn(*args)
        weights = (np.arange(1, np.size(out) + 1) * (0.3 - 0.7j)).reshape(np.shape(out))
        loss = lambda *a, fn=case.fn, w=weights: np.real(np.sum(w * fn(*a)))  # noqa: E731
        try:
            grad(loss)(*args)
        except NotDifferentiable:
            continue
        for i, arg in enumerate(args):
            def partial(v, i=i, loss=loss, args=args, arg=arg):
                return loss(*args[:i], v if np.ndim(arg) else v[()], *args[i + 1:])
            np.testing.assert_allclose(grad(loss, i)(*args), fd_complex_grad(partial, arg),
                                       rtol=1e-5, atol=1e-7, err_msg=f"{case.label}, arg {i}")
        ran += 1
    assert ran >= 1


def test_imag_and_angle_of_real_arrays_have_real_zero_gradients():
    x = np.array([1.5, -2.0])
    g = grad(lambda x: np.sum(np.imag(x) + np.angle(x) + x.imag + x))(x)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [1.0, 1.0])
    assert grad(lambda x: np.imag(x) + x)(2.0) == 1.0


@pytest.mark.parametrize("cast", [lambda z: z.astype(float), lambda z: np.sum(z, dtype=float),
                                  lambda z: z.astype(np.float32)], ids=["astype", "sum", "f32"])
def test_casting_complex_traced_values_to_real_is_refused(cast):
    with pytest.raises(NotDifferentiable, match="imaginary part"):
        grad(lambda z: np.sum(cast(z)))(np.array([1 + 1j]))
    # to a complex dtype, or of real values, it is fine
    assert grad(lambda z: np.real(np.sum(z.astype(complex))))(np.array([1 + 1j]))[0] == 1
    assert grad(lambda x: np.sum(x.astype(float) ** 2))(np.array([3.0]))[0] == 6.0
    with pytest.raises(NotDifferentiable, match="numpy.array"):  # refused before: no __array__
        grad(lambda z: np.sum(np.asarray(z, dtype=float)))(np.array([1 + 1j]))
