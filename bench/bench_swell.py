"""Expression swell: derivatives of a large product and of a deep function nest.

* ``product``: f = prod_{i=1..200} (x+i)^i / (x+200+i)
* ``nest``:    sin(cos(sin(...(x)))) with 400 alternating functions

For each, chainrule's ``diff`` (the first call in a fresh process, "cold", and the median of
later calls, "warm"), its differentiator alone ("raw": the derivative as built, not tidied,
the same work as SymEngine's), SymEngine's ``diff`` on the same function, and SymPy's
``diff`` under a time limit; sizes of input and derivative (DAG nodes, both libraries); and a
numeric check at x = 1/2 against SymEngine and a closed form.
Run: ``python bench/bench_swell.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time

from _common import emit, machine, median, rel_err, run_worker, table, timed, write_results

CASES = ("product", "nest")
N, DEPTH, X0 = 200, 400, 0.5


# -- the functions, built natively in each library ----------------------------------------

def build_chainrule(case: str):
    from chainrule.core.build import add, apply, div, mul, power, symbol
    x = symbol("x")
    if case == "product":
        return mul(*(div(power(add(x, i), i), add(x, N + i)) for i in range(1, N + 1)))
    e = x
    for k in range(DEPTH):
        e = apply("sin" if k % 2 == 0 else "cos", e)
    return e


def build_other(lib, case: str):
    """The same function in SymPy or SymEngine (they share this API)."""
    x = lib.Symbol("x")
    if case == "product":
        return x, lib.Mul(*[(x + i) ** i / (x + N + i) for i in range(1, N + 1)])
    e = x
    for k in range(DEPTH):
        e = lib.sin(e) if k % 2 == 0 else lib.cos(e)
    return x, e


def closed_form(case: str) -> float:
    """product: f'/f = sum i/(x+i) - 1/(x+N+i); nest: the chain rule's product of factors."""
    if case == "product":
        return math.fsum(i / (X0 + i) - 1 / (X0 + N + i) for i in range(1, N + 1))
    u, out = X0, 1.0
    for k in range(DEPTH):
        out *= math.cos(u) if k % 2 == 0 else -math.sin(u)
        u = math.sin(u) if k % 2 == 0 else math.cos(u)
    return out


# -- sizes and values ---------------------------------------------------------------------

def tree_size(e) -> int:
    """Nodes counted with repetition (the printed tree), by dynamic programming on the DAG."""
    size: dict[int, int] = {}
    for n in e.walk():
        size[id(n)] = 1 + sum(size[id(a)] for a in n.args)
    return size[id(e)]


def mp_value(e, x: float):
    """Value of a chainrule DAG in 60-digit arithmetic (the product overflows a float)."""
    import mpmath as mp

    from chainrule.core.expr import Apply, Const, NamedConst
    mp.mp.dps = 60
    fns = {"add": lambda *a: mp.fsum(a), "mul": lambda *a: mp.fprod(a),
           "pow": lambda b, p: b**p, "ln": mp.log, "abs": abs, "exp": mp.exp,
           "sin": mp.sin, "cos": mp.cos}
    val: dict[int, object] = {}
    for n in e.walk():
        if isinstance(n, Apply):
            val[id(n)] = fns[n.prim.name](*(val[id(a)] for a in n.args))
        elif isinstance(n, Const | NamedConst):
            v = n.value
            val[id(n)] = mp.mpf(v.numerator) / v.denominator if hasattr(v, "numerator") \
                else mp.mpf(v)
        else:
            val[id(n)] = mp.mpf(x)
    return val[id(e)]


# -- workers (each in a fresh process) ----------------------------------------------------

def dag_nodes(e) -> int:
    """Distinct subexpressions of a SymEngine (or SymPy) expression: its DAG's node count."""
    seen, stack = {e}, [e]
    while stack:
        for a in stack.pop().args:
            if a not in seen:
                seen.add(a)
                stack.append(a)
    return len(seen)


def raw_diff(f):
    """chainrule's differentiator alone: the derivative as built, not tidied for reading —
    the same work as SymEngine's ``diff``, which does not simplify either."""
    from chainrule.core.build import symbol
    from chainrule.symbolic.differentiate import Differentiator
    return Differentiator(symbol("x")).d(f)[0]


def work_pair(case: str, repeats: int) -> None:
    """chainrule and SymEngine in one process, calls alternating, so load noise hits both.

    The order of the three calls goes through all six permutations, one a round: a call
    right after SymEngine's runs measurably slower (caches refilled), so each call follows
    each other one equally often. Round 0 starts with ``diff``, the cold call. Every result
    is dropped at once, so no call finds another's nodes ready-made in the intern table.
    """
    import symengine as se

    from chainrule.symbolic.api import diff
    f = build_chainrule(case)
    x, g = build_other(se, case)
    times: dict[str, list] = {"chainrule": [], "symengine": [], "chainrule_raw": []}
    calls = [("chainrule", diff, (f, "x")), ("symengine", g.diff, (x,)),
             ("chainrule_raw", raw_diff, (f,))]
    orders = list(itertools.permutations(calls))
    for k in range(repeats + 1):
        for name, fn, args in orders[k % len(orders)]:
            times[name].append(timed(fn, *args)[1:])
    cr, sg, raw = times["chainrule"], times["symengine"], times["chainrule_raw"]
    d, dg = diff(f, "x"), g.diff(x)
    if case == "product":  # f is about 10^460: 60-digit chainrule, 200-bit MPFR SymEngine
        at = {x: se.RealMPFR(str(X0), 200)}
        values = (mp_value(d, X0) / mp_value(f, X0), dg.subs(at) / g.subs(at))
    else:
        values = (d.evaluate(x=X0), dg.subs({x: X0}))
    edges = [sum(len(n.args) for n in e.walk()) for e in (f, d)]
    emit({"chainrule": cr, "symengine": sg, "chainrule_raw": raw, "nodes_in": f.node_count(),
          "nodes_out": d.node_count(), "symengine_nodes_in": dag_nodes(g),
          "symengine_nodes_out": dag_nodes(dg), "edges_in": edges[0], "edges_out": edges[1],
          "tree_in": tree_size(f), "tree_out": tree_size(d), "chars_out": len(str(d)),
          "value_chainrule": float(values[0]), "value_symengine": float(values[1])})


def work_sympy(case: str, limit: int) -> None:
    import signal

    import sympy as sp
    sys.setrecursionlimit(100_000)
    x, f = build_other(sp, case)

    def stop(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(limit)
    t, c = time.perf_counter(), time.process_time()
    try:
        d = sp.diff(f, x)
    except TimeoutError:
        emit({"timeout": True})
        return
    emit({"time": time.perf_counter() - t, "cpu": time.process_time() - c})
    signal.alarm(0)
    tree_in, tree_out = (sum(1 for _ in sp.preorder_traversal(e)) for e in (f, d))
    dag_in, dag_out = (len(set(sp.preorder_traversal(e))) for e in (f, d))
    emit({"tree_in": tree_in, "tree_out": tree_out, "dag_in": dag_in, "dag_out": dag_out})


# -- driver -------------------------------------------------------------------------------

def measure(case: str, runs: int, repeats: int, sympy_limit: int) -> dict:
    pairs = [run_worker("bench_swell.py", ["pair", case, str(repeats)], 600)[0][0]
             for _ in range(runs)]
    rows, _ = run_worker("bench_swell.py", ["sympy", case, str(sympy_limit)], sympy_limit + 300)
    sym = {k: v for r in rows for k, v in r.items()}
    out = {k: v for k, v in pairs[0].items() if k not in ("chainrule", "symengine",
                                                            "chainrule_raw")}
    for lib in ("chainrule", "symengine", "chainrule_raw"):
        warm = [t for r in pairs for t in r[lib][1:]]
        out[f"{lib}_cold_s"] = median([r[lib][0][0] for r in pairs])
        out[f"{lib}_warm_s"] = median([w for w, _ in warm])
        out[f"{lib}_min_s"] = min(w for w, _ in warm)
        out[f"{lib}_cpu_min_s"] = min(c for _, c in warm)
    out.update(sympy_s=sym.get("time"), sympy_limit_s=sympy_limit, sympy_sizes=sym,
               value_closed_form=closed_form(case))
    for k in ("cold", "warm", "min", "cpu_min"):
        out[f"ratio_vs_symengine_{k}"] = out[f"chainrule_{k}_s"] / out[f"symengine_{k}_s"]
        out[f"raw_ratio_vs_symengine_{k}"] = (out[f"chainrule_raw_{k}_s"]
                                              / out[f"symengine_{k}_s"])
    # CPU time, median over every warm call: what each call cost, without the waiting
    for lib in ("chainrule", "symengine", "chainrule_raw"):
        out[f"{lib}_cpu_warm_s"] = median([c for r in pairs for _, c in r[lib][1:]])
    out["ratio_vs_symengine_cpu_warm"] = (out["chainrule_cpu_warm_s"]
                                          / out["symengine_cpu_warm_s"])
    out["raw_ratio_vs_symengine_cpu_warm"] = (out["chainrule_raw_cpu_warm_s"]
                                              / out["symengine_cpu_warm_s"])
    out["growth_nodes"] = out["nodes_out"] / out["nodes_in"]
    out["symengine_growth_nodes"] = out["symengine_nodes_out"] / out["symengine_nodes_in"]
    out["nodes_vs_symengine"] = out["nodes_out"] / out["symengine_nodes_out"]
    out["growth_tree"] = out["tree_out"] / out["tree_in"]
    if "tree_out" in sym:
        out["sympy_growth_tree"] = sym["tree_out"] / sym["tree_in"]
        out["sympy_growth_dag"] = sym["dag_out"] / sym["dag_in"]
    # SymPy is timed once, first call in its process: compare with chainrule's cold call.
    out["sympy_over_chainrule_cold"] = sym["time"] / out["chainrule_cold_s"] if sym.get(
        "time") else None
    out["rel_err_symengine"] = rel_err(out["value_chainrule"], out["value_symengine"])
    out["rel_err_closed_form"] = rel_err(out["value_chainrule"], out["value_closed_form"])
    return out


def report(results: dict) -> None:
    rows = []
    for case, r in results.items():
        sympy_t = f"{r['sympy_s']:.1f} s" if r["sympy_s"] else f"> {r['sympy_limit_s']} s"
        sympy_g = f"{r['sympy_growth_tree']:.0f}x" if "sympy_growth_tree" in r else "n/a"
        rows.append([
            case, f"{r['nodes_in']}->{r['nodes_out']}", f"{r['growth_nodes']:.2f}x",
            f"{r['symengine_nodes_in']}->{r['symengine_nodes_out']}",
            f"{r['growth_tree']:.1f}x", sympy_g,
            f"{r['ratio_vs_symengine_cold']:.2f}x", f"{r['ratio_vs_symengine_warm']:.2f}x",
            f"{r['ratio_vs_symengine_cpu_warm']:.2f}x",
            f"{r['raw_ratio_vs_symengine_warm']:.2f}x",
            f"{r['raw_ratio_vs_symengine_cpu_warm']:.2f}x", sympy_t,
            f"{max(r['rel_err_symengine'], r['rel_err_closed_form']):.0e}"])
    print(table(["case", "nodes in->out", "growth", "SymEngine nodes", "tree growth",
                 "SymPy tree growth", "/SymEngine cold", "/SymEngine median (<=1.5x)",
                 "/SymEngine CPU median", "raw /SymEngine median", "raw /SymEngine CPU",
                 "SymPy diff", "rel err"], rows))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5, help="fresh processes per library")
    p.add_argument("--repeats", type=int, default=5, help="warm calls per process")
    p.add_argument("--sympy-timeout", type=int, default=60, help="seconds for SymPy's diff")
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    p.add_argument("--worker", nargs=3, metavar=("LIB", "CASE", "N"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        lib, case, n = a.worker
        (work_pair if lib == "pair" else work_sympy)(case, int(n))
        return
    results = {c: measure(c, a.runs, a.repeats, a.sympy_timeout) for c in a.cases}
    report(results)
    path = write_results("swell", {"machine": machine(), "runs": a.runs, "repeats": a.repeats,
                                   "results": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
