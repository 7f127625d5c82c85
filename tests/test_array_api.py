"""Every AD spec on arrays of other libraries: array-api-strict (the standard's conformance
target) and PyTorch on the CPU.

For each case of ``primitive_specs`` the sampled arguments are converted to the library's
arrays and differentiated in reverse mode (a VJP with a random cotangent), forward mode (a JVP
in a random direction) and to second order (a Hessian-vector product, forward over reverse).
Each result must be an array of that library, in the input's dtype and on its device, and equal
to what the NumPy engine gives for the same NumPy arrays (which ``test_ad_primitives`` checks
against finite differences). A case calling a NumPy function that has no array-API
counterpart is listed in ``NOT_IN_ARRAY_API`` with that function; every other case must run.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import chainrule
from chainrule.errors import ChainruleError, NotDifferentiable
from primitive_specs import COMPLEX, SPECS, Case

# Complex arrays of other libraries are refused (docs/scaling.md), so the complex records'
# cases, which differentiate at complex points, run in NumPy only (tests/test_ad_complex.py).
CASES = [pytest.param(name, case, id=f"{name}-{case.label}")
         for name, cases in SPECS.items() if name not in COMPLEX for case in cases]

NOT_IN_ARRAY_API: dict[tuple, str] = {
    **{(name, case.label): "no array-API counterpart"
       for name in ("erf", "erfc", "gammaln", "digamma", "polygamma", "eig")
       for case in SPECS.get(name, ())},
    # NumPy-only arguments: eigh's UPLO= (array-api-strict has none), svd's compute_uv=
    **{(name, case.label, "array_api_strict"): "no array-API counterpart"
       for name in ("eigh",) for case in SPECS.get(name, ())},
    **{("svd", case.label): "no array-API counterpart"
       for case in SPECS.get("svd", ()) if "compute_uv" in case.label},
}
"""Cases whose function calls a NumPy function the array API has no counterpart of: the
decompositions (their records call NumPy's LAPACK forms, with NumPy-only arguments) and
scipy.special's functions are NumPy-only for now, and say so (docs/scaling.md)."""


def _strict():
    xp = pytest.importorskip("array_api_strict")
    return xp, lambda a: xp.asarray(a, dtype=xp.float64), lambda a: np.asarray(a)


def _torch():
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    return torch, lambda a: torch.asarray(a, dtype=torch.float64), lambda a: a.numpy()


LIBRARIES = {"array_api_strict": _strict, "torch": _torch}


def _rng(name: str, case: Case) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(f"xp/{name}/{case.label}".encode()))


def _check_array(result, library: str, to_numpy, expected, what: str) -> None:
    assert type(result).__module__.split(".")[0] == library, (what, type(result))
    assert str(result.dtype).endswith("float64"), (what, result.dtype)
    np.testing.assert_allclose(to_numpy(result), expected, rtol=1e-9, atol=1e-12,
                               err_msg=what)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
@pytest.mark.parametrize(("name", "case"), CASES)
def test_spec_runs_in_the_arrays_namespace(library, name, case):
    xp, to_xp, to_numpy = LIBRARIES[library]()
    args = tuple(np.asarray(a, dtype=float) for a in case.sample(_rng(name, case)))
    missing = (NOT_IN_ARRAY_API.get((name, case.label))
               or NOT_IN_ARRAY_API.get((name, case.label, library)))
    if missing is not None:
        with pytest.raises(NotDifferentiable, match=missing):
            chainrule.vjp(case.fn, *(to_xp(a) for a in args))
        return
    rng = _rng(name, case)
    out_np, back_np = chainrule.vjp(case.fn, *args)
    g = rng.standard_normal(np.shape(out_np))
    directions = [rng.standard_normal(np.shape(a)) for a in args]

    out, back = chainrule.vjp(case.fn, *(to_xp(a) for a in args))
    _check_array(out, library, to_numpy, out_np, "value")
    for k, (ct, ct_np) in enumerate(zip(back(to_xp(g)), back_np(g), strict=True)):
        _check_array(ct, library, to_numpy, ct_np, f"reverse mode, argument {k}")

    _, tangent = chainrule.jvp(case.fn, [to_xp(a) for a in args],
                               [to_xp(d) for d in directions])
    _, tangent_np = chainrule.jvp(case.fn, list(args), directions)
    _check_array(tangent, library, to_numpy, tangent_np, "forward mode")

    def hvp(xs: tuple, weights: object, directions: list) -> tuple:
        def scalar(*ys):  # Σ weights·f: a scalar to differentiate twice
            out = case.fn(*ys) * weights
            return out.sum() if np.ndim(out_np) else out
        every = tuple(range(len(xs)))
        return chainrule.jvp(chainrule.grad(scalar, argnums=every), list(xs), directions)[1]

    second = hvp(tuple(to_xp(a) for a in args), to_xp(g), [to_xp(d) for d in directions])
    for k, (h, h_np) in enumerate(zip(second, hvp(args, g, directions), strict=True)):
        _check_array(h, library, to_numpy, h_np, f"second order, argument {k}")


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_float32_stays_float32(library):
    xp, _, to_numpy = LIBRARIES[library]()
    x = xp.asarray([0.5, 1.5, 2.5], dtype=xp.float32)
    g = chainrule.grad(lambda v: (np.exp(v) * np.sin(v)).sum() / 3)(x)
    assert g.dtype == xp.float32
    v = np.array([0.5, 1.5, 2.5])
    np.testing.assert_allclose(to_numpy(g), np.exp(v) * (np.sin(v) + np.cos(v)) / 3, rtol=1e-6)


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_code_written_with_the_array_namespace(library):
    array_api_compat = pytest.importorskip("array_api_compat")
    xp, to_xp, to_numpy = LIBRARIES[library]()

    def loss(w):
        ns = array_api_compat.array_namespace(w)  # the recording namespace while traced
        z = ns.matmul(X, w)
        # the traced value on the left: array-api-strict's operators refuse other operands
        return ns.sum(ns.log(1.0 + ns.exp(z)) - z * ns.astype(y, w.dtype))

    rng = np.random.default_rng(3)
    X_np, w_np = rng.standard_normal((20, 3)), rng.standard_normal(3)
    y_np = (rng.uniform(size=20) < 0.5).astype(float)
    X, y = to_xp(X_np), to_xp(y_np)
    expected = X_np.T @ (1 / (1 + np.exp(-X_np @ w_np)) - y_np)  # the textbook gradient
    g = chainrule.grad(loss)(to_xp(w_np))
    _check_array(g, library, to_numpy, expected, "logistic gradient")
    value = loss(to_xp(w_np))  # the same code runs untraced on the library's arrays
    assert type(value).__module__.split(".")[0] == library


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_hessian_and_jacobian(library):
    xp, to_xp, to_numpy = LIBRARIES[library]()
    v = np.array([0.3, -1.2, 2.0])
    h = chainrule.hessian(lambda x: (np.sin(x) * x).sum())(to_xp(v))
    _check_array(h, library, to_numpy, np.diag(2 * np.cos(v) - v * np.sin(v)), "hessian")
    j = chainrule.jacobian(lambda x: np.exp(x) * x[0])(to_xp(v))
    expected = np.diag(np.exp(v) * v[0])
    expected[:, 0] += np.exp(v)
    _check_array(j, library, to_numpy, expected, "jacobian")


def test_mixed_libraries_are_refused():
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    with pytest.raises(ChainruleError, match="mix array libraries"):
        chainrule.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(
            torch.ones(2, dtype=torch.float64), np.ones(2))


@pytest.mark.parametrize("library", sorted(LIBRARIES))
def test_stable_functions_called_directly(library):
    import chainrule.ml as ml

    xp, to_xp, to_numpy = LIBRARIES[library]()
    logits = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]])
    labels = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    for name, args in [("sigmoid", (logits,)), ("softplus", (logits,)),
                       ("logsumexp", (logits,)), ("log_softmax", (logits,)),
                       ("softmax", (logits,)), ("log_sigmoid", (logits,)),
                       ("binary_cross_entropy_with_logits", (logits, labels)),
                       ("cross_entropy_with_logits", (logits, labels))]:
        fn = getattr(ml, name)
        out = fn(*(to_xp(a) for a in args))
        _check_array(out, library, to_numpy, fn(*args), name)


def test_integer_arrays_are_refused():
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    with pytest.raises(chainrule.errors.DifferentiationError, match="int64"):
        chainrule.grad(lambda x: (x * x).sum())(torch.arange(3))
