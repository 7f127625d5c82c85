"""Code for a row-blocked program (see :mod:`~chainrule.autodiff.jit.blocking`).

The generated function computes the global steps that need no rows, then loops over blocks
of rows: it slices each row input once per block, runs the row steps on the block, adds each
block's part of every sum into an accumulator and writes row outputs into their slice; after
the loop, the sums are ready and the remaining global steps run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.jit import fusion
from chainrule.autodiff.jit.blocking import Plan
from chainrule.autodiff.jit.codegen import Generated, Namer, call_of, emit, last_uses
from chainrule.autodiff.jit.graph import Constant, Input, Program, Step
from chainrule.core import blocks

ROW_KINDS = ("row", "col")


class BlockNamer(Namer):
    """Names as :class:`Namer`, with row inputs read through their per-block slice."""

    def __init__(self, plan: Plan, input_kinds: list[str]):
        super().__init__()
        self.plan, self.input_kinds = plan, input_kinds
        self.in_loop = False
        self.sliced: dict[str, str] = {}  # full name -> per-block name

    def ref(self, x: Any) -> str:
        name = super().ref(x)
        if self.in_loop and self._is_row_leaf(x):
            self.sliced.setdefault(name, f"b_{name}")
            return self.sliced[name]
        return name

    def _is_row_leaf(self, x: Any) -> bool:
        if isinstance(x, Input):
            return self.input_kinds[x.index] == "row"
        if isinstance(x, Step):
            return False
        shape = np.shape(x.value if isinstance(x, Constant) else x)
        return len(shape) > 0 and shape[0] == self.plan.n


def generate_blocked(program: Program, steps: list[Step], canon: dict[int, Step], plan: Plan,
                     input_kinds: list[str], name: str = "staged",
                     fuse: bool = False) -> Generated:
    """Python source running ``steps`` block by block as ``plan`` says."""
    namer = BlockNamer(plan, input_kinds)
    namer.canon = canon
    kinds, phases = plan.kinds, plan.phases
    before = [s for s in steps if kinds[s.id] == "global" and phases[s.id] == 0]
    loop = [s for s in steps if kinds[s.id] in (*ROW_KINDS, "sum")]
    after = [s for s in steps if kinds[s.id] == "global" and phases[s.id] > 0]
    outputs = [canon[o.id] if isinstance(o, Step) else o for o in program.outputs]
    row_outputs = {o.id for o in outputs if isinstance(o, Step) and kinds[o.id] in ROW_KINDS}

    fused = _fusion(steps, (before, loop, after), canon, outputs) if fuse else None
    head = _straight(before, namer, canon, outputs, fused)
    for k in sorted(row_outputs):
        step = canon[k]
        head.append(f"    o{k} = np.empty({step.shape!r}, dtype=np.{step.dtype.name})")
    namer.in_loop = True
    inner, sums = _loop_body(loop, namer, canon, plan, row_outputs, fused)
    namer.in_loop = False
    slices = [f"        {b} = {full}[r0:r1]" for full, b in namer.sliced.items()]
    partials = "".join(f"p{k}, " for k in sums)
    # numexpr runs its own threads: its blocks run one after another
    workers = ", workers=1" if fused is not None else ""
    loop_lines = ["    def block(r0, r1):", *slices, *inner, f"        return ({partials})",
                  f"    parts = run_blocks(block, {plan.n}, {plan.rows_per_block}{workers})"]
    namer.names["run_blocks"] = blocks.run_blocks
    namer.names["add_parts"] = add_parts
    for j, k in enumerate(sums):
        loop_lines.append(f"    t{k} = add_parts(parts, {j})")
        namer.of_step[k] = f"t{k}"
    for k in row_outputs:
        namer.of_step[k] = f"o{k}"
    tail = _straight(after, namer, canon, outputs, fused)
    args = ", ".join(f"a{i.index}" for i in program.inputs)
    outs = "".join(f"{namer.ref(o)}, " for o in program.outputs).rstrip(" ")
    source = "\n".join([f"def {name}({args}):", *head, *loop_lines, *tail,
                        f"    return ({outs})"])
    return Generated(source, namer.names)


def add_parts(parts: list, k: int) -> Any:
    """The sum of the ``k``-th partial sum over all blocks, added in block order (the same
    result for any number of threads)."""
    total = parts[0][k]
    for part in parts[1:]:
        total = total + part[k]
    return total


def _fusion(steps: list[Step], segments: tuple, canon: dict[int, Step],
            outputs: list) -> fusion.Fusion | None:
    """Fusion over all steps; a step read in another segment than its own stays a name."""
    if not fusion.available():
        return None
    segment_of = {s.id: k for k, seg in enumerate(segments) for s in seg}
    crossing = {canon[a.id].id for s in steps for a in (*s.args, *s.params.values())
                if isinstance(a, Step) and segment_of[canon[a.id].id] != segment_of[s.id]}
    return fusion.Fusion(steps, canon, outputs, keep=crossing)


def _straight(steps: list[Step], namer: Namer, canon: dict[int, Step], outputs: list,
              fused: fusion.Fusion | None) -> list:
    lines: list[str] = []
    last = last_uses(steps, outputs, canon, keep_all=True)
    fresh: dict[int, bool] = {}
    for k, step in enumerate(steps):
        code = emit(steps, k, namer, fused, fresh, last, canon)
        if code is not None:
            lines.append(f"    t{step.id} = {code}")
            namer.of_step[step.id] = f"t{step.id}"
    return lines


def _loop_body(steps: list[Step], namer: BlockNamer, canon: dict[int, Step], plan: Plan,
               row_outputs: set[int], fused: fusion.Fusion | None
               ) -> tuple[list[str], list[int]]:
    """The lines of one block and the ids of the sums whose partials it returns."""
    lines: list[str] = []
    sums: list[int] = []
    kept = [canon[k] for k in row_outputs]
    last = last_uses(steps, kept, canon)
    fresh: dict[int, bool] = {}
    for k, step in enumerate(steps):
        rewrite = plan.rewrites.get(step.id)
        if rewrite is not None and "shape" in rewrite and step.prim.name == "broadcast_to":
            extra = {"shape": f"(r1 - r0, *{tuple(rewrite['shape'])!r})"}
            code = call_of(step, namer, None, override={}, literal=extra)
        elif rewrite is not None:
            code = call_of(step, namer, None, override=rewrite)
        elif plan.kinds[step.id] == "sum":
            code = call_of(step, namer, None)
        else:
            code = emit(steps, k, namer, fused, fresh, last, canon)
        if code is None:
            continue
        if plan.kinds[step.id] == "sum":
            lines.append(f"        p{step.id} = {code}")
            sums.append(step.id)
            continue
        lines.append(f"        t{step.id} = {code}")
        namer.of_step[step.id] = f"t{step.id}"
    lines.extend(f"        o{k}[r0:r1] = {namer.of_step[k]}" for k in sorted(row_outputs))
    return lines, sums
