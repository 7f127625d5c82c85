"""Polynomials, insertion, set-like picks and spaced sequences on traced values.

Polynomial arithmetic is sums, convolutions and least squares; ``insert``, ``setdiff1d`` and
the ``unique_*`` family pick entries by indices NumPy computes from the values; ``logspace``
and ``geomspace`` exponentiate a ``linspace``. All are compositions of table primitives.
:data:`SEQUENCE_FUNCTIONS` is merged into the dispatch table of
:mod:`chainrule.autodiff.array_functions`.

>>> import numpy as np, chainrule
>>> chainrule.grad(lambda p: np.sum(np.polyder(np.polymul(p, p))))(np.array([1.0, 2.0]))
array([8., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import value_of
from chainrule.errors import NotDifferentiable


def _pad_front(p, n):
    return np.concatenate([np.zeros(n - np.shape(p)[0]), p]) if np.shape(p)[0] < n else p


def polyadd(a1, a2):
    n = max(np.shape(a1)[0], np.shape(a2)[0])
    return _pad_front(np.atleast_1d(a1), n) + _pad_front(np.atleast_1d(a2), n)


def polysub(a1, a2):
    return polyadd(a1, -np.atleast_1d(a2))


def polymul(a1, a2):
    return np.convolve(np.atleast_1d(a1), np.atleast_1d(a2))


def polyder(p, m=1):
    for _ in range(m):
        n = np.shape(p)[0] - 1
        p = p[:-1] * np.arange(n, 0, -1.0) if n > 0 else p[:0]
    return p


def polyint(p, m=1, k=None):
    constants = np.zeros(m) if k is None else np.broadcast_to(k, (m,))
    for i in range(m):
        n = np.shape(p)[0]
        p = np.concatenate([p / np.arange(n, 0, -1.0), np.reshape(constants[i], (1,))])
    return p


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    if full or cov or w is not None:
        raise NotDifferentiable.for_function("numpy.polyfit", "full=, w= and cov= are not "
                                             "covered")
    return np.linalg.lstsq(np.vander(x, deg + 1), y, rcond=None)[0]


def poly(seq_of_zeros):
    zeros = seq_of_zeros
    if np.ndim(zeros) == 2:  # a square matrix: its characteristic polynomial
        zeros = np.linalg.eigvals(zeros)
    coefficients = np.ones(1)
    for i in range(np.shape(zeros)[0]):
        coefficients = np.convolve(coefficients, np.stack([np.ones(()), -zeros[i]]))
    return coefficients


def roots(p):
    p = np.atleast_1d(p)
    nonzero = np.nonzero(np.asarray(value_of(p)))[0]
    trailing = np.shape(p)[0] - nonzero[-1] - 1  # each a root at 0
    p = p[nonzero[0]:nonzero[-1] + 1]
    n = np.shape(p)[0] - 1
    found = np.zeros(0)
    if n >= 1:  # the companion matrix's eigenvalues, as NumPy finds them
        companion = np.concatenate([np.reshape(-p[1:] / p[0], (1, n)), np.eye(n - 1, n)])
        found = np.linalg.eigvals(companion)
    return np.concatenate([found, np.zeros(trailing)])


def insert(arr, obj, values, axis=None):
    # NumPy places the entries: insert markers (positions into [arr, values]) the same way
    flat_arr = np.ravel(arr) if axis is None else arr
    grid = np.arange(int(np.prod(np.shape(flat_arr)))).reshape(np.shape(flat_arr))
    markers = grid.size + np.arange(int(np.prod(np.shape(values)))).reshape(np.shape(values))
    placed = np.insert(grid, value_of(obj), markers, axis=axis)
    pool = np.concatenate([np.ravel(flat_arr), np.ravel(values)])
    return np.reshape(np.take(pool, np.ravel(placed)), np.shape(placed))


def setdiff1d(ar1, ar2, assume_unique=False):
    left, right = np.ravel(np.asarray(value_of(ar1))), np.asarray(value_of(ar2))
    keep = ~np.isin(left, right)
    if assume_unique:
        return np.ravel(ar1)[np.nonzero(keep)[0]]
    _, first = np.unique(np.where(keep, left, np.nan), return_index=True)
    first = first[keep[first]]  # NaN marks the dropped entries; unique sorts them last
    return np.take(np.ravel(ar1), first)


def union1d(ar1, ar2):
    return np.unique(np.concatenate([np.ravel(ar1), np.ravel(ar2)]))  # NumPy's definition


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    # each common value is ar1's entry (its first occurrence), as np.unique picks it
    common, index1, index2 = np.intersect1d(np.asarray(value_of(ar1)),
                                            np.asarray(value_of(ar2)), assume_unique,
                                            return_indices=True)
    values = np.take(np.ravel(ar1), index1)
    return (values, index1, index2) if return_indices else values


def bincount(x, weights=None, minlength=0):
    x = np.asarray(value_of(x))
    size = max(int(x.max()) + 1 if x.size else 0, minlength)
    if weights is None:
        return np.bincount(x, minlength=minlength)
    return call(get("scatter_add"), weights, index=(x,), shape=(size,))


def apply_over_axes(func, a, axes):
    for axis in np.atleast_1d(axes):
        result = func(a, int(axis))
        a = result if np.ndim(result) == np.ndim(a) else np.expand_dims(result, int(axis))
    return a


def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002 - NumPy's name
    if not isinstance(bins, int) or range is not None:  # given edges, or fixed by range=
        if np.ndim(bins):  # traced edges are the edges; plain ones come back as an array
            return bins if value_of(bins) is not bins else np.asarray(bins, dtype=float)
        return np.histogram_bin_edges(np.asarray(value_of(a)), bins, range)
    lo, hi = np.min(a), np.max(a)  # the edges move with the smallest and largest entry
    if value_of(lo) == value_of(hi):
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def histogram(a, bins=10, range=None, density=None, weights=None):  # noqa: A002
    values = np.ravel(np.asarray(value_of(a)))
    counts, plain_edges = np.histogram(values, value_of(bins), range)
    edges = histogram_bin_edges(a, bins, range)
    if weights is None:
        hist = counts
    else:  # each weight lands in its sample's bin (the last bin includes its right edge)
        n = np.shape(plain_edges)[0] - 1
        slot = np.searchsorted(plain_edges, values, side="right") - 1
        slot[values == plain_edges[-1]] = n - 1
        inside = np.nonzero((slot >= 0) & (slot < n))[0]
        hist = call(get("scatter_add"), np.take(np.ravel(weights), inside),
                    index=(slot[inside],), shape=(n,))
    if density:
        hist = hist / np.sum(hist) / np.diff(edges)
    return hist, edges


def _unique_parts(x):
    flat = np.ravel(np.asarray(value_of(x)))
    _, index, inverse, counts = np.unique(flat, return_index=True, return_inverse=True,
                                          return_counts=True)
    return np.take(np.ravel(x), index), index, inverse.reshape(np.shape(flat)), counts


def _result(name, *parts):
    kind = type(getattr(np, name)(np.zeros(1)))
    return kind(*parts)


def unique_values(x):
    return _unique_parts(x)[0]


def unique_counts(x):
    values, _, _, counts = _unique_parts(x)
    return _result("unique_counts", values, counts)


def unique_inverse(x):
    values, _, inverse, _ = _unique_parts(x)
    return _result("unique_inverse", values, np.reshape(inverse, np.shape(x)))


def unique_all(x):
    values, index, inverse, counts = _unique_parts(x)
    return _result("unique_all", values, index, np.reshape(inverse, np.shape(x)), counts)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    return np.power(base, np.linspace(start, stop, num, endpoint=endpoint, axis=axis))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    out = np.exp(np.linspace(np.log(start), np.log(stop), num, endpoint=endpoint, axis=axis))
    steps = np.arange(num)
    out = np.where(steps == 0, start + 0.0 * out, out)  # NumPy keeps the ends exact
    if endpoint and num > 1:
        out = np.where(steps == num - 1, stop + 0.0 * out, out)
    return out


SEQUENCE_FUNCTIONS: dict[Any, Any] = {
    np.polyadd: polyadd, np.polysub: polysub, np.polymul: polymul, np.polyder: polyder,
    np.polyint: polyint, np.polyfit: polyfit, np.poly: poly, np.roots: roots,
    np.insert: insert, np.setdiff1d: setdiff1d, np.logspace: logspace,
    np.geomspace: geomspace, np.union1d: union1d, np.intersect1d: intersect1d,
    np.bincount: bincount, np.apply_over_axes: apply_over_axes, np.histogram: histogram,
    np.histogram_bin_edges: histogram_bin_edges,
}
"""NumPy function → its composition of table primitives."""
for _name, _fn in (("unique_values", unique_values), ("unique_counts", unique_counts),
                   ("unique_inverse", unique_inverse), ("unique_all", unique_all)):
    if hasattr(np, _name):  # NumPy 2 only; the pins admit 1.26
        SEQUENCE_FUNCTIONS[getattr(np, _name)] = _fn
