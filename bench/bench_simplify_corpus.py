"""Textbook form: chainrule's ``diff`` against SymPy's ``simplify(diff(...))``, same run.

A corpus of first-course derivatives is generated from textbook templates (rational
functions, products, quotients, chains, trigonometric / hyperbolic / inverse functions,
absolute values, radicals, exponentials, polynomials with fractional coefficients), each with
a few small integer parameters: 500+ functions. For each function chainrule's ``diff`` (its
answer in textbook form) and SymPy's ``simplify(diff(f))`` run call by call alternately.
Output size is measured with **one fixed printer** for both: SymPy's ``str`` (chainrule's
answer converted with ``to_sympy``), ``**`` counted as ``^``; and as the number of nodes of
the SymPy tree (``preorder_traversal``). Both answers are compared at a point.
Targets (issue): never longer than SymPy's by more than 10 %, shorter on average, less time.
Run: ``python bench/bench_simplify_corpus.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

from _common import emit, machine, median, run_worker, table, timed, write_results

TEMPLATES = [
    # rational functions
    "((x + {a})/(x - {b}))^{n}", "(x^2 + {a})/(x^2 - {b})", "({a}x + {b})/({b}x - {a})",
    "x^{n}/(x + {a})^{m}", "(x + {a})^{n}/(x - {b})^{m}", "1/(1 + {a}/x)",
    "(1 - {a}/x)/(1 + {b}/x)", "x/(x^2 + {a})^{m}",
    # products
    "x^{n}*sin({a}x)", "x^{n}*e^({a}x)", "x^{n}*ln(x)", "(x + {a})^{n}*(x - {b})^{m}",
    "e^({a}x)*cos({b}x)", "x^{n}*e^(-{a}x)",
    # chains
    "sin({a}x^{n} + {b})", "cos(x^{n})^{m}", "sqrt(x^{n} + {a})", "ln(x^{n} + {a})",
    "e^(sin({a}x))", "(x^2 + {a})^{m}", "tan({a}x)^{n}",
    # trigonometric quotients and identities
    "sin({a}x)/({b} + cos({a}x))", "sin(x)/(1 + cos(x)) + {a}x^{n}", "ln(cos({a}x))",
    "ln(sin({a}x))", "sin(x)^{n}*cos(x)^{m}", "sec({a}x)^{n}",
    # hyperbolic
    "ln(cosh({a}x))", "sinh({a}x)^{n}", "cosh({a}x)^{m}*x",
    # inverse functions
    "arctan(({a} + x)/({a} - x))", "arctan(x/{a})^{n}", "arcsin(x/{b})*x^{n}",
    # absolute values
    "ln(abs(x + {a}))", "abs(x)*x^{n}",
    # radicals
    "x*sqrt(x^2 + {a})", "x^(1/3) + {a}*cbrt(x)*x", "sqrt((x + {a})/(x + {b}))",
    "x^{n}*sqrt({a}x + {b})/(x - {b})^{m}",
    # exponentials
    "e^({a}x)/(1 + e^({a}x))", "x^{n}*{a}^x",
    # polynomials with fractional coefficients
    "x^{n}/{a} - {b}x^{m}/{c} + x/{c}",
    # more of each kind
    "x^{n}*cos({a}x)", "ln({a}x + {b})*x^{n}", "(x - {a})/(x^2 + {b})", "x*arctan({a}x)",
    "cos({a}x)/x^{n}", "sqrt(x)*(x + {a})^{n}", "ln(x^{n}/(x + {a}))", "x^{m}*e^(x^{n})",
    "tan({a}x) - x^{n}/{b}", "(x^2 - {a})^{n}/x^{m}",
]
PARAMS = {"a": (1, 2, 3, 4), "b": (2, 5), "n": (2, 3), "m": (1, 2), "c": (3, 7)}


def corpus(limit: int) -> list[str]:
    """The functions, deterministic: each template with each parameter choice, distinct."""
    seen: dict[str, None] = {}
    for template in TEMPLATES:
        names = [k for k in PARAMS if "{" + k + "}" in template]
        for values in itertools.product(*(PARAMS[k] for k in names)):
            seen.setdefault(template.format(**dict(zip(names, values, strict=True))), None)
    return list(seen)[:limit]


X0 = 0.37


def sympy_chars(e) -> int:
    return len(str(e).replace("**", "^"))


def sympy_nodes(e) -> int:
    import sympy as sp
    return sum(1 for _ in sp.preorder_traversal(e))


def work(limit: int, timeout: float) -> None:
    """One line per function: sizes, times and values of both answers."""
    import signal

    import sympy as sp

    from chainrule.symbolic.api import diff, parse

    def stop(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    xr = sp.Symbol("x", real=True)
    for i, text in enumerate(corpus(limit)):
        f = parse(text)
        g = f.to_sympy().subs(sp.Symbol("x"), xr)
        d, t_ours, c_ours = timed(diff, f, "x")
        ours = d.to_sympy().subs(sp.Symbol("x"), xr)
        row = {"i": i, "f": text, "ours": str(d), "chars": sympy_chars(ours),
               "nodes": sympy_nodes(ours), "own_chars": len(str(d)), "s": t_ours,
               "cpu": c_ours, "sympy": None}
        w, c = time.perf_counter(), time.process_time()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            theirs = sp.simplify(sp.diff(g, xr))
        except TimeoutError:
            theirs = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        row["sympy_s"], row["sympy_cpu"] = time.perf_counter() - w, time.process_time() - c
        if theirs is not None:
            row.update(sympy=str(theirs), sympy_chars=sympy_chars(theirs),
                       sympy_nodes=sympy_nodes(theirs), agree=_agree(d, theirs, xr))
        emit(row)


def _agree(d, theirs, xr) -> bool | None:
    try:
        a = float(d.evaluate(x=X0))
        b = float(theirs.subs(xr, X0).evalf(30))
    except Exception:  # undefined at the point or not real: not compared
        return None
    if not (math.isfinite(a) and math.isfinite(b)):
        return None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def summarise(rows: list[dict]) -> dict:
    done = [r for r in rows if r["sympy"] is not None]
    ratios = [r["chars"] / r["sympy_chars"] for r in done]
    node_ratios = [r["nodes"] / r["sympy_nodes"] for r in done]
    worst = sorted(done, key=lambda r: r["chars"] / r["sympy_chars"], reverse=True)[:8]
    return {
        "functions": len(rows), "simplify_finished": len(done),
        "chars": sum(r["chars"] for r in done), "sympy_chars": sum(r["sympy_chars"] for r in done),
        "nodes": sum(r["nodes"] for r in done), "sympy_nodes": sum(r["sympy_nodes"] for r in done),
        "mean_char_ratio": sum(ratios) / len(ratios), "median_char_ratio": median(ratios),
        "max_char_ratio": max(ratios), "mean_node_ratio": sum(node_ratios) / len(node_ratios),
        "over_10pct": sum(1 for q in ratios if q > 1.10),
        "shorter": sum(1 for q in ratios if q < 1), "equal": sum(1 for q in ratios if q == 1),
        "longer": sum(1 for q in ratios if q > 1),
        "time_s": sum(r["s"] for r in rows), "sympy_time_s": sum(r["sympy_s"] for r in rows),
        "cpu_s": sum(r["cpu"] for r in rows), "sympy_cpu_s": sum(r["sympy_cpu"] for r in rows),
        "agree": sum(1 for r in done if r.get("agree") is True),
        "disagree": [r["f"] for r in done if r.get("agree") is False],
        "worst": [(r["f"], r["ours"], r["sympy"]) for r in worst],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit", type=int, default=2000, help="most functions to take")
    p.add_argument("--simplify-timeout", type=float, default=20.0, help="seconds per simplify")
    p.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker is not None:
        work(int(a.worker[0]), float(a.worker[1]))
        return
    n = len(corpus(a.limit))
    rows, killed = run_worker("bench_simplify_corpus.py", [str(a.limit), str(a.simplify_timeout)],
                              timeout=600 + n * (a.simplify_timeout + 5))
    res = summarise(rows)
    print(f"{res['functions']} functions; SymPy's simplify finished {res['simplify_finished']}"
          + (" (worker killed)" if killed else ""))
    print(table(["measure", "chainrule", "SymPy simplify(diff)", "ratio"], [
        ["characters (SymPy's printer)", res["chars"], res["sympy_chars"],
         f"{res['chars'] / res['sympy_chars']:.3f}"],
        ["tree nodes", res["nodes"], res["sympy_nodes"],
         f"{res['nodes'] / res['sympy_nodes']:.3f}"],
        ["time, wall (s)", f"{res['time_s']:.2f}", f"{res['sympy_time_s']:.2f}",
         f"{res['time_s'] / res['sympy_time_s']:.3f}"],
        ["time, CPU (s)", f"{res['cpu_s']:.2f}", f"{res['sympy_cpu_s']:.2f}",
         f"{res['cpu_s'] / res['sympy_cpu_s']:.3f}"],
    ]))
    print(f"per function, characters ours/SymPy: mean {res['mean_char_ratio']:.3f}, median "
          f"{res['median_char_ratio']:.3f}, max {res['max_char_ratio']:.3f}; over +10 %: "
          f"{res['over_10pct']}; shorter {res['shorter']}, equal {res['equal']}, longer "
          f"{res['longer']}; values agree {res['agree']}, disagree {len(res['disagree'])}")
    for f, ours, theirs in res["worst"]:
        print(f"  {f}:  {ours}   |   {theirs}")
    path = write_results("simplify_corpus", {"machine": machine(), "results": res, "rows": rows})
    print(f"written {path}")


if __name__ == "__main__":
    main()
