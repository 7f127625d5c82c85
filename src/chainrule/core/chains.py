"""Products grown one factor at a time, without building every intermediate product.

The chain rule through a nest ``f₁(f₂(…fₙ(x)))`` multiplies the derivative so far by one
outer factor per level: ``mul(f₁′, mul(f₂′, … mul(fₙ′, 1)))``. Each :func:`~.build.mul`
builds a new canonical product node (a tuple of all factors so far, hashed and interned), so
the nest costs O(n²) work in node construction — for intermediate products nobody keeps.
:class:`ProductChain` keeps the factors in a list instead and builds one node at the end:
*the same node* the nested ``mul`` calls give, because it follows ``mul``'s own fast path
(new bases inserted in sorted place, coefficients multiplied) and falls back to ``mul``
itself whenever that fast path would (a base already present, a sum left alone with a
coefficient, …).

>>> from chainrule.core.build import apply, mul, symbol
>>> x = symbol("x")
>>> outers = [apply("cos", x), apply("sin", x) * -1, apply("exp", x)]
>>> chain = ProductChain(2 * x)
>>> for f in outers:
...     chain.times(f)
>>> chain.result() is mul(outers[2], mul(outers[1], mul(outers[0], 2 * x)))
True
>>> str(chain.result())
'-2x*e^x*cos(x)*sin(x)'
"""

from __future__ import annotations

from fractions import Fraction

from chainrule.core.build import as_base_exp, const, is_add, is_mul, mul, product_bases
from chainrule.core.expr import Apply, Const, Expr
from chainrule.core.numbers import Number, combine
from chainrule.core.registry import get


def _key(e: Expr) -> tuple:
    return e.sort_key


class ProductChain:
    """``mul(fₖ, … mul(f₂, mul(f₁, start)))``, built as one node by :meth:`result`.

    While the product so far is a canonical product, its coefficient, factors (in the order
    ``mul`` would have inserted them) and their bases are kept here; otherwise (a single
    factor, a number) the expression itself is.
    """

    __slots__ = ("args", "bases", "coeff", "done")

    def __init__(self, start: Expr):
        self._become(start)

    def _become(self, e: Expr) -> None:
        if not is_mul(e):
            self.done: Expr | None = e
            return
        args = list(e.args)
        self.coeff: Number = args.pop(0).value if isinstance(args[0], Const) else Fraction(1)
        self.args: list[Expr] = args
        self.bases: set[Expr] = set(product_bases(e))
        self.done = None

    def times(self, f: Expr) -> None:
        """Multiply on the left: the product becomes ``mul(f, product)``."""
        if self.done is not None:
            self._become(mul(f, self.done))
            return
        if is_mul(f) and len(f.args) >= len(self.args) + (self.coeff != 1):
            self._become(mul(f, self.result()))  # mul would insert ours into f's: let it
            return
        coeff, new, bases = self.coeff, [], set()
        for g in f.args if is_mul(f) else (f,):
            if isinstance(g, Const):
                coeff = combine(coeff, g.value, "*")
                continue
            base = as_base_exp(g)[0]
            if base in self.bases or base in bases:  # like bases combine: mul's general way
                self._become(mul(f, self.result()))
                return
            bases.add(base)
            new.append(g)
        count = len(self.args) + len(new)
        if coeff == 0 or (count == 1 and coeff != 1 and is_add((self.args or new)[0])):
            self._become(mul(f, self.result()))
            return
        # a product whose coefficient is 1 (1.0 too) has none: the next one starts exact
        self.coeff = Fraction(1) if coeff == 1 else coeff
        self.args.extend(new)
        self.bases |= bases
        if count == 1 and coeff == 1:
            self.done = self.args[0]

    def result(self) -> Expr:
        """The product as one canonical node."""
        if self.done is not None:
            return self.done
        # A stable sort of (sorted factors + later ones in order) is where bisect.insort
        # (insort_right) would have put each: the same tuple as the nested mul calls.
        args = sorted(self.args, key=_key)
        if self.coeff != 1:
            args.insert(0, const(self.coeff))
        node = Apply(get("mul"), tuple(args))
        if node.bases is None:
            node.bases = frozenset(self.bases)
        self.done = node
        return node
