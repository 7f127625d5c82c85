"""Streaming Monte Carlo: peak memory and time of the score-function estimator at 1e7, 1e8.

Work: ``chainrule.mc.score_function(f, Normal(1, 2), n, baseline=...)`` with f(z) = (z − 3)²
(exact ∇ = (−4, 4)), seed 0. Peak memory is Python's ``tracemalloc`` peak over the call
(NumPy's arrays are traced), so it counts what the estimator holds, not the interpreter.
Rows: the streamed estimator (the default from 2²¹ samples; chunks of 2¹⁸ samples) with no
baseline (one pass) and with the leave-one-out baseline (two passes over the same seeded
blocks); the unchunked estimator (``chunk`` absent, n below the streaming threshold is
forced by calling it at 1e7 through ``AUTO_STREAM``) for the memory ratio at 1e7; and, for
time, the streamed one over 2 worker processes (results identical to one worker, checked).

Run: ``python bench/bench_mc_stream.py [--n 1e7 1e8]`` (writes
``bench/results/bench_mc_stream.json``).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import Any

from _common import machine, table, write_results
from chainrule import mc
from chainrule.mc import stream


def f(z):
    return (z - 3.0) ** 2


def measure(n: int, **kw: Any) -> dict[str, Any]:
    tracemalloc.start()
    t = time.perf_counter()
    try:
        est = mc.score_function(f, mc.Normal(1.0, 2.0), n=n, seed=0, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    ok = all(abs(est.grad[k] - v) < 5 * est.stderr[k] for k, v in (("loc", -4.0),
                                                                     ("scale", 4.0)))
    return {"seconds": time.perf_counter() - t, "peak_mb": peak / 1e6, "grad": est.grad,
            "stderr": est.stderr, "within_5_stderr": ok}


def timed(n: int, **kw: Any) -> dict[str, Any]:
    t = time.perf_counter()
    est = mc.score_function(f, mc.Normal(1.0, 2.0), n=n, seed=0, **kw)
    return {"seconds": time.perf_counter() - t, "grad": est.grad}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=float, nargs="+", default=[1e7, 1e8])
    args = parser.parse_args()
    rows, out = [], {}
    for n in map(int, args.n):
        res = {"streamed": measure(n), "streamed, leave-one-out": measure(n,
                                                                         baseline="leave_one_out")}
        if n <= 10_000_000:
            saved = stream.AUTO_STREAM
            stream.AUTO_STREAM = n + 1  # the unchunked estimator, for the memory ratio
            try:
                res["unchunked"] = measure(n)
            finally:
                stream.AUTO_STREAM = saved
        two = timed(n, workers=2)
        two["identical_to_one_worker"] = two["grad"] == res["streamed"]["grad"]
        res["streamed, 2 workers"] = two
        out[str(n)] = res
        for label, r in res.items():
            rows.append([f"{n:.0e}", label, f"{r['seconds']:.1f}",
                         f"{r['peak_mb']:.1f}" if "peak_mb" in r else "",
                         str(r.get("within_5_stderr", r.get("identical_to_one_worker", "")))])
    print("Score-function estimator, Normal(1, 2), f = (z − 3)², peak memory by tracemalloc:")
    print(table(["n", "estimator", "seconds", "peak MB", "ok"], rows))
    for n, res in out.items():
        if "unchunked" in res:
            ratio = res["unchunked"]["peak_mb"] / res["streamed"]["peak_mb"]
            print(f"n = {int(n):.0e}: unchunked / streamed peak memory = {ratio:.0f}×")
    print(f"\nwrote {write_results('bench_mc_stream', {'machine': machine(), 'runs': out})}")


if __name__ == "__main__":
    main()
