"""The work budget: a deadline and a count of work done, checked inside the loops that grow.

Every public operation runs :func:`within` a :class:`Budget`. The loops whose work can grow
without bound — making new expression nodes, the DAG walker, the simplifier, higher orders,
the printers — call :func:`charge`, which counts the work and raises
:class:`~chainrule.errors.WorkLimitExceeded` as soon as the count or the clock passes its
limit; the message names the limit and how to raise it. Counting work (not only time) makes
the limit deterministic: the same input stops at the same place on every machine, which is
what the tests assert on.

>>> from chainrule.errors import WorkLimitExceeded
>>> try:
...     with within(Budget(steps=10)):
...         for _ in range(100):
...             charge(1, "counting")
... except WorkLimitExceeded as err:
...     print(err.limit, err.used > 10)
steps True
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from chainrule.errors import WorkLimitExceeded

DEFAULT_SECONDS = 10.0
"""Default deadline of one operation: long enough for any expression a person types, short
enough that a hostile one is stopped before they give up."""

DEFAULT_STEPS = 50_000_000
"""Default count of work steps (nodes visited or made, terms tidied) of one operation."""

DEFAULT_NODES = 2_000_000
"""Default count of new expression nodes one operation may make (the memory bound)."""


@dataclass(frozen=True)
class Budget:
    """Limits for one operation; ``None`` switches a limit off.

    >>> Budget(seconds=2).nodes == DEFAULT_NODES
    True
    """

    seconds: float | None = DEFAULT_SECONDS
    steps: int | None = DEFAULT_STEPS
    nodes: int | None = DEFAULT_NODES

    @classmethod
    def unlimited(cls) -> Budget:
        """No limit at all (for code that has its own)."""
        return cls(None, None, None)


class Meter:
    """The work one operation has done so far under its budget."""

    __slots__ = ("budget", "deadline", "steps", "nodes")

    def __init__(self, budget: Budget):
        self.budget = budget
        self.deadline = (None if budget.seconds is None
                         else time.monotonic() + budget.seconds)
        self.steps = 0
        self.nodes = 0

    def charge(self, steps: int, what: str) -> None:
        self.steps += steps
        limit = self.budget.steps
        if limit is not None and self.steps > limit:
            raise WorkLimitExceeded("steps", limit, self.steps, what,
                                    "budget=Budget(steps=...)")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WorkLimitExceeded("seconds", self.budget.seconds, None, what,
                                    "budget=Budget(seconds=...) or --timeout")

    def new_node(self) -> None:
        self.nodes += 1
        limit = self.budget.nodes
        if limit is not None and self.nodes > limit:
            raise WorkLimitExceeded("nodes", limit, self.nodes, "building expressions",
                                    "budget=Budget(nodes=...)")
        if self.nodes & 1023 == 0:
            self.charge(0, "building expressions")


_CURRENT: ContextVar[Meter | None] = ContextVar("chainrule_budget", default=None)


@contextmanager
def within(budget: Budget | float | None = None) -> Iterator[Meter]:
    """Run the body under ``budget``; a number is a deadline in seconds.

    ``None`` joins the operation already running (a diff inside a verify shares its budget)
    or, at the top, starts one with the default :class:`Budget`.
    """
    current = _CURRENT.get()
    if budget is None and current is not None:
        yield current
        return
    if budget is None:
        budget = Budget()
    elif not isinstance(budget, Budget):
        budget = Budget(seconds=float(budget))
    meter = Meter(budget)
    token = _CURRENT.set(meter)
    try:
        yield meter
    finally:
        _CURRENT.reset(token)


def charge(steps: int, what: str) -> None:
    """Count ``steps`` units of work on the running operation (nothing outside one)."""
    meter = _CURRENT.get()
    if meter is not None:
        meter.charge(steps, what)


def new_node() -> None:
    """Count one new expression node on the running operation (nothing outside one)."""
    meter = _CURRENT.get()
    if meter is not None:
        meter.new_node()


F = TypeVar("F", bound=Callable[..., Any])


def budgeted(fn: F) -> F:
    """Give a public operation a keyword-only ``budget=`` and run its body :func:`within` it.

    ``budget`` is a :class:`Budget`, a deadline in seconds, or None (join the running
    operation's budget, or start the default one); the signature shows the new keyword.

    >>> from chainrule.errors import WorkLimitExceeded
    >>> @budgeted
    ... def count(n: int) -> int:
    ...     for _ in range(n):
    ...         charge(1, "counting")
    ...     return n
    >>> count(5, budget=Budget(steps=10))
    5
    >>> try:
    ...     count(50, budget=Budget(steps=10))
    ... except WorkLimitExceeded as err:
    ...     print(err.limit)
    steps
    >>> "budget" in str(inspect.signature(count))
    True
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, budget: Budget | float | None = None, **kwargs: Any) -> Any:
        with within(budget):
            return fn(*args, **kwargs)

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    extra = inspect.Parameter("budget", inspect.Parameter.KEYWORD_ONLY, default=None,
                              annotation="Budget | float | None")
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[*params[:at], extra, *params[at:]])
    return wrapper  # type: ignore[return-value]
