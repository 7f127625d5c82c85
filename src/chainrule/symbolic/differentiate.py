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
>>> str(d), type(step).__name__, step.rule
('3x^2', 'PowerRule', 'Power rule')
"""

from __future__ import annotations

from typing import Literal

from chainrule.core import build
from chainrule.core.build import ONE, ZERO, add, mul
from chainrule.core.chains import ProductChain
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.registry import get
from chainrule.errors import ChainruleError
from chainrule.limits import deep_recursion
from chainrule.symbolic import steps as st
from chainrule.symbolic.simplify.readable import readable
from chainrule.symbolic.steps import Step

Method = Literal["auto", "logdiff", "direct"]
LOGDIFF_MIN_FACTORS = 24
"""Products of this many varying factors use the logarithmic-derivative form y·Σ fᵢ′/fᵢ."""
AUTO_LOGDIFF_FACTORS = 3
"""``method="auto"`` solves a product or quotient of this many varying factors (the function
itself, not a part of it) by logarithmic differentiation, as seed 000 recommends."""
WHY_FACTORS = ("{n} factors: logarithms turn the product and quotient into a sum, so each "
               "factor is differentiated on its own")
WHY_EXPONENT = ("the exponent varies: neither the power rule nor the exponential rule "
                "applies, logarithms bring the exponent down")

Result = tuple[Expr, Step | None]


class Differentiator:
    """Differentiates expressions with respect to one symbol, memoised per node."""

    def __init__(self, wrt: Symbol, record: bool = False, method: Method = "auto"):
        self.wrt = wrt
        self.record = record
        self.method = method
        self.memo: dict[Expr, Result] = {}
        self.root: Expr | None = None
        self.parents: dict[Expr, int] | None = None  # of the root's nodes, counted on demand
        self.walking = False
        self.varying: frozenset[Symbol] = frozenset((wrt,))
        """Symbols that vary with ``wrt`` (implicit differentiation adds y = y(x))."""
        # The one-loop chain (_chain_through) skips _d on the links: only for this class's
        # own _d (the tutor's mistaken and scaled differentiators change _d at some nodes).
        self.fast_chains = not record and type(self)._d is Differentiator._d

    # -- bookkeeping ---------------------------------------------------------------------
    def depends(self, e: Expr) -> bool:
        """Does ``e`` vary: contain ``wrt`` (or another of :attr:`varying`)?"""
        return not self.varying.isdisjoint(e.free_symbols())  # kept on each node: one look-up

    def step(self, kind: type[Step], e: Expr, result: Expr,
             subs: list[Step | None] = (), **fields) -> Step | None:
        """A ``kind`` step (None unless recording); absent substeps are left out."""
        if not self.record:
            return None
        return kind(e, result, self.wrt.name, [s for s in subs if s is not None], **fields)

    def d(self, e: Expr) -> Result:
        """``(derivative, step)`` of ``e``; step is None unless recording.

        Not a :func:`~chainrule.core.walk.rewrite`: the rules decide what to differentiate
        (only the varying factors, ``mul(*varying)``, which is no node of ``e``, the base alone
        for a constant power), so the walk is top-down by rule, memoised per node.
        """
        if self.root is None:
            self.root = e
        hit = self.memo.get(e)
        if hit is None:
            if self.walking:
                hit = self._d(e)
            else:  # the recursion limit is raised once, by the outermost call
                self.walking = True
                try:
                    with deep_recursion():
                        hit = self._d(e)
                finally:
                    self.walking = False
            self.memo[e] = hit
        return hit

    # -- dispatch ------------------------------------------------------------------------
    def _d(self, e: Expr) -> Result:
        if not self.depends(e):
            free = not isinstance(e, Const | NamedConst)
            return ZERO, self.step(st.ConstantRule, e, ZERO, free=free)
        if e is self.wrt:
            return ONE, self.step(st.IdentityRule, e, ONE)
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
        # one varying term (x + i): its derivative as it is, which is what add() returns
        result = parts[0][0] if len(parts) == 1 else add(*(p[0] for p in parts))
        if not self.record:
            return result, None
        return result, self.step(st.SumRule, e, result, [p[1] for p in parts], prim=get("add"))

    # -- products ------------------------------------------------------------------------
    def _product(self, e: Apply) -> Result:
        varying = [f for f in e.args if self.depends(f)]
        constant = mul(*(f for f in e.args if not self.depends(f)))
        core = e if constant is ONE else mul(*varying)
        if (self.method == "auto" and e is self.root and len(varying) >= AUTO_LOGDIFF_FACTORS
                and len(varying) < LOGDIFF_MIN_FACTORS):
            inner, step = self._logdiff(core, varying,
                                        WHY_FACTORS.format(n=len(varying)), spread=True)
        elif len(varying) == 1:
            inner, step = self.d(varying[0])
        else:
            inner, step = self._product_core(core, varying)
        if constant is ONE:
            return inner, step
        result = mul(constant, inner)
        return result, self.step(st.ConstantMultipleRule, e, result, [step], constant=constant)

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
        return result, self.step(st.ProductRule, core, result, subs, prim=mul_prim,
                                 factors=args)

    def _quotient(self, core: Expr, u: Expr, v: Expr) -> Result:
        # u·v^-1 is shown as the quotient rule because learners use it so; its form is the
        # div record's (the product rule on u·v^-1 with the power rule, collected over v²).
        du, su = self.d(u)
        dv, sv = self.d(v)
        div = get("div")
        result = div.extra["quotient_form"](u, v, du, dv)
        return result, self.step(st.QuotientRule, core, result, [su, sv], prim=div,
                                 numerator=u, denominator=v)

    # -- powers and functions ------------------------------------------------------------
    def _power(self, e: Apply) -> Result:
        base, exp = e.args
        if isinstance(base, Const) and base.value == 0:  # 0^u: no ln(0) in its derivative
            return ZERO, self.step(st.ConstantRule, e, ZERO, zero_base=True)
        i = self._chain_arg(e)
        if i is not None:
            return self._chain(e, i, _partial(e.prim, i, e.args, e))
        if self.method == "direct":
            return self._multivariate(e)
        return self._logdiff(e, [e], WHY_EXPONENT if self.method == "auto" else "")

    def _function(self, e: Apply) -> Result:
        i = self._chain_arg(e)
        if i is not None:
            return self._chain(e, i, _partial(e.prim, i, e.args, e))
        return self._multivariate(e)

    def _chain_arg(self, e: Apply) -> int | None:
        """The one varying argument of a power or function that the chain rule goes through;
        None where another rule applies (both base and exponent vary, several arguments)."""
        if e.prim.name == "pow":
            base, exp = e.args
            if self.depends(base) and self.depends(exp):
                return None
            return 0 if self.depends(base) else 1
        varying = [i for i, a in enumerate(e.args) if self.depends(a)]
        return varying[0] if len(varying) == 1 else None

    # -- the chain rule ------------------------------------------------------------------
    def _chain(self, e: Apply, i: int, outer: Expr) -> Result:
        if self.fast_chains:
            return self._chain_through(e.args[i], [outer]), None
        u = e.args[i]
        du, su = self.d(u)
        result = mul(outer, du)
        kind = st.record_step_class(e.prim, i)
        if u is self.wrt:
            return result, self.step(kind, e, result, prim=e.prim, arg=i)
        outer_step = self.step(kind, e, outer, prim=e.prim, arg=i, at=u)
        return result, self.step(st.ChainRule, e, result, [outer_step, su], outer=outer_step,
                                 inner=u)

    def _chain_through(self, u: Expr, outers: list[Expr]) -> Expr:
        """``outers[0]·outers[1]·…·u′``, going down the chain while it is a nest of single
        links (each node used by its parent only, so its own derivative is needed by no one):
        a depth-n nest is one product of n factors, built once (:class:`ProductChain`), not n
        products of growing length. The answer is the node the step-by-step walk builds."""
        while (link := self._link(u)) is not None:
            outers.append(link[1])
            u = u.args[link[0]]
        chain = ProductChain(self.d(u)[0])
        for outer in reversed(outers):
            chain.times(outer)
        return chain.result()

    def _link(self, u: Expr) -> tuple[int, Expr] | None:
        """``(argument, outer factor)`` when ``u`` is a chain link only its parent uses."""
        if (not isinstance(u, Apply) or u.prim.name in ("add", "mul") or u in self.memo
                or self._parent_count(u) != 1 or not self.depends(u)):
            return None
        if u.prim.name == "pow" and isinstance(u.args[0], Const) and u.args[0].value == 0:
            return None
        i = self._chain_arg(u)
        return None if i is None else (i, _partial(u.prim, i, u.args, u))

    def _parent_count(self, u: Expr) -> int:
        """How many nodes of the root's DAG have ``u`` as an argument (0 outside it)."""
        if self.parents is None:
            self.parents = count_parents(self.root)
        return self.parents.get(u, 0)

    def _multivariate(self, e: Apply) -> Result:
        terms, subs = [], []
        for i, a in enumerate(e.args):
            if self.depends(a):
                da, sa = self.d(a)
                terms.append(mul(_partial(e.prim, i, e.args, e), da))
                subs.append(sa)
        result = add(*terms)
        return result, self.step(st.MultivariateChainRule, e, result, subs, prim=e.prim)

    # -- logarithmic differentiation (seed 000's 4-step recipe) --------------------------
    def _logdiff(self, y: Expr, factors: list[Expr], why: str = "",
                 spread: bool = False) -> Result:
        """``y·Σ (ln|fᵢ|)′``; with ``spread``, y multiplied into each term, where the canonical
        product cancels fᵢ (so the answer is defined wherever y is, zeros of a factor too)."""
        pieces = [self._log_piece(f) for f in factors]
        rhs = add(*(p[1] for p in pieces))
        terms = rhs.args if spread and build.is_add(rhs) else (rhs,)
        result = add(*(mul(y, t) for t in terms))
        if not self.record:
            return result, None
        ln_y = add(*(p[0] for p in pieces))
        return result, self._logdiff_steps(y, ln_y, rhs, result, [p[2] for p in pieces], why)

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
        deriv = mul(exp, _partial(ln, 0, (base,), None), *(() if dbase is ONE else (dbase,)))
        if not self.record:  # the ln|u| form is only shown, never needed for the answer
            return ZERO, deriv, None
        log_abs = mul(exp, ln(get("abs")(base)))
        step = self.step(st.LogRule, log_abs, deriv, [sbase], prim=ln, absolute=True)
        return log_abs, deriv, step

    def _logdiff_steps(self, y: Expr, ln_y: Expr, rhs: Expr, result: Expr,
                       subs: list[Step | None], why: str) -> Step:
        tidy = readable(rhs)
        stages = [
            self.step(st.TakeLog, y, ln_y, reason=why),
            self.step(st.DifferentiateBothSides, ln_y, rhs, subs),
            # a stage that changes nothing is no step (the no-op "Simplify" lines)
            self.step(st.SimplifyRight, rhs, tidy) if str(tidy) != str(rhs) else None,
            self.step(st.SolveForDerivative, y, result),
        ]
        return self.step(st.LogDifferentiation, y, result, stages, reason=why)


def count_parents(root: Expr) -> dict[Expr, int]:
    """For each node below ``root``, the number of distinct nodes that use it.

    >>> from chainrule.core.build import symbol
    >>> x = symbol("x")
    >>> counts = count_parents((x + 1) * x)
    >>> counts[x], counts[x + 1]
    (2, 1)
    """
    counts: dict[Expr, int] = {}
    stack = [root]
    while stack:
        for a in stack.pop().args:
            seen = counts.get(a)
            if seen is None:
                counts[a] = 1
                stack.append(a)
            else:
                counts[a] = seen + 1
    return counts


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
    if isinstance(wrt, Symbol):
        return wrt
    if wrt is not None:
        return Symbol(wrt)
    names = sorted(s.name for s in expr.free_symbols())
    if len(names) > 1:
        raise ChainruleError(f"the expression has several variables ({', '.join(names)}); "
                             f"say which to differentiate by, e.g. wrt={names[0]!r}")
    return Symbol(names[0] if names else "x")
