"""How long hostile inputs take to be refused (issue: each within a second).

Times every malformed or hostile input of ``tests/test_parser.py`` (unbalanced parentheses,
unknown functions, ``x^^2``, a 10 MB string, 10,000-deep nesting, ``9^9^9^9``,
``__import__('os')``, NUL bytes, emoji, …) and prints the slowest. A benchmark, not a test:
machines here are shared, so no wall-clock assertion lives in the test suite.

    python bench/bench_hostile.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from chainrule.errors import ChainruleError  # noqa: E402
from chainrule.parsing import parse  # noqa: E402
from test_parser import INVALID  # noqa: E402


def main() -> None:
    rows = []
    for text, _, _ in INVALID:
        started = time.perf_counter()
        try:
            parse(text)
            outcome = "PARSED (unexpected)"
        except ChainruleError as err:
            outcome = str(err)[:60]
        rows.append((time.perf_counter() - started, repr(text[:30]), outcome))
    rows.sort(reverse=True)
    for seconds, text, outcome in rows[:10]:
        print(f"{seconds * 1000:9.2f} ms  {text:34}  {outcome}")
    slowest = rows[0][0]
    print(f"{len(rows)} hostile inputs; slowest {slowest * 1000:.1f} ms "
          f"({'within' if slowest < 1 else 'OVER'} one second)")
    out = ROOT / "bench" / "results" / "hostile.json"
    out.write_text(json.dumps({"count": len(rows), "slowest_s": slowest}))


if __name__ == "__main__":
    main()
