"""``chainrule.compile``: an expression DAG as straight-line Python over NumPy.

Each distinct node becomes one assignment, so common subexpressions are computed once and
depth is unlimited (SymPy's ``lambdify`` nests calls and fails near depth 400 with "too many
nested parentheses"). Two bodies are generated: one for arrays (NumPy ufuncs) and one for
plain scalars (``math``, ten times cheaper per call). Non-finite results from finite inputs
raise :class:`~chainrule.errors.DomainError` — compiled code is fast, not silent.

The generated source is built only from our own validated DAG — fixed templates, numbers
printed with ``repr`` and positional parameter names ``a0, a1, …`` — never from user text.

>>> import chainrule
>>> f = chainrule.compile(chainrule.diff("x^x"))
>>> round(f(2.0), 10)
6.7725887222
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.errors import ChainruleError, DomainError
from chainrule.symbolic.compile.templates import NAMESPACE, line

_CHUNK = 64


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
                    emit(log_base, line("ln", [args[0]], scalar))
                emit(node, line("exp", [f"{args[1]} * {names[id(log_base)]}"], scalar))
            elif node.prim.name in ("add", "mul") and len(args) > _CHUNK:
                # Long sums and products in pieces: one huge expression line would overflow
                # Python's own compiler.
                partial = args[:_CHUNK]
                for start in range(_CHUNK, len(args), _CHUNK):
                    emit(node, line(node.prim.name, partial, scalar))
                    partial = [names[id(node)], *args[start:start + _CHUNK]]
                emit(node, line(node.prim.name, partial, scalar))
            else:
                emit(node, line(node.prim.name, args, scalar))
    signature = ", ".join(f"a{i}" for i in range(len(params)))
    result = names[id(expr)]
    return "\n".join([f"def _f({signature}):", *body, f"    return {result}"])


def _build(source: str):
    namespace = dict(NAMESPACE)
    code = compile(source, "<chainrule.compile>", "exec")
    exec(code, namespace)  # noqa: eval-ok (generated from our own DAG, see the docstring)
    return namespace["_f"]


class CompiledFunction:
    """A compiled expression: call with positional values in ``.args`` order, or keywords."""

    def __init__(self, expr: Expr, args: list[Symbol]):
        self.expr = expr
        self.args = tuple(s.name for s in args)
        self.array_source = _source(expr, args, scalar=False)
        self.scalar_source = _source(expr, args, scalar=True)
        self._array = _build(self.array_source)
        self._scalar = _build(self.scalar_source)

    def __call__(self, *values: Any, **named: Any) -> Any:
        if named:
            values = values + tuple(named.pop(n) for n in self.args[len(values):] if n in named)
        if len(values) != len(self.args):
            raise ChainruleError(f"expected values for {', '.join(self.args)}")
        if all(isinstance(v, float | int) for v in values):
            try:
                out = self._scalar(*values)
            except (ValueError, ZeroDivisionError, OverflowError):
                out = math.nan
            if math.isfinite(out):
                return out
            raise DomainError(f"{self.expr} is undefined or overflows at "
                              + ", ".join(f"{n} = {v}" for n, v in zip(self.args, values,
                                                                           strict=True)))
        with np.errstate(all="ignore"):
            out = self._array(*(np.asarray(v, dtype=float) for v in values))
        if not np.all(np.isfinite(out)):
            raise DomainError(f"{self.expr} is undefined or overflows at some of the points")
        return out

    def __repr__(self) -> str:
        return f"CompiledFunction({self.expr}, args={self.args})"


def compile_expr(expr: Any, args: list[str] | tuple[str, ...] | None = None) -> CompiledFunction:
    """Compile an expression (or text) into a fast function of ``args`` (default: sorted)."""
    from chainrule.symbolic.api import as_expression
    e = as_expression(expr)
    names = list(args) if args is not None else sorted(s.name for s in e.free_symbols())
    return CompiledFunction(e, [Symbol(n) for n in names])
