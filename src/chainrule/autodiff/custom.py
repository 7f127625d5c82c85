"""User-defined derivative rules: ``custom_vjp``, ``custom_jvp``, and ``stop_gradient``.

A function wrapped by :func:`custom_vjp` or :func:`custom_jvp` is one opaque step to every
trace: its own body is never differentiated, only the rule given for it. The rule is written
in ordinary NumPy code, so it is traced by outer levels in turn: when it is itself
differentiable, so is the function, to any order (grad of grad, Hessians).

* ``custom_vjp``: reverse mode calls ``bwd(residuals, g)``. Forward mode needs no second
  rule: ``bwd`` is linear in ``g``, and the JVP is its transpose, taken by a reverse pass over
  ``bwd`` (so forward mode honours the rule too).
* ``custom_jvp``: forward mode calls the rule; reverse mode records the rule's tangent map and
  transposes it by a reverse pass (JAX's linearize-then-transpose).

Both conventions are JAX's.

>>> import numpy as np
>>> import chainrule
>>> @custom_vjp
... def clip_gradient(x):
...     return x
>>> clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (np.clip(g, -1.0, 1.0),))
>>> chainrule.grad(lambda x: clip_gradient(5.0 * x))(1.0)
5.0
>>> chainrule.grad(lambda x: 5.0 * clip_gradient(x))(1.0)
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.autodiff import forward, reverse
from chainrule.autodiff.complex_numbers import is_complex
from chainrule.autodiff.pytree import flatten
from chainrule.core.expr import Expr
from chainrule.core.trace import is_at, new_level, peek, top_box, unbox, value_of
from chainrule.errors import ChainruleError, DifferentiationError


class _Rule:
    """The stand-in for a primitive that a recorded custom call's node carries."""

    elementwise = False
    jvp = None

    def __init__(self, name: str, vjp: Callable):
        self.name = name
        self.vjp = vjp


class _Pack:
    """The cotangents of a call with several outputs; the sum of two is taken entry by entry
    (None: zero), so an output reached along several paths gets the sum."""

    __slots__ = ("parts",)

    def __init__(self, parts: list):
        self.parts = parts

    def __add__(self, other: _Pack) -> _Pack:
        return _Pack([b if a is None else a if b is None else a + b
                      for a, b in zip(self.parts, other.parts, strict=True)])


def _refuse_symbols(leaves: list, what: str) -> None:
    # grad's symbolic fast path calls f on symbols; a user rule has no symbolic form, so the
    # fast path must give way to the recorded pass (it falls back on any error).
    if any(isinstance(v, Expr) for v in leaves):
        raise DifferentiationError(f"{what} has no symbolic form; differentiate it with "
                                   "the traced modes (grad on arrays, jvp, vjp)")


def _zeros(x: Any) -> Any:
    return np.zeros(np.shape(peek(x)), dtype=_real_or_complex(x))


def _real_or_complex(x: Any) -> Any:
    dtype = np.result_type(peek(x))
    return dtype if np.issubdtype(dtype, np.inexact) else np.float64


def _dot(a: Any, b: Any) -> Any:
    """Σ a·b over every entry (the pairing of a cotangent with a tangent)."""
    return np.sum(a * b)


def record(level: int, args: list, outs: list, name: str,
           pullback: Callable[[list], list]) -> list:
    """Reverse-mode boxes for ``outs``, the outputs of one opaque call on ``args`` (flat
    lists), whose cotangents ``pullback(output cotangents) -> argument cotangents`` gives."""
    parents = tuple((i, a.node) for i, a in enumerate(args) if is_at(a, level))
    values = tuple(unbox(a, level) for a in args)

    def vjp(g: Any, ans: Any, _args: tuple, _params: dict, _need: list) -> list:
        parts = g.parts if isinstance(g, _Pack) else [g]
        cts = pullback([_zeros(o) if c is None else c for c, o in zip(parts, outs, strict=True)])
        return [None if c is None else _real_part_for(_shaped(c, v, name), v)
                for c, v in zip(cts, values, strict=True)]

    if len(outs) == 1:
        node = reverse.Node(_Rule(name, vjp), values, {}, outs[0], parents)
        return [reverse.ReverseBox(outs[0], level, node)]
    node = reverse.Node(_Rule(name, vjp), values, {}, tuple(outs), parents)
    return [reverse.ReverseBox(o, level, reverse.Node(_Rule(f"{name}[{k}]", _picker(k, len(outs))),
                                                       (tuple(outs),), {}, o, ((0, node),)))
            for k, o in enumerate(outs)]


def _picker(k: int, n: int) -> Callable:
    def vjp(g: Any, ans: Any, args: tuple, params: dict, need: list) -> list:
        parts: list[Any] = [None] * n
        parts[k] = g
        return [_Pack(parts)]
    return vjp


def _real_part_for(ct: Any, primal: Any) -> Any:
    """A real primal's cotangent is real (JAX: the transpose of casting to complex)."""
    return np.real(ct) if is_complex(ct) and not is_complex(primal) else ct


def _shaped(ct: Any, primal: Any, name: str) -> Any:
    """A user rule's cotangent in its argument's shape (a broadcastable one is broadcast)."""
    shape, want = np.shape(peek(ct)), np.shape(peek(primal))
    if shape == want:
        return ct
    try:
        if np.broadcast_shapes(shape, want) == want:
            return np.broadcast_to(ct, want)
    except ValueError:
        pass
    raise ChainruleError(f"custom rule of {name}: a cotangent has shape {shape}, its argument "
                         f"{want}")


class custom_vjp:  # noqa: N801 - named as JAX names it, used as a decorator
    """A function with a reverse-mode rule of its own (JAX's ``jax.custom_vjp``).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)`` computes the output and what
    the rule needs; ``bwd(residuals, g) -> tuple`` gives one cotangent per argument (None for
    zero), with ``g`` shaped like ``out``. Arguments and outputs may be pytrees.

    >>> import numpy as np, chainrule
    >>> @custom_vjp
    ... def softplus(x):
    ...     return np.logaddexp(0.0, x)
    >>> softplus.defvjp(lambda x: (softplus(x), x),
    ...                 lambda x, g: (g / (1.0 + np.exp(-x)),))
    >>> chainrule.grad(lambda x: np.sum(softplus(x)))(np.array([0.0, 800.0]))
    array([0.5, 1. ])
    """

    def __init__(self, fun: Callable):
        self.fun = fun
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        self.__name__ = getattr(fun, "__name__", "custom_vjp")
        self.__doc__ = getattr(fun, "__doc__", None)

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Set the rule: ``fwd(*args) -> (out, residuals)``, ``bwd(residuals, g) -> tuple``."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any) -> Any:
        leaves, rebuild = flatten(list(args))
        _refuse_symbols(leaves, f"custom_vjp function {self.__name__}")
        top = top_box(tuple(leaves))
        if top is None:
            return self.fun(*args)
        if self.fwd is None or self.bwd is None:
            raise ChainruleError(f"custom_vjp function {self.__name__} is differentiated "
                                 "before its rule is set: call .defvjp(fwd, bwd) first")
        level = top.level
        plain = rebuild([unbox(v, level) for v in leaves])
        out, res = _pair(self.fwd(*plain), "fwd")
        out_leaves, out_rebuild = flatten(out)

        def pullback(g_leaves: list) -> list:
            cts = self.bwd(res, out_rebuild(g_leaves))
            return _cotangent_leaves(cts, args, self.__name__)

        if isinstance(top, reverse.ReverseBox):
            return out_rebuild(record(level, leaves, out_leaves, self.__name__, pullback))
        if isinstance(top, forward.JVPBox):
            return out_rebuild(_forward_by_transpose(top, leaves, out_leaves, pullback))
        raise DifferentiationError(f"custom_vjp function {self.__name__} under an unknown "
                                   f"trace ({type(top).__name__})")


def _pair(result: Any, what: str) -> tuple[Any, Any]:
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise ChainruleError(f"a custom rule's {what} must return a pair; it returned "
                             f"{type(result).__name__}")
    return result[0], result[1]


def _cotangent_leaves(cts: Any, args: tuple, name: str) -> list:
    """bwd's result as one cotangent leaf per argument leaf (None: zero)."""
    if not isinstance(cts, tuple | list) or len(cts) != len(args):
        raise ChainruleError(f"custom_vjp function {name}: bwd must return a tuple with one "
                             f"cotangent per argument ({len(args)}), got {cts!r:.80}")
    out: list = []
    for ct, arg in zip(cts, args, strict=True):
        arg_leaves, _ = flatten(arg)
        out.extend([None] * len(arg_leaves) if ct is None else flatten(ct)[0])
    return out


def _forward_by_transpose(top: Any, leaves: list, out_leaves: list, pullback: Callable) -> list:
    """Output tangents of a custom_vjp call: J·t = ∇_g ⟨bwd(g), t⟩, bwd being linear in g."""
    level = top.level
    batch = top.batch
    tangents = [v.tangent if is_at(v, level) else None for v in leaves]
    directions = range(batch) if batch is not None else [None]
    per_direction = []
    for k in directions:
        t_k = [t if k is None or t is None else t[k] for t in tangents]
        inner = new_level()
        seeds = [reverse.leaf(_zeros(o), inner) for o in out_leaves]
        cts = pullback(list(seeds))
        pairing = None
        for ct, t in zip(cts, t_k, strict=True):
            if ct is not None and t is not None:
                term = _dot(ct, t)
                pairing = term if pairing is None else pairing + term
        if pairing is None or not is_at(pairing, inner):
            per_direction.append([_zeros(o) for o in out_leaves])
            continue
        found = reverse.backward(pairing.node, np.ones_like(peek(pairing)),
                                 [s.node for s in seeds])
        per_direction.append([_zeros(o) if f is None else f for f, o in zip(found, out_leaves,
                                                                            strict=True)])
    if batch is None:
        return [forward.JVPBox(o, level, t) for o, t in zip(out_leaves, per_direction[0],
                                                            strict=True)]
    return [forward.JVPBox(o, level, np.stack([d[j] for d in per_direction]), batch)
            for j, o in enumerate(out_leaves)]


class custom_jvp:  # noqa: N801 - named as JAX names it, used as a decorator
    """A function with a forward-mode rule of its own (JAX's ``jax.custom_jvp``).

    ``f.defjvp(rule)``: ``rule(primals, tangents) -> (out, tangent_out)``, both arguments
    tuples with one entry per argument of ``f`` (an argument that is not differentiated gets
    a zero tangent). The tangent map must be linear in the tangents; reverse mode transposes it.

    >>> import numpy as np, chainrule
    >>> @custom_jvp
    ... def safe_norm(v):
    ...     return np.sqrt(np.sum(v * v))
    >>> def safe_norm_jvp(primals, tangents):
    ...     (v,), (t,) = primals, tangents
    ...     n = safe_norm(v)
    ...     return n, np.sum(v * t) / np.where(n == 0.0, 1.0, n)
    >>> safe_norm.defjvp(safe_norm_jvp)
    >>> chainrule.grad(safe_norm)(np.zeros(2))
    array([0., 0.])
    >>> chainrule.grad(safe_norm)(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    """

    def __init__(self, fun: Callable):
        self.fun = fun
        self.rule: Callable | None = None
        self.__name__ = getattr(fun, "__name__", "custom_jvp")
        self.__doc__ = getattr(fun, "__doc__", None)

    def defjvp(self, rule: Callable) -> None:
        """Set the rule: ``rule(primals, tangents) -> (out, tangent_out)``."""
        self.rule = rule

    def __call__(self, *args: Any) -> Any:
        leaves, rebuild = flatten(list(args))
        _refuse_symbols(leaves, f"custom_jvp function {self.__name__}")
        top = top_box(tuple(leaves))
        if top is None:
            return self.fun(*args)
        if self.rule is None:
            raise ChainruleError(f"custom_jvp function {self.__name__} is differentiated "
                                 "before its rule is set: call .defjvp(rule) first")
        level = top.level
        plain = [unbox(v, level) for v in leaves]
        if isinstance(top, forward.JVPBox):
            return self._forward(top, leaves, plain, rebuild)
        if isinstance(top, reverse.ReverseBox):
            return self._reverse(level, leaves, plain, rebuild)
        raise DifferentiationError(f"custom_jvp function {self.__name__} under an unknown "
                                   f"trace ({type(top).__name__})")

    def _apply(self, plain: list, tangents: list, rebuild: Callable) -> tuple[list, list, Any]:
        out, t_out = _pair(self.rule(tuple(rebuild(plain)), tuple(rebuild(tangents))), "rule")
        out_leaves, out_rebuild = flatten(out)
        t_leaves, _ = flatten(t_out)
        if len(t_leaves) != len(out_leaves):
            raise ChainruleError(f"custom_jvp function {self.__name__}: the rule's tangent "
                                 "must have the structure of its output")
        return out_leaves, t_leaves, out_rebuild

    def _forward(self, top: Any, leaves: list, plain: list, rebuild: Callable) -> Any:
        level, batch = top.level, top.batch
        tangents = [v.tangent if is_at(v, level) else None for v in leaves]
        if batch is None:
            out, t_out, out_rebuild = self._apply(
                plain, [_zeros(p) if t is None else t for t, p in zip(tangents, plain,
                                                                      strict=True)], rebuild)
            return out_rebuild([forward.JVPBox(o, level, _full(t, o))
                                for o, t in zip(out, t_out, strict=True)])
        runs = [self._apply(plain, [_zeros(p) if t is None else t[k]
                                    for t, p in zip(tangents, plain, strict=True)], rebuild)
                for k in range(batch)]
        out, _, out_rebuild = runs[0]
        return out_rebuild([forward.JVPBox(o, level, np.stack([_full(r[1][j], o) for r in runs]),
                                           batch) for j, o in enumerate(out)])

    def _reverse(self, level: int, leaves: list, plain: list, rebuild: Callable) -> Any:
        # Record the tangent map on leaves of a fresh level, then transpose it by a reverse
        # pass from the output cotangents (linear in the tangents, so exact).
        inner = new_level()
        seeds = [reverse.leaf(_zeros(p), inner) for p in plain]
        out, t_out, out_rebuild = self._apply(plain, list(seeds), rebuild)

        def pullback(g_leaves: list) -> list:
            roots = [t.node for t in t_out if is_at(t, inner)]
            cts = [g for t, g in zip(t_out, g_leaves, strict=True) if is_at(t, inner)]
            if not roots:
                return [None] * len(leaves)
            return reverse.backward(roots, cts, [s.node for s in seeds])

        return out_rebuild(record(level, leaves, out, self.__name__, pullback))


def _full(t: Any, like: Any) -> Any:
    """A tangent in the shape of its output (a rule may return a broadcastable one)."""
    if np.shape(peek(t)) != np.shape(peek(like)):
        return np.broadcast_to(t, np.shape(peek(like)))
    return t


def stop_gradient(x: Any) -> Any:
    """``x`` as a constant: its value, cut out of every derivative (a pytree is cut leaf by
    leaf).

    >>> import chainrule
    >>> chainrule.grad(lambda x: x * stop_gradient(x))(3.0)
    3.0
    """
    leaves, rebuild = flatten(x)
    _refuse_symbols(leaves, "stop_gradient")
    return rebuild([value_of(v) for v in leaves])
