"""Transformations built on the traces: ``checkpoint``, ``linearize`` and ``vmap``.

>>> import numpy as np
>>> out, f_jvp = linearize(np.sin, 0.0)
>>> out, f_jvp(2.0)
(0.0, 2.0)
>>> vmap(lambda row, w: np.sum(row * w), in_axes=(0, None))(np.eye(2), np.array([3.0, 4.0]))
array([3., 4.])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autodiff import reverse
from chainrule.autodiff.api import jvp
from chainrule.autodiff.custom import custom_vjp
from chainrule.autodiff.pytree import flatten
from chainrule.core.expr import Expr
from chainrule.core.trace import bind, is_at, is_traced, new_level, peek, top_box
from chainrule.errors import ChainruleError, DifferentiationError


def linearize(f: Callable, *primals: Any) -> tuple[Any, Callable]:
    """``(f(*primals), f_jvp)``: ``f_jvp(*tangents)`` is ``jvp(f, primals, tangents)[1]``.

    ``f`` runs once. Its tangent map is recorded then — the partial derivatives at
    ``primals`` are kept as constants — and ``f_jvp`` replays only that linear map, so each
    later call costs a few multiplications, not another run of ``f`` (JAX's ``linearize``).

    >>> import numpy as np
    >>> out, f_jvp = linearize(lambda x: np.exp(x) * x, np.array([0.0, 1.0]))
    >>> out.round(4), f_jvp(np.array([1.0, 1.0])).round(4)
    (array([0.    , 2.7183]), array([1.    , 5.4366]))
    """
    inner = new_level()
    leaves, rebuild = flatten(list(primals))
    seeds = [reverse.leaf(np.zeros_like(peek(v), dtype=_dtype(v)), inner) for v in leaves]
    out, t_out = jvp(f, primals, rebuild(seeds))
    t_leaves, t_rebuild = flatten(t_out)

    def f_jvp(*tangents: Any) -> Any:
        given, _ = flatten(list(tangents))
        if len(given) != len(leaves):
            raise ChainruleError(f"f_jvp needs one tangent for every primal, in the same "
                                 f"structure ({len(leaves)} leaves, got {len(given)})")
        known = {id(s.node): _shaped(t, s.value) for s, t in zip(seeds, given, strict=True)}
        roots = [t.node for t in t_leaves if is_at(t, inner)]
        values = _replay(roots, known) if roots else {}
        return t_rebuild([_plain(values[id(t.node)]) if is_at(t, inner) else t
                          for t in t_leaves])

    return out, f_jvp


def _dtype(v: Any) -> Any:
    dtype = np.result_type(peek(v))
    return dtype if np.issubdtype(dtype, np.inexact) else np.float64


def _shaped(t: Any, like: Any) -> Any:
    if np.shape(peek(t)) != np.shape(like):
        raise ChainruleError(f"f_jvp: a tangent has shape {np.shape(peek(t))}, its primal "
                             f"{np.shape(like)}")
    return t


def _replay(roots: list, known: dict[int, Any]) -> dict[int, Any]:
    """Every node's value recomputed from new leaf values (leaves first)."""
    values = dict(known)
    for node in reversed(reverse.toposort(roots)):
        if id(node) in values:
            continue
        if node.prim is None or not hasattr(node.prim, "impl"):
            raise DifferentiationError(
                "linearize cannot replay a step with a rule of its own "
                f"({getattr(node.prim, 'name', 'a leaf')}); use jvp instead")
        args = list(node.args)
        for i, parent in node.parents:
            args[i] = values[id(parent)]
        values[id(node)] = bind(node.prim, tuple(args), node.params)
    return values


def _plain(x: Any) -> Any:
    if not is_traced(x) and isinstance(x, np.generic | np.ndarray) and np.ndim(x) == 0:
        return x[()] if np.result_type(x) == np.float32 else x[()].item()
    return x


def vmap(f: Callable, in_axes: int | None | Sequence[int | None] = 0,
         out_axes: int = 0) -> Callable:
    """``f`` mapped over an axis of its arguments, the results stacked along ``out_axes``.

    ``in_axes`` is one entry per argument (or one for all): the axis to map over, or None
    for an argument passed whole to every call. An argument that is a pytree is mapped leaf
    by leaf. The map is a loop over the slices, traced like any other code, so ``vmap``
    composes with every derivative (``grad`` of a ``vmap``, ``vmap`` of a ``grad``: per-example
    gradients); it is not a vectorising compiler.

    >>> import numpy as np, chainrule
    >>> per_example = vmap(chainrule.grad(lambda w, x: np.sum(w * x) ** 2), in_axes=(None, 0))
    >>> per_example(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    array([[2., 0.],
           [0., 4.]])
    """
    def mapped(*args: Any) -> Any:
        axes = _axes(in_axes, len(args))
        n = _size(args, axes)
        results = [f(*(a if ax is None else _slice(a, k, ax) for a, ax in zip(args, axes,
                                                                              strict=True)))
                   for k in range(n)]
        first, rebuild = flatten(results[0])
        columns = [flatten(r)[0] for r in results]
        return rebuild([np.stack([c[j] for c in columns], axis=out_axes)
                        for j in range(len(first))])

    return mapped


def _axes(in_axes: Any, n_args: int) -> list:
    if in_axes is None or isinstance(in_axes, int):
        return [in_axes] * n_args
    axes = list(in_axes)
    if len(axes) != n_args:
        raise ChainruleError(f"vmap: in_axes has {len(axes)} entries for {n_args} arguments")
    for ax in axes:
        if ax is not None and not isinstance(ax, int):
            raise ChainruleError(f"vmap: each in_axes entry is an int or None, got {ax!r}")
    return axes


def _size(args: tuple, axes: list) -> int:
    sizes = set()
    for a, ax in zip(args, axes, strict=True):
        if ax is None:
            continue
        for leaf in flatten(a)[0]:
            shape = np.shape(peek(leaf))
            if not -len(shape) <= ax < len(shape):
                raise ChainruleError(f"vmap: in_axes {ax} is out of range for an argument "
                                     f"of shape {shape}")
            sizes.add(shape[ax])
    if not sizes:
        raise ChainruleError("vmap needs at least one argument mapped over (in_axes not None)")
    if len(sizes) > 1:
        raise ChainruleError(f"vmap: the mapped axes have different sizes {sorted(sizes)}")
    return sizes.pop()


def _slice(tree: Any, k: int, axis: int) -> Any:
    leaves, rebuild = flatten(tree)
    return rebuild([leaf[(slice(None),) * (axis % np.ndim(peek(leaf))) + (k,)]
                    for leaf in leaves])


def checkpoint(fun: Callable) -> Callable:
    """``fun`` rematerialised: reverse mode stores only its inputs and recomputes its inner
    values during the backward pass, trading time for memory (JAX's ``jax.checkpoint``).

    Values and derivatives are those of ``fun``; forward mode simply runs it.

    >>> import numpy as np, chainrule
    >>> layer = checkpoint(lambda w, x: np.tanh(w * x))
    >>> round(chainrule.grad(lambda w: layer(w, 0.5) ** 2)(2.0), 6)
    0.31985
    """
    wrapped = custom_vjp(fun)

    def fwd(*args: Any) -> tuple[Any, Any]:
        return fun(*args), args

    def bwd(args: tuple, g: Any) -> tuple:
        return _recompute_vjp(fun, args, g)

    wrapped.defvjp(fwd, bwd)

    def run(*args: Any) -> Any:
        leaves, _ = flatten(list(args))
        if any(isinstance(v, Expr) for v in leaves):
            return fun(*args)  # the same derivative either way; symbols need no memory
        top = top_box(tuple(leaves))
        if top is None or not isinstance(top, reverse.ReverseBox):
            return fun(*args)
        return wrapped(*args)

    run.__name__ = getattr(fun, "__name__", "checkpoint")
    run.__doc__ = getattr(fun, "__doc__", None)
    return run


def _recompute_vjp(fun: Callable, args: tuple, g: Any) -> tuple:
    """``fun``'s cotangents at ``args`` for output cotangent ``g``, by a fresh reverse pass."""
    level = new_level()
    leaves, rebuild = flatten(list(args))
    boxes = [reverse.leaf(v, level) for v in leaves]
    out = fun(*rebuild(boxes))
    out_leaves, _ = flatten(out)
    g_leaves, _ = flatten(g)
    roots = [o.node for o in out_leaves if is_at(o, level)]
    seeds = [c for o, c in zip(out_leaves, g_leaves, strict=True) if is_at(o, level)]
    cts = reverse.backward(roots, seeds, [b.node for b in boxes]) if roots else [None] * len(
        boxes)
    return tuple(rebuild(cts))
