"""Text → expression: :func:`parse` and :func:`interpret` (conventions in :mod:`.parser`)."""

from chainrule.parsing.parser import interpret, parse

__all__ = ["interpret", "parse"]
