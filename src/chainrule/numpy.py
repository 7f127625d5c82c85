"""What NumPy's override protocols cannot reach, for code that chainrule differentiates.

Plain ``numpy`` works unchanged inside differentiated functions: ufuncs, operators, ``@``,
reductions, shapes, indexing, ``concatenate``/``stack``, ``where``, ``linalg.norm``/``solve``/
``inv``/``det`` all dispatch to the rule table. Three things do not, and live here:

* :func:`array` — ``np.array([a, b])`` of traced values builds an object array behind the
  protocols' back; ``chainrule.numpy.array([a, b])`` stacks them differentiably;
* the stable log-space primitives NumPy lacks (``logsumexp``, ``softmax``, …, from
  :mod:`chainrule.ml`).

>>> import numpy as np, chainrule
>>> from chainrule import numpy as cnp
>>> chainrule.grad(lambda x: cnp.logsumexp(cnp.array([x, 2 * x])))(0.0)
1.5
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from chainrule.ml.stable import (  # noqa: F401 - re-exported
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    expm1,
    log1p,
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
)


def array(values: Any) -> Any:
    """A differentiable ``np.array``: nested lists of numbers or traced values."""
    if isinstance(values, list | tuple):
        return _np.stack([array(v) for v in values])
    return values
