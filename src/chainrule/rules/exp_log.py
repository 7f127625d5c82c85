"""Rules for exponentials, logarithms and roots."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from chainrule.core import build, ops
from chainrule.core.expr import Const
from chainrule.core.numbers import try_power
from chainrule.core.primitive import Domain, binary, unary
from chainrule.rules._numeric import vectorised


def _b():
    return build


def _simplify_exp(u):
    b = _b()
    if u is b.ZERO:
        return b.ONE
    if u is b.ONE:
        return b.E
    if b.is_fn(u, "ln"):  # e^(ln u) = u
        return u.args[0]
    return None


def _simplify_ln(u):
    b = _b()
    if u is b.ONE:
        return b.ZERO
    if u is b.E:
        return b.ONE
    if b.is_fn(u, "exp"):  # ln(e^u) = u for real u
        return u.args[0]
    return None


def _simplify_log(u, base):
    b = _b()
    if base is b.E:
        return b.apply("ln", u)
    if u is b.ONE:
        return b.ZERO
    if u is base:
        return b.ONE
    return None


def _simplify_sqrt(u):
    # sqrt(u) is u^(1/2) in canonical form, so sqrt(x)·sqrt(x) = x and x^(1/2) = sqrt(x).
    return _b().power(u, _b().HALF)


def _simplify_cbrt(u):
    b = _b()
    if isinstance(u, Const) and u.is_exact:
        root = try_power(abs(u.value), Fraction(1, 3))
        if root is not None:
            return b.const(root if u.value >= 0 else -root)
    return None


def _log_base_impl(x, base):
    return np.log(x) / np.log(base)


EXP = unary(
    "exp", vectorised(np.exp), lambda x, ans: ans,
    "Exponential rule", "d/dx e^u = e^u·u′", "exp_log",
    simplify=_simplify_exp, needs_ans=True,
)
LN = unary(
    "ln", vectorised(np.log), lambda x, ans: 1 / x,
    "Logarithm rule", "d/dx ln(u) = u′/u", "exp_log",
    domain=Domain(lambda x: x > 0, "ln needs a positive argument"),
    simplify=_simplify_ln,
)
LOG = binary(
    "log", vectorised(_log_base_impl),
    lambda x, base, ans: 1 / (x * ops.ln(base)),
    lambda x, base, ans: -ops.ln(x) / (base * ops.ln(base) ** 2),
    "Logarithm rule (base b)", "d/dx log_b(u) = u′/(u·ln(b))", "exp_log",
    domain=Domain(lambda x, base: (x > 0) & (base > 0) & (base != 1),
                  "log_b(u) needs u > 0 and a base b > 0, b ≠ 1"),
    simplify=_simplify_log,
)
SQRT = unary(
    "sqrt", vectorised(np.sqrt), lambda x, ans: 1 / (2 * ans),
    "Square root rule", "d/dx √u = u′/(2√u)", "exp_log",
    domain=Domain(lambda x: x >= 0, "sqrt needs a non-negative argument"),
    simplify=_simplify_sqrt, needs_ans=True,
)
CBRT = unary(
    "cbrt", vectorised(np.cbrt), lambda x, ans: 1 / (3 * ans**2),
    "Cube root rule", "d/dx ∛u = u′/(3·∛u²)", "exp_log",
    simplify=_simplify_cbrt, needs_ans=True,
)
LOG1P = unary(
    "log1p", vectorised(np.log1p), lambda x, ans: 1 / (1 + x),
    "Logarithm rule", "d/dx ln(1 + u) = u′/(1 + u)", "exp_log",
    domain=Domain(lambda x: x > -1, "log1p needs an argument > −1"),
)
EXPM1 = unary(
    "expm1", vectorised(np.expm1), lambda x, ans: ans + 1,
    "Exponential rule", "d/dx (e^u − 1) = e^u·u′", "exp_log", needs_ans=True,
)

PRIMITIVES = (EXP, LN, LOG, SQRT, CBRT, LOG1P, EXPM1)
