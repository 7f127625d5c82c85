"""The multivariate chain rule as a sum over paths (seed 003 §2.2).

When x reaches z through several intermediate variables, dz/dx is the sum, over every path
from z down to x, of the product of the derivatives along the path's edges. With u = x²,
v = 3x and z = u + v there are two paths, z → u → x giving (1)(2x) and z → v → x giving (1)(3),
so dz/dx = 2x + 3 — the same as differentiating z = x² + 3x directly, which is checked.

>>> p = chain_rule_paths("z = u + v", {"u": "x^2", "v": "3x"}, wrt="x")
>>> [str(t.value) for t in p.paths], str(p.total), p.agrees
(['2x', '3'], '2x + 3', True)
>>> p = chain_rule_paths("L = a", {"a": "g^2", "g": "w x"}, wrt="w")
>>> str(p.total), p.total.evaluate(w=3, x=2)
('2w*x^2', 24.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chainrule.calculus.common import to_expr
from chainrule.core import build
from chainrule.core.expr import Expr
from chainrule.errors import BudgetError, ChainruleError, DomainError
from chainrule.symbolic.steps import Derivation, Step

MAX_PATHS = 64


@dataclass(frozen=True)
class PathTerm:
    """One path from the output down to the variable: its nodes, the derivative on each edge,
    their product (in the intermediate variables) and that product in the inputs."""

    nodes: tuple[str, ...]
    factors: tuple[Expr, ...]
    labels: tuple[str, ...]
    product: Expr
    value: Expr

    @property
    def route(self) -> str:
        return " → ".join(self.nodes)

    @property
    def formula(self) -> str:
        """``∂z/∂u·du/dx = (1)·(2x)``."""
        return ("·".join(self.labels) + " = " + "·".join(f"({f})" for f in self.factors))


@dataclass(frozen=True)
class ChainRulePaths:
    """dz/dx as a sum over paths, with the direct derivative it is checked against."""

    output: str
    wrt: str
    definitions: dict[str, Expr]
    composed: Expr
    paths: tuple[PathTerm, ...]
    total: Expr
    direct: Expr
    agrees: bool
    derivation: Derivation

    def text(self) -> str:
        return self.derivation.text(detail="full")

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output, "wrt": self.wrt,
            "definitions": {k: str(v) for k, v in self.definitions.items()},
            "composed": str(self.composed),
            "paths": [{"route": t.route, "formula": t.formula, "product": str(t.product),
                       "value": str(t.value)} for t in self.paths],
            "total": str(self.total), "direct": str(self.direct), "agrees": self.agrees,
        }

    def __str__(self) -> str:
        return self.text()


def _definitions(output: Any, definitions: Mapping[str, Any] | Sequence[str]):
    from chainrule.calculus.implicit import parse_equation
    defs: dict[str, Expr] = {}
    items = definitions.items() if isinstance(definitions, Mapping) else [
        _named(parse_equation(d)) for d in definitions]
    for name, value in items:
        defs[str(name)] = to_expr(value)
    if isinstance(output, str) and "=" in output:
        name, expr = _named(parse_equation(output))
    else:
        name, expr = next(n for n in ("z", "f", "L", "out") if n not in defs), to_expr(output)
    defs[name] = expr
    return name, defs


def _named(sides: tuple[Expr, Expr]) -> tuple[str, Expr]:
    left, right = sides
    if not isinstance(left, build.Symbol):
        raise ChainruleError(f"a definition reads NAME = EXPRESSION, got {left} = {right}")
    return left.name, right


def chain_rule_paths(output: Any, definitions: Mapping[str, Any] | Sequence[str],
                     wrt: str = "x") -> ChainRulePaths:
    """dz/dx by the multivariate chain rule, one term per path, checked directly.

    ``output`` is ``"z = u + v"`` (or just ``"u + v"``); ``definitions`` maps each
    intermediate name to its expression (or is a list of ``"u = x^2"`` strings).
    """
    out, defs = _definitions(output, definitions)
    routes = _routes(out, defs, wrt)
    composed = _Composer(defs).run(defs[out])
    terms = tuple(_term(route, defs) for route in routes)
    from chainrule.symbolic.api import diff
    from chainrule.symbolic.simplify import readable
    total = readable(build.add(*(t.value for t in terms)))
    direct = diff(composed, wrt)
    agrees = total is direct or _same_values(total, direct)
    return ChainRulePaths(out, wrt, {k: v for k, v in defs.items() if k != out}, composed,
                          terms, total, direct, agrees,
                          _derivation(out, wrt, composed, terms, total, direct))


def _routes(out: str, defs: dict[str, Expr], wrt: str) -> list[tuple[str, ...]]:
    """Every path from ``out`` down to ``wrt`` through the definitions (depth first)."""
    found: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [(out,)]
    while stack:
        path = stack.pop()
        node = path[-1]
        if node == wrt:
            found.append(path)
            if len(found) > MAX_PATHS:
                raise BudgetError(f"more than {MAX_PATHS} paths; too many to show")
            continue
        if node not in defs:
            continue
        for child in sorted((s.name for s in defs[node].free_symbols()), reverse=True):
            if child in path:
                raise ChainruleError(f"the definitions are circular: {' → '.join(path)} → {child}")
            stack.append(path + (child,))
    if not found:
        raise ChainruleError(f"{out} does not depend on {wrt}")
    return found


def _term(route: tuple[str, ...], defs: dict[str, Expr]) -> PathTerm:
    from chainrule.symbolic.api import diff
    from chainrule.symbolic.simplify import readable
    factors, labels = [], []
    for parent, child in zip(route, route[1:], strict=False):
        factors.append(diff(defs[parent], child))
        d = "d" if len(defs[parent].free_symbols()) == 1 else "∂"
        labels.append(f"{d}{parent}/{d}{child}")
    product = build.mul(*factors)
    value = readable(_Composer(defs).run(product))
    return PathTerm(route, tuple(factors), tuple(labels), product, value)


class _Composer:
    """Substitute the definitions until only inputs remain."""

    def __init__(self, defs: dict[str, Expr]):
        self.defs = defs
        self.memo: dict[str, Expr] = {}

    def run(self, e: Expr) -> Expr:
        from chainrule.core.substitute import substitute
        mapping = {s: self.name(s.name) for s in e.free_symbols() if s.name in self.defs}
        return substitute(e, mapping) if mapping else e

    def name(self, n: str) -> Expr:
        if n not in self.memo:
            self.memo[n] = self.run(self.defs[n])
        return self.memo[n]


def _same_values(a: Expr, b: Expr) -> bool:
    names = sorted({s.name for s in a.free_symbols() | b.free_symbols()})
    compared = 0
    for k in range(6):
        point = {n: 0.37 + 0.61 * k + 0.13 * i for i, n in enumerate(names)}
        try:
            va, vb = float(a.evaluate(**point)), float(b.evaluate(**point))
        except DomainError:
            continue
        compared += 1
        if abs(va - vb) > 1e-9 * max(1.0, abs(va), abs(vb)):
            return False
    return compared > 0


def _derivation(out: str, wrt: str, composed: Expr, terms: tuple[PathTerm, ...],
                total: Expr, direct: Expr) -> Derivation:
    d = "d"
    steps = [Step("Paths", composed, build.const(len(terms)), wrt,
                  lhs=f"number of paths from {out} down to {wrt}",
                  note=", ".join(t.route for t in terms))]
    for t in terms:
        shown = t.formula if t.value is t.product else f"{t.formula} = {t.product}"
        steps.append(Step(f"Path {t.route}", composed, t.value, wrt, lhs=shown))
    steps.append(Step("Sum over paths", composed, total, wrt,
                      lhs=f"{d}{out}/{d}{wrt} = " + " + ".join(f"({t.value})" for t in terms),
                      rewrite=f"{d}{out}/{d}{wrt} = Σ over paths of the product of the "
                              "derivatives along the path"))
    steps.append(Step("Check directly", composed, direct, wrt,
                      note=f"{out} = {composed} written in the inputs"))
    root = Step("Multivariate chain rule", composed, total, wrt, substeps=steps)
    return Derivation(composed, wrt, [root])
