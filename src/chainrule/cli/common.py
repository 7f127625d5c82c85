"""What every ``chainrule`` command shares: its ``--quiet``, ``--timeout`` and ``-v`` options,
how it runs its work, and how it reports results and errors.

Kept light on purpose: the command line imports this module before it knows which command
runs, so nothing here imports NumPy, the differentiation engine or the web server.

Errors are one line on stderr, ``error: …``, with exit status 2 for anything the
user gave us (a bad expression, flag value, file or time limit) and 3 only for a bug of ours.
Machine formats (JSON, LaTeX, MathML) are written as they are, never through Rich markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from chainrule.errors import ChainruleError
from chainrule.limits.budget import Budget, within

USAGE_STATUS = 2
"""Exit status for bad input of any kind."""
INTERNAL_STATUS = 3
"""Exit status for a bug of ours (never for user input)."""

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
Timeout = Annotated[float | None, typer.Option(
    "--timeout", metavar="SECONDS", help="Stop the work after this many seconds (exit 2).")]
Verbose = Annotated[int, typer.Option(
    "--verbose", "-v", count=True, help="Log what happens to stderr (-vv: more).")]


@dataclass(frozen=True)
class Common:
    """The options every command takes."""

    quiet: bool = False
    timeout: float | None = None
    verbose: int = 0


class CommandTimeout(ChainruleError):
    """The work did not finish within ``--timeout`` seconds."""


def fail(message: str, status: int = USAGE_STATUS) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; the Exit to raise."""
    one_line = " ".join(str(message).split())
    sys.stderr.write(f"{'internal error' if status == INTERNAL_STATUS else 'error'}: "
                     f"{one_line}\n")
    sys.stderr.flush()
    return typer.Exit(status)


def configure_logging(verbose: int) -> None:
    """``-v``: INFO from chainrule's loggers on stderr; ``-vv``: DEBUG."""
    if verbose <= 0:
        return
    import logging  # only with -v: the command line starts faster without it

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("chainrule: %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("chainrule")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


def run_command(action: Callable[[], Any], common: Common = Common(),
                busy: str | None = None) -> None:
    """Run a command's work and print its output, or one error line and exit 2.

    ``busy`` names long work: a spinner shows on a terminal while it runs (not with
    ``--quiet``, never when stderr is redirected).
    """
    configure_logging(common.verbose)
    try:
        with _Spinner(busy, common.quiet):
            output = _within_time(action, common.timeout)
    except ChainruleError as err:
        raise fail(str(err)) from None
    except RecursionError:
        raise fail("the expression is nested too deeply to process") from None
    except MemoryError:
        raise fail("out of memory: the request is too large") from None
    except OSError as err:  # an unreadable file, a port in use: the user's to fix
        raise fail(f"{err.strerror or err}" + (f": {err.filename}" if err.filename else ""))\
            from None
    except Exception as err:  # a bug of ours: still one clear line, never a traceback
        raise fail(f"{type(err).__name__}: {err}", INTERNAL_STATUS) from None
    emit(output)


BACKSTOP = 1.2
"""The thread stop comes this factor after ``--timeout``: the cooperative budget goes first."""


def _within_time(action: Callable[[], Any], seconds: float | None) -> Any:
    if seconds is None:
        return action()
    if not seconds > 0:
        raise ChainruleError(f"--timeout must be a positive number of seconds, got {seconds:g}")
    # The engine's own work budget stops it cooperatively and names the limit; as a backstop
    # for code that does not charge the budget, the work runs in a worker thread that is
    # stopped by an exception raised inside it just after the deadline (the web explorer's
    # mechanism, imported only when a limit is asked for).
    from chainrule.limits.runner import call_with_deadline

    def budgeted() -> Any:
        with within(Budget(seconds=seconds)):  # the budget is per thread: set it inside
            return action()

    done, value = call_with_deadline(budgeted, seconds * BACKSTOP)
    if not done:
        raise CommandTimeout(f"stopped after the time limit of {seconds:g} s (--timeout)")
    return value


class _Spinner:
    """A transient rich spinner on stderr for long work, on a terminal only."""

    def __init__(self, busy: str | None, quiet: bool):
        self.status = None
        if busy and not quiet and sys.stderr.isatty():
            from rich.console import Console
            self.status = Console(stderr=True).status(busy)

    def __enter__(self) -> None:
        if self.status is not None:
            self.status.start()

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


def emit(output: Any) -> None:
    """Print a command's output: a dict as JSON, a str exactly as it is (LaTeX, MathML),
    anything else (rich Text, tables) through a rich console."""
    if output is None:
        return
    if isinstance(output, dict):
        sys.stdout.write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    elif isinstance(output, str):
        sys.stdout.write(output + ("" if output.endswith("\n") else "\n"))
    else:
        from rich.console import Console
        Console(highlight=False, soft_wrap=True).print(output)
    sys.stdout.flush()
