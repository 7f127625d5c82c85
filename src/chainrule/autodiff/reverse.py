"""Reverse mode: record the graph, then sweep cotangents back from the output.

Every primitive call on a :class:`ReverseBox` records a :class:`Node` (primitive, argument
values, output, parents). :func:`backward` visits the nodes in reverse topological order —
computed iteratively, so a 10,000-operation chain is fine — and, for each, asks the rule table
for the cotangent of every traced argument, summing over every path (the multivariate chain
rule of seed 003 §2.2). Zero cotangents are ``None`` and skipped, never computed.
The cotangent arithmetic is done with NumPy / chainrule operations, so when the values are
boxes of an outer trace, the backward pass is itself traced: that is grad of grad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.tracing import Box, bind, is_at, unbox
from chainrule.errors import DifferentiationError
from chainrule.rules.arrays import unbroadcast


class Node:
    """One recorded primitive call (or a leaf, with ``prim`` None)."""

    __slots__ = ("prim", "args", "params", "ans", "parents", "__weakref__")

    def __init__(self, prim: Any, args: tuple, params: dict, ans: Any,
                 parents: tuple[tuple[int, Node], ...]):
        self.prim, self.args, self.params, self.ans, self.parents = prim, args, params, ans, parents


class ReverseBox(Box):
    """A value traced for reverse mode; ``node`` is where it was made."""

    __slots__ = ("node",)

    def __init__(self, value: Any, level: int, node: Node):
        super().__init__(value, level)
        self.node = node

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        values = tuple(unbox(a, level) for a in args)
        ans = bind(prim, values, params)
        parents = tuple((i, a.node) for i, a in enumerate(args) if is_at(a, level))
        return cls(ans, level, Node(prim, values, params, ans, parents))


def leaf(value: Any, level: int) -> ReverseBox:
    return ReverseBox(value, level, Node(None, (), {}, value, ()))


def toposort(root: Node) -> list[Node]:
    """Nodes reachable from ``root``, each after all nodes that use it (iterative DFS)."""
    order: list[Node] = []
    seen: set[int] = {id(root)}
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, i = stack.pop()
        if i < len(node.parents):
            stack.append((node, i + 1))
            parent = node.parents[i][1]
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, 0))
        else:
            order.append(node)
    order.reverse()
    return order


def backward(root: Node, g: Any, leaves: list[Node]) -> list[Any]:
    """Cotangents of ``leaves`` given the output's cotangent ``g`` (None where zero)."""
    cts: dict[int, Any] = {id(root): g}
    wanted = {id(n) for n in leaves}
    found: dict[int, Any] = {}
    for node in toposort(root):
        ct = cts.pop(id(node), None)
        if ct is None:
            continue
        if id(node) in wanted:
            found[id(node)] = ct
        if node.prim is None:
            continue
        for parent, parent_ct in argument_cotangents(node, ct):
            previous = cts.get(id(parent))
            cts[id(parent)] = parent_ct if previous is None else previous + parent_ct
    return [found.get(id(n)) for n in leaves]


def argument_cotangents(node: Node, g: Any) -> list[tuple[Node, Any]]:
    """``(parent node, cotangent)`` for every traced argument of ``node``."""
    prim = node.prim
    if prim.elementwise:
        return [(parent, unbroadcast(g * prim.partial(i, node.args, node.ans),
                                     np.shape(node.args[i])))
                for i, parent in node.parents]
    if prim.vjp is None:
        raise DifferentiationError(f"no reverse-mode rule for {prim.name}")
    need = [False] * len(node.args)
    for i, _ in node.parents:
        need[i] = True
    cts = prim.vjp(g, node.ans, node.args, node.params, need)
    return [(parent, cts[i]) for i, parent in node.parents if cts[i] is not None]
