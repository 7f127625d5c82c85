"""What :func:`~chainrule.calculus.critical_points` returns: the points and how they were found.

Apart from the solvers so that the one-variable (:mod:`~chainrule.calculus.critical`) and the
several-variable (:mod:`~chainrule.calculus.multivariate`) searches both build them.

>>> p = CriticalPoint(0.5, 0.25, "min", "f″ = 2 > 0")
>>> str(p)
'min at 0.5, f = 0.25'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chainrule.calculus.common import show_exact, show_number, show_point
from chainrule.core.expr import Const, Expr
from chainrule.printing.html import html_table


@dataclass
class CriticalPoint:
    """One critical point: ``x`` (a number, or a dict for several variables), ``value`` = f(x),
    ``kind`` ("min", "max", "inflection", "saddle"; "flat" when no test decides), and the
    ``explanation`` of the test that decided. ``exact`` is the exact location when known."""

    x: float | dict[str, float]
    value: float
    kind: str
    explanation: str
    exact: Expr | None = None
    test: str = ""
    eigenvalues: tuple[float, ...] | None = None

    @property
    def location(self) -> str:
        """``x = 1/e ≈ 0.367879`` or ``x = 0, y = 0``."""
        if isinstance(self.x, dict):
            return show_point(self.x)
        if self.exact is not None and not (isinstance(self.exact, Const) and self.exact.is_exact):
            return f"{show_exact(self.exact)} ≈ {show_number(self.x)}"
        return show_number(self.x)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"x": self.x, "value": self.value, "kind": self.kind,
                               "test": self.test, "explanation": self.explanation}
        if self.exact is not None:
            out["exact"] = str(self.exact)
        if self.eigenvalues is not None:
            out["eigenvalues"] = list(self.eigenvalues)
        return out

    def __str__(self) -> str:
        return f"{self.kind} at {self.location}, f = {show_number(self.value)}"


@dataclass
class CriticalPoints(Sequence):
    """The critical points found (a sequence of :class:`CriticalPoint`), with how they were
    found: ``derivative`` (f′, or ∇f as a tuple), ``method`` ("exact" or "numeric") and
    ``notes`` (the solving steps)."""

    function: Expr
    variables: tuple[str, ...]
    points: list[CriticalPoint]
    derivative: Expr | tuple[Expr, ...]
    method: str
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, i):  # type: ignore[override]
        return self.points[i]

    def __len__(self) -> int:
        return len(self.points)

    def kinds(self) -> list[str]:
        return [p.kind for p in self.points]

    def text(self) -> str:
        """The report a learner reads: the derivative, how it was solved, each point."""
        one = len(self.variables) == 1
        lines = [f"f = {self.function}"]
        if one:
            lines.append(f"f′({self.variables[0]}) = {self.derivative}")
        else:
            lines.append("∇f = (" + ", ".join(str(d) for d in self.derivative) + ")")
        lines.append(f"solving {'f′' if one else '∇f'} = 0 ({self.method}):")
        lines += [f"  {n}" for n in self.notes]
        if not self.points:
            lines.append("no critical points found")
        for p in self.points:
            lines.append(f"{p.kind} at {self.variables[0] + ' = ' if one else ''}{p.location}, "
                         f"f = {show_number(p.value)}")
            lines.append(f"  {p.explanation}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        d = self.derivative
        return {"function": str(self.function), "variables": list(self.variables),
                "derivative": str(d) if isinstance(d, Expr) else [str(e) for e in d],
                "method": self.method, "notes": list(self.notes),
                "points": [p.to_dict() for p in self.points]}

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        d = self.derivative
        rows = [(p.kind, p.location, p.value, p.test, p.explanation) for p in self.points]
        return html_table(rows, ("kind", "at", "f", "test", "why"),
                          caption=f"critical points of {self.function} ({self.method}); "
                                  f"{'f′' if isinstance(d, Expr) else '∇f'} = "
                                  f"{d if isinstance(d, Expr) else ', '.join(map(str, d))}")
