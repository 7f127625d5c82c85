"""Step records: the tree of rules a derivative was built from, as small typed classes.

The symbolic differentiator fills these in the same pass that computes the answer (see
:mod:`chainrule.symbolic.differentiate`), so the result of the last step is always the answer.

Each class is one kind of step and holds expressions, not prose: a :class:`ChainRule` holds
its inner function and the step of its outer function, a :class:`QuotientRule` its numerator
and denominator, a rule from the table (:class:`RecordRule` and its subclasses) the record
(:class:`~chainrule.core.primitive.Primitive`) it applies, whose name and rewrite text are
the record's own. Every step stands for one true equation, named by its ``claim``: the result
is the derivative of ``expr`` (``DERIVATIVE``), equal to it (``EQUAL``), ``ln|expr|``
(``LN_ABS``), or the outer derivative ``f′(u)`` at the inner function ``u`` (``OUTER``).
Renderers (:mod:`chainrule.explain.render`) turn a step into text, LaTeX, MathML or JSON by
its class; nothing reads display text back.

>>> import chainrule
>>> tree = chainrule.steps("sin(x^2)").orders[0].substeps[0]
>>> type(tree).__name__, tree.rule, str(tree.inner)
('ChainRule', 'Chain rule', 'x^2')
>>> type(tree.outer).__name__, tree.outer.rule
('FunctionRule', 'Sine rule')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from chainrule.core.expr import Expr
from chainrule.core.primitive import Primitive, RuleText

DERIVATIVE = "derivative"
"""The claim ``d/d<wrt> expr = result``."""
EQUAL = "equal"
"""The claim ``expr = result`` (a rewrite that keeps the value)."""
LN_ABS = "ln_abs"
"""The claim ``ln|expr| = result`` (taking logs, seed 000's first step)."""
OUTER = "outer"
"""The claim ``result = f′(u)``: times ``u′`` it is the derivative of ``expr = f(u)``."""
OTHER = "other"
"""A claim stated by the step's own fields (implicit differentiation and chain-rule paths,
whose steps are in :mod:`chainrule.symbolic.calculus_steps`)."""


@dataclass(eq=False)
class Step:
    """One rule applied: ``expr`` becomes ``result`` (see ``claim``), justified by ``substeps``.

    ``rule`` is the rule's name ("Power rule", "Chain rule", …): the name ``--hide`` and
    :meth:`rules_used` know it by. Subclasses say what else the step holds.
    """

    expr: Expr
    result: Expr
    wrt: str
    substeps: list[Step] = field(default_factory=list)

    name: ClassVar[str] = "Step"
    claim: ClassVar[str] = DERIVATIVE
    working: ClassVar[bool] = False
    """Its substeps are working that a brief solution leaves out (the next line states it)."""

    @property
    def rule(self) -> str:
        """The rule's name, shown before the step and used by ``hide``."""
        return self.name

    def walk(self):
        """Every step of the tree, each shared step once, parents first."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            s = stack.pop()
            if id(s) in seen:
                continue
            seen.add(id(s))
            yield s
            stack.extend(reversed(s.substeps))

    def rules_used(self) -> list[str]:
        """Names of the rules in the tree, in first-use order."""
        out: list[str] = []
        for s in self.walk():
            if s.rule not in out:
                out.append(s.rule)
        return out


# -- the differentiator's frame ------------------------------------------------------------

@dataclass(eq=False)
class Differentiate(Step):
    """One order of a derivative: the rule tree, then the simplification of its result."""

    name: ClassVar[str] = "Differentiate"


@dataclass(eq=False)
class ZerothDerivative(Step):
    """Order 0: the function itself."""

    name: ClassVar[str] = "Zeroth derivative"
    claim: ClassVar[str] = EQUAL


@dataclass(eq=False)
class Simplify(Step):
    """The raw derivative rewritten into the readable form (same value)."""

    name: ClassVar[str] = "Simplify"
    claim: ClassVar[str] = EQUAL


@dataclass(eq=False)
class Rewrite(Step):
    """An equal form of ``expr`` (used where a tree shows a rewrite without a rule)."""

    name: ClassVar[str] = "Rewrite"
    claim: ClassVar[str] = EQUAL


# -- rules that are not one record's ---------------------------------------------------------

@dataclass(eq=False)
class ConstantRule(Step):
    """``d/dx c = 0``; ``free``: c is an expression free of the variable, ``zero_base``: 0^u."""

    free: bool = field(default=False, kw_only=True)
    zero_base: bool = field(default=False, kw_only=True)
    name: ClassVar[str] = "Constant rule"


@dataclass(eq=False)
class IdentityRule(Step):
    """``d/dx x = 1``."""

    name: ClassVar[str] = "Identity rule"


@dataclass(eq=False)
class ConstantMultipleRule(Step):
    """``d/dx (c·u) = c·u′`` with the constant factor ``constant``."""

    constant: Expr = field(kw_only=True)
    name: ClassVar[str] = "Constant multiple rule"


@dataclass(eq=False)
class ChainRule(Step):
    """``d/dx f(u) = f′(u)·u′``: ``outer`` is the step of f at ``inner`` = u."""

    outer: Step = field(kw_only=True)
    inner: Expr = field(kw_only=True)
    name: ClassVar[str] = "Chain rule"


@dataclass(eq=False)
class MultivariateChainRule(Step):
    """``d/dx f(u, v) = ∂f/∂u·u′ + ∂f/∂v·v′`` for the record ``prim`` of f."""

    prim: Primitive | None = field(default=None, kw_only=True)
    name: ClassVar[str] = "Multivariate chain rule"


# -- rules from the table: name and rewrite text are the record's ----------------------------

@dataclass(eq=False)
class RecordRule(Step):
    """A rule of the table: the record ``prim``'s derivative in argument ``arg``.

    ``at`` is the inner function u when this is the outer step of a chain rule (the result is
    then ``f′(u)``); None when the argument is the variable itself.
    """

    prim: Primitive = field(kw_only=True)
    arg: int = field(default=0, kw_only=True)
    at: Expr | None = field(default=None, kw_only=True)

    @property
    def text(self) -> RuleText:
        """The record's name and rewrite for this argument."""
        return rule_text(self.prim, self.arg)

    @property
    def rule(self) -> str:
        return self.text.name

    @property
    def claim(self) -> str:  # type: ignore[override]
        return DERIVATIVE if self.at is None else OUTER


@dataclass(eq=False)
class SumRule(RecordRule):
    """``d/dx (u + v) = u′ + v′`` (the ``add`` record)."""


@dataclass(eq=False)
class ProductRule(RecordRule):
    """Each of ``factors`` takes the prime in turn (the ``mul`` record)."""

    factors: tuple[Expr, ...] = field(default=(), kw_only=True)


@dataclass(eq=False)
class QuotientRule(RecordRule):
    """``d/dx (u/v) = (u′·v − u·v′)/v²`` (the ``div`` record's quotient form)."""

    numerator: Expr = field(kw_only=True)
    denominator: Expr = field(kw_only=True)


@dataclass(eq=False)
class PowerRule(RecordRule):
    """``d/dx u^n = n·u^(n−1)·u′`` (``pow`` in its base)."""


@dataclass(eq=False)
class ExpRule(RecordRule):
    """``d/dx e^u`` or ``d/dx a^u`` (``exp``, or ``pow`` in its exponent)."""


@dataclass(eq=False)
class LogRule(RecordRule):
    """``d/dx ln(u)`` (the ``ln`` record); with ``absolute``, ``d/dx ln|u| = u′/u``."""

    absolute: bool = field(default=False, kw_only=True)


@dataclass(eq=False)
class FunctionRule(RecordRule):
    """Any other elementary rule of the table (trig, inverse trig, hyperbolic, ML, …)."""


def rule_text(prim: Primitive, arg: int) -> RuleText:
    """The record's rule text for argument ``arg`` (pow names its two arguments' rules)."""
    per_arg = prim.extra.get("arg_texts")
    return per_arg[arg] if per_arg else prim.text


RECORD_STEPS: dict[tuple[str, int], type[RecordRule]] = {
    ("pow", 0): PowerRule, ("pow", 1): ExpRule, ("exp", 0): ExpRule, ("ln", 0): LogRule,
}
"""Which step class shows a record's rule; any other record is a :class:`FunctionRule`."""


def record_step_class(prim: Primitive, arg: int) -> type[RecordRule]:
    """The step class for the rule of ``prim`` in argument ``arg``."""
    return RECORD_STEPS.get((prim.name, arg), FunctionRule)


# -- logarithmic differentiation: seed 000's four-step recipe -------------------------------

@dataclass(eq=False)
class LogDifferentiation(Step):
    """``y′ = y·d/dx ln|y|``, shown as its four stages (the ``substeps``); ``reason`` says in
    one line why ``method="auto"`` chose it ("" when asked for)."""

    reason: str = field(default="", kw_only=True)
    name: ClassVar[str] = "Logarithmic differentiation"

    @property
    def stages(self) -> list[Step]:
        return self.substeps


@dataclass(eq=False)
class TakeLog(Step):
    """Stage 1: ``ln|y| = result``, written by the log laws (``expr`` is y); ``reason`` as the
    :class:`LogDifferentiation` it begins (so a brief solution still says why)."""

    reason: str = field(default="", kw_only=True)
    name: ClassVar[str] = "Take ln of both sides"
    claim: ClassVar[str] = LN_ABS


@dataclass(eq=False)
class DifferentiateBothSides(Step):
    """Stage 2: ``(1/y)·y′ = result``, the derivative of ``expr`` = ln|y|."""

    name: ClassVar[str] = "Differentiate both sides"


@dataclass(eq=False)
class SimplifyRight(Step):
    """Stage 3: ``(1/y)·y′ = result``, the right side ``expr`` tidied (same value)."""

    name: ClassVar[str] = "Simplify the right side"
    claim: ClassVar[str] = EQUAL


@dataclass(eq=False)
class SolveForDerivative(Step):
    """Stage 4: ``y′ = result``, multiplying by y = ``expr``."""

    name: ClassVar[str] = "Multiply by y and substitute y back"


# -- the whole derivation ------------------------------------------------------------------

@dataclass(eq=False)
class Derivation:
    """What :func:`chainrule.steps` returns: the step tree of one derivative of any order.

    ``orders[k]`` is the step tree of the (k+1)-th derivative; ``result`` is the final answer,
    equal to ``orders[-1].result``.

    >>> import chainrule
    >>> d = chainrule.steps("x^x")
    >>> str(d.result)
    'x^x*(ln(x) + 1)'
    >>> d.orders[-1].result is d.result
    True
    """

    expr: Expr
    wrt: str
    orders: list[Step]

    @property
    def result(self) -> Expr:
        return self.orders[-1].result

    @property
    def order(self) -> int:
        return len(self.orders)

    def rules_used(self) -> list[str]:
        out: list[str] = []
        for tree in self.orders:
            for name in tree.rules_used():
                if name not in out:
                    out.append(name)
        return out

    # The renderers live in chainrule.explain, a layer above this one; these conveniences
    # import them when called, the documented exception (as Expr.__str__ calls the printer).
    def text(self, hide: frozenset[str] | set[str] = frozenset(), detail: str = "normal") -> str:
        """The derivation as indented plain text."""
        # lazy import (documented exception): renderers are a layer above the records
        from chainrule.explain.render import render_text
        return render_text(self, hide=hide, detail=detail)

    def latex(self, hide: frozenset[str] | set[str] = frozenset(), detail: str = "normal") -> str:
        # lazy import (documented exception): renderers are a layer above the records
        from chainrule.explain.render import render_latex
        return render_latex(self, hide=hide, detail=detail)

    def to_dict(self, hide: frozenset[str] | set[str] = frozenset(),
                detail: str = "full") -> dict[str, Any]:
        # lazy import (documented exception): renderers are a layer above the records
        from chainrule.explain.render import to_dict
        return to_dict(self, hide=hide, detail=detail)

    def _repr_latex_(self) -> str:
        return self.latex()

    def _repr_html_(self) -> str:
        """Collapsible lists of steps with MathML (see :mod:`chainrule.explain.html`)."""
        # lazy import (documented exception): renderers sit above the step records
        from chainrule.explain.html import derivation_html
        return derivation_html(self)

    def __str__(self) -> str:
        return self.text()
