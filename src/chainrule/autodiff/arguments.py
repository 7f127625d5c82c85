"""How arguments enter a derivative and results leave it: floats in, plain numbers out.

The transforms of :mod:`chainrule.autodiff.api` share these: inputs are checked and taken as
floating-point values (Python ints at their float values; integer arrays refused, as JAX
does), cotangents come back in the shape, precision and scalar-ness of their primal, and 0-d
results as Python floats.

>>> plain(np.float64(2.5)), match_primal(np.array(3.0), 1.0), zeros_like(np.ones(2))
(2.5, 3.0, array([0., 0.]))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from chainrule.autodiff.complex_numbers import is_complex
from chainrule.core.namespaces import adopt_all, check_floating
from chainrule.core.trace import peek
from chainrule.errors import ChainruleError, DifferentiationError


def as_float(x: Any, where: str = "an argument") -> Any:
    """An input as a float, or a clear error for what cannot be differentiated.

    Python ints are taken at their float values (``grad(f)(2)`` as in calculus); integer
    and boolean *arrays* are refused, as JAX does (their derivative is not defined). Complex
    input is differentiated in JAX's convention (:mod:`chainrule.autodiff.complex_numbers`).
    """
    v = peek(x)
    if isinstance(v, np.ndarray | np.integer | np.bool_ | bool) and not np.issubdtype(
            np.result_type(v), np.inexact):
        raise DifferentiationError(
            f"{where} has dtype {np.result_type(v)}: derivatives need floating-point inputs; "
            "pass it as floats (x.astype(float))")
    if isinstance(v, int) and x is v:
        return np.float64(x)  # NumPy scalars: 1/0.0 is inf in a rule, not ZeroDivisionError
    return x


def floats(leaves: list, what: str = "argument") -> list:
    """Every leaf through :func:`as_float`, in one array namespace."""
    # arrays of other libraries (torch, CuPy, JAX, array-api-strict) are carried as Foreign
    return check_floating(adopt_all([as_float(v, f"{what} leaf {k}")
                                     for k, v in enumerate(leaves)], what), what)


def zeros_like(x: Any) -> Any:
    """The zero cotangent of ``x``: 0.0 for a number, zeros of its shape for an array."""
    v = peek(x)
    return 0.0 if np.ndim(v) == 0 and not isinstance(v, np.ndarray) else np.zeros(np.shape(v))


def argnums_of(argnums: int | Sequence[int]) -> tuple[tuple[int, ...], bool]:
    """``(argument positions, whether one was given as a single int)``."""
    if isinstance(argnums, int):
        return (argnums,), True
    return tuple(argnums), False


def split_aux(result: Any) -> tuple[Any, Any]:
    """``(output, aux)`` of a function differentiated with ``has_aux=True``."""
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise ChainruleError("with has_aux=True the function must return a pair "
                             f"(output, aux); it returned {type(result).__name__}")
    return result[0], result[1]


def match_primal(ct: Any, like: Any) -> Any:
    """A cotangent in the shape (and scalar-ness) of its primal."""
    if np.shape(peek(ct)) != np.shape(peek(like)):
        ct = np.broadcast_to(ct, np.shape(peek(like)))
    if isinstance(peek(like), float | int | complex):
        return plain(ct)
    dtype = np.result_type(peek(like))
    if not is_boxed(ct) and dtype == np.float32 and np.result_type(ct) != dtype:
        return np.asarray(ct, dtype=dtype)  # the primal's precision, as JAX gives it
    return ct


def plain(x: Any) -> Any:
    """NumPy scalars and 0-d arrays as Python floats (boxes and real arrays unchanged)."""
    if not is_boxed(x) and isinstance(x, np.generic | np.ndarray) and np.ndim(x) == 0:
        # float32 stays float32 (as NumPy computes it); float64 becomes a Python float
        if is_complex(x):
            return x[()] if np.result_type(x) == np.complex64 else complex(x)
        return x[()] if np.result_type(x) == np.float32 else float(x)
    return x


def is_boxed(x: Any) -> bool:
    """True for a traced value (of any level)."""
    return x is not peek(x)


def check_scalar_output(out: Any) -> None:
    """Refuse, by name, a ``grad`` of a function with more than one output value."""
    if math.prod(np.shape(peek(out))) != 1:  # not np.size: a tensor's .size is a method
        raise ChainruleError(f"grad needs a function with one output value; this one has "
                             f"shape {np.shape(peek(out))} (use jacobian or elementwise_grad)")
