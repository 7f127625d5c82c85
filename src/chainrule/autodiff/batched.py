"""Batched forward mode: many tangents pushed in one pass (for Jacobians and Hessians).

A batched tangent carries a leading axis of size B, one tangent per basis direction. For an
elementwise primitive the table's partials simply broadcast against it, so nothing new is
needed. Array primitives whose forward rule is "the same linear operation on the tangent"
(sum, reshape, transpose, indexing, …) are applied to the batch with their axes shifted by
one — :data:`BATCH_RULES` says how for each — and any other primitive falls back to its own
``jvp`` once per direction. So a Hessian of n variables is one traced pass, not n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.ops import call


def _ndim(x: Any) -> int:
    return int(np.ndim(x))


def _shift_axis(axis: Any, ndim: int) -> Any:
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, tuple):
        return tuple(a % ndim + 1 for a in axis)
    return axis % ndim + 1


def align(t: Any, arg_shape: tuple, out_ndim: int) -> Any:
    """A batched tangent ``(B, *arg_shape)`` with unit axes so it broadcasts to ``out_ndim``."""
    missing = out_ndim - len(arg_shape)
    if missing <= 0:
        return t
    return np.reshape(t, (np.shape(t)[0],) + (1,) * missing + tuple(arg_shape))


def elementwise(prim: Any, values: tuple, tangents: list, ans: Any, batch: int) -> Any:
    out = None
    out_ndim = _ndim(ans)
    for i, t in enumerate(tangents):
        if t is not None:
            term = prim.partial(i, values, ans) * align(t, np.shape(values[i]), out_ndim)
            out = term if out is None else out + term
    target = (batch,) + tuple(np.shape(ans))
    return out if np.shape(out) == target else np.broadcast_to(out, target)


def _same_op(name: str, adjust):
    """The batched rule of a linear primitive: the primitive itself, parameters adjusted."""
    def rule(t, ans, args, p, batch):
        return call_named(name, t[0], **adjust(p, args, batch))
    return rule


def call_named(name: str, *args: Any, **params: Any) -> Any:
    from chainrule.core.registry import get
    return call(get(name), *args, **params)


def _reduction(mask_fn=None):
    def rule(t, ans, args, p, batch):
        x = args[0]
        tangent = t[0] if mask_fn is None else t[0] * mask_fn(x, ans, p)
        return np.sum(tangent, axis=_shift_axis(p.get("axis"), _ndim(x)),
                      keepdims=p.get("keepdims", False))
    return rule


def _transpose_params(p, args, batch):
    n = _ndim(args[0])
    axes = p.get("axes")
    return {"axes": (0,) + (tuple(range(n, 0, -1)) if axes is None
                            else tuple(a % n + 1 for a in axes))}


def _index_params(p, args, batch):
    index = p["index"] if isinstance(p["index"], tuple) else (p["index"],)
    return {"index": (slice(None),) + index}


def _broadcast(t, ans, args, p, batch):
    aligned = align(t[0], np.shape(args[0]), len(p["shape"]))
    return np.broadcast_to(aligned, (batch,) + tuple(p["shape"]))


def _join(name: str):
    def rule(t, ans, args, p, batch):
        parts = [ti if ti is not None else np.zeros((batch,) + np.shape(a))
                 for ti, a in zip(t, args, strict=True)]
        ndim = _ndim(args[0]) + (1 if name == "stack" else 0)
        return call_named(name, *parts, axis=p.get("axis", 0) % ndim + 1)
    return rule


def _where(t, ans, args, p, batch):
    zero = np.zeros((batch,) + np.shape(ans))
    tx = zero if t[0] is None else align(t[0], np.shape(args[0]), _ndim(ans))
    ty = zero if t[1] is None else align(t[1], np.shape(args[1]), _ndim(ans))
    return np.where(p["cond"], tx, ty)


def _matmul(t, ans, args, p, batch):
    a, b = args
    out = None
    if t[0] is not None:
        out = np.matmul(t[0], b)
    if t[1] is not None:
        if _ndim(b) == 1:
            term = (np.sum(a * t[1], axis=-1) if _ndim(a) == 1
                    else np.matmul(a, np.expand_dims(t[1], -1))[..., 0])
        else:
            term = np.matmul(a, t[1])
        out = term if out is None else out + term
    return out


def _rules() -> dict[str, Any]:
    from chainrule.rules.arrays import _extreme_mask, _lse_softmax
    return {
        "sum": _reduction(),
        "max": _reduction(_extreme_mask),
        "min": _reduction(_extreme_mask),
        "reduce_logsumexp": _reduction(_lse_softmax),
        "reshape": _same_op("reshape", lambda p, a, b: {"shape": (b,) + tuple(p["shape"])}),
        "transpose": _same_op("transpose", _transpose_params),
        "getitem": _same_op("getitem", _index_params),
        "broadcast_to": _broadcast,
        "concatenate": _join("concatenate"),
        "stack": _join("stack"),
        "where": _where,
        "matmul": _matmul,
    }


BATCH_RULES: dict[str, Any] = {}


def structural(prim: Any, values: tuple, tangents: list, ans: Any, params: dict,
               batch: int) -> Any:
    """A batched tangent for an array primitive."""
    if not BATCH_RULES:
        BATCH_RULES.update(_rules())
    rule = BATCH_RULES.get(prim.name)
    if rule is not None:
        return rule(tangents, ans, values, params, batch)
    # Any other primitive: its own forward rule, once per direction.
    per_direction = [prim.jvp([None if t is None else t[k] for t in tangents], ans, values,
                              params) for k in range(batch)]
    return np.stack([np.broadcast_to(d, np.shape(ans)) for d in per_direction])
