"""How each primitive is written in generated code, for arrays (NumPy) and for scalars (math).

Stable primitives call the same helpers as their table records, so compiled code is as
stable as evaluation. A primitive missing here cannot be compiled and is named in the error.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.rules.ml import _logsumexp, _sigmoid


def scalar_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def scalar_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def scalar_logsumexp(*xs: float) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(v - m) for v in xs))


def scalar_logaddexp(a: float, b: float) -> float:
    return scalar_logsumexp(a, b)


ARRAY = {
    "exp": "np.exp({0})", "ln": "np.log({0})", "log": "(np.log({0}) / np.log({1}))",
    "sqrt": "np.sqrt({0})", "cbrt": "np.cbrt({0})", "abs": "np.abs({0})",
    "sign": "np.sign({0})",
    "log1p": "np.log1p({0})", "expm1": "np.expm1({0})",
    "sin": "np.sin({0})", "cos": "np.cos({0})", "tan": "np.tan({0})",
    "cot": "(1.0 / np.tan({0}))", "sec": "(1.0 / np.cos({0}))", "csc": "(1.0 / np.sin({0}))",
    "asin": "np.arcsin({0})", "acos": "np.arccos({0})", "atan": "np.arctan({0})",
    "sinh": "np.sinh({0})", "cosh": "np.cosh({0})", "tanh": "np.tanh({0})",
    "sigmoid": "_sigmoid({0})", "softplus": "np.logaddexp(0.0, {0})",
    "relu": "np.maximum({0}, 0.0)", "heaviside": "np.heaviside({0}, 0.0)",
    "logaddexp": "np.logaddexp({0}, {1})",
}

SCALAR = {
    "exp": "math.exp({0})", "ln": "math.log({0})", "log": "math.log({0}, {1})",
    "sqrt": "math.sqrt({0})", "cbrt": "math.cbrt({0})", "abs": "abs({0})",
    "sign": "(math.copysign(1.0, {0}) if {0} != 0 else 0.0)",
    "log1p": "math.log1p({0})", "expm1": "math.expm1({0})",
    "sin": "math.sin({0})", "cos": "math.cos({0})", "tan": "math.tan({0})",
    "cot": "(1.0 / math.tan({0}))", "sec": "(1.0 / math.cos({0}))",
    "csc": "(1.0 / math.sin({0}))", "asin": "math.asin({0})", "acos": "math.acos({0})",
    "atan": "math.atan({0})", "sinh": "math.sinh({0})", "cosh": "math.cosh({0})",
    "tanh": "math.tanh({0})", "sigmoid": "_ssigmoid({0})", "softplus": "_ssoftplus({0})",
    "relu": "max({0}, 0.0)", "heaviside": "(1.0 if {0} > 0 else 0.0)",
    "logaddexp": "_slogaddexp({0}, {1})",
}

NAMESPACE = {
    "np": np, "math": math, "_sigmoid": _sigmoid, "_logsumexp": _logsumexp,
    "_ssigmoid": scalar_sigmoid, "_ssoftplus": scalar_softplus,
    "_slogsumexp": scalar_logsumexp, "_slogaddexp": scalar_logaddexp,
}
"""The only names generated code can see."""


SMALL_POWERS = {
    "2.0": "({0} * {0})", "3.0": "({0} * {0} * {0})", "-1.0": "(1.0 / {0})",
    "-2.0": "(1.0 / ({0} * {0}))", "0.5": "{sqrt}({0})", "-0.5": "(1.0 / {sqrt}({0}))",
}
"""Powers cheaper as products, quotients or roots than as a general power."""


def line(name: str, args: list[str], scalar: bool) -> str:
    """The code computing primitive ``name`` of already-computed ``args``."""
    if name == "add":
        return " + ".join(args)
    if name == "mul":
        return " * ".join(args)
    if name == "pow":
        if args[1] in SMALL_POWERS:
            return SMALL_POWERS[args[1]].format(args[0], sqrt="math.sqrt" if scalar else "np.sqrt")
        return f"math.pow({args[0]}, {args[1]})" if scalar else f"np.power({args[0]}, {args[1]})"
    if name == "logsumexp":
        return f"{'_slogsumexp' if scalar else '_logsumexp'}({', '.join(args)})"
    table = SCALAR if scalar else ARRAY
    if name not in table:
        from chainrule.errors import ChainruleError
        raise ChainruleError(f"{name} cannot be compiled")
    return table[name].format(*args)
