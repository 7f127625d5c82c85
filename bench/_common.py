"""Shared helpers for the benchmarks: workers in fresh subprocesses, tables, JSON results."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without `pip install -e .`


def run_worker(script: str, args: list[str], timeout: float) -> tuple[list[dict], bool]:
    """Run ``script --worker *args`` in a fresh interpreter.

    Returns the JSON objects it printed (one a line) and whether it was killed at ``timeout``
    seconds; lines printed before the kill are kept.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    cmd = [sys.executable, str(ROOT / "bench" / script), "--worker", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        out, killed = proc.stdout, False
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-2000:])
    except subprocess.TimeoutExpired as err:
        out, killed = err.stdout or "", True
        if isinstance(out, bytes):
            out = out.decode()
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return rows, killed


def timed(fn, *args, **kwargs) -> tuple[object, float, float]:
    """``(result, wall seconds, CPU seconds of this process)`` of one call.

    Wall time (``perf_counter``) is the measure; CPU time is recorded beside it because on a
    shared, oversubscribed machine it is what the call itself cost, without the waiting.
    """
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def emit(obj: dict) -> None:
    """Print one JSON line from a worker (flushed, so a parent that kills us still sees it)."""
    print(json.dumps(obj), flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def rel_err(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(c) for c in r] for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def machine() -> dict:
    import platform
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=ROOT).stdout.strip()
    return {"commit": head, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average_at_end": os.getloadavg()}
