"""``chainrule.compile``: an expression DAG as straight-line Python over NumPy.

Each distinct node becomes one assignment, so common subexpressions are computed once and
depth is unlimited (SymPy's ``lambdify`` nests calls and fails near depth 400 with "too many
nested parentheses"). Two bodies are generated: one for arrays (NumPy ufuncs) and one for
plain scalars (``math``, ten times cheaper per call). Non-finite results from finite inputs
raise :class:`~chainrule.errors.DomainError` — compiled code is fast, not silent.

The generated source is built only from our own validated DAG — the names the rule records
give for their functions (:func:`line`), numbers printed with ``repr`` and positional
parameter names ``a0, a1, …`` — never from user text.

>>> import chainrule
>>> f = chainrule.compile(chainrule.diff("x^x"))
>>> round(f(2.0), 10)
6.7725887222
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.core import blocks
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.primitive import Primitive
from chainrule.core.registry import all_primitives, get
from chainrule.errors import ChainruleError, DomainError, IncompleteRecord
from chainrule.limits.budget import budgeted, charge
from chainrule.symbolic.api import as_expression
from chainrule.symbolic.compile.stable import stable_form

_CHUNK = 64

SMALL_POWERS = {
    "2.0": "({0} * {0})", "3.0": "({0} * {0} * {0})", "-1.0": "(1.0 / {0})",
    "-2.0": "(1.0 / ({0} * {0}))", "0.5": "{sqrt}({0})", "-0.5": "(1.0 / {sqrt}({0}))",
}
"""Powers cheaper as products, quotients or roots than as a general power."""


def line(prim: Primitive, args: list[str], scalar: bool) -> str:
    """The code computing ``prim`` of already-computed ``args``, read from its record.

    Operators are written as operators; a function calls what its record names (``np.sin``,
    or ``math.sin`` on plain floats), else the record's own NumPy implementation — so compiled
    code and evaluation run the same function and agree at every edge case.

    >>> line(get("sin"), ["a0"], scalar=False), line(get("cot"), ["a0"], scalar=True)
    ('np.sin(a0)', 'cot_impl(a0)')
    """
    if prim.operator in ("+", "*"):
        return f" {prim.operator} ".join(args)
    if prim.operator == "^":
        if args[1] in SMALL_POWERS:
            return SMALL_POWERS[args[1]].format(args[0], sqrt="math.sqrt" if scalar else "np.sqrt")
        return f"math.pow({args[0]}, {args[1]})" if scalar else f"np.power({args[0]}, {args[1]})"
    code = (prim.scalar_code if scalar else None) or prim.code
    if code is None:
        if prim.impl is None:
            raise IncompleteRecord(f"{prim.name} cannot be compiled: its record has no code "
                                   "and no implementation")
        code = f"{prim.name}_impl"
    return f"{code}({', '.join(args)})"


def namespace() -> dict[str, Any]:
    """The only names generated code can see: NumPy, math and the records' implementations."""
    names: dict[str, Any] = {"np": np, "math": math}
    names.update({f"{name}_impl": prim.impl for name, prim in all_primitives().items()
                  if prim.impl is not None})
    return names


def _source(expr: Expr, params: list[Symbol], scalar: bool) -> str:
    names: dict[int, str] = {id(s): f"a{i}" for i, s in enumerate(params)}
    logs = {id(n.args[0]): n for n in expr.walk()
            if isinstance(n, Apply) and n.prim.name == "ln"}
    body: list[str] = []

    def emit(node: Apply, code: str) -> None:
        target = f"t{len(body)}"
        body.append(f"    {target} = {code}")
        names[id(node)] = target

    for node in expr.walk():
        charge(1, "compiling")
        if id(node) in names:
            continue
        if isinstance(node, Const | NamedConst):
            names[id(node)] = repr(float(node.value))
        elif isinstance(node, Symbol):
            raise ChainruleError(f"the expression depends on {node.name}, which is not an argument")
        else:
            assert isinstance(node, Apply)
            args = [names[id(a)] for a in node.args]
            log_base = logs.get(id(node.args[0])) if node.prim.name == "pow" else None
            if log_base is not None and not isinstance(node.args[1], Const):
                # b^e as exp(e·ln b) when ln b is computed anyway: a derivative of b^e holds
                # ln b, and one exp is cheaper than a second power.
                if id(log_base) not in names:
                    emit(log_base, line(get("ln"), [args[0]], scalar))
                emit(node, line(get("exp"), [f"{args[1]} * {names[id(log_base)]}"], scalar))
            elif node.prim.name in ("add", "mul") and len(args) > _CHUNK:
                # Long sums and products in pieces: one huge expression line would overflow
                # Python's own compiler.
                partial = args[:_CHUNK]
                for start in range(_CHUNK, len(args), _CHUNK):
                    emit(node, line(node.prim, partial, scalar))
                    partial = [names[id(node)], *args[start:start + _CHUNK]]
                emit(node, line(node.prim, partial, scalar))
            else:
                emit(node, line(node.prim, args, scalar))
    signature = ", ".join(f"a{i}" for i in range(len(params)))
    result = names[id(expr)]
    return "\n".join([f"def _f({signature}):", *body, f"    return {result}"])


def _build(source: str):
    names = namespace()
    code = compile(source, "<chainrule.compile>", "exec")
    exec(code, names)  # noqa: eval-ok (generated from our own DAG, see the docstring)
    return names["_f"]


BLOCKED_FROM = 1 << 15
"""Points from which compiled code runs in cache-sized blocks on several threads."""

LIVE = 6
"""Temporaries of a block assumed live at once when sizing blocks to the cache."""


def run_array(fn: Any, arrays: list[np.ndarray]) -> tuple[np.ndarray, bool]:
    """``fn`` (a generated array body) on ``arrays`` and whether every value is finite.

    Every compiled expression is elementwise, so a large input runs in blocks of the
    broadcast, flattened points (:func:`chainrule.core.blocks.run_blocks`): each block's
    temporaries stay in cache, and blocks run on several threads.

    >>> out, finite = run_array(lambda a: a * 2.0, [np.arange(3.0)])
    >>> out, finite
    (array([0., 2., 4.]), True)
    """
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    size = int(np.prod(shape))
    if size < BLOCKED_FROM:
        out = np.asarray(fn(*arrays), dtype=float)
        return out, bool(np.all(np.isfinite(out)))
    flat = [a if a.ndim == 0 else np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
            for a in arrays]
    out = np.empty(size)

    def block(r0: int, r1: int) -> bool:
        part = out[r0:r1]
        part[...] = fn(*(a if a.ndim == 0 else a[r0:r1] for a in flat))
        return bool(np.all(np.isfinite(part)))

    finite = all(blocks.run_blocks(block, size, blocks.rows_for(8, LIVE)))
    return out.reshape(shape), finite


class CompiledFunction:
    """A compiled expression: call with positional values in ``.args`` order, or keywords."""

    def __init__(self, expr: Expr, args: list[Symbol]):
        self.expr = expr
        self.args = tuple(s.name for s in args)
        numeric = stable_form(expr)  # the code computes the exact form of what is shown
        self.array_source = _source(numeric, args, scalar=False)
        self.scalar_source = _source(numeric, args, scalar=True)
        self.array_fn = _build(self.array_source)  # the generated code, unchecked
        self.scalar_fn = _build(self.scalar_source)

    def __call__(self, *values: Any, **named: Any) -> Any:
        if named:
            values = values + tuple(named.pop(n) for n in self.args[len(values):] if n in named)
        if len(values) != len(self.args):
            raise ChainruleError(f"expected values for {', '.join(self.args)}")
        if all(isinstance(v, float | int) for v in values):
            try:
                out = self.scalar_fn(*values)
            except (ValueError, ZeroDivisionError, OverflowError):
                out = math.nan
            if math.isfinite(out):
                return float(out)
            raise DomainError(f"{self.expr} is undefined or overflows at "
                              + ", ".join(f"{n} = {v}" for n, v in zip(self.args, values,
                                                                           strict=True)))
        arrays = [np.asarray(v, dtype=float) for v in values]
        with np.errstate(all="ignore"):
            out, finite = run_array(self.array_fn, arrays)
        if not finite:
            raise DomainError(f"{self.expr} is undefined or overflows at some of the points")
        return out

    def __repr__(self) -> str:
        return f"CompiledFunction({self.expr}, args={self.args})"


@budgeted
def compile_expr(expr: Any, args: list[str] | tuple[str, ...] | None = None) -> CompiledFunction:
    """Compile an expression (or text) into a fast function of ``args`` (default: sorted).

    ``budget=`` bounds the work (:func:`~chainrule.limits.budget.budgeted`)."""
    e = as_expression(expr)
    names = list(args) if args is not None else sorted(s.name for s in e.free_symbols())
    return CompiledFunction(e, [Symbol(n) for n in names])
