"""Numerical derivatives at 10⁴ points of a vectorised f: chainrule vs scipy, same run.

``chainrule.numeric.derivative(f, xs)`` with a vectorised f runs every point's Richardson scan
together (``chainrule.numeric.vectorised``: one call of f per row of steps, points leaving as
they finish); ``scipy.differentiate.derivative(f, xs)`` vectorises over points too. Timed in
interleaved rounds (scipy, then each chainrule setting, per round) so that load on the machine
hits both alike; the reported ratio is the median over rounds of chainrule time / scipy time
(below 1: chainrule is faster). chainrule runs

* with its defaults: kink/jump/domain checks, scans on to the smallest bound it can reach;
* with ``check=False`` (scipy makes no such checks);
* **at equal error**: with the loosest ``rtol`` in 1e-8 … 1e-12 whose maximum error over the
  points is at most scipy's (a given rtol is where each point's scan may stop, as scipy's
  does), with and without checks.

Per row: each tool's median and maximum absolute error against the closed-form derivative and
**coverage**, the fraction of points whose reported error bound is at least the true error
(the closed form's own rounding, 8 ulps of it, allowed). The per-point path (one call of f
per point and step) is timed on 200 points and scaled, for reference.

Run: ``python bench/bench_numeric_batch.py [--rounds 7]`` (writes
``bench/results/bench_numeric_batch.json``).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from _common import machine, table, write_results

N = 10_000
RTOLS = (1e-8, 1e-9, 1e-10, 1e-11, 1e-12)

CASES: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], tuple[float, float]]] = {
    "exp(sin x)·x²": (lambda x: np.exp(np.sin(x)) * x**2,
                      lambda x: np.exp(np.sin(x)) * (np.cos(x) * x**2 + 2 * x), (-3.0, 30.0)),
    "log(1+x²)": (lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2), (-5.0, 5.0)),
    "tanh(x)·cos(3x)": (lambda x: np.tanh(x) * np.cos(3 * x),
                        lambda x: (1 - np.tanh(x)**2) * np.cos(3 * x)
                        - 3 * np.tanh(x) * np.sin(3 * x), (-4.0, 4.0)),
}


def seconds(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def quality(df: np.ndarray, bound: np.ndarray, want: np.ndarray) -> dict[str, float]:
    err = np.abs(df - want)
    slack = 8 * np.finfo(float).eps * np.abs(want)  # the closed form's own rounding
    return {"median_error": float(np.median(err)), "max_error": float(np.max(err)),
            "coverage": float(np.mean(err <= bound + slack))}


def equal_error_rtol(f, xs: np.ndarray, want: np.ndarray, ceiling: float, check: bool
                     ) -> float | None:
    """The loosest rtol whose maximum error is at most ``ceiling`` (scipy's)."""
    from chainrule.numeric import derivative

    for rtol in RTOLS:
        r = derivative(f, xs, rtol=rtol, check=check)
        if np.max(np.abs(r.df - want)) <= ceiling:
            return rtol
    return None


def run_case(f, df, lo_hi, rounds: int) -> dict[str, Any]:
    from scipy.differentiate import derivative as scipy_derivative

    from chainrule.numeric import derivative

    xs = np.linspace(*lo_hi, N)
    want = df(xs)
    s = scipy_derivative(f, xs)
    rows: dict[str, Any] = {"scipy": {"nfev": int(np.max(s.nfev)),
                                      **quality(s.df, s.error, want)}}
    settings: dict[str, dict[str, Any]] = {"chainrule": {},
                                           "chainrule check=False": {"check": False}}
    for check in (True, False):
        rtol = equal_error_rtol(f, xs, want, rows["scipy"]["max_error"], check)
        if rtol is not None:
            label = f"chainrule rtol={rtol:g}" + ("" if check else " check=False")
            settings[label] = {"rtol": rtol, "check": check, "equal_error": True}
    for label, kw in settings.items():
        args = {k: v for k, v in kw.items() if k != "equal_error"}
        r = derivative(f, xs, **args)
        rows[label] = {"nfev": r.nfev, "settings": args, "equal_error": "equal_error" in kw,
                       "success": float(np.mean(r.success)), **quality(r.df, r.error, want)}
    times: dict[str, list[float]] = {label: [] for label in rows}
    for _ in range(rounds):  # interleaved: scipy and every setting in each round
        times["scipy"].append(seconds(lambda: scipy_derivative(f, xs)))
        for label, kw in settings.items():
            args = {k: v for k, v in kw.items() if k != "equal_error"}
            times[label].append(seconds(lambda args=args: derivative(f, xs, **args)))
    for label, row in rows.items():
        row["seconds"] = statistics.median(times[label])
        if label != "scipy":
            row["ratio_vs_scipy"] = statistics.median(
                c / p for c, p in zip(times[label], times["scipy"], strict=True))
            row["ratios"] = [c / p for c, p in zip(times[label], times["scipy"], strict=True)]
    few = xs[:: N // 200]
    one = statistics.median(seconds(lambda: derivative(f, few, vectorized=False))
                            for _ in range(3)) * N / few.size
    rows["chainrule per point (scaled)"] = {"seconds": one,
                                            "ratio_vs_scipy": one / rows["scipy"]["seconds"]}
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    a = p.parse_args()
    warnings.simplefilter("ignore")
    results = {name: run_case(*case, a.rounds) for name, case in CASES.items()}
    body = []
    for name, rows in results.items():
        for tool, row in rows.items():
            body.append([name, tool, f"{row['seconds'] * 1e3:.1f}",
                         f"{row.get('ratio_vs_scipy', 1.0):.3g}",
                         f"{row.get('median_error', float('nan')):.1e}",
                         f"{row.get('max_error', float('nan')):.1e}",
                         f"{row.get('coverage', float('nan')):.4f}"])
    print(f"Derivatives at {N} points of a vectorised f (median of {a.rounds} interleaved "
          "rounds; ratio = chainrule time / scipy time, per round):")
    print(table(["f", "tool", "ms", "time / scipy", "median err", "max err", "coverage"],
                body))
    path = write_results("bench_numeric_batch", {"machine": machine(), "n": N,
                                                 "rounds": a.rounds, "results": results})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
