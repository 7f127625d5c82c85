"""Conversion to and from SymPy (imported lazily: chainrule does not need it installed).

:func:`to_sympy` maps every primitive, writing those SymPy lacks in its terms (σ(u) is
``1/(1 + exp(-u))``, relu is ``Max(0, u)``, cbrt a real-branch ``Piecewise``); :func:`from_sympy`
reads SymPy's elementary functions back. Both are one :func:`~chainrule.core.walk.rewrite`:
each shared subexpression is converted once, iteratively.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> to_sympy(apply("sin", x) * x ** 2)
x**2*sin(x)
>>> from_sympy(to_sympy(apply("sin", x) * x ** 2)) is apply("sin", x) * x ** 2
True
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

from chainrule.core import build
from chainrule.core.abstract import is_abstract
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.registry import all_primitives, get
from chainrule.core.walk import rewrite
from chainrule.errors import BudgetError, ChainruleError
from chainrule.limits import DEEP_LIMIT, deep_recursion


@functools.cache
def _sympy_names() -> dict[str, str]:
    """SymPy function name → primitive, for the records that name one (``sin``, ``Abs``)."""
    return {p.sympy: name for name, p in all_primitives().items() if isinstance(p.sympy, str)}


def _sympy_arity(name: str) -> int:
    """How many arguments the record SymPy's ``name`` reads as takes (Max: 2, sin: 1)."""
    return all_primitives()[_sympy_names()[name]].arity or 1


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise ChainruleError("SymPy is not installed: pip install sympy") from None
    return sympy


def _too_deep(what: str) -> BudgetError:
    return BudgetError(f"the expression is nested too deeply to convert {what} "
                       f"(more than about {MAX_SYMPY_DEPTH:,} levels)")


# -- chainrule → SymPy -------------------------------------------------------------------

def to_sympy(expr: Expr, *, real: bool = False) -> Any:
    """The SymPy expression equal to ``expr``.

    ``real=True`` makes the symbols real, which SymPy needs to differentiate ``Abs`` (to
    ``sign``) and to simplify; the default plain symbols keep the structure unchanged, so
    ``from_sympy(to_sympy(e)) is e`` for the primitives SymPy has.

    >>> from chainrule.core.build import symbol, apply
    >>> to_sympy(apply("sigmoid", symbol("x")))
    1/(1 + exp(-x))
    """
    sp = _sympy()
    # SymPy's constructors look down their arguments: past this depth building the SymPy
    # expression takes quadratic time or overflows, so refuse it up front.
    if rewrite(expr, _depth) > MAX_SYMPY_DEPTH:
        raise _too_deep("to SymPy")
    with deep_recursion():  # our walk is iterative, but SymPy's constructors recurse
        try:
            return rewrite(expr, _ToSympy(sp, real).node)
        except RecursionError:
            raise _too_deep("to SymPy") from None


MAX_SYMPY_DEPTH = DEEP_LIMIT // 2
"""Deepest expression converted to SymPy."""


def _depth(e: Expr, args: tuple[int, ...]) -> int:
    return 1 + max(args, default=0)


class _ToSympy:
    def __init__(self, sp: Any, real: bool) -> None:
        self.sp = sp
        self.real = real

    def node(self, e: Expr, args: tuple) -> Any:
        """SymPy for ``e``, given its arguments already converted."""
        if isinstance(e, Apply):
            if is_abstract(e.prim):
                return self.abstract(e.prim.extra["abstract"], e.prim.extra["order"], args[0])
            return self.function(e.prim.name, list(args))
        return self.leaf(e)

    def abstract(self, name: str, order: int, arg: Any) -> Any:
        """``f⁽ᵏ⁾(arg)``: SymPy's undefined function, differentiated k times at arg."""
        sp = self.sp
        f = sp.Function(name)
        if order == 0:
            return f(arg)
        if isinstance(arg, sp.Symbol):
            return sp.Derivative(f(arg), (arg, order))
        dummy = sp.Dummy("t")
        return sp.Subs(sp.Derivative(f(dummy), (dummy, order)), dummy, arg)

    def leaf(self, e: Expr) -> Any:
        sp = self.sp
        if isinstance(e, Const):
            if isinstance(e.value, Fraction):
                return sp.Rational(e.value.numerator, e.value.denominator)
            return sp.Float(e.value)  # the same double: Float(x) keeps all 53 bits
        if isinstance(e, NamedConst):
            return {"e": sp.E, "pi": sp.pi}[e.name]
        assert isinstance(e, Symbol)
        return sp.Symbol(e.name, real=True) if self.real else sp.Symbol(e.name)

    def function(self, name: str, args: list[Any]) -> Any:
        """SymPy for primitive ``name`` applied to converted ``args``."""
        make = get(name).sympy  # a SymPy function's name, or written in SymPy's terms
        if make is None:
            raise ChainruleError(f"no SymPy equivalent for the primitive {name!r}")
        if isinstance(make, str):
            return getattr(self.sp, make)(*args)
        return make(self.sp, *args)


# -- SymPy → chainrule -------------------------------------------------------------------



def from_sympy(sympy_expr: Any) -> Expr:
    """The chainrule expression equal to a SymPy expression of elementary functions.

    ``log(u)/log(b)`` with a numeric base reads back as ``log(u, b)`` (SymPy has no
    two-argument log node); ``Max(0, u)`` as ``relu(u)``, ``Heaviside(u, 0)`` as
    ``heaviside(u)``. Anything else raises a :class:`ChainruleError` naming the function.

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> str(from_sympy(x**2 + sympy.sin(x) / 2))
    'sin(x)/2 + x^2'
    """
    sp = _sympy()
    try:
        expr = sp.sympify(sympy_expr, strict=True)  # strict: no string parsing (eval)
    except sp.SympifyError:
        raise ChainruleError(f"not a SymPy expression: {sympy_expr!r}") from None
    convert = _FromSympy(sp)
    with deep_recursion():  # our walk is iterative, but SymPy's constructors recurse
        try:
            return rewrite(expr, convert.node, children=convert.enter)
        except RecursionError:
            raise _too_deep("from SymPy") from None


class _FromSympy:
    def __init__(self, sp: Any) -> None:
        self.sp = sp
        self.log_bases: dict[Any, tuple[Any, Any, list[Any]]] = {}

    def enter(self, s: Any) -> tuple[Any, ...]:
        """The SymPy nodes to convert below ``s``, after refusing a function we lack (before
        its arguments, so the error names the outermost one)."""
        if s.is_Atom:
            return ()
        self.check(s)
        parts = self._log_base_parts(s) if s.is_Mul else None
        if parts is None:
            return s.args
        self.log_bases[s] = parts  # c·log(u)/log(b): convert c..., then u and b
        return (*parts[2], parts[0], parts[1])

    def node(self, s: Any, args: tuple[Expr, ...]) -> Expr:
        """The chainrule node for ``s``, given what :meth:`enter` chose below it, converted."""
        if s.is_Atom:
            return self.atom(s)
        if s in self.log_bases:  # c·log(u)/log(b) → c·log(u, b)
            *rest, u, b = args
            return self.compound(s, [*rest, build.apply("log", u, b)])
        return self.compound(s, list(args))

    def atom(self, s: Any) -> Expr:
        sp = self.sp
        if s.is_Rational:
            return build.const(Fraction(int(s.p), int(s.q)))
        if s.is_Float:
            return build.const(float(s))
        if s is sp.E:
            return build.E
        if s is sp.pi:
            return build.PI
        if s.is_Symbol:
            return build.symbol(s.name)
        raise ChainruleError(f"the SymPy constant {s} has no chainrule equivalent")

    def check(self, s: Any) -> None:
        """Refuse, naming it, a SymPy function chainrule has no equivalent for."""
        name = type(s).__name__
        known = (s.is_Add or s.is_Mul or s.is_Pow
                 or name in _sympy_names() and len(s.args) == _sympy_arity(name)
                 or name == "log" and len(s.args) in (1, 2)
                 or name == "Max" and len(s.args) == 2 and self.sp.S.Zero in s.args
                 or name == "Heaviside" and len(s.args) == 2 and s.args[1] == 0)
        if not known:
            raise ChainruleError(f"the SymPy function {name} has no chainrule equivalent")

    def compound(self, s: Any, args: list[Expr]) -> Expr:
        """The chainrule node for SymPy node ``s`` (passed :meth:`check`), given its
        arguments converted to ``args``."""
        name = type(s).__name__
        if s.is_Add:
            return build.add(*args)
        if s.is_Mul:
            return build.mul(*args)
        if s.is_Pow:
            return build.power(*args)
        if name == "Max" and self.sp.S.Zero in s.args:
            return build.apply("relu", args[1] if s.args[0] == 0 else args[0])
        direct = _sympy_names().get(name)
        if direct is not None:
            return build.apply(direct, *args)
        if name == "log":
            return build.apply("ln" if len(args) == 1 else "log", *args)
        return build.apply("heaviside", args[0])  # Heaviside(u, 0), as check() allows

    def _log_base_parts(self, s: Any) -> tuple[Any, Any, list[Any]] | None:
        """``c·log(u)·log(b)^-1`` with one such pair and a number ``b > 0`` → (u, b, [c])."""
        log = self.sp.log
        bases = [a for a in s.args if a.is_Pow and a.exp == -1 and isinstance(a.base, log)
                 and a.base.args[0].is_Number and a.base.args[0].is_positive]
        logs = [a for a in s.args if isinstance(a, log)]
        if len(bases) != 1 or len(logs) != 1:
            return None
        rest = [a for a in s.args if a is not bases[0] and a is not logs[0]]
        return logs[0].args[0], bases[0].base.args[0], rest
