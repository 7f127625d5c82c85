"""The derivative table, grouped by family. One record per primitive; see DESIGN.md §2.

:func:`register_all` is the one place that puts every record into the registry.
"""

from __future__ import annotations

from collections.abc import Callable

from chainrule.core.primitive import Primitive
from chainrule.rules import arithmetic, arrays, exp_log, hyperbolic, linalg, ml, trig


def register_all(register: Callable[[Primitive], Primitive]) -> None:
    """Register every primitive of every family (the package ``__init__`` makes this the
    registry's loader).

    >>> names = []
    >>> register_all(lambda prim: names.append(prim.name))
    >>> "sin" in names and "matmul" in names
    True
    """
    for family in (arithmetic, exp_log, trig, hyperbolic, ml, arrays, linalg):
        for prim in family.PRIMITIVES:
            register(prim)
