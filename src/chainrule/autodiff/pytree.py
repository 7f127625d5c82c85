"""Nested arguments: floats, arrays, and tuples / lists / dicts / dataclasses of them.

>>> leaves, rebuild = flatten({"w": 1.0, "b": (2.0, 3.0)})
>>> leaves
[2.0, 3.0, 1.0]
>>> rebuild([x * 10 for x in leaves])
{'b': (20.0, 30.0), 'w': 10.0}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


def flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The leaves of ``tree`` in a fixed order, and a function that rebuilds the structure."""
    if isinstance(tree, tuple | list):
        parts = [flatten(t) for t in tree]
        kind = type(tree)
        if hasattr(tree, "_fields"):  # a named tuple (NumPy's EighResult…) takes its fields
            return _join(parts, lambda xs: kind(*xs))
        return _join(parts, lambda xs: kind(xs))
    if isinstance(tree, dict):
        keys = sorted(tree)
        parts = [flatten(tree[k]) for k in keys]
        return _join(parts, lambda xs: dict(zip(keys, xs, strict=True)))
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        names = [f.name for f in dataclasses.fields(tree) if f.init]
        parts = [flatten(getattr(tree, n)) for n in names]
        return _join(parts, lambda xs: dataclasses.replace(tree, **dict(zip(names, xs,
                                                                            strict=True))))
    return [tree], lambda leaves: leaves[0]


def _join(parts, make):
    leaves: list[Any] = []
    sizes: list[int] = []
    for sub_leaves, _ in parts:
        leaves.extend(sub_leaves)
        sizes.append(len(sub_leaves))

    def rebuild(new: list[Any]) -> Any:
        out, start = [], 0
        for (_, sub_rebuild), n in zip(parts, sizes, strict=True):
            out.append(sub_rebuild(new[start:start + n]))
            start += n
        return make(out)

    return leaves, rebuild
