"""The array namespace a traced value answers with: array-API code, recorded.

Code written the array-API way asks its argument for its namespace
(``xp = array_namespace(x)`` or ``x.__array_namespace__()``). While ``x`` is traced the answer
is a :class:`Recording`: each function records its call on traced arguments (through the NumPy
functions, which dispatch to the rule table) and calls the underlying namespace — that of the
values being differentiated — when no argument is traced; creation functions, dtypes and
constants are the underlying namespace's.

>>> import numpy as np
>>> import chainrule
>>> def f(x):
...     xp = x.__array_namespace__()
...     return xp.sum(xp.exp(x) * xp.asarray(2.0))
>>> chainrule.grad(f)(np.array([0.0, 1.0])).round(4).tolist()
[2.0, 5.4366]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core.namespaces import Foreign
from chainrule.core.trace import value_of

__all__ = ["Recording", "recording_namespace"]

# creation and dtype functions: no traced input, so they are the underlying namespace's
_UNDERLYING = {"asarray", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
               "zeros_like", "ones_like", "empty_like", "full_like", "from_dlpack",
               "finfo", "iinfo", "isdtype", "result_type", "can_cast", "meshgrid",
               "__array_namespace_info__"}
# the standard's spelling → NumPy's, for NumPy 1.x (NumPy 2 has both)
_NUMPY_SPELLING = {"acos": "arccos", "asin": "arcsin", "atan": "arctan", "acosh": "arccosh",
                   "asinh": "arcsinh", "atanh": "arctanh", "atan2": "arctan2", "pow": "power",
                   "concat": "concatenate", "permute_dims": "transpose",
                   "bitwise_invert": "invert"}


class Recording:
    """The array namespace of a traced value (``x.__array_namespace__()``).

    Each function records its call on traced arguments (through the NumPy functions, which
    dispatch to the rule table) and calls the underlying namespace — the one of the values
    being differentiated — when no argument is traced; creation functions, dtypes and
    constants are the underlying namespace's.
    """

    def __init__(self, under: Any, sub: str | None = None):
        self._under = under
        self._sub = sub

    def __repr__(self) -> str:
        return f"<recording namespace over {getattr(self._under, '__name__', self._under)}>"

    def __getattr__(self, name: str) -> Any:
        under = getattr(self._under, self._sub) if self._sub else self._under
        if self._sub is None and name in ("linalg", "fft"):
            return Recording(self._under, name)
        if name in _UNDERLYING:
            return _untraced(getattr(under, name), name)
        base = getattr(np, self._sub) if self._sub else np
        recorder = getattr(base, _NUMPY_SPELLING.get(name, name), None)
        if recorder is None or not callable(recorder):
            return getattr(under, name)  # dtypes, constants, what no trace needs
        plain = getattr(under, name, None)

        def call(*args: Any, **kwargs: Any) -> Any:
            if plain is not None and not _any_traced(args, kwargs):
                return plain(*args, **kwargs)
            if name == "astype":
                return args[0]  # a traced value keeps its precision (as Box.astype)
            if name in ("sum", "prod", "mean", "max", "min") and "dtype" in kwargs:
                kwargs.pop("dtype")
            return recorder(*args, **kwargs)

        call.__name__ = name
        return call


def _untraced(fn: Callable, name: str) -> Callable:
    def call(*args: Any, **kwargs: Any) -> Any:
        if name == "asarray" and args and _any_traced(args[:1], {}):
            return args[0]  # already an array: asarray is the identity
        return fn(*(value_of(a) if name.endswith("_like") else a for a in args), **kwargs)
    return call


def _any_traced(args: tuple, kwargs: dict) -> bool:
    def traced(x: Any) -> bool:
        if isinstance(x, tuple | list):
            return any(traced(v) for v in x)
        return value_of(x) is not x
    return traced(args) or traced(tuple(kwargs.values()))


def recording_namespace(value: Any) -> Recording:
    """The namespace a traced value with plain value ``value`` answers with."""
    if isinstance(value, Foreign):
        return Recording(value.xp)
    try:
        import array_api_compat.numpy as under
    except ImportError:
        under = np
    return Recording(under)
