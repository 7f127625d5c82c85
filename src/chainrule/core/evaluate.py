"""Numeric evaluation of an expression DAG, for floats and NumPy arrays.

Each distinct node is computed once (iteratively, so depth is unlimited). Arguments outside a
primitive's domain raise :class:`~chainrule.errors.DomainError` naming the subexpression and
the point — ``ln(-1)`` is a message, never a silent NaN — and so does a result that overflows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core import walk  # module, not name: walk may be importing (core cycle)
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import DomainError
from chainrule.limits.budget import charge


def _describe_point(values: dict[str, Any]) -> str:
    parts = []
    for name, v in values.items():
        arr = np.asarray(v)
        parts.append(f"{name} = {arr.item():g}" if arr.ndim == 0 else f"{name} = array{arr.shape}")
    return ", ".join(parts)


def _bad_index(mask: Any) -> str:
    arr = np.asarray(mask)
    if arr.ndim == 0:
        return ""
    return f" (first at index {tuple(int(i) for i in np.argwhere(arr)[0])})"


TOO_LARGE = "is too large for a float"
OVERFLOWS = "the value overflows or divides by zero"
"""How a refusal says float64 overflowed (the value may exist: computed in higher precision
by :func:`chainrule.core.precision.value_at`)."""

ApplyFn = Callable[[Apply, tuple], Any]
"""How an evaluation computes one ``Apply`` node from its arguments' values."""


def evaluate(expr: Expr, values: dict[str, Any], apply: ApplyFn | None = None,
             memo: dict[Any, Any] | None = None, undefined: str = "raise") -> Any:
    """Value of ``expr`` with symbols bound by name; see :meth:`Expr.evaluate`.

    The one evaluator. By default each node is a number or an array: its primitive's NumPy
    implementation runs after a domain check, and a NumPy scalar result comes back as a float.
    ``apply`` replaces that step for other kinds of values — :func:`apply_traced` calls the
    primitive itself, so traced values of automatic differentiation flow through (see
    :func:`evaluate_traced`). ``memo`` (node → value) may be passed to read the values of
    other nodes afterwards, or from inside ``apply``. ``undefined="nan"`` gives NaN at the
    points outside a primitive's domain instead of raising (a table of values over many
    points, where one undefined point must not hide the others).

    >>> from chainrule.core.build import symbol
    >>> x = symbol("x")
    >>> evaluate(x ** 2 + 1, {"x": 3.0})
    10.0
    >>> import numpy as np
    >>> evaluate(x ** 0.5, {"x": np.array([4.0, -1.0])}, undefined="nan")
    array([ 2., nan])
    """
    if apply is None and memo is None and undefined == "raise":
        chunks = _chunks(values)
        if chunks is not None:
            return _by_chunks(expr, values, *chunks)
        try:
            return evaluate(expr, values, memo={})
        except OneSided as err:
            return _from_both_sides(expr, values, err)
    raw = apply is not None
    table: dict[Any, Any] = {} if memo is None else memo

    def value(node: Expr, args: tuple) -> Any:
        if not isinstance(node, Apply):
            return leaf_value(node, values, raw)
        charge(1, "evaluating")  # each node may cost a pass over large arrays
        if apply is not None:
            return apply(node, args)
        exact = _complement_value(node, args, table)
        if exact is not None:
            return exact
        if undefined == "nan":
            return _apply_masked(node, args)
        return apply_checked(node, args, values)

    out = walk.rewrite(expr, value, table)
    return float(out) if not raw and isinstance(out, np.floating) else out


CHUNK = 1 << 16
"""Points evaluated together: one node's pass over them is short (about a millisecond), so
the work budget, checked between nodes, stops a large evaluation close to its deadline."""


def _chunks(values: dict[str, Any]) -> tuple[str, np.ndarray] | None:
    """(name, array) when exactly one value is a 1-D array longer than :data:`CHUNK`."""
    big = [(k, v) for k, v in values.items() if isinstance(v, np.ndarray) and v.ndim > 0]
    if len(big) == 1 and big[0][1].ndim == 1 and big[0][1].size > CHUNK:
        return big[0]
    return None


def _by_chunks(expr: Expr, values: dict[str, Any], name: str, points: np.ndarray) -> Any:
    parts = []
    try:
        for start in range(0, points.size, CHUNK):
            # (a memo of its own: one piece is evaluated whole)
            part = evaluate(expr, {**values, name: points[start:start + CHUNK]}, memo={})
            if np.ndim(part) == 0:
                return part  # the value does not depend on the points
            parts.append(np.broadcast_to(part, (min(CHUNK, points.size - start),)))
    except DomainError:
        # say where over the whole array, as an evaluation in one piece does
        return evaluate(expr, values, memo={})
    return np.concatenate(parts)


def _complement_value(node: Apply, args: tuple, table: dict[Any, Any]) -> Any:
    """``c − c·tanh²(u)`` (how tanh′ is shown) computed as ``c/cosh²(u)`` (1 − tanh²(20) is 0
    in float64, the slope 1.7e−17); ``1 − σ(u)`` (how σ′ = σ(1 − σ) is shown) computed as
    ``σ(−u)``: the difference of two numbers near 1 keeps no digit for u ≥ 37, the equal σ(−u)
    keeps all. None: not one of these forms."""
    if node.prim.name != "add" or len(node.args) != 2:
        return None
    tanh = tanh_complement(node)
    if tanh is not None and tanh[1].args[0] in table:
        c, t = tanh
        return float(c) / np.cosh(np.asarray(table[t.args[0]], dtype=float)) ** 2
    one, term = node.args
    if not (isinstance(one, Const) and one.value == 1 and isinstance(term, Apply)
            and term.prim.name == "mul" and len(term.args) == 2):
        return None
    minus, sig = term.args
    if not (isinstance(minus, Const) and minus.value == -1 and isinstance(sig, Apply)
            and sig.prim.name == "sigmoid" and sig.args[0] in table):
        return None
    return sig.prim.impl(-np.asarray(table[sig.args[0]], dtype=float))


def tanh_complement(node: Expr) -> tuple[Any, Apply] | None:
    """(c, tanh(u)) when ``node`` is ``c − c·tanh(u)²``, else None."""
    if not (isinstance(node, Apply) and node.prim.name == "add" and len(node.args) == 2):
        return None
    c, term = node.args
    if not (isinstance(c, Const) and isinstance(term, Apply) and term.prim.name == "mul"
            and len(term.args) == 2):
        return None
    k, square = term.args
    if not (isinstance(k, Const) and k.value == -c.value and isinstance(square, Apply)
            and square.prim.name == "pow" and square.args[1] == Const(2)
            and isinstance(square.args[0], Apply) and square.args[0].prim.name == "tanh"):
        return None
    return c.value, square.args[0]



def evaluate_traced(expr: Expr, values: dict[str, Any]) -> Any:
    """Evaluate ``expr`` by applying each node's primitive, so traced values flow through.

    Unlike :meth:`Expr.evaluate` (numbers only, with domain checks), this lets automatic
    differentiation differentiate an expression exactly as it would NumPy code.

    >>> from chainrule.core.build import symbol
    >>> evaluate_traced(symbol("x") * 2, {"x": 1.5})
    3.0
    """
    return evaluate(expr, values, apply_traced)


def apply_traced(node: Apply, args: tuple) -> Any:
    """The primitive applied to traced (or plain) values, through its dispatching call."""
    return node.prim(*args)


def leaf_value(node: Expr, values: dict[str, Any], raw: bool = False) -> Any:
    """The value of a constant or a symbol; ``raw`` passes a symbol's value on untouched
    (a traced value), else it becomes a float unless it is an array."""
    if isinstance(node, Const):
        try:
            return float(node.value)
        except OverflowError:
            raise DomainError(f"the exact number {node} {TOO_LARGE}") from None
    if isinstance(node, NamedConst):
        return node.value
    assert isinstance(node, Symbol)
    if node.name not in values:
        raise DomainError(f"no value given for {node.name}")
    v = values[node.name]
    return v if raw or isinstance(v, np.ndarray) else float(v)


def apply_checked(node: Apply, args: tuple, values: dict[str, Any]) -> Any:
    """The NumPy implementation on numbers, refusing points outside the domain and results
    that overflow (the default step of :func:`evaluate`; ``values`` name the point)."""
    _check_domain(node, args, values)
    out = node.prim.impl(*args)
    finite = np.isfinite(out)
    if not np.all(finite) and all(np.all(np.isfinite(a)) for a in args):
        raise DomainError(f"{node} is not finite at {_describe_point(values)}"
                          f"{_bad_index(~finite)}: {OVERFLOWS}")
    return out


def _apply_masked(node: Apply, args: tuple) -> Any:
    """The NumPy implementation with NaN wherever :func:`apply_checked` would refuse: an
    argument outside the domain, or a result that overflows from finite arguments."""
    with np.errstate(all="ignore"):
        out = node.prim.impl(*args)
        bad = ~np.isfinite(out)
        for a in args:
            bad = bad & np.isfinite(a)
        if node.prim.domain is not None:
            bad = bad | node.prim.domain.violated(*args)
        if np.any(bad):
            out = np.where(bad, np.nan, out)
    return out


class OneSided(DomainError):
    """A one-sided quantity (``sign(u)`` at u = 0) met where its two sides differ."""

    def __init__(self, message: str, node: Apply):
        super().__init__(message)
        self.node = node


def _check_domain(node: Apply, args: tuple, values: dict[str, Any]) -> None:
    if node.prim.domain is None:
        return
    bad = node.prim.domain.violated(*args)
    if np.any(bad):
        message = (f"{node} is undefined at {_describe_point(values)}{_bad_index(bad)}: "
                   f"{node.prim.domain.text}")
        if node.prim.domain.one_sided:
            raise OneSided(message, node)
        raise DomainError(message)


SIDE_STEP = 2.0**-26
"""Relative step to either side of a point where a one-sided quantity is read."""


def _from_both_sides(expr: Expr, values: dict[str, Any], err: OneSided) -> Any:
    """The value where each one-sided node (``sign(u)`` at u = 0) is taken from the left and
    from the right of the point: the derivative where both agree (``|x|³`` at 0, ``|relu(x)|``
    where relu is 0 around x), else a refusal naming both slopes. One variable, numbers only."""
    scalars = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
    if len(values) != 1 or len(scalars) != 1:
        raise err
    (name, x), = scalars.items()
    x = float(x)
    h = SIDE_STEP * max(1.0, abs(x))
    sides = []
    for side in (-1.0, 1.0):
        def apply(node: Apply, args: tuple, side: float = side) -> Any:
            if node.prim.domain is not None and node.prim.domain.one_sided and \
                    np.any(node.prim.domain.violated(*args)):
                # the quantity just beside the point: sign(u(x ± h))
                return node.prim.impl(evaluate(node.args[0], {name: x + side * h}))
            _check_domain(node, args, values)
            return node.prim.impl(*args)
        sides.append(float(evaluate(expr, values, apply)))
    left, right = sides
    if np.isfinite(left) and left == right:
        return left + 0.0  # −0.0 from the left is 0
    # sign(u) is one-sided: written by the user it jumps (values); in a derivative it stands
    # for |u|′ at a kink of |u| (slopes). Evaluation cannot tell which, so it names both.
    raise DomainError(f"at {name} = {x:g} the value jumps from {_show(left)} to {_show(right)} "
                      f"({err.node} flips there): no single value; as a derivative, not "
                      f"differentiable at {name} = {x:g} (left slope {_show(left)}, right "
                      f"slope {_show(right)})")


def _show(v: float) -> str:
    return f"{v:.6g}".replace("-", "−")
