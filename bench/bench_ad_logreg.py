"""W2: the gradient of a logistic-regression loss on large data, against autograd, PyTorch, JAX.

    L(w) = mean_i log(1 + exp(-y_i x_i.w)) = mean(np.logaddexp(0, -y * (X @ w)))

with X of shape (N, d) = (200000, 100), y = ±1, float64, seeded. The loss is plain NumPy
(the stable ``logaddexp`` form); chainrule differentiates that very function (array path:
a recorded reverse pass). Rows: the loss itself in NumPy, the hand-written gradient in NumPy
(what any non-fusing tool must at least compute), ``chainrule.grad``, autograd,
``torch.autograd.grad`` (X shared with NumPy, a fresh ``w`` tensor each call), and
``jax.jit(jax.grad(L))`` with X and y passed as arguments (already on the device);
``chainrule.jit(grad(L))`` on all cores and on one thread; and the memory-bandwidth floor of
any gradient, one read of X (``X @ w`` through BLAS, and ``X.sum()``). All
interleaved in one process; ratios are medians of per-round ratios. Gradients are checked
against the hand-written one to 1e-8 (relative, 2-norm). Peak memory of chainrule's gradient
call is traced with ``tracemalloc`` (NumPy reports its buffers to it) against the data size.

Targets: chainrule ≤ 2.0× the loss's own time, ≤ 1.2× JAX-jit's gradient; peak ≤ 2× the data.
``--profile`` adds cProfile and the pieces any gradient of L must compute, timed alone.
Run: ``python bench/bench_ad_logreg.py [--rounds N] [--n N] [--d D] [--peers ...]``.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

import _common  # noqa: F401 - puts the checkout's src/ on sys.path before chainrule
import chainrule
from bench_ad_common import (
    build_cases,
    check_values,
    fmt_ratio,
    fmt_time,
    hot_spots,
    interleave,
    load_peers,
    machine,
    parser,
    peer_versions,
    print_hot_spots,
    print_targets,
    ratio,
    table,
    targets,
    write_results,
)
from chainrule.core import blocks

TOL = 1e-8
LOSS, HAND, GRAD, JAX = "loss (NumPy)", "hand gradient (NumPy)", "chainrule.grad", "jax.jit(grad)"
JIT = "chainrule.jit(grad)"
JIT1 = "chainrule.jit(grad), 1 thread"
READ_MV, READ_SUM = "one read of X: X @ w (BLAS)", "one read of X: X.sum()"
FLOORS = (READ_MV, READ_SUM)  # the memory-bandwidth floor of any gradient: X is read once


def make_data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d) / np.sqrt(d)
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-3 * (X @ w_true))), 1.0, -1.0)
    w = 0.1 * rng.standard_normal(d)
    return X, y, w


def make_loss(X, y):
    def loss(w):
        return np.mean(np.logaddexp(0.0, -y * (X @ w)))
    return loss


def make_hand_grad(X, y):
    """∇L = -Xᵀ(y σ(-y z)) / N, written out in NumPy."""
    def hand(w):
        m = -y * (X @ w)
        s = np.exp(m - np.logaddexp(0.0, m))  # σ(m), stable
        return (-y * s) @ X / len(y)
    return hand


def setups(X, y, w) -> list:
    def loss():
        fn = make_loss(X, y)
        return lambda: fn(w)

    def hand():
        fn = make_hand_grad(X, y)
        return lambda: fn(w)

    def grad():
        fn = chainrule.grad(make_loss(X, y))
        return lambda: fn(w)

    def jitted():
        fn = chainrule.jit(chainrule.grad(make_loss(X, y)))
        fn(w)  # record and generate once, as jax.jit compiles on its first call
        return lambda: fn(w)

    def jitted_one_thread():
        fn = chainrule.jit(chainrule.grad(make_loss(X, y)))
        fn(w)

        def call():
            blocks.set_threads(1)
            try:
                return fn(w)
            finally:
                blocks.set_threads(None)
        return call

    def read_mv():
        return lambda: X @ w

    def read_sum():
        return lambda: X.sum()

    def autograd():
        import autograd.numpy as anp
        from autograd import grad as agrad
        fn = agrad(lambda v: anp.mean(anp.logaddexp(0.0, -y * anp.dot(X, v))))
        return lambda: fn(w)

    def torch():
        import torch
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)  # shared memory, no copy
        zero = torch.zeros((), dtype=torch.float64)

        def call():
            wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            lt = torch.mean(torch.logaddexp(zero, -yt * (Xt @ wt)))
            return torch.autograd.grad(lt, wt)[0].numpy()
        return call

    def jax():
        import jax
        import jax.numpy as jnp
        Xj, yj, wj = jax.device_put(X), jax.device_put(y), jax.device_put(w)

        def lj(v, A, b):
            return jnp.mean(jnp.logaddexp(0.0, -b * (A @ v)))
        g = jax.jit(jax.grad(lj))
        return lambda: np.asarray(g(wj, Xj, yj))

    return [(LOSS, None, loss), (HAND, None, hand), (GRAD, None, grad), (JIT, None, jitted),
            (JIT1, None, jitted_one_thread), (READ_MV, None, read_mv),
            (READ_SUM, None, read_sum),
            ("autograd.grad", "autograd", autograd), ("torch.autograd.grad", "torch", torch),
            (JAX, "jax", jax)]


def peak_bytes(fn) -> int | None:
    """Peak of traced allocations during one call of ``fn`` (None if it raises)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    except Exception:  # noqa: BLE001 - reported as not measured
        return None
    finally:
        tracemalloc.stop()


def components(X, y, w, rounds: int, notes: list[str]) -> dict:
    """The pieces any reverse pass of L computes, timed alone, interleaved with L itself.

    The forward matrix-vector product X @ w and the backward one Xᵀg are the bulk; the
    backward product is also timed as ``np.einsum`` (NumPy's own loop, no BLAS).
    """
    z = X @ w
    m = -y * z
    ans = np.logaddexp(0.0, m)
    g = np.exp(m - ans) * (-y) / len(y)
    loss = make_loss(X, y)
    cases = {
        LOSS: lambda: loss(w),
        "forward  X @ w": lambda: X @ w,
        "forward  elementwise: mean(logaddexp(0, -y*z))":
            lambda: np.mean(np.logaddexp(0.0, -y * z)),
        "backward elementwise: exp(m - ans) * (-y) / N": lambda: np.exp(m - ans) * (-y) / len(y),
        "backward Xᵀg as chainrule does: matmul(g[None], X)[0]":
            lambda: np.matmul(g[None, :], X)[0],
        "backward Xᵀg as np.einsum('i,ij->j', g, X)": lambda: np.einsum("i,ij->j", g, X),
    }
    return interleave(cases, rounds, notes, batch_s=0.0)


def main() -> None:
    p = parser(__doc__, rounds=9)
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--d", type=int, default=100)
    a = p.parse_args()

    notes: list[str] = []
    peers = load_peers(a.peers, a.torch_threads)
    X, y, w = make_data(a.n, a.d)
    data_bytes = X.nbytes + y.nbytes
    ref = make_hand_grad(X, y)(w)
    cases = build_cases(setups(X, y, w), peers, notes)
    errs = check_values(
        cases, lambda g: np.linalg.norm(np.asarray(g, dtype=float) - ref) / np.linalg.norm(ref),
        TOL, notes, skip=(LOSS, *FLOORS))
    peaks = {name: peak_bytes(cases[name]) for name in (LOSS, HAND, GRAD, JIT) if name in cases}
    timings = interleave(cases, a.rounds, notes, batch_s=0.0)  # calls are long: one a batch

    peak = peaks.get(GRAD)
    result_targets = targets([
        ("chainrule.grad / loss (NumPy)", ratio(timings, GRAD, LOSS), 2.0, GRAD),
        ("chainrule.grad / jax.jit(grad)", ratio(timings, GRAD, JAX), 1.2, GRAD),
        ("chainrule.jit(grad) / loss (NumPy)", ratio(timings, JIT, LOSS), 1.3, JIT),
        ("chainrule.jit(grad) / jax.jit(grad)", ratio(timings, JIT, JAX), 1.0, JIT),
        ("chainrule.grad peak memory / data", None if peak is None else peak / data_bytes,
         2.0, GRAD),
        ("hand gradient / loss (the floor without fusion)", ratio(timings, HAND, LOSS), None,
         None),
        ("chainrule.jit(grad), 1 thread / loss (NumPy)", ratio(timings, JIT1, LOSS), None, None),
        ("loss (NumPy) / X @ w (the loss's own floor: one BLAS read of X)",
         ratio(timings, LOSS, READ_MV), None, None),
        ("chainrule.jit(grad) / X.sum() (one read of X at memory bandwidth)",
         ratio(timings, JIT, READ_SUM), None, None),
        ("chainrule.grad / hand gradient", ratio(timings, GRAD, HAND), None, None),
    ], errs, TOL)

    print(f"W2: gradient of the logistic-regression NLL, N = {a.n}, d = {a.d} "
          f"(data {data_bytes / 2**20:.0f} MiB)")
    print(table(["tool", "median/call", "min/call", "tool / loss", "chainrule / tool",
                 "peak mem / data", "rel err"],
                [[name, fmt_time(t["median_s"]), fmt_time(t["min_s"]),
                  fmt_ratio(ratio(timings, name, LOSS)), fmt_ratio(ratio(timings, GRAD, name)),
                  f"{peaks[name] / data_bytes:.3f}" if peaks.get(name) else "-",
                  f"{errs[name]:.0e}" if name in errs else "-"]
                 for name, t in timings.items()]))
    print()
    print_targets(result_targets)
    for note in notes:
        print("note:", note)

    result = {"n": a.n, "d": a.d, "data_bytes": data_bytes, "rel_err": errs,
              "peak_bytes": peaks, "timings": timings, "targets": result_targets,
              "rounds": a.rounds, "versions": peer_versions(peers), "machine": machine(),
              "notes": notes}
    if a.profile and GRAD in cases:
        result["profile"] = hot_spots(cases[GRAD], 10)
        print_hot_spots("cProfile of chainrule.grad(loss)(w), per call:", result["profile"])
        parts = components(X, y, w, a.rounds, notes)
        result["components"] = parts
        print("\nThe pieces of any gradient of L, timed alone (interleaved with the loss):")
        print(table(["piece", "median", "/ loss"],
                    [[k, fmt_time(v["median_s"]), fmt_ratio(ratio(parts, k, LOSS))]
                     for k, v in parts.items()]))
    print("wrote", write_results("ad_logreg", result))


if __name__ == "__main__":
    main()
