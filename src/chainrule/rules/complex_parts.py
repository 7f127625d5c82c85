"""Complex numbers: the real and imaginary parts, the conjugate, the modulus and the argument.

These functions are not holomorphic, so no single complex partial derivative describes them;
each record gives its JVP (an R-linear map of the tangent) and its VJP, in JAX's convention:
a cotangent ``g`` pairs with a tangent ``t`` as Re(g·t), so for a real-valued ``f`` of
``z = x + iy`` the gradient is ∂f/∂x − i·∂f/∂y (grad of |z|² at 3 + 4i is 6 − 8i), and
holomorphic functions need no conjugation (the cotangent of ``g`` through ``f`` is g·f′(z)).
The holomorphic records (sin, exp, mul, …) need nothing new: their partials are already
complex-analytic.

>>> import numpy as np
>>> from chainrule.autodiff import grad
>>> grad(lambda z: np.real(z) ** 2 + np.imag(z) ** 2)(3.0 + 4.0j)
(6-8j)
"""

from __future__ import annotations

import numpy as np

from chainrule.core.primitive import Primitive, RuleText
from chainrule.core.trace import value_of


def _text(name: str, rewrite: str) -> RuleText:
    return RuleText(f"{name} rule", rewrite, "complex")


def _is_complex(x) -> bool:
    return bool(np.iscomplexobj(value_of(x)))


def _nonzero(x):
    """``x`` with its zeros replaced by 1, so that a 0/0 at z = 0 is 0, not NaN."""
    return np.where(x == 0, 1.0, x)


def _complex_like(g, x):
    """A cotangent for ``x``: complex when ``x`` is (a real one's imaginary part is dropped)."""
    return g + 0j if _is_complex(x) and not _is_complex(g) else g


def _for_complex(ct, z):
    """``ct`` for a complex ``z``; for a real one, zero (None): Im and arg are constant along
    the real axis, and a real argument's cotangent is the real part, here 0."""
    return ct if _is_complex(z) else None


def _record(name: str, impl, jvp, vjp, rewrite: str, numpy: tuple = ()) -> Primitive:
    return Primitive(name, 1, impl, rule=None, text=_text(name, rewrite), symbolic=False,
                     jvp=lambda t, ans, args, p: jvp(t[0], ans, args[0]),
                     vjp=lambda g, ans, args, p, need: [vjp(g, ans, args[0])], numpy=numpy)


REAL = _record("real", np.real, lambda t, ans, z: np.real(t),
               lambda g, ans, z: _complex_like(g, z), "d Re(z) = Re(dz)", (np.real,))
IMAG = _record("imag", np.imag, lambda t, ans, z: np.imag(t),
               lambda g, ans, z: _for_complex(-1j * g, z), "d Im(z) = Im(dz)", (np.imag,))
CONJ = _record("conj", np.conjugate, lambda t, ans, z: np.conjugate(t),
               lambda g, ans, z: np.conjugate(g), "d conj(z) = conj(dz)", (np.conjugate,))
COMPLEX_ABS = _record(
    "complex_abs", np.abs,
    lambda t, ans, z: np.real(np.conjugate(z) * t) / _nonzero(ans),
    lambda g, ans, z: g * np.conjugate(z) / _nonzero(ans),
    "d|z| = Re(conj(z)·dz)/|z| (0 at z = 0)")
ANGLE = _record(
    "angle", np.angle,
    lambda t, ans, z: np.imag(np.conjugate(z) * t) / _nonzero(np.real(z * np.conjugate(z))),
    lambda g, ans, z: _for_complex(-1j * g * np.conjugate(z)
                                   / _nonzero(np.real(z * np.conjugate(z))), z),
    "d arg(z) = Im(conj(z)·dz)/|z|² (0 at z = 0)")

PRIMITIVES = (REAL, IMAG, CONJ, COMPLEX_ABS, ANGLE)
