"""Linear algebra primitives: matrix product, solve, inverse, determinant."""

from __future__ import annotations

import numpy as np

from chainrule.core.primitive import DERIVE, Primitive, RuleText, linear
from chainrule.rules.arrays import align, unbroadcast


def _swap(a):
    return np.swapaxes(a, -1, -2) if np.ndim(a) >= 2 else a


def _matmul_vjp(g, ans, args, p, need):
    a, b = args
    return [_matmul_vjp_a(g, a, b) if need[0] else None,
            _matmul_vjp_b(g, a, b) if need[1] else None]


def _matmul_vjp_a(g, a, b):
    if np.ndim(b) == 1:  # (..., n, k) @ (k,) or (k,) @ (k,)
        return np.expand_dims(g, -1) * b if np.ndim(a) > 1 else g * b
    if np.ndim(a) == 1:  # (n,) @ (..., n, m)
        return unbroadcast(np.matmul(b, np.expand_dims(g, -1))[..., 0], np.shape(a))
    return unbroadcast(np.matmul(g, _swap(b)), np.shape(a))


def _matmul_vjp_b(g, a, b):
    if np.ndim(a) == 1:  # (n,) @ (n,) or (n,) @ (..., n, m)
        return g * a if np.ndim(b) == 1 else np.expand_dims(a, -1) * np.expand_dims(g, -2)
    if np.ndim(b) == 1:  # (..., n, k) @ (k,)
        if _streams_rows(g, a):
            return np.einsum("i,ij->j", g, a)
        return unbroadcast(np.matmul(np.expand_dims(g, -2), a)[..., 0, :], np.shape(b))
    return unbroadcast(np.matmul(_swap(a), g), np.shape(b))


def _streams_rows(g, a):
    """True where gᵀA is faster as NumPy's own row-streaming loop than as BLAS.

    gᵀA for a tall C-ordered A (the Xᵀg of every linear model's gradient) is a transposed
    matrix-vector product; OpenBLAS runs it at about half the memory bandwidth, NumPy's
    einsum adds g_i·A_i to the output row by row at nearly full bandwidth (measured: 6–7 ms
    against 10–14 ms for A of 200,000 × 100). For few columns (≲ 64) or many (the output
    row no longer stays in the first-level cache, ≳ 2048) BLAS wins, and boxes, other
    libraries' arrays and mixed or complex types keep the general path.
    """
    return (type(g) is np.ndarray and type(a) is np.ndarray and g.ndim == 1 and a.ndim == 2
            and 64 <= a.shape[1] <= 2048 and a.shape[0] >= 4 * a.shape[1]
            and a.flags.c_contiguous and g.dtype == a.dtype
            and a.dtype in (np.float64, np.float32))


def _batched_matmul(t, ans, args, p, batch, prim):
    a, b = args
    out_ndim = np.ndim(ans)
    out = None
    if t[0] is not None:  # unit axes where b has more stacked matrices than a
        out = np.matmul(align(t[0], np.shape(a), out_ndim) if np.ndim(a) >= 2 else t[0], b)
    if t[1] is not None:
        if np.ndim(b) == 1:  # a batch of vectors is a matrix: contract its last axis
            term = (np.sum(a * t[1], axis=-1) if np.ndim(a) == 1
                    else np.matmul(a, np.expand_dims(t[1], -1))[..., 0])
        else:
            term = np.matmul(a, align(t[1], np.shape(b), out_ndim))
        out = term if out is None else out + term
    return out


# Bilinear: the JVP is derived (dA·B + A·dB); the transposes are the VJP.
MATMUL = linear(
    "matmul", 2, lambda a, b: np.matmul(a, b), _matmul_vjp,
    RuleText("Matrix product rule", "d(AB) = dA·B + A·dB", "linalg"),
    numpy=(np.matmul,), batch=_batched_matmul,
)


def _solve_transpose(g, ans, args, p, need):
    # linear in b: the transpose is a solve with Aᵀ; A's cotangent comes from the JVP
    a, _ = args
    return [DERIVE if need[0] else None, np.linalg.solve(_swap(a), g) if need[1] else None]


def _solve_jvp(t, ans, args, p):
    a, _ = args
    rhs = 0.0 if t[1] is None else t[1]
    if t[0] is not None:
        rhs = rhs - np.matmul(t[0], ans)
    return np.linalg.solve(a, rhs)


# Each record below writes its JVP once (for solve, also the transpose of the map b ↦ A⁻¹b,
# which the others' JVPs are built from); reverse mode derives every other cotangent by
# transposing the JVP (chainrule.autodiff.reverse.transposed_jvp).
SOLVE = Primitive(
    "solve", 2, lambda a, b: np.linalg.solve(a, b), rule=None,
    text=RuleText("Linear solve rule", "x = A⁻¹b: dx = A⁻¹(db − dA·x)", "linalg"),
    vjp=_solve_transpose, jvp=_solve_jvp, symbolic=False, numpy=(np.linalg.solve,),
)
INV = Primitive(
    "inv", 1, lambda a: np.linalg.inv(a), rule=None,
    text=RuleText("Inverse rule", "d(A⁻¹) = −A⁻¹·dA·A⁻¹", "linalg"),
    jvp=lambda t, ans, args, p: -np.matmul(np.matmul(ans, t[0]), ans), symbolic=False,
    numpy=(np.linalg.inv,),
)
DET = Primitive(
    "det", 1, lambda a: np.linalg.det(a), rule=None,
    text=RuleText("Determinant rule (Jacobi)", "d det A = det A · tr(A⁻¹·dA)", "linalg"),
    jvp=lambda t, ans, args, p: ans * np.trace(np.linalg.solve(args[0], t[0]),
                                               axis1=-2, axis2=-1),
    symbolic=False, numpy=(np.linalg.det,),
)


LOGABSDET = Primitive(
    "logabsdet", 1, lambda a: np.linalg.slogdet(a)[1], rule=None,
    text=RuleText("Log-determinant rule", "d ln|det A| = tr(A⁻¹·dA)", "linalg"),
    # NumPy's slogdet sums logs of the LU pivots: no overflow where det itself would
    jvp=lambda t, ans, args, p: np.trace(np.linalg.solve(args[0], t[0]), axis1=-2, axis2=-1),
    symbolic=False,
)


def _phi(x):
    """The lower triangle with its diagonal halved (the map dL = L·Φ(L⁻¹·dA·L⁻ᵀ) uses)."""
    n = np.shape(x)[-1]
    return x * (np.tri(n) - 0.5 * np.eye(n))


def _cholesky_jvp(t, ans, args, p):
    # NumPy reads only the lower triangle of A, so the tangent acts as the symmetric matrix
    # built from its lower triangle.
    da = np.tril(t[0]) + _swap(np.tril(t[0], -1))
    inner = _swap(np.linalg.solve(ans, _swap(np.linalg.solve(ans, da))))  # L⁻¹·dA·L⁻ᵀ
    return np.matmul(ans, _phi(inner))


CHOLESKY = Primitive(
    "cholesky", 1, lambda a: np.linalg.cholesky(a), rule=None,
    text=RuleText("Cholesky rule", "A = LLᵀ: dL = L·Φ(L⁻¹·dA·L⁻ᵀ), Φ = lower triangle, "
                  "diagonal halved", "linalg"),
    jvp=_cholesky_jvp, symbolic=False,
)

PRIMITIVES = (MATMUL, SOLVE, INV, DET, LOGABSDET, CHOLESKY)
