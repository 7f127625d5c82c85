"""``chainrule.jit``: record a NumPy function once per input signature, then run generated code.

The first call with a new signature (the structure of the arguments and each array's shape and
dtype) runs the function on staged values (:mod:`~chainrule.autodiff.jit.graph`), which records
every primitive call — including the forward and backward passes of any ``grad``, ``jvp`` or
``hessian`` inside — and generates straight-line NumPy code from the rule records
(:mod:`~chainrule.autodiff.jit.codegen`). Where the recorded program reduces over the rows of
a large array in its forward and backward passes, the rows are processed in cache-sized blocks
so both passes share one read of the data (:mod:`~chainrule.autodiff.jit.blocking`). Later
calls with the same signature run the generated code.

A function that branches on values (``if x > 0``, a value-dependent fast path) cannot be
recorded once for all inputs: such a signature runs eagerly every time, and ``.eager_reason``
says why. Arrays the function closes over are captured by reference when recorded, as in JAX.

>>> import numpy as np
>>> import chainrule
>>> f = chainrule.jit(chainrule.grad(lambda w: np.sum(np.sin(w) ** 2)))
>>> f(np.array([0.5, 1.0])).round(4)
array([0.8415, 0.9093])
>>> f(np.array([2.0, 3.0])).round(4)
array([-0.7568, -0.2794])
>>> print(f.source.splitlines()[0])  # the generated code, to read
def staged(a0):
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autodiff.jit import blocking
from chainrule.autodiff.jit.blocked_code import generate_blocked
from chainrule.autodiff.jit.codegen import Generated, deduplicate, generate, live_steps
from chainrule.autodiff.jit.graph import Program, record
from chainrule.autodiff.pytree import flatten
from chainrule.core.trace import Traced
from chainrule.errors import ChainruleError


def plain_scalar(x: Any) -> Any:
    """A float64 scalar result as a Python float (as the eager API returns it)."""
    if np.ndim(x) == 0 and np.result_type(x) == np.float64 and not isinstance(x, Traced):
        return float(x)
    return x


class Compiled:
    """One signature's generated code, ready to run."""

    def __init__(self, generated: Generated, rebuild: Callable):
        self.source = generated.source
        namespace = dict(generated.names)
        code = compile(generated.source, "<chainrule.jit>", "exec")
        exec(code, namespace)  # noqa: eval-ok (generated from recorded steps, see codegen)
        self.run = namespace["staged"]
        self.rebuild = rebuild

    def __call__(self, leaves: list[Any]) -> Any:
        with np.errstate(all="ignore"):  # as eager evaluation: non-finite values propagate
            outs = self.run(*leaves)
        return self.rebuild([plain_scalar(o) for o in outs])


class Eager:
    """A signature whose recording read values: it runs the function itself every time."""

    def __init__(self, reason: str):
        self.reason = reason


def _signature(tree: Any) -> tuple:
    if isinstance(tree, tuple | list):
        return (type(tree).__name__, tuple(_signature(t) for t in tree))
    if isinstance(tree, dict):
        return ("dict", tuple((k, _signature(tree[k])) for k in sorted(tree)))
    if isinstance(tree, np.ndarray | np.generic):
        return ("array", tree.shape, tree.dtype.str)
    if isinstance(tree, bool | int | float):
        return ("scalar", type(tree).__name__)
    leaves, _ = flatten(tree)
    if leaves == [tree]:
        raise ChainruleError(f"jit takes arrays, numbers and tuples/lists/dicts/dataclasses of "
                             f"them; got {type(tree).__name__} (mark it static with "
                             "static_argnums)")
    return (type(tree).__name__, tuple(_signature(v) for v in leaves))


class Jitted:
    """A function compiled per input signature. ``source`` shows the latest generated code."""

    def __init__(self, fn: Callable, static_argnums: Sequence[int] = (), block: bool = True,
                 fuse: bool = False):
        self.fn = fn
        self.static = tuple(static_argnums)
        self.block, self.fuse = block, fuse
        self.cache: dict[tuple, Compiled | Eager] = {}
        self.last: Compiled | Eager | None = None
        functools.update_wrapper(self, fn)

    @property
    def source(self) -> str:
        """The generated code of the latest signature (or why it runs eagerly)."""
        if isinstance(self.last, Compiled):
            return self.last.source
        return f"# runs eagerly: {self.last.reason}" if self.last else "# not called yet"

    @property
    def eager_reason(self) -> str | None:
        """Why the latest signature could not be compiled (None when it was)."""
        return self.last.reason if isinstance(self.last, Eager) else None

    def __call__(self, *args: Any) -> Any:
        dynamic = [a for i, a in enumerate(args) if i not in self.static]
        leaves, _ = flatten(dynamic)
        if any(isinstance(leaf, Traced) for leaf in leaves):
            return self.fn(*args)  # inside an outer derivative: trace through, do not compile
        statics = tuple((i, args[i]) for i in self.static)
        key = (_signature(dynamic), tuple((i, repr(v)) for i, v in statics))
        entry = self.cache.get(key)
        if entry is None:
            return self._record(key, args, dynamic)
        self.last = entry
        if isinstance(entry, Eager):
            return self.fn(*args)
        return entry(leaves)

    def _record(self, key: tuple, args: tuple, dynamic: list) -> Any:
        def with_statics(*dyn: Any) -> Any:
            it = iter(dyn)
            return self.fn(*(args[i] if i in self.static else next(it) for i in range(len(args))))

        program, out = record(with_statics, tuple(dynamic))
        if program.value_reads:
            entry: Compiled | Eager = Eager("the function reads traced values at "
                                            + program.value_reads[0])
        else:
            shapes = [np.shape(leaf) for leaf in flatten(dynamic)[0]]
            entry = Compiled(generate_for(program, shapes, self.block, self.fuse),
                             program.rebuild_output)
        self.cache[key] = self.last = entry
        out_leaves, rebuild = flatten(out)
        return rebuild([plain_scalar(o) for o in out_leaves])


def generate_for(program: Program, input_shapes: list[tuple], block: bool,
                 fuse: bool = False) -> Generated:
    """The program's code: row-blocked where a block schedule exists (and ``block``), else
    straight-line."""
    if block:
        steps, canon = deduplicate(live_steps(program))
        schedule = blocking.plan(program, input_shapes, steps, canon)
        if schedule is not None:
            kinds = ["row" if len(s) and s[0] == schedule.n else "global" for s in input_shapes]
            return generate_blocked(program, steps, canon, schedule, kinds, fuse=fuse)
    return generate(program, fuse=fuse)


def jit(fn: Callable | None = None, *, static_argnums: int | Sequence[int] = (),
        block: bool = True, fuse: bool = False) -> Any:
    """Compile ``fn`` (any NumPy function, or its ``grad``, ``jvp``, ``hessian``, …).

    ``static_argnums`` names arguments that are not arrays (sizes, flags): they are part of
    the signature. ``block=False`` turns off the row blocking of large arrays (blocks of
    rows sized to the per-core cache, run on :func:`chainrule.core.blocks.threads` threads);
    ``fuse=True`` turns runs of elementwise steps into numexpr programs (the optional numexpr
    package). Off by default: NumPy 2's own SIMD ``exp``/``log``/``power`` are several times
    faster than numexpr's calls of the C library, and blocks already keep temporaries in cache.

    >>> import numpy as np
    >>> import chainrule
    >>> g = chainrule.jit(chainrule.elementwise_grad(lambda x: x ** 3))
    >>> g(np.array([1.0, 2.0]))
    array([ 3., 12.])
    """
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    if fn is None:
        return lambda f: Jitted(f, nums, block, fuse)
    return Jitted(fn, nums, block, fuse)
