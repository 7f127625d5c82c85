"""Array primitives that are not elementwise: reductions, shapes, indexing, matmul.

Their derivatives are linear maps (``vjp`` for reverse mode, ``jvp`` for forward mode),
written with NumPy functions, which on traced values dispatch back to these same records —
so they differentiate again for higher orders. ``mean``, ``var``, norms, softmax and the
losses are compositions of these (see :mod:`chainrule.autodiff.array_functions`), not records.
"""

from __future__ import annotations

import numpy as np

from chainrule.core.primitive import Primitive, RuleText


def _shape(x):
    return np.shape(x)


def take_index(ndim: int, i, axis: int | None):
    """The index tuple that ``np.take(x, i, axis)`` reads."""
    index = [slice(None)] * ndim
    index[axis or 0] = i
    return tuple(index)


def _struct(name: str, impl, vjp, jvp, rewrite: str) -> Primitive:
    return Primitive(name, None, impl, rule=None, text=RuleText(f"{name} rule", rewrite, "arrays"),
                     vjp=vjp, jvp=jvp, symbolic=False)


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def restore_reduced(g, x_shape, axis, keepdims):
    """Broadcast a reduction's cotangent back to the input shape."""
    if not keepdims and len(x_shape) > 0:
        g = np.reshape(g, tuple(1 if i in _normalize_axis(axis, len(x_shape)) else n
                                for i, n in enumerate(x_shape)))
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

SUM = _struct(
    "sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
    lambda g, ans, args, p, need: [restore_reduced(g, _shape(args[0]), p.get("axis"),
                                             p.get("keepdims", False))],
    lambda t, ans, args, p: np.sum(t[0], axis=p.get("axis"), keepdims=p.get("keepdims", False)),
    "d/dx Σ xᵢ = 1 for every xᵢ",
)


def _extreme_mask(x, ans, p):
    full = restore_reduced(ans, _shape(x), p.get("axis"), p.get("keepdims", False))
    hit = np.equal(x, full).astype(float)  # ties share the derivative evenly
    count = np.sum(hit, axis=p.get("axis"), keepdims=True)
    return hit / count


MAX = _struct(
    "max", lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
    lambda g, ans, args, p, need: [restore_reduced(g, _shape(args[0]), p.get("axis"),
                                             p.get("keepdims", False))
                             * _extreme_mask(args[0], ans, p)],
    lambda t, ans, args, p: np.sum(t[0] * _extreme_mask(args[0], ans, p), axis=p.get("axis"),
                                   keepdims=p.get("keepdims", False)),
    "d/dxᵢ max x = 1 at the maximum (shared among ties), 0 elsewhere",
)
MIN = _struct(
    "min", lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims),
    MAX.vjp, MAX.jvp, "d/dxᵢ min x = 1 at the minimum (shared among ties), 0 elsewhere",
)
def _prod_others(x, p):
    """∂(Π x)/∂xᵢ = the product of the other entries, exact also where some xᵢ are 0."""
    from chainrule.autodiff.tracing import value_of
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


PROD = _struct(
    "prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims),
    lambda g, ans, args, p, need: [restore_reduced(g, _shape(args[0]), p.get("axis"),
                                                   p.get("keepdims", False))
                                   * _prod_others(args[0], p)],
    lambda t, ans, args, p: np.sum(t[0] * _prod_others(args[0], p), axis=p.get("axis"),
                                   keepdims=p.get("keepdims", False)),
    "d/dxᵢ Π x = the product of the other entries",
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
    from chainrule.autodiff.tracing import value_of
    axis = p.get("axis")
    m = np.max(value_of(x), axis=axis, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
    return e / np.sum(e, axis=axis, keepdims=True)


REDUCE_LOGSUMEXP = _struct(
    "reduce_logsumexp", _lse,
    lambda g, ans, args, p, need: [restore_reduced(g, _shape(args[0]), p.get("axis"),
                                             p.get("keepdims", False))
                             * _lse_softmax(args[0], ans, p)],
    lambda t, ans, args, p: np.sum(t[0] * _lse_softmax(args[0], ans, p), axis=p.get("axis"),
                                   keepdims=p.get("keepdims", False)),
    "∂/∂xᵢ log Σ e^x = softmax(x)ᵢ = e^(xᵢ − lse)",
)

# -- shapes and indexing ------------------------------------------------------------------

RESHAPE = _struct(
    "reshape", lambda x, shape: np.reshape(x, shape),
    lambda g, ans, args, p, need: [np.reshape(g, _shape(args[0]))],
    lambda t, ans, args, p: np.reshape(t[0], p["shape"]),
    "reshape moves entries; so do derivatives",
)
TRANSPOSE = _struct(
    "transpose", lambda x, axes=None: np.transpose(x, axes),
    lambda g, ans, args, p, need: [np.transpose(g, None if p.get("axes") is None
                                          else tuple(np.argsort(p["axes"])))],
    lambda t, ans, args, p: np.transpose(t[0], p.get("axes")), "transpose the derivative too",
)
BROADCAST_TO = _struct(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    lambda g, ans, args, p, need: [unbroadcast(g, _shape(args[0]))],
    lambda t, ans, args, p: np.broadcast_to(t[0], p["shape"]),
    "a broadcast copy: cotangents sum back",
)


def _scatter(g, index, shape):
    out = np.zeros(shape, dtype=np.result_type(g, float))
    np.add.at(out, index, g)
    return out


SCATTER_ADD = _struct(
    "scatter_add", _scatter,
    lambda g, ans, args, p, need: [g[p["index"]]],
    lambda t, ans, args, p: _scatter_call(t[0], p),
    "adding into a zero array at an index (the adjoint of indexing)",
)


def _scatter_call(t, p):
    from chainrule.core.ops import call
    return call(SCATTER_ADD, t, **p)


GETITEM = _struct(
    "getitem", lambda x, index: x[index],
    lambda g, ans, args, p, need: [_scatter_call(g, {"index": p["index"],
                                                     "shape": _shape(args[0])})],
    lambda t, ans, args, p: t[0][p["index"]], "indexing picks derivatives out the same way",
)


def _sizes_along(args, axis):
    return [np.shape(a)[axis] for a in args]


CONCATENATE = _struct(
    "concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis),
    lambda g, ans, args, p, need: _split(g, _sizes_along(args, p.get("axis", 0)),
                                         p.get("axis", 0)),
    lambda t, ans, args, p: np.concatenate(
        [ti if ti is not None else np.zeros(np.shape(a)) for ti, a in zip(t, args, strict=True)],
        axis=p.get("axis", 0)),
    "pieces of the derivative go back to the pieces",
)


def _split(g, sizes, axis):
    out, start = [], 0
    for n in sizes:
        index = [slice(None)] * np.ndim(g)
        index[axis] = slice(start, start + n)
        out.append(g[tuple(index)])
        start += n
    return out


STACK = _struct(
    "stack", lambda *xs, axis=0: np.stack(xs, axis=axis),
    lambda g, ans, args, p, need: [np.take(g, i, axis=p.get("axis", 0)) for i in range(len(args))],
    lambda t, ans, args, p: np.stack(
        [ti if ti is not None else np.zeros(np.shape(a)) for ti, a in zip(t, args, strict=True)],
        axis=p.get("axis", 0)),
    "each stacked slice's derivative comes back from its slice",
)
WHERE = _struct(
    "where", lambda x, y, cond: np.where(cond, x, y),
    lambda g, ans, args, p, need: [unbroadcast(np.where(p["cond"], g, 0.0), _shape(args[0])),
                             unbroadcast(np.where(p["cond"], 0.0, g), _shape(args[1]))],
    lambda t, ans, args, p: np.where(p["cond"], 0.0 if t[0] is None else t[0],
                                     0.0 if t[1] is None else t[1]),
    "the derivative of the branch taken",
)

PRIMITIVES = (SUM, MAX, MIN, PROD, REDUCE_LOGSUMEXP, RESHAPE, TRANSPOSE, BROADCAST_TO,
              SCATTER_ADD, GETITEM, CONCATENATE, STACK, WHERE)
