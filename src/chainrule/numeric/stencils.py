"""Finite-difference stencils: which points to sample and with what weights.

Weights come from Fornberg's algorithm (B. Fornberg, *Generation of finite difference formulas
on arbitrarily spaced grids*, Math. Comp. 51, 1988), which gives the weights of the derivative of
any order at any point from any set of distinct nodes. For the integer nodes of the standard
schemes we run it in exact rational arithmetic and cache the result, so the classic formulas
come out exactly (``[-1/2, 0, 1/2]``, ``[1, -2, 1]``, ...).

>>> [str(w) for w in fornberg_weights([Fraction(-1), Fraction(0), Fraction(1)], 1)]
['-1/2', '0', '1/2']
>>> scheme_nodes("forward", order=1, accuracy=1)
(0, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

import numpy as np

KINDS = ("central", "forward", "backward")


def fornberg_weights(nodes: Sequence, order: int, at: float | Fraction = 0) -> list:
    """Weights ``w`` with ``sum(w[i] * f(nodes[i])) ≈ f^(order)(at)``, exact for polynomials
    of degree ``len(nodes) - 1``. Works in the arithmetic of ``nodes`` (``Fraction`` stays exact).

    >>> [float(w) for w in fornberg_weights([0, 1, 2], 2)]
    [1.0, -2.0, 1.0]
    """
    n = len(nodes)
    if n <= order:
        raise ValueError(f"{n} nodes cannot give a derivative of order {order}")
    zero = nodes[0] * 0
    c = [[zero] * (order + 1) for _ in range(n)]
    c[0][0] = zero + 1
    c1 = zero + 1
    c4 = nodes[0] - at
    for i in range(1, n):
        mn = min(i, order)
        c2 = zero + 1
        c5 = c4
        c4 = nodes[i] - at
        for j in range(i):
            c3 = nodes[i] - nodes[j]
            c2 = c2 * c3
            if j == i - 1:
                for k in range(mn, 0, -1):
                    c[i][k] = c1 * (k * c[i - 1][k - 1] - c5 * c[i - 1][k]) / c2
                c[i][0] = -c1 * c5 * c[i - 1][0] / c2
            for k in range(mn, 0, -1):
                c[j][k] = (c4 * c[j][k] - k * c[j][k - 1]) / c3
            c[j][0] = c4 * c[j][0] / c3
        c1 = c2
    return [row[order] for row in c]


def scheme_nodes(kind: str, order: int, accuracy: int) -> tuple[int, ...]:
    """Integer nodes (in units of the step) of a scheme of the given derivative order and
    accuracy (the power of h in its leading error term).

    Central schemes need an even accuracy; their nodes are symmetric, ``-m..m``.

    >>> scheme_nodes("central", order=2, accuracy=2)
    (-1, 0, 1)
    >>> scheme_nodes("backward", order=1, accuracy=2)
    (-2, -1, 0)
    """
    if kind not in KINDS:
        raise ValueError(f"unknown scheme {kind!r}; use one of {KINDS}")
    if order < 1 or accuracy < 1:
        raise ValueError("order and accuracy must be at least 1")
    if kind == "central":
        if accuracy % 2:
            raise ValueError(f"central differences have even accuracy, got {accuracy}")
        m = (order + 1) // 2 - 1 + accuracy // 2
        return tuple(range(-m, m + 1))
    count = order + accuracy
    if kind == "forward":
        return tuple(range(count))
    return tuple(range(-count + 1, 1))


def error_exponents(kind: str, accuracy: int, count: int) -> list[int]:
    """Powers of h in the truncation error of a scheme, in order: what Richardson removes.

    Symmetric (central) schemes have only every other power.

    >>> error_exponents("central", 2, 3)
    [2, 4, 6]
    >>> error_exponents("forward", 1, 3)
    [1, 2, 3]
    """
    stride = 2 if kind == "central" else 1
    return [accuracy + stride * i for i in range(count)]


@lru_cache(maxsize=256)
def unit_weights(nodes: tuple[int, ...], order: int) -> np.ndarray:
    """Exact weights for integer ``nodes`` at unit step, as floats (cached)."""
    exact = fornberg_weights([Fraction(v) for v in nodes], order)
    return np.array([float(w) for w in exact])


def step_weights(nodes: tuple[int, ...], order: int, step: float,
                 offsets: Sequence[float] | None = None) -> np.ndarray:
    """Weights for the nodes ``nodes * step``; when the points actually sampled sit at
    ``offsets`` (a step that does not add exactly to x), the weights of those points instead.

    >>> step_weights((-1, 0, 1), 1, 0.5).tolist()
    [-1.0, 0.0, 1.0]
    """
    nominal = [v * step for v in nodes]
    if offsets is None or all(np.all(a == b) for a, b in zip(offsets, nominal, strict=True)):
        return unit_weights(nodes, order) / step**order
    # Offsets may be arrays (one per point of a batch): Fornberg's recurrence is element-wise,
    # so it then gives one column of weights per point.
    scaled = [np.asarray(a, dtype=float) / step for a in offsets]
    return np.array(fornberg_weights(scaled, order), dtype=float) / step**order
