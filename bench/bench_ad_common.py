"""Helpers shared by the ``bench_ad_*.py`` automatic-differentiation benchmarks (not one itself).

* :func:`load_peers` imports autograd, PyTorch (CPU) and JAX (CPU, float64) when installed;
  a peer that cannot be imported is skipped with a printed note, never an error.
* :func:`build_cases` runs each tool's setup under :func:`guarded`, so a broken tool (a peer,
  or chainrule itself) only loses its own rows; :func:`interleave` likewise drops a case
  that raises while being timed.
* :func:`interleave` times several callables in the same process, round by round, each round
  running every callable once in a rotating order, so the load of a shared, noisy machine
  hits all of them alike. Ratios are taken per round and their median reported
  (:func:`ratio`), which is steadier than a ratio of medians when the load drifts.
* :func:`targets` turns ratios into verdicts; a target counts as met only when the tool's
  values also agreed with the reference.
* :func:`hot_spots` is cProfile, per call, by function and by file.

Run ``python bench/bench_ad_common.py`` to print the peers' versions.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

from _common import machine, median, table, write_results

__all__ = ["PEERS", "build_cases", "check_values", "fmt_ratio", "fmt_time", "guarded",
           "hot_spots", "interleave", "load_peers", "machine", "median", "parser",
           "peer_versions", "print_hot_spots", "print_targets", "ratio", "table", "targets",
           "write_results"]

PEERS = ("autograd", "torch", "jax")


def parser(doc: str, rounds: int) -> argparse.ArgumentParser:
    """The options every ``bench_ad_*`` script has: --rounds, --peers, --profile."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--rounds", type=int, default=rounds, help="interleaved timing rounds")
    p.add_argument("--peers", nargs="*", default=list(PEERS), choices=PEERS,
                   help="peers to compare with (default: all that are installed)")
    p.add_argument("--profile", action="store_true",
                   help="also profile chainrule and print where its time goes")
    p.add_argument("--torch-threads", type=int, default=1,
                   help="PyTorch intra-op threads (default 1, like NumPy's ufuncs and "
                        "chainrule; 0 keeps PyTorch's own default). On a loaded 2-core "
                        "machine PyTorch's OpenMP threads thrash: its elementwise backward "
                        "ran 40x slower with 2 threads than with 1")
    return p


# -- peers and cases ------------------------------------------------------------------------

def load_peers(names: tuple[str, ...] | list[str] = PEERS, torch_threads: int = 1
               ) -> dict[str, Any]:
    """``{name: module}`` for the peers that import; a note is printed for the others.

    ``torch_threads``: PyTorch's intra-op thread count (0: leave PyTorch's default).
    """
    peers: dict[str, Any] = {}
    for name in names:
        try:
            if name == "autograd":
                import autograd
                peers[name] = autograd
            elif name == "torch":
                import torch
                if torch_threads > 0:
                    torch.set_num_threads(torch_threads)
                peers[name] = torch
            elif name == "jax":
                import jax
                jax.config.update("jax_enable_x64", True)  # float64, like NumPy and chainrule
                jax.config.update("jax_platforms", "cpu")
                peers[name] = jax
        except Exception as err:  # noqa: BLE001 - any import failure means: skip this peer
            print(f"note: {name} is not available ({type(err).__name__}: {err}); "
                  f"its rows are skipped")
    return peers


def peer_versions(peers: dict[str, Any]) -> dict[str, str]:
    """Versions of chainrule, NumPy and the loaded peers, and the thread settings."""
    from importlib.metadata import PackageNotFoundError, version

    import numpy as np

    import chainrule
    out = {"chainrule": chainrule.__version__, "numpy": np.__version__}
    for name, mod in peers.items():
        for dist in (name, "jaxlib") if name == "jax" else (name,):
            try:
                out[dist] = version(dist)
            except PackageNotFoundError:
                out[dist] = getattr(mod, "__version__", "?")
        if name == "torch":
            out["torch_threads"] = str(mod.get_num_threads())
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            out[var] = os.environ[var]
    return out


def guarded(label: str, fn: Callable[[], Any], notes: list[str]) -> Any:
    """``fn()``, or None with a note (and the exception's last line) when it raises."""
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - one broken tool must not stop the benchmark
        last = traceback.format_exception_only(type(err), err)[-1].strip()
        notes.append(f"{label} failed and is skipped: {last}")
        print(f"note: {label} failed and is skipped: {last}")
        return None


Setup = tuple[str, str | None, Callable[[], Any]]
"""``(label, peer or None for chainrule / NumPy, setup)``; setup returns the callable to time,
or a dict ``{row name: callable}`` for several rows."""


def build_cases(setups: list[Setup], peers: dict[str, Any], notes: list[str]) -> dict:
    """``{row name: callable}`` from the setups whose peer is loaded and whose setup works."""
    cases: dict[str, Callable[[], Any]] = {}
    for label, peer, setup in setups:
        if peer is not None and peer not in peers:
            continue
        made = guarded(label, setup, notes)
        if made is not None:
            cases.update(made if isinstance(made, dict) else {label: made})
    return cases


def check_values(cases: dict, error: Callable[[Any], float], tol: float, notes: list[str],
                 skip: tuple[str, ...] = ()) -> dict[str, float]:
    """``{row: error(row's result)}``; a note for every row over ``tol``.

    A row that raises is removed from ``cases`` (with a note), so it is not timed.
    """
    errs = {}
    for name, fn in list(cases.items()):
        if name in skip:
            continue
        value = guarded(name, fn, notes)
        if value is None:
            del cases[name]
        else:
            errs[name] = float(error(value))
            if not errs[name] <= tol:
                notes.append(f"{name}: differs from the reference by {errs[name]:.1e} "
                             f"(tolerance {tol:g})")
    return errs


# -- timing ---------------------------------------------------------------------------------

def _batch(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call over ``number`` calls, garbage collection off (as timeit does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        t = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - t) / number
    finally:
        if enabled:
            gc.enable()


def interleave(cases: dict[str, Callable[[], Any]], rounds: int, notes: list[str],
               batch_s: float = 0.02, max_number: int = 100_000) -> dict[str, dict]:
    """Per-call times: ``{name: {"per_round": [...], "number", "median_s", "min_s"}}``.

    Each case is called a few times first (warm-up, and to size its batch so one batch takes
    about ``batch_s``; ``batch_s=0`` means one call a batch); then every round times one
    batch of each case, the order rotating from round to round. A case that raises is
    dropped with a note.
    """
    numbers = {}
    for name, fn in cases.items():
        def size(fn=fn) -> int:
            fn()
            t = _batch(fn, 1)
            if t < batch_s / 10:
                t = _batch(fn, max(1, int(batch_s / 10 / max(t, 1e-9))))
            return max(1, min(max_number, int(batch_s / max(t, 1e-9))))
        n = guarded(f"{name} (warm-up)", size, notes)
        if n is not None:
            numbers[name] = n
    times: dict[str, list[float]] = {name: [] for name in numbers}
    for r in range(rounds):
        names = list(times)
        k = r % max(1, len(names))
        for name in names[k:] + names[:k]:
            t = guarded(f"{name} (timing)", lambda n=name: _batch(cases[n], numbers[n]), notes)
            if t is None:
                del times[name]
            else:
                times[name].append(t)
    return {name: {"per_round": ts, "number": numbers[name], "median_s": median(ts),
                   "min_s": min(ts)} for name, ts in times.items()}


def ratio(timings: dict[str, dict], a: str, b: str | None) -> float | None:
    """Median over rounds of time(a) / time(b); None when either was not measured."""
    if a not in timings or b not in timings:
        return None
    pairs = zip(timings[a]["per_round"], timings[b]["per_round"], strict=True)
    return median([x / y for x, y in pairs])


# -- targets and formatting -----------------------------------------------------------------

def targets(specs: list[tuple[str, float | None, float | None, str | None]],
            errs: dict[str, float], tol: float) -> dict[str, dict]:
    """``specs``: ``(name, measured, limit or None, row whose values must be right)``."""
    out = {}
    for name, value, limit, row in specs:
        right = row is None or errs.get(row, float("inf")) <= tol
        if limit is None:
            text = "(no target)"
        elif value is None:
            text = "not measured"
        elif not right:
            text = "WRONG VALUES"
        else:
            text = "met" if value <= limit else "MISSED"
        out[name] = {"ratio": value, "limit": limit, "verdict": text,
                     "met": None if limit is None else text == "met"}
    return out


def print_targets(results: dict[str, dict]) -> None:
    print(table(["target", "measured", "limit", "verdict"],
                [[k, fmt_ratio(v["ratio"]), "-" if v["limit"] is None else f"<= {v['limit']:g}",
                  v["verdict"]] for k, v in results.items()]))


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


# -- profiling ------------------------------------------------------------------------------

def _where(code: Any) -> str:
    if isinstance(code, str):  # a built-in: "<built-in method ...>"
        return code
    path = code.co_filename
    for marker in ("/src/", "/site-packages/", "/bench/"):
        path = path.split(marker)[-1]
    return f"{path}:{code.co_firstlineno}({code.co_name})"


def _file(where: str) -> str:
    return where.split(":")[0] if not where.startswith("<") else "<built-ins and C methods>"


def hot_spots(fn: Callable[[], Any], calls: int, top: int = 12) -> dict:
    """cProfile of ``calls`` calls of ``fn``, per call: the ``top`` functions by own time,
    and own time summed by file.

    Entries are per code object (the profiler's raw records), so two generated functions
    that share a name and line are still counted apart. The profiler's overhead inflates
    the cheap Python functions; read the shares, not the absolute times.
    """
    import cProfile
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    entries = [(_where(e.code), e) for e in prof.getstats()
               if "of '_lsprof.Profiler' objects" not in _where(e.code)]
    total = sum(e.inlinetime for _, e in entries)
    entries.sort(key=lambda we: we[1].inlinetime, reverse=True)
    files: dict[str, float] = {}
    for where, e in entries:
        files[_file(where)] = files.get(_file(where), 0.0) + e.inlinetime
    return {
        "functions": [{"function": w, "calls_per_call": e.callcount / calls,
                       "own_s_per_call": e.inlinetime / calls,
                       "cum_s_per_call": e.totaltime / calls, "share": e.inlinetime / total}
                      for w, e in entries[:top]],
        "files": [{"file": k, "own_s_per_call": v / calls, "share": v / total}
                  for k, v in sorted(files.items(), key=lambda kv: -kv[1])],
    }


def print_hot_spots(title: str, prof: dict, top_files: int = 10) -> None:
    print(f"\n{title}")
    print(table(["function", "calls/call", "own/call", "cumulative/call", "share of own time"],
                [[r["function"], f"{r['calls_per_call']:.3g}", fmt_time(r["own_s_per_call"]),
                  fmt_time(r["cum_s_per_call"]), f"{r['share']:.1%}"]
                 for r in prof["functions"]]))
    print("by file:")
    print(table(["file", "own/call", "share of own time"],
                [[r["file"], fmt_time(r["own_s_per_call"]), f"{r['share']:.1%}"]
                 for r in prof["files"][:top_files]]))


if __name__ == "__main__":
    loaded = load_peers()
    info = peer_versions(loaded)
    info.update({k: str(v) for k, v in machine().items()})
    info["cpus_available"] = str(len(os.sched_getaffinity(0)))
    print(table(["package", "version"], [[k, v] for k, v in info.items()]))
