"""The computation graph of plain NumPy code: forward values and backward adjoints per node.

:func:`computation_graph` traces ``f`` once in reverse mode at the given point, runs the
backward sweep keeping the adjoint dL/dnode of *every* node (not only of the inputs), and returns
a :class:`Graph` that can be shown as a walkthrough (:meth:`Graph.text`), as Graphviz
(:meth:`Graph.dot`) or as Mermaid (:meth:`Graph.mermaid`) — solid forward edges, dashed
backward edges labelled with the adjoint that flows along them (seed 003's neuron picture).

>>> import numpy as np
>>> g = computation_graph(lambda w, x: (w * x) ** 2, 3.0, 2.0)
>>> print(g.text())
computation graph: 4 nodes, 3 edges
forward:
  w = 3
  x = 2
  v1 = mul(w, x) = 6
  L = pow(v1, 2) = 36
backward (dL/dL = 1):
  dL/dv1 = dL/dL·∂L/∂v1 = 1·12 = 12
  dL/dw = dL/dv1·∂v1/∂w = 12·2 = 24
  dL/dx = dL/dv1·∂v1/∂x = 12·3 = 36
>>> g["w"].adjoint
24.0

``names`` names the inputs (default: the function's parameter names) and then, optionally, the
computed nodes in forward order — ``names=["w", "x", "g", "L"]`` above. Unnamed computed nodes
are ``v1``, ``v2``, …, and the output is ``L``. Constant arguments appear inline in labels.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.autodiff import reverse
from chainrule.autodiff.pytree import flatten
from chainrule.autodiff.tracing import is_at, new_level, value_of
from chainrule.errors import BudgetError, ChainruleError
from chainrule.printing.html import html_table

MAX_NODES = 500
"""Largest graph :meth:`Graph.text`, :meth:`Graph.dot` and :meth:`Graph.mermaid` will draw."""


@dataclass(frozen=True)
class GraphNode:
    """One value of the computation: an input, or one primitive call."""

    id: int  # position in forward (topological) order
    name: str  # "w", "v1", "L"
    expr: str | None  # "mul(w, x)"; None for an input
    prim: str | None  # primitive name; None for an input
    value: Any
    adjoint: Any  # dL/d(this node), same shape as value
    is_input: bool
    is_output: bool
    args: tuple[str, ...] = ()  # the arguments as shown in ``expr``: names, constants inline

    @property
    def label(self) -> str:
        """``"g = mul(w, x)"``, or the input's name."""
        return self.name if self.expr is None else f"{self.name} = {self.expr}"


@dataclass(frozen=True)
class GraphEdge:
    """``source`` is an argument of ``target``."""

    source: int
    target: int
    local: Any | None  # ∂target/∂source (scalar graphs only, else None)
    flow: Any  # the part of dL/dsource that comes back along this edge


@dataclass(frozen=True)
class Graph:
    """A traced computation; see the module docstring."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    output: int  # id of the output node

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, name: str) -> GraphNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    @property
    def out_name(self) -> str:
        return self.nodes[self.output].name

    def _budget(self) -> None:
        if len(self.nodes) > MAX_NODES:
            raise BudgetError(f"the computation graph has {len(self.nodes)} nodes; at most "
                              f"{MAX_NODES} can be drawn (try a smaller input or fewer steps)")

    def _d(self, node: GraphNode) -> str:
        return f"d{self.out_name}/d{node.name}"

    def _flow_label(self, edge: GraphEdge) -> str:
        parent = self.nodes[edge.source]
        uses = sum(1 for e in self.edges if e.source == edge.source)
        return f"{self._d(parent)} {'=' if uses == 1 else '+='} {fmt(edge.flow)}"

    def text(self) -> str:
        """Forward values in topological order, then the backward sweep node by node."""
        self._budget()
        out = self.nodes[self.output]
        n_edges = len(self.edges)
        lines = [f"computation graph: {len(self.nodes)} nodes, {n_edges} "
                 f"edge{'' if n_edges == 1 else 's'}", "forward:"]
        lines += [f"  {n.label} = {fmt(n.value)}" for n in self.nodes]
        seed = "1" if np.ndim(out.value) == 0 else "1 per entry (L = sum of the outputs)"
        lines.append(f"backward ({self._d(out)} = {seed}):")
        inputs = [n for n in self.nodes if n.is_input]
        for n in [n for n in reversed(self.nodes) if not n.is_input] + inputs:
            if n.is_output:
                continue
            routes = [e for e in self.edges if e.source == n.id]
            if not routes:
                lines.append(f"  {self._d(n)} = {fmt(n.adjoint)} (not used)")
                continue
            terms = [f"{self._d(self.nodes[e.target])}·∂{self.nodes[e.target].name}/∂{n.name}"
                     for e in routes]
            line = f"  {self._d(n)} = {' + '.join(terms)}"
            if all(e.local is not None for e in routes):
                line += " = " + " + ".join(f"{_factor(self.nodes[e.target].adjoint)}·"
                                           f"{_factor(e.local)}" for e in routes)
            lines.append(f"{line} = {fmt(n.adjoint)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Forward values and backward adjoints, one row per node, for notebooks."""
        self._budget()
        rows = [(n.name, n.expr or "input", fmt(n.value), fmt(n.adjoint)) for n in self.nodes]
        return html_table(rows, ("node", "computes", "value", f"adjoint d{self.out_name}/dnode"),
                          caption=f"computation graph: {len(self.nodes)} nodes")

    def dot(self) -> str:
        """Graphviz DOT: solid forward edges (∂child/∂parent), dashed labelled adjoint edges."""
        self._budget()
        lines = ["digraph computation {", "  rankdir=LR;",
                 '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica"];']
        for n in self.nodes:
            label = f"{n.label}\\nvalue = {fmt(n.value)}\\n{self._d(n)} = {fmt(n.adjoint)}"
            style = "shape=ellipse, " if n.is_input else ""
            style += "peripheries=2, " if n.is_output else ""
            lines.append(f'  n{n.id} [{style}label="{_dot_escape(label)}"];')
        for e in self.edges:
            label = ("" if e.local is None else
                     f' [label="{_dot_escape(self._partial(e))}"]')
            lines.append(f"  n{e.source} -> n{e.target}{label};")
        for e in self.edges:
            lines.append(f'  n{e.target} -> n{e.source} [style=dashed, color="#c0392b", '
                         f'fontcolor="#c0392b", constraint=false, '
                         f'label="{_dot_escape(self._flow_label(e))}"];')
        lines.append("}")
        return "\n".join(lines)

    def mermaid(self) -> str:
        """A Mermaid ``flowchart LR``: forward ``-->`` edges and dashed ``-. "…" .->`` ones."""
        self._budget()
        lines = ["flowchart LR"]
        for n in self.nodes:
            text = _mermaid_escape(f"{n.label} = {fmt(n.value)}" if not n.is_input
                                   else f"{n.name} = {fmt(n.value)}")
            lines.append(f'  n{n.id}(["{text}"])' if n.is_input else f'  n{n.id}["{text}"]')
        lines += [f"  n{e.source} --> n{e.target}" for e in self.edges]
        lines += [f'  n{e.target} -. "{_mermaid_escape(self._flow_label(e))}" .-> n{e.source}'
                  for e in self.edges]
        return "\n".join(lines)

    def _partial(self, e: GraphEdge) -> str:
        return f"∂{self.nodes[e.target].name}/∂{self.nodes[e.source].name} = {fmt(e.local)}"


# -- building -----------------------------------------------------------------------------

def computation_graph(f: Callable[..., Any], *args: Any,
                      names: Sequence[str] | None = None) -> Graph:
    """Trace ``f(*args)`` in reverse mode and keep every node's value and adjoint.

    ``args`` are numbers, arrays, or tuples / lists / dicts of them (each leaf is one input
    node). A non-scalar output is seeded with ones: the adjoints are those of its sum.
    """
    level = new_level()
    leaves, rebuild = flatten(list(args))
    boxes = [reverse.leaf(_as_float(v), level) for v in leaves]
    out = f(*rebuild(boxes))
    if not is_at(out, level):
        raise ChainruleError("the function's output does not depend on its inputs (or is not "
                             "a single number or array), so it has no computation graph")
    order = [b.node for b in boxes]
    seen = {id(n) for n in order}
    order += [n for n in reversed(reverse.toposort(out.node)) if id(n) not in seen]
    index = {id(n): i for i, n in enumerate(order)}
    node_names = _names(f, args, len(leaves), len(order), names, index[id(out.node)])

    adjoint, flows = _backward(out.node)
    edges = []
    for node in order:
        parents: dict[int, None] = dict.fromkeys(id(p) for _, p in node.parents)
        for pid in parents:
            edges.append(GraphEdge(index[pid], index[id(node)], _local(node, pid),
                                   flows.get((id(node), pid), 0.0)))
    nodes = []
    for i, node in enumerate(order):
        value = value_of(node.ans)
        adj = adjoint.get(id(node))
        nodes.append(GraphNode(
            i, node_names[i], None if i < len(leaves) else _expr(node, index, node_names),
            None if node.prim is None else node.prim.name, value,
            np.zeros_like(value) if adj is None else value_of(adj),
            i < len(leaves), node is out.node,
            () if i < len(leaves) else tuple(_arg_texts(node, index, node_names))))
    return Graph(tuple(nodes), tuple(edges), index[id(out.node)])


def _as_float(v: Any) -> Any:
    if isinstance(v, np.ndarray) and not np.issubdtype(v.dtype, np.inexact):
        return v.astype(float)
    if isinstance(v, bool | int | np.integer):
        return float(v)
    return v


def _backward(root: reverse.Node) -> tuple[dict[int, Any], dict[tuple[int, int], Any]]:
    """Adjoints of every node, and each (child, parent) edge's share of the parent's adjoint."""
    ans = value_of(root.ans)
    seed: Any = np.ones_like(ans) if isinstance(ans, np.ndarray) else 1.0
    cts: dict[int, Any] = {id(root): seed}
    adjoint: dict[int, Any] = {}
    flows: dict[tuple[int, int], Any] = {}
    for node in reverse.toposort(root):
        ct = cts.get(id(node))
        adjoint[id(node)] = ct
        if ct is None or node.prim is None:
            continue
        for parent, parent_ct in reverse.argument_cotangents(node, ct):
            key = (id(node), id(parent))
            flows[key] = parent_ct if key not in flows else flows[key] + parent_ct
            previous = cts.get(id(parent))
            cts[id(parent)] = parent_ct if previous is None else previous + parent_ct
    return adjoint, {k: value_of(v) for k, v in flows.items()}


def _local(node: reverse.Node, parent_id: int) -> Any | None:
    """∂node/∂parent when both are scalars (repeated arguments summed), else None."""
    parent = next(p for _, p in node.parents if id(p) == parent_id)
    if np.size(value_of(node.ans)) != 1 or np.size(value_of(parent.ans)) != 1:
        return None
    try:
        parts = [ct for p, ct in reverse.argument_cotangents(node, np.ones_like(
            value_of(node.ans))) if id(p) == parent_id]
    except ChainruleError:
        return None
    return float(np.sum(value_of(sum(parts)))) if parts else 0.0


def _names(f: Callable[..., Any], args: tuple, n_inputs: int, n_nodes: int,
           names: Sequence[str] | None, out_index: int) -> list[str]:
    given = list(names or [])
    if len(given) > n_nodes:
        raise ChainruleError(f"{len(given)} names given for a graph of {n_nodes} nodes")
    if len(set(given)) != len(given):
        raise ChainruleError(f"names must be distinct: {given}")
    auto = _input_names(f, args)
    result = given + auto[len(given):n_inputs]
    used = set(result)
    if out_index >= len(result):
        out_name = next(n for n in ("L", "out", "output", "_L") if n not in used)
        used.add(out_name)
    k = 0
    for i in range(len(result), n_nodes):
        if i == out_index:
            result.append(out_name)
            continue
        k += 1
        while f"v{k}" in used:
            k += 1
        result.append(f"v{k}")
    return result


def _input_names(f: Callable[..., Any], args: tuple) -> list[str]:
    """One name per leaf input: parameter names, with ``[i]`` / ``[key]`` for nested ones."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    out: list[str] = []
    for i, arg in enumerate(args):
        p = params[i] if i < len(params) else (params[-1] if params else None)
        if p is None or p.kind in (p.VAR_KEYWORD, p.KEYWORD_ONLY):
            base = f"x{i}"
        elif p.kind == p.VAR_POSITIONAL:
            base = f"{p.name}[{i - params.index(p)}]"
        else:
            base = p.name
        out += _leaf_paths(arg, base)
    return out


def _leaf_paths(tree: Any, prefix: str) -> list[str]:
    """Names of the leaves of ``tree`` in :func:`flatten`'s order."""
    if isinstance(tree, tuple | list):
        return [p for i, t in enumerate(tree) for p in _leaf_paths(t, f"{prefix}[{i}]")]
    if isinstance(tree, dict):
        return [p for k in sorted(tree) for p in _leaf_paths(tree[k], f"{prefix}[{k!r}]")]
    return [prefix]


def _arg_texts(node: reverse.Node, index: dict[int, int], names: list[str]) -> list[str]:
    """The arguments of ``node``: traced ones by name, constants by value."""
    traced = {i: names[index[id(p)]] for i, p in node.parents}
    return [traced.get(i) or fmt(value_of(a)) for i, a in enumerate(node.args)]


def _expr(node: reverse.Node, index: dict[int, int], names: list[str]) -> str:
    """``mul(w, x)``: traced arguments by name, constants inline."""
    shown = _arg_texts(node, index, names)
    name = node.prim.name
    if name == "getitem" and len(shown) == 1:
        return f"{shown[0]}[{_index_text(node.params.get('index'))}]"
    shown += [f"{k}={_param_text(v)}" for k, v in node.params.items()
              if v is not None and v is not False]
    return f"{name}({', '.join(shown)})"


def _index_text(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    return ", ".join(_param_text(p) for p in parts)


def _param_text(v: Any) -> str:
    if isinstance(v, slice):
        return ":".join("" if s is None else str(s) for s in (v.start, v.stop, v.step)
                        ).rstrip(":") or ":"
    if isinstance(v, np.ndarray):
        return fmt(v)
    return "..." if v is Ellipsis else repr(v)


def fmt(v: Any) -> str:
    """Compact: scalars ``%.6g`` (``-0`` shown as ``0``), arrays by shape."""
    v = value_of(v)
    if isinstance(v, np.ndarray) and v.ndim > 0:
        return f"array{v.shape}"
    if np.iscomplexobj(v):
        return f"{complex(v):.6g}"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return repr(v)
    return "0" if x == 0 else f"{x:.6g}"


def _factor(v: Any) -> str:
    """A value as a factor of a product: negative numbers in parentheses."""
    text = fmt(v)
    return f"({text})" if text.startswith("-") else text


def _dot_escape(s: str) -> str:
    return s.replace('"', '\\"')


def _mermaid_escape(s: str) -> str:
    return s.replace('"', "#quot;")
