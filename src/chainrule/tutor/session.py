"""Tutor mode: the learner writes the derivative line by line; each line is checked.

Every line is the right side of ``d/dx [f] = line`` (see :mod:`chainrule.tutor.lines`). A
line is valid when that equation holds (:func:`~chainrule.tutor.answer.check_answer` on the
line with its pending derivatives taken); any valid line is accepted, the engine's path or
not. The rules that justify it are those of the derivatives it took; a wrong line is matched
against the mistake catalogue. Hints come in three grades: the rule, its formula, the line.
The JSON interface is documented in ``docs/tutor.md``.

>>> t = Tutor("sin(x^2)")
>>> r = t.submit("cos(x^2) * d/dx [x^2]")
>>> r.valid, r.rules, r.pending, r.done
(True, ['Chain rule'], ['x^2'], False)
>>> t.hint().text
'Power rule'
>>> r = t.submit("2x cos(x^2)")
>>> r.valid, r.done
(True, True)
>>> t.submit("cos(x^2)").valid
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chainrule.core.build import ONE, ZERO
from chainrule.core.expr import Expr, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import ChainruleError
from chainrule.explain.statements import note, rewrite
from chainrule.printing.latex import to_latex
from chainrule.symbolic.api import as_expression
from chainrule.symbolic.differentiate import Differentiator, Result, wrt_symbol
from chainrule.symbolic.steps import ChainRule, Step
from chainrule.tutor.answer import check_answer
from chainrule.tutor.lines import Line, placeholder, read_line
from chainrule.tutor.sampling import close, value

ALGEBRA = "Algebra"
"""The rule of a valid line that takes no derivative (a rewrite or a simplification)."""
MAX_HINT = 3


@dataclass
class LineCheck:
    """The verdict on one submitted line (``to_dict`` is the JSON ``check`` reply)."""

    line: str
    valid: bool
    rules: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    done: bool = False
    step: int = 0
    message: str = ""
    mistake: str | None = None
    mistake_rule: str | None = None
    counterexample: dict[str, float] | None = None
    error: str | None = None
    latex: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": "check", "line": self.line, "latex": self.latex, "valid": self.valid,
                "rules": self.rules, "pending": self.pending, "done": self.done,
                "step": self.step, "message": self.message, "mistake": self.mistake,
                "mistake_rule": self.mistake_rule, "counterexample": self.counterexample,
                "error": self.error}


@dataclass
class Hint:
    """One graded hint: 1 the rule, 2 its formula here, 3 the next line."""

    level: int
    rule: str | None
    text: str
    line: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": "hint", "level": self.level, "rule": self.rule, "text": self.text,
                "line": self.line}


class Tutor:
    """A tutoring session on the derivative of ``expr`` by ``wrt`` (see the module doc)."""

    def __init__(self, expr: Expr | str, wrt: str | None = None):
        self.expr = as_expression(expr)
        self.wrt = wrt_symbol(self.expr, wrt).name
        self.lines: list[str] = []
        self.hint_level = 0
        self.current = Line(placeholder(1), ((placeholder(1), self.expr),), self.wrt)

    # -- state -------------------------------------------------------------------------
    @property
    def goal(self) -> str:
        return f"d/d{self.wrt} [{self.expr}]"

    @property
    def done(self) -> bool:
        return bool(self.lines) and not self.current.parts

    def start(self) -> dict[str, Any]:
        """The JSON ``start`` reply."""
        return {"type": "start", "expr": str(self.expr), "wrt": self.wrt, "goal": self.goal,
                "goal_latex": rf"\frac{{d}}{{d{self.wrt}}}\left[{to_latex(self.expr)}\right]",
                "prompt": f"{self.goal} = ?"}

    def state(self) -> dict[str, Any]:
        """What rebuilds this session (:meth:`from_state`): a stateless server keeps it."""
        return {"expr": str(self.expr), "wrt": self.wrt, "lines": list(self.lines),
                "hint_level": self.hint_level, "done": self.done}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Tutor:
        """The session that :meth:`state` described (its lines are checked again)."""
        if not isinstance(state, dict) or not isinstance(state.get("expr"), str):
            raise ChainruleError("a tutor state needs 'expr', the function as text")
        t = cls(state["expr"], state.get("wrt"))
        for text in state.get("lines") or []:
            if not t.submit(str(text)).valid:
                raise ChainruleError(f"the state's line {text!r} is not valid")
        level = state.get("hint_level", 0)
        t.hint_level = min(max(int(level), 0), MAX_HINT) if isinstance(level, int) else 0
        return t

    # -- checking ----------------------------------------------------------------------
    def submit(self, text: str) -> LineCheck:
        """Check a line; a valid one becomes the current line."""
        try:
            line = read_line(text, self.wrt)
        except ChainruleError as err:
            return LineCheck(text.strip(), False, step=len(self.lines), error=str(err),
                             message=f"I could not read that line: {err}")
        if line.parts and self.done:
            pass  # a learner may go on rewriting; nothing special
        try:
            verdict = check_answer(self.expr, line.completed(), Symbol(self.wrt))
        except ChainruleError as err:
            return LineCheck(line.text(), False, step=len(self.lines), error=str(err),
                             message=f"I could not check that line: {err}")
        shown = line.text()
        if not verdict.equivalent:
            return LineCheck(shown, False, pending=[str(g) for g in line.pending],
                             step=len(self.lines), message=verdict.explanation,
                             mistake=verdict.mistake, mistake_rule=verdict.rule,
                             counterexample=verdict.counterexample, latex=line.latex())
        rules = self._rules_taken(line)
        self.current, self.hint_level = line, 0
        self.lines.append(text.strip())
        done = not line.parts
        named = ", ".join(r.lower() if r != ALGEBRA else "algebra" for r in rules)
        message = f"Right: {named}." + (" That is the derivative: done." if done else "")
        return LineCheck(shown, True, rules, [str(g) for g in line.pending], done,
                         len(self.lines), message, latex=line.latex())

    def _rules_taken(self, line: Line) -> list[str]:
        """The top rule of each derivative pending before and gone in ``line``."""
        now = set(line.pending)
        new = [h for h in line.pending if h not in set(self.current.pending)]
        rules: list[str] = []
        for g in self.current.pending:
            if g in now or any(same_function(g, h, self.wrt) for h in new):
                continue  # still pending, or rewritten into an equal function (algebra)
            rule = _expansion(g, self.wrt)[1]
            name = rule.rule if rule is not None else ALGEBRA
            if name not in rules:
                rules.append(name)
        return rules or [ALGEBRA]

    # -- hints -------------------------------------------------------------------------
    def hint(self) -> Hint:
        """The next hint for the current line, one grade more specific each time."""
        if self.done:
            return Hint(self.hint_level, None, "You are done: your last line is the derivative.")
        self.hint_level = min(self.hint_level + 1, MAX_HINT)
        g = self.current.pending[0]
        expansion, step = _expansion(g, self.wrt)
        name = step.rule if step is not None else "Constant rule"
        if self.hint_level == 1:
            return Hint(1, name, _rule_hint(step, name))
        if self.hint_level == 2:
            formula = "; ".join(t for t in (rewrite(step), note(step)) if t) if step else ""
            return Hint(2, name, formula or f"d/d{self.wrt} [{g}] = {expansion.expr}")
        nxt = self.next_line()
        return Hint(3, name, f"{self.goal} = {nxt}", nxt)

    def next_line(self) -> str:
        """The current line with one rule applied to its first pending derivative."""
        line = self.current
        target, g = line.parts[0]
        expansion, _ = _expansion(g, self.wrt, first=len(line.parts) + 1)
        parts = line.parts[1:] + expansion.parts
        new = substitute(line.expr, {target: expansion.expr})
        used = new.free_symbols()
        return Line(new, tuple(p for p in parts if p[0] in used), self.wrt).text()


SAME_AT = (0.31, 0.77, 1.43, 2.09, -0.58, -1.7)
"""Points where two pending functions are compared (a rewrite keeps every value)."""


def same_function(g: Expr, h: Expr, wrt: str) -> bool:
    """Whether ``h`` is ``g`` rewritten: equal wherever both are defined (≥ 3 points)."""
    agree = 0
    others = {s.name: 0.87 for s in g.free_symbols() | h.free_symbols()}
    for x in SAME_AT:
        point = {**others, wrt: x}
        a, b = value(g, point)[0], value(h, point)[0]
        if a is None or b is None:
            continue
        if not close(a, b):
            return False
        agree += 1
    return agree >= 3


def _rule_hint(step: Step | None, name: str) -> str:
    if isinstance(step, ChainRule) and step.outer is not None:
        return f"{name} (the outer function by the {step.outer.rule.lower()})"
    return name


class _OneStep(Differentiator):
    """The engine, one rule deep: derivatives below the top node stay pending."""

    def __init__(self, wrt: Symbol, top: Expr, first: int):
        super().__init__(wrt, record=True)
        self.top = top
        self.parts: list[tuple[Symbol, Expr]] = []
        self.first = first

    def d(self, e: Expr) -> Result:
        if e is self.top:
            return self._d(e)
        if not self.depends(e):
            return ZERO, None
        if e is self.wrt:
            return ONE, None
        for p, g in self.parts:
            if g is e:
                return p, None
        p = placeholder(self.first + len(self.parts))
        self.parts.append((p, e))
        return p, None


def _expansion(g: Expr, wrt: str, first: int = 1) -> tuple[Line, Step | None]:
    """``d/dx [g]`` with one rule applied, and the step of that rule."""
    one = _OneStep(Symbol(wrt), g, first)
    result, step = one.d(g)
    return Line(result, tuple(one.parts), wrt), step


def respond(request: dict[str, Any]) -> dict[str, Any]:
    """One stateless exchange: ``{"reply": …, "state": …}`` for a request carrying the state.

    >>> out = respond({"expr": "x^3", "action": "submit", "line": "3x^2"})
    >>> out["reply"]["valid"], out["reply"]["rules"], out["state"]["done"]
    (True, ['Power rule'], True)
    """
    try:
        if not isinstance(request, dict):
            raise ChainruleError("a tutor request is a JSON object")
        t = Tutor.from_state(request)
        action = request.get("action", "start")
        if action == "start":
            reply = t.start()
        elif action == "submit":
            if not isinstance(request.get("line"), str):
                raise ChainruleError("a submit request needs 'line', the learner's line as text")
            reply = t.submit(request["line"]).to_dict()
        elif action == "hint":
            reply = t.hint().to_dict()
        elif action == "state":
            reply = {"type": "state", **t.state()}
        else:
            raise ChainruleError(f"unknown tutor action {action!r}; use start, submit, hint "
                                 "or state")
    except ChainruleError as err:
        return {"reply": {"type": "error", "message": str(err)}, "state": _echo(request)}
    return {"reply": reply, "state": t.state()}


def _echo(request: Any) -> dict[str, Any] | None:
    if not isinstance(request, dict):
        return None
    return {k: request[k] for k in ("expr", "wrt", "lines", "hint_level") if k in request}
