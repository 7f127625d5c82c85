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

from chainrule.autodiff.complex_numbers import check_rule, is_complex
from chainrule.autodiff.tracing import Box, bind, is_at, new_level, unbox
from chainrule.core.primitive import DERIVE
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
        check_rule(prim, values)
        ans = bind(prim, values, params)
        parents = tuple((i, a.node) for i, a in enumerate(args) if is_at(a, level))
        return cls(ans, level, Node(prim, values, params, ans, parents))


def leaf(value: Any, level: int) -> ReverseBox:
    return ReverseBox(value, level, Node(None, (), {}, value, ()))


def toposort(root: Node | list[Node]) -> list[Node]:
    """Nodes reachable from ``root`` (one node or several), each after all nodes that use it
    (iterative DFS)."""
    roots = root if isinstance(root, list) else [root]
    order: list[Node] = []
    seen: set[int] = set()
    for start in roots:
        if id(start) in seen:
            continue
        seen.add(id(start))
        stack: list[tuple[Node, int]] = [(start, 0)]
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


def backward(root: Node | list[Node], g: Any, leaves: list[Node]) -> list[Any]:
    """Cotangents of ``leaves`` given the output's cotangent ``g`` (None where zero).

    For several outputs, ``root`` and ``g`` are lists of the same length (a None cotangent
    is a zero); an output reached twice gets the sum of its cotangents.
    """
    cts: dict[int, Any] = {}
    roots = root if isinstance(root, list) else [root]
    seeds = g if isinstance(root, list) else [g]
    for node, seed in zip(roots, seeds, strict=True):
        if seed is not None:
            previous = cts.get(id(node))
            cts[id(node)] = seed if previous is None else previous + seed
    wanted = {id(n) for n in leaves}
    found: dict[int, Any] = {}
    for node in toposort(roots):
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
    triples = _cotangents(node, g)
    if is_complex(node.ans):
        # A real argument's cotangent is the real part (JAX: the transpose of the cast of a
        # real value to complex, which is what mixing it with complex numbers did). Only a
        # complex output can hand a real argument a complex cotangent.
        return [(parent, np.real(ct) if is_complex(ct) and not is_complex(node.args[i]) else ct)
                for i, parent, ct in triples]
    return [(parent, ct) for _, parent, ct in triples]


def _cotangents(node: Node, g: Any) -> list[tuple[int, Node, Any]]:
    prim = node.prim
    if prim.elementwise:
        return [(i, parent, unbroadcast(g * prim.partial(i, node.args, node.ans),
                                        np.shape(node.args[i])))
                for i, parent in node.parents]
    if prim.vjp is None and prim.jvp is None:
        raise DifferentiationError(f"no reverse-mode rule for {prim.name}")
    need = [False] * len(node.args)
    for i, _ in node.parents:
        need[i] = True
    cts = (list(prim.vjp(g, node.ans, node.args, node.params, need)) if prim.vjp is not None
           else [DERIVE] * len(node.args))
    for i, _ in node.parents:
        if cts[i] is DERIVE:
            cts[i] = transposed_jvp(prim, i, g, node)
    return [(i, parent, cts[i]) for i, parent in node.parents if cts[i] is not None]


def transposed_jvp(prim: Any, i: int, g: Any, node: Node) -> Any:
    """The cotangent of argument ``i`` derived from the record's JVP.

    The JVP is linear in the tangent, so its transpose applied to ``g`` is the gradient of
    ``t ↦ Σ g·jvp(t)``: one reverse pass over the JVP, whose operations (matrix products,
    solves in their right-hand side, …) have transposes of their own. So a record writes its
    JVP once and the VJP follows, as JAX derives reverse mode from linearize + transpose.
    """
    level = new_level()
    tangent = leaf(np.zeros(np.shape(node.args[i]),
                            dtype=complex if is_complex(node.args[i]) else float), level)
    tangents: list[Any] = [None] * len(node.args)
    tangents[i] = tangent
    out = prim.jvp(tangents, node.ans, node.args, node.params)
    if not is_at(out, level):
        return None  # the output does not depend on this argument
    [ct] = backward(np.sum(out * g).node, 1.0, [tangent.node])
    return ct
