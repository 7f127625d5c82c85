"""What NumPy's override protocols cannot reach, for code that chainrule differentiates.

Plain ``numpy`` works unchanged inside differentiated functions: ufuncs, operators, ``@``,
reductions, shapes, indexing, ``concatenate``/``stack``, ``where``, ``linalg.norm``/``solve``/
``inv``/``det`` all dispatch to the rule table. Three things do not, and live here:

* :func:`array` — ``np.array([a, b])`` of traced values builds an object array behind the
  protocols' back; ``chainrule.numpy.array([a, b])`` stacks them differentiably;
* ``r_`` and ``c_`` — NumPy's make plain arrays of their pieces; these concatenate traced
  pieces differentiably (``r_[x, 0.0, y]``, ``c_[x, y]``; slices as in NumPy, no string
  directives);
* :func:`at` — ``x[i] = v`` cannot be traced (it would change ``x`` behind the derivative's
  back); ``chainrule.numpy.at(x)[i].set(v)`` / ``.add(v)`` return the updated copy instead,
  as JAX's ``x.at[i].set(v)``;
* the stable log-space primitives NumPy lacks (``logsumexp``, ``softmax``, …, from
  :mod:`chainrule.ml`).

>>> import numpy as np, chainrule
>>> from chainrule import numpy as cnp
>>> chainrule.grad(lambda x: cnp.logsumexp(cnp.array([x, 2 * x])))(0.0)
1.5
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from chainrule.core.ops import call as _call
from chainrule.core.registry import get as _get
from chainrule.core.trace import value_of as _value_of
from chainrule.ml.stable import (  # noqa: F401 - re-exported
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    expm1,
    log1p,
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
)


def array(values: Any) -> Any:
    """A differentiable ``np.array``: nested lists of numbers or traced values."""
    if isinstance(values, list | tuple):
        return _np.stack([array(v) for v in values])
    return values


class _AtIndex:
    """``at(x)[index]``: the entries an update replaces or adds to."""

    def __init__(self, x: Any, index: Any):
        self._x = x
        self._index = tuple(_value_of(i) for i in index) if isinstance(index, tuple) \
            else _value_of(index)

    def _positions(self) -> Any:
        """The flat positions of the indexed entries, in the order indexing visits them."""
        shape = _np.shape(self._x)
        return _np.arange(int(_np.prod(shape))).reshape(shape)[self._index]

    def _scatter(self, values: Any, positions: Any) -> Any:
        shape = _np.shape(self._x)
        flat = _call(_get("scatter_add"), values, index=(positions,),
                     shape=(int(_np.prod(shape)),))
        return _np.reshape(flat, shape)

    def get(self) -> Any:
        """``x[index]``."""
        return self._x[self._index]

    def set(self, values: Any) -> Any:
        """A copy of x with ``x[index] = values`` (where an index repeats, the last wins)."""
        positions = self._positions()
        flat_values = _np.ravel(_np.broadcast_to(values, _np.shape(positions)))
        flat = _np.ravel(positions)
        _, last_from_end = _np.unique(flat[::-1], return_index=True)
        keep = len(flat) - 1 - last_from_end
        mask = _np.zeros(_np.shape(self._x), dtype=bool)
        mask[self._index] = True
        return _np.where(mask, self._scatter(_np.take(flat_values, keep), flat[keep]), self._x)

    def add(self, values: Any) -> Any:
        """A copy of x with ``values`` added at ``index`` (a repeated index adds again, as
        ``np.add.at``)."""
        positions = self._positions()
        flat_values = _np.ravel(_np.broadcast_to(values, _np.shape(positions)))
        return self._x + self._scatter(flat_values, _np.ravel(positions))


class _At:
    def __init__(self, x: Any):
        self._x = x

    def __getitem__(self, index: Any) -> _AtIndex:
        return _AtIndex(self._x, index)


def at(x: Any) -> _At:
    """Functional updates of ``x``, differentiable in ``x`` and in the values written.

    >>> import numpy as np, chainrule
    >>> from chainrule import numpy as cnp
    >>> cnp.at(np.zeros(3))[1].set(5.0)
    array([0., 5., 0.])
    >>> chainrule.grad(lambda x: np.sum(cnp.at(x)[[0, 0]].add(x[1] ** 2)))(np.array([1., 2.]))
    array([1., 9.])
    """
    return _At(x)


def _piece(item: Any) -> Any:
    if isinstance(item, slice):  # NumPy's r_ reads a slice as arange (or linspace: 5j)
        step = 1 if item.step is None else item.step
        start = 0 if item.start is None else item.start
        if isinstance(step, complex):
            return _np.linspace(start, item.stop, int(abs(step)))
        return _np.arange(start, item.stop, step)
    if isinstance(item, str):
        raise TypeError("chainrule.numpy.r_ / c_ take no string directives; use "
                        "np.concatenate or np.stack with axis=")
    return item


class _Join:
    """``r_[...]`` (join along the first axis) or ``c_[...]`` (pieces as columns)."""

    def __init__(self, columns: bool):
        self._columns = columns

    def __getitem__(self, items: Any) -> Any:
        pieces = [_piece(i) for i in (items if isinstance(items, tuple) else (items,))]
        if self._columns:
            return _np.concatenate([_np.reshape(p, (-1, 1)) if _np.ndim(p) < 2 else p
                                    for p in pieces], axis=-1)
        return _np.concatenate([_np.atleast_1d(p) for p in pieces])


r_ = _Join(columns=False)
"""``np.r_`` for traced pieces.

>>> import numpy as np, chainrule
>>> from chainrule import numpy as cnp
>>> chainrule.jacobian(lambda x: cnp.r_[x, 0.0, x**2])(2.0)
array([1., 0., 4.])
"""
c_ = _Join(columns=True)
"""``np.c_`` for traced pieces: 1-D pieces become columns.

>>> import numpy as np, chainrule
>>> from chainrule import numpy as cnp
>>> cnp.c_[np.array([1.0, 2.0]), np.array([3.0, 4.0])]
array([[1., 3.],
       [2., 4.]])
"""
