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


class NotElementwise(Exception):
    """Raised inside :func:`elementwise_derivative` when the function mixes entries."""


UNIT = object()
"""The tangent of the input in :func:`elementwise_derivative`: ones, never multiplied."""


class ElementwiseBox(JVPBox):
    """Forward mode for a function made of elementwise primitives only: one pass, no tape, and
    the seed's ones never multiplied in. Any other primitive raises :class:`NotElementwise`."""

    __slots__ = ()

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        if not prim.elementwise or params:
            raise NotElementwise(prim.name)
        values = tuple(unbox(a, level) for a in args)
        ans = bind(prim, values, params)
        out = None
        for i, a in enumerate(args):
            if is_at(a, level):
                partial = prim.partial(i, values, ans)
                term = partial if a.tangent is UNIT else partial * a.tangent
                out = term if out is None else out + term
        return cls(ans, level, out)


def elementwise_derivative(f: Any, x: Any, level: int) -> Any:
    """f′ at every entry of ``x`` for an elementwise ``f`` (by forward mode), or None when
    ``f`` turns out not to be elementwise (then reverse mode must do it).

    >>> from chainrule.autodiff.tracing import new_level
    >>> elementwise_derivative(lambda v: v ** 3, np.array([1.0, 2.0]), new_level())
    array([ 3., 12.])
    """
    try:
        out = f(ElementwiseBox(x, level, UNIT))
    except NotElementwise:
        return None
    if not is_at(out, level) or np.shape(out.value) != np.shape(x):
        return None  # constant, or broadcast against other data: not a diagonal Jacobian
    if out.tangent is UNIT:
        return np.ones_like(x)
    return np.broadcast_to(out.tangent, np.shape(x)) if np.shape(out.tangent) != np.shape(
        x) else out.tangent
