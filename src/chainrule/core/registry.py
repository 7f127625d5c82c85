"""The registry: name → :class:`~chainrule.core.primitive.Primitive`, filled in one place.

Rules are registered explicitly by :func:`chainrule.rules.register_all` (not by import side
effects scattered over modules), the first time the registry is consulted.

>>> get("sin").text.name
'Sine rule'
"""

from __future__ import annotations

import threading

from chainrule.core.primitive import Primitive
from chainrule.errors import DifferentiationError

_TABLE: dict[str, Primitive] = {}
_LOADING = threading.Lock()


def register(prim: Primitive) -> Primitive:
    """Add one record; a name may be registered once."""
    if prim.name in _TABLE:
        raise ValueError(f"primitive {prim.name!r} registered twice")
    _TABLE[prim.name] = prim
    return prim


def _ensure_loaded() -> None:
    if _TABLE:
        return
    with _LOADING:  # two threads must not both fill the table
        if not _TABLE:
            from chainrule.rules import register_all
            staged: dict[str, Primitive] = {}

            def stage(prim: Primitive) -> Primitive:
                if prim.name in staged:
                    raise ValueError(f"primitive {prim.name!r} registered twice")
                staged[prim.name] = prim
                return prim

            register_all(stage)
            _TABLE.update(staged)  # published whole, never half-filled


def get(name: str) -> Primitive:
    """The primitive called ``name``; an error naming it when there is none."""
    _ensure_loaded()
    try:
        return _TABLE[name]
    except KeyError:
        raise DifferentiationError(f"no primitive named {name!r}") from None


def has(name: str) -> bool:
    _ensure_loaded()
    return name in _TABLE


def all_primitives() -> dict[str, Primitive]:
    """A copy of the whole table."""
    _ensure_loaded()
    return dict(_TABLE)
