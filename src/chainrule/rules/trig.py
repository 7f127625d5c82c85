"""Rules for the trigonometric and inverse trigonometric functions."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np

from chainrule.core import build, ops
from chainrule.core.expr import Expr
from chainrule.core.primitive import Domain, Inverse, PiMultiple, unary, vectorised

_SIN_NONZERO = Domain(lambda x: np.sin(x) != 0, "undefined where sin(u) = 0")
_UNIT = Domain(lambda x: (x >= -1) & (x <= 1), "needs an argument in [−1, 1]")
_HALF_TURN = (-math.pi / 2, math.pi / 2)


_SIN_OF_PI_MULTIPLE = {  # sin(kπ) for k in [0, 1), as (radicand, denominator)
    F(0): None, F(1, 6): (1, 2), F(1, 4): (2, 2), F(1, 3): (3, 2), F(1, 2): (1, 1),
    F(2, 3): (3, 2), F(3, 4): (2, 2), F(5, 6): (1, 2),
}


def sin_pi(k: F) -> Expr | None:
    """The exact value of sin(kπ) (``√3/2`` for k = 1/3), or None when it is not listed."""
    k = k % 2
    sign = 1
    if k >= 1:
        k, sign = k - 1, -1
    if k not in _SIN_OF_PI_MULTIPLE:
        return None
    entry = _SIN_OF_PI_MULTIPLE[k]
    if entry is None:
        return build.ZERO
    radicand, den = entry
    return build.mul(build.const(F(sign, den)), build.power(build.const(radicand), build.HALF))


def _cos_pi(k: F):
    return sin_pi(k + F(1, 2))


def _tan_pi(k: F):
    s, c = sin_pi(k), _cos_pi(k)
    return build.div(s, c) if s is not None and c is not None and c is not build.ZERO else None


def _trig(latex: str, name: str) -> dict:
    """Printing of a circular function: ``\\sin``, its power on the name (sin²x)."""
    return {"latex": latex, "mathml": name, "power_on_head": True, "sympy": name,
            "mpmath": name}


def _arc(name: str) -> dict:
    """Printing of an inverse function: ``\\arcsin``, read also as ``arcsin``."""
    return {"latex": rf"\arc{name}", "mathml": f"arc{name}", "aliases": (f"arc{name}",),
            "sympy": f"a{name}", "mpmath": f"a{name}"}


SIN = unary("sin", np.sin, lambda x, ans: ops.cos(x),
            "Sine rule", "d/dx sin(u) = cos(u)·u′", "trig", scalar_code="math.sin",
            values={F(0): F(0)}, inverse=Inverse("asin", _HALF_TURN), at_pi_multiple=sin_pi,
            **_trig(r"\sin", "sin"))
COS = unary("cos", np.cos, lambda x, ans: -ops.sin(x),
            "Cosine rule", "d/dx cos(u) = −sin(u)·u′", "trig", scalar_code="math.cos",
            values={F(0): F(1)}, inverse=Inverse("acos", (0, math.pi)), at_pi_multiple=_cos_pi,
            **_trig(r"\cos", "cos"))
TAN = unary("tan", np.tan, lambda x, ans: ops.sec(x) ** 2,
            "Tangent rule", "d/dx tan(u) = sec²(u)·u′", "trig", scalar_code="math.tan",
            values={F(0): F(0)}, inverse=Inverse("atan", _HALF_TURN), at_pi_multiple=_tan_pi,
            **_trig(r"\tan", "tan"))
COT = unary("cot", vectorised(lambda x: 1 / np.tan(x)), lambda x, ans: -ops.csc(x) ** 2,
            "Cotangent rule", "d/dx cot(u) = −csc²(u)·u′", "trig", domain=_SIN_NONZERO,
            **_trig(r"\cot", "cot"))
SEC = unary("sec", vectorised(lambda x: 1 / np.cos(x)), lambda x, ans: ans * ops.tan(x),
            "Secant rule", "d/dx sec(u) = sec(u)·tan(u)·u′", "trig",
            values={F(0): F(1)}, needs_ans=True, **_trig(r"\sec", "sec"))
CSC = unary("csc", vectorised(lambda x: 1 / np.sin(x)), lambda x, ans: -ans * ops.cot(x),
            "Cosecant rule", "d/dx csc(u) = −csc(u)·cot(u)·u′", "trig",
            domain=_SIN_NONZERO, needs_ans=True, **_trig(r"\csc", "csc"))
ASIN = unary("asin", np.arcsin, lambda x, ans: 1 / ops.sqrt(1 - x**2),
             "Inverse sine rule", "d/dx asin(u) = u′/√(1 − u²)", "inverse_trig",
             domain=_UNIT, scalar_code="math.asin", inverse=Inverse("sin", (-1, 1)),
             values={F(0): F(0), F(1): PiMultiple(F(1, 2)), F(-1): PiMultiple(F(-1, 2)),
                     F(1, 2): PiMultiple(F(1, 6)), F(-1, 2): PiMultiple(F(-1, 6))},
             **_arc("sin"))
ACOS = unary("acos", np.arccos, lambda x, ans: -1 / ops.sqrt(1 - x**2),
             "Inverse cosine rule", "d/dx acos(u) = −u′/√(1 − u²)", "inverse_trig",
             domain=_UNIT, scalar_code="math.acos", inverse=Inverse("cos", (-1, 1)),
             values={F(0): PiMultiple(F(1, 2)), F(1): F(0), F(-1): PiMultiple(F(1)),
                     F(1, 2): PiMultiple(F(1, 3)), F(-1, 2): PiMultiple(F(2, 3))},
             **_arc("cos"))
ATAN = unary("atan", np.arctan, lambda x, ans: 1 / (1 + x**2),
             "Inverse tangent rule", "d/dx atan(u) = u′/(1 + u²)", "inverse_trig",
             scalar_code="math.atan", inverse=Inverse("tan"),
             values={F(0): F(0), F(1): PiMultiple(F(1, 4)), F(-1): PiMultiple(F(-1, 4))},
             **_arc("tan"))

PRIMITIVES = (SIN, COS, TAN, COT, SEC, CSC, ASIN, ACOS, ATAN)
