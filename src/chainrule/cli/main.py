"""The ``chainrule`` command line.

Every command prints one clear line and exits 2 on bad input; no traceback reaches the user.
JSON, LaTeX and MathML go to stdout alone and untouched, and ``NO_COLOR`` is honoured (by rich).

Start time matters for a command line: this module and the ones that register the commands
import only Typer; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command

# the Click exception family, found from Typer's public BadParameter so that this works both
# with Typer versions that vendor Click and with those that use the click package
ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class OneLineErrors(TyperGroup):
    """The command group, with usage errors as one line: ``error: …`` (exit 2)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  **extra)
        except ClickException as err:
            if not standalone_mode:
                raise
            if type(err).__name__ == "NoArgsIsHelpError":  # bare `chainrule`: the help
                err.show()
                sys.exit(err.exit_code)
            sys.stderr.write(f"error: {usage_line(err)}\n")
            sys.exit(err.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            sys.stderr.write("aborted\n")
            sys.exit(1)
        if not standalone_mode:
            return status
        sys.exit(status if isinstance(status, int) else 0)


def usage_line(err: Exception) -> str:
    """One line for a usage error, naming the command and where to read its usage."""
    message = " ".join(str(err.format_message()).split())  # type: ignore[attr-defined]
    ctx = getattr(err, "ctx", None)
    if ctx is None:
        return message
    return f"{message} (see '{ctx.command_path} --help')"


app = typer.Typer(
    cls=OneLineErrors, add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Differentiate functions and show the work: symbolic steps, values, LaTeX, JSON.",
)


def _show_version(value: bool) -> None:
    if value:
        from chainrule import __version__
        sys.stdout.write(f"chainrule {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """chainrule: derivatives with their steps."""


LONG_ORDER = 8
"""Derivative order from which ``diff`` shows a spinner on a terminal."""


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
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="text, latex, json or mathml (the equation).")] = "text",
    check: Annotated[bool, typer.Option(
        "--verify", help="With --at: compare symbolic, forward AD, reverse AD and numerics.")]
    = False,
    implicit: Annotated[str | None, typer.Option(
        "--implicit", help="EXPR is an equation: differentiate it implicitly for this "
                           "variable, e.g. --implicit y.")] = None,
    quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
) -> None:
    """Differentiate EXPR, optionally with its steps and its value at a point."""
    common = Common(quiet, timeout, verbose)
    if implicit is not None:
        def implicit_action() -> Any:
            from chainrule.cli.calculus_commands import run_implicit
            return run_implicit(expr, implicit, wrt, fmt, show_steps, at, order, detail, hide)
        run_command(implicit_action, common)
        return

    def action() -> Any:
        from chainrule.cli.diff_command import DiffRequest, run_diff
        return run_diff(DiffRequest(expr, wrt, order, at, show_steps, hide, detail, method,
                                    fmt, check))

    run_command(action, common,
                busy=f"differentiating {order} times" if order >= LONG_ORDER else None)


def _register_commands() -> None:
    from chainrule.cli.calculus_cli import register as register_calculus
    from chainrule.cli.check_command import register as register_check
    from chainrule.cli.estimate_command import register as register_estimate
    from chainrule.cli.rules_command import register as register_rules
    from chainrule.cli.serve_command import register as register_serve
    from chainrule.cli.tutor_command import register as register_tutor
    register_check(app)
    register_estimate(app)
    register_calculus(app)
    register_serve(app)
    register_tutor(app)
    register_rules(app)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
