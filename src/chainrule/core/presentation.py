"""How an expression shows itself: text, LaTeX, MathML for notebooks, plots, SymPy.

:class:`Presentable` is the part of :class:`~chainrule.core.expr.Expr` that hands the node to a
layer above core (the printers, the plotter, the SymPy bridge). Those layers are imported when
a method is called, never at import time, so core stays importable on its own.

>>> from chainrule.core.build import symbol
>>> x = symbol("x")
>>> str(x ** 2 + 1), (x ** 2).latex()
('x^2 + 1', 'x^{2}')
"""

from __future__ import annotations

from typing import Any

from chainrule.errors import BudgetError

REPR_MAX_CHARS = 200_000
"""Longest LaTeX or MathML a notebook is given for one expression (longer: plain text)."""


class Presentable:
    """Printing, notebook display, plotting and SymPy conversion of an expression node."""

    __slots__ = ()

    def __str__(self) -> str:
        # lazy import (documented exception): printing is a layer above core; str() of a node
        # is the printer's job, as in SymPy's Basic.__str__
        from chainrule.printing.text import to_text
        return to_text(self)

    def __repr__(self) -> str:
        return f"Expr({str(self)!r})"

    def latex(self) -> str:
        """LaTeX for the expression."""
        # lazy import (documented exception): the LaTeX printer is a layer above core
        from chainrule.printing.latex import to_latex
        return to_latex(self)

    def _repr_latex_(self) -> str | None:
        """``$…$`` for Jupyter; None (plain text shown instead) when too large to typeset."""
        try:
            text = self.latex()
        except BudgetError:
            return None
        return f"${text}$" if len(text) <= REPR_MAX_CHARS else None

    def _repr_html_(self) -> str | None:
        """MathML for Jupyter; None (LaTeX or plain text shown instead) when too large."""
        # lazy import (documented exception): the MathML printer is a layer above core
        from chainrule.printing.mathml import to_mathml
        try:
            return to_mathml(self, display=True, max_chars=REPR_MAX_CHARS)
        except BudgetError:
            return None

    def plot(self, *args: Any, **kwargs: Any) -> Any:
        """Plot f, ln f and f′ on one matplotlib figure: see :func:`chainrule.plot`."""
        # lazy import (documented exception): plotting (calculus) is a layer above core, and
        # matplotlib is optional
        from chainrule.calculus.plot import plot
        return plot(self, *args, **kwargs)

    def to_sympy(self) -> Any:
        """The equivalent SymPy expression (needs SymPy installed)."""
        # lazy import (documented exception): the SymPy bridge is a layer above core and
        # SymPy is optional
        from chainrule.interop.sympy_bridge import to_sympy
        return to_sympy(self)
