"""What automatic differentiation does at a kink: warn (default), raise, or use the subgradient.

relu, abs, max and min have no derivative where their argument sits exactly on the kink
(relu and abs at 0, max and min at a tie). Machine learning needs a number there anyway, so
forward and reverse mode use the subgradient PyTorch and JAX use (relu′(0) = 0, abs′(0) = 0,
a tie of max or min split half and half) — but never silently: by default a
:class:`~chainrule.errors.KinkWarning` names the function and how many entries sit on the
kink. ``kinks("raise")`` turns it into a :class:`~chainrule.errors.KinkError`;
``kinks("subgradient")`` keeps quiet (a training loop that knows). The test costs one
vectorised comparison in the rules that already branch there.

>>> import warnings
>>> with kinks("raise"):
...     policy()
'raise'
>>> policy()
'warn'
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import numpy as np

from chainrule.core.expr import Expr
from chainrule.core.trace import is_staging, value_of
from chainrule.errors import ChainruleError, KinkError, KinkWarning

POLICIES = ("warn", "raise", "subgradient")
_POLICY: ContextVar[str] = ContextVar("chainrule_kinks", default="warn")


def policy() -> str:
    """The policy in force: ``"warn"``, ``"raise"`` or ``"subgradient"``."""
    return _POLICY.get()


@contextlib.contextmanager
def kinks(what: str) -> Iterator[None]:
    """Within the block, automatic differentiation at a kink does ``what``:
    ``"warn"`` (the default: a :class:`~chainrule.errors.KinkWarning`), ``"raise"`` (a
    :class:`~chainrule.errors.KinkError`) or ``"subgradient"`` (silently the subgradient).

    >>> import numpy as np, chainrule
    >>> with chainrule.kinks("subgradient"):
    ...     float(chainrule.grad(lambda x: np.maximum(x, 0.0))(np.array(0.0)))
    0.5
    """
    if what not in POLICIES:
        raise ChainruleError(f"unknown kink policy {what!r}; use one of {', '.join(POLICIES)}")
    token = _POLICY.set(what)
    try:
        yield
    finally:
        _POLICY.reset(token)


def check(name: str, args: tuple, used: str) -> None:
    """Report the entries of ``args`` (a rule's arguments: numbers, arrays or traced values)
    exactly on the kink of ``name`` (one argument: 0; two: a tie); ``used`` is the subgradient
    taken there. Nothing for expressions (symbolic rules), nor under a staging trace
    (``chainrule.jit`` records a program once; its values come later)."""
    mode = _POLICY.get()
    if mode == "subgradient" or is_staging() or any(isinstance(a, Expr) for a in args):
        return
    values = [value_of(a) for a in args]
    if len(values) == 1 and not isinstance(values[0], np.ndarray | float | int):
        on_kink = values[0] == 0  # an array of another library
    elif len(values) == 1:
        if np.all(values[0]):  # no zero (a reduction: no mask is made)
            return
        on_kink = np.asarray(values[0]) == 0
    else:
        with np.errstate(all="ignore"):
            on_kink = values[0] == values[1]
    report(name, on_kink, f"the subgradient {used}", "kink")


def report(name: str, on_kink: Any, used: str, what: str = "kink") -> None:
    """Warn or raise (by the policy in force) when the mask ``on_kink`` marks any entry on a
    ``what`` (``"kink"`` or ``"jump"``) of ``name``; ``used`` says what AD took there."""
    mode = _POLICY.get()
    if mode == "subgradient":
        return
    try:
        count = int(np.count_nonzero(np.asarray(on_kink)))
    except (TypeError, ValueError, RuntimeError):  # a GPU array of another library
        count = int(on_kink.sum())
    if count == 0:
        return
    where = "1 entry sits" if count == 1 else f"{count} entries sit"
    message = f"{name} is not differentiable where {where} exactly on its {what}"
    if mode == "raise":
        raise KinkError(f"{message} (kinks('raise') is in force; automatic differentiation "
                        f"would use {used})")
    warnings.warn(f"{message}; automatic differentiation used {used} there",
                  KinkWarning, stacklevel=3)
