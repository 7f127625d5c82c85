"""The names the parser knows: functions (primitives and aliases), constants, and name checks.

Every registered symbolic primitive written as a function (not ``add``/``mul``/``pow``,
written ``+ * ^``; not array-only primitives such as ``sum`` or ``matmul``) is a function name,
with the aliases its record lists (``arcsin`` for ``asin``), plus ``log`` (natural log with one
argument, base ``b`` with two), ``log10`` and ``log2``.

>>> FUNCTIONS()["log10"].build([symbol("x")])
Expr('log(x, 10)')
>>> try:
...     check_name("sinx", followed_by_paren=False)
... except ParseError as err:
...     print(err.message, "/", err.hint)
'sinx' begins with the function name 'sin' / did you mean "sin x"?
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from chainrule.core import build
from chainrule.core.abstract import abstract_function
from chainrule.core.build import symbol  # noqa: F401  (used by the doctest)
from chainrule.core.expr import Expr
from chainrule.core.primitive import Primitive
from chainrule.core.registry import all_primitives
from chainrule.errors import ParseError

CONSTANTS: dict[str, Expr] = {"e": build.E, "pi": build.PI, "π": build.PI}
"""Names that denote constants rather than variables."""

NOT_NUMBERS = frozenset({"inf", "infinity", "nan"})
"""Names refused because people mean them as numbers chainrule does not hold."""


_GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "chi",
          "psi", "omega"]
_SIMPLE_NAME = re.compile(r"(?:[^\W\d_]|" + "|".join(_GREEK) + r")[0-9]*(?:_\w*)?", re.I)


@dataclass(frozen=True)
class Function:
    """How a function name turns its arguments into a node."""

    name: str
    min_args: int
    max_args: int | None  # None: any number (logsumexp)
    build: Callable[[list[Expr]], Expr]
    inverse: str | None = None  # the name of the inverse function, for hints

    def arity_error(self, got: int) -> str | None:
        """The message for a wrong argument count, or None when ``got`` is fine."""
        if got >= self.min_args and (self.max_args is None or got <= self.max_args):
            return None
        if self.max_args is None:
            want = f"at least {self.min_args} argument{'s' * (self.min_args != 1)}"
        elif self.min_args == self.max_args:
            want = f"{self.min_args} argument{'s' * (self.min_args != 1)}"
        else:
            want = f"{self.min_args} or {self.max_args} arguments"
        return f"{self.name} takes {want}, got {got}"

    def inverse_hint(self, power_text: str) -> str:
        """Hint for ``sin^-1 x``: the inverse function, or the reciprocal written plainly."""
        reciprocal = f"({self.name} x)^{power_text} for the reciprocal"
        if self.inverse is None:
            return f"write {reciprocal}"
        return f"write {self.inverse}(x) for the inverse, or {reciprocal}"


def _primitive_function(written: str, prim: Primitive) -> Function:
    def make(args: list[Expr]) -> Expr:
        return build.apply(prim, *args)
    inverse = prim.inverse.name if prim.inverse is not None else None
    if prim.arity is None:
        return Function(written, 1, None, make, inverse)
    return Function(written, prim.arity, prim.arity, make, inverse)


def _log(args: list[Expr]) -> Expr:
    return build.apply("ln", args[0]) if len(args) == 1 else build.apply("log", *args)


def _log_base(base: int) -> Callable[[list[Expr]], Expr]:
    return lambda args: build.apply("log", args[0], build.const(base))


@cache
def FUNCTIONS() -> dict[str, Function]:  # noqa: N802  (a constant table, built lazily)
    """Every function name the parser accepts, with its arity and builder."""
    table: dict[str, Function] = {}
    for prim in all_primitives().values():
        for written in prim.names:  # none for operators and array-only primitives
            table[written] = _primitive_function(written, prim)
    table["log"] = Function("log", 1, 2, _log)
    table["log10"] = Function("log10", 1, 1, _log_base(10))
    table["log2"] = Function("log2", 1, 1, _log_base(2))
    return table


def _hyperbolic_names() -> str:
    """``sinh, cosh, tanh, asinh, acosh and atanh``: the family, read from the records."""
    names = [p.name for p in all_primitives().values()
             if p.text.family == "hyperbolic" and p.is_function]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _longest_function_prefix(name: str) -> str | None:
    best = None
    for fn in FUNCTIONS():
        if name.startswith(fn) and len(fn) < len(name) and (best is None or len(fn) > len(best)):
            best = fn
    return best


def abstract_call(name: str) -> Function:
    """How ``f(u)`` builds the abstract function ``f`` at u (one argument)."""
    prim = abstract_function(name)
    return Function(name, 1, 1, lambda args: build.apply(prim, *args))


def check_name(name: str, followed_by_paren: bool, column: int | None = None,
               text: str | None = None) -> None:
    """Refuse a variable name that is probably a mistake; return quietly when it is fine.

    ``inf``/``nan`` are not numbers here; ``sinx`` is not the symbol ``sinx`` (nor
    ``s·i·n·x``) but an error; a multi-letter name written like a call, ``foo(x)``, is an
    unknown function (single letters multiply: ``x(x + 1)``).
    """
    def fail(message: str, hint: str) -> ParseError:
        return ParseError(message, column=column, hint=hint, text=text)

    lower = name.lower()
    if lower in NOT_NUMBERS:
        raise fail(f"'{name}' is not a number", "only finite numbers can be used")
    if lower != name and lower in FUNCTIONS():  # "Sin x" is not the symbol Sin times x
        raise fail(f"unknown name '{name}'", f'did you mean "{lower}"? function names are '
                   "lower case")
    prefix = _longest_function_prefix(name)
    if prefix is not None:
        rest = name[len(prefix):]
        if rest == "h":  # coth, sech...: hyperbolic functions chainrule does not have
            raise fail(f"unknown function '{name}'", "of the hyperbolic functions chainrule "
                       f"has {_hyperbolic_names()}; write others with exp")
        if prefix == "log" and rest.isdigit():
            hint = f"write log(x, {rest}) for the base-{rest} logarithm"
        else:
            hint = f'did you mean "{prefix} {rest}"?'
        raise fail(f"'{name}' begins with the function name '{prefix}'", hint)
    if followed_by_paren and not _SIMPLE_NAME.fullmatch(name):
        hint = (f'did you mean "{lower}"?' if lower in CONSTANTS
                else f'to multiply, write "{name}*(...)"')
        raise fail(f"unknown function '{name}'", hint)
