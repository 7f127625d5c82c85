"""A recorded program as straight-line Python over NumPy.

Each live step becomes one assignment calling what its rule record names (``np.sin``, the
record's own implementation, …), so generated code and eager evaluation run the same functions.
Dead steps are dropped, identical steps computed once, and an elementwise ufunc writes into a
temporary that nothing reads afterwards (``np.sin(t3, out=t3)``) instead of allocating.

The source is built only from recorded steps — names ``a0, t1, c2, …`` that we choose and the
records' code names — never from user text.

>>> import numpy as np
>>> from chainrule.autodiff.jit.graph import record
>>> program, _ = record(lambda x: np.sin(x) * 2.0 + 1.0, (np.ones(3),))
>>> print(generate(program).source)
def staged(a0):
    t0 = np.sin(a0)
    t1 = np.multiply(t0, 2.0, out=t0)
    t2 = np.add(t1, 1.0, out=t1)
    return (t2,)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.autodiff.jit import fusion
from chainrule.autodiff.jit.graph import Constant, Input, Program, Step, binding

FRESH = {"matmul"}
"""Records whose output is a new array (besides ufuncs): safe to overwrite when dead."""


@dataclass
class Generated:
    """Generated source and the names it reads (NumPy, record implementations, constants)."""

    source: str
    names: dict[str, Any]


def live_steps(program: Program) -> list[Step]:
    """The steps the outputs depend on, in recorded (topological) order."""
    wanted: set[int] = set()
    stack = [o for o in program.outputs if isinstance(o, Step)]
    while stack:
        step = stack.pop()
        if step.id in wanted:
            continue
        wanted.add(step.id)
        stack.extend(a for a in (*step.args, *step.params.values()) if isinstance(a, Step))
    return [s for s in program.steps if s.id in wanted]


class Namer:
    """Names for inputs, steps and constants in generated code, with CSE of equal steps."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"np": np}
        self.of_step: dict[int, str] = {}
        self.of_const: dict[int, str] = {}
        self.canon: dict[int, Step] = {}

    def ref(self, x: Any) -> str:
        if isinstance(x, Input):
            return f"a{x.index}"
        if isinstance(x, Step):
            return self.of_step[self.canon[x.id].id]
        value = x.value if isinstance(x, Constant) else x
        if isinstance(value, bool | int | float) and np.isfinite(value):
            return repr(value)
        if id(value) not in self.of_const:
            name = f"c{len(self.of_const)}"
            self.of_const[id(value)] = name
            self.names[name] = value
        return self.of_const[id(value)]

    def function(self, step: Step) -> str:
        ufunc = binding(step)
        if ufunc is not None:
            return f"np.{ufunc.__name__}"
        impl = step.prim.impl
        name = "f_" + "".join(ch if ch.isalnum() else "_" for ch in step.prim.name)
        self.names.setdefault(name, impl)
        return name


def _params(step: Step, namer: Namer, override: dict | None, literal: dict | None) -> str:
    params = dict(step.params) if override is None else {**step.params, **override}
    for k in literal or {}:
        params.pop(k, None)
    parts = []
    static = {k: v for k, v in params.items() if not isinstance(v, Step | Input)}
    if static:
        name = f"k{step.id}"
        namer.names[name] = static
        parts.append(f"**{name}")
    parts.extend(f"{k}={namer.ref(v)}" for k, v in params.items() if isinstance(v, Step | Input))
    parts.extend(f"{k}={code}" for k, code in (literal or {}).items())
    return "".join(f", {p}" for p in parts)


def call_of(step: Step, namer: Namer, into: Step | None, override: dict | None = None,
            literal: dict | None = None) -> str:
    """The call computing ``step`` (writing into ``into``'s buffer when given). ``override``
    replaces parameters; ``literal`` gives parameters as code."""
    call = f"{namer.function(step)}({', '.join(namer.ref(a) for a in step.args)}"
    call += _params(step, namer, override, literal)
    return call + (f", out={namer.ref(into)})" if into is not None else ")")


def fused_call(step: Step, fused: fusion.Fusion, namer: Namer) -> str:
    """A call of the numexpr program computing ``step`` and the operands inlined into it."""
    operands: dict[str, Any] = {}

    def name_of(x: Any) -> str:
        name = namer.ref(x)
        operands[name] = (x.dtype if isinstance(x, Step | Input)
                          else np.asarray(x.value if isinstance(x, Constant) else x).dtype)
        return name

    expression = fused.expression(step, name_of)
    key = f"x{step.id}"
    signature = [(name, bool if dtype == np.bool_ else np.float64)
                 for name, dtype in operands.items()]
    namer.names[key] = fusion.numexpr.NumExpr(expression, signature=signature)
    return f"{key}({', '.join(operands)})  # numexpr: {expression}"


def emit(steps: list[Step], k: int, namer: Namer, fused: fusion.Fusion | None,
         fresh: dict[int, bool], last: dict[int, int], canon: dict[int, Step]) -> str | None:
    """The code computing ``steps[k]`` (None when it is inlined into its consumer)."""
    step = steps[k]
    if fused is not None and step.id in fused.inlined:
        return None
    if fused is not None and step.id in fused.fusable:
        fresh[step.id] = True
        return fused_call(step, fused, namer)
    fresh[step.id] = fresh_output(step)
    # with fusion, inlined operands are read later than recorded: no buffer reuse
    into = reusable(step, k, fresh, last, canon) if fused is None else None
    return call_of(step, namer, into)


def fresh_output(step: Step) -> bool:
    """True when the step's result is a new array nothing else holds (safe to overwrite)."""
    return binding(step) is not None or step.prim.name in FRESH


def _key(step: Step, canon: dict[int, Step]) -> tuple | None:
    def ident(x: Any) -> Any:
        if isinstance(x, Step):
            return ("step", canon[x.id].id)
        if isinstance(x, Input):
            return ("input", x.index)
        value = x.value if isinstance(x, Constant) else x
        if isinstance(value, bool | int | float):
            return ("const", repr(value))
        return ("id", id(value))
    try:
        params = tuple(sorted((k, ident(v) if isinstance(v, Step | Input) else v)
                              for k, v in step.params.items()))
        hash(params)
    except TypeError:
        return None  # unhashable parameters (arrays): no CSE for this step
    return (step.prim.name, tuple(ident(a) for a in step.args), params)


IDENTITIES: dict[Any, tuple[float | None, ...]] = {
    np.multiply: (1.0, 1.0), np.true_divide: (None, 1.0), np.subtract: (None, 0.0),
}
"""Ufuncs with an identity operand (by position; None: none) that returns the other operand
bit for bit (``u * 1``, ``u / 1``, ``u - 0``; not ``u + 0``, which turns −0 into 0)."""


def _number(x: Any) -> float | None:
    value = x.value if isinstance(x, Constant) else x
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    return float(value)


def identity_of(step: Step, canon: dict[int, Step]) -> Step | None:
    """The step whose value ``step`` repeats exactly (``t * 1``, ``a & a``), or None.

    The reverse pass seeds with ones and masks twice; these steps cost a pass each."""
    ufunc = binding(step)
    if ufunc is None or len(step.args) != 2:
        return None
    a, b = step.args
    if ufunc in (np.logical_and, np.logical_or) and isinstance(a, Step) and isinstance(b, Step):
        same = canon[a.id] is canon[b.id]
        return canon[a.id] if same and a.shape == step.shape and a.dtype == step.dtype else None
    for k, unit in enumerate(IDENTITIES.get(ufunc, ())):
        other = (b, a)[k]
        if (unit is not None and _number(step.args[k]) == unit and isinstance(other, Step)
                and other.shape == step.shape and other.dtype == step.dtype):
            return canon[other.id]
    return None


def deduplicate(steps: list[Step]) -> tuple[list[Step], dict[int, Step]]:
    """The steps left after merging equal ones and dropping identities, and each step's
    representative."""
    canon: dict[int, Step] = {}
    seen: dict[tuple, Step] = {}
    kept: list[Step] = []
    for step in steps:
        same = identity_of(step, canon)
        if same is not None:
            canon[step.id] = same
            continue
        key = _key(step, canon)
        if key is not None and key in seen:
            canon[step.id] = seen[key]
            continue
        canon[step.id] = step
        kept.append(step)
        if key is not None:
            seen[key] = step
    return kept, canon


def _operands(step: Step) -> tuple:
    return (*step.args, *step.params.values())


def last_uses(steps: list[Step], outputs: list[Any], canon: dict[int, Step],
              keep_all: bool = False) -> dict[int, int]:
    """For each step, the index of the last step reading it (outputs: never overwritten; with
    ``keep_all`` no step is overwritten, for steps that code after this part still reads)."""
    last: dict[int, int] = {}
    for k, step in enumerate(steps):
        for a in _operands(step):
            if isinstance(a, Step):
                last[canon[a.id].id] = len(steps) if keep_all else k
    for o in outputs:
        if isinstance(o, Step):
            last[canon[o.id].id] = len(steps)
    return last


def reusable(step: Step, k: int, fresh: dict[int, bool], last: dict[int, int],
              canon: dict[int, Step]) -> Step | None:
    """An argument temporary that ``step`` (a plain ufunc call) may write its result into."""
    if step.params or binding(step) is None or len(step.shape) == 0:
        return None
    for a in step.args:
        if not isinstance(a, Step):
            continue
        a = canon[a.id]
        if (fresh.get(a.id) and last.get(a.id) == k and a.shape == step.shape
                and a.dtype == step.dtype):
            return a
    return None


def generate(program: Program, name: str = "staged", fuse: bool = False) -> Generated:
    """Python source for ``program`` and the namespace it runs in; with ``fuse``, elementwise
    runs become numexpr programs where numexpr is installed (see :mod:`.fusion`)."""
    steps, canon = deduplicate(live_steps(program))
    namer = Namer()
    namer.canon = canon
    last = last_uses(steps, program.outputs, canon)
    fresh: dict[int, bool] = {}
    fused = fusion.Fusion(steps, canon, program.outputs) if fuse and fusion.available() else None
    body: list[str] = []
    for k, step in enumerate(steps):
        code = emit(steps, k, namer, fused, fresh, last, canon)
        if code is not None:
            body.append(f"    t{step.id} = {code}")
            namer.of_step[step.id] = f"t{step.id}"
    args = ", ".join(f"a{i.index}" for i in program.inputs)
    outs = "".join(f"{namer.ref(o)}, " for o in program.outputs).rstrip(" ")
    source = "\n".join([f"def {name}({args}):", *body, f"    return ({outs})"])
    return Generated(source, namer.names)
