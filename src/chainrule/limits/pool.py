"""A pool of worker processes whose jobs can really be stopped: the web explorer's engine room.

:class:`WorkerPool` keeps ``size`` worker processes (default: the CPU count). A job is a
picklable module-level function and its arguments; it goes to an idle worker over a pipe and
its result comes back the same way. Each request waits for its job in a thread of its own, so
the event loop never computes and never blocks, and a slow job holds one worker only: other
requests keep being answered by the other workers.

A job that runs past ``time_limit`` seconds (counted from when a worker takes it) or whose
request is cancelled (its client went away) has its worker **killed** and replaced by a fresh
one, so no abandoned computation keeps a CPU busy. A worker that dies on its own (out of
memory, a crash in native code) is replaced the same way. At most ``waiting`` requests wait
for a worker; past that :class:`~chainrule.limits.runner.Busy` is raised at once.

Workers are started with the ``spawn`` method (a fresh interpreter, safe beside the server's
threads) on first use, each running ``initializer`` once, e.g. to import and warm the engine.

>>> import asyncio, operator
>>> pool = WorkerPool(size=1, time_limit=30)
>>> asyncio.run(pool.run(operator.add, 2, 3))
5
>>> pool.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from chainrule.limits.runner import Busy, TimeLimit

POLL_S = 0.05
"""How often a waiting thread looks for a cancellation (the answer itself wakes it at once)."""


READY = "ready"
"""What a worker sends once its initializer has run: time limits count from then on."""


class WorkerLost(Exception):  # noqa: N818 - the name says what happened
    """The worker process died while computing (it was replaced)."""


class Cancelled(Exception):  # noqa: N818
    """The job was cancelled because nobody waits for it any more (its worker was replaced)."""


def _worker_main(conn: Any, initializer: Callable[[], Any] | None) -> None:
    """A worker's life: run the initializer, then answer jobs until the pipe closes."""
    if initializer is not None:
        with contextlib.suppress(Exception):  # a failed warm-up only makes jobs slower
            initializer()
    conn.send(READY)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            outcome: tuple[bool, Any] = (True, fn(*args))
        except BaseException as err:  # noqa: BLE001 - handed back to the waiting request
            outcome = (False, err)
        try:
            conn.send(outcome)
        except Exception as err:  # noqa: BLE001 - e.g. an unpicklable result
            conn.send((False, RuntimeError(f"the result could not be sent back: {err}")))


class _Worker:
    def __init__(self, context: Any, initializer: Callable[[], Any] | None):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, initializer),
                                       daemon=True, name="chainrule-worker")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, cancel: threading.Event) -> bool:
        """Wait until the worker has started (its imports are not the job's time); False if
        the request was cancelled first or the worker died."""
        while not self.ready:
            if cancel.is_set() or not self.process.is_alive():
                return False
            try:
                if self.conn.poll(POLL_S):
                    self.ready = self.conn.recv() == READY
            except (EOFError, OSError):
                return False
        return True

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """``size`` worker processes; :meth:`run` a job in one under a time limit."""

    def __init__(self, size: int | None = None, time_limit: float = 10.0, waiting: int = 512,
                 initializer: Callable[[], Any] | None = None):
        self.size = max(1, size if size is not None else (os.cpu_count() or 1))
        self.time_limit = time_limit
        self.waiting = waiting
        self.initializer = initializer
        self.killed = 0  # workers killed for a time limit or a cancellation (tests, logs)
        self.timed_out = 0
        self.cancelled = 0
        self.completed = 0
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._queued = 0
        self._closed = False

    def start(self) -> None:
        """Start the workers now (otherwise the first job starts them)."""
        with self._lock:
            if self._all or self._closed:
                return
            for _ in range(self.size):
                self._add()

    def wait_started(self, timeout: float = 60.0) -> bool:
        """Start the workers and wait until each has finished its imports (False if one has
        not within ``timeout`` seconds). Call it while no request is in flight: a request's
        own wait for its worker reads the same start-up message."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            while not worker.ready and worker.process.is_alive() and time.monotonic() < deadline:
                with contextlib.suppress(EOFError, OSError):
                    if worker.conn.poll(POLL_S):
                        worker.ready = worker.conn.recv() == READY
        return all(w.ready for w in workers)

    def _add(self) -> None:
        worker = _Worker(self._context, self.initializer)
        self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            with contextlib.suppress(ValueError):
                self._all.remove(worker)
            if not self._closed:
                self._add()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker: its value, or its exception raised here; TimeLimit past
        the limit, Busy when too many wait. Cancelling the call kills the job's worker."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        if self._queued >= self.size + self.waiting:
            raise Busy()
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        cancel = threading.Event()
        self._queued += 1
        thread = threading.Thread(target=self._serve, args=(fn, args, loop, future, cancel),
                                  daemon=True, name="chainrule-pool-wait")
        thread.start()
        try:
            ok, value = await asyncio.shield(future)
        except asyncio.CancelledError:
            cancel.set()
            raise
        finally:
            self._queued -= 1
        if ok:
            return value
        raise value

    def _serve(self, fn: Callable[..., Any], args: tuple, loop: asyncio.AbstractEventLoop,
               future: asyncio.Future, cancel: threading.Event) -> None:
        outcome = self._job(fn, args, cancel)
        with contextlib.suppress(RuntimeError):  # a closed event loop: nobody is waiting
            loop.call_soon_threadsafe(_settle, future, outcome)

    def _job(self, fn: Callable[..., Any], args: tuple,
             cancel: threading.Event) -> tuple[bool, Any]:
        worker = None
        while worker is None:  # wait for an idle worker, unless the request goes away
            if cancel.is_set() or self._closed:
                return False, Cancelled()
            with contextlib.suppress(queue.Empty):
                worker = self._idle.get(timeout=POLL_S)
        if not worker.wait_ready(cancel):
            if worker.process.is_alive():
                self._idle.put(worker)
            else:
                self._replace(worker)
            return False, (Cancelled() if cancel.is_set() else WorkerLost())
        try:
            worker.conn.send((fn, args))
        except Exception as err:  # noqa: BLE001 - an unpicklable job, or a dead worker
            self._idle.put(worker) if worker.process.is_alive() else self._replace(worker)
            return False, err
        deadline = time.monotonic() + self.time_limit
        while True:
            try:
                if worker.conn.poll(POLL_S):
                    outcome = worker.conn.recv()
                    self.completed += 1
                    self._idle.put(worker)
                    return outcome
            except (EOFError, OSError):
                self._replace(worker)
                return False, WorkerLost()
            if not worker.process.is_alive():
                self._replace(worker)
                return False, WorkerLost()
            if cancel.is_set() or time.monotonic() > deadline:
                self.killed += 1
                stopped = cancel.is_set()
                self.cancelled += stopped
                self.timed_out += not stopped
                self._replace(worker)
                return False, (Cancelled() if stopped else TimeLimit())

    def idle(self) -> int:
        """How many workers wait for a job now."""
        return self._idle.qsize()

    def processes(self) -> list[Any]:
        """The worker processes now in the pool (``multiprocessing.Process`` objects)."""
        with self._lock:
            return [w.process for w in self._all]

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()


def _settle(future: asyncio.Future, outcome: tuple[bool, Any]) -> None:
    if not future.done():
        future.set_result(outcome)
