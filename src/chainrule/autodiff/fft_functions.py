"""``numpy.fft`` on traced values: the transforms of :mod:`chainrule.rules.fourier`.

``fft``, ``ifft``, ``rfft``, ``irfft``, ``fftn``, ``ifftn`` are records; ``fft2``/``ifft2`` are
``fftn`` on two axes, and ``rfftn``/``irfftn``/``rfft2``/``irfft2`` are compositions (a real
transform along the last axis, complex ones along the others), as NumPy computes them.
``hfft`` and ``ihfft`` are not covered (they are refused by name).

>>> import numpy as np
>>> from chainrule.autodiff import grad
>>> x = np.array([1.0, 2.0, 0.0, -1.0])
>>> grad(lambda v: np.sum(np.abs(np.fft.rfft(v)) ** 2))(x).round(6)
array([ 6., 10.,  2., -2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.core.ops import call
from chainrule.core.registry import get
from chainrule.errors import NotDifferentiable


def _axes(axes: Any) -> tuple | None:
    return None if axes is None else tuple(int(a) for a in np.atleast_1d(axes))


def _one(name: str):
    def transform(a, n=None, axis=-1, norm=None, out=None):
        return call(get(name), a, n=n, axis=int(axis), norm=norm)
    transform.__name__ = name
    return transform


def _many(name: str, default_axes: tuple | None = None):
    def transform(a, s=None, axes=default_axes, norm=None, out=None):
        return call(get(name), a, s=_axes(s), axes=_axes(axes), norm=norm)
    transform.__name__ = name
    return transform


def _split(a: Any, s: Any, axes: Any) -> tuple[int, tuple[int, ...]]:
    if s is not None:
        raise NotDifferentiable.for_function(
            "numpy.fft.rfftn", "with s= (padding or cutting several axes) it is not covered; "
            "pad the input first (np.pad) and call it without s")
    axes = tuple(range(np.ndim(a))) if axes is None else _axes(axes)
    return axes[-1], axes[:-1]


def rfftn(a, s=None, axes=None, norm=None, out=None):
    last, others = _split(a, s, axes)
    y = call(get("rfft"), a, n=None, axis=last, norm=norm)
    return call(get("fftn"), y, s=None, axes=others, norm=norm) if others else y


def irfftn(a, s=None, axes=None, norm=None, out=None):
    last, others = _split(a, s, axes)
    y = call(get("ifftn"), a, s=None, axes=others, norm=norm) if others else a
    return call(get("irfft"), y, n=None, axis=last, norm=norm)


FFT_FUNCTIONS: dict[Any, Any] = {
    np.fft.fft: _one("fft"), np.fft.ifft: _one("ifft"), np.fft.rfft: _one("rfft"),
    np.fft.irfft: _one("irfft"), np.fft.fftn: _many("fftn"), np.fft.ifftn: _many("ifftn"),
    np.fft.fft2: _many("fftn", (-2, -1)), np.fft.ifft2: _many("ifftn", (-2, -1)),
    np.fft.rfftn: rfftn, np.fft.irfftn: irfftn,
    np.fft.rfft2: lambda a, s=None, axes=(-2, -1), norm=None, out=None: rfftn(a, s, axes, norm),
    np.fft.irfft2: lambda a, s=None, axes=(-2, -1), norm=None, out=None: irfftn(a, s, axes,
                                                                                  norm),
}
"""NumPy's FFT functions, by the record (or composition) that differentiates them."""
