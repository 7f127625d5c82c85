"""``chainrule tutor``: the learner writes the derivative line by line; each line is checked.

``chainrule tutor "sin(x^2)"`` asks for the next line on a terminal (``?`` or ``hint`` for a
hint, ``quit`` to stop). ``--json`` speaks JSON Lines instead: one request per input line, one
reply per output line, as documented in ``docs/tutor.md`` (the web explorer and the tests
drive it so).

Added to the main app by ``register(app)`` (see :mod:`chainrule.cli.main`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command
from chainrule.errors import ChainruleError

if TYPE_CHECKING:  # imported when the command runs: the command line starts fast
    from chainrule.tutor.session import Tutor

COMMANDS = {"hint": "hint", "?": "hint", "state": "state", "quit": "quit", "exit": "quit"}


def request_of(raw: str) -> dict[str, Any]:
    """One input line as a request: a JSON object, a plain command word, or a line to submit.

    >>> request_of('{"action": "hint"}'), request_of("?"), request_of("3x^2")
    ({'action': 'hint'}, {'action': 'hint'}, {'action': 'submit', 'line': '3x^2'})
    """
    text = raw.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ChainruleError(f"the request is not valid JSON: {err.msg} at column "
                                 f"{err.colno}") from None
        if not isinstance(value, dict):
            raise ChainruleError("a request is a JSON object")
        return value
    word = COMMANDS.get(text.lower())
    return {"action": word} if word else {"action": "submit", "line": text}


def answer(tutor: Tutor, request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request (an ``error`` reply for a bad one, never an exception)."""
    action = request.get("action")
    if action == "submit":
        line = request.get("line")
        if not isinstance(line, str):
            return {"type": "error", "message": "a submit request needs 'line' as text"}
        return tutor.submit(line).to_dict()
    if action == "hint":
        return tutor.hint().to_dict()
    if action == "state":
        return {"type": "state", **tutor.state()}
    if action == "quit":
        return {"type": "bye"}
    return {"type": "error", "message": f"unknown action {action!r}; use submit, hint, state "
                                        "or quit"}


def run_session(tutor: Tutor, lines: Iterable[str],
                write: Callable[[dict[str, Any]], None]) -> None:
    """Play a session: the start reply, then one reply per request, until quit, done or EOF."""
    write(tutor.start())
    for raw in lines:
        if not raw.strip():
            continue
        try:
            request = request_of(raw)
        except ChainruleError as err:
            write({"type": "error", "message": str(err)})
            continue
        reply = answer(tutor, request)
        write(reply)
        if reply["type"] == "bye" or (reply["type"] == "check" and reply["done"]):
            return


def _write_json(reply: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _write_text(reply: dict[str, Any], wrt: str = "x") -> None:
    kind = reply["type"]
    if kind == "start":
        out = (f"{reply['prompt']}\nWrite the next line of {reply['goal']} = …, leaving "
               f"derivatives still to take as d/d{wrt} [g] or (g)'. '?' for a hint, 'quit' to "
               "stop.")
    elif kind == "check":
        out = ("✓ " if reply["valid"] else "✗ ") + reply["message"]
        if reply["valid"] and reply["pending"]:
            out += "\n  still to take: " + ", ".join(f"d/d{wrt} [{g}]"
                                                  for g in reply["pending"])
    elif kind == "hint":
        out = f"hint {reply['level']}: {reply['text']}"
    elif kind == "state":
        out = "\n".join([reply["expr"], *reply["lines"]])
    else:
        out = reply.get("message", "bye")
    sys.stdout.write(out + "\n")
    sys.stdout.flush()


def _prompted(prompt: str) -> Iterable[str]:
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return


def register(app: typer.Typer) -> None:
    """Add the ``tutor`` command to ``app``."""

    @app.command("tutor")
    def tutor_command(
        expr: Annotated[str, typer.Argument(help="The function to differentiate, e.g. "
                                                 "\"sin(x^2)\".")],
        wrt: Annotated[str | None, typer.Option("--wrt", "-w",
                                                help="Variable to differentiate by.")] = None,
        as_json: Annotated[bool, typer.Option(
            "--json", help="JSON Lines on stdin/stdout (see docs/tutor.md).")] = False,
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Differentiate EXPR yourself, line by line: each line is checked, hints on request."""

        def action() -> None:
            from chainrule.tutor.session import Tutor
            tutor = Tutor(expr, wrt)
            if as_json:
                run_session(tutor, sys.stdin, _write_json)
            else:
                lines = _prompted("> ") if sys.stdin.isatty() else sys.stdin
                run_session(tutor, lines, lambda reply: _write_text(reply, tutor.wrt))

        run_command(action, Common(quiet, timeout, verbose))
