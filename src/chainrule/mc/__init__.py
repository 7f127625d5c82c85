"""Monte Carlo gradient estimators: ∇θ E_{p(z;θ)}[f(z)] by the score function or the path.

Seed 002's log-derivative trick as a toolkit: distributions whose scores come from
chainrule's AD, the score-function (REINFORCE) estimator with baselines, the pathwise
(reparameterisation) estimator, side-by-side comparisons, plain Monte Carlo expectations and
integrals. See ``docs/mc.md``.

>>> import numpy as np
>>> from chainrule import mc
>>> est = mc.score_function(lambda z: (z - 3.0) ** 2, mc.Normal(1.0, 2.0), n=100_000, seed=0)
>>> sorted(est.grad)
['loc', 'scale']
"""

from chainrule.mc.compare import ESTIMATORS, Comparison, compare
from chainrule.mc.distributions import (
    DISTRIBUTIONS,
    Bernoulli,
    Categorical,
    Distribution,
    Exponential,
    Gamma,
    MultivariateNormalDiag,
    Normal,
    Poisson,
    make,
)
from chainrule.mc.estimators import GradientEstimate, pathwise, score_function
from chainrule.mc.integrate import MonteCarloResult, expectation, integrate

__all__ = [
    "DISTRIBUTIONS", "ESTIMATORS", "Bernoulli", "Categorical", "Comparison", "Distribution",
    "Exponential", "Gamma", "GradientEstimate", "MonteCarloResult", "MultivariateNormalDiag",
    "Normal", "Poisson", "compare", "expectation", "integrate", "make", "pathwise",
    "score_function",
]
