"""Expression nodes: immutable, hash-consed, forming a DAG.

There are four kinds of node — :class:`Const` (an exact ``Fraction`` or a ``float``),
:class:`NamedConst` (``e``, ``pi``), :class:`Symbol` and :class:`Apply` (a primitive from the
rule table applied to argument nodes). Sums, products and powers are ``Apply`` nodes of the
``add``, ``mul`` and ``pow`` primitives, so every engine walks one uniform graph.

Nodes are interned: building the same node twice returns the same object, so equality is
identity, hashing is O(1), and a derivative shares every subexpression it has in common with
its function (that is what keeps derivatives linear in size). Build nodes through
:mod:`chainrule.core.build` (or Python operators), which also puts them in canonical form.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> (x + 1) * (x + 1) is (x + 1) ** 2
True
"""

from __future__ import annotations

import threading
import weakref
import zlib
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from chainrule.core.numbers import Number, normalize
from chainrule.core.presentation import Presentable
from chainrule.limits.budget import new_node, within

if TYPE_CHECKING:
    from chainrule.core.primitive import Primitive

_INTERNED: weakref.WeakValueDictionary[tuple, Expr] = weakref.WeakValueDictionary()
_INTERN_LOCK = threading.Lock()
_REFS = _INTERNED.data  # key -> weak reference: read directly on the constructors' hot path


def _lookup(key: tuple) -> Expr | None:
    """The live interned node for ``key`` (the weak dictionary's get() without its Python
    method call)."""
    ref = _REFS.get(key)
    return None if ref is None else ref()

def _sortable(value: Number) -> float:
    """A float to order constants by; exact integers too large for a float sort as ±inf."""
    try:
        return float(value)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _name_code(name: str) -> int:
    # crc32, not hash(): str hashes change between runs and canonical order must not.
    return zlib.crc32(name.encode("utf-8"))


def _prim_code(name: str) -> int:
    """:func:`_name_code` of a primitive's name, cached (there are few primitives)."""
    code = _PRIM_CODES.get(name)
    if code is None:
        code = _PRIM_CODES[name] = _name_code(name)
    return code


_PRIM_CODES: dict[str, int] = {}


class Expr(Presentable):
    """Base class of all expression nodes. Use operators or :mod:`chainrule.core.build`."""

    __slots__ = ("_sort", "_syms", "__weakref__")
    _sort: tuple
    args: tuple[Expr, ...] = ()

    # Interned: identity is equality. (Defaults of object, spelled out for readers.)
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    @property
    def sort_key(self) -> tuple:
        """A deterministic total order used to sort the arguments of sums and products."""
        key = self._sort
        if key is None:  # computed on first use: most products are never sorted themselves
            key = self._sort = _apply_key(self)
        return key

    # -- arithmetic, delegated to the canonical builders -------------------------------
    def __add__(self, other: Any) -> Expr:
        return build.add(self, build.as_expr(other))

    def __radd__(self, other: Any) -> Expr:
        return build.add(build.as_expr(other), self)

    def __sub__(self, other: Any) -> Expr:
        return build.sub(self, build.as_expr(other))

    def __rsub__(self, other: Any) -> Expr:
        return build.sub(build.as_expr(other), self)

    def __mul__(self, other: Any) -> Expr:
        return build.mul(self, build.as_expr(other))

    def __rmul__(self, other: Any) -> Expr:
        return build.mul(build.as_expr(other), self)

    def __truediv__(self, other: Any) -> Expr:
        return build.div(self, build.as_expr(other))

    def __rtruediv__(self, other: Any) -> Expr:
        return build.div(build.as_expr(other), self)

    def __pow__(self, other: Any) -> Expr:
        return build.power(self, build.as_expr(other))

    def __rpow__(self, other: Any) -> Expr:
        return build.power(build.as_expr(other), self)

    def __neg__(self) -> Expr:
        return build.neg(self)

    def __pos__(self) -> Expr:
        return self

    # Plain NumPy code run on expressions builds expressions: np.sin(x) is sin(x).
    __array_priority__ = 1000.0

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return numpy_dispatch.dispatch_ufunc(ufunc, method, inputs, kwargs)

    # -- inspection --------------------------------------------------------------------
    def walk(self) -> Iterator[Expr]:
        """Every distinct node of the DAG once, children before parents (iterative)."""
        seen: set[int] = set()
        stack: list[tuple[Expr, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                yield node
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for arg in reversed(node.args):
                if id(arg) not in seen:
                    stack.append((arg, False))

    def nodes(self) -> set[Expr]:
        """Every distinct node of the DAG, in no order (cheaper than :meth:`walk`).

        >>> from chainrule.core.build import symbol
        >>> x = symbol("x")
        >>> sorted(str(n) for n in (x * x + x).nodes())
        ['2', 'x', 'x^2', 'x^2 + x']
        """
        seen = {self}
        stack = [self]
        while stack:
            for arg in stack.pop().args:
                if arg not in seen:  # identity hash and equality: no Python-level call
                    seen.add(arg)
                    stack.append(arg)
        return seen

    def node_count(self) -> int:
        """Number of distinct nodes in the DAG.

        >>> from chainrule.core.build import symbol
        >>> x = symbol("x")
        >>> (x * x + x).node_count()   # x, 2, x^2, add  (x is shared)
        4
        """
        return len(self.nodes())

    def free_symbols(self) -> frozenset[Symbol]:
        """The symbols the expression depends on (computed once per node, kept on it).

        >>> from chainrule.core.build import symbol
        >>> x, y = symbol("x"), symbol("y")
        >>> sorted(s.name for s in (x * y + 1).free_symbols()), (x + 1).free_symbols() == {x}
        (['x', 'y'], True)
        """
        syms = self._syms
        return syms if syms is not None else _symbols_below(self)

    def has(self, sym: Symbol) -> bool:
        """True when ``sym`` occurs in the expression."""
        return sym in self.nodes()

    def is_number(self) -> bool:
        return isinstance(self, Const)

    # -- services implemented elsewhere ------------------------------------------------
    def evaluate(self, **values: Any) -> Any:
        """Numeric value with symbols bound to floats or NumPy arrays.

        ``budget=`` (a :class:`~chainrule.limits.budget.Budget` or seconds) bounds the work,
        unless the expression has a symbol named ``budget`` (then it is that symbol's value).

        >>> from chainrule.core.build import symbol
        >>> (symbol("x") ** 2).evaluate(x=3.0)
        9.0
        >>> (symbol("x") ** 2).evaluate(x=3.0, budget=5)
        9.0
        """
        if "budget" in values and all(s.name != "budget" for s in self.free_symbols()):
            with within(values.pop("budget")):
                return evaluate.evaluate(self, values)
        return evaluate.evaluate(self, values)

    def at(self, **values: float) -> Any:
        """The value at one point, to about 12 digits or flagged: a float that says how it
        was computed (:class:`~chainrule.core.precision.PointValue`). Where float64 loses
        digits, overflows or underflows, it is computed again with mpmath (the ``precise``
        extra); without mpmath it comes back with ``reliable`` False and its error bound.

        >>> from chainrule.core.build import symbol
        >>> v = (symbol("x") ** 2).at(x=3.0)
        >>> v, v.reliable, v.note
        (9.0, True, '')
        """
        return precision.value_at(self, values)

    def __reduce__(self) -> tuple:
        # a flat table of distinct nodes, children first: see chainrule.core.pickling
        return (pickling.rebuild, (pickling.node_table(self),))


class Const(Expr):
    """A numeric constant: exact ``Fraction`` or ``float``."""

    __slots__ = ("value",)
    value: Number

    def __new__(cls, value: int | Fraction | float) -> Const:
        value = normalize(value)
        key = ("c", type(value).__name__, value)
        node = _lookup(key)
        if node is None:
            with _INTERN_LOCK:  # two threads must never make two equal nodes
                node = _lookup(key)
                if node is not None:
                    return node  # type: ignore[return-value]
                node = object.__new__(cls)
                node.value = value
                node._sort = (0, _sortable(value), isinstance(value, float), hash((0, value)))
                node._syms = _NO_SYMBOLS
                _INTERNED[key] = node
        return node  # type: ignore[return-value]

    @property
    def is_exact(self) -> bool:
        return isinstance(self.value, Fraction)

    def __reduce__(self) -> tuple:
        return (Const, (self.value,))


class NamedConst(Expr):
    """A named mathematical constant such as ``e`` or ``pi``."""

    __slots__ = ("name", "value")
    name: str
    value: float

    def __new__(cls, name: str, value: float) -> NamedConst:
        key = ("k", name)
        node = _lookup(key)
        if node is None:
            with _INTERN_LOCK:  # two threads must never make two equal nodes
                node = _lookup(key)
                if node is not None:
                    return node  # type: ignore[return-value]
                node = object.__new__(cls)
                node.name, node.value = name, float(value)
                node._sort = (1, name, 0, _name_code("k" + name))
                node._syms = _NO_SYMBOLS
                _INTERNED[key] = node
        return node  # type: ignore[return-value]

    def __reduce__(self) -> tuple:
        return (NamedConst, (self.name, self.value))


class Symbol(Expr):
    """A variable, identified by its name."""

    __slots__ = ("name",)
    name: str

    def __new__(cls, name: str) -> Symbol:
        key = ("s", name)
        node = _lookup(key)
        if node is None:
            with _INTERN_LOCK:  # two threads must never make two equal nodes
                node = _lookup(key)
                if node is not None:
                    return node  # type: ignore[return-value]
                node = object.__new__(cls)
                node.name = name
                node._sort = (2, name, 0, _name_code("s" + name))
                node._syms = frozenset((node,))
                _INTERNED[key] = node
        return node  # type: ignore[return-value]

    def __reduce__(self) -> tuple:
        return (Symbol, (self.name,))


_NO_SYMBOLS: frozenset = frozenset()


def _symbols_below(node: Expr) -> frozenset:
    """Free symbols of ``node`` and of every node below it without them yet (post-order,
    iterative). A node whose arguments' sets nest shares the largest one: no new set."""
    stack = [node]
    while stack:
        n = stack[-1]
        if n._syms is not None:
            stack.pop()
            continue
        todo = [a for a in n.args if a._syms is None]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        syms = _NO_SYMBOLS
        for a in n.args:
            more = a._syms
            if more is not syms and not more <= syms:
                syms = more if syms <= more else syms | more
        n._syms = syms
    return node._syms


def _apply_key(node: Apply) -> tuple:
    """The sort key: a structural hash of the children's keys (deterministic: no id(), no
    str hash), computed for every keyless node below first — iteratively, so depth is free."""
    if all(a._sort is not None for a in node.args):  # the usual case: children keyed
        _set_key(node)
        return node._sort
    stack: list[tuple[Expr, bool]] = [(node, False)]
    while stack:
        n, ready = stack.pop()
        if n._sort is not None:
            continue
        if not ready:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args if a._sort is None)
            continue
        _set_key(n)
    return node._sort


def _set_key(n: Apply) -> None:
    code = hash((_prim_code(n.prim.name), *[a._sort[3] for a in n.args]))
    n._sort = (3, n.prim.name, len(n.args), code)


class Apply(Expr):
    """A primitive applied to argument nodes. Build through :mod:`chainrule.core.build`."""

    __slots__ = ("prim", "args", "bases")
    prim: Primitive
    args: tuple[Expr, ...]
    bases: frozenset | None  # of a product: its factors' bases (see build.mul's fast path)

    def __new__(cls, prim: Primitive, args: tuple[Expr, ...]) -> Apply:
        key = ("a", prim.name, args)
        ref = _REFS.get(key)  # _lookup inlined: Apply is the hottest constructor
        node = None if ref is None else ref()
        if node is None:
            with _INTERN_LOCK:  # two threads must never make two equal nodes
                node = _lookup(key)
                if node is not None:
                    return node  # type: ignore[return-value]
                new_node()  # the memory bound: counts against the running work budget
                node = object.__new__(cls)
                node.prim, node.args, node.bases = prim, args, None
                node._sort = node._syms = None
                _INTERNED[key] = node
        return node  # type: ignore[return-value]

    @property
    def name(self) -> str:
        return self.prim.name


# The constructors, the evaluator and the ufunc dispatch build and read the node classes
# above, and the operators and methods of Expr call them: one cycle inside core, by design
# (SymPy's expr.py ends the same way). Bound here, after the classes exist, so importing any
# of these modules first works; they refer to this module's names only at call time.
from chainrule.core import build, evaluate, numpy_dispatch, pickling, precision  # noqa: E402
