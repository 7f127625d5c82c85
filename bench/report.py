"""Run the speed benchmarks of the speed issue and write ``bench/results.md``.

Each row of the table is a ratio measured in one run against a peer in the same process (or
against the work's own NumPy time), never a bare time: this machine is shared and noisy.

* W2, the logistic NLL gradient (N = 2e5, d = 100), ``bench_ad_logreg.py``: tool / loss time
  and tool / JAX-jit;
* W4, an elementwise derivative on 1e6 points, ``bench_ad_elementwise.py``: tool / f;
* peak memory of a gradient (W2 and a 150-operation elementwise chain on 1e6 entries),
  ``bench_ad_memory.py``: chainrule's peak / autograd's and / the every-value tape's;
* symbolic swell (a product of 400 factors, a depth-400 nest), ``bench_swell.py``: chainrule /
  SymEngine;
* numeric derivatives at 1e4 points, ``bench_numeric_batch.py``: chainrule / scipy time;
* the MC score-function estimate at 1e7 and 1e8 samples, ``bench_mc_stream.py``: peak MB.

Run: ``python bench/report.py [--quick] [--only W2 W4 ...]`` (``pip install -e ".[bench]"``;
peers that are not installed are reported as not measured). ``--quick`` uses fewer rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _common import RESULTS, ROOT, machine

HERE = Path(__file__).resolve().parent
PEERS = ["autograd", "torch", "jax"]


def _peers() -> list[str]:
    import importlib.util
    return [p for p in PEERS if importlib.util.find_spec(p) is not None]


def _run(script: str, *args: str) -> None:
    print(f"== {script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args], check=True, cwd=HERE)


def _load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def _fmt(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def rows_ad(name: str, title: str) -> list[str]:
    data = _load(name)
    out = []
    for target, t in data["targets"].items():
        limit = "" if t["limit"] is None else f"≤ {t['limit']:g}"
        out.append(f"| {title} | {target} | {_fmt(t['ratio'])} | {limit} | {t['verdict']} |")
    return out


def _verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "MISSED"


def rows_swell() -> list[str]:
    out = []
    for case, r in _load("swell")["results"].items():
        rows = [("chainrule `diff` / SymEngine `diff` (median warm, wall)",
                 r["ratio_vs_symengine_warm"], 1.5),
                ("chainrule `diff` / SymEngine `diff` (median warm, CPU)",
                 r["ratio_vs_symengine_cpu_warm"], 1.5),
                ("chainrule differentiator, untidied / SymEngine `diff` (median warm, CPU)",
                 r["raw_ratio_vs_symengine_cpu_warm"], 1.5),
                ("derivative size / input size (DAG nodes)", r["growth_nodes"], 1.5),
                ("derivative size / SymEngine's derivative size (DAG nodes)",
                 r["nodes_vs_symengine"], 1.5)]
        out += [f"| swell `{case}` | {what} | {_fmt(v)} | ≤ {limit:g} | {_verdict(v, limit)} |"
                for what, v, limit in rows]
    return out


def rows_numeric() -> list[str]:
    out = []
    for case, rows in _load("bench_numeric_batch")["results"].items():
        scipy_err = rows["scipy"]["max_error"]
        for label, r in rows.items():
            if not label.startswith("chainrule") or "per point" in label:
                continue
            ratio = r["ratio_vs_scipy"]  # chainrule time / scipy time, median over rounds
            err = f"max err {r['max_error']:.1e} vs scipy {scipy_err:.1e}"
            better = r["max_error"] <= scipy_err
            out.append(f"| numeric 1e4 points `{case}` | {label} time / scipy time ({err}) | "
                       f"{_fmt(ratio)} | ≤ 1 | "
                       f"{'met' if ratio <= 1 and better else 'MISSED'} |")
    return out


def rows_mc() -> list[str]:
    out = []
    for n, res in _load("bench_mc_stream")["runs"].items():
        r = res["streamed"]
        out.append(f"| MC score function n = {int(n):.0e} | streamed peak memory (MB) | "
                   f"{_fmt(r['peak_mb'])} | ≤ 100 | {'met' if r['peak_mb'] <= 100 else 'MISSED'} |")
    return out


GPU_FILE = HERE / "gpu-h200.json"
"""The latest ``bench/gpu.py`` run on a GPU machine (one H200), kept in the repository: this
machine has no GPU, so the figures are recorded where they were measured."""


def gpu_section() -> list[str]:
    if not GPU_FILE.exists():
        return []
    data = json.loads(GPU_FILE.read_text())
    ms = {(r["workload"], r["row"]): r["ms"] for r in data["rows"]}
    lines = ["", "## GPU (one NVIDIA H200, float64, medians; `python bench/gpu.py`)", "",
             "| workload | row | median ms | ratio |", "|---|---|---:|---|"]
    for r in data["rows"]:
        ref = r["reference"]
        ratio = "" if ref is None else f"{r['ms'] / ms[(r['workload'], ref)]:.2f}× {ref}"
        lines.append(f"| {r['workload']} | {r['row']} | {r['ms']:.3f} | {ratio} |")
    lines += ["", *(f"- {n}" for n in data["notes"])]
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    p.add_argument("--only", nargs="+",
                   default=["W2", "W4", "memory", "swell", "numeric", "mc"])
    a = p.parse_args()
    rounds = ["--rounds", "3" if a.quick else "7"]
    peers = _peers()
    peer_args = ["--peers", *peers] if peers else []
    sections: list[str] = []
    if "W2" in a.only:
        _run("bench_ad_logreg.py", *rounds, *peer_args)
        sections += rows_ad("ad_logreg", "W2 logistic NLL gradient")
    if "W4" in a.only:
        _run("bench_ad_elementwise.py", *rounds, *peer_args)
        sections += rows_ad("ad_elementwise", "W4 elementwise derivative")
    if "memory" in a.only:
        _run("bench_ad_memory.py", "--repeats", "1" if a.quick else "3", *peer_args)
        sections += rows_ad("ad_memory", "gradient peak memory")
    if "swell" in a.only:
        _run("bench_swell.py", "--runs", "3" if a.quick else "5", "--sympy-timeout", "20")
        sections += rows_swell()
    if "numeric" in a.only:
        _run("bench_numeric_batch.py", *rounds)
        sections += rows_numeric()
    if "mc" in a.only:
        _run("bench_mc_stream.py", "--n", *(["1e7"] if a.quick else ["1e7", "1e8"]))
        sections += rows_mc()
    m = machine()
    text = "\n".join([
        "# Speed results",
        "",
        f"Written by `bench/report.py` at commit `{m['commit']}`: Python {m['python']}, "
        f"{m['cpus']} CPUs ({m['machine']}), load average at the end "
        f"{', '.join(f'{x:.1f}' for x in m['load_average_at_end'])}; peers: "
        f"{', '.join(peers) or 'none installed'}. Every ratio is from one run, against a "
        "peer timed in the same process (medians of per-round ratios).",
        "",
        "| work | measure | measured | target | verdict |",
        "|---|---|---|---|---|",
        *sections,
        *gpu_section(),
        "",
    ])
    path = Path(os.environ.get("CHAINRULE_RESULTS_MD", ROOT / "bench" / "results.md"))
    path.write_text(text)
    print(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
