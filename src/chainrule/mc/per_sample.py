"""Per-sample derivatives ∂g(zᵢ; θ)/∂θ for n samples at once, from chainrule's own AD.

Monte Carlo gradient estimators need the derivative of one function of the parameters *for
every sample* — the score ∇θ ln p(zᵢ; θ), or the pathwise ∇θ f(g(εᵢ; θ)). Reverse mode gives
only their sum; forward mode gives all n of them in one pass per parameter entry: a unit
tangent on θⱼ turns the n outputs into their n derivatives. With few parameters and many
samples that is the right mode (two passes for a Normal, whatever n is).

:func:`forward_derivatives` does exactly that with :func:`chainrule.jvp`.
:class:`SymbolicDerivatives` is the faster path for functions of scalar parameters and
scalar samples (the univariate log-densities): it traces the function once with symbols,
differentiates it with chainrule's symbolic mode — the same rule table — and compiles each
partial to straight-line NumPy (:func:`chainrule.compile`), then checks the compiled value
against the function on a few samples every call. Anything that cannot be traced (value-
dependent branches, array parameters) falls back to forward mode, so the fast path can make
an answer faster, never different.

>>> import numpy as np
>>> z = np.array([0.0, 1.0, 2.0])
>>> d = forward_derivatives(lambda loc, scale: -0.5 * ((z - loc) / scale) ** 2,
...                         {"loc": 1.0, "scale": 2.0}, ["loc"])
>>> d["loc"]
array([-0.25,  0.  ,  0.25])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from chainrule.autodiff.api import jvp
from chainrule.autodiff.tracing import Box, value_of

Derivatives = dict[str, np.ndarray]


def forward_derivatives(fn: Callable[..., Any], params: dict[str, Any], wrt: Sequence[str],
                        n: int | None = None) -> Derivatives:
    """``{name: ∂fn/∂name}`` per sample, shape ``(n, *param_shape)``, by forward mode.

    ``fn(**params)`` returns one value per sample (shape ``(n,)``); one JVP per entry of
    each parameter in ``wrt``.
    """
    out: Derivatives = {}
    for name in wrt:
        value = params[name]
        shape = np.shape(value_of(value))
        columns = [_column(fn, params, name, value, _unit(shape, idx), n)
                   for idx in np.ndindex(shape)]
        if shape == ():
            out[name] = columns[0]
        else:
            out[name] = np.stack(columns, axis=-1).reshape(columns[0].shape + shape)
    return out


def _unit(shape: tuple, idx: tuple) -> Any:
    if shape == ():
        return 1.0
    e = np.zeros(shape)
    e[idx] = 1.0
    return e


def _column(fn: Callable[..., Any], params: dict[str, Any], name: str, value: Any,
            tangent: Any, n: int | None) -> np.ndarray:
    def along(v: Any) -> Any:
        return fn(**{**params, name: v})

    primal = value if isinstance(value, Box) else _as_float(value)
    out, tan = jvp(along, (primal,), (tangent,))
    shape = np.shape(value_of(out)) if n is None else (n,)
    return np.array(np.broadcast_to(value_of(tan), shape), dtype=float)


def _as_float(v: Any) -> Any:
    return np.asarray(v, dtype=float) if isinstance(v, np.ndarray | list | tuple) else float(v)


_FAILED = object()


class SymbolicDerivatives:
    """Compiled symbolic partials of ``fn(z, **params)`` for scalar parameters, cached by key.

    ``__call__`` returns ``{name: per-sample derivative}`` or None when this function cannot
    take the symbolic path (the caller then uses :func:`forward_derivatives`).
    """

    def __init__(self) -> None:
        self._cache: dict[Any, Any] = {}

    def __call__(self, key: Any, fn: Callable[..., Any], z: np.ndarray,
                 params: dict[str, Any], wrt: Sequence[str]) -> Derivatives | None:
        if not all(isinstance(v, float | int) for v in params.values()):
            return None
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _trace(fn, tuple(params))
        if entry is _FAILED:
            return None
        value, partials = entry
        args = [params[p] for p in params]
        try:
            if not _agrees(value, fn, z, params, args):
                return None
            with np.errstate(all="ignore"):
                return {name: _per_sample(partials[name](z, *args), np.shape(z))
                        for name in wrt}
        except Exception:  # noqa: BLE001 - e.g. a non-finite value: forward mode decides
            return None


def _trace(fn: Callable[..., Any], names: tuple[str, ...]) -> Any:
    from chainrule.core.build import symbol
    from chainrule.core.expr import Expr
    from chainrule.symbolic.api import diff
    from chainrule.symbolic.compile import compile_expr
    arg_names = ["z", *names]
    try:
        expr = fn(symbol("z"), **{p: symbol(p) for p in names})
        if not isinstance(expr, Expr):
            return _FAILED
        value = compile_expr(expr, arg_names)
        partials = {p: compile_expr(diff(expr, p), arg_names) for p in names}
        return value, partials
    except Exception:  # noqa: BLE001 - not traceable symbolically: forward mode will do
        return _FAILED


def _agrees(value: Callable, fn: Callable, z: np.ndarray, params: dict, args: list) -> bool:
    """The compiled function equals ``fn`` on the first few samples (guards stale traces)."""
    head = np.asarray(z)[:4]
    with np.errstate(all="ignore"):
        want = np.asarray(fn(head, **params), dtype=float)
        got = np.asarray(value(head, *args), dtype=float)
    return bool(np.allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True))


def _per_sample(values: Any, shape: tuple) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr if arr.shape == shape else np.array(np.broadcast_to(arr, shape))
