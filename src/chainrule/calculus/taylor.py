"""Taylor polynomials (seed 003 §2.5): f rebuilt near a point from its derivatives there,
with an error table against the true function.

``P_n(x) = Σ_{k≤n} f^(k)(a)/k! · (x − a)^k``. Coefficients stay exact where the derivatives at
``a`` are (``e^x`` about 0 has coefficients 1, 1, 1/2; about 1 they are e, e, e/2). With
several variables the expansion is ``Σ_{|α|≤n} ∂^α f(a)/α! · (x − a)^α``; to order 2 that is
``f(a) + ∇f(a)·(x − a) + ½ (x − a)ᵀ H(a) (x − a)``.

>>> str(taylor("e^x", about=0, order=2))
'x^2/2 + x + 1'
>>> t = taylor_approximation("e^x", about=0, order=2, at=[0.1, 1])
>>> [(r.point["x"], r.approx, round(r.exact, 5)) for r in t.rows]
[(0.1, 1.105, 1.10517), (1.0, 2.5, 2.71828)]
>>> str(taylor("x^2 y", about={"x": 1, "y": 2}, order=2))
'2(x - 1)*(y - 2) + 2(x - 1)^2 + 4x + y - 4'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chainrule.calculus.common import (
    constant_expr,
    float_of,
    show_number,
    tidy_constant,
    to_expr,
    values_of,
    variables,
)
from chainrule.core import build
from chainrule.core.expr import Expr
from chainrule.core.substitute import substitute
from chainrule.errors import BudgetError, ChainruleError, DomainError
from chainrule.limits.budget import budgeted, charge
from chainrule.printing.html import html_table
from chainrule.symbolic.api import diff

MAX_TAYLOR_ORDER = 30
"""Highest order of a one-variable Taylor polynomial."""
MAX_TERMS = 500
"""Most terms (multi-indices) of a several-variable Taylor polynomial."""
MAX_COEFFICIENT_NODES = 40
"""An exact coefficient bigger than this many nodes is replaced by its float value."""


@dataclass(frozen=True)
class TaylorRow:
    """One line of the error table: P(x), the true f(x), and the error f(x) − P(x)."""

    point: dict[str, float]
    approx: float
    exact: float

    @property
    def error(self) -> float:
        return self.exact - self.approx

    @property
    def relative_error(self) -> float:
        return abs(self.error) / abs(self.exact) if self.exact else math.inf * abs(self.error)


@dataclass(frozen=True)
class TaylorApproximation:
    """A Taylor polynomial with its coefficients and error table.

    ``terms`` pairs each monomial ``(x − a)^α`` with its coefficient ``∂^α f(a)/α!``.
    """

    function: Expr
    variables: tuple[str, ...]
    about: dict[str, Expr]
    order: int
    polynomial: Expr
    terms: tuple[tuple[Expr, Expr], ...]
    rows: tuple[TaylorRow, ...]

    def evaluate(self, **values: Any) -> float:
        return float(self.polynomial.evaluate(**values_of(values)))

    def text(self) -> str:
        about = ", ".join(f"{k} = {v}" for k, v in self.about.items())
        lines = [f"Taylor polynomial of {self.function} about {about}, order {self.order}:",
                 f"  P{self.order} = {self.polynomial}", "coefficients ∂^α f(a)/α!:"]
        lines += [f"  {'constant' if monomial is build.ONE else monomial}: {c}"
                  for monomial, c in self.terms]
        if self.rows:
            lines.append(self._table())
        return "\n".join(lines)

    def _table(self) -> str:
        head = ["point", f"P{self.order}", "f", "error f − P", "relative"]
        body = [[", ".join(f"{k} = {show_number(v)}" for k, v in r.point.items()),
                 f"{r.approx:.10g}", f"{r.exact:.10g}", f"{r.error:.3e}",
                 f"{r.relative_error:.2e}"] for r in self.rows]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        return "\n".join("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))
                         for row in [head, *body])

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": str(self.function), "variables": list(self.variables),
            "about": {k: str(v) for k, v in self.about.items()}, "order": self.order,
            "polynomial": str(self.polynomial), "latex": self.polynomial.latex(),
            "terms": [{"monomial": str(m), "coefficient": str(c)} for m, c in self.terms],
            "table": [{"point": r.point, "approx": r.approx, "exact": r.exact,
                       "error": r.error, "relative_error": r.relative_error} for r in self.rows],
        }

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        about = ", ".join(f"{k} = {v}" for k, v in self.about.items())
        coefficients = html_table(self.terms, ("monomial", "coefficient ∂^α f(a)/α!"),
                                  caption=f"Taylor polynomial of {self.function} about "
                                          f"{about}, order {self.order}")
        errors = html_table(
            [(", ".join(f"{k} = {show_number(v)}" for k, v in r.point.items()), r.approx,
              r.exact, r.error, r.relative_error) for r in self.rows],
            ("point", f"P{self.order}", "f", "error f − P", "relative"))
        return html_table([(f"P{self.order}", self.polynomial)]) + coefficients + (
            errors if self.rows else "")


@budgeted
def taylor(expr: Any, about: Any = 0, order: int = 2,
           wrt: str | Sequence[str] | None = None) -> Expr:
    """The Taylor polynomial of ``expr`` about ``about`` (a number, or ``{"x": a, "y": b}``
    for several variables) to ``order``, as an expression.

    >>> str(taylor("sin(x)", order=5))
    'x^5/120 - x^3/6 + x'
    """
    return taylor_approximation(expr, about, order, wrt).polynomial


@budgeted
def taylor_approximation(expr: Any, about: Any = 0, order: int = 2,
                         wrt: str | Sequence[str] | None = None,
                         at: Any = None) -> TaylorApproximation:
    """The Taylor polynomial with its coefficients and an error table at the points ``at``
    (numbers for one variable, dicts for several). ``budget=`` bounds the work, as for
    :func:`~chainrule.diff`."""
    f = to_expr(expr)
    if not isinstance(order, int) or order < 0:
        raise ChainruleError(f"the order must be a whole number ≥ 0, got {order!r}")
    names = variables(f, list(about) if isinstance(about, Mapping) and wrt is None else wrt)
    centre = _centre(about, names)
    if len(names) == 1 and order > MAX_TAYLOR_ORDER:
        raise BudgetError(f"order {order} is over the limit of {MAX_TAYLOR_ORDER}")
    _check_defined(f, centre)
    terms = tuple(_terms(f, names, centre, order))
    poly = build.add(*(build.mul(c, m) for m, c in terms))
    rows = tuple(_row(f, poly, p) for p in _points(at, names))
    return TaylorApproximation(f, names, centre, order, poly, terms, rows)


def _centre(about: Any, names: tuple[str, ...]) -> dict[str, Expr]:
    if isinstance(about, Mapping):
        missing = [n for n in names if n not in about]
        if missing:
            raise ChainruleError(f"the expansion point gives no value for {', '.join(missing)}")
        return {n: constant_expr(about[n], "expansion point") for n in names}
    if len(names) > 1:
        raise ChainruleError(f"the function has several variables ({', '.join(names)}); give "
                             "the expansion point as a dict, e.g. about={'x': 0, 'y': 0}")
    return {names[0]: constant_expr(about, "expansion point")}


def _check_defined(f: Expr, centre: dict[str, Expr]) -> None:
    point = {k: float_of(v) for k, v in centre.items()}
    try:
        f.evaluate(**point)
    except DomainError as err:
        raise ChainruleError(f"{f} is not defined at the expansion point, so it has no Taylor "
                             f"polynomial there ({err})") from None


def _multi_indices(n_vars: int, order: int) -> list[tuple[int, ...]]:
    out = [a for total in range(order + 1)
           for a in itertools.product(range(total + 1), repeat=n_vars) if sum(a) == total]
    if len(out) > MAX_TERMS:
        raise BudgetError(f"a Taylor polynomial of order {order} in {n_vars} variables has "
                          f"{len(out)} terms, over the limit of {MAX_TERMS}")
    return out


def _terms(f: Expr, names: tuple[str, ...], centre: dict[str, Expr], order: int):
    """(monomial, coefficient) pairs in order of total degree, zero coefficients left out."""
    derivatives: dict[tuple[int, ...], Expr] = {(0,) * len(names): f}

    def derivative(alpha: tuple[int, ...]) -> Expr:
        if alpha not in derivatives:
            i = next(k for k, a in enumerate(alpha) if a > 0)
            lower = alpha[:i] + (alpha[i] - 1,) + alpha[i + 1:]
            derivatives[alpha] = diff(derivative(lower), names[i])
        return derivatives[alpha]

    point = {build.symbol(n): centre[n] for n in names}
    for alpha in _multi_indices(len(names), order):
        charge(1, "Taylor coefficients")
        value = _coefficient(derivative(alpha), point, names, centre)
        scale = Fraction(1, math.prod(math.factorial(a) for a in alpha))
        coefficient = build.mul(build.const(scale), value)
        if coefficient is build.ZERO:
            continue
        monomial = build.mul(*(build.power(build.sub(build.symbol(n), centre[n]), a)
                               for n, a in zip(names, alpha, strict=True)))
        yield monomial, coefficient


def _coefficient(d: Expr, point: dict[Expr, Expr], names: tuple[str, ...],
                 centre: dict[str, Expr]) -> Expr:
    """The derivative's value at the centre: exact when it folds to a small constant."""
    numeric = {n: float_of(centre[n]) for n in names}
    try:
        value = float(d.evaluate(**numeric))
    except DomainError as err:
        raise ChainruleError(f"a derivative of the function is undefined at the expansion "
                             f"point ({err}), so there is no Taylor polynomial there") from None
    exact = tidy_constant(substitute(d, point))
    if exact.free_symbols() or exact.node_count() > MAX_COEFFICIENT_NODES:
        return build.const(value)
    return exact


def _points(at: Any, names: tuple[str, ...]) -> list[dict[str, float]]:
    if at is None:
        return []
    items = [at] if isinstance(at, Mapping) or not isinstance(at, Sequence | set) \
        or isinstance(at, str) else list(at)
    out = []
    for item in items:
        if isinstance(item, Mapping):
            out.append(values_of({n: item[n] for n in names if n in item}))
        elif len(names) == 1:
            out.append(values_of({names[0]: item}))
        else:
            raise ChainruleError("with several variables give each point as a dict")
        if set(out[-1]) != set(names):
            raise ChainruleError(f"each point needs a value for {', '.join(names)}")
    return out


def _row(f: Expr, poly: Expr, point: dict[str, float]) -> TaylorRow:
    try:
        exact = float(f.evaluate(**point))
    except DomainError as err:
        raise ChainruleError(f"the function is undefined at a table point: {err}") from None
    return TaylorRow(point, float(poly.evaluate(**point)), exact)
