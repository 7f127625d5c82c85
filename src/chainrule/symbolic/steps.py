"""Step records: the tree of rules a derivative was built from.

The symbolic differentiator fills these in the same pass that computes the answer (see
:mod:`chainrule.symbolic.differentiate`), so the result of the last step is always the answer.
Rendering to text, LaTeX or JSON lives in :mod:`chainrule.explain.render`, apart from building.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chainrule.core.expr import Expr


@dataclass(eq=False)
class Step:
    """One rule applied: ``d/d<wrt> expr = result``, justified by ``substeps``.

    ``rule`` names the rule ("Power rule", "Chain rule", …); ``rewrite`` is its general form
    (``d/dx u^n = n·u^(n−1)·u′``); ``note`` says how it applies here (``let u = x^2 + 1``).
    Stages of logarithmic differentiation and of simplification are steps too, with ``lhs``
    holding the left side they rewrite (``ln(y)``, ``(1/y)·y′``).
    """

    rule: str
    expr: Expr
    result: Expr
    wrt: str
    rewrite: str = ""
    note: str = ""
    substeps: list[Step] = field(default_factory=list)
    lhs: str = ""
    let: Expr | None = None  # the inner function u of a chain rule, printed when rendered

    def walk(self):
        """Every step of the tree, each shared step once, parents first."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            s = stack.pop()
            if id(s) in seen:
                continue
            seen.add(id(s))
            yield s
            stack.extend(reversed(s.substeps))

    def rules_used(self) -> list[str]:
        """Names of the rules in the tree, in first-use order."""
        out: list[str] = []
        for s in self.walk():
            if s.rule not in out:
                out.append(s.rule)
        return out


@dataclass(eq=False)
class Derivation:
    """What :func:`chainrule.steps` returns: the step tree of one derivative of any order.

    ``orders[k]`` is the step tree of the (k+1)-th derivative; ``result`` is the final answer,
    equal to ``orders[-1].result``.

    >>> import chainrule
    >>> d = chainrule.steps("x^x")
    >>> str(d.result)
    'x^x*(ln(x) + 1)'
    >>> d.orders[-1].result is d.result
    True
    """

    expr: Expr
    wrt: str
    orders: list[Step]

    @property
    def result(self) -> Expr:
        return self.orders[-1].result

    @property
    def order(self) -> int:
        return len(self.orders)

    def rules_used(self) -> list[str]:
        out: list[str] = []
        for tree in self.orders:
            for name in tree.rules_used():
                if name not in out:
                    out.append(name)
        return out

    def text(self, hide: frozenset[str] | set[str] = frozenset(), detail: str = "normal") -> str:
        """The derivation as indented plain text."""
        from chainrule.explain.render import render_text
        return render_text(self, hide=hide, detail=detail)

    def latex(self, hide: frozenset[str] | set[str] = frozenset(), detail: str = "normal") -> str:
        from chainrule.explain.render import render_latex
        return render_latex(self, hide=hide, detail=detail)

    def to_dict(self, hide: frozenset[str] | set[str] = frozenset(),
                detail: str = "full") -> dict[str, Any]:
        from chainrule.explain.render import to_dict
        return to_dict(self, hide=hide, detail=detail)

    def _repr_latex_(self) -> str:
        return self.latex()

    def __str__(self) -> str:
        return self.text()
