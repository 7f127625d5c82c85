"""Rules for the trigonometric and inverse trigonometric functions."""

from __future__ import annotations

import numpy as np

from chainrule.core import build, ops
from chainrule.core.primitive import Domain, unary
from chainrule.rules._numeric import vectorised


def _zero_at_zero(value_at_zero):
    """Exact special value f(0) (sin 0 = 0, cos 0 = 1, ...)."""

    def simplify(u):
        return build.const(value_at_zero) if u is build.ZERO else None

    return simplify


_SIN_NONZERO = Domain(lambda x: np.sin(x) != 0, "undefined where sin(u) = 0")
_UNIT = Domain(lambda x: (x >= -1) & (x <= 1), "needs an argument in [−1, 1]")

SIN = unary("sin", vectorised(np.sin), lambda x, ans: ops.cos(x),
            "Sine rule", "d/dx sin(u) = cos(u)·u′", "trig", simplify=_zero_at_zero(0))
COS = unary("cos", vectorised(np.cos), lambda x, ans: -ops.sin(x),
            "Cosine rule", "d/dx cos(u) = −sin(u)·u′", "trig", simplify=_zero_at_zero(1))
TAN = unary("tan", vectorised(np.tan), lambda x, ans: ops.sec(x) ** 2,
            "Tangent rule", "d/dx tan(u) = sec²(u)·u′", "trig", simplify=_zero_at_zero(0))
COT = unary("cot", vectorised(lambda x: 1 / np.tan(x)), lambda x, ans: -ops.csc(x) ** 2,
            "Cotangent rule", "d/dx cot(u) = −csc²(u)·u′", "trig", domain=_SIN_NONZERO)
SEC = unary("sec", vectorised(lambda x: 1 / np.cos(x)), lambda x, ans: ans * ops.tan(x),
            "Secant rule", "d/dx sec(u) = sec(u)·tan(u)·u′", "trig",
            simplify=_zero_at_zero(1), needs_ans=True)
CSC = unary("csc", vectorised(lambda x: 1 / np.sin(x)), lambda x, ans: -ans * ops.cot(x),
            "Cosecant rule", "d/dx csc(u) = −csc(u)·cot(u)·u′", "trig",
            domain=_SIN_NONZERO, needs_ans=True)
ASIN = unary("asin", vectorised(np.arcsin), lambda x, ans: 1 / ops.sqrt(1 - x**2),
             "Inverse sine rule", "d/dx asin(u) = u′/√(1 − u²)", "inverse_trig",
             domain=_UNIT, simplify=_zero_at_zero(0))
ACOS = unary("acos", vectorised(np.arccos), lambda x, ans: -1 / ops.sqrt(1 - x**2),
             "Inverse cosine rule", "d/dx acos(u) = −u′/√(1 − u²)", "inverse_trig",
             domain=_UNIT)
ATAN = unary("atan", vectorised(np.arctan), lambda x, ans: 1 / (1 + x**2),
             "Inverse tangent rule", "d/dx atan(u) = u′/(1 + u²)", "inverse_trig",
             simplify=_zero_at_zero(0))

PRIMITIVES = (SIN, COS, TAN, COT, SEC, CSC, ASIN, ACOS, ATAN)
