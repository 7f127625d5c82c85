"""Dask: lazy gradients of functions of Dask arrays, an out-of-core gradient on a LocalCluster
whose workers have less memory than the data, and Monte Carlo chunks as Dask tasks.

The oracles are NumPy: the textbook logistic gradient Xᵀ(σ(Xw) − y) on the same rows held in
memory, and the same estimator run in one process.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
from chainrule import mc

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _refuse(*args, **kwargs):
    raise AssertionError("the Dask graph was computed before it was asked for")


def _logistic_grad(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    return X.T @ (1 / (1 + np.exp(-(X @ w))) - y)


def _nll(X, y):
    # the spelling: a dask.array reduction applied to a traced value
    return lambda w: da.sum(np.logaddexp(0, X @ w) - y * (X @ w))


def test_gradient_of_dask_code_is_right_and_lazy():
    rng = np.random.default_rng(0)
    X_np, w = rng.standard_normal((200, 4)), rng.standard_normal(4)
    y_np = (rng.uniform(size=200) < 0.5).astype(float)
    X, y = da.from_array(X_np, chunks=(50, 4)), da.from_array(y_np, chunks=50)
    with dask.config.set(scheduler=_refuse):  # building the gradient computes nothing
        g = chainrule.grad(_nll(X, y))(w)
        value = chainrule.value_and_grad(lambda v: np.sum(np.logaddexp(0, X @ v)))(w)[0]
    assert isinstance(g, da.Array) and isinstance(value, da.Array)
    np.testing.assert_allclose(g.compute(), _logistic_grad(X_np, y_np, w), rtol=1e-12)
    np.testing.assert_allclose(value.compute(), np.sum(np.logaddexp(0, X_np @ w)), rtol=1e-12)


def test_dask_jvp_and_hessian_vector_product():
    rng = np.random.default_rng(1)
    X_np, w, v = rng.standard_normal((60, 3)), rng.standard_normal(3), rng.standard_normal(3)
    X = da.from_array(X_np, chunks=(20, 3))
    f = lambda u: np.sum(np.logaddexp(0, X @ u))  # noqa: E731
    p = 1 / (1 + np.exp(-(X_np @ w)))
    with dask.config.set(scheduler=_refuse):
        hv = chainrule.hvp(f, w, v)
    np.testing.assert_allclose(np.asarray(hv), X_np.T @ (p * (1 - p) * (X_np @ v)), rtol=1e-10)


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    # two single-threaded worker processes with 180 MB each: less than the 400 MB of data
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="180MB",
                                  processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


ROWS, COLS, CHUNK = 1_000_000, 50, 50_000  # 400 MB of float64, 20 MB a chunk


def _data():
    """X (generated chunk by chunk on the workers, never whole) and labels, lazily."""
    state = da.random.RandomState(42)
    X = state.standard_normal((ROWS, COLS), chunks=(CHUNK, COLS))
    y = (state.uniform(size=ROWS, chunks=CHUNK) < 0.5).astype(float)
    return X, y


def test_out_of_core_gradient_on_a_local_cluster(cluster_client):
    X, y = _data()
    assert X.nbytes > 2 * 180e6  # the data do not fit in the workers' memory together
    w = np.linspace(-0.05, 0.05, COLS)
    g = chainrule.grad(_nll(X, y))(w)
    total = cluster_client.compute(g).result()
    # NumPy on in-memory slices: the first chunk alone, and every chunk's textbook gradient
    first = chainrule.grad(_nll(X[:CHUNK], y[:CHUNK]))(w).compute()
    X0, y0 = X[:CHUNK].compute(), y[:CHUNK].compute()
    np.testing.assert_allclose(first, _logistic_grad(X0, y0, w), rtol=1e-10)
    parts = [dask.delayed(_logistic_grad)(X.blocks[i], y.blocks[i], w)
             for i in range(X.numblocks[0])]
    expected = sum(cluster_client.gather(cluster_client.compute(parts)))
    np.testing.assert_allclose(total, expected, rtol=1e-9)


def f(z):
    return (z - 3.0) ** 2


@pytest.mark.parametrize("baseline", [None, "mean", "optimal"])
def test_monte_carlo_chunks_as_dask_tasks(cluster_client, baseline):
    dist = mc.Normal(0.5, 1.5)
    here = mc.score_function(f, dist, n=300_001, baseline=baseline, seed=5, chunk=100_000)
    there = mc.score_function(f, dist, n=300_001, baseline=baseline, seed=5, chunk=100_000,
                              workers=cluster_client)
    assert here.grad == there.grad and here.variance == there.variance
    path_here = mc.pathwise(f, dist, n=200_000, seed=2, chunk=65_536)
    path_there = mc.pathwise(f, dist, n=200_000, seed=2, chunk=65_536,
                             workers=cluster_client.scheduler.address)
    assert path_here.grad == path_there.grad
    # and the estimate is right: d/dμ E[(z − 3)²] = 2(μ − 3), d/dσ = 2σ
    np.testing.assert_allclose([there.grad["loc"], there.grad["scale"]], [-5.0, 3.0],
                               atol=6 * max(there.stderr["loc"], there.stderr["scale"]))


def test_estimate_command_with_a_scheduler(cluster_client):
    import json

    from typer.testing import CliRunner

    from chainrule.cli.main import app
    args = ["estimate", "--dist", "normal", "--params", "loc=1,scale=2", "--f", "(z-3)^2",
            "--n", "200000", "--chunk", "65536", "--seed", "4", "--format", "json",
            "--estimators", "score-mean,pathwise"]
    local = CliRunner().invoke(app, args)
    remote = CliRunner().invoke(app, [*args, "--scheduler", cluster_client.scheduler.address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    def means(output: str) -> list:  # everything but the timings
        return [(r["estimator"], r["param"], r["mean"], r["variance"])
                for r in json.loads(output)["rows"]]
    assert means(local.output) == means(remote.output)
    assert len(means(remote.output)) == 4


def test_a_scheduler_that_does_not_answer():
    pytest.importorskip("distributed")
    with pytest.raises(chainrule.ChainruleError, match="no Dask scheduler answered"):
        mc.score_function(f, mc.Normal(0.0, 1.0), n=1000, seed=1,
                          workers="tcp://127.0.0.1:9")
