"""More of NumPy on traced values: rearranging, picking, grids, statistics, NaN-aware
reductions, ``partition`` and the array-API names of ``numpy.linalg``.

Each case is checked twice: its value is NumPy's (same numbers, same shapes, same structure),
and its derivatives agree with finite differences in forward and reverse mode to second order
(through a scalar of every output, so tuple outputs count in full).
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule import grad, jvp
from chainrule.autodiff.pytree import flatten
from chainrule.errors import NotDifferentiable

R = np.random.default_rng(7)
A = R.uniform(-2, 2, (3, 4))
V = np.array([0.7, -1.3, 2.1, 0.4])
T = R.uniform(-2, 2, (2, 3, 4))
_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # NumPy 2 renamed it

CASES = [
    (lambda a: np.rot90(a), (A,)),
    (lambda a: np.rot90(a, 2), (A,)),
    (lambda a: np.rot90(a, 3, axes=(1, 0)), (A,)),
    (lambda t: np.rollaxis(t, 2), (T,)),
    (lambda t: np.rollaxis(t, 0, 3), (T,)),
    (lambda a, b: np.dstack([a, b]), (A, A)),
    (lambda v: np.dstack([v, v]), (V,)),
    (lambda a: np.block([[a, a], [a, a]]), (A,)),
    (lambda v: np.block([v, v]), (V,)),
    (lambda a: np.block([[a[:, :2], a[:, 2:]]]), (A,)),
    (lambda t: np.unstack(t, axis=1) if hasattr(np, "unstack") else (t,), (T,)),
    (
        lambda v: (
            np.cumulative_sum(v, include_initial=True) if hasattr(np, "cumulative_sum") else v
        ),
        (V,),
    ),
    (lambda a: np.cumulative_prod(a, axis=1) if hasattr(np, "cumulative_prod") else a, (A,)),
    (lambda a: _trapezoid(a), (A,)),
    (lambda a: _trapezoid(a, dx=0.5, axis=0), (A,)),
    (lambda a, v: _trapezoid(a, v), (A, np.sort(V))),
    (lambda a: np.delete(a, [0, 2], axis=1), (A,)),
    (lambda a: np.delete(a, 3), (A,)),
    (lambda a: np.compress([True, False, True], a, axis=0), (A,)),
    (lambda a: np.extract(a > 0, a), (A,)),
    (lambda v: np.choose([0, 1, 0, 1], [v, v**2]), (V,)),
    (lambda v: np.diagflat(v, 1), (V,)),
    (lambda a: np.resize(a, (5, 3)), (A,)),
    (lambda v, w: np.meshgrid(v, w[:3]), (V, V)),
    (lambda v, w: np.meshgrid(v, w[:3], indexing="ij", sparse=True), (V, V)),
    (lambda s: np.linspace(s, 3.0, 7), (0.3,)),
    (lambda s: np.linspace(-1.0, s, 5, endpoint=False, retstep=True), (0.3,)),
    (lambda v, w: np.polyval(v, w), (V, A)),
    (lambda v: np.vander(v), (V,)),
    (lambda v: np.vander(v, 3, increasing=True), (V,)),
    (np.cov, (A,)),
    (lambda a: np.cov(a, rowvar=False, bias=True), (A,)),
    (lambda v: np.cov(v, v**2), (V,)),
    (np.corrcoef, (A,)),
    (lambda a: np.fft.fftshift(a), (A,)),
    (lambda a: np.fft.ifftshift(a, axes=1), (A,)),
    (lambda v: np.unwrap(v * 3), (V,)),
    (lambda v: np.trim_zeros(np.concatenate([[0.0], v, [0.0, 0.0]])), (V,)),
    (lambda v: np.piecewise(v, [v < 0, v >= 0], [lambda x: x**2, lambda x: np.sin(x)]), (V,)),
    (lambda v: np.piecewise(v, [v < 0], [lambda x: x**2, 1.5]), (V,)),
    (lambda a: np.apply_along_axis(np.sum, 1, a), (A,)),
    (lambda a: np.apply_along_axis(np.cumsum, 0, a), (A,)),
    (lambda v: np.unique(np.concatenate([v, v[:2]])), (V,)),
    (lambda v: np.unique(v, return_index=True, return_counts=True), (V,)),
    (lambda a: np.partition(a, 1, axis=1), (A,)),
    (lambda a: np.partition(a, [0, 2], axis=None), (A,)),
    (lambda a: np.nanmax(a, axis=0), (A,)),
    (lambda a: np.nanmin(np.where(a > 1, np.nan, a)), (A,)),
    (lambda a: np.nanprod(np.where(a > 1, np.nan, a), axis=1), (A,)),
    (lambda a: np.nancumsum(np.where(a > 1, np.nan, a), axis=1), (A,)),
    (lambda a: np.nancumprod(np.where(a > 1, np.nan, a)), (A,)),
    (lambda a: np.nanvar(np.where(a > 1, np.nan, a), axis=1), (A,)),
    (lambda a: np.nanstd(np.where(a > 1, np.nan, a), ddof=1), (A,)),
    (lambda a: np.nanmedian(np.where(a > 1, np.nan, a)), (A,)),
    (lambda a: np.nanquantile(a, 0.3, axis=1), (A,)),
    (lambda a: np.nanpercentile(np.where(a > 1, np.nan, a), [20, 70]), (A,)),
    (lambda a, b: np.linalg.multi_dot([a, b.T, a]), (A, A)),
    (
        lambda t: np.linalg.tensorinv((np.eye(6) * 3 + t.reshape(6, 4)[:, :1]).reshape(6, 2, 3), 1),
        (T,),
    ),
    (
        lambda t: np.linalg.tensorsolve(
            (np.eye(6) * 3 + t.reshape(6, 4)[:, :1]).reshape(2, 3, 6), t[0, :2, :3]
        ),
        (T,),
    ),
]
if hasattr(np.linalg, "vector_norm"):  # numpy.linalg's array-API names: NumPy 2 only
    CASES += [
        (lambda a: np.linalg.vector_norm(a), (A,)),
        (lambda a: np.linalg.vector_norm(a, axis=1, ord=3, keepdims=True), (A,)),
        (lambda t: np.linalg.matrix_norm(t, ord="nuc"), (T,)),
        (lambda a, b: np.linalg.matmul(a, b.T), (A, A)),
        (lambda v: np.linalg.outer(v, v), (V,)),
        (lambda a, b: np.linalg.cross(a[:, :3], b[:, 1:]), (A, A)),
        (lambda t: np.linalg.diagonal(t, offset=1), (T,)),
        (lambda t: np.linalg.trace(t), (T,)),
        (lambda a, b: np.linalg.tensordot(a, b.T, axes=1), (A, A)),
        (lambda a, b: np.linalg.vecdot(a, b), (A, A)),
        (lambda t: np.linalg.matrix_transpose(t), (T,)),
    ]


def _scalar(fn):
    """Σ sin(output + 0.3) over every floating output: one number that sees them all."""

    def f(*xs):
        return sum(np.sum(np.sin(o + 0.3)) for o in flatten(fn(*xs))[0] if np.size(o))

    return f


@pytest.mark.parametrize(("fn", "args"), CASES)
def test_values_are_numpys(fn, args):
    out, _ = jvp(fn, args, tuple(np.zeros_like(np.asarray(a)) for a in args))
    ours, theirs = flatten(out)[0], flatten(fn(*args))[0]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
        assert np.shape(a) == np.shape(b)


@pytest.mark.parametrize(("fn", "args"), CASES)
def test_derivatives_match_finite_differences(fn, args):
    report = chainrule.check_grads(
        _scalar(fn), args, modes=("fwd", "rev"), order=2, eps=1e-3, raise_on_fail=False
    )
    assert report.ok, report


def test_nan_order_statistics_along_an_axis_with_nans_are_refused():
    with pytest.raises(NotDifferentiable, match="numpy.nanmedian.*axis=None"):
        grad(lambda a: np.sum(np.nanmedian(np.where(a > 1, np.nan, a), axis=0)))(A)


def test_partition_gradient_follows_the_entries():
    g = grad(lambda v: np.partition(v, 1)[1])(V)  # the second smallest is V[3] = 0.4
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 1.0])


# -- the crashes: each a right value or a refusal that says what to write ----------


def test_std_of_a_list_of_traced_values_says_to_stack_them():
    with pytest.raises(NotDifferentiable, match=r"numpy\.array .*np\.stack"):
        grad(lambda x: np.std([x, x + 2]))(1.0)
    # what it says to write works: std of (x, x + 2) is 1 for every x, its slope 0
    assert grad(lambda x: np.std(np.stack([x, x + 2])))(1.0) == 0.0
    assert grad(lambda x: np.std(np.stack([x, 3 * x])))(1.0) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "build",
    [np.vstack, lambda x: np.vstack([x]), np.hstack, lambda x: np.vstack([x, x**2]), np.dstack],
)
def test_stacking_one_1d_traced_array_is_numpys(build):
    x0 = np.array([1.0, 2.0, 3.0])
    out, tangent = jvp(build, (x0,), (np.ones(3),))
    np.testing.assert_array_equal(out, build(x0))
    h = 1e-6  # the direction is all ones
    np.testing.assert_allclose(tangent, (build(x0 + h) - build(x0 - h)) / (2 * h), rtol=1e-7)


def test_integer_conversion_of_a_traced_value_is_refused_clearly():
    for convert in (np.int64, np.int32, np.float32):
        with pytest.raises(NotDifferentiable, match="np.float64\\(x\\)"):
            grad(lambda x, c=convert: c(x) * x)(2.0)
    with pytest.raises(TypeError, match="traced value"):
        grad(lambda x: int(x) * x)(2.0)


# -- einsum: '...' and repeated indices (diagonals) ------------------------------------------

_E = np.random.default_rng(1)
EINSUMS = [
    ("ii->i", (_E.normal(size=(3, 3)),)),
    ("ii", (_E.normal(size=(3, 3)),)),
    ("iij->ij", (_E.normal(size=(3, 3, 2)),)),
    ("ijj,j->i", (T[:, :3, :3], V[:3])),
    ("...ij,jk->...ik", (T, A.T)),
    ("...ij,...jk", (T, _E.normal(size=(1, 4, 2)))),
    ("bij,...jk->bik", (T, A.T)),
    ("i...->...", (T,)),
    ("i...j->j...", (T,)),
    ("...i,...i->...", (T, V)),
    ("...ii->...i", (T[:, :3, :3],)),
]


@pytest.mark.parametrize(("subscripts", "args"), EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum_with_ellipsis_and_diagonals(subscripts, args):
    f = lambda *xs: np.einsum(subscripts, *xs)  # noqa: E731
    out, _ = jvp(f, args, tuple(np.zeros_like(a) for a in args))
    np.testing.assert_allclose(out, f(*args), rtol=1e-12, atol=1e-14)
    assert np.shape(out) == np.shape(f(*args))
    report = chainrule.check_grads(
        lambda *xs: np.sum(np.sin(f(*xs))), args, modes=("fwd", "rev"), order=2, raise_on_fail=False
    )
    assert report.ok, report


# -- more ufuncs: integer parts constant, the rest differentiable ----------------------------

UFUNCS = [
    (lambda v, w: np.divmod(v * 3, w + 2.5), (V, V[::-1])),
    (lambda v: np.modf(v * 3), (V,)),
    (lambda v: np.frexp(v * 3), (V,)),
    (lambda v: np.ldexp(v, np.array([1, -2, 0, 3])), (V,)),
    (lambda v, w: np.nextafter(v, w), (V, V[::-1])),
    (lambda v, w: np.floor_divide(v, 0.37) * w, (V, V)),
    (lambda v: np.spacing(v) + v, (V,)),
] + [
    (lambda a, b, f=f: f(a, b), args)
    for f, args in (
        (getattr(np, "vecdot", None), (T, V)),
        (getattr(np, "matvec", None), (T, V)),
        (getattr(np, "vecmat", None), (T[:, :, 0], T)),
    )
    if isinstance(f, np.ufunc)
]


@pytest.mark.parametrize(("fn", "args"), UFUNCS)
def test_more_ufuncs_are_numpys_and_differentiable(fn, args):
    out, _ = jvp(fn, args, tuple(np.zeros_like(a) for a in args))
    for a, b in zip(flatten(out)[0], flatten(fn(*args))[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)
    report = chainrule.check_grads(
        _scalar(fn), args, modes=("fwd", "rev"), order=2, eps=1e-4, raise_on_fail=False
    )
    assert report.ok, report


# -- polynomials, insertion, set picks, spaced sequences -------------------------------------

_X = np.array([-1.5, -0.4, 0.3, 1.1, 2.0])
SEQUENCES = [
    (lambda p, q: np.polyadd(p, q[:2]), (V, V)),
    (lambda p, q: np.polysub(p[:2], q), (V, V)),
    (np.polymul, (V, V[:3])),
    (lambda p: np.polyder(p, 2), (V,)),
    (np.polyder, (V,)),
    (lambda p: np.polyint(p, 2, k=[0.5, -1.0]), (V,)),
    (np.polyint, (V,)),
    (lambda x, y: np.polyfit(x, y, 2), (_X, np.sin(_X))),
    (np.poly, (V,)),
    (lambda a: np.poly(a @ a.T), (A,)),
    (lambda r: np.roots(np.poly(r)), (np.array([2.0, -1.0, 0.5]),)),
    (lambda p: np.roots(np.concatenate([[0.0], p, [0.0]])), (np.array([1.0, -1.5, 0.5]),)),
    (lambda a, v: np.insert(a, 1, v[0], axis=1), (A, V)),
    (lambda a, v: np.insert(a, [0, 2], v[:2]), (A, V)),
    (lambda a, v: np.insert(a, 2, v[:3], 0), (A.T, V)),
    (lambda v: np.setdiff1d(np.concatenate([v, v[:1]]), v[2:3]), (V,)),
    (lambda s: np.logspace(s, 2.0, 5), (0.3,)),
    (lambda s: np.geomspace(s, 8.0, 4), (0.5,)),
    (lambda v, w: np.union1d(v, w[:2]), (V, V[::-1] + 0.25)),
    (lambda w: np.bincount(np.array([0, 3, 1, 3]), weights=w, minlength=6), (V,)),
    (lambda a: np.apply_over_axes(np.sum, a, [0, 1]), (A,)),
    (lambda a: np.histogram(a, 4), (A,)),
    (lambda a: np.histogram(a, 3, weights=np.sin(a), density=True), (A,)),
    (lambda a, w: np.histogram(a, [-1.0, 0.05, 1.5], weights=w), (A, A**2)),
    (lambda a, w: np.histogram(a, 5, range=(-1.0, 1.5), weights=w), (A, A**2)),
    (lambda a: np.histogram_bin_edges(a, 6), (A,)),
] + [
    (lambda v, f=f: f(np.concatenate([v, v[1:3]])), (V,))
    for f in (
        getattr(np, n, None)
        for n in ("unique_values", "unique_counts", "unique_inverse", "unique_all")
    )
    if f is not None
]


@pytest.mark.parametrize(("fn", "args"), SEQUENCES)
def test_sequences_are_numpys_and_differentiable(fn, args):
    out, _ = jvp(fn, args, tuple(np.zeros_like(np.asarray(a)) for a in args))
    theirs = fn(*args)
    assert type(out) is type(theirs) or np.ndim(theirs) <= 1
    for a, b in zip(flatten(out)[0], flatten(theirs)[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        assert np.shape(a) == np.shape(b)
    report = chainrule.check_grads(
        _scalar(fn), args, modes=("fwd", "rev"), order=2, eps=1e-4, raise_on_fail=False
    )
    assert report.ok, report


def test_slogdet_of_a_matrix_whose_determinant_overflows():
    a = 1e3 * np.eye(200) + np.diag(np.full(199, 1.0), 1)  # det = 10^600: inf as a float
    sign, logabsdet = np.linalg.slogdet(a)
    value, g = chainrule.value_and_grad(lambda a: np.linalg.slogdet(a)[1])(a)
    assert value == pytest.approx(logabsdet) and np.isfinite(value)
    np.testing.assert_allclose(g, np.linalg.inv(a).T, rtol=1e-12, atol=1e-18)  # A⁻ᵀ


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric", "wrap"])
def test_pad_modes_that_copy_entries(mode):
    f = lambda a: np.pad(a, ((2, 1), (0, 3)), mode=mode)  # noqa: E731
    out, _ = jvp(f, (A,), (np.zeros_like(A),))
    np.testing.assert_array_equal(out, f(A))
    report = chainrule.check_grads(
        lambda a: np.sum(np.sin(f(a)) * np.arange(42.0).reshape(6, 7)),
        (A,),
        modes=("fwd", "rev"),
        order=2,
        raise_on_fail=False,
    )
    assert report.ok, report


def test_pad_modes_that_compute_are_refused():
    with pytest.raises(NotDifferentiable, match="numpy.pad.*'mean'"):
        grad(lambda a: np.sum(np.pad(a, 1, mode="mean")))(A)


QUANTILE_METHODS = [
    "linear",
    "hazen",
    "weibull",
    "median_unbiased",
    "normal_unbiased",
    "interpolated_inverted_cdf",
    "lower",
    "higher",
    "nearest",
    "midpoint",
]


@pytest.mark.parametrize("method", QUANTILE_METHODS)
def test_quantile_methods_are_numpys_and_differentiable(method):
    f = lambda a: np.quantile(a, [0.0, 0.1, 0.37, 0.5, 1.0], axis=1, method=method)  # noqa: E731
    out, _ = jvp(f, (A,), (np.zeros_like(A),))
    np.testing.assert_allclose(out, f(A), rtol=1e-14)
    report = chainrule.check_grads(
        lambda a: np.sum(np.sin(f(a))),
        (A,),
        modes=("fwd", "rev"),
        order=2,
        eps=1e-3,
        raise_on_fail=False,
    )
    assert report.ok, report


def test_intersect1d_gives_the_first_arrays_entries():
    w = np.array([2.1, 5.0, 0.7])  # V shares 0.7 and 2.1 with it
    values = np.intersect1d(V, w)
    out, _ = jvp(lambda v: np.intersect1d(v, w), (V,), (np.zeros(4),))
    np.testing.assert_array_equal(out, values)
    np.testing.assert_array_equal(
        grad(lambda v: np.sum(np.intersect1d(v, w) ** 2))(V), [1.4, 0.0, 4.2, 0.0]
    )
