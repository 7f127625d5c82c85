"""One spec per primitive of the rule table: valid inputs, a NumPy function using it, tolerances.

``SPECS[name]`` lists the :class:`Case` s that exercise primitive ``name``: a sampler of
inputs inside its domain (with shapes that make broadcasting, axes and indices matter), a
small function written with plain NumPy calls (chainrule operations only where NumPy has no
spelling, e.g. ``sec`` or ``logsumexp`` of several arguments), and the tolerances for
:func:`chainrule.testing.check_grads`. Elementwise primitives get an array case and a scalar
case; the scalar case of a symbolic primitive is also differentiated with ``chainrule.diff``.

``test_ad_primitives`` asserts that the keys of ``SPECS`` plus ``EXCLUDED`` are exactly the
registry's, so a primitive added to the table without a spec fails the suite.

Samplers keep a margin from domain edges, poles and kinks of at least a few times ``eps``
(the first finite-difference step), because the finite differences step that far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

import chainrule.ml as ml
from chainrule.core import ops
from chainrule.core.registry import get

Sampler = Callable[[np.random.Generator], tuple]


@dataclass(frozen=True)
class Case:
    """One way of exercising a primitive; ``label`` names it in test ids."""

    label: str
    sample: Sampler
    fn: Callable
    rtol: float = 1e-6
    atol: float = 1e-8
    eps: float | None = None  # the first finite-difference step; None: check_grads' default
    order: int = 2
    intervals: tuple | None = None  # per argument (lo, hi) when drawn uniformly from one

    @property
    def scalar(self) -> bool:
        """True when every sampled argument is a plain number (the symbolic mode's inputs)."""
        return all(np.ndim(a) == 0 for a in self.sample(np.random.default_rng(0)))


EXCLUDED: dict[str, str] = {}
"""Primitives without a spec, each with the reason. Only primitives whose derivative is zero
everywhere may be listed (and ``test_ad_primitives`` still checks that derivative is 0);
at present every primitive, ``heaviside`` included, has a full spec."""

ZERO_DERIVATIVE = {"heaviside", "sign", "floor", "ceil"}
"""Primitives whose derivative is identically zero (where defined)."""


# -- samplers ------------------------------------------------------------------------------

def uniform(lo: float, hi: float, shape: tuple | None = None) -> Callable:
    """Values in [lo, hi]; ``shape`` None gives a float."""
    def draw(rng: np.random.Generator):
        v = rng.uniform(lo, hi, () if shape is None else shape)
        return float(v) if shape is None else v
    return draw


def signed(lo: float, hi: float, shape: tuple | None = None) -> Callable:
    """Magnitudes in [lo, hi] with random signs: away from a kink or pole at 0."""
    def draw(rng: np.random.Generator):
        v = rng.uniform(lo, hi, () if shape is None else shape)
        v = v * rng.choice([-1.0, 1.0], size=np.shape(v))
        return float(v) if shape is None else v
    return draw


def distinct(shape: tuple, gap: float = 0.5) -> Callable:
    """Entries at least ``gap`` apart, in random order: no ties for max / min."""
    def draw(rng: np.random.Generator):
        n = int(np.prod(shape))
        values = gap * rng.permutation(n) + rng.uniform(0, 0.1 * gap, n)
        return (values - values.mean()).reshape(shape)
    return draw


def well_conditioned(n: int, batch: tuple = ()) -> Callable:
    """Square matrices 3·I + noise: far from singular."""
    def draw(rng: np.random.Generator):
        return 3 * np.eye(n) + 0.4 * rng.standard_normal(batch + (n, n))
    return draw


def _orthogonal(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return np.linalg.qr(rng.standard_normal(shape))[0]


def spectrum(n: int, batch: tuple = (), symmetric: bool = True) -> Callable:
    """Square matrices with distinct real eigenvalues at least 0.5 apart: Q·diag(d)·Qᵀ
    (symmetric) or S·diag(d)·S⁻¹ with S near the identity (general)."""
    def draw(rng: np.random.Generator):
        d = 0.7 * rng.permutation(n) - 0.3 * n + rng.uniform(0, 0.1, batch + (n,))
        if symmetric:
            q = _orthogonal(rng, batch + (n, n))
            return q @ (d[..., None] * np.swapaxes(q, -1, -2))
        s = np.eye(n) + 0.3 * rng.standard_normal(batch + (n, n))
        return s @ (d[..., None] * np.linalg.inv(s))
    return draw


def singular(m: int, n: int, batch: tuple = ()) -> Callable:
    """m×n matrices U·diag(s)·Vᵀ with distinct singular values in [0.5, 3], 0.4 apart."""
    def draw(rng: np.random.Generator):
        k = min(m, n)
        s = 0.5 + 0.4 * rng.permutation(k) + rng.uniform(0, 0.05, batch + (k,))
        u, v = _orthogonal(rng, batch + (m, k)), _orthogonal(rng, batch + (n, k))
        return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)
    return draw


def args(*draws: Callable) -> Sampler:
    """A sampler of a tuple of arguments, one draw each."""
    return lambda rng: tuple(d(rng) for d in draws)


def apart(draw: Callable, lo: float = 0.3, hi: float = 1.0) -> Sampler:
    """Two arguments ``x, y`` with ``|x − y| ≥ lo`` everywhere (maximum / minimum)."""
    def sample(rng: np.random.Generator) -> tuple:
        x = draw(rng)
        y = x + signed(lo, hi, np.shape(x) or None)(rng)
        return x, y
    return sample


# -- elementwise primitives: an array case (with broadcasting) and a scalar case ----------

UNARY_SHAPE = (2, 3)
BINARY_SHAPES = ((2, 3), (3,))


def elementwise(fn: Callable, *draws: Callable, eps: float | None = None,
                rtol: float = 1e-6, shapes: tuple | None = None) -> tuple[Case, ...]:
    """An array case and a scalar case of ``fn``; ``draws`` are ``(lo, hi, shape)`` makers."""
    shapes = shapes or ((UNARY_SHAPE,) if len(draws) == 1 else BINARY_SHAPES)
    shapes = tuple(shapes[i % len(shapes)] for i in range(len(draws)))
    array = args(*(d(s) for d, s in zip(draws, shapes, strict=True)))
    scalar = args(*(d(None) for d in draws))
    intervals = tuple(getattr(d, "interval", None) for d in draws)
    return (Case("array", array, fn, rtol=rtol, eps=eps),
            Case("scalar", scalar, fn, rtol=rtol, eps=eps,
                 intervals=None if None in intervals else intervals))


@dataclass(frozen=True)
class on:  # noqa: N801  (reads as a function: on(uniform, -2, 2))
    """A draw-maker of one domain, waiting for its shape."""

    maker: Callable
    lo: float
    hi: float

    def __call__(self, shape: tuple | None) -> Callable:
        return self.maker(self.lo, self.hi, shape)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The interval every draw lies in, when it is one (not for ``signed``)."""
        return (self.lo, self.hi) if self.maker is uniform else None


def _call(name: str, *xs, **params):
    return ops.call(get(name), *xs, **params)


KINK_EPS = 0.05  # first FD step for functions with a kink at distance ≥ 0.3

ELEMENTWISE: dict[str, tuple[Case, ...]] = {
    # arithmetic
    "add": elementwise(lambda x, y: np.add(x, y) ** 2 + (x + 1.5), on(uniform, -2, 2),
                       on(uniform, -2, 2)),
    "mul": elementwise(lambda x, y: x * y * np.multiply(x, 0.5), on(uniform, -2, 2),
                       on(uniform, -2, 2)),
    "pow": (*elementwise(lambda x, y: x**y, on(uniform, 0.5, 2), on(uniform, -2, 2)),
            Case("integer exponent, negative base", args(uniform(-2, -0.5, (2, 3))),
                 lambda x: x**3 + np.square(x) + np.reciprocal(x) + x**-2),
            Case("constant base", args(uniform(-2, 2, (3,))),
                 lambda x: np.exp2(x) + 3.0**x + np.float_power(x, 2))),
    "abs": elementwise(lambda x: np.abs(x) * x + np.fabs(x), on(signed, 0.3, 2),
                       eps=KINK_EPS),
    "sub": elementwise(lambda x, y: np.subtract(x, y) ** 2 + (2.0 - x), on(uniform, -2, 2),
                       on(uniform, -2, 2)),
    "neg": elementwise(lambda x: -(x**3) + np.negative(x), on(uniform, -2, 2)),
    "div": elementwise(lambda x, y: x / y + np.divide(1.0, y), on(uniform, -2, 2),
                       on(signed, 0.5, 2)),
    # exponentials and logarithms
    "exp": elementwise(np.exp, on(uniform, -2, 2)),
    "ln": elementwise(np.log, on(uniform, 0.3, 3)),
    "log": elementwise(lambda x, b: ops.log(x, b) + np.log2(x) * np.log10(b),
                       on(uniform, 0.5, 3), on(uniform, 1.5, 4)),
    "sqrt": elementwise(np.sqrt, on(uniform, 0.3, 3)),
    "cbrt": elementwise(np.cbrt, on(signed, 0.5, 3), eps=KINK_EPS),
    "log1p": elementwise(np.log1p, on(uniform, -0.5, 2)),
    "expm1": elementwise(np.expm1, on(uniform, -2, 2)),
    # trigonometric
    "sin": elementwise(np.sin, on(uniform, -3, 3)),
    "cos": elementwise(np.cos, on(uniform, -3, 3)),
    "tan": elementwise(np.tan, on(uniform, -1.2, 1.2)),
    "cot": elementwise(ops.cot, on(uniform, 0.4, 2.7), eps=KINK_EPS),
    "sec": elementwise(ops.sec, on(uniform, -1.2, 1.2)),
    "csc": elementwise(ops.csc, on(uniform, 0.4, 2.7), eps=KINK_EPS),
    "asin": elementwise(np.arcsin, on(uniform, -0.8, 0.8), eps=KINK_EPS),
    "acos": elementwise(np.arccos, on(uniform, -0.8, 0.8), eps=KINK_EPS),
    "atan": elementwise(np.arctan, on(uniform, -3, 3)),
    # hyperbolic
    "sinh": elementwise(np.sinh, on(uniform, -2, 2)),
    "cosh": elementwise(np.cosh, on(uniform, -2, 2)),
    "tanh": elementwise(np.tanh, on(uniform, -2, 2)),
    "asinh": elementwise(np.arcsinh, on(uniform, -2, 2)),
    "acosh": elementwise(np.arccosh, on(uniform, 1.3, 3), eps=KINK_EPS),
    "atanh": elementwise(np.arctanh, on(uniform, -0.8, 0.8), eps=KINK_EPS),
    # machine learning
    "sigmoid": elementwise(ml.sigmoid, on(uniform, -4, 4)),
    "softplus": elementwise(ml.softplus, on(uniform, -4, 4)),
    "relu": elementwise(lambda x: _call("relu", x) * x, on(signed, 0.3, 2), eps=KINK_EPS),
    "heaviside": elementwise(lambda x: ops.heaviside(x) * np.sin(x), on(signed, 0.3, 2),
                             eps=KINK_EPS),
    "sign": elementwise(lambda x: ops.sign(x) * np.sin(x), on(signed, 0.3, 2), eps=KINK_EPS),
    # rounding: points at least 0.2 from the jumps at the integers
    "floor": elementwise(lambda x: _call("floor", x) * np.sin(x) + x, on(uniform, 1.2, 1.8),
                         eps=KINK_EPS / 2),
    "ceil": elementwise(lambda x: _call("ceil", x) * np.cos(x) + x, on(uniform, -1.8, -1.2),
                        eps=KINK_EPS / 2),
    "logsumexp": elementwise(lambda x, y, z: _call("logsumexp", x, y, z),
                             on(uniform, -2, 2), on(uniform, -2, 2), on(uniform, -2, 2),
                             shapes=((2, 3), (3,), (2, 1))),
    "logaddexp": elementwise(np.logaddexp, on(uniform, -3, 3), on(uniform, -3, 3)),
    # scipy.special, called as users do (SciPy's ufuncs dispatch to the records)
    "erf": elementwise(lambda x: special.erf(x), on(uniform, -2, 2)),
    "erfc": elementwise(lambda x: special.erfc(x) + special.ndtr(x), on(uniform, -2, 2)),
    "gammaln": elementwise(lambda x, y: special.gammaln(x) + special.betaln(x, y),
                           on(uniform, 0.3, 4), on(uniform, 0.5, 3)),
    "digamma": elementwise(lambda x: special.digamma(x) * special.psi(x + 1),
                           on(uniform, 0.3, 4)),
    "polygamma": (Case("orders 1 and 3", args(uniform(0.5, 3, (2, 3))),
                       lambda x: _call("polygamma", 1.0, x) * _call("polygamma", 3.0, x)),),
}


def _apart_cases(fn: Callable) -> tuple[Case, ...]:
    return (Case("array", apart(uniform(-2, 2, (2, 3))), fn, eps=KINK_EPS),
            Case("scalar", apart(uniform(-2, 2)), fn, eps=KINK_EPS),
            Case("constant bound", args(signed(0.3, 2, (2, 3))),
                 lambda x: fn(x, 0.0) * x + np.clip(x, -1.0 / 3, 0.25), eps=KINK_EPS))


ELEMENTWISE["maximum"] = _apart_cases(np.maximum)
ELEMENTWISE["minimum"] = _apart_cases(np.minimum)


# -- array primitives ------------------------------------------------------------------------

A23 = uniform(-2, 2, (2, 3))
A234 = uniform(-2, 2, (2, 3, 4))
# cholesky(upper=True) is new in NumPy 2; the pins admit 1.26
CHOLESKY_UPPER = (() if np.lib.NumpyVersion(np.__version__) < "2.0.0" else (
    Case("batched, upper", args(well_conditioned(2, (2,))),
         lambda a: np.sin(np.linalg.cholesky(a, upper=True)) @ a[0]),))

MASK = np.array([[True, False, True], [False, False, True]])
INDEX = np.array([0, 2, 0])  # repeated: cotangents must add up

ARRAYS: dict[str, tuple[Case, ...]] = {
    "sum": (
        Case("axis, keepdims, all", args(A23),
             lambda x: np.sum(np.sin(x), axis=1, keepdims=True) * np.sum(x**2)),
        Case("axis tuple, method, mean, var", args(A234),
             lambda x: np.cos(x).sum(axis=(0, 2)) + np.mean(x**2, axis=-1)[0] + np.var(x)),
    ),
    "max": (
        Case("axis", args(distinct((3, 4))), lambda x: np.max(np.sin(x), axis=0) * np.max(x),
             eps=KINK_EPS),
        Case("keepdims, method", args(distinct((2, 3, 2))),
             lambda x: np.amax(x**2 + x, axis=(0, 2), keepdims=True) + x.max(),
             eps=KINK_EPS),
    ),
    "min": (
        Case("axis", args(distinct((3, 4))), lambda x: np.min(np.sin(x), axis=1) * np.min(x),
             eps=KINK_EPS),
        Case("keepdims, method", args(distinct((2, 3, 2))),
             lambda x: np.amin(x**3, axis=-1, keepdims=True) + x.min(axis=0)[0],
             eps=KINK_EPS),
    ),
    "prod": (
        Case("axis", args(signed(0.5, 1.5, (3, 4))),
             lambda x: np.prod(x, axis=1) + np.prod(np.sin(x), axis=0)[:3]),
        Case("all, keepdims", args(signed(0.5, 1.5, (2, 3))),
             lambda x: x.prod() * np.prod(x, axis=0, keepdims=True)),
    ),
    "reduce_logsumexp": (
        Case("axis", args(A234), lambda x: ml.logsumexp(x, axis=1) * ml.logsumexp(x)),
        Case("keepdims, log_softmax", args(A23),
             lambda x: ml.logsumexp(x**2, axis=0, keepdims=True) + ml.log_softmax(x)),
    ),
    "reshape": (
        Case("reshape, -1, ravel", args(A23),
             lambda x: np.reshape(np.sin(x), (3, 2)) * x.reshape(-1)[:2] + np.ravel(x)[-1]),
        Case("expand_dims, squeeze", args(uniform(-2, 2, (3, 1))),
             lambda x: np.squeeze(np.expand_dims(x**2, 0)) * np.squeeze(x, axis=1)),
    ),
    "transpose": (
        Case("axes, .T", args(A234),
             lambda x: np.sin(np.transpose(x, (2, 0, 1))) * x.T[:, :, :1].transpose(0, 2, 1)),
        Case("swapaxes, moveaxis", args(A234),
             lambda x: np.swapaxes(x, 0, 2) ** 2 + np.moveaxis(x, -1, 0).transpose(0, 2, 1)),
    ),
    "broadcast_to": (
        Case("broadcast_to", args(uniform(-2, 2, (3,))),
             lambda x: np.sin(np.broadcast_to(x, (4, 3))) * np.arange(12.0).reshape(4, 3)),
        Case("implicit, size-1 axis", args(uniform(-2, 2, (2, 1)), uniform(-2, 2, (3,))),
             lambda x, y: np.broadcast_to(x, (2, 3)) * y**2),
    ),
    "scatter_add": (
        Case("repeated index", args(uniform(-2, 2, (3,))),
             lambda x: _call("scatter_add", np.sin(x) * x, index=INDEX, shape=(4,))),
    ),
    "getitem": (
        Case("slices, fancy", args(A23),
             lambda x: x[1:, [0, 2]] ** 2 * x[0, 1] + x[:, INDEX][0, 1:]),
        Case("repeated, ellipsis, mask, take", args(uniform(-2, 2, (3, 2, 3))),
             lambda x: np.sin(x[INDEX])[..., 1].sum(axis=-1) * x[0][MASK].sum()
             + np.take(x, [2, 0, 2], axis=2)[0, 0, :]),
    ),
    "concatenate": (
        Case("axis 1", args(A23, uniform(-2, 2, (2, 2))),
             lambda x, y: np.sin(np.concatenate([x, y**2], axis=1))),
        Case("hstack, vstack", args(uniform(-2, 2, (3,)), uniform(-2, 2, (2, 3))),
             lambda x, y: np.vstack([x**2, y]) * np.hstack([x, x * 2.0])[:3]),
    ),
    "stack": (
        Case("axis 1", args(A23, A23), lambda x, y: np.stack([np.sin(x), x * y], axis=1)),
        Case("axis 0, three", args(uniform(-2, 2, (3,))),
             lambda x: np.stack([x, x**2, np.exp(x)]) ** 2),
    ),
    "where": (
        Case("both branches, broadcast", args(A23, uniform(-2, 2, (3,))),
             lambda x, y: np.where(MASK, np.sin(x), y**2) * x),
        Case("condition from values", args(signed(0.3, 2, (2, 3))),
             lambda x: np.where(x > 0, x**2, np.exp(x)), eps=KINK_EPS),
    ),
    "cumsum": (
        Case("axis, negative axis, method-free", args(A234),
             lambda x: np.sin(np.cumsum(x, axis=1)) * np.cumsum(x**2, axis=-1)),
        Case("flattened", args(A23), lambda x: np.cumsum(np.exp(x)) ** 2),
    ),
    "matmul": (
        Case("matrix @ matrix", args(A23, uniform(-2, 2, (3, 4))),
             lambda a, b: np.sin(a @ b) + np.matmul(a, b) ** 2),
        Case("vector @ matrix, matrix @ vector, dot", args(uniform(-2, 2, (3,)), A23),
             lambda v, a: (v @ a.T) ** 2 * np.dot(a, v) + (v @ v) * (a @ v)),
        Case("batched, broadcast", args(uniform(-2, 2, (2, 2, 3)), uniform(-2, 2, (3, 4))),
             lambda a, b: np.tanh(a @ b)),
    ),
    "solve": (
        Case("vector right side", args(well_conditioned(3), uniform(-2, 2, (3,))),
             lambda a, b: np.linalg.solve(a, b) ** 2),
        Case("matrix right side", args(well_conditioned(3), uniform(-2, 2, (3, 2))),
             lambda a, b: np.sin(np.linalg.solve(a, b))),
    ),
    "inv": (
        Case("inv", args(well_conditioned(3)), lambda a: np.linalg.inv(a) ** 2),
        Case("batched", args(well_conditioned(2, (2,))), lambda a: np.linalg.inv(a) @ a[0]),
    ),
    "cholesky": (
        Case("cholesky", args(well_conditioned(3)), lambda a: np.linalg.cholesky(a) ** 2),
        *CHOLESKY_UPPER,
    ),
    "logabsdet": (
        Case("slogdet", args(well_conditioned(3)),
             lambda a: np.linalg.slogdet(a)[1] ** 2 * np.linalg.slogdet(a)[0]),
        Case("batched, negative determinant", args(well_conditioned(2, (3,))),
             lambda a: np.sin(np.linalg.slogdet(-a[..., ::-1, :] @ a)[1])),
    ),
    "det": (
        Case("det", args(well_conditioned(3)), lambda a: np.linalg.det(a) ** 2),
        Case("batched", args(well_conditioned(2, (3,))), lambda a: np.sin(np.linalg.det(a))),
    ),
}



def _eigh_fn(a):
    w, v = np.linalg.eigh(a)  # squares and outer products: free of the eigenvectors' signs
    return np.sin(w) * v**2 + v @ np.diag(np.exp(w)) @ v.T


def _svd_fn(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum((u * np.exp(s)[..., None, :]) @ vt) * s + np.sum(u**2, axis=-1)[..., :1]


DECOMPOSITIONS: dict[str, tuple[Case, ...]] = {
    "eigh": (
        Case("values and vectors", args(spectrum(3)), _eigh_fn),
        Case("batched, upper, eigvalsh", args(spectrum(3, (2,))),
             lambda a: np.linalg.eigh(a, UPLO="U")[1] ** 2
             * np.linalg.eigvalsh(a)[..., None, :] ** 2),
    ),
    "eig": (
        Case("real distinct eigenvalues", args(spectrum(3, symmetric=False)),
             lambda a: np.cos(np.linalg.eig(a)[0]) * np.linalg.eig(a)[1] ** 2),
        Case("batched, eigvals", args(spectrum(3, (2,), symmetric=False)),
             lambda a: np.exp(np.linalg.eigvals(a)) * np.sum(np.linalg.eig(a)[1] ** 2, axis=-1)),
    ),
    "svd": (
        Case("tall", args(singular(4, 3)), _svd_fn),
        Case("wide", args(singular(2, 4)), _svd_fn),
        Case("batched square, square default", args(singular(3, 3, (2,))),
             lambda a: np.linalg.svd(a)[0] ** 2 * np.linalg.svd(a)[1][..., None, :]),
        Case("norms 2, -2, nuc, cond, compute_uv=False", args(singular(3, 4)),
             lambda a: np.linalg.norm(a, 2) * np.linalg.norm(a.T, -2) + np.linalg.norm(a, "nuc")
             + np.linalg.cond(a) ** 2 * np.linalg.svd(a, compute_uv=False)),
    ),
    "qr": (
        Case("tall", args(uniform(-2, 2, (4, 3))),
             lambda a: np.sin(np.linalg.qr(a)[0]) * np.sum(np.linalg.qr(a)[1] ** 2)),
        Case("batched square, mode r", args(well_conditioned(3, (2,))),
             lambda a: np.linalg.qr(a)[0] @ np.linalg.qr(a, mode="r") ** 2),
        Case("wide, complete", args(uniform(-2, 2, (2, 4))),
             lambda a: np.linalg.qr(a)[1] * np.linalg.qr(a, mode="complete")[0][:, :1]),
    ),
}


def _z(x, y):
    """A complex number from real arguments: its derivatives in x and y are the real and
    imaginary parts' (JAX's convention, checked against finite differences of each)."""
    return x + 1j * y


C23 = args(uniform(0.5, 2, (2, 3)), uniform(-2, 2, (2, 3)))

COMPLEX: dict[str, tuple[Case, ...]] = {
    "real": (Case("of z², times x", C23, lambda x, y: np.real(_z(x, y) ** 2) * x),
             Case("attribute, of a real array", args(A23), lambda x: np.real(x * x) + x.real)),
    "imag": (Case("of exp(z)", C23, lambda x, y: np.imag(np.exp(_z(x, y))) * y),
             Case("attribute", C23, lambda x, y: np.sin(_z(x, y)).imag ** 2)),
    "conj": (Case("conj(z)²·(1 + 2i)", C23,
                  lambda x, y: np.real(np.conjugate(_z(x, y)) ** 2 * (1 + 2j))),
             Case("method, z·conj(z)", C23, lambda x, y: np.real(_z(x, y).conj() * _z(x, y)))),
    "complex_abs": (Case("|z|", C23, lambda x, y: np.abs(_z(x, y))),
                    Case("|sin z|²", C23, lambda x, y: np.abs(np.sin(_z(x, y))) ** 2)),
    "angle": (Case("arg z", C23, lambda x, y: np.angle(_z(x, y))),
              Case("degrees, of z²", C23, lambda x, y: np.angle(_z(x, y) ** 2, deg=True))),
}
"""The complex-number records, exercised through real arguments x, y of z = x + iy."""

A24 = args(uniform(-2, 2, (2, 4)))

COMPLEX.update({
    "fft": (Case("real part, weighted", A24, lambda x: np.real(np.fft.fft(x)) * np.arange(4.0)),
            Case("of z, n = 5, axis 0, |.|²", C23,
                 lambda x, y: np.abs(np.fft.fft(_z(x, y), n=5, axis=0)) ** 2)),
    "ifft": (Case("of z², ortho, imaginary part", C23,
                  lambda x, y: np.imag(np.fft.ifft(_z(x, y) ** 2, norm="ortho"))),),
    "fftn": (Case("fft2 of z, |.|", C23, lambda x, y: np.abs(np.fft.fft2(_z(x, y)))),
             Case("fftn of x², real part", A24, lambda x: np.real(np.fft.fftn(x * x)))),
    "ifftn": (Case("ifft2 of z², real part", C23,
                   lambda x, y: np.real(np.fft.ifft2(_z(x, y) ** 2))),),
    "rfft": (Case("|.|², n = 6", A24, lambda x: np.abs(np.fft.rfft(x, n=6)) ** 2),
             Case("rfft2 of sin x, real part", A24, lambda x: np.real(np.fft.rfft2(np.sin(x))))),
    "irfft": (Case("of z, odd n = 5, squared", C23, lambda x, y: np.fft.irfft(_z(x, y), n=5) ** 2),
              Case("irfftn of z, squared", C23, lambda x, y: np.fft.irfftn(_z(x, y)) ** 2)),
})
"""The Fourier transforms: linear records with complex outputs (real inputs, and complex ones
through z = x + iy)."""

SPECS: dict[str, tuple[Case, ...]] = {**ELEMENTWISE, **ARRAYS, **DECOMPOSITIONS, **COMPLEX}
