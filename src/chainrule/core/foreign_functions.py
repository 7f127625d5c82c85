"""NumPy functions in array-API terms: what a NumPy call inside the engine does on a
:class:`~chainrule.core.foreign.Foreign` array.

``UFUNCS[name](xp, *operands)`` and ``FUNCTIONS["numpy.name"](xp, *args, **kwargs)`` receive
the operands already unwrapped (the namespace's own arrays, Python numbers) and call the
array-API standard's spelling of the function (``np.arcsin`` → ``xp.asin``,
``np.concatenate`` → ``xp.concat``, ``np.transpose`` → ``xp.permute_dims``). A NumPy function
the engine never calls on values is not listed; one that is called but missing here raises
``NotDifferentiable`` naming it (``tests/test_array_api.py`` runs every AD spec through this
table).

>>> import array_api_strict as xp
>>> UFUNCS["arcsin"](xp, xp.asarray([0.0, 1.0]))
Array([0.        , 1.57079633], dtype=array_api_strict.float64)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["FUNCTIONS", "UFUNCS", "numpy_dtype"]


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type | np.dtype)


def _ref(args: tuple) -> Any:
    return next(a for a in args if _is_array(a))


def _as_arrays(xp: Any, args: tuple) -> tuple:
    """Python numbers as 0-d arrays of the arrays' float type and device (functions, unlike
    operators, need arrays in the strict standard)."""
    ref = _ref(args)
    out = []
    for a in args:
        if _is_array(a):
            out.append(a)
        elif isinstance(a, bool):
            out.append(xp.asarray(a, device=_device(ref)))
        else:
            dtype = ref.dtype if xp.isdtype(ref.dtype, "real floating") else None
            out.append(xp.asarray(a, dtype=dtype, device=_device(ref)))
    return tuple(out)


def _device(x: Any) -> Any:
    import array_api_compat

    return array_api_compat.device(x)


def _named(name: str) -> Callable:
    def call(xp: Any, *args: Any) -> Any:
        fn = getattr(xp, name, None)
        if fn is None:
            raise AttributeError(name)
        return fn(*(_as_arrays(xp, args) if len(args) > 1 else args))
    return call


UFUNCS: dict[str, Callable] = {
    # operators: Python numbers stay numbers, so weak typing keeps the array's precision
    "add": lambda xp, a, b: a + b,
    "subtract": lambda xp, a, b: a - b,
    "multiply": lambda xp, a, b: a * b,
    "divide": lambda xp, a, b: a / b,
    "true_divide": lambda xp, a, b: a / b,
    "power": lambda xp, a, b: a ** b,
    "remainder": lambda xp, a, b: a % b,
    "floor_divide": lambda xp, a, b: a // b,
    "matmul": lambda xp, a, b: a @ b,
    "less": lambda xp, a, b: a < b,
    "less_equal": lambda xp, a, b: a <= b,
    "greater": lambda xp, a, b: a > b,
    "greater_equal": lambda xp, a, b: a >= b,
    "equal": lambda xp, a, b: _as_arrays(xp, (a, b))[0] == b,
    "not_equal": lambda xp, a, b: _as_arrays(xp, (a, b))[0] != b,
    "negative": lambda xp, a: -a,
    "positive": lambda xp, a: a,
    "square": lambda xp, a: a * a,
    "reciprocal": lambda xp, a: 1.0 / a,
    "cbrt": lambda xp, a: xp.sign(a) * xp.abs(a) ** (1.0 / 3.0),
    "exp2": lambda xp, a: 2.0 ** a,
    "deg2rad": lambda xp, a: a * (math.pi / 180.0),
    "rad2deg": lambda xp, a: a * (180.0 / math.pi),
    "fabs": lambda xp, a: xp.abs(a),
    "heaviside": lambda xp, a, h: xp.where(a > 0, xp.ones_like(a), xp.where(
        a < 0, xp.zeros_like(a), xp.full_like(a, h) if not _is_array(h) else h)),
}
# NumPy's spelling → the standard's, where they differ
_RENAMED = {"absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
            "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2",
            "rint": "round", "conjugate": "conj"}
for _np_name in ("sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "expm1", "log", "log1p",
                 "log2", "log10", "sqrt", "sign", "floor", "ceil", "trunc", "logaddexp",
                 "maximum", "minimum", "hypot", "copysign", "isnan", "isinf", "isfinite",
                 "logical_and", "logical_or", "logical_not", "logical_xor", "signbit",
                 "real", "imag", "conj", *_RENAMED):
    UFUNCS[_np_name] = _named(_RENAMED.get(_np_name, _np_name))


# -- array functions ------------------------------------------------------------------------

def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _reduce(name: str) -> Callable:
    def call(xp, a, axis=None, dtype=None, out=None, keepdims=False, **_):
        return getattr(xp, name)(a, axis=_axis(axis), keepdims=keepdims)
    return call


def _reshape(xp, a, shape=None, order="C", newshape=None, **_):
    shape = newshape if shape is None else shape
    return xp.reshape(a, (shape,) if isinstance(shape, int) else tuple(shape))


def _transpose(xp, a, axes=None):
    n = len(a.shape)
    return xp.permute_dims(a, tuple(reversed(range(n))) if axes is None else tuple(axes))


def _swapaxes(xp, a, i, j):
    perm = list(range(len(a.shape)))
    perm[i], perm[j] = perm[j], perm[i]
    return xp.permute_dims(a, tuple(perm))


def _expand_dims(xp, a, axis):
    for ax in sorted(axis if isinstance(axis, tuple | list) else (axis,)):
        a = xp.expand_dims(a, axis=ax)
    return a


def _squeeze(xp, a, axis=None):
    if axis is None:
        axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
    return xp.squeeze(a, axis=axis) if axis != () else a


def _where(xp, cond, a=None, b=None):
    if a is None:
        return xp.nonzero(cond)
    if _is_array(a) or _is_array(b):
        a, b = _as_arrays(xp, (a, b))
    else:
        a, b = (xp.asarray(v, dtype=xp.float64 if isinstance(v, float) else None,
                           device=_device(cond)) for v in (a, b))
    return xp.where(cond, a, b)


def _like(name: str) -> Callable:
    def call(xp, a, *rest, dtype=None, shape=None, **_):
        dtype = a.dtype if dtype is None else _dtype(xp, dtype)
        if shape is not None:  # zeros_like(a, shape=...): a's namespace, device and dtype
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            return getattr(xp, name.removesuffix("_like"))(shape, *rest, dtype=dtype,
                                                            device=_device(a))
        return getattr(xp, name)(a, *rest, dtype=dtype)
    return call


def _dtype(xp: Any, dtype: Any) -> Any:
    try:
        return getattr(xp, np.dtype(dtype).name)
    except TypeError:
        return dtype


def numpy_dtype(dtype: Any) -> Any:
    """The NumPy dtype of the same name as a namespace's dtype (``torch.float32`` → float32)."""
    name = str(dtype).rsplit(".", 1)[-1].rstrip("'>")
    try:
        return np.dtype(name)
    except TypeError:
        return np.dtype(object)


def _result_type(xp, *args):
    return np.result_type(*(numpy_dtype(a.dtype) if _is_array(a) else a for a in args))


def _take(xp, a, i, axis=None, **_):
    if axis is None:
        a, axis = xp.reshape(a, (-1,)), 0
    if isinstance(i, int | np.integer):  # one position: the axis goes, as in NumPy
        return a[(slice(None),) * (axis % len(a.shape)) + (int(i), Ellipsis)]
    i = np.asarray(i) if not _is_array(i) else i
    flat = xp.asarray(np.reshape(i, (-1,)) if isinstance(i, np.ndarray) else xp.reshape(i, (-1,)),
                      device=_device(a))
    out = xp.take(a, flat, axis=axis)
    axis = axis % len(a.shape)
    return xp.reshape(out, tuple(a.shape[:axis]) + tuple(i.shape) + tuple(a.shape[axis + 1:]))


def _tensordot(xp, a, b, axes=2):
    return xp.tensordot(a, b, axes=axes)


def _dot(xp, a, b, out=None):
    if len(a.shape) == 0 or len(b.shape) == 0:
        return a * b
    if len(b.shape) == 1:
        return xp.tensordot(a, b, axes=((len(a.shape) - 1,), (0,)))
    return xp.tensordot(a, b, axes=((len(a.shape) - 1,), (len(b.shape) - 2,)))


def _linalg(name: str) -> Callable:
    def call(xp, *args, **kwargs):
        return getattr(xp.linalg, name)(*args, **kwargs)
    return call


FUNCTIONS: dict[str, Callable] = {
    "numpy.sum": _reduce("sum"), "numpy.prod": _reduce("prod"), "numpy.max": _reduce("max"),
    "numpy.amax": _reduce("max"), "numpy.min": _reduce("min"), "numpy.amin": _reduce("min"),
    "numpy.mean": _reduce("mean"), "numpy.any": _reduce("any"), "numpy.all": _reduce("all"),
    "numpy.reshape": _reshape,
    "numpy.broadcast_to": lambda xp, a, shape, **_: xp.broadcast_to(a, tuple(shape)),
    "numpy.transpose": _transpose, "numpy.swapaxes": _swapaxes,
    "numpy.moveaxis": lambda xp, a, s, d: xp.moveaxis(a, s, d),
    "numpy.expand_dims": _expand_dims, "numpy.squeeze": _squeeze, "numpy.where": _where,
    "numpy.zeros_like": _like("zeros_like"), "numpy.ones_like": _like("ones_like"),
    "numpy.full_like": _like("full_like"),
    "numpy.concatenate": lambda xp, seq, axis=0, **_: xp.concat(
        list(_as_arrays(xp, tuple(seq))), axis=axis),
    "numpy.stack": lambda xp, seq, axis=0, **_: xp.stack(list(_as_arrays(xp, tuple(seq))),
                                                          axis=axis),
    "numpy.broadcast_arrays": lambda xp, *arrays, **_: xp.broadcast_arrays(
        *_as_arrays(xp, arrays)),
    "numpy.take_along_axis": lambda xp, a, i, axis: xp.take_along_axis(a, i, axis=axis),
    "numpy.shape": lambda xp, a: tuple(a.shape) if _is_array(a) else (),
    "numpy.ndim": lambda xp, a: len(a.shape) if _is_array(a) else 0,
    "numpy.size": lambda xp, a, axis=None: (math.prod(a.shape) if axis is None
                                             else a.shape[axis]),
    "numpy.result_type": _result_type,
    "numpy.take": _take,
    "numpy.tensordot": _tensordot, "numpy.dot": _dot,
    "numpy.clip": lambda xp, a, lo=None, hi=None, **_: xp.clip(a, lo, hi),
    "numpy.copy": lambda xp, a, **_: xp.asarray(a, copy=True),
    "numpy.flip": lambda xp, a, axis=None: xp.flip(a, axis=axis),
    "numpy.roll": lambda xp, a, shift, axis=None: xp.roll(a, shift, axis=axis),
    "numpy.tile": lambda xp, a, reps: xp.tile(a, tuple(reps) if isinstance(
        reps, tuple | list) else (reps,)),
    "numpy.repeat": lambda xp, a, r, axis=None: xp.repeat(a, r, axis=axis),
    "numpy.cumsum": lambda xp, a, axis=None, **_: xp.cumulative_sum(
        a if axis is not None else xp.reshape(a, (-1,)), axis=0 if axis is None else axis),
    "numpy.sort": lambda xp, a, axis=-1, **_: xp.sort(a, axis=axis),
    "numpy.argsort": lambda xp, a, axis=-1, **_: xp.argsort(a, axis=axis),
    "numpy.argmax": lambda xp, a, axis=None, keepdims=False, **_: xp.argmax(
        a, axis=axis, keepdims=keepdims),
    "numpy.argmin": lambda xp, a, axis=None, keepdims=False, **_: xp.argmin(
        a, axis=axis, keepdims=keepdims),
    "numpy.diagonal": lambda xp, a, offset=0, axis1=0, axis2=1: xp.linalg.diagonal(
        xp.moveaxis(a, (axis1, axis2), (-2, -1)), offset=offset),
    "numpy.trace": lambda xp, a, offset=0, axis1=0, axis2=1, **_: xp.linalg.trace(
        xp.moveaxis(a, (axis1, axis2), (-2, -1)), offset=offset),
    "numpy.outer": lambda xp, a, b, **_: xp.reshape(a, (-1, 1)) * xp.reshape(b, (1, -1)),
    "numpy.triu": lambda xp, a, k=0: xp.triu(a, k=k),
    "numpy.tril": lambda xp, a, k=0: xp.tril(a, k=k),
    "numpy.isclose": lambda xp, a, b, **kw: xp.abs(a - b) <= kw.get("atol", 1e-8)
    + kw.get("rtol", 1e-5) * xp.abs(b),
    "numpy.nonzero": lambda xp, a: xp.nonzero(a),
    "numpy.count_nonzero": lambda xp, a, axis=None, **_: xp.count_nonzero(a, axis=axis),
}
for _name in ("solve", "inv", "det", "slogdet", "cholesky", "qr", "eigh", "svd", "pinv",
              "matrix_rank", "norm", "eigvalsh", "svdvals", "cross", "outer", "multi_dot"):
    FUNCTIONS[f"numpy.linalg.{_name}"] = _linalg(_name)
