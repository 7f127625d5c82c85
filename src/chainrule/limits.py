"""Work limits and the recursion guard. Every public operation checks the limit that bounds it.

Limits are per operation, not only on input length: SymPy hangs on ``9^9^9`` and takes
seconds on a 2,000-term sum; we refuse clearly instead.

>>> from chainrule.limits import MAX_ORDER, deep_recursion
>>> MAX_ORDER
50
>>> with deep_recursion():
...     pass
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

MAX_INPUT_CHARS = 20_000
"""Longest expression text accepted by the parser."""

MAX_NESTING = 200
"""Deepest parenthesis / function nesting accepted by the parser."""

MAX_ORDER = 50
"""Highest derivative order."""

MAX_EXACT_BITS = 4_096
"""Largest exact integer (in bits) constant folding may produce; larger powers stay as they are."""

MAX_NODES = 2_000_000
"""Largest expression DAG a derivative may grow to before we stop and say so."""

MAX_TEXT_CHARS = 5_000_000
"""Longest text a printer produces before it stops and says the expression is too large."""


# Deep recursion for DAG algorithms. Since Python 3.11 pure-Python calls do not consume the
# C stack, so raising the recursion limit is safe; recursive code over 10,000-deep expressions
# is far simpler than explicit stacks.

DEEP_LIMIT = 60_000
"""The recursion limit DAG algorithms run under."""


@contextmanager
def deep_recursion(limit: int = DEEP_LIMIT) -> Iterator[None]:
    """Temporarily allow ``limit`` nested Python calls."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
