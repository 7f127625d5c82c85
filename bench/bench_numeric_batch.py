"""Numerical derivatives at 10⁴ points of a vectorised f: chainrule vs scipy, same run.

``chainrule.numeric.derivative(f, xs)`` with a vectorised f evaluates all points in one batch
of calls (``chainrule.numeric.batch``); ``scipy.differentiate.derivative(f, xs)`` vectorises
over points too. Both run with their default settings. Reported per function: the median of
5 wall times, the throughput ratio (scipy time / chainrule time: above 1 means chainrule is
faster), each tool's median and maximum absolute error against the closed-form derivative,
and **coverage** (the fraction of points whose reported error bound is at least the true
error). chainrule runs twice: with its default kink/jump/domain checks, and with
``check=False`` (scipy makes no such checks). The per-point path (one call of f per point and
step) is timed on 200 points and scaled, for reference.

Run: ``python bench/bench_numeric_batch.py`` (writes ``bench/results/bench_numeric_batch.json``).
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from _common import machine, table, write_results

N = 10_000
REPEATS = 5

CASES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], tuple[float, float]]] = {
    "exp(sin x)·x²": (lambda x: np.exp(np.sin(x)) * x**2,
                      lambda x: np.exp(np.sin(x)) * (np.cos(x) * x**2 + 2 * x), (-3.0, 30.0)),
    "log(1+x²)": (lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2), (-5.0, 5.0)),
    "tanh(x)·cos(3x)": (lambda x: np.tanh(x) * np.cos(3 * x),
                        lambda x: (1 - np.tanh(x)**2) * np.cos(3 * x)
                        - 3 * np.tanh(x) * np.sin(3 * x), (-4.0, 4.0)),
}


def best_time(fn: Callable[[], Any]) -> tuple[Any, float]:
    times, out = [], None
    for _ in range(REPEATS):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def quality(df: np.ndarray, bound: np.ndarray, want: np.ndarray) -> dict[str, float]:
    err = np.abs(df - want)
    return {"median_error": float(np.median(err)), "max_error": float(np.max(err)),
            "coverage": float(np.mean(err <= bound))}


def run_case(f, df, lo_hi) -> dict[str, Any]:
    from scipy.differentiate import derivative as scipy_derivative

    from chainrule.numeric import derivative

    xs = np.linspace(*lo_hi, N)
    want = df(xs)
    rows: dict[str, Any] = {}
    s, t_s = best_time(lambda: scipy_derivative(f, xs))
    rows["scipy"] = {"seconds": t_s, **quality(s.df, s.error, want)}
    for label, kw in (("chainrule", {}), ("chainrule check=False", {"check": False})):
        r, t = best_time(lambda kw=kw: derivative(f, xs, **kw))
        rows[label] = {"seconds": t, "ratio_vs_scipy": t_s / t, "nfev": r.nfev,
                       **quality(r.df, r.error, want)}
    few = xs[:: N // 200]
    _, t_one = best_time(lambda: derivative(f, few, vectorized=False))
    rows["chainrule per point (scaled)"] = {"seconds": t_one * N / few.size,
                                            "ratio_vs_scipy": t_s / (t_one * N / few.size)}
    return rows


def main() -> None:
    warnings.simplefilter("ignore")
    results = {name: run_case(*case) for name, case in CASES.items()}
    body = []
    for name, rows in results.items():
        for tool, row in rows.items():
            body.append([name, tool, f"{row['seconds'] * 1e3:.1f}",
                         f"{row.get('ratio_vs_scipy', 1.0):.3g}",
                         f"{row.get('median_error', float('nan')):.1e}",
                         f"{row.get('max_error', float('nan')):.1e}",
                         f"{row.get('coverage', float('nan')):.4f}"])
    print(f"Derivatives at {N} points of a vectorised f (median of {REPEATS} runs):")
    print(table(["f", "tool", "ms", "throughput vs scipy", "median err", "max err",
                 "coverage"], body))
    path = write_results("bench_numeric_batch", {"machine": machine(), "n": N,
                                                 "results": results})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
