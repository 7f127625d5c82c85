"""Rules for exponentials, logarithms and roots."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from chainrule.core import build as b
from chainrule.core import ops
from chainrule.core.expr import Const
from chainrule.core.numbers import try_power
from chainrule.core.primitive import Domain, Inverse, binary, unary, vectorised


def _simplify_exp(u):
    if u is b.ONE:
        return b.E
    if b.is_fn(u, "ln"):  # e^(ln u) = u
        return u.args[0]
    return None


def _simplify_ln(u):
    if u is b.E:
        return b.ONE
    if b.is_fn(u, "exp"):  # ln(e^u) = u for real u
        return u.args[0]
    if b.is_pow(u) and _not_even(u.args[1]):
        # ln(v^p) = p·ln(v) wherever v^p > 0 is real: p not an even integer forces v > 0.
        # The folded form also stays finite where v^p overflows (v = 1e200, p = 2.5).
        return b.mul(u.args[1], b.apply("ln", u.args[0]))
    return None


def _not_even(p):
    """A constant exponent that is not an even integer."""
    if not isinstance(p, Const):
        return False
    value = p.value
    if isinstance(value, float):
        return not (value.is_integer() and value % 2 == 0)
    return not (value.denominator == 1 and value.numerator % 2 == 0)


def _simplify_log(u, base):
    if base is b.E:
        return b.apply("ln", u)
    if u is b.ONE:
        return b.ZERO
    if u is base:
        return b.ONE
    return None


def _simplify_sqrt(u):
    # sqrt(u) is u^(1/2) in canonical form, so sqrt(x)·sqrt(x) = x and x^(1/2) = sqrt(x).
    return b.power(u, b.HALF)


def _simplify_cbrt(u):
    if isinstance(u, Const) and u.is_exact:
        root = try_power(abs(u.value), Fraction(1, 3))
        if root is not None:
            return b.const(root if u.value >= 0 else -root)
    return None


def _sympy_real_cbrt(sp, u):
    """The real cube root in SymPy: ``u^(1/3)`` for u ≥ 0, ``-(-u)^(1/3)`` below.

    SymPy's ``u**(1/3)`` is the complex principal root (not real for u < 0), and both
    ``real_root`` and ``sign(u)·|u|^(1/3)`` differentiate to an unevaluated
    ``Derivative(sign(u))`` on plain symbols; this form is real everywhere and differentiates
    correctly for u ≠ 0.
    """
    third = sp.Rational(1, 3)
    return sp.Piecewise((u**third, u >= 0), (-((-u) ** third), True))


def _log_base_impl(x, base):
    return np.log(x) / np.log(base)


EXP = unary(
    "exp", np.exp, lambda x, ans: ans,
    "Exponential rule", "d/dx e^u = e^u·u′", "exp_log", scalar_code="math.exp",
    values={Fraction(0): Fraction(1)}, simplify=_simplify_exp, needs_ans=True,
    latex="e", mathml="exp", positive=True, inverse=Inverse("ln"), sympy="exp",
    mpmath="exp",
)
LN = unary(
    "ln", np.log, lambda x, ans: 1 / x,
    "Logarithm rule", "d/dx ln(u) = u′/u", "exp_log", scalar_code="math.log",
    domain=Domain(lambda x: x > 0, "ln needs a positive argument"),
    values={Fraction(1): Fraction(0)}, simplify=_simplify_ln,
    latex=r"\ln", mathml="ln", inverse=Inverse("exp", (0, math.inf)),
    sympy=lambda sp, u: sp.log(u), mpmath="log",
)
LOG = binary(
    "log", vectorised(_log_base_impl),
    lambda x, base, ans: 1 / (x * ops.ln(base)),
    lambda x, base, ans: -ops.ln(x) / (base * ops.ln(base) ** 2),
    "Logarithm rule (base b)", "d/dx log_b(u) = u′/(u·ln(b))", "exp_log",
    domain=Domain(lambda x, base: (x > 0) & (base > 0) & (base != 1),
                  "log_b(u) needs u > 0 and a base b > 0, b ≠ 1"),
    simplify=_simplify_log, latex=r"\log", mathml="log",
    sympy=lambda sp, u, b: sp.log(u, b),  # SymPy writes it log(u)/log(b)
    mpmath=lambda mp, u, b: mp.log(u) / mp.log(b),
)
SQRT = unary(
    "sqrt", np.sqrt, lambda x, ans: 1 / (2 * ans),
    "Square root rule", "d/dx √u = u′/(2√u)", "exp_log", scalar_code="math.sqrt",
    domain=Domain(lambda x: x >= 0, "sqrt needs a non-negative argument"),
    simplify=_simplify_sqrt, needs_ans=True, latex=r"\sqrt", mathml="sqrt", nonnegative=True,
    sympy=lambda sp, u: sp.sqrt(u), mpmath="sqrt",
)
CBRT = unary(
    "cbrt", np.cbrt, lambda x, ans: 1 / (3 * ans**2),
    "Cube root rule", "d/dx ∛u = u′/(3·∛u²)", "exp_log", scalar_code="math.cbrt",
    simplify=_simplify_cbrt, needs_ans=True, latex=r"\sqrt[3]", mathml="cbrt",
    sympy=_sympy_real_cbrt, mpmath=lambda mp, u: mp.sign(u) * mp.cbrt(abs(u)),
)
LOG1P = unary(
    "log1p", np.log1p, lambda x, ans: 1 / (1 + x),
    "Logarithm rule", "d/dx ln(1 + u) = u′/(1 + u)", "exp_log", scalar_code="math.log1p",
    domain=Domain(lambda x: x > -1, "log1p needs an argument > −1"),
    latex=r"\operatorname{log1p}", mathml="log1p", inverse=Inverse("expm1", (-1, math.inf)),
    sympy=lambda sp, u: sp.log(1 + u), mpmath="log1p",
)
EXPM1 = unary(
    # e^u, not expm1(u) + 1: the sum rounds to 1 − 1 = 0 for u ≤ −37 and loses every digit
    # of e^u below u ≈ −30 (expm1(u) ≈ −1 there).
    "expm1", np.expm1, lambda x, ans: ops.exp(x),
    "Exponential rule", "d/dx (e^u − 1) = e^u·u′", "exp_log", scalar_code="math.expm1",
    latex=r"\operatorname{expm1}", mathml="expm1", inverse=Inverse("log1p"),
    sympy=lambda sp, u: sp.exp(u) - 1, mpmath="expm1",
)

PRIMITIVES = (EXP, LN, LOG, SQRT, CBRT, LOG1P, EXPM1)
