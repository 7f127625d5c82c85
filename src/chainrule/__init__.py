"""chainrule: differentiate functions three ways and show the work.

>>> import chainrule
>>> str(chainrule.diff("x^x"))
'x^x*(ln(x) + 1)'
>>> chainrule.diff("x^x").evaluate(x=2)
6.772588722239782

The public names load on first use (PEP 562 module ``__getattr__``), so ``import chainrule``
and the command line start fast: NumPy, the calculus tools and the rest are imported only
when a name that needs them is first touched.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from chainrule.core import registry as _registry
from chainrule.errors import (
    BudgetError,
    ChainruleError,
    ChainruleWarning,
    DifferentiationError,
    DomainError,
    KinkError,
    KinkWarning,
    NonFiniteDerivative,
    NonFiniteDerivativeWarning,
    NotDifferentiable,
    ParseError,
)

__version__ = "0.2.0"  # the one source of truth: pyproject.toml reads it

# public name -> (module, attribute in it); None as attribute: the module itself
_LAZY: dict[str, tuple[str, str | None]] = {
    "numeric": ("chainrule.numeric", None),
    **{name: ("chainrule.autodiff.api", name) for name in (
        "directional_derivative", "elementwise_grad", "grad", "hessian", "hvp", "jacobian",
        "jvp", "value_and_grad", "vjp")},
    **{name: ("chainrule.autodiff.custom", name) for name in (
        "custom_jvp", "custom_vjp", "stop_gradient")},
    **{name: ("chainrule.autodiff.transforms", name) for name in (
        "checkpoint", "linearize", "vmap")},
    **{name: ("chainrule.symbolic.api", name) for name in ("diff", "parse", "steps")},
    **{name: ("chainrule.calculus", name) for name in (
        "critical_points", "implicit_diff", "minimize", "plot", "taylor")},
    **{name: ("chainrule.testing", name) for name in (
        "GradCheckError", "GradCheckReport", "check_grads")},
    **{name: ("chainrule.tutor", name) for name in ("AnswerCheck", "check_answer")},
    "compile": ("chainrule.symbolic.compile", "compile_expr"),
    "jit": ("chainrule.autodiff.jit", "jit"),
    **{name: ("chainrule.core.build", name) for name in (
        "PI", "E", "apply", "const", "symbol", "symbols")},
    **{name: ("chainrule.core.expr", name) for name in (
        "Apply", "Const", "Expr", "NamedConst", "Symbol")},
    "substitute": ("chainrule.core.substitute", "substitute"),
    "kinks": ("chainrule.core.kinks", "kinks"),
    **{name: ("chainrule.symbolic.kinks", name) for name in ("derivative_at", "kink_value")},
    "computation_graph": ("chainrule.explain.graph", "computation_graph"),
    **{name: ("chainrule.symbolic.steps", name) for name in ("Derivation", "Step")},
    **{name: ("chainrule.symbolic.simplify", name) for name in ("expand", "readable")},
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it (PEP 562)."""
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'chainrule' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
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
    from chainrule.autodiff.custom import custom_jvp, custom_vjp, stop_gradient
    from chainrule.autodiff.jit import jit
    from chainrule.autodiff.transforms import checkpoint, linearize, vmap
    from chainrule.calculus import critical_points, implicit_diff, minimize, plot, taylor
    from chainrule.core.build import PI, E, apply, const, symbol, symbols
    from chainrule.core.expr import Apply, Const, Expr, NamedConst, Symbol
    from chainrule.core.kinks import kinks
    from chainrule.core.substitute import substitute
    from chainrule.explain.graph import computation_graph
    from chainrule.symbolic.api import diff, parse, steps
    from chainrule.symbolic.compile import compile_expr as compile  # noqa: A004
    from chainrule.symbolic.kinks import derivative_at, kink_value
    from chainrule.symbolic.simplify import expand, readable
    from chainrule.symbolic.steps import Derivation, Step
    from chainrule.testing import GradCheckError, GradCheckReport, check_grads
    from chainrule.tutor import AnswerCheck, check_answer


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
    "AnswerCheck", "Apply", "apply", "BudgetError", "ChainruleError", "ChainruleWarning",
    "check_answer", "NonFiniteDerivative", "NonFiniteDerivativeWarning",
    "checkpoint", "custom_jvp", "custom_vjp", "linearize", "stop_gradient", "vmap",
    "check_grads", "compile", "computation_graph", "Const", "const", "critical_points",
    "Derivation", "diff", "DifferentiationError", "directional_derivative", "DomainError", "E",
    "elementwise_grad", "expand", "Expr", "from_sympy", "grad", "GradCheckError",
    "GradCheckReport", "hessian", "hvp", "implicit_diff", "jacobian", "jit", "jvp", "minimize",
    "NamedConst", "NotDifferentiable", "parse", "ParseError", "PI", "plot", "readable", "Step",
    "steps", "substitute", "Symbol", "symbol", "symbols", "taylor", "to_sympy", "value_and_grad",
    "vjp", "KinkError", "KinkWarning", "kinks", "kink_value",
    "derivative_at",
]
