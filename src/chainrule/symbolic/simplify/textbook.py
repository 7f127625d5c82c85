"""The textbook form: a rational function of its atoms in lowest terms, factored.

An expression is read as ``coeff · Π fᵢ^eᵢ`` over polynomials ``fᵢ`` in its *atoms* (symbols,
``sin(u)``, ``e^u``, ``u^(1/q)`` …, see :mod:`.factored`): common factors cancel, coefficients
are whole numbers with the rational factor in front, and identities reduce what is left —
``sin² u + cos² u = 1``, ``cosh² u − sinh² u = 1``, ``|u|² = u²``, ``(u^(1/q))^q = u``,
``sign(u) = |u|/u`` (where ``|u|`` occurs too; both sides undefined at 0), ``sinh/cosh = tanh``,
``sin/cos = tan``, ``cos/sin = cot``. The printed form depends on the value, not on the route:
factors are split the same way (content, monomial, known factors, square-free parts, rational
roots) whatever order the terms came in.

Bounded: expressions over :data:`MAX_SIZE` nodes, floats, and polynomials past
:data:`~.polys.MAX_TERMS` terms are left to the older tidying (None is returned).

>>> from chainrule.parsing import parse
>>> str(textbook(parse("(cos(x)^2 + cos(x) + sin(x)^2)/(cos(x) + 1)^2")))
'1/(cos(x) + 1)'
>>> str(textbook(parse("-6(x+1)^2 (x-1)^2/(x-1)^6")))
'-6(x + 1)^2/(x - 1)^4'
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from chainrule.core import build
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.numbers import try_power
from chainrule.errors import ChainruleError
from chainrule.symbolic.simplify import polys
from chainrule.symbolic.simplify.angles import double_angle
from chainrule.symbolic.simplify.arrange import (
    MAX_ARRANGE_SIZE,
    MAX_SIZE,
    MAX_TERMWISE,
    assemble,
    is_negative,
    is_polynomial,
    part_power,
    ratios,
    reading_cost,
    tree_size,
)
from chainrule.symbolic.simplify.expand import expand
from chainrule.symbolic.simplify.factored import Context, Factored, Relation
from chainrule.symbolic.simplify.polys import Poly, TooBig

PYTHAGOREAN = {"sin": ("cos", -1), "cosh": ("sinh", 1)}
"""``f(u)² = 1 + s·g(u)²``: sin² = 1 − cos², cosh² = 1 + sinh² (and read backwards)."""


class _NotRational(Exception):
    """A float or an unsupported shape: the textbook form does not apply."""


def textbook(e: Expr, keep: Iterable[Expr] = ()) -> Expr | None:
    """``e`` in textbook form, or None when it does not apply (floats, too large).

    Nodes in ``keep`` (the function a derivative came from) are atoms left as they are.
    """
    forms = textbook_forms(e, keep)
    return min(forms, key=reading_cost) if forms else None


def textbook_forms(e: Expr, keep: Iterable[Expr] = ()) -> list[Expr]:
    """The shortest *whole* textbook form (one fraction, factored) first, then, for a sum,
    the shortest with each term in textbook form; empty when the form does not apply."""
    if tree_size(e, MAX_SIZE) >= MAX_SIZE:
        return []
    kept = frozenset(keep)
    best: list[Expr | None] = [None, None]
    modes = (None, "down", "up") if _has_pythagorean_pair(e) else (None,)
    for mode in modes:
        try:
            outs = _Converter(kept, mode).forms(e)
        except (TooBig, _NotRational, ZeroDivisionError, RecursionError, ChainruleError):
            continue
        for i, out in enumerate(outs):
            if _new_pole(e, out):
                continue
            if best[i] is None or reading_cost(out) < reading_cost(best[i]):
                best[i] = out
    return [b for b in best if b is not None]


def _new_pole(before: Expr, after: Expr) -> bool:
    """True when ``after`` divides by the argument u of an ``|u|`` of ``before`` that
    ``before`` did not divide by: sign(u) = |u|/u would leave the derivative undefined at u = 0,
    where sign(0) = 0 gives it a value (sin(|x|)²′ is 0 at 0)."""
    def poles(x: Expr) -> set[Expr]:
        return {n.args[0] for n in x.walk() if build.is_fn(n, "pow")
                and isinstance(n.args[1], Const) and n.args[1].value < 0}
    abs_args = {n.args[0] for n in before.walk() if build.is_fn(n, "abs")}
    undefined = poles(before)  # dividing by |u| already leaves u = 0 undefined
    undefined |= {p.args[0] for p in list(undefined) if build.is_fn(p, "abs")}
    return bool((poles(after) - undefined) & abs_args)


def _has_pythagorean_pair(e: Expr) -> bool:
    names = {(n.prim.name, n.args[0]) for n in e.walk()
             if isinstance(n, Apply) and n.prim.name in ("sin", "cos", "sinh", "cosh")}
    return any((PYTHAGOREAN[f][0], u) in names for f, u in names if f in PYTHAGOREAN)


class _Converter:
    """Expr → :class:`Factored` → Expr, with one choice of direction for the identities."""

    def __init__(self, keep: frozenset, mode: str | None) -> None:
        self.ctx = Context()
        self.ctx.radical = self.radical_gen
        self.keep = keep
        self.mode = mode
        self.memo: dict[Expr, Factored] = {}
        self.atoms: dict[int, Expr] = {}
        self.abs_args: set[Expr] = set()
        self.cube_roots = False
        self.trig = False

    def forms(self, e: Expr) -> list[Expr]:
        """The textbook form of ``e``; for a sum also its terms each in textbook form, added
        (``2x·asin(x/2) + x²/sqrt(4 − x²)`` reads better than one fraction)."""
        out = [self.run(e)]
        if build.is_add(e) and len(e.args) <= MAX_TERMWISE:
            out.append(build.add(*(self.to_expr(self.conv(t)) for t in e.args)))
        return out

    def run(self, e: Expr) -> Expr:
        self.abs_args = {n.args[0] for n in e.walk() if build.is_fn(n, "abs")}
        self.cube_roots = any(build.is_fn(n, "cbrt") for n in e.walk())
        self.trig = any(build.is_fn(n, f) for n in e.walk() for f in ("sin", "cos", "sinh", "cosh"))
        return self.to_expr(self.conv(e))

    # -- Expr → Factored ----------------------------------------------------------------
    def conv(self, e: Expr) -> Factored:
        hit = self.memo.get(e)
        if hit is None:
            hit = self.memo[e] = self._conv(e)
        return hit

    def _conv(self, e: Expr) -> Factored:
        ctx = self.ctx
        if isinstance(e, Const):
            if not e.is_exact:
                raise _NotRational
            return Factored(Fraction(e.value), {})
        if isinstance(e, Symbol | NamedConst):
            return self.atom(e)
        assert isinstance(e, Apply)
        name = e.prim.name
        if name == "add":
            return ctx.add([self.conv(a) for a in e.args])
        if name == "mul":
            return ctx.mul(*(self.conv(a) for a in e.args))
        if name == "pow":
            return self.power(*e.args)
        if name == "sign" and e.args[0] in self.abs_args:  # sign(u) = |u|/u, u ≠ 0
            u = e.args[0]
            return ctx.mul(self.conv(build.apply("abs", u)), ctx.pow(self.conv(u), -1))
        if e in self.keep:
            return self.atom(e)
        args = [self.simplified(a) for a in e.args]
        return self.atom(build.apply(e.prim, *args))

    def simplified(self, a: Expr) -> Expr:
        if a in self.keep or isinstance(a, Const | Symbol | NamedConst):
            return a
        return self.to_expr(self.conv(a))

    def power(self, base: Expr, exp: Expr) -> Factored:
        ctx = self.ctx
        if isinstance(exp, Const) and exp.is_exact:
            r = Fraction(exp.value)
            b = self.conv(base)
            if r.denominator == 1:
                return ctx.pow(b, int(r))
            if b.coeff > 0 and len(b.factors) == 1 and not (r.denominator == 3
                                                           and self.cube_roots):
                (f, e1), = b.factors.items()
                c = try_power(b.coeff, r)
                if e1 == 1 and c is not None:
                    return Factored(Fraction(c), {f: r})
            q = r.denominator
            poly = self.poly_of(b)
            outside = Factored(Fraction(1), {})
            if poly is not None and polys.generators(poly):
                # sqrt(1 − x²/4) = sqrt(4 − x²)/2: a positive content comes out of the root
                c, prim = polys.normalize(poly, self.ctx.key)
                pulled = try_power(abs(c), r)
                if pulled is not None:
                    outside = Factored(Fraction(pulled), {})
                    poly = polys.scale(prim, Fraction(1 if c > 0 else -1))
            radicand = self.to_expr(b) if poly is None else self.poly_expr(poly)
            if q == 3 and self.cube_roots:  # one notation: cbrt(u)^p when cbrt occurs
                g = self.atom(build.apply("cbrt", radicand))
            else:
                g = self.atom(build.power(radicand, build.const(Fraction(1, q))))
                self.relate_root(g, poly, q)
            return ctx.mul(outside, ctx.pow(g, r.numerator))
        return self.atom(build.power(self.simplified(base), self.simplified(exp)))

    def atom(self, e: Expr) -> Factored:
        fresh = e not in self.ctx.index
        out = self.ctx.gen_factor(e, e.sort_key)
        if fresh:
            g = self.ctx.index[e]
            self.atoms[g] = e
            self.relate(g, e)
        return out

    def relate(self, g: int, e: Expr) -> None:
        """Give a new atom its relation: ``sin² = 1 − cos²`` (by mode), ``|u|² = u²``."""
        if not isinstance(e, Apply):
            return
        name = e.prim.name
        if name == "cbrt":  # cbrt(u)³ = u for every real u
            u = self.poly_of(self.conv(e.args[0]))
            if u is not None:
                self.ctx.relations[g] = Relation(3, u)
            return
        if name == "abs":
            u = self.poly_of(self.conv(e.args[0]))
            if u is not None:
                self.ctx.relations[g] = Relation(2, polys.mul(u, u))
            return
        pair = self._pythagorean(name)
        if pair is None:
            return
        other, constant, coeff = pair
        h = self.ctx.gen(build.apply(other, e.args[0]), build.apply(other, e.args[0]).sort_key)
        self.atoms[h] = build.apply(other, e.args[0])
        self.ctx.relations[g] = Relation(2, {(): Fraction(constant), ((h, 2),): Fraction(coeff)})

    def _pythagorean(self, name: str) -> tuple[str, int, int] | None:
        """``name(u)² = constant + coeff·other(u)²`` in this converter's direction."""
        if self.mode == "down" and name in PYTHAGOREAN:
            other, s = PYTHAGOREAN[name]
            return other, 1, s
        if self.mode == "up":
            for f, (other, s) in PYTHAGOREAN.items():
                if other == name:  # read backwards: cos² = 1 − sin², sinh² = cosh² − 1
                    return f, -s, s
        return None

    def relate_root(self, g: Factored, base: Poly | None, q: int) -> None:
        (k,), = [tuple(g.factors)]
        (gi,) = polys.generators(self.ctx.polys[k])
        if base is not None and gi not in self.ctx.relations:
            self.ctx.relations[gi] = Relation(q, base)

    def radical_gen(self, f: tuple, q: int) -> int:
        """The atom ``f^(1/q)`` for a factor left with a fractional power inside a sum."""
        poly = self.ctx.polys[f]
        g = self.atom(build.power(self.poly_expr(poly), build.const(Fraction(1, q))))
        (k,), = [tuple(g.factors)]
        (gi,) = polys.generators(self.ctx.polys[k])
        if gi not in self.ctx.relations:
            self.ctx.relations[gi] = Relation(q, poly)
        return gi

    def poly_of(self, f: Factored) -> Poly | None:
        """``f`` multiplied out, when it has no denominators or fractional powers."""
        p = polys.const(f.coeff)
        for k, e in f.factors.items():
            if e < 0 or e.denominator != 1:
                return None
            p = polys.mul(p, polys.power(self.ctx.polys[k], int(e)))
        return p

    # -- Factored → Expr ----------------------------------------------------------------
    def poly_expr(self, p: Poly) -> Expr:
        terms = []
        for m, c in p.items():
            terms.append(build.mul(build.const(c),
                                   *(build.power(self.atoms[g], build.const(e)) for g, e in m)))
        return build.add(*terms)

    def merged(self, factors: dict[tuple, Fraction]) -> list[tuple[Expr, Fraction]]:
        """The factors as (base, exponent), those of one exponent multiplied back together
        when that reads shorter: ``(x² − 1)²``, not ``(x + 1)²(x − 1)²``."""
        groups: dict[Fraction, list[Poly]] = {}
        for k, e in sorted(factors.items()):
            groups.setdefault(e, []).append(self.ctx.polys[k])
        out: list[tuple[Expr, Fraction]] = []
        for e, members in groups.items():
            sums = [p for p in members if len(p) > 1]
            plain = [p for p in members if len(p) == 1]
            exprs = [self.poly_expr(p) for p in sums]
            if len(sums) > 1:
                try:
                    prod = sums[0]
                    for p in sums[1:]:
                        prod = polys.mul(prod, p)
                except TooBig:
                    prod = None
                # linear factors of a numerator stay apart, as a teacher leaves them:
                # 4(x − 5)(x − 2)(x + 1), not 4x³ − 24x² + 12x + 40
                if prod is not None and (e != 1 or len(prod) <= 3):
                    joined = self.poly_expr(prod)
                    if len(str(joined)) < len(str(build.mul(*exprs))):
                        exprs = [joined]
            out.extend((x, e) for x in [self.poly_expr(p) for p in plain] + exprs)
        return out

    def even_abs(self, f: Factored) -> Factored:
        """``|u|^(2k+r) = u^(2k)·|u|^r`` on the factors (the relation inside sums)."""
        for k, e in list(f.factors.items()):
            gens = polys.generators(self.ctx.polys[k])
            if len(self.ctx.polys[k]) != 1 or len(gens) != 1 or e.denominator != 1:
                continue
            atom = self.atoms.get(next(iter(gens)))
            if atom is None or not build.is_fn(atom, "abs") or abs(e) < 2:
                continue
            even = 2 * int(e / 2)
            rest = dict(f.factors)
            rest[k] = e - even
            f = self.ctx.mul(Factored(f.coeff, {g: v for g, v in rest.items() if v}),
                             self.ctx.pow(self.conv(atom.args[0]), even))
        return f

    def to_expr(self, f: Factored) -> Expr:
        """The shortest of a few equal arrangements of ``f``: as factored; the integer
        coefficient multiplied into a lone sum; the other factors multiplied into it (the
        product rule's ``2x·sin(x) + x²·cos(x)``); each with double angles if shorter."""
        if f.coeff == 0:
            return build.ZERO
        f = self.even_abs(f)
        parts = ratios(self.merged(f.factors))
        coeff = f.coeff
        sums = [i for i, (b, e) in enumerate(parts) if e == 1 and build.is_add(b)]
        if coeff < 0 and len(sums) == 1 and any(
                is_negative(t) for t in parts[sums[0]][0].args):  # (1 − 3x²)/…, not −(3x² − 1)/…
            b, e = parts[sums[0]]
            parts[sums[0]] = (build.neg(b), e)
            coeff = -coeff
        candidates = [assemble(coeff, parts)]
        if len(sums) == 1:
            i = sums[0]
            if coeff.denominator == 1 and abs(coeff) != 1:
                folded = build.mul(build.const(coeff), parts[i][0])
                candidates.append(assemble(Fraction(1), [*parts[:i], (folded, Fraction(1)),
                                                          *parts[i + 1:]]))
            outer = [j for j, (b, e) in enumerate(parts)
                     if j != i and not build.is_add(b) and e > 0 and e.denominator == 1]
            if outer and tree_size(parts[i][0], MAX_ARRANGE_SIZE) < MAX_ARRANGE_SIZE:
                inside = build.mul(*(build.power(*part_power(parts[j])) for j in outer),
                                   parts[i][0])
                rest = [p for j, p in enumerate(parts) if j not in outer and j != i]
                spread = assemble(coeff, [*rest, (expand(inside), Fraction(1))])
                if all(isinstance(parts[j][0], Symbol) for j in outer):
                    if not is_polynomial(parts[i][0]):
                        candidates.insert(0, spread)  # as short: the monomial multiplied in
                    else:
                        candidates.append(spread)
                elif self.trig and double_angle(spread) is not spread:
                    # cosh(2x)·(4x·sinh(2x) + cosh(2x)) = 2x·sinh(4x) + cosh(2x)²
                    candidates.append(double_angle(spread))
        below = [(b, e) for b, e in parts if e < 0]
        if below and all(isinstance(b, Symbol) and e.denominator == 1 for b, e in below):
            # over a monomial, term by term: 2x − 2/x³ rather than 2(x⁴ − 1)/x³
            top = expand(build.mul(build.const(coeff),
                                   *(build.power(*part_power(p)) for p in parts if p[1] > 0)))
            if build.is_add(top) and len(top.args) <= MAX_TERMWISE and is_polynomial(top):
                den = build.mul(*(build.power(*part_power(p)) for p in below))
                candidates.append(build.add(*(build.mul(t, den) for t in top.args)))
        if self.trig:
            candidates = [c for x in candidates for c in (x, double_angle(x))]
        return min(candidates, key=lambda x: len(str(x)))
