"""Deep recursion for DAG algorithms.

Since Python 3.11 pure-Python calls do not consume the C stack, so raising the recursion limit
is safe; recursive code over 10,000-deep expressions is far simpler than explicit stacks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

DEEP_LIMIT = 60_000


@contextmanager
def deep_recursion(limit: int = DEEP_LIMIT) -> Iterator[None]:
    """Temporarily allow ``limit`` nested Python calls."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
