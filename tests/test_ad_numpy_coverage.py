"""Every differentiable-looking callable of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` is
either covered by chainrule or refused with :class:`NotDifferentiable` naming it.

The walk takes the callables that accept array data: ufuncs, and functions that dispatch
through NumPy's ``__array_function__`` protocol (plus the conversions that bypass it, like
``np.array``). Constructors from shapes, printing options and dtype classes take no traced
data. Each uncovered one is called with traced 1-D (then 2-D) float arrays in every required
position; only two outcomes are accepted: covered, or ``NotDifferentiable`` — never a result
(zeros), never a NumPy internals error.
"""

from __future__ import annotations

import inspect
import io
import warnings

import numpy as np
import pytest

from chainrule.autodiff import reverse
from chainrule.autodiff.array_functions import is_covered
from chainrule.autodiff.tracing import new_level
from chainrule.errors import NotDifferentiable

CONVERSIONS = (np.array, np.asarray, np.asanyarray, np.ascontiguousarray, np.asfortranarray)
"""Conversions to a plain array, which NumPy does without asking the traced value."""

FILE_FIRST = {np.savez, np.savez_compressed}
"""Functions whose first argument is a file, then the arrays."""


def _walk():
    for module, prefix in ((np, "numpy"), (np.linalg, "numpy.linalg"), (np.fft, "numpy.fft")):
        for name in sorted(dir(module)):
            func = getattr(module, name)
            if name.startswith("_"):
                continue
            if isinstance(func, np.ufunc) or hasattr(func, "_implementation") \
                    or func in CONVERSIONS:
                yield f"{prefix}.{name}", func


CALLABLES = dict(_walk())


def _traced(shape):
    return reverse.leaf(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) / 7, new_level())


def _arities(func) -> tuple[int, ...]:
    """How many traced arguments to call ``func`` with (several tries for a C function
    without a signature: NumPy 1.x has many)."""
    if isinstance(func, np.ufunc):
        return (func.nin,)
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # a C function without a signature
        return (1, 2, 3)
    return (max(1, sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                          p.POSITIONAL_OR_KEYWORD)
                       for p in params)),)


def test_the_walk_sees_the_namespace():
    assert len(CALLABLES) > 300
    assert {"numpy.sin", "numpy.sum", "numpy.linalg.eigh", "numpy.fft.fft",
            "numpy.array"} <= set(CALLABLES)


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_each_callable_is_covered_or_refused_by_name(name):
    func = CALLABLES[name]
    if func not in CONVERSIONS and is_covered(func):
        return
    errors = []
    for shape, arity in ((s, n) for s in ((3,), (3, 3)) for n in _arities(func)):
        args = [_traced(shape) for _ in range(arity)]
        if func in FILE_FIRST:
            args.insert(0, io.BytesIO())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = func(*args)
        except NotDifferentiable as e:
            assert "has no derivative rule in chainrule (yet)" in str(e)
            expected = "array" if func in CONVERSIONS else func.__name__
            assert expected in str(e), (name, str(e))
            return
        except Exception as e:  # noqa: BLE001 - recorded: the test fails below
            errors.append(f"{type(e).__name__}: {e}")
        else:
            errors.append(f"returned {type(result).__name__} instead of refusing")
    pytest.fail(f"{name}: neither covered nor refused with NotDifferentiable: {errors}")


@pytest.mark.parametrize("name", ["numpy.fft.hfft", "numpy.histogram2d", "numpy.fft.ihfft"])
def test_known_gaps_name_the_function_in_the_message(name):
    func = CALLABLES[name]
    with pytest.raises(NotDifferentiable, match=rf"^{name.replace('.', '[.]')} has no derivative"):
        func(*[_traced((3, 3)) for _ in range(_arities(func)[0])])


def test_a_hermitian_fft_is_refused_saying_why():
    with pytest.raises(NotDifferentiable, match=r"numpy\.fft\.hfft .*hfft and ihfft have no rule"):
        np.fft.hfft(_traced((4,)))
