"""Score-function estimator with per-sample gradients: chainrule.mc against PyTorch.

Work measured (one round = one full estimate, n samples, every step included):
draw z ~ p(z; θ) with a seeded generator, evaluate f(z), compute the n per-sample scores
∇θ ln p(zᵢ; θ), form gᵢ = f(zᵢ)·∇θ ln p(zᵢ; θ) and reduce to the mean, the single-sample
variance and the standard error per parameter. Problems:

* ``normal``: z ~ N(μ = 1, σ = 2), f(z) = (z − 3)², θ = (μ, σ): exact ∇ = (−4, 4);
* ``bernoulli``: b ~ Bernoulli(logits = −0.847…) (p = 0.3), f(b) = (b − 0.45)², θ = the logit:
  exact ∇ = 0.1·p(1 − p) = 0.021.

Rows:

* ``chainrule.mc.score_function`` — the public call; its scores come from the compiled
  symbolic partials of the log-density (chainrule's AD, :mod:`chainrule.mc.per_sample`);
* ``chainrule.mc (forward mode)`` — the same estimate with ``score(method="forward")``
  (one JVP pass per parameter), the path vector-parameter distributions take; like the
  torch rows it reduces to mean and standard error only, while the public call above also
  computes the effective sample size and builds its result object (so the public call
  does a little more work than the rows it is compared with);
* ``torch batched leaves`` — ``torch.distributions`` with the parameters expanded to n leaf
  tensors (``requires_grad``), ``log_prob(z).sum().backward()``: each leaf's gradient is
  then exactly its sample's score, in one backward pass (the fastest way we know to get
  per-sample gradients from torch autograd);
* ``torch.func vmap(grad)`` — ``torch.func.vmap(torch.func.grad(log_prob))`` over the
  samples, torch's own per-sample-gradient transform.

All in float64 (torch's default float32 would halve its memory traffic but not compute the
same numbers), interleaved in one process; the ratio is the median over rounds of the
per-round time ratio (torch / ours: above 1 means ours is faster). torch uses its default
intra-op threads (recorded) and, in one row, a single thread as NumPy does. Estimates are
checked against the exact gradient (within 5 standard errors).

Run: ``python bench/bench_mc.py [--rounds N] [--n N ...]``; writes
``bench/results/bench_mc.json``. Skips the torch rows cleanly when torch is not installed.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import _common  # noqa: F401 - puts the checkout's src/ on sys.path before chainrule
from _common import machine, median, table, write_results
from chainrule import mc

P = 0.3
LOGIT = math.log(P / (1 - P))
PROBLEMS = {
    "normal": {"exact": {"loc": -4.0, "scale": 4.0}},
    "bernoulli": {"exact": {"logits": 0.1 * P * (1 - P)}},
}
OURS, OURS_FWD = "chainrule.mc.score_function", "chainrule.mc (forward mode)"
TORCH_LEAVES, TORCH_VMAP = "torch batched leaves", "torch.func vmap(grad)"
TORCH_LEAVES_1 = "torch batched leaves, 1 thread"


def _summary(per_sample: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    n = len(next(iter(per_sample.values())))
    return {k: (float(np.mean(g)), float(np.sqrt(np.var(g, ddof=1) / n)))
            for k, g in per_sample.items()}


def ours(problem: str, forward: bool = False):
    if problem == "normal":
        dist, f = mc.Normal(1.0, 2.0), lambda z: (z - 3.0) ** 2
    else:
        dist, f = mc.Bernoulli(logits=LOGIT), lambda b: (b - 0.45) ** 2

    def run(n: int, seed: int):
        if not forward:
            est = mc.score_function(f, dist, n=n, seed=seed)
            return {k: (est.grad[k], est.stderr[k]) for k in est.grad}
        z = dist.sample(n, seed)
        fz = f(z)
        scores = dist.score(z, method="forward")
        return _summary({k: fz * s for k, s in scores.items()})
    return run


def torch_leaves(problem: str):
    import torch
    from torch.distributions import Bernoulli, Normal

    def run(n: int, seed: int):
        gen = torch.Generator().manual_seed(seed)
        if problem == "normal":
            loc = torch.full((n,), 1.0, dtype=torch.float64, requires_grad=True)
            scale = torch.full((n,), 2.0, dtype=torch.float64, requires_grad=True)
            leaves, names = [loc, scale], ["loc", "scale"]
            with torch.no_grad():
                z = 1.0 + 2.0 * torch.randn(n, generator=gen, dtype=torch.float64)
            dist, fz = Normal(loc, scale), (z - 3.0) ** 2
        else:
            logits = torch.full((n,), LOGIT, dtype=torch.float64, requires_grad=True)
            leaves, names = [logits], ["logits"]
            with torch.no_grad():
                z = (torch.rand(n, generator=gen, dtype=torch.float64) < P).double()
            dist, fz = Bernoulli(logits=logits), (z - 0.45) ** 2
        dist.log_prob(z).sum().backward()
        out = {}
        for name, leaf in zip(names, leaves, strict=True):
            g = fz * leaf.grad
            out[name] = (float(g.mean()), float(torch.sqrt(g.var() / n)))
        return out
    return run


def torch_vmap(problem: str):
    import torch
    from torch.distributions import Bernoulli, Normal
    from torch.func import grad, vmap

    if problem == "normal":
        names = ["loc", "scale"]
        theta = torch.tensor([1.0, 2.0], dtype=torch.float64)
        score = vmap(grad(lambda th, z: Normal(th[0], th[1]).log_prob(z)), in_dims=(None, 0))
    else:
        names = ["logits"]
        theta = torch.tensor([LOGIT], dtype=torch.float64)
        score = vmap(grad(lambda th, z: Bernoulli(logits=th[0]).log_prob(z)),
                     in_dims=(None, 0))

    def run(n: int, seed: int):
        gen = torch.Generator().manual_seed(seed)
        if problem == "normal":
            z = 1.0 + 2.0 * torch.randn(n, generator=gen, dtype=torch.float64)
            fz = (z - 3.0) ** 2
        else:
            z = (torch.rand(n, generator=gen, dtype=torch.float64) < P).double()
            fz = (z - 0.45) ** 2
        g = fz[:, None] * score(theta, z)
        return {name: (float(g[:, i].mean()), float(torch.sqrt(g[:, i].var() / n)))
                for i, name in enumerate(names)}
    return run


def setups(problem: str) -> dict:
    rows = {OURS: ours(problem), OURS_FWD: ours(problem, forward=True)}
    try:
        import torch  # noqa: F401
    except ImportError:
        return rows
    rows[TORCH_LEAVES] = torch_leaves(problem)
    rows[TORCH_LEAVES_1] = one_thread(torch_leaves(problem))
    rows[TORCH_VMAP] = torch_vmap(problem)
    return rows


def one_thread(fn):
    """``fn`` run with torch limited to one intra-op thread, as NumPy is."""
    import torch

    def run(n: int, seed: int):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(n, seed)
        finally:
            torch.set_num_threads(before)
    return run


def measure(problem: str, n: int, rounds: int) -> dict:
    fns = setups(problem)
    times: dict[str, list[float]] = {k: [] for k in fns}
    results: dict[str, dict] = {}
    for name, fn in fns.items():  # warm-up: traces, compiles, torch's first-call costs
        results[name] = fn(min(n, 10_000), 0)
    for r in range(rounds):
        order = list(fns) if r % 2 == 0 else list(reversed(fns))
        for name in order:
            t = time.perf_counter()
            results[name] = fns[name](n, r + 1)
            times[name].append(time.perf_counter() - t)
    exact = PROBLEMS[problem]["exact"]
    ok = {name: all(abs(res[k][0] - exact[k]) <= 5 * res[k][1] for k in exact)
          for name, res in results.items()}
    return {"times": times, "ok": ok, "estimates": results}


def ratios(times: dict[str, list[float]], base: str) -> dict[str, float]:
    return {name: median([t / b for t, b in zip(ts, times[base], strict=True)])
            for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    args = ap.parse_args()
    out: dict = {"machine": machine(), "rounds": args.rounds, "cases": []}
    try:
        import torch
        out["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads()}
    except ImportError:
        out["torch"] = None
        print("torch is not installed: only chainrule's rows are measured")
    rows = []
    for problem in PROBLEMS:
        for n in args.n:
            m = measure(problem, n, args.rounds)
            rel = ratios(m["times"], OURS)
            for name, ts in m["times"].items():
                med = median(ts)
                rows.append([problem, f"{n:,}", name, f"{1000 * med:.1f}",
                             f"{n / med / 1e6:.2f}", f"{rel[name]:.2f}",
                             "yes" if m["ok"][name] else "NO"])
                out["cases"].append({"problem": problem, "n": n, "row": name,
                                     "median_s": med, "per_round_s": ts,
                                     "samples_per_s": n / med,
                                     "time_over_ours": rel[name], "exact_ok": m["ok"][name],
                                     "estimate": m["estimates"][name]})
    print(table(["problem", "n", "estimator", "median ms", "M samples/s",
                 "time / ours", "within 5 se"], rows))
    print("time / ours above 1: that row is slower than chainrule.mc.score_function")
    print(f"wrote {write_results('bench_mc', out)}")


if __name__ == "__main__":
    main()
