"""Rules for the activation functions and stable log-space primitives of machine learning.

σ′ = σ(1 − σ) reuses the output (seed 001). relu, heaviside, max and min are piecewise:
their records give the pieces each side of the kink, so a derivative at the kink is answered
exactly where it exists and refused elsewhere (:mod:`chainrule.symbolic.kinks`); automatic
differentiation takes relu′(0) = 0 (through ``heaviside(0) = 0``) and splits a tie of max or
min half and half, the conventions of PyTorch and JAX, and reports it
(:mod:`chainrule.core.kinks`).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from chainrule.core import kinks, ops
from chainrule.core.arraylike import as_array
from chainrule.core.build import const
from chainrule.core.expr import Const, Expr
from chainrule.core.primitive import (
    Domain,
    Pieces,
    Primitive,
    RuleText,
    kink_at_zero,
    unary,
    vectorised,
    zero_rule,
)
from chainrule.core.trace import condition


def _sigmoid(x):
    x = as_array(x, dtype=float)
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return _sigmoid_array(x)
    z = np.exp(-np.abs(x))  # never overflows: the exponent is ≤ 0
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _sigmoid_array(x):
    # The same two branches in two buffers, written in place: on large arrays every pass
    # over memory counts (the logistic-loss gradient spends its time here and in X·w).
    z = np.abs(x)
    np.negative(z, out=z)
    np.exp(z, out=z)  # e^−|x| ≤ 1
    r = np.add(z, 1.0)
    np.reciprocal(r, out=r)  # σ(|x|) = 1/(1 + e^−|x|)
    np.multiply(z, r, out=z)  # σ(−|x|) = e^−|x|/(1 + e^−|x|)
    np.copyto(r, z, where=x < 0)
    return r


def _logsumexp(*args):
    arrays = np.broadcast_arrays(*(as_array(a, dtype=float) for a in args))
    stacked = np.stack(arrays)
    m = np.max(stacked, axis=0)
    safe_m = np.where(np.isfinite(m), m, 0.0)  # shift by the max: the largest exp is e^0
    # log(1 + Σ_others e^(x − m)) as log1p of the others' sum: log(sum) would lose the
    # digits of a small sum (logsumexp(−30, 0) = 9.36e−14, not 9.35e−14)
    shifted = np.exp(stacked - safe_m)
    first_max = np.argmax(stacked, axis=0)
    np.put_along_axis(shifted, first_max[None], 0.0, axis=0)
    top = np.exp(np.take_along_axis(stacked, first_max[None], axis=0)[0] - safe_m)
    return safe_m + np.log1p(np.sum(shifted, axis=0) + (top - 1))


def _sigmoid_slope(x, ans):
    # σ′ = σ(1 − σ), the seeds' form, shown for expressions; on numbers 1 − σ(x) is computed
    # as σ(−x), which keeps full relative precision where σ(x) rounds to 1 (x > 37).
    return ans * (1 - ans) if isinstance(x, Expr) else ans * ops.sigmoid(-x)


SIGMOID = unary("sigmoid", vectorised(_sigmoid), _sigmoid_slope,
                "Sigmoid rule", "d/dx σ(u) = σ(u)·(1 − σ(u))·u′", "ml",
                values={Fraction(0): Fraction(1, 2)}, needs_ans=True, latex=r"\sigma",
                mathml="σ", positive=True, sympy=lambda sp, u: 1 / (1 + sp.exp(-u)),
                mpmath=lambda mp, u: 1 / (1 + mp.exp(-u)))
SOFTPLUS = unary("softplus", vectorised(lambda x: np.logaddexp(0.0, x)),
                 lambda x, ans: ops.sigmoid(x),
                 "Softplus rule", "d/dx softplus(u) = σ(u)·u′", "ml",
                 latex=r"\operatorname{softplus}", mathml="softplus", positive=True,
                 sympy=lambda sp, u: sp.log(1 + sp.exp(u)),
                 mpmath=lambda mp, u: mp.log1p(mp.exp(u)))


def _relu_slope(x, ans):
    kinks.check("relu", (x,), "relu′(0) = 0")
    return ops.heaviside(x)


RELU = unary("relu", vectorised(lambda x: np.maximum(x, 0.0)), _relu_slope,
             "ReLU rule", "d/dx relu(u) = H(u)·u′ for u ≠ 0", "ml",
             latex=r"\operatorname{relu}", mathml="relu", nonnegative=True,
             sympy=lambda sp, u: sp.Max(0, u), mpmath=lambda mp, u: max(u, mp.mpf(0)),
             pieces=kink_at_zero(lambda u: 0, lambda u: u))
HEAVISIDE = Primitive(
    "heaviside", 1, vectorised(lambda x: np.heaviside(x, 0.0)), rule=zero_rule,
    text=RuleText("Step rule", "d/dx H(u) = 0 (for u ≠ 0)", "ml"), latex="H", mathml="H",
    # H(u) is relu′(u), and H(0) is a convention (0 here, ½ or 1 elsewhere): as an expression
    # it is one-sided at 0, so evaluating reads both sides and answers only where they agree
    # (2·H(x)·relu(x) at 0 is 0 from both sides; H(x) alone jumps from 0 to 1 and is refused);
    # automatic differentiation computes it on values (H(0) = 0, as PyTorch's relu′ takes it)
    domain=Domain(lambda x: x != 0, "heaviside(u), the slope of relu(u), jumps from 0 to 1 at "
                                    "u = 0 (relu has a kink there: left slope 0, right slope 1)",
                  one_sided=True),
    sympy=lambda sp, u: sp.Heaviside(u, 0),  # H(0) = 0, as automatic differentiation takes it
    mpmath=lambda mp, u: mp.mpf(1) if u > 0 else mp.mpf(0) if u < 0 else mp.nan,
    pieces=kink_at_zero(lambda u: 0, lambda u: 1),
)
def _softmax_slope(i, args, ans):
    # ∂/∂x_i log Σ e^x = e^(x_i − lse): the softmax, from the output so it never overflows;
    # of two arguments it is σ(x_i − x_j), which keeps every digit (x_i − lse cancels).
    # Of more, σ(xᵢ − lse of the others), the same identity: e^(xᵢ − lse) loses every digit
    # when xᵢ is a sum that dominates (x₃ = 10^35 + 1: the canonical sum −lse + 10^35 + 1
    # rounds to 1, not 0), and σ never overflows.
    if len(args) == 2:
        other = args[1 - i]
        if type(other) in (int, float) and other == 0:
            return ops.sigmoid(args[i])  # logaddexp(0, m), softplus as a loss writes it
        return ops.sigmoid(args[i] - other)
    others = [a for j, a in enumerate(args) if j != i]
    return ops.sigmoid(args[i] - ops.call(LOGSUMEXP, *others))


LOGSUMEXP = Primitive(
    "logsumexp", None, vectorised(_logsumexp),
    rule=_softmax_slope,
    text=RuleText("Log-sum-exp rule", "∂/∂xᵢ log Σ e^xⱼ = σ(xᵢ − log Σⱼ≠ᵢ e^xⱼ) (softmax)", "ml"),
    needs_ans=True, latex=r"\operatorname{logsumexp}", mathml="logsumexp",
    sympy=lambda sp, *a: sp.log(sp.Add(*[sp.exp(u) for u in a])),
    mpmath=lambda mp, *a: mp.log(mp.fsum(mp.exp(u) for u in a)),
)

LOGADDEXP = Primitive(
    "logaddexp", 2, vectorised(np.logaddexp),
    rule=_softmax_slope,
    text=RuleText("Log-add-exp rule", "∂/∂a log(e^a + e^b) = σ(a − b)", "ml"),
    needs_ans=True, numpy=(np.logaddexp,),
    latex=r"\operatorname{logaddexp}", mathml="logaddexp",
    sympy=lambda sp, a, b: sp.log(sp.exp(a) + sp.exp(b)),
    mpmath=lambda mp, a, b: mp.log(mp.exp(a) + mp.exp(b)),
)
def _extreme_slope(name: str, larger: bool):
    # The larger (smaller) argument gets the derivative; on numbers a tie splits it half and
    # half (as JAX and PyTorch do), so np.maximum(x, 0) has slope 1/2 at 0 while relu′(0) = 0.
    # Expressions have no tie term: H(u − v)·u′ + (1 − H(u − v))·v′ takes v′ at a tie, right
    # where u and v are the same function (max(x², |x²|)); at an isolated tie the derivative
    # is decided from both sides (chainrule.symbolic.kinks).
    def rule(i, args, ans):
        lead = args[0] - args[1] if larger else args[1] - args[0]
        if any(isinstance(a, Expr) for a in args):
            step = ops.heaviside(lead)
            return step if i == 0 else 1 - step
        kinks.check(name, args, "½ to each argument")
        return ops.heaviside(lead if i == 0 else -lead) + _tie(args)
    return rule


def _extreme_pieces(larger: bool) -> Pieces:
    # side +1: the first argument is the larger; the piece is max's (min's) choice there
    pick = {-1: 1, 0: 0, 1: 0} if larger else {-1: 0, 0: 0, 1: 1}
    return Pieces(lambda a, b: np.asarray(a) == np.asarray(b),
                  lambda at, near: int(np.sign(near[0] - near[1])),
                  lambda args, at, side: args[pick[side]])


def _simplify_extreme(pick):
    def simplify(a, b):
        if a == b:  # max(u, u) = u
            return a
        if isinstance(a, Const) and isinstance(b, Const) and a.is_exact and b.is_exact:
            return const(pick(a.value, b.value))
        return None
    return simplify


MAXIMUM = Primitive(
    "maximum", 2, vectorised(np.maximum), rule=_extreme_slope("max", True),
    text=RuleText("Maximum rule", "d max(u, v) = H(u − v)·u′ + (1 − H(u − v))·v′", "ml"),
    numpy=(np.maximum,), code="np.maximum", aliases=("max",), written="max",
    latex=r"\max", mathml="max", sympy="Max", mpmath=lambda mp, a, b: max(a, b),
    pieces=_extreme_pieces(True),
    simplify=_simplify_extreme(max),
)
MINIMUM = Primitive(
    "minimum", 2, vectorised(np.minimum), rule=_extreme_slope("min", False),
    text=RuleText("Minimum rule", "d min(u, v) = H(v − u)·u′ + (1 − H(v − u))·v′", "ml"),
    numpy=(np.minimum,), code="np.minimum", aliases=("min",), written="min",
    latex=r"\min", mathml="min", sympy="Min", mpmath=lambda mp, a, b: min(a, b),
    pieces=_extreme_pieces(False),
    simplify=_simplify_extreme(min),
)


def _tie(args):
    # condition(): plain values, or the staged ones in chainrule.jit (the tie is recomputed)
    return 0.5 * np.equal(condition(args[0]), condition(args[1])).astype(float)


PRIMITIVES = (SIGMOID, SOFTPLUS, RELU, HEAVISIDE, LOGSUMEXP, LOGADDEXP, MAXIMUM, MINIMUM)
