"""chainrule: differentiate functions three ways and show the work.

>>> import chainrule
>>> str(chainrule.diff("x^x"))
'x^x*(ln(x) + 1)'
>>> chainrule.diff("x^x").evaluate(x=2)
6.772588722239782
"""

from chainrule import numeric
from chainrule.autodiff.api import (
    directional_derivative,
    elementwise_grad,
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    value_and_grad,
    vjp,
)
from chainrule.calculus import critical_points, implicit_diff, minimize, plot, taylor
from chainrule.core import registry as _registry
from chainrule.core.build import PI, E, apply, const, symbol, symbols
from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
from chainrule.core.substitute import substitute
from chainrule.errors import (
    BudgetError,
    ChainruleError,
    DifferentiationError,
    DomainError,
    NotDifferentiable,
    ParseError,
)
from chainrule.explain.graph import computation_graph
from chainrule.symbolic.api import diff, parse, steps
from chainrule.symbolic.compile import compile_expr as compile  # noqa: A001 - chainrule.compile(expr)
from chainrule.symbolic.simplify import expand, readable
from chainrule.symbolic.steps import Derivation, Step
from chainrule.testing import GradCheckError, GradCheckReport, check_grads
from chainrule.tutor import AnswerCheck, check_answer

__version__ = "0.2.0"  # the one source of truth: pyproject.toml reads it


def _load_rules(register):
    """The registry's loader: :mod:`chainrule.rules` fills core's table on first use."""
    # lazy import (documented exception): core sits below the rules, so the package init,
    # which knows every layer, hands the table to core; loaded on first use for start time
    from chainrule.rules import register_all
    register_all(register)


_registry.set_loader(_load_rules)


def from_sympy(sympy_expr):
    """A chainrule expression from a SymPy one (needs SymPy)."""
    from chainrule.interop.sympy_bridge import from_sympy as _from_sympy
    return _from_sympy(sympy_expr)


def to_sympy(expr):
    """The SymPy equivalent of a chainrule expression (needs SymPy)."""
    from chainrule.interop.sympy_bridge import to_sympy as _to_sympy
    return _to_sympy(expr)


__all__ = [
    "numeric",
    "AnswerCheck", "Apply", "apply", "BudgetError", "ChainruleError", "check_answer",
    "check_grads", "compile", "computation_graph", "Const", "const", "critical_points",
    "Derivation", "diff", "DifferentiationError", "directional_derivative", "DomainError", "E",
    "elementwise_grad", "expand", "Expr", "from_sympy", "grad", "GradCheckError",
    "GradCheckReport", "hessian", "hvp", "implicit_diff", "jacobian", "jvp", "minimize",
    "NamedConst", "NotDifferentiable", "parse", "ParseError", "PI", "plot", "readable", "Step",
    "steps", "substitute", "Symbol", "symbol", "symbols", "taylor", "to_sympy", "value_and_grad",
    "vjp",
]
