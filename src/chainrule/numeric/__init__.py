"""Numerical differentiation with an honest error bound and a verdict.

The third of chainrule's ways to differentiate (after symbolic and automatic): finite
differences with Richardson extrapolation over shrinking steps, weights from Fornberg's
algorithm, complex step for analytic functions, and checks that report a kink, jump, infinite
slope or domain edge instead of a confident wrong number.

>>> import math
>>> from chainrule import numeric
>>> r = numeric.derivative(math.sin, 1.0)
>>> r.success and abs(r.df - math.cos(1.0)) <= r.error
True
>>> numeric.derivative(abs, 0.0).status
'not differentiable: kink'
>>> numeric.gradient("x^2 + 3y^2", [1.0, 2.0]).df.round(10).tolist()
[2.0, 12.0]

Modules: :mod:`.derivative` (the public one-variable function), :mod:`.driver` (scan, restart,
rescale, diagnose), :mod:`.options`, :mod:`.richardson` (extrapolation and the error bound),
:mod:`.diagnose` (non-differentiability), :mod:`.stencils` (Fornberg weights),
:mod:`.complex_step`, :mod:`.multivariate`, :mod:`.tradeoff` (seed 000's log-derivative
estimator and seed 003's step-size trade-off), :mod:`.sampling` (calling f safely),
:mod:`.corpus` (test functions with 50-digit reference derivatives).
"""

from chainrule.numeric.derivative import derivative
from chainrule.numeric.multivariate import directional_derivative, gradient, hessian, jacobian
from chainrule.numeric.result import (
    CONVERGED,
    DOMAIN,
    INFINITE_SLOPE,
    JUMP,
    KINK,
    NOT_CONVERGED,
    ONE_SIDED,
    DerivativeResult,
)
from chainrule.numeric.stencils import fornberg_weights, scheme_nodes
from chainrule.numeric.tradeoff import Tradeoff, log_derivative, step_tradeoff

__all__ = [
    "CONVERGED", "DOMAIN", "INFINITE_SLOPE", "JUMP", "KINK", "NOT_CONVERGED", "ONE_SIDED",
    "DerivativeResult", "Tradeoff", "derivative", "directional_derivative", "fornberg_weights",
    "gradient", "hessian", "jacobian", "log_derivative", "scheme_nodes", "step_tradeoff",
]
