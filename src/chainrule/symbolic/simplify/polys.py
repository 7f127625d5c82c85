"""Sparse polynomials over the rationals in numbered generators, for the textbook form.

A monomial is a sorted tuple of ``(generator, exponent)`` pairs, a polynomial a dict from
monomials to nonzero ``Fraction`` coefficients. Generators are whatever the caller numbers
(symbols, ``sin(x)``, ``sqrt(x + 1)``); the order used to pick a leading term is a key the
caller gives, so a normal form depends on the value, not on the order things were met.

Work is bounded: a product or power with more than :data:`MAX_TERMS` terms raises
:class:`TooBig`, and callers keep the form they had.

>>> x = ((0, 1),)
>>> p = {x: Fraction(1), (): Fraction(-1)}            # x - 1
>>> q = mul(p, p)                                     # x^2 - 2x + 1
>>> sorted(q.values())
[Fraction(-2, 1), Fraction(1, 1), Fraction(1, 1)]
>>> divide(q, p, lambda m: m) == p
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from chainrule.limits.budget import charge

Mono = tuple[tuple[int, int], ...]
Poly = dict[Mono, Fraction]
MonoKey = Callable[[Mono], tuple]

MAX_TERMS = 200
"""Largest polynomial the textbook form builds; past it the old form is kept."""
MAX_ROOT_CANDIDATES = 400
"""Most rational-root candidates tried when splitting off linear factors."""


class TooBig(Exception):
    """A polynomial grew past :data:`MAX_TERMS` terms (or a step past its bound)."""


def const(c: Fraction) -> Poly:
    return {(): Fraction(c)} if c else {}


def mono_mul(a: Mono, b: Mono) -> Mono:
    if not a:
        return b
    if not b:
        return a
    d = dict(a)
    for g, e in b:
        d[g] = d.get(g, 0) + e
    return tuple(sorted((g, e) for g, e in d.items() if e))


def add(a: Poly, b: Poly, scale: Fraction = Fraction(1)) -> Poly:
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + scale * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    if len(out) > MAX_TERMS:
        raise TooBig
    return out


def mul(a: Poly, b: Poly) -> Poly:
    if len(a) * len(b) > 4 * MAX_TERMS * MAX_TERMS:
        raise TooBig
    charge(len(a) * len(b), "multiplying polynomials")
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m)
    if len(out) > MAX_TERMS:
        raise TooBig
    return out


def power(p: Poly, n: int) -> Poly:
    out = const(Fraction(1))
    for _ in range(n):
        out = mul(out, p)
    return out


def scale(p: Poly, c: Fraction) -> Poly:
    return {m: v * c for m, v in p.items()} if c else {}


def degree(m: Mono) -> int:
    return sum(e for _, e in m)


def leading(p: Poly, key: MonoKey) -> Mono:
    return max(p, key=key)


def divide(p: Poly, f: Poly, key: MonoKey) -> Poly | None:
    """``p / f`` when ``f`` divides ``p`` exactly, else None (division by leading terms)."""
    lead_f = leading(f, key)
    lead_c = f[lead_f]
    rest = dict(p)
    quotient: Poly = {}
    for _ in range(MAX_TERMS * 4):
        if not rest:
            return quotient
        lead_r = leading(rest, key)
        m = mono_div(lead_r, lead_f)
        if m is None:
            return None
        c = rest[lead_r] / lead_c
        quotient[m] = c
        rest = add(rest, mul({m: c}, f), Fraction(-1))
    return None


def mono_div(a: Mono, b: Mono) -> Mono | None:
    d = dict(a)
    for g, e in b:
        left = d.get(g, 0) - e
        if left < 0:
            return None
        d[g] = left
    return tuple(sorted((g, e) for g, e in d.items() if e))


def common_monomial(p: Poly) -> Mono:
    """The largest monomial dividing every term: ``x^3y + x^2 → x^2``."""
    monos = list(p)
    common = dict(monos[0])
    for m in monos[1:]:
        d = dict(m)
        common = {g: min(e, d[g]) for g, e in common.items() if g in d}
    return tuple(sorted((g, e) for g, e in common.items() if e))


def normalize(p: Poly, key: MonoKey) -> tuple[Fraction, Poly]:
    """``(c, q)`` with ``p = c·q``, ``q`` of coprime integer coefficients, leading one > 0."""
    nums = [v.numerator for v in p.values()]
    dens = [v.denominator for v in p.values()]
    g = math.gcd(*nums)
    lcm = math.lcm(*dens)
    c = Fraction(g, lcm)
    if p[leading(p, key)] < 0:
        c = -c
    return c, {m: v / c for m, v in p.items()}


def generators(p: Poly) -> set[int]:
    return {g for m in p for g, _ in m}


def freeze(p: Poly) -> tuple:
    return tuple(sorted(p.items()))


# -- one generator: square-free parts and rational roots -----------------------------------

def _coeffs(p: Poly, g: int) -> list[Fraction]:
    """Coefficients from the constant up, of a polynomial in generator ``g`` only."""
    n = max(dict(m).get(g, 0) for m in p)
    out = [Fraction(0)] * (n + 1)
    for m, c in p.items():
        out[dict(m).get(g, 0)] = c
    return out


def _from_coeffs(cs: list[Fraction], g: int) -> Poly:
    return {(((g, i),) if i else ()): c for i, c in enumerate(cs) if c}


def _trim(cs: list[Fraction]) -> list[Fraction]:
    while len(cs) > 1 and not cs[-1]:
        cs.pop()
    return cs


def _divmod(a: list[Fraction], b: list[Fraction]) -> tuple[list[Fraction], list[Fraction]]:
    a = list(a)
    q = [Fraction(0)] * max(len(a) - len(b) + 1, 1)
    while len(a) >= len(b) and any(a):
        k = len(a) - len(b)
        c = a[-1] / b[-1]
        q[k] = c
        for i, bc in enumerate(b):
            a[i + k] -= c * bc
        a.pop()
    return _trim(q), _trim(a or [Fraction(0)])


def _gcd(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    for _ in range(4 * MAX_TERMS):
        if not any(b):
            lead = a[-1]
            return [c / lead for c in a]
        a, b = b, _divmod(a, b)[1]
    raise TooBig


def _deriv(a: list[Fraction]) -> list[Fraction]:
    return _trim([i * c for i, c in enumerate(a)][1:] or [Fraction(0)])


def squarefree(p: Poly, g: int) -> list[tuple[Poly, int]]:
    """Yun's square-free decomposition of a polynomial in ``g``: ``[(part, multiplicity)]``."""
    a = _coeffs(p, g)
    out: list[tuple[Poly, int]] = []
    b = _gcd(a, _deriv(a))
    c = _divmod(a, b)[0]
    d = _trim([x - y for x, y in _zip_pad(_divmod(_deriv(a), b)[0], _deriv(c))])
    i = 1
    while len(c) > 1 and i <= MAX_TERMS:
        h = _gcd(c, d)
        c = _divmod(c, h)[0]
        d = _trim([x - y for x, y in _zip_pad(_divmod(d, h)[0], _deriv(c))])
        if len(h) > 1:
            out.append((_from_coeffs(h, g), i))
        i += 1
    return out


def _zip_pad(a: list[Fraction], b: list[Fraction]):
    n = max(len(a), len(b))
    return zip(a + [Fraction(0)] * (n - len(a)), b + [Fraction(0)] * (n - len(b)), strict=True)


def _divisors(n: int) -> list[int]:
    n = abs(n)
    if n > 10**6:
        return []
    return [d for d in range(1, n + 1) if n % d == 0] if n <= 2000 else [1, n]


def linear_factors(p: Poly, g: int) -> tuple[list[Poly], Poly]:
    """The rational roots of ``p`` (in ``g``) as linear factors ``q·g − r``, and the rest."""
    cs = _coeffs(p, g)
    found: list[Poly] = []
    if len(cs) < 3:
        return found, p
    num = [c * math.lcm(*(x.denominator for x in cs)) for c in cs]
    lows, highs = _divisors(int(num[0])), _divisors(int(num[-1]))
    candidates = sorted({Fraction(s * r, q) for r in lows for q in highs for s in (1, -1)},
                        key=lambda v: (abs(v), v < 0))
    for root in candidates[:MAX_ROOT_CANDIDATES]:
        if len(cs) < 3:
            break
        while len(cs) >= 3 and _horner(cs, root) == 0:
            lin = [Fraction(-root.numerator), Fraction(root.denominator)]
            cs = _divmod(cs, lin)[0]
            found.append(_from_coeffs(lin, g))
    return found, _from_coeffs(cs, g)


def _horner(cs: list[Fraction], x: Fraction) -> Fraction:
    out = Fraction(0)
    for c in reversed(cs):
        out = out * x + c
    return out
