"""Further NumPy functions on traced values: splitting, padding, products, masks, copies.

Like :mod:`chainrule.autodiff.compositions`, each is written with NumPy calls that dispatch
to table primitives, so derivatives hold in every mode and order. :data:`SHAPE_FUNCTIONS`
is merged into the dispatch table of :mod:`chainrule.autodiff.array_functions`.

>>> import numpy as np, chainrule
>>> chainrule.grad(lambda x: np.sum(np.split(x, 2)[1] ** 2))(np.array([1., 2., 3., 4.]))
array([0., 0., 6., 8.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable


def _slice_along(x, axis, start, stop):
    index = [slice(None)] * np.ndim(x)
    index[axis] = slice(start, stop)
    return x[tuple(index)]


def array_split(ary, indices_or_sections, axis=0):
    n = np.shape(ary)[axis]
    if isinstance(indices_or_sections, int):  # NumPy's sizes: the first n % k get one more
        k = indices_or_sections
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds = np.cumsum([0, *sizes]).tolist()
    else:
        bounds = [0, *indices_or_sections, n]
    return [_slice_along(ary, axis, lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:],
                                                               strict=True)]


def split(ary, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, int) and np.shape(ary)[axis] % indices_or_sections:
        raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


INDEX_PAD_MODES = ("edge", "reflect", "symmetric", "wrap", "empty")
"""Modes whose padding copies entries: NumPy pads a grid of positions, the entries follow."""


def pad(array, pad_width, mode="constant", constant_values=0, **kw):
    if mode in INDEX_PAD_MODES and kw.get("reflect_type", "even") == "even":
        grid = np.arange(int(np.prod(np.shape(array)))).reshape(np.shape(array))
        positions = np.pad(grid, pad_width, mode="edge" if mode == "empty" else mode)
        return np.reshape(np.take(np.ravel(array), np.ravel(positions)), np.shape(positions))
    if mode != "constant" or np.ndim(value_of(constant_values)) != 0:
        raise NotDifferentiable.for_function("numpy.pad", f"mode={mode!r}; 'constant' with "
                                             "one constant value, 'edge', 'reflect', "
                                             "'symmetric' and 'wrap' are covered")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (np.ndim(array), 2))
    out = array
    for axis, (before, after) in enumerate(widths.tolist()):
        shape = list(np.shape(out))
        parts = []
        for width in (before, after):
            shape[axis] = width
            parts.append(np.full(shape, float(value_of(constant_values))))
        out = np.concatenate([parts[0], out, parts[1]], axis=axis)
    return out


def kron(a, b):
    nd = max(np.ndim(a), np.ndim(b))
    a = np.reshape(a, (1,) * (nd - np.ndim(a)) + np.shape(a))
    b = np.reshape(b, (1,) * (nd - np.ndim(b)) + np.shape(b))
    # a[i, j] * b[k, l] at (i·K + k, j·L + l): interleave the axes, then merge the pairs.
    wide = (np.reshape(a, tuple(x for n in np.shape(a) for x in (n, 1)))
            * np.reshape(b, tuple(x for n in np.shape(b) for x in (1, n))))
    return np.reshape(wide, tuple(m * n for m, n in zip(np.shape(a), np.shape(b), strict=True)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = np.moveaxis(a, axisa, -1), np.moveaxis(b, axisb, -1)
    if np.shape(a)[-1] != 3 or np.shape(b)[-1] != 3:
        raise NotDifferentiable.for_function("numpy.cross", "only 3-vectors are covered")
    x = [a[..., i] for i in range(3)]
    y = [b[..., i] for i in range(3)]
    out = np.stack([x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2],
                    x[0] * y[1] - x[1] * y[0]], axis=-1)
    return np.moveaxis(out, -1, axisc)


def select(condlist, choicelist, default=0):
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist, strict=True))):
        out = np.where(value_of(cond), choice, out)
    return out


def cumprod(a, axis=None, dtype=None, out=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = axis % np.ndim(a)
    running = [np.take(a, 0, axis=axis)]
    for k in range(1, np.shape(a)[axis]):  # each running product times the next entry
        running.append(running[-1] * np.take(a, k, axis=axis))
    return np.stack(running, axis=axis)


def sinc(x):
    # sin(πx)/(πx); at 0 its Taylor polynomial, which has the same value and derivatives
    # there (1, 0, −π²/3, 0, π⁴/5). The masked argument keeps the other branch finite.
    zero = np.asarray(value_of(x)) == 0
    safe = np.where(zero, 1.0, x) * np.pi
    near = (np.pi * x) ** 2
    return np.where(zero, 1 - near / 6 + near**2 / 120, np.sin(safe) / safe)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    v = np.asarray(value_of(x))
    big = np.finfo(v.dtype if np.issubdtype(v.dtype, np.floating) else float).max
    out = np.where(np.isnan(v), nan, x)
    out = np.where(np.isposinf(v), big if posinf is None else posinf, out)
    return np.where(np.isneginf(v), -big if neginf is None else neginf, out)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    return np.sum(np.where(np.isnan(value_of(a)), 0.0, a), axis=axis, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    count = np.sum(~np.isnan(value_of(a)), axis=axis, keepdims=keepdims)
    return nansum(a, axis=axis, keepdims=keepdims) / count


def identity(x, *_, **__):
    return x


def imag(x):
    return np.zeros(np.shape(x))  # a real array's imaginary part: constant zero


def vdot(a, b):
    return np.sum(np.ravel(a) * np.ravel(b))


def ediff1d(ary, to_end=None, to_begin=None):
    flat = np.ravel(ary)
    parts = [flat[1:] - flat[:-1]]
    if to_begin is not None:
        parts.insert(0, np.ravel(to_begin))
    if to_end is not None:
        parts.append(np.ravel(to_end))
    return np.concatenate(parts)


def broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*(np.shape(a) for a in args))
    return tuple(np.broadcast_to(a, shape) for a in args)


def convolve(a, v, mode="full"):
    # Every product a[m]·v[k] lands in out[m + k]: the outer product, scattered and summed.
    m, k = np.shape(a)[0], np.shape(v)[0]
    target = (np.arange(m)[:, None] + np.arange(k)[None, :]).ravel()
    full = call(get("scatter_add"), np.ravel(np.outer(a, v)), index=(target,),
                shape=(m + k - 1,))
    if mode == "full":
        return full
    if mode == "same":
        start = (min(m, k) - 1) // 2
        return full[start:start + max(m, k)]
    if mode == "valid":
        return full[min(m, k) - 1:max(m, k)]
    raise ValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")


def correlate(a, v, mode="valid"):
    return convolve(a, v[::-1], mode)


def gradient(f, *varargs, axis=None, edge_order=1):
    if varargs and any(np.ndim(value_of(h)) for h in varargs) or edge_order != 1:
        raise NotDifferentiable.for_function(
            "numpy.gradient", "only uniform scalar spacings with edge_order=1 are covered")
    axes = _axes_of(axis, np.ndim(f))
    spacing = list(varargs) * len(axes) if len(varargs) == 1 else list(varargs) or [1.0] * len(axes)
    out = []
    for ax, h in zip(axes, spacing, strict=True):
        n = np.shape(f)[ax]
        centre = (_slice_along(f, ax, 2, n) - _slice_along(f, ax, 0, n - 2)) / (2 * h)
        first = (_slice_along(f, ax, 1, 2) - _slice_along(f, ax, 0, 1)) / h
        last = (_slice_along(f, ax, n - 1, n) - _slice_along(f, ax, n - 2, n - 1)) / h
        out.append(np.concatenate([first, centre, last], axis=ax))
    return out[0] if len(out) == 1 else tuple(out)


def _axes_of(axis, ndim):
    if axis is None:
        return list(range(ndim))
    return [a % ndim for a in (axis if isinstance(axis, tuple | list) else (axis,))]


def interp(x, xp, fp, left=None, right=None, period=None):
    if period is not None:
        raise NotDifferentiable.for_function("numpy.interp", "period= is not covered")
    xv, xpv = np.asarray(value_of(x)), np.asarray(value_of(xp))
    i = np.clip(np.searchsorted(xpv, xv, side="right") - 1, 0, len(xpv) - 2)
    x0, x1, f0, f1 = xp[i], xp[i + 1], fp[i], fp[i + 1]
    inside = f0 + (x - x0) * (f1 - f0) / (x1 - x0)
    below = fp[0] if left is None else left
    above = fp[-1] if right is None else right
    return np.where(xv < xpv[0], below, np.where(xv > xpv[-1], above, inside))


SHAPE_FUNCTIONS: dict[Any, Any] = {
    np.split: split, np.array_split: array_split,
    np.hsplit: lambda a, s: split(a, s, axis=1 if np.ndim(a) > 1 else 0),
    np.vsplit: lambda a, s: split(a, s, axis=0), np.dsplit: lambda a, s: split(a, s, axis=2),
    np.pad: pad, np.kron: kron, np.cross: cross, np.select: select, np.cumprod: cumprod,
    np.sinc: sinc, np.nan_to_num: nan_to_num, np.nansum: nansum, np.nanmean: nanmean,
    np.real: identity, np.copy: identity,
    np.imag: imag, np.vdot: vdot, np.ediff1d: ediff1d, np.broadcast_arrays: broadcast_arrays,
    np.convolve: convolve,
    np.correlate: correlate, np.gradient: gradient, np.interp: interp,
}
"""NumPy function → its composition of table primitives."""
if hasattr(np, "matrix_transpose"):  # NumPy 2 only; the pins admit 1.26
    SHAPE_FUNCTIONS[np.matrix_transpose] = lambda x: np.swapaxes(x, -1, -2)
