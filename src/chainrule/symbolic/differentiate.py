"""The symbolic differentiator: walks the DAG once, asks the rule table, records steps.

It knows no specific function: every derivative comes from ``prim.partial`` of the record in
the rule table (:mod:`chainrule.rules`), multiplied by the derivative of the argument (the
chain rule) and summed over arguments. What it adds are the *explanations* a learner needs —
which shape of rule applies (constant multiple, product, quotient, chain, power vs
exponential) — and logarithmic differentiation, seed 000's 4-step recipe, which it chooses
when base and exponent both vary, on request (``method="logdiff"``), and for products of many
factors, where ``y·Σ fᵢ′/fᵢ`` keeps the result linear in size.

Each node is differentiated once (memoised), so the derivative of a DAG shares structure with
it and stays linear in size.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> d, step = Differentiator(x, record=True).d(x ** 3)
>>> str(d), step.rule
('3x^2', 'Power rule')
"""

from __future__ import annotations

from typing import Literal

from chainrule.core import build
from chainrule.core.build import ONE, ZERO, add, mul
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.registry import get
from chainrule.limits import deep_recursion
from chainrule.symbolic.steps import Step

Method = Literal["auto", "logdiff", "direct"]
LOGDIFF_MIN_FACTORS = 24
"""Products of this many varying factors use the logarithmic-derivative form y·Σ fᵢ′/fᵢ."""

CHAIN = ("Chain rule", "d/dx f(u) = f′(u)·u′")
CONSTANT_MULTIPLE = ("Constant multiple rule", "d/dx (c·u) = c·u′")
QUOTIENT = ("Quotient rule", "d/dx (u/v) = (u′·v − u·v′)/v²")
LOGDIFF = ("Logarithmic differentiation", "y′ = y·d/dx ln|y|")
MULTI_CHAIN = ("Multivariate chain rule", "d/dx f(u, v) = ∂f/∂u·u′ + ∂f/∂v·v′")

Result = tuple[Expr, Step | None]


class Differentiator:
    """Differentiates expressions with respect to one symbol, memoised per node."""

    def __init__(self, wrt: Symbol, record: bool = False, method: Method = "auto"):
        self.wrt = wrt
        self.record = record
        self.method = method
        self.memo: dict[Expr, Result] = {}
        self.dep: dict[Expr, bool] = {}

    # -- bookkeeping ---------------------------------------------------------------------
    def depends(self, e: Expr) -> bool:
        hit = self.dep.get(e)
        if hit is None:
            hit = e is self.wrt or any(self.depends(a) for a in e.args)
            self.dep[e] = hit
        return hit

    def step(self, rule: tuple[str, str] | str, e: Expr, result: Expr,
             subs: list[Step | None] = (), **kw) -> Step | None:
        if not self.record:
            return None
        name, rewrite = (rule, "") if isinstance(rule, str) else rule
        return Step(name, e, result, self.wrt.name, rewrite=rewrite,
                    substeps=[s for s in subs if s is not None], **kw)

    def d(self, e: Expr) -> Result:
        """``(derivative, step)`` of ``e``; step is None unless recording."""
        hit = self.memo.get(e)
        if hit is None:
            with deep_recursion():
                hit = self._d(e)
            self.memo[e] = hit
        return hit

    # -- dispatch ------------------------------------------------------------------------
    def _d(self, e: Expr) -> Result:
        if not self.depends(e):
            rule = ("Constant rule", "d/dx c = 0")
            free = not isinstance(e, Const | NamedConst)
            note = f"does not depend on {self.wrt.name}" if free else ""
            return ZERO, self.step(rule, e, ZERO, note=note)
        if e is self.wrt:
            return ONE, self.step(("Identity rule", "d/dx x = 1"), e, ONE)
        assert isinstance(e, Apply)
        name = e.prim.name
        if name == "add":
            return self._sum(e)
        if name == "mul":
            return self._product(e)
        if name == "pow":
            return self._power(e)
        return self._function(e)

    def _sum(self, e: Apply) -> Result:
        parts = [self.d(t) for t in e.args if self.depends(t)]
        result = add(*(p[0] for p in parts))
        text = get("add").text
        return result, self.step((text.name, text.rewrite), e, result, [p[1] for p in parts])

    # -- products ------------------------------------------------------------------------
    def _product(self, e: Apply) -> Result:
        varying = [f for f in e.args if self.depends(f)]
        constant = mul(*(f for f in e.args if not self.depends(f)))
        core = e if constant is ONE else mul(*varying)
        inner, step = (self.d(varying[0]) if len(varying) == 1
                       else self._product_core(core, varying))
        if constant is ONE:
            return inner, step
        result = mul(constant, inner)
        return result, self.step(CONSTANT_MULTIPLE, e, result, [step], let=constant)

    def _product_core(self, core: Expr, factors: list[Expr]) -> Result:
        if self.method == "logdiff" or len(factors) >= LOGDIFF_MIN_FACTORS:
            return self._logdiff(core, factors)
        below = [f for f in factors if _is_reciprocal_power(f)]
        above = [f for f in factors if not _is_reciprocal_power(f)]
        if below and above:
            return self._quotient(core, mul(*above), mul(*(1 / f for f in below)))
        return self._product_rule(core, factors)

    def _product_rule(self, core: Expr, factors: list[Expr]) -> Result:
        mul_prim = get("mul")
        args = tuple(factors)
        terms, subs = [], []
        for i, f in enumerate(factors):
            df, sf = self.d(f)
            terms.append(mul(_partial(mul_prim, i, args, core), df))
            subs.append(sf)
        result = add(*terms)
        return result, self.step(("Product rule", mul_prim.text.rewrite), core, result, subs,
                                 note=f"{len(factors)} factors: each takes the prime in turn")

    def _quotient(self, core: Expr, u: Expr, v: Expr) -> Result:
        # The quotient rule is the product rule applied to u·v^-1 with the power rule on
        # v^-1, collected over v²; it is shown as its own rule because learners use it so.
        du, su = self.d(u)
        dv, sv = self.d(v)
        result = (du * v - u * dv) / v**2
        return result, self.step(QUOTIENT, core, result, [su, sv],
                                 note=f"u = {u}, v = {v}" if self.record else "")

    # -- powers and functions ------------------------------------------------------------
    def _power(self, e: Apply) -> Result:
        base, exp = e.args
        if isinstance(base, Const) and base.value == 0:  # 0^u: no ln(0) in its derivative
            return ZERO, self.step(("Constant rule", "d/dx c = 0"), e, ZERO,
                                   note="0^u is 0 wherever it is defined (u > 0)")
        pow_prim = get("pow")
        base_texts = pow_prim.extra["arg_texts"]
        if self.depends(base) and self.depends(exp):
            if self.method == "direct":
                return self._multivariate(e)
            return self._logdiff(e, [e])
        i = 0 if self.depends(base) else 1
        return self._chain(e, e.args[i], _partial(pow_prim, i, e.args, e), base_texts[i])

    def _function(self, e: Apply) -> Result:
        varying = [i for i, a in enumerate(e.args) if self.depends(a)]
        if len(varying) == 1:
            i = varying[0]
            return self._chain(e, e.args[i], _partial(e.prim, i, e.args, e), e.prim.text)
        return self._multivariate(e)

    def _chain(self, e: Apply, u: Expr, outer: Expr, text) -> Result:
        du, su = self.d(u)
        result = mul(outer, du)
        if u is self.wrt:
            return result, self.step((text.name, text.rewrite), e, result)
        outer_step = self.step((text.name, text.rewrite), e, outer, let=u,
                               note="the outer function, differentiated at u")
        return result, self.step(CHAIN, e, result, [outer_step, su], let=u)

    def _multivariate(self, e: Apply) -> Result:
        terms, subs = [], []
        for i, a in enumerate(e.args):
            if self.depends(a):
                da, sa = self.d(a)
                terms.append(mul(_partial(e.prim, i, e.args, e), da))
                subs.append(sa)
        result = add(*terms)
        return result, self.step(MULTI_CHAIN, e, result, subs,
                                 note=f"{e.prim.text.name}, summed over its varying arguments")

    # -- logarithmic differentiation (seed 000's 4-step recipe) --------------------------
    def _logdiff(self, y: Expr, factors: list[Expr]) -> Result:
        pieces = [self._log_piece(f) for f in factors]
        rhs = add(*(p[1] for p in pieces))
        result = mul(y, rhs)
        if not self.record:
            return result, None
        ln_y = add(*(p[0] for p in pieces))
        return result, self._logdiff_steps(y, ln_y, rhs, result, [p[2] for p in pieces])

    def _log_piece(self, f: Expr) -> tuple[Expr, Expr, Step | None]:
        """``(ln|f| written by the log laws, its derivative, the step)`` for one factor."""
        base, exp = build.as_base_exp(f)
        ln = get("ln")
        if base is build.E:  # ln(e^u) = u
            du, su = self.d(exp)
            return exp, du, su
        if self.depends(exp):  # ln(b^u) = u·ln(b): differentiate the product
            form = mul(exp, ln(base))
            dform, sform = self.d(form)
            return form, dform, sform
        dbase, sbase = self.d(base)
        # The table's logarithm rule: d ln|u| = (1/u)·u′.
        deriv = mul(exp, _partial(ln, 0, (base,), None), dbase)
        if not self.record:  # the ln|u| form is only shown, never needed for the answer
            return ZERO, deriv, None
        log_abs = mul(exp, ln(get("abs")(base)))
        step = self.step(("Logarithm rule", "d/dx ln|u| = u′/u"), log_abs, deriv,
                         [sbase], let=base if base is not self.wrt else None)
        return log_abs, deriv, step

    def _logdiff_steps(self, y: Expr, ln_y: Expr, rhs: Expr, result: Expr,
                       subs: list[Step | None]) -> Step:
        from chainrule.symbolic.simplify.readable import readable
        tidy = readable(rhs)
        stages = [
            self.step("Take ln of both sides", y, ln_y, lhs="ln|y|",
                      note="log laws: ln(ab) = ln a + ln b, ln(a^c) = c·ln a"),
            self.step("Differentiate both sides", ln_y, rhs, subs, lhs="(1/y)·y′",
                      note="the left side by the chain rule: d/dx ln|y| = y′/y"),
            self.step("Simplify the right side", rhs, tidy, lhs="(1/y)·y′"),
            self.step("Multiply by y and substitute y back", y, result, lhs="y′",
                      note=f"y = {y}"),
        ]
        return self.step(LOGDIFF, y, result, stages)


def _partial(prim, i: int, args: tuple, ans) -> Expr:
    """The table's partial derivative, as an expression (rules may return plain numbers)."""
    return build.as_expr(prim.partial(i, args, ans))


def _is_reciprocal_power(f: Expr) -> bool:
    """A factor that belongs below the fraction bar: ``v^-n`` for a number n > 0."""
    if not build.is_pow(f):
        return False
    exp = f.args[1]
    return isinstance(exp, Const) and exp.value < 0


def wrt_symbol(expr: Expr, wrt: str | Symbol | None) -> Symbol:
    """The variable to differentiate by: given, or the expression's only one."""
    from chainrule.errors import ChainruleError
    if isinstance(wrt, Symbol):
        return wrt
    if wrt is not None:
        return Symbol(wrt)
    names = sorted(s.name for s in expr.free_symbols())
    if len(names) > 1:
        raise ChainruleError(f"the expression has several variables ({', '.join(names)}); "
                             f"say which to differentiate by, e.g. wrt={names[0]!r}")
    return Symbol(names[0] if names else "x")
