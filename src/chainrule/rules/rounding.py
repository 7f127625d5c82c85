"""Rules for the rounding functions floor and ceil: piecewise constant, derivative 0 between
their jumps (at the integers), where the derivative does not exist.

Their records give the pieces on each side of a jump (floor(u) with u = n: n − 1 below, n
above), from which :mod:`chainrule.symbolic.kinks` refuses a derivative at a jump, naming
the values it jumps between. Like ``sign``, NumPy's ``np.floor`` and ``np.ceil`` on traced
values stay computed on values (piecewise constant: no tangent), so the records bind none.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.core.build import const
from chainrule.core.expr import Const
from chainrule.core.primitive import Pieces, Primitive, RuleText, vectorised, zero_rule


def _on_integer(u):
    u = np.asarray(u)
    return np.isfinite(u) & (u == np.floor(u))


def _rounding_pieces(rounded, below: int, above: int) -> Pieces:
    """Pieces of a step function with jumps at the integers n: the constants n + ``below``
    below n and n + ``above`` above; off the integers (side 0) the constant ``rounded(u)``
    it is near there (floor(2.5) = 2: a jump-free neighbourhood)."""
    def side(at, near):
        return int(np.sign(near[0] - at[0])) if bool(_on_integer(at[0])) else 0

    def piece(args, at, side):
        n = int(rounded(at[0]))
        return const(n + (below if side < 0 else above if side > 0 else 0))

    return Pieces(_on_integer, side, piece)


def _simplify_rounding(fn):
    def simplify(u):
        if isinstance(u, Const) and u.is_exact:
            return const(fn(u.value))
        return None
    return simplify


FLOOR = Primitive(
    "floor", 1, vectorised(np.floor), rule=zero_rule,
    text=RuleText("Floor rule", "d/dx ⌊u⌋ = 0 where u is not an integer", "rounding"),
    code="np.floor", latex=r"\operatorname{floor}", mathml="floor", sympy="floor",
    mpmath="floor",
    pieces=_rounding_pieces(math.floor, -1, 0), simplify=_simplify_rounding(math.floor),
)
CEIL = Primitive(
    "ceil", 1, vectorised(np.ceil), rule=zero_rule,
    text=RuleText("Ceiling rule", "d/dx ⌈u⌉ = 0 where u is not an integer", "rounding"),
    code="np.ceil", latex=r"\operatorname{ceil}", mathml="ceil", sympy="ceiling",
    mpmath="ceil",
    aliases=("ceiling",), pieces=_rounding_pieces(math.ceil, 0, 1),
    simplify=_simplify_rounding(math.ceil),
)

PRIMITIVES = (FLOOR, CEIL)
