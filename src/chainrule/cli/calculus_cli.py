"""The options of the calculus commands: ``taylor``, ``critical``, ``grad``, ``jacobian``,
``hessian`` and ``minimize``. ``register(app)`` adds them to a Typer app.

Only Typer is imported here; each command imports its implementation
(:mod:`chainrule.cli.calculus_commands`) when it runs, so the command line starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command

Fmt = Annotated[str, typer.Option("--format", "-f", help="text or json.")]
Wrt = Annotated[str | None, typer.Option("--wrt", "-w", help="Variables, e.g. x,y.")]
At = Annotated[str | None, typer.Option("--at", help="Point: x=1,y=2.")]


def _runner(name: str, common: Common, busy: str | None = None) -> Callable[..., None]:
    """Run ``calculus_commands.<name>(*args)``, imported only now (fast start)."""
    def run(*args: Any) -> None:
        def action() -> Any:
            from chainrule.cli import calculus_commands
            return getattr(calculus_commands, name)(*args)
        run_command(action, common, busy)
    return run


def register(app: typer.Typer) -> None:
    """Add taylor, critical, grad, jacobian, hessian and minimize to ``app``."""

    @app.command("taylor")
    def taylor_command(
        expr: Annotated[str, typer.Argument(help="The function, e.g. \"e^x\".")],
        about: Annotated[str, typer.Option("--about", "-a",
                                           help="Expansion point: 0, pi/2, or x=0,y=0.")] = "0",
        order: Annotated[int, typer.Option("--order", "-n", help="Polynomial order.")] = 2,
        at: Annotated[str | None, typer.Option(
            "--at", help="Error-table points: x=0.1,1 (or \"x=0,y=1;x=1,y=1\").")] = None,
        wrt: Wrt = None, fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Taylor polynomial of EXPR about a point, with an error table."""
        _runner("run_taylor", Common(quiet, timeout, verbose))(expr, about, order, at, wrt, fmt)

    @app.command("critical")
    def critical_command(
        expr: Annotated[str, typer.Argument(help="The function, e.g. \"x^x\" or \"x^2 - y^2\".")],
        interval: Annotated[str | None, typer.Option(
            "--interval", "-i", help="One variable: search a,b, e.g. 0,7.")] = None,
        region: Annotated[str | None, typer.Option(
            "--region", "-r", help="Several variables: x=-2:2,y=-2:2.")] = None,
        fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Critical points of EXPR and their kinds (min, max, inflection, saddle)."""
        _runner("run_critical", Common(quiet, timeout, verbose),
                "searching for critical points" if region else None)(expr, interval, region, fmt)

    @app.command("grad")
    def grad_command(
        expr: Annotated[str, typer.Argument(help="A scalar function, e.g. \"x^2 + 3y^2\".")],
        wrt: Wrt = None, at: At = None,
        direction: Annotated[str | None, typer.Option(
            "--direction", "-d", help="Directional derivative along this vector, e.g. 1,0.")]
        = None,
        let: Annotated[list[str] | None, typer.Option(
            "--let", help="Intermediate variable, e.g. --let \"u=x^2\": shows the chain rule "
                          "as a sum over paths.")] = None,
        fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Gradient of EXPR; at a point also |∇f| and the steepest-descent direction."""
        _runner("run_grad", Common(quiet, timeout, verbose))(expr, wrt, at, direction, let, fmt)

    @app.command("jacobian")
    def jacobian_command(
        exprs: Annotated[list[str], typer.Argument(help="The functions, e.g. \"x*y\" \"x+y\".")],
        wrt: Wrt = None, at: At = None, fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Jacobian matrix of several functions (row i = gradient of the i-th)."""
        _runner("run_jacobian", Common(quiet, timeout, verbose))(exprs, wrt, at, fmt)

    @app.command("hessian")
    def hessian_command(
        expr: Annotated[str, typer.Argument(help="A scalar function.")],
        wrt: Wrt = None, at: At = None, fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Hessian matrix of EXPR; at a point its eigenvalues and definiteness."""
        _runner("run_hessian", Common(quiet, timeout, verbose))(expr, wrt, at, fmt)

    @app.command("minimize")
    def minimize_command(
        expr: Annotated[str, typer.Argument(help="The function to minimise.")],
        start: Annotated[str, typer.Option("--from", help="Start point: x=1,y=1.")],
        method: Annotated[str, typer.Option("--method", "-m", help="gd or newton.")] = "gd",
        step: Annotated[float | None, typer.Option(
            "--step", help="Fixed gradient-descent step (default: line search).")] = None,
        tol: Annotated[float, typer.Option("--tol", help="Stop when |∇f| ≤ tol.")] = 1e-8,
        max_iter: Annotated[int | None, typer.Option("--max-iter", help="Step limit.")] = None,
        show_all: Annotated[bool, typer.Option("--all", help="Show every trace row.")] = False,
        fmt: Fmt = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Minimise EXPR by gradient descent or Newton's method; prints the trace."""
        _runner("run_minimize", Common(quiet, timeout, verbose))(expr, start, method, step, tol,
                                                                 max_iter, show_all, fmt)
