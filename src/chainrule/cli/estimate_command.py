"""``chainrule estimate``: Monte Carlo gradient estimators side by side, from the shell.

``chainrule estimate --dist normal --params loc=1,scale=2 --f "(z-3)^2" --wrt loc,scale
--n 100000 --estimators score,score-mean,pathwise`` estimates ∇θ E_{p(z;θ)}[f(z)] with each
estimator on the same draws and prints mean, standard error, single-sample variance and time
(``--format json``: the same rows as JSON). f is a chainrule expression in ``z``: the
score-function estimators only evaluate it (compiled), the pathwise one also uses its
symbolic derivative in z. A progress bar shows on a terminal for long runs (not with
``--quiet``); large runs stream in chunks (``--chunk``) over ``--workers`` processes.

Added to the main app by ``register(app)`` (see :mod:`chainrule.cli.main`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command
from chainrule.errors import ChainruleError

if TYPE_CHECKING:  # imported when the command runs: the command line starts fast
    import numpy as np
    from rich.console import Group

FORMATS = ("text", "json")
LONG_RUN = 1_000_000  # samples × estimators from which a progress bar is worth showing
MAX_SAMPLES = 1_000_000_000  # estimators stream in chunks: memory stays constant


@dataclass
class EstimateRequest:
    dist: str
    params: str
    f: str
    wrt: str | None
    n: int
    estimators: str | None
    seed: int
    fmt: str
    progress: bool = True
    workers: int = 1
    chunk: int | None = None
    scheduler: str | None = None  # a Dask scheduler's address: chunks run as its tasks


def parse_params(text: str) -> dict[str, Any]:
    """``"loc=1,scale=2"`` → ``{"loc": 1.0, "scale": 2.0}``; ``[a, b, …]`` gives a vector and
    values use chainrule's syntax (``scale=sqrt(2)``).

    >>> parse_params("loc=pi/2, logits=[0, 1/2]")
    {'loc': 1.5707963267948966, 'logits': [0.0, 0.5]}
    """
    out: dict[str, Any] = {}
    for part in _split_top(text):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ChainruleError(f"--params expects NAME=VALUE pairs like loc=1, got {part!r}")
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            out[name.strip()] = [_number(v, name) for v in _split_top(value[1:-1])]
        else:
            out[name.strip()] = _number(value, name)
    return out


def _split_top(text: str) -> list[str]:
    """Split on commas outside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        depth += (ch in "([") - (ch in ")]")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _number(text: str, name: str) -> float:
    from chainrule.symbolic.api import parse
    try:
        return float(parse(text).evaluate())
    except (ChainruleError, TypeError, ValueError) as err:
        raise ChainruleError(f"the value of {name.strip()} is not a number: {err}") from None


def _functions(text: str) -> tuple[Any, Any, Any]:
    """The expression, f and df/dz as vectorised functions of the samples."""
    import numpy as np

    from chainrule.symbolic.api import diff, parse
    from chainrule.symbolic.compile import compile_expr
    expr = parse(text)
    extra = sorted(s.name for s in expr.free_symbols() if s.name != "z")
    if extra:
        raise ChainruleError(f"f may only use the variable z; it also uses {', '.join(extra)}")
    f_c, df_c = compile_expr(expr, ["z"]), compile_expr(diff(expr, "z"), ["z"])

    def f(z: np.ndarray) -> np.ndarray:
        return np.broadcast_to(f_c(z), np.shape(z))

    def df(z: np.ndarray) -> np.ndarray:
        return np.broadcast_to(df_c(z), np.shape(z))

    return expr, f, df


def run_estimate(req: EstimateRequest) -> Any:
    """What ``chainrule estimate`` prints: a rich renderable, or a dict for JSON."""
    from chainrule.mc import compare, make
    if req.fmt not in FORMATS:
        raise ChainruleError(f"unknown format {req.fmt!r}; use one of {', '.join(FORMATS)}")
    if not 2 <= req.n <= MAX_SAMPLES:
        raise ChainruleError(f"--n must be between 2 and {MAX_SAMPLES:,}, got {req.n}")
    dist = make(req.dist, **parse_params(req.params))
    if dist.event_ndim != 0:
        raise ChainruleError(f"{dist.name} draws vectors, which f(z) cannot take from the "
                             "command line; use the Python API (chainrule.mc)")
    expr, f, df = _functions(req.f)
    wrt = [w.strip() for w in req.wrt.split(",") if w.strip()] if req.wrt else None
    chosen = ([e.strip() for e in req.estimators.split(",") if e.strip()]
              if req.estimators else None)
    bar = _Bar(req.progress and req.n * len(chosen or [0] * 5) >= LONG_RUN)
    with bar:
        result = compare(f, dist, wrt=wrt, n=req.n, estimators=chosen, seed=req.seed, df=df,
                         progress=bar.update, chunk=req.chunk,
                         workers=req.scheduler or req.workers,
                         samples=bar.samples)
    if req.fmt == "json":
        return {"distribution": repr(dist), "f": str(expr), "n": req.n, "seed": req.seed,
                **result.to_dict()}
    return _as_text(dist, expr, result)


def _as_text(dist: Any, expr: Any, result: Any) -> Group:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from chainrule.mc.compare import table_cells
    first = next(iter(result.estimates.values()))
    head = Text()
    head.append(f"E[f(z)] for z ~ {dist!r}, f(z) = {expr}\n", style="bold")
    head.append(f"n = {first.n:,} samples per estimator; E[f] ≈ {first.value:.6g} "
                f"± {first.value_stderr:.2g}")
    headers, cells = table_cells(result.rows)
    table = Table(*headers, box=None, header_style="bold", pad_edge=False)
    for col in table.columns[2:]:
        col.justify = "right"
    for row in cells:
        table.add_row(*row)
    note = Text("variance: of one per-sample gradient; std error = √(variance / n)",
                style="dim")
    return Group(head, table, note)


class _Bar:
    """A rich progress bar over the estimators, on stderr, for long runs on a terminal."""

    def __init__(self, enabled: bool):
        self.progress = None
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
            console = Console(stderr=True)
            if console.is_terminal:
                self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                         TimeElapsedColumn(), console=console, transient=True)
        self.task = None
        self.index = 0

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, name: str, i: int, total: int) -> None:
        if self.progress is None:
            return
        if self.task is None:
            self.task = self.progress.add_task("estimating", total=total)
        self.index = i
        self.progress.update(self.task, completed=i, description=f"estimating: {name}")

    def samples(self, name: str, done: int, total: int) -> None:
        """Within one estimator: the fraction of its samples done (streamed runs)."""
        if self.progress is None or self.task is None:
            return
        self.progress.update(self.task, completed=self.index + done / total,
                             description=f"estimating: {name} ({done:,}/{total:,} samples)")


def register(app: typer.Typer) -> None:
    """Add the ``estimate`` command to ``app``."""

    @app.command("estimate")
    def estimate_command(
        dist: Annotated[str, typer.Option("--dist", "-d", help="normal, bernoulli, "
                                          "categorical, exponential, poisson or gamma.")],
        params: Annotated[str, typer.Option("--params", "-p", help="e.g. loc=1,scale=2 or "
                                            "logits=[0,1,2].")],
        f: Annotated[str, typer.Option("--f", help="f(z) in chainrule syntax, e.g. "
                                       "\"(z-3)^2\".")],
        wrt: Annotated[str | None, typer.Option("--wrt", "-w", help="Parameters, e.g. "
                                                "loc,scale (default: all).")] = None,
        n: Annotated[int, typer.Option("--n", "-n", help="Samples per estimator.")] = 100_000,
        estimators: Annotated[str | None, typer.Option(
            "--estimators", "-e", help="Comma-separated: score, score-mean, score-loo, "
            "score-optimal, pathwise (default: all that apply).")] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed (shared).")] = 0,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        progress: Annotated[bool, typer.Option("--progress/--no-progress",
                                               help="Progress bar on long runs.")] = True,
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
        workers: Annotated[int, typer.Option("--workers", help="Processes per estimator "
                                             "(results are the same for any number).")] = 1,
        chunk: Annotated[int | None, typer.Option("--chunk", help="Samples per chunk when "
                                                  "streaming (default: stream from 2^21 "
                                                  "samples, 2^18 per chunk).")] = None,
        scheduler: Annotated[str | None, typer.Option(
            "--scheduler", help="A Dask scheduler address (tcp://host:8786): chunks run as "
            "its tasks, with the same results (needs chainrule[dask]).")] = None,
    ) -> None:
        """Estimate ∇θ E[f(z)] with Monte Carlo gradient estimators and compare them."""
        request = EstimateRequest(dist, params, f, wrt, n, estimators, seed, fmt,
                                  progress and not quiet, workers, chunk, scheduler)
        run_command(lambda: run_estimate(request), Common(quiet, timeout, verbose))
