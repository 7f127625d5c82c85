"""The extension API: custom_vjp / custom_jvp, stop_gradient, checkpoint, linearize, vmap.

Every derivative is checked against central finite differences of the plain function or
against grad of the same function without the wrapper (independent oracles).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import (
    checkpoint,
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    jacobian,
    jvp,
    linearize,
    stop_gradient,
    value_and_grad,
    vjp,
    vmap,
)
from chainrule.autodiff import reverse
from chainrule.core.trace import new_level
from chainrule.errors import ChainruleError


def fd_grad(f, x, h=1e-6):
    """Central differences of a scalar f at array x, entry by entry."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


# -- custom rules ---------------------------------------------------------------------------

def make_sin_vjp():
    @custom_vjp
    def sin(x):
        return np.sin(x)
    sin.defvjp(lambda x: (np.sin(x), np.cos(x)), lambda cos_x, g: (g * cos_x,))
    return sin


def make_sin_jvp():
    @custom_jvp
    def sin(x):
        return np.sin(x)
    sin.defjvp(lambda p, t: (np.sin(p[0]), np.cos(p[0]) * t[0]))
    return sin


@pytest.mark.parametrize("make", [make_sin_vjp, make_sin_jvp], ids=["vjp", "jvp"])
def test_custom_rule_matches_finite_differences_in_every_mode(make):
    sin = make()
    x = np.array([0.3, -1.2, 2.0])
    loss = lambda v: np.sum(sin(v) * v)  # noqa: E731
    plain = lambda v: np.sum(np.sin(v) * v)  # noqa: E731
    expected = fd_grad(plain, x)
    np.testing.assert_allclose(grad(loss)(x), expected, rtol=1e-7)
    np.testing.assert_allclose(jacobian(loss, mode="fwd")(x), expected, rtol=1e-7)
    t = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(jvp(loss, (x,), (t,))[1], expected @ t, rtol=1e-7)
    # second order: the user's rule is itself differentiable (cos and ·g are traced)
    np.testing.assert_allclose(hessian(loss)(x), np.diag(_second(x)), rtol=1e-12)
    assert grad(grad(lambda s: sin(s)))(0.4) == pytest.approx(-np.sin(0.4), rel=1e-12)
    assert grad(grad(grad(lambda s: sin(s))))(0.4) == pytest.approx(-np.cos(0.4), rel=1e-12)


def _second(x):
    # d²/dx² (x sin x) = 2 cos x − x sin x, by hand
    return 2 * np.cos(x) - x * np.sin(x)


def test_custom_vjp_rule_is_used_not_the_body():
    @custom_vjp
    def clip_gradient(x):
        return x
    clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (np.clip(g, -1.0, 1.0),))
    assert grad(lambda x: clip_gradient(5.0 * x))(1.0) == 5.0
    assert grad(lambda x: 5.0 * clip_gradient(x))(1.0) == 1.0
    np.testing.assert_array_equal(grad(lambda x: np.sum(3.0 * clip_gradient(x)))(np.ones(2)),
                                  [1.0, 1.0])
    # forward mode follows the rule too: J·t is the transpose of the clipping map at g = 0
    assert jvp(lambda x: clip_gradient(x), (1.0,), (0.5,)) == (1.0, 0.5)


def test_custom_jvp_fixes_a_nan_gradient():
    @custom_jvp
    def safe_norm(v):
        return np.sqrt(np.sum(v * v))

    def rule(primals, tangents):
        (v,), (t,) = primals, tangents
        n = safe_norm(v)
        return n, np.sum(v * t) / np.where(n == 0.0, 1.0, n)

    safe_norm.defjvp(rule)
    np.testing.assert_array_equal(grad(safe_norm)(np.zeros(3)), np.zeros(3))
    x = np.array([3.0, 4.0])
    np.testing.assert_allclose(grad(safe_norm)(x), fd_grad(lambda v: np.linalg.norm(v), x),
                               rtol=1e-8)
    with np.errstate(all="ignore"):
        assert np.isnan(grad(lambda v: np.sqrt(np.sum(v * v)))(np.zeros(3))).any()


def test_custom_vjp_with_pytree_arguments_and_outputs():
    @custom_vjp
    def affine(params, x):
        return {"y": params["w"] * x + params["b"], "x2": x * x}

    def fwd(params, x):
        return affine(params, x), (params, x)

    def bwd(res, g):
        params, x = res
        return ({"w": g["y"] * x, "b": g["y"]}, g["y"] * params["w"] + 2 * x * g["x2"])

    affine.defvjp(fwd, bwd)

    def loss(params, x):
        out = affine(params, x)
        return out["y"] ** 2 + 3.0 * out["x2"]

    def plain(w, b, x):
        return (w * x + b) ** 2 + 3.0 * x * x

    p, x = {"w": 2.0, "b": 0.5}, 1.5
    g_params, g_x = grad(loss, argnums=(0, 1))(p, x)
    y = 2.0 * 1.5 + 0.5
    assert g_params == {"b": pytest.approx(2 * y), "w": pytest.approx(2 * y * x)}
    assert g_x == pytest.approx(2 * y * 2.0 + 6 * x)
    # forward mode, by transposing bwd, and the Hessian in x
    assert jvp(lambda x: loss(p, x), (x,), (1.0,))[1] == pytest.approx(g_x)
    h = (plain(2.0, 0.5, x + 1e-4) - 2 * plain(2.0, 0.5, x) + plain(2.0, 0.5, x - 1e-4)) / 1e-8
    assert hessian(lambda x: loss(p, x))(x) == pytest.approx(h, rel=1e-5)


def test_custom_vjp_with_several_outputs_gets_the_summed_cotangents():
    @custom_vjp
    def both(x, y):
        return x * y, x + y
    both.defvjp(lambda x, y: ((x * y, x + y), (x, y)),
                lambda r, g: (g[0] * r[1] + g[1], g[0] * r[0] + g[1]))

    def f(x, y):
        p, s = both(x, y)
        q, _ = both(x, y)
        return p * s + q

    # f = xy(x + y) + xy: ∂x = 2xy + y² + y, ∂y = x² + 2xy + x
    assert grad(f, argnums=(0, 1))(2.0, 3.0) == (24.0, 18.0)
    assert jacobian(both, argnums=(0, 1), mode="fwd")(2.0, 3.0) == (
        (np.array(3.0), np.array(2.0)), (np.array(1.0), np.array(1.0)))


def test_custom_rules_without_a_rule_or_with_a_bad_one_say_so():
    @custom_vjp
    def f(x):
        return x
    assert f(2.0) == 2.0  # no trace: the function itself
    with pytest.raises(ChainruleError, match=r"\.defvjp\(fwd, bwd\) first"):
        grad(f)(np.array(1.0))
    f.defvjp(lambda x: x, lambda r, g: (g,))
    with pytest.raises(ChainruleError, match="fwd must return a pair"):
        grad(f)(np.array(1.0))
    f.defvjp(lambda x: (x, None), lambda r, g: g)
    with pytest.raises(ChainruleError, match="one cotangent per argument"):
        grad(f)(np.array(1.0))

    @custom_jvp
    def h(x):
        return x
    with pytest.raises(ChainruleError, match=r"\.defjvp\(rule\) first"):
        jvp(h, (1.0,), (1.0,))


def test_custom_rules_leave_the_symbolic_fast_path():
    # grad of plain floats tries a symbolic trace first; a custom rule must not be bypassed
    @custom_vjp
    def double_gradient(x):
        return x
    double_gradient.defvjp(lambda x: (x, None), lambda _, g: (2 * g,))
    assert grad(lambda x: double_gradient(x) ** 2)(3.0) == 12.0
    assert value_and_grad(lambda x: double_gradient(x))(3.0) == (3.0, 2.0)


# -- stop_gradient --------------------------------------------------------------------------

def test_stop_gradient_cuts_every_level():
    assert grad(lambda x: x * stop_gradient(x))(3.0) == 3.0
    assert jvp(lambda x: x * stop_gradient(x), (3.0,), (1.0,)) == (9.0, 3.0)
    assert grad(grad(lambda x: x ** 2 * stop_gradient(x)))(2.0) == 4.0
    tree = stop_gradient({"a": np.array([1.0]), "b": (2.0,)})
    assert tree["b"] == (2.0,)
    # a straight-through estimator: the forward value of round, the gradient of identity
    ste = lambda x: x + stop_gradient(np.round(x) - x)  # noqa: E731
    assert value_and_grad(ste)(np.array(1.3)) == (1.0, 1.0)


# -- checkpoint -----------------------------------------------------------------------------

def block(w, x):
    for _ in range(20):
        x = np.tanh(w * x + 0.1)
    return x


def test_checkpoint_gives_the_same_values_and_derivatives():
    ck = checkpoint(block)
    w, x = np.array([0.9, 1.1]), np.array([0.3, -0.2])
    loss_ck = lambda w, x: np.sum(ck(w, x) ** 2)  # noqa: E731
    loss = lambda w, x: np.sum(block(w, x) ** 2)  # noqa: E731
    assert loss_ck(w, x) == loss(w, x)
    for a, b in zip(grad(loss_ck, argnums=(0, 1))(w, x), grad(loss, argnums=(0, 1))(w, x),
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(grad(loss_ck)(w, x), fd_grad(lambda v: loss(v, x), w), rtol=1e-6)
    np.testing.assert_allclose(hessian(loss_ck)(w, x), hessian(loss)(w, x), rtol=1e-10)
    np.testing.assert_allclose(jvp(loss_ck, (w, x), (x, w))[1], jvp(loss, (w, x), (x, w))[1])
    assert grad(grad(lambda s: np.sum(ck(s, x))))(1.0) == pytest.approx(
        grad(grad(lambda s: np.sum(block(s, x))))(1.0), rel=1e-12)


def test_checkpoint_stores_no_inner_values():
    # The reverse graph from a checkpointed output reaches the inputs in one step: the 40
    # inner operations are not recorded (they are recomputed on the backward pass).
    level = new_level()
    w, x = reverse.leaf(np.array(0.9), level), reverse.leaf(np.array(0.3), level)
    plain_nodes = reverse.toposort(block(w, x).node)
    ck_nodes = reverse.toposort(checkpoint(block)(w, x).node)
    assert len(plain_nodes) > 40
    assert len(ck_nodes) == 3  # the checkpoint's node and the two leaves
    calls = []

    def counted(w, x):
        calls.append(1)
        return block(w, x)

    grad(lambda w: checkpoint(counted)(w, 0.3))(np.array(0.9))
    assert len(calls) == 2  # once forward, once again backward


# -- linearize ------------------------------------------------------------------------------

def test_linearize_matches_jvp_and_does_not_run_f_again():
    calls = []

    def f(x, y):
        calls.append(1)
        return {"a": np.exp(x) * np.sin(y), "b": x @ y}

    x, y = np.array([0.1, 0.2]), np.array([1.0, -0.5])
    out, f_jvp = linearize(f, x, y)
    assert len(calls) == 1
    for t in (np.array([1.0, 0.0]), np.array([-0.3, 2.0])):
        got = f_jvp(t, 2 * t)
        want = jvp(f, (x, y), (t, 2 * t))[1]
        np.testing.assert_allclose(got["a"], want["a"], rtol=1e-14)
        assert got["b"] == pytest.approx(want["b"], rel=1e-14)
    assert len(calls) == 3  # the two jvp calls, none from f_jvp
    np.testing.assert_allclose(out["a"], np.exp(x) * np.sin(y))
    with pytest.raises(ChainruleError, match="one tangent for every primal"):
        f_jvp(x)


def test_linearize_of_a_scalar_function_against_finite_differences():
    f = lambda x: np.log1p(x ** 2) * np.cos(x)  # noqa: E731
    out, f_jvp = linearize(f, 0.7)
    slope = (f(0.7 + 1e-6) - f(0.7 - 1e-6)) / 2e-6
    assert out == f(0.7)
    assert f_jvp(1.0) == pytest.approx(slope, rel=1e-8)
    assert f_jvp(3.0) == pytest.approx(3 * slope, rel=1e-8)


# -- vmap -----------------------------------------------------------------------------------

def test_vmap_maps_over_the_axes_given():
    x = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(vmap(np.sum)(x), x.sum(axis=1))
    np.testing.assert_array_equal(vmap(np.sum, in_axes=1)(x), x.sum(axis=0))
    w = np.array([2.0, -1.0])
    np.testing.assert_array_equal(vmap(lambda r, w: r @ w, in_axes=(0, None))(x, w), x @ w)
    out = vmap(lambda r: {"s": np.sum(r), "r": r})(x)
    np.testing.assert_array_equal(out["r"], x)
    np.testing.assert_array_equal(vmap(lambda r: r * 2, out_axes=1)(x), (2 * x).T)
    with pytest.raises(ChainruleError, match="different sizes"):
        vmap(lambda a, b: a + b)(np.ones(2), np.ones(3))
    with pytest.raises(ChainruleError, match="at least one argument"):
        vmap(lambda a: a, in_axes=None)(np.ones(2))
    with pytest.raises(ChainruleError, match="out of range"):
        vmap(lambda a: a, in_axes=2)(np.ones(2))


def test_per_example_gradients_and_gradient_through_vmap():
    xs = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    w = np.array([0.3, -0.7])
    loss = lambda w, x: np.tanh(x @ w) ** 2  # noqa: E731
    per_example = vmap(grad(loss), in_axes=(None, 0))(w, xs)
    for k, x in enumerate(xs):
        np.testing.assert_allclose(per_example[k], fd_grad(lambda v, x=x: loss(v, x), w),
                                   rtol=1e-7)
    total = lambda w: np.sum(vmap(loss, in_axes=(None, 0))(w, xs))  # noqa: E731
    np.testing.assert_allclose(grad(total)(w), per_example.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(jacobian(total, mode="fwd")(w), per_example.sum(axis=0))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=2, max_size=5))
def test_grad_of_a_checkpointed_vmap_equals_plain_grad(values):
    x = np.array(values)
    f = lambda v: np.sum(vmap(lambda s: np.sin(s) * s ** 2)(v))  # noqa: E731
    np.testing.assert_allclose(grad(checkpoint(f))(x), grad(lambda v: np.sum(
        np.sin(v) * v ** 2))(x), rtol=1e-12, atol=1e-15)


def test_the_extension_names_are_public():
    for name in ("custom_vjp", "custom_jvp", "stop_gradient", "checkpoint", "linearize",
                 "vmap"):
        assert name in chainrule.__all__ and getattr(chainrule, name) is not None
    assert vjp(checkpoint(np.sin), 0.5)[1](1.0)[0] == pytest.approx(np.cos(0.5))


# -- dtypes ---------------------------------------------------------------------------------

def _float32_cases():
    sin_vjp, sin_jvp = make_sin_vjp(), make_sin_jvp()
    return {"custom_vjp": sin_vjp, "custom_jvp": sin_jvp, "checkpoint": checkpoint(np.sin),
            "vmap": vmap(np.sin), "stop_gradient": lambda x: x * stop_gradient(x)}


@pytest.mark.parametrize("name", sorted(_float32_cases()))
def test_float32_stays_float32_through_the_extension_api(name):
    if name == "vmap" and np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.xfail("NumPy 1.x's value-based casting: linearize of vmap gives float64 "
                     "tangents there (known; NumPy 2 keeps float32)")
    fn = _float32_cases()[name]
    x = np.array([0.3, 0.5], dtype=np.float32)
    t = np.ones(2, dtype=np.float32)
    assert fn(x).dtype == np.float32
    assert grad(lambda v: np.sum(fn(v)))(x).dtype == np.float32
    assert jvp(fn, (x,), (t,))[1].dtype == np.float32
    assert jacobian(fn, mode="fwd")(x).dtype == np.float32
    assert jacobian(fn)(x).dtype == np.float32
    out, f_jvp = linearize(fn, x)
    assert out.dtype == np.float32 and f_jvp(t).dtype == np.float32


@pytest.mark.parametrize("call", [
    lambda f, x: grad(f)(x), lambda f, x: jvp(f, (x,), (x,)), lambda f, x: vjp(f, x),
    lambda f, x: linearize(f, x), lambda f, x: jacobian(f)(x), lambda f, x: hessian(f)(x),
    lambda f, x: grad(checkpoint(f))(x)],
    ids=["grad", "jvp", "vjp", "linearize", "jacobian", "hessian", "checkpoint"])
@pytest.mark.parametrize("x", [np.array([1, 2]), np.int64(3), np.array([True])],
                         ids=["int-array", "int-scalar", "bool"])
def test_integer_inputs_give_a_clear_error(call, x):
    with pytest.raises(chainrule.DifferentiationError, match="floating-point inputs"):
        call(lambda v: np.sum(v * 2.0), x)


def test_custom_vjp_cotangent_shapes_are_checked():
    @custom_vjp
    def total(x):
        return np.sum(x)
    total.defvjp(lambda x: (np.sum(x), None), lambda _, g: (g,))  # a scalar: broadcast
    np.testing.assert_array_equal(grad(total)(np.ones(3)), np.ones(3))
    total.defvjp(lambda x: (np.sum(x), None), lambda _, g: (g * np.ones(2),))
    with pytest.raises(ChainruleError, match=r"cotangent has shape \(2,\), its argument \(3,\)"):
        grad(total)(np.ones(3))


@pytest.mark.parametrize("make", [make_sin_vjp, make_sin_jvp], ids=["vjp", "jvp"])
def test_custom_rules_compose_with_linearize_and_vmap(make):
    sin = make()
    x, t = np.array([0.3, 0.5]), np.array([1.0, 2.0])
    fn = lambda v: sin(v) * v  # noqa: E731
    _, f_jvp = linearize(fn, x)
    np.testing.assert_allclose(f_jvp(t), (np.cos(x) * x + np.sin(x)) * t, rtol=1e-14)
    np.testing.assert_allclose(vmap(grad(lambda s: sin(s) * s))(x), np.cos(x) * x + np.sin(x),
                               rtol=1e-14)
