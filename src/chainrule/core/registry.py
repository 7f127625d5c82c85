"""The registry: name → :class:`~chainrule.core.primitive.Primitive`, filled in one place.

The records live in :mod:`chainrule.rules`, a layer above ``core``, so core never imports them.
The package's ``__init__`` (the one place that knows every layer) names the loader with
:func:`set_loader`; the registry calls it the first time it is consulted and publishes the
whole table at once. Rules are registered explicitly by :func:`chainrule.rules.register_all`,
not by import side effects scattered over modules.

>>> get("sin").text.name
'Sine rule'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from chainrule.errors import DifferentiationError

if TYPE_CHECKING:
    from chainrule.core.primitive import Primitive

Loader = Callable[[Callable[["Primitive"], "Primitive"]], None]
"""Calls its argument once per record: ``loader(register)``."""

_TABLE: dict[str, Primitive] = {}
_LOADING = threading.Lock()
_LOADER: list[Loader] = []


def set_loader(loader: Loader) -> None:
    """Name the function that fills the table on first use (the package ``__init__`` does)."""
    _LOADER[:] = [loader]


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
            if not _LOADER:
                raise DifferentiationError("no rule table: chainrule.core.registry.set_loader "
                                           "was not called (import chainrule first)")
            staged: dict[str, Primitive] = {}

            def stage(prim: Primitive) -> Primitive:
                if prim.name in staged:
                    raise ValueError(f"primitive {prim.name!r} registered twice")
                staged[prim.name] = prim
                return prim

            _LOADER[0](stage)
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
