"""Arrays of any array-API library in the engine: PyTorch, CuPy, JAX, array-api-strict.

The rule table's derivative rules are written with NumPy functions, which on traced values
dispatch back to the table (``__array_ufunc__`` / ``__array_function__``). An array of another
library is carried through the engine as a :class:`Foreign` (:mod:`chainrule.core.foreign`): a
thin handle that answers the same NumPy protocols by calling the array's own namespace (found
with ``array-api-compat``), so ``np.sin`` inside a rule becomes ``torch.sin`` on the tensor, on
its device, in its dtype, and nothing is converted to NumPy. This module is the boundary:
:func:`adopt` wraps the arguments of ``grad`` & co. and :func:`release` unwraps what they return
(the handle's own names are re-exported here). Plain NumPy input is never wrapped, so NumPy
code runs exactly the path it always has.

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

from chainrule.core.foreign import (
    PLAIN,
    Foreign,
    host_copy,
    library_of,
    namespace_of,
    raw_of,
    to_namespace,
)
from chainrule.core.trace import Traced, peek
from chainrule.errors import ChainruleError, DifferentiationError

__all__ = ["Foreign", "adopt", "adopt_all", "adopt_operands", "check_floating", "device_of",
           "dtype_of", "host_copy", "in_own_namespace", "namespace_of", "raw_of", "release",
           "settle", "to_namespace"]

_SETTLED = (*PLAIN, Traced, str, type(None), tuple, list, slice)
_SETTLED_TYPES: set[type] = set()  # exact types seen to be settled (subclasses included)


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
                f"{where} leaf {k} is a {library_of(v.raw)} array of dtype {v.raw.dtype} "
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
                         dtype=like.raw.dtype, device=like.device)
        return xp.broadcast_to(out, tuple(like.raw.shape))
    return x


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
