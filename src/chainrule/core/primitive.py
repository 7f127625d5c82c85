"""The record every primitive is: one entry of the single derivative-rule table.

A :class:`Primitive` holds everything any part of chainrule knows about one function: its
name and arity, a NumPy implementation, its input domain, how to print it, the text that
explains its rule, and its **derivative rule per argument written in chainrule's own
operations** (:mod:`chainrule.core.ops`). Because the rule is written with our ops, the same
function applied to expression nodes gives the symbolic derivative and applied to arrays gives
the numeric partials that automatic differentiation multiplies by tangents / cotangents.

>>> from chainrule.core.registry import get
>>> from chainrule.core.build import symbol
>>> sin = get("sin")
>>> x = symbol("x")
>>> str(sin.partial(0, (x,), sin(x)))
'cos(x)'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.core import ops
from chainrule.errors import DifferentiationError

PartialRule = Callable[[int, tuple, Any], Any]
"""``rule(i, args, ans)``: the partial derivative of ``prim(*args)`` (= ``ans``) in ``args[i]``."""


@dataclass(frozen=True)
class Domain:
    """Where a primitive is defined: a vectorised predicate on its numeric arguments."""

    check: Callable[..., Any]
    text: str  # e.g. "x > 0"

    def violated(self, *args: Any) -> Any:
        """Boolean mask (or bool) of the points outside the domain."""
        with np.errstate(all="ignore"):
            return ~np.asarray(self.check(*args), dtype=bool)


@dataclass(frozen=True)
class RuleText:
    """How a rule is named and explained to a learner."""

    name: str  # "Sine rule"
    rewrite: str  # "d/dx sin(u) = cos(u)·u′"
    family: str  # "trig", "exp_log", ...


@dataclass(frozen=True, eq=False)
class Primitive:
    """One record of the rule table. See the module docstring."""

    name: str
    arity: int | None  # None: variadic (add, mul, logsumexp)
    impl: Callable[..., Any]
    rule: PartialRule | None
    text: RuleText
    domain: Domain | None = None
    latex_name: str | None = None
    simplify: Callable[..., Any] | None = None  # exact special values: sin(0) = 0, ln(1) = 0
    needs_ans: bool = False  # the rule reuses the output (exp, tanh, sigmoid)
    extra: dict = field(default_factory=dict)
    # Array primitives that are not elementwise (sum, matmul, reshape, ...) give their
    # derivative as linear maps instead of ``rule``, still written in chainrule operations:
    # ``vjp(g, ans, args, params, need)`` → one cotangent per argument (None: not needed —
    # ``need[i]`` says whether argument i is traced, so costly unused ones are skipped);
    # ``jvp(tangents, ans, args, params)`` → the output tangent (tangents[i] None: constant).
    vjp: Callable[..., Any] | None = None
    jvp: Callable[..., Any] | None = None
    symbolic: bool = True  # False: an array operation only, not a function of the syntax

    @property
    def elementwise(self) -> bool:
        """True when the derivative is a per-argument partial applied elementwise."""
        return self.rule is not None

    def __call__(self, *args: Any, **params: Any) -> Any:
        return ops.call(self, *args, **params)

    def partial(self, i: int, args: tuple, ans: Any) -> Any:
        """∂ ans / ∂ args[i], written in chainrule operations (works on Expr and arrays)."""
        if self.rule is None:
            raise DifferentiationError(f"no derivative rule for {self.name}")
        return self.rule(i, args, ans)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


# -- shorthands that keep the table one line a rule ---------------------------------------

def unary(name: str, impl: Callable, d: Callable[[Any, Any], Any], rule: str, rewrite: str,
          family: str, **kw: Any) -> Primitive:
    """A one-argument primitive; ``d(x, ans)`` is its derivative."""
    return Primitive(name, 1, impl, lambda i, args, ans: d(args[0], ans),
                     RuleText(rule, rewrite, family), **kw)


def binary(name: str, impl: Callable, d0: Callable, d1: Callable, rule: str, rewrite: str,
           family: str, **kw: Any) -> Primitive:
    """A two-argument primitive; ``d0(x, y, ans)`` and ``d1(x, y, ans)`` are its partials."""
    parts = (d0, d1)
    return Primitive(name, 2, impl, lambda i, args, ans: parts[i](*args, ans),
                     RuleText(rule, rewrite, family), **kw)


def zero_rule(i: int, args: tuple, ans: Any) -> Any:
    """Derivative zero almost everywhere (step functions)."""
    return 0
