"""The ``chainrule`` command line.

Every command prints one clear message and exits non-zero on bad input; no traceback reaches
the user. JSON goes to stdout alone, and ``NO_COLOR`` is honoured (by rich).
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from chainrule.cli.diff_command import DiffRequest, run_diff
from chainrule.errors import ChainruleError
from chainrule.limits.budget import DEFAULT_SECONDS, Budget, within

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Differentiate functions and show the work: symbolic steps, values, LaTeX, JSON.",
)


def _register_commands() -> None:
    from chainrule.cli.calculus_commands import register as register_calculus
    from chainrule.cli.check_command import register as register_check
    from chainrule.cli.estimate_command import register as register_estimate
    from chainrule.cli.serve_command import register as register_serve
    register_check(app)
    register_estimate(app)
    register_calculus(app)
    register_serve(app)


@app.callback()
def _root() -> None:
    """chainrule: derivatives with their steps."""


@app.command("diff")
def diff_command(
    expr: Annotated[str, typer.Argument(help="The function, e.g. \"x^x\" or \"x^2 sin x\". "
                                             "Start a leading minus after --: -- \"-x^2\".")],
    wrt: Annotated[str | None, typer.Option("--wrt", "-w", help="Variable to differentiate by.")]
    = None,
    order: Annotated[int, typer.Option("--order", "-n", help="Derivative order.")] = 1,
    at: Annotated[str | None, typer.Option("--at", help="Point: x=2 or x=1,y=pi/2.")] = None,
    show_steps: Annotated[bool, typer.Option("--steps", "-s", help="Show every rule used.")]
    = False,
    hide: Annotated[str, typer.Option("--hide", help="Rules to hide, e.g. sum,constant-multiple")]
    = "",
    detail: Annotated[str, typer.Option("--detail", help="full, normal or brief.")] = "normal",
    method: Annotated[str, typer.Option("--method", help="auto, logdiff or direct.")] = "auto",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, latex or json.")] = "text",
    check: Annotated[bool, typer.Option(
        "--verify", help="With --at: compare symbolic, forward AD, reverse AD and numerics.")]
    = False,
    implicit: Annotated[str | None, typer.Option(
        "--implicit", help="EXPR is an equation: differentiate it implicitly for this "
                           "variable, e.g. --implicit y.")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", help="Work budget in seconds: past it, stop and say so.")]
    = DEFAULT_SECONDS,
) -> None:
    """Differentiate EXPR, optionally with its steps and its value at a point."""
    budget = Budget(seconds=timeout)
    if implicit is not None:
        from chainrule.cli.calculus_commands import run_implicit
        _run(lambda: run_implicit(expr, implicit, wrt, fmt, show_steps, at), budget)
        return
    request = DiffRequest(expr, wrt, order, at, show_steps, hide, detail, method, fmt, check)
    _run(lambda: run_diff(request), budget)


def _run(action, budget: Budget | None = None) -> None:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        # only diff passes a budget: serve must not run its whole life under one deadline
        with within(budget) if budget is not None else contextlib.nullcontext():
            output = action()
    except ChainruleError as err:
        console.print(f"[bold red]error:[/] {_escape(str(err))}")
        caret = getattr(err, "caret", None)
        if callable(caret) and caret():
            console.print(_escape(caret()), markup=False)
        raise typer.Exit(2) from None
    except RecursionError:
        console.print("[bold red]error:[/] the expression is nested too deeply to process")
        raise typer.Exit(2) from None
    except MemoryError:
        console.print("[bold red]error:[/] out of memory: the request is too large")
        raise typer.Exit(2) from None
    except Exception as err:  # a bug of ours: still one clear line, never a traceback
        console.print(f"[bold red]internal error:[/] {type(err).__name__}: {_escape(str(err))}")
        raise typer.Exit(3) from None
    _emit(output)


def _emit(output) -> None:
    if isinstance(output, dict):
        sys.stdout.write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    else:
        Console(highlight=False, soft_wrap=True).print(output)


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
