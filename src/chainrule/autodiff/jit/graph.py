"""Staging traces: run a NumPy function once on traced values and record its program.

A :class:`StagedBox` is a traced value whose every primitive call is computed *and* recorded
as a :class:`Step` of a :class:`Program`. Differentiation inside the traced function (``grad``,
``jvp``, …) opens deeper trace levels whose rule arithmetic lands here as ordinary steps, so the
recorded program holds the forward and the backward pass, ready for code generation.

A program is valid for other inputs only if the function never looked at a value (``if x >
0``, ``float(x)``, a value-dependent fast path in a rule): each such read is noted in
:attr:`Program.value_reads` and the program is then not reused.

>>> import numpy as np
>>> program, out = record(lambda x: np.sin(x) * 2.0, (np.array([0.5]),))
>>> [step.prim.name for step in program.steps], program.value_reads
(['sin', 'mul'], [])
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autodiff.pytree import flatten
from chainrule.autodiff.tracing import Box
from chainrule.core.trace import Traced, bind, is_at, new_level, staging


class Input:
    """The ``index``-th argument leaf of the program."""

    __slots__ = ("index", "dtype")

    def __init__(self, index: int, dtype: Any = None):
        self.index, self.dtype = index, np.result_type(dtype)


class Constant:
    """A value the program closes over (an array from the enclosing scope, a number)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Step:
    """One recorded primitive call: ``prim(*args, **params)`` with its output's shape."""

    __slots__ = ("prim", "args", "params", "shape", "dtype", "id")

    def __init__(self, prim: Any, args: tuple, params: dict, value: Any, id_: int):
        self.prim, self.args, self.params, self.id = prim, args, params, id_
        self.shape, self.dtype = np.shape(value), np.result_type(value)


def binding(step: Step) -> np.ufunc | None:
    """The NumPy ufunc a step can call directly: its record's implementation, or the ufunc
    the record binds (``np.multiply`` for ``mul``) on floating-point operands."""
    impl = step.prim.impl
    if isinstance(impl, np.ufunc):
        return impl if getattr(np, impl.__name__, None) is impl else None
    for ufunc in step.prim.numpy:
        if (isinstance(ufunc, np.ufunc) and ufunc.nin == len(step.args) and not step.params
                and np.issubdtype(step.dtype, np.inexact)):
            return ufunc
    return None


class Program:
    """What one staging trace recorded: inputs, steps in order, outputs."""

    def __init__(self, level: int):
        self.level = level
        self.steps: list[Step] = []
        self.inputs: list[Input] = []
        self.outputs: list[Any] = []  # Step, Input or Constant per output leaf
        self.value_reads: list[str] = []

    def note_value_read(self) -> None:
        frame = sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_filename.endswith(_QUIET_FILES):
            frame = frame.f_back  # name the code that asked, not the protocol helper
        self.value_reads.append(f"{frame.f_code.co_name} ({frame.f_code.co_filename}:"
                                f"{frame.f_lineno})")


_QUIET_FILES = ("trace.py",)
_VALUE = Traced.value  # the slot under StagedBox's watched ``value`` property


class StagedBox(Box):
    """A traced value of a staging trace: computes and records each primitive call."""

    __slots__ = ("ref", "program")

    def __init__(self, value: Any, level: int, ref: Any, program: Program):
        _VALUE.__set__(self, value)
        self.level, self.ref, self.program = level, ref, program

    @property
    def value(self) -> Any:  # type: ignore[override]
        self.program.note_value_read()
        return _VALUE.__get__(self)

    @value.setter
    def value(self, v: Any) -> None:
        _VALUE.__set__(self, v)

    # Shapes are static within a program: reading them is not a value read.
    shape = property(lambda self: np.shape(_VALUE.__get__(self)))
    ndim = property(lambda self: np.ndim(_VALUE.__get__(self)))
    size = property(lambda self: np.size(_VALUE.__get__(self)))
    dtype = property(lambda self: np.result_type(_VALUE.__get__(self)))

    def __len__(self) -> int:
        return len(_VALUE.__get__(self))

    staged = True  # core.trace.condition keeps staged masks as they are

    @classmethod
    def process(cls, prim: Any, args: tuple, params: dict, level: int) -> Any:
        program = next(a.program for a in (*args, *params.values()) if is_at(a, level))
        values = tuple(_VALUE.__get__(a) if is_at(a, level) else a for a in args)
        plain = {k: _VALUE.__get__(v) if is_at(v, level) else v for k, v in params.items()}
        ans = bind(prim, values, plain)
        refs = tuple(a.ref if is_at(a, level) else Constant(a) for a in args)
        recorded = {k: v.ref if is_at(v, level) else v for k, v in params.items()}
        step = Step(prim, refs, recorded, ans, len(program.steps))
        program.steps.append(step)
        return cls(ans, level, step, program)


def unstaged(x: Any) -> Any:
    """The value under a staged box, without counting it as a value read."""
    return _VALUE.__get__(x) if isinstance(x, StagedBox) else x


def record(fn: Callable, args: tuple) -> tuple[Program, Any]:
    """Run ``fn(*args)`` on staged boxes: the recorded program and ``fn``'s (plain) result."""
    level = new_level()
    program = Program(level)
    leaves, rebuild = flatten(list(args))
    boxes = []
    for k, leaf in enumerate(leaves):
        ref = Input(k, leaf)
        program.inputs.append(ref)
        boxes.append(StagedBox(leaf, level, ref, program))
    with staging():
        out = fn(*rebuild(boxes))
    out_leaves, out_rebuild = flatten(out)
    program.outputs = [o.ref if is_at(o, level) else Constant(o) for o in out_leaves]
    plain = [unstaged(o) if is_at(o, level) else o for o in out_leaves]
    program.rebuild_output = out_rebuild  # type: ignore[attr-defined]
    return program, out_rebuild(plain)
