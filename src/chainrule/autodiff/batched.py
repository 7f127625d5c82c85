"""Batched forward mode: many tangents pushed in one pass (for Jacobians and Hessians).

A batched tangent carries a leading axis of size B, one tangent per basis direction. For an
elementwise primitive the table's partials simply broadcast against it, so nothing new is
needed. Array primitives whose forward rule is "the same linear operation on the tangent"
(sum, reshape, transpose, indexing, …) are applied to the batch with their axes shifted by
one — each record's ``batch`` says how — and any other primitive falls back to its own
``jvp`` once per direction. So a Hessian of n variables is one traced pass, not n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.rules.arrays import align


def elementwise(prim: Any, values: tuple, tangents: list, ans: Any, batch: int) -> Any:
    out = None
    out_ndim = int(np.ndim(ans))
    for i, t in enumerate(tangents):
        if t is not None:
            term = prim.partial(i, values, ans) * align(t, np.shape(values[i]), out_ndim)
            out = term if out is None else out + term
    target = (batch,) + tuple(np.shape(ans))
    return out if np.shape(out) == target else np.broadcast_to(out, target)


def structural(prim: Any, values: tuple, tangents: list, ans: Any, params: dict,
               batch: int) -> Any:
    """A batched tangent for an array primitive."""
    if prim.batch is not None:
        return prim.batch(tangents, ans, values, params, batch, prim)
    # Any other primitive: its own forward rule, once per direction.
    per_direction = [prim.jvp([None if t is None else t[k] for t in tangents], ans, values,
                              params) for k in range(batch)]
    return np.stack([np.broadcast_to(d, np.shape(ans)) for d in per_direction])
