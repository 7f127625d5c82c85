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

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import numpy as np

from chainrule.errors import ChainruleError
from chainrule.mc.per_sample import SymbolicDerivatives, forward_derivatives
from chainrule.mc.special import LOG_2PI, lgamma, log_factorial, trigamma
from chainrule.ml.stable import log_softmax, sigmoid, softplus
from chainrule.modes.tracing import Box, value_of

Seed = int | np.random.Generator | None
ScoreMethod = Literal["auto", "symbolic", "forward"]
_SYMBOLIC = SymbolicDerivatives()


def rng_from(seed: Seed) -> np.random.Generator:
    """A NumPy generator from a seed (an existing generator is used as is)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


class Distribution:
    """A parametric distribution p(z; θ). Subclasses define the ``_``-methods below."""

    param_names: tuple[str, ...] = ()
    reparameterised: ClassVar[tuple[str, ...]] = ()
    """The parameters the pathwise estimator can differentiate through ``z = g(ε; θ)``."""
    event_ndim: ClassVar[int] = 0

    def __init__(self, **params: Any):
        self.params = {name: _param(v) for name, v in params.items()}
        self.param_names = tuple(params)

    # -- the public interface ------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The parameters as plain numbers / arrays."""
        return {k: value_of(v) for k, v in self.params.items()}

    def sample(self, n: int, seed: Seed = None) -> np.ndarray:
        """``n`` independent draws (shape ``(n,)``, or ``(n, d)`` for vector events)."""
        rng = rng_from(seed)
        if self.reparameterised:  # the same draws as rsample with this seed
            return np.asarray(self._transform(self._noise(_count(n), rng), **self.values))
        return self._sample(_count(n), rng)

    def log_prob(self, z: Any) -> Any:
        """ln p(z; θ), one value per sample; differentiable in the parameters."""
        return self._log_density(z, **self.params) + self._log_base(value_of(z))

    def score(self, z: Any, wrt: Sequence[str] | None = None,
              method: ScoreMethod = "auto") -> dict[str, np.ndarray]:
        """∇θ ln p(zᵢ; θ) for every sample: ``{name: array (n, *param_shape)}``.

        ``method``: "symbolic" (compiled symbolic partials; univariate distributions),
        "forward" (forward-mode AD, one pass per parameter entry) or "auto" (the first that
        applies). Both come from chainrule's one rule table.
        """
        names = self.check_wrt(wrt)
        z = np.asarray(z)
        if method not in ("auto", "symbolic", "forward"):
            raise ChainruleError(f"unknown score method {method!r}; use auto, symbolic or forward")
        if method != "forward" and self.event_ndim == 0:
            key = (type(self), self.param_names)
            fast = _SYMBOLIC(key, self._log_density, z, self.params, names)
            if fast is not None:
                return fast
            if method == "symbolic":
                raise ChainruleError(f"{self.name}'s log-density has no symbolic derivative here")
        return forward_derivatives(lambda **p: self._log_density(z, **p), self.params, names,
                                   n=len(z))

    def noise(self, n: int, seed: Seed = None) -> np.ndarray:
        """ε, the parameter-free randomness of a reparameterisable distribution."""
        self._need_reparameterised(())
        return self._noise(_count(n), rng_from(seed))

    def transform(self, eps: Any, **params: Any) -> Any:
        """z = g(ε; θ) — with this distribution's parameters unless others are given."""
        return self._transform(eps, **{**self.params, **params})

    def rsample(self, n: int, seed: Seed = None) -> np.ndarray:
        """Reparameterised draws g(ε; θ); the same draws as :meth:`sample` with that seed."""
        return np.asarray(value_of(self.transform(self.noise(n, seed))))

    def fisher_information(self) -> np.ndarray:
        """E[∇ln p ∇ln pᵀ], closed form, over all parameter entries in declaration order."""
        return np.atleast_2d(np.asarray(self._fisher(**self.values), dtype=float))

    def empirical_fisher(self, n: int = 100_000, seed: Seed = None) -> np.ndarray:
        """The Monte Carlo estimate (1/n) Σ sᵢ sᵢᵀ of the Fisher information."""
        flat = self.flat_score(self.sample(n, seed))
        return flat.T @ flat / len(flat)

    def flat_score(self, z: Any) -> np.ndarray:
        """Per-sample scores as an ``(n, P)`` matrix, parameters in declaration order."""
        scores = self.score(z)
        n = len(np.asarray(z))
        return np.concatenate([scores[k].reshape(n, -1) for k in self.param_names], axis=1)

    def check_wrt(self, wrt: Sequence[str] | str | None) -> list[str]:
        """The parameter names asked for, checked (None: all of them)."""
        if wrt is None:
            return list(self.param_names)
        names = [wrt] if isinstance(wrt, str) else list(wrt)
        for name in names:
            if name not in self.param_names:
                raise ChainruleError(f"{self.name} has no parameter {name!r}; its parameters "
                                     f"are {', '.join(self.param_names)}")
        if not names:
            raise ChainruleError("wrt names no parameter; give at least one")
        return names

    def _need_reparameterised(self, names: Sequence[str]) -> None:
        if not self.reparameterised:
            raise ChainruleError(f"{self.name} is not reparameterisable: its samples are not a "
                                 "differentiable function of its parameters; use the "
                                 "score-function estimator")
        bad = [n for n in names if n not in self.reparameterised]
        if bad:
            raise ChainruleError(f"{self.name} is reparameterisable in "
                                 f"{', '.join(self.reparameterised)} only, not in "
                                 f"{', '.join(bad)}; use the score-function estimator for it")

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        return f"{self.name}({inner})"

    # -- what subclasses write -----------------------------------------------------------
    def _log_density(self, z: Any, **params: Any) -> Any:
        """The part of ln p(z; θ) that depends on θ, in plain NumPy (traced by AD)."""
        raise NotImplementedError

    def _log_base(self, z: np.ndarray) -> Any:
        """The rest of ln p(z; θ), free of θ (e.g. −ln z! for the Poisson)."""
        return 0.0

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _noise(self, n: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _transform(self, eps: Any, **params: Any) -> Any:
        raise NotImplementedError

    def _fisher(self, **values: Any) -> Any:
        raise NotImplementedError


# -- checks and conversions -------------------------------------------------------------

def _param(v: Any) -> Any:
    if isinstance(v, Box):
        return v
    if isinstance(v, np.ndarray | list | tuple):
        return np.asarray(v, dtype=float)
    if isinstance(v, int | float | np.number):
        return float(v)
    raise ChainruleError(f"a parameter must be a number or an array, not {type(v).__name__}")


def _count(n: int) -> int:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ChainruleError(f"the number of samples must be a whole number ≥ 1, got {n!r}")
    return int(n)


def _positive(dist: str, name: str, v: Any) -> None:
    if not np.all(np.asarray(value_of(v)) > 0):
        raise ChainruleError(f"{dist}'s {name} must be > 0, got {_show(value_of(v))}")


def _scalar(dist: str, **params: Any) -> None:
    for name, v in params.items():
        if np.ndim(value_of(v)) != 0:
            raise ChainruleError(f"{dist}'s {name} must be a single number (for vectors use "
                                 "MultivariateNormalDiag or Categorical)")


def _show(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else np.array2string(np.asarray(v), precision=4)


# -- the distributions ------------------------------------------------------------------

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
