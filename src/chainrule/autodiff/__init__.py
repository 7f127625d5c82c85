"""Automatic differentiation of NumPy code: forward and reverse mode, batching, NumPy dispatch.

The public API lives in :mod:`chainrule.autodiff.api` and is re-exported here and by
``chainrule`` itself.

>>> import numpy as np
>>> from chainrule.autodiff import grad
>>> grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
array([2., 4.])
"""

from chainrule.autodiff.api import (
    directional_derivative,
    elementwise_grad,
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    value_and_grad,
    vjp,
)
from chainrule.autodiff.custom import custom_jvp, custom_vjp, stop_gradient
from chainrule.autodiff.finite import on_nonfinite
from chainrule.autodiff.transforms import checkpoint, linearize, vmap

__all__ = [
    "checkpoint", "custom_jvp", "custom_vjp", "directional_derivative", "elementwise_grad",
    "grad", "hessian", "hvp", "jacobian", "jvp", "linearize", "on_nonfinite", "stop_gradient",
    "value_and_grad", "vjp", "vmap",
]
