"""Time limits that really stop the work: each job runs in its own thread.

The web explorer runs every request through :class:`Runner`, and the command line's
``--timeout`` uses :func:`call_with_deadline`; both front ends share it, so it sits with the
other work limits, below every layer.

The event loop never computes: :meth:`Runner.run` starts a thread, waits for it at most
``time_limit`` seconds, and on time-out raises :class:`TimeLimit` (the app answers 504) and
stops the thread by raising :class:`Overdue` inside it (``PyThreadState_SetAsyncExc``). That
exception derives from ``BaseException`` so that no ``except Exception`` in the library
swallows it; it arrives at the thread's next Python bytecode boundary, so a long single NumPy
call finishes first. At most ``parallel`` requests compute at once and at most ``waiting``
more wait for their turn; past that the app answers 503 (busy) at once. The app runs one job
at a time (``parallel=1``): the symbolic engine's hash-consing table is not safe to fill from
two threads at once, and the GIL would run them one at a time anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import threading
from collections.abc import Callable
from typing import Any

STOP_GRACE_S = 2.0
"""How long a stopped job's slot is held for its thread to end (it ends at its next bytecode)."""
RESTOPS = 50
"""How many times a stop is sent while the stopped thread still runs (within the grace)."""


class Overdue(BaseException):  # noqa: N818 - raised inside a worker, never seen by users
    """Raised inside a worker thread whose request ran out of time."""


class TimeLimit(Exception):  # noqa: N818 - the name says what happened
    """The request did not finish within the time limit."""


class Busy(Exception):  # noqa: N818
    """Too many requests are already waiting."""


class _Job:
    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn
        self.lock = threading.Lock()
        self.done = False
        self.thread_id: int | None = None
        self.outcome: tuple[bool, Any] = (False, TimeLimit())

    def main(self, loop: asyncio.AbstractEventLoop, future: asyncio.Future) -> None:
        try:
            with self.lock:
                self.thread_id = threading.get_ident()
            try:
                self.outcome = (True, self.fn())
            except Overdue:
                raise
            except BaseException as err:  # noqa: BLE001 - handed to the waiting request
                self.outcome = (False, err)
            with self.lock:
                self.done = True
            for _ in range(2):  # a stop sent just before `done` is delivered here, not later
                pass
        except Overdue:
            self.done = True
            self.outcome = (False, TimeLimit())
        with contextlib.suppress(RuntimeError):  # a closed event loop: nobody is waiting
            loop.call_soon_threadsafe(_settle, future, self.outcome)

    def stop(self) -> bool:
        """Raise :class:`Overdue` in the job's thread if it is still computing."""
        with self.lock:
            if self.done or self.thread_id is None:
                return False
            count = ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self.thread_id), ctypes.py_object(Overdue))
            return count == 1


def _settle(future: asyncio.Future, outcome: tuple[bool, Any]) -> None:
    if not future.done():
        future.set_result(outcome)


class Runner:
    """Time-limited, bounded execution of blocking work off the event loop."""

    def __init__(self, time_limit: float, parallel: int = 1, waiting: int = 512):
        self.time_limit = time_limit
        self.parallel = parallel
        self.waiting = waiting
        self._slots: asyncio.Semaphore | None = None
        self._queued = 0
        self.stopped = 0  # jobs stopped for running out of time (for tests and logs)

    async def run(self, fn: Callable[[], Any]) -> Any:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.parallel)
        if self._queued >= self.parallel + self.waiting:
            raise Busy()
        self._queued += 1
        try:
            async with self._slots:
                return await self._run(fn)
        finally:
            self._queued -= 1

    async def _run(self, fn: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        job = _Job(fn)
        thread = threading.Thread(target=job.main, args=(loop, future), daemon=True,
                                  name="chainrule-web-job")
        thread.start()
        try:
            ok, value = await asyncio.wait_for(asyncio.shield(future), self.time_limit)
        except TimeoutError:
            if job.stop():
                self.stopped += 1
            # keep the slot until the stopped thread has ended: jobs never overlap. The stop
            # is sent again while it runs: an asynchronous exception that lands in a __del__
            # or a weakref callback is swallowed by Python, so one stop can be lost.
            for _ in range(RESTOPS):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(future), STOP_GRACE_S / RESTOPS)
                if future.done() or not job.stop():
                    break
            raise TimeLimit() from None
        if ok:
            return value
        raise value


def call_with_deadline(fn: Callable[[], Any], seconds: float) -> tuple[bool, Any]:
    """``(True, fn())`` if ``fn`` finishes within ``seconds``, else ``(False, None)`` and the
    call is stopped. An exception raised by ``fn`` is raised here."""
    box: dict[str, Any] = {}
    job = _Job(fn)

    def main() -> None:
        try:
            with job.lock:
                job.thread_id = threading.get_ident()
            try:
                box["ok"] = (True, fn())
            except Overdue:
                raise
            except BaseException as err:  # noqa: BLE001 - raised again in the caller
                box["ok"] = (False, err)
            with job.lock:
                job.done = True
            for _ in range(2):  # deliver a stop sent just before `done` here
                pass
        except Overdue:
            job.done = True

    thread = threading.Thread(target=main, daemon=True, name="chainrule-web-subjob")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        job.stop()
        for _ in range(RESTOPS):  # stop again while it runs: one stop can be swallowed
            thread.join(STOP_GRACE_S / RESTOPS)
            if not thread.is_alive() or not job.stop():
                break
        return False, None
    ok, value = box.get("ok", (False, None))
    if not ok and value is not None:
        raise value
    return ok, value
