"""Number arithmetic for constant folding: exact rationals, floats, and bounded powers.

Exact input stays exact (``1/3`` is a ``Fraction``); a float anywhere makes the result a float.
Powers are the only operation that can blow up, so :func:`try_power` refuses to fold a power
whose exact result would exceed :data:`chainrule.limits.MAX_EXACT_BITS` bits, and the caller
keeps it unevaluated — that is why ``9^9^9^9`` parses in microseconds.
"""

from __future__ import annotations

import math
from fractions import Fraction

from chainrule.errors import DomainError
from chainrule.limits import MAX_EXACT_BITS

Number = Fraction | float


def normalize(value: int | Fraction | float) -> Number:
    """Return ``value`` as a ``Fraction`` (exact) or ``float`` (inexact).

    >>> normalize(3), normalize(0.5)
    (Fraction(3, 1), 0.5)
    """
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number chainrule can hold as a constant")
    return 0.0 if value == 0.0 else value


def is_integer(value: Number) -> bool:
    return isinstance(value, Fraction) and value.denominator == 1


def to_float(value: Number) -> float:
    """``float(value)``, or a :class:`DomainError` naming the number when it is beyond float64.

    >>> to_float(Fraction(1, 4))
    0.25
    """
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(value.numerator))) - len(str(value.denominator))
        raise DomainError(f"a number of about 10^{digits} is used together with a decimal "
                          "(float) number, and floats stop at about 1.8e308; write the "
                          "decimal as a fraction (0.5 → 1/2) to keep it exact") from None


def combine(a: Number, b: Number, op: str) -> Number:
    """Add or multiply two numbers, exact when both are exact."""
    if isinstance(a, float) or isinstance(b, float):
        a, b = to_float(a), to_float(b)
    out = a + b if op == "+" else a * b
    if isinstance(out, float) and not math.isfinite(out):
        raise DomainError(f"{format_number(a)} {op} {format_number(b)} overflows a float "
                          "(floats stop at about 1.8e308); write decimals as fractions to "
                          "keep the arithmetic exact")
    return out


def _bits(value: Fraction) -> int:
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length(), 1)


def _exact_root(value: Fraction, n: int) -> Fraction | None:
    """The exact n-th root of a non-negative rational, or None when it is irrational."""
    if value < 0:
        return None
    num = _int_root(value.numerator, n)
    den = _int_root(value.denominator, n)
    if num is None or den is None:
        return None
    return Fraction(num, den)


def _int_root(k: int, n: int) -> int | None:
    if k < 2:
        return k
    if n >= k.bit_length():  # 2^n > k already: no whole root, and cand**n would be huge
        return None
    guess = round(k ** (1.0 / n)) if k.bit_length() < 1000 else None
    if guess is None:
        return None
    for cand in (guess - 1, guess, guess + 1):
        if cand >= 0 and cand**n == k:
            return cand
    return None


def try_power(base: Number, exp: Number) -> Number | None:
    """Fold ``base ** exp`` when the result is a representable, bounded number.

    Returns None when the power must stay symbolic: too large to hold exactly, irrational
    (``2^(1/2)``), undefined (``0^-1``) or not real (``(-1)^(1/2)``).

    >>> try_power(Fraction(4), Fraction(1, 2))
    Fraction(2, 1)
    >>> try_power(Fraction(9), Fraction(387420489)) is None
    True
    """
    if isinstance(base, float) or isinstance(exp, float):
        return _float_power(to_float(base), to_float(exp))
    if base == 0:
        return Fraction(0) if exp > 0 else (Fraction(1) if exp == 0 else None)
    if exp.denominator == 1:
        return _exact_int_power(base, exp.numerator)
    root = _exact_root(abs(base), exp.denominator) if base > 0 else None
    if root is None:
        return None
    return _exact_int_power(root, exp.numerator)


def _exact_int_power(base: Fraction, n: int) -> Fraction | None:
    if base in (1, 0):
        return base
    if base == -1:
        return Fraction(1 if n % 2 == 0 else -1)
    if _bits(base) * abs(n) > MAX_EXACT_BITS:
        return None
    return base**n


def _float_power(base: float, exp: float) -> float | None:
    if base < 0 and not float(exp).is_integer():
        return None
    if base == 0 and exp < 0:
        return None
    try:
        out = math.pow(base, exp)
    except (OverflowError, ValueError):
        return None
    return out if math.isfinite(out) else None


def format_number(value: Number) -> str:
    """Text for a number that our parser reads back to the same value.

    >>> format_number(Fraction(3, 4)), format_number(2.0), format_number(1e-20)
    ('3/4', '2.0', '1e-20')
    """
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))
