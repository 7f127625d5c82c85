"""Conversion to and from SymPy (imported lazily: chainrule does not need it installed).

:func:`to_sympy` maps every primitive, writing those SymPy lacks in its terms (σ(u) is
``1/(1 + exp(-u))``, relu is ``Max(0, u)``, cbrt a real-branch ``Piecewise``); :func:`from_sympy`
reads SymPy's elementary functions back. Both walk each shared subexpression once.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> to_sympy(apply("sin", x) * x ** 2)
x**2*sin(x)
>>> from_sympy(to_sympy(apply("sin", x) * x ** 2)) is apply("sin", x) * x ** 2
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from chainrule._recursion import deep_recursion
from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import ChainruleError

_DIRECT = ("exp", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
           "sinh", "cosh", "tanh")
"""Primitives with a SymPy function of the same name (``sympy.sin`` ...)."""


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise ChainruleError("SymPy is not installed: pip install sympy") from None
    return sympy


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
    with deep_recursion():
        return _ToSympy(sp, real).convert(expr)


class _ToSympy:
    def __init__(self, sp: Any, real: bool) -> None:
        self.sp = sp
        self.real = real
        self.memo: dict[Expr, Any] = {}

    def convert(self, e: Expr) -> Any:
        hit = self.memo.get(e)
        if hit is None:
            hit = self.memo[e] = self._convert(e)
        return hit

    def _convert(self, e: Expr) -> Any:
        sp = self.sp
        if isinstance(e, Const):
            if isinstance(e.value, Fraction):
                return sp.Rational(e.value.numerator, e.value.denominator)
            return sp.Float(e.value)
        if isinstance(e, NamedConst):
            return {"e": sp.E, "pi": sp.pi}[e.name]
        if isinstance(e, Symbol):
            return sp.Symbol(e.name, real=True) if self.real else sp.Symbol(e.name)
        assert isinstance(e, Apply)
        return self.function(e.prim.name, [self.convert(a) for a in e.args])

    def function(self, name: str, args: list[Any]) -> Any:
        """SymPy for primitive ``name`` applied to converted ``args``."""
        sp = self.sp
        if name in _DIRECT:
            return getattr(sp, name)(*args)
        simple = {
            "add": lambda: sp.Add(*args),
            "mul": lambda: sp.Mul(*args),
            "pow": lambda: sp.Pow(*args),
            "ln": lambda: sp.log(args[0]),
            "log": lambda: sp.log(*args),
            "sqrt": lambda: sp.sqrt(args[0]),
            "abs": lambda: sp.Abs(args[0]),
            "log1p": lambda: sp.log(1 + args[0]),
            "expm1": lambda: sp.exp(args[0]) - 1,
            "sigmoid": lambda: 1 / (1 + sp.exp(-args[0])),
            "softplus": lambda: sp.log(1 + sp.exp(args[0])),
            "relu": lambda: sp.Max(0, args[0]),
            "heaviside": lambda: sp.Heaviside(args[0], 0),
            "logsumexp": lambda: sp.log(sp.Add(*(sp.exp(a) for a in args))),
            "cbrt": lambda: self.cbrt(args[0]),
        }
        make = simple.get(name)
        if make is None:
            raise ChainruleError(f"no SymPy equivalent for the primitive {name!r}")
        return make()

    def cbrt(self, u: Any) -> Any:
        """The real cube root: ``u^(1/3)`` for u ≥ 0, ``-(-u)^(1/3)`` below.

        SymPy's ``u**(1/3)`` is the complex principal root (not real for u < 0) and
        ``sign(u)·|u|^(1/3)`` differentiates to ``Derivative(sign(u))`` on plain symbols;
        this form is real everywhere and differentiates correctly for u ≠ 0.
        """
        sp = self.sp
        third = sp.Rational(1, 3)
        return sp.Piecewise((u**third, u >= 0), (-((-u) ** third), True))


# -- SymPy → chainrule -------------------------------------------------------------------

_UNARY = {"exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec",
          "csc": "csc", "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh",
          "cosh": "cosh", "tanh": "tanh", "Abs": "abs"}
"""SymPy function class name → chainrule primitive, for one-argument functions."""


def from_sympy(sympy_expr: Any) -> Expr:
    """The chainrule expression equal to a SymPy expression of elementary functions.

    ``log(u)/log(b)`` with a numeric base reads back as ``log(u, b)`` (SymPy has no
    two-argument log node); ``Max(0, u)`` as ``relu(u)``, ``Heaviside(u, 0)`` as
    ``heaviside(u)``. Anything else raises a :class:`ChainruleError` naming the function.

    >>> import sympy
    >>> str(from_sympy(sympy.sympify("x**2 + sin(x)/2")))
    'x^2 + sin(x)/2'
    """
    sp = _sympy()
    with deep_recursion():
        return _FromSympy(sp).convert(sp.sympify(sympy_expr))


class _FromSympy:
    def __init__(self, sp: Any) -> None:
        self.sp = sp
        self.memo: dict[Any, Expr] = {}

    def convert(self, s: Any) -> Expr:
        hit = self.memo.get(s)
        if hit is None:
            hit = self.memo[s] = self._convert(s)
        return hit

    def _convert(self, s: Any) -> Expr:
        sp = self.sp
        if s.is_Number:
            return self.number(s)
        if s is sp.E:
            return build.E
        if s is sp.pi:
            return build.PI
        if s.is_Symbol:
            return build.symbol(s.name)
        if s.is_Add:
            return build.add(*(self.convert(a) for a in s.args))
        if s.is_Mul:
            return self.product(s)
        if s.is_Pow:
            return build.power(self.convert(s.base), self.convert(s.exp))
        return self.function(s)

    def number(self, s: Any) -> Expr:
        if s.is_Rational:
            return build.const(Fraction(int(s.p), int(s.q)))
        if s.is_Float:
            return build.const(float(s))
        raise ChainruleError(f"the SymPy number {s} has no chainrule equivalent")

    def product(self, s: Any) -> Expr:
        """A product; ``c·log(u)·log(b)^-1`` with a numeric ``b`` becomes ``c·log(u, b)``."""
        args = list(s.args)
        base = self._log_base_factor(args)
        logs = [a for a in args if isinstance(a, self.sp.log)]
        if base is None or len(logs) != 1:
            return build.mul(*(self.convert(a) for a in args))
        args.remove(base)
        args.remove(logs[0])
        u, b = self.convert(logs[0].args[0]), self.convert(base.base.args[0])
        return build.mul(build.apply("log", u, b), *(self.convert(a) for a in args))

    def _log_base_factor(self, args: list[Any]) -> Any:
        """The one factor ``log(b)^-1`` with a positive number ``b ≠ 1``, or None."""
        found = [a for a in args
                 if a.is_Pow and a.exp == -1 and isinstance(a.base, self.sp.log)
                 and a.base.args[0].is_Number and a.base.args[0].is_positive]
        return found[0] if len(found) == 1 else None

    def function(self, s: Any) -> Expr:
        sp = self.sp
        name = type(s).__name__
        args = s.args
        if name in _UNARY and len(args) == 1:
            return build.apply(_UNARY[name], self.convert(args[0]))
        if name == "log" and len(args) in (1, 2):
            if len(args) == 1:
                return build.apply("ln", self.convert(args[0]))
            return build.apply("log", *(self.convert(a) for a in args))
        if name == "Max" and len(args) == 2 and sp.S.Zero in args:
            other = args[1] if args[0] == 0 else args[0]
            return build.apply("relu", self.convert(other))
        if name == "Heaviside" and len(args) == 2 and args[1] == 0:
            return build.apply("heaviside", self.convert(args[0]))
        if getattr(s, "is_NumberSymbol", False) or s.is_number and not args:
            raise ChainruleError(f"the SymPy constant {s} has no chainrule equivalent")
        raise ChainruleError(f"the SymPy function {name} has no chainrule equivalent")
