"""``chainrule check``: is a learner's answer the derivative, and if not, what went wrong?

``chainrule check "x^x" --answer "x*x^(x-1)"`` prints the verdict, the mistake, the rule
involved, the first wrong step of the correct derivation, a counterexample and the correct
derivative; ``--format json`` prints the same as one JSON object (keys ``equivalent``,
``explanation``, ``counterexample``, ``correct``, ``mistake``, ``rule``,
``first_wrong_step``). The exit status is 0 for an equivalent answer, 1 for a wrong one and 2
for bad input, so scripts can grade with it.

Added to the main app by ``register(app)`` (see :mod:`chainrule.cli.main`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chainrule.cli.common import Common, Quiet, Timeout, Verbose, run_command
from chainrule.errors import ChainruleError

if TYPE_CHECKING:  # imported when the command runs: the command line starts fast
    from rich.text import Text

    from chainrule.tutor import AnswerCheck

FORMATS = ("text", "json")


@dataclass
class CheckRequest:
    expr: str
    answer: str
    wrt: str | None
    order: int
    fmt: str


def run_check(req: CheckRequest) -> tuple[Any, AnswerCheck]:
    """What ``chainrule check`` prints (a dict for JSON, else rich text), and the verdict."""
    if req.fmt not in FORMATS:
        raise ChainruleError(f"unknown format {req.fmt!r}; use one of {', '.join(FORMATS)}")
    from chainrule.tutor import check_answer
    result = check_answer(req.expr, req.answer, wrt=req.wrt or "x", order=req.order)
    if req.fmt == "json":
        return result.to_dict(), result
    return _as_text(result), result


def _as_text(r: AnswerCheck) -> Text:
    from rich.text import Text
    out = Text()
    if r.equivalent:
        out.append("equivalent", style="bold green")
    else:
        out.append("not equivalent", style="bold red")
    out.append("\n" + r.explanation)
    if r.mistake:
        out.append("\nmistake: ", style="dim")
        out.append(r.mistake + (f" ({r.rule})" if r.rule else ""), style="bold")
    out.append("\ncorrect: ", style="dim")
    out.append(str(r.correct), style="bold green")
    return out


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""

    @app.command("check")
    def check_command(
        expr: Annotated[str, typer.Argument(help="The function, e.g. \"x^x\". Start a leading "
                                                 "minus after --: -- \"-x^2\".")],
        answer: Annotated[str, typer.Option("--answer", "-a",
                                            help="The derivative to check, e.g. \"x*x^(x-1)\".")],
        wrt: Annotated[str | None, typer.Option("--wrt", "-w",
                                                help="Variable to differentiate by.")] = None,
        order: Annotated[int, typer.Option("--order", "-n", help="Derivative order.")] = 1,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        quiet: Quiet = False, timeout: Timeout = None, verbose: Verbose = 0,
    ) -> None:
        """Check ANSWER against the derivative of EXPR: the verdict, the mistake, the rule."""
        verdicts: list[AnswerCheck] = []

        def action() -> Any:
            output, verdict = run_check(CheckRequest(expr, answer, wrt, order, fmt))
            verdicts.append(verdict)
            return output

        run_command(action, Common(quiet, timeout, verbose))
        if verdicts and not verdicts[0].equivalent:
            raise typer.Exit(1)
