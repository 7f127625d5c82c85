"""Step records of the calculus tools: implicit differentiation and chain-rule paths.

Built by :mod:`chainrule.calculus.implicit` and :mod:`chainrule.calculus.paths`; kept beside
the differentiator's steps (:mod:`chainrule.symbolic.steps`) so the renderers in
:mod:`chainrule.explain` can show them without importing the calculus layer above them.

>>> from chainrule.calculus.implicit import implicit_diff
>>> root = implicit_diff("x*y = 1").derivation.orders[0]
>>> type(root).__name__, [type(s).__name__ for s in root.substeps][-2:]
('ImplicitDifferentiation', ['CollectDerivative', 'SolveImplicit'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chainrule.core.expr import Expr
from chainrule.symbolic.steps import OTHER, Step


@dataclass(eq=False)
class ImplicitDifferentiation(Step):
    """``y′`` of the curve ``left = right`` with y = y(x) (``dependent``), as taught: both
    sides differentiated, each y-term getting y′ by the chain rule, y′ collected and solved
    for. ``result`` is y′ (for order 2, y″); ``expr`` is ``left − right``."""

    dependent: str = field(kw_only=True)
    left: Expr = field(kw_only=True)
    right: Expr = field(kw_only=True)
    order: int = field(default=1, kw_only=True)
    name: ClassVar[str] = "Implicit differentiation"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class DependentVariable(Step):
    """``d/dx [y] = y′``: y is a function of x (what makes each y-term pick up y′)."""

    name: ClassVar[str] = "Dependent variable"


@dataclass(eq=False)
class ImplicitBothSides(Step):
    """``d/dx [left] = d/dx [right]``: the equation differentiated, y = y(x); the substeps
    differentiate each side (``expr`` is left, ``result`` right)."""

    dependent: str = field(kw_only=True)
    name: ClassVar[str] = "Differentiate both sides"
    claim: ClassVar[str] = OTHER
    working: ClassVar[bool] = True


@dataclass(eq=False)
class ImplicitEquation(Step):
    """``left′ = right′`` (``expr`` = left′, ``result`` = right′): the sides' derivatives."""

    dependent: str = field(kw_only=True)
    name: ClassVar[str] = "Differentiated equation"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class CollectDerivative(Step):
    """``coefficient·y′ = rest``: the y′-terms on the left, the others on the right
    (``expr`` is the coefficient, ``result`` the rest)."""

    dependent: str = field(kw_only=True)
    name: ClassVar[str] = "Collect terms"
    claim: ClassVar[str] = OTHER

    @property
    def rule(self) -> str:
        return f"Collect the {self.dependent}′ terms"


@dataclass(eq=False)
class SolveImplicit(Step):
    """``y′ = result``: dividing by the coefficient ``expr``, valid where it is not 0;
    ``curve`` is left − right, for the remark that y′ = −F_x/F_y with F = ``curve``."""

    dependent: str = field(kw_only=True)
    curve: Expr = field(kw_only=True)
    name: ClassVar[str] = "Solve for the derivative"
    claim: ClassVar[str] = OTHER

    @property
    def rule(self) -> str:
        return f"Solve for {self.dependent}′"


@dataclass(eq=False)
class SubstituteDerivative(Step):
    """``y″ = result``: y′ in the derivative of y′ (``expr``) replaced by its value ``value``."""

    dependent: str = field(kw_only=True)
    value: Expr = field(kw_only=True)
    name: ClassVar[str] = "Substitute the derivative"
    claim: ClassVar[str] = OTHER

    @property
    def rule(self) -> str:
        return f"Substitute {self.dependent}′"


@dataclass(eq=False)
class PathsChainRule(Step):
    """dz/dx as the sum over paths of products of derivatives along each path."""

    name: ClassVar[str] = "Multivariate chain rule"


@dataclass(eq=False)
class PathCount(Step):
    """How many paths lead from ``output`` down to the variable (``result``), and which."""

    output: str = field(kw_only=True)
    routes: tuple[str, ...] = field(kw_only=True)
    name: ClassVar[str] = "Paths"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class PathProduct(Step):
    """One path: the derivatives along ``route`` (``labels``, ``factors``) and their product."""

    route: str = field(kw_only=True)
    labels: tuple[str, ...] = field(kw_only=True)
    factors: tuple[Expr, ...] = field(kw_only=True)
    product: Expr = field(kw_only=True)
    name: ClassVar[str] = "Path"
    claim: ClassVar[str] = OTHER

    @property
    def rule(self) -> str:
        return f"Path {self.route}"


@dataclass(eq=False)
class SumOverPaths(Step):
    """``dz/dx = Σ`` over the paths' values ``values``."""

    output: str = field(kw_only=True)
    values: tuple[Expr, ...] = field(kw_only=True)
    name: ClassVar[str] = "Sum over paths"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class CheckDirectly(Step):
    """The composed function ``expr`` differentiated directly, to compare with the sum."""

    output: str = field(kw_only=True)
    name: ClassVar[str] = "Check directly"
