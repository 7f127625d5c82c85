"""Small numeric helpers shared by the rule families' NumPy implementations."""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np


def unwrap(value: Any) -> Any:
    """NumPy 0-d results become NumPy scalars (``np.float64``).

    Not Python floats: arithmetic on those raises ZeroDivisionError where NumPy gives ±inf,
    and derivative rules do arithmetic on these values.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def vectorised(fn):
    """Wrap a NumPy function so scalars in give floats out."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return unwrap(fn(*args))

    return wrapper


def product(values: Any) -> Any:
    """Product of a sequence (exact for Expr, NumPy for arrays); 1 when empty."""
    return functools.reduce(operator.mul, values, 1)


def total(values: Any) -> Any:
    """Sum of a sequence; 0 when empty."""
    return functools.reduce(operator.add, values, 0)
