"""``numpy.linalg`` decompositions on traced values: ``eigh``, ``eig``, ``svd``, ``qr``.

Each unpacks one record of :mod:`chainrule.rules.decompositions` (the factors come packed
along the second-to-last axis) and returns NumPy's named result. Inputs where the factors are
not differentiable are refused by name with the reason: repeated eigenvalues or singular
values (the eigenvectors / singular vectors are not unique), complex eigenvalues of ``eig``
(complex outputs are not covered), a rank-deficient ``qr`` or non-square ``svd`` whose
factors divide by a zero. The values alone (``eigvalsh``, ``eigvals``, ``svdvals``,
``svd(compute_uv=False)``) need only what they use.

>>> import numpy as np, chainrule
>>> a = np.array([[2., 1.], [1., 3.]])
>>> g = chainrule.grad(lambda a: np.linalg.eigh(a)[0][1])(a)
>>> np.round(g, 4)  # v vᵀ of the top eigenvector, on the lower triangle NumPy reads
array([[0.2764, 0.    ],
       [0.8944, 0.7236]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable

_ONE = np.eye(2)
EIGH_RESULT = type(np.linalg.eigh(_ONE))
EIG_RESULT = type(np.linalg.eig(_ONE))
SVD_RESULT = type(np.linalg.svd(_ONE))
QR_RESULT = type(np.linalg.qr(_ONE))


def _result(kind: type, *parts: Any) -> Any:
    """NumPy's named tuple of the factors (a plain tuple where NumPy has none)."""
    return tuple(parts) if kind is tuple else kind(*parts)


def _refuse(name: str, why: str) -> NotDifferentiable:
    return NotDifferentiable(f"numpy.linalg.{name} is not differentiable here: {why}")


def _require_distinct(values: np.ndarray, name: str, what: str, vectors: str,
                      hint: str = "") -> None:
    """Refuse when two of the (sorted or not) values along the last axis coincide."""
    v = np.sort(np.asarray(values), axis=-1)
    if np.shape(v)[-1] < 2:
        return
    scale = max(1.0, float(np.max(np.abs(v))))
    if np.min(np.diff(v, axis=-1)) <= 1e3 * np.finfo(float).eps * scale:
        raise _refuse(name, f"it has repeated {what}, so its {vectors} are not unique{hint}")


def _square(a: Any, name: str) -> None:
    if np.ndim(a) < 2 or np.shape(a)[-1] != np.shape(a)[-2]:
        raise np.linalg.LinAlgError(f"numpy.linalg.{name}: the last two axes must be square")


def eigh(a, UPLO="L"):  # noqa: N803 - NumPy's keyword
    _square(a, "eigh")
    lower = UPLO.upper() == "L"
    values = np.linalg.eigvalsh(np.asarray(value_of(a)), UPLO=UPLO)
    _require_distinct(values, "eigh", "eigenvalues", "eigenvectors",
                      " (np.linalg.eigvalsh differentiates the eigenvalues alone)")
    packed = call(get("eigh"), a, lower=lower, vectors=True)
    return _result(EIGH_RESULT, packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(a, UPLO="L"):  # noqa: N803
    _square(a, "eigvalsh")
    return call(get("eigh"), a, lower=UPLO.upper() == "L", vectors=False)


def _real_eigenvalues(a, name):
    _square(a, name)
    values = np.linalg.eigvals(np.asarray(value_of(a)))
    if np.iscomplexobj(values) and np.any(np.imag(values) != 0):
        raise _refuse(name, "its eigenvalues are complex, and complex outputs are not covered "
                            "yet (a symmetric matrix's are real: use np.linalg.eigh)")
    return np.real(values)


def eig(a):
    values = _real_eigenvalues(a, "eig")
    _require_distinct(values, "eig", "eigenvalues", "eigenvectors")
    packed = call(get("eig"), a, vectors=True)
    return _result(EIG_RESULT, packed[..., 0, :], packed[..., 1:, :])


def eigvals(a):
    values = _real_eigenvalues(a, "eigvals")
    _require_distinct(values, "eigvals", "eigenvalues", "eigenvectors",
                      " (dλ = (V⁻¹·dA·V)ᵢᵢ needs an eigenvector basis)")
    return call(get("eig"), a, vectors=False)


def svdvals(x):
    """The singular values, largest first (``np.linalg.svdvals``; ``svd(compute_uv=False)``)."""
    return call(get("svd"), x, vectors=False)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        return svdvals(a)
    m, n = np.shape(a)[-2:]
    if full_matrices and m != n:
        raise _refuse("svd", "full_matrices=True of a non-square matrix adds columns that are "
                             "not unique; pass full_matrices=False")
    if hermitian:
        raise _refuse("svd", "hermitian=True picks other signs than the general SVD; pass "
                             "hermitian=False (the singular values are the same)")
    s = np.linalg.svd(np.asarray(value_of(a)), compute_uv=False)
    _require_distinct(s, "svd", "singular values", "singular vectors")
    if m != n and np.min(s) <= 1e3 * np.finfo(float).eps * max(1.0, float(np.max(s))):
        raise _refuse("svd", "a zero singular value of a non-square matrix leaves its singular "
                             "vectors not unique")
    packed = call(get("svd"), a, vectors=True)
    u, sv, v = packed[..., :m, :], packed[..., m, :], packed[..., m + 1:, :]
    return _result(SVD_RESULT, u, sv, np.swapaxes(v, -1, -2))


def qr(a, mode="reduced"):
    if mode not in ("reduced", "complete", "r"):
        raise NotDifferentiable.for_function("numpy.linalg.qr", f"mode={mode!r}; 'reduced', "
                                             "'complete' (of a square or wide matrix) and 'r' "
                                             "are covered")
    m, n = np.shape(a)[-2:]
    if mode == "complete" and m > n:
        raise _refuse("qr", "mode='complete' of a tall matrix adds columns of Q that are not "
                            "unique; use mode='reduced'")
    k = min(m, n)
    r_diag = np.diagonal(np.linalg.qr(np.asarray(value_of(a))[..., :k], mode="r"),
                         axis1=-2, axis2=-1)
    if np.min(np.abs(r_diag)) <= 1e3 * np.finfo(float).eps * max(1.0, np.max(np.abs(r_diag))):
        raise _refuse("qr", "the matrix has rank below its number of columns (R is singular)")
    if n > m:  # wide: A = [X | Y] with Q, R_X from X, then R = [R_X | Qᵀ·Y]
        q, r_x = qr(a[..., :m], mode="reduced")
        r = np.concatenate([r_x, np.swapaxes(q, -1, -2) @ a[..., m:]], axis=-1)
    else:
        packed = call(get("qr"), a)
        q, r = packed[..., :m, :], packed[..., m:, :]
    return r if mode == "r" else _result(QR_RESULT, q, r)


def singular_value_norm(x, ord, rows, cols):
    """The matrix norms of the singular values: 2 (largest), −2 (smallest), 'nuc' (sum)."""
    s = svdvals(np.moveaxis(x, (rows, cols), (-2, -1)))
    if ord == 2:
        return np.max(s, axis=-1)
    if ord == -2:
        return np.min(s, axis=-1)
    return np.sum(s, axis=-1)


def cond(x, p=None):
    if p is None or p in (2, -2):
        s = svdvals(x)
        ratio = s[..., 0] / s[..., -1]
        return 1 / ratio if p == -2 else ratio
    return np.linalg.norm(x, p, axis=(-2, -1)) * np.linalg.norm(np.linalg.inv(x), p,
                                                                 axis=(-2, -1))


DECOMPOSITION_FUNCTIONS: dict[Any, Any] = {
    np.linalg.eigh: eigh, np.linalg.eigvalsh: eigvalsh, np.linalg.eig: eig,
    np.linalg.eigvals: eigvals, np.linalg.svd: svd, np.linalg.qr: qr, np.linalg.cond: cond,
}
"""NumPy function → its use of the decomposition records."""
if hasattr(np.linalg, "svdvals"):  # NumPy 2 only; the pins admit 1.26
    DECOMPOSITION_FUNCTIONS[np.linalg.svdvals] = svdvals
