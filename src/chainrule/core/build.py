"""Canonical constructors: the only way nodes are made.

Canonical form (so that equal things compare equal, by identity):

* sums and products are flattened, their arguments sorted by :attr:`Expr.sort_key`;
* like terms are collected (``2x + 3x → 5x``) and like bases combined (``x·x^-1 → 1``);
* numbers are folded, exactly where the input is exact, and only within the work budget
  (``9^9^9`` stays an unevaluated power);
* ``a − b`` is ``a + (−1)·b``, ``a / b`` is ``a·b^−1``, ``e^u`` is ``exp(u)``,
  ``sqrt(u)`` is ``u^(1/2)``;
* a number times a single sum of up to 8 terms is distributed: ``2(x + 1) → 2x + 2``.

>>> x = symbol("x")
>>> str(x * x ** -1), str(2 * (x + 1)), str((x - x) * x)
('1', '2x + 2', '0')
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import Number, combine, try_power
from chainrule.core.registry import get
from chainrule.errors import ChainruleError, DomainError

DISTRIBUTE_MAX_TERMS = 8
"""A number distributes over a sum of at most this many terms; longer sums keep it outside,
so chains like x ← 0.999·sin(x) + 0.001·x grow linearly, not quadratically."""

ZERO = Const(0)
ONE = Const(1)
NEG_ONE = Const(-1)
HALF = Const(Fraction(1, 2))
E = NamedConst("e", math.e)
PI = NamedConst("pi", math.pi)


_PRIMS: dict[str, Any] = {}
_SMALL_INTS = {i: Const(i) for i in range(-8, 9)}


def _prim(name: str):
    prim = _PRIMS.get(name)
    if prim is None:
        prim = _PRIMS[name] = get(name)
    return prim


def symbol(name: str) -> Symbol:
    """A variable. ``symbol("x")``."""
    return Symbol(name)


def symbols(names: str) -> tuple[Symbol, ...]:
    """Several variables from a space-separated string: ``x, y = symbols("x y")``."""
    return tuple(Symbol(n) for n in names.split())


def const(value: int | Fraction | float) -> Const:
    """A numeric constant, exact for ints and Fractions."""
    try:
        return Const(value)
    except ValueError as err:
        raise DomainError(str(err)) from None


def as_expr(value: Any) -> Expr:
    """Coerce a Python number (or an Expr) to an Expr."""
    if isinstance(value, Expr):
        return value
    if value.__class__ is int and value in _SMALL_INTS:  # 1/u, 2*x: rules use these most
        return _SMALL_INTS[value]
    if isinstance(value, int | float | Fraction) or hasattr(value, "__float__"):
        if not isinstance(value, int | float | Fraction):
            value = float(value)
        return const(value)
    raise TypeError(f"cannot use {type(value).__name__} in an expression")


def is_mul(e: Expr) -> bool:
    return isinstance(e, Apply) and e.prim.name == "mul"


def is_add(e: Expr) -> bool:
    return isinstance(e, Apply) and e.prim.name == "add"


def is_pow(e: Expr) -> bool:
    return isinstance(e, Apply) and e.prim.name == "pow"


def is_fn(e: Expr, name: str) -> bool:
    return isinstance(e, Apply) and e.prim.name == name


# -- sums --------------------------------------------------------------------------------

def split_coeff(term: Expr) -> tuple[Number, Expr]:
    """``3x·y → (3, x·y)``; a term with no numeric factor has coefficient 1."""
    if is_mul(term) and isinstance(term.args[0], Const):
        rest = term.args[1:]
        return term.args[0].value, rest[0] if len(rest) == 1 else Apply(_prim("mul"), rest)
    return Fraction(1), term


def _with_coeff(c: Number, rest: Expr) -> Expr:
    if c == 1:
        return rest
    if is_mul(rest):
        return Apply(_prim("mul"), (const(c), *rest.args))
    return Apply(_prim("mul"), (const(c), rest))


def add(*terms: Any) -> Expr:
    """Canonical sum."""
    constant: Number = Fraction(0)
    coeffs: dict[Expr, Number] = {}
    alone: dict[Expr, Expr] = {}  # the term itself, while its part without a number is unique
    stack = [as_expr(t) for t in reversed(terms)]
    while stack:
        t = stack.pop()
        if is_add(t):
            stack.extend(reversed(t.args))
        elif isinstance(t, Const):
            constant = combine(constant, t.value, "+")
        else:
            c, rest = split_coeff(t)
            if rest in coeffs:
                coeffs[rest] = combine(coeffs[rest], c, "+")
                alone.pop(rest, None)
            else:
                coeffs[rest], alone[rest] = c, t
    out = [alone.get(rest) or _with_coeff(c, rest) for rest, c in coeffs.items() if c != 0]
    if constant != 0:
        out.append(const(constant))
    if not out:
        return const(constant)
    if len(out) == 1:
        return out[0]
    out.sort(key=_key)
    return Apply(_prim("add"), tuple(out))


def _key(e: Expr) -> tuple:
    return e.sort_key


def sub(a: Any, b: Any) -> Expr:
    """``a − b`` as ``a + (−1)·b``."""
    return add(a, neg(b))


def neg(a: Any) -> Expr:
    """``−a`` as ``(−1)·a``."""
    return mul(NEG_ONE, a)


# -- products ----------------------------------------------------------------------------

def as_base_exp(e: Expr) -> tuple[Expr, Expr]:
    """View a factor as a power: ``x^3 → (x, 3)``, ``exp(u) → (e, u)``, ``y → (y, 1)``."""
    if is_pow(e):
        return e.args[0], e.args[1]
    if is_fn(e, "exp"):
        return E, e.args[0]
    return e, ONE


def mul(*factors: Any) -> Expr:
    """Canonical product."""
    if len(factors) == 2:
        fast = _mul_one_more(*factors)
        if fast is not None:
            return fast
    coeff: Number = Fraction(1)
    powers: dict[Expr, list[Expr]] = {}
    stack = [as_expr(f) for f in reversed(factors)]
    while stack:
        f = stack.pop()
        if is_mul(f):
            stack.extend(reversed(f.args))
        elif isinstance(f, Const):
            coeff = combine(coeff, f.value, "*")
        else:
            base, e = as_base_exp(f)
            powers.setdefault(base, []).append(e)
    if coeff == 0:
        return const(coeff)
    out: list[Expr] = []
    pending = list(powers.items())
    while pending:
        base, exps = pending.pop()
        p = power(base, exps[0] if len(exps) == 1 else add(*exps))
        if isinstance(p, Const):
            coeff = combine(coeff, p.value, "*")
        elif is_mul(p):  # e.g. sqrt(xy)·sqrt(xy) = xy
            for f in p.args:
                if isinstance(f, Const):
                    coeff = combine(coeff, f.value, "*")
                else:
                    out.append(f)
        else:
            out.append(p)
    return _assemble_product(coeff, out)


def product_bases(p: Apply) -> frozenset:
    """The bases of a canonical product's factors (cached on the node)."""
    if p.bases is None:
        p.bases = frozenset(as_base_exp(f)[0] for f in p.args if not isinstance(f, Const))
    return p.bases


def _mul_one_more(a: Any, b: Any) -> Expr | None:
    """Fast path: a canonical product times factors whose bases it lacks.

    Chains such as the chain rule through a 400-deep nest multiply a long product by one or
    two new factors at a time; inserting them in sorted place (and multiplying coefficients)
    keeps that linear instead of re-canonicalising every factor each time.
    None means "not this case": the general algorithm decides.
    """
    if not isinstance(a, Expr) or not isinstance(b, Expr):
        return None
    if is_mul(a) and (not is_mul(b) or len(a.args) >= len(b.args)):
        big, small = a, b
    elif is_mul(b):
        big, small = b, a
    elif isinstance(a, Const) or isinstance(b, Const):
        return _scaled(a, b) if isinstance(a, Const) else _scaled(b, a)
    else:
        return None
    args = list(big.args)
    coeff: Number = args.pop(0).value if isinstance(args[0], Const) else Fraction(1)
    bases = set(product_bases(big))
    for f in (small.args if is_mul(small) else (small,)):
        if isinstance(f, Const):
            coeff = combine(coeff, f.value, "*")
            continue
        base, _ = as_base_exp(f)
        if base in bases:
            return None
        bases.add(base)
        bisect.insort(args, f, key=_key)
    if coeff == 0 or (len(args) == 1 and coeff != 1 and is_add(args[0])):
        return None
    if len(args) == 1 and coeff == 1:
        return args[0]
    if coeff != 1:
        args.insert(0, const(coeff))
    node = Apply(_prim("mul"), tuple(args))
    if node.bases is None:
        node.bases = frozenset(bases)
    return node


def _scaled(c: Const, f: Expr) -> Expr | None:
    """``c·f`` where the general path would keep ``f`` as it is (a symbol, a function, a power
    of one): what derivatives build most (``i·(x+i)^-1``); None for anything else."""
    if c is ONE:
        return f
    if isinstance(f, Const) or c is ZERO or not _settled(f) or (
            isinstance(c.value, float) and c.value in (0.0, 1.0)):
        return None
    node = Apply(_prim("mul"), (c, f))
    if node.bases is None:
        node.bases = frozenset((as_base_exp(f)[0],))
    return node


def _settled(f: Expr) -> bool:
    # a symbol, a function, a power of a symbol, sum or function: power() rebuilds it as it is
    unsettled = ("mul", "pow", "exp") if is_pow(f) else ("add", "mul", "exp")
    if is_pow(f):
        f = f.args[0]
    return isinstance(f, Symbol) or (isinstance(f, Apply) and f.prim.name not in unsettled)


def _assemble_product(coeff: Number, out: list[Expr]) -> Expr:
    if coeff == 0:
        return const(coeff)
    if not out:
        return const(coeff)
    if len(out) == 1:
        if coeff == 1:
            return out[0]
        if is_add(out[0]) and len(out[0].args) <= DISTRIBUTE_MAX_TERMS:
            # 2(x + 1) -> 2x + 2: a number distributes over one (short) sum
            return add(*(mul(const(coeff), t) for t in out[0].args))
    out.sort(key=_key)
    if coeff != 1:
        out.insert(0, const(coeff))
    node = Apply(_prim("mul"), tuple(out))
    if node.bases is None:
        node.bases = frozenset(as_base_exp(f)[0] for f in out if not isinstance(f, Const))
    return node


def div(a: Any, b: Any) -> Expr:
    """``a / b`` as ``a·b^−1``."""
    return mul(a, power(b, NEG_ONE))


# -- powers ------------------------------------------------------------------------------

def _is_int_const(e: Expr) -> bool:
    return isinstance(e, Const) and isinstance(e.value, Fraction) and e.value.denominator == 1


def power(base: Any, exp: Any) -> Expr:
    """Canonical power ``base ^ exp``, folded when both are numbers and the budget allows."""
    base, exp = as_expr(base), as_expr(exp)
    # exact 0 and 1 are the nodes ZERO and ONE: no Fraction comparison for other exponents
    if isinstance(exp, Const) and (exp is ZERO or exp is ONE or isinstance(exp.value, float)):
        if exp.value == 0:
            return ONE
        if exp.value == 1:
            return base
    if isinstance(base, Const):
        return _const_base_power(base, exp)
    if base is E:
        return apply(_prim("exp"), exp)
    if is_fn(base, "exp"):  # (e^u)^v = e^(uv) for real u, v
        return apply(_prim("exp"), mul(base.args[0], exp))
    if _is_int_const(exp) and not (_AS_TYPED.get() and _kept_as_typed(base, exp)):
        if is_pow(base):  # (x^a)^n = x^(an) for integer n
            return power(base.args[0], mul(base.args[1], exp))
        if is_mul(base):  # (2x)^2 = 4x^2 for integer n
            return mul(*(power(f, exp) for f in base.args))
    return Apply(_prim("pow"), (base, exp))


_AS_TYPED: ContextVar[bool] = ContextVar("as_typed", default=False)


@contextmanager
def as_typed() -> Iterator[None]:
    """Within it, a whole power of a quotient or product of non-monomials keeps its shape:
    ``((x+1)/(x-1))^3`` stays a cube of a quotient (not ``(x+1)^3/(x-1)^3``), so steps
    differentiate what the learner typed. Division (the power −1) still distributes, and so
    do ``(2x)^3`` and ``(x^2)^3``.

    >>> x = symbol("x")
    >>> str(power(x / (x - 1), 3))
    'x^3/(x - 1)^3'
    >>> with as_typed():
    ...     str(power(x / (x - 1), 3))
    '(x/(x - 1))^3'
    """
    token = _AS_TYPED.set(True)
    try:
        yield
    finally:
        _AS_TYPED.reset(token)


def _kept_as_typed(base: Expr, exp: Const) -> bool:
    """A power a learner solves by the chain rule: of a product or quotient with a factor
    that is not a monomial (``((x+1)/(x-1))^3``, not ``(2x)^3``); never a plain division."""
    if not is_mul(base) or exp.value == -1:
        return False
    return not all(_monomial(f) for f in base.args)


def _monomial(f: Expr) -> bool:
    if is_pow(f):
        f = f.args[0]
    return isinstance(f, Const | Symbol | NamedConst)


def _const_base_power(base: Const, exp: Expr) -> Expr:
    if base.value == 1:
        return ONE
    if base.value == 0:
        if isinstance(exp, Const) and exp.value < 0:
            raise DomainError("division by zero (0 raised to a negative power)")
        if isinstance(exp, Const):
            return ZERO
    if isinstance(exp, Const):
        folded = try_power(base.value, exp.value)
        if folded is not None:
            return const(folded)
    return Apply(_prim("pow"), (base, exp))


# -- functions ---------------------------------------------------------------------------

def apply(prim: Any, *args: Any) -> Expr:
    """A primitive applied to arguments, with its exact special values folded.

    ``prim`` is a :class:`~chainrule.core.primitive.Primitive` or a registered name.

    >>> str(apply("ln", ONE)), str(apply("sin", symbol("x")))
    ('0', 'sin(x)')
    """
    if isinstance(prim, str):
        prim = _prim(prim)
    args = tuple(as_expr(a) for a in args)
    if prim.name == "add":
        return add(*args)
    if prim.name == "mul":
        return mul(*args)
    if prim.name == "pow":
        return power(*args)
    if not prim.symbolic and prim.simplify is None:
        raise ChainruleError(f"{prim.name} is an array operation with no symbolic form")
    if prim.arity is not None and len(args) != prim.arity:
        raise ChainruleError(f"{prim.name} takes {prim.arity} argument(s), got {len(args)}")
    if prim.simplify is not None:
        folded = prim.simplify(*args)
        if folded is not None:
            return as_expr(folded)
    if all(isinstance(a, Const) for a in args) and any(not a.is_exact for a in args):
        value = _fold_float(prim, args)
        if value is not None:
            return const(value)
    return Apply(prim, args)


def _fold_float(prim: Any, args: tuple[Const, ...]) -> float | None:
    import numpy as np
    vals = [float(a.value) for a in args]
    if prim.domain is not None and bool(np.any(prim.domain.violated(*vals))):
        return None
    with np.errstate(all="ignore"):
        out = float(prim.impl(*vals))
    return out if math.isfinite(out) else None
