"""Step records of the calculus tools: implicit differentiation and chain-rule paths.

Built by :mod:`chainrule.calculus.implicit` and :mod:`chainrule.calculus.paths`; kept beside
the differentiator's steps (:mod:`chainrule.symbolic.steps`) so the renderers in
:mod:`chainrule.explain` can show them without importing the calculus layer above them.

>>> from chainrule.calculus.implicit import implicit_diff
>>> root = implicit_diff("x*y = 1").derivation.orders[0]
>>> type(root).__name__, [type(s).__name__ for s in root.substeps][-2:]
('ImplicitDifferentiation', ['ImplicitBothSides', 'SolveImplicit'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chainrule.core.expr import Expr
from chainrule.symbolic.steps import OTHER, Step


@dataclass(eq=False)
class ImplicitDifferentiation(Step):
    """``y′ = −F_x/F_y`` for the curve F(x, y) = 0 (``expr`` is F, y is ``dependent``)."""

    dependent: str = field(kw_only=True)
    name: ClassVar[str] = "Implicit differentiation"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class MoveToOneSide(Step):
    """``F = lhs − rhs = 0`` from the equation ``left = right``."""

    left: Expr = field(kw_only=True)
    right: Expr = field(kw_only=True)
    name: ClassVar[str] = "Move every term to one side"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class PartialDerivative(Step):
    """∂F/∂``wrt`` with the variable ``held`` constant."""

    held: str = field(kw_only=True)

    @property
    def rule(self) -> str:
        return f"∂F/∂{self.wrt}, {self.held} held constant"


@dataclass(eq=False)
class ImplicitBothSides(Step):
    """``d/dx [F] = F_x + F_y·y′ = 0``, y a function of x."""

    fx: Expr = field(kw_only=True)
    fy: Expr = field(kw_only=True)
    dependent: str = field(kw_only=True)
    name: ClassVar[str] = "Differentiate both sides"
    claim: ClassVar[str] = OTHER


@dataclass(eq=False)
class SolveImplicit(Step):
    """``y′ = −F_x/F_y``, valid where F_y ≠ 0."""

    fx: Expr = field(kw_only=True)
    fy: Expr = field(kw_only=True)
    dependent: str = field(kw_only=True)
    claim: ClassVar[str] = OTHER

    @property
    def rule(self) -> str:
        return f"Solve for {self.dependent}′"


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
