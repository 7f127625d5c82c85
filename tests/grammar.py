"""Random expressions of chainrule's grammar, seeded: the fuzzer's and the agreement test's.

:func:`expressions` draws text the way a person types it (implicit products ``2x``, ``sin x``,
``|u|``, ``**``, named constants, every scalar function of the grammar), from a seed, so a
failure is reproduced by its seed and index. :func:`strategy` is the same grammar as a
hypothesis strategy (it shrinks a failure to a small expression).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from hypothesis import strategies as st

UNARY = ("sin", "cos", "tan", "exp", "ln", "sqrt", "cbrt", "log1p", "expm1", "atan", "asinh",
         "sinh", "cosh", "tanh", "sigmoid", "softplus", "relu", "abs", "asin", "acos",
         "acosh", "atanh", "cot", "sec", "csc", "log10", "log2", "sign", "heaviside")
"""The one-argument functions of the grammar (every scalar record's name or an alias)."""

PIECEWISE = ("floor", "ceil")
"""Step functions the hypothesis strategy also writes, with ``max`` and ``min`` of two
arguments (the seeded :func:`expressions`, the 10,000-expression agreement test's input, keep
their draws: adding names would change every expression after the first)."""

NUMBERS = ("1", "2", "3", "0.5", "1.5", "2.5", "10", "0.1", "e", "π", "pi")
EXPONENTS = ("2", "3", "-1", "0.5", "-2", "1.5", "2.5", "1/3", "x", "-0.5")


def _number(r: random.Random) -> str:
    return r.choice(NUMBERS)


def _leaf(r: random.Random) -> str:
    k = r.random()
    if k < 0.6:
        return "x"
    if k < 0.8:
        return f"{r.choice(('2', '3', '0.5', '1.5'))}x"
    return _number(r)


def _expr(r: random.Random, depth: int) -> str:
    if depth <= 0 or r.random() < 0.25:
        return _leaf(r)
    k = r.random()
    sub = lambda: _expr(r, depth - 1)  # noqa: E731
    if k < 0.38:
        name = r.choice(UNARY)
        form = r.random()
        if name == "abs" and form < 0.3:
            return f"|{sub()}|"
        if form < 0.15:
            return f"{name} {_leaf(r)}"  # sin x, ln 2x: the call without parentheses
        return f"{name}({sub()})"
    if k < 0.55:
        return f"({sub()}) {r.choice('+-')} ({sub()})"
    if k < 0.72:
        a, b = sub(), sub()
        return r.choice((f"({a})*({b})", f"({a})({b})", f"{_number(r)}({a})"))
    if k < 0.82:
        return f"({sub()})/({sub()})"
    if k < 0.94:
        exp = r.choice(EXPONENTS) if r.random() < 0.75 else f"({sub()})"
        return f"({sub()}){r.choice(('^', '**'))}{exp}"
    two = r.random()
    if two < 0.4:
        return f"logaddexp({sub()}, {sub()})"
    if two < 0.7:
        return f"logsumexp({sub()}, {sub()}, {sub()})"
    return f"log({sub()}, {r.choice(('2', '10', '0.5', 'e'))})"


def expressions(n: int, seed: int = 0, depth: int = 4) -> Iterator[str]:
    """``n`` expression texts in ``x`` drawn from ``seed`` (the same ones on every machine).

    >>> list(expressions(2, seed=1)) == list(expressions(2, seed=1))
    True
    """
    r = random.Random(seed)
    for _ in range(n):
        yield _expr(r, depth)


def strategy(max_leaves: int = 8) -> st.SearchStrategy[str]:
    """The same grammar as a hypothesis strategy (it shrinks a failure to a small text)."""
    leaf = st.one_of(st.just("x"), st.sampled_from(("2x", "0.5x", "3x")), st.sampled_from(NUMBERS))

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.tuples(st.sampled_from(UNARY + PIECEWISE), inner).map(lambda t: f"{t[0]}({t[1]})")
        bare = st.tuples(st.sampled_from(UNARY), leaf).map(lambda t: f"{t[0]} {t[1]}")
        bars = inner.map(lambda a: f"|{a}|")
        binary = st.tuples(st.sampled_from(("+", "-", "*", "/", "")), inner, inner).map(
            lambda t: f"({t[1]}){t[0]}({t[2]})")
        power = st.tuples(inner, st.sampled_from(("^", "**")),
                          st.one_of(st.sampled_from(EXPONENTS), inner.map(lambda a: f"({a})"))
                          ).map(lambda t: f"({t[0]}){t[1]}{t[2]}")
        two = st.tuples(st.sampled_from(("logaddexp", "logsumexp", "log", "max", "min")),
                        inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})")
        return st.one_of(call, bare, bars, binary, power, two)

    return st.recursive(leaf, grow, max_leaves=max_leaves)
