"""Running generated code over cache-sized blocks of rows, on several threads.

Both code generators — ``chainrule.jit`` (recorded programs) and ``chainrule.compile``
(expression DAGs) — evaluate large arrays block by block: each block's temporaries stay in the
CPU's cache instead of making a trip to main memory per operation, and blocks are independent,
so they run on a pool of threads (NumPy's loops release the GIL). NumPy's own vectorised
``exp``/``log``/``pow`` keep running inside each block. This module holds what both share:
the cache size, the thread count and the block runner.

>>> import numpy as np
>>> x = np.arange(10.0)
>>> parts = run_blocks(lambda r0, r1: float(x[r0:r1].sum()), 10, 4)  # blocks 0-3, 4-7, 8-9
>>> parts
[6.0, 22.0, 17.0]
>>> rows_for(row_bytes=8, arrays=4) >= 1024   # rows of 4 float64 arrays that fit the cache
True
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

FALLBACK_CACHE = 1 << 20
"""Bytes of per-core cache assumed when the system does not say (a common L2 size)."""

CACHE_SHARE = 2.0
"""Multiple of the per-core (L2) cache a block's arrays may fill. Above 1: measured on a
1 MiB-L2 machine, a block of 2 MiB of data runs faster than one that fits L2 — its second read
still comes from the L2 or the last-level cache behind it, and the Python overhead per block
(some 30 µs) shrinks; blocks several times larger lose the cache and make BLAS start its own
threads."""

_settings: dict[str, int | None] = {"threads": None}


@cache
def cache_bytes() -> int:
    """The per-core data cache closest to memory that is private to a core (L2), in bytes.

    Read from Linux's sysfs, else ``sysconf``; :data:`FALLBACK_CACHE` where neither says."""
    best = 0
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = int((index / "level").read_text())
            kind = (index / "type").read_text().strip()
            size = _parse_size((index / "size").read_text().strip())
        except (OSError, ValueError):
            continue
        if level == 2 and kind in ("Unified", "Data"):
            best = size
    if not best:
        try:
            best = int(os.sysconf("SC_LEVEL2_CACHE_SIZE"))
        except (ValueError, OSError, AttributeError):
            best = 0
    return best if best > 0 else FALLBACK_CACHE


def _parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text and text[-1].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def rows_for(row_bytes: int, arrays: int = 1, minimum: int = 64) -> int:
    """Rows per block so that ``arrays`` arrays of ``row_bytes`` bytes a row fill
    :data:`CACHE_SHARE` times :func:`cache_bytes`."""
    budget = int(cache_bytes() * CACHE_SHARE)
    return max(minimum, budget // max(1, row_bytes * max(1, arrays)))


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def threads() -> int:
    """Threads that run blocks: :func:`set_threads`'s value, else the ``CHAINRULE_THREADS``
    environment variable, else the usable CPUs."""
    chosen = _settings["threads"]
    if chosen is None:
        env = os.environ.get("CHAINRULE_THREADS", "").strip()
        chosen = int(env) if env.isdigit() and int(env) > 0 else usable_cpus()
    return max(1, chosen)


def set_threads(n: int | None) -> None:
    """Run blocks on ``n`` threads (1: in the calling thread; None: the default).

    >>> set_threads(1); threads()
    1
    >>> set_threads(None)
    """
    if n is not None and (not isinstance(n, int) or n < 1):
        raise ValueError(f"set_threads takes a positive int or None, got {n!r}")
    _settings["threads"] = n


@cache
def _pool(n: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(n, thread_name_prefix="chainrule-blocks")


if hasattr(os, "register_at_fork"):
    # a forked child (a multiprocessing worker) inherits the pool object but not its threads:
    # it makes its own, or its blocks would wait for threads that do not exist
    os.register_at_fork(after_in_child=_pool.cache_clear)


def run_blocks(block: Callable[[int, int], Any], n: int, rows: int,
               workers: int | None = None) -> list[Any]:
    """``block(r0, r1)`` for each block of ``rows`` rows out of ``n``, on ``workers`` threads
    (default :func:`threads`); the results in block order (so sums over them do not depend on
    the number of threads).

    The calling thread takes blocks too, and every thread takes the next block when it is done
    with one: on a loaded machine a helper thread that is not scheduled leaves its blocks to
    the others instead of holding up the call."""
    starts = range(0, n, rows)
    workers = min(threads() if workers is None else workers, len(starts))
    if workers <= 1:
        return [block(r0, min(r0 + rows, n)) for r0 in starts]
    results: list[Any] = [None] * len(starts)
    todo = iter(range(len(starts)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                j = next(todo, None)
            if j is None:
                return
            results[j] = block(starts[j], min(starts[j] + rows, n))

    # helpers run in a copy of the caller's context: NumPy's errstate (a context variable)
    # holds in their blocks as in the caller's
    pool = _pool(workers - 1)
    helpers = [pool.submit(contextvars.copy_context().run, work) for _ in range(workers - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            # a helper that has not started has nothing left to do (the caller took its
            # blocks): cancelled, it cannot deadlock a run_blocks nested in a pool thread
            if not helper.cancel():
                helper.result()  # waits for its last block; re-raises its exception
    return results
