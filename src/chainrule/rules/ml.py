"""Rules for the activation functions and stable log-space primitives of machine learning.

σ′ = σ(1 − σ) reuses the output (seed 001); relu′(0) is taken as 0, the convention of
PyTorch and JAX, through ``heaviside(0) = 0``.
"""

from __future__ import annotations

import numpy as np

from chainrule.core import ops
from chainrule.core.primitive import Primitive, RuleText, unary, zero_rule
from chainrule.rules._numeric import vectorised


def _sigmoid(x):
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))  # never overflows: the exponent is ≤ 0
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _logsumexp(*args):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    stacked = np.stack(arrays)
    m = np.max(stacked, axis=0)
    safe_m = np.where(np.isfinite(m), m, 0.0)  # shift by the max: the largest exp is e^0
    return safe_m + np.log(np.sum(np.exp(stacked - safe_m), axis=0))


def _simplify_half_at_zero(u):
    from chainrule.core import build
    return build.HALF if u is build.ZERO else None


def _sigmoid_slope(x, ans):
    # σ′ = σ(1 − σ), the seeds' form, shown for expressions; on numbers 1 − σ(x) is computed
    # as σ(−x), which keeps full relative precision where σ(x) rounds to 1 (x > 37).
    from chainrule.core.expr import Expr
    return ans * (1 - ans) if isinstance(x, Expr) else ans * ops.sigmoid(-x)


SIGMOID = unary("sigmoid", vectorised(_sigmoid), _sigmoid_slope,
                "Sigmoid rule", "d/dx σ(u) = σ(u)·(1 − σ(u))·u′", "ml",
                simplify=_simplify_half_at_zero, needs_ans=True, latex_name=r"\sigma")
SOFTPLUS = unary("softplus", vectorised(lambda x: np.logaddexp(0.0, x)),
                 lambda x, ans: ops.sigmoid(x),
                 "Softplus rule", "d/dx softplus(u) = σ(u)·u′", "ml")
RELU = unary("relu", vectorised(lambda x: np.maximum(x, 0.0)), lambda x, ans: ops.heaviside(x),
             "ReLU rule", "d/dx relu(u) = H(u)·u′ (H(0) = 0 by convention)", "ml")
HEAVISIDE = Primitive(
    "heaviside", 1, vectorised(lambda x: np.heaviside(x, 0.0)), rule=zero_rule,
    text=RuleText("Step rule", "d/dx H(u) = 0 (for u ≠ 0)", "ml"),
)
LOGSUMEXP = Primitive(
    "logsumexp", None, vectorised(_logsumexp),
    # ∂/∂x_i log Σ e^x = e^(x_i − lse): the softmax, computed from the output so it never overflows.
    rule=lambda i, args, ans: ops.exp(args[i] - ans),
    text=RuleText("Log-sum-exp rule", "∂/∂xᵢ log Σ e^xⱼ = e^(xᵢ − lse) (softmax)", "ml"),
    needs_ans=True,
)

LOGADDEXP = Primitive(
    "logaddexp", 2, vectorised(np.logaddexp),
    rule=lambda i, args, ans: ops.exp(args[i] - ans),
    text=RuleText("Log-add-exp rule", "∂/∂a log(e^a + e^b) = e^(a − lse)", "ml"),
    needs_ans=True,
)
MAXIMUM = Primitive(
    "maximum", 2, vectorised(np.maximum),
    # The larger argument gets the derivative; a tie splits it half and half (as JAX and
    # PyTorch do), so np.maximum(x, 0) has slope 1/2 at 0 while relu′(0) = 0.
    rule=lambda i, args, ans: (ops.heaviside(args[i] - args[1 - i]) + _tie(args)),
    text=RuleText("Maximum rule", "d max(u, v) = u′ where u ≥ v, else v′", "ml"),
    symbolic=False,
)
MINIMUM = Primitive(
    "minimum", 2, vectorised(np.minimum),
    rule=lambda i, args, ans: (ops.heaviside(args[1 - i] - args[i]) + _tie(args)),
    text=RuleText("Minimum rule", "d min(u, v) = u′ where u ≤ v, else v′", "ml"),
    symbolic=False,
)


def _tie(args):
    from chainrule.autodiff.tracing import value_of
    return 0.5 * np.equal(value_of(args[0]), value_of(args[1])).astype(float)


PRIMITIVES = (SIGMOID, SOFTPLUS, RELU, HEAVISIDE, LOGSUMEXP, LOGADDEXP, MAXIMUM, MINIMUM)
