"""The public Python API of the symbolic engine: parse, diff, steps.

>>> import chainrule
>>> str(chainrule.diff("x^x"))
'x^x*(ln(x) + 1)'
>>> round(chainrule.diff("x^x").evaluate(x=2), 10)
6.7725887222
>>> str(chainrule.diff("x^4", order=5))
'0'
"""

from __future__ import annotations

import inspect
from typing import Any

from chainrule.core.build import as_expr, as_typed, const, symbol
from chainrule.core.expr import Expr, Symbol
from chainrule.errors import BudgetError, ChainruleError
from chainrule.limits import MAX_NODES, MAX_ORDER
from chainrule.limits.budget import Budget, charge, within
from chainrule.parsing import parse as _parse
from chainrule.symbolic.differentiate import Differentiator, Method, wrt_symbol
from chainrule.symbolic.simplify.expand import expand
from chainrule.symbolic.simplify.readable import readable
from chainrule.symbolic.steps import Derivation, Differentiate, Simplify, Step, ZerothDerivative

ExprLike = Expr | str | int | float


def parse(text: str, budget: Budget | float | None = None) -> Expr:
    """Parse text in chainrule's syntax (see the README) into an expression.

    ``budget`` bounds the work (a :class:`~chainrule.limits.budget.Budget`, or a deadline in
    seconds); past it :class:`~chainrule.errors.WorkLimitExceeded` says which limit was hit.

    >>> str(parse("sin^2 x"))
    'sin(x)^2'
    >>> parse("2x + 1") == parse("1 + 2*x")
    True
    """
    with within(budget):
        return _parse(text)


def parse_typed(text: str, budget: Budget | float | None = None) -> Expr:
    """Parse text keeping the shape the learner typed, for steps that differentiate it.

    Powers of quotients, products and powers stay as typed (see
    :func:`chainrule.core.build.as_typed`), so ``((x+1)/(x-1))^3`` is solved by the chain
    rule first; everything else is as :func:`parse` reads it.

    >>> str(parse_typed("((x+1)/(x-1))^3")), str(parse("((x+1)/(x-1))^3"))
    ('((x + 1)/(x - 1))^3', '(x + 1)^3/(x - 1)^3')
    """
    with within(budget), as_typed():
        return _parse(text)


def as_expression(value: Any) -> Expr:
    """An Expr from text (as typed), a number, an Expr, or a Python function of symbolic
    inputs."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, str):
        return parse_typed(value)
    if isinstance(value, int | float):
        return const(value)
    if callable(value):
        return _trace_callable(value)
    raise ChainruleError(f"cannot differentiate a {type(value).__name__}; give text or an Expr")


def _trace_callable(fn: Any) -> Expr:
    """Call ``fn`` with symbols named after its parameters: ``lambda x: x**x`` → ``x^x``."""
    params = [p.name for p in inspect.signature(fn).parameters.values()]
    out = fn(*(symbol(p) for p in params))
    if not isinstance(out, Expr):
        out = as_expr(out)
    return out


def _check_order(order: int) -> None:
    if not isinstance(order, int) or order < 0:
        raise ChainruleError(f"the derivative order must be a whole number ≥ 0, got {order!r}")
    if order > MAX_ORDER:
        raise BudgetError(f"derivative order {order} is over the limit of {MAX_ORDER}")


def _differentiate(expr: Expr, wrt: Symbol, order: int, method: Method,
                   record: bool) -> tuple[Expr, list[Step]]:
    trees: list[Step] = []
    current = expr
    for k in range(order):
        raw, tree = Differentiator(wrt, record=record, method=method).d(current)
        tidy = readable(raw, keep=current.nodes())
        if k >= HIGH_ORDER_FROM:
            tidy = _collected(tidy)
        if record:
            trees.append(_order_step(current, raw, tidy, tree, wrt))
        current = tidy
        charge(1, f"differentiating to order {len(trees) or order}")
        if current.node_count() > MAX_NODES:
            raise BudgetError(f"the derivative grew past {MAX_NODES} nodes; stopped")
    return current, trees


HIGH_ORDER_FROM = 2
"""From the third derivative on, each order is also multiplied out into collected terms."""
HIGH_ORDER_TERMS = 20_000


def _collected(e: Expr) -> Expr:
    """``e`` multiplied out when that makes it smaller.

    Derivatives of high order repeat the same monomials (``x^x·ln(x)^a/x^b`` for ``x^x``)
    inside nested sums; collecting them keeps order n at O(n²) terms instead of growing
    geometrically, so ``diff("x^x", order=20)`` takes seconds, not hours. The next order then
    differentiates this collected DAG (never re-simplifying earlier orders from scratch).
    """
    out = expand(e, max_terms=HIGH_ORDER_TERMS)
    return out if out.node_count() < e.node_count() else e


def _order_step(expr: Expr, raw: Expr, tidy: Expr, tree: Step, wrt: Symbol) -> Step:
    subs = [tree]
    if tidy is not raw and str(tidy) != str(raw):  # a no-op simplification is no step
        subs.append(Simplify(raw, tidy, wrt.name))
    return Differentiate(expr, tidy, wrt.name, subs)


def diff(expr: ExprLike, wrt: str | Symbol | None = None, order: int = 1,
         method: Method = "auto", budget: Budget | float | None = None) -> Expr:
    """The ``order``-th derivative of ``expr`` with respect to ``wrt``, simplified.

    ``expr`` may be text, an Expr, or a Python function such as ``lambda x: x**x``.
    ``wrt`` may be omitted when the expression has one variable. ``budget`` bounds the work
    (a :class:`~chainrule.limits.budget.Budget`, or a deadline in seconds; default
    ``Budget()``); past it :class:`~chainrule.errors.WorkLimitExceeded` names the limit.

    >>> str(diff("x^2 y + 3y", wrt="y"))
    'x^2 + 3'
    """
    _check_order(order)
    with within(budget):
        e = as_expression(expr)
        result, _ = _differentiate(e, wrt_symbol(e, wrt), order, method, record=False)
    return result


def steps(expr: ExprLike, wrt: str | Symbol | None = None, order: int = 1,
          method: Method = "auto", budget: Budget | float | None = None) -> Derivation:
    """The derivative with every rule recorded; ``.result`` is the answer.

    >>> d = steps("x^2 sin(x)")
    >>> d.rules_used()[:3]
    ['Differentiate', 'Product rule', 'Power rule']
    """
    _check_order(order)
    with within(budget):
        e = as_expression(expr)
        sym = wrt_symbol(e, wrt)
        if order == 0:
            return Derivation(e, sym.name, [ZerothDerivative(e, e, sym.name)])
        _, trees = _differentiate(e, sym, order, method, record=True)
    return Derivation(e, sym.name, trees)
