"""Pickling expressions: a flat table of distinct nodes, children first.

Depth costs no recursion and shared subexpressions are stored once; unpickling rebuilds
through the interning constructors, so an unpickled expression *is* the one already in
memory when there is one.

>>> from chainrule.core.build import symbol
>>> e = symbol("x") + 1
>>> len(node_table(e))
3
"""

from __future__ import annotations

from typing import Any

from chainrule.core import registry
from chainrule.core.expr import Apply, Expr


def node_table(expr: Expr) -> tuple:
    """``expr`` as a table: leaves as themselves, compound nodes as ``(primitive name,
    argument indices)``, children first; the last entry is the root."""
    index: dict[int, int] = {}
    table: list[Any] = []
    for node in expr.walk():
        index[id(node)] = len(table)
        if isinstance(node, Apply):
            table.append((node.prim.name, tuple(index[id(a)] for a in node.args)))
        else:
            table.append(node)  # a leaf pickles itself (its own __reduce__)
    return tuple(table)


def rebuild(table: tuple) -> Expr:
    """The expression a pickled table of nodes describes (see :meth:`Expr.__reduce__`).

    Entries are leaves or ``(primitive name, argument indices)``, children first; the last
    entry is the root. Nodes come back through the interning constructors, so an unpickled
    expression *is* the one already in memory when there is one.

    >>> import pickle
    >>> from chainrule.core.build import symbol
    >>> e = (symbol("x") + 1) ** 2
    >>> pickle.loads(pickle.dumps(e)) is e
    True
    """
    nodes: list[Expr] = []
    for entry in table:
        if isinstance(entry, Expr):
            nodes.append(entry)
        else:
            name, arg_ids = entry
            nodes.append(Apply(registry.get(name), tuple(nodes[i] for i in arg_ids)))
    return nodes[-1]
