"""Products of powers of polynomials: the arithmetic of the textbook form.

A :class:`Factored` value is ``coeff · Π fᵢ^eᵢ`` with each ``fᵢ`` a polynomial of coprime
integer coefficients and positive leading term (see :mod:`.polys`) and ``eᵢ`` a nonzero
rational. Multiplying adds exponents; adding takes out the common factor (the least power of
every factor), multiplies out what is left over and splits the new polynomial into factors
again, dividing by every factor met so far. Because the factors of a denominator are among
those met, ``((x+1)/(x−1))³``'s derivative comes out as ``6(x+1)²/(x−1)⁴`` cancelled, and the
same value reached by another route gets the same factors.

Relations between generators (``sin² = 1 − cos²``, ``|u|² = u²``, ``(u^(1/q))^q = u``) are
applied to every polynomial built, so ``cos x + cos² x + sin² x`` reduces to ``cos x + 1``.

>>> ctx = Context()
>>> x = ctx.gen_factor("x")
>>> one = Factored(Fraction(1), {})
>>> s = ctx.add([ctx.mul(x, x), one.scaled(-1)])           # x² − 1
>>> sorted(e for e in s.factors.values())                 # split as (x − 1)(x + 1)
[Fraction(1, 1), Fraction(1, 1)]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from fractions import Fraction

from chainrule.symbolic.simplify import polys
from chainrule.symbolic.simplify.polys import Mono, Poly, TooBig

Frozen = tuple

WORK_LIMIT = 20_000
"""Most term-by-term products one simplification may make; past it the old form is kept."""
MAX_SPLIT_DEGREE = 12
"""Square-free parts and rational roots are looked for up to this degree."""


@dataclass(frozen=True)
class Factored:
    """``coeff · Π poly^exponent``; ``factors`` maps frozen polynomials to exponents."""

    coeff: Fraction
    factors: dict[Frozen, Fraction]

    def scaled(self, c: Fraction | int) -> Factored:
        return Factored(self.coeff * c, dict(self.factors))

    @property
    def is_zero(self) -> bool:
        return self.coeff == 0


ZERO = Factored(Fraction(0), {})


@dataclass(frozen=True)
class Relation:
    """``gen^power`` may be replaced by ``poly`` (a polynomial of lower degree in ``gen``)."""

    power: int
    poly: Poly


class Context:
    """Generators (numbered in the order met), their order keys, relations and factors."""

    def __init__(self) -> None:
        self.gens: list[Hashable] = []
        self.index: dict[Hashable, int] = {}
        self.rank: dict[int, tuple] = {}
        self.relations: dict[int, Relation] = {}
        self.polys: dict[Frozen, Poly] = {}
        self.work = 0
        self.radical: Callable[[Frozen, int], int] | None = None
        """Makes the atom ``f^(1/q)`` for a factor left with a fractional power in a sum."""

    # -- generators ---------------------------------------------------------------------
    def gen(self, atom: Hashable, rank: tuple | None = None) -> int:
        i = self.index.get(atom)
        if i is None:
            i = self.index[atom] = len(self.gens)
            self.gens.append(atom)
            self.rank[i] = rank if rank is not None else (str(atom),)
        return i

    def gen_factor(self, atom: Hashable, rank: tuple | None = None) -> Factored:
        g = self.gen(atom, rank)
        return Factored(Fraction(1), {self.store({((g, 1),): Fraction(1)}): Fraction(1)})

    def key(self, m: Mono) -> tuple:
        """Graded order on monomials, generators compared by their rank (not their number)."""
        return (polys.degree(m), sorted(((self.rank[g], e) for g, e in m), reverse=True))

    def store(self, p: Poly) -> Frozen:
        k = polys.freeze(p)
        self.polys.setdefault(k, p)
        return k

    # -- arithmetic ---------------------------------------------------------------------
    def mul(self, *items: Factored) -> Factored:
        coeff = Fraction(1)
        factors: dict[Frozen, Fraction] = {}
        for it in items:
            coeff *= it.coeff
            for f, e in it.factors.items():
                factors[f] = factors.get(f, 0) + e
        if coeff == 0:
            return ZERO
        return Factored(coeff, {f: e for f, e in factors.items() if e})

    def pow(self, a: Factored, n: int) -> Factored:
        if a.coeff == 0:
            if n <= 0:
                raise ZeroDivisionError
            return ZERO
        return Factored(a.coeff ** n, {f: e * n for f, e in a.factors.items()})

    def add(self, terms: list[Factored]) -> Factored:
        terms = [t for t in terms if not t.is_zero]
        if not terms:
            return ZERO
        if len(terms) == 1:
            return terms[0]
        names = {f for t in terms for f in t.factors}
        common = {f: min(t.factors.get(f, Fraction(0)) for t in terms) for f in names}
        total: Poly = {}
        for t in terms:
            p = polys.const(t.coeff)
            for f in names:
                left = t.factors.get(f, Fraction(0)) - common[f]
                if left:
                    p = self.reduce(self.pmul(p, self._power(f, left)))
            total = polys.add(total, p)
        total = self.reduce(total)
        if not total:
            return ZERO
        inner = self.factor(total)
        outer = Factored(Fraction(1), {f: e for f, e in common.items() if e})
        return self.mul(outer, inner)

    def pmul(self, a: Poly, b: Poly) -> Poly:
        """``a·b``, counted against :data:`WORK_LIMIT` (past it: :class:`TooBig`)."""
        self.work += len(a) * len(b)
        if self.work > WORK_LIMIT:
            raise TooBig
        return polys.mul(a, b)

    def _power(self, f: Frozen, e: Fraction) -> Poly:
        whole = e.numerator // e.denominator
        out = polys.const(Fraction(1))
        for _ in range(whole):
            out = self.pmul(out, self.polys[f])
        frac = e - whole
        if frac:
            if self.radical is None:
                raise TooBig  # a fractional power left inside a sum: kept by the caller
            g = self.radical(f, frac.denominator)
            out = polys.mul(out, {((g, frac.numerator),): Fraction(1)})
        return out

    def reduce(self, p: Poly) -> Poly:
        """``p`` with every relation applied until none applies."""
        if not self.relations:
            return p
        for _ in range(polys.MAX_TERMS):
            hit = next(((m, g) for m in p for g, e in m
                        if g in self.relations and e >= self.relations[g].power), None)
            if hit is None:
                return p
            m, g = hit
            rel = self.relations[g]
            c = p.pop(m)
            rest = tuple((h, e - rel.power) if h == g else (h, e) for h, e in m)
            rest = tuple(pair for pair in rest if pair[1])
            p = polys.add(p, self.pmul({rest: c}, rel.poly))
        raise TooBig

    # -- splitting a polynomial into factors --------------------------------------------
    def factor(self, p: Poly) -> Factored:
        """``p`` as content × monomial × known factors × square-free / linear parts × rest."""
        coeff, p = polys.normalize(p, self.key)
        factors: dict[Frozen, Fraction] = {}

        def put(q: Poly, e: int | Fraction) -> None:
            nonlocal coeff
            c, q = polys.normalize(q, self.key)
            coeff *= c ** int(e)
            k = self.store(q)
            factors[k] = factors.get(k, 0) + Fraction(e)

        mono = polys.common_monomial(p)
        if mono:
            for g, e in mono:
                put({((g, 1),): Fraction(1)}, e)
            p = {polys.mono_div(m, mono): c for m, c in p.items()}
        for k in sorted(self.polys):
            q = self.polys[k]
            if len(q) < 2 or len(p) < 2 or q is p:
                continue
            for _ in range(polys.MAX_TERMS):
                self.work += len(p) * len(q)
                if self.work > WORK_LIMIT:
                    raise TooBig
                div = polys.divide(p, q, self.key)
                if div is None:
                    break
                put(q, 1)
                p = div
        lead, parts = self._split(p)
        coeff *= lead
        for part, e in parts:
            put(part, e)
        return Factored(coeff, {f: e for f, e in factors.items() if e})

    def _split(self, p: Poly) -> tuple[Fraction, list[tuple[Poly, int]]]:
        """The leading coefficient and the parts of a one-generator polynomial (monic parts,
        so the leading coefficient comes back separately); others are one part."""
        gens = polys.generators(p)
        if len(gens) != 1 or len(p) < 2:
            return Fraction(1), ([(p, 1)] if p != {(): Fraction(1)} else [])
        (g,) = gens
        if g in self.relations or max(polys.degree(m) for m in p) > MAX_SPLIT_DEGREE:
            return Fraction(1), [(p, 1)]
        out: list[tuple[Poly, int]] = []
        for part, mult in polys.squarefree(p, g):
            lins, rest = polys.linear_factors(part, g)
            out.extend((lin, mult) for lin in lins)
            if polys.generators(rest):
                out.append((rest, mult))
        return p[polys.leading(p, self.key)], out
