"""Complex-step differentiation for functions that are analytic and accept complex input.

For real-analytic f, ``f(x + ih) = f(x) + ih f′(x) - h² f″(x)/2 - ih³ f‴(x)/6 + ...``, so
``Im f(x + ih) / h`` is f′(x) with error ``h² f‴/6`` and **no subtraction**: h can be 1e-20
and the result is accurate to a few ulps (Squire & Trapp 1998; Martins, Sturdza & Alonso 2003).

For the second derivative, with ``ω = e^{iπ/4}`` (so ``ω² = i``),
``Im[f(x + ωh) + f(x - ωh)] / h² = f″(x) - f⁽⁶⁾(x) h⁴/360 + ...`` (Lai & Crassidis 2008): the
odd terms cancel exactly, the first-derivative terms cancel in the imaginary part, and the
error series runs in h⁴, which Richardson extrapolation removes. Higher orders fall back to
real differences.

The method is wrong, silently, for functions that are not analytic (abs, max, comparisons) or
that drop imaginary parts; the caller cross-checks against real differences.

>>> import cmath
>>> value, error, step = complex_first(_line(cmath.exp), scale=1.0)
>>> bool(abs(value[0] - 2.718281828459045) <= error[0] < 1e-13)
True
"""

from __future__ import annotations

import cmath

import numpy as np

from chainrule.numeric.richardson import NOISE, RATIO, SAFETY, SAFETY_ROUND, Best, Tableau
from chainrule.numeric.sampling import Line

OMEGA = cmath.exp(1j * cmath.pi / 4)


def _line(func) -> Line:
    """A line through x = 1 (for the doctests)."""
    return Line.scalar(func, 1.0)


def complex_first(line: Line, scale: float) -> tuple[np.ndarray, np.ndarray, float] | None:
    """``Im f(x + ih)/h`` with a bound; None when f refuses complex input.

    The step is tiny (2⁻⁶⁶ ≈ 1.4e-20 times the scale), so truncation is nil; the bound covers
    rounding (a few ulps of the derivative and of ``f/scale``, for cancellation inside f) and
    the change seen at a second step 1.5 times larger, which samples that rounding.
    """
    h1 = scale * 2.0**-66
    h2 = 1.5 * h1
    z1, z2 = line.complex_value(1j * h1), line.complex_value(1j * h2)
    if z1 is None or z2 is None:
        return None
    d1, d2 = z1.imag / h1, z2.imag / h2
    error = SAFETY * np.abs(d1 - d2) + SAFETY_ROUND * NOISE * (np.abs(d1) + np.abs(z1.real)
                                                               / scale)
    return d1, error, h1


def complex_second(line: Line, h0: float, h_min: float) -> Best | None:
    """f″ from ``Im[f(x+ωh) + f(x-ωh)]/h²`` with Richardson extrapolation in h⁴."""
    tab = Tableau([4 * (i + 1) for i in range(6)])
    h = h0
    while h >= h_min:
        plus, minus = line.complex_value(OMEGA * h), line.complex_value(-OMEGA * h)
        if plus is None or minus is None:
            break  # f refuses complex input (or is singular there): use what we have
        value = (plus.imag + minus.imag) / h**2
        rounding = (NOISE * (np.abs(plus) + np.abs(minus)) + 2 * line.noise) / h**2
        tab.add(h, value, rounding)
        if tab.should_stop(2, 1e-12):
            break
        h /= RATIO
    return tab.best()
