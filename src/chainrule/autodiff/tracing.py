"""Tracing: how traced values carry a primitive call to the mode that differentiates it.

Automatic differentiation wraps inputs in *boxes* (:class:`Box`). Each differentiation
(``grad``, ``jvp``, …) opens a new trace *level*; a box remembers its level, and a box's value
may itself be a box of an outer level — that nesting is how grad-of-grad and
forward-over-reverse work. :func:`bind` applies a primitive: it finds the innermost level
among the arguments and lets that level's box class record or propagate the call; its
derivative rules are again written with chainrule operations, so they are traced by the
outer levels in turn.

Plain NumPy code reaches :func:`bind` through ``__array_ufunc__`` / ``__array_function__``
(see :mod:`chainrule.autodiff.numpy_dispatch`).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

_LEVELS = itertools.count(1)


def new_level() -> int:
    """A fresh trace level, deeper than every level opened before it."""
    return next(_LEVELS)


class Box:
    """A value being traced at one level. Subclasses say what a primitive call does."""

    __slots__ = ("value", "level")
    __array_priority__ = 1000.0

    def __init__(self, value: Any, level: int):
        self.value = value
        self.level = level

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        raise NotImplementedError

    @classmethod
    def __chainrule_apply__(cls, prim: Any, args: tuple, params: dict | None = None) -> Any:
        return bind(prim, args, params or {})

    # Array-like read-only attributes, from the value.
    shape = property(lambda self: np.shape(self.value))
    ndim = property(lambda self: np.ndim(self.value))
    size = property(lambda self: np.size(self.value))
    dtype = property(lambda self: np.result_type(self.value))

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.value)  # control flow on values is fine; the branch taken is traced

    def __float__(self) -> float:
        raise TypeError("float() of a traced value would cut it out of the derivative; "
                        "keep it as an array (or use chainrule operations)")

    __int__ = __float__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r}, level={self.level})"

    # Operators and methods are the NumPy functions they stand for.
    __add__ = lambda s, o: np.add(s, o)  # noqa: E731
    __radd__ = lambda s, o: np.add(o, s)  # noqa: E731
    __sub__ = lambda s, o: np.subtract(s, o)  # noqa: E731
    __rsub__ = lambda s, o: np.subtract(o, s)  # noqa: E731
    __mul__ = lambda s, o: np.multiply(s, o)  # noqa: E731
    __rmul__ = lambda s, o: np.multiply(o, s)  # noqa: E731
    __truediv__ = lambda s, o: np.divide(s, o)  # noqa: E731
    __rtruediv__ = lambda s, o: np.divide(o, s)  # noqa: E731
    __pow__ = lambda s, o: np.power(s, o)  # noqa: E731
    __rpow__ = lambda s, o: np.power(o, s)  # noqa: E731
    __matmul__ = lambda s, o: np.matmul(s, o)  # noqa: E731
    __rmatmul__ = lambda s, o: np.matmul(o, s)  # noqa: E731
    __neg__ = lambda s: np.negative(s)  # noqa: E731
    __pos__ = lambda s: s  # noqa: E731
    __abs__ = lambda s: np.abs(s)  # noqa: E731
    __lt__ = lambda s, o: np.less(s, o)  # noqa: E731
    __le__ = lambda s, o: np.less_equal(s, o)  # noqa: E731
    __gt__ = lambda s, o: np.greater(s, o)  # noqa: E731
    __ge__ = lambda s, o: np.greater_equal(s, o)  # noqa: E731
    __hash__ = object.__hash__
    T = property(lambda s: np.transpose(s))
    mT = property(lambda s: np.swapaxes(s, -1, -2))

    def __getitem__(self, index):
        from chainrule.core.registry import get
        return bind(get("getitem"), (self,), {"index": _plain_index(index)})

    def reshape(self, *shape, **kw):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)

    def sum(self, *a, **kw):
        return np.sum(self, *a, **kw)

    def mean(self, *a, **kw):
        return np.mean(self, *a, **kw)

    def var(self, *a, **kw):
        return np.var(self, *a, **kw)

    def std(self, *a, **kw):
        return np.std(self, *a, **kw)

    def max(self, *a, **kw):
        return np.max(self, *a, **kw)

    def min(self, *a, **kw):
        return np.min(self, *a, **kw)

    def prod(self, *a, **kw):
        return np.prod(self, *a, **kw)

    def dot(self, other):
        return np.dot(self, other)

    def transpose(self, *axes):
        return np.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def squeeze(self, axis=None):
        return np.squeeze(self, axis)

    def ravel(self):
        return np.ravel(self)

    flatten = ravel

    def astype(self, dtype, **_):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from chainrule.autodiff.numpy_dispatch import dispatch_ufunc
        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from chainrule.autodiff.numpy_dispatch import dispatch_function
        return dispatch_function(func, args, kwargs)


def _plain_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(value_of(i) for i in index)
    return value_of(index)


def top_box(args: tuple) -> Box | None:
    """The argument box of the innermost (highest) level, or None."""
    best = None
    for a in args:
        if isinstance(a, Box) and (best is None or a.level > best.level):
            best = a
    return best


def unbox(value: Any, level: int) -> Any:
    """The value under a box of exactly ``level``; anything else unchanged."""
    return value.value if isinstance(value, Box) and value.level == level else value


def is_at(value: Any, level: int) -> bool:
    return isinstance(value, Box) and value.level == level


def bind(prim: Any, args: tuple, params: dict) -> Any:
    """Apply ``prim`` to ``args``: numerically, or recorded by the innermost trace."""
    top = top_box(args)
    if top is None:
        return prim.impl(*args, **params)
    return type(top).process(prim, args, params, top.level)


def value_of(x: Any) -> Any:
    """Strip every level of boxing: the plain number or array."""
    while isinstance(x, Box):
        x = x.value
    return x
