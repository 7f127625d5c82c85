"""W1: the gradient of a scalar function of one float, per call, against autograd, PyTorch, JAX.

    f(x) = x^sin(x) * e^(-x^2) + ln(1 + x^2)    at x = 1.3

Rows: ``chainrule.grad(f)(1.3)`` after a warm-up call (the symbolic fast path: f traced once,
its derivative compiled, every call checked against f itself); ``chainrule.compile(
chainrule.diff(f))`` called directly; autograd's ``grad``; ``torch.autograd.grad`` with a
fresh tensor each call; ``jax.grad`` un-jitted and ``jax.jit(jax.grad(f))``. Every row returns
a Python float; JAX-jit is also timed returning its array after ``block_until_ready`` only,
and the faster of the two JAX-jit rows is the one compared against. All timings are
interleaved in one process; ratios are medians of per-round ratios. Values are checked
against the closed form to 1e-10 (relative).

Targets: grad ≤ 1/10 of autograd's time; compiled diff no slower than JAX-jit's gradient.
Run: ``python bench/bench_ad_scalar.py [--rounds N] [--peers ...] [--profile]``.
"""

from __future__ import annotations

import math

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

X0 = 1.3
TOL = 1e-10
GRAD, COMPILED, AUTOGRAD = "chainrule.grad", "chainrule.compile(diff)", "autograd.grad"
JAX_JIT = ("jax.jit(grad) -> float", "jax.jit(grad), block_until_ready")


def f(x):
    """Plain NumPy: works on floats, on chainrule's traced values and on its symbols."""
    return x ** np.sin(x) * np.exp(-x * x) + np.log(1 + x * x)


def closed_form(x: float) -> float:
    s, c = math.sin(x), math.cos(x)
    return x**s * math.exp(-x * x) * (c * math.log(x) + s / x - 2 * x) + 2 * x / (1 + x * x)


def setup_grad():
    grad = chainrule.grad(f)
    grad(X0)  # warm-up: traces f, differentiates, compiles
    return lambda: grad(X0)


def setup_compiled():
    compiled = chainrule.compile(chainrule.diff(f))
    return lambda: compiled(X0)


def setup_autograd():
    import autograd.numpy as anp
    from autograd import grad
    g = grad(lambda x: x ** anp.sin(x) * anp.exp(-x * x) + anp.log(1 + x * x))
    return lambda: g(X0)


def setup_torch():
    import torch

    def ft(x):
        return x ** torch.sin(x) * torch.exp(-x * x) + torch.log(1 + x * x)

    def call():
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(ft(x), x)[0].item()
    return call


def setup_jax():
    import jax
    import jax.numpy as jnp

    def fj(x):
        return x ** jnp.sin(x) * jnp.exp(-x * x) + jnp.log(1 + x * x)
    eager, jitted = jax.grad(fj), jax.jit(jax.grad(fj))
    return {"jax.grad (eager) -> float": lambda: float(eager(X0)),
            JAX_JIT[0]: lambda: float(jitted(X0)),
            JAX_JIT[1]: lambda: jitted(X0).block_until_ready()}


SETUPS = [(GRAD, None, setup_grad), (COMPILED, None, setup_compiled),
          (AUTOGRAD, "autograd", setup_autograd), ("torch.autograd.grad", "torch", setup_torch),
          ("jax", "jax", setup_jax)]


def main() -> None:
    a = parser(__doc__, rounds=21).parse_args()
    notes: list[str] = []
    peers = load_peers(a.peers, a.torch_threads)
    cases = build_cases(SETUPS, peers, notes)
    ref = closed_form(X0)
    errs = check_values(cases, lambda v: abs(float(v) - ref) / abs(ref), TOL, notes)
    timings = interleave(cases, a.rounds, notes)

    jax_rows = [n for n in JAX_JIT if n in timings]
    jax_best = min(jax_rows, key=lambda n: timings[n]["median_s"]) if jax_rows else None
    result_targets = targets([
        ("chainrule.grad / autograd.grad", ratio(timings, GRAD, AUTOGRAD), 0.1, GRAD),
        (f"compile(diff) / {jax_best or 'jax.jit(grad)'}", ratio(timings, COMPILED, jax_best),
         1.0, COMPILED),
    ], errs, TOL)

    print(f"W1: d/dx [x^sin(x) e^(-x^2) + ln(1+x^2)] at x = {X0}  (closed form {ref:.15g})")
    print(table(["tool", "median/call", "min/call", "tool / chainrule.grad",
                 "chainrule.grad / tool", "rel err"],
                [[name, fmt_time(t["median_s"]), fmt_time(t["min_s"]),
                  fmt_ratio(ratio(timings, name, GRAD)), fmt_ratio(ratio(timings, GRAD, name)),
                  f"{errs[name]:.0e}" if name in errs else "-"]
                 for name, t in timings.items()]))
    print()
    print_targets(result_targets)
    for note in notes:
        print("note:", note)

    result = {"x": X0, "reference": ref, "rel_err": errs, "timings": timings,
              "jax_jit_compared": jax_best, "targets": result_targets, "rounds": a.rounds,
              "versions": peer_versions(peers), "machine": machine(), "notes": notes}
    if a.profile and GRAD in cases:
        result["profile"] = hot_spots(cases[GRAD], 20_000)
        print_hot_spots("cProfile of chainrule.grad(f)(1.3), warm (per call):",
                        result["profile"])
    print("wrote", write_results("ad_scalar", result))


if __name__ == "__main__":
    main()
