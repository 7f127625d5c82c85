"""Streaming Monte Carlo: samples in fixed blocks, running moments, optional processes.

The estimators of :mod:`chainrule.mc` keep every sample when they run in one piece. For
large n they stream instead: the n samples are cut into **blocks** of :data:`BLOCK` samples
(the last one shorter), block k is drawn from its own generator, child k of
``np.random.SeedSequence(seed).spawn(...)``, and each block is reduced at once to its
moments (count, mean, sum of squared deviations, sum of absolute values). Block moments are
merged in block order with Chan et al.'s pairwise update, so memory stays constant.

Because the blocks, their generators and the merge order do not depend on how many blocks
are processed per call of f (``chunk``) or on how many processes share them (``workers``),
results for a seed are **identical whatever the chunk size and the number of workers**. The
stream of samples differs from the unchunked one for the same seed (which draws all n from
one generator): a streamed and an unchunked estimate agree statistically, not bit for bit.

>>> import numpy as np
>>> a = Moments.of(np.array([1.0, 2.0, 3.0, 4.0]))
>>> m = Moments.of(np.array([1.0, 2.0])).merge(Moments.of(np.array([3.0, 4.0])))
>>> m.mean.tolist(), m.variance.round(12).tolist(), a.variance.round(12).tolist()
([2.5], [1.666666666667], [1.666666666667])
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.errors import ChainruleError

__all__ = ["AUTO_STREAM", "BLOCK", "DEFAULT_CHUNK", "Moments", "Stream", "block_generators",
           "dask_client",
           "halves", "run_blocks", "wants_stream"]

BLOCK = 1 << 16          # samples per block: the unit of seeding and of reduction
DEFAULT_CHUNK = 1 << 18  # samples per call of f when streaming (rounded to whole blocks)
AUTO_STREAM = 1 << 21    # from this many samples the estimators stream by default

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Moments:
    """Count, mean, sum of squared deviations ``m2`` and Σ|x| over axis 0 of some values."""

    n: int
    mean: np.ndarray
    m2: np.ndarray
    abs_sum: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        """The moments of ``values`` (samples along axis 0)."""
        flat = np.asarray(values, dtype=float).reshape(len(values), -1)
        n = len(flat)
        mean = flat.sum(axis=0) / n
        centred = flat - mean
        return cls(n, mean, np.einsum("ij,ij->j", centred, centred), np.abs(flat).sum(axis=0))

    def merge(self, other: Moments) -> Moments:
        """Chan, Golub and LeVeque's pairwise update: the moments of both sets together."""
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        m2 = self.m2 + other.m2 + delta * delta * (self.n * other.n / n)
        return Moments(n, mean, m2, self.abs_sum + other.abs_sum)

    @property
    def variance(self) -> np.ndarray:
        """The unbiased variance (NaN for one value)."""
        return self.m2 / (self.n - 1) if self.n > 1 else np.full(self.mean.shape, np.nan)

    @property
    def ess(self) -> np.ndarray:
        """Kish's effective sample size (Σ|x|)² / Σx²."""
        sq = self.m2 + self.n * self.mean * self.mean
        return np.where(sq > 0, self.abs_sum**2 / np.where(sq > 0, sq, 1.0), float(self.n))

    @staticmethod
    def total(parts: list[Moments]) -> Moments:
        """All parts merged, in order."""
        out = parts[0]
        for part in parts[1:]:
            out = out.merge(part)
        return out


@dataclass(frozen=True)
class Stream:
    """How n samples are streamed: the block seeds, samples per call, processes, progress."""

    n: int
    seeds: list[np.random.SeedSequence]
    chunk_blocks: int
    workers: int
    progress: Progress | None
    scheduler: Any = None  # a distributed.Client: each chunk of blocks is one of its tasks

    @classmethod
    def plan(cls, n: int, seed: Any, chunk: int | None, workers: int,
             progress: Progress | None) -> Stream:
        """Check the options and spawn one seed per block."""
        if chunk is not None and (not isinstance(chunk, int | np.integer) or chunk < 1):
            raise ChainruleError(f"chunk must be a whole number of samples ≥ 1, got {chunk!r}")
        scheduler = dask_client(workers)
        if scheduler is not None:
            workers = 1
        elif not isinstance(workers, int | np.integer) or workers < 1:
            raise ChainruleError("workers must be a whole number ≥ 1, a distributed.Client or "
                                 f"a scheduler address like 'tcp://host:8786', got {workers!r}")
        blocks = -(-n // BLOCK)
        per_call = max(1, -(-(chunk or DEFAULT_CHUNK) // BLOCK))
        return cls(n, block_generators(seed, blocks), per_call, int(workers), progress,
                   scheduler)

    def size(self, k: int) -> int:
        """How many samples block k holds."""
        return min(BLOCK, self.n - k * BLOCK)

    def draw(self, blocks: range, sampler: Callable[[int, np.random.Generator], Any]
             ) -> np.ndarray:
        """``sampler(size, generator)`` for each block, with the block's own generator,
        joined along the sample axis."""
        return np.concatenate([np.asarray(sampler(self.size(k),
                                                  np.random.default_rng(self.seeds[k])))
                               for k in blocks], axis=0)

    def slices(self, blocks: range) -> list[slice]:
        """Where each block lies in the samples of :meth:`draw` over ``blocks``."""
        out, at = [], 0
        for k in blocks:
            out.append(slice(at, at + self.size(k)))
            at += self.size(k)
        return out

    def chunks(self) -> list[range]:
        """The block indices of each call, in order."""
        count = len(self.seeds)
        return [range(i, min(i + self.chunk_blocks, count))
                for i in range(0, count, self.chunk_blocks)]


def halves(progress: Progress | None, which: int) -> Progress | None:
    """Progress over pass ``which`` (0 or 1) of two, reported over both."""
    if progress is None:
        return None
    return lambda done, total: progress(which * total + done, 2 * total)


def block_generators(seed: Any, blocks: int) -> list[np.random.SeedSequence]:
    """One child seed per block: from an int or None through ``SeedSequence.spawn``, from a
    Generator through its own ``spawn`` (which advances it)."""
    if isinstance(seed, np.random.Generator):
        return [g.bit_generator.seed_seq for g in seed.spawn(blocks)]  # type: ignore[misc]
    if seed is not None and not isinstance(seed, int | np.integer):
        raise ChainruleError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.SeedSequence(seed).spawn(blocks)


def wants_stream(n: int, chunk: int | None, workers: Any) -> bool:
    """Whether an estimator should stream: asked to, or n is large."""
    return chunk is not None or not (isinstance(workers, int) and workers == 1) \
        or n >= AUTO_STREAM


_CLIENTS: dict[str, Any] = {}


def dask_client(workers: Any) -> Any:
    """The ``distributed.Client`` that ``workers`` names (a client, or the address of a
    scheduler, ``tcp://host:8786``); None when ``workers`` is a number of processes."""
    if isinstance(workers, str):
        try:
            from distributed import Client  # optional: pip install chainrule[dask]
        except ImportError as e:
            raise ChainruleError("a scheduler address needs Dask's distributed package "
                                 "(pip install 'chainrule[dask]')") from e
        try:
            if workers not in _CLIENTS:  # one client per address, kept for later calls
                _CLIENTS[workers] = Client(workers, timeout=5, set_as_default=False)
            return _CLIENTS[workers]
        except OSError as e:
            raise ChainruleError(f"no Dask scheduler answered at {workers}: {e}") from e
    if hasattr(workers, "submit") and hasattr(workers, "gather"):
        return workers
    return None


# A job maps (stream, block indices) to one result per block. With workers > 1 the pool is
# forked after the job is stored here, so f (often a lambda) never has to be pickled.
_JOB: tuple[Callable[[Stream, range], list[Any]], Stream] | None = None


def _run_chunk(blocks: range) -> list[Any]:
    assert _JOB is not None
    job, stream = _JOB
    return job(stream, blocks)


def run_blocks(job: Callable[[Stream, range], list[Any]], stream: Stream) -> list[Any]:
    """``job`` over every chunk of blocks, results in block order; in ``stream.workers``
    forked processes when more than one."""
    done, total, out = 0, stream.n, []
    for blocks, results in _chunk_results(job, stream):
        out.extend(results)
        done += sum(stream.size(k) for k in blocks)
        if stream.progress is not None:
            stream.progress(done, total)
    return out


def _chunk_results(job: Callable[[Stream, range], list[Any]], stream: Stream
                   ) -> Iterator[tuple[range, list[Any]]]:
    chunks = stream.chunks()
    if stream.scheduler is not None:
        yield from _dask_results(job, stream, chunks)
        return
    if stream.workers == 1 or len(chunks) == 1:
        for blocks in chunks:
            yield blocks, job(stream, blocks)
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        raise ChainruleError("workers > 1 needs processes started by fork (Linux, macOS); "
                             "use workers=1 here")
    global _JOB
    _JOB = (job, stream)
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(stream.workers, len(chunks))) as pool:
            yield from zip(chunks, pool.imap(_run_chunk, chunks), strict=True)
    finally:
        _JOB = None


def _dask_results(job: Callable[[Stream, range], list[Any]], stream: Stream,
                  chunks: list[range]) -> Iterator[tuple[range, list[Any]]]:
    """Each chunk of blocks as one task of the Dask scheduler (f travels by cloudpickle, so
    lambdas are fine); results come back in block order, so they are the same as in one
    process for a seed."""
    task_stream = dataclasses.replace(stream, progress=None, scheduler=None)
    futures = [stream.scheduler.submit(job, task_stream, blocks, pure=False)
               for blocks in chunks]
    try:
        for blocks, future in zip(chunks, futures, strict=True):
            yield blocks, future.result()
    finally:
        for future in futures:
            future.release()
