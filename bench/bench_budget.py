"""How far past its deadline each operation runs on hostile inputs (issue: within budget + 10 %).

Every public operation (parse, diff, steps, evaluate, simplify, compile, taylor, critical
points, verify) gets the hostile inputs of the trust report and a few of its own, under a
deadline of ``Budget(seconds=B)``; the time until it answers or raises ``WorkLimitExceeded``
is measured in a fresh interpreter (no cache from an earlier case) and reported as a ratio to
B. A benchmark, not a test: the machines are shared, so wall-clock figures are noisy and no
test asserts them; the tests stop operations by deterministic step and node counts.

    python bench/bench_budget.py [--budgets 0.5,2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from _common import RESULTS, run_worker

CASES = {
    "parse 2^-72^-72… (×60)": "parse('2' + '^-72' * 60, budget=B)",
    "diff x^x order 40": "diff('x^x', order=40, budget=B)",
    "diff (sqrt(x)^0.5)^x order 8": "diff('(sqrt(x)^0.5)^x', order=8, budget=B)",
    "diff 0.5 sin(1e309 x)": "diff('0.5 sin(1' + '0' * 309 + ' x)', budget=B)",
    "steps x^x order 12": "steps('x^x', order=12, budget=B)",
    "evaluate d⁸(x^x) on 4·10⁶ points": "D8.evaluate(x=XS, budget=B)",
    "simplify: expand 8 sums of 4": "expand(parse('*'.join(f'(x + y + z + {k})' for k in "
                                    "range(1, 9))), budget=B)",
    "simplify: readable of raw d¹⁰(x^x)": "readable(RAW10, budget=B)",
    "compile d¹⁰(x^x)": "compile_expr(RAW10, ['x'], budget=B)",
    "taylor e^sin(x) order 30": "taylor('e^sin(x)', order=30, budget=B)",
    "critical sin(1/x) on [1e-4, 3]": "critical_points('sin(1/x) + x/10', interval=(1e-4, 3), "
                                      "budget=B)",
    "critical, 2 variables": "critical_points('sin(3x)*cos(3y) + x*y/10', "
                             "region={'x': (-9, 9), 'y': (-9, 9)}, budget=B)",
    "verify x^x order 12": "verify('x^x', 'x', {'x': 1.5}, order=12, budget=B)",
}

# SciPy's optimize module is imported once, on the first root search (0.3 s on a quiet
# machine, several seconds on a loaded one): a one-time start-up cost, imported here so that
# the figures are the operations' own work.
SETUP = """
import numpy as np
import scipy.optimize
from chainrule import critical_points, diff, parse, steps, taylor
from chainrule.limits.budget import Budget
from chainrule.symbolic.compile import compile_expr
from chainrule.symbolic.differentiate import Differentiator
from chainrule.symbolic.simplify import expand, readable
from chainrule.testing import verify
from chainrule.core.build import symbol
D8 = diff('x^x', order=8)
XS = np.linspace(1, 2, 4 * 10**6)
RAW10 = parse('x^x')
for _ in range(10):
    RAW10, _s = Differentiator(symbol('x'), record=False, method='direct').d(RAW10)
"""


def worker(name: str, seconds: float) -> None:
    from chainrule.errors import ChainruleError, WorkLimitExceeded
    env: dict = {}
    exec(SETUP, env)  # noqa: S102 - the benchmark's own fixed setup text
    env["B"] = env["Budget"](seconds=seconds)
    started = time.perf_counter()
    try:
        eval(CASES[name], env)  # noqa: S307 - the benchmark's own fixed case table
        outcome = "answered"
    except WorkLimitExceeded as err:
        outcome = f"stopped ({err.limit})"
    except ChainruleError as err:
        outcome = f"refused: {str(err)[:40]}"
    elapsed = time.perf_counter() - started
    print(json.dumps({"case": name, "budget": seconds, "elapsed": elapsed, "outcome": outcome}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", default="0.5,2")
    ap.add_argument("--worker", nargs=2)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker[0], float(a.worker[1]))
        return
    rows = []
    for seconds in (float(b) for b in a.budgets.split(",")):
        for name in CASES:
            got, killed = run_worker("bench_budget.py", [name, str(seconds)], 60 + 5 * seconds)
            row = got[0] if got else {"case": name, "budget": seconds, "elapsed": None,
                                      "outcome": "KILLED" if killed else "crashed"}
            rows.append(row)
            ratio = "" if row["elapsed"] is None else f"{row['elapsed'] / seconds:6.2f}×"
            print(f"{seconds:4g} s  {name:38} {ratio:>8}  {row['outcome']}", flush=True)
    stopped = [r for r in rows if r["elapsed"] is not None and r["outcome"].startswith("stopped")]
    worst = max((r["elapsed"] / r["budget"] for r in stopped), default=0.0)
    print(f"worst stopped case: {worst:.3f}× its budget "
          f"({'within' if worst <= 1.1 else 'OVER'} budget + 10 %)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "budget.json").write_text(json.dumps({"rows": rows, "worst_ratio": worst},
                                                    indent=1))


if __name__ == "__main__":
    sys.exit(main())
