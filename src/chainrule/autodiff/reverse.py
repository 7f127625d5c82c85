"""Reverse mode: record the graph, then sweep cotangents back from the output.

Every primitive call on a :class:`ReverseBox` records a :class:`Node` (primitive, argument
values, output, parents). :func:`backward` visits the nodes in reverse topological order —
computed iteratively, so a 10,000-operation chain is fine — and, for each, asks the rule table
for the cotangent of every traced argument, summing over every path (the multivariate chain
rule of seed 003 §2.2). Zero cotangents are ``None`` and skipped, never computed.
The cotangent arithmetic is done with NumPy / chainrule operations, so when the values are
boxes of an outer trace, the backward pass is itself traced: that is grad of grad.

What is kept and when it is freed (:class:`LeanBox`, what ``grad`` and ``vjp`` record): an
elementwise primitive's node on a large array (:data:`IN_PLACE` entries or more) keeps its
partials, not its arguments and output — a sum's
partial is the number 1 and a product by a constant keeps only the constant, so the
intermediate values die with the forward pass unless some rule needs them. An adjoint is
dropped as soon as its node has passed it on; sums of adjoints are accumulated in place into
arrays the backward pass made itself, and the last partial is multiplied into such an array in
place too. Parents that lead to no input asked for are skipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.complex_numbers import check_rule, is_complex
from chainrule.autodiff.tracing import Box, bind, is_at, new_level, unbox
from chainrule.core.primitive import DERIVE
from chainrule.core.trace import is_staging
from chainrule.errors import ChainruleError, DifferentiationError
from chainrule.rules.arrays import unbroadcast

IN_PLACE = 4096
"""Arrays of at least this many entries get lean nodes and are written in place (for smaller
ones the memory saved is not worth the checks)."""


class Node:
    """One recorded primitive call (or a leaf, with ``prim`` None).

    A lean node (``partials`` not None) holds, for each traced argument in ``parents`` order,
    the partial derivative, and ``args`` holds only the arguments' shapes."""

    __slots__ = ("prim", "args", "params", "ans", "parents", "partials", "__weakref__")

    def __init__(self, prim: Any, args: tuple, params: dict, ans: Any,
                 parents: tuple[tuple[int, Node], ...], partials: tuple | None = None):
        self.prim, self.args, self.params, self.ans, self.parents = prim, args, params, ans, parents
        self.partials = partials


class ReverseBox(Box):
    """A value traced for reverse mode; ``node`` is where it was made (every value kept: the
    computation-graph explainer shows them all)."""

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


class LeanBox(ReverseBox):
    """Reverse mode keeping only what the backward pass needs: an elementwise primitive's node
    keeps its partials (see the module), every other node its values, which its VJP reads.
    Complex values, staged programs (``chainrule.jit``) and a partial that cannot be formed
    here keep the full node, so the backward pass behaves as :class:`ReverseBox`'s."""

    __slots__ = ()

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        values = tuple(unbox(a, level) for a in args)
        check_rule(prim, values)
        ans = bind(prim, values, params)
        parents = tuple((i, a.node) for i, a in enumerate(args) if is_at(a, level))
        partials = _partials(prim, values, ans, parents)
        if partials is None:
            return cls(ans, level, Node(prim, values, params, ans, parents))
        shapes = tuple(v.shape if type(v) is np.ndarray else np.shape(v) for v in values)
        return cls(ans, level, Node(prim, shapes, params, None, parents, partials))


def _partials(prim: Any, values: tuple, ans: Any, parents: tuple) -> tuple | None:
    # Only large plain arrays: for small ones the values cost little memory and forming the
    # partials here instead of in the backward pass only adds work; traced values (of outer
    # levels: Hessians) keep the path they had.
    if (type(ans) is not np.ndarray or ans.size < IN_PLACE or not prim.elementwise
            or is_staging() or not _real(ans) or not all(_real(v) for v in values)):
        return None
    try:
        return tuple(prim.partial(i, values, ans) for i, _ in parents)
    except ChainruleError:
        return None  # raised again by the backward pass, if it gets there


def _real(x: Any) -> bool:
    kind = type(x)
    if kind is float or kind is int:
        return True  # the common constants, answered first: this runs on every call
    if kind is np.ndarray or kind is np.float64:
        return x.dtype.kind != "c"
    return not is_complex(x)


def leaf(value: Any, level: int) -> ReverseBox:
    return ReverseBox(value, level, Node(None, (), {}, value, ()))


def lean_leaf(value: Any, level: int) -> LeanBox:
    """An input traced by :class:`LeanBox`."""
    return LeanBox(value, level, Node(None, (), {}, value, ()))


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
    owned: set[int] = set()  # nodes whose cotangent is an array made here: writable in place
    roots = root if isinstance(root, list) else [root]
    seeds = g if isinstance(root, list) else [g]
    for node, seed in zip(roots, seeds, strict=True):
        if seed is not None:
            _accumulate(cts, owned, id(node), seed, False)
    wanted = {id(n) for n in leaves}
    order = toposort(roots)
    reaches = _reaching(order, wanted)
    found: dict[int, Any] = {}
    for node in order:
        key = id(node)
        ct = cts.pop(key, None)  # dropped here: its last use is this node
        mine = key in owned
        owned.discard(key)
        if ct is None:
            continue
        if key in wanted:
            found[key] = ct
        if node.prim is None:
            continue
        parents = node.parents
        if reaches is not None and not all(id(p) in reaches for _, p in parents):
            parents = tuple((i, p) for i, p in parents if id(p) in reaches)
        for parent, parent_ct, fresh in _cotangents(node, ct, parents, mine):
            _accumulate(cts, owned, id(parent), parent_ct, fresh)
    return [found.get(id(n)) for n in leaves]


def _reaching(order: list[Node], wanted: set[int]) -> set[int] | None:
    """Ids of the nodes from which some wanted leaf can be reached (``order``: users first);
    None when every leaf is wanted (then every node reaches one)."""
    if all(id(n) in wanted for n in order if n.prim is None):
        return None
    reaches: set[int] = set()
    for node in reversed(order):
        if id(node) in wanted or any(id(p) in reaches for _, p in node.parents):
            reaches.add(id(node))
    return reaches


def _accumulate(cts: dict[int, Any], owned: set[int], key: int, ct: Any, fresh: bool) -> None:
    previous = cts.get(key)
    if previous is None:
        cts[key] = ct
        if fresh:
            owned.add(key)
    elif key in owned and _fits(previous, ct):
        np.add(previous, ct, out=previous)
    else:
        cts[key] = total = previous + ct
        if type(total) is np.ndarray:
            owned.add(key)


def _fits(out: Any, term: Any) -> bool:
    """True when ``out`` (a plain array) may take ``term`` in place: same shape (or a scalar
    term), and the result would have ``out``'s type."""
    return (type(out) is np.ndarray and out.size >= IN_PLACE
            and (type(term) is np.ndarray or isinstance(term, np.generic | float | int))
            and np.shape(term) in ((), out.shape) and np.result_type(out, term) == out.dtype)


def argument_cotangents(node: Node, g: Any) -> list[tuple[Node, Any]]:
    """``(parent node, cotangent)`` for every traced argument of ``node``."""
    return [(parent, ct) for parent, ct, _ in _cotangents(node, g, node.parents, False)]


def _cotangents(node: Node, g: Any, parents: tuple, mine: bool) -> list[tuple[Node, Any, bool]]:
    """``(parent, cotangent, made here)`` for ``parents``; ``mine``: ``g`` may be overwritten."""
    if node.partials is not None:
        return _lean_cotangents(node, g, parents, mine)
    triples = _full_cotangents(node, g, parents)
    if is_complex(node.ans):
        # A real argument's cotangent is the real part (JAX: the transpose of the cast of a
        # real value to complex, which is what mixing it with complex numbers did). Only a
        # complex output can hand a real argument a complex cotangent.
        return [(parent, np.real(ct) if is_complex(ct) and not is_complex(node.args[i]) else ct,
                 False) for i, parent, ct in triples]
    return [(parent, ct, False) for _, parent, ct in triples]


def _lean_cotangents(node: Node, g: Any, parents: tuple,
                     mine: bool) -> list[tuple[Node, Any, bool]]:
    if parents is node.parents:
        partials = node.partials
    else:
        partial_of = {i: p for (i, _), p in zip(node.parents, node.partials, strict=True)}
        partials = tuple(partial_of[i] for i, _ in parents)
    out = []
    shared = False  # g itself went to a parent, so it may no longer be overwritten
    last = len(parents) - 1
    for k, ((i, parent), partial) in enumerate(zip(parents, partials, strict=True)):
        shape = node.args[i]
        if type(partial) in (int, float) and partial == 1:
            ct = unbroadcast(g, shape)  # a sum: the cotangent passes through, not times 1
            if ct is g:
                # g is dead after this node: a sole parent inherits it, several share it
                fresh = mine and len(parents) == 1
                shared = True
            else:
                fresh = type(ct) is np.ndarray
        elif mine and not shared and k == last and np.shape(g) == shape and _fits(g, partial):
            ct, fresh = np.multiply(g, partial, out=g), True  # g's last use: in place
        else:
            ct = unbroadcast(g * partial, shape)
            fresh = type(ct) is np.ndarray
        out.append((parent, ct, fresh))
    return out


def _full_cotangents(node: Node, g: Any, parents: tuple) -> list[tuple[int, Node, Any]]:
    prim = node.prim
    if prim.elementwise:
        return [(i, parent, unbroadcast(g * prim.partial(i, node.args, node.ans),
                                        np.shape(node.args[i])))
                for i, parent in parents]
    if prim.vjp is None and prim.jvp is None:
        raise DifferentiationError(f"no reverse-mode rule for {prim.name}")
    need = [False] * len(node.args)
    for i, _ in parents:
        need[i] = True
    cts = (list(prim.vjp(g, node.ans, node.args, node.params, need)) if prim.vjp is not None
           else [DERIVE] * len(node.args))
    for i, _ in parents:
        if cts[i] is DERIVE:
            cts[i] = transposed_jvp(prim, i, g, node)
    return [(i, parent, cts[i]) for i, parent in parents if cts[i] is not None]


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
