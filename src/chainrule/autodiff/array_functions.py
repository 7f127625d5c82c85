"""NumPy array functions on traced values: each is a table primitive or a composition of them.

``np.mean``, ``np.var``, norms, ``np.swapaxes``… are written here with the primitives of
:mod:`chainrule.rules.arrays` / :mod:`chainrule.rules.linalg`, so they need no rules of their
own: their derivatives follow from the primitives'. :func:`dispatch_function` is where
``Box.__array_function__`` sends every NumPy function call on a traced value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.autodiff.complex_numbers import angle
from chainrule.autodiff.compositions import COMPOSITIONS
from chainrule.autodiff.decomposition_functions import DECOMPOSITION_FUNCTIONS
from chainrule.autodiff.fft_functions import FFT_FUNCTIONS
from chainrule.autodiff.layout_functions import LAYOUT_FUNCTIONS
from chainrule.autodiff.linalg_functions import LINALG_FUNCTIONS, safe_sqrt
from chainrule.autodiff.sequence_functions import SEQUENCE_FUNCTIONS
from chainrule.autodiff.shape_functions import SHAPE_FUNCTIONS
from chainrule.core.numpy_dispatch import CONSTANT_UFUNCS, UFUNC_FORMS, bound_primitive
from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import condition, peek, value_of
from chainrule.errors import NotDifferentiable
from chainrule.rules.arrays import take_index


def _p(name: str, *args: Any, **params: Any) -> Any:
    return call(get(name), *args, **params)


def _count(x: Any, axis: Any) -> int:
    shape = np.shape(x)
    if axis is None:
        return math.prod(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axes)


def sum_(x, axis=None, dtype=None, out=None, keepdims=False, **_):
    return _p("sum", x, axis=_axis(axis), keepdims=keepdims)


def _divisor(x, n):
    """``n`` in x's float type: with NumPy 1.x's value-based casting a float32 scalar divided
    by a Python int becomes float64; NumPy's own mean keeps float32."""
    dtype = np.result_type(peek(x))
    return np.asarray(n, dtype=dtype if np.issubdtype(dtype, np.floating) else float)


def mean(x, axis=None, dtype=None, out=None, keepdims=False, **_):
    return sum_(x, axis=axis, keepdims=keepdims) / _divisor(x, _count(x, _axis(axis)))


def var(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **_):
    centred = x - mean(x, axis=axis, keepdims=True)
    return (sum_(centred * centred, axis=axis, keepdims=keepdims)
            / _divisor(x, _count(x, _axis(axis)) - ddof))


def std(x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **_):
    return safe_sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def reshape(x, shape=None, order="C", newshape=None, **_):
    shape = newshape if shape is None else shape
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _p("reshape", x, shape=_resolve_shape(np.shape(x), shape))


def _resolve_shape(old, new):
    if -1 in new:
        known = math.prod(n for n in new if n != -1)
        new = tuple(math.prod(old) // known if n == -1 else n for n in new)
    return new


def transpose(x, axes=None):
    return _p("transpose", x, axes=None if axes is None else tuple(axes))


def swapaxes(x, axis1, axis2):
    axes = list(range(np.ndim(x)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def moveaxis(x, source, destination):
    nd = np.ndim(x)
    source = [a % nd for a in (source if isinstance(source, tuple | list) else (source,))]
    destination = [a % nd for a in (destination if isinstance(destination, tuple | list)
                                    else (destination,))]
    axes = [a for a in range(nd) if a not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):  # NumPy's own order
        axes.insert(dest, src)
    return transpose(x, axes)


def expand_dims(x, axis):
    shape = list(np.shape(x))
    for a in sorted(axis if isinstance(axis, tuple) else (axis,)):
        shape.insert(a % (len(shape) + 1), 1)
    return _p("reshape", x, shape=tuple(shape))


def squeeze(x, axis=None):
    shape = np.shape(x)
    axes = range(len(shape)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    drop = {a % len(shape) for a in axes if shape[a] == 1}
    return _p("reshape", x, shape=tuple(n for i, n in enumerate(shape) if i not in drop))


def ravel(x, order="C"):
    return _p("reshape", x, shape=(math.prod(np.shape(x)),))


def broadcast_to(x, shape, subok=False):
    return _p("broadcast_to", x, shape=tuple(shape))


def reduction(name):
    def reduce(x, axis=None, out=None, keepdims=False, **_):
        return _p(name, x, axis=_axis(axis), keepdims=keepdims)
    return reduce


def concatenate(arrays, axis=0, **_):
    return _p("concatenate", *arrays, axis=axis)


def stack(arrays, axis=0, **_):
    return _p("stack", *arrays, axis=axis)


def hstack(arrays, **_):
    arrays = [reshape(a, (1,)) if np.ndim(a) == 0 else a for a in arrays]
    return concatenate(arrays, axis=0 if np.ndim(arrays[0]) == 1 else 1)


def vstack(arrays, **_):
    # a 1-D traced array is a sequence of 0-D rows, each a 1×1 block (as NumPy reads it)
    return concatenate([reshape(a, (1, -1)) if np.ndim(a) <= 1 else a for a in arrays], axis=0)


def where(cond, x=None, y=None):
    if x is None:
        return np.where(value_of(cond))
    return _p("where", x, y, cond=condition(cond))


def take(x, indices, axis=None, **_):
    if axis is None:
        return _p("getitem", ravel(x), index=value_of(indices))
    return _p("getitem", x, index=take_index(np.ndim(x), value_of(indices), axis))


def dot(a, b, out=None):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    if np.ndim(b) == 1 or (np.ndim(a) <= 2 and np.ndim(b) == 2):
        return _p("matmul", a, b)
    # N-D dot is not matmul: it sums a's last axis against b's second-to-last, and the
    # result has every other axis of a, then of b (no broadcasting).
    a_shape, b_shape = np.shape(a), np.shape(b)
    n = a_shape[-1]
    left = reshape(a, (-1, n))
    right = reshape(moveaxis(b, -2, 0), (n, -1))
    return reshape(_p("matmul", left, right), a_shape[:-1] + b_shape[:-2] + b_shape[-1:])


def cumsum(x, axis=None, dtype=None, out=None):
    return _p("cumsum", x, axis=axis)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


def outer(a, b, out=None):
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def clip(x, a_min=None, a_max=None, **_):
    out = x
    if a_min is not None:
        out = np.maximum(out, a_min)
    if a_max is not None:
        out = np.minimum(out, a_max)
    return out


def as_array_like(x, dtype=None, **_):
    return x


FUNCTIONS: dict[Any, Any] = {
    np.sum: sum_, np.mean: mean, np.var: var, np.std: std, np.max: reduction("max"),
    np.amax: reduction("max"), np.min: reduction("min"), np.amin: reduction("min"),
    np.prod: reduction("prod"), np.reshape: reshape, np.transpose: transpose,
    np.swapaxes: swapaxes, np.moveaxis: moveaxis, np.expand_dims: expand_dims,
    np.squeeze: squeeze, np.ravel: ravel, np.broadcast_to: broadcast_to,
    np.concatenate: concatenate, np.stack: stack, np.hstack: hstack, np.vstack: vstack,
    np.where: where, np.take: take, np.dot: dot, np.outer: outer,
    np.append: append, np.cumsum: cumsum, np.clip: clip,
    np.asarray: as_array_like,
    np.angle: angle,
    np.asanyarray: as_array_like,
    **COMPOSITIONS,
    **SHAPE_FUNCTIONS,
    **LINALG_FUNCTIONS,
    **DECOMPOSITION_FUNCTIONS,
    **LAYOUT_FUNCTIONS,
    **FFT_FUNCTIONS,
    **SEQUENCE_FUNCTIONS,
}
"""NumPy function → how it is computed on traced values, for the functions that are not
one record's NumPy binding (``np.linalg.solve`` is the ``solve`` record's)."""

VALUE_ONLY = {
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.argmax, np.argmin, np.argsort, np.allclose, np.isclose, np.array_equal, np.result_type,
    np.all, np.any, np.count_nonzero, np.nonzero, np.round, np.around,
    # integer, boolean or piecewise-constant answers: derivative 0 where defined
    np.fix, np.argpartition, np.argwhere, np.flatnonzero, np.searchsorted, np.digitize,
    np.lexsort, np.nanargmax, np.nanargmin, np.isposinf, np.isneginf, np.iscomplex,
    np.isreal, np.iscomplexobj, np.isrealobj, np.isin, np.array_equiv, np.may_share_memory,
    np.shares_memory, np.diag_indices_from, np.tril_indices_from, np.triu_indices_from,
    np.linalg.matrix_rank, np.ravel_multi_index, np.unravel_index, np.can_cast,
    np.min_scalar_type, np.common_type, np.einsum_path,
}
"""Functions answered from the values alone: their results do not carry derivatives."""


UPDATES = {np.copyto, np.fill_diagonal, np.place, np.put, np.put_along_axis, np.putmask}
"""Functions that write into their argument: refused with what to write instead."""
IN_PLACE = ("it updates an array in place, which a derivative cannot follow; write the new "
            "array instead: chainrule.numpy.at(x)[index].set(values) (or .add), or "
            "np.where(mask, values, x)")


def _why_not(func: Any) -> str:
    if func in UPDATES:
        return IN_PLACE
    if _dotted(func).startswith("numpy.fft."):
        return ("the Hermitian transforms hfft and ihfft have no rule yet (fft, ifft, rfft, "
                "irfft and their n-dimensional forms are covered)")
    return ""


def is_covered(func: Any) -> bool:
    """True when traced values through NumPy's ``func`` (a ufunc or array function) are
    differentiated, or answered from values alone; otherwise calling it on a traced value
    raises :class:`~chainrule.errors.NotDifferentiable` naming it.

    >>> is_covered(np.sin), is_covered(np.linalg.norm), is_covered(np.fft.hfft)
    (True, True, False)
    """
    return (func in FUNCTIONS or func in VALUE_ONLY or func in UFUNC_FORMS
            or func in CONSTANT_UFUNCS or bound_primitive(func) is not None)


def _dotted(func: Any) -> str:
    """``numpy.linalg.eigh``, not ``numpy.eigh``."""
    module = getattr(func, "__module__", None) or "numpy"
    module = module.replace("numpy._core", "numpy").replace("numpy.core", "numpy")
    module = module.replace("numpy.linalg._linalg", "numpy.linalg")
    module = module.replace("numpy.fft._pocketfft", "numpy.fft")
    return f"{module}.{getattr(func, '__name__', func)}"


SHAPE_ONLY = {np.shape, np.ndim, np.size, np.result_type, np.zeros_like, np.ones_like,
              np.empty_like, np.full_like}
"""Functions of VALUE_ONLY that read only shapes and dtypes (not values)."""


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """Handle a NumPy array function (``np.sum``, ``np.linalg.solve``, …) on boxes."""
    if func in SHAPE_ONLY:
        return func(*(peek(a) for a in args), **{k: peek(v) for k, v in kwargs.items()})
    if func in VALUE_ONLY:
        return func(*(value_of(a) for a in args),
                    **{k: value_of(v) for k, v in kwargs.items()})
    prim = bound_primitive(func)
    if prim is not None:  # keywords (NumPy's out=, …) have no say in the derivative
        return call(prim, *args)
    adapter = FUNCTIONS.get(func)
    if adapter is None:
        raise NotDifferentiable.for_function(_dotted(func), _why_not(func))
    return adapter(*args, **kwargs)
