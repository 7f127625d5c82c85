"""Special functions of ``scipy.special`` used in machine learning: erf, erfc, log Γ, ψ, ψ⁽ⁿ⁾.

Each record's implementation is SciPy's ufunc, imported when first called (SciPy is heavy and
``import chainrule`` does not load it); ``extra["scipy_special"]`` names the ufunc so that
``scipy.special.erf(traced)`` finds the record through ``__array_ufunc__`` (see
:mod:`chainrule.core.numpy_dispatch`, which looks SciPy's ufuncs up only once SciPy is loaded).
They are array operations of automatic differentiation, not functions of the symbolic syntax.
The derivatives chain: (log Γ)′ = ψ, ψ′ = ψ⁽¹⁾, ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾, so every order is exact.
``expit``, ``logit``, ``xlogy``, ``betaln`` and the others are compositions of these and the
elementwise records (``SPECIAL_FORMS`` in :mod:`chainrule.core.numpy_dispatch`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from chainrule.core import ops
from chainrule.core.arraylike import is_foreign
from chainrule.core.primitive import Primitive, RuleText, unary
from chainrule.errors import NotDifferentiable

_TWO_OVER_ROOT_PI = 2 / math.sqrt(math.pi)


def scipy_ufunc(name: str) -> Callable:
    """``scipy.special.<name>``, imported on first call; NumPy scalars for scalars."""
    def impl(*args):
        if any(is_foreign(a) for a in args):  # SciPy would copy them to NumPy arrays, silently
            raise NotDifferentiable.for_function(
                f"scipy.special.{name}", "it has no array-API counterpart for this library's "
                "arrays in chainrule; call it on NumPy arrays")
        from scipy import special  # heavy, optional at import time: loaded when first used

        with np.errstate(all="ignore"):
            value = getattr(special, name)(*args)
        return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
    impl.__name__ = name
    return impl


def _polygamma_rule(i, args, ans):
    n, x = args
    if i == 0:
        raise NotDifferentiable("scipy.special.polygamma is not differentiable in its order n "
                                "(an integer)")
    return ops.call(POLYGAMMA, n + 1, x)


ERF = unary("erf", scipy_ufunc("erf"), lambda x, ans: _TWO_OVER_ROOT_PI * ops.exp(-(x * x)),
            "Error function rule", "d/dx erf(u) = 2/√π · e^(−u²)·u′", "special",
            symbolic=False, extra={"scipy_special": "erf"})
ERFC = unary("erfc", scipy_ufunc("erfc"),
             lambda x, ans: -_TWO_OVER_ROOT_PI * ops.exp(-(x * x)),
             "Complementary error function rule", "d/dx erfc(u) = −2/√π · e^(−u²)·u′",
             "special", symbolic=False, extra={"scipy_special": "erfc"})
GAMMALN = unary("gammaln", scipy_ufunc("gammaln"), lambda x, ans: ops.call(DIGAMMA, x),
                "Log-gamma rule", "d/dx ln|Γ(u)| = ψ(u)·u′", "special", symbolic=False,
                extra={"scipy_special": "gammaln"})
DIGAMMA = unary("digamma", scipy_ufunc("digamma"),
                lambda x, ans: ops.call(POLYGAMMA, 1.0, x),
                "Digamma rule", "d/dx ψ(u) = ψ⁽¹⁾(u)·u′", "special", symbolic=False,
                extra={"scipy_special": "psi"})
POLYGAMMA = Primitive(
    "polygamma", 2, scipy_ufunc("polygamma"), rule=_polygamma_rule,
    text=RuleText("Polygamma rule", "d/dx ψ⁽ⁿ⁾(u) = ψ⁽ⁿ⁺¹⁾(u)·u′", "special"), symbolic=False,
)

PRIMITIVES = (ERF, ERFC, GAMMALN, DIGAMMA, POLYGAMMA)
