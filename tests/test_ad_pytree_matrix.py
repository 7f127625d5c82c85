"""argnums (int and tuple) and nested pytrees across every AD entry point, against central
finite differences taken leaf by leaf (issue 13, point 1)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from chainrule import elementwise_grad, grad, hessian, jacobian, jvp, value_and_grad, vjp
from chainrule.autodiff.pytree import flatten


@dataclasses.dataclass
class Layer:
    p: np.ndarray
    q: float


def make_a():
    return {"w": (np.array([0.5, -1.0]), [0.3]), "d": Layer(np.array([1.5, 0.2]), 0.7)}


B = np.array([0.4, 1.1])


def f(a, b):
    w0, (w1,) = a["w"]
    return (np.sum(np.sin(w0 * b)) * w1 + np.sum(a["d"].p ** 2) * a["d"].q * np.sum(b)
            + np.sum(b ** 3))


def fd_grad(fun, args, i, h=1e-6):
    """The gradient of scalar ``fun`` in ``args[i]`` (any pytree), leaf by leaf."""
    leaves, rebuild = flatten(args[i])
    out = []
    for k, leaf in enumerate(leaves):
        arr = np.asarray(leaf, dtype=float)
        g = np.zeros_like(arr)
        for j in np.ndindex(arr.shape):
            e = np.zeros_like(arr)
            e[j] = h
            plus, minus = list(leaves), list(leaves)
            plus[k], minus[k] = _like(leaf, arr + e), _like(leaf, arr - e)
            hi = fun(*[rebuild(plus) if n == i else a for n, a in enumerate(args)])
            lo = fun(*[rebuild(minus) if n == i else a for n, a in enumerate(args)])
            g[j] = (hi - lo) / (2 * h)
        out.append(g)
    return out


def _like(leaf, arr):
    return float(arr) if isinstance(leaf, float) else arr


def assert_tree_close(got, expected_leaves, rtol=1e-6):
    leaves, _ = flatten(got)
    assert len(leaves) == len(expected_leaves)
    for g, e in zip(leaves, expected_leaves, strict=True):
        np.testing.assert_allclose(np.asarray(g, dtype=float), e, rtol=rtol, atol=1e-8)


EXPECTED = {i: fd_grad(f, (make_a(), B), i) for i in (0, 1)}


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), (1,)])
def test_grad_and_value_and_grad(argnums):
    a = make_a()
    got = grad(f, argnums)(a, B)
    value, got_vg = value_and_grad(f, argnums)(a, B)
    assert value == pytest.approx(f(a, B))
    for result in (got, got_vg):
        if isinstance(argnums, int):
            assert_tree_close(result, EXPECTED[argnums])
        else:
            assert isinstance(result, tuple) and len(result) == len(argnums)
            for r, i in zip(result, argnums, strict=True):
                assert_tree_close(r, EXPECTED[i])
    if argnums == 0:  # the structure comes back: dict, tuple, list, dataclass
        assert isinstance(got["d"], Layer) and isinstance(got["w"][1], list)
        assert isinstance(got["d"].q, float)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_jacobian_of_a_scalar_function_is_its_gradient(mode, argnums):
    got = jacobian(f, argnums, mode=mode)(make_a(), B)
    nums = (argnums,) if isinstance(argnums, int) else argnums
    results = (got,) if isinstance(argnums, int) else got
    for r, i in zip(results, nums, strict=True):
        assert_tree_close(r, EXPECTED[i])


def test_vjp_and_jvp_with_pytrees():
    a = make_a()
    out, back = vjp(f, a, B)
    assert out == pytest.approx(f(a, B))
    ga, gb = back(1.0)
    assert_tree_close(ga, EXPECTED[0])
    assert_tree_close(gb, EXPECTED[1])
    ta = {"w": (np.array([1.0, 0.5]), [-2.0]), "d": Layer(np.array([0.1, 0.3]), 1.0)}
    tb = np.array([0.2, -0.4])
    value, tangent = jvp(f, (a, B), (ta, tb))
    pairing = sum(np.sum(e * np.asarray(t)) for e, t in zip(
        EXPECTED[0] + EXPECTED[1], flatten(ta)[0] + [tb], strict=True))
    assert value == pytest.approx(f(a, B)) and tangent == pytest.approx(pairing, rel=1e-6)


@pytest.mark.parametrize("argnums", [1, (0, 1)])
def test_hessian_with_argnums_and_pytrees(argnums):
    a = make_a()
    hess = hessian(f, argnums)(a, B)
    # the row of ∂/∂b: finite differences of the gradient in b, taken in each argument
    db = lambda *args: grad(f, 1)(*args)  # noqa: E731
    rows = [[fd_grad(lambda *xs, k=k: db(*xs)[k], (a, B), i) for k in range(2)] for i in (0, 1)]
    if argnums == 1:
        np.testing.assert_allclose(hess, np.stack([rows[1][k][0] for k in range(2)]),
                                   rtol=1e-5)
        return
    # hess[1] is ∂/∂b of the gradient: (in a's structure, in b)
    h_ba, h_bb = hess[1]
    np.testing.assert_allclose(h_bb, np.stack([rows[1][k][0] for k in range(2)]), rtol=1e-5)
    for leaf, expected in zip(flatten(h_ba)[0], zip(*rows[0], strict=True), strict=True):
        np.testing.assert_allclose(np.asarray(leaf), np.stack(expected), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_elementwise_grad_with_argnums_and_pytrees(argnums):
    fn = lambda a, b: np.sin(a["d"].p) * b  # noqa: E731
    got = elementwise_grad(fn, argnums)(make_a(), B)
    g_a = grad(lambda a, b: np.sum(fn(a, b)))(make_a(), B)
    results = (got,) if isinstance(argnums, int) else got
    nums = (argnums,) if isinstance(argnums, int) else argnums
    for r, i in zip(results, nums, strict=True):
        if i == 0:
            assert_tree_close(r, [np.asarray(x, dtype=float) for x in flatten(g_a)[0]])
            np.testing.assert_allclose(r["d"].p, np.cos(make_a()["d"].p) * B)
        else:
            np.testing.assert_allclose(r, np.sin(make_a()["d"].p))
