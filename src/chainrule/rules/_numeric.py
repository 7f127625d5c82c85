"""Small numeric helpers shared by the rule families' NumPy implementations."""

from __future__ import annotations

import functools
import operator
from typing import Any


def product(values: Any) -> Any:
    """Product of a sequence (exact for Expr, NumPy for arrays); 1 when empty."""
    return functools.reduce(operator.mul, values, 1)


def total(values: Any) -> Any:
    """Sum of a sequence; 0 when empty."""
    return functools.reduce(operator.add, values, 0)
