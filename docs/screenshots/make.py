"""Remake the explorer screenshots in this folder: ``python docs/screenshots/make.py``.

Starts the explorer on a free loopback port, opens every explorer the home page links (so a new
explorer is picked up without editing this script) in headless Chromium at 1000 × 760 px, and
saves ``explore-<name>.png`` as a 256-colour PNG (about 30–60 kB each). Needs the ``test``
extra (Playwright; Pillow comes with matplotlib) and Chromium (``--chromium PATH``, default
``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import io
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"]


def serve() -> tuple[str, object]:
    """A running explorer server and its base URL."""
    import uvicorn

    from chainrule.web import create_app
    from chainrule.web.server import bind

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(workers=2), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the explorer server did not start within 60 s")
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def small_png(raw: bytes, path: Path) -> int:
    """``raw`` PNG bytes saved as a palette PNG; returns its size in bytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path.stat().st_size


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=HERE)
    options = parser.parse_args()
    base, server = serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=options.chromium, args=ARGS)
            context = browser.new_context(viewport={"width": 1000, "height": 760},
                                          reduced_motion="reduce", color_scheme="light")
            page = context.new_page()
            page.goto(base + "/")
            links = page.eval_on_selector_all(
                "#explorers a", "as => as.map(a => [a.textContent.trim(), a.getAttribute('href')])")
            for name, href in links:
                page.goto(base + href)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(800)  # JSXGraph draws after the last answer
                size = small_png(page.screenshot(), options.out / f"explore-{name}.png")
                print(f"explore-{name}.png  {size / 1024:.0f} kB  {href}")
            browser.close()
    finally:
        server.should_exit = True  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
