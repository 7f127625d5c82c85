"""Matrix decompositions: ``eigh``, ``eig``, ``svd`` and ``qr``, each one record.

A decomposition has several outputs, a record one: each record returns its factors *packed*
along the second-to-last axis (``eigh``: the eigenvalues as one row over the eigenvectors;
``svd``: U over s over V; ``qr``: Q over R), and the NumPy function
(:mod:`chainrule.autodiff.decomposition_functions`) cuts the pieces out with indexing, whose
transpose puts the cotangents back. So each record writes its JVP once, on the packed tangent,
and reverse mode derives the VJP by transposing it, as for ``cholesky``. The rules are JAX's
(``eigh``/``eig``: Magnus; ``svd``: Townsend; ``qr``: Walter & Lehmann) for real matrices.

Each derivative exists only where the factors are unique and smooth: distinct eigenvalues
(``eigh``, ``eig``; real ones for ``eig``), distinct non-zero singular values (``svd``), a
full-rank tall matrix (``qr``). The NumPy functions refuse other inputs by name; the
``vectors=False`` forms (``eigvalsh``, ``svdvals``) return the values alone, unpacked; their
first derivative needs none of that (no 1/(λⱼ − λᵢ)), their JVP takes the vectors from the
full record so that higher orders differentiate them too.
"""

from __future__ import annotations

import numpy as np

from chainrule.core.ops import call
from chainrule.core.primitive import Primitive, RuleText
from chainrule.core.trace import value_of


def _t(a):
    return np.swapaxes(a, -1, -2)


def _diag(a):
    return np.diagonal(a, axis1=-2, axis2=-1)


def _gaps_inverse(d):
    """F with Fᵢⱼ = 1/dᵢⱼ off the diagonal and 0 on it (dᵢᵢ = 0 there)."""
    eye = np.eye(np.shape(d)[-1])
    return np.where(eye == 1, 0.0, 1.0 / (d + eye))


def _pack(rows: list) -> np.ndarray:
    return np.concatenate(rows, axis=-2)


def _row(v):
    return np.expand_dims(v, -2)


# -- eigh: symmetric eigenvalues and eigenvectors -------------------------------------------

def _eigh_impl(a, lower=True, vectors=True):
    if not vectors:
        return np.linalg.eigvalsh(a, UPLO="L" if lower else "U")
    w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")
    return _pack([_row(w), v])


def symmetric_from_triangle(t, lower: bool):
    """The symmetric matrix NumPy reads from ``t`` (its lower or upper triangle)."""
    if lower:
        return np.tril(t) + _t(np.tril(t, -1))
    return np.triu(t) + _t(np.triu(t, 1))


def _eigh_jvp(t, ans, args, p):
    lower = p.get("lower", True)
    if not p.get("vectors", True):  # the vectors are needed, and traced for higher orders
        ans = call(EIGH, args[0], lower=lower, vectors=True)
    w, v = ans[..., 0, :], ans[..., 1:, :]
    vdav = _t(v) @ symmetric_from_triangle(t[0], lower) @ v
    dw = _diag(vdav)
    if not p.get("vectors", True):
        return dw
    gaps = _gaps_inverse(_row(w) - np.expand_dims(w, -1))  # 1/(wⱼ − wᵢ)
    return _pack([_row(dw), v @ (gaps * vdav)])


EIGH = Primitive(
    "eigh", 1, _eigh_impl, rule=None,
    text=RuleText("Symmetric eigen-decomposition rule",
                  "A = V·diag(w)·Vᵀ: dw = diag(Vᵀ·dA·V), dV = V·(F ∘ Vᵀ·dA·V), "
                  "Fᵢⱼ = 1/(wⱼ − wᵢ)", "linalg"),
    jvp=_eigh_jvp, symbolic=False,
)


# -- eig: a general real matrix with real, distinct eigenvalues ------------------------------

def _eig_impl(a, vectors=True):
    if not vectors:
        return np.real(np.linalg.eigvals(a))
    w, v = np.linalg.eig(a)
    return _pack([_row(np.real(w)), np.real(v)])


def _eig_jvp(t, ans, args, p):
    vectors = p.get("vectors", True)
    packed = ans if vectors else call(EIG, args[0], vectors=True)
    w, v = packed[..., 0, :], packed[..., 1:, :]
    vinv_da_v = np.linalg.solve(v, t[0] @ v)
    dw = _diag(vinv_da_v)
    if not vectors:  # eigvals may list them in another order than eig: match by value
        w_alone, w_full = np.asarray(value_of(ans)), np.asarray(value_of(w))
        match = np.argmin(np.abs(w_alone[..., :, None] - w_full[..., None, :]), axis=-1)
        return np.take_along_axis(dw, match, axis=-1)
    dv = v @ (_gaps_inverse(_row(w) - np.expand_dims(w, -1)) * vinv_da_v)
    # NumPy's eigenvectors have unit length: keep each column's tangent orthogonal to it.
    dv = dv - v * np.sum(v * dv, axis=-2, keepdims=True)
    return _pack([_row(dw), dv])


EIG = Primitive(
    "eig", 1, _eig_impl, rule=None,
    text=RuleText("Eigen-decomposition rule",
                  "A = V·diag(w)·V⁻¹: dw = diag(V⁻¹·dA·V), dV = V·(F ∘ V⁻¹·dA·V) "
                  "less its part along V, Fᵢⱼ = 1/(wⱼ − wᵢ)", "linalg"),
    jvp=_eig_jvp, symbolic=False,
)


# -- svd: thin singular value decomposition ---------------------------------------------------

def _svd_impl(a, vectors=True):
    if not vectors:
        return np.linalg.svd(a, compute_uv=False)
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return _pack([u, _row(s), _t(vt)])


def _svd_jvp(t, ans, args, p):
    m, n = np.shape(args[0])[-2:]
    vectors = p.get("vectors", True)
    packed = ans if vectors else call(SVD, args[0], vectors=True)
    u, s, v = packed[..., :m, :], packed[..., m, :], packed[..., m + 1:, :]
    da = t[0]
    ds_full = _t(u) @ da @ v
    ds = _diag(ds_full)
    if not vectors:
        return ds
    s_row, s_col = _row(s), np.expand_dims(s, -1)
    gaps = _gaps_inverse((s_row + s_col) * (s_row - s_col))  # 1/(sⱼ² − sᵢ²)
    dss, sds = ds_full * s_row, s_col * ds_full
    du = u @ (gaps * (dss + _t(dss)))
    dv = v @ (gaps * (sds + _t(sds)))
    if m > n:  # U's columns span only part of the space: the rest of dA·V moves them too
        dav = da @ v
        du = du + (dav - u @ (_t(u) @ dav)) / s_row
    if n > m:
        datu = _t(da) @ u
        dv = dv + (datu - v @ (_t(v) @ datu)) / s_row
    return _pack([du, _row(ds), dv])


SVD = Primitive(
    "svd", 1, _svd_impl, rule=None,
    text=RuleText("Singular value decomposition rule",
                  "A = U·diag(s)·Vᵀ: ds = diag(Uᵀ·dA·V); dU, dV from Fᵢⱼ = 1/(sⱼ² − sᵢ²)",
                  "linalg"),
    jvp=_svd_jvp, symbolic=False,
)


# -- qr: reduced QR of a tall (or square) matrix ----------------------------------------------

def _qr_impl(a):
    q, r = np.linalg.qr(a, mode="reduced")
    return _pack([q, r])


def _qr_jvp(t, ans, args, p):
    m = np.shape(args[0])[-2]
    q, r = ans[..., :m, :], ans[..., m:, :]
    da_rinv = _t(np.linalg.solve(_t(r), _t(t[0])))  # dA·R⁻¹
    c = _t(q) @ da_rinv
    lower = np.tril(c, -1)
    omega = lower - _t(lower)  # Qᵀ·dQ: antisymmetric
    return _pack([q @ (omega - c) + da_rinv, (c - omega) @ r])


QR = Primitive(
    "qr", 1, _qr_impl, rule=None,
    text=RuleText("QR decomposition rule",
                  "A = QR: C = Qᵀ·dA·R⁻¹, Ω = tril(C, −1) − tril(C, −1)ᵀ, "
                  "dQ = Q·(Ω − C) + dA·R⁻¹, dR = (C − Ω)·R", "linalg"),
    jvp=_qr_jvp, symbolic=False,
)

PRIMITIVES = (EIGH, EIG, SVD, QR)
