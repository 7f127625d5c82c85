"""Find which mistake turns the correct derivation into the learner's answer.

For each pass of the derivative (one per order) and each node the engine differentiates (a
*site*), every applicable :data:`~chainrule.tutor.mistakes.CATALOG` mistake is made there
and the resulting wrong derivative compared with the answer at the sample points; then the
same mistake made everywhere at once. When none reproduces the answer, a derivative that is
*linear* in each site's derivative lets one more family be found without guessing: the answer
equals the correct derivative with one site's part dropped (k = 0), negated (k = −1) or
scaled by a simple number k (see :class:`~chainrule.tutor.mistakes.ScaledDifferentiator`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from chainrule.core.expr import Apply, Expr, Symbol
from chainrule.symbolic import steps as st
from chainrule.symbolic.differentiate import Differentiator
from chainrule.symbolic.simplify.readable import readable
from chainrule.symbolic.steps import Derivation, Step
from chainrule.tutor.mistakes import BY_CODE

from .mistakes import (
    Mistake,
    MistakenDifferentiator,
    ScaledDifferentiator,
    applicable,
    core,
)
from .sampling import Samples, close, values_at

MAX_SITES = 64
MIN_MATCHED = 10
_WRAPPERS = (st.Differentiate, st.Simplify)


@dataclass
class Diagnosis:
    """The mistake found: its code, the rule involved, where, and what it produced there."""

    code: str
    rule: str
    template: str
    site: Expr
    sites: tuple[Expr, ...]
    pass_index: int
    wrong_local: Expr | None
    right_local: Expr
    first_wrong_step: Step | None = None
    factor: Fraction | None = None
    everywhere: bool = False


class Diagnoser:
    """Tries the mistakes of :mod:`chainrule.tutor.mistakes` against one answer."""

    def __init__(self, wrt: Symbol, derivation: Derivation, samples: Samples,
                 logdiff_derivation: Callable[[], Derivation | None]):
        self.wrt = wrt
        self.derivation = derivation
        self.samples = samples
        self.answer = np.asarray(samples.answer, dtype=float)
        self.correct = np.asarray(samples.correct, dtype=float)
        self.logdiff_derivation = logdiff_derivation

    # -- the search ------------------------------------------------------------------------
    def run(self) -> Diagnosis | None:
        if not self.samples.points:
            return None
        for k in range(self.derivation.order):
            found = self._named(k)
            if found is not None:
                return self._locate(found)
        found = self._global()
        if found is not None:
            return found
        for k in range(self.derivation.order):
            found = self._scaled(k)
            if found is not None:
                return self._locate(found)
        return None

    def _input(self, k: int) -> Expr:
        return self.derivation.orders[k].expr

    def _sites(self, k: int) -> tuple[Differentiator, list[Expr]]:
        base = Differentiator(self.wrt)
        base.fast_chains = False  # every node's derivative in the memo: each one is a site
        base.d(self._input(k))
        sites = [e for e in base.memo if base.depends(e) and isinstance(e, Apply)]
        return base, sites[-MAX_SITES:]

    def _finish(self, raw: Expr, k: int) -> Expr:
        """Continue a wrong pass ``k`` with the correct later passes."""
        current = raw
        for _ in range(k + 1, self.derivation.order):
            current = Differentiator(self.wrt).d(readable(current))[0]
        return current

    def _matches(self, candidate: Expr) -> bool:
        vals = values_at(candidate, self.samples)
        defined = np.isfinite(vals)
        if defined.sum() < max(MIN_MATCHED, 0.8 * len(vals)):
            return False
        if close(vals[defined], self.correct[defined]).all():
            return False  # the "mistake" changes nothing here
        return bool(close(vals[defined], self.answer[defined]).all())

    def _named(self, k: int) -> Diagnosis | None:
        base, sites = self._sites(k)
        options = applicable(base, sites)
        inp = self._input(k)
        for mistake, site, variants in options:
            for variant in range(variants):
                dz = MistakenDifferentiator(self.wrt, mistake, {site}, variant)
                if self._matches(self._finish(dz.d(inp)[0], k)):
                    return self._named_diagnosis(base, mistake, (site,), variant, k, False)
        by_mistake: dict[str, list[Expr]] = {}
        for mistake, site, _ in options:
            by_mistake.setdefault(mistake.code, []).append(site)
        for mistake, _site, variants in options:
            many = by_mistake.pop(mistake.code, [])
            if len(many) < 2:
                continue
            for variant in range(variants):
                dz = MistakenDifferentiator(self.wrt, mistake, None, variant)
                if self._matches(self._finish(dz.d(inp)[0], k)):
                    return self._named_diagnosis(base, mistake, tuple(many), variant, k, True)
        return None

    def _named_diagnosis(self, base: Differentiator, mistake: Mistake, sites: tuple[Expr, ...],
                         variant: int, k: int, everywhere: bool) -> Diagnosis:
        site = sites[-1]  # the outermost: sites are listed children first
        wrong = MistakenDifferentiator(self.wrt, mistake, {site}, variant).d(site)[0]
        return Diagnosis(mistake.code, mistake.rule_at(site), mistake.text, site, sites, k,
                         readable(wrong), readable(base.d(site)[0]), everywhere=everywhere)

    def _global(self) -> Diagnosis | None:
        """The answer is a simple multiple of the derivative (a sign or a factor off)."""
        factor = nice_factor(self.answer, self.correct)
        if factor is None or factor == 0:
            return None
        code = "sign_error" if factor == -1 else "constant_factor"
        return Diagnosis(code, "", "global_" + code, self.derivation.expr,
                         (self.derivation.expr,), 0, None, self.derivation.result,
                         factor=factor)

    def _scaled(self, k: int) -> Diagnosis | None:
        base, sites = self._sites(k)
        for site in sites:
            if site is self._input(k):
                continue
            factor = self._fit(site, k)
            if factor is not None:
                return self._scaled_diagnosis(base, site, factor, k)
        return None

    def _fit(self, site: Expr, k: int) -> Fraction | None:
        """The simple number k with answer = D₀ + k·(D − D₀), if there is one."""
        d0 = values_at(self._finish(ScaledDifferentiator(self.wrt, site, 0).d(self._input(k))[0],
                                    k), self.samples)
        part = self.correct - d0
        ok = np.isfinite(part)
        if ok.sum() < MIN_MATCHED or close(part[ok], self.correct[ok]).all():
            return None  # undefined, or carries the whole derivative: a global factor
        return nice_factor(self.answer[ok] - d0[ok], part[ok])

    def _scaled_diagnosis(self, base: Differentiator, site: Expr, factor: Fraction,
                          k: int) -> Diagnosis:
        code = {0: "missing_term", -1: "sign_error"}.get(factor, "constant_factor")
        right = readable(base.d(site)[0])
        step = find_step(self.derivation.orders[k], {site, core(base, site)}, ())
        rule = step.rule if step is not None else (
            site.prim.text.name if isinstance(site, Apply) else "")
        return Diagnosis(code, rule, "scaled_" + code, site, (site,), k, readable(factor * right),
                         right, first_wrong_step=step, factor=factor)

    # -- where in the correct derivation ----------------------------------------------------
    def _locate(self, diag: Diagnosis) -> Diagnosis:
        if diag.first_wrong_step is not None or diag.template.startswith(("scaled", "global")):
            return diag
        mistake = BY_CODE[diag.code]
        base = Differentiator(self.wrt)
        base.d(self._input(diag.pass_index))
        targets = set(diag.sites) | {core(base, s) for s in diag.sites}
        tree = self.derivation.orders[diag.pass_index]
        prefer = mistake.prefer or (st.RecordRule,)  # the rule of the primitive at the site
        step = find_step(tree, targets, prefer, mistake.stage, strict=mistake.stage is not None)
        if step is None and mistake.stage is not None:
            alt = self.logdiff_derivation()
            if alt is not None and diag.pass_index < alt.order:
                step = find_step(alt.orders[diag.pass_index], targets, prefer,
                                 mistake.stage, strict=True)
            if step is None:
                step = find_step(tree, targets, prefer)
        diag.first_wrong_step = step
        return diag


def nice_factor(values: np.ndarray, part: np.ndarray) -> Fraction | None:
    """The simple number k ≠ 1 (denominator ≤ 12) with values = k·part, if there is one."""
    if close(part, 0.0).all():
        return None
    with np.errstate(all="ignore"):
        k_fit = float(np.dot(values, part) / np.dot(part, part))
    if not np.isfinite(k_fit) or abs(k_fit) > 100:
        return None
    nice = Fraction(k_fit).limit_denominator(12)
    if nice == 1 or abs(float(nice) - k_fit) > 1e-7 * max(1.0, abs(k_fit)):
        return None
    return nice if close(values, float(nice) * part).all() else None


def find_step(tree: Step, targets: Collection[Expr], prefer: tuple[type[Step], ...],
              stage: type[Step] | None = None, strict: bool = False) -> Step | None:
    """The first step (parents first) of ``tree`` about one of ``targets``.

    A step of a kind in ``prefer`` wins (earlier kinds first); with ``stage``, the substep of
    that kind inside it. ``strict``: only a preferred step will do.
    """
    found = [s for s in tree.walk() if not isinstance(s, _WRAPPERS) and s.expr in targets]
    for kind in prefer:
        for s in found:
            if isinstance(s, kind):
                if stage is None:
                    return s
                inner = next((t for t in s.substeps if isinstance(t, stage)), None)
                if inner is not None:
                    return inner
    if strict or not found:
        return None
    return found[0]
