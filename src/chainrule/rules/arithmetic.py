"""Rules for sums, products and powers — the arithmetic every expression is built from.

Subtraction and division have no records of their own: ``a − b`` is ``a + (−1)·b`` and
``a / b`` is ``a·b^−1`` (see :mod:`chainrule.core.build`), so the sum, product and power rules
cover them, and the quotient rule is the product rule seen through a negative power.
"""

from __future__ import annotations

import numpy as np

from chainrule.core import build, kinks, ops
from chainrule.core.arraylike import as_array, is_foreign
from chainrule.core.build import const, is_fn
from chainrule.core.expr import Const, Expr
from chainrule.core.primitive import (
    Domain,
    Primitive,
    RuleText,
    kink_at_zero,
    vectorised,
    zero_rule,
)
from chainrule.core.trace import is_staging, peek, value_of
from chainrule.rules._numeric import product, total

ADD = Primitive(
    "add", None, vectorised(lambda *a: total(a)),
    rule=lambda i, args, ans: 1,
    text=RuleText("Sum rule", "d/dx (u + v) = u′ + v′", "arithmetic"),
    numpy=(np.add,), operator="+", sympy=lambda sp, *a: sp.Add(*a),
    mpmath=lambda mp, *a: mp.fsum(a),
)

MUL = Primitive(
    "mul", None, vectorised(lambda *a: product(a)),
    # Each factor takes the prime in turn: ∂(∏ f)/∂f_i = ∏_{j≠i} f_j.
    rule=lambda i, args, ans: product(args[:i] + args[i + 1:]),
    text=RuleText("Product rule", "d/dx (u·v) = u′·v + u·v′", "arithmetic"),
    numpy=(np.multiply,), operator="*", sympy=lambda sp, *a: sp.Mul(*a),
    mpmath=lambda mp, *a: mp.fprod(a),
)


def _pow_impl(base, exp):
    # Integers are powered as floats (2**-1 is 0.5); float32 stays float32, as in NumPy.
    base, exp = _inexact(base), _inexact(exp)
    return np.power(base, exp)


def _inexact(x):
    if isinstance(x, int | float):  # Python numbers stay weak: float32 ** 2 is float32
        return float(x)
    x = as_array(x)
    if not isinstance(x, np.ndarray | np.generic):
        return x  # an array of another library: its own float type
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(float)


def _pow_partial(i, args, ans):
    base, exp = args
    if isinstance(base, Expr) or isinstance(exp, Expr):  # symbolic: the textbook rules
        return exp * base ** (exp - 1) if i == 0 else ans * ops.ln(base)
    if i == 0 and isinstance(exp, int | float) and exp != 0:  # x**2: nothing to mask
        return exp * base ** (exp - 1)
    if is_staging() or is_foreign(peek(base)) or is_foreign(peek(exp)):
        # a recorded program runs on other values, and a GPU array's values would be copied to
        # the host to pick the branch: the masks are computed where the values are instead
        return _pow_partial_masked(i, base, exp, ans)
    at_zero = np.asarray(value_of(base)) == 0
    zeros = bool(at_zero.any())
    if i == 0:
        if not zeros and _reusable_power(ans):
            # u^(v−1) = u^v / u: the output already holds the power, so no second pow
            # (the costliest ufunc); exact to an ulp where u^v neither overflowed nor lost
            # digits to underflow, which the check makes sure of
            return exp * (ans / base)
        # u^0 is 1 for every u, so its slope is 0 at u = 0 too (not 0·0^−1); elsewhere, and
        # for other exponents (x² at 0), the rule itself. The masked base keeps the unused
        # branch finite, so the derivatives of this partial are not 0·inf either.
        mask = at_zero & (np.asarray(value_of(exp)) == 0) if zeros else None
        if mask is None or not mask.any():
            return exp * base ** (exp - 1)
        safe = np.where(mask, 1.0, base)
        return np.where(mask, 0.0, exp * safe ** (exp - 1))
    if not zeros:
        return ans * ops.ln(base)
    # ∂(0^y)/∂y: 0^y is 0 for every y > 0, so the slope is 0 there (JAX's convention), not
    # 0·ln 0.
    return ans * ops.ln(np.where(at_zero, 1.0, base))


def _reusable_power(ans):
    """True where u^v / u may stand for u^(v−1): plain float arrays with every |u^v| a normal
    number (no overflow to inf, no NaN, no underflow to 0 or subnormals)."""
    if type(ans) is not np.ndarray or ans.dtype.kind != "f" or ans.size == 0:
        return False
    info = np.finfo(ans.dtype)
    lo, hi = np.min(ans), np.max(ans)  # NaN fails every comparison below
    if info.tiny <= lo and hi <= info.max or -info.max <= lo and hi <= -info.tiny:
        return True  # one sign (the usual case): no |u^v| pass needed
    magnitude = np.abs(ans)
    return bool(np.min(magnitude) >= info.tiny) and bool(np.max(magnitude) <= info.max)


def _pow_partial_masked(i, base, exp, ans):
    """The partials of :func:`_pow_partial` with their masks computed on the traced values."""
    at_zero = np.equal(base, 0)
    if i == 0:
        mask = np.logical_and(at_zero, np.equal(exp, 0))
        return np.where(mask, 0.0, exp * np.where(mask, 1.0, base) ** (exp - 1))
    return ans * ops.ln(np.where(at_zero, 1.0, base))


def _pow_domain(base, exp):
    base, exp = np.asarray(base, dtype=float), np.asarray(exp, dtype=float)
    integral = exp == np.round(exp)
    return ((base > 0) | ((base < 0) & integral) | ((base == 0) & (exp >= 0)))


POWER_RULE = RuleText("Power rule", "d/dx u^n = n·u^(n−1)·u′", "arithmetic")
EXPONENTIAL_BASE_RULE = RuleText("Exponential rule", "d/dx a^u = a^u·ln(a)·u′", "exp_log")

POW = Primitive(
    "pow", 2, vectorised(_pow_impl),
    rule=_pow_partial,
    text=POWER_RULE,
    domain=Domain(_pow_domain, "0 to a negative power divides by zero; "
                               "a negative base needs an integer exponent"),
    extra={"arg_texts": (POWER_RULE, EXPONENTIAL_BASE_RULE)},
    numpy=(np.power, np.float_power), operator="^", sympy=lambda sp, b, e: sp.Pow(b, e),
    mpmath=lambda mp, b, e: mp.power(b, e),  # complex (undefined) for b < 0 and e not whole
)



def _simplify_abs(u):
    if isinstance(u, Const):
        return const(abs(u.value))
    if is_fn(u, "abs"):  # ||u|| = |u|
        return u
    return None


def _abs_slope(i, args, ans):
    kinks.check("abs", args, "abs′(0) = 0")
    return ops.sign(args[0])


ABS = Primitive(
    "abs", 1, vectorised(np.abs),
    rule=_abs_slope, pieces=kink_at_zero(lambda u: -u, lambda u: u),
    text=RuleText("Absolute value rule", "d/dx |u| = sign(u)·u′ for u ≠ 0", "arithmetic"),
    simplify=_simplify_abs, numpy=(np.absolute, np.fabs), code="np.abs", scalar_code="abs",
    latex="|", mathml="abs", nonnegative=True, sympy="Abs", mpmath="fabs",
)


def _simplify_sign(u):
    if isinstance(u, Const) and u.value != 0:
        return const(1 if u.value > 0 else -1)
    return None


SIGN = Primitive(
    "sign", 1, vectorised(np.sign),
    # sign(u) is |u|′. As an expression it is undefined at 0 (|u| has no derivative there, and
    # evaluating says so); automatic differentiation uses sign(0) = 0, the subgradient that
    # autograd, PyTorch and JAX use, so d(|x|·x) = 2|x| holds at 0 too.
    rule=zero_rule,
    text=RuleText("Sign rule", "d/dx sign(u) = 0 for u ≠ 0", "arithmetic"),
    domain=Domain(lambda x: x != 0, "sign(u), the slope of |u|, is undefined at u = 0 "
                                    "(|u| has a kink there: left slope −1, right slope 1)",
                  one_sided=True),
    simplify=_simplify_sign, code="np.sign", latex=r"\operatorname{sign}", mathml="sign",
    sympy="sign", mpmath=lambda mp, u: mp.sign(u) if u else mp.nan,  # undefined at 0, as above
    pieces=kink_at_zero(lambda u: -1, lambda u: 1),
)


# Subtraction, negation and division as array operations (NumPy's subtract, negative,
# divide). Expressions never hold them: their simplify hooks rewrite to the canonical sums,
# products and powers above, so symbolic derivatives use the sum, product and power rules.
def _canonical(name):
    def rewrite(*args):
        return getattr(build, name)(*args)
    return rewrite


def _quotient_form(u, v, du, dv):
    # The quotient rule as learners write it: the product rule on u·v^-1 with the power rule
    # on v^-1, collected over v². The symbolic differentiator uses it for products with a
    # negative power (u·v^-1 is how expressions hold u/v), so this record is the one place
    # that knows the quotient rule.
    return (du * v - u * dv) / v ** 2


SUB = Primitive(
    "sub", 2, vectorised(np.subtract),
    rule=lambda i, args, ans: 1 if i == 0 else -1,
    text=RuleText("Difference rule", "d/dx (u − v) = u′ − v′", "arithmetic"),
    simplify=_canonical("sub"),
    symbolic=False, numpy=(np.subtract,), operator="-",
)
NEG = Primitive(
    "neg", 1, vectorised(np.negative), rule=lambda i, args, ans: -1,
    text=RuleText("Constant multiple rule", "d/dx (−u) = −u′", "arithmetic"),
    simplify=_canonical("neg"),
    symbolic=False, numpy=(np.negative,), operator="-",
)
DIV = Primitive(
    "div", 2, vectorised(np.divide),
    rule=lambda i, args, ans: 1 / args[1] if i == 0 else -ans / args[1],
    text=RuleText("Quotient rule", "d/dx (u/v) = (u′·v − u·v′)/v²", "arithmetic"),
    extra={"quotient_form": _quotient_form},
    simplify=_canonical("div"), needs_ans=True,
    symbolic=False, numpy=(np.divide,), operator="/",
)

PRIMITIVES = (ADD, MUL, POW, ABS, SIGN, SUB, NEG, DIV)
