"""The step verifier: parse each step's equation back from its JSON form and check it.

A step's ``statement`` is an equation as a learner reads it: ``d/dx [sin(x^2)] = 2x*cos(x^2)``,
``d/du [u^3] = 3u^2, with u = (x + 1)/(x - 1)``, ``ln|y| = x*ln(x)``, ``(1/y)·y′ = …``,
``2x + 2y·y′ = 0``. The verifier reads the text with chainrule's parser (derivatives written
``d/dv [E]`` become placeholders), takes every derivative with SymPy (the oracle), and checks
that all sides of the equation agree at random points. ``y`` is what the derivation calls
``y``: the function itself in logarithmic differentiation, the dependent variable on a curve
in implicit differentiation (then the points lie on the curve, found by Newton's method, and
``y′`` is the curve's slope there, from SymPy).
"""

from __future__ import annotations

import math
import random
import re
import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

from chainrule.core.expr import Expr
from chainrule.errors import ChainruleError
from chainrule.symbolic.api import parse

YP = "Yprime_"
YPP = "Ysecond_"
D_PLACE = "Dplace_"


@dataclass
class Curve:
    """``lhs = rhs`` with ``dependent`` a function of ``independent``."""

    lhs: str
    rhs: str
    dependent: str = "y"
    independent: str = "x"


@dataclass
class Failure:
    step: str
    statement: str
    why: str


def S(name: str) -> sp.Symbol:
    """Every variable is real (so SymPy's d/dx |x| is sign(x))."""
    return sp.Symbol(name, real=True)


def _real(e: sp.Expr) -> sp.Expr:
    return e.xreplace({s: S(s.name) for s in e.free_symbols})


def _sympy(e: Expr, places: dict[str, sp.Expr]) -> sp.Expr:
    out = _real(e.to_sympy())
    subs = {S(k): v for k, v in places.items()}
    return out.xreplace(subs) if subs else out


class Verifier:
    """Checks the statements of one derivation (a ``to_dict`` tree)."""

    def __init__(self, function: str, wrt: str, curve: Curve | None = None, seed: int = 0):
        self.wrt = wrt
        self.curve = curve
        self.rng = random.Random(seed)
        self.f = None if curve else _real(parse(function).to_sympy())
        self.x = S(wrt)
        self.yp = S(YP)
        self.ypp = S(YPP)
        if curve is not None:
            y = S(curve.dependent)
            self.F = _real(parse(curve.lhs).to_sympy() - parse(curve.rhs).to_sympy())
            self.slope = -sp.diff(self.F, self.x) / sp.diff(self.F, y)
            self.curvature = sp.diff(self.slope, self.x) + sp.diff(self.slope, y) * self.slope

    # -- reading ----------------------------------------------------------------------
    def side(self, text: str) -> sp.Expr:
        """One side of an equation as a SymPy expression (y′ as a symbol, y as a symbol)."""
        places: dict[str, sp.Expr] = {}

        def take(m: re.Match) -> str:
            var, inner = m.group(1), m.group(2)
            e = self.side(inner)
            name = f"{D_PLACE}{len(places)}"
            places[name] = self.total(e, S(var))
            return f" {name} "

        text = _replace_derivatives(text, take)
        y = self.y_name
        text = (text.replace(f"{y}′′", YPP).replace("(1/y)·y′", f"(1/y)*{YP}")
                .replace(f"{y}′", YP)
                .replace("·", "*").replace("ln|y|", "ln(abs(y))").replace("−", "-"))
        text = re.sub(r"(\w)′", lambda m: YP if m.group(1) == self.y_name else m.group(0), text)
        return _sympy(parse(text), places)

    @property
    def y_name(self) -> str:
        return self.curve.dependent if self.curve else "y"

    def total(self, e: sp.Expr, var: sp.Symbol) -> sp.Expr:
        """d/dvar of e; on a curve, y is y(x) (so y-terms get y′)."""
        out = sp.diff(e, var)
        if self.curve is not None and var == self.x:
            out += sp.diff(e, S(self.curve.dependent)) * self.yp
        return out

    # -- points -------------------------------------------------------------------------
    def point(self, names: set[str]) -> dict[sp.Symbol, float] | None:
        values = {S(n): self.rng.choice([-1, 1]) * self.rng.uniform(0.2, 2.2)
                  for n in names}
        values[self.x] = self.rng.uniform(-2.2, 2.2)
        if self.curve is None:
            y = S("y")
            if self.f is not None and "y" not in {s.name for s in self.f.free_symbols}:
                try:
                    fy = complex(self.f.subs(values))
                    fp = complex(sp.diff(self.f, self.x).subs(values))
                except (TypeError, ValueError, ZeroDivisionError):
                    return None
                if abs(fy.imag) > 1e-12 or abs(fp.imag) > 1e-12 or fy == 0:
                    return None  # y must be real and nonzero (ln|y|, 1/y)
                values[y], values[self.yp] = fy.real, fp.real
            return values
        return self._on_curve(values)

    def _on_curve(self, values: dict) -> dict | None:
        y = S(self.curve.dependent)
        F = sp.lambdify(y, self.F.subs({k: v for k, v in values.items() if k != y}))
        dF = sp.lambdify(y, sp.diff(self.F, y).subs({k: v for k, v in values.items()
                                                       if k != y}))
        guess = self.rng.uniform(0.2, 2.2)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(60):
                try:
                    step = complex(F(guess) / dF(guess))
                except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                    return None
                if not (math.isfinite(step.real) and step.imag == 0):
                    return None
                guess -= step.real
                if abs(step) < 1e-13:
                    values[y] = guess
                    try:
                        values[self.yp] = float(self.slope.subs(values))
                        values[self.ypp] = float(self.curvature.subs(values))
                    except (TypeError, ValueError, ZeroDivisionError):
                        return None
                    return values
        return None

    # -- checking ----------------------------------------------------------------------
    def check(self, statement: str, step_id: str) -> Failure | None:
        body, _, given = statement.partition(", with ")
        sides = [s.strip() for s in _top_level_split(body)]
        try:
            exprs = [self.side(s) for s in sides]
            if given:
                name, _, inner = given.partition(" = ")
                u = S(name.strip())
                g = self.side(inner)
                exprs = [e.subs(u, g) for e in exprs]
        except ChainruleError as err:
            return Failure(step_id, statement, f"does not parse back: {err}")
        names = {s.name for e in exprs for s in e.free_symbols} - {self.wrt, YP, YPP}
        if self.curve is not None:
            names.discard(self.curve.dependent)
        good = 0
        for _ in range(80):
            p = self.point(names)
            if p is None:
                continue
            try:
                vals = [complex(e.subs(p).evalf()) for e in exprs]
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if any(not (math.isfinite(v.real) and math.isfinite(v.imag)) or abs(v.imag) > 1e-9
                   for v in vals):
                continue
            a = vals[0].real
            for b in (v.real for v in vals[1:]):
                if not math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-9):
                    return Failure(step_id, statement, f"sides differ at {p}: {vals}")
            good += 1
            if good >= 6:
                return None
        if good >= 3:  # a curve with few points in reach (ln(y) + x = y needs x ≥ 1)
            return None
        return Failure(step_id, statement, f"only {good} points where every side is defined")


def _replace_derivatives(text: str, take) -> str:
    """Replace each ``d/dv [E]`` (balanced brackets) by ``take(match)``."""
    out, i = [], 0
    for m in re.finditer(r"d/d([^\W\d_]\w*) \[", text):
        if m.start() < i:
            continue
        depth, j = 0, m.end() - 1
        while j < len(text):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        out.append(text[i:m.start()])
        out.append(take(_Match(m.group(1), text[m.end():j])))
        i = j + 1
    out.append(text[i:])
    return "".join(out)


class _Match:
    def __init__(self, *groups: str):
        self.groups_ = groups

    def group(self, k: int) -> str:
        return self.groups_[k - 1]


def _top_level_split(text: str) -> list[str]:
    """Split at `` = `` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(" = ", i):
            parts.append(text[start:i])
            start = i + 3
    parts.append(text[start:])
    return parts


def verify_tree(tree: dict, function: str, curve: Curve | None = None) -> list[Failure]:
    """Every failing statement of a ``to_dict`` derivation (an empty list: all true)."""
    v = Verifier(function, tree["wrt"], curve)
    failures = []

    def visit(node: dict) -> None:
        if "ref" in node:
            return
        if node["kind"] == "LogDifferentiation" and curve is None:
            v.f = _real(parse(node["expr"]).to_sympy())  # y is the function this step takes ln of
        failure = v.check(node["statement"], node["id"])
        if failure is not None:
            failures.append(failure)
        for child in node.get("substeps", []):
            visit(child)

    for order in tree["orders"]:
        visit(order)
    return failures
