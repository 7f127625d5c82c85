"""Traced values with array behaviour: what NumPy code sees while it is differentiated.

Automatic differentiation wraps inputs in *boxes* (:class:`Box`). The tracing protocol —
levels, :func:`~chainrule.core.trace.bind`, :func:`~chainrule.core.trace.value_of` — is
:mod:`chainrule.core.trace`'s (rules and ``ops`` call it, so it sits below them); a box adds what
makes it look like an array: operators, shape attributes, methods, and NumPy dispatch. Each
differentiation (``grad``, ``jvp``, …) opens a new trace level; a box's value may itself be a box
of an outer level — that nesting is how grad-of-grad and forward-over-reverse work. Derivative
rules are again written with chainrule operations, so they are traced by the outer levels in
turn.

Plain NumPy code reaches :func:`~chainrule.core.trace.bind` through ``__array_ufunc__`` (see
:mod:`chainrule.core.numpy_dispatch`) and ``__array_function__`` (see
:mod:`chainrule.autodiff.array_functions`).

>>> import numpy as np
>>> from chainrule.autodiff.api import jvp
>>> jvp(np.sin, (0.0,), (1.0,))
(0.0, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.array_functions import dispatch_function
from chainrule.autodiff.complex_numbers import (
    COMPLEX_FUNCTIONS,
    GATED_UFUNCS,
    any_complex,
    check_function,
    check_real_cast,
    complex_ufunc,
)
from chainrule.autodiff.recording import recording_namespace
from chainrule.core.namespaces import adopt_operands, device_of, dtype_of
from chainrule.core.numpy_dispatch import dispatch_ufunc
from chainrule.core.registry import get
from chainrule.core.trace import Traced, bind, is_at, new_level, top_box, unbox, value_of
from chainrule.errors import NotDifferentiable

__all__ = ["Box", "bind", "is_at", "new_level", "top_box", "unbox", "value_of"]


class Box(Traced):
    """A traced value that behaves like an array. Subclasses say what a primitive call does."""

    __slots__ = ()
    __array_priority__ = 1000.0

    @classmethod
    def __chainrule_apply__(cls, prim: Any, args: tuple, params: dict | None = None) -> Any:
        return bind(prim, args, params or {})

    # Array-like read-only attributes, from the value.
    shape = property(lambda self: np.shape(self.value))
    ndim = property(lambda self: np.ndim(self.value))
    size = property(lambda self: np.size(self.value))
    dtype = property(lambda self: dtype_of(value_of(self.value)))
    device = property(lambda self: device_of(value_of(self.value)))

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
    __mod__ = lambda s, o: np.remainder(s, o)  # noqa: E731
    __rmod__ = lambda s, o: np.remainder(o, s)  # noqa: E731
    __matmul__ = lambda s, o: np.matmul(s, o)  # noqa: E731
    __rmatmul__ = lambda s, o: np.matmul(o, s)  # noqa: E731
    __neg__ = lambda s: np.negative(s)  # noqa: E731
    __pos__ = lambda s: s  # noqa: E731
    __abs__ = lambda s: np.abs(s)  # noqa: E731
    __lt__ = lambda s, o: np.less(s, o)  # noqa: E731
    __le__ = lambda s, o: np.less_equal(s, o)  # noqa: E731
    __gt__ = lambda s, o: np.greater(s, o)  # noqa: E731
    __ge__ = lambda s, o: np.greater_equal(s, o)  # noqa: E731
    # Equality compares values, as NumPy would (``if x == 1.0`` and ``np.where(x == 1, ...)``
    # take NumPy's branch); identity is what ``is`` and hashing keep.
    __eq__ = lambda s, o: _compare(np.equal, s, o)  # noqa: E731
    __ne__ = lambda s, o: _compare(np.not_equal, s, o)  # noqa: E731
    __hash__ = object.__hash__
    T = property(lambda s: np.transpose(s))
    mT = property(lambda s: np.swapaxes(s, -1, -2))

    def __getitem__(self, index):
        return bind(get("getitem"), (self,), {"index": _plain_index(index)})

    def __setitem__(self, index, value):
        raise NotDifferentiable.for_function(
            "item assignment", "a traced array cannot be updated in place; build the new "
            "array with np.where(mask, new, x), chainrule.numpy.at(x)[index].set(new) (or "
            ".add) or np.concatenate of the pieces")

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
        check_real_cast(self, dtype, "astype")
        return self

    def __array__(self, dtype=None, copy=None):
        # NumPy converts a traced value to a plain array only behind the protocols' back
        # (np.array([x, y]), np.asarray(x), np.r_, list arguments): the result would carry no
        # derivative, so the conversion is refused rather than answered with zeros.
        raise NotDifferentiable.for_function(
            "numpy.array", "converting a traced value to a plain array or NumPy scalar "
            "(np.array, np.asarray, np.float64(x), np.r_, a list of traced values) would drop "
            "its derivative; build arrays with np.stack([...]) or chainrule.numpy.array([...])")

    def __complex__(self) -> complex:
        raise NotDifferentiable("complex() of a traced value would cut it out of the "
                                "derivative; keep it as an array (z * 1j, np.real(z), ...)")

    real = property(lambda s: np.real(s))
    imag = property(lambda s: np.imag(s))

    def conj(self):
        return np.conjugate(self)

    conjugate = conj

    def __array_namespace__(self, api_version=None):
        # array-API code (xp = array_namespace(x)) gets a namespace that records each call
        return recording_namespace(value_of(self))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc in GATED_UFUNCS and method == "__call__" and any_complex(inputs):
            # complex input takes the complex rule (|z|), or is refused, never cast
            out = complex_ufunc(ufunc, inputs)
            if out is not None:
                return out
        return dispatch_ufunc(ufunc, method, adopt_operands(inputs), kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func not in COMPLEX_FUNCTIONS and (any_complex(args) or any_complex(kwargs.values())):
            check_function(func)
        if "dtype" in kwargs and args:
            check_real_cast(args[0], kwargs["dtype"], f"numpy.{getattr(func, '__name__', '')}")
        return dispatch_function(func, adopt_operands(args), kwargs)


def _compare(ufunc: Any, a: Any, b: Any) -> Any:
    if b is None or isinstance(b, str):
        return ufunc is np.not_equal  # like a NumPy array against None or text
    return ufunc(a, b)


def _plain_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(value_of(i) for i in index)
    return value_of(index)
