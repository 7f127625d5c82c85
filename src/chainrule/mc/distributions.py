"""Distributions for Monte Carlo gradients: seeded sampling, log-densities, scores, Fisher.

Each distribution writes its log-density once, in plain NumPy (``_log_density``); the score
∇θ ln p(z; θ) is that function differentiated by chainrule — compiled symbolic partials for
univariate distributions, forward mode otherwise (:mod:`chainrule.mc.per_sample`) — never a
hand-written second copy. Reparameterisable ones also write ``z = g(ε; θ)`` once
(``_transform``) for the pathwise estimator. Parameters may be traced values, so
``chainrule.grad`` differentiates a log-likelihood built from them.

>>> import numpy as np
>>> d = Normal(loc=1.0, scale=2.0)
>>> d.sample(3, seed=0).shape
(3,)
>>> d.score(np.array([3.0]))["loc"]            # (z − μ)/σ²
array([0.5])
>>> d.fisher_information()                     # diag(1/σ², 2/σ²)
array([[0.25, 0.  ],
       [0.  , 0.5 ]])
>>> Bernoulli(probs=0.3).log_prob(np.array([1.0, 0.0])).round(4)
array([-1.204 , -0.3567])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule.autodiff.tracing import value_of
from chainrule.errors import ChainruleError
from chainrule.mc.base import (  # noqa: F401 - re-exported: the public home of these names
    Distribution,
    ScoreMethod,
    Seed,
    _count,
    _param,
    _positive,
    _scalar,
    _show,
    rng_from,
)
from chainrule.mc.special import LOG_2PI, lgamma, log_factorial, trigamma
from chainrule.ml.stable import log_softmax, sigmoid, softplus


class Normal(Distribution):
    """N(loc, scale²), reparameterised as z = loc + scale·ε, ε ~ N(0, 1)."""

    reparameterised = ("loc", "scale")

    def __init__(self, loc: Any = 0.0, scale: Any = 1.0):
        _scalar("Normal", loc=loc, scale=scale)
        _positive("Normal", "scale", scale)
        super().__init__(loc=loc, scale=scale)

    def _log_density(self, z, loc, scale):
        u = (z - loc) / scale
        return -0.5 * (u * u) - np.log(scale) - 0.5 * LOG_2PI

    def _noise(self, n, rng):
        return rng.standard_normal(n)

    def _transform(self, eps, loc, scale):
        return loc + scale * eps

    def _fisher(self, loc, scale):
        return np.diag([1.0 / scale**2, 2.0 / scale**2])

    def entropy(self) -> Any:
        """½ ln(2πe σ²); differentiable in the scale."""
        return 0.5 * (LOG_2PI + 1.0) + np.log(self.params["scale"])


class MultivariateNormalDiag(Distribution):
    """N(loc, diag(scale²)) over vectors of length d; samples have shape (n, d)."""

    reparameterised = ("loc", "scale")
    event_ndim = 1

    def __init__(self, loc: Any, scale: Any):
        loc_v, scale_v = np.asarray(value_of(loc)), np.asarray(value_of(scale))
        if loc_v.ndim != 1 or loc_v.shape != scale_v.shape:
            raise ChainruleError("MultivariateNormalDiag needs loc and scale as vectors of one "
                                 f"length; got shapes {loc_v.shape} and {scale_v.shape}")
        _positive("MultivariateNormalDiag", "scale", scale)
        super().__init__(loc=loc, scale=scale)

    def _log_density(self, z, loc, scale):
        u = (z - loc) / scale
        return np.sum(-0.5 * (u * u) - np.log(scale), axis=-1) - 0.5 * LOG_2PI * np.shape(
            value_of(loc))[0]

    def _noise(self, n, rng):
        return rng.standard_normal((n, np.shape(self.values["loc"])[0]))

    def _transform(self, eps, loc, scale):
        return loc + scale * eps

    def _fisher(self, loc, scale):
        return np.diag(np.concatenate([1.0 / scale**2, 2.0 / scale**2]))

    def entropy(self) -> Any:
        scale = self.params["scale"]
        return 0.5 * (LOG_2PI + 1.0) * np.shape(value_of(scale))[0] + np.sum(np.log(scale))


class Bernoulli(Distribution):
    """P(z = 1) = probs (or sigmoid(logits)); give exactly one. Samples are 0.0 / 1.0."""

    def __init__(self, probs: Any = None, logits: Any = None):
        if (probs is None) == (logits is None):
            raise ChainruleError("Bernoulli needs exactly one of probs= or logits=")
        if probs is not None:
            _scalar("Bernoulli", probs=probs)
            p = float(value_of(probs))
            if not 0.0 < p < 1.0:
                raise ChainruleError(f"Bernoulli's probs must be in (0, 1), got {p:g}")
            super().__init__(probs=probs)
        else:
            _scalar("Bernoulli", logits=logits)
            super().__init__(logits=logits)

    @property
    def probs(self) -> float:
        v = self.values
        return float(v["probs"]) if "probs" in v else float(sigmoid(v["logits"]))

    def _log_density(self, z, probs=None, logits=None):
        if logits is not None:
            return z * logits - softplus(logits)
        return z * np.log(probs) + (1.0 - z) * np.log1p(-probs)

    def _sample(self, n, rng):
        return (rng.random(n) < self.probs).astype(float)

    def _fisher(self, probs=None, logits=None):
        p = self.probs
        return p * (1.0 - p) if logits is not None else 1.0 / (p * (1.0 - p))


class Categorical(Distribution):
    """P(z = k) = softmax(logits)ₖ for k = 0 … K−1; samples are integer arrays."""

    def __init__(self, logits: Any):
        if np.ndim(value_of(logits)) != 1 or np.size(value_of(logits)) < 2:
            raise ChainruleError("Categorical needs logits as a vector of at least 2 entries")
        super().__init__(logits=logits)

    @property
    def probs(self) -> np.ndarray:
        return np.exp(np.asarray(log_softmax(self.values["logits"])))

    def _log_density(self, z, logits):
        return log_softmax(logits)[np.asarray(z, dtype=np.int64)]

    def _sample(self, n, rng):
        cdf = np.cumsum(self.probs)
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)

    def _fisher(self, logits):
        p = self.probs
        return np.diag(p) - np.outer(p, p)  # singular: logits are defined up to a constant


class Exponential(Distribution):
    """p(z) = rate·e^(−rate·z), reparameterised as z = ε / rate, ε ~ Exp(1)."""

    reparameterised = ("rate",)

    def __init__(self, rate: Any = 1.0):
        _scalar("Exponential", rate=rate)
        _positive("Exponential", "rate", rate)
        super().__init__(rate=rate)

    def _log_density(self, z, rate):
        return np.log(rate) - rate * z

    def _noise(self, n, rng):
        return rng.standard_exponential(n)

    def _transform(self, eps, rate):
        return eps / rate

    def _fisher(self, rate):
        return 1.0 / rate**2


class Poisson(Distribution):
    """P(z = k) = rateᵏ e^(−rate) / k!; samples are integer-valued floats."""

    def __init__(self, rate: Any = 1.0):
        _scalar("Poisson", rate=rate)
        _positive("Poisson", "rate", rate)
        super().__init__(rate=rate)

    def _log_density(self, z, rate):
        return z * np.log(rate) - rate

    def _log_base(self, z):
        return -log_factorial(np.asarray(z))

    def _sample(self, n, rng):
        return rng.poisson(self.values["rate"], n).astype(float)

    def _fisher(self, rate):
        return 1.0 / rate


class Gamma(Distribution):
    """p(z) ∝ z^(concentration−1) e^(−rate·z). Reparameterised in the rate only
    (z = ε / rate, ε ~ Gamma(concentration, 1)); ln Γ comes from :mod:`chainrule.mc.special`,
    so the score in the concentration (ln rate + ln z − ψ(concentration)) is AD's too."""

    reparameterised = ("rate",)

    def __init__(self, concentration: Any = 1.0, rate: Any = 1.0):
        _scalar("Gamma", concentration=concentration, rate=rate)
        _positive("Gamma", "concentration", concentration)
        _positive("Gamma", "rate", rate)
        super().__init__(concentration=concentration, rate=rate)

    def _log_density(self, z, concentration, rate):
        return (concentration * np.log(rate) + (concentration - 1.0) * np.log(z) - rate * z
                - lgamma(concentration))

    def _noise(self, n, rng):
        return rng.standard_gamma(self.values["concentration"], n)

    def _transform(self, eps, concentration, rate):
        return eps / rate

    def _fisher(self, concentration, rate):
        return np.array([[trigamma(concentration), -1.0 / rate],
                         [-1.0 / rate, concentration / rate**2]])


DISTRIBUTIONS: dict[str, type[Distribution]] = {
    "normal": Normal, "mvn-diag": MultivariateNormalDiag, "bernoulli": Bernoulli,
    "categorical": Categorical, "exponential": Exponential, "poisson": Poisson, "gamma": Gamma,
}


def make(name: str, **params: Any) -> Distribution:
    """A distribution by its name in :data:`DISTRIBUTIONS` (as the CLI spells it).

    >>> make("normal", loc=0, scale=1)
    Normal(loc=0, scale=1)
    """
    import inspect
    cls = DISTRIBUTIONS.get(name.strip().lower())
    if cls is None:
        raise ChainruleError(f"unknown distribution {name!r}; choose one of "
                             f"{', '.join(DISTRIBUTIONS)}")
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = [p for p in params if p not in accepted]
    if unknown:
        raise ChainruleError(f"{cls.__name__} has no parameter {unknown[0]!r}; its parameters "
                             f"are {', '.join(accepted)}")
    return cls(**params)
