"""Row blocking: one cache-sized block of rows at a time, through forward and backward pass.

A gradient over data ``X`` of shape ``(N, d)`` reads ``X`` twice when run as recorded — once
for ``X @ w`` in the forward pass and once for ``Xᵀ g`` in the backward pass — and each read of
a large array costs a trip to main memory. When every step that touches the rows is row-local
(elementwise, ``X_b @ w``, a reshape), and the rows meet again only in sums (``Σ``, ``gᵀ X``),
the program can run block by block: each block of rows is read once, both passes use it while it
is in cache, and the sums accumulate. :func:`plan` finds such a schedule or returns None (then
the program runs as recorded); :mod:`~chainrule.autodiff.jit.codegen` writes the loop.

Kinds of value: ``global`` (no row axis), ``row`` (axis 0 is the row axis, length N), ``col``
(the last axis is the row axis: a transposed row array) and ``sum`` (a global that is a sum over
blocks of a row computation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainrule.autodiff.jit.graph import Constant, Input, Program, Step
from chainrule.core import blocks

BIG = 4 << 20
"""Bytes from which an input or constant counts as data worth blocking over."""

BLOCK_BYTES: int | None = None
"""Bytes of a block's row arrays (None: a share of the per-core cache, see
:func:`chainrule.core.blocks.rows_for`), so a block of data stays in the CPU's cache."""

LIVE = 4
"""Narrow temporaries (one item a row) assumed live next to the widest row array in a block."""

class NotBlockable(Exception):
    """The program touches rows in a way blocking cannot follow."""


@dataclass
class Plan:
    """How to run a program in row blocks."""

    n: int  # rows
    rows_per_block: int
    kinds: dict[int, str]  # step id -> kind
    phases: dict[int, int]  # step id -> phase (loop) it is computed in / available after
    rewrites: dict[int, dict] = field(default_factory=dict)  # step id -> params with N -> block


def _leaf_kind(x: Any, n: int) -> str:
    shape = np.shape(x.value) if isinstance(x, Constant) else None
    if shape is None or len(shape) == 0 or shape[0] != n:
        return "global"
    return "row"


def _elementwise(step: Step) -> bool:
    prim = step.prim
    return ((prim.rule is not None and not step.params) or prim.name.startswith("numpy.")
            or prim.name == "where")


class _Planner:
    def __init__(self, program: Program, n: int, input_shapes: list[tuple],
                 canon: dict[int, Step]):
        self.n, self.canon = n, canon
        self.kinds: dict[int, str] = {}
        self.phases: dict[int, int] = {}
        self.rewrites: dict[int, dict] = {}
        self.input_kinds = ["row" if len(s) and s[0] == n else "global" for s in input_shapes]
        self.input_shapes = input_shapes

    def shape_of(self, x: Any) -> tuple:
        if isinstance(x, Input):
            return tuple(self.input_shapes[x.index])
        return _shape_of(x)

    def kind(self, x: Any) -> str:
        if isinstance(x, Step):
            return self.kinds[self.canon[x.id].id]
        if isinstance(x, Input):
            return self.input_kinds[x.index]
        return _leaf_kind(x if isinstance(x, Constant) else Constant(x), self.n)

    def phase(self, x: Any) -> int:
        if isinstance(x, Step):
            x = self.canon[x.id]
            return self.phases[x.id] + (1 if self.kinds[x.id] == "sum" else 0)
        return 0

    def visit(self, step: Step) -> None:
        operands = [*step.args, *(v for v in step.params.values() if isinstance(v, Step | Input))]
        # a finished block sum is a global (available after the loop: see phase)
        kinds = [{"sum": "global"}.get(self.kind(a), self.kind(a)) for a in operands]
        kind = self._kind(step, operands, kinds)
        self._check_shape(step, kind)
        self.kinds[step.id] = kind
        self.phases[step.id] = max((self.phase(a) for a in operands), default=0)

    def _kind(self, step: Step, operands: list, kinds: list[str]) -> str:
        n, name = self.n, step.prim.name
        if all(k == "global" for k in kinds):
            if name == "broadcast_to" and step.shape[:1] == (n,):
                self.rewrites[step.id] = {"shape": step.shape[1:]}
                return "row"
            return "global"
        if _elementwise(step):
            return self._elementwise_kind(step, operands, kinds)
        if name == "matmul":
            return self._matmul_kind(step, kinds)
        if name == "sum" and kinds[0] == "row":
            axis = step.params.get("axis")
            if axis is None or axis in (0, (0,)) or (len(np.shape(step.args[0])) == 1):
                return "sum"
        if name == "sum" and kinds[0] == "col" and step.params.get("axis") is None:
            return "sum"
        if name == "reshape" and kinds[0] == "row":
            return self._reshape_kind(step)
        if name == "transpose" and kinds[0] == "row" and step.params.get("axes") is None:
            return "col" if len(step.shape) == 2 else self._fail(step)
        return self._fail(step)

    def _fail(self, step: Step) -> str:
        raise NotBlockable(f"{step.prim.name} of a row array")

    def _elementwise_kind(self, step: Step, operands: list, kinds: list[str]) -> str:
        ndim = len(step.shape)
        target = "row" if "row" in kinds else "col"
        for a, k in zip(operands, kinds, strict=True):
            shape = self.shape_of(a)
            if k == "global" and len(shape) == ndim and ndim and shape[0 if target == "row"
                                                                        else -1] != 1:
                raise NotBlockable("a global broadcast along the row axis")
            if k == "global" and target == "col" and 0 < len(shape) < ndim:
                raise NotBlockable("a global aligned with the row axis")
            if k in ("row", "col") and (k != target or len(shape) != ndim):
                raise NotBlockable("row arrays of different ranks")
        return target

    def _matmul_kind(self, step: Step, kinds: list[str]) -> str:
        a, b = step.args
        ka, kb = kinds[0], kinds[1]
        if ka == "row" and kb == "global" and len(self.shape_of(a)) == 2:
            return "row"
        if kb == "row" and ((ka == "col" and len(self.shape_of(a)) == 2)
                            or (ka == "row" and len(self.shape_of(a)) == 1)):
            return "sum"
        raise NotBlockable("a matrix product across the row axis")

    def _reshape_kind(self, step: Step) -> str:
        shape = tuple(step.params["shape"]) if isinstance(step.params["shape"], tuple) else None
        if shape is None or shape.count(self.n) != 1:
            raise NotBlockable("a reshape that mixes the row axis")
        if shape[0] == self.n:
            self.rewrites[step.id] = {"shape": (-1, *shape[1:])}
            return "row"
        if shape[-1] == self.n and all(s == 1 for s in shape[:-1]):
            self.rewrites[step.id] = {"shape": (*shape[:-1], -1)}
            return "col"
        raise NotBlockable("a reshape that moves the row axis")

    def _check_shape(self, step: Step, kind: str) -> None:
        shape, n = step.shape, self.n
        axes = [i for i, s in enumerate(shape) if s == n]
        expected = {"row": [0], "col": [len(shape) - 1], "global": [], "sum": []}[kind]
        if axes != expected:
            raise NotBlockable("the row length appears on another axis")


def _shape_of(x: Any) -> tuple:
    if isinstance(x, Step):
        return x.shape
    return np.shape(x.value if isinstance(x, Constant) else x)


def data_rows(program: Program, input_shapes: list[tuple]) -> int | None:
    """N, the leading length of the largest array the program reads, if it is large."""
    best, size = None, BIG
    arrays = [np.shape(a.value) for s in program.steps for a in s.args if isinstance(a, Constant)]
    for shape, itemsize in [(s, 8) for s in arrays] + [(s, 8) for s in input_shapes]:
        nbytes = int(np.prod(shape)) * itemsize if len(shape) else 0
        if nbytes >= size and len(shape) >= 1:
            best, size = shape[0], nbytes
    return best


def plan(program: Program, input_shapes: list[tuple], steps: list[Step],
         canon: dict[int, Step]) -> Plan | None:
    """A block schedule for ``steps`` (the live steps of ``program``), or None."""
    n = data_rows(program, input_shapes)
    if n is None:
        return None
    planner = _Planner(program, n, input_shapes, canon)
    try:
        for step in steps:
            planner.visit(step)
    except NotBlockable:
        return None
    row_steps = [s for s in steps if planner.kinds[s.id] in ("row", "col", "sum")]
    if not row_steps or any(planner.phases[s.id] for s in row_steps):
        return None  # nothing to block, or rows needed again after a sum: run as recorded
    widths = [int(np.prod(shape[1:])) * 8 for shape in _row_leaf_shapes(program, steps, n)]
    widths += [int(np.prod(s.shape[1:])) * s.dtype.itemsize
               for s in steps if planner.kinds[s.id] == "row"]
    return Plan(n, block_rows(max(widths, default=8)), planner.kinds, planner.phases,
                planner.rewrites)


def block_rows(widest: int) -> int:
    """Rows per block: the widest row array (``widest`` bytes a row) and :data:`LIVE` narrow
    temporaries fit a share of the per-core cache (or :data:`BLOCK_BYTES`, when set)."""
    per_row = max(widest, 1) + LIVE * 8
    if BLOCK_BYTES is not None:
        return max(64, BLOCK_BYTES // per_row)
    return blocks.rows_for(per_row)


def _row_leaf_shapes(program: Program, steps: list[Step], n: int) -> list[tuple]:
    shapes = [np.shape(a.value) for s in steps for a in s.args if isinstance(a, Constant)]
    return [s for s in shapes if len(s) and s[0] == n]
