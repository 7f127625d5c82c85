"""Arrays of any array-API library in the engine: PyTorch, CuPy, JAX, array-api-strict.

The rule table's derivative rules are written with NumPy functions, which on traced values
dispatch back to the table (``__array_ufunc__`` / ``__array_function__``). An array of another
library is carried through the engine as a :class:`Foreign`: a thin handle that answers the
same NumPy protocols by calling the array's own namespace (found with ``array-api-compat``),
so ``np.sin`` inside a rule becomes ``torch.sin`` on the tensor, on its device, in its dtype,
and nothing is converted to NumPy. :func:`adopt` wraps the arguments of ``grad`` & co. and
:func:`release` unwraps what they return. Plain NumPy input is never wrapped, so NumPy code
runs exactly the path it always has.

>>> import array_api_strict as xps
>>> import chainrule
>>> g = chainrule.grad(lambda x: (x * x).sum())(xps.asarray([1.0, 2.0]))
>>> type(g).__module__.split(".")[0], g.dtype == xps.float64
('array_api_strict', True)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core.foreign_functions import FUNCTIONS, UFUNCS
from chainrule.core.trace import Traced, peek
from chainrule.errors import ChainruleError, DifferentiationError, NotDifferentiable

__all__ = ["Foreign", "adopt", "adopt_all", "adopt_operands", "check_floating", "device_of",
           "dtype_of",
           "host_copy", "in_own_namespace", "namespace_of", "raw_of", "release", "settle",
           "to_namespace"]

_PLAIN = (float, int, bool, complex, np.ndarray, np.generic)
_SETTLED = (*_PLAIN, Traced, str, type(None), tuple, list, slice)
_SETTLED_TYPES: set[type] = set()  # exact types seen to be settled (subclasses included)


def namespace_of(x: Any) -> Any | None:
    """The array-API namespace of a non-NumPy array; None for NumPy values, numbers and
    Dask arrays (which follow NumPy's protocols themselves)."""
    if isinstance(x, (*_PLAIN, Traced, Foreign)) or x is None or not hasattr(x, "shape"):
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
                f"{_library(self.raw)} arrays")
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
                _qualname(func), f"it has no array-API counterpart for {_library(self.raw)} "
                "arrays in chainrule")
        ref = self.raw
        try:
            out = handler(self.xp, *_raw_tree(args, ref), **_raw_tree(kwargs, ref))
        except TypeError as e:  # NumPy-only arguments or results (UPLO=, compute_uv=, ...)
            raise NotDifferentiable.for_function(
                _qualname(func), f"its arguments here have no array-API counterpart for "
                f"{_library(self.raw)} arrays in chainrule ({e})") from e
        return self.wrap_tree(out)

    def wrap(self, raw: Any) -> Any:
        """``raw`` as a Foreign of this namespace when it is an array of it."""
        if hasattr(raw, "shape") and not isinstance(raw, (*_PLAIN, Foreign, np.dtype, type)):
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
                f"{_library(ref)} arrays")
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


def _library(raw: Any) -> str:
    return type(raw).__module__.split(".")[0]


def _xp_dtype(xp: Any, dtype: Any) -> Any:
    if isinstance(dtype, type) and issubclass(dtype, np.generic) or isinstance(dtype, np.dtype):
        return getattr(xp, np.dtype(dtype).name)
    if dtype is float:
        return xp.float64
    return dtype


# -- the boundary of grad, jvp, vjp, jacobian --------------------------------------------

def adopt(x: Any) -> Any:
    """An argument for the engine: a non-NumPy array as a :class:`Foreign`, else unchanged."""
    xp = namespace_of(x)
    return x if xp is None else Foreign(x, xp)


def adopt_operands(args: tuple) -> tuple:
    """The operands of a NumPy call on a traced value, with arrays of another library that
    the differentiated code made itself (``xp.asarray(2.0)``) adopted as well."""
    for a in args:
        kind = type(a)
        if kind not in _SETTLED_TYPES:  # a set lookup: this runs on every traced call
            if not isinstance(a, _SETTLED):
                return tuple(adopt(v) for v in args)
            _SETTLED_TYPES.add(kind)
    return args


def adopt_all(leaves: list, where: str = "argument") -> list:
    """:func:`adopt` for every leaf, refusing a mix of array namespaces."""
    if all(isinstance(v, _SETTLED) for v in leaves):
        return leaves  # the NumPy path (or traced values of an outer level): nothing to do
    out = [adopt(v) for v in leaves]
    spaces = {f"{f.xp.__name__}" for f in out if isinstance(f, Foreign)}
    numpy_arrays = [k for k, v in enumerate(out) if isinstance(v, np.ndarray) and v.ndim > 0]
    if len(spaces) > 1 or (spaces and numpy_arrays):
        names = sorted(spaces | ({"numpy"} if numpy_arrays else set()))
        raise ChainruleError(
            f"the {where}s mix array libraries ({', '.join(names)}); pass arrays of one "
            "library (convert with that library's asarray)")
    return out


def check_floating(leaves: list, where: str = "argument") -> list:
    """``leaves``, refusing arrays of other libraries that are not of a real floating type
    (as NumPy arguments are refused: integers have no derivative, complex input is not
    differentiated)."""
    for k, v in enumerate(leaves):
        if isinstance(v, Foreign) and not v.xp.isdtype(v.raw.dtype, "real floating"):
            kind = "complex" if v.xp.isdtype(v.raw.dtype, "complex floating") else "integer"
            raise DifferentiationError(
                f"{where} leaf {k} is a {_library(v.raw)} array of dtype {v.raw.dtype} "
                f"({kind}): derivatives need real floating-point inputs; convert it "
                "(x.astype(float64) in its library)")
    return leaves


def settle(out: Any) -> Any:
    """An output of the differentiated function as the trace's value.

    A ``dask.array`` function applied to a traced value (``da.sum(x)``) wraps it as a
    one-chunk Dask array of traced values instead of recording a call; running that small
    graph on the spot (in this thread, on traced values whose own values stay lazy Dask
    arrays) gives the traced result, so nothing is lost and the data are not computed.
    """
    if isinstance(getattr(out, "_meta", None), Traced) and hasattr(out, "__dask_graph__"):
        return out.compute(scheduler="sync")
    return out


def release(x: Any, like: Any = None) -> Any:
    """What the engine computed, as the user's arrays: a Foreign unwrapped; with ``like`` (an
    adopted argument) a NumPy or scalar result put in ``like``'s namespace, shape and dtype."""
    if isinstance(x, Foreign):
        return x.raw
    if like is not None and not isinstance(like, Foreign):
        like = adopt(like)
    if isinstance(like, Foreign) and peek(x) is x:
        xp = like.xp
        out = xp.asarray(x if not isinstance(x, np.ndarray) else np.ascontiguousarray(x),
                         dtype=like.raw.dtype, device=_device(like.raw))
        return xp.broadcast_to(out, tuple(like.raw.shape))
    return x


def _device(raw: Any) -> Any:
    import array_api_compat

    return array_api_compat.device(raw)


def in_own_namespace(fn: Callable) -> Callable:
    """``fn`` (a function of arrays written with NumPy calls) on arrays of any library: called
    on PyTorch, CuPy, JAX or array-api-strict arrays, it computes in their namespace and
    returns theirs; on anything else it is ``fn`` itself, called directly."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if all(type(a) in _SETTLED_TYPES or isinstance(a, _SETTLED) for a in args):
            return fn(*args, **kwargs)
        return _release_tree(fn(*adopt_all(list(args)), **kwargs))
    return wrapper


def _release_tree(out: Any) -> Any:
    if isinstance(out, tuple | list):
        return type(out)(_release_tree(o) for o in out)
    return release(out)


def dtype_of(value: Any) -> Any:
    """A plain value's dtype: the namespace's own for a Foreign, else NumPy's."""
    return value.raw.dtype if isinstance(value, Foreign) else np.result_type(value)


def device_of(value: Any) -> Any:
    """A plain value's device: the namespace's own for a Foreign, else ``"cpu"``."""
    return value.device if isinstance(value, Foreign) else "cpu"
