"""Automatic differentiation of plain NumPy code: grad, jvp, vjp, Jacobians, Hessians.

Functions are written with ordinary ``numpy``; arguments may be floats, arrays, or tuples /
lists / dicts of arrays. Every derivative comes from the one rule table.

>>> import numpy as np
>>> import chainrule
>>> chainrule.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0, 3.0]))
array([2., 4., 6.])
>>> chainrule.hessian(lambda v: v[0] ** 2 + 3 * v[1] ** 2)(np.array([1.0, 2.0]))
array([[2., 0.],
       [0., 6.]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from chainrule.autodiff import elementwise, finite, forward, reverse
from chainrule.autodiff.arguments import (
    argnums_of,
    as_float,
    check_scalar_output,
    floats,
    match_primal,
    plain,
    split_aux,
    zeros_like,
)
from chainrule.autodiff.complex_numbers import (
    check_grad_output,
    check_holomorphic_inputs,
    is_complex,
)
from chainrule.autodiff.pytree import flatten
from chainrule.autodiff.tracing import is_at, new_level, unbox
from chainrule.core.namespaces import Foreign, adopt, adopt_all, check_floating, release, settle
from chainrule.core.trace import peek
from chainrule.errors import ChainruleError
from chainrule.symbolic.cache import SymbolicGradient

# -- reverse mode ------------------------------------------------------------------------

def vjp(f: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(g)`` returns one cotangent per primal.

    ``f`` may return a tuple / list / dict of arrays; ``g`` then has the same structure.
    With ``has_aux=True``, ``f`` returns ``(out, aux)`` and the result is
    ``(out, vjp_fn, aux)``: ``aux`` is passed through as plain values, not differentiated.

    >>> out, back = vjp(lambda w, x: (w * x) ** 2, 3.0, 2.0)
    >>> out, back(1.0)
    (36.0, (24.0, 36.0))
    >>> out, back = vjp(lambda x: (x, 3 * x), 2.0)
    >>> out, back((1.0, 1.0))
    ((2.0, 6.0), (4.0,))
    """
    level = new_level()
    leaves, rebuild = flatten(list(primals))
    leaves = floats(leaves)
    boxes = [reverse.lean_leaf(v, level) for v in leaves]
    out = f(*rebuild(boxes))
    if has_aux:
        out, aux = split_aux(out)
    out_leaves, out_rebuild = flatten(out)
    out_leaves = [settle(o) for o in out_leaves]  # da.sum(x) and the like: see settle
    traced = [is_at(o, level) for o in out_leaves]

    def vjp_fn(g: Any) -> tuple:
        g_leaves, _ = flatten(g)
        if len(g_leaves) != len(out_leaves):
            raise ChainruleError("vjp_fn needs one cotangent for every output of f, in the "
                                 f"same structure ({len(out_leaves)} outputs, got "
                                 f"{len(g_leaves)})")
        roots = [o.node for o, t in zip(out_leaves, traced, strict=True) if t]
        seeds = [adopt(c) for c, t in zip(g_leaves, traced, strict=True) if t]
        if not roots:
            return tuple(rebuild([release(zeros_like(v), v) for v in leaves]))
        cts = reverse.backward(roots, seeds, [b.node for b in boxes])
        finite.check("reverse mode", leaves, [peek(o) for o in out_leaves], cts, roots)
        return tuple(rebuild([release(zeros_like(v) if c is None else match_primal(c, v), v)
                              for c, v in zip(cts, leaves, strict=True)]))

    value = out_rebuild([release(plain(o.value)) if t else o
                         for o, t in zip(out_leaves, traced, strict=True)])
    if has_aux:
        aux_leaves, aux_rebuild = flatten(aux)
        return value, vjp_fn, aux_rebuild([plain(unbox(a, level)) if is_at(a, level) else a
                                           for a in aux_leaves])
    return value, vjp_fn


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False) -> Callable:
    """``f`` and its gradient together: ``value_and_grad(f)(x) -> (f(x), ∇f(x))``.

    For plain-number arguments the derivative is traced symbolically once and compiled
    (see :mod:`chainrule.symbolic.cache`); otherwise the reverse pass is recorded. With
    ``has_aux=True``, ``f`` returns ``(value, aux)`` and the result is ``((value, aux), ∇f)``,
    as in JAX. For complex arguments the convention is JAX's: a real-valued ``f`` of ``z``
    has gradient ∂f/∂x − i·∂f/∂y; a complex-valued ``f`` needs ``holomorphic=True`` and its
    gradient is then f′(z).

    >>> value_and_grad(lambda x: (x * x, {"x": x}), has_aux=True)(3.0)
    ((9.0, {'x': 3.0}), 6.0)
    """
    nums, single = argnums_of(argnums)
    fast = SymbolicGradient(f, nums)

    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        hit = None if has_aux or holomorphic else fast(args, kwargs)
        if hit is not None:
            value, partials = hit
            finite.check("grad", [args[i] for i in nums], value, list(partials))
            return value, partials[0] if single else tuple(partials)
        def partial_f(*chosen: Any) -> Any:
            full = list(args)
            for i, v in zip(nums, chosen, strict=True):
                full[i] = v
            return f(*full, **kwargs)

        check_holomorphic_inputs(flatten([args[i] for i in nums])[0], holomorphic, "grad")
        out, back, *aux = vjp(partial_f, *(args[i] for i in nums), has_aux=has_aux)
        check_scalar_output(out)
        check_grad_output(out, holomorphic)
        grads = back(np.ones_like(peek(out))
                     if isinstance(peek(out), np.ndarray | np.generic) else 1.0)
        return (out, aux[0]) if has_aux else out, grads[0] if single else grads

    return wrapped


def grad(f: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable:
    """The gradient function of a scalar-valued ``f`` (reverse mode).

    With ``has_aux=True``, ``f`` returns ``(value, aux)`` and the result is ``(∇f, aux)``.
    Complex arguments follow JAX (see :func:`value_and_grad`): ``grad`` of |z|² at 3 + 4i is
    6 − 8i, and ``grad(f, holomorphic=True)`` of a holomorphic ``f`` is f′(z).

    >>> grad(lambda w, x: (w * x) ** 2)(3.0, 2.0)
    24.0
    >>> grad(lambda x: (x ** 3, "note"), has_aux=True)(2.0)
    (12.0, 'note')
    >>> grad(lambda z: np.abs(z) ** 2)(3.0 + 4.0j), grad(lambda z: z ** 2, holomorphic=True)(1j)
    ((6-8j), 2j)
    """
    vg = value_and_grad(f, argnums, has_aux, holomorphic)
    if has_aux:
        def with_aux(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return with_aux
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]


def elementwise_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """For elementwise ``f``: the derivative at every entry (the VJP with ones).

    >>> elementwise_grad(lambda x, y: x * y, argnums=(0, 1))(np.array([1.0, 2.0]), 3.0)
    (array([3., 3.]), 3.0)
    """
    nums, single = argnums_of(argnums)

    def wrapped(*args: Any) -> Any:
        def partial_f(*chosen: Any) -> Any:
            full = list(args)
            for i, v in zip(nums, chosen, strict=True):
                full[i] = v
            return f(*full)
        x = args[nums[0]]
        if single and np.ndim(x) > 0:
            # elementwise f: one forward pass with the seed's ones never multiplied in (and,
            # for a GPU array, no array of ones made on the host)
            [xa] = check_floating(adopt_all([as_float(x)]))
            if isinstance(peek(xa), np.ndarray | Foreign) and not is_complex(xa):
                found = elementwise.elementwise_derivative(partial_f, xa, new_level())
                if found is not None:
                    finite.check("elementwise_grad", [xa], lambda: partial_f(xa), [found])
                    return release(found, x)
        out, back = vjp(partial_f, *(args[i] for i in nums))
        grads = back(np.ones(np.shape(peek(out))))
        return grads[0] if single else grads
    return wrapped


# -- forward mode ------------------------------------------------------------------------

def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(f(*primals), J·tangents)`` by forward mode.

    >>> jvp(lambda x, y: x * y, (3.0, 2.0), (1.0, 0.0))
    (6.0, 2.0)
    """
    level = new_level()
    leaves, rebuild = flatten(list(primals))
    t_leaves, _ = flatten(list(tangents))
    if len(t_leaves) != len(leaves):
        raise ChainruleError("jvp needs one tangent for every primal, in the same structure")
    leaves = floats(leaves)
    t_leaves = [adopt(t) for t in t_leaves]
    boxes = [forward.JVPBox(v, level, t) for v, t in zip(leaves, t_leaves, strict=True)]
    out = f(*rebuild(boxes))
    out_leaves, out_rebuild = flatten(out)
    out_leaves = [settle(o) for o in out_leaves]
    values = [release(plain(o.value)) if is_at(o, level) else o for o in out_leaves]
    tans = [release(plain(o.tangent)) if is_at(o, level) else release(zeros_like(o), o)
            for o in out_leaves]
    finite.check("forward mode", leaves, values, tans)
    return out_rebuild(values), out_rebuild(tans)


def directional_derivative(f: Callable, x: Any, u: Any) -> Any:
    """∇f(x)·u, the rate of change of ``f`` at ``x`` along ``u`` (forward mode).

    >>> directional_derivative(lambda v: v[0]**2 + v[1]**2, np.array([3., 4.]), np.array([.6, .8]))
    10.0
    """
    return jvp(f, (x,), (u,))[1]


def hvp(f: Callable, x: Any, v: Any) -> Any:
    """The Hessian of ``f`` at ``x`` times ``v`` (forward-over-reverse)."""
    return jvp(grad(f), (x,), (v,))[1]


# -- matrices ----------------------------------------------------------------------------

def jacobian(f: Callable, argnums: int | Sequence[int] = 0,
             mode: Literal["rev", "fwd"] = "rev", has_aux: bool = False,
             holomorphic: bool = False) -> Callable:
    """The Jacobian function, shape ``out.shape + x.shape`` (reverse or forward mode).

    As in JAX, a tuple / list / dict output gives that structure of Jacobians, an argument
    that is a tuple / list / dict gives that structure inside, and a tuple ``argnums`` gives
    a tuple over the arguments. With ``has_aux=True``, ``f`` returns ``(out, aux)`` and the
    result is ``(jacobian, aux)``. As in JAX, complex outputs (reverse mode) and complex
    inputs (forward mode) need ``holomorphic=True``; the entries are then f′.

    >>> jacobian(lambda x: (x, 2 * x))(1.0)
    (array(1.), array(2.))
    >>> jacobian(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
    (array(3.), array(2.))
    """
    if mode not in ("rev", "fwd"):
        raise ChainruleError(f"jacobian mode must be 'rev' or 'fwd', got {mode!r}")
    nums, single = argnums_of(argnums)

    def wrapped(*args: Any) -> Any:
        leaves, rebuild = flatten([args[i] for i in nums])
        leaves = floats(leaves)
        check_holomorphic_inputs(leaves, holomorphic, "jacobian", forward=mode == "fwd")

        def flat_f(*xs: Any) -> Any:
            full = list(args)
            for i, v in zip(nums, rebuild(list(xs)), strict=True):
                full[i] = v
            return f(*full)

        blocks, out_rebuild, aux = (_forward_blocks if mode == "fwd" else _reverse_blocks)(
            flat_f, leaves, has_aux, holomorphic)
        if mode == "fwd":  # (reverse mode's VJPs checked themselves)
            finite.check("jacobian", leaves, lambda: flatten(flat_f(*leaves))[0],
                         [b for row in blocks for b in row])
        per_arg = [rebuild([release(b, x) for b, x in zip(row, leaves, strict=True)])
                   for row in blocks]  # a list over the chosen arguments
        jac = out_rebuild([row[0] if single else tuple(row) for row in per_arg])
        return (jac, aux) if has_aux else jac

    return wrapped


def _reverse_blocks(f: Callable, xs: list, has_aux: bool,
                    holomorphic: bool) -> tuple[list[list], Callable, Any]:
    """``blocks[o][k]`` = ∂ out_leaf[o] / ∂ xs[k], one VJP per output entry."""
    out, back, *aux = vjp(f, *xs, has_aux=has_aux)
    out_leaves, out_rebuild = flatten(out)
    for leaf in out_leaves:
        if is_complex(leaf) or holomorphic:
            check_grad_output(leaf, holomorphic, "jacobian")
    out_leaves = [adopt(o) for o in out_leaves]
    x_shapes = [np.shape(peek(x)) for x in xs]
    blocks = []
    for o, leaf in enumerate(out_leaves):
        shape = np.shape(peek(leaf))
        rows = []
        for e in np.eye(_n(shape), dtype=_float_type(leaf)):
            seeds: list[Any] = [None] * len(out_leaves)
            seeds[o] = e.reshape(shape)
            rows.append(back(out_rebuild(seeds)))
        blocks.append([_assemble([adopt(r[k]) for r in rows], x_shapes[k], shape, columns=False)
                       for k in range(len(xs))])
    return blocks, out_rebuild, aux[0] if has_aux else None


def _forward_blocks(f: Callable, xs: list, has_aux: bool,
                    holomorphic: bool) -> tuple[list[list], Callable, Any]:
    """The same blocks by forward mode: for each input, all its columns in one batched pass
    (tangents are the rows of the identity)."""
    columns = []
    out_rebuild: Callable = list
    aux = None
    for k, x in enumerate(xs):
        x_shape = np.shape(peek(x))
        n = _n(x_shape)
        level = new_level()
        basis = np.reshape(np.eye(n, dtype=_float_type(x)), (n,) + x_shape)
        inputs = list(xs)
        inputs[k] = forward.JVPBox(x, level, basis, batch=n)
        out = f(*inputs)
        if has_aux:
            out, aux = split_aux(out)
            aux_leaves, aux_rebuild = flatten(aux)
            aux = aux_rebuild([plain(unbox(a, level)) if is_at(a, level) else a
                               for a in aux_leaves])
        out_leaves, out_rebuild = flatten(out)
        columns.append([_forward_block(o, level, n, x_shape) for o in out_leaves])
    return [list(row) for row in zip(*columns, strict=True)], out_rebuild, aux


def _forward_block(out: Any, level: int, n: int, x_shape: tuple) -> Any:
    out_shape = np.shape(peek(out))
    if not is_at(out, level):
        return np.zeros(out_shape + x_shape)
    tangent = np.reshape(out.tangent, (n, _n(out_shape)))  # (in, out)
    return np.reshape(np.moveaxis(tangent, 0, -1), out_shape + x_shape)


def _float_type(x: Any) -> Any:
    """float32 for float32 values (seeds keep their precision), else float64."""
    return np.float32 if np.result_type(peek(x)) == np.float32 else np.float64


def _n(shape: tuple) -> int:
    return int(np.prod(shape)) if shape else 1


def _assemble(parts: list, x_shape: tuple, out_shape: tuple, columns: bool) -> Any:
    stacked = np.stack([np.reshape(p, out_shape if columns else x_shape) for p in parts])
    if columns:  # (n_in, *out) -> (*out, *in)
        moved = np.moveaxis(np.reshape(stacked, (_n(x_shape), _n(out_shape))), 0, -1)
    else:
        moved = np.reshape(stacked, (_n(out_shape), _n(x_shape)))
    return np.reshape(moved, out_shape + x_shape)


def hessian(f: Callable, argnums: int | Sequence[int] = 0, holomorphic: bool = False) -> Callable:
    """The Hessian function of a scalar ``f``: forward mode over reverse mode."""
    return jacobian(grad(f, argnums, holomorphic=holomorphic), argnums, mode="fwd",
                    holomorphic=holomorphic)
