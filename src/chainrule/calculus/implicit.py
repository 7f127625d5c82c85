"""Implicit differentiation: dy/dx from an equation F(x, y) = G(x, y), with its steps.

Move everything to one side, H = F − G = 0. Differentiating both sides in x with y = y(x)
gives ``H_x + H_y·y′ = 0`` (each y-term picks up a factor y′ by the chain rule), so
``y′ = −H_x / H_y`` wherever ``H_y ≠ 0``. Common numeric factors of the numerator and
denominator are cancelled, so the folium x³ + y³ = 6xy gives (2y − x²)/(y² − 2x).

>>> d = implicit_diff("x^2 + y^2 = 1")
>>> str(d.derivative), d.at(x=0.6, y=0.8)
('-x/y', -0.75)
>>> str(implicit_diff("x^3 + y^3 = 6x y").derivative)
'(2y - x^2)/(y^2 - 2x)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chainrule.calculus.common import to_expr, values_of
from chainrule.core import build
from chainrule.core.expr import Const, Expr
from chainrule.errors import ChainruleError
from chainrule.symbolic.steps import Derivation, Step


def parse_equation(text: str) -> tuple[Expr, Expr]:
    """``"x^2 + y^2 = 1"`` → (x² + y², 1): split at the one top-level ``=`` and parse each side.
    Text without ``=`` means ``text = 0``.

    >>> [str(side) for side in parse_equation("x^2 + y^2 = 1")]
    ['x^2 + y^2', '1']
    """
    depth, cuts = 0, []
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0:
            cuts.append(i)
    if any(text[i - 1:i] in ("<", ">", "!", "=") or text[i + 1:i + 2] == "=" for i in cuts):
        raise ChainruleError("an equation uses a single '=' (not ==, <=, >= or !=)")
    if not cuts:
        return to_expr(text), build.ZERO
    if len(cuts) > 1:
        raise ChainruleError(f"an equation has exactly one '=', found {len(cuts)} (at columns "
                             + ", ".join(str(i + 1) for i in cuts) + ")")
    left, right = text[:cuts[0]], text[cuts[0] + 1:]
    if not left.strip() or not right.strip():
        raise ChainruleError("an equation needs an expression on both sides of '='")
    return to_expr(left), to_expr(right)


def _sides(equation: Any) -> tuple[Expr, Expr]:
    if isinstance(equation, str):
        return parse_equation(equation)
    if isinstance(equation, tuple) and len(equation) == 2:
        return to_expr(equation[0]), to_expr(equation[1])
    return to_expr(equation), build.ZERO


@dataclass(frozen=True)
class ImplicitDerivative:
    """dy/dx of a curve given implicitly, with the derivation and numeric checks."""

    lhs: Expr
    rhs: Expr
    dependent: str
    independent: str
    F: Expr  # lhs − rhs, the equation as F = 0
    Fx: Expr  # ∂F/∂x with y held fixed
    Fy: Expr  # ∂F/∂y with x held fixed
    derivative: Expr
    derivation: Derivation

    @property
    def equation(self) -> str:
        return f"{self.lhs} = {self.rhs}"

    def _point(self, point: Mapping[str, Any] | None, values: Mapping[str, Any]) -> dict:
        p = values_of({**(point or {}), **values})
        missing = [v for v in (self.independent, self.dependent) if v not in p]
        if missing:
            raise ChainruleError(f"no value given for {', '.join(missing)}")
        return p

    def residual(self, point: Mapping[str, Any] | None = None, **values: Any) -> float:
        """F at the point: 0 when the point is on the curve."""
        return float(self.F.evaluate(**self._point(point, values)))

    def at(self, point: Mapping[str, Any] | None = None, **values: Any) -> float:
        """The slope dy/dx at a point of the curve."""
        p = self._point(point, values)
        fy = float(self.Fy.evaluate(**p))
        if fy == 0:
            raise ChainruleError(f"∂F/∂{self.dependent} = 0 at that point: the tangent is "
                                 "vertical (or the curve is not a graph y(x) there)")
        return float(self.derivative.evaluate(**p))

    def numeric_slope(self, point: Mapping[str, Any] | None = None, h: float = 1e-5,
                      **values: Any) -> float:
        """The slope measured without the formula: solve F(x ± h, y) = 0 for y near the
        point (Newton's method in y), then a central difference."""
        p = self._point(point, values)
        x0, y0 = p[self.independent], p[self.dependent]
        ys = [self._solve_y({**p, self.independent: x0 + s * h}, y0) for s in (1, -1)]
        return (ys[0] - ys[1]) / (2 * h)

    def _solve_y(self, p: dict[str, float], y: float) -> float:
        for _ in range(50):
            p[self.dependent] = y
            f, fy = float(self.F.evaluate(**p)), float(self.Fy.evaluate(**p))
            if fy == 0:
                break
            step = f / fy
            y -= step
            if abs(step) <= 1e-15 * max(1.0, abs(y)):
                return y
        if not math.isfinite(y):
            raise ChainruleError("the curve could not be followed near that point")
        return y

    def text(self, show_steps: bool = True) -> str:
        head = f"d{self.dependent}/d{self.independent} = {self.derivative}"
        return self.derivation.text(detail="brief") + "\n" + head if show_steps else head

    def to_dict(self, show_steps: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "equation": self.equation, "dependent": self.dependent,
            "independent": self.independent, "F": str(self.F), "Fx": str(self.Fx),
            "Fy": str(self.Fy), "derivative": str(self.derivative),
            "latex": self.derivative.latex(),
        }
        if show_steps:
            out["steps"] = self.derivation.to_dict(detail="brief")
        return out

    def __str__(self) -> str:
        return self.text(show_steps=False)


def implicit_diff(equation: Any, dependent: str = "y",
                  independent: str = "x") -> ImplicitDerivative:
    """dy/dx for a curve given by an equation (text with one ``=``, an Expr meaning
    ``expr = 0``, or a pair ``(lhs, rhs)``).

    >>> implicit_diff("x*y = 1").derivative
    Expr('-y/x')
    """
    from chainrule.symbolic.api import diff, steps
    lhs, rhs = _sides(equation)
    x, y = build.symbol(independent), build.symbol(dependent)
    F = build.sub(lhs, rhs)
    if not F.has(y):
        raise ChainruleError(f"the equation does not involve {dependent}; nothing to solve for")
    Fx, Fy = diff(F, x), diff(F, y)
    answer = _quotient(build.neg(Fx), Fy)
    partial_x = Step(f"∂F/∂{x.name}, {y.name} held constant", F, Fx, x.name,
                     substeps=steps(F, x).orders[0].substeps)
    partial_y = Step(f"∂F/∂{y.name}, {x.name} held constant", F, Fy, y.name,
                     substeps=steps(F, y).orders[0].substeps)
    root = Step("Implicit differentiation", F, answer, x.name, substeps=[
        Step("Move every term to one side", F, build.ZERO, x.name, lhs=f"F = {F}",
             note=f"from {lhs} = {rhs}"),
        partial_x, partial_y,
        Step("Differentiate both sides", F, build.ZERO, x.name,
             lhs=f"d/d{x.name} [F] = {Fx} + ({Fy})·{y.name}′",
             note=f"{y.name} = {y.name}({x.name}), so each {y.name}-term gets a factor "
                  f"{y.name}′ (chain rule)"),
        Step(f"Solve for {y.name}′", F, answer, x.name, lhs=f"{y.name}′",
             rewrite=f"{y.name}′ = −(∂F/∂{x.name}) / (∂F/∂{y.name})",
             note=f"= −({Fx})/({Fy}), valid where {Fy} ≠ 0"),
    ])
    return ImplicitDerivative(lhs, rhs, y.name, x.name, F, Fx, Fy, answer,
                              Derivation(F, x.name, [root]))


def _quotient(num: Expr, den: Expr) -> Expr:
    """``num/den`` with a common numeric factor cancelled and the sign tidied."""
    from chainrule.symbolic.simplify import readable
    g = _gcd(_content(num), _content(den))
    if g not in (0, 1):
        num, den = build.div(num, build.const(g)), build.div(den, build.const(g))
    if all(build.split_coeff(t)[0] < 0 for t in _terms(den)):
        num, den = build.neg(num), build.neg(den)
    plain = build.div(num, den)
    return min((plain, readable(plain)), key=lambda e: len(str(e)))


def _terms(e: Expr) -> tuple[Expr, ...]:
    return e.args if build.is_add(e) else (e,)


def _content(e: Expr) -> Fraction:
    """The positive rational gcd of the numeric coefficients of ``e``'s terms (0: not exact)."""
    coefficients = []
    for t in _terms(e):
        c = t.value if isinstance(t, Const) else build.split_coeff(t)[0]
        if not isinstance(c, Fraction):
            return Fraction(0)
        coefficients.append(abs(c))
    out = Fraction(0)
    for c in coefficients:
        out = _gcd(out, c)
    return out


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    if a == 0:
        return b
    if b == 0:
        return a
    return Fraction(math.gcd(a.numerator * b.denominator, b.numerator * a.denominator),
                    a.denominator * b.denominator)


