"""Forward mode: push tangents (JVPs) along with values, from the same rule table.

For an elementwise primitive the output tangent is Σᵢ ∂f/∂xᵢ · ṫᵢ with the table's partials;
for an array primitive it is the record's ``jvp`` linear map. Arguments not traced at this
level have no tangent and are skipped (symbolic zeros). Values may be boxes of outer traces,
so forward-over-reverse (Hessians) and forward-over-forward work by nesting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff import batched
from chainrule.autodiff.complex_numbers import check_rule
from chainrule.autodiff.tracing import Box, bind, is_at, unbox
from chainrule.errors import DifferentiationError


class JVPBox(Box):
    """A value with its tangent, traced for forward mode.

    With ``batch = B`` the tangent has a leading axis of B directions, pushed together
    (:mod:`chainrule.autodiff.batched`).
    """

    __slots__ = ("tangent", "batch")

    def __init__(self, value: Any, level: int, tangent: Any, batch: int | None = None):
        super().__init__(value, level)
        self.tangent = tangent
        self.batch = batch

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        values = tuple(unbox(a, level) for a in args)
        boxes = [a if is_at(a, level) else None for a in args]
        tangents = [b.tangent if b is not None else None for b in boxes]
        batch = next(b.batch for b in boxes if b is not None)
        check_rule(prim, values)
        ans = bind(prim, values, params)
        if batch is None:
            return cls(ans, level, output_tangent(prim, values, tangents, ans, params))
        if prim.elementwise:
            tangent = batched.elementwise(prim, values, tangents, ans, batch)
        else:
            tangent = batched.structural(prim, values, tangents, ans, params, batch)
        return cls(ans, level, tangent, batch)


def output_tangent(prim: Any, values: tuple, tangents: list, ans: Any, params: dict) -> Any:
    """The tangent of ``prim(*values)`` given argument tangents (None: constant)."""
    if prim.elementwise:
        out = None
        for i, t in enumerate(tangents):
            if t is not None:
                term = prim.partial(i, values, ans) * t
                out = term if out is None else out + term
        if np.shape(out) != np.shape(ans):
            out = np.broadcast_to(out, np.shape(ans))
        return out
    if prim.jvp is None:
        raise DifferentiationError(f"no forward-mode rule for {prim.name}")
    return prim.jvp(tangents, ans, values, params)
