"""``chainrule rules``: the rule names steps show, as ``--hide`` accepts them.

Added to the main app by ``register(app)`` (see :mod:`chainrule.cli.main`).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chainrule.cli.common import Common, run_command
from chainrule.errors import ChainruleError

SOURCES = {"step": "a kind of step", "record": "a rule of the table",
           "detail": "hidden by a detail level"}


def run_rules(fmt: str) -> Any:
    """The listing: a dict for JSON (``{"rules": [{short, name, source}, …]}``), else text."""
    from chainrule.explain.rules import vocabulary
    if fmt not in ("text", "json"):
        raise ChainruleError(f"unknown format {fmt!r}; use text or json")
    rules = vocabulary()
    if fmt == "json":
        return {"rules": [{"short": r.short, "name": r.name, "source": r.source}
                          for r in rules]}
    width = max(len(r.short) for r in rules)
    lines = ["Rule names for --hide (either form, any letter case):"]
    lines += [f"  {r.short:<{width}}  {r.name}  ({SOURCES[r.source]})" for r in rules]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the ``rules`` command to ``app``."""

    @app.command("rules")
    def rules_command(
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    ) -> None:
        """List the rule names that steps show and --hide accepts."""
        run_command(lambda: run_rules(fmt), Common())
