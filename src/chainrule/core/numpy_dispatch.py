"""NumPy ufuncs → table primitives, through ``__array_ufunc__``.

Traced values (automatic differentiation) and expressions (symbolic tracing) both land here,
so the same ``np.sin(x)`` records a traced call or builds ``sin(x)``; that is why this lives in
``core``, beside the nodes, and not in ``autodiff``. A ufunc with no rule raises an error naming
it; ufuncs that only read values (comparisons, ``np.sign``) are answered from the values and are
not differentiated. NumPy *array functions* (``np.sum``, ``np.linalg.solve``, …) act on traced
values only; :mod:`chainrule.autodiff.array_functions` dispatches them.

>>> import numpy as np
>>> from chainrule.core.build import symbol
>>> str(np.sin(symbol("x")) * 2)
'2*sin(x)'
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import numpy as np

from chainrule.core import kinks, ops
from chainrule.core import primitive as records  # a module: core.primitive imports this one
from chainrule.core.expr import Expr
from chainrule.core.registry import all_primitives, get
from chainrule.core.trace import bind, condition, is_staging, top_box, value_of
from chainrule.errors import DifferentiationError, NotDifferentiable


def bound_primitive(func: Any) -> Any:
    """The primitive whose record lists ``func`` (a ufunc or array function) as its NumPy
    binding, or None.

    >>> bound_primitive(np.arcsin).name
    'asin'
    """
    name = _bindings().get(func)
    return None if name is None else get(name)  # looked up per call: records can be swapped


@functools.cache
def _bindings() -> dict[Any, str]:
    return {f: name for name, prim in all_primitives().items() for f in prim.numpy}


UFUNC_FORMS: dict[Any, Any] = {
    np.square: lambda x: np.power(x, 2),
    np.reciprocal: lambda x: np.power(x, -1),
    np.exp2: lambda x: np.power(2.0, x),
    np.log2: lambda x: _call("log", x, 2.0),
    np.log10: lambda x: _call("log", x, 10.0),
    np.positive: lambda x: x,
    np.deg2rad: lambda x: x * (np.pi / 180), np.radians: lambda x: x * (np.pi / 180),
    np.rad2deg: lambda x: x * (180 / np.pi), np.degrees: lambda x: x * (180 / np.pi),
    np.fmax: np.maximum, np.fmin: np.minimum,
    np.hypot: lambda x, y: np.sqrt(x * x + y * y),
    np.logaddexp2: lambda x, y: np.logaddexp(x * np.log(2), y * np.log(2)) / np.log(2),
    np.arctan2: lambda y, x: arctan2(y, x),
    # x mod y = x − ⌊x/y⌋·y with ⌊x/y⌋ piecewise constant: slope 1 in x, −⌊x/y⌋ in y (JAX's).
    np.remainder: lambda x, y: x - np.floor(x / y) * y,
    np.fmod: lambda x, y: x - np.trunc(x / y) * y,
    np.copysign: lambda x, y: np.abs(x) * np.where(np.signbit(y), -1.0, 1.0),
    # the integer parts are piecewise constant; what is left has slope 1 (or 2^e)
    np.divmod: lambda x, y: (np.floor_divide(x, y), np.remainder(x, y)),
    np.modf: lambda x: (x - np.trunc(x), np.trunc(x)),
    np.frexp: lambda x: _frexp(x),
    np.ldexp: lambda x, e: x * np.exp2(np.asarray(value_of(e), dtype=float)),
    np.nextafter: lambda x, y: x + (np.nextafter(value_of(x), value_of(y)) - value_of(x)),
}
"""ufuncs written with other primitives."""
for _name, _form in (("vecdot", lambda x, y: np.sum(x * y, axis=-1)),
                     ("matvec", lambda a, v: np.matmul(a, v[..., None])[..., 0]),
                     ("vecmat", lambda v, a: np.matmul(v[..., None, :], a)[..., 0, :])):
    if isinstance(getattr(np, _name, None), np.ufunc):  # NumPy 2 (2.2 for matvec, vecmat)
        UFUNC_FORMS[getattr(np, _name)] = _form


def _frexp(x: Any) -> Any:
    mantissa, exponent = np.frexp(value_of(x))
    return x * np.exp2(-exponent.astype(float)), exponent

def arctan2(y: Any, x: Any) -> Any:
    """``np.arctan2`` from ``arctan``: atan(y/x) (+π on the left half-plane) where |x| ≥ |y|,
    ±π/2 − atan(x/y) elsewhere, so no branch divides by a value near 0.

    >>> round(float(arctan2(-1.0, -1.0)), 6), round(float(np.arctan2(-1.0, -1.0)), 6)
    (-2.356194, -2.356194)
    """
    xv, yv = np.asarray(value_of(x)), np.asarray(value_of(y))
    by_x = np.abs(xv) >= np.abs(yv)
    turn = np.where(xv < 0, np.where(np.signbit(yv), -np.pi, np.pi), 0.0)
    upper = np.where(np.signbit(yv), -np.pi / 2, np.pi / 2)
    near_x = np.arctan(y / np.where(by_x & (xv != 0), x, 1.0)) + turn
    near_y = upper - np.arctan(x / np.where(by_x, 1.0, y))
    return np.where(by_x, near_x, near_y)


CONSTANT_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.isfinite, np.isnan, np.isinf, np.sign, np.floor, np.ceil, np.rint, np.trunc,
    np.logical_and, np.logical_or, np.logical_not, np.signbit, np.heaviside,
    np.logical_xor, np.floor_divide, np.spacing,
}
"""ufuncs whose result does not vary (or is piecewise constant): computed on values."""


def _on_integer(u: Any) -> Any:
    return np.isfinite(u) & (u == np.floor(u))


JUMPS = {
    np.sign: lambda u: u == 0,
    np.heaviside: lambda u, h0: u == 0,
    np.floor: _on_integer,
    np.ceil: _on_integer,
    np.trunc: lambda u: _on_integer(u) & (u != 0),  # trunc is continuous at 0
    np.rint: lambda u: _on_integer(u - 0.5),  # rounds to even: jumps at the half-integers
    np.floor_divide: lambda a, b: _on_integer(a / b),
}
"""The step functions among :data:`CONSTANT_UFUNCS`, each with the mask of its jumps: their
derivative is 0 off the jumps (what AD passes on) and does not exist on them, which
:func:`chainrule.core.kinks.report` says (comparisons and logical ufuncs are branch
conditions, not functions being differentiated: nothing to report for them)."""


def _report_jumps(ufunc: Any, inputs: tuple, values: tuple) -> None:
    """A traced input exactly on a jump of the step function ``ufunc``: say so (policy)."""
    jumps = JUMPS.get(ufunc)
    if jumps is None or top_box(inputs) is None or kinks.policy() == "subgradient":
        return
    with np.errstate(all="ignore"):
        on_jump = jumps(*(np.asarray(v) if isinstance(v, float | int) else v for v in values))
    kinks.report(f"numpy.{ufunc.__name__}", on_jump, "0 (its slope off the jumps)", "jump")


@functools.cache
def value_primitive(ufunc: Any) -> Any:
    """An unregistered record for a piecewise-constant ufunc (a comparison, ``np.sign``):
    a step a staging trace records; it has no derivative and is never differentiated.

    >>> bool(value_primitive(np.greater).impl(2.0, 1.0))
    True
    """
    text = records.RuleText(ufunc.__name__, "piecewise constant: no derivative", "values")
    return records.Primitive(f"numpy.{ufunc.__name__}", ufunc.nin, ufunc, rule=None, text=text,
                             symbolic=False, code=f"np.{ufunc.__name__}")


def _call(name: str, *args: Any, **params: Any) -> Any:
    return ops.call(get(name), *args, **params)


def dispatch_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Handle ``ufunc(*inputs)`` when an input is traced or an expression."""
    if method != "__call__" or kwargs.get("out") is not None:
        name = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        raise NotDifferentiable.for_function(
            name, "with out= or as a ufunc method it cannot be differentiated; call it plainly")
    if ufunc in CONSTANT_UFUNCS:
        if any(isinstance(i, Expr) for i in inputs):
            raise DifferentiationError(f"numpy.{ufunc.__name__} of a symbolic expression has no "
                                       "value to branch on; it needs numbers")
        if is_staging():  # recorded, so the staged program recomputes it from its inputs
            return bind(value_primitive(ufunc), tuple(condition(i) for i in inputs), {})
        values = tuple(value_of(i) for i in inputs)
        _report_jumps(ufunc, inputs, values)
        return ufunc(*values)
    if ufunc in UFUNC_FORMS:
        return UFUNC_FORMS[ufunc](*inputs)
    prim = bound_primitive(ufunc)
    if prim is None:
        special = _scipy_special_name(ufunc)
        if special in SPECIAL_FORMS:
            return SPECIAL_FORMS[special](*inputs)
        if special is not None:
            prim = _scipy_bindings().get(special)
            if prim is None:
                raise NotDifferentiable.for_function(f"scipy.special.{special}")
            return ops.call(prim, *inputs)
        raise NotDifferentiable.for_function(f"numpy.{ufunc.__name__}")
    return ops.call(prim, *inputs)


def _scipy_special_name(ufunc: Any) -> str | None:
    """``ufunc``'s name when it is one of ``scipy.special``'s, else None. SciPy is never
    imported here: a SciPy ufunc can only reach this point once the caller has loaded it."""
    special = sys.modules.get("scipy.special")
    name = getattr(ufunc, "__name__", "")
    if special is not None and getattr(special, name, None) is ufunc:
        return name
    return None


@functools.cache
def _scipy_bindings() -> dict[str, Any]:
    """``scipy.special`` ufunc name → the record that is it (``extra["scipy_special"]``)."""
    return {prim.extra["scipy_special"]: prim for prim in all_primitives().values()
            if "scipy_special" in prim.extra}


def _xlogy(x: Any, y: Any) -> Any:
    # x·ln y, 0 where x = 0 whatever y (SciPy's); the slope in x stays ln y there (JAX's)
    # and only a y that ln cannot take is masked, where x = 0
    off = (np.asarray(value_of(x)) == 0) & (np.asarray(value_of(y)) <= 0)
    return np.where(off, 0.0, x * np.log(np.where(off, 1.0, y)))


def _xlog1py(x: Any, y: Any) -> Any:
    off = (np.asarray(value_of(x)) == 0) & (np.asarray(value_of(y)) <= -1)
    return np.where(off, 0.0, x * np.log1p(np.where(off, 0.0, y)))


SPECIAL_FORMS: dict[str, Any] = {
    "expit": lambda x: _call("sigmoid", x),
    "log_expit": lambda x: -_call("softplus", -x),
    "logit": lambda p: np.log(p) - np.log1p(-p),
    "xlogy": _xlogy,
    "xlog1py": _xlog1py,
    "entr": lambda x: -_xlogy(x, x),
    "rel_entr": lambda x, y: _xlogy(x, x) - _xlogy(x, y),
    "betaln": lambda a, b: (_call("gammaln", a) + _call("gammaln", b)
                            - _call("gammaln", a + b)),
    "ndtr": lambda x: 0.5 * _call("erfc", -x / np.sqrt(2.0)),
    "gamma": lambda x: np.where(np.asarray(_scipy_gammasgn(value_of(x))) < 0, -1.0, 1.0)
    * np.exp(_call("gammaln", x)),
}
"""``scipy.special`` ufuncs (by name) written with records: σ, log σ, logit, x·ln y, β, Φ, Γ."""


def _scipy_gammasgn(x: Any) -> Any:
    return sys.modules["scipy.special"].gammasgn(x)
