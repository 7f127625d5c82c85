"""The bridge from automatic to symbolic mode: scalar gradients traced once, then compiled.

For a function of plain Python numbers, ``grad`` first calls it with symbols; when that
yields an expression (no branching on values, only table primitives), the symbolic
derivative is compiled (:mod:`chainrule.compile`) and reused. Every call still runs the
function itself on the numbers, at the point and at a nearby point, and checks the compiled
function agrees with it at both; if not (a closure's captured value changed, say) it traces
again, and a function that cannot be traced (it branches on values, calls ``math`` on a
symbol, …) falls back to the recorded reverse pass. So the cache is an optimisation that can
never make an answer wrong. A rule record missing a piece (no derivative rule, nothing to
compile to) is not such a case: it raises :class:`~chainrule.errors.IncompleteRecord`,
naming the primitive.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from chainrule.core.build import mul, symbol
from chainrule.core.expr import Apply, Expr
from chainrule.errors import IncompleteRecord
from chainrule.symbolic.api import diff
from chainrule.symbolic.compile import compile_expr

_FAILED = object()
_PROBE = 2.0**-7
MAX_TRACED_NODES = 2_000


def _is_plain_number(v: Any) -> bool:
    return isinstance(v, float | int) and not isinstance(v, bool)


class SymbolicGradient:
    """Compiled value and gradient of ``f`` in ``argnums``, for plain-number arguments."""

    def __init__(self, f: Callable, argnums: tuple[int, ...]):
        self.f = f
        self.argnums = argnums
        self.entry: Any = None  # (n_args, compiled f, compiled partials) or _FAILED

    def __call__(self, args: tuple, kwargs: dict) -> tuple[float, list[float]] | None:
        """``(value, partials)`` or None when this call must use the reverse pass."""
        if kwargs or self.entry is _FAILED or not all(_is_plain_number(a) for a in args):
            return None
        try:  # f may need arrays (x.shape) or close over a traced value: the tape decides
            value = float(self.f(*args))
        except Exception:  # noqa: BLE001 - any failure means: use the reverse pass
            return None
        for attempt in range(2):
            if self.entry is None or self.entry[0] != len(args) or attempt == 1:
                self.entry = self._trace(len(args))
                if self.entry is _FAILED:
                    return None
            out = self._evaluate(args, value)
            if out is not None:
                return value, out
        self.entry = _FAILED
        return None

    def _evaluate(self, args: tuple, value: float) -> list[float] | None:
        _, f_compiled, partials, switch = self.entry
        try:
            if not _close(f_compiled(*args), value):
                return None
            if switch is not None and switch(*args) == 0:
                return None  # on a kink: the reverse pass's rules report it (KinkWarning)
            # A second, nearby point: a changed closure can keep the value at one point (sin(kx)
            # at 0) but not the values at two.
            probe = tuple(a + _PROBE * (1.0 + abs(a)) for a in args)
            if not _close(f_compiled(*probe), float(self.f(*probe))):
                return None
            return [p(*args) for p in partials]
        except Exception:  # noqa: BLE001 - any failure means: use the reverse pass
            return None

    def _trace(self, n_args: int) -> Any:
        names = [f"_arg{i}" for i in range(n_args)]
        try:
            out = self.f(*(symbol(n) for n in names))
            if not isinstance(out, Expr) or out.node_count() > MAX_TRACED_NODES:
                return _FAILED  # long chains are the reverse pass's job
            partials = [compile_expr(diff(out, names[i]), names) for i in self.argnums]
            return n_args, compile_expr(out, names), partials, _kink_switch(out, names)
        except IncompleteRecord:
            raise  # a defect of the rule table, never hidden behind the fallback
        except Exception:  # noqa: BLE001 - not traceable symbolically: the tape will do
            return _FAILED


def _kink_switch(out: Expr, names: list[str]) -> Any:
    """Compiled product of what is 0 exactly on a kink of ``out``'s relu, abs, max and min
    (their argument, or the difference of the two), so one call tells whether the point sits
    on one; None without such a node. (A product that underflows to 0 only sends a call to
    the reverse pass.)"""
    zero_on_kink = [n.args[0] if len(n.args) == 1 else n.args[0] - n.args[1]
                    for n in out.walk() if isinstance(n, Apply) and n.prim.pieces is not None
                    and not n.prim.locally_constant]
    if not zero_on_kink:
        return None
    return compile_expr(mul(*zero_on_kink), names)


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
