"""Learners' mistakes as *alternative differentiators* over the symbolic engine's structure.

Each :class:`Mistake` is a wrong version of one rule of
:class:`~chainrule.symbolic.differentiate.Differentiator`: where the engine applies the product
rule, ``product_of_derivatives`` returns ``f′·g′``; where it applies the chain rule,
``missing_inner_derivative`` returns ``f′(u)`` without ``u′``; and so on. A
:class:`MistakenDifferentiator` is the engine with one mistake made at chosen nodes (its
*sites*) and every other rule right. Mistakes know no specific function: outer derivatives come
from the rule table (``prim.partial``), exactly as in the engine, so a mistake made on ``sin``
is the same code as one made on ``sigmoid``.

>>> from chainrule.core.build import symbol, apply
>>> x = symbol("x")
>>> e = x ** 2 * apply("sin", x)
>>> str(MistakenDifferentiator(x, BY_CODE["product_of_derivatives"], {e}).d(e)[0])
'2x*cos(x)'
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from chainrule.core import build
from chainrule.core.build import mul, power
from chainrule.core.expr import Apply, Expr
from chainrule.core.registry import get
from chainrule.symbolic.differentiate import Differentiator, _is_reciprocal_power, _partial

Wrong = Callable[[Differentiator, Expr], list[Expr]]
Applies = Callable[[Differentiator, Expr], bool]


@dataclass(frozen=True)
class Mistake:
    """One misapplied rule: where it can happen, what it produces, how to explain it.

    ``rule`` names the rule the learner misapplied ("" means: the rule of the primitive at the
    site, e.g. "Cosine rule"). ``prefer`` lists the rules of the correct derivation's steps
    that show the right way, best first; ``stage`` a stage of logarithmic differentiation to
    point at inside that step. ``text`` is an explanation template (see
    :mod:`chainrule.checking.explain`).
    """

    code: str
    rule: str
    applies: Applies
    wrong: Wrong
    text: str
    prefer: tuple[str, ...] = ()
    stage: str = ""

    def rule_at(self, site: Expr) -> str:
        if self.rule or not isinstance(site, Apply):
            return self.rule
        return site.prim.text.name


class MistakenDifferentiator(Differentiator):
    """The engine, with ``mistake`` made at ``sites`` (every applicable node when None).

    ``variant`` picks one of the mistake's wrong results (e.g. the two wrong signs of the
    quotient rule).
    """

    def __init__(self, wrt, mistake: Mistake, sites: Collection[Expr] | None,
                 variant: int = 0, method: str = "auto"):
        super().__init__(wrt, record=False, method=method)
        self.mistake = mistake
        self.sites = sites
        self.variant = variant

    def _d(self, e: Expr):
        if (self.sites is None or e in self.sites) and self.mistake.applies(self, e):
            options = self.mistake.wrong(self, e)
            return options[min(self.variant, len(options) - 1)], None
        return super()._d(e)


class ScaledDifferentiator(Differentiator):
    """The engine with the derivative of one node multiplied by ``k``.

    Derivatives are linear in the derivatives of subexpressions, so the answers a learner
    gets by dropping a term (k = 0), flipping a sign (k = −1) or getting a coefficient wrong
    at one node are ``D₀ + k·(D − D₀)``, where ``D₀`` is this with k = 0.
    """

    def __init__(self, wrt, site: Expr, k: int, method: str = "auto"):
        super().__init__(wrt, record=False, method=method)
        self.site = site
        self.k = k

    def _d(self, e: Expr):
        value, _ = super()._d(e)
        return (mul(self.k, value) if e is self.site else value), None


# -- what the engine sees at a node ---------------------------------------------------------

def right(dz: Differentiator, e: Expr) -> Expr:
    """The correct rule applied at ``e`` (its subexpressions through ``dz``)."""
    return Differentiator._d(dz, e)[0]


def varying(dz: Differentiator, e: Expr) -> list[Expr]:
    return [a for a in e.args if dz.depends(a)]


def constant_part(dz: Differentiator, e: Expr) -> Expr:
    return mul(*(a for a in e.args if not dz.depends(a)))


def core(dz: Differentiator, e: Expr) -> Expr:
    """A product without its constant factor (what the product and quotient rules see)."""
    if build.is_mul(e):
        return mul(*varying(dz, e))
    return e


def quotient(dz: Differentiator, e: Expr) -> tuple[Expr, Expr, Expr] | None:
    """``(c, u, v)`` when the engine differentiates the product ``e`` as ``c·u/v``."""
    if not build.is_mul(e):
        return None
    factors = varying(dz, e)
    below = [f for f in factors if _is_reciprocal_power(f)]
    above = [f for f in factors if not _is_reciprocal_power(f)]
    if len(factors) < 2 or not below or not above:
        return None
    return constant_part(dz, e), mul(*above), mul(*(1 / f for f in below))


def is_product(dz: Differentiator, e: Expr) -> bool:
    return build.is_mul(e) and len(varying(dz, e)) >= 2 and quotient(dz, e) is None


def is_function(e: Expr) -> bool:
    return isinstance(e, Apply) and e.prim.name not in ("add", "mul", "pow")


def one_varying_argument(dz: Differentiator, e: Expr) -> int | None:
    """Index of the single varying argument of a function or power, else None."""
    if not isinstance(e, Apply) or e.prim.name in ("add", "mul"):
        return None
    idx = [i for i, a in enumerate(e.args) if dz.depends(a)]
    return idx[0] if len(idx) == 1 else None


def is_composite(dz: Differentiator, e: Expr) -> bool:
    """f(u) with u not the variable itself: where the chain rule is needed."""
    i = one_varying_argument(dz, e)
    return i is not None and e.args[i] is not dz.wrt


def both_vary(dz: Differentiator, e: Expr) -> bool:
    return build.is_pow(e) and all(dz.depends(a) for a in e.args)


def constant_exponent_power(dz: Differentiator, e: Expr) -> bool:
    return build.is_pow(e) and one_varying_argument(dz, e) == 0


def exponential(dz: Differentiator, e: Expr) -> bool:
    """``a^u`` with a constant base, or ``e^u``, varying."""
    if build.is_fn(e, "exp"):
        return dz.depends(e)
    return build.is_pow(e) and one_varying_argument(dz, e) == 1


def d(dz: Differentiator, e: Expr) -> Expr:
    return dz.d(e)[0]


# -- the wrong rules -------------------------------------------------------------------------

def _product_of_derivatives(dz, e):
    return [mul(constant_part(dz, e), *(d(dz, f) for f in varying(dz, e)))]


def _product_rule_sign(dz, e):
    c, (f, g) = constant_part(dz, e), varying(dz, e)
    return [mul(c, d(dz, f) * g - f * d(dz, g)), mul(c, f * d(dz, g) - d(dz, f) * g)]


def _quotient_parts(dz, e):
    c, u, v = quotient(dz, e)
    return c, u, v, d(dz, u), d(dz, v)


def _quotient_sign(dz, e):
    c, u, v, du, dv = _quotient_parts(dz, e)
    return [mul(c, (u * dv - du * v) / v**2), mul(c, (du * v + u * dv) / v**2)]


def _quotient_denominator(dz, e):
    c, u, v, du, dv = _quotient_parts(dz, e)
    return [mul(c, (du * v - u * dv) / v), mul(c, du * v - u * dv)]


def _quotient_of_derivatives(dz, e):
    c, _, _, du, dv = _quotient_parts(dz, e)
    return [mul(c, du / dv)] if dv is not build.ZERO else []


def _power_of_derivative(dz, e):
    base, exp = e.args
    return [power(d(dz, base), exp)]


def _missing_inner(dz, e):
    i = one_varying_argument(dz, e)
    return [_partial(e.prim, i, e.args, e)]


def _function_sign(dz, e):
    i = one_varying_argument(dz, e)
    return [mul(-1, _partial(e.prim, i, e.args, e), d(dz, e.args[i]))]


def _power_rule_on_variable_exponent(dz, e):
    outer = _partial(get("pow"), 0, e.args, e)
    return [mul(outer, d(dz, e.args[0])), outer]


def _exponential_rule_on_variable_base(dz, e):
    outer = _partial(get("pow"), 1, e.args, e)
    return [mul(outer, d(dz, e.args[1])), outer]


def _power_rule_on_exponential(dz, e):
    base, exp = build.as_base_exp(e)
    outer = _partial(get("pow"), 0, (base, exp), e)
    return [mul(outer, d(dz, exp)), outer]


def _exponent_not_reduced(dz, e):
    base, exp = e.args
    return [mul(exp, e, d(dz, base))]


def _missing_coefficient(dz, e):
    base, exp = e.args
    return [mul(power(base, exp - 1), d(dz, base))]


def _missing_chain_on_ln_y(dz, e):
    return [right(dz, e) / e]


def _has_ln_form(dz, e):
    """Where a learner may take logarithms: products, quotients, variable exponents."""
    return (build.is_mul(e) and len(varying(dz, e)) >= 2) or (
        build.is_pow(e) and dz.depends(e.args[1]))


_LOGDIFF = "Logarithmic differentiation"
_PRODUCT = ("Product rule", "Constant multiple rule")
_QUOTIENT = ("Quotient rule", "Constant multiple rule")

CATALOG: tuple[Mistake, ...] = (
    Mistake("power_rule_on_variable_exponent", "Power rule", both_vary,
            _power_rule_on_variable_exponent, "power_rule_on_variable_exponent",
            prefer=(_LOGDIFF, "Multivariate chain rule")),
    Mistake("exponential_rule_on_variable_base", "Exponential rule", both_vary,
            _exponential_rule_on_variable_base, "exponential_rule_on_variable_base",
            prefer=(_LOGDIFF, "Multivariate chain rule")),
    Mistake("logdiff_missing_chain_on_ln_y", _LOGDIFF, _has_ln_form, _missing_chain_on_ln_y,
            "logdiff_missing_chain_on_ln_y", prefer=(_LOGDIFF,),
            stage="Differentiate both sides"),
    Mistake("product_of_derivatives", "Product rule", is_product, _product_of_derivatives,
            "product_of_derivatives", prefer=_PRODUCT),
    Mistake("product_rule_sign", "Product rule",
            lambda dz, e: is_product(dz, e) and len(varying(dz, e)) == 2,
            _product_rule_sign, "product_rule_sign", prefer=_PRODUCT),
    Mistake("square_of_derivative", "Chain rule",
            lambda dz, e: is_composite(dz, e) and constant_exponent_power(dz, e)
            and e.args[1] is build.const(2),
            _power_of_derivative, "square_of_derivative", prefer=("Chain rule",)),
    Mistake("power_of_derivative", "Chain rule",
            lambda dz, e: is_composite(dz, e) and constant_exponent_power(dz, e)
            and e.args[1] is not build.const(2),
            _power_of_derivative, "power_of_derivative", prefer=("Chain rule",)),
    Mistake("missing_inner_derivative", "Chain rule", is_composite, _missing_inner,
            "missing_inner_derivative", prefer=("Chain rule",)),
    Mistake("quotient_rule_sign", "Quotient rule",
            lambda dz, e: quotient(dz, e) is not None, _quotient_sign,
            "quotient_rule_sign", prefer=_QUOTIENT),
    Mistake("quotient_rule_denominator", "Quotient rule",
            lambda dz, e: quotient(dz, e) is not None, _quotient_denominator,
            "quotient_rule_denominator", prefer=_QUOTIENT),
    Mistake("quotient_of_derivatives", "Quotient rule",
            lambda dz, e: quotient(dz, e) is not None, _quotient_of_derivatives,
            "quotient_of_derivatives", prefer=_QUOTIENT),
    Mistake("power_rule_on_exponential", "Power rule", exponential,
            _power_rule_on_exponential, "power_rule_on_exponential",
            prefer=("Exponential rule", "Chain rule")),
    Mistake("power_rule_exponent_not_reduced", "Power rule", constant_exponent_power,
            _exponent_not_reduced, "power_rule_exponent_not_reduced",
            prefer=("Power rule", "Chain rule")),
    Mistake("power_rule_missing_coefficient", "Power rule",
            lambda dz, e: constant_exponent_power(dz, e) and e.args[1] is not build.ONE,
            _missing_coefficient, "power_rule_missing_coefficient",
            prefer=("Power rule", "Chain rule")),
    Mistake("sign_error", "",
            lambda dz, e: is_function(e) and one_varying_argument(dz, e) is not None,
            _function_sign, "function_sign"),
)
"""Tried in this order; the first that reproduces the answer is reported."""

BY_CODE = {m.code: m for m in CATALOG}


def applicable(dz: Differentiator, sites: list[Expr]) -> list[tuple[Mistake, Expr, int]]:
    """Every ``(mistake, site, variants)`` that can happen, in catalog order."""
    out = []
    for mistake in CATALOG:
        for site in sites:
            if mistake.applies(dz, site):
                n = len(mistake.wrong(dz, site))
                if n:
                    out.append((mistake, site, n))
    return out
