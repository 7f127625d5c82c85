"""What the web tests share: the explorer served by a real uvicorn server on a free loopback
port, headless Chromium (Playwright driving the system Chromium, ``/usr/bin/chromium``;
``.ci/run`` installs it with apt-get), and opening and closing a page that may raise no script
error and fetch nothing from anywhere but that server.

The ``browser`` fixture is in ``conftest.py``; each test module starts its own server with
``serve(...)``, since the modules want different pools (a worker, no warm-up, a time limit).
Screenshots are saved under ``tests/artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium; .ci/run does)")


@contextmanager
def serve(start_within: float = 60, **app_options: Any) -> Iterator[tuple[str, Any]]:
    """The explorer app made with ``app_options``, served on a free loopback port until the
    block ends; yields its base URL and the app."""
    import uvicorn

    from chainrule.web import create_app
    from chainrule.web.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = create_app(**app_options)
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless system Chromium for the block (skips the test when Playwright is missing)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, server: str, path: str, width: int = 1280, height: int = 900, *,
              timeout_ms: int = 60_000, **context_options: Any):
    """A fresh context's page at ``server + path`` that records uncaught script errors
    (``pg.errors``) and requests to anywhere but ``server`` (``pg.foreign``)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  **context_options)
    pg = context.new_page()
    pg.set_default_timeout(timeout_ms)
    pg.errors, pg.foreign = [], []
    pg.on("pageerror", lambda err: pg.errors.append(str(err)))
    pg.on("request", lambda req: None if req.url.startswith((server, "data:"))
          else pg.foreign.append(req.url))
    pg.goto(server + path)
    return pg


def close_page(pg) -> None:
    """Close the page's context, failing if it raised a script error or went offline."""
    assert pg.errors == [], pg.errors
    assert pg.foreign == [], f"the page fetched from elsewhere: {pg.foreign}"  # offline
    pg.context.close()


def finish(pg, name: str) -> None:
    """Save a full-page screenshot as ``artifacts/<name>.png``, then ``close_page``."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    close_page(pg)
