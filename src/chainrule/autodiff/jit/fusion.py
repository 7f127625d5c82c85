"""Fusing elementwise steps into one multi-threaded loop with numexpr (optional).

Run as recorded, an elementwise chain such as ``x**x * (ln x + 1)`` makes one pass over memory
per operation, each allocating a temporary. When the optional numexpr package is installed, a
run of elementwise steps whose intermediate values are each used once becomes one numexpr
program: one pass, evaluated in cache-sized chunks on all cores. A value used by several steps
is computed once (as its own numexpr program or NumPy call) and read by name, so fusion never
repeats work. Only float64 and boolean steps on arrays fuse; anything else runs as recorded.

>>> import numpy as np
>>> from chainrule.autodiff.jit.graph import record
>>> program, _ = record(lambda x: np.sin(x) * 2.0 + 1.0, (np.ones(3),))
>>> steps, canon = program.steps, {s.id: s for s in program.steps}
>>> fused = Fusion(steps, canon, program.outputs)
>>> fused.expression(steps[-1], lambda ref: "a0")
'((sin(a0) * 2.0) + 1.0)'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autodiff.jit.graph import Constant, Input, Step, binding

try:  # optional: the [jit] extra
    import numexpr
except ImportError:  # pragma: no cover - depends on the environment
    numexpr = None

FORMS: dict[Any, str] = {
    np.add: "({0} + {1})", np.subtract: "({0} - {1})", np.multiply: "({0} * {1})",
    np.true_divide: "({0} / {1})", np.power: "({0} ** {1})", np.negative: "(-{0})",
    np.equal: "({0} == {1})", np.not_equal: "({0} != {1})", np.less: "({0} < {1})",
    np.less_equal: "({0} <= {1})", np.greater: "({0} > {1})", np.greater_equal: "({0} >= {1})",
    np.logical_and: "({0} & {1})", np.logical_or: "({0} | {1})", np.logical_not: "(~{0})",
    np.arctan2: "arctan2({0}, {1})", np.absolute: "abs({0})",
    **{getattr(np, name): f"{name}({{0}})" for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
        "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "log10", "sqrt")},
}
"""NumPy ufuncs and the numexpr expression computing them elementwise."""

FUSED_DTYPES = (np.dtype(np.float64), np.dtype(np.bool_))


def available() -> bool:
    """True when numexpr is installed (``pip install chainrule[jit]``)."""
    return numexpr is not None


def _form(step: Step) -> str | None:
    if step.prim.name == "where" and not step.params.keys() - {"cond"}:
        return "where({2}, {0}, {1})"
    ufunc = binding(step)
    return None if ufunc is None else FORMS.get(ufunc)


def fusable(step: Step) -> bool:
    """True when numexpr can compute the step elementwise, as NumPy would."""
    return (len(step.shape) > 0 and step.dtype in FUSED_DTYPES and _form(step) is not None
            and all(_fusable_operand(a) for a in step.args))


def _fusable_operand(a: Any) -> bool:
    value = a.value if isinstance(a, Constant) else a
    if isinstance(a, Step | Input):
        return True
    if np.ndim(value) == 0:
        return isinstance(value, bool | np.bool_) or bool(np.isfinite(value))
    return np.asarray(value).dtype in FUSED_DTYPES


class Fusion:
    """Which steps fuse into their single consumer, and the expression of each fused root."""

    def __init__(self, steps: list[Step], canon: dict[int, Step], outputs: list[Any],
                 keep: set[int] = frozenset()):
        self.canon = canon
        uses: dict[int, int] = {}
        for step in steps:
            for a in (*step.args, *step.params.values()):
                if isinstance(a, Step):
                    uses[canon[a.id].id] = uses.get(canon[a.id].id, 0) + 1
        for o in outputs:
            if isinstance(o, Step):
                uses[canon[o.id].id] = uses.get(canon[o.id].id, 0) + 2
        self.fusable = {s.id for s in steps if fusable(s)}
        consumers_fuse = set()
        for step in steps:
            if step.id in self.fusable:
                consumers_fuse.update(canon[a.id].id for a in (*step.args,
                                                              *step.params.values())
                                      if isinstance(a, Step))
        # inlined: fusable, used exactly once, by a fusable step, and not kept for later code
        self.inlined = {i for i in self.fusable
                        if uses.get(i) == 1 and i in consumers_fuse and i not in keep}
        self.steps = {s.id: s for s in steps}

    def expression(self, step: Step, name_of: Callable[[Any], str]) -> str:
        """The numexpr expression computing ``step``, inlining single-use fusable operands;
        ``name_of`` names every other operand."""
        def operand(x: Any) -> str:
            if isinstance(x, Step) and self.canon[x.id].id in self.inlined:
                return self.expression(self.canon[x.id], name_of)
            if isinstance(x, Constant | Input | Step):
                value = x.value if isinstance(x, Constant) else None
                if value is not None and np.ndim(value) == 0:
                    return _literal(value)
                return name_of(x)
            return _literal(x)
        operands = [operand(a) for a in step.args]
        if step.prim.name == "where":
            operands.append(operand(step.params["cond"]))
        return _form(step).format(*operands)


def _literal(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    v = float(value)
    return f"({v!r})" if v < 0 or not np.isfinite(v) else repr(v)
