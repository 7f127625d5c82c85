"""Plain NumPy code → table primitives, through ``__array_ufunc__`` / ``__array_function__``.

Boxes (automatic differentiation) and expressions (symbolic tracing) both land here, so the
same ``np.sin(x)`` records a traced call or builds ``sin(x)``. A NumPy function with no rule
raises an error naming it; functions that only read values (``np.shape``, comparisons,
``np.argmax``) are answered from the values and are not differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.registry import get
from chainrule.errors import DifferentiationError

UFUNCS: dict[Any, Any] = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.divide: "div",
    np.negative: "neg", np.power: "pow", np.float_power: "pow", np.sqrt: "sqrt",
    np.cbrt: "cbrt", np.exp: "exp", np.expm1: "expm1", np.log: "ln", np.log1p: "log1p",
    np.sin: "sin", np.cos: "cos", np.tan: "tan", np.arcsin: "asin", np.arccos: "acos",
    np.arctan: "atan", np.sinh: "sinh", np.cosh: "cosh", np.tanh: "tanh",
    np.absolute: "abs", np.fabs: "abs", np.logaddexp: "logaddexp", np.maximum: "maximum",
    np.minimum: "minimum", np.matmul: "matmul",
}
"""ufuncs that are one primitive of the table."""

UFUNC_FORMS: dict[Any, Any] = {
    np.square: lambda x: np.power(x, 2),
    np.reciprocal: lambda x: np.power(x, -1),
    np.exp2: lambda x: np.power(2.0, x),
    np.log2: lambda x: _call("log", x, 2.0),
    np.log10: lambda x: _call("log", x, 10.0),
    np.positive: lambda x: x,
}
"""ufuncs written with other primitives."""

CONSTANT_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.sign, np.floor, np.ceil, np.rint, np.trunc,
    np.logical_and, np.logical_or, np.logical_not, np.signbit,
}
"""ufuncs whose result does not vary (or is piecewise constant): computed on values."""


def _call(name: str, *args: Any, **params: Any) -> Any:
    from chainrule.core.ops import call
    return call(get(name), *args, **params)


def dispatch_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Handle ``ufunc(*inputs)`` when an input is a box or an expression."""
    from chainrule.autodiff.tracing import value_of
    if method != "__call__" or kwargs.get("out") is not None:
        raise DifferentiationError(f"numpy.{ufunc.__name__}.{method} with out= or as a method "
                                   "cannot be differentiated; call it plainly")
    if ufunc in CONSTANT_UFUNCS:
        from chainrule.core.expr import Expr
        if any(isinstance(i, Expr) for i in inputs):
            raise DifferentiationError(f"numpy.{ufunc.__name__} of a symbolic expression has no "
                                       "value to branch on; it needs numbers")
        return ufunc(*(value_of(i) for i in inputs))
    if ufunc in UFUNC_FORMS:
        return UFUNC_FORMS[ufunc](*inputs)
    name = UFUNCS.get(ufunc)
    if name is None:
        raise DifferentiationError(f"no derivative rule for numpy.{ufunc.__name__}")
    return _call(name, *inputs)


def _dotted(func: Any) -> str:
    """``numpy.linalg.eigh``, not ``numpy.eigh``."""
    module = getattr(func, "__module__", None) or "numpy"
    module = module.replace("numpy._core", "numpy").replace("numpy.core", "numpy")
    module = module.replace("numpy.linalg._linalg", "numpy.linalg")
    module = module.replace("numpy.fft._pocketfft", "numpy.fft")
    return f"{module}.{getattr(func, '__name__', func)}"


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """Handle a NumPy array function (``np.sum``, ``np.linalg.solve``, …) on boxes."""
    from chainrule.autodiff.array_functions import FUNCTIONS, VALUE_ONLY
    from chainrule.autodiff.tracing import value_of
    if func in VALUE_ONLY:
        return func(*(value_of(a) for a in args),
                    **{k: value_of(v) for k, v in kwargs.items()})
    adapter = FUNCTIONS.get(func)
    if adapter is None:
        raise DifferentiationError(
            f"no derivative rule for {_dotted(func)}; "
            "see chainrule.numpy for the supported functions")
    return adapter(*args, **kwargs)
