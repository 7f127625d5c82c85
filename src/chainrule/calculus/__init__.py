"""The calculus toolkit: Taylor polynomials, critical points, gradients / Jacobians /
Hessians, implicit differentiation and optimisation — each with the explanation a learner
reads and numbers they can check.

>>> from chainrule.calculus import critical_points, taylor
>>> str(taylor("e^x", about=0, order=2))
'x^2/2 + x + 1'
>>> [(p.kind, round(p.x, 4)) for p in critical_points("x^(1/x)")]
[('max', 2.7183)]
"""

from chainrule.calculus.critical import critical_points
from chainrule.calculus.implicit import ImplicitDerivative, implicit_diff, parse_equation
from chainrule.calculus.optimize import OptimizeResult, TraceRow, minimize
from chainrule.calculus.paths import ChainRulePaths, chain_rule_paths
from chainrule.calculus.plot import plot
from chainrule.calculus.points import CriticalPoint, CriticalPoints
from chainrule.calculus.taylor import TaylorApproximation, taylor, taylor_approximation
from chainrule.calculus.vector import (
    SteepestDescent,
    SymbolicMatrix,
    SymbolicVector,
    directional_derivative,
    gradient,
    hessian,
    jacobian,
    steepest_descent,
)

__all__ = [
    "ChainRulePaths", "CriticalPoint", "CriticalPoints", "ImplicitDerivative", "OptimizeResult",
    "SteepestDescent", "SymbolicMatrix", "SymbolicVector", "TaylorApproximation", "TraceRow",
    "chain_rule_paths", "critical_points", "directional_derivative", "gradient", "hessian",
    "implicit_diff", "jacobian", "minimize", "parse_equation", "plot", "steepest_descent", "taylor",
    "taylor_approximation",
]
