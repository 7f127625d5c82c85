"""Rules for the hyperbolic functions."""

from __future__ import annotations

import numpy as np

from chainrule.core import ops
from chainrule.core.primitive import unary
from chainrule.rules._numeric import vectorised
from chainrule.rules.trig import _zero_at_zero

SINH = unary("sinh", vectorised(np.sinh), lambda x, ans: ops.cosh(x),
             "Hyperbolic sine rule", "d/dx sinh(u) = cosh(u)·u′", "hyperbolic",
             simplify=_zero_at_zero(0))
COSH = unary("cosh", vectorised(np.cosh), lambda x, ans: ops.sinh(x),
             "Hyperbolic cosine rule", "d/dx cosh(u) = sinh(u)·u′", "hyperbolic",
             simplify=_zero_at_zero(1))
TANH = unary("tanh", vectorised(np.tanh), lambda x, ans: 1 - ans**2,
             "Hyperbolic tangent rule", "d/dx tanh(u) = (1 − tanh²(u))·u′", "hyperbolic",
             simplify=_zero_at_zero(0), needs_ans=True)

PRIMITIVES = (SINH, COSH, TANH)
