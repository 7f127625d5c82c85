"""Discrete Fourier transforms: ``fft``, ``ifft``, ``rfft``, ``irfft``, ``fftn``, ``ifftn``.

Each transform is linear, so its JVP is the transform itself (of the tangent). The VJPs follow
JAX's convention for complex numbers (a cotangent ``g`` pairs with a tangent ``t`` as
Re(g·t); see :mod:`chainrule.rules.complex_parts`), so they are *transposes*, not adjoints:

* the DFT matrix is symmetric, so the transpose of ``fft`` (``ifft``, ``fftn``, ``ifftn``) is the
  same transform of the cotangent, with the input length restored (a padded input gives back
  its first entries, a truncated one zeros);
* ``rfft`` keeps the first n//2 + 1 rows of the DFT of a real input: its transpose is the real
  part of the full ``fft`` of the cotangent padded with zeros to n;
* ``irfft`` reads only half the spectrum of a Hermitian signal: its transpose is the conjugate
  of ``rfft`` of the cotangent with the interior bins counted twice (JAX's rule).

>>> import numpy as np
>>> from chainrule.autodiff import grad
>>> w = np.array([1.0, 2.0, 0.5, -1.0])
>>> grad(lambda x: np.sum(np.real(np.fft.fft(x)) * w))(np.zeros(4)).round(6)
array([2.5, 0.5, 0.5, 0.5])
"""

from __future__ import annotations

import math

import numpy as np

from chainrule.core.primitive import Primitive, RuleText
from chainrule.core.trace import peek
from chainrule.errors import NotDifferentiable


def _text(name: str) -> RuleText:
    return RuleText(f"{name} rule", f"{name} is linear: d {name}(x) = {name}(dx)", "fourier")


def _is_real(x) -> bool:
    return not np.iscomplexobj(peek(x))


def _fit(ct, length: int, axis: int):
    """``ct`` cut or zero-padded along ``axis`` to ``length`` (the input's own length)."""
    have = np.shape(ct)[axis]
    if have == length:
        return ct
    if have > length:
        index = [slice(None)] * np.ndim(ct)
        index[axis] = slice(0, length)
        return ct[tuple(index)]
    zeros = list(np.shape(ct))
    zeros[axis] = length - have
    return np.concatenate([ct, np.zeros(zeros)], axis=axis)  # complex cotangents too


def _real_if(ct, x):
    """A real argument's cotangent is the real part (JAX's convention)."""
    return np.real(ct) if _is_real(x) else ct


def _one_axis(name: str, impl) -> Primitive:
    """``fft`` or ``ifft`` along one axis: symmetric, so the transpose is itself."""
    def vjp(g, ans, args, p, need):
        x = args[0]
        axis = p.get("axis", -1)
        ct = impl(g, n=p.get("n"), axis=axis, norm=p.get("norm"))
        return [_real_if(_fit(ct, np.shape(x)[axis], axis), x)]

    def jvp(t, ans, args, p):
        return impl(t[0], n=p.get("n"), axis=p.get("axis", -1), norm=p.get("norm"))

    return Primitive(name, 1, lambda x, n=None, axis=-1, norm=None: impl(x, n, axis, norm),
                     rule=None, text=_text(name), vjp=vjp, jvp=jvp, symbolic=False)


def _many_axes(name: str, impl) -> Primitive:
    """``fftn`` or ``ifftn``: separable and symmetric; the transpose is itself."""
    def vjp(g, ans, args, p, need):
        x = args[0]
        axes = p.get("axes")
        ct = impl(g, s=p.get("s"), axes=axes, norm=p.get("norm"))
        for axis in range(np.ndim(x)) if axes is None else axes:
            ct = _fit(ct, np.shape(x)[axis], axis)
        return [_real_if(ct, x)]

    def jvp(t, ans, args, p):
        return impl(t[0], s=p.get("s"), axes=p.get("axes"), norm=p.get("norm"))

    return Primitive(name, 1, lambda x, s=None, axes=None, norm=None: impl(x, s, axes, norm),
                     rule=None, text=_text(name), vjp=vjp, jvp=jvp, symbolic=False)


def _rfft_vjp(g, ans, args, p, need):
    x = args[0]
    axis = p.get("axis", -1)
    n = p.get("n") or np.shape(x)[axis]
    full = np.fft.fft(_fit(g, n, axis), axis=axis, norm=p.get("norm"))
    return [np.real(_fit(full, np.shape(x)[axis], axis))]


def _irfft_vjp(g, ans, args, p, need):
    y = args[0]
    axis = p.get("axis", -1)
    n = np.shape(ans)[axis]
    if not _is_real(g):  # the output is real: only Re(g) pairs with its tangent
        g = np.real(g)
    spectrum = np.fft.rfft(g, n=n, axis=axis)  # unnormalised; the norm's scale below
    m = np.shape(spectrum)[axis]
    twice = np.full(m, 2.0)
    twice[0] = 1.0
    if n % 2 == 0:
        twice[-1] = 1.0  # the Nyquist bin appears once
    shape = [1] * np.ndim(spectrum)
    shape[axis] = m
    scale = {None: 1 / n, "backward": 1 / n, "ortho": 1 / math.sqrt(n), "forward": 1.0}
    ct = np.conjugate(scale[p.get("norm")] * np.reshape(twice, shape) * spectrum)
    return [_fit(ct, np.shape(y)[axis], axis)]


FFT = _one_axis("fft", np.fft.fft)
IFFT = _one_axis("ifft", np.fft.ifft)
FFTN = _many_axes("fftn", np.fft.fftn)
IFFTN = _many_axes("ifftn", np.fft.ifftn)
def _rfft(x, n=None, axis=-1, norm=None):
    if np.iscomplexobj(x):  # NumPy would drop the imaginary part with only a warning
        raise NotDifferentiable.for_function(
            "numpy.fft.rfft", "its input must be real (it was complex); use np.fft.fft")
    return np.fft.rfft(x, n, axis, norm)


RFFT = Primitive(
    "rfft", 1, _rfft, rule=None,
    text=_text("rfft"), vjp=_rfft_vjp, symbolic=False,
    jvp=lambda t, ans, args, p: np.fft.rfft(t[0], p.get("n"), p.get("axis", -1), p.get("norm")))
IRFFT = Primitive(
    "irfft", 1, lambda x, n=None, axis=-1, norm=None: np.fft.irfft(x, n, axis, norm),
    rule=None, text=_text("irfft"), vjp=_irfft_vjp, symbolic=False,
    jvp=lambda t, ans, args, p: np.fft.irfft(t[0], p.get("n"), p.get("axis", -1),
                                             p.get("norm")))

PRIMITIVES = (FFT, IFFT, FFTN, IFFTN, RFFT, IRFFT)
