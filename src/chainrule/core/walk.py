"""The one DAG walker: a memoised, iterative post-order fold, :func:`rewrite`.

Every pass over an expression that computes something per node from its children's results —
substitution, evaluation, simplification, conversion to SymPy and back — is a call to
:func:`rewrite` with a small function ``fn(node, args)``. ``args`` are ``fn``'s results for the
node's children, so each distinct node of the (hash-consed, shared) DAG is handled exactly
once, however many parents it has, and the walk uses an explicit stack, so an expression
thousands of levels deep needs no recursion limit.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> e = (x + 1) * (x + 1) + x
>>> rewrite(e, lambda node, args: 1 + sum(args))   # tree size: (x + 1)^2 + x, x twice
7
>>> rewrite(e, rebuild) is e                        # the identity rewrite keeps the object
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from chainrule.core import build
from chainrule.core.expr import Apply, Expr
from chainrule.limits.budget import charge

R = TypeVar("R")


def rewrite(expr: Any, fn: Callable[[Any, tuple], R], memo: dict[Any, R] | None = None,
            children: Callable[[Any], Sequence[Any]] | None = None) -> R:
    """``fn(node, (results for node's children...))`` for every node, children first.

    ``memo`` may be given pre-filled: a node already in it is not entered (its children are not
    visited) and its value is used as the result — that is how substitution replaces whole
    subexpressions. After the call ``memo`` holds the result of every node visited, which
    callers may reuse across several roots. ``children`` (default ``node.args``) says which
    nodes to enter below a node — fewer than its arguments, or other hashable trees such as
    SymPy's; it is called once per node, when the node is entered (before its children), so it
    may also validate the node.

    >>> from chainrule.core.build import symbol
    >>> x, y = symbol("x"), symbol("y")
    >>> calls = []
    >>> _ = rewrite(x * x + x, lambda n, a: calls.append(str(n)))
    >>> calls
    ['x', '2', 'x^2', 'x^2 + x']
    >>> str(rewrite(x * x + x, rebuild, memo={x: y}))
    'y^2 + y'
    """
    table: dict[Any, R] = {} if memo is None else memo
    if expr in table:
        return table[expr]
    # (node, None) is still to be entered; (node, its children) is ready, its children being
    # above it on the stack. A node may be pushed twice by two parents before it is done; the
    # second copy finds it in the table. Children are asked for once per node, on entry.
    stack: list[tuple[Any, Sequence[Any] | None]] = [(expr, None)]
    done = 0
    result = table.__getitem__  # map() over it: the hot loop of every pass, kept tight
    while stack:
        node, ready = stack.pop()
        if ready is not None:
            table[node] = fn(node, tuple(map(result, ready)))
            done += 1
            if done & 255 == 0:  # the work budget, checked every 256 nodes
                charge(256, "walking an expression")
        elif node not in table:
            args = node.args if children is None else tuple(children(node))
            stack.append((node, args))
            stack.extend([(a, None) for a in reversed(args) if a not in table])
    return table[expr]


def rebuild(node: Expr, args: tuple) -> Expr:
    """``node`` with its arguments replaced by ``args``, rebuilt canonically.

    The same object when nothing changed, so ``rewrite(e, rebuild)`` is the identity and a
    rewrite that touches nothing allocates nothing.

    >>> from chainrule.core.build import symbol
    >>> x = symbol("x")
    >>> rebuild(x + 1, (x, x)) is 2 * x
    True
    """
    # tuple equality compares by identity first, and Expr equality is identity: C-speed
    if not isinstance(node, Apply) or args == node.args:
        return node
    return build.apply(node.prim, *args)


def transform(expr: Expr, fn: Callable[[Expr], Expr | None],
              memo: dict[Hashable, Any] | None = None) -> Expr:
    """Rebuild ``expr`` bottom-up, replacing each rebuilt node by ``fn(node)`` unless None.

    >>> from chainrule.core.build import symbol
    >>> x = symbol("x")
    >>> str(transform(x ** 2 + x, lambda n: symbol("y") if n is x else None))
    'y^2 + y'
    """
    def step(node: Expr, args: tuple) -> Expr:
        new = rebuild(node, args)
        out = fn(new)
        return new if out is None else out

    return rewrite(expr, step, memo)
