"""Several gradient estimators on one problem, side by side: mean, variance, error, time.

Every estimator gets the same seed (common random numbers), so differences between rows
are the estimators', not the draws'. Give ``exact`` (a mapping parameter → true gradient)
for an error column measured in standard errors.

>>> import numpy as np
>>> from chainrule.mc import Normal
>>> table = compare(lambda z: (z - 3.0) ** 2, Normal(1.0, 2.0), n=50_000, seed=0,
...                 estimators=["score", "score-mean", "pathwise"])
>>> [row["estimator"] for row in table.rows if row["param"] == "loc"]
['score', 'score-mean', 'pathwise']
>>> table.lowest_variance("scale")
'pathwise'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.mc.distributions import Distribution, Seed
from chainrule.mc.estimators import GradientEstimate, pathwise, score_function
from chainrule.printing.html import html_table

Runner = Callable[..., GradientEstimate]


def _score(baseline: Any) -> Runner:
    def run(f, dist, wrt, n, seed, df, **stream):
        return score_function(f, dist, wrt=wrt, n=n, baseline=baseline, seed=seed, **stream)
    return run


def _pathwise(f, dist, wrt, n, seed, df, **stream):
    return pathwise(f, dist, wrt=wrt, n=n, seed=seed, df=df, **stream)


ESTIMATORS: dict[str, Runner] = {
    "score": _score(None),
    "score-mean": _score("mean"),
    "score-loo": _score("leave_one_out"),
    "score-optimal": _score("optimal"),
    "pathwise": _pathwise,
}
"""Estimator names as ``compare`` and the CLI take them."""


@dataclass
class Comparison:
    """The estimates by estimator name, with a row per (estimator, parameter entry)."""

    estimates: dict[str, GradientEstimate]
    exact: dict[str, Any] | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        out = []
        for name, est in self.estimates.items():
            for param in est.grad:
                for label, idx in _entries(param, est.grad[param]):
                    out.append(self._row(name, est, param, label, idx))
        return out

    def _row(self, name: str, est: GradientEstimate, param: str, label: str,
             idx: tuple) -> dict[str, Any]:
        pick = lambda m: float(np.asarray(m[param])[idx])  # noqa: E731
        row = {"estimator": name, "param": label, "mean": pick(est.grad),
               "stderr": pick(est.stderr), "variance": pick(est.variance),
               "ess": pick(est.ess), "seconds": est.seconds}
        if self.exact is not None and param in self.exact:
            truth = float(np.asarray(self.exact[param])[idx])
            row["exact"] = truth
            row["z"] = (row["mean"] - truth) / row["stderr"] if row["stderr"] > 0 else 0.0
        return row

    def lowest_variance(self, param: str) -> str:
        """The estimator with the smallest single-sample variance for ``param``."""
        rows = [r for r in self.rows if r["param"] == param]
        if not rows:
            raise ChainruleError(f"no estimate for a parameter {param!r}")
        return min(rows, key=lambda r: r["variance"])["estimator"]

    def table(self) -> str:
        """A plain-text table (the CLI draws the same rows with rich)."""
        headers, cells = table_cells(self.rows)
        widths = [max(len(r[i]) for r in [headers, *cells]) for i in range(len(headers))]
        lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                 for r in [headers, *cells]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __str__ = table

    def _repr_html_(self) -> str:
        headers, cells = table_cells(self.rows)
        return html_table(cells, headers, caption="Monte Carlo gradient estimators")

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "estimates": {k: e.to_dict()
                                                 for k, e in self.estimates.items()}}


def table_cells(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted cells of comparison rows."""
    has_exact = any("exact" in r for r in rows)
    headers = ["estimator", "param", "mean", "std error", "variance", "time (ms)"]
    if has_exact:
        headers += ["exact", "error / se"]
    cells = []
    for r in rows:
        line = [r["estimator"], r["param"], f"{r['mean']:.6g}", f"{r['stderr']:.3g}",
                f"{r['variance']:.4g}", f"{1000 * r['seconds']:.1f}"]
        if has_exact:
            line += [f"{r['exact']:.6g}", f"{r['z']:+.2f}"] if "exact" in r else ["", ""]
        cells.append(line)
    return headers, cells


def compare(f: Callable[[np.ndarray], Any], dist: Distribution,
            wrt: Sequence[str] | None = None, n: int = 100_000,
            estimators: Sequence[str] | None = None, seed: Seed = 0,
            df: Callable[[np.ndarray], Any] | None = None,
            exact: dict[str, Any] | None = None,
            progress: Callable[[str, int, int], None] | None = None, *,
            chunk: int | None = None, workers: int = 1,
            samples: Callable[[str, int, int], None] | None = None) -> Comparison:
    """Run ``estimators`` (names from :data:`ESTIMATORS`; default: every score-function
    variant, and pathwise where ``dist`` allows it) on E_dist[f] and tabulate them.

    ``progress(name, i, total)`` is called before each estimator runs (the CLI's bar);
    ``chunk`` and ``workers`` stream each estimator (see :func:`score_function`), and
    ``samples(name, done, total)`` reports the samples done within one as it streams.
    """
    names = dist.check_wrt(wrt)
    chosen = list(estimators) if estimators is not None else default_estimators(dist, names)
    unknown = [e for e in chosen if e not in ESTIMATORS]
    if unknown or not chosen:
        raise ChainruleError(f"unknown estimator {unknown[0] if unknown else '(none)'!r}; "
                             f"choose from {', '.join(ESTIMATORS)}")
    if isinstance(seed, np.random.Generator):
        raise ChainruleError("compare needs an integer seed (each estimator reuses it)")
    out: dict[str, GradientEstimate] = {}
    for i, name in enumerate(chosen):
        if progress is not None:
            progress(name, i, len(chosen))
        report = None if samples is None else partial(samples, name)
        out[name] = ESTIMATORS[name](f, dist, names, n, seed, df, chunk=chunk,
                                     workers=workers, per_sample=False, progress=report)
    if progress is not None:
        progress("done", len(chosen), len(chosen))
    return Comparison(out, exact)


def default_estimators(dist: Distribution, wrt: Sequence[str]) -> list[str]:
    """Every score-function variant, plus pathwise when ``dist`` is reparameterisable in wrt."""
    names = ["score", "score-mean", "score-loo", "score-optimal"]
    if wrt and all(w in dist.reparameterised for w in wrt):
        names.append("pathwise")
    return names


def _entries(param: str, value: Any) -> list[tuple[str, tuple]]:
    shape = np.shape(value)
    if shape == ():
        return [(param, ())]
    return [(f"{param}[{','.join(map(str, idx))}]", idx) for idx in np.ndindex(shape)]
