"""NaN or ∞ in a derivative where the inputs and f's value are finite: never silent.

After ``grad``, ``value_and_grad``, ``jacobian``, ``elementwise_grad``, ``jvp`` and ``vjp``,
:func:`check` looks at the derivative once (one sum over it); only when that is not finite
does it count the entries, look at the inputs and f's value, and, given the reverse-mode tape,
name the first primitive whose local derivative was not finite at finite arguments. It then
warns (:class:`~chainrule.errors.NonFiniteDerivativeWarning`, the default), raises
(:class:`~chainrule.errors.NonFiniteDerivative`) or does nothing, as :func:`on_nonfinite` says.

>>> import warnings, numpy as np, chainrule
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     g = chainrule.grad(lambda x: np.sum(np.sqrt(x)))(np.array([0.0, 4.0]))
>>> g
array([ inf, 0.25])
>>> ours = [w for w in caught if w.category is chainrule.NonFiniteDerivativeWarning]
>>> print(ours[0].message)  # doctest: +NORMALIZE_WHITESPACE
reverse mode: 1 derivative entry is NaN or infinite where the inputs and f's value are
finite; first at sqrt: its local derivative is not finite at finite arguments
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Literal

import numpy as np

from chainrule.autodiff.reverse import Node, toposort
from chainrule.core.trace import peek
from chainrule.errors import ChainruleError, NonFiniteDerivative, NonFiniteDerivativeWarning

Policy = Literal["warn", "raise", "ignore"]
_POLICY: ContextVar[Policy] = ContextVar("chainrule_nonfinite", default="warn")
PLAIN = (np.ndarray, np.generic, float, complex, int)


@contextlib.contextmanager
def on_nonfinite(policy: Policy) -> Iterator[None]:
    """Within the block, a NaN/∞ derivative at finite inputs warns (the default), raises
    :class:`~chainrule.errors.NonFiniteDerivative`, or passes silently.

    >>> import numpy as np, chainrule
    >>> from chainrule.autodiff import on_nonfinite
    >>> with on_nonfinite("raise"):
    ...     chainrule.grad(lambda x: np.sqrt(x))(0.0)
    Traceback (most recent call last):
    chainrule.errors.NonFiniteDerivative: reverse mode: 1 derivative entry is NaN or infinite ...
    """
    if policy not in ("warn", "raise", "ignore"):
        raise ChainruleError(f"on_nonfinite takes 'warn', 'raise' or 'ignore', got {policy!r}")
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def check(what: str, inputs: list, value: Any | Callable[[], Any], derivatives: list,
          roots: list[Node] | None = None) -> None:
    """Warn or raise (see the module) when ``derivatives`` hold NaN/∞ while ``inputs`` and
    ``value`` (or ``value()``, called only then) are finite. Traced values (a derivative
    inside another) and arrays of other libraries are left to the outer call / not read."""
    policy = _POLICY.get()
    if policy == "ignore":
        return
    bad = [d for d in derivatives if _suspect(d)]
    if not bad or not all(_readable(x) for x in inputs):
        return
    if callable(value):
        value = value()
    values = list(value) if isinstance(value, list | tuple) else [value]
    if not all(_readable(v) for v in values):
        return
    count = sum(_unexplained(d, [*inputs, *values]) for d in bad)
    if not count:
        return
    entries = "entry is" if count == 1 else "entries are"
    message = f"{what}: {count} derivative {entries} NaN or infinite where the inputs and " \
              f"f's value are finite"
    culprit = first_nonfinite(roots) if roots else None
    if culprit is not None:
        message += f"; first at {culprit}: its local derivative is not finite at finite " \
                   f"arguments"
    if policy == "raise":
        raise NonFiniteDerivative(message)
    warnings.warn(message, NonFiniteDerivativeWarning, stacklevel=3)


def _suspect(d: Any) -> bool:
    """Not finite somewhere: one sum over ``d`` (a sum that overflows is looked at again)."""
    if d is None or not isinstance(d, PLAIN) or peek(d) is not d:
        return False
    with np.errstate(all="ignore"):
        if np.isfinite(np.sum(d)):
            return False
        return not np.all(np.isfinite(d))


def _readable(x: Any) -> bool:
    """A plain number or NumPy array (not traced: the outer call checks; not another
    library's array: not read)."""
    return isinstance(x, PLAIN) and peek(x) is x


def _finite(x: Any) -> bool:
    with np.errstate(all="ignore"):
        return _readable(x) and bool(np.all(np.isfinite(x)))


def _unexplained(d: Any, others: list) -> int:
    """Entries of ``d`` not finite where the inputs and values are: entry by entry against
    those of its shape (a vectorised f over points), all finite for the others."""
    mask = ~np.isfinite(d)
    for x in others:
        if np.shape(x) == np.shape(d):
            mask &= np.isfinite(x)
        elif not np.all(np.isfinite(x)):
            return 0
    return int(np.count_nonzero(mask))


def first_nonfinite(roots: list[Node]) -> str | None:
    """The first recorded primitive (in evaluation order) whose local derivative is NaN/∞
    where its arguments are finite; None when none is (the NaN came from 0·∞ of finite
    partials, or from a rule without elementwise partials)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for node in reversed(toposort(roots)):
            prim = node.prim
            if prim is not None and node.partials is not None:
                # a lean node kept its partials, not its arguments (which are shapes there)
                if any(isinstance(p, PLAIN) and not np.all(np.isfinite(p))
                       for p in node.partials):
                    return prim.name
                continue
            if prim is None or not prim.elementwise or not all(_finite(a) for a in node.args):
                continue
            for i, _ in node.parents:
                try:
                    slope = prim.partial(i, node.args, node.ans)
                except (ChainruleError, ArithmeticError, ValueError, TypeError):
                    continue
                if isinstance(slope, PLAIN) and not np.all(np.isfinite(slope)):
                    return prim.name
    return None
