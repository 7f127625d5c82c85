"""The explorer's worker pool: slow requests never hold up cheap ones, a request over its time
limit is answered with a clear error and its worker is killed and replaced, and work whose
caller went away is stopped. Nothing here asserts a duration: only the order answers arrive in
and what they say."""

from __future__ import annotations

import asyncio
import operator
import time

import pytest

from chainrule.limits.pool import Cancelled, WorkerPool
from chainrule.limits.runner import Busy, TimeLimit
from chainrule.parsing import interpret
from web_harness import serve

httpx = pytest.importorskip("httpx")

SLOW = {"expr": "x^x sin(x^x) / (1 + x^4)", "order": 10, "steps": True}
"""Tens of seconds of symbolic work: far past the 3 s limit these tests set, on any machine."""


def test_pool_runs_jobs_and_raises_their_errors():
    pool = WorkerPool(size=1, time_limit=30)
    try:
        assert asyncio.run(pool.run(operator.mul, 6, 7)) == 42
        with pytest.raises(ZeroDivisionError):
            asyncio.run(pool.run(operator.truediv, 1, 0))
        assert pool.completed == 2 and pool.killed == 0
    finally:
        pool.close()


def test_pool_kills_a_job_past_its_limit_and_recovers():
    pool = WorkerPool(size=1, time_limit=0.5)
    try:
        pool.start()
        [first] = pool.processes()
        with pytest.raises(TimeLimit):
            asyncio.run(pool.run(time.sleep, 60))
        assert pool.killed == 1 and not first.is_alive()
        assert asyncio.run(pool.run(operator.add, 1, 2)) == 3  # a fresh worker answers
        [fresh] = pool.processes()
        assert fresh is not first and fresh.is_alive()
    finally:
        pool.close()


def test_pool_cancelled_job_kills_its_worker():
    pool = WorkerPool(size=1, time_limit=60)

    async def scenario():
        job = asyncio.ensure_future(pool.run(time.sleep, 60))
        while pool.idle() > 0:  # the worker has the job
            await asyncio.sleep(0.01)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        while pool.killed == 0:  # the waiting thread notices within a poll
            await asyncio.sleep(0.01)
        return await pool.run(operator.sub, 5, 3)

    try:
        assert asyncio.run(pool.run(operator.add, 0, 0)) == 0  # the worker has started
        [first] = pool.processes()
        assert asyncio.run(scenario()) == 2
        assert not first.is_alive() and pool.killed == 1
    finally:
        pool.close()


def test_pool_busy_past_its_queue():
    pool = WorkerPool(size=1, time_limit=60, waiting=0)

    async def scenario():
        job = asyncio.ensure_future(pool.run(time.sleep, 60))
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            await pool.run(operator.add, 1, 1)
        job.cancel()
        with pytest.raises((asyncio.CancelledError, Cancelled)):
            await job

    try:
        asyncio.run(scenario())
    finally:
        pool.close()


@pytest.fixture(scope="module")
def server():
    with serve(time_limit=3.0, workers=2, warm_up=False) as served:
        yield served


def test_parse_answers_while_four_slow_requests_run(server):
    url, app = server
    order: list[str] = []

    async def scenario():
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            # the quick lane's worker is up before the race starts (a cold start is not a queue)
            (await client.post("/api/parse", json={"expr": "x"})).raise_for_status()

            async def slow(i):
                r = await client.post("/api/diff", json=SLOW)
                order.append(f"slow{i}")
                return r

            async def parse(i):
                r = await client.post("/api/parse", json={"expr": f"x^{i} + sin x"})
                order.append(f"parse{i}")
                return r

            slow_jobs = [asyncio.ensure_future(slow(i)) for i in range(4)]
            while app.state.pool.idle() > 0:  # both engine workers are computing
                await asyncio.sleep(0.01)
            parsed = [await parse(i) for i in range(10)]
            return parsed, await asyncio.gather(*slow_jobs)

    parsed, slow = asyncio.run(scenario())
    assert [r.json()["interpreted"] for r in parsed] == [
        interpret(f"x^{i} + sin x")[1] for i in range(10)]
    # every cheap answer came back before the first slow one
    assert order[:10] == [f"parse{i}" for i in range(10)], order
    for r in slow:  # past the limit: a clear JSON error, not a hang
        assert r.status_code == 504, r.text
        assert "longer than 3 s and was stopped" in r.json()["error"]
    assert app.state.pool.killed == app.state.pool.timed_out == 4
    with httpx.Client(base_url=url, timeout=60) as client:  # the pool recovered
        r = client.post("/api/diff", json={"expr": "x^x", "at": 2})
        assert r.status_code == 200 and r.json()["derivative"] == "x^x*(ln(x) + 1)"
    assert all(p.is_alive() for p in app.state.pool.processes())


def test_a_client_that_goes_away_stops_its_work(server):
    url, app = server
    # a worker replaced by an earlier test may still be importing: a request that goes away
    # before its worker is ready is dropped without a kill, so start them all first
    assert app.state.pool.wait_started()
    before = app.state.pool.killed

    async def scenario():
        async with httpx.AsyncClient(base_url=url, timeout=0.5) as client:
            with pytest.raises(httpx.ReadTimeout):  # the client gives up and disconnects
                await client.post("/api/diff", json=SLOW)

    asyncio.run(scenario())
    deadline = time.monotonic() + 30
    while app.state.pool.killed == before and time.monotonic() < deadline:
        time.sleep(0.05)
    # killed for the disconnect, well before the 3 s limit would have (counted from the start)
    assert app.state.pool.killed == before + 1
    assert app.state.pool.cancelled == 1  # for the disconnect, not the time limit
