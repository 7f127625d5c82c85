"""The tracing protocol: how a primitive call reaches the trace that differentiates it.

Automatic differentiation (:mod:`chainrule.autodiff`) wraps values in *traced values*
(subclasses of :class:`Traced`). Each differentiation opens a new trace *level*; a traced value
remembers its level, and its value may itself be traced at an outer level — that nesting is
how grad-of-grad and forward-over-reverse work. :func:`bind` applies a primitive: on plain
values it computes, otherwise it lets the innermost level's class record or propagate the call.

The protocol lives in ``core`` because rules and ``ops`` call it; the array behaviour of traced
values (operators, NumPy dispatch) is :class:`chainrule.autodiff.tracing.Box`'s.

>>> class Doubling(Traced):
...     @classmethod
...     def process(cls, prim, args, params, level):
...         return 2 * prim.impl(*(value_of(a) for a in args))
>>> class Square:
...     impl = staticmethod(lambda x: x * x)
>>> bind(Square, (3.0,), {}), bind(Square, (Doubling(3.0, new_level()),), {})
(9.0, 18.0)
"""

from __future__ import annotations

import itertools
from typing import Any

from chainrule.limits.budget import charge

_LEVELS = itertools.count(1)


def new_level() -> int:
    """A fresh trace level, deeper than every level opened before it."""
    return next(_LEVELS)


class Traced:
    """A value being traced at one level. Subclasses say what a primitive call does."""

    __slots__ = ("value", "level")

    def __init__(self, value: Any, level: int):
        self.value = value
        self.level = level

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        """Record or propagate ``prim(*args, **params)`` at ``level``."""
        raise NotImplementedError


def top_box(args: tuple) -> Traced | None:
    """The traced argument of the innermost (highest) level, or None."""
    best = None
    for a in args:
        if isinstance(a, Traced) and (best is None or a.level > best.level):
            best = a
    return best


def unbox(value: Any, level: int) -> Any:
    """The value under a traced value of exactly ``level``; anything else unchanged."""
    return value.value if isinstance(value, Traced) and value.level == level else value


def is_at(value: Any, level: int) -> bool:
    """True when ``value`` is traced at exactly ``level``."""
    return isinstance(value, Traced) and value.level == level


def is_traced(value: Any) -> bool:
    """True when ``value`` is traced at any level."""
    return isinstance(value, Traced)


def bind(prim: Any, args: tuple, params: dict) -> Any:
    """Apply ``prim`` to ``args``: numerically, or recorded by the innermost trace."""
    top = top_box(args)
    if top is None and params:  # a staged mask (see condition) is recorded like an argument
        top = top_box(tuple(params.values()))
    if top is None:
        return prim.impl(*args, **params)
    charge(1, "automatic differentiation")  # nested orders multiply the recorded calls
    if getattr(prim, "locally_constant", False) and not any(_complex(a) for a in args):
        # a step function's output is constant near every point where it has a derivative:
        # no tangent flows through it (0·∞ downstream would be NaN, not the true 0)
        if getattr(type(top), "staged", False):
            return type(top).process(prim, args, params, top.level)
        if is_staging():  # chainrule.jit records it (on staged values), not differentiated
            return bind(prim, tuple(condition(a) for a in args), params)
        return prim.impl(*(value_of(a) for a in args), **params)
    return type(top).process(prim, args, params, top.level)


def _complex(x: Any) -> bool:
    # complex input goes on to the trace, whose gate refuses rules that are real-only
    v = peek(x)
    return isinstance(v, complex) or getattr(getattr(v, "dtype", None), "kind", "") == "c"


def value_of(x: Any) -> Any:
    """Strip every level of tracing: the plain number or array."""
    while isinstance(x, Traced):
        x = x.value
    return x


_SLOT = Traced.value  # the raw slot: subclasses may watch reads of ``value``


def peek(x: Any) -> Any:
    """The plain value under every level, for reading its shape, dtype or type only.

    A staging trace (``chainrule.jit``) notes reads of ``value`` because a program recorded
    once must not depend on values; shape and dtype are fixed per program, so code that only
    asks for them peeks instead.

    >>> class Level(Traced):
    ...     pass
    >>> peek(Level(Level(2.5, new_level()), new_level()))
    2.5
    """
    while isinstance(x, Traced):
        x = _SLOT.__get__(x)
    return x


def condition(x: Any) -> Any:
    """A non-differentiable operand (``np.where``'s mask): its plain value — or, in a staging
    trace, the staged value that computes it, so the recorded program recomputes the mask.

    >>> class Level(Traced):
    ...     pass
    >>> condition(Level(True, new_level()))
    True
    """
    while isinstance(x, Traced) and not getattr(type(x), "staged", False):
        x = _SLOT.__get__(x)
    return x


_STAGING = [0]


class staging:
    """While a staging trace (``chainrule.jit``) records a program, rules must not branch on
    values: the recorded program runs later on other values. A rule with a value-dependent
    fast path asks :func:`is_staging` and takes its general, branch-free form instead.

    >>> with staging():
    ...     is_staging()
    True
    >>> is_staging()
    False
    """

    def __enter__(self) -> staging:
        _STAGING[0] += 1
        return self

    def __exit__(self, *exc: object) -> None:
        _STAGING[0] -= 1


def is_staging() -> bool:
    """True while a staging trace records (see :class:`staging`)."""
    return _STAGING[0] > 0
