"""The bounded load test (``bench/load_web.py``): 200 concurrent diff requests on loopback all
succeed. Latency and memory are reported, not asserted (they depend on the machine)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

load_web = pytest.importorskip("load_web")
pytest.importorskip("httpx")


def test_200_concurrent_diff_requests_all_succeed(capsys):
    report = load_web.run(200)
    with capsys.disabled():
        print(f"\nload test: {report['succeeded']}/{report['requests']} ok, p50 "
              f"{report['p50_ms']} ms, p99 {report['p99_ms']} ms, server RSS "
              f"{report['rss_mib_before']} → {report['rss_mib_after']} MiB")
    assert report["failures"] == {}
    assert report["succeeded"] == report["requests"] == 200
    assert report["url"].startswith("http://127.0.0.1:")
