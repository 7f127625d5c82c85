"""``chainrule serve``: the local web explorer (see :mod:`chainrule.web`).

``chainrule serve [--port 8765] [--open]`` serves the page and its JSON API on 127.0.0.1
until Ctrl-C; ``--host`` binds elsewhere (with a warning), ``--port 0`` picks a free port.

Added to the main app by ``register(app)`` (see :mod:`chainrule.cli.main`).
"""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @app.command("serve")
    def serve_command(
        port: Annotated[int, typer.Option("--port", "-p", help="Port (0 picks a free one).")]
        = 8765,
        open_browser: Annotated[bool, typer.Option("--open", help="Open the page in a browser.")]
        = False,
        host: Annotated[str, typer.Option("--host", help="Interface to bind; the default is "
                                                         "this machine only.")] = "127.0.0.1",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
        workers: Annotated[int | None, typer.Option(
            "--workers", min=1, max=256,
            help="Engine worker processes (default: the CPU count).")] = None,
    ) -> None:
        """Serve the web explorer: live parsing, steps, plots, checks and graphs."""

        def action() -> str:
            from chainrule.web.server import serve
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a normal way to stop
                serve(host, port, open_browser,
                      announce=lambda line: typer.echo(line, err=True), workers=workers)
            return "chainrule explorer stopped"

        run_command(action, Common(quiet, timeout, verbose))
