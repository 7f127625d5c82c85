"""The web explorer's Starlette application: the page, its static files, and the JSON API.

:func:`create_app` builds the app. Every ``POST /api/<name>`` endpoint reads a JSON object
(at most :data:`~chainrule.web.validate.MAX_BODY_BYTES`, ``Content-Type: application/json``),
runs its handler from :mod:`chainrule.web.api` in a worker thread under a time limit, and
answers JSON. Bad requests get 400 (not JSON), 413 (too large), 415 (not declared JSON) or
422 (a field, a syntax error, a limit, a mathematical impossibility) with
``{"error": message}`` (plus ``column``, ``hint`` and ``field`` where known); overload gets 503
and a request over its time limit 504. The page and its scripts come from this package only
(the Content-Security-Policy forbids anything else), and requests naming another host are
refused, so a web page elsewhere cannot use the server through DNS rebinding.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import traceback
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from chainrule.core.registry import all_primitives
from chainrule.limits.pool import Cancelled, WorkerLost, WorkerPool
from chainrule.limits.runner import Busy, Runner, TimeLimit
from chainrule.symbolic.api import parse, steps
from chainrule.web.api import HANDLERS, error_body
from chainrule.web.validate import (
    LIMITS,
    MAX_BODY_BYTES,
    MAX_RESPONSE_BYTES,
    TIME_LIMIT_S,
    ApiError,
)

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
     b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


EXPLORERS = {"derivative": "f and f′: probe, tangent, critical points",
             "limits": "secant → tangent as h → 0",
             "taylor": "Taylor polynomials of order 0 … 8 and their error",
             "numerical": "the step-size trade-off of finite differences",
             "logdiff": "logarithmic differentiation: f, ln f and f′",
             "chain-rule": "the chain rule on a computation graph: forward values, backward "
                           "adjoints",
             "integration": "Monte Carlo integration: random points under the curve",
             "steps": "logarithmic differentiation in four steps",
             "tutor": "write each step; the page checks it",
             "partials": "f(x, y) with the slices y = y₀, x = x₀ and their slopes",
             "gradient": "contours, the gradient field and steepest descent",
             "jacobian": "a map of the plane: a small square, its image, J and det J",
             "hessian": "the quadratic model, eigenvalues: minimum, maximum or saddle",
             "optimization": "gradient descent, momentum and Newton: the learning rate"}
"""The explorer pages, ``/explore/<name>``: each is ``static/explore/<name>.js`` in the shared
page ``static/explore.html``; its whole state is in the query string."""

QUICK = frozenset({"parse"})
"""Endpoints answered by the quick lane, a worker of their own, so slow work never delays them."""


def create_app(time_limit: float = TIME_LIMIT_S, workers: int | None = None,
               allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
               warm_up: bool = True) -> Starlette:
    """The explorer app. ``workers`` engine processes (default: the CPU count) plus one for
    the quick lane; ``allowed_hosts=None`` accepts any ``Host`` header."""
    init = warm_worker if warm_up else prime_worker
    pool: WorkerPool | InProcess
    if workers == 0:  # in this process, one request at a time (tests that patch the handlers)
        prime_worker()
        pool = quick = InProcess(time_limit)
    else:
        pool = WorkerPool(workers, time_limit, initializer=init)
        quick = WorkerPool(1, time_limit, initializer=prime_worker)

    def endpoint(name: str):
        async def run(request: Request) -> Response:
            return await _answer(request, name, quick if name in QUICK else pool)
        run.__name__ = f"api_{name}"
        return run

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    async def explore(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in EXPLORERS:
            return _json(404, {"error": f"no explorer {name!r}; there are "
                                        f"{', '.join(EXPLORERS)}"})
        page = (STATIC / "explore.html").read_text(encoding="utf-8")
        page = page.replace("{name}", name).replace("{title}", f"{name}: {EXPLORERS[name]}")
        return Response(page, media_type="text/html", headers={"cache-control": "no-cache"})

    async def api_index(request: Request) -> Response:
        return JSONResponse({
            "endpoints": {f"/api/{n}": (HANDLERS[n].__doc__ or "").split("\n")[0]
                          for n in HANDLERS},
            "limits": {**LIMITS, "time_limit_s": time_limit},
            "documentation": "docs/web-api.md in the chainrule repository"})

    async def unknown(request: Request) -> Response:
        if request.path_params.get("rest") in HANDLERS:
            response = _json(405, {"error": f"{request.method} is not allowed on "
                                            f"{request.url.path}; API endpoints take POST with "
                                            f"a JSON body"})
            response.headers["allow"] = "POST"
            return response
        return _json(404, {"error": f"no endpoint {request.url.path}; see GET /api for the "
                                    f"list"})

    routes = [Route("/", index, methods=["GET"]),
              Route("/explore/{name}", explore, methods=["GET"]),
              Route("/api", api_index, methods=["GET"]),
              Route("/api/limits", lambda r: JSONResponse({**LIMITS, "time_limit_s": time_limit}),
                    methods=["GET"])]
    routes += [Route(f"/api/{name}", endpoint(name), methods=["POST"]) for name in HANDLERS]
    routes += [Route("/api/{rest:path}", unknown,
                     methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
               Mount("/static", StaticFiles(directory=STATIC), name="static")]

    @asynccontextmanager
    async def lifespan(app: Starlette):
        pool.start()  # the workers import and warm the engine while the server starts
        quick.start()
        yield
        pool.close()
        quick.close()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        HTTPException: _http_error, 500: _internal_error})
    app.state.pool = pool
    app.state.quick = quick
    app.add_middleware(_Guard, allowed_hosts=allowed_hosts)
    return app


class InProcess:
    """``workers=0``: jobs in a thread of this process, one at a time (see
    :class:`~chainrule.limits.runner.Runner`), with the pool's interface."""

    def __init__(self, time_limit: float):
        self.runner = Runner(time_limit)

    @property
    def time_limit(self) -> float:
        return self.runner.time_limit

    def start(self) -> None:
        """Nothing to start."""

    def close(self) -> None:
        """Nothing to stop."""

    async def run(self, fn: Any, *args: Any) -> Any:
        return await self.runner.run(lambda: fn(*args))


async def _answer(request: Request, name: str, pool: WorkerPool | InProcess) -> Response:
    try:
        data = await _read_json(request)
        status, payload = await _unless_gone(request, pool.run(compute, name, data))
    except TimeLimit:
        return _json(504, {"error": f"the request took longer than {pool.time_limit:g} s and "
                                    f"was stopped; try a lower order, a shorter expression or "
                                    f"fewer plot points"})
    except Busy:
        return _json(503, {"error": "the server is busy with other requests; try again in a "
                                    "moment"})
    except WorkerLost:
        return _json(500, {"error": "the worker computing this request stopped unexpectedly "
                                    "(out of memory?); it was replaced, try again"})
    except Cancelled:
        return _json(499, {"error": "the request was cancelled"})
    except Exception as err:
        known = error_body(err)
        if known is None:
            raise
        return _json(*known)
    return Response(payload, status_code=status, media_type="application/json",
                    headers={"cache-control": "no-store"})


async def _unless_gone(request: Request, work: Any) -> Any:
    """Await ``work`` unless the client disconnects first; then cancel it (the pool kills the
    worker computing it, so nobody's CPU goes to an answer nobody will read)."""
    job = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
    if not job.done():
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job
        raise Cancelled()
    return job.result()


async def _disconnected(request: Request) -> None:
    """Return when the client has gone away (the body has been read: the next message the
    server can receive is the disconnect)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def compute(name: str, data: Any) -> tuple[int, bytes]:
    """A worker's job: the status and JSON body answering ``POST /api/<name>`` with ``data``.

    >>> status, body = compute("parse", {"expr": "x y"})
    >>> status, json.loads(body)["interpreted"]
    (200, 'x*y')
    """
    try:
        return 200, _work(name, data)
    except Exception as err:  # noqa: BLE001 - known errors become their answer, others a 500
        known = error_body(err)
        if known is None:
            traceback.print_exc()
            known = (500, {"error": f"internal error ({type(err).__name__}); please report it"})
        status, body = known
        return status, json.dumps(body, ensure_ascii=False).encode("utf-8")


def _work(name: str, data: Any) -> bytes:
    """The handler's answer as JSON bytes (encoded here, in the worker, under the limits)."""
    result = HANDLERS[name](data)
    try:
        text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a non-finite number: JSON has none, send null
        text = json.dumps(_finite(result), ensure_ascii=False, allow_nan=False)
    body = text.encode("utf-8")
    if len(body) > MAX_RESPONSE_BYTES:
        raise ApiError(422, f"the answer is too large to send ({len(body) / 2**20:.1f} MiB; "
                            f"the limit is {MAX_RESPONSE_BYTES / 2**20:.0f} MiB): try a lower "
                            f"order or a shorter expression")
    return body


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


async def _read_json(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, "send the request body as JSON, with the header "
                            "Content-Type: application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the request body is {int(declared):,} bytes; the limit is "
                            f"{MAX_BODY_BYTES:,}")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, f"the request body is over the limit of {MAX_BODY_BYTES:,} "
                                f"bytes")
    if not body.strip():
        raise ApiError(400, 'the request body is empty; send a JSON object such as '
                            '{"expr": "x^x"}')
    try:
        return json.loads(body, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise ApiError(400, f"the request body is not valid JSON: {err.msg} at line "
                            f"{err.lineno}, column {err.colno}") from None
    except UnicodeDecodeError:
        raise ApiError(400, "the request body is not UTF-8 text") from None
    except RecursionError:
        raise ApiError(400, "the request body is nested too deeply") from None
    except ValueError as err:
        raise ApiError(400, f"the request body is not valid JSON: {err}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows; send a finite number")


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = (f"{request.method} is not allowed on {request.url.path}; API endpoints take "
                   f"POST with a JSON body")
    elif exc.status_code == 404:
        message = f"nothing at {request.url.path}"
    else:
        message = str(exc.detail)
    return _json(exc.status_code, {"error": message})


async def _internal_error(request: Request, exc: Exception) -> Response:
    """A bug of ours: one line, no traceback (the server log has it)."""
    return _json(500, {"error": f"internal error ({type(exc).__name__}); please report it"})


def prime_worker() -> None:
    """A worker's start: build the library's lazily filled tables (primitives, parser,
    function names) before the first job."""

    all_primitives()
    steps(parse("x^x + sin(x)"))


def warm_worker() -> None:
    """A worker's start: prime it and answer one request of each heavy kind, so that the
    first real one is quick."""
    prime_worker()
    for name, data in (("steps", {"expr": "x^x"}), ("plot", {"expr": "x^x", "points": 50}),
                       ("check", {"expr": "x^x", "at": 1.5})):
        with contextlib.suppress(Exception):  # warming up is optional
            HANDLERS[name](data)


class _Guard:
    """ASGI middleware: refuse unexpected ``Host`` headers; add the security headers."""

    def __init__(self, app, allowed_hosts: tuple[str, ...] | None):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.allowed is not None:
            host = _host(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                response = _json(400, {"error": f"unexpected Host header {host!r}; this "
                                                f"server answers for "
                                                f"{', '.join(sorted(self.allowed))}"})
                return await response(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        return await self.app(scope, receive, with_headers)


def _host(header: str) -> str:
    """``"127.0.0.1:8765" → "127.0.0.1"``, ``"[::1]:8765" → "::1"``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
