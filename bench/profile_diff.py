"""Where chainrule's ``diff`` spends its time on the swell cases.

Prints the split between the two phases of ``diff`` — the differentiator walk
(``Differentiator.d``) and the readable-form pass (``readable``) — timed without a profiler
(least CPU time of ``--repeats``), then cProfile's top functions by own time, with their
share, and how diff's time grows with the depth of sin-only, cos-only and mixed nests.
Run: ``python bench/profile_diff.py [product|nest ...]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from _common import timed, write_results
from bench_swell import CASES, build_chainrule


def best_cpu(fn, *args, repeats: int = 5) -> float:
    """Least CPU time of ``repeats`` calls (the shared machine's waiting left out)."""
    return min(timed(fn, *args)[2] for _ in range(repeats))


def phases(f, repeats: int) -> dict:
    """CPU time of diff's two phases, and of the readable pass over the input alone."""
    from chainrule.core.build import symbol
    from chainrule.symbolic.differentiate import Differentiator
    from chainrule.symbolic.simplify.readable import readable
    x = symbol("x")
    raw, _ = Differentiator(x).d(f)
    keep = f.nodes()  # as diff does: the function's own nodes are not re-tidied
    return {"differentiator_s": best_cpu(lambda: Differentiator(x).d(f), repeats=repeats),
            "readable_s": best_cpu(lambda: readable(raw, keep=keep), repeats=repeats),
            "readable_input_only_s": best_cpu(readable, f, repeats=repeats)}


def nest_scaling(repeats: int) -> list[dict]:
    """diff of depth-n nests of one function family: linear or quadratic in n?"""
    from chainrule.core.build import apply, symbol
    from chainrule.symbolic.api import diff
    rows = []
    for fns in (("sin",), ("cos",), ("sin", "cos")):
        for depth in (200, 400, 800):
            e = symbol("x")
            for k in range(depth):
                e = apply(fns[k % len(fns)], e)
            rows.append({"functions": "/".join(fns), "depth": depth,
                         "cpu_s": best_cpu(diff, e, "x", repeats=repeats)})
    return rows


def hot_spots(f, top: int) -> list[dict]:
    from chainrule.symbolic.api import diff
    prof = cProfile.Profile()
    prof.runcall(diff, f, "x")
    stats = pstats.Stats(prof).stats  # {(file, line, name): (cc, nc, tottime, cumtime, ...)}
    total = sum(v[2] for v in stats.values())
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    return [{"function": f"{k[0].split('src/')[-1]}:{k[1]}({k[2]})", "calls": v[1],
             "own_share": v[2] / total, "cum_share": v[3] / total} for k, v in rows]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cases", nargs="*", default=list(CASES))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--top", type=int, default=12)
    a = p.parse_args()
    out = {}
    for case in a.cases:
        f = build_chainrule(case)
        ph, spots = phases(f, a.repeats), hot_spots(f, a.top)
        total = ph["differentiator_s"] + ph["readable_s"]
        print(f"\n{case} (CPU time): differentiator {ph['differentiator_s'] * 1e3:.0f} ms "
              f"({ph['differentiator_s'] / total:.0%}), readable {ph['readable_s'] * 1e3:.0f} ms "
              f"({ph['readable_s'] / total:.0%}); readable of the input alone "
              f"{ph['readable_input_only_s'] * 1e3:.0f} ms")
        print(f"  {'own':>5} {'cum':>5} {'calls':>8}  function (cProfile)")
        for s in spots:
            print(f"  {s['own_share']:5.1%} {s['cum_share']:5.1%} {s['calls']:8d}  {s['function']}")
        out[case] = {**ph, "hot_spots": spots}
    out["nest_scaling"] = nest_scaling(a.repeats)
    print("\nnest depth scaling (CPU ms):")
    for r in out["nest_scaling"]:
        print(f"  {r['functions']:8s} depth {r['depth']:4d}: {r['cpu_s'] * 1e3:7.1f}")
    write_results("profile_diff", out)


if __name__ == "__main__":
    main()
