"""The handle that carries an array of another array-API library through the engine.

A :class:`Foreign` wraps a PyTorch, CuPy, JAX or array-api-strict array and answers NumPy's
protocols (``__array_ufunc__``, ``__array_function__``, operators, indexing) by calling the
array's own namespace, found with ``array-api-compat``: ``np.sin`` in a rule becomes
``torch.sin`` on the tensor, on its device, in its dtype. NumPy functions in array-API terms
are in :mod:`chainrule.core.foreign_functions`; wrapping and unwrapping at the boundary of
``grad`` & co. is :mod:`chainrule.core.namespaces`.

>>> import array_api_strict as xps
>>> import numpy as np
>>> x = Foreign(xps.asarray([0.0, 1.0]), xps)
>>> y = np.sin(x) * 2.0
>>> type(y).__name__, type(y.raw).__module__.split(".")[0], y.shape
('Foreign', 'array_api_strict', (2,))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core.foreign_functions import FUNCTIONS, UFUNCS
from chainrule.core.trace import Traced
from chainrule.errors import ChainruleError, NotDifferentiable

__all__ = ["PLAIN", "Foreign", "host_copy", "library_of", "namespace_of", "raw_of",
           "to_namespace"]

PLAIN = (float, int, bool, complex, np.ndarray, np.generic)
"""Values NumPy computes on itself: never wrapped."""


def namespace_of(x: Any) -> Any | None:
    """The array-API namespace of a non-NumPy array; None for NumPy values, numbers and
    Dask arrays (which follow NumPy's protocols themselves)."""
    if isinstance(x, (*PLAIN, Traced, Foreign)) or x is None or not hasattr(x, "shape"):
        return None
    if type(x).__module__.startswith("dask"):
        return None
    try:
        import array_api_compat  # optional: only non-NumPy arrays need it
    except ImportError as e:
        raise ChainruleError(
            f"{type(x).__name__} arrays need the array-api-compat package "
            "(pip install array-api-compat)") from e
    try:
        return array_api_compat.array_namespace(x)
    except TypeError:
        return None


class Foreign:
    """A non-NumPy array inside the engine; NumPy functions on it call its own namespace."""

    __slots__ = ("raw", "xp")
    __array_priority__ = 500.0  # below a traced value's, above NumPy's

    def __init__(self, raw: Any, xp: Any):
        self.raw = raw
        self.xp = xp

    shape = property(lambda self: tuple(self.raw.shape))
    ndim = property(lambda self: len(self.raw.shape))
    size = property(lambda self: int(np.prod(self.raw.shape)))
    dtype = property(lambda self: self.raw.dtype)  # the namespace's own (torch.float32)
    device = property(lambda self: _device(self.raw))
    T = property(lambda self: np.transpose(self))
    mT = property(lambda self: np.swapaxes(self, -1, -2))

    def __repr__(self) -> str:
        return f"Foreign({self.raw!r})"

    def __len__(self) -> int:
        return self.raw.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.raw)

    def __float__(self) -> float:
        return float(self.raw)

    def __getitem__(self, index: Any) -> Any:
        parts = index if isinstance(index, tuple) else (index,)
        if any(_advanced(p) for p in parts):
            # positions worked out on the host from the index alone (never from values), then
            # one take: any NumPy index, whatever the library's own indexing supports
            positions = np.arange(self.size).reshape(self.shape)[_host_index(index)]
            flat = self.xp.reshape(self.raw, (-1,))
            taken = self.xp.take(flat, to_namespace(positions.reshape(-1), self.raw), axis=0)
            return self.wrap(self.xp.reshape(taken, positions.shape))
        return self.wrap(self.raw[_raw_index(parts, self.raw)])

    def __array__(self, dtype=None, copy=None):
        # Only decisions on values (masks, tests of where a rule applies) read an array on the
        # host; what a rule computes stays in the namespace (operands go back through raw_of).
        return np.asarray(host_copy(self.raw), dtype=dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if _has_traced(inputs):
            return NotImplemented  # the traced value records the call first
        if method == "at" and ufunc is np.add and isinstance(inputs[0], Foreign):
            return inputs[0].add_at(inputs[1], inputs[2])
        handler = UFUNCS.get(ufunc.__name__)
        if method != "__call__" or handler is None or kwargs.get("out") is not None:
            raise NotDifferentiable.for_function(
                f"numpy.{ufunc.__name__}", f"it has no array-API counterpart for "
                f"{library_of(self.raw)} arrays")
        ref = self.raw
        return self.wrap(handler(self.xp, *(raw_of(a, ref) for a in inputs)))

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        if _has_traced(args) or _has_traced(tuple(kwargs.values())):
            return NotImplemented
        if func is np.put_along_axis and isinstance(args[0], Foreign):
            return args[0].put_along(*args[1:], **kwargs)
        handler = FUNCTIONS.get(_qualname(func))
        if handler is None:
            raise NotDifferentiable.for_function(
                _qualname(func), f"it has no array-API counterpart for {library_of(self.raw)} "
                "arrays in chainrule")
        ref = self.raw
        try:
            out = handler(self.xp, *_raw_tree(args, ref), **_raw_tree(kwargs, ref))
        except TypeError as e:  # NumPy-only arguments or results (UPLO=, compute_uv=, ...)
            raise NotDifferentiable.for_function(
                _qualname(func), f"its arguments here have no array-API counterpart for "
                f"{library_of(self.raw)} arrays in chainrule ({e})") from e
        return self.wrap_tree(out)

    def wrap(self, raw: Any) -> Any:
        """``raw`` as a Foreign of this namespace when it is an array of it."""
        if hasattr(raw, "shape") and not isinstance(raw, (*PLAIN, Foreign, np.dtype, type)):
            return Foreign(raw, self.xp)
        return raw

    def wrap_tree(self, out: Any) -> Any:
        if isinstance(out, tuple) and hasattr(out, "_fields"):  # a named result (SVDResult)
            return type(out)(*(self.wrap_tree(o) for o in out))
        if isinstance(out, tuple | list):
            return type(out)(self.wrap_tree(o) for o in out)
        return self.wrap(out)

    def add_at(self, index: Any, values: Any) -> None:
        """``np.add.at(self, index, values)``: repeated positions add up. The handle takes the
        new array (arrays of the standard are not updated in place)."""
        flat = np.arange(self.size).reshape(self.shape)[index].reshape(-1)  # positions
        values = raw_of(values, self.raw)
        xp, ref = self.xp, self.raw
        values = xp.reshape(xp.broadcast_to(values, flat.shape if np.ndim(values) == 0 else
                                            tuple(np.broadcast_shapes(values.shape,
                                                  np.arange(self.size).reshape(self.shape)[
                                                      index].shape))), (-1,))
        positions = to_namespace(flat, ref)
        onehot = xp.astype(positions[:, None] == xp.arange(self.size, device=_device(ref))[None, :],
                           ref.dtype)
        self.raw = ref + xp.reshape(values @ onehot, tuple(ref.shape))

    def put_along(self, indices: Any, values: Any, axis: int) -> None:
        """``np.put_along_axis(self, indices, values, axis)`` for one index along ``axis``
        (the handle takes the new array)."""
        xp, ref = self.xp, self.raw
        indices = raw_of(indices, ref)
        if indices.shape[axis] != 1:
            raise NotDifferentiable.for_function(
                "numpy.put_along_axis", "only one index along the axis is supported for "
                f"{library_of(ref)} arrays")
        shape = [1] * len(ref.shape)
        shape[axis] = ref.shape[axis]
        where = xp.reshape(xp.arange(ref.shape[axis], device=_device(ref)), tuple(shape))
        self.raw = xp.where(where == indices, xp.asarray(raw_of(values, ref), dtype=ref.dtype,
                                                         device=_device(ref)), ref)

    def astype(self, dtype: Any, **_: Any) -> Any:
        return self.wrap(self.xp.astype(self.raw, _xp_dtype(self.xp, dtype)))

    def reshape(self, *shape: Any, **kw: Any) -> Any:
        return np.reshape(self, shape[0] if len(shape) == 1 else shape)

    def sum(self, *a: Any, **kw: Any) -> Any:
        return np.sum(self, *a, **kw)

    def ravel(self) -> Any:
        return np.reshape(self, (-1,))

    def item(self) -> Any:
        return self.raw.item() if hasattr(self.raw, "item") else float(self.raw)


def _binary(ufunc: Any) -> Callable:
    return (lambda s, o: ufunc(s, o)), (lambda s, o: ufunc(o, s))


for _name, _ufunc in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                      ("truediv", np.divide), ("pow", np.power), ("mod", np.remainder),
                      ("matmul", np.matmul), ("floordiv", np.floor_divide)]:
    _fwd, _rev = _binary(_ufunc)
    setattr(Foreign, f"__{_name}__", _fwd)
    setattr(Foreign, f"__r{_name}__", _rev)
for _name, _ufunc in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                      ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    setattr(Foreign, f"__{_name}__", _binary(_ufunc)[0])
Foreign.__hash__ = object.__hash__  # type: ignore[method-assign]
Foreign.__neg__ = lambda s: np.negative(s)  # type: ignore[attr-defined]
Foreign.__pos__ = lambda s: s  # type: ignore[attr-defined]
Foreign.__abs__ = lambda s: np.abs(s)  # type: ignore[attr-defined]
Foreign.__invert__ = lambda s: np.logical_not(s)  # type: ignore[attr-defined]
Foreign.__and__ = lambda s, o: np.logical_and(s, o)  # type: ignore[attr-defined]
Foreign.__or__ = lambda s, o: np.logical_or(s, o)  # type: ignore[attr-defined]


def raw_of(x: Any, ref: Any) -> Any:
    """An operand for ``ref``'s namespace: Foreign unwrapped, NumPy scalars as Python numbers,
    NumPy arrays (the engine's own constants) in ``ref``'s namespace, device and float type."""
    if isinstance(x, Foreign):
        return x.raw
    if isinstance(x, np.generic) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return x.item()
    if isinstance(x, np.ndarray):
        return to_namespace(x, ref)
    return x


def to_namespace(x: np.ndarray, ref: Any) -> Any:
    """A NumPy array as an array like ``ref`` (its namespace and device; its float type for
    floating-point data, so an engine constant never widens a float32 computation)."""
    import array_api_compat

    xp = array_api_compat.array_namespace(ref)
    dtype = None
    if np.issubdtype(x.dtype, np.floating) and xp.isdtype(ref.dtype, "real floating"):
        dtype = ref.dtype
    elif x.dtype == np.bool_:
        dtype = xp.bool
    elif np.issubdtype(x.dtype, np.integer):
        dtype = xp.int64
    return xp.asarray(np.ascontiguousarray(x), dtype=dtype,
                      device=array_api_compat.device(ref))


def _raw_tree(x: Any, ref: Any) -> Any:
    if isinstance(x, tuple | list):
        return type(x)(_raw_tree(v, ref) for v in x)
    if isinstance(x, dict):
        return {k: _raw_tree(v, ref) for k, v in x.items()}
    return raw_of(x, ref)


def _has_traced(args: Any) -> bool:
    for a in args:
        if isinstance(a, Traced) or (isinstance(a, tuple | list) and _has_traced(a)):
            return True
    return False


def host_copy(raw: Any) -> np.ndarray:
    """A NumPy copy of an array of any library, from any device."""
    import array_api_compat

    if array_api_compat.is_torch_array(raw):
        return raw.detach().cpu().numpy()
    if array_api_compat.is_cupy_array(raw):
        return raw.get()
    try:
        return np.asarray(raw)
    except (TypeError, RuntimeError, ValueError):
        return np.from_dlpack(array_api_compat.to_device(raw, "cpu"))


def _advanced(part: Any) -> bool:
    """An index part the standard's basic indexing lacks (arrays, lists, reversed slices)."""
    if isinstance(part, slice):
        return (part.step or 1) < 0
    return isinstance(part, list | np.ndarray | Foreign) or (
        hasattr(part, "shape") and not isinstance(part, np.generic))


def _host_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_host_index(i) for i in index)
    if isinstance(index, Foreign):
        return host_copy(index.raw)
    if hasattr(index, "shape") and not isinstance(index, np.ndarray | np.generic):
        return host_copy(index)
    return index


def _raw_index(parts: tuple, ref: Any) -> tuple:
    """Basic index parts for ``ref``'s namespace, with a trailing ``...`` where NumPy indexes
    the leading axes only (the standard asks for it)."""
    if all(p is not Ellipsis for p in parts) and len(parts) < len(ref.shape):
        parts = (*parts, Ellipsis)
    return tuple(int(p) if isinstance(p, np.integer) else p for p in parts)


def _qualname(func: Any) -> str:
    module = getattr(func, "__module__", "numpy") or "numpy"
    prefix = "numpy.linalg." if "linalg" in module else "numpy."
    return prefix + func.__name__


def library_of(raw: Any) -> str:
    """The name of the library an array comes from (``torch``, ``cupy``)."""
    return type(raw).__module__.split(".")[0]


def _xp_dtype(xp: Any, dtype: Any) -> Any:
    if isinstance(dtype, type) and issubclass(dtype, np.generic) or isinstance(dtype, np.dtype):
        return getattr(xp, np.dtype(dtype).name)
    if dtype is float:
        return xp.float64
    return dtype


def _device(raw: Any) -> Any:
    import array_api_compat

    return array_api_compat.device(raw)
