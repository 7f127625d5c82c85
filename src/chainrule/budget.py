"""Work limits. Every public operation checks the one that bounds it.

Limits are per operation, not only on input length: SymPy hangs on ``9^9^9`` and takes
seconds on a 2,000-term sum; we refuse clearly instead.
"""

from __future__ import annotations

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
