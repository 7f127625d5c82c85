"""How fast the command line starts, against ``python -c "import numpy"``.

Times whole processes, as a user waits for them: ``chainrule --help``, ``chainrule diff x^2``
and the baseline ``python -c "import numpy"`` (``diff`` needs NumPy, so that is the floor).
The three commands run **interleaved**, round after round, so load on a shared machine hits
them alike; we report min and median wall times and the ratios to the baseline.
Target: CLI start ≤ 1.5× the baseline.

    python bench/bench_cli_start.py            # 15 rounds
    python bench/bench_cli_start.py --runs 30

Writes ``bench/results/cli_start.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET = 1.5

# the console script is `chainrule`; `-m chainrule.cli.main` runs the same entry point
# without depending on where pip put the script (``-m chainrule`` would import the
# package's __main__, the same code)
COMMANDS: dict[str, list[str]] = {
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "chainrule --help": [sys.executable, "-m", "chainrule", "--help"],
    "chainrule diff x^2": [sys.executable, "-m", "chainrule", "diff", "x^2"],
    # the same work without the command-line framework: what Typer's own start costs
    "diff x^2, no CLI framework": [sys.executable, "-c", (
        "from chainrule.cli.common import emit\n"
        "from chainrule.cli.diff_command import DiffRequest, run_diff\n"
        "emit(run_diff(DiffRequest('x^2', None, 1, None, False, '', 'normal', 'auto', 'text')))")],
}
BASELINE = "python -c 'import numpy'"


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of one process; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def measure(runs: int) -> dict[str, list[float]]:
    """Wall times of every command, ``runs`` interleaved rounds after one warm-up round
    (the warm-up fills the OS file cache and writes the bytecode caches)."""
    env = {**os.environ, "NO_COLOR": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    # an installed package has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module from source on every start
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for argv in COMMANDS.values():
        wall_time(argv, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            times[name].append(wall_time(argv, env))
    return times


def summarise(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Min and median per command, and both as ratios to the baseline's."""
    base_min, base_med = min(times[BASELINE]), statistics.median(times[BASELINE])
    return {name: {"min_s": min(t), "median_s": statistics.median(t),
                   "ratio_min": min(t) / base_min,
                   "ratio_median": statistics.median(t) / base_med}
            for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="interleaved rounds (default 15)")
    args = parser.parse_args()
    summary = summarise(measure(args.runs))
    print(f"{'command':30} {'min ms':>8} {'median ms':>10} {'× numpy (min)':>14} "
          f"{'× numpy (median)':>17}")
    for name, row in summary.items():
        print(f"{name:30} {row['min_s'] * 1e3:8.0f} {row['median_s'] * 1e3:10.0f} "
              f"{row['ratio_min']:14.2f} {row['ratio_median']:17.2f}")
    worst = max(row["ratio_median"] for name, row in summary.items()
                if name.startswith("chainrule"))
    print(f"target: CLI start ≤ {TARGET}× the baseline; worst median ratio {worst:.2f} "
          f"({'met' if worst <= TARGET else 'NOT met'})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_start.json").write_text(json.dumps(
        {"runs": args.runs, "python": sys.version.split()[0], "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
