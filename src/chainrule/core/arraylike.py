"""``np.asarray`` that leaves arrays of other libraries in their own library.

Rules compute with NumPy functions; an array of another library inside automatic
differentiation (a torch tensor, a JAX or CuPy array, carried as a handle that answers NumPy's
protocols) must stay what it is, on its device, rather than be copied into NumPy.

>>> import numpy as np
>>> as_array([1, 2], float)
array([1., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(x: Any, dtype: Any = None) -> Any:
    """``np.asarray(x, dtype)``, except that an array answering NumPy's array-function
    protocol itself (not a NumPy array) is returned unchanged, in its own dtype."""
    if hasattr(x, "__array_function__") and not isinstance(x, np.ndarray | np.generic):
        return x
    return np.asarray(x, dtype=dtype)


def is_foreign(x: Any) -> bool:
    """True for an array of another library carried through NumPy's protocols."""
    return hasattr(x, "__array_function__") and not isinstance(x, np.ndarray | np.generic)


def float_dtype(x: Any) -> Any:
    """``np.result_type(x, float)`` for NumPy values and numbers; None (keep its own float
    type) for an array of another library."""
    return None if is_foreign(x) else np.result_type(x, float)
