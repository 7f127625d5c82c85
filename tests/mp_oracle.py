"""An independent high-precision evaluator: an expression's value and derivative in mpmath.

Only the parsed tree is shared with chainrule (what each node *is*); every value is computed
by mpmath's own functions from the table below, never by chainrule's rules or NumPy. A real
result only: a complex value (``ln`` of a negative, ``asin(2)``) or a pole is "undefined",
returned as None. ``test_fuzz`` checks the table covers every function of the grammar.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol

mp = mpmath.mp


def _cbrt(u):
    return mpmath.sign(u) * mpmath.cbrt(abs(u))


def _pow(u, p):
    if u < 0 and p != mpmath.floor(p):
        raise ValueError("a negative base needs an integer exponent")
    if u == 0 and p < 0:
        raise ZeroDivisionError
    return mpmath.power(u, p)


MP: dict[str, Callable] = {
    "add": lambda *a: mpmath.fsum(a),
    "mul": lambda *a: mpmath.fprod(a),
    "pow": _pow,
    "abs": abs,
    "sign": mpmath.sign,
    "exp": mpmath.exp,
    "ln": mpmath.log,
    "log": lambda u, b: mpmath.log(u) / mpmath.log(b),
    "sqrt": mpmath.sqrt,
    "cbrt": _cbrt,
    "log1p": mpmath.log1p,
    "expm1": mpmath.expm1,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
    "cot": mpmath.cot, "sec": mpmath.sec, "csc": mpmath.csc,
    "asin": mpmath.asin, "acos": mpmath.acos, "atan": mpmath.atan,
    "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
    "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
    "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u)),
    "softplus": lambda u: mpmath.log1p(mpmath.exp(u)),
    "relu": lambda u: max(u, mpmath.mpf(0)),
    "heaviside": lambda u: mpmath.mpf(1) if u > 0 else mpmath.mpf(0),
    "maximum": max, "minimum": min, "floor": mpmath.floor, "ceil": mpmath.ceil,
    "logsumexp": lambda *a: mpmath.log(mpmath.fsum(mpmath.exp(v) for v in a)),
    "logaddexp": lambda a, b: mpmath.log(mpmath.exp(a) + mpmath.exp(b)),
}
"""mpmath's meaning of every function of the grammar (by record name)."""


def value(e: Expr, x) -> mpmath.mpf | None:
    """``e`` at ``x`` (an mpf) in the current mpmath precision; None where undefined."""
    memo: dict[Expr, object] = {}

    def go(node: Expr):
        if node in memo:
            return memo[node]
        if isinstance(node, Symbol):
            out = x
        elif isinstance(node, Const):
            out = mpmath.mpf(node.value.numerator) / node.value.denominator \
                if hasattr(node.value, "numerator") else mpmath.mpf(node.value)
        elif isinstance(node, NamedConst):
            out = +{"pi": mpmath.pi, "e": mpmath.e}[node.name]  # +: the constant as an mpf
        else:
            assert isinstance(node, Apply)
            out = MP[node.prim.name](*(go(a) for a in node.args))
        if not isinstance(out, mpmath.mpf) or not mpmath.isfinite(out):
            raise ValueError("undefined")
        memo[node] = out
        return out

    try:
        return go(e)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None


def derivative(e: Expr, x: float, dps: int = 40) -> float | None:
    """f′(x) by mpmath at ``dps`` digits (its own finite differences at that precision);
    None where f is undefined near x, the derivative is not a finite number, or it changes
    with the precision (cot(π) is a pole that only π's rounding makes finite: −2.4e42 at 40
    digits, another number at 80)."""
    first = _derivative(e, x, dps)
    if first is None:
        return None
    second = _derivative(e, x, 2 * dps)
    # 10^(−dps/2): above the differences' own noise at dps digits (1e−27 where f′ = 0)
    if second is None or abs(first - second) > 1e-10 * abs(second) + 10.0 ** (-dps // 2):
        return None
    return first


def _derivative(e: Expr, x: float, dps: int) -> float | None:
    with mpmath.workdps(dps):
        xm = mpmath.mpf(x)
        h = mpmath.mpf(10) ** (-dps // 3) * max(1, abs(xm))
        values = [value(e, xm + k * h) for k in (-2, -1, 1, 2)]
        if any(v is None for v in values):
            return None
        d = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
        # one-sided slopes: at a kink both central formulas agree on the mean of the slopes
        f0 = value(e, xm)
        if f0 is None or abs((values[2] - f0) - (f0 - values[1])) > \
                mpmath.mpf(10) ** (-dps // 4) * h * (1 + abs(d)):
            return None
        # the same with half the step: a jump or kink between the points shows as a mismatch
        h2 = h / 2
        half = [value(e, xm + k * h2) for k in (-2, -1, 1, 2)]
        if any(v is None for v in half):
            return None
        d2 = (half[0] - 8 * half[1] + 8 * half[2] - half[3]) / (12 * h2)
        if abs(d - d2) > mpmath.mpf(10) ** (-dps // 4) * (1 + abs(d)):
            return None
        return float(d)
