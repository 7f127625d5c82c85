"""Abstract functions: ``f(x)``, ``g(u)`` with no formula, and their derivatives ``f′``, ``f″``.

An abstract function is a record like any primitive of the rule table (a
:class:`~chainrule.core.primitive.Primitive`), made on demand and cached per name and order:
``f`` of order 0 is the function, order 1 its derivative ``f′``, and the derivative rule of
order k is order k + 1 at the same argument. So the engine's own rules give the textbook
statements: the chain rule ``f′(g(x))·g′(x)``, the product rule ``f′(x)·g(x) + f(x)·g′(x)``.
Abstract functions have no values: evaluating one is an error naming it.

>>> from chainrule.core.build import apply, symbol
>>> x = symbol("x")
>>> f = abstract_function("f")
>>> str(apply(f, x)), f.partial(0, (x,), None)
('f(x)', Expr('f′(x)'))
>>> is_abstract(f), is_abstract(abstract_function("f", 2)), abstract_function("f", 2).name
(True, True, 'f″')
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chainrule.core.build import apply
from chainrule.core.primitive import Primitive, RuleText
from chainrule.errors import DomainError

ABSTRACT_NAMES = ("f", "g", "h", "u", "v")
"""Names that, followed by ``(``, the parser reads as abstract functions."""
PRIMES = {0: "", 1: "′", 2: "″", 3: "‴"}


def prime_marks(order: int) -> str:
    """``′``, ``″``, ``‴``, then ``^(4)``…"""
    return PRIMES.get(order, f"^({order})")


@cache
def abstract_function(name: str, order: int = 0) -> Primitive:
    """The record of the abstract function ``name`` differentiated ``order`` times."""
    full = name + prime_marks(order)

    def no_value(*args: Any) -> Any:
        raise DomainError(f"{full} is an abstract function: it has no values")

    def rule(i: int, args: tuple, ans: Any) -> Any:
        return apply(abstract_function(name, order + 1), *args)

    return Primitive(full, 1, impl=no_value, rule=rule,
                     text=RuleText("Abstract function rule", f"d/dx {name}(u) = {name}′(u)·u′",
                                   "abstract"),
                     latex=full.replace("′", "'").replace("″", "''").replace("‴", "'''"),
                     mathml=full,
                     extra={"abstract": name, "order": order})


def is_abstract(prim: Any) -> bool:
    """Whether ``prim`` is an abstract function's record (of any order)."""
    return isinstance(prim, Primitive) and "abstract" in prim.extra
