"""The record every primitive is: one entry of the single derivative-rule table.

A :class:`Primitive` holds everything any part of chainrule knows about one function: its
name and arity, a NumPy implementation and binding (the ufuncs traced NumPy code maps to it),
its input domain, the text that explains its rule, what compiled code calls, its LaTeX and
MathML heads and the names the parser reads, its inverse, range and exact special values,
its SymPy meaning, and its **derivative rule per argument written in chainrule's own
operations** (:mod:`chainrule.core.ops`). Array primitives give one linear map from which
the others follow (:func:`linear`: a transpose, the JVP derived). The consumers read these
fields; none keeps a table of its own. Because the rule is written with our ops, the same
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

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from chainrule.core import build, ops
from chainrule.core.expr import Const
from chainrule.errors import IncompleteRecord

DERIVE = NotImplemented
"""What a record's ``vjp`` returns for an argument whose cotangent reverse mode derives from
the record's JVP (its transpose, by a reverse pass over the JVP); a record with a ``jvp`` and
no ``vjp`` at all has every cotangent derived that way."""

PartialRule = Callable[[int, tuple, Any], Any]
"""``rule(i, args, ans)``: the partial derivative of ``prim(*args)`` (= ``ans``) in ``args[i]``."""


@dataclass(frozen=True)
class Domain:
    """Where a primitive is defined: a vectorised predicate on its numeric arguments."""

    check: Callable[..., Any]
    text: str  # e.g. "x > 0"
    # True for a one-sided quantity (sign(u), the slope of |u|): outside the domain the
    # evaluator takes the limits from both sides and answers where they agree
    one_sided: bool = False

    def violated(self, *args: Any) -> Any:
        """Boolean mask (or bool) of the points outside the domain."""
        with np.errstate(all="ignore"):
            return ~np.asarray(self.check(*args), dtype=bool)


@dataclass(frozen=True)
class Pieces:
    """A piecewise primitive: where its kinks or jumps are, and the smooth piece each side.

    ``at_kink(*args)``: vectorised mask of the arguments on a kink or jump (u = 0 for relu,
    an integer u for floor, a = b for max). ``side(at, near)``: which piece holds at the
    argument values ``near`` (a point close to ``at``): −1 or +1 for the sides of a kink, 0
    for the value on it or, for a step function off its jumps, the constant it is there.
    ``piece(args, at, side)``: the primitive on that side as an expression of its arguments
    (relu: 0 below, u above; floor(u) with u = n: n − 1 below, n above), so a derivative at
    the kink is exact branch substitution.

    >>> from chainrule.core.registry import get
    >>> relu = get("relu").pieces
    >>> bool(relu.at_kink(0.0)), relu.side((0.0,), (-1e-9,)), relu.piece(("u",), (0.0,), 1)
    (True, -1, 'u')
    """

    at_kink: Callable[..., Any]
    side: Callable[[tuple, tuple], int]
    piece: Callable[[tuple, tuple, int], Any]


def kink_at_zero(below: Callable[[Any], Any], above: Callable[[Any], Any],
                 on: Any = 0) -> Pieces:
    """The pieces of a one-argument primitive with its one kink or jump at u = 0: ``below(u)``
    for u < 0, ``above(u)`` for u > 0, the constant ``on`` where u stays 0."""
    pieces = {-1: below, 0: lambda u: on, 1: above}
    return Pieces(lambda u: np.asarray(u) == 0,
                  lambda at, near: int(np.sign(near[0])),
                  lambda args, at, side: pieces[side](args[0]))


@dataclass(frozen=True)
class RuleText:
    """How a rule is named and explained to a learner."""

    name: str  # "Sine rule"
    rewrite: str  # "d/dx sin(u) = cos(u)·u′"
    family: str  # "trig", "exp_log", ...


@dataclass(frozen=True)
class Inverse:
    """The primitive that undoes this one, and the branch where it does.

    ``name(f(x)) = x`` for x in the closed interval ``branch`` (sin → asin on [−π/2, π/2]).
    """

    name: str
    branch: tuple[float, float] = (-math.inf, math.inf)


@dataclass(frozen=True)
class PiMultiple:
    """An exact special value k·π (asin(1/2) = π/6)."""

    k: Fraction


SpecialValue = Fraction | PiMultiple


@dataclass(frozen=True, eq=False)
class Primitive:
    """One record of the rule table. See the module docstring."""

    name: str
    arity: int | None  # None: variadic (add, mul, logsumexp)
    impl: Callable[..., Any]
    rule: PartialRule | None
    text: RuleText
    domain: Domain | None = None
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
    # a piecewise primitive (abs, relu, sign, floor, max): its kinks and the piece each side
    pieces: Pieces | None = None
    # -- bindings to the outside world --------------------------------------------------
    numpy: tuple = ()  # NumPy functions (ufuncs) that are this primitive, for the tracer
    code: str | None = None  # what generated code calls on arrays ("np.sin"); None: ``impl``
    scalar_code: str | None = None  # the same for plain floats ("math.sin"); None: ``code``
    # -- printing ------------------------------------------------------------------------
    latex: str | None = None  # LaTeX head, "\\sin"
    mathml: str | None = None  # MathML head, shown in <mi>: "sin", "arcsin", "σ"
    power_on_head: bool = False  # sin²(x), not (sin x)²
    operator: str | None = None  # written as an operator (+ · ^), not as a function name
    aliases: tuple[str, ...] = ()  # further names the parser accepts (arcsin for asin)
    written: str | None = None  # the name text prints where not the record's (max: maximum)
    # SymPy: the name of its function of the same meaning ("asinh"), or, where SymPy has none,
    # ``make(sympy_module, *args)`` writing it in SymPy's terms (σ(u) = 1/(1 + e^−u)).
    sympy: str | Callable[..., Any] | None = None
    # mpmath: its function of the same meaning ("sin"), or ``make(mpmath, *args)``; the value
    # at a point in higher precision where float64 cannot give it (core/precision.py). A
    # result that is not a finite real number means undefined there.
    mpmath: str | Callable[..., Any] | None = None
    # -- mathematical facts --------------------------------------------------------------
    inverse: Inverse | None = None
    positive: bool = False  # > 0 wherever defined (exp, cosh)
    nonnegative: bool = False  # ≥ 0 wherever defined (abs, relu)
    values: Mapping[Fraction, SpecialValue] = field(default_factory=dict)  # sin(0) = 0
    # Exact values at rational multiples of π that canonical form leaves alone, for tidying
    # answers: ``at_pi_multiple(k)`` → sin(kπ) as an expression, or None when not known.
    at_pi_multiple: Callable[[Fraction], Any] | None = None
    # Batched forward mode for array primitives: ``batch(t, ans, args, params, B, prim)`` →
    # the output tangents (B, ...); None: the jvp once per direction.
    batch: Callable[..., Any] | None = None

    @property
    def elementwise(self) -> bool:
        """True when the derivative is a per-argument partial applied elementwise."""
        return self.rule is not None

    def __call__(self, *args: Any, **params: Any) -> Any:
        return ops.call(self, *args, **params)

    def partial(self, i: int, args: tuple, ans: Any) -> Any:
        """∂ ans / ∂ args[i], written in chainrule operations (works on Expr and arrays)."""
        if self.rule is None:
            raise IncompleteRecord(f"no derivative rule for {self.name}")
        return self.rule(i, args, ans)

    @property
    def locally_constant(self) -> bool:
        """True for step functions (heaviside, sign): derivative 0 wherever it exists.

        Automatic differentiation computes them on plain values, so their output carries no
        tangent at all: ``asin(H(x))`` has slope 0 where H is 1, not 0·asin′(1) = 0·∞ = NaN.
        """
        return self.rule is zero_rule

    @property
    def is_function(self) -> bool:
        """True when the syntax writes it ``name(args)`` (not an operator, not array-only)."""
        return self.symbolic and self.operator is None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the parser reads as this primitive."""
        return (self.name, *self.aliases) if self.is_function else ()

    def special_value(self, u: Any) -> Any:
        """The exact value at ``u`` from :attr:`values`, as an expression; None if not listed.

        >>> from chainrule.core.registry import get
        >>> from chainrule.core.build import const
        >>> str(get("asin").special_value(const(1)))
        'pi/2'
        """
        return exact_value(self.values, u)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


# -- shorthands that keep the table one line a rule ---------------------------------------

def unary(name: str, impl: Callable, d: Callable[[Any, Any], Any], rule: str, rewrite: str,
          family: str, **kw: Any) -> Primitive:
    """A one-argument primitive; ``d(x, ans)`` is its derivative.

    ``impl`` may be a NumPy ufunc (``np.sin``): it is then also the NumPy binding and the code
    compiled output calls. Keywords set the other fields of :class:`Primitive`.
    """
    return Primitive(name, 1, rule=lambda i, args, ans: d(args[0], ans),
                     text=RuleText(rule, rewrite, family), **_bound(impl, kw))


def binary(name: str, impl: Callable, d0: Callable, d1: Callable, rule: str, rewrite: str,
           family: str, **kw: Any) -> Primitive:
    """A two-argument primitive; ``d0(x, y, ans)`` and ``d1(x, y, ans)`` are its partials."""
    parts = (d0, d1)
    return Primitive(name, 2, rule=lambda i, args, ans: parts[i](*args, ans),
                     text=RuleText(rule, rewrite, family), **_bound(impl, kw))


def _bound(impl: Callable, kw: dict) -> dict:
    """``impl`` and the keywords, with a ufunc's binding and code and the special values."""
    if isinstance(impl, np.ufunc):
        kw.setdefault("numpy", (impl,))
        kw.setdefault("code", f"np.{impl.__name__}")
        impl = vectorised(impl)
    if kw.get("values"):
        kw["simplify"] = _with_values(kw["values"], kw.get("simplify"))
    return {"impl": impl, **kw}


def _with_values(values: Mapping, then: Callable | None) -> Callable:
    """A simplify hook giving the special values first, then ``then``'s rewrites."""
    def simplify(*args: Any) -> Any:
        value = exact_value(values, args[0])
        if value is None and then is not None:
            return then(*args)
        return value
    return simplify


def exact_value(values: Mapping[Fraction, SpecialValue], u: Any) -> Any:
    """``values[u]`` as an expression when ``u`` is an exact constant listed; else None."""
    if not (isinstance(u, Const) and u.is_exact) or u.value not in values:
        return None
    value = values[u.value]
    if isinstance(value, PiMultiple):
        return build.mul(build.const(value.k), build.PI)
    return build.const(value)


def vectorised(fn: Callable) -> Callable:
    """Wrap a NumPy function so scalars in give NumPy scalars out, warnings off.

    Not Python floats: arithmetic on those raises ZeroDivisionError where NumPy gives ±inf,
    and derivative rules do arithmetic on these values.
    """
    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            value = fn(*args)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return value[()]
        return value
    return wrapper


def linear(name: str, arity: int | None, impl: Callable, transpose: Callable, text: RuleText,
           **kw: Any) -> Primitive:
    """An array primitive linear in each argument (sum, reshape, matmul, …).

    Only the transpose is written: ``transpose(g, ans, args, params, need)`` → one cotangent per
    argument (the VJP). The JVP is derived (JAX's ``deflinear``): the primitive itself with
    each traced argument replaced by its tangent in turn, summed — for a map linear in all
    arguments together (reshape, concatenate) pass ``jointly=True`` to apply it once.
    """
    jointly = kw.pop("jointly", False)

    def jvp(tangents: list, ans: Any, args: tuple, params: dict) -> Any:
        if jointly:
            return ops.call(prim, *(np.zeros(np.shape(a)) if t is None else t
                                for t, a in zip(tangents, args, strict=True)), **params)
        out = None
        for i, t in enumerate(tangents):
            if t is not None:
                term = ops.call(prim, *args[:i], t, *args[i + 1:], **params)
                out = term if out is None else out + term
        return out

    prim = Primitive(name, arity, impl, rule=None, text=text, vjp=transpose, jvp=jvp,
                     symbolic=False, **kw)
    return prim


def zero_rule(i: int, args: tuple, ans: Any) -> Any:
    """Derivative zero almost everywhere (step functions)."""
    return 0
