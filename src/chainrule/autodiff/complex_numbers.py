"""Complex numbers in automatic differentiation: which rules hold for them, and the gate.

chainrule follows JAX's convention (see :mod:`chainrule.rules.complex_parts`): the JVP of any
function is unambiguous; a VJP pairs the cotangent ``g`` with the tangent ``t`` as Re(g·t),
so ``grad`` of a real-valued ``f(z)`` is ∂f/∂x − i·∂f/∂y and, for a holomorphic ``f`` with
``holomorphic=True``, ``grad`` is f′(z).

A rule written as a partial derivative is right for complex input only when the function is
holomorphic and the rule's formula is complex-analytic too; :data:`COMPLEX_RULES` names the
records for which that holds (each is checked against finite differences along the real and
the imaginary axis by the tests). Every other record, and every NumPy function not listed
in :data:`COMPLEX_FUNCTIONS`, refuses complex input with
:class:`~chainrule.errors.NotDifferentiable` rather than cast it to real or differentiate it
with a real-only formula.

>>> import numpy as np
>>> from chainrule.autodiff import grad
>>> grad(lambda z: np.sin(z), holomorphic=True)(1.0 + 1.0j) == complex(np.cos(1.0 + 1.0j))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.numpy_dispatch import CONSTANT_UFUNCS, UFUNC_FORMS, bound_primitive
from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.core.trace import peek
from chainrule.errors import NotDifferentiable

COMPLEX_RULES = frozenset({
    # holomorphic elementwise records whose partials are complex-analytic
    "add", "sub", "mul", "div", "neg", "pow", "exp", "ln", "log", "sqrt", "log1p", "expm1",
    "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    # linear array records (no conjugation anywhere: transposes, not adjoints)
    "sum", "reshape", "transpose", "broadcast_to", "scatter_add", "getitem", "concatenate",
    "stack", "where", "cumsum", "matmul",
    # holomorphic matrix functions, differentiated through their JVPs
    "solve", "inv", "det", "prod",
    # the non-holomorphic parts, with R-linear rules of their own
    "real", "imag", "conj", "complex_abs", "angle",
    # the Fourier transforms: linear, with transposes written for complex cotangents (rfft
    # takes real input only: it refuses complex input itself)
    "fft", "ifft", "fftn", "ifftn", "irfft",
})
"""The records whose derivative rules hold for complex arguments."""


def angle(z: Any, deg: bool = False) -> Any:
    """``np.angle`` on traced values (the ``angle`` record, in degrees on request)."""
    out = call(get("angle"), z)
    return out * (180.0 / np.pi) if deg else out


COMPLEX_FUNCTIONS = frozenset({
    np.sum, np.mean, np.prod, np.cumsum, np.dot, np.outer, np.inner, np.tensordot, np.einsum,
    np.matmul, np.trace, np.diff, np.kron, np.cross, np.average, np.append,
    np.reshape, np.transpose, np.swapaxes, np.moveaxis, np.expand_dims, np.squeeze, np.ravel,
    np.broadcast_to, np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack,
    np.where, np.take, np.take_along_axis, np.atleast_1d, np.atleast_2d, np.atleast_3d,
    np.diag, np.diagonal, np.flip, np.fliplr, np.flipud, np.repeat, np.roll, np.tile,
    np.tril, np.triu, np.split, np.array_split, np.copy, np.asarray, np.asanyarray,
    np.real, np.imag, np.conjugate, np.angle, np.linalg.solve, np.linalg.inv, np.linalg.det,
    np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.allclose, np.isclose, np.array_equal, np.result_type, np.all, np.any,
    np.count_nonzero, np.nonzero,
    np.fft.fft, np.fft.ifft, np.fft.fftn, np.fft.ifftn, np.fft.fft2, np.fft.ifft2,
    np.fft.irfft, np.fft.irfftn, np.fft.irfft2, np.fft.fftshift, np.fft.ifftshift,
})
"""NumPy array functions whose traced form is right for complex input (compositions of the
rules above that compute what NumPy computes: ``np.var`` of complex input takes |·|², which the
real composition would not, so it is not listed)."""

_COMPLEX_UFUNCS = frozenset({np.square, np.reciprocal, np.positive, np.exp2, np.log2, np.log10,
                             np.equal, np.not_equal, np.isfinite, np.isnan, np.isinf})
"""ufuncs written with other primitives (or computed on values) that are right for complex."""

GATED_UFUNCS = frozenset({np.absolute, *UFUNC_FORMS}) - _COMPLEX_UFUNCS
"""The ufuncs whose complex input :func:`complex_ufunc` must see: |z| has a rule of its own,
and a ufunc written with other primitives may use only complex-safe ones yet compute a
real-only formula. Any other ufunc is one record, whose own check refuses complex input
(:func:`check_rule`), so the common ufuncs pay nothing for the gate."""


def is_complex(x: Any) -> bool:
    """True when ``x`` (a value, a traced value of any level) holds complex numbers."""
    x = peek(x)  # the dtype only: not a value read (see chainrule.jit)
    if type(x) is float:  # the common constant, answered first (this is on every call)
        return False
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        kind = getattr(dtype, "kind", None)  # NumPy's; torch and array-API dtypes have none
        return kind == "c" if kind is not None else "complex" in str(dtype)
    return isinstance(x, complex)


def any_complex(args: Any) -> bool:
    """True when an argument, or an entry of a list / tuple argument, is complex."""
    for a in args:
        if isinstance(a, list | tuple):
            if any(is_complex(b) for b in a):
                return True
        elif is_complex(a):
            return True
    return False


def check_rule(prim: Any, values: tuple) -> None:
    """Refuse a record without a complex rule applied to complex values."""
    if prim.name not in COMPLEX_RULES and any_complex(values):
        raise NotDifferentiable.for_function(
            f"{prim.name} of complex input", "its rule is for real numbers only, and it is "
            "refused rather than cast to real; apply it to np.real(z), np.imag(z) or "
            "np.abs(z) explicitly")


def complex_ufunc(ufunc: Any, inputs: tuple) -> Any:
    """``ufunc(*inputs)`` with a complex input: the complex rule, or a clear refusal.

    Returns None when the ordinary dispatch is right for it.
    """
    if ufunc is np.absolute:
        return call(get("complex_abs"), *inputs)
    if ufunc in _COMPLEX_UFUNCS or ufunc in CONSTANT_UFUNCS:
        return None
    prim = bound_primitive(ufunc)
    if prim is not None and prim.name in COMPLEX_RULES:
        return None
    raise NotDifferentiable.for_function(
        f"numpy.{ufunc.__name__} of complex input", "it is refused rather than cast to real; "
        "apply it to np.real(z), np.imag(z) or np.abs(z) explicitly")


def check_function(func: Any) -> None:
    """Refuse a NumPy function whose traced form is not right for complex input."""
    if func not in COMPLEX_FUNCTIONS:
        module = getattr(func, "__module__", None) or "numpy"
        module = "numpy.linalg" if "linalg" in module else "numpy.fft" if "fft" in module \
            else "numpy"
        name = f"{module}.{getattr(func, '__name__', func)}"
        raise NotDifferentiable.for_function(
            f"{name} of complex input", "it is refused rather than cast to real or computed "
            "with a formula for real numbers only")


def check_grad_output(out: Any, holomorphic: bool, what: str = "grad") -> None:
    """JAX's rule: a complex output needs ``holomorphic=True`` (the promise that one complex
    number, f′(z), is the whole derivative); with it, the output must be complex."""
    if is_complex(out) and not holomorphic:
        raise NotDifferentiable(
            f"{what} of a complex-valued function: pass holomorphic=True if it is "
            "holomorphic (the result is then f'(z)); otherwise differentiate a real-valued "
            "function of it (np.real, np.abs) or use jvp / vjp, which take any function")
    if holomorphic and not is_complex(out):
        raise NotDifferentiable(f"{what} with holomorphic=True needs a complex-valued "
                                "function; this one returns real values")


def check_holomorphic_inputs(leaves: list, holomorphic: bool, what: str,
                             forward: bool = False) -> None:
    """``holomorphic=True`` needs complex inputs (as JAX); forward-mode Jacobians of complex
    inputs need it too (a real basis of tangents spans only the real directions)."""
    if holomorphic and not all(is_complex(v) for v in leaves):
        raise NotDifferentiable(f"{what} with holomorphic=True needs complex inputs; pass "
                                "z as complex (for example x + 0j)")
    if forward and not holomorphic and any(is_complex(v) for v in leaves):
        raise NotDifferentiable(f"{what} in forward mode of a complex input needs "
                                "holomorphic=True (or use jvp with complex tangents)")


def accepts_complex(func: Any) -> bool:
    """True when NumPy's ``func`` differentiates complex input (rather than refusing it)."""
    if isinstance(func, np.ufunc):
        if func is np.absolute or func in _COMPLEX_UFUNCS or func in CONSTANT_UFUNCS:
            return True
        prim = bound_primitive(func)
        return prim is not None and prim.name in COMPLEX_RULES and func not in GATED_UFUNCS
    return func in COMPLEX_FUNCTIONS


def check_real_cast(x: Any, dtype: Any, where: str) -> None:
    """Refuse turning complex traced values into a real dtype (NumPy would drop the imaginary
    part with only a warning; a traced value keeps its dtype, so the result would differ)."""
    if dtype is not None and is_complex(x) and np.dtype(dtype).kind != "c":
        raise NotDifferentiable.for_function(
            f"{where} to {np.dtype(dtype).name} of complex input", "it would drop the "
            "imaginary part; write np.real(z) (or np.abs(z)) to say which real number you mean")
