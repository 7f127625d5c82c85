"""More NumPy array functions on traced values, each written with table primitives.

Shape operations (``flip``, ``roll``, ``diag``, ``tril``, ``tile``, ``repeat``,
``atleast_2d``…), orderings (``sort``, ``take_along_axis``) and contractions (``tensordot``,
``inner``, ``average``, ``diff``) are indexing, reshaping, masking and ``matmul``: their
derivatives follow from those records, in every mode and at every order. Index arrays are
computed from shapes and values (``sort`` permutes by the values' order), never traced.
:data:`COMPOSITIONS` is merged into the dispatch table of
:mod:`chainrule.autodiff.array_functions`.

>>> import numpy as np, chainrule
>>> chainrule.grad(lambda x: np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0])))(np.array([3., 1., 2.]))
array([3., 1., 2.])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable


def _index(x: Any, index: Any) -> Any:
    return call(get("getitem"), x, index=index)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, tuple | list) else (axis,)))


def flip(m, axis=None):
    index = [slice(None)] * np.ndim(m)
    for a in _axes(axis, np.ndim(m)):
        index[a] = slice(None, None, -1)
    return _index(m, tuple(index))


def roll(a, shift, axis=None):
    if axis is None:
        return np.reshape(roll(np.ravel(a), shift, 0), np.shape(a))
    out = a
    shifts = shift if isinstance(shift, tuple | list) else (shift,) * len(_axes(axis, 9999))
    for ax, s in zip(_axes(axis, np.ndim(a)), shifts, strict=True):
        n = np.shape(a)[ax]
        index = [slice(None)] * np.ndim(a)
        index[ax] = (np.arange(n) - s) % n
        out = _index(out, tuple(index))
    return out


def diff(a, n=1, axis=-1, **_):
    out = a
    for _ in range(n):
        ax = axis % np.ndim(out)
        hi, lo = [slice(None)] * np.ndim(out), [slice(None)] * np.ndim(out)
        hi[ax], lo[ax] = slice(1, None), slice(None, -1)
        out = _index(out, tuple(hi)) - _index(out, tuple(lo))
    return out


def diagonal(a, offset=0, axis1=0, axis2=1):
    axis1, axis2 = axis1 % np.ndim(a), axis2 % np.ndim(a)
    moved = np.moveaxis(np.moveaxis(a, axis1, -1), axis2 - (axis2 > axis1), -1)
    rows, cols = np.shape(moved)[-2:]
    i = np.arange(max(0, -offset), min(rows, cols - offset))
    return _index(moved, (Ellipsis, i, i + offset))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return np.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def slogdet(a):
    # (sign, ln|det|): the sign is piecewise constant, ln|det| is the logabsdet record's
    sign, _ = np.linalg.slogdet(np.asarray(value_of(a)))
    result = type(np.linalg.slogdet(np.eye(1)))
    parts = (sign, call(get("logabsdet"), a))
    return parts if result is tuple else result(*parts)


def cholesky(a, upper=False):
    if not upper:
        return call(get("cholesky"), a)
    # upper=True reads A's upper triangle (the lower one of Aᵀ) and returns Lᵀ.
    return np.swapaxes(call(get("cholesky"), np.swapaxes(a, -1, -2)), -1, -2)


def diag(v, k=0):
    if np.ndim(v) == 2:
        return diagonal(v, k)
    n = np.shape(v)[0] + abs(k)
    i = np.arange(np.shape(v)[0])
    rows, cols = (i, i + k) if k >= 0 else (i - k, i)
    return call(get("scatter_add"), v, index=(rows, cols), shape=(n, n))


def _triangle(m, k, lower):
    rows, cols = np.shape(m)[-2:]
    mask = np.tri(rows, cols, k, dtype=bool)
    return np.where(mask if lower else ~np.tri(rows, cols, k - 1, dtype=bool), m, 0.0)


def tril(m, k=0):
    return _triangle(m, k, lower=True)


def triu(m, k=0):
    return _triangle(m, k, lower=False)


def _promoted_shape(shape: tuple, n: int) -> tuple:
    """NumPy's placement of new axes: (N,) → (1, N) for 2-D, (1, N, 1) for 3-D."""
    if len(shape) >= n:
        return shape
    if n == 3 and len(shape) == 1:
        return (1, *shape, 1)
    if n == 3 and len(shape) == 2:
        return (*shape, 1)
    return (1,) * (n - len(shape)) + shape


def _at_least(n):
    def promote(*arys):
        out = [np.reshape(a, _promoted_shape(np.shape(a), n)) for a in arys]
        return out[0] if len(out) == 1 else out
    return promote


def column_stack(tup):
    return np.concatenate([np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a for a in tup], axis=1)


def take_along_axis(arr, indices, axis=-1):
    indices = value_of(indices)
    if axis is None:
        return _index(np.ravel(arr), indices)
    axis = axis % np.ndim(arr)
    grids = list(np.ogrid[tuple(slice(n) for n in np.shape(indices))])
    grids[axis] = indices
    return _index(arr, tuple(grids))


def sort(a, axis=-1, kind=None, order=None, **_):
    # A permutation of the entries by their values: the derivative moves with its entry.
    return take_along_axis(a, np.argsort(value_of(a), axis=axis, kind=kind), axis)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, **_):
    """NumPy's default ("linear") quantile: between the two order statistics around
    ``q·(n − 1)``, weighted by the distance: sort, pick, interpolate."""
    if method not in CONTINUOUS_QUANTILES and method not in DISCRETE_QUANTILES:
        raise NotDifferentiable.for_function(
            "numpy.quantile", f"method={method!r}; the continuous methods and 'lower', "
            "'higher', 'nearest', 'midpoint' are covered")
    keep_shape = list(np.shape(a))
    if axis is None:
        keep_shape = [1] * len(keep_shape)
        a, axis = np.ravel(a), 0
    axis = axis % np.ndim(a)
    keep_shape[axis if len(keep_shape) == np.ndim(a) else 0] = 1
    q = np.asarray(value_of(q), dtype=float)
    if np.ndim(q) > 1:
        raise NotDifferentiable.for_function("numpy.quantile", "q with more than one axis")
    ordered = sort(a, axis=axis)
    lo, hi, frac = _quantile_points(q, np.shape(a)[axis], method)
    low, high = np.take(ordered, lo, axis=axis), np.take(ordered, hi, axis=axis)
    if np.ndim(q):  # NumPy puts q's axis first
        low, high = np.moveaxis(low, axis, 0), np.moveaxis(high, axis, 0)
        frac = np.reshape(frac, (-1,) + (1,) * (np.ndim(low) - 1))
    result = low + (high - low) * frac
    if keepdims:
        return np.reshape(result, np.shape(q) + tuple(keep_shape))
    return result


CONTINUOUS_QUANTILES = {"linear": (1.0, 1.0), "hazen": (0.5, 0.5), "weibull": (0.0, 0.0),
                        "median_unbiased": (1 / 3, 1 / 3), "normal_unbiased": (3 / 8, 3 / 8),
                        "interpolated_inverted_cdf": (0.0, 1.0)}
"""NumPy's quantile methods that interpolate, by their (α, β) (Hyndman & Fan)."""
DISCRETE_QUANTILES = ("lower", "higher", "nearest", "midpoint")


def _quantile_points(q, n, method):
    """The two order statistics (positions) around each quantile and the weight of the
    second: every method is a pick and a linear interpolation, with constant weights."""
    if method == "linear":
        virtual = q * (n - 1)
    elif method in CONTINUOUS_QUANTILES:
        alpha, beta = CONTINUOUS_QUANTILES[method]
        virtual = n * q + (alpha + q * (1 - alpha - beta)) - 1
    else:
        virtual = {"lower": np.floor, "higher": np.ceil, "nearest": np.around,
                   "midpoint": lambda v: v}[method](q * (n - 1))
    lo = np.clip(np.floor(virtual), 0, n - 1).astype(int)
    hi = np.clip(np.floor(virtual) + 1, 0, n - 1).astype(int)
    frac = virtual - np.floor(virtual)
    if method == "midpoint":
        frac = np.where(frac > 0, 0.5, 0.0)
    return lo, hi, frac


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, **_):
    return quantile(a, np.asarray(value_of(q), dtype=float) / 100, axis=axis, method=method,
                    keepdims=keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile(a, 0.5, axis=axis, keepdims=keepdims)


def ptp(a, axis=None, out=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


def repeat(a, repeats, axis=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    index = [slice(None)] * np.ndim(a)
    index[axis % np.ndim(a)] = np.repeat(np.arange(np.shape(a)[axis]), repeats)
    return _index(a, tuple(index))


def tile(A, reps):
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    ndim = max(np.ndim(A), len(reps))
    a = np.reshape(A, (1,) * (ndim - np.ndim(A)) + np.shape(A))
    reps = (1,) * (ndim - len(reps)) + reps
    index = np.ix_(*(np.tile(np.arange(n), r) for n, r in zip(np.shape(a), reps, strict=True)))
    return _index(a, index)


def tensordot(a, b, axes=2):
    if isinstance(axes, int):
        a_axes = tuple(range(np.ndim(a) - axes, np.ndim(a)))
        b_axes = tuple(range(axes))
    else:
        a_axes, b_axes = (tuple(np.atleast_1d(ax) % nd) for ax, nd
                          in zip(axes, (np.ndim(a), np.ndim(b)), strict=True))
    a_free = [i for i in range(np.ndim(a)) if i not in a_axes]
    b_free = [i for i in range(np.ndim(b)) if i not in b_axes]
    k = math.prod(np.shape(a)[i] for i in a_axes)
    left = np.reshape(np.transpose(a, a_free + list(a_axes)), (-1, k))
    right = np.reshape(np.transpose(b, list(b_axes) + b_free), (k, -1))
    shape = tuple(np.shape(a)[i] for i in a_free) + tuple(np.shape(b)[i] for i in b_free)
    return np.reshape(left @ right, shape)


def einsum(*operands, optimize=False, **_):
    """``np.einsum`` with a subscripts string: each pair of operands is a batched ``matmul``
    after transposes and reshapes; indices used nowhere later are summed first."""
    subscripts, *arrays = operands
    if not isinstance(subscripts, str):
        raise NotDifferentiable.for_function(
            "numpy.einsum", "only the subscripts-string form is covered")
    subscripts = subscripts.replace(" ", "")
    ins, out = subscripts.split("->") if "->" in subscripts else (subscripts, None)
    terms = ins.split(",")
    if out is None:  # implicit output: the indices used once, in alphabetical order
        flat = ins.replace(",", "").replace(".", "")
        out = ("..." if "..." in ins else "") + "".join(
            sorted(c for c in set(flat) if flat.count(c) == 1))
    if "..." in subscripts:
        arrays, terms, out = _spell_out_ellipsis(arrays, terms, out)
    arrays = list(arrays)
    for k, term in enumerate(terms):  # a repeated index within one operand: its diagonal
        arrays[k], terms[k] = _take_diagonals(arrays[k], term)
    current, index = _sum_unused(arrays[0], terms[0], out + "".join(terms[1:]))
    for k in range(1, len(terms)):
        later = out + "".join(terms[k + 1:])
        other, other_index = _sum_unused(arrays[k], terms[k], later + index)
        current, index = _contract(current, index, other, other_index, later)
    current, index = _sum_unused(current, index, out)
    return np.transpose(current, [index.index(c) for c in out])


def _spell_out_ellipsis(arrays, terms, out):
    """'...' as letters of its own, every operand broadcast over all of them (NumPy aligns
    the axes '...' stands for from the right and broadcasts them)."""
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in "".join(terms) + out]
    shapes = [np.shape(a)[t.index("..."):np.ndim(a) - (len(t) - 3 - t.index("..."))]
              if "..." in t else () for a, t in zip(arrays, terms, strict=True)]
    wide = np.broadcast_shapes(*shapes)
    letters = "".join(free[:len(wide)])
    new_arrays, new_terms = [], []
    for a, t, shape in zip(arrays, terms, shapes, strict=True):
        if "..." in t:
            head, tail = t.split("...")
            a = np.reshape(a, np.shape(a)[:len(head)] + (1,) * (len(wide) - len(shape))
                           + np.shape(a)[len(head):])
            a = np.broadcast_to(a, np.shape(a)[:len(head)] + wide + np.shape(a)[len(head)
                                                                              + len(wide):])
            t = head + letters + tail
        new_arrays.append(a)
        new_terms.append(t)
    return new_arrays, new_terms, out.replace("...", letters)


def _take_diagonals(x, term):
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        i, j = term.index(c), term.index(c, term.index(c) + 1)
        x = np.diagonal(x, axis1=i, axis2=j)  # the diagonal's axis goes last
        term = "".join(ch for k, ch in enumerate(term) if k not in (i, j)) + c
    return x, term


def _sum_unused(x, index, needed):
    unused = tuple(i for i, c in enumerate(index) if c not in needed)
    if not unused:
        return x, index
    return np.sum(x, axis=unused), "".join(c for c in index if c in needed)


def _contract(a, a_index, b, b_index, keep):
    sizes = dict(zip(a_index, np.shape(a), strict=True)) | dict(zip(b_index, np.shape(b),
                                                                     strict=True))
    batch = [c for c in a_index if c in b_index and c in keep]
    summed = [c for c in a_index if c in b_index and c not in keep]
    a_free = [c for c in a_index if c not in b_index]
    b_free = [c for c in b_index if c not in a_index]

    def size(chars):
        return math.prod(sizes[c] for c in chars)

    left = np.reshape(np.transpose(a, [a_index.index(c) for c in batch + a_free + summed]),
                      (size(batch), size(a_free), size(summed)))
    right = np.reshape(np.transpose(b, [b_index.index(c) for c in batch + summed + b_free]),
                       (size(batch), size(summed), size(b_free)))
    index = batch + a_free + b_free
    return np.reshape(left @ right, tuple(sizes[c] for c in index)), "".join(index)


def inner(a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    return tensordot(a, b, axes=([-1], [-1]))


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    if weights is None:
        total = np.mean(a, axis=axis, keepdims=keepdims)
        scale = np.sum(np.ones(np.shape(a)), axis=axis, keepdims=keepdims)
    else:
        if np.shape(weights) != np.shape(a):  # 1-D weights along one axis
            shape = [1] * np.ndim(a)
            shape[axis] = np.shape(weights)[0]
            weights = np.reshape(weights, shape)
        scale = np.sum(weights * np.ones(np.shape(a)), axis=axis, keepdims=keepdims)
        total = np.sum(a * weights, axis=axis, keepdims=keepdims) / scale
    return (total, scale) if returned else total


COMPOSITIONS: dict[Any, Any] = {
    np.flip: flip, np.fliplr: lambda m: flip(m, 1), np.flipud: lambda m: flip(m, 0),
    np.roll: roll, np.diff: diff, np.diagonal: diagonal, np.diag: diag, np.tril: tril,
    np.triu: triu, np.atleast_1d: _at_least(1), np.atleast_2d: _at_least(2),
    np.atleast_3d: _at_least(3), np.column_stack: column_stack,
    np.take_along_axis: take_along_axis, np.sort: sort, np.repeat: repeat, np.tile: tile,
    np.tensordot: tensordot, np.inner: inner, np.einsum: einsum, np.average: average,
    np.trace: trace,
    np.linalg.slogdet: slogdet, np.linalg.cholesky: cholesky, np.quantile: quantile,
    np.percentile: percentile, np.median: median, np.ptp: ptp,
}
"""NumPy function → its composition of table primitives."""
