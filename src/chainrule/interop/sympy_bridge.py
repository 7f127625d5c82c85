"""Conversion to and from SymPy (imported lazily: chainrule does not need it installed).

:func:`to_sympy` maps every primitive, writing those SymPy lacks in its terms (σ(u) is
``1/(1 + exp(-u))``, relu is ``Max(0, u)``, cbrt a real-branch ``Piecewise``); :func:`from_sympy`
reads SymPy's elementary functions back. Both convert each shared subexpression once and
recurse one Python frame per level, never through C.

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

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import BudgetError, ChainruleError
from chainrule.limits import DEEP_LIMIT, deep_recursion

_DIRECT = ("exp", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
           "sinh", "cosh", "tanh")
"""Primitives with a SymPy function of the same name (``sympy.sin`` ...)."""


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise ChainruleError("SymPy is not installed: pip install sympy") from None
    return sympy


def _too_deep(what: str) -> BudgetError:
    return BudgetError(f"the expression is nested too deeply to convert {what} "
                       f"(more than about {DEEP_LIMIT // 2:,} levels)")


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
        try:
            return _ToSympy(sp, real).convert(expr)
        except RecursionError:
            raise _too_deep("to SymPy") from None


class _ToSympy:
    def __init__(self, sp: Any, real: bool) -> None:
        self.sp = sp
        self.real = real
        self.memo: dict[Expr, Any] = {}

    def convert(self, e: Expr) -> Any:
        hit = self.memo.get(e)
        if hit is None:
            if isinstance(e, Apply):
                args = []
                for a in e.args:  # a loop: recursion stays in Python frames
                    args.append(self.convert(a))
                hit = self.function(e.prim.name, args)
            else:
                hit = self.leaf(e)
            self.memo[e] = hit
        return hit

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
        if name in _DIRECT:
            return getattr(self.sp, name)(*args)
        make = _BUILDERS.get(name)
        if make is None:
            raise ChainruleError(f"no SymPy equivalent for the primitive {name!r}")
        return make(self.sp, *args)


def _real_cbrt(sp: Any, u: Any) -> Any:
    """The real cube root: ``u^(1/3)`` for u ≥ 0, ``-(-u)^(1/3)`` below.

    SymPy's ``u**(1/3)`` is the complex principal root (not real for u < 0), and both
    ``real_root`` and ``sign(u)·|u|^(1/3)`` differentiate to an unevaluated
    ``Derivative(sign(u))`` on plain symbols; this form is real everywhere and differentiates
    correctly for u ≠ 0.
    """
    third = sp.Rational(1, 3)
    return sp.Piecewise((u**third, u >= 0), (-((-u) ** third), True))


_BUILDERS = {
    "add": lambda sp, *a: sp.Add(*a),
    "mul": lambda sp, *a: sp.Mul(*a),
    "pow": lambda sp, b, e: sp.Pow(b, e),
    "ln": lambda sp, u: sp.log(u),
    "log": lambda sp, u, b: sp.log(u, b),  # SymPy writes it log(u)/log(b)
    "sqrt": lambda sp, u: sp.sqrt(u),
    "cbrt": _real_cbrt,
    "abs": lambda sp, u: sp.Abs(u),
    "sign": lambda sp, u: sp.sign(u),
    "log1p": lambda sp, u: sp.log(1 + u),
    "expm1": lambda sp, u: sp.exp(u) - 1,
    "sigmoid": lambda sp, u: 1 / (1 + sp.exp(-u)),
    "softplus": lambda sp, u: sp.log(1 + sp.exp(u)),
    "relu": lambda sp, u: sp.Max(0, u),
    "heaviside": lambda sp, u: sp.Heaviside(u, 0),  # H(0) = 0, as chainrule takes it
    "logsumexp": lambda sp, *a: sp.log(sp.Add(*[sp.exp(u) for u in a])),
    "logaddexp": lambda sp, a, b: sp.log(sp.exp(a) + sp.exp(b)),
}
"""Primitive name → ``make(sympy, *args)`` for the primitives not in :data:`_DIRECT`."""


# -- SymPy → chainrule -------------------------------------------------------------------

_UNARY = {"exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec",
          "csc": "csc", "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh",
          "cosh": "cosh", "tanh": "tanh", "Abs": "abs", "sign": "sign"}
"""SymPy function class name → chainrule primitive, for one-argument functions."""


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
    with deep_recursion():
        try:
            return _FromSympy(sp).convert(expr)
        except RecursionError:
            raise _too_deep("from SymPy") from None


class _FromSympy:
    def __init__(self, sp: Any) -> None:
        self.sp = sp
        self.memo: dict[Any, Expr] = {}

    def convert(self, s: Any) -> Expr:
        hit = self.memo.get(s)
        if hit is None:
            if s.is_Atom:
                hit = self.atom(s)
            else:
                self.check(s)
                parts = self._log_base_parts(s) if s.is_Mul else None
                args = []
                for a in (s.args if parts is None else parts[2]):  # a loop: no C recursion
                    args.append(self.convert(a))
                if parts is not None:  # c·log(u)/log(b) → c·log(u, b)
                    args.append(build.apply("log", self.convert(parts[0]),
                                            self.convert(parts[1])))
                hit = self.compound(s, args)
            self.memo[s] = hit
        return hit

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
        known = (s.is_Add or s.is_Mul or s.is_Pow or name in _UNARY and len(s.args) == 1
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
        if name in _UNARY:
            return build.apply(_UNARY[name], args[0])
        if name == "log":
            return build.apply("ln" if len(args) == 1 else "log", *args)
        if name == "Max":
            return build.apply("relu", args[1] if s.args[0] == 0 else args[0])
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
