"""A corpus of smooth test functions with reference derivatives to 50 digits.

Used by the tests and ``bench/bench_numeric.py`` to measure accuracy, error-bound coverage and
cost of numerical differentiation, ours and other libraries'. Each case carries a NumPy
function (works on floats and arrays, so vectorised tools such as ``scipy.differentiate`` can
run it too) and the same function in mpmath, from which :func:`exact` gets derivatives of any
order at 50 significant digits (mpmath is needed only for that).

>>> case = cases()[0]
>>> case.name, case.x
('exp', 1.0)
>>> round(exact(case, 1), 12)
2.718281828459
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    """A function, the same function in mpmath, and a point where it is smooth."""

    name: str
    f: Callable[[Any], Any]
    mp: Callable[[Any], Any]
    x: float


def _lgamma(x: Any) -> Any:
    return np.vectorize(math.lgamma, otypes=[float])(x)[()]


def _erf(x: Any) -> Any:
    return np.vectorize(math.erf, otypes=[float])(x)[()]


def _cases() -> list[Case]:
    import mpmath as M  # noqa: N812 - reads like the maths

    def mp(name: str) -> Callable[[Any], Any]:
        return getattr(M, name)

    return [
        Case("exp", np.exp, mp("exp"), 1.0),
        Case("sin", np.sin, mp("sin"), 1.0),
        Case("cos", np.cos, mp("cos"), 0.5),
        Case("log", np.log, mp("log"), 2.0),
        Case("log near 0", np.log, mp("log"), 0.05),
        Case("sqrt", np.sqrt, mp("sqrt"), 2.0),
        Case("x^x", lambda x: x**x, lambda x: x**x, 2.0),
        Case("x^x at 1/2", lambda x: x**x, lambda x: x**x, 0.5),
        Case("sigmoid", lambda x: 1 / (1 + np.exp(-x)), lambda x: 1 / (1 + M.exp(-x)), 0.3),
        Case("tanh", np.tanh, mp("tanh"), 1.2),
        Case("atan", np.arctan, mp("atan"), 0.7),
        Case("asin", np.arcsin, mp("asin"), 0.5),
        Case("1/(1+x^2)", lambda x: 1 / (1 + x * x), lambda x: 1 / (1 + x * x), 0.8),
        Case("(x^2-1)/(x^2+x+1)", lambda x: (x * x - 1) / (x * x + x + 1),
             lambda x: (x * x - 1) / (x * x + x + 1), 1.5),
        Case("tan near pole", np.tan, mp("tan"), 1.5),
        Case("tan near -pole", np.tan, mp("tan"), -1.4),
        Case("exp(sin x)", lambda x: np.exp(np.sin(x)), lambda x: M.exp(M.sin(x)), 1.0),
        Case("x^3-2x+1", lambda x: x**3 - 2 * x + 1, lambda x: x**3 - 2 * x + 1, 1.2),
        Case("softplus", lambda x: np.log1p(np.exp(x)), lambda x: M.log(1 + M.exp(x)), -1.0),
        Case("sin(10x)", lambda x: np.sin(10 * x), lambda x: M.sin(10 * x), 0.3),
        Case("exp(-x^2)", lambda x: np.exp(-x * x), lambda x: M.exp(-x * x), 0.7),
        Case("x log x", lambda x: x * np.log(x), lambda x: x * M.log(x), 3.0),
        Case("cosh", np.cosh, mp("cosh"), 2.0),
        Case("1/x", lambda x: 1 / x, lambda x: 1 / x, 0.2),
        Case("cbrt", np.cbrt, mp("cbrt"), 2.0),
        Case("sqrt(1+x^2)", lambda x: np.sqrt(1 + x * x), lambda x: M.sqrt(1 + x * x), 3.0),
        Case("lgamma", _lgamma, mp("loggamma"), 2.5),
        Case("x^sin x", lambda x: x ** np.sin(x), lambda x: x ** M.sin(x), 2.0),
        Case("x^(1/x)", lambda x: x ** (1 / x), lambda x: x ** (1 / x), 3.0),
        Case("exp(3x)", lambda x: np.exp(3 * x), lambda x: M.exp(3 * x), 2.0),
        Case("1/(1-x)", lambda x: 1 / (1 - x), lambda x: 1 / (1 - x), 0.9),
        Case("log at 1000", np.log, mp("log"), 1000.0),
        Case("sin at 100", np.sin, mp("sin"), 100.0),
        Case("erf", _erf, mp("erf"), 0.5),
        Case("sin(x)/x", lambda x: np.sin(x) / x, lambda x: M.sin(x) / x, 0.5),
        Case("x^10", lambda x: x**10, lambda x: x**10, 1.1),
    ]


@lru_cache(maxsize=1)
def cases() -> tuple[Case, ...]:
    """The corpus (built on first use, so importing this module needs no mpmath)."""
    return tuple(_cases())


@cache
def _exact(name: str, order: int) -> float:
    import mpmath
    case = next(c for c in cases() if c.name == name)
    with mpmath.workdps(50):
        return float(mpmath.diff(case.mp, mpmath.mpf(case.x), order))


def exact(case: Case, order: int = 1) -> float:
    """The ``order``-th derivative of ``case`` at ``case.x``, from mpmath at 50 digits."""
    return _exact(case.name, order)
