"""Bounded load test of ``chainrule serve``: N concurrent ``POST /api/diff`` on loopback.

Starts the explorer in its own process on 127.0.0.1 (a free port), warms it up with one
request per expression, reads its resident memory, sends ``--requests`` diff requests at once
(``httpx.AsyncClient``, one connection each), checks every answer, and reads the memory
again. Reports the success count, latency percentiles (p50, p99, max), throughput, and the
server's RSS before and after (and its peak). Nothing leaves the machine: the client talks to
127.0.0.1 only. The CPU time the server and this client spent during the burst is reported
too: on a small machine the Python HTTP client's own work is a large part of the latency.

``--parse-under-load`` measures instead the latency of ``POST /api/parse`` (p50, p99) while
four expensive requests occupy the engine's workers.

Run: ``python bench/load_web.py [--requests 200] [--json] [--parse-under-load]``
(``--json`` also writes ``bench/results/load_web.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
EXPRESSIONS = ("x^x", "x^2 sin x", "ln(x^2 + 1)", "sin(x)^cos(x)", "e^(-x)/(1 + e^(-x))",
               "sqrt(x) tan x", "(x^2 + 1)^3/(x - 4)", "sigmoid(3x + 1)")


def request_body(i: int) -> dict:
    """The i-th request: expressions in turn, orders 1 and 2, half of them with steps."""
    return {"expr": EXPRESSIONS[i % len(EXPRESSIONS)], "wrt": "x", "order": 1 + i % 2,
            "at": {"x": 0.7}, "steps": i % 2 == 0}


def rss_mib(pid: int) -> dict[str, float | None]:
    """Resident and peak resident memory of ``pid`` in MiB (Linux /proc; None elsewhere)."""
    out: dict[str, float | None] = {"rss": None, "peak": None}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss" if key == "VmRSS" else "peak"] = int(value.split()[0]) / 1024
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, "-m", "chainrule.web", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "http://" in line or proc.poll() is not None:
            break
    if "http://" not in line:
        proc.kill()
        raise RuntimeError(f"the server did not start: {line!r} {proc.stderr.read()[-2000:]}")
    url = line[line.index("http://"):].split()[0].rstrip("/")
    if urlparse(url).hostname != "127.0.0.1":
        proc.kill()
        raise RuntimeError(f"refusing to load-test a non-loopback address {url}")
    return proc, url


async def _load(url: str, n: int, timeout: float) -> tuple[list[float], list[str], float]:
    import httpx

    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:

        async def one(i: int) -> tuple[float, str]:
            body = request_body(i)
            start = time.perf_counter()
            try:
                r = await client.post("/api/diff", json=body)
            except httpx.HTTPError as err:
                return time.perf_counter() - start, f"{type(err).__name__}"
            elapsed = time.perf_counter() - start
            if r.status_code != 200:
                return elapsed, f"HTTP {r.status_code}: {r.text[:120]}"
            data = r.json()
            if data.get("input") != body["expr"] or "derivative" not in data or (
                    body["steps"] and "steps" not in data):
                return elapsed, "wrong answer"
            return elapsed, "ok"

        return await _gather(one, n)


async def _gather(one, n: int) -> tuple[list[float], list[str], float]:
    start = time.perf_counter()
    results = await asyncio.gather(*(one(i) for i in range(n)))
    wall = time.perf_counter() - start
    return [r[0] for r in results], [r[1] for r in results], wall


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(n: int = 200, timeout: float = 120.0) -> dict:
    """Start a server, load it with ``n`` concurrent diff requests, stop it; the report."""
    proc, url = start_server()
    try:
        at_start = rss_mib(proc.pid)
        before: dict[str, float | None] = {}

        async def scenario() -> tuple[list[float], list[str], float]:
            import httpx
            async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
                for i in range(len(EXPRESSIONS) * 2):  # warm-up: each expression, both orders
                    (await client.post("/api/diff", json=request_body(i))).raise_for_status()
            before.update(rss_mib(proc.pid))
            cpu["server"] = cpu_seconds(proc.pid)
            cpu["client"] = time.process_time()
            return await _load(url, n, timeout)

        cpu: dict[str, float | None] = {}
        latencies, outcomes, wall = asyncio.run(scenario())
        after = rss_mib(proc.pid)
        server_cpu = cpu_seconds(proc.pid)
        client_cpu = time.process_time() - cpu["client"]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    failures: dict[str, int] = {}
    for o in outcomes:
        if o != "ok":
            failures[o] = failures.get(o, 0) + 1
    ms = [1000 * t for t in latencies]
    return {
        "url": url, "requests": n, "succeeded": outcomes.count("ok"), "failures": failures,
        "p50_ms": round(percentile(ms, 0.50), 1), "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1), "mean_ms": round(statistics.fmean(ms), 1),
        "wall_s": round(wall, 3), "requests_per_s": round(n / wall, 1),
        "server_cpu_s": None if server_cpu is None or cpu["server"] is None
        else round(server_cpu - cpu["server"], 2),
        "client_cpu_s": round(client_cpu, 2),
        "rss_mib_at_start": _round(at_start["rss"]),
        "rss_mib_before": _round(before.get("rss")),
        "rss_mib_after": _round(after["rss"]), "rss_mib_peak": _round(after["peak"]),
    }


SLOW_BODY = {"expr": "x^x sin(x^x) / (1 + x^4)", "order": 10, "steps": True}
"""An expensive request: tens of seconds of symbolic work (stopped at the time limit)."""


def parse_under_load(n_parse: int = 100, n_slow: int = 4, timeout: float = 120.0) -> dict:
    """p50/p99 of ``n_parse`` sequential ``POST /api/parse`` while ``n_slow`` expensive
    ``POST /api/diff`` run (the server's default pool: one worker per CPU)."""
    proc, url = start_server()

    async def scenario() -> tuple[list[float], list[int]]:
        import httpx
        async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
            for _ in range(5):  # warm-up
                (await client.post("/api/parse", json={"expr": "x"})).raise_for_status()
            slow = [asyncio.ensure_future(client.post("/api/diff", json=SLOW_BODY))
                    for _ in range(n_slow)]
            await asyncio.sleep(1.0)  # the slow ones are computing
            times = []
            for i in range(n_parse):
                start = time.perf_counter()
                r = await client.post("/api/parse", json={"expr": f"x^{i} sin x + e^x"})
                r.raise_for_status()
                times.append(time.perf_counter() - start)
            still = sum(not s.done() for s in slow)
            statuses = [r.status_code for r in await asyncio.gather(*slow)]
            return times, [still, *statuses]

    try:
        times, (still_running, *statuses) = asyncio.run(scenario())
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    ms = [1000 * t for t in times]
    return {"url": url, "parse_requests": n_parse, "slow_requests": n_slow,
            "slow_still_running_after_parses": still_running, "slow_statuses": statuses,
            "parse_p50_ms": round(percentile(ms, 0.50), 1),
            "parse_p99_ms": round(percentile(ms, 0.99), 1), "parse_max_ms": round(max(ms), 1)}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="concurrent requests")
    parser.add_argument("--json", action="store_true", help="write bench/results/load_web.json")
    parser.add_argument("--parse-under-load", action="store_true",
                        help="p50/p99 of /api/parse while 4 expensive requests run")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 2000:
        parser.error("--requests must be between 1 and 2000 (the test is bounded)")
    if args.parse_under_load:
        report = parse_under_load()
        for key, value in report.items():
            print(f"{key:>32}: {value}")
        return 0
    report = run(args.requests)
    for key, value in report.items():
        print(f"{key:>18}: {value}")
    if args.json:
        sys.path.insert(0, str(ROOT / "bench"))
        from _common import machine, write_results
        path = write_results("load_web", {"machine": machine(), "report": report})
        print(f"wrote {path}")
    return 0 if report["succeeded"] == report["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
