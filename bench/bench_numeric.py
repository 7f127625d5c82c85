"""Numerical derivatives: chainrule vs numdifftools vs scipy.differentiate, same corpus, same run.

The corpus is ``chainrule.numeric.corpus``: smooth functions at points where they are smooth,
with reference derivatives from mpmath at 50 digits. Each tool runs with its default
settings: ``chainrule.numeric.derivative(f, x)``, ``numdifftools.Derivative(f,
full_output=True)(x)`` (its ``error_estimate``) and ``scipy.differentiate.derivative(f, x)``
(its ``error``). Measured per tool: median and maximum relative error, **coverage** (the
fraction of cases whose reported error is at least the true error: an error estimate is only
useful if it bounds the truth), how often it reports success, and the mean number of function
evaluations (counted by wrapping f, one per point; vectorised calls count every element).

A second table shows what each tool reports at points where the derivative does not exist
(abs at 0, sign at 0, sqrt at 0, cbrt at 0): a number with a small error there is a confident
wrong answer. A third repeats the first for second derivatives (chainrule and numdifftools;
``scipy.differentiate.derivative`` has first derivatives only).

Run: ``python bench/bench_numeric.py`` (writes ``bench/results/bench_numeric.json``).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from _common import machine, table, write_results

Tool = Callable[[Callable[[Any], Any], float, int], tuple[float, float, bool]]


class Counted:
    """f with a count of the points it was evaluated at."""

    def __init__(self, f: Callable[[Any], Any]):
        self.f = f
        self.points = 0

    def __call__(self, x: Any) -> Any:
        self.points += int(np.size(x))
        return self.f(x)


def chainrule_tool(f, x: float, order: int) -> tuple[float, float, bool]:
    from chainrule.numeric import derivative
    r = derivative(f, x, order)
    return r.df, r.error, r.success


def numdifftools_tool(f, x: float, order: int) -> tuple[float, float, bool]:
    import numdifftools as nd
    out = nd.Derivative(f, n=order, full_output=True)(x)
    df, err = float(np.asarray(out.estimate)), float(np.asarray(out.error_estimate))
    return df, err, bool(np.isfinite(df))  # numdifftools has no success flag


def scipy_tool(f, x: float, order: int) -> tuple[float, float, bool]:
    from scipy.differentiate import derivative
    if order != 1:
        raise NotImplementedError("scipy.differentiate.derivative: first derivatives only")
    r = derivative(f, x)
    return float(r.df), float(r.error), bool(r.success)


TOOLS: dict[str, Tool] = {"chainrule": chainrule_tool, "numdifftools": numdifftools_tool,
                          "scipy": scipy_tool}


def measure(tool: Tool, f, x: float, order: int, want: float) -> dict[str, Any]:
    counted = Counted(f)
    start = time.perf_counter()
    try:
        with np.errstate(all="ignore"):
            df, err, ok = tool(counted, x, order)
    except Exception as exc:  # a peer failing on a case is a result, not a crash
        return {"failed": f"{type(exc).__name__}: {exc}"[:200], "nfev": counted.points}
    true = abs(df - want)
    return {"df": df, "error": err, "success": ok, "nfev": counted.points,
            "rel_error": true / abs(want) if want else true,
            "covered": bool(err >= true), "seconds": time.perf_counter() - start}


def corpus_rows(order: int) -> dict[str, list[dict[str, Any]]]:
    from chainrule.numeric.corpus import cases, exact
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TOOLS}
    for case in cases():
        want = exact(case, order)
        for name, tool in TOOLS.items():
            row = measure(tool, case.f, case.x, order, want)
            rows[name].append({"case": case.name, "x": case.x, "exact": want, **row})
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if "failed" not in r]
    if not done:
        return {"cases": len(rows), "failed": len(rows)}
    rels = [r["rel_error"] if math.isfinite(r["rel_error"]) else math.inf for r in done]
    return {
        "cases": len(rows), "failed": len(rows) - len(done),
        "median_rel_error": statistics.median(rels), "max_rel_error": max(rels),
        "coverage": sum(r["covered"] for r in done) / len(done),
        "success_rate": sum(r["success"] for r in done) / len(done),
        "mean_nfev": statistics.mean(r["nfev"] for r in done),
        "uncovered": [r["case"] for r in done if not r["covered"]],
    }


BAD_POINTS = [
    ("abs at 0", np.abs, 0.0), ("sign at 0", np.sign, 0.0),
    ("heaviside at 0", lambda x: np.heaviside(x, 0.5), 0.0),
    ("sqrt at 0", np.sqrt, 0.0), ("cbrt at 0", np.cbrt, 0.0),
]


def bad_point_rows() -> list[dict[str, Any]]:
    from chainrule.numeric import derivative
    out = []
    for label, f, x in BAD_POINTS:
        row: dict[str, Any] = {"case": label}
        r = derivative(f, x)
        row["chainrule"] = {"df": r.df, "error": r.error, "success": r.success,
                            "status": r.status}
        for name in ("numdifftools", "scipy"):
            got = measure(TOOLS[name], f, x, 1, math.nan)
            row[name] = ({"failed": got["failed"]} if "failed" in got else
                         {"df": got["df"], "error": got["error"], "success": got["success"]})
        out.append(row)
    return out


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2e}" if v and (abs(v) < 1e-2 or abs(v) >= 1e4) else f"{v:.3g}"
    return str(v)


def print_summary(title: str, summary: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    headers = ["tool", "cases", "median rel err", "max rel err", "coverage", "success",
               "mean nfev"]
    rows = []
    for name, s in summary.items():
        if "median_rel_error" not in s:
            rows.append([name, s["cases"], "n/a", "n/a", "n/a", "n/a", "n/a"])
            continue
        rows.append([name, s["cases"] - s["failed"], fmt(s["median_rel_error"]),
                     fmt(s["max_rel_error"]), f"{s['coverage']:.0%}",
                     f"{s['success_rate']:.0%}", f"{s['mean_nfev']:.1f}"])
    print(table(headers, rows))


def print_bad_points(rows: list[dict[str, Any]]) -> None:
    print("\nAt points where the derivative does not exist (df ± error, success):")
    headers = ["case", *TOOLS]
    cells = []
    for row in rows:
        line = [row["case"]]
        for name in TOOLS:
            r = row[name]
            if "failed" in r:
                line.append("raised")
            elif name == "chainrule":
                line.append(f"{r['status']}")
            else:
                line.append(f"{fmt(r['df'])} ± {fmt(r['error'])}, {r['success']}")
        cells.append(line)
    print(table(headers, cells))


def main() -> None:
    import warnings
    warnings.simplefilter("ignore")  # peers warn on NaN steps; their results are recorded
    first = corpus_rows(1)
    second = corpus_rows(2)
    summary1 = {name: summarise(rows) for name, rows in first.items()}
    summary2 = {name: summarise(rows) for name, rows in second.items() if name != "scipy"}
    bad = bad_point_rows()
    print_summary("First derivatives, default settings, corpus of smooth functions:", summary1)
    print_summary("Second derivatives:", summary2)
    print_bad_points(bad)
    path = write_results("bench_numeric", {
        "machine": machine(), "versions": versions(),
        "first_derivative": {"summary": summary1, "rows": first},
        "second_derivative": {"summary": summary2,
                              "rows": {k: v for k, v in second.items() if k != "scipy"}},
        "not_differentiable": bad,
    })
    print(f"\nwrote {path}")


def versions() -> dict[str, str]:
    out = {}
    for module in ("numpy", "scipy", "numdifftools", "mpmath"):
        try:
            out[module] = __import__(module).__version__
        except Exception as exc:  # noqa: BLE001 - a missing peer is recorded, not fatal
            out[module] = f"unavailable ({type(exc).__name__})"
    return out


if __name__ == "__main__":
    main()
