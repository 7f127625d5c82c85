"""``check_answer``: is a learner's derivative right, and if not, which rule went wrong?

Equivalence is decided in two ways: the same canonical form after :func:`chainrule.expand`,
else agreement at ≥ 20 seeded random points where the function, its derivative and the answer
are all defined (:mod:`chainrule.checking.sampling`). A wrong answer is then matched against
the derivations a learner gets by misapplying one rule (:mod:`chainrule.checking.diagnose`).

>>> r = check_answer("x^x", "x*x^(x-1)")
>>> r.equivalent, r.mistake, r.rule
(False, 'power_rule_on_variable_exponent', 'Power rule')
>>> check_answer("sin(x)^2", "sin(2x)").equivalent
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chainrule.core.build import is_add
from chainrule.core.expr import Expr, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import BudgetError, ChainruleError, ParseError
from chainrule.limits import MAX_ORDER
from chainrule.symbolic.api import as_expression, steps
from chainrule.symbolic.simplify import expand
from chainrule.symbolic.steps import Derivation, Step

from .diagnose import Diagnoser, find_step
from .explain import TEMPLATES, describe, number, point_text
from .sampling import MIN_POINTS, Samples, sample

LOGDIFF = "Logarithmic differentiation"
SUBSTITUTE_STAGE = "Multiply by y and substitute y back"
Y = Symbol("y")


@dataclass(eq=False)
class AnswerCheck:
    """The verdict on one answer. ``str()`` is the explanation.

    ``counterexample`` is a point where answer and derivative differ (None when equivalent);
    ``mistake`` a short code such as ``"product_of_derivatives"``, ``rule`` the rule
    involved, ``first_wrong_step`` the step of the correct derivation the answer departs from
    — each None when not found.
    """

    equivalent: bool
    explanation: str
    counterexample: dict[str, float] | None
    correct: Expr
    mistake: str | None = None
    rule: str | None = None
    first_wrong_step: Step | None = None
    answer: Expr | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: expressions as text, the step as its rule, input and result."""
        step = self.first_wrong_step
        return {
            "equivalent": self.equivalent,
            "explanation": self.explanation,
            "counterexample": self.counterexample,
            "correct": str(self.correct),
            "mistake": self.mistake,
            "rule": self.rule,
            "first_wrong_step": None if step is None else {
                "rule": step.rule, "expr": str(step.expr), "result": str(step.result),
                "rewrite": step.rewrite, "lhs": step.lhs, "note": step.note},
        }

    def __str__(self) -> str:
        return self.explanation


def check_answer(expr: Expr | str, answer: Expr | str, wrt: str | Symbol | None = "x",
                 order: int = 1, *, seed: int = 0) -> AnswerCheck:
    """Check ``answer`` against the ``order``-th derivative of ``expr`` by ``wrt``.

    ``wrt`` defaults to ``x``; when the expression has no ``x`` but one other variable, that
    one is used. An answer may use ``y`` for the function itself (as in logarithmic
    differentiation) — that is reported as ``logdiff_y_not_substituted``. Any other variable
    the expression lacks, and text that does not parse, raise a ChainruleError.
    """
    e = as_expression(expr)
    _check_order(order)
    sym = _variable(e, wrt)
    a = _parse_answer(answer)
    uses_y = _uses_y(e, a, sym)
    derivation = steps(e, sym, order)
    ctx = _Context(e, sym, order, derivation, seed)
    if isinstance(answer, str):
        ctx.typed[a] = answer.strip()
    if uses_y:
        return ctx.with_y(a)
    return ctx.check(a)


# -- inputs ------------------------------------------------------------------------------------

def _check_order(order: int) -> None:
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ChainruleError(f"the derivative order must be a whole number ≥ 1, got {order!r}")
    if order > MAX_ORDER:
        raise BudgetError(f"derivative order {order} is over the limit of {MAX_ORDER}")


def _variable(e: Expr, wrt: str | Symbol | None) -> Symbol:
    if isinstance(wrt, Symbol):
        return wrt
    names = sorted(s.name for s in e.free_symbols())
    if wrt is None or (wrt == "x" and "x" not in names and len(names) == 1):
        if len(names) > 1:
            raise ChainruleError(f"the expression has several variables ({', '.join(names)}); "
                                 f"say which to differentiate by")
        return Symbol(names[0] if names else "x")
    if not isinstance(wrt, str) or not wrt.isidentifier():
        raise ChainruleError(f"cannot differentiate with respect to {wrt!r}")
    return Symbol(wrt)


def _parse_answer(answer: Expr | str) -> Expr:
    if isinstance(answer, str):
        from chainrule.symbolic.api import parse
        try:
            return parse(answer)
        except ParseError as err:
            raise ParseError(f"in the answer: {err.message}", err.column, err.hint,
                             err.text) from None
    return as_expression(answer)


def _uses_y(e: Expr, a: Expr, sym: Symbol) -> bool:
    extra = sorted(s.name for s in a.free_symbols() - e.free_symbols() - {sym})
    if not extra:
        return False
    if extra == ["y"]:
        return True
    raise ChainruleError(f"the answer uses {', '.join(extra)}, which the expression {e} "
                         f"does not have")


# -- the verdict -------------------------------------------------------------------------------

class _Context:
    def __init__(self, e: Expr, sym: Symbol, order: int, derivation: Derivation, seed: int):
        self.e, self.sym, self.order, self.derivation, self.seed = e, sym, order, derivation, seed
        self.correct = derivation.result
        self._logdiff: list[Derivation | None] = []
        others = sorted(s.name for s in e.free_symbols() if s is not sym)
        self.names = [sym.name, *others]
        self.typed: dict[Expr, str] = {}  # the answer as the learner typed it

    @property
    def d_text(self) -> str:
        prefix = f"d/d{self.sym.name}" if self.order == 1 else \
            f"d^{self.order}/d{self.sym.name}^{self.order}"
        return f"{prefix} [{self.e}]"

    def _shown(self, a: Expr) -> str:
        """The answer as typed, with how it was read when that differs: ``x/x (= 1)``."""
        typed = self.typed.get(a)
        if typed is None or typed.replace(" ", "") == str(a).replace(" ", ""):
            return str(a)
        return f"{typed} (= {a})"

    def logdiff_derivation(self) -> Derivation | None:
        if not self._logdiff:
            try:
                self._logdiff.append(steps(self.e, self.sym, self.order, method="logdiff"))
            except ChainruleError:
                self._logdiff.append(None)
        return self._logdiff[0]

    def check(self, a: Expr) -> AnswerCheck:
        samples = sample(self.e, self.correct, a, self.names, self.seed)
        if expand(a) is expand(self.correct):
            return self._equivalent(a, samples, "the same expression once expanded")
        if not samples.points:
            return self._no_common_points(a, samples)
        if not samples.disagree():
            how = f"they agree at {len(samples.points)} points"
            if len(samples.points) < MIN_POINTS:
                how += " (all the points found where both are defined)"
            return self._equivalent(a, samples, how)
        return self._not_equivalent(a, samples)

    def _equivalent(self, a: Expr, samples: Samples, how: str) -> AnswerCheck:
        lines = [f"Equivalent: {self._shown(a)} is {self.d_text} = {self.correct} ({how})."]
        if samples.outside_function is not None:
            point, why = samples.outside_function
            lines.append(f"It is equivalent where the function is defined: at "
                         f"{point_text(point)} your answer has a value but {self.e} is "
                         f"undefined ({why}).")
        if samples.answer_undefined is not None:
            point, why, value = samples.answer_undefined
            lines.append(f"Note: your answer is undefined at {point_text(point)} ({why}), "
                         f"where the derivative is {number(value)}; it agrees wherever both "
                         f"are defined.")
        return AnswerCheck(True, " ".join(lines), None, self.correct, answer=a)

    def _no_common_points(self, a: Expr, samples: Samples) -> AnswerCheck:
        if samples.answer_undefined is None:
            raise ChainruleError(f"cannot check: found no point where {self.e} and its "
                                 f"derivative are defined")
        point, why, value = samples.answer_undefined
        text = (f"Not equivalent: your answer {self._shown(a)} is undefined at "
                f"{point_text(point)} ({why}), where {self.d_text} = {self.correct} is "
                f"{number(value)}.")
        return AnswerCheck(False, text, dict(point), self.correct, answer=a)

    def _not_equivalent(self, a: Expr, samples: Samples) -> AnswerCheck:
        i = samples.mismatches()[0]
        point = dict(samples.points[i])
        diag = Diagnoser(self.sym, self.derivation, samples, self.logdiff_derivation).run()
        lines = [f"Not equivalent: your answer {self._shown(a)} is not {self.d_text}."]
        if diag is not None:
            lines.append(describe(diag, self.e, self.sym, self.correct, self.order))
        else:
            hint = _term_difference(self.correct, a)
            if hint:
                lines.append(hint)
        if diag is None or diag.right_local is not self.correct:
            lines.append(f"The derivative is {self.correct}.")
        mine, right = samples.answer[i], samples.correct[i]
        lines.append(f"At {point_text(point)} your answer is {number(mine, right)} but "
                     f"the derivative is {number(right, mine)}.")
        if diag is not None and diag.first_wrong_step is not None:
            s = diag.first_wrong_step
            lines.append(f"First wrong step: {s.rule}: {s.expr} → {s.result}.")
        return AnswerCheck(False, " ".join(lines), point, self.correct,
                           mistake=diag.code if diag else None,
                           rule=(diag.rule or None) if diag else None,
                           first_wrong_step=diag.first_wrong_step if diag else None, answer=a)

    def with_y(self, a: Expr) -> AnswerCheck:
        """An answer in terms of y, the function itself (log-diff's step 4 left undone)."""
        inner = self.check(substitute(a, {Y: self.e}))
        step = self._substitution_step()
        if inner.equivalent:
            text = TEMPLATES["logdiff_y_not_substituted"].format(
                expr=self.e, wrt=self.sym.name, correct=self.correct)
            return AnswerCheck(False, f"Not finished: {self._shown(a)} is right only once "
                               f"y = {self.e} is put back. {text}", None, self.correct,
                               mistake="logdiff_y_not_substituted", rule=LOGDIFF,
                               first_wrong_step=step, answer=a)
        text = (f"Your answer contains y; in logarithmic differentiation y = {self.e} must be "
                f"substituted back. Even with it substituted: {inner.explanation}")
        return AnswerCheck(False, text, inner.counterexample, self.correct,
                           mistake=inner.mistake or "logdiff_y_not_substituted",
                           rule=inner.rule or LOGDIFF,
                           first_wrong_step=inner.first_wrong_step or step, answer=a)

    def _substitution_step(self) -> Step | None:
        for derivation in (self.derivation, self.logdiff_derivation()):
            if derivation is None:
                continue
            found = find_step(derivation.orders[0], {self.e}, (LOGDIFF,), SUBSTITUTE_STAGE,
                              strict=True)
            if found is not None:
                return found
        return None


def _term_difference(correct: Expr, answer: Expr) -> str:
    """Which terms differ, when answer and derivative share some terms once expanded."""
    c, a = expand(correct), expand(answer)
    c_terms = list(c.args) if is_add(c) else [c]
    a_terms = list(a.args) if is_add(a) else [a]
    shared = [t for t in c_terms if t in a_terms]
    if not shared:
        return ""
    missing = [str(t) for t in c_terms if t not in shared]
    extra = [str(t) for t in a_terms if t not in shared]
    out = f"The terms {', '.join(map(str, shared))} are right;"
    if missing and extra:
        return f"{out} where the derivative has {' + '.join(missing)} your answer has " \
               f"{' + '.join(extra)}."
    if missing:
        return f"{out} your answer lacks {' + '.join(missing)}."
    return f"{out} your answer has the extra {' + '.join(extra)}."
