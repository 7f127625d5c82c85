"""Implicit differentiation: dy/dx from an equation L(x, y) = R(x, y), taught as taught.

Differentiate both sides with respect to x, y being a function of x: the engine's own rules
apply, and each y-term picks up a factor y′ by the chain rule (``d/dx [y] = y′``). The result
``L′ = R′`` is linear in y′: collect the y′-terms, ``A·y′ = B``, and solve, ``y′ = B/A``
wherever A ≠ 0. Every line is a true equation on the curve. That y′ equals −F_x/F_y with
F = L − R is only a remark. Common numeric factors of B and A are cancelled, so the folium
x³ + y³ = 6xy gives (2y − x²)/(y² − 2x). With ``order=2``, y″ is found the same way:
differentiate y′ (y still a function of x), then substitute y′.

>>> d = implicit_diff("x^2 + y^2 = 1")
>>> str(d.derivative), round(d.at(x=0.6, y=0.8), 12)
('-x/y', -0.75)
>>> print(d.steps_text(detail="brief"))
x^2 + y^2 = 1, y = y(x)
1. Differentiate both sides: d/dx [x^2 + y^2] = d/dx [1]
   y = y(x), so each y-term gets a factor y′ (chain rule)
2. Differentiated equation: 2y*y′ + 2x = 0
3. Collect the y′ terms: 2y*y′ = -2x
   y′ terms on the left, the others on the right
4. Solve for y′: y′ = -x/y
   valid where 2y ≠ 0; remark: the same as y′ = −F_x/F_y with F = x^2 + y^2 - 1
Answer: -x/y
>>> str(implicit_diff("x^3 + y^3 = 6x y").derivative)
'(2y - x^2)/(y^2 - 2x)'
>>> str(implicit_diff("x^2 + y^2 = 1", order=2).derivative)
'-(x^2 + y^2)/y^3'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chainrule.calculus.common import to_expr, values_of
from chainrule.core import build, walk
from chainrule.core.expr import Const, Expr, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import ChainruleError
from chainrule.printing.html import html_table
from chainrule.symbolic import calculus_steps as cs
from chainrule.symbolic.api import diff
from chainrule.symbolic.differentiate import Differentiator
from chainrule.symbolic.simplify import readable
from chainrule.symbolic.simplify.readable import together
from chainrule.symbolic.steps import Derivation


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
    order: int = 1

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

    def remark(self) -> str:
        """The shortcut the steps do not take: y′ = −F_x/F_y."""
        return (f"the same as {self.dependent}′ = −F_{self.independent}/F_{self.dependent} "
                f"with F = {self.F}")

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

    @property
    def name(self) -> str:
        """``dy/dx`` or ``d²y/dx²``."""
        y, x = self.dependent, self.independent
        return f"d{y}/d{x}" if self.order == 1 else f"d²{y}/d{x}²"

    def steps_text(self, detail: str = "brief", hide: frozenset[str] = frozenset()) -> str:
        """The steps as numbered lines, headed by the equation."""
        y, x = self.dependent, self.independent
        body = self.derivation.text(hide=hide, detail=detail).split("\n", 1)[1]
        return f"{self.equation}, {y} = {y}({x})\n{body}"

    def text(self, show_steps: bool = True) -> str:
        head = f"{self.name} = {self.derivative}"
        return self.steps_text() + "\n" + head if show_steps else head

    def to_dict(self, show_steps: bool = False, detail: str = "brief",
                hide: frozenset[str] = frozenset()) -> dict[str, Any]:
        out: dict[str, Any] = {
            "equation": self.equation, "dependent": self.dependent,
            "independent": self.independent, "order": self.order,
            "derivative": str(self.derivative), "latex": self.derivative.latex(),
        }
        if show_steps:
            out["steps"] = self.derivation.to_dict(hide=hide, detail=detail)
        return out

    def __str__(self) -> str:
        return self.text(show_steps=False)

    def _repr_html_(self) -> str:
        rows = [("F = left − right", self.F), (self.name, self.derivative)]
        return html_table(rows, caption=f"implicit differentiation of {self.lhs} = {self.rhs}")


def implicit_diff(equation: Any, dependent: str = "y", independent: str = "x",
                  order: int = 1) -> ImplicitDerivative:
    """dy/dx (``order=2``: d²y/dx²) for a curve given by an equation (text with one ``=``,
    an Expr meaning ``expr = 0``, or a pair ``(lhs, rhs)``).

    >>> implicit_diff("x*y = 1").derivative
    Expr('-y/x')
    """
    if order not in (1, 2):
        raise ChainruleError(f"implicit differentiation gives y′ (order 1) or y″ (order 2), "
                             f"not order {order!r}")
    lhs, rhs = _sides(equation)
    x, y = build.symbol(independent), build.symbol(dependent)
    F = build.sub(lhs, rhs)
    if not F.has(y):
        raise ChainruleError(f"the equation does not involve {dependent}; nothing to solve for")
    if x.name == y.name:
        raise ChainruleError(f"differentiate by a variable other than {dependent}")
    Fx, Fy = diff(F, x), diff(F, y)
    first, stages = _first_derivative(lhs, rhs, x, y)
    # the tree is d/dx [y] = y′ (its heading and answer), the equation in its fields
    root = cs.ImplicitDifferentiation(y, first, x.name, stages, dependent=y.name, left=lhs,
                                      right=rhs)
    answer, trees = first, [root]
    if order == 2:
        answer, tree = _second_derivative(first, x, y, lhs, rhs)
        trees.append(tree)
    return ImplicitDerivative(lhs, rhs, y.name, x.name, F, Fx, Fy, answer,
                              Derivation(y, x.name, trees), order)


class YOfX(Differentiator):
    """The engine with y a function of x: ``d/dx [y] = y′``, so each y-term gets y′."""

    def __init__(self, x: Symbol, y: Symbol, record: bool = True):
        super().__init__(x, record=record, method="direct")
        self.y = y
        self.prime = prime_symbol(y)
        self.varying = frozenset((x, y))  # y = y(x) varies with x

    def _d(self, e: Expr):
        if e is self.y:
            return self.prime, self.step(cs.DependentVariable, e, self.prime)
        return super()._d(e)


def prime_symbol(y: Symbol, times: int = 1) -> Symbol:
    """The symbol y′ (``times=2``: y″) standing for the derivative of y."""
    return build.symbol(y.name + "′" * times)


def _first_derivative(lhs: Expr, rhs: Expr, x: Symbol, y: Symbol) -> tuple[Expr, list]:
    """y′ and the taught stages: both sides, the equation, collect, solve."""
    dz = YOfX(x, y)
    (dl, sl), (dr, sr) = dz.d(lhs), dz.d(rhs)
    dl, dr = readable(dl), readable(dr)
    both = cs.ImplicitBothSides(lhs, rhs, x.name, [s for s in (sl, sr) if s is not None],
                                dependent=y.name)
    equation = cs.ImplicitEquation(dl, dr, x.name, dependent=y.name)
    coefficient, rest = _linear_in(build.sub(dl, dr), dz.prime)
    collect = cs.CollectDerivative(coefficient, rest, x.name, dependent=y.name)
    answer = min((_quotient(rest, coefficient), readable(_cleared(_quotient(rest, coefficient)))),
                 key=lambda e: len(str(e)))
    solve = cs.SolveImplicit(coefficient, answer, x.name, dependent=y.name,
                             curve=build.sub(lhs, rhs))
    return answer, [both, equation, collect, solve]


def _linear_in(e: Expr, p: Symbol) -> tuple[Expr, Expr]:
    """``(A, B)`` with ``e = A·p − B`` (e is linear in p: the chain rule puts p in once)."""
    coefficient = readable(diff(e, p))
    if coefficient.has(p) or coefficient is build.ZERO:
        raise ChainruleError("the differentiated equation does not determine y′ "
                             "(its y′ terms cancel)")
    rest = readable(build.neg(substitute(e, {p: build.ZERO})))
    return coefficient, rest


def _second_derivative(first: Expr, x: Symbol, y: Symbol, lhs: Expr,
                       rhs: Expr) -> tuple[Expr, cs.ImplicitDifferentiation]:
    """y″: differentiate y′ with y = y(x), then substitute y′."""
    dz = YOfX(x, y)
    raw, tree = dz.d(first)
    raw = readable(raw)
    subbed = readable(substitute(raw, {dz.prime: first}))
    # one fraction reads as the textbook's y″ (−(x² + y²)/y³, then −25/y³ on the circle)
    answer = min((readable(_cleared(subbed)), _sign_out(_cleared(subbed)), subbed),
                 key=lambda e: (build.is_add(e), len(str(e))))
    put = cs.SubstituteDerivative(raw, answer, x.name, dependent=y.name, value=first)
    root = cs.ImplicitDifferentiation(first, answer, x.name, [tree, put], dependent=y.name,
                                      left=lhs, right=rhs, order=2)
    return answer, root


def _sign_out(e: Expr) -> Expr:
    """A product whose sum factor has only negative terms, with the sign in front:
    ``(-x^2 - y^2)/y^3`` → ``-(x^2 + y^2)/y^3``."""
    if not build.is_mul(e):
        return e
    for k, f in enumerate(e.args):
        if build.is_add(f) and all(build.split_coeff(t)[0] < 0 for t in f.args):
            rest = [*e.args[:k], build.neg(f), *e.args[k + 1:]]
            return build.neg(build.mul(*rest))
    return e


def _cleared(e: Expr) -> Expr:
    """``e`` with every sum inside it over one denominator (``x^2/y + y`` → ``(x^2+y^2)/y``)."""
    def node(n: Expr, args: tuple[Expr, ...]) -> Expr:
        rebuilt = n if not args else build.apply(n.prim, *args)
        return (together(rebuilt) or rebuilt) if build.is_add(rebuilt) else rebuilt
    return walk.rewrite(e, node)


def _quotient(num: Expr, den: Expr) -> Expr:
    """``num/den`` with a common numeric factor cancelled and the sign tidied."""
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


