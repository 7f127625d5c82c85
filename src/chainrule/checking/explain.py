"""Explanations for a learner: what went wrong, which rule, what is right.

One template per mistake; the fields are filled from the site where the mistake was made
(``site``), what the learner's rule gave there (``wrong``), what the right rule gives
(``right``) and the parts of the site the rule names (``u``, ``du``, ``num``, ``v``, ``n``).
"""

from __future__ import annotations

from chainrule.core import build
from chainrule.core.expr import Apply, Expr, Symbol
from chainrule.symbolic.differentiate import Differentiator
from chainrule.symbolic.simplify.readable import readable

from .diagnose import Diagnosis
from .mistakes import quotient
from .sampling import Point

_BOTH_VARY = (" The power rule d/dx u^n = n·u^(n−1)·u′ needs a constant exponent and the "
              "exponential rule d/dx a^u = a^u·ln(a)·u′ a constant base; in {site} both vary. "
              "Use logarithmic differentiation: ln y = {lny}, so y′ = y·(ln y)′ and "
              "d/dx [{site}] = {right}. (The power-rule and exponential-rule parts each give "
              "one term of that sum; you kept only {kept}.)")

TEMPLATES = {
    "power_rule_on_variable_exponent":
        "You applied the power rule to {site} as if its exponent were a constant: "
        "n·u^(n−1)·u′ = {wrong}." + _BOTH_VARY.replace("{kept}", "the power-rule part"),
    "exponential_rule_on_variable_base":
        "You applied the exponential rule to {site} as if its base were a constant: "
        "a^u·ln(a)·u′ = {wrong}." + _BOTH_VARY.replace("{kept}", "the exponential-rule part"),
    "power_rule_on_exponential":
        "You applied the power rule to {site}, but there the exponent varies and the base is "
        "constant: that needs the exponential rule, d/dx a^u = a^u·ln(a)·u′ (d/dx e^u = "
        "e^u·u′). d/dx [{site}] = {right}, not {wrong}.",
    "logdiff_missing_chain_on_ln_y":
        "Your answer is d/dx ln y = y′/y for y = {site}, not y′. In logarithmic "
        "differentiation the left side ln y is differentiated by the chain rule, "
        "d/dx ln y = (1/y)·y′, not just 1/y, because y is a function of {wrt}. From "
        "(1/y)·y′ = {wrong}, multiply by y = {site}: y′ = {right}.",
    "logdiff_y_not_substituted":
        "Your answer still contains y. In logarithmic differentiation y is the function "
        "itself, y = {expr}; the last step multiplies by y and substitutes y = {expr} back, "
        "so the answer is in {wrt} alone: {correct}.",
    "product_of_derivatives":
        "You multiplied the derivatives of the factors of {site}, getting {wrong}. The "
        "derivative of a product is not the product of the derivatives. Product rule: "
        "d/dx (u·v) = u′·v + u·v′, each factor takes the prime in turn, so "
        "d/dx [{site}] = {right}.",
    "product_rule_sign":
        "The product rule adds its two terms, d/dx (u·v) = u′·v + u·v′; you subtracted them "
        "for {site}. d/dx [{site}] = {right}.",
    "square_of_derivative":
        "You squared the derivative: for {site} you wrote (f′)² = {wrong}. The derivative "
        "of f² is not (f′)²; by the chain rule (or the product rule on f·f) it is 2f·f′ "
        "with f = {u}: d/dx [{site}] = {right}.",
    "power_of_derivative":
        "You raised the derivative to the power {n}: for {site} you wrote (f′)^{n} = "
        "{wrong}. By the chain rule d/dx f^n = n·f^(n−1)·f′ with f = {u}: "
        "d/dx [{site}] = {right}.",
    "missing_inner_derivative":
        "You left out the inner derivative of the chain rule for {site}: d/dx f(u) = "
        "f′(u)·u′ with u = {u}. You wrote f′(u) = {wrong} but not the factor u′ = {du}. "
        "d/dx [{site}] = {right}.",
    "quotient_rule_sign":
        "The quotient rule's numerator has the wrong sign for {site}: it is u′·v − u·v′ "
        "(bottom times the derivative of the top, minus top times the derivative of the "
        "bottom) with u = {num}, v = {v}. d/dx [{site}] = {right}.",
    "quotient_rule_denominator":
        "The quotient rule divides by the square of the denominator: d/dx (u/v) = "
        "(u′·v − u·v′)/v² with v = {v}, so the denominator is ({v})^2. "
        "d/dx [{site}] = {right}.",
    "quotient_of_derivatives":
        "You divided the derivatives: (u/v)′ is not u′/v′. Quotient rule: d/dx (u/v) = "
        "(u′·v − u·v′)/v² with u = {num}, v = {v}: d/dx [{site}] = {right}.",
    "power_rule_exponent_not_reduced":
        "The power rule lowers the exponent by one, d/dx u^n = n·u^(n−1)·u′; for {site} "
        "you kept the exponent {n}. d/dx [{site}] = {right}.",
    "power_rule_missing_coefficient":
        "The power rule brings the exponent down as a factor, d/dx u^n = n·u^(n−1)·u′; for "
        "{site} you left out the factor {n}. d/dx [{site}] = {right}.",
    "function_sign":
        "The sign of the {rule} is wrong: {rewrite}. You wrote d/dx [{site}] = {wrong}; "
        "it is {right}.",
    "global_sign_error":
        "Your answer is the negative of the derivative: check the signs.",
    "global_constant_factor":
        "Your answer is {factor} times the derivative: a constant factor is off.",
    "scaled_sign_error":
        "The part of your answer that comes from differentiating {site} ({rule}) has the "
        "wrong sign: d/dx [{site}] = {right}.",
    "scaled_missing_term":
        "Your answer leaves out the part that comes from differentiating {site} ({rule}): "
        "d/dx [{site}] = {right}.",
    "scaled_constant_factor":
        "The part of your answer that comes from differentiating {site} ({rule}) is off by "
        "a factor of {factor}: d/dx [{site}] = {right}, not {wrong}.",
}


def describe(diag: Diagnosis, expr: Expr, wrt: Symbol, correct: Expr, order: int) -> str:
    """The sentence(s) explaining ``diag``."""
    fields = _fields(diag, expr, wrt, correct)
    text = TEMPLATES[diag.template].format(**fields)
    if diag.everywhere:
        text += f" (You did this at every {diag.rule.lower()} of the expression.)"
    if order > 1 and not diag.template.startswith("global"):
        text = f"In the derivative of order {diag.pass_index + 1}: {text}"
    return text


def _fields(diag: Diagnosis, expr: Expr, wrt: Symbol, correct: Expr) -> dict[str, str]:
    site = diag.site
    fields = {"site": str(site), "wrong": str(diag.wrong_local), "right": str(diag.right_local),
              "expr": str(expr), "wrt": wrt.name, "correct": str(correct), "rule": diag.rule,
              "rewrite": "", "u": "", "du": "", "num": "", "v": "", "n": "", "lny": "",
              "factor": _fraction(diag.factor)}
    dz = Differentiator(wrt)
    if isinstance(site, Apply):
        fields["rewrite"] = site.prim.text.rewrite
        varying = [a for a in site.args if dz.depends(a)]
        if len(varying) == 1 and site.prim.name not in ("add", "mul"):
            fields["u"], fields["du"] = str(varying[0]), str(readable(dz.d(varying[0])[0]))
        if build.is_pow(site):
            fields["n"] = str(site.args[1])
            fields["lny"] = str(build.mul(site.args[1], build.apply("ln", site.args[0])))
        parts = quotient(dz, site)
        if parts is not None:
            fields["num"], fields["v"] = str(parts[1]), str(parts[2])
    return fields


def _fraction(value) -> str:
    if value is None:
        return ""
    return str(value.numerator) if value.denominator == 1 else f"{value}"


def number(value: float, other: float | None = None) -> str:
    """A value as a learner reads it: ``0.7``, ``-1.25``, ``3.14159``; with enough digits
    to tell it from ``other``."""
    if value == 0:
        return "0"
    for digits in (6, 9, 12, 17):
        text = f"{value:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return text


def point_text(point: Point) -> str:
    return ", ".join(f"{name} = {number(v)}" for name, v in point.items())
