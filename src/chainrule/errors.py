"""Errors chainrule raises. Every one carries a message meant for a person.

The CLI prints ``str(error)`` and exits non-zero; no traceback ever reaches a user.
"""

from __future__ import annotations


class ChainruleError(Exception):
    """Base class: something the user asked for cannot be done, and why."""


class ParseError(ChainruleError):
    """Input text that is not a valid expression.

    Example:
        >>> err = ParseError('unexpected ")"', column=7, hint="remove it")
        >>> str(err)
        'unexpected ")" at column 7 (hint: remove it)'
    """

    def __init__(self, message: str, column: int | None = None, hint: str | None = None,
                 text: str | None = None):
        self.message = message
        self.column = column
        self.hint = hint
        self.text = text
        super().__init__(self._render())

    def _render(self) -> str:
        out = self.message
        if self.column is not None:
            out += f" at column {self.column}"
        if self.hint:
            out += f" (hint: {self.hint})"
        return out

    def caret(self) -> str:
        """The input with a caret under the failing column, or '' when unknown."""
        if self.text is None or self.column is None or len(self.text) > 200:
            return ""
        return f"  {self.text}\n  {' ' * (self.column - 1)}^"


class BudgetError(ChainruleError):
    """A request over one of chainrule's work limits (input size, depth, order...)."""


class WorkLimitExceeded(BudgetError):
    """An operation stopped by its work budget (time, steps or nodes); says how to raise it.

    >>> err = WorkLimitExceeded("nodes", 100, 101, "building expressions", "budget=...")
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    stopped: building expressions went over the limit of 100 nodes (used 101);
    raise it with budget=...
    """

    def __init__(self, limit: str, allowed: float | None, used: float | None, what: str,
                 how: str):
        self.limit = limit
        self.allowed = allowed
        self.used = used
        spent = "" if used is None else f" (used {used})"
        super().__init__(f"stopped: {what} went over the limit of {allowed} {limit}{spent}; "
                         f"raise it with {how}")


class DomainError(ChainruleError):
    """A function evaluated outside its domain, e.g. ln(-1)."""


class DifferentiationError(ChainruleError):
    """A derivative that cannot be formed (no rule for a primitive or argument)."""


class NotDifferentiable(DifferentiationError):
    """A NumPy function (or use of one) that automatic differentiation does not cover.

    The message names the function, so a user knows what to replace.

    Example:
        >>> str(NotDifferentiable.for_function("numpy.fft.fft"))
        'numpy.fft.fft has no derivative rule in chainrule (yet)'
    """

    @classmethod
    def for_function(cls, dotted: str, detail: str = "") -> NotDifferentiable:
        """The error for NumPy function ``dotted`` (``"numpy.sort"``), with an optional hint."""
        message = f"{dotted} has no derivative rule in chainrule (yet)"
        return cls(f"{message}; {detail}" if detail else message)


class IncompleteRecord(DifferentiationError):
    """A rule record lacks a piece some part of chainrule needs (a rule, code); names it."""


class ChainruleWarning(UserWarning):
    """Base class of chainrule's warnings: an answer given, with something to know about it."""


class NonFiniteDerivativeWarning(ChainruleWarning):
    """Automatic differentiation gave NaN or ∞ where the inputs and f's value are finite."""


class NonFiniteDerivative(DifferentiationError):
    """The same, raised instead of warned (``chainrule.autodiff.on_nonfinite("raise")``)."""


class KinkError(DomainError):
    """A derivative asked for where it does not exist: at a kink or jump of a piecewise
    function (abs, relu, sign, heaviside, floor, ceil, max, min). The message names the
    function, the point and the one-sided slopes, or the values it jumps between.

    Example:
        >>> issubclass(KinkError, ChainruleError)
        True
    """


class KinkWarning(ChainruleWarning):
    """Automatic differentiation met arguments exactly on a kink (relu, abs, max at a tie)
    and used a subgradient there; see :func:`chainrule.kinks` to raise or stay silent."""
