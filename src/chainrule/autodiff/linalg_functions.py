"""``numpy.linalg`` functions on traced values, written with table primitives.

``norm`` for every vector and matrix ``ord`` (2, −2 and 'nuc' through the singular values of
the ``svd`` record), ``matrix_power``, ``pinv`` / ``lstsq`` of full-rank matrices (the normal
equations, with the ``solve`` record; rank-deficient ones are refused by name),
``multi_dot``, ``tensorinv``, ``tensorsolve`` and ``numpy.linalg``'s array-API names.

>>> import numpy as np, chainrule
>>> chainrule.grad(lambda a: np.linalg.norm(a, ord=np.inf))(np.array([[1., 2.], [3., 0.5]]))
array([[0., 0.],
       [1., 1.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.decomposition_functions import singular_value_norm
from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable


def safe_sqrt(v: Any) -> Any:
    """``√v`` with slope 0 where ``v`` is 0 (a subgradient, as ``|x|`` has at 0), not 0·∞.

    The standard deviation of one value, or of equal values, and the norm of a zero vector
    have a kink or are constant there; 1/(2√0) times a zero cotangent would be NaN.
    """
    zero = np.asarray(value_of(v)) == 0
    if not zero.any():
        return np.sqrt(v)
    return np.where(zero, 0.0, np.sqrt(np.where(zero, 1.0, v)))


def _vector_norm(x, ord, axis):
    if ord is None or ord == 2:
        return safe_sqrt(np.sum(x * x, axis=axis))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis)
    if ord == 0:  # how many entries are non-zero: piecewise constant
        return np.sum(np.asarray(value_of(x)) != 0, axis=axis).astype(float)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order {ord!r} for vectors")
    return np.sum(np.abs(x) ** ord, axis=axis) ** (1.0 / ord)


def _matrix_norm(x, ord, rows, cols):
    if ord is None or ord == "fro":
        return safe_sqrt(np.sum(x * x, axis=(rows, cols)))
    if ord in (1, -1):  # largest / smallest column sum
        sums = np.sum(np.abs(x), axis=rows)
        return (np.max if ord == 1 else np.min)(sums, axis=cols - (cols > rows))
    if ord in (np.inf, -np.inf):  # largest / smallest row sum
        sums = np.sum(np.abs(x), axis=cols)
        return (np.max if ord == np.inf else np.min)(sums, axis=rows - (rows > cols))
    if ord in (2, -2, "nuc"):
        return singular_value_norm(x, ord, rows, cols)
    raise ValueError(f"Invalid norm order {ord!r} for matrices")


def norm(x, ord=None, axis=None, keepdims=False):
    nd = np.ndim(x)
    if axis is None and ord is None:
        out = safe_sqrt(np.sum(x * x))
        return np.reshape(out, (1,) * nd) if keepdims else out
    if axis is None:
        if nd > 2:
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(nd))
    axes = tuple(a % nd for a in (axis if isinstance(axis, tuple | list) else (axis,)))
    if len(axes) == 1:
        out = _vector_norm(x, ord, axes[0])
    elif len(axes) == 2:
        out = _matrix_norm(x, ord, *axes)
    else:
        raise ValueError("Improper number of dimensions to norm.")
    if keepdims:
        return np.reshape(out, tuple(1 if i in axes else n for i, n in enumerate(np.shape(x))))
    return out


def matrix_power(a, n):
    if n < 0:
        a, n = np.linalg.inv(a), -n
    out = np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a)) if n == 0 else None
    power = a
    while n:  # repeated squaring
        if n & 1:
            out = power if out is None else out @ power
        n >>= 1
        if n:
            power = power @ power
    return out


def _full_rank(a, name):
    v = np.asarray(value_of(a))
    if np.linalg.matrix_rank(v) < min(v.shape[-2:]):
        raise NotDifferentiable.for_function(
            f"numpy.linalg.{name}", "of a rank-deficient matrix is not covered (its derivative "
            "needs the singular value decomposition)")


def pinv(a, rcond=None, hermitian=False, **_):
    _full_rank(a, "pinv")
    at = np.swapaxes(a, -1, -2)
    rows, cols = np.shape(a)[-2:]
    if rows >= cols:  # (AᵀA)⁻¹Aᵀ
        return np.linalg.solve(at @ a, at)
    return np.swapaxes(np.linalg.solve(a @ at, a), -1, -2)  # Aᵀ(AAᵀ)⁻¹


def lstsq(a, b, rcond=None):
    _full_rank(a, "lstsq")
    x = pinv(a) @ b
    rows, cols = np.shape(a)
    if rows > cols:
        residual = b - a @ x
        residuals = np.reshape(np.sum(residual * residual, axis=0), (-1,))
    else:
        residuals = np.zeros((0,))
    singular = np.linalg.svd(np.asarray(value_of(a)), compute_uv=False)
    return x, residuals, min(rows, cols), singular


def multi_dot(arrays, *, out=None):
    result = arrays[0]
    for a in arrays[1:]:  # NumPy picks the cheapest order; the product is the same
        result = np.dot(result, a)
    return result


def tensorinv(a, ind=2):
    shape = np.shape(a)
    rows = int(np.prod(shape[:ind]))
    inverse = np.linalg.inv(np.reshape(a, (rows, -1)))
    return np.reshape(inverse, shape[ind:] + shape[:ind])


def tensorsolve(a, b, axes=None):
    if axes is not None:
        a = np.moveaxis(a, axes, tuple(range(np.ndim(a) - len(axes), np.ndim(a))))
    unknown = np.shape(a)[np.ndim(b):]
    x = np.linalg.solve(np.reshape(a, (int(np.prod(np.shape(b))), -1)), np.ravel(b))
    return np.reshape(x, unknown)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    if axis is None:
        out = norm(np.ravel(x), ord=ord)
        return np.reshape(out, (1,) * np.ndim(x)) if keepdims else out
    return norm(x, ord=ord, axis=axis, keepdims=keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


LINALG_FUNCTIONS: dict[Any, Any] = {
    np.linalg.norm: norm, np.linalg.matrix_power: matrix_power, np.linalg.pinv: pinv,
    np.linalg.lstsq: lstsq, np.linalg.multi_dot: multi_dot, np.linalg.tensorinv: tensorinv,
    np.linalg.tensorsolve: tensorsolve,
}
"""NumPy function → its composition of table primitives."""
_ARRAY_API = {  # numpy.linalg's array-API names (NumPy 2 only; the pins admit 1.26)
    "vector_norm": vector_norm, "matrix_norm": matrix_norm,
    "matmul": lambda x1, x2, /: np.matmul(x1, x2),
    "outer": lambda x1, x2, /: np.outer(x1, x2),
    "cross": lambda x1, x2, /, *, axis=-1: np.cross(x1, x2, axis=axis),
    "diagonal": lambda x, /, *, offset=0: np.diagonal(x, offset, -2, -1),
    "trace": lambda x, /, *, offset=0, dtype=None: np.trace(x, offset, -2, -1),
    "tensordot": lambda x1, x2, /, *, axes=2: np.tensordot(x1, x2, axes),
    "vecdot": lambda x1, x2, /, *, axis=-1: np.sum(x1 * x2, axis=axis),
    "matrix_transpose": lambda x, /: np.swapaxes(x, -1, -2),
}
LINALG_FUNCTIONS.update({getattr(np.linalg, name): f for name, f in _ARRAY_API.items()
                         if hasattr(np.linalg, name)})
