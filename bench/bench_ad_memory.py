"""Peak memory of a gradient, against autograd, PyTorch and JAX: what the reverse pass keeps.

Two works, each tool in a fresh interpreter (so one tool's caches do not count for another):

* W2, the logistic-regression NLL gradient of ``bench_ad_logreg.py`` (N = 2e5, d = 100);
* a deep elementwise chain, 50 × ``v = sin(v)·0.9 + 0.05`` (150 operations) on 10^6 entries,
  then ``sum`` — reverse mode must keep something per step.

Peak resident memory above the resident size just before the call (the kernel's high-water
mark, reset through ``/proc/self/clear_refs``; every tool's second call, after a warm-up), with
glibc's mmap threshold fixed at 64 KiB so that freed large arrays leave the process at once for
every tool alike. For the NumPy-based tools also ``tracemalloc``'s peak. The chainrule rows are
``chainrule.grad`` and, for scale, the reverse pass that keeps every value (the path the
computation-graph explainer takes, and what ``grad`` recorded before nodes kept only their
partials).

Targets (chain): chainrule.grad's peak ≤ 1.1 × autograd's and ≤ 0.5 × the every-value tape's
(W2's peaks are a few vectors of length N, far below the data: compared, no target).
Run: ``python bench/bench_ad_memory.py [--peers autograd torch jax]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tracemalloc

import numpy as np

from _common import machine, run_worker, table, write_results

TOOLS = {"W2": ["loss (NumPy)", "chainrule.grad", "chainrule, every value kept", "autograd",
                "torch", "jax.jit(grad)"],
         "chain": ["f (NumPy)", "chainrule.grad", "chainrule, every value kept", "autograd",
                   "torch", "jax.grad (eager)", "jax.jit(grad)"]}
PEER_OF = {"autograd": "autograd", "torch": "torch", "jax.jit(grad)": "jax",
           "jax.grad (eager)": "jax"}
STEPS, N_CHAIN = 50, 10**6


def _rss(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_rss(fn) -> int:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the high-water mark to the present size
    base = _rss("VmRSS:")
    fn()
    return _rss("VmHWM:") - base


def _peak_traced(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _full_tape_grad(f):
    """The reverse pass keeping every argument and output (ReverseBox), as ``grad`` did."""
    from chainrule.autodiff import reverse
    from chainrule.autodiff.tracing import new_level

    def g(x):
        level = new_level()
        box = reverse.leaf(x, level)
        return reverse.backward(f(box).node, 1.0, [box.node])[0]
    return g


def _chain(xp_sin):
    def f(v):
        for _ in range(STEPS):
            v = xp_sin(v) * 0.9 + 0.05
        return v.sum()
    return f


def _case(work: str, tool: str):
    """``(call, data bytes)`` for one tool on one work."""
    import chainrule
    if work == "W2":
        from bench_ad_logreg import make_data, make_loss, setups
        X, y, w = make_data(200_000, 100)
        loss = make_loss(X, y)
        named = {name: make for name, _, make in setups(X, y, w)}
        call = {"loss (NumPy)": lambda: loss(w),
                "chainrule.grad": named["chainrule.grad"](),
                "chainrule, every value kept": lambda: _full_tape_grad(loss)(w),
                "autograd": named["autograd.grad"](),
                "torch": named["torch.autograd.grad"](),
                "jax.jit(grad)": named["jax.jit(grad)"]()}[tool]
        return call, X.nbytes + y.nbytes
    x = np.random.default_rng(0).uniform(0.1, 1.0, N_CHAIN)
    f = _chain(np.sin)
    if tool == "f (NumPy)":
        return (lambda: f(x)), x.nbytes
    if tool == "chainrule.grad":
        g = chainrule.grad(f)
        return (lambda: g(x)), x.nbytes
    if tool == "chainrule, every value kept":
        return (lambda: _full_tape_grad(f)(x)), x.nbytes
    if tool == "autograd":
        import autograd
        import autograd.numpy as anp
        g = autograd.grad(_chain(anp.sin))
        return (lambda: g(x)), x.nbytes
    if tool == "torch":
        import torch
        torch.set_num_threads(1)
        base = torch.from_numpy(x)
        ft = _chain(torch.sin)

        def call():
            xt = base.detach().requires_grad_()
            return torch.autograd.grad(ft(xt), xt)[0].numpy()
        return call, x.nbytes
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    g = jax.grad(_chain(jnp.sin))
    if tool == "jax.jit(grad)":
        g = jax.jit(g)
    xj = jax.device_put(x)
    return (lambda: np.asarray(g(xj))), x.nbytes


def worker(work: str, tool: str, repeats: int) -> None:
    call, data = _case(work, tool)
    call()  # warm-up: imports, caches, JIT compilation
    rss = [_peak_rss(call) for _ in range(repeats)]
    traced = None
    if tool in ("loss (NumPy)", "f (NumPy)", "chainrule.grad", "chainrule, every value kept",
                "autograd"):
        traced = _peak_traced(call)
    print(json.dumps({"work": work, "tool": tool, "rss": statistics.median(rss),
                      "rss_all": rss, "traced": traced, "data": data}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", nargs=3, metavar=("WORK", "TOOL", "REPEATS"))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--peers", nargs="*", default=["autograd", "torch", "jax"])
    p.add_argument("--works", nargs="*", default=list(TOOLS), choices=list(TOOLS))
    a = p.parse_args()
    if a.worker:
        work, tool, repeats = a.worker
        worker(work, tool, int(repeats))
        return
    os.environ["MALLOC_MMAP_THRESHOLD_"] = "65536"  # the same allocator policy for all
    results: dict[str, dict] = {}
    notes: list[str] = []
    for work in a.works:
        rows = {}
        for tool in TOOLS[work]:
            if PEER_OF.get(tool, "-") not in ("-", *a.peers):
                continue
            got, killed = run_worker("bench_ad_memory.py", [work, tool, str(a.repeats)], 600)
            if not got:
                notes.append(f"{work} {tool}: not measured" + (" (timed out)" if killed else ""))
                continue
            rows[tool] = got[0]
        results[work] = rows
        print(f"{work}: peak memory above the resident size before the call (MiB)")
        print(table(["tool", "peak RSS", "tracemalloc peak", "peak RSS / data"],
                    [[t, f"{r['rss'] / 2**20:.1f}",
                      "-" if r["traced"] is None else f"{r['traced'] / 2**20:.1f}",
                      f"{r['rss'] / r['data']:.2f}"] for t, r in rows.items()]))
        print()

    def rel(work, a_, b_):
        rows = results.get(work, {})
        if a_ not in rows or b_ not in rows or rows[b_]["rss"] <= 0:
            return None
        return rows[a_]["rss"] / rows[b_]["rss"]

    specs = [("chain: chainrule.grad peak / autograd peak",
              rel("chain", "chainrule.grad", "autograd"), 1.1),
             ("chain: chainrule.grad peak / every-value tape peak",
              rel("chain", "chainrule.grad", "chainrule, every value kept"), 0.5),
             ("chain: chainrule.grad peak / torch peak", rel("chain", "chainrule.grad", "torch"),
              None),
             # W2's peaks are a few vectors of N, under a tenth of the data (its target is
             # bench_ad_logreg's: peak ≤ 2× data); shown for comparison only
             ("W2: chainrule.grad peak / autograd peak", rel("W2", "chainrule.grad", "autograd"),
              None),
             ("W2: chainrule.grad peak / torch peak", rel("W2", "chainrule.grad", "torch"), None)]
    targets = {}
    for name, value, limit in specs:
        verdict = ("(no target)" if limit is None else "not measured" if value is None
                   else "met" if value <= limit else "MISSED")
        targets[name] = {"ratio": value, "limit": limit, "verdict": verdict,
                         "met": None if limit is None else verdict == "met"}
        print(f"{name}: {'-' if value is None else f'{value:.3f}'}  "
              f"{'' if limit is None else f'(<= {limit:g})'} {verdict}")
    for note in notes:
        print("note:", note)
    print("wrote", write_results("ad_memory", {"results": results, "targets": targets,
                                               "notes": notes, "machine": machine()}))


if __name__ == "__main__":
    main()
