"""Rules for the hyperbolic functions and their inverses."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np

from chainrule.core import ops
from chainrule.core.expr import Expr
from chainrule.core.primitive import Domain, Inverse, unary


def _hyp(name: str) -> dict:
    """Printing of a hyperbolic function: ``\\sinh``, its power on the name (sinh²x)."""
    return {"latex": rf"\{name}", "mathml": name, "power_on_head": True,
            "scalar_code": f"math.{name}", "sympy": name, "mpmath": name}


def _area(name: str) -> dict:
    """Printing of an inverse hyperbolic function: ``\\operatorname{arsinh}``, read as asinh
    and arcsinh (NumPy's name)."""
    return {"latex": rf"\operatorname{{ar{name}}}", "mathml": f"ar{name}",
            "aliases": (f"arc{name}",), "scalar_code": f"math.a{name}", "sympy": f"a{name}",
            "mpmath": f"a{name}"}


SINH = unary("sinh", np.sinh, lambda x, ans: ops.cosh(x),
             "Hyperbolic sine rule", "d/dx sinh(u) = cosh(u)·u′", "hyperbolic",
             values={F(0): F(0)}, inverse=Inverse("asinh"), **_hyp("sinh"))
COSH = unary("cosh", np.cosh, lambda x, ans: ops.sinh(x),
             "Hyperbolic cosine rule", "d/dx cosh(u) = sinh(u)·u′", "hyperbolic",
             values={F(0): F(1)}, positive=True, inverse=Inverse("acosh", (0, math.inf)),
             **_hyp("cosh"))
def _tanh_slope(x, ans):
    # 1 − tanh², the form learners write, shown for expressions; on numbers 1/cosh², equal
    # and exact: 1 − tanh²(20) is 1 − 1 = 0 in float64, the slope is 1.7e−17
    return 1 - ans**2 if isinstance(x, Expr) else ops.cosh(x) ** -2


TANH = unary("tanh", np.tanh, _tanh_slope,
             "Hyperbolic tangent rule", "d/dx tanh(u) = (1 − tanh²(u))·u′", "hyperbolic",
             values={F(0): F(0)}, needs_ans=True, inverse=Inverse("atanh"), **_hyp("tanh"))
ASINH = unary("asinh", np.arcsinh, lambda x, ans: 1 / ops.sqrt(x**2 + 1),
              "Inverse hyperbolic sine rule", "d/dx asinh(u) = u′/√(u² + 1)", "hyperbolic",
              values={F(0): F(0)}, inverse=Inverse("sinh"), **_area("sinh"))
ACOSH = unary("acosh", np.arccosh, lambda x, ans: 1 / ops.sqrt(x**2 - 1),
              "Inverse hyperbolic cosine rule", "d/dx acosh(u) = u′/√(u² − 1)", "hyperbolic",
              domain=Domain(lambda x: x >= 1, "acosh needs an argument ≥ 1"),
              values={F(1): F(0)}, nonnegative=True, inverse=Inverse("cosh", (1, math.inf)),
              **_area("cosh"))
ATANH = unary("atanh", np.arctanh, lambda x, ans: 1 / (1 - x**2),
              "Inverse hyperbolic tangent rule", "d/dx atanh(u) = u′/(1 − u²)", "hyperbolic",
              domain=Domain(lambda x: (x > -1) & (x < 1), "atanh needs an argument in (−1, 1)"),
              values={F(0): F(0)}, inverse=Inverse("tanh", (-1, 1)), **_area("tanh"))

PRIMITIVES = (SINH, COSH, TANH, ASINH, ACOSH, ATANH)
