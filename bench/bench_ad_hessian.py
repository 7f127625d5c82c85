"""W3: the dense Hessian of a 100-dimensional function, against PyTorch, JAX and autograd.

    f(x) = Σ_i exp(sin(x_i)) x_i² + (Σ_i x_i)² / 2,     x ∈ R^100 (seeded, in (-1, 1))

Its Hessian is diag(h''(x_i)) + 1·1ᵀ with h(t) = exp(sin t) t²: dense, so no tool can skip
entries. Rows: ``chainrule.hessian`` (forward over reverse, general), ``torch.func.hessian``,
``jax.hessian`` un-jitted and ``jax.jit(jax.hessian(f))``, autograd's ``hessian``, and a
*compiled* chainrule row. chainrule has no compiled Hessian of a general function yet, so that
row uses the structure of f (elementwise + sums): ``chainrule.compile(chainrule.diff(h,
order=2))`` over the whole vector, placed on the diagonal of the (constant) Hessian of
(Σx)²/2 — a compiled symbolic second derivative, not a general Hessian path. All interleaved
in one process; ratios are medians of per-round ratios; every Hessian is checked against the
closed form to 1e-10 (relative to its largest entry).

Targets: chainrule.hessian no slower than torch.func.hessian; the compiled row within 3× of
JAX-jit. Run: ``python bench/bench_ad_hessian.py [--rounds N] [--n N] [--peers ...]``.
"""

from __future__ import annotations

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

TOL = 1e-10
HESS, COMPILED = "chainrule.hessian", "chainrule compiled (h'' by diff; uses f's structure)"
TORCH, JAX_JIT = "torch.func.hessian", "jax.jit(hessian)"


def f(x):
    return np.sum(np.exp(np.sin(x)) * x**2) + np.sum(x) ** 2 / 2


def h(t):
    """The elementwise part of f, a function of one variable (for the symbolic route)."""
    return np.exp(np.sin(t)) * t**2


def closed_form(x: np.ndarray) -> np.ndarray:
    s, c = np.sin(x), np.cos(x)
    d2 = np.exp(s) * (2 + 4 * x * c + x**2 * c**2 - x**2 * s)
    return np.diag(d2) + np.ones((len(x), len(x)))


def setups(x: np.ndarray) -> list:
    def hessian():
        fn = chainrule.hessian(f)
        return lambda: fn(x)

    def compiled():
        h2 = chainrule.compile(chainrule.diff(h, order=2))
        diagonal = np.diag_indices(len(x))

        def call():
            out = np.ones((len(x), len(x)))  # the Hessian of (Σx)²/2
            out[diagonal] += h2(x)
            return out
        return call

    def torch():
        import torch

        def ft(v):
            return torch.sum(torch.exp(torch.sin(v)) * v**2) + torch.sum(v) ** 2 / 2
        th, xt = torch.func.hessian(ft), torch.from_numpy(x)
        return lambda: th(xt).numpy()

    def jax():
        import jax
        import jax.numpy as jnp

        def fj(v):
            return jnp.sum(jnp.exp(jnp.sin(v)) * v**2) + jnp.sum(v) ** 2 / 2
        eager, jitted, xj = jax.hessian(fj), jax.jit(jax.hessian(fj)), jax.device_put(x)
        return {"jax.hessian (eager)": lambda: np.asarray(eager(xj)),
                JAX_JIT: lambda: np.asarray(jitted(xj))}

    def autograd():
        import autograd.numpy as anp
        from autograd import hessian as ahess
        fn = ahess(lambda v: anp.sum(anp.exp(anp.sin(v)) * v**2) + anp.sum(v) ** 2 / 2)
        return lambda: fn(x)

    return [(HESS, None, hessian), (COMPILED, None, compiled), (TORCH, "torch", torch),
            ("jax", "jax", jax), ("autograd.hessian", "autograd", autograd)]


def main() -> None:
    p = parser(__doc__, rounds=11)
    p.add_argument("--n", type=int, default=100, help="dimension")
    a = p.parse_args()

    notes: list[str] = []
    peers = load_peers(a.peers, a.torch_threads)
    x = np.random.default_rng(0).uniform(-1.0, 1.0, a.n)
    ref = closed_form(x)
    cases = build_cases(setups(x), peers, notes)
    errs = check_values(cases, lambda H: np.max(np.abs(np.asarray(H, dtype=float) - ref))
                        / np.max(np.abs(ref)), TOL, notes)
    timings = interleave(cases, a.rounds, notes, batch_s=0.05)

    result_targets = targets([
        ("chainrule.hessian / torch.func.hessian", ratio(timings, HESS, TORCH), 1.0, HESS),
        ("compiled row / jax.jit(hessian)", ratio(timings, COMPILED, JAX_JIT), 3.0, COMPILED),
        ("chainrule.hessian / jax.jit(hessian)", ratio(timings, HESS, JAX_JIT), None, None),
    ], errs, TOL)

    print(f"W3: Hessian of sum(exp(sin x) x^2) + (sum x)^2/2, n = {a.n}")
    print(table(["tool", "median/call", "min/call", "chainrule.hessian / tool",
                 "compiled / tool", "rel err"],
                [[name, fmt_time(t["median_s"]), fmt_time(t["min_s"]),
                  fmt_ratio(ratio(timings, HESS, name)), fmt_ratio(ratio(timings, COMPILED, name)),
                  f"{errs[name]:.0e}" if name in errs else "-"]
                 for name, t in timings.items()]))
    print()
    print_targets(result_targets)
    print("note: chainrule has no compiled Hessian of a general function; the compiled row "
          "uses f's elementwise + sum structure")
    for note in notes:
        print("note:", note)

    result = {"n": a.n, "rel_err": errs, "timings": timings, "targets": result_targets,
              "compiled_row": "structure-specific: chainrule.compile(chainrule.diff(h, "
                              "order=2)) on the diagonal of the ones matrix; chainrule has no "
                              "general compiled Hessian path",
              "rounds": a.rounds, "versions": peer_versions(peers), "machine": machine(),
              "notes": notes}
    if a.profile and HESS in cases:
        result["profile"] = hot_spots(cases[HESS], 5, top=16)
        print_hot_spots("cProfile of chainrule.hessian(f)(x), per call:", result["profile"],
                        top_files=12)
    print("wrote", write_results("ad_hessian", result))


if __name__ == "__main__":
    main()
