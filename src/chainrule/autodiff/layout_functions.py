"""NumPy functions that rearrange, pick or combine entries, on traced values.

Rotations, axis moves, stacking, deleting, picking by a mask or an index, resizing, grids,
polynomials, covariances, NaN-aware reductions and ``partition``: each is written with NumPy
calls that dispatch to table primitives (indexing, reshapes, ``where``, sums, products), with
any index computed from shapes and values, never traced. So their derivatives hold in every
mode and at every order. :data:`LAYOUT_FUNCTIONS` is merged into the dispatch table of
:mod:`chainrule.autodiff.array_functions`.

>>> import numpy as np, chainrule
>>> chainrule.grad(lambda x: np.sum(np.rot90(x) * np.array([[1.0, 2.0], [3.0, 4.0]])))(np.eye(2))
array([[3., 1.],
       [4., 2.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable


def _values(x: Any) -> np.ndarray:
    return np.asarray(value_of(x))


def rot90(m, k=1, axes=(0, 1)):
    a0, a1 = axes
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return np.flip(np.flip(m, a0), a1)
    order = list(range(np.ndim(m)))
    order[a0], order[a1] = order[a1], order[a0]
    if k == 1:
        return np.transpose(np.flip(m, a1), order)
    return np.flip(np.transpose(m, order), a1)


def rollaxis(a, axis, start=0):
    n = np.ndim(a)
    axis %= n
    start = start + n if start < 0 else start
    if axis < start:
        start -= 1
    if axis == start:
        return a
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return np.transpose(a, order)


def dstack(tup):
    return np.concatenate([np.atleast_3d(a) for a in tup], axis=2)


def _depth(x) -> int:
    return 1 + _depth(x[0]) if isinstance(x, list) else 0


def _leaves(x):
    return [y for item in x for y in _leaves(item)] if isinstance(x, list) else [x]


def block(arrays):
    depth = _depth(arrays)
    ndim = max(depth, *(np.ndim(a) for a in _leaves(arrays)))

    def assemble(x, level):
        if not isinstance(x, list):
            return np.reshape(x, (1,) * (ndim - np.ndim(x)) + np.shape(x))
        return np.concatenate([assemble(y, level + 1) for y in x], axis=level - depth)

    return assemble(arrays, 0)


def unstack(x, axis=0):
    moved = np.moveaxis(x, axis, 0)
    return tuple(moved[i] for i in range(np.shape(moved)[0]))


def _cumulative(kind):
    def cumulative(x, axis=None, dtype=None, out=None, include_initial=False):
        if axis is None:
            if np.ndim(x) > 1:
                raise ValueError("axis must be given for arrays of more than one dimension")
            axis = 0
        running = (np.cumsum if kind == "sum" else np.cumprod)(x, axis=axis)
        if not include_initial:
            return running
        shape = list(np.shape(x))
        shape[axis] = 1
        start = np.zeros(shape) if kind == "sum" else np.ones(shape)
        return np.concatenate([start, running], axis=axis)
    return cumulative


def trapezoid(y, x=None, dx=1.0, axis=-1):
    n = np.shape(y)[axis]
    hi = np.take(y, np.arange(1, n), axis=axis)
    lo = np.take(y, np.arange(n - 1), axis=axis)
    if x is None:
        d = dx
    else:
        d = np.diff(x, axis=-1 if np.ndim(x) == 1 else axis)
        if np.ndim(x) == 1 and np.ndim(y) > 1:  # spacing along ``axis`` only
            shape = [1] * np.ndim(y)
            shape[axis] = n - 1
            d = np.reshape(d, shape)
    return np.sum(d * (hi + lo) / 2.0, axis=axis)


def delete(arr, obj, axis=None):
    if axis is None:
        arr, axis = np.ravel(arr), 0
    kept = np.delete(np.arange(np.shape(arr)[axis]), value_of(obj))
    return np.take(arr, kept, axis=axis)


def compress(condition, a, axis=None, out=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    return np.take(a, np.nonzero(_values(condition))[0], axis=axis)


def extract(condition, arr):
    return np.take(np.ravel(arr), np.nonzero(np.ravel(_values(condition)))[0])


def choose(a, choices, out=None, mode="raise"):
    index = _values(a)
    return np.select([index == i for i in range(len(choices))], list(choices))


def diagflat(v, k=0):
    return np.diag(np.ravel(v), k)


def resize(a, new_shape):
    shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    flat = np.ravel(a)
    total = int(np.prod(shape))
    return np.reshape(np.take(flat, np.arange(total) % np.shape(flat)[0]), shape)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    n = len(xi)
    shapes = [[1] * n for _ in xi]
    for i, shape in enumerate(shapes):
        shape[i] = -1
    if indexing == "xy" and n > 1:
        shapes[0][:2] = [1, -1]
        shapes[1][:2] = [-1, 1]
    grids = [np.reshape(x, s) for x, s in zip(xi, shapes, strict=True)]
    if sparse:
        return tuple(grids)
    full = np.broadcast_shapes(*(np.shape(g) for g in grids))
    return tuple(np.broadcast_to(g, full) for g in grids)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if axis != 0 or np.ndim(start) or np.ndim(stop):
        raise NotDifferentiable.for_function("numpy.linspace", "only scalar ends along axis "
                                             "0 are covered")
    div = (num - 1) if endpoint else num
    steps = np.arange(num, dtype=float)
    step = (stop - start) / div if div > 0 else stop - start
    out = start + steps * step
    if endpoint and num > 1:  # NumPy sets the last point to stop exactly
        out = np.where(steps == num - 1, stop + 0.0 * steps, out)
    return (out, step) if retstep else out


def polyval(p, x):
    y = 0.0 * x
    for i in range(np.shape(p)[0]):  # Horner's rule, as NumPy's polyval
        y = y * x + p[i]
    return y


def vander(x, N=None, increasing=False):  # noqa: N803 - NumPy's keyword
    n = np.shape(x)[0] if N is None else N
    powers = range(n) if increasing else range(n - 1, -1, -1)
    return np.stack([x ** float(k) if k else np.ones(np.shape(x)) for k in powers], axis=1)


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, **_):
    if fweights is not None or aweights is not None:
        raise NotDifferentiable.for_function("numpy.cov", "weights are not covered")
    x = np.atleast_2d(m)
    if not rowvar and np.shape(x)[0] != 1:
        x = np.transpose(x)
    if y is not None:
        other = np.atleast_2d(y)
        if not rowvar and np.shape(other)[0] != 1:
            other = np.transpose(other)
        x = np.concatenate([x, other], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    centred = x - np.mean(x, axis=1, keepdims=True)
    c = centred @ np.transpose(centred) / (np.shape(x)[1] - ddof)
    return np.squeeze(c)


def corrcoef(x, y=None, rowvar=True, **_):
    c = cov(x, y, rowvar)
    if np.ndim(c) == 0:
        return c / c
    d = np.sqrt(np.diagonal(c))
    return c / np.reshape(d, (-1, 1)) / np.reshape(d, (1, -1))


def _shift(x, axes, sign):
    axes = tuple(range(np.ndim(x))) if axes is None else axes
    axes = axes if isinstance(axes, tuple | list) else (axes,)
    return np.roll(x, [sign * (np.shape(x)[a] // 2) for a in axes], axis=tuple(axes))


def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    # The correction is a multiple of the period, piecewise constant in p: slope 1.
    v = _values(p)
    return p + (np.unwrap(v, discont=discont, axis=axis, period=period) - v)


def trim_zeros(filt, trim="fb", **_):
    nonzero = np.nonzero(_values(filt))[0]
    if not nonzero.size:
        return filt[:0]
    start = nonzero[0] if "f" in trim.lower() else 0
    stop = nonzero[-1] + 1 if "b" in trim.lower() else np.shape(filt)[0]
    return filt[start:stop]


def piecewise(x, condlist, funclist, *args, **kw):
    conds = [_values(c) for c in (condlist if isinstance(condlist, list) else [condlist])]
    out = 0.0 * x
    if len(funclist) == len(conds) + 1:  # the last applies where no condition holds
        conds.append(~np.any(conds, axis=0))
    for cond, f in zip(conds, funclist, strict=False):
        piece = f(x, *args, **kw) if callable(f) else f
        out = np.where(cond, piece, out)
    return out


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    moved = np.moveaxis(arr, axis, -1)
    outer = np.shape(moved)[:-1]
    results = [func1d(moved[i], *args, **kwargs) for i in np.ndindex(outer)]
    stacked = np.reshape(np.stack(results), outer + np.shape(results[0]))
    if np.ndim(results[0]) == 0:
        return stacked
    return np.moveaxis(stacked, -1, axis % np.ndim(arr))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           **_):
    if axis is not None:
        raise NotDifferentiable.for_function("numpy.unique", "axis= is not covered")
    first, *rest = np.unique(np.ravel(_values(ar)), return_index=True,
                             return_inverse=return_inverse, return_counts=return_counts)[1:]
    values = np.take(np.ravel(ar), first)  # each distinct value is its first occurrence
    extra = ([first] if return_index else []) + rest
    return (values, *extra) if extra else values


def partition(a, kth, axis=-1, kind="introselect", order=None):
    if axis is None:
        a, axis = np.ravel(a), -1
    return np.take_along_axis(a, np.argpartition(_values(a), kth, axis=axis), axis=axis)


# -- NaN-aware reductions: NaNs replaced by the reduction's neutral element ----------------

def _without_nan(a, fill):
    return np.where(np.isnan(_values(a)), fill, a)


def _nan_reduction(reduce, fill):
    def nan_reduce(a, axis=None, out=None, keepdims=False, **_):
        return reduce(_without_nan(a, fill), axis=axis, keepdims=keepdims)
    return nan_reduce


def _nan_cumulative(accumulate, fill):
    def nan_accumulate(a, axis=None, dtype=None, out=None):
        return accumulate(_without_nan(a, fill), axis=axis)
    return nan_accumulate


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **_):
    present = ~np.isnan(_values(a))
    count = np.sum(present, axis=axis, keepdims=True)
    mean = np.sum(_without_nan(a, 0.0), axis=axis, keepdims=True) / count
    centred = np.where(present, a - mean, 0.0)
    total = np.sum(centred * centred, axis=axis, keepdims=keepdims)
    return total / (np.sum(present, axis=axis, keepdims=keepdims) - ddof)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **_):
    return np.sqrt(nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims))


def _nan_order_statistic(func):
    def statistic(a, *q, axis=None, keepdims=False, **kw):
        nan = np.isnan(_values(a))
        if not nan.any():
            return func(a, *q, axis=axis, keepdims=keepdims, **kw)
        if axis is not None or keepdims:
            raise NotDifferentiable.for_function(
                f"numpy.nan{func.__name__}", "with NaNs along an axis (rows of different "
                "lengths) is not covered; axis=None is")
        return func(np.ravel(a)[np.nonzero(~np.ravel(nan))[0]], *q, **kw)
    return statistic


LAYOUT_FUNCTIONS: dict[Any, Any] = {
    np.rot90: rot90, np.rollaxis: rollaxis, np.dstack: dstack, np.block: block,
    np.trapezoid if hasattr(np, "trapezoid") else np.trapz: trapezoid,
    np.delete: delete, np.compress: compress, np.extract: extract, np.choose: choose,
    np.diagflat: diagflat, np.resize: resize, np.meshgrid: meshgrid, np.linspace: linspace,
    np.polyval: polyval, np.vander: vander, np.cov: cov, np.corrcoef: corrcoef,
    np.fft.fftshift: lambda x, axes=None: _shift(x, axes, 1),
    np.fft.ifftshift: lambda x, axes=None: _shift(x, axes, -1),
    np.unwrap: unwrap, np.trim_zeros: trim_zeros, np.piecewise: piecewise,
    np.apply_along_axis: apply_along_axis, np.unique: unique, np.partition: partition,
    np.nanmax: _nan_reduction(np.max, -np.inf), np.nanmin: _nan_reduction(np.min, np.inf),
    np.nanprod: _nan_reduction(np.prod, 1.0),
    np.nancumsum: _nan_cumulative(np.cumsum, 0.0), np.nancumprod: _nan_cumulative(np.cumprod, 1.0),
    np.nanvar: nanvar, np.nanstd: nanstd, np.nanmedian: _nan_order_statistic(np.median),
    np.nanquantile: _nan_order_statistic(np.quantile),
    np.nanpercentile: _nan_order_statistic(np.percentile),
    np.real_if_close: lambda a, tol=100: a,
}
"""NumPy function → its composition of table primitives."""
for _name, _kind in (("unstack", unstack), ("cumulative_sum", _cumulative("sum")),
                     ("cumulative_prod", _cumulative("prod"))):
    if hasattr(np, _name):  # NumPy 2.1+ only; the pins admit 1.26
        LAYOUT_FUNCTIONS[getattr(np, _name)] = _kind
