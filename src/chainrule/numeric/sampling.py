"""Evaluating the user's function safely along a line through the point of interest.

Every numerical method here differentiates a function of one variable, ``t ↦ f(x + t·u)``: for
``derivative`` u is 1, for a gradient u is a coordinate vector, for a directional derivative u
is the user's direction. :class:`Line` wraps that restriction:

* it calls ``f`` one point at a time, so scalar-only callables such as ``math.sin`` work (a
  vectorised NumPy function works the same way, it just gets a 0-d input);
* evaluations outside the domain (``DomainError``, ``ValueError``, ``ArithmeticError``, a NaN
  or ``inf``, or a complex value from a real input such as ``(-1) ** 0.5``) become NaN, which
  the methods read as "this side is not available";
* values are cached by offset, so schemes that share points pay for them once, and ``nfev``
  counts the real calls;
* :meth:`Line.offset` gives the offset actually sampled: ``(x + h) - x`` can differ from ``h``
  in floating point, and the weights are computed for the points really used.

>>> import math
>>> line = Line.scalar(math.sqrt, 4.0)
>>> float(line.value(0.0)[0]), bool(math.isnan(line.value(-5.0)[0])), line.nfev
(2.0, True, 2)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError, DomainError

#: Exceptions that mean "f is not defined here" rather than "f is broken".
OUT_OF_DOMAIN = (ArithmeticError, ValueError, DomainError)


def _expression_and_names(f: Any) -> tuple[Any, list[str]] | None:
    """(expr, sorted variable names) when ``f`` is chainrule text or an Expr, else None."""
    from chainrule.core.expr import Expr
    if isinstance(f, str):
        from chainrule.symbolic.api import parse
        f = parse(f)
    if not isinstance(f, Expr):
        return None
    return f, sorted(s.name for s in f.free_symbols())


def as_scalar_function(f: Any, wrt: str | None = None) -> Callable[[Any], Any]:
    """A Python function of one number from a callable, chainrule text or an Expr.

    >>> as_scalar_function("x^2 + 1")(3.0)
    10.0
    """
    found = _expression_and_names(f)
    if found is None:
        if not callable(f):
            raise ChainruleError(f"cannot differentiate a {type(f).__name__}: give a function "
                                 "or an expression")
        return f
    expr, names = found
    if wrt is None:
        if len(names) > 1:
            raise ChainruleError(f"{expr} has variables {', '.join(names)}; say which with wrt=")
        wrt = names[0] if names else "x"
    return lambda v: expr.evaluate(**{wrt: v})


def as_vector_function(f: Any, variables: Sequence[str] | None = None) -> Callable[[Any], Any]:
    """A Python function of a vector from a callable, chainrule text or an Expr.

    Expression variables are taken in ``variables`` order, alphabetical by default.

    >>> float(as_vector_function("x^2 + 3y^2")(np.array([1.0, 2.0])))
    13.0
    """
    found = _expression_and_names(f)
    if found is None:
        return as_scalar_function(f)
    expr, names = found
    order = list(variables) if variables is not None else names
    return lambda v: expr.evaluate(**{n: v[i] for i, n in enumerate(order)})


class Line:
    """``t ↦ f(origin + t·direction)`` with caching, failure-to-NaN and an evaluation count."""

    def __init__(self, func: Callable[[Any], Any], origin: Any, direction: Any,
                 coordinate: int | None = None):
        self.func = func
        self.origin = origin
        self.direction = direction
        self.coordinate = coordinate  # index of x moved alone (exact offsets), or None
        self.size: int | None = None  # number of outputs, known after the first success
        self.nfev = 0
        self.noise = 0.0  # absolute noise of f's values declared by the caller, if any
        self._cache: dict[float, np.ndarray] = {}

    @classmethod
    def scalar(cls, func: Callable[[Any], Any], x: float) -> Line:
        """The function of one variable itself, around ``x``."""
        return cls(func, float(x), 1.0, coordinate=-1)

    @classmethod
    def along(cls, func: Callable[[Any], Any], x: np.ndarray, direction: np.ndarray,
              coordinate: int | None = None) -> Line:
        """A function of a vector, along ``direction`` from ``x``."""
        return cls(func, np.asarray(x, dtype=float), np.asarray(direction, dtype=float),
                   coordinate)

    def _point(self, t: Any) -> Any:
        if self.coordinate == -1:
            return self.origin + t
        return self.origin + t * self.direction

    def seed(self, value: np.ndarray) -> Line:
        """Start with f(origin) already known (lines through one point share it)."""
        self._cache[0.0] = value
        self.size = value.size
        return self

    @property
    def resolution(self) -> float:
        """The smallest offset that moves the point: steps near it are quantised."""
        if self.coordinate == -1:
            return float(np.spacing(abs(self.origin)))
        if self.coordinate is not None:
            return float(np.spacing(abs(self.origin[self.coordinate])))
        size = float(np.max(np.abs(self.direction))) or 1.0
        return float(np.spacing(np.max(np.abs(self.origin)))) / size

    def offset(self, t: float) -> float:
        """The offset really sampled when asking for ``t`` (equal to ``t`` in exact arithmetic)."""
        if self.coordinate == -1:
            return (self.origin + t) - self.origin
        if self.coordinate is not None:
            base = self.origin[self.coordinate]
            return (base + t) - base
        return t

    def value(self, t: float) -> np.ndarray:
        """f at offset ``t`` as a float array; NaN where f is undefined there."""
        key = float(t)
        if key not in self._cache:
            self._cache[key] = self._evaluate(key)
        return self._cache[key]

    def _evaluate(self, t: float) -> np.ndarray:
        self.nfev += 1
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = np.asarray(self.func(self._point(t)))
        except OUT_OF_DOMAIN:
            return self._failed()
        if np.iscomplexobj(out):
            if np.any(out.imag != 0):
                return self._failed()  # a real input gave a complex value: outside the domain
            out = out.real
        arr = np.asarray(out, dtype=float).ravel()
        if self.size is None:
            self.size = arr.size
        elif arr.size != self.size:
            raise ChainruleError(f"f returned {arr.size} values here but {self.size} elsewhere")
        return np.where(np.isfinite(arr), arr, np.nan)

    def _failed(self) -> np.ndarray:
        return np.full(self.size or 1, np.nan)

    def complex_value(self, h: complex) -> np.ndarray | None:
        """f at the complex offset ``h`` (complex step), or None when f refuses complex input."""
        self.nfev += 1
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = np.asarray(self.func(self._point(h)), dtype=complex).ravel()
        except (TypeError, *OUT_OF_DOMAIN):
            return None
        if self.size is not None and out.size != self.size:
            return None
        return out if np.all(np.isfinite(out)) else None
