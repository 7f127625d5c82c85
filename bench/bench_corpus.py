"""Everyday functions: chainrule vs SymPy on the test corpus (``tests/corpus.py``).

Each (function, variable) pair of the corpus is differentiated by chainrule (the text parsed
by ``chainrule.parse``) and by SymPy (the same text read by SymPy's parser, the corpus's
``sympy_of``). Measured: total ``diff`` time over the corpus (first pass in a fresh process,
"cold", then the median and minimum of later passes; SymPy's cache is cleared before every
pass), readable output size (characters of ``str``; SymPy's ``**`` counted as ``^``) against
SymPy's ``diff`` and ``simplify(diff)`` (each simplify under a time limit), and agreement of
the two derivatives at a point of the entry's domain.
Run: ``python bench/bench_corpus.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import math
import time

from _common import ROOT, emit, machine, median, run_worker, table, timed, write_results


def load_jobs() -> tuple[object, list[tuple[str, str, dict]]]:
    """The corpus module and its jobs: (text, variable, a point of the domain)."""
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    import corpus
    return corpus, [(e.text, v, e.points(1)[0]) for e in corpus.CORPUS for v in e.wrt]


def sympy_text(e) -> str:
    return str(e).replace("**", "^")


def work(repeats: int, limit: float) -> None:
    """Timing passes with chainrule and SymPy alternating call by call (so load on a shared
    machine hits both alike), then sizes, values and SymPy's simplify, one line a job."""
    import signal

    import sympy as sp
    from sympy.core.cache import clear_cache

    from chainrule.symbolic.api import diff, parse
    corpus, jobs = load_jobs()
    ours = [parse(text) for text, _, _ in jobs]
    theirs = [corpus.sympy_of(text) for text, _, _ in jobs]
    xs = [corpus.VARIABLES[v] for _, v, _ in jobs]
    passes: dict[str, list] = {"chainrule": [], "sympy": []}
    for _ in range(repeats + 1):
        clear_cache()
        tc, ts = [0.0, 0.0], [0.0, 0.0]
        for f, g, (_, v, _), x in zip(ours, theirs, jobs, xs, strict=True):
            _, *t = timed(diff, f, v)
            tc = [a + b for a, b in zip(tc, t, strict=True)]
            _, *t = timed(sp.diff, g, x)
            ts = [a + b for a, b in zip(ts, t, strict=True)]
        passes["chainrule"].append(tc)
        passes["sympy"].append(ts)
    emit(passes)

    def stop(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    for i, (f, g, (_, v, point), x) in enumerate(zip(ours, theirs, jobs, xs, strict=True)):
        d, e = diff(f, v), sp.diff(g, x)
        row = {"i": i, "chars": len(str(d)), "sympy_chars": len(sympy_text(e)),
               "value": _value(d.evaluate, **point),
               "sympy_value": _value(e.subs, {corpus.VARIABLES[k]: p for k, p in point.items()}),
               "simplified": None}
        t = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            row["simplified"] = len(sympy_text(sp.simplify(e)))
        except TimeoutError:
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        row["simplify_s"] = time.perf_counter() - t
        emit(row)


def _value(compute, *args, **kwargs) -> float | None:
    try:
        return float(compute(*args, **kwargs))
    except Exception:  # undefined at the point, or not real: compared as missing
        return None


def agree(a: float | None, b: float | None) -> bool | None:
    if a is None or b is None or not (math.isfinite(a) and math.isfinite(b)):
        return None
    return abs(a - b) <= 1e-8 * max(1.0, abs(a), abs(b))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="timed passes after the cold one")
    p.add_argument("--simplify-timeout", type=float, default=10.0, help="seconds per simplify")
    p.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        work(int(a.worker[0]), float(a.worker[1]))
        return
    _, jobs = load_jobs()
    hard = 300 + len(jobs) * (a.simplify_timeout + 5)
    rows, killed = run_worker("bench_corpus.py", [str(a.repeats), str(a.simplify_timeout)],
                              hard)
    passes, per = rows[0], rows[1:]
    done = [r for r in per if r["simplified"] is not None]
    checks = [agree(r["value"], r["sympy_value"]) for r in per]
    res = {"jobs": len(jobs), "rows": len(per), "killed": killed}
    for lib in ("chainrule", "sympy"):
        wall = [w for w, _ in passes[lib][1:]]
        res[f"{lib}_cold_s"] = passes[lib][0][0]
        res[f"{lib}_median_s"] = median(wall)
        res[f"{lib}_min_s"] = min(wall)
        res[f"{lib}_cpu_min_s"] = min(c for _, c in passes[lib][1:])
    res.update({
        "chars_chainrule": sum(r["chars"] for r in per),
        "chars_sympy_diff": sum(r["sympy_chars"] for r in per),
        "simplify_done": len(done), "simplify_timeouts": len(per) - len(done),
        "chars_sympy_simplify": sum(r["simplified"] for r in done),
        "chars_chainrule_on_simplified": sum(r["chars"] for r in done),
        "shorter_than_simplify": sum(r["chars"] < r["simplified"] for r in done),
        "longer_than_simplify": sum(r["chars"] > r["simplified"] for r in done),
        "simplify_total_s": sum(r["simplify_s"] for r in per),
        "values_agree": checks.count(True), "values_disagree": checks.count(False),
        "values_unchecked": checks.count(None),
        "disagreements": [jobs[r["i"]][:2] for r, ok in zip(per, checks, strict=True)
                          if ok is False],
    })
    for k in ("cold", "median", "min", "cpu_min"):
        res[f"time_ratio_{k}"] = res[f"chainrule_{k}_s"] / res[f"sympy_{k}_s"]
    res["chars_ratio_diff"] = res["chars_chainrule"] / res["chars_sympy_diff"]
    res["chars_ratio_simplify"] = (res["chars_chainrule_on_simplified"]
                                   / res["chars_sympy_simplify"])
    print(table(["measure", "chainrule", "SymPy", "chainrule/SymPy"], [
        ["diff, cold pass", f"{res['chainrule_cold_s']:.3f} s", f"{res['sympy_cold_s']:.3f} s",
         f"{res['time_ratio_cold']:.2f}"],
        ["diff, median pass", f"{res['chainrule_median_s']:.3f} s",
         f"{res['sympy_median_s']:.3f} s", f"{res['time_ratio_median']:.2f}"],
        ["diff, min pass", f"{res['chainrule_min_s']:.3f} s", f"{res['sympy_min_s']:.3f} s",
         f"{res['time_ratio_min']:.2f}"],
        ["diff, min pass, CPU time", f"{res['chainrule_cpu_min_s']:.3f} s",
         f"{res['sympy_cpu_min_s']:.3f} s", f"{res['time_ratio_cpu_min']:.2f}"],
        ["chars vs diff", res["chars_chainrule"], res["chars_sympy_diff"],
         f"{res['chars_ratio_diff']:.2f}"],
        [f"chars vs simplify ({len(done)}/{len(per)} done)",
         res["chars_chainrule_on_simplified"], res["chars_sympy_simplify"],
         f"{res['chars_ratio_simplify']:.2f}"],
    ]))
    print(f"{len(jobs)} derivatives; simplify timeouts {res['simplify_timeouts']} "
          f"(limit {a.simplify_timeout:g} s, {res['simplify_total_s']:.0f} s spent); "
          f"chainrule shorter than simplify on {res['shorter_than_simplify']}, longer on "
          f"{res['longer_than_simplify']}; values agree {res['values_agree']}, disagree "
          f"{res['values_disagree']}, unchecked {res['values_unchecked']}")
    per_job = [{"text": jobs[r["i"]][0], "wrt": jobs[r["i"]][1], "chars_chainrule": r["chars"],
                "chars_sympy_diff": r["sympy_chars"], "chars_sympy_simplify": r["simplified"]}
               for r in per]
    path = write_results("corpus", {"machine": machine(), "repeats": a.repeats,
                                    "simplify_timeout_s": a.simplify_timeout, "results": res,
                                    "per_job": per_job})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
