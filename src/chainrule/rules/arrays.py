"""Array primitives that are not elementwise: reductions, shapes, indexing, matmul.

Each derivative is written once, with NumPy functions that on traced values dispatch back to
these same records (so they differentiate again for higher orders): a reduction gives its
weights (:func:`reduction`), a linear operation its transpose
(:func:`~chainrule.core.primitive.linear`: the JVP is the operation itself), and batched
forward mode reads the record's ``batch``. ``mean``, ``var``, norms, softmax and the losses
are compositions of these (see :mod:`chainrule.autodiff.array_functions`), not records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.core.arraylike import float_dtype, is_foreign
from chainrule.core.ops import call
from chainrule.core.primitive import Primitive, RuleText, linear
from chainrule.core.trace import peek, value_of


def _shape(x):
    return np.shape(x)


def take_index(ndim: int, i, axis: int | None):
    """The index tuple that ``np.take(x, i, axis)`` reads."""
    index = [slice(None)] * ndim
    index[axis or 0] = i
    return tuple(index)


def _text(name: str, rewrite: str) -> RuleText:
    return RuleText(f"{name} rule", rewrite, "arrays")


# -- batching: a leading axis of B tangents (see chainrule's batched forward mode) ----------

def shift_axis(axis: Any, ndim: int) -> Any:
    """The axis (or axes) ``axis`` of an ``ndim``-array, counted in its batch ``(B, ...)``."""
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


def _batched_self(adjust):
    """The batch rule of a linear primitive: the primitive itself, parameters adjusted."""
    def rule(t, ans, args, p, batch, prim):
        return call(prim, t[0], **adjust(p, args, batch))
    return rule


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def restore_reduced(g, x_shape, axis, keepdims, like=None):
    """Broadcast a reduction's cotangent back to the input shape (in the library of ``like``,
    the input, when that is not NumPy: a Dask or GPU input gets a lazy or device array, not
    a NumPy array of its size)."""
    if not keepdims and len(x_shape) > 0:
        g = np.reshape(g, tuple(1 if i in _normalize_axis(axis, len(x_shape)) else n
                                for i, n in enumerate(x_shape)))
    # types only: peek, not a value read (see chainrule.jit)
    if (like is not None and type(peek(like)) is not np.ndarray
            and is_foreign(peek(like)) and not is_foreign(peek(g))):
        return np.zeros_like(peek(like)) + g
    return np.broadcast_to(g, x_shape)


def unbroadcast(g, shape):
    """Sum a cotangent over the axes broadcasting added, back to ``shape``."""
    g_shape = np.shape(g)
    if g_shape == tuple(shape):
        return g
    lead = len(g_shape) - len(shape)
    if lead > 0:
        g = np.sum(g, axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return g


# -- reductions ---------------------------------------------------------------------------

def reduction(name: str, impl: Callable, weights: Callable | None, rewrite: str) -> Primitive:
    """A reduction whose derivative is a weighted sum: ∂ reduce(x) / ∂xᵢ = wᵢ.

    ``weights(x, ans, params)`` (None: all 1, the sum) is the one rule; the JVP sums the
    weighted tangent, the VJP spreads the cotangent back with the weights, and the batched
    rule is the JVP along shifted axes — three uses, one rule.
    """
    def weighted(t, x, ans, p):
        return t if weights is None else t * weights(x, ans, p)

    def vjp(g, ans, args, p, need):
        x = args[0]
        return [weighted(restore_reduced(g, _shape(x), p.get("axis"), p.get("keepdims", False),
                                         like=x), x, ans, p)]

    def jvp(t, ans, args, p):
        return np.sum(weighted(t[0], args[0], ans, p), axis=p.get("axis"),
                      keepdims=p.get("keepdims", False))

    def batch(t, ans, args, p, size, prim):
        x = args[0]
        return np.sum(weighted(t[0], x, ans, p), axis=shift_axis(p.get("axis"), np.ndim(x)),
                      keepdims=p.get("keepdims", False))

    return Primitive(name, None, impl, rule=None, text=_text(name, rewrite), vjp=vjp, jvp=jvp,
                     batch=batch, symbolic=False)


SUM = reduction(
    "sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims), None,
    "d/dx Σ xᵢ = 1 for every xᵢ",
)


def _extreme_mask(x, ans, p):
    full = restore_reduced(ans, _shape(x), p.get("axis"), p.get("keepdims", False))
    hit = np.equal(x, full).astype(float)  # ties share the derivative evenly
    count = np.sum(hit, axis=p.get("axis"), keepdims=True)
    return hit / count


MAX = reduction(
    "max", lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
    _extreme_mask, "d/dxᵢ max x = 1 at the maximum (shared among ties), 0 elsewhere",
)
MIN = reduction(
    "min", lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims),
    _extreme_mask, "d/dxᵢ min x = 1 at the minimum (shared among ties), 0 elsewhere",
)


def _prod_others(x, ans, p):
    """∂(Π x)/∂xᵢ = the product of the other entries, exact also where some xᵢ are 0."""
    axis = p.get("axis")
    if not np.any(np.equal(value_of(x), 0)):
        return np.prod(x, axis=axis, keepdims=True) / x
    # With zeros, Π x / xᵢ is 0/0: form each product of the others directly (O(n²), only here).
    ndim = np.ndim(x)
    reduced = _normalize_axis(axis, ndim)
    kept = tuple(a for a in range(ndim) if a not in reduced)
    perm = kept + reduced
    moved = np.transpose(x, perm)
    rest = np.shape(moved)[:len(kept)]
    flat = np.reshape(moved, rest + (-1,))
    n = np.shape(flat)[-1]
    rows = np.where(np.eye(n, dtype=bool), 1.0, np.reshape(flat, rest + (1, n)))
    others = np.reshape(np.prod(rows, axis=-1), np.shape(moved))
    return np.transpose(others, tuple(np.argsort(perm)))


PROD = reduction(
    "prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims),
    _prod_others, "d/dxᵢ Π x = the product of the other entries",
)


def _lse(x, axis=None, keepdims=False):
    with np.errstate(over="ignore", invalid="ignore"):
        return _lse_shifted(x, axis, keepdims)


def _lse_shifted(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # shift by the max: the largest exp is e^0
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _lse_softmax(x, ans, p):
    """softmax(x) along the axis, as exp(x − m)/Σ exp(x − m) (m = max x, a constant shift)."""
    axis = p.get("axis")
    m = np.max(value_of(x), axis=axis, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
    return e / np.sum(e, axis=axis, keepdims=True)


REDUCE_LOGSUMEXP = reduction(
    "reduce_logsumexp", _lse, _lse_softmax, "∂/∂xᵢ log Σ e^x = softmax(x)ᵢ = e^(xᵢ − lse)",
)

# -- shapes and indexing: linear, so each gives its transpose and the JVP is derived ------

def _transpose_params(p, args, batch):
    n = np.ndim(args[0])
    axes = p.get("axes")
    return {"axes": (0,) + (tuple(range(n, 0, -1)) if axes is None
                            else tuple(a % n + 1 for a in axes))}


def _index_params(p, args, batch):
    index = p["index"] if isinstance(p["index"], tuple) else (p["index"],)
    return {"index": (slice(None),) + index}


def _batched_broadcast(t, ans, args, p, batch, prim):
    aligned = align(t[0], np.shape(args[0]), len(p["shape"]))
    return np.broadcast_to(aligned, (batch,) + tuple(p["shape"]))


def _batched_join(stacking: bool):
    def rule(t, ans, args, p, batch, prim):
        parts = [ti if ti is not None else np.zeros((batch,) + np.shape(a))
                 for ti, a in zip(t, args, strict=True)]
        ndim = np.ndim(args[0]) + (1 if stacking else 0)
        return call(prim, *parts, axis=p.get("axis", 0) % ndim + 1)
    return rule


def _batched_where(t, ans, args, p, batch, prim):
    zero = np.zeros((batch,) + np.shape(ans))
    tx = zero if t[0] is None else align(t[0], np.shape(args[0]), np.ndim(ans))
    ty = zero if t[1] is None else align(t[1], np.shape(args[1]), np.ndim(ans))
    return np.where(p["cond"], tx, ty)


RESHAPE = linear(
    "reshape", None, lambda x, shape: np.reshape(x, shape),
    lambda g, ans, args, p, need: [np.reshape(g, _shape(args[0]))],
    _text("reshape", "reshape moves entries; so do derivatives"),
    batch=_batched_self(lambda p, a, b: {"shape": (b,) + tuple(p["shape"])}),
)
TRANSPOSE = linear(
    "transpose", None, lambda x, axes=None: np.transpose(x, axes),
    lambda g, ans, args, p, need: [np.transpose(g, None if p.get("axes") is None
                                                else tuple(np.argsort(p["axes"])))],
    _text("transpose", "transpose the derivative too"), batch=_batched_self(_transpose_params),
)
BROADCAST_TO = linear(
    "broadcast_to", None, lambda x, shape: np.broadcast_to(x, shape),
    lambda g, ans, args, p, need: [unbroadcast(g, _shape(args[0]))],
    _text("broadcast_to", "a broadcast copy: cotangents sum back"), batch=_batched_broadcast,
)


def _scatter(g, index, shape):
    # zeros_like dispatches on g: another library's cotangent scatters in its own namespace
    out = np.zeros_like(g, dtype=float_dtype(g), shape=shape)
    if is_foreign(out) and not hasattr(out, "add_at") and _basic(index):
        out[index] = g  # Dask has no add.at; a basic index never repeats a position
        return out
    np.add.at(out, index, g)
    return out


def _basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, int | np.integer | slice)
               for p in parts)


SCATTER_ADD = linear(
    "scatter_add", None, _scatter, lambda g, ans, args, p, need: [g[p["index"]]],
    _text("scatter_add", "adding into a zero array at an index (the adjoint of indexing)"),
)
GETITEM = linear(
    "getitem", None, lambda x, index: x[index],
    lambda g, ans, args, p, need: [SCATTER_ADD(g, index=p["index"], shape=_shape(args[0]))],
    _text("getitem", "indexing picks derivatives out the same way"),
    batch=_batched_self(_index_params),
)


def _sizes_along(args, axis):
    return [np.shape(a)[axis] for a in args]


def _split(g, sizes, axis):
    out, start = [], 0
    for n in sizes:
        index = [slice(None)] * np.ndim(g)
        index[axis] = slice(start, start + n)
        out.append(g[tuple(index)])
        start += n
    return out


CONCATENATE = linear(
    "concatenate", None, lambda *xs, axis=0: np.concatenate(xs, axis=axis),
    lambda g, ans, args, p, need: _split(g, _sizes_along(args, p.get("axis", 0)),
                                         p.get("axis", 0)),
    _text("concatenate", "pieces of the derivative go back to the pieces"),
    jointly=True, batch=_batched_join(stacking=False),
)
STACK = linear(
    "stack", None, lambda *xs, axis=0: np.stack(xs, axis=axis),
    lambda g, ans, args, p, need: [np.take(g, i, axis=p.get("axis", 0)) for i in range(len(args))],
    _text("stack", "each stacked slice's derivative comes back from its slice"),
    jointly=True, batch=_batched_join(stacking=True),
)
WHERE = linear(
    "where", None, lambda x, y, cond: np.where(cond, x, y),
    lambda g, ans, args, p, need: [unbroadcast(np.where(p["cond"], g, 0.0), _shape(args[0])),
                                   unbroadcast(np.where(p["cond"], 0.0, g), _shape(args[1]))],
    _text("where", "the derivative of the branch taken"), jointly=True, batch=_batched_where,
)



def _reversed(x, axis):
    index = [slice(None)] * np.ndim(x)
    index[axis] = slice(None, None, -1)
    return x[tuple(index)]


def _cumsum_transpose(g, ans, args, p, need):
    # Each xᵢ feeds every running total from i on: the cotangent is the running total of g
    # taken from the end (a reversed cumsum). axis None works on the flattened array.
    axis = p.get("axis")
    back = _reversed(call(CUMSUM, _reversed(g, axis or 0), axis=axis or 0), axis or 0)
    return [back if axis is not None else np.reshape(back, _shape(args[0]))]


CUMSUM = linear(
    "cumsum", 1, lambda x, axis=None: np.cumsum(x, axis=axis), _cumsum_transpose,
    _text("cumsum", "d/dxⱼ Σ_{i≤k} xᵢ = 1 for j ≤ k: cotangents sum from the end"),
    batch=lambda t, ans, args, p, batch, prim: (
        call(prim, np.reshape(t[0], (batch, -1)), axis=1) if p.get("axis") is None
        else call(prim, t[0], axis=p["axis"] % np.ndim(args[0]) + 1)),
)

PRIMITIVES = (SUM, MAX, MIN, PROD, REDUCE_LOGSUMEXP, RESHAPE, TRANSPOSE, BROADCAST_TO,
              SCATTER_ADD, GETITEM, CONCATENATE, STACK, WHERE, CUMSUM)
