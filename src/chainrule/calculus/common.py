"""Small helpers shared by the calculus modules: inputs, points, numbers, safe evaluation.

>>> values_of({"x": "pi/2", "y": 1})
{'x': 1.5707963267948966, 'y': 1.0}
>>> show_number(0.36787944117144233), show_number(2.0), show_number(-1e-17)
('0.367879', '2', '0')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

from chainrule.core import build
from chainrule.core.expr import Const, Expr
from chainrule.errors import ChainruleError, DomainError

Point = Mapping[str, Any]

MAX_VARIABLES = 12
"""Most variables a gradient, Hessian or optimisation works over (a Hessian is n² entries)."""


def to_expr(value: Any) -> Expr:
    """An expression from text, a number, an Expr or a Python function of symbolic inputs."""
    from chainrule.symbolic.api import as_expression
    return as_expression(value)


def constant_expr(value: Any, what: str = "value") -> Expr:
    """A constant expression (``2``, ``"pi/2"``, ``Fraction(1, 3)``) with no free symbols.

    Integral floats become exact (``1.0 → 1``) so a Taylor polynomial about 1.0 keeps exact
    coefficients.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    e = value if isinstance(value, Expr) else (
        build.const(value) if isinstance(value, int | Fraction | float) else to_expr(value))
    if e.free_symbols():
        names = ", ".join(sorted(s.name for s in e.free_symbols()))
        raise ChainruleError(f"the {what} must be a number, but {e} depends on {names}")
    float_of(e, what)  # raises when it is undefined (ln(0), 1/0)
    return e


def float_of(e: Expr, what: str = "value") -> float:
    """The float value of a constant expression, or an error saying it is not a number."""
    try:
        v = float(e.evaluate())
    except DomainError as err:
        raise ChainruleError(f"the {what} {e} is not a number: {err}") from None
    if not math.isfinite(v):
        raise ChainruleError(f"the {what} {e} is not finite")
    return v


def values_of(point: Point, what: str = "point") -> dict[str, float]:
    """A point's coordinates as floats; values may be text such as ``"pi/2"``."""
    return {str(k): float_of(constant_expr(v, what), what) for k, v in point.items()}


def variables(expr: Expr, wrt: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The variables to differentiate by: ``wrt`` (a name, or several), else the free symbols
    in alphabetical order."""
    if wrt is None:
        names = tuple(sorted(s.name for s in expr.free_symbols()))
    elif isinstance(wrt, str):
        names = tuple(n.strip() for n in wrt.split(",") if n.strip())
    else:
        names = tuple(str(getattr(n, "name", n)) for n in wrt)
    if len(names) > MAX_VARIABLES:
        raise ChainruleError(f"{len(names)} variables is over the limit of {MAX_VARIABLES}")
    return names or ("x",)


def safe(fn: Callable[..., float]) -> Callable[..., float]:
    """``fn`` returning NaN instead of raising where the function is undefined."""
    def call(*args: float) -> float:
        try:
            return float(fn(*args))
        except (DomainError, ValueError, ZeroDivisionError, OverflowError):
            return math.nan
    return call


def compiled(expr: Expr, names: tuple[str, ...]) -> Callable[..., float]:
    """A fast scalar function of ``names`` (positional) that returns NaN outside the domain."""
    from chainrule.symbolic.compile import compile_expr
    return safe(compile_expr(expr, list(names)))


def clean(v: float, scale: float = 1.0) -> float:
    """Round away floating-point dust: values within 1e-13·scale of an integer or of a
    simple fraction (denominator ≤ 12) snap to it, and ``-0.0`` becomes ``0.0``."""
    if not math.isfinite(v):
        return v
    for q in (1, 2, 3, 4, 5, 6, 8, 10, 12):
        snapped = round(v * q) / q
        if abs(v - snapped) <= 1e-13 * max(1.0, abs(scale), abs(v)):
            return snapped + 0.0
    return v + 0.0


def show_number(v: float, digits: int = 6) -> str:
    """Short text for a number: 6 significant digits, integers without a decimal point."""
    if not math.isfinite(v):
        return str(v)
    if abs(v) < 1e-15:
        return "0"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def show_point(point: Mapping[str, float]) -> str:
    """``{"x": 1, "y": 2.5}`` → ``"x = 1, y = 2.5"``."""
    return ", ".join(f"{k} = {show_number(v)}" for k, v in point.items())


def show_exact(e: Expr) -> str:
    """Text for an exact number as a person writes it: ``e^(-1)`` shows as ``1/e``."""
    if build.is_fn(e, "exp") and isinstance(e.args[0], Const) and e.args[0].value < 0:
        k = -e.args[0].value
        return "1/e" if k == 1 else f"1/e^{k}" if isinstance(k, Fraction) and k.denominator == 1 \
            else f"1/e^({build.const(k)})"
    return str(e)


# -- exact special values the canonical builders leave alone -----------------------------

_SIN_OF_PI_MULTIPLE = {  # sin(kπ) for k in [0, 1), as (sign, radicand, denominator)
    Fraction(0): None, Fraction(1, 6): (1, 1, 2), Fraction(1, 4): (1, 2, 2),
    Fraction(1, 3): (1, 3, 2), Fraction(1, 2): (1, 1, 1), Fraction(2, 3): (1, 3, 2),
    Fraction(3, 4): (1, 2, 2), Fraction(5, 6): (1, 1, 2),
}


def _pi_multiple(e: Expr) -> Fraction | None:
    """``k`` when ``e`` is ``k·pi`` for a rational ``k`` (0 counts), else None."""
    if e is build.ZERO:
        return Fraction(0)
    if e is build.PI:
        return Fraction(1)
    if build.is_mul(e) and len(e.args) == 2 and e.args[1] is build.PI:
        k = e.args[0]
        if isinstance(k, Const) and isinstance(k.value, Fraction):
            return k.value
    return None


def _sin_pi(k: Fraction) -> Expr | None:
    """The exact value of sin(kπ), or None when it is not in the table."""
    k = k % 2
    sign = 1
    if k >= 1:
        k, sign = k - 1, -1
    if k not in _SIN_OF_PI_MULTIPLE:
        return None
    entry = _SIN_OF_PI_MULTIPLE[k]
    if entry is None:
        return build.ZERO
    _, radicand, den = entry
    root = build.power(build.const(radicand), build.HALF)
    return build.mul(build.const(Fraction(sign, den)), root)


def _special_value(node: Expr) -> Expr | None:
    if build.is_fn(node, "exp") and node.args[0] is build.ONE:
        return build.E
    for name in ("sin", "cos", "tan"):
        if build.is_fn(node, name):
            k = _pi_multiple(node.args[0])
            if k is None:
                return None
            s, c = _sin_pi(k), _sin_pi(k + Fraction(1, 2))
            if name == "sin":
                return s
            if name == "cos":
                return c
            if s is not None and c is not None and c is not build.ZERO:
                return build.div(s, c)
    return None


def tidy_constant(e: Expr) -> Expr:
    """Fold the exact values canonical form leaves unevaluated: ``e^1 → e``,
    ``sin(pi) → 0``, ``cos(pi/3) → 1/2``.

    >>> from chainrule.core.build import PI, apply
    >>> str(tidy_constant(apply("sin", PI / 6) + apply("cos", PI)))
    '-1/2'
    """
    from chainrule.core.substitute import substitute
    mapping = {}
    for node in e.walk():
        value = _special_value(node)
        if value is not None:
            mapping[node] = value
    return substitute(e, mapping) if mapping else e
